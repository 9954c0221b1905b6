"""Form features (geometry/forms.py): constructed parts whose every number is known, the NIST
parts and the desk lamp's parts with every number compared with an independent OCCT reading
of the faces (plane positions and normals, cylinder and cone radii from BRepAdaptor_Surface),
and the complete list of forms on each NIST part, checked by looking at the part."""

from __future__ import annotations

import importlib.util
import math
import time

import cadquery as cq
import numpy as np
import pytest
from OCP.Bnd import Bnd_Box
from OCP.BRepAdaptor import BRepAdaptor_Surface
from OCP.BRepBndLib import BRepBndLib
from OCP.GeomAbs import GeomAbs_Cone, GeomAbs_Cylinder, GeomAbs_Plane

from techpack.geometry import build_models, build_parts, stepfile
from techpack.geometry.access import tool_access
from techpack.geometry.engraving import find_engravings
from techpack.geometry.features import find_features
from techpack.geometry.forms import Form, find_forms, form_text
from techpack.geometry.part import exact_box
from techpack.geometry.probe import Probe
from techpack.spec import load_spec
from tests.conftest import EXAMPLE, FIXTURES, REPO

MODELS = REPO / "examples" / "desk-lamp" / "models"
EXACT = 1e-9  # mm: numbers read from exact geometry agree to round-off
ENGRAVING = (2.5, 8)  # catalog/processes.yaml, cnc-milling: max depth mm, min faces


def approx(value, tol=EXACT):
    return pytest.approx(value, abs=tol)


def only_solid(wp: cq.Workplane) -> cq.Solid:
    (solid,) = wp.solids().vals()
    return solid


def forms_of(solid: cq.Solid, skip=frozenset()) -> tuple[Form, ...]:
    return find_forms(solid, find_features(solid, tool_axes=((1, 0, 0), (0, 1, 0), (0, 0, 1))), skip)


def the(forms, kind: str) -> Form:
    (form,) = [f for f in forms if f.kind == kind]
    return form


# ---------------------------------------------------------------------------------
# Independent readings


def surface(solid: cq.Solid, face_id: int) -> BRepAdaptor_Surface:
    return BRepAdaptor_Surface(solid.Faces()[face_id - 1].wrapped)


def plane(solid: cq.Solid, face_id: int):
    """(point, unit normal of the face's surface, ignoring the face's orientation) of a planar face."""
    s = surface(solid, face_id)
    assert s.GetType() == GeomAbs_Plane
    ax = s.Plane().Axis()
    return np.array(ax.Location().Coord()), np.array(ax.Direction().Coord())


def gap(solid: cq.Solid, a: int, b: int) -> float:
    """The distance between two parallel planar faces."""
    pa, na = plane(solid, a)
    pb, nb = plane(solid, b)
    assert np.linalg.norm(np.cross(na, nb)) < 1e-12
    return abs(float((pb - pa) @ na))


def radius(solid: cq.Solid, face_id: int) -> float:
    s = surface(solid, face_id)
    assert s.GetType() == GeomAbs_Cylinder
    return s.Cylinder().Radius()


def from_axis(solid: cq.Solid, plane_id: int, cylinder_id: int) -> float:
    """The distance from a cylinder's axis to a plane parallel to it."""
    p, n = plane(solid, plane_id)
    ax = surface(solid, cylinder_id).Cylinder().Axis()
    assert abs(float(np.array(ax.Direction().Coord()) @ n)) < 1e-12
    return abs(float((np.array(ax.Location().Coord()) - p) @ n))


def occt_box(solid: cq.Solid) -> tuple[float, ...]:
    """The solid's exact bounding box (xmin, ymin, zmin, xmax, ymax, zmax), read with OCCT."""
    box = Bnd_Box()
    BRepBndLib.AddOptimal_s(solid.wrapped, box, False, False)
    return box.Get()


def planes_among(solid: cq.Solid, faces, square_to) -> list[int]:
    """The planar faces among faces whose normal is square to the direction."""
    out = []
    for f in faces:
        if surface(solid, f).GetType() == GeomAbs_Plane and abs(float(plane(solid, f)[1] @ np.array(square_to))) < 1e-12:
            out.append(f)
    return out


def across_pairs(solid: cq.Solid, faces) -> list[float]:
    """The distance across each pair of parallel planes among faces (each pair once)."""
    out = []
    for i, a in enumerate(faces):
        for b in faces[i + 1:]:
            if np.linalg.norm(np.cross(plane(solid, a)[1], plane(solid, b)[1])) < 1e-12:
                out.append(gap(solid, a, b))
    return sorted(out)


# ---------------------------------------------------------------------------------
# Constructed parts with known answers


def plate(x=100.0, y=80.0, z=10.0) -> cq.Workplane:
    """A plate on the XY plane, centred on the origin, z = 0 .. z."""
    return cq.Workplane("XY").box(x, y, z, centered=(True, True, False))


def hexagon(across_flats: float, height: float, at=(20.0, 10.0), z0=10.0) -> cq.Workplane:
    return cq.Workplane("XY").workplane(offset=z0).center(*at).polygon(6, across_flats / math.cos(math.pi / 6)).extrude(height)


def test_hex_boss_on_a_plate():
    solid = only_solid(plate().union(hexagon(25.4, 6.35)))
    (boss,) = forms_of(solid)
    assert boss.kind == "boss" and boss.sides == 6
    assert boss.across_flats_mm == approx(25.4) and boss.height_mm == approx(6.35)
    assert boss.axis == (0.0, 0.0, 1.0)
    assert boss.centre == (approx(20.0), approx(10.0), approx(16.35))
    assert (boss.start_mm, boss.end_mm) == (approx(10.0), approx(16.35))  # from the part's bottom, z = 0
    assert form_text(boss) == "HEX 25.4 A/F, 6.35 HIGH"
    top = [f for f in boss.faces if surface(solid, f).GetType() == GeomAbs_Plane and abs(plane(solid, f)[1][2]) == 1.0]
    assert len(top) == 1 and gap(solid, top[0], boss.base[0]) == approx(6.35)
    assert across_pairs(solid, planes_among(solid, boss.faces, (0, 0, 1))) == [approx(25.4)] * 3


def test_hex_boss_with_a_chamfered_top_and_a_rounded_foot_is_still_a_hex():
    wp = plate().union(hexagon(30.0, 12.0, at=(0, 0)))
    wp = wp.faces(">Z").edges().chamfer(1.0)
    wp = wp.edges(cq.selectors.BoxSelector((-40, -40, 9.9), (40, 40, 10.1))).fillet(1.5)  # the hexagon's foot
    solid = only_solid(wp)
    (boss,) = forms_of(solid)
    assert (boss.sides, boss.across_flats_mm, boss.height_mm) == (6, approx(30.0), approx(12.0))
    assert form_text(boss) == "HEX 30 A/F, 12 HIGH"


def test_posts_and_bosses_round_square_and_rectangular():
    solid = only_solid(
        plate()
        .union(cq.Workplane("XY").workplane(offset=10).center(-30, -20).circle(4).extrude(20))  # Ø8, 20 high: a post
        .union(cq.Workplane("XY").workplane(offset=10).center(30, -20).rect(10, 10).extrude(30))  # square 10, 30 high: a post
        .union(cq.Workplane("XY").workplane(offset=10).center(0, 10).rect(20, 40).extrude(5))  # 20 x 40, 5 high: a boss
        .union(cq.Workplane("XY").workplane(offset=10).center(-30, 20).circle(9).extrude(4))  # Ø18, 4 high: a boss
    )
    forms = forms_of(solid)
    assert sorted(form_text(f) for f in forms) == ["BOSS 20 × 40, 5 HIGH", "BOSS Ø18, 4 HIGH", "POST SQUARE 10 A/F, 30 HIGH", "POST Ø8, 20 HIGH"]
    pin = next(f for f in forms if f.diameter_mm == approx(8.0))
    assert pin.kind == "post" and pin.centre == (approx(-30.0), approx(-20.0), approx(30.0)) and (pin.start_mm, pin.end_mm) == (approx(10), approx(30))
    rect = next(f for f in forms if f.width_mm is not None)
    assert (rect.width_mm, rect.length_mm, rect.sides) == (approx(20.0), approx(40.0), 4)
    assert rect.centre == (approx(0.0), approx(10.0), approx(15.0))


def test_a_drafted_round_boss_gives_its_diameter_at_the_foot_and_at_the_top():
    root, height, draft = 24.0, 12.0, 2.0
    top = root - 2 * height * math.tan(math.radians(draft))
    collar = cq.Workplane("XZ").polyline([(0, 10), (root / 2, 10), (top / 2, 10 + height), (0, 10 + height)]).close().revolve(360, (0, 0, 0), (0, 1, 0))
    solid = only_solid(plate().union(collar))
    (boss,) = forms_of(solid)
    assert boss.kind == "boss" and boss.diameter_mm == approx(root) and boss.top_diameter_mm == approx(top)
    assert boss.draft_deg == approx(draft) and boss.height_mm == approx(height)
    assert form_text(boss) == "BOSS Ø24, 12 HIGH, 2° DRAFT"


def test_a_boss_on_a_tilted_plate_is_placed_along_its_own_axis():
    tilted = plate().union(cq.Workplane("XY").workplane(offset=10).center(20, 10).circle(5).extrude(8)).rotate((0, 0, 0), (1, 0, 0), 30)
    (boss,) = forms_of(only_solid(tilted))
    n = (0.0, -math.sin(math.radians(30)), math.cos(math.radians(30)))
    assert boss.axis == tuple(approx(c) for c in n)
    assert (boss.diameter_mm, boss.height_mm) == (approx(10.0), approx(8.0))
    assert (boss.start_mm, boss.end_mm) == (approx(10.0), approx(18.0))  # the plate's underside is the part's lowest point along it
    d = boss.to_dict()
    assert d["text"] == "BOSS Ø10, 8 HIGH" and d["start_mm"] == 10.0 and d["diameter_mm"] == 10.0 and "width_mm" not in d


def shaft_with_grooves() -> cq.Solid:
    """Ø20 along X from x = -30 to 70; grooves Ø17 x 2 at 10..12 and Ø18 x 1.5 at 70..71.5 from its end."""
    shaft = cq.Workplane("YZ").workplane(offset=-30).circle(10).extrude(100)
    for start, width, d in ((10.0, 2.0, 17.0), (70.0, 1.5, 18.0)):
        ring = cq.Workplane("YZ").workplane(offset=-30 + start).circle(12).circle(d / 2).extrude(width)
        shaft = shaft.cut(ring)
    return only_solid(shaft)


def test_ring_grooves_on_a_shaft_with_their_positions_from_its_end():
    solid = shaft_with_grooves()
    forms = forms_of(solid)
    assert [f.kind for f in forms] == ["groove", "groove"]
    first, second = sorted(forms, key=lambda f: f.start_mm)
    for g, (start, width, d) in zip((first, second), ((10.0, 2.0, 17.0), (70.0, 1.5, 18.0))):
        assert g.axis == (1.0, 0.0, 0.0)
        assert (g.diameter_mm, g.width_mm, g.depth_mm) == (approx(d), approx(width), approx((20 - d) / 2))
        assert (g.start_mm, g.end_mm) == (approx(start), approx(start + width))  # from x = -30, the shaft's end
        bottom = [f for f in g.faces if surface(solid, f).GetType() == GeomAbs_Cylinder]
        flanks = [f for f in g.faces if surface(solid, f).GetType() == GeomAbs_Plane]
        assert 2 * radius(solid, bottom[0]) == approx(d) and gap(solid, *flanks) == approx(width)
    assert form_text(first) == "GROOVE Ø17 × 2" and form_text(second) == "GROOVE Ø18 × 1.5"


def test_d_flats_on_a_shaft_and_in_a_bore():
    d_shaft = only_solid(cq.Workplane("XY").circle(5).extrude(40).intersect(cq.Workplane("XY").center(-3, 0).rect(14, 20).extrude(40)))  # flat at x = 4
    (flat,) = forms_of(d_shaft)
    assert (flat.kind, flat.sides, flat.diameter_mm) == ("flat", 1, approx(10.0))
    assert (flat.from_axis_mm, flat.across_flats_mm, flat.depth_mm) == (approx(4.0), approx(9.0), approx(1.0))
    assert (flat.start_mm, flat.end_mm) == (approx(0.0), approx(40.0)) and flat.axis == (0.0, 0.0, 1.0)
    assert form_text(flat) == "Ø10, FLAT 9 ACROSS (4 FROM AXIS), 40 LONG"  # the shaft's 40
    (p,) = planes_among(d_shaft, flat.faces, (0, 0, 1))
    (c,) = [f for f in flat.faces if surface(d_shaft, f).GetType() == GeomAbs_Cylinder]
    assert from_axis(d_shaft, p, c) == approx(4.0)

    double = only_solid(cq.Workplane("XY").circle(5).extrude(40).intersect(cq.Workplane("XY").rect(8, 20).extrude(40)))
    (flats,) = forms_of(double)
    assert (flats.sides, flats.across_flats_mm, flats.from_axis_mm) == (2, approx(8.0), approx(4.0))
    assert form_text(flats) == "Ø10, 2 FLATS 8 A/F, 40 LONG"

    d_hole = cq.Sketch().circle(3).push([(-0.5, 0)]).rect(6, 7, mode="i")  # Ø6, its flat 2.5 from the axis
    block = only_solid(cq.Workplane("XY").box(20, 20, 15, centered=(True, True, False)).faces(">Z").workplane().placeSketch(d_hole).cutBlind(-11))
    (bore,) = [f for f in forms_of(block) if f.kind == "flat"]
    assert (bore.diameter_mm, bore.from_axis_mm, bore.across_flats_mm) == (approx(6.0), approx(2.5), approx(5.5))
    assert (bore.start_mm, bore.end_mm) == (approx(4.0), approx(15.0))  # 11 deep from the top at z = 15


def test_a_step_in_a_block_and_its_tread():
    block = cq.Workplane("XY").box(60, 40, 30, centered=False).translate((0, 0, 5))  # z = 5 .. 35
    solid = only_solid(block.cut(cq.Workplane("XY").box(30, 40, 10, centered=False).translate((30, 0, 25))))
    steps = sorted(forms_of(solid), key=lambda f: f.axis)
    assert [f.kind for f in steps] == ["step", "step"]
    rise, tread = steps  # along Z: 25 to 35; along X: from the riser at x = 30 to the end at x = 60
    assert rise.axis == (0.0, 0.0, 1.0) and rise.height_mm == approx(10.0) and (rise.start_mm, rise.end_mm) == (approx(20.0), approx(30.0))
    assert tread.axis == (1.0, 0.0, 0.0) and tread.height_mm == approx(30.0) and (tread.start_mm, tread.end_mm) == (approx(30.0), approx(60.0))
    assert form_text(rise) == "STEP 10"
    top = [f for f in rise.faces if surface(solid, f).GetType() == GeomAbs_Plane and abs(plane(solid, f)[1][2]) == 1.0]
    assert gap(solid, top[0], rise.base[0]) == approx(10.0)


def test_ring_grooves_in_a_face_are_not_read_and_a_square_recess_is_a_pocket():
    assert texts(forms_of(only_solid(plate().faces(">Z").workplane().rect(20, 20).cutBlind(-4)))) == ["POCKET 20 × 20 ↧4"]
    assert forms_of(only_solid(plate().faces(">Z").workplane().circle(20).circle(16).cutBlind(-2))) == ()  # its core is no boss
    square_ring = plate().faces(">Z").workplane().rect(40, 40).cutBlind(-3).union(cq.Workplane("XY").workplane(offset=7).rect(30, 30).extrude(3))
    assert forms_of(only_solid(square_ring)) == ()  # the island's top at the rim: a groove round it, no 40 × 40 pocket
    # a block standing across a rebate's edge: on two levels, no boss; the levels it joins face more of the part, no step
    straddle = plate().faces(">Z").workplane().center(25, 0).rect(50, 80).cutBlind(-3).union(cq.Workplane("XY").workplane(offset=7).rect(20, 20).extrude(10))
    assert forms_of(only_solid(straddle)) == ()


def test_a_boss_in_a_pocket_stands_on_the_pocket_floor():
    solid = only_solid(plate().faces(">Z").workplane().rect(60, 50).cutBlind(-5).union(cq.Workplane("XY").workplane(offset=5).circle(6).extrude(3)))
    boss = the(forms_of(solid), "boss")
    assert texts(forms_of(solid)) == ["BOSS Ø12, 3 HIGH", "POCKET 50 × 60 ↧5"]  # the pocket round it, to its floor
    assert form_text(boss) == "BOSS Ø12, 3 HIGH" and (boss.start_mm, boss.end_mm) == (approx(5.0), approx(8.0))


def test_slots_open_and_closed():
    block = cq.Workplane("XY").box(60, 40, 20, centered=(True, True, False))
    channel = only_solid(block.cut(cq.Workplane("XY").box(8, 40, 3, centered=(True, True, False)).translate((5, 0, 17))))
    (slot,) = forms_of(channel)
    assert (slot.kind, slot.width_mm, slot.depth_mm, slot.length_mm) == ("slot", approx(8.0), approx(3.0), None)
    assert slot.axis == (0.0, 0.0, 1.0) and slot.along == (0.0, 1.0, 0.0)
    assert slot.centre[0] == approx(5.0) and slot.centre[2] == approx(20.0)  # mid-width, on the rim
    assert (slot.start_mm, slot.end_mm) == (approx(17.0), approx(20.0))
    assert form_text(slot) == "SLOT 8 ↧3"
    walls = planes_among(channel, slot.faces, (0, 0, 1))
    assert across_pairs(channel, walls) == [approx(8.0)]

    pocket = only_solid(block.cut(cq.Workplane("XY").box(8, 30, 3, centered=(True, True, False)).translate((-10, 0, 17))))
    assert texts(forms_of(pocket)) == ["POCKET 8 × 30 ↧3"]  # closed at both ends: a pocket (round ends: features.Slot)

    # open at one end: cut 3 deep from the top and running out of the +Y face, not 30 deep from that face
    one_end = only_solid(block.cut(cq.Workplane("XY").box(8, 30, 3, centered=(True, True, False)).translate((-10, 5, 17))))
    (slot,) = forms_of(one_end)
    assert (slot.width_mm, slot.depth_mm, slot.length_mm, slot.axis) == (approx(8.0), approx(3.0), None, (0.0, 0.0, 1.0))


def test_a_rectangular_opening_with_rounded_corners():
    cut = cq.Sketch().rect(30, 20).vertices().fillet(3)
    solid = only_solid(plate().faces(">Z").workplane().center(10, 5).placeSketch(cut).cutThruAll())
    (opening,) = forms_of(solid)
    assert opening.kind == "opening"
    assert (opening.width_mm, opening.length_mm, opening.corner_radius_mm, opening.depth_mm) == (approx(20.0), approx(30.0), approx(3.0), approx(10.0))
    assert opening.centre == (approx(10.0), approx(5.0), approx(10.0)) and (opening.start_mm, opening.end_mm) == (approx(0.0), approx(10.0))
    assert form_text(opening) == "OPENING 20 × 30 THRU, R3 CORNERS"


def test_holes_and_obround_slots_are_not_forms():
    solid = only_solid(plate().faces(">Z").workplane().pushPoints([(-30, 0), (30, 0)]).hole(8).faces(">Z").workplane().slot2D(30, 8).cutThruAll())
    assert forms_of(solid) == ()


def test_forms_are_frozen_and_deterministic():
    solid = only_solid(plate().union(hexagon(25.4, 6.35)))
    features = find_features(solid)
    assert find_forms(solid, features) == find_forms(solid, features)
    with pytest.raises(AttributeError):
        find_forms(solid, features)[0].height_mm = 1.0  # type: ignore[misc]


# ---------------------------------------------------------------------------------
# NIST parts: the complete list on each, looked at, every number read again with OCP


@pytest.fixture(scope="module")
def nist() -> dict[str, tuple[cq.Solid, tuple[Form, ...]]]:
    out = {}
    for p in sorted(FIXTURES.glob("nist_ctc_0*_asme1_ap203.stp")):
        solid = stepfile.read(p, "", p.name, p.name).Solids()[0]
        features = find_features(solid, tool_axes=((1, 0, 0), (0, 1, 0), (0, 0, 1)))
        probe = Probe(solid)
        engraved = frozenset(f for e in find_engravings(probe, tool_access(probe, features), *ENGRAVING) for f in e.faces)
        out[p.name[9:11]] = (solid, find_forms(solid, features, engraved, exact_box(solid.wrapped)))
    return out


def texts(forms) -> list[str]:
    return sorted(form_text(f) for f in forms)


def test_ctc01_hex_boss_opening_and_slots(nist):
    solid, forms = nist["01"]
    assert texts(forms) == ["HEX 100 A/F, 50 HIGH", "OPENING 50 × 100 THRU, R10 CORNERS",
                            "SLOT 250 ↧50", "SLOT 250 ↧50", "SLOT 85 ↧25", "SLOT 85 ↧25"]
    hexagon = the(forms, "boss")
    assert gap(solid, 68, 4) == approx(hexagon.height_mm) and hexagon.base == (4,)  # top z = 50, on the plate's top z = 0
    assert across_pairs(solid, planes_among(solid, hexagon.faces, (0, 0, 1))) == [approx(hexagon.across_flats_mm)] * 3 == [approx(100.0)] * 3
    z0 = occt_box(solid)[2]  # -100.0000001: the model's own round-off
    assert hexagon.centre == (approx(0.0), approx(0.0), approx(50.0)) and (hexagon.start_mm, hexagon.end_mm) == (approx(-z0), approx(50.0 - z0))
    opening = the(forms, "opening")
    assert (gap(solid, 11, 58), gap(solid, 9, 13)) == (approx(opening.width_mm), approx(opening.length_mm))
    assert radius(solid, 8) == approx(opening.corner_radius_mm) and gap(solid, 4, 69) == approx(opening.depth_mm)
    assert opening.centre == (approx(285.0), approx(0.0), approx(0.0))
    feet = [f for f in forms if f.kind == "slot" and f.width_mm > 200]  # the channel under each end block, between its feet
    assert sorted(f.faces[:2] for f in feet) == [(70, 73), (71, 72)]
    assert [gap(solid, 70, 73), gap(solid, 71, 72)] == [approx(feet[0].width_mm)] * 2 and gap(solid, 1, 69) == approx(feet[0].depth_mm)
    notches = [f for f in forms if f.kind == "slot" and f.width_mm < 200]  # the two notches in the +Y edge
    assert [gap(solid, 38, 42), gap(solid, 32, 36)] == [approx(85.0)] * 2 and gap(solid, 37, 40) == approx(notches[0].depth_mm)
    assert all(f.axis == (0.0, 1.0, 0.0) and f.base in ((40,), (34,)) for f in notches)


def test_ctc02_pad_round_the_bottom_opening(nist):
    """The cast housing: only its bottom pad, 30 proud of the bottom. The rim inside the pad's
    8 x 8 groove is the groove's core, not a boss; the drafted bosses on its walls have no
    plane to stand on and its lugs' walls run through the part: none is read."""
    solid, forms = nist["02"]
    assert texts(forms) == ["BOSS 30 HIGH"]  # the 8 x 8 groove round the rim inside the pad: a groove, no pocket
    pad = the(forms, "boss")
    assert pad.base == (164,) and gap(solid, 420, 164) == approx(pad.height_mm)
    assert pad.axis == (0.0, 0.0, -1.0) and (pad.start_mm, pad.end_mm) == (approx(0.0 - occt_box(solid)[2] - 360.0), approx(30.0 - occt_box(solid)[2] - 360.0))


def test_ctc03_sheet_edge_notches_and_tab_steps(nist):
    """Sheet metal (bends are not walls): the two notches in the base's edges, and the 45°
    shoulder on each side of the tab's top edge. The flanges' 8.89 set-backs beside their
    bends are not read: the flange's face behind them is L-shaped, its box in the way."""
    solid, forms = nist["03"]
    assert texts(forms) == ["SLOT 127 ↧31.75"] * 2 + ["STEP 15.24"] * 2
    for f in forms:
        if f.kind == "slot":
            walls = planes_among(solid, [x for x in f.faces if surface(solid, x).GetType() == GeomAbs_Plane], f.along)
            assert across_pairs(solid, [w for w in walls if abs(plane(solid, w)[1] @ np.array(f.axis)) < 1e-12]) == [approx(f.width_mm)]
            rim = 10 if f.base == (57,) else 11  # the sheet's edge the notch is cut into
            assert gap(solid, f.base[0], rim) == approx(f.depth_mm) == approx(31.75)
        else:
            top = 14 if f.base == (42,) else 13
            assert f.base in ((42,), (12,)) and gap(solid, top, f.base[0]) == approx(f.height_mm) and f.axis == (0.0, 0.0, 1.0)


def test_ctc04_two_slotted_bosses_and_the_plate_narrowing(nist):
    solid, forms = nist["04"]
    assert texts(forms) == ["BOSS 80 × 150, R4 CORNERS, 50 HIGH"] * 2 + ["POCKET ↧15.81"] * 2 + ["STEP 75"] * 2
    for p in (f for f in forms if f.kind == "pocket"):  # the two top pockets: rim z 30, floor z 14.19
        (floor,) = p.base
        assert plane(solid, floor)[1][2] == approx(1.0) and 30.0 - plane(solid, floor)[0][2] == approx(p.depth_mm)
    first = next(f for f in forms if f.kind == "boss" and 309 in f.faces)
    assert (gap(solid, 330, 332), gap(solid, 328, 333)) == (approx(first.width_mm), approx(first.length_mm)) == (approx(80.0), approx(150.0))
    assert radius(solid, 327) == approx(first.corner_radius_mm) and gap(solid, 309, 470) == approx(first.height_mm)
    assert first.centre == (approx(0.0), approx(380.0), approx(-90.0))
    assert [gap(solid, 238, 241), gap(solid, 235, 245)] == [approx(75.0)] * 2
    assert {f.base for f in forms if f.kind == "step"} == {(241,), (245,)}


def test_ctc05_post_bosses_flats_and_slots(nist):
    solid, forms = nist["05"]
    assert texts(forms) == ["BOSS 152.4 HIGH", "BOSS Ø304.8", "POST Ø63.5, 203.2 HIGH", "SLOT 38.1 ↧8.89", "SLOT 38.1 ↧8.89",
                            "Ø558.8, 2 FLATS 527.05 A/F, 25.4 LONG"]
    post = the(forms, "post")
    assert 2 * radius(solid, 129) == approx(post.diameter_mm) and gap(solid, 132, 97) == approx(post.height_mm)
    assert post.centre == (approx(0.0), approx(0.0), approx(482.6)) and (post.start_mm, post.end_mm) == (approx(279.4), approx(482.6))
    block, round_boss = sorted((f for f in forms if f.kind == "boss"), key=lambda f: f.height_mm is None)
    assert gap(solid, 97, 84) == approx(block.height_mm) and block.base == (84,)
    assert 2 * radius(solid, 11) == approx(round_boss.diameter_mm) and round_boss.height_mm is None  # its foot: the flange and the ribs
    assert round_boss.end_mm == approx(127.0) and round_boss.start_mm is None
    flats = the(forms, "flat")
    assert gap(solid, 3, 19) == approx(flats.across_flats_mm) and 2 * radius(solid, 2) == approx(flats.diameter_mm)
    assert from_axis(solid, 3, 2) == approx(flats.from_axis_mm) and (flats.start_mm, flats.end_mm) == (approx(0.0), approx(25.4))
    for slot in (f for f in forms if f.kind == "slot"):
        walls = [f for f in slot.faces if surface(solid, f).GetType() == GeomAbs_Plane]
        assert across_pairs(solid, walls) == [approx(slot.width_mm)]
        assert gap(solid, 9, 4) == approx(slot.depth_mm) and 2 * radius(solid, 6) == approx(slot.width_mm)  # the round end: the slot's width


def test_find_forms_on_ctc02_is_fast():
    """CTC-02 (663 faces), its features found: find_forms alone in about 0.1 s (best of three; the
    bound has room for a slow machine)."""
    path = FIXTURES / "nist_ctc_02_asme1_ap203.stp"
    solid = stepfile.read(path, "", path.name, path.name).Solids()[0]
    features = find_features(solid, tool_axes=((1, 0, 0), (0, 1, 0), (0, 0, 1)))
    box = exact_box(solid.wrapped)
    best = math.inf
    for _ in range(3):
        t = time.perf_counter()
        find_forms(solid, features, frozenset(), box)
        best = min(best, time.perf_counter() - t)
    assert best < 0.25, best


# ---------------------------------------------------------------------------------
# The desk lamp


def example(name: str) -> cq.Solid:
    spec = importlib.util.spec_from_file_location(f"forms_{name}", MODELS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return only_solid(module.build())


def test_stem_retaining_ring_grooves():
    solid = example("stem")
    grooves = sorted(forms_of(solid), key=lambda f: f.start_mm)
    assert [form_text(g) for g in grooves] == ["GROOVE Ø9.6 × 1.1"] * 2
    assert [(g.start_mm, g.end_mm) for g in grooves] == [(approx(1.5), approx(2.6)), (approx(283.9), approx(285.0))]
    for g in grooves:
        (bottom,) = [f for f in g.faces if surface(solid, f).GetType() == GeomAbs_Cylinder]
        flanks = [f for f in g.faces if surface(solid, f).GetType() == GeomAbs_Plane]
        assert 2 * radius(solid, bottom) == approx(g.diameter_mm) and gap(solid, *flanks) == approx(g.width_mm)
        assert g.depth_mm == approx(0.2)


def test_knob_d_shaft_bore_and_hub():
    solid = example("knob")
    forms = forms_of(solid)
    assert texts(forms) == ["POST Ø10, 13 HIGH", "Ø6, FLAT 5.5 ACROSS (2.5 FROM AXIS), 11 LONG"]
    flat = the(forms, "flat")
    (p,) = planes_among(solid, flat.faces, (0, 0, 1))
    (c,) = [f for f in flat.faces if surface(solid, f).GetType() == GeomAbs_Cylinder]
    assert from_axis(solid, p, c) == approx(flat.from_axis_mm) and radius(solid, c) + from_axis(solid, p, c) == approx(flat.across_flats_mm)
    assert (flat.start_mm, flat.end_mm) == (approx(1.0), approx(12.0))  # the shaft hole, z = 1 .. 12
    hub = the(forms, "post")
    (top,) = [f for f in hub.faces if surface(solid, f).GetType() == GeomAbs_Plane]
    assert gap(solid, top, hub.base[0]) == approx(13.0) and hub.axis == (0.0, 0.0, -1.0)  # seen from below, the open side


def test_shade_collar():
    solid = example("shade")
    collar = the(forms_of(solid), "boss")
    (cone,) = [f for f in collar.faces if surface(solid, f).GetType() == GeomAbs_Cone]
    g = surface(solid, cone).Cone()
    foot = g.RefRadius() + (140.0 - g.Location().Z()) * math.tan(g.SemiAngle())  # the cone at the shade's top, z = 140
    assert collar.diameter_mm == approx(2 * foot) == approx(24.0)
    assert collar.draft_deg == approx(math.degrees(abs(g.SemiAngle()))) and collar.height_mm == approx(12.0)
    assert form_text(collar) == "BOSS Ø24, 12 HIGH, 2° DRAFT"


def test_base_cable_slot():
    solid = example("base")
    (slot,) = forms_of(solid)
    assert form_text(slot) == "SLOT 8 ↧3" and slot.faces == (3, 5) and slot.base == (4,)
    assert gap(solid, 3, 5) == approx(slot.width_mm) and gap(solid, 8, 4) == approx(slot.depth_mm)
    assert slot.axis == (0.0, 0.0, -1.0) and slot.centre[0] == approx(0.0)  # cut from the underside, on the Y axis


def test_arm_and_bracket_have_none():
    assert forms_of(example("arm")) == () and forms_of(example("bracket")) == ()


def test_part_model_reads_its_forms_once():
    loaded = load_spec(EXAMPLE)
    models = {m.spec.number: m for m in build_models(loaded, build_parts(loaded))}
    stem = models["DL2-501"]
    assert stem.forms is stem.forms and [f.kind for f in stem.forms] == ["groove", "groove"]
    assert [form_text(f) for f in models["DL2-101"].forms] == ["SLOT 8 ↧3"]
    assert [form_text(f) for f in models["DL2-201"].forms] == ["BOSS Ø24, 12 HIGH, 2° DRAFT", "POCKET ↧4", "POCKET ↧133.5"]  # the rim's rebate, the inside


def test_pockets_rectangular_and_other():
    """A rectangular pocket with rounded corners and floor rounds gives its size, corners and
    depth to the floor; an L-shaped one its depth only (the STEP gives its outline)."""
    block = cq.Workplane("XY").box(100, 80, 20, centered=(True, True, False))
    cutter = cq.Workplane("XY").rect(50, 30).extrude(9).edges("|Z").fillet(5).edges("<Z").fillet(2).translate((10, 5, 12))  # floor at z 12
    pocket = the(forms_of(only_solid(block.cut(cutter))), "pocket")
    assert (pocket.width_mm, pocket.length_mm, pocket.depth_mm, pocket.corner_radius_mm) == (approx(30.0), approx(50.0), approx(8.0), approx(5.0))
    assert pocket.axis == (0.0, 0.0, 1.0) and pocket.centre == approx((10.0, 5.0, 20.0))
    assert form_text(pocket) == "POCKET 30 × 50 ↧8, R5 CORNERS"
    ell = cq.Workplane("XY").polyline([(-30, -20), (20, -20), (20, 0), (0, 0), (0, 20), (-30, 20)]).close().extrude(10).translate((0, 0, 14))
    other = the(forms_of(only_solid(block.cut(ell))), "pocket")
    assert other.width_mm is None and other.depth_mm == approx(6.0) and form_text(other) == "POCKET ↧6"


def test_shade_inside_and_rim_rebate_depths_are_its_planes():
    """The shade's rebate (4) and its inside (133.5), cut from below: each depth is the distance
    from the face its rim lies in to its floor, read with OCCT."""
    solid = example("shade")
    pockets = sorted((f for f in forms_of(solid) if f.kind == "pocket"), key=lambda f: f.depth_mm)
    assert [form_text(f) for f in pockets] == ["POCKET ↧4", "POCKET ↧133.5"]
    rim = 0.0  # the shade stands on z = 0; the rebate's floor is the inside's rim
    for f in pockets:
        (floor,) = f.base
        point, normal = plane(solid, floor)
        assert f.axis == (0.0, 0.0, -1.0) and abs(normal[2]) == approx(1.0)
        assert point[2] - rim == approx(f.depth_mm)
        rim = point[2]

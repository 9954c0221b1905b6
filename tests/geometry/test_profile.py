"""A flat part's profile and a planar face's loops, against analytic parts built here: the
outline and hole areas against OCCT's, hole radii and centres against the model's."""

from __future__ import annotations

import math
import re

import cadquery as cq
import pytest
from OCP.BRepGProp import BRepGProp_Face
from OCP.BRepTools import BRepTools
from OCP.gp import gp_Pnt, gp_Vec
from pytest import approx

from techpack.geometry.access import tool_access
from techpack.geometry.engraving import find_engravings
from techpack.geometry.features import find_features
from techpack.geometry.flat import Loop
from techpack.geometry.probe import Probe
from techpack.geometry.profile import NotFlat, face_loops, profile, to_xy
from tests.conftest import FIXTURES

REL = 1e-6  # the areas agree with OCCT's this closely (B-spline edges become arcs within 0.01 mm)
HOLES = ((15.0, 15.0), (15.0, 65.0))  # the demo plate's Ø6.5 holes
HOLE_D = 6.5
SLOT = ((60.0, 40.0), 30.0, 8.0)  # centre, overall length, width: two arcs and two lines
THICK = 3.0


def demo_plate() -> cq.Workplane:
    """120 × 80 × 3 with R5 corners, a B-spline bulge on the right side (x from 118 to about
    121.2 between y 20 and 60), two Ø6.5 holes and a 30 × 8 slot; top face at z = 3."""
    r, c = 5.0, math.sqrt(0.5)
    outline = (cq.Workplane("XY").moveTo(r, 0).lineTo(120 - r, 0).threePointArc((120 - r + r * c, r - r * c), (120, r))
               .lineTo(120, 20).spline([(118, 35), (121, 50), (120, 60)], includeCurrent=True).lineTo(120, 80 - r)
               .threePointArc((120 - r + r * c, 80 - r + r * c), (120 - r, 80)).lineTo(r, 80)
               .threePointArc((r - r * c, 80 - r + r * c), (0, 80 - r)).lineTo(0, r)
               .threePointArc((r - r * c, r - r * c), (r, 0)).close())
    plate = outline.extrude(THICK).faces(">Z").workplane(origin=(0, 0, THICK)).pushPoints(list(HOLES)).hole(HOLE_D)
    (cx, cy), length, width = SLOT
    return plate.faces(">Z").workplane(origin=(0, 0, THICK)).center(cx, cy).slot2D(length, width, 0).cutThruAll()


def engraved_plate(text: str = "TP-7") -> tuple[cq.Solid, list[int]]:
    """100 × 50 × 2 with a Ø5 hole at (10, 10) and the text cut 0.3 deep into the top; the
    engraved faces (floors and walls: every face below the top and above z = 1.7)."""
    plate = cq.Workplane("XY").box(100, 50, 2, centered=False).faces(">Z").workplane().pushPoints([(10, 10)]).hole(5)
    mark = cq.Workplane("XY", origin=(0, 0, 2)).text(text, 8, -0.3, halign="left", valign="bottom").translate((30, 20, 0))
    solid = plate.cut(mark).val()
    return solid, _between(solid, 1.7, 2.0)


def _between(solid: cq.Shape, lo: float, hi: float) -> list[int]:
    """Ids of the faces lying between z = lo and z = hi, not wholly at either level."""
    out = []
    for i, f in enumerate(solid.Faces(), 1):
        bb = f.BoundingBox()
        if bb.zmin > lo - 1e-6 and bb.zmax < hi + 1e-6 and not (bb.zmax - bb.zmin < 1e-6 and abs(bb.zmin - hi) < 1e-6):
            out.append(i)
    return out


def outer_area(face: cq.Face) -> float:
    """OCCT's area of the face's outer wire filled in, mm²."""
    return cq.Face.makeFromWires(face.outerWire()).Area()


def joined(loop: Loop) -> bool:
    n = len(loop.segments)
    return all(loop.segments[k].end == loop.segments[(k + 1) % n].start for k in range(n))


def test_face_loops_outline_holes_and_arcs():
    top = to_xy(demo_plate().faces(">Z").val())
    outline, holes = face_loops(top)
    assert outline.area > 0 and all(h.area < 0 for h in holes)
    assert all(joined(loop) for loop in (outline, *holes))
    assert outline.area == approx(outer_area(top), rel=REL)
    assert outline.area + sum(h.area for h in holes) == approx(top.Area(), rel=REL)
    circles = sorted(h.circle for h in holes if h.circle)
    assert [c for c, _ in circles] == [approx(p, abs=1e-9) for p in HOLES]
    assert [r for _, r in circles] == [approx(HOLE_D / 2, abs=1e-9)] * 2
    assert all(len(h.segments) == 2 for h in holes if h.circle)  # a full circle: two half arcs
    slot = next(h for h in holes if not h.circle)
    (_, length, width) = SLOT
    assert -slot.area == approx((length - width) * width + math.pi * (width / 2) ** 2, rel=1e-12)
    assert sorted(s.bulge == 0 for s in slot.segments).count(True) == 2  # the two straight sides
    corners = [s for s in outline.segments if s.radius is not None and abs(s.radius - 5.0) < 1e-9]
    assert sum(s.sweep for s in corners) == approx(2 * math.pi, abs=1e-12)  # four quarter turns (ConvertFace may split them)
    assert {tuple(round(v, 9) for v in s.centre) for s in corners} == {(5.0, 5.0), (115.0, 5.0), (115.0, 75.0), (5.0, 75.0)}


def test_face_loops_reads_a_face_facing_down_as_seen_from_above():
    bottom = demo_plate().faces("<Z").val()  # in the XY plane, outward normal -Z
    outline, holes = face_loops(bottom)
    assert outline.area == approx(outer_area(bottom), rel=REL) and len(holes) == 3


def test_face_loops_wants_the_xy_plane():
    with pytest.raises(ValueError, match="XY plane"):
        face_loops(demo_plate().faces(">Z").val())  # at z = 3
    with pytest.raises(ValueError, match="XY plane"):
        face_loops(demo_plate().faces(">X").val())


@pytest.mark.parametrize("name", ["nist_ctc_03_asme1_ap203.stp", "nist_ctc_05_asme1_ap203.stp"])
def test_face_loops_on_real_cad_exports(name):
    """Every planar face of two NIST parts (CTC-05's edges meet 2.4e-4 mm apart, within their
    vertices' tolerance): closed loops, the area OCCT gives within 2e-6 (the gaps snapped)."""
    solid = cq.importers.importStep(str(FIXTURES / name)).val()
    planar = [f for f in solid.Faces() if f.geomType() == "PLANE"]
    assert len(planar) > 50
    for face in planar:
        outline, holes = face_loops(to_xy(face))
        assert all(joined(loop) for loop in (outline, *holes))
        assert outline.area + sum(h.area for h in holes) == approx(face.Area(), rel=2e-6)


def test_to_xy_puts_any_planar_face_in_xy_facing_up():
    tilted = demo_plate().rotate((0, 0, 0), (1, 2, 3), 37).translate((5, -7, 11)).val()
    for face in tilted.Faces():
        if face.geomType() != "PLANE":
            continue
        moved = to_xy(face)
        assert max(abs(v.Z) for v in moved.Vertices()) < 1e-9
        umin, umax, vmin, vmax = BRepTools.UVBounds_s(moved.wrapped)
        p, n = gp_Pnt(), gp_Vec()
        BRepGProp_Face(moved.wrapped).Normal((umin + umax) / 2, (vmin + vmax) / 2, p, n)
        assert n.Normalized().Z() == approx(1.0)
        assert moved.Area() == approx(face.Area(), rel=1e-12)


def test_profile_of_the_demo_plate():
    plate = demo_plate()
    flat = profile(plate.val())
    top = plate.faces(">Z").val()
    assert flat.thickness_mm == approx(THICK, abs=1e-9)
    assert flat.area == approx(top.Area(), rel=REL)
    assert flat.outline.area == approx(outer_area(top), rel=REL)
    assert not flat.bends and not flat.engraving
    bb = plate.val().BoundingBox()  # seen from the top, the profile keeps the model's X and Y
    (x0, y0), (x1, y1) = flat.bounds
    assert (x0, y0, x1, y1) == approx((bb.xmin, bb.ymin, bb.xmax, bb.ymax), abs=1e-3)
    circles = sorted(h.circle for h in flat.holes if h.circle)
    assert circles == [(approx(p, abs=1e-9), approx(HOLE_D / 2, abs=1e-9)) for p in HOLES]
    assert len(flat.holes) == 3


def test_profile_does_not_depend_on_where_the_plate_lies():
    plate = demo_plate()
    flat = profile(plate.rotate((0, 0, 0), (1, 2, 3), 37).translate((5, -7, 11)).val())
    assert flat.thickness_mm == approx(THICK, abs=1e-9)
    assert flat.area == approx(plate.faces(">Z").val().Area(), rel=REL)
    assert flat.outline.area == approx(outer_area(plate.faces(">Z").val()), rel=REL)
    (c0, r0), (c1, r1) = (h.circle for h in flat.holes if h.circle)  # turned in the plane: where X falls on the tilted top
    assert (r0, r1, math.dist(c0, c1)) == approx((HOLE_D / 2, HOLE_D / 2, math.dist(*HOLES)), abs=1e-9)


def test_profile_of_an_engraved_plate():
    solid, engraved = engraved_plate()
    flat = profile(solid, engraved)
    assert flat.thickness_mm == approx(2.0)
    assert [h.circle[1] for h in flat.holes] == [approx(2.5, abs=1e-9)]  # the letters' rims are not holes
    floors = [solid.Faces()[i - 1] for i in engraved if solid.Faces()[i - 1].geomType() == "PLANE"
              and solid.Faces()[i - 1].normalAt().z > 0.99]
    assert len(flat.engraving) == sum(len(f.Wires()) for f in floors)  # the P's counter too
    net = sum(loop.area for loop in flat.engraving)  # outer loops counter-clockwise, counters clockwise
    assert net == approx(sum(f.Area() for f in floors), rel=REL)
    assert flat.area == approx(100 * 50 - math.pi * 2.5**2, rel=1e-9)  # the outline is the whole plate
    for loop in flat.engraving:  # seen from the engraved top: in the model's X and Y, where the text is
        assert all(29 < s.start[0] < 70 and 20 - 1e-6 < s.start[1] < 30 for s in loop.segments)


def test_the_engraving_finders_faces_are_the_ones_profile_takes():
    solid, engraved = engraved_plate()
    probe = Probe(solid)
    features = find_features(solid, tool_axes=((1, 0, 0), (0, 1, 0), (0, 0, 1)))
    found = find_engravings(probe, tool_access(probe, features), 2.5, 8)  # cnc-milling's limits, as in test_forms
    assert sorted(f for e in found for f in e.faces) == engraved
    assert len(profile(solid, engraved).engraving) == 5  # T, P and its counter, -, 7


def test_profile_of_a_plate_marked_underneath_is_seen_from_underneath():
    plate = cq.Workplane("XY").box(100, 50, 2, centered=False)
    solid = plate.cut(cq.Workplane("XY").box(20, 5, 0.3, centered=False).translate((60, 7.5, 0))).val()
    pocket = [i for i, f in enumerate(solid.Faces(), 1) if f.BoundingBox().xmin > 60 - 1e-6 and f.BoundingBox().xmax < 80 + 1e-6
              and f.BoundingBox().ymin > 7.5 - 1e-6 and f.BoundingBox().ymax < 12.5 + 1e-6]
    assert len(pocket) == 5  # its floor and four walls
    flat = profile(solid, pocket)
    assert [loop.area for loop in flat.engraving] == [approx(100.0)]
    (x0, y0), (x1, y1) = flat.bounds
    assert (x0, y0, x1, y1) == approx((0, -50, 100, 0))  # the bottom seen from below: Y runs the other way
    xs = [s.start[0] for s in flat.engraving[0].segments]
    ys = [s.start[1] for s in flat.engraving[0].segments]
    assert (min(xs), max(xs), min(ys), max(ys)) == approx((60, 80, -12.5, -7.5))


def _face_in(message: str) -> int:
    return int(re.match(r"face (\d+) ", message).group(1))


def test_engraving_not_passed_is_not_flat():
    solid, engraved = engraved_plate()
    with pytest.raises(NotFlat, match=r"parallel to the plate's sides .* 0\.3 mm into the plate") as e:
        profile(solid)
    assert _face_in(str(e.value)) in engraved


def l_bracket(t: float = 2.0, r: float = 0.0) -> cq.Solid:
    """An L of two 2 mm legs (40 along X, 30 up Y, 50 deep along Z), sharp or bent with inside radius r."""
    if not r:
        return cq.Workplane("XY").polyline([(0, 0), (40, 0), (40, t), (t, t), (t, 30), (0, 30)]).close().extrude(50).val()
    c, s = r + t, math.sqrt(0.5)
    return (cq.Workplane("XY").moveTo(c, 0).lineTo(40, 0).lineTo(40, t).lineTo(c, t)
            .threePointArc((c - r * s, c - r * s), (t, c)).lineTo(t, 30).lineTo(0, 30).lineTo(0, c)
            .threePointArc((c - c * s, c - c * s), (c, 0)).close().extrude(50).val())


@pytest.mark.parametrize("bend_radius", [0.0, 3.0])
def test_an_l_bracket_is_not_flat(bend_radius):
    solid = l_bracket(r=bend_radius)
    with pytest.raises(NotFlat, match=r"^face \d+ .*not a flat part") as e:
        profile(solid)
    assert solid.Faces()[_face_in(str(e.value)) - 1].BoundingBox().ymax > 2 + 1e-6  # the bend or the upright leg


def test_a_step_and_a_chamfer_are_named():
    step = cq.Workplane("XY").box(60, 40, 3, centered=False).cut(cq.Workplane("XY").box(30, 40, 1, centered=False).translate((30, 0, 2)))
    with pytest.raises(NotFlat, match=r"parallel to the plate's sides .* 1 mm into the plate from face") as e:
        profile(step.val())
    assert step.val().Faces()[_face_in(str(e.value)) - 1].Center().z == approx(2.0)
    chamfered = cq.Workplane("XY").box(60, 40, 3, centered=False).edges(">Z").edges(">X").chamfer(1)
    with pytest.raises(NotFlat, match="not perpendicular to the plate's sides") as e:
        profile(chamfered.val())
    assert chamfered.val().Faces()[_face_in(str(e.value)) - 1].normalAt().z == approx(math.sqrt(0.5))


def test_a_block_is_not_a_plate_but_a_thick_plate_is():
    assert profile(cq.Workplane("XY").box(10, 10, 30).val()).thickness_mm == approx(10.0)  # square walls: a 10 mm plate
    with pytest.raises(NotFlat, match="no two planar faces"):
        profile(cq.Workplane("XY").sphere(5).val())

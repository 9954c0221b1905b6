"""Radii (fillets and rounds), chamfers and slots: analytic parts with known answers, and the NIST parts."""

from __future__ import annotations

import math

import cadquery as cq
import numpy as np
import pytest
from OCP.BRepAdaptor import BRepAdaptor_Surface

from techpack.geometry import stepfile
from techpack.geometry.features import Chamfer, Features, Radius, Slot, find_features
from tests.conftest import FIXTURES
from tests.geometry.test_features import approx, l_bracket, only_solid

NIST = sorted(FIXTURES.glob("nist_ctc_0*_asme1_ap203.stp"))


def plate(x=60.0, y=40.0, z=10.0) -> cq.Workplane:
    """A plate on the XY plane, corner at the origin, top face at z."""
    return cq.Workplane("XY").box(x, y, z, centered=False)


def face_radius(solid: cq.Solid, face_id: int) -> float:
    face = solid.Faces()[face_id - 1]
    assert face.geomType() == "CYLINDER"
    return BRepAdaptor_Surface(face.wrapped).Cylinder().Radius()


def on_face(solid: cq.Solid, face_id: int, point) -> bool:
    return solid.Faces()[face_id - 1].distance(cq.Vertex.makeVertex(*point)) < 1e-6


def off_axis(r: Radius, point) -> float:
    """Distance of point from r's axis."""
    d = np.array(point) - np.array(r.axis_point)
    z = np.array(r.axis_direction)
    return float(np.linalg.norm(d - np.dot(d, z) * z))


def unit(v) -> bool:
    return math.hypot(*v) == approx(1.0)


# ---------------------------------------------------------------------------------
# Radii


def test_box_with_filleted_vertical_edges_has_four_convex_radii():
    solid = only_solid(cq.Workplane("XY").box(60, 40, 10).edges("|Z").fillet(5))
    features = find_features(solid)
    assert len(features.radii) == 4
    for r in features.radii:
        assert r.radius_mm == approx(5.0)
        assert r.convex
        assert r.axis_direction == (0.0, 0.0, 1.0)
        assert r.angle_deg == approx(90.0)
        assert r.length_mm == approx(10.0)
        (face,) = r.faces
        assert face_radius(solid, face) == approx(5.0)
        # Axis at the fillet centre, 5 in from each side; the leader point on the face, mid-arc, mid-height.
        assert (abs(r.axis_point[0]), abs(r.axis_point[1]), r.axis_point[2]) == approx((25.0, 15.0, 0.0))
        assert on_face(solid, face, r.mid_point)
        assert off_axis(r, r.mid_point) == approx(5.0)
        corner = (math.copysign(30, r.axis_point[0]), math.copysign(20, r.axis_point[1]))
        s = 5 * math.sqrt(0.5)
        inset = [math.copysign(5 - s, c) for c in corner]
        assert r.mid_point == approx((corner[0] - inset[0], corner[1] - inset[1], 0.0))
    assert sorted((r.axis_point[0] > 0, r.axis_point[1] > 0) for r in features.radii) == [
        (False, False), (False, True), (True, False), (True, True)
    ]
    assert features.chamfers == () and features.slots == () and features.internal_corners == ()


def test_box_with_all_edges_filleted_reports_the_twelve_cylinders_only():
    """The corner blends are spheres: not reported; the edge fillets run between them."""
    solid = only_solid(cq.Workplane("XY").box(60, 40, 10).edges().fillet(2))
    radii = find_features(solid).radii
    assert len(radii) == 12
    assert all(r.convex and r.radius_mm == approx(2.0) and r.angle_deg == approx(90.0) for r in radii)
    assert sorted(round(r.length_mm, 6) for r in radii) == [6.0] * 4 + [36.0] * 4 + [56.0] * 4


def pocket(fillet: float | None = None, depth: float = 5.0) -> cq.Solid:
    """A 40 x 40 x 20 block with a 20 x 20 pocket `depth` deep in its top, centred at (20, 20)."""
    tool = cq.Workplane("XY").workplane(offset=20 - depth).center(20, 20).rect(20, 20).extrude(depth)
    if fillet:
        tool = tool.edges("|Z").fillet(fillet)
    return only_solid(plate(40, 40, 20).cut(tool))


def test_pocket_corner_fillets_are_concave_radii():
    solid = pocket(fillet=3.0)
    features = find_features(solid)
    assert len(features.radii) == 4
    for r in features.radii:
        assert r.radius_mm == approx(3.0)
        assert not r.convex
        assert r.angle_deg == approx(90.0)
        assert r.axis_direction == (0.0, 0.0, 1.0)
        assert r.length_mm == approx(5.0)
        assert r.axis_point[2] == approx(17.5)
        assert {round(abs(c - 20), 6) for c in r.axis_point[:2]} == {7.0}
        assert on_face(solid, r.faces[0], r.mid_point)
    # They are still the pocket's rounded internal corners.
    assert [c.radius_mm for c in features.internal_corners] == approx([3.0] * 4)
    assert features.slots == () and features.chamfers == ()


def test_coaxial_touching_faces_are_one_radius():
    # Along the axis: two filleted halves fused without merging their faces.
    half = plate(30, 40, 10).edges("|X and >Z and <Y").fillet(5)
    solid = only_solid(half.union(plate(30, 40, 10).edges("|X and >Z and <Y").fillet(5).translate((30, 0, 0)), clean=False))
    (r,) = find_features(solid).radii
    assert len(r.faces) == 2
    assert r.length_mm == approx(60.0)
    assert r.angle_deg == approx(90.0)
    assert r.axis_direction == (1.0, 0.0, 0.0)
    assert r.axis_point == approx((30.0, 5.0, 5.0))

    # Round the arc: a corner drawn as two 45° arcs.
    c = (35.0, 5.0)

    def at(deg: float) -> tuple[float, float]:
        return (c[0] + 5 * math.cos(math.radians(deg)), c[1] + 5 * math.sin(math.radians(deg)))

    solid = only_solid(
        cq.Workplane("XY")
        .polyline([(0, 10), (0, 0), (40, 0), (40, 5)])
        .threePointArc(at(22.5), at(45))
        .threePointArc(at(67.5), (35, 10))
        .close()
        .extrude(20, clean=False)
    )
    assert [f.geomType() for f in solid.Faces()].count("CYLINDER") == 2
    (r,) = find_features(solid).radii
    assert len(r.faces) == 2 and r.convex
    assert r.angle_deg == approx(90.0)
    assert r.mid_point == approx((*at(45), 10.0))


def test_hole_is_not_a_radius():
    solid = only_solid(plate().cut(cq.Workplane("XY").center(20, 20).circle(5).extrude(10)))
    features = find_features(solid)
    assert len(features.holes) == 1
    assert features.radii == () and features.slots == () and features.chamfers == ()


def test_counterbore_is_not_a_radius():
    solid = only_solid(plate().faces(">Z").workplane(centerOption="ProjectedOrigin", origin=(20, 20, 0)).cboreHole(6, 11, 4))
    features = find_features(solid)
    assert features.holes[0].counterbore == approx((11.0, 4.0))
    assert features.radii == ()


def test_bend_is_not_a_radius():
    features = find_features(l_bracket())
    (bend,) = features.bends
    assert bend.inner_radius_mm == approx(2.0) and bend.thickness_mm == approx(2.0)
    assert features.radii == ()


def test_arc_meeting_a_face_at_an_angle_is_no_fillet():
    """A 90° convex arc whose ends meet the flanks at a corner (not tangent) is not a round."""
    solid = only_solid(
        cq.Workplane("XY").polyline([(0, 10), (0, 0), (40, 0), (40, 6)]).threePointArc((38, 8.5), (35, 10)).close().extrude(20)
    )
    assert find_features(solid).radii == ()


def test_radii_are_sorted_by_radius_then_position():
    wp = cq.Workplane("XY").box(60, 40, 10).edges("|Z and >X").fillet(5).edges("|Z and <X").fillet(2)
    radii = find_features(only_solid(wp)).radii
    assert [(r.radius_mm, r.mid_point[0] > 0, r.mid_point[1] > 0) for r in radii] == [
        (approx(2.0), False, False),
        (approx(2.0), False, True),
        (approx(5.0), True, False),
        (approx(5.0), True, True),
    ]


# ---------------------------------------------------------------------------------
# Chamfers


def test_top_edges_chamfered_1mm():
    solid = only_solid(cq.Workplane("XY").box(60, 40, 10).faces(">Z").edges().chamfer(1))
    features = find_features(solid)
    assert len(features.chamfers) == 4
    for c in features.chamfers:
        assert c.size_mm == approx(1.0)
        assert c.legs_mm == approx((1.0, 1.0))
        assert c.angle_deg == approx(45.0)
        assert c.edge_direction in ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0))
        assert c.length_mm == approx(59.0 if c.edge_direction[0] else 39.0)
        assert c.mid_point[2] == approx(4.5)
        assert solid.Faces()[c.face - 1].geomType() == "PLANE"
        assert on_face(solid, c.face, c.mid_point)
        assert all(solid.Faces()[g - 1].geomType() == "PLANE" for g in c.neighbours)
    assert sorted((round(c.mid_point[0], 6), round(c.mid_point[1], 6)) for c in features.chamfers) == [
        (-29.5, 0.0), (0.0, -19.5), (0.0, 19.5), (29.5, 0.0)
    ]
    assert features.radii == () and features.slots == ()


def test_asymmetric_chamfer_2_by_1():
    solid = only_solid(cq.Workplane("XY").box(60, 40, 10).faces(">Z").edges("|X").chamfer(2, 1))
    chamfers = find_features(solid).chamfers
    assert len(chamfers) == 2
    faces = solid.Faces()
    for c in chamfers:
        assert c.legs_mm == approx((2.0, 1.0))
        assert c.size_mm == approx(2.0)
        # The angle goes with the first leg: 2 along that face, then 1 square to it.
        assert c.angle_deg == approx(math.degrees(math.atan(0.5)))
        assert c.edge_direction == (1.0, 0.0, 0.0)
        # OCCT puts the 2 mm leg down the side here, the 1 mm leg on the top.
        first, second = (faces[g - 1].normalAt().toTuple() for g in c.neighbours)
        assert abs(first[1]) == approx(1.0) and second == approx((0.0, 0.0, 1.0))
        assert (abs(c.mid_point[1]), c.mid_point[2]) == approx((19.5, 4.0))


def test_chamfer_on_a_non_square_edge_uses_the_law_of_sines():
    """A 1 x 1 cut across a 120° edge (the top meeting a face sloped 30° off the vertical)."""
    # Profile in XZ: the top meets a face sloping at 30° to the vertical; cut 1 mm back along each.
    h = 10.0
    slope = math.radians(30)
    top_end = (20.0 - h * math.tan(slope), h)  # where the slope meets the top
    a = (top_end[0] - 1.0, h)  # 1 mm back along the top
    b = (top_end[0] + math.sin(slope), h - math.cos(slope))  # 1 mm down the slope
    solid = only_solid(cq.Workplane("XZ").polyline([(0, 0), (20, 0), b, a, (0, h)]).close().extrude(-30))
    (c,) = find_features(solid).chamfers
    assert c.legs_mm == approx((1.0, 1.0))
    # Symmetric: it turns half of the edge's 60° exterior angle from each face.
    assert c.angle_deg == approx(30.0)
    assert c.edge_direction == (0.0, 1.0, 0.0)


def test_octagon_and_land_between_chamfers_are_not_chamfers():
    assert find_features(only_solid(cq.Workplane("XY").polygon(8, 20).extrude(50))).chamfers == ()
    # An 8 mm square bar chamfered 1 mm along both top edges: the 6 mm top land between them is no chamfer.
    solid = only_solid(cq.Workplane("XY").box(60, 8, 8).edges("|X and >Z").chamfer(1))
    chamfers = find_features(solid).chamfers
    assert len(chamfers) == 2 and all(c.legs_mm == approx((1.0, 1.0)) for c in chamfers)


def test_chamfer_on_an_internal_edge_is_no_chamfer():
    """A 45° fill in a re-entrant corner joins the two walls at concave edges."""
    solid = only_solid(
        cq.Workplane("XY").polyline([(0, 0), (30, 0), (30, 10), (12, 10), (10, 12), (10, 30), (0, 30)]).close().extrude(15)
    )
    assert find_features(solid).chamfers == ()


def test_wide_bevel_is_no_chamfer():
    solid = only_solid(cq.Workplane("XY").box(60, 40, 30).faces(">Z").edges("|X and <Y").chamfer(12))
    assert find_features(solid).chamfers == ()


def test_cone_chamfers_are_not_reported():
    """Chamfers on round edges are cones (countersinks on holes), not planar chamfers."""
    solid = only_solid(cq.Workplane("XY").circle(10).extrude(20).faces(">Z").edges().chamfer(1))
    assert find_features(solid).chamfers == ()


# ---------------------------------------------------------------------------------
# Slots


def slotted(depth: float | None = None, angle: float = 0.0) -> cq.Solid:
    """A 60 x 40 x 10 plate with a 20 x 8 obround slot centred at (30, 20): through, or `depth` deep from the top."""
    if depth is None:
        return only_solid(plate().cut(cq.Workplane("XY").center(30, 20).slot2D(20, 8, angle).extrude(10)))
    top = plate().faces(">Z").workplane(centerOption="ProjectedOrigin", origin=(30, 20, 0))
    return only_solid(top.slot2D(20, 8, angle).cutBlind(-depth))


def test_through_slot():
    solid = slotted()
    features = find_features(solid)
    (slot,) = features.slots
    assert slot.width_mm == approx(8.0)
    assert slot.length_mm == approx(20.0)
    assert slot.depth_mm == approx(10.0)
    assert slot.through
    assert not slot.open_end
    assert slot.centre == approx((30.0, 20.0, 10.0))
    assert slot.direction == (0.0, 0.0, -1.0)
    assert slot.long_axis == (1.0, 0.0, 0.0)
    kinds = sorted(solid.Faces()[f - 1].geomType() for f in slot.faces)
    assert kinds == ["CYLINDER", "CYLINDER", "PLANE", "PLANE"]
    assert all(face_radius(solid, f) == approx(4.0) for f in slot.faces if solid.Faces()[f - 1].geomType() == "CYLINDER")
    # The half-round ends are no radii (they are still internal corners for the mould checks).
    assert features.radii == () and features.holes == ()
    assert len(features.internal_corners) == 2


def test_blind_slot_3_deep():
    (slot,) = find_features(slotted(depth=3.0)).slots
    assert (slot.width_mm, slot.length_mm, slot.depth_mm) == (approx(8.0), approx(20.0), approx(3.0))
    assert not slot.through
    assert slot.centre == approx((30.0, 20.0, 10.0))  # at the entry (top), mid-slot
    assert slot.direction == (0.0, 0.0, -1.0)


def test_blind_slot_with_rounded_floor_is_as_deep_as_its_floor():
    """The walls of a slot whose floor meets them in R2 rounds end 2 mm short of the floor
    (CTC-04's slot: walls 22.62, floor 25.12); its depth is the floor's."""
    cutter = cq.Workplane("XY").center(30, 20).slot2D(20, 8).extrude(6).edges("<Z").fillet(2.0).translate((0, 0, 5))  # floor at z 5
    (slot,) = find_features(only_solid(plate().cut(cutter))).slots
    assert not slot.through and slot.depth_mm == approx(5.0)  # the plate is 10 thick: from z 10 down to 5


def test_blind_slot_entered_from_below_points_up():
    solid = only_solid(plate().cut(cq.Workplane("XY").center(30, 20).slot2D(20, 8).extrude(4)))
    (slot,) = find_features(solid).slots
    assert not slot.through and slot.depth_mm == approx(4.0)
    assert slot.direction == (0.0, 0.0, 1.0)
    assert slot.centre == approx((30.0, 20.0, 0.0))


def test_slot_along_y():
    (slot,) = find_features(slotted(angle=90)).slots
    assert slot.long_axis == (0.0, 1.0, 0.0)
    assert (slot.width_mm, slot.length_mm) == (approx(8.0), approx(20.0))
    assert slot.centre == approx((30.0, 20.0, 10.0))


def test_two_slots_in_line_pair_up_end_to_end():
    wp = plate(100, 40, 10)
    for x in (25, 60):
        wp = wp.cut(cq.Workplane("XY").center(x, 20).slot2D(20, 8).extrude(10))
    slots = find_features(only_solid(wp)).slots
    assert [(s.centre[0], s.length_mm) for s in slots] == [(approx(25.0), approx(20.0)), (approx(60.0), approx(20.0))]


def test_open_ended_u_slot():
    """An 8 wide slot milled in from the plate's left edge, its round end 11 in."""
    solid = only_solid(plate().cut(cq.Workplane("XY").center(0, 20).slot2D(30, 8).extrude(10)))
    features = find_features(solid)
    (slot,) = features.slots
    assert slot.open_end
    assert slot.width_mm == approx(8.0)
    assert slot.length_mm == approx(15.0)  # from the edge to the far side of the round end
    assert slot.through and slot.depth_mm == approx(10.0)
    assert slot.centre == approx((7.5, 20.0, 10.0))
    assert slot.long_axis == (1.0, 0.0, 0.0)
    assert len(slot.faces) == 3
    assert features.radii == ()


def test_pocket_with_one_round_end_is_no_slot():
    """The straight sides end at a wall: no slot, the round end is a 180° concave radius."""
    rounded = cq.Workplane("XY").center(25, 20).slot2D(30, 8).extrude(10)
    tool = rounded.union(cq.Workplane("XY").center(15, 20).rect(10, 8).extrude(10))
    features = find_features(only_solid(plate().cut(tool)))
    assert features.slots == ()
    (r,) = features.radii
    assert (r.radius_mm, r.convex, r.angle_deg) == (approx(4.0), False, approx(180.0))


def test_round_ended_bar_has_convex_half_round_radii():
    bar = only_solid(cq.Workplane("XY").slot2D(60, 20).extrude(3))
    features = find_features(bar)
    assert features.slots == ()
    assert [(r.radius_mm, r.convex, r.angle_deg) for r in features.radii] == [(approx(10.0), True, approx(180.0))] * 2


# ---------------------------------------------------------------------------------
# Results


def test_plain_box_has_nothing_and_results_are_frozen():
    assert find_features(only_solid(plate())) == Features(holes=(), internal_corners=(), bends=())
    r = Radius((1,), 5.0, True, (0, 0, 0), (0, 0, 1), 90.0, (5, 0, 0))
    with pytest.raises(AttributeError):
        r.radius_mm = 1.0  # type: ignore[misc]
    c = Chamfer(1, 1.0, (1.0, 1.0), 45.0, (1, 0, 0), (0, 0, 0))
    s = Slot((1, 2), 8.0, 20.0, 3.0, False, (0, 0, 0), (0, 0, -1), (1, 0, 0))
    assert (c.neighbours, s.open_end) == ((0, 0), False)


# ---------------------------------------------------------------------------------
# NIST test parts


@pytest.fixture(scope="module")
def nist() -> dict[str, tuple[cq.Solid, Features]]:
    out = {}
    for p in NIST:
        solid = stepfile.read(p, "", p.name, p.name).Solids()[0]
        out[p.name[:11]] = (solid, find_features(solid))
    return out


def test_all_five_nist_parts_are_read(nist):
    assert sorted(nist) == [f"nist_ctc_0{i}" for i in range(1, 6)]


@pytest.mark.parametrize("name", [f"nist_ctc_0{i}" for i in range(1, 6)])
def test_nist_radii_chamfers_slots_are_consistent(nist, name):
    solid, features = nist[name]
    faces = solid.Faces()
    assert features.radii  # every NIST part has fillets
    seen: set[int] = set()
    for r in features.radii:
        assert r.radius_mm > 0 and 0 < r.angle_deg <= 180.5 and r.length_mm > 0
        assert unit(r.axis_direction)
        assert all(face_radius(solid, f) == approx(r.radius_mm, 1e-4) for f in r.faces)
        assert off_axis(r, r.mid_point) == approx(r.radius_mm, 1e-4)
        assert seen.isdisjoint(r.faces)
        seen |= set(r.faces)
    hole_faces = {f for h in features.holes for f in h.faces}
    bend_faces = {f for b in features.bends for f in (b.inner_face, b.outer_face)}
    slot_faces = {f for s in features.slots for f in s.faces}
    assert seen.isdisjoint(hole_faces | bend_faces | slot_faces)
    for c in features.chamfers:
        assert faces[c.face - 1].geomType() == "PLANE"
        assert 0 < c.legs_mm[1] <= c.legs_mm[0] + 1e-6 and c.legs_mm[0] == c.size_mm  # ties: either order
        assert 15.0 <= c.angle_deg <= 75.0 and unit(c.edge_direction)
        assert on_face(solid, c.face, c.mid_point)
    for s in features.slots:
        assert s.width_mm > 0 and s.length_mm > s.width_mm and s.depth_mm > 0
        assert unit(s.direction) and unit(s.long_axis)
        assert abs(float(np.dot(s.direction, s.long_axis))) == approx(0.0)
    # Deterministic, and sorted.
    assert find_features(solid) == features
    assert [round(r.radius_mm, 6) for r in features.radii] == sorted(round(r.radius_mm, 6) for r in features.radii)


def test_nist_ctc_01_known_features(nist):
    _, features = nist["nist_ctc_01"]
    # The 40 wide, 120 long obround slot, 50 deep through.
    (slot,) = features.slots
    assert (slot.width_mm, slot.length_mm, slot.depth_mm, slot.through, slot.open_end) == (
        approx(40.0), approx(120.0), approx(50.0), True, False
    )
    # Six 5 x 45° chamfers (on a hexagonal outline: edges 60° apart).
    assert len(features.chamfers) == 6
    assert all(c.legs_mm == approx((5.0, 5.0), 1e-6) and c.angle_deg == approx(45.0, 1e-6) for c in features.chamfers)
    # R10 internal fillets and R50 rounds.
    by_kind = {}
    for r in features.radii:
        by_kind.setdefault((round(r.radius_mm, 3), r.convex), []).append(r)
    assert len(by_kind[(10.0, False)]) >= 16
    assert len(by_kind[(50.0, True)]) >= 4


def test_nist_ctc_03_sheet_slots(nist):
    _, features = nist["nist_ctc_03"]
    assert len(features.slots) == 2
    for s in features.slots:
        assert s.width_mm == approx(19.05, 1e-6) and s.length_mm == approx(107.95, 1e-6)  # 3/4" x 4.25"
        assert s.through and not s.open_end


def test_nist_ctc_04_chamfers(nist):
    _, features = nist["nist_ctc_04"]
    assert len(features.chamfers) == 12
    assert all(c.legs_mm == approx((5.0, 5.0), 1e-6) for c in features.chamfers)

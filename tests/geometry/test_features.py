"""Feature recognition on analytic parts with known answers, the desk-lamp models and the NIST parts."""

from __future__ import annotations

import importlib.util
import math
import time

import cadquery as cq
import pytest
from OCP.BRepAdaptor import BRepAdaptor_Surface

from techpack.geometry import stepfile
from techpack.geometry.features import Bend, Features, Hole, InternalCorner, find_features
from tests.conftest import FIXTURES, REPO

MODELS = REPO / "examples" / "desk-lamp" / "models"
NIST = sorted(FIXTURES.glob("*.stp"))


def approx(value, tol=1e-6):
    return pytest.approx(value, abs=tol)


def only_solid(wp: cq.Workplane) -> cq.Solid:
    (solid,) = wp.solids().vals()
    return solid


def example(name: str, **params) -> cq.Solid:
    """The solid built by examples/desk-lamp/models/<name>.py (scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"desk_lamp_{name}", MODELS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return only_solid(module.build(**params))


def plate(x=100.0, y=60.0, z=10.0) -> cq.Workplane:
    """A plate on the XY plane, corner at the origin, top face at z."""
    return cq.Workplane("XY").box(x, y, z, centered=False)


def on_top(wp: cq.Workplane, x: float, y: float) -> cq.Workplane:
    """A workplane on the top face with its origin above (x, y)."""
    return wp.faces(">Z").workplane(centerOption="ProjectedOrigin", origin=(x, y, 0))


def face_radius(solid: cq.Solid, face_id: int) -> float:
    face = solid.Faces()[face_id - 1]
    assert face.geomType() == "CYLINDER"
    return BRepAdaptor_Surface(face.wrapped).Cylinder().Radius()


def the_hole(features: Features) -> Hole:
    (hole,) = features.holes
    return hole


# ---------------------------------------------------------------------------------
# Holes


def test_plate_with_a_through_hole():
    solid = only_solid(plate().cut(cq.Workplane("XY").center(20, 20).circle(5).extrude(10)))
    features = find_features(solid)
    hole = the_hole(features)
    assert hole.diameter_mm == approx(10.0)
    assert hole.through and hole.bottom is None
    assert hole.depth_mm == approx(10.0)
    # Through: enters from the end with the larger z (the axis' dominant component).
    assert hole.entry == approx((20.0, 20.0, 10.0))
    assert hole.direction == (0.0, 0.0, -1.0)
    assert hole.counterbore is None and hole.countersink is None
    assert [face_radius(solid, f) for f in hole.faces] == approx([5.0])
    assert features.internal_corners == () and features.bends == ()


def test_blind_hole_with_a_flat_bottom():
    solid = only_solid(on_top(plate(40, 40, 20), 20, 20).hole(6, depth=8))
    hole = the_hole(find_features(solid))
    assert hole.diameter_mm == approx(6.0)
    assert not hole.through
    assert hole.bottom == "flat"
    assert hole.depth_mm == approx(8.0)
    assert hole.entry == approx((20.0, 20.0, 20.0))
    assert hole.direction == (0.0, 0.0, -1.0)


def test_blind_hole_entered_from_below_points_up():
    solid = only_solid(plate(40, 40, 20).cut(cq.Workplane("XY").center(10, 30).circle(2).extrude(5)))
    hole = the_hole(find_features(solid))
    assert (hole.through, hole.bottom, hole.depth_mm) == (False, "flat", approx(5.0))
    assert hole.entry == approx((10.0, 30.0, 0.0))
    assert hole.direction == (0.0, 0.0, 1.0)


def test_drilled_hole_with_a_118_degree_point():
    r, depth = 3.0, 8.0
    tip = r / math.tan(math.radians(59.0))
    drill = cq.Solid.makeCylinder(r, depth, cq.Vector(20, 20, 20 - depth)).fuse(
        cq.Solid.makeCone(r, 0.0, tip, cq.Vector(20, 20, 20 - depth), cq.Vector(0, 0, -1))
    )
    solid = only_solid(plate(40, 40, 20).cut(cq.Workplane().add(drill)))
    assert any(f.geomType() == "CONE" for f in solid.Faces())
    hole = the_hole(find_features(solid))
    assert hole.diameter_mm == approx(6.0)
    assert not hole.through
    assert hole.bottom == "cone"
    assert hole.depth_mm == approx(depth)  # the cylindrical wall only, not the point
    assert hole.entry == approx((20.0, 20.0, 20.0))


def test_counterbored_hole():
    solid = only_solid(on_top(plate(40, 40, 10), 20, 20).cboreHole(5.5, 10.0, 5.5))
    hole = the_hole(find_features(solid))
    assert hole.diameter_mm == approx(5.5)
    assert hole.through
    assert hole.counterbore == approx((10.0, 5.5))
    assert hole.countersink is None
    assert hole.entry == approx((20.0, 20.0, 10.0))  # the surface, at the mouth of the counterbore
    assert hole.direction == (0.0, 0.0, -1.0)
    assert hole.depth_mm == approx(10.0 - 5.5)  # the main wall only


@pytest.mark.parametrize("offset, one", [(0.01, True), (0.5, False)])
def test_a_counterbore_off_axis_by_cad_round_off_is_still_the_holes(offset, one):
    """On a 300 mm plate, axes 0.01 mm apart are one (tolerance.coincident_mm: 1e-4 of the
    diagonal, 0.03 mm here); 0.5 mm apart they are two features."""
    plate_ = cq.Workplane().box(300, 100, 10)
    hole = cq.Workplane().cylinder(10, 3)
    cbore = cq.Workplane().cylinder(5, 5.5).translate((offset, 0, 2.5))
    features = find_features(only_solid(plate_.cut(hole).cut(cbore)))
    (h,) = features.holes if one else [h for h in features.holes if h.diameter_mm == approx(6.0)] or [None]
    if one:
        assert h.diameter_mm == approx(6.0) and h.counterbore == approx((11.0, 5.0))
    else:
        assert h is None or h.counterbore is None


def test_countersunk_hole():
    solid = only_solid(on_top(plate(40, 40, 10), 20, 20).cskHole(5.5, 11.0, 90))
    hole = the_hole(find_features(solid))
    assert hole.diameter_mm == approx(5.5)
    assert hole.through
    assert hole.countersink == approx((11.0, 90.0))
    assert hole.counterbore is None
    assert hole.entry == approx((20.0, 20.0, 10.0))
    assert hole.depth_mm == approx(10.0 - (11.0 - 5.5) / 2)  # 90°: the cone is (D - d) / 2 deep


def test_countersink_on_the_underside_makes_that_end_the_entry():
    """A through hole with a counterbore or countersink at one end enters there."""
    solid = only_solid(plate(40, 40, 10).faces("<Z").workplane(centerOption="ProjectedOrigin", origin=(20, 20, 0)).cskHole(5.5, 11.0, 90))
    hole = the_hole(find_features(solid))
    assert hole.countersink == approx((11.0, 90.0))
    assert hole.entry == approx((20.0, 20.0, 0.0))
    assert hole.direction == (0.0, 0.0, 1.0)


def test_ball_end_hole_is_blind_with_other_bottom():
    drill = cq.Solid.makeCylinder(3, 8, cq.Vector(20, 20, 12)).fuse(cq.Solid.makeSphere(3, cq.Vector(20, 20, 12), angleDegrees1=-90, angleDegrees2=90))
    hole = the_hole(find_features(only_solid(plate(40, 40, 20).cut(cq.Workplane().add(drill)))))
    assert (hole.through, hole.bottom, hole.depth_mm) == (False, "other", approx(8.0))


def test_hole_breaking_into_a_cross_hole_is_through():
    cross = cq.Workplane("YZ").center(20, 8).circle(4).extrude(40)
    solid = only_solid(plate(40, 40, 20).cut(cq.Workplane("XY").workplane(offset=10).center(20, 20).circle(2).extrude(10)).cut(cross))
    small, big = find_features(solid).holes
    assert small.diameter_mm == approx(4.0) and small.through and small.entry == approx((20.0, 20.0, 20.0))
    assert big.diameter_mm == approx(8.0) and big.through and big.depth_mm == approx(40.0)


def test_located_solid():
    """A solid placed with a TopLoc_Location reads in world coordinates."""
    solid = only_solid(on_top(plate(40, 40, 20), 20, 20).hole(6, depth=8))
    moved = solid.moved(cq.Location(cq.Vector(100, 0, 0), cq.Vector(1, 0, 0), 90))  # z -> -y
    hole = the_hole(find_features(moved))
    assert (hole.through, hole.bottom, hole.depth_mm) == (False, "flat", approx(8.0))
    assert hole.entry == approx((120.0, -20.0, 20.0))
    assert hole.direction == approx((0.0, 1.0, 0.0))


def test_hole_split_into_two_half_faces_is_one_hole():
    """Two plates fused along x = 50 without cleaning: the hole across the seam has two half faces."""
    pin = cq.Workplane("XY").center(50, 30).circle(5).extrude(10)
    left = cq.Workplane("XY").box(50, 60, 10, centered=False).cut(pin)
    right = cq.Workplane("XY").center(50, 0).box(50, 60, 10, centered=False).cut(pin)
    solid = only_solid(left.union(right, clean=False))
    hole = the_hole(find_features(solid))
    assert len(hole.faces) == 2
    assert [face_radius(solid, f) for f in hole.faces] == approx([5.0, 5.0])
    assert hole.diameter_mm == approx(10.0)
    assert hole.through and hole.depth_mm == approx(10.0)
    assert hole.entry == approx((50.0, 30.0, 10.0))


def test_tilted_through_hole():
    """A hole at 30° to Z: found along its own axis, entering where the axis meets the top face."""
    axis = cq.Vector(math.sin(math.radians(30)), 0, math.cos(math.radians(30)))
    start = cq.Vector(50, 30, 5) - axis * 20
    solid = only_solid(plate().cut(cq.Workplane().add(cq.Solid.makeCylinder(3.0, 40, start, axis))))
    hole = the_hole(find_features(solid))
    assert hole.diameter_mm == approx(6.0)
    assert hole.through
    assert hole.direction == approx((-axis.x, 0.0, -axis.z))
    top = cq.Vector(50, 30, 5) + axis * (5 / axis.z)
    assert hole.entry == approx(top.toTuple())
    # The wall's longest generator: the plate's thickness along the axis plus the slant across the hole.
    assert hole.depth_mm == approx(10 / axis.z + 2 * 3.0 * math.tan(math.radians(30)))


def test_slot_is_not_a_hole():
    solid = only_solid(plate().cut(cq.Workplane("XY").center(50, 30).slot2D(30, 8).extrude(10)))
    features = find_features(solid)
    assert features.holes == ()
    # The two half-round ends are concave partial cylinders: corners of radius 4, as deep as the plate.
    assert [(c.radius_mm, c.length_mm, c.edge) for c in features.internal_corners] == [(approx(4.0), approx(10.0), None)] * 2


def test_holes_are_sorted_by_diameter_then_entry():
    wp = plate()
    for x, y, d in ((80, 20, 6), (20, 40, 10), (20, 20, 6), (50, 30, 4)):
        wp = wp.cut(cq.Workplane("XY").center(x, y).circle(d / 2).extrude(10))
    holes = find_features(only_solid(wp)).holes
    assert [(h.diameter_mm, h.entry[0], h.entry[1]) for h in holes] == [
        (approx(4), approx(50), approx(30)),
        (approx(6), approx(20), approx(20)),
        (approx(6), approx(80), approx(20)),
        (approx(10), approx(20), approx(40)),
    ]


# ---------------------------------------------------------------------------------
# Internal corners


def pocket(fillet: float | None = None, depth: float = 5.0) -> cq.Solid:
    """A 40 x 40 x 20 block with a 10 x 10 pocket `depth` deep in its top, centred at (20, 20)."""
    tool = cq.Workplane("XY").workplane(offset=20 - depth).center(20, 20).rect(10, 10).extrude(depth)
    if fillet:
        tool = tool.edges("|Z").fillet(fillet)
    return only_solid(plate(40, 40, 20).cut(tool))


def test_pocket_with_vertical_fillets_has_four_rounded_corners():
    solid = pocket(fillet=1.0)
    features = find_features(solid)
    assert features.holes == ()
    corners = features.internal_corners
    assert len(corners) == 4
    for c in corners:
        assert c.radius_mm == approx(1.0)
        assert c.length_mm == approx(5.0)  # the pocket depth
        assert c.direction == (0.0, 0.0, 1.0)
        assert c.edge is None
        (face,) = c.faces
        assert face_radius(solid, face) == approx(1.0)
        assert 15.0 <= c.point[2] <= 20.0
    # One in each corner of the pocket (fillet centres at 16 and 24).
    assert sorted((c.point[0] > 20, c.point[1] > 20) for c in corners) == [(False, False), (False, True), (True, False), (True, True)]


def test_pocket_with_sharp_corners_has_four_sharp_corners_with_edge_ids():
    solid = pocket()
    corners = find_features(solid).internal_corners
    assert len(corners) == 4
    edges = solid.Edges()
    faces = solid.Faces()
    for c in corners:
        assert c.radius_mm == 0.0
        assert c.length_mm == approx(5.0)
        assert c.direction == (0.0, 0.0, 1.0)
        edge = edges[c.edge - 1]
        assert edge.geomType() == "LINE"
        assert edge.Length() == approx(5.0)
        start, end = edge.startPoint(), edge.endPoint()
        assert (start.x, start.y) == approx((end.x, end.y))
        assert {round(start.x, 6), round(start.y, 6)} <= {15.0, 25.0}
        assert c.point == approx((start.x, start.y, 17.5))
        assert len(c.faces) == 2 and all(faces[f - 1].geomType() == "PLANE" for f in c.faces)


def test_corners_only_along_the_tool_axes():
    solid = pocket()
    assert find_features(solid, tool_axes=((1, 1, 0),)).internal_corners == ()
    down = find_features(solid, tool_axes=((0, 0, -2),)).internal_corners
    assert len(down) == 4
    assert all(c.direction == (0.0, 0.0, -1.0) for c in down)  # signed like the tool axis it matched
    # Along X the corners are where the pocket floor meets the two walls square to Y.
    along_x = find_features(solid, tool_axes=((1, 0, 0),)).internal_corners
    assert [(c.direction, c.length_mm, c.point[2]) for c in along_x] == [((1.0, 0.0, 0.0), approx(10.0), approx(15.0))] * 2
    assert len(find_features(solid, tool_axes=((1, 0, 0), (0, 1, 0), (0, 0, 1))).internal_corners) == 8


def test_convex_edges_are_not_corners():
    rounded = only_solid(plate(40, 40, 20).edges("|Z").fillet(3.0))
    assert find_features(rounded).internal_corners == ()
    assert find_features(only_solid(plate())) == Features(holes=(), internal_corners=(), bends=())


def test_l_shaped_step_has_one_sharp_corner():
    """A re-entrant 90° edge between two planes is a corner; the part's convex edges are not."""
    solid = only_solid(cq.Workplane("XY").polyline([(0, 0), (30, 0), (30, 10), (10, 10), (10, 30), (0, 30)]).close().extrude(15))
    (corner,) = find_features(solid).internal_corners
    assert corner.radius_mm == 0.0
    assert corner.length_mm == approx(15.0)
    assert corner.point == approx((10.0, 10.0, 7.5))


# ---------------------------------------------------------------------------------
# Bends


def l_bracket(t=2.0, r=2.0, leg=30.0, width=20.0) -> cq.Solid:
    """An L profile in XZ (inner radius r, outer r + t) extruded along Y."""
    c = t + r
    s = math.sqrt(0.5)
    return only_solid(
        cq.Workplane("XZ")
        .moveTo(c, 0)
        .lineTo(leg, 0)
        .lineTo(leg, t)
        .lineTo(c, t)
        .threePointArc((c - r * s, c - r * s), (t, c))
        .lineTo(t, leg)
        .lineTo(0, leg)
        .lineTo(0, c)
        .threePointArc((c - (r + t) * s, c - (r + t) * s), (c, 0))
        .close()
        .extrude(width)
    )


def test_l_bracket_has_one_bend():
    solid = l_bracket()
    features = find_features(solid)
    (bend,) = features.bends
    assert bend.inner_radius_mm == approx(2.0)
    assert bend.thickness_mm == approx(2.0)
    assert bend.angle_deg == approx(90.0)
    assert bend.axis_direction == (0.0, 1.0, 0.0)
    assert (bend.axis_point[0], bend.axis_point[2]) == approx((4.0, 4.0))
    assert face_radius(solid, bend.inner_face) == approx(2.0)
    assert face_radius(solid, bend.outer_face) == approx(4.0)
    assert features.holes == ()


def test_tube_is_not_a_bend():
    """Coaxial concave and convex cylinders that close 360° are a bore in a tube, not a bend."""
    tube = only_solid(cq.Workplane("XY").circle(10).circle(8).extrude(30))
    features = find_features(tube)
    assert features.bends == ()
    assert the_hole(features).diameter_mm == approx(16.0)


# ---------------------------------------------------------------------------------
# The desk-lamp example product


def test_base_bore_and_tapped_feet_holes():
    features = find_features(example("base"))
    bores = [h for h in features.holes if h.diameter_mm == approx(10.0)]
    feet = [h for h in features.holes if h.diameter_mm == approx(4.2)]
    assert len(features.holes) == 5 and len(bores) == 1 and len(feet) == 4
    (bore,) = bores
    assert bore.through and bore.direction[2] == approx(1.0)
    # The Ø26 x 3 retaining-ring pocket round the bore's lower end counts as its counterbore,
    # so the bore enters from below; its own wall runs from the pocket floor to the top.
    assert bore.counterbore == approx((26.0, 3.0))
    assert bore.entry == approx((0.0, 0.0, 0.0))
    assert bore.depth_mm == approx(12.0 - 3.0)
    for h in feet:
        assert not h.through and h.bottom == "flat"
        assert h.depth_mm == approx(10.0)
        assert h.direction == (0.0, 0.0, 1.0)
        assert h.entry[2] == approx(0.0)
        assert math.hypot(h.entry[0], h.entry[1]) == approx(65.0)  # Ø130 PCD
    assert sorted((round(h.entry[0] / 45.96), round(h.entry[1] / 45.96)) for h in feet) == [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    # The pocket's round wall is its internal vertical corner, R13.
    assert [(c.radius_mm, c.length_mm) for c in features.internal_corners] == [(approx(13.0), approx(3.0))]


def test_bracket_bend_and_holes():
    features = find_features(example("bracket"))
    (bend,) = features.bends
    assert (bend.inner_radius_mm, bend.thickness_mm, bend.angle_deg) == (approx(2.0), approx(2.0), approx(90.0))
    assert bend.axis_direction == (0.0, 1.0, 0.0)
    pivot, mount = features.holes
    assert pivot.diameter_mm == approx(5.5) and mount.diameter_mm == approx(10.5)
    assert pivot.through and mount.through
    assert pivot.depth_mm == approx(2.0) and mount.depth_mm == approx(2.0)
    assert abs(pivot.direction[0]) == approx(1.0) and pivot.entry[2] == approx(25.0)
    assert abs(mount.direction[2]) == approx(1.0) and mount.entry[0] == approx(18.0)


def test_arm_holes_and_slot():
    features = find_features(example("arm"))
    assert [h.diameter_mm for h in features.holes] == approx([5.0, 5.0, 5.5])
    assert sorted(round(h.entry[0], 6) for h in features.holes) == [0.0, 80.0, 160.0]
    assert all(h.through and h.depth_mm == approx(3.0) and h.direction == (0.0, 0.0, -1.0) for h in features.holes)
    # A slot end and the bar's round end round it are coaxial, but a 3 mm plate is no bend.
    assert features.bends == ()


def test_stem_bore():
    hole = the_hole(find_features(example("stem")))
    assert hole.diameter_mm == approx(6.0)
    assert hole.through
    assert hole.direction == (0.0, 0.0, -1.0)
    assert hole.entry == approx((0.0, 0.0, 300.0))
    assert hole.countersink == approx((6.6, 90.0))  # the 0.3 x 45° bore chamfer
    assert hole.depth_mm == approx(300.0 - 2 * 0.3)


# ---------------------------------------------------------------------------------
# NIST test parts


@pytest.fixture(scope="module")
def nist_solids() -> dict[str, cq.Solid]:
    return {p.name: stepfile.read(p, "", p.name, p.name).Solids()[0] for p in NIST}


@pytest.mark.parametrize("name", [p.name for p in NIST])
def test_nist_parts(nist_solids, name):
    solid = nist_solids[name]
    features = find_features(solid)
    n_faces = len(solid.Faces())
    assert features.holes
    for h in features.holes:
        assert h.diameter_mm > 0 and h.depth_mm > 0
        assert math.hypot(*h.direction) == approx(1.0)
        assert all(1 <= f <= n_faces for f in h.faces)
        assert all(face_radius(solid, f) == approx(h.diameter_mm / 2, 1e-4) for f in h.faces)
        assert h.bottom in ((None,) if h.through else ("flat", "cone", "other"))
    for c in features.internal_corners:
        assert c.radius_mm >= 0 and c.length_mm > 0
        assert (c.edge is None) == (c.radius_mm > 0)
    assert find_features(solid) == features  # deterministic


def test_large_part_is_fast(nist_solids):
    solid = nist_solids["nist_ctc_02_asme1_ap203.stp"]
    assert len(solid.Faces()) > 600
    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        find_features(solid)
        best = min(best, time.perf_counter() - start)
    assert best < 0.5


def test_results_are_frozen():
    hole = Hole(faces=(1,), diameter_mm=1.0, entry=(0, 0, 0), direction=(0, 0, 1), depth_mm=1.0, through=True, bottom=None)
    with pytest.raises(AttributeError):
        hole.depth_mm = 2.0  # type: ignore[misc]
    assert InternalCorner((1, 2), 3, 0.0, (0, 0, 1), 5.0, (0, 0, 0)).edge == 3
    assert Bend(1, 2, 2.0, 2.0, (0, 0, 0), (0, 1, 0), 90.0).angle_deg == 90.0

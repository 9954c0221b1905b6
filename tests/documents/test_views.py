"""Views of solids as 2D primitives: exact HLR in a child process under a time budget,
polygonal fallback, curve conversion, visible-first deduplication, orientation."""

from __future__ import annotations

import math
import os
import time

import cadquery as cq
import numpy as np
import pytest
from OCP.Bnd import Bnd_Box
from OCP.BRepBndLib import BRepBndLib

from techpack.documents import views
from techpack.documents.views import STANDARD, Arc, Bezier, Line, project_view, project_views
from tests.conftest import FIXTURES

TOL = 1e-6


def approx(a, b, tol=TOL):
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


def box(x=40.0, y=30.0, z=20.0, centred=True) -> cq.Solid:
    return cq.Workplane().box(x, y, z, centered=centred).val()


def plate_with_hole() -> cq.Solid:
    return cq.Workplane().box(60, 40, 10).faces(">Z").workplane().center(10, 5).hole(10).val()


def cylinder(r=5.0, h=10.0) -> cq.Solid:
    # turned so that its seam (on the local +X side) faces the front viewer, at x = 0
    return cq.Solid.makeCylinder(r, h).rotate((0, 0, 0), (0, 0, 1), -90)


def lines(prims):
    return [p for p in prims if isinstance(p, Line)]


def bezier_at(p: Bezier, t: np.ndarray) -> np.ndarray:
    return views._bezier_points(p, t)


def vertical_at(prims, x, tol=1e-6):
    return [p for p in lines(prims) if abs(p.a[0] - x) < tol and abs(p.b[0] - x) < tol]


# --- orientation -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(STANDARD))
def test_standard_views_are_right_handed(name):
    direction, up = STANDARD[name]
    right, screen_up, d = views._basis(direction, up)
    assert np.allclose(np.cross(right, screen_up), d)  # x right, y up, z towards the viewer
    assert abs(right @ d) < 1e-12 and abs(screen_up @ d) < 1e-12


@pytest.mark.parametrize(
    "name, x_axis, y_axis",
    [
        ("front", (1, 0, 0), (0, 0, 1)),  # +X right, +Z up
        ("top", (1, 0, 0), (0, 1, 0)),  # +X right, +Y up
        ("right", (0, 1, 0), (0, 0, 1)),  # from +X towards -X: +Y right, +Z up
        ("left", (0, -1, 0), (0, 0, 1)),
        ("rear", (-1, 0, 0), (0, 0, 1)),
        ("bottom", (1, 0, 0), (0, -1, 0)),
    ],
)
def test_screen_axes(name, x_axis, y_axis):
    v = project_view(box(), name)
    assert approx(v.project(x_axis), (1, 0)) and approx(v.project(y_axis), (0, 1))


@pytest.mark.parametrize(
    "name, bounds",
    [
        ("front", (0, 0, 40, 20)),
        ("rear", (-40, 0, 0, 20)),
        ("top", (0, 0, 40, 30)),
        ("bottom", (0, -30, 40, 0)),
        ("right", (0, 0, 30, 20)),
        ("left", (-30, 0, 0, 20)),
    ],
)
def test_bounds_of_a_box_in_the_first_octant(name, bounds):
    assert approx(project_view(box(centred=False), name).bounds, bounds)


def test_the_viewer_is_on_the_direction_side():
    # a boss on the rear (+Y) face is hidden from the front and visible from the rear
    part = cq.Workplane().box(40, 30, 20).faces(">Y").workplane().rect(10, 10).extrude(5).val()
    front, rear = project_view(part, "front"), project_view(part, "rear")
    assert len(vertical_at(front.hidden, -5)) == 1 and len(vertical_at(front.hidden, 5)) == 1
    assert not vertical_at(front.visible, 5)
    assert len(vertical_at(rear.visible, -5)) == 1 and not rear.hidden


def test_iso_edges_and_project_agree():
    v = project_view(box(), "iso")
    ends = {pt for p in v.visible for pt in (p.a, p.b)}
    for corner in [(20, -15, 10), (-20, -15, -10), (20, 15, -10), (-20, 15, 10)]:
        q = v.project(corner)
        assert min(math.dist(q, e) for e in ends) < 1e-6
    assert len(v.visible) == 9 and len(v.hidden) == 3  # the back corner's three edges
    back = v.project((-20, 15, -10))  # the hidden corner, where the hidden edges meet
    assert all(min(math.dist(back, p.a), math.dist(back, p.b)) < 1e-6 for p in v.hidden)


# --- the brief's cases -----------------------------------------------------------------------


def test_box_front_top_right():
    vs = project_views(box(), ["front", "top", "right"])
    front = vs["front"]
    assert front.exact
    assert approx(front.bounds, (-20, -10, 20, 10))
    assert len(front.visible) == 4 and all(isinstance(p, Line) for p in front.visible)
    assert front.hidden == () and front.smooth == ()
    assert approx(vs["top"].bounds, (-20, -15, 20, 15))
    assert approx(vs["right"].bounds, (-15, -10, 15, 10))
    assert approx(front.project((20, 0, 10)), (20, 10))
    assert (front.name, front.direction, front.up) == ("front", (0.0, -1.0, 0.0), (0.0, 0.0, 1.0))


def test_plate_with_hole():
    vs = project_views(plate_with_hole(), ["top", "front"])
    top, front = vs["top"], vs["front"]
    arcs = [p for p in top.visible if isinstance(p, Arc)]
    assert len(arcs) == 1
    assert approx(arcs[0].centre, (10, 5)) and abs(arcs[0].radius - 5) < TOL
    assert (arcs[0].start_deg, arcs[0].end_deg) == (0.0, 360.0)
    assert top.hidden == ()
    # the hole's silhouettes, hidden; its circles fall on the top and bottom outline and go
    assert len(front.hidden) == 2 and all(isinstance(p, Line) for p in front.hidden)
    xs = sorted(p.a[0] for p in front.hidden)
    assert approx(xs, (5, 15))
    for p in front.hidden:
        assert abs(p.a[0] - p.b[0]) < TOL and approx(sorted((p.a[1], p.b[1])), (-5, 5))
    assert not any(isinstance(p, Arc) for p in front.visible + front.hidden + front.smooth)
    assert approx(front.bounds, (-30, -5, 30, 5))


def test_cylinder_top_and_front():
    vs = project_views(cylinder(), ["top", "front"])
    assert vs["top"].visible == (Arc((0.0, 0.0), 5.0, 0.0, 360.0),)
    front = vs["front"]
    assert len(vertical_at(front.visible, -5)) == 1 and len(vertical_at(front.visible, 5)) == 1
    assert all(isinstance(p, Line) for p in front.visible) and len(front.visible) == 4
    # the seam faces the viewer at x = 0 and is not drawn
    assert not vertical_at(front.visible + front.hidden + front.smooth, 0.0, tol=1e-3)
    assert front.hidden == ()
    assert approx(front.bounds, (-5, 0, 5, 10))


def projected_circle(v, r, z, n=20000):
    t = np.linspace(0, 2 * math.pi, n)
    return np.array([v.project((r * math.cos(a), r * math.sin(a), z)) for a in t])


def test_cylinder_in_iso_is_curves_near_the_true_ellipses():
    v = project_view(cylinder(), "iso")
    assert v.exact
    # straight: only the two silhouettes; the circles are curves, not polylines
    assert len(lines(v.visible)) == 2 and not lines(v.hidden)
    curves = [p for p in v.visible + v.hidden if not isinstance(p, Line)]
    assert curves and all(isinstance(p, (Arc, Bezier)) for p in curves)
    ellipses = [projected_circle(v, 5, 0), projected_circle(v, 5, 10)]
    for p in curves:
        assert isinstance(p, Bezier) and len(p.points) == 4
        on = [e for e in ellipses if np.linalg.norm(e - p.points[0], axis=1).min() < 1e-3]
        assert len(on) == 1
        ellipse = on[0]
        for q in bezier_at(p, np.linspace(0, 1, 21)):  # the curve stays on the ellipse
            assert np.linalg.norm(ellipse - q, axis=1).min() < 1e-3
        assert np.linalg.norm(ellipse - p.points[3], axis=1).min() < 1e-3
        for q in p.points[1:3]:  # handles: near the curve (about 0.035 r for 45° pieces)
            assert np.linalg.norm(ellipse - q, axis=1).min() < 0.05 * 5
    # the bottom ellipse: front half visible, back half hidden
    assert len(v.hidden) >= 1
    assert approx(v.bounds, (-5, ellipses[0][:, 1].min(), 5, ellipses[1][:, 1].max()), 1e-6)


def test_bspline_edges_become_beziers_on_the_curve():
    pts = [(0, 0), (20, 8), (40, -5), (60, 10)]
    part = cq.Workplane().spline(pts).lineTo(60, -20).lineTo(0, -20).close().extrude(5).val()
    v = project_view(part, "top")
    assert v.exact
    beziers = [p for p in v.visible if isinstance(p, Bezier)]
    assert beziers
    spline = next(e for e in part.Edges() if e.geomType() == "BSPLINE" and e.Center().z > 4)
    true = np.array([(p.x, p.y) for p in (spline.positionAt(t) for t in np.linspace(0, 1, 4001))])
    for b in beziers:
        for q in bezier_at(b, np.linspace(0, 1, 17)):
            assert np.linalg.norm(true - q, axis=1).min() < 1e-2
    # joined end to end they run from one end of the spline to the other
    ends = [b.points[0] for b in beziers] + [b.points[3] for b in beziers]
    assert min(math.dist(e, (0, 0)) for e in ends) < 1e-6 and min(math.dist(e, (60, 10)) for e in ends) < 1e-6


def test_torus_silhouette_is_a_fitted_circle():
    # HLR gives this outline as a degree-4 B-spline: it comes back as an exact-looking Arc
    v = project_view(cq.Solid.makeTorus(20, 5), "top")
    arcs = sorted((p for p in v.visible if isinstance(p, Arc)), key=lambda a: a.radius)
    assert [round(a.radius, 2) for a in arcs] == [15.0, 25.0]
    assert all(a.end_deg - a.start_deg == 360.0 for a in arcs)
    assert abs(arcs[0].radius - 15) < 1e-2 and approx(arcs[0].centre, (0, 0), 1e-2)


def test_circles_seen_edge_on_and_arc_directions():
    # fillets along the top edges of a box: from the front, their ends are quarter circles
    part = cq.Workplane().box(40, 30, 20).edges(">Z").fillet(4).val()
    front = project_view(part, "front")
    arcs = sorted((p for p in front.visible if isinstance(p, Arc)), key=lambda a: a.centre)
    assert len(arcs) == 2
    assert approx(arcs[0].centre, (-16, 6)) and approx((arcs[0].start_deg, arcs[0].end_deg), (90, 180))
    assert approx(arcs[1].centre, (16, 6)) and approx((arcs[1].start_deg, arcs[1].end_deg), (0, 90))
    # an edge-on circle (cylinder end) is a straight line, not a flat ellipse
    side = project_view(cylinder(), "front")
    assert any(approx((p.a[1], p.b[1]), (10, 10)) and approx((p.a[0], p.b[0]), (-5, 5)) for p in lines(side.visible))


def test_fillet_boundaries_are_smooth_not_visible():
    part = cq.Workplane().box(40, 30, 20).edges(">Z").fillet(4).val()
    top = project_view(part, "top")
    expected = {
        ((-16.0, -11.0), (-16.0, 11.0)),
        ((16.0, -11.0), (16.0, 11.0)),
        ((-16.0, -11.0), (16.0, -11.0)),
        ((-16.0, 11.0), (16.0, 11.0)),
    }
    assert {(p.a, p.b) for p in top.smooth} == expected
    assert not {(p.a, p.b) for p in lines(top.visible)} & expected
    assert approx(top.bounds, (-20, -15, 20, 15))
    front = project_view(part, "front")
    assert [(p.a, p.b) for p in front.smooth] == [((-20.0, 6.0), (20.0, 6.0))]
    assert not any(isinstance(p, Line) and abs(p.a[1] - 6) < TOL and abs(p.b[1] - 6) < TOL for p in front.visible)


def test_hidden_lines_on_visible_ones_are_dropped():
    # a pocket in the bottom: from the front its four walls are hidden; its floor's outline is
    # hidden too, but its bottom edge lies on the visible bottom outline and is dropped
    part = cq.Workplane().box(40, 30, 20).faces("<Z").workplane().rect(10, 10).cutBlind(-5).val()
    front = project_view(part, "front")
    assert approx(front.bounds, (-20, -10, 20, 10))
    hidden = sorted((p.a, p.b) for p in front.hidden)
    assert hidden == [((-5.0, -10.0), (-5.0, -5.0)), ((-5.0, -5.0), (5.0, -5.0)), ((5.0, -10.0), (5.0, -5.0))]
    assert len(front.visible) == 4


# --- time budget and fallback ----------------------------------------------------------------


def in_worker(fn: str, *args):
    """Run tests/documents/view_tasks.py's fn in a build's worker process, where budgets are kept;
    the result and how long it took (spawning the worker included)."""
    from techpack.report import Reporter
    from techpack.workers import Pool, Task

    start = time.perf_counter()
    with Pool(1, Reporter(0)) as pool:
        (result,) = pool.run([Task(f"tests.documents.view_tasks:{fn}", args, label=fn)])
    return result, time.perf_counter() - start


def test_time_budget_falls_back_to_polygonal():
    # each view sleeps past twice its budget: its worker is killed and the task done again
    # with that view from the fallback (two views: three workers started, the last finishes)
    vs, elapsed = in_worker("sleeping", 0.2)
    assert elapsed < 30, elapsed
    front, top = vs["front"], vs["top"]
    assert not front.exact and not top.exact
    assert approx(front.bounds, (-30, -5, 30, 5)) and approx(top.bounds, (-30, -20, 30, 20))
    assert sorted(round(p.a[0], 6) for p in front.hidden) == [5.0, 15.0]
    assert len(front.visible) == 4
    # the hole's mesh polygon is refitted to a circle
    arcs = [p for p in top.visible if isinstance(p, Arc)]
    assert len(arcs) == 1 and approx(arcs[0].centre, (10, 5), 1e-6) and abs(arcs[0].radius - 5) < 1e-6


def test_the_budget_is_cpu_time_of_the_worker():
    from techpack.workers import _cpu_seconds

    assert _cpu_seconds(os.getpid()) > 0  # readable here (Linux)
    v, elapsed = in_worker("spinning", 0.3)
    assert elapsed < 20
    assert not v.exact and approx(v.bounds, (-20, -10, 20, 10))


def test_a_real_exact_hlr_is_killed_mid_way():
    v, elapsed = in_worker("real", str(FIXTURES / "nist_ctc_02_asme1_ap203.stp"), 0.1)  # it needs well over a second
    assert elapsed < 30
    assert not v.exact and approx(v.bounds, (-340, -360, 340, 40), 0.05)


def test_outside_a_worker_there_is_no_budget():
    # a script calling project_view directly: the exact view, however long it takes
    assert project_view(box(), "front", time_budget_s=0.001).exact


def test_failing_exact_hlr_falls_back(monkeypatch):
    def boom(*args):
        raise RuntimeError("no")

    monkeypatch.setattr(views, "_exact_primitives", boom)
    v = project_view(box(), "front")
    assert not v.exact and approx(v.bounds, (-20, -10, 20, 10)) and len(v.visible) == 4 and not v.hidden


def test_zero_budget_goes_straight_to_the_fallback():
    v = project_view(box(), "iso", time_budget_s=0)
    exact = project_view(box(), "iso")
    assert not v.exact and exact.exact
    assert approx(v.bounds, exact.bounds, 1e-6)
    assert sorted((p.a, p.b) for p in v.visible) == sorted((p.a, p.b) for p in exact.visible)


def test_the_callers_shape_is_not_meshed():
    from OCP.BRep import BRep_Tool
    from OCP.TopLoc import TopLoc_Location

    part = plate_with_hole()
    project_view(part, "top", time_budget_s=0)
    assert all(BRep_Tool.Triangulation_s(f.wrapped, TopLoc_Location()) is None for f in part.Faces())


def test_names_and_order():
    vs = project_views(box(), ["iso", "front"])
    assert list(vs) == ["iso", "front"]
    assert vs["iso"].name == "iso" and vs["iso"].direction == (1.0, -1.0, 1.0)
    with pytest.raises(ValueError, match="unknown view"):
        project_view(box(), "side")


# --- NIST test parts -------------------------------------------------------------------------

NIST = sorted(FIXTURES.glob("nist_ctc_0*_asme1_ap203.stp"))


def projected_box(solid, v):
    box = Bnd_Box()
    BRepBndLib.AddOptimal_s(solid.wrapped, box, False, False)
    x0, y0, z0, x1, y1, z1 = box.Get()
    pts = [v.project((x, y, z)) for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)]
    return (min(p[0] for p in pts), min(p[1] for p in pts), max(p[0] for p in pts), max(p[1] for p in pts))


@pytest.mark.parametrize("path", NIST, ids=[p.name[:11] for p in NIST])
def test_nist_parts(path):
    solid = cq.importers.importStep(str(path)).val().Solids()[0]
    start = time.perf_counter()
    vs = project_views(solid, ["front", "top", "right", "iso"], time_budget_s=5.0)
    elapsed = time.perf_counter() - start
    print(f"\n{path.name}: {elapsed:.2f} s, " + ", ".join(f"{n} {'exact' if v.exact else 'FALLBACK'}" for n, v in vs.items()))
    for name in ("front", "top", "right"):
        v = vs[name]
        assert v.visible
        # orthographic views: the outline spans the solid's projected bounding box
        assert approx(v.bounds, projected_box(solid, v), 0.05), (name, v.bounds)
    assert vs["iso"].visible and vs["iso"].bounds[2] > vs["iso"].bounds[0]


def test_exact_view_agrees_with_the_polygonal_one():
    # NIST CTC 02's rounded corners are sphere patches; exact HLR returns zero-length pieces of
    # their boundary arcs as whole ellipses, which must not be drawn (views._bogus_closed). Every
    # exact visible curve lies near the polygonal view (mesh deflection 0.23 mm here).
    solid = cq.importers.importStep(str(FIXTURES / "nist_ctc_02_asme1_ap203.stp")).val().Solids()[0]
    exact, poly = project_view(solid, "iso"), project_view(solid, "iso", time_budget_s=0)
    assert exact.exact and not poly.exact
    refs = poly.visible + poly.hidden + poly.smooth
    seg = np.vstack([np.hstack([pl[:-1], pl[1:]]) for pl in (views._polyline(p, 0.05) for p in refs)])
    lo, hi = np.minimum(seg[:, :2], seg[:, 2:]), np.maximum(seg[:, :2], seg[:, 2:])
    curves = [p for p in exact.visible if not isinstance(p, Line)]
    assert len(curves) > 100
    for p in curves:
        pts = views._samples(p, 9)
        near = np.all(lo <= pts.max(axis=0) + 3, axis=1) & np.all(hi >= pts.min(axis=0) - 3, axis=1)
        a, ab = seg[near, :2], seg[near, 2:] - seg[near, :2]
        ll = np.maximum((ab**2).sum(axis=1), 1e-30)
        t = np.clip(((pts[:, None] - a[None]) * ab[None]).sum(axis=2) / ll[None], 0, 1)
        dist = np.linalg.norm(pts[:, None] - (a[None] + t[..., None] * ab[None]), axis=2).min(axis=1)
        assert dist.max() < 3.0, p


# --- conversion all at once, and the order of the children ----------------------------------


def hlr_curves(part, name):
    """The non-line, non-circle edges of the exact HLR of `part` seen from `name`, as views._Curve."""
    from OCP.BRepAdaptor import BRepAdaptor_Curve
    from OCP.GeomAbs import GeomAbs_Circle, GeomAbs_Line
    from OCP.HLRBRep import HLRBRep_Algo, HLRBRep_HLRToShape

    algo = HLRBRep_Algo()
    algo.Add(part.wrapped, 0)
    algo.Projector(views._projector(*STANDARD[name]))
    algo.Update()
    algo.Hide()
    hlr = HLRBRep_HLRToShape(algo)
    out = []
    for compound in (hlr.VCompound(), hlr.HCompound(), hlr.OutLineVCompound(), hlr.OutLineHCompound(), hlr.Rg1LineVCompound()):
        for edge in views._edges(compound):
            curve = BRepAdaptor_Curve(edge)
            if curve.GetType() not in (GeomAbs_Line, GeomAbs_Circle):
                out.append(views._Curve(curve, curve.GetType(), len(out)))
    return out


def nurbs_curves():
    """A rational B-spline (a converted circular arc) and a periodic one (a whole circle), as
    views._Curve."""
    from OCP.BRepAdaptor import BRepAdaptor_Curve
    from OCP.BRepBuilderAPI import BRepBuilderAPI_MakeEdge
    from OCP.Geom import Geom_Circle, Geom_TrimmedCurve
    from OCP.GeomAbs import GeomAbs_BSplineCurve
    from OCP.GeomConvert import GeomConvert
    from OCP.gp import gp_Ax2, gp_Dir, gp_Pnt

    circle = Geom_Circle(gp_Ax2(gp_Pnt(3, 4, 0), gp_Dir(0, 0, 1)), 7.0)
    out = []
    for curve in (Geom_TrimmedCurve(circle, 0.3, 2.5), circle):
        spline = GeomConvert.CurveToBSplineCurve_s(curve)
        adaptor = BRepAdaptor_Curve(BRepBuilderAPI_MakeEdge(spline).Edge())
        out.append(views._Curve(adaptor, GeomAbs_BSplineCurve, len(out)))
    assert out[0].spline.IsRational() and out[1].spline.IsPeriodic()
    return out


def test_curves_are_sampled_all_at_once_as_occt_evaluates_them():
    # ellipses, B-splines of degree 3 (the spline), 1 (HLR's polylines) and higher (the
    # outlines of the torus), each at its own parameters; a rational and a periodic B-spline
    part = (
        cq.Workplane().spline([(0, 0), (20, 8), (40, -5), (60, 10)]).lineTo(60, -20).lineTo(0, -20).close().extrude(5)
        .union(cq.Workplane().cylinder(10, 6).translate((30, -10, 10)))
        .union(cq.Workplane().add(cq.Solid.makeTorus(8, 2)).translate((0, 20, 0)))
        .val()
    )
    curves = [c for name in ("iso", "front", "top") for c in hlr_curves(part, name)] + nurbs_curves()
    kinds = {(int(c.kind), c.spline.Degree() if c.spline else 0) for c in curves}
    assert len(kinds) >= 5, kinds
    views._sample_all(curves)
    for c in curves:
        true = np.array([views._pt(c.curve.Value(u)) for u in c.us])
        assert c.pts.shape == true.shape
        assert np.abs(c.pts - true).max() <= 1e-9 * max(1.0, np.abs(true).max()), c.kind


def test_ellipses_as_beziers_all_at_once():
    c = np.array([(1.0, 2.0), (-3.0, 0.5)])
    x, y = np.array([(4.0, 0.0), (0.6, 0.8)]), np.array([(0.0, 2.0), (-0.4, 0.3)])
    u0, u1 = np.array([0.0, 2.0]), np.array([2 * math.pi, 0.3])
    got = views._ellipse_beziers(c, x, y, u0, u1)
    assert [len(g) for g in got] == [8, 3]  # at most 45° of parameter each, either way
    for i, beziers in enumerate(got):
        ts = np.linspace(0, 2 * math.pi, 200001)
        ellipse = c[i] + np.outer(np.cos(ts), x[i]) + np.outer(np.sin(ts), y[i])
        ends = [b.points[0] for b in beziers] + [beziers[-1].points[3]]
        assert approx(ends[0], c[i] + x[i] * math.cos(u0[i]) + y[i] * math.sin(u0[i]), 1e-12)
        assert approx(ends[-1], c[i] + x[i] * math.cos(u1[i]) + y[i] * math.sin(u1[i]), 1e-9)
        for b in beziers:
            for q in bezier_at(b, np.linspace(0, 1, 9)):
                assert np.linalg.norm(ellipse - q, axis=1).min() < 1e-4


def test_bounds_of_beziers_reach_their_extremes():
    b = Bezier(((0.0, 0.0), (10.0, 20.0), (20.0, -20.0), (30.0, 0.0)))
    dense = bezier_at(b, np.linspace(0, 1, 100001))
    x0, y0, x1, y1 = views._bounds([b, Line((-1.0, 0.0), (0.0, 0.0))])
    assert (x0, x1) == (-1.0, 30.0)
    assert abs(y0 - dense[:, 1].min()) < 1e-6 and abs(y1 - dense[:, 1].max()) < 1e-6


def test_dropping_covered_curves_in_bounded_pieces(monkeypatch):
    circle = Arc((0.0, 0.0), 10.0, 0.0, 360.0)
    on = [Arc((0.0, 0.0), 10.0, 10.0 * k, 10.0 * k + 25.0) for k in range(30)]  # on the circle
    off = [Arc((0.0, 0.0), 10.5, 10.0 * k, 10.0 * k + 25.0) for k in range(30)]  # beside it
    candidates = on + off + [Line((0.0, 0.0), (1.0, 1.0))]
    whole = views._drop_covered(candidates, [circle], 0.01)
    assert whole == off + [Line((0.0, 0.0), (1.0, 1.0))]
    monkeypatch.setattr(views, "_PAIRS", 7)
    assert views._drop_covered(candidates, [circle], 0.01) == whole


def test_longest_views_start_first(monkeypatch):
    started = []
    exact = views._exact_view

    def run(shape, direction, up, tol):
        started.append(next(n for n, f in views.STANDARD.items() if f == (direction, up)))
        return exact(shape, direction, up, tol)

    monkeypatch.setattr(views, "_exact_view", run)
    project_views(box(), ["top", "right", "front", "iso"], time_budget_s=1.0, others={"section": (plate_with_hole(), "front")})
    assert started == ["front", "front", "iso", "right", "top"]  # the section (the other solid's front) first

"""Orthographic and isometric views of a solid as 2D drawing primitives, by ISO 128 line category.

A view is computed with OCCT's exact hidden-line removal (``HLRBRep_Algo``) and its result edges
are turned into straight lines, circular arcs and cubic Béziers in model millimetres, in view
coordinates (x to the right, y up; the drawing scale is applied later by the caller):

* ``visible``: sharp edges and silhouettes (outlines) that can be seen (ISO 128 01.2, wide);
* ``hidden``:  sharp edges and silhouettes that cannot be seen (02.1, dashed narrow);
* ``smooth``:  visible tangent (G1) edges, e.g. fillet boundaries (drawn narrow, or left out).

Sewn edges (seams) and isoparametric lines are left out. Coincident primitives are merged,
visible first: a hidden primitive lying on a visible or smooth one is dropped, and a smooth one
lying on a visible one too, so a plain box shows no hidden lines in its front view.

The exact algorithm can run for minutes on some models and cannot be interrupted, so in a
build (a part's worker process, techpack/workers.py) every view is computed under a time
budget kept by the main process: CPU time the worker spends on the view, so that whether a
view comes out exact does not depend on how busy the machine is, with at most twice the
budget in wall-clock time. When a view runs out of time the worker is killed and the part
done again with that view made by ``HLRBRep_PolyAlgo`` on a mesh of a copy of the solid
instead: ``View.exact`` is False, and curves are chains of mesh segments, except runs that
lie on a circle, which are refitted to arcs. Outside a worker (a script or a test calling
this directly) there is no budget. Call this from one thread at a time.

The HLR itself takes most of a view's time; what Python adds (turning edges into primitives,
merging them) works on all curves of a view at once with numpy where it can.

Dimensions and annotations must not be read from the HLR output (it has no link back to the
model): compute them on the B-rep and place them with ``View.project``, which maps a 3D point
exactly as the edges were mapped.

The HLR call sequence and the ``BuildCurves3d`` fix follow CadQuery's ``exportSVG`` and build123d's
``project_to_viewport`` (both Apache-2.0).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import cadquery as cq
import numpy as np
from OCP.Bnd import Bnd_Box
from OCP.BRepAdaptor import BRepAdaptor_Curve
from OCP.BRepBndLib import BRepBndLib
from OCP.BRepBuilderAPI import BRepBuilderAPI_Copy
from OCP.BRepLib import BRepLib
from OCP.BRepMesh import BRepMesh_IncrementalMesh
from OCP.GeomAbs import GeomAbs_BSplineCurve, GeomAbs_C1, GeomAbs_Circle, GeomAbs_Ellipse, GeomAbs_Line
from OCP.GeomConvert import GeomConvert_ApproxCurve, GeomConvert_BSplineCurveToBezierCurve
from OCP.gp import gp_Ax2, gp_Dir, gp_Pnt
from OCP.HLRAlgo import HLRAlgo_Projector
from OCP.HLRBRep import HLRBRep_Algo, HLRBRep_HLRToShape, HLRBRep_PolyAlgo, HLRBRep_PolyHLRToShape
from OCP.TopAbs import TopAbs_EDGE
from OCP.TopExp import TopExp, TopExp_Explorer
from OCP.TopoDS import TopoDS, TopoDS_Shape
from OCP.TopTools import TopTools_IndexedMapOfShape

from techpack import workers

log = logging.getLogger(__name__)

Point = tuple[float, float]
TWO_PI = 2.0 * math.pi


# --------------------------------------------------------------------------------------------
# Primitives and views


@dataclass(frozen=True)
class Line:
    a: Point
    b: Point


@dataclass(frozen=True)
class Arc:
    """A circular arc, counter-clockwise (in view coordinates) from start_deg to end_deg.

    start_deg is in [0, 360) and end_deg = start_deg + sweep with sweep in (0, 360], so
    ``end_deg - start_deg`` is always the positive extent; a full circle is 0..360."""

    centre: Point
    radius: float
    start_deg: float
    end_deg: float


@dataclass(frozen=True)
class Bezier:
    """A cubic Bézier: start point, two control points, end point."""

    points: tuple[Point, ...]


Primitive = Line | Arc | Bezier

# name -> (direction from the part towards the viewer, up). Screen x = up x direction, so the
# screen is right-handed: front shows +X right and +Z up, top +X right and +Y up, right +Y right
# and +Z up, left -Y right, rear -X right, bottom +X right and -Y up; iso looks from front-right-
# above with +Z up (its screen up is `up` made perpendicular to the direction).
STANDARD: dict[str, tuple[tuple[float, float, float], tuple[float, float, float]]] = {
    "front": ((0, -1, 0), (0, 0, 1)),
    "rear": ((0, 1, 0), (0, 0, 1)),
    "top": ((0, 0, 1), (0, 1, 0)),
    "bottom": ((0, 0, -1), (0, -1, 0)),
    "right": ((1, 0, 0), (0, 0, 1)),
    "left": ((-1, 0, 0), (0, 0, 1)),
    "iso": ((1, -1, 1), (0, 0, 1)),
}


def _basis(direction, up) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(screen right, screen up, towards the viewer) as orthonormal world vectors."""
    d = np.asarray(direction, dtype=float)
    d = d / np.linalg.norm(d)
    u = np.asarray(up, dtype=float)
    u = u - (u @ d) * d
    n = np.linalg.norm(u)
    if n < 1e-9:
        raise ValueError(f"view up {tuple(up)} is parallel to the view direction {tuple(direction)}")
    u = u / n
    return np.cross(u, d), u, d


@dataclass(frozen=True)
class View:
    name: str  # "front", "top", "right", "left", "bottom", "rear", "iso"
    direction: tuple[float, float, float]  # from the part towards the viewer, as in STANDARD
    up: tuple[float, float, float]  # as in STANDARD; the screen up is this made perpendicular to direction
    visible: tuple[Primitive, ...]  # sharp edges + silhouettes, visible (ISO 01.2 wide)
    hidden: tuple[Primitive, ...]  # sharp edges + silhouettes, hidden (02.1 dashed narrow)
    smooth: tuple[Primitive, ...]  # visible tangent edges (fillet boundaries), drawn narrow or omitted
    bounds: tuple[float, float, float, float]  # xmin, ymin, xmax, ymax of visible + hidden, mm
    exact: bool  # False when the polygonal fallback was used

    def project(self, point: tuple[float, float, float]) -> tuple[float, float]:
        """The view coordinates of a 3D point: the same mapping as the edges (origin at the
        world origin, x = screen right, y = screen up)."""
        right, up, _ = _basis(self.direction, self.up)
        p = np.asarray(point, dtype=float)
        return float(p @ right), float(p @ up)


# --------------------------------------------------------------------------------------------
# Public API


def project_view(solid: cq.Solid, name: str, time_budget_s: float = 5.0) -> View:
    """One standard view of `solid` (see STANDARD). The exact HLR gets `time_budget_s` seconds
    (of CPU time, in a build's worker; at most twice that in wall-clock time); after that the
    polygonal fallback is used (exact=False)."""
    return project_views(solid, [name], time_budget_s)[name]


def project_views(solid, names: Sequence[str], time_budget_s: float = 5.0, others: dict[str, tuple[object, object]] | None = None) -> dict[str, View]:
    """Several standard views of one solid, in the order of `names`, and views of other
    solids or directions: `others` maps a view name to (solid, standard view name), e.g. a
    section's cut solid seen from the front, or to (solid, (direction, up)), an auxiliary view. The
    exact HLR of the views runs one after another (longest first: the views of other solids, then
    front, iso, the side views, top), in a build each under its own budget (workers.guarded):
    `time_budget_s` seconds of the worker's CPU time, at most twice that in wall-clock time. A view
    whose exact HLR fails, or ran out of time (the part is then done again), falls back to the
    polygonal HLR on its own. A budget <= 0 goes straight to the fallback."""
    others = others or {}
    unknown = [n for n in list(names) + [std for _, std in others.values() if isinstance(std, str)] if n not in STANDARD]
    if unknown:
        raise ValueError(f"unknown view {unknown[0]!r}; expected one of {', '.join(STANDARD)}")
    todo = {n: (solid, n) for n in dict.fromkeys(names)} | dict(others)
    frames = {n: STANDARD[std] if isinstance(std, str) else std for n, (_, std) in todo.items()}  # (direction, up)
    shapes = {id(s): _topods(s) for s, _ in todo.values()}
    sizes = {k: _size(shape) for k, shape in shapes.items()}
    tols = {k: _tolerance(size) for k, size in sizes.items()}

    results: dict[str, tuple] = {}
    if time_budget_s > 0 and todo:
        # longest first: the children run a few at a time (one per CPU), so starting the
        # views that take longest (section, front, iso) first shortens the whole
        rank = {n: _EXPECTED_ORDER.index(std) if isinstance(std, str) else 1 for n, (_, std) in todo.items()}  # an auxiliary view: like iso
        order = sorted(todo, key=lambda n: rank[n] - (len(_EXPECTED_ORDER) if n in others and isinstance(todo[n][1], str) else 0))
        for n in order:
            k = id(todo[n][0])
            with workers.guarded("view", time_budget_s, f"view {n}") as exact:
                if not exact:  # a retry: its budget ran out the first time
                    continue
                t0 = time.perf_counter()
                try:
                    results[n] = _exact_view(shapes[k], *frames[n], tols[k])
                    log.info("view %s: exact in %.2f s", n, time.perf_counter() - t0)
                except Exception as exc:  # noqa: BLE001 - any OCCT failure means: use the fallback
                    log.warning("view %s: exact HLR failed (%s)", n, exc)

    views: dict[str, View] = {}
    meshed: dict[int, TopoDS_Shape] = {}
    for n, (s, _) in todo.items():
        direction, up = frames[n]
        got = results.get(n)
        if got is not None:
            views[n] = _view(n, direction, up, *got, exact=True)
            continue
        k = id(s)
        if k not in meshed:
            t0 = time.perf_counter()
            meshed[k] = _meshed_copy(shapes[k], sizes[k])
            log.debug("meshed %.3f s", time.perf_counter() - t0)
        t0 = time.perf_counter()
        prims = _finish(*_poly_primitives(meshed[k], direction, up, tols[k], sizes[k]), tols[k])
        log.info("view %s: polygonal fallback in %.2f s", n, time.perf_counter() - t0)
        views[n] = _view(n, direction, up, *prims, exact=False)
    return {n: views[n] for n in list(names) + list(others)}


# --------------------------------------------------------------------------------------------
# Exact and polygonal HLR


# standard views by how long their exact HLR takes, longest first (measured on the NIST CTC
# parts: the front view sees most hidden edges, the iso view has the most curves to convert);
# a view of another solid (a section) goes before all of them
_EXPECTED_ORDER = ("front", "iso", "rear", "right", "left", "top", "bottom")


def _topods(solid) -> TopoDS_Shape:
    shape = solid.wrapped if hasattr(solid, "wrapped") else solid
    if not isinstance(shape, TopoDS_Shape) or shape.IsNull():
        raise TypeError("project_view needs a CadQuery shape or a non-null TopoDS_Shape")
    return shape


def _size(shape: TopoDS_Shape) -> float:
    """The bounding-box diagonal of the shape, mm."""
    box = Bnd_Box()
    BRepBndLib.Add_s(shape, box, False)
    if box.IsVoid():
        return 1.0
    x0, y0, z0, x1, y1, z1 = box.Get()
    return max(math.dist((x0, y0, z0), (x1, y1, z1)), 1e-3)


def _tolerance(size: float) -> float:
    """Coincidence tolerance: 0.1 µm, or 1e-6 of the part size for parts above 100 mm."""
    return max(1e-4, 1e-6 * size)


def _projector(direction, up) -> HLRAlgo_Projector:
    right, _, d = _basis(direction, up)
    return HLRAlgo_Projector(gp_Ax2(gp_Pnt(0, 0, 0), gp_Dir(*d), gp_Dir(*right)))


def _exact_primitives(shape: TopoDS_Shape, direction, up, tol: float):
    """Exact HLR: (visible, hidden, smooth) primitives, not yet merged. Runs in the child."""
    algo = HLRBRep_Algo()
    algo.Add(shape, 0)
    algo.Projector(_projector(direction, up))
    algo.Update()
    algo.Hide()
    hlr = HLRBRep_HLRToShape(algo)
    closed = _Closed(shape, direction, up)  # not for outlines: a ball's is a whole circle
    visible = _convert(hlr.VCompound(), tol, closed) + _convert(hlr.OutLineVCompound(), tol)
    hidden = _convert(hlr.HCompound(), tol, closed) + _convert(hlr.OutLineHCompound(), tol)
    smooth = _convert(hlr.Rg1LineVCompound(), tol, closed)
    return visible, hidden, smooth


def _exact_view(shape: TopoDS_Shape, direction, up, tol: float):
    """The child's whole job: exact HLR, conversion and merging, and the view's bounds
    (visible, hidden, smooth, bounds), so that the parent only unpickles."""
    visible, hidden, smooth = _finish(*_exact_primitives(shape, direction, up, tol), tol)
    return visible, hidden, smooth, _bounds(list(visible) + list(hidden))


def _meshed_copy(shape: TopoDS_Shape, size: float) -> TopoDS_Shape:
    """A copy of the shape with a mesh fine enough for a drawing (the caller's shape keeps its
    own triangulation). Serial meshing: no worker threads in a process that forks later."""
    copy = BRepBuilderAPI_Copy(shape, True, False).Shape()
    BRepMesh_IncrementalMesh(copy, _deflection(size), False, 0.25, False)
    return copy


def _deflection(size: float) -> float:
    """Linear deflection of the fallback mesh: 2e-4 of the part size (0.2 mm for 1 m)."""
    return max(2e-4 * size, 1e-3)


def _poly_primitives(meshed: TopoDS_Shape, direction, up, tol: float, size: float):
    algo = HLRBRep_PolyAlgo(meshed)
    algo.Projector(_projector(direction, up))
    algo.Update()
    hlr = HLRBRep_PolyHLRToShape()
    hlr.Update(algo)
    visible = _convert(hlr.VCompound(), tol) + _convert(hlr.OutLineVCompound(), tol)
    hidden = _convert(hlr.HCompound(), tol) + _convert(hlr.OutLineHCompound(), tol)
    smooth = _convert(hlr.Rg1LineVCompound(), tol)
    deflection = _deflection(size)
    return tuple(_arcs_in_polylines(prims, tol, deflection) for prims in (visible, hidden, smooth))


def _arcs_in_polylines(prims: list[Primitive], tol: float, deflection: float) -> list[Primitive]:
    """Polygonal HLR gives every curve as mesh segments. Chain them, and replace runs of at
    least 3 segments whose points lie on a circle (within 1e-4 of its radius: mesh nodes lie on
    the true edges), each turning by at most 0.35 rad, by an Arc."""
    lines = [p for p in prims if isinstance(p, Line)]
    out: list[Primitive] = [p for p in prims if not isinstance(p, Line)]
    if len(lines) < 3:
        return prims

    def key(pt):
        return (round(pt[0] / tol), round(pt[1] / tol))

    ends: dict[tuple[int, int], list[int]] = {}
    for i, ln in enumerate(lines):
        ends.setdefault(key(ln.a), []).append(i)
        ends.setdefault(key(ln.b), []).append(i)
    used = [False] * len(lines)

    def walk(i: int, start) -> list:
        """Points of the chain that begins with line i at its end `start`."""
        pts = [start]
        while True:
            used[i] = True
            ln = lines[i]
            nxt = ln.b if key(ln.a) == key(pts[-1]) else ln.a
            pts.append(nxt)
            here = ends[key(nxt)]
            if len(here) != 2:
                return pts
            i = here[0] if here[1] == i else here[1]
            if used[i]:
                return pts

    chains = []
    for k, members in ends.items():  # open chains: from the nodes that are not simple joints
        if len(members) != 2:
            for i in members:
                if not used[i]:
                    ln = lines[i]
                    chains.append(walk(i, ln.a if key(ln.a) == k else ln.b))
    for i, ln in enumerate(lines):  # closed loops
        if not used[i]:
            chains.append(walk(i, ln.a))
    for pts in chains:
        out.extend(_chain_primitives(np.array(pts, dtype=float), tol, deflection))
    return out


def _chain_primitives(pts: np.ndarray, tol: float, deflection: float) -> list[Primitive]:
    """One chain of mesh segments as lines and arcs: runs of consecutive point triples with the
    same circumcircle (vectorised), each confirmed by a circle fit through all its points."""
    n = len(pts)
    if n < 4:
        return [p for k in range(n - 1) for p in _line(pts[k], pts[k + 1])]
    a = pts[:-2] - pts[1:-1]
    c = pts[2:] - pts[1:-1]
    cross = a[:, 0] * c[:, 1] - a[:, 1] * c[:, 0]
    aa, cc = (a * a).sum(axis=1), (c * c).sum(axis=1)
    with np.errstate(all="ignore"):  # collinear triples: infinite radius, not an arc
        ux = (c[:, 1] * aa - a[:, 1] * cc) / (2 * cross)
        uy = (a[:, 0] * cc - c[:, 0] * aa) / (2 * cross)
        centre = pts[1:-1] + np.column_stack([ux, uy])
        radius = np.hypot(ux, uy)
        # turning angle at the middle point: mesh segments turn by at most the angular
        # deflection (0.25 rad) and stray at most the linear deflection from the curve
        turn = np.abs(np.pi - np.arccos(np.clip((a * c).sum(axis=1) / np.sqrt(aa * cc + 1e-300), -1, 1)))
        chord = np.sqrt(np.maximum(aa, cc))
        sag = radius - np.sqrt(np.maximum(radius**2 - chord**2 / 4, 0))
        ok = np.isfinite(radius) & (turn > 1e-6) & (turn <= 0.35) & (sag <= 1.5 * deflection + tol)
    side = np.sign(cross)

    out: list[Primitive] = []
    done = 0  # points before this one are emitted
    t = 0
    while t < len(ok):
        if not ok[t]:
            t += 1
            continue
        gap = max(10 * tol, 1e-3 * radius[t])
        m = t
        while (
            m + 1 < len(ok)
            and ok[m + 1]
            and side[m + 1] == side[t]
            and abs(radius[m + 1] - radius[t]) <= gap
            and np.linalg.norm(centre[m + 1] - centre[t]) <= gap
        ):
            m += 1
        i, j = max(t, done), m + 2  # points of the triples t..m
        if j - i >= 3:
            arc = _fitted_arc(pts[i : j + 1], lambda r: max(tol, 1e-4 * r), max_step=0.35, max_sagitta=1.5 * deflection + tol)
            if arc:
                out.extend(p for k in range(done, i) for p in _line(pts[k], pts[k + 1]))
                out.extend(arc)
                done = j
        t = m + 1
    out.extend(p for k in range(done, n - 1) for p in _line(pts[k], pts[k + 1]))
    return out


def _view(name, direction, up, visible, hidden, smooth, bounds=None, exact: bool = True) -> View:
    return View(
        name=name,
        direction=tuple(float(v) for v in direction),
        up=tuple(float(v) for v in up),
        visible=tuple(visible),
        hidden=tuple(hidden),
        smooth=tuple(smooth),
        bounds=_bounds(list(visible) + list(hidden)) if bounds is None else bounds,
        exact=exact,
    )


# --------------------------------------------------------------------------------------------
# Edges to primitives


def _edges(compound: TopoDS_Shape):
    if compound is None or compound.IsNull():
        return
    BRepLib.BuildCurves3d_s(compound, 1e-6)  # HLR edges carry 2D curves only: segfaults otherwise
    exp = TopExp_Explorer(compound, TopAbs_EDGE)
    while exp.More():
        yield TopoDS.Edge_s(exp.Current())
        exp.Next()


def _convert(compound: TopoDS_Shape, tol: float, closed: _Closed | None = None) -> list[Primitive]:
    """The edges of an HLR compound as primitives, in their order. With `closed` (see
    _closed_conics), a closed conic that no closed edge of the model projects to is dropped
    (see _bogus_closed). Lines and circles are converted one by one; the other curves are
    sampled and tested for straightness all at once (see _curves_primitives)."""
    slots: list[list[Primitive]] = []
    curves: list[_Curve] = []
    for edge in _edges(compound):
        try:
            curve = BRepAdaptor_Curve(edge)
            kind = curve.GetType()
            if closed is not None and kind in (GeomAbs_Circle, GeomAbs_Ellipse) and _bogus_closed(curve, closed.get(), tol):
                continue
            if kind == GeomAbs_Line or kind == GeomAbs_Circle:
                slots.append(_edge_primitives(curve, tol, kind))
            else:
                curves.append(_Curve(curve, kind, len(slots)))
                slots.append([])
        except Exception as exc:  # noqa: BLE001 - one odd edge must not lose the view
            log.debug("edge skipped: %s", exc)
    for c, prims in zip(curves, _curves_primitives(curves, tol)):
        slots[c.slot] = prims
    return [p for slot in slots for p in slot]


class _Closed:
    """_closed_conics of a shape seen in one view, found when first needed: only a whole
    circle or ellipse in the HLR output needs them, and many views have none."""

    def __init__(self, shape: TopoDS_Shape, direction, up):
        self.args = (shape, direction, up)
        self.found: tuple[np.ndarray, np.ndarray] | None = None

    def get(self) -> tuple[np.ndarray, np.ndarray]:
        if self.found is None:
            self.found = _closed_conics(*self.args)
        return self.found


def _closed_conics(shape: TopoDS_Shape, direction, up) -> tuple[np.ndarray, np.ndarray]:
    """(projected centres, radii or 0 for an ellipse) of the closed circle and ellipse edges of
    the model: the only edges whose projection may be a whole ellipse or circle."""
    right, screen_up, _ = _basis(direction, up)
    edges = TopTools_IndexedMapOfShape()
    TopExp.MapShapes_s(shape, TopAbs_EDGE, edges)
    centres, radii = [], []
    for i in range(1, edges.Extent() + 1):
        curve = BRepAdaptor_Curve(TopoDS.Edge_s(edges.FindKey(i)))
        kind = curve.GetType()
        if kind in (GeomAbs_Circle, GeomAbs_Ellipse) and curve.LastParameter() - curve.FirstParameter() >= TWO_PI - 1e-7:
            conic = curve.Circle() if kind == GeomAbs_Circle else curve.Ellipse()
            centres.append(conic.Location().Coord())
            radii.append(conic.Radius() if kind == GeomAbs_Circle else 0.0)
    c = np.array(centres, dtype=float).reshape(-1, 3)
    return np.column_stack([c @ right, c @ screen_up]), np.array(radii, dtype=float)


def _bogus_closed(curve: BRepAdaptor_Curve, closed: tuple[np.ndarray, np.ndarray], tol: float) -> bool:
    """True for a whole circle or ellipse from the exact HLR that no closed model edge projects
    to. HLR makes these for a zero-length piece of an arc at the curve's seam: its edge builder
    turns equal end parameters into a full period (seen on the sphere corners of NIST CTC 02)."""
    kind = curve.GetType()
    if kind not in (GeomAbs_Circle, GeomAbs_Ellipse):
        return False
    if curve.LastParameter() - curve.FirstParameter() < TWO_PI - 1e-7:
        return False
    conic = curve.Circle() if kind == GeomAbs_Circle else curve.Ellipse()
    centre = np.array(_pt(conic.Location()))
    radius = conic.Radius() if kind == GeomAbs_Circle else conic.MajorRadius()
    gap = max(10 * tol, 1e-6 * radius)
    centres, radii = closed
    near = (np.linalg.norm(centres - centre, axis=1) <= gap) & ((radii == 0.0) | (np.abs(radii - radius) <= gap))
    return not near.any()


def _pt(p) -> Point:
    return (float(p.X()), float(p.Y()))


def _line(a, b) -> list[Primitive]:
    a, b = (float(a[0]), float(a[1])), (float(b[0]), float(b[1]))
    return [Line(a, b)] if math.dist(a, b) >= 1e-6 else []


class _Curve:
    """An HLR edge that is neither a line nor a circle, and the parameters to sample it at:
    33 equal steps (4 per pole of a B-spline, 33 to 401), or for a degree-1 B-spline its ends
    and knots (its corners)."""

    __slots__ = ("curve", "kind", "slot", "u0", "u1", "us", "spline", "ellipse", "pts")

    def __init__(self, curve: BRepAdaptor_Curve, kind, slot: int):
        self.curve, self.kind, self.slot = curve, kind, slot
        self.u0, self.u1 = u0, u1 = curve.FirstParameter(), curve.LastParameter()
        self.spline = None
        self.ellipse: tuple[float, ...] | None = None  # (major, minor radius, x axis, y axis, centre)
        self.pts: np.ndarray | None = None
        n = 33
        if kind == GeomAbs_BSplineCurve:
            self.spline = spline = curve.BSpline()
            if spline.Degree() == 1:
                knots = [spline.Knot(i) for i in range(1, spline.NbKnots() + 1)]
                self.us = np.array([u0] + [k for k in knots if u0 + 1e-12 < k < u1 - 1e-12] + [u1])
                return
            n = min(401, max(33, 4 * spline.NbPoles() + 1))
        self.us = np.linspace(u0, u1, n)

    @property
    def polyline(self) -> bool:
        return self.spline is not None and self.spline.Degree() == 1


def _edge_primitives(curve: BRepAdaptor_Curve, tol: float, kind=None) -> list[Primitive]:
    """One edge's curve as primitives."""
    if kind is None:
        kind = curve.GetType()
    u0, u1 = curve.FirstParameter(), curve.LastParameter()
    if kind == GeomAbs_Line:
        return _line(_pt(curve.Value(u0)), _pt(curve.Value(u1)))
    if kind == GeomAbs_Circle:
        return _circle_arc(curve, u0, u1, tol)
    return _curves_primitives([_Curve(curve, kind, 0)], tol)[0]


def _curves_primitives(curves: list[_Curve], tol: float) -> list[list[Primitive]]:
    """Each curve as primitives: nothing if it has no length, a Line if its sample points lie
    on one within tol (a circle seen edge-on, say), else an arc or Béziers (_curve_primitives).
    The sampling and the straightness test run on all curves at once (numpy)."""
    _sample_all(curves)
    done = [c for c in curves if c.pts is not None]
    out: dict[int, list[Primitive]] = {}
    if done:
        counts = np.array([len(c.pts) for c in done])
        pts = np.vstack([c.pts for c in done])
        starts = np.cumsum(counts) - counts
        owner = np.repeat(np.arange(len(done)), counts)
        steps = np.linalg.norm(np.diff(pts, axis=0), axis=1)
        steps[(starts + counts - 1)[:-1]] = 0.0  # from one curve's last point to the next's first
        length = np.add.reduceat(np.append(steps, 0.0), starts)
        # the best-fit line through each curve's points (principal axis, in closed form)
        mean = np.add.reduceat(pts, starts) / counts[:, None]
        cx, cy = (pts - mean[owner]).T
        half = 0.5 * np.arctan2(2.0 * np.add.reduceat(cx * cy, starts), np.add.reduceat(cx * cx, starts) - np.add.reduceat(cy * cy, starts))
        dx, dy = np.cos(half), np.sin(half)
        off = np.maximum.reduceat(np.abs(cy * dx[owner] - cx * dy[owner]), starts)
        t = cx * dx[owner] + cy * dy[owner]
        t0, t1 = np.minimum.reduceat(t, starts), np.maximum.reduceat(t, starts)
        ellipses = []  # the ellipses that stay ellipses: as Béziers, all at once
        for i, c in enumerate(done):
            try:
                if length[i] < 1e-6:
                    out[c.slot] = []
                elif off[i] <= tol:  # both ends exactly on the fitted line
                    m, d = mean[i], (dx[i], dy[i])
                    out[c.slot] = _line((m[0] + t0[i] * d[0], m[1] + t0[i] * d[1]), (m[0] + t1[i] * d[0], m[1] + t1[i] * d[1]))
                elif c.ellipse is not None and c.ellipse[0] - c.ellipse[1] >= tol:
                    ellipses.append(c)
                else:
                    out[c.slot] = _curve_primitives(c, tol)
            except Exception as exc:  # noqa: BLE001 - one odd edge must not lose the view
                log.debug("edge skipped: %s", exc)
        if ellipses:
            e = np.array([c.ellipse for c in ellipses])
            u0, u1 = np.array([c.u0 for c in ellipses]), np.array([c.u1 for c in ellipses])
            for c, beziers in zip(ellipses, _ellipse_beziers(e[:, 6:8], e[:, 2:4] * e[:, 0:1], e[:, 4:6] * e[:, 1:2], u0, u1)):
                out[c.slot] = beziers
    return [out.get(c.slot, []) for c in curves]


def _curve_primitives(c: _Curve, tol: float) -> list[Primitive]:
    """A curve that is not straight, from its sample points: a degree-1 B-spline refitted (see
    below), an ellipse as Béziers (an arc if it is a circle), another curve as an arc if it
    lies on one, else as Béziers."""
    pts = c.pts
    if c.polyline:
        # HLR makes degree-1 B-splines for conics it does not project analytically (3D
        # ellipses, circles seen edge-on): 15 points of the true curve joined by straight
        # segments. Refit them: a circle or an ellipse through the points, else the segments.
        if len(pts) >= 5:
            arc = _fitted_arc(pts, lambda r: tol)
            if arc:
                return arc
        if len(pts) >= 6:
            ell = _fitted_ellipse(pts, tol)
            if ell:
                return ell
        return [p for i in range(len(pts) - 1) for p in _line(pts[i], pts[i + 1])]
    if c.kind == GeomAbs_Ellipse:  # nearly a circle (the others are done all at once)
        return _fitted_arc(pts, None, force=True)
    # HLR gives the silhouettes of tori and spheres as approximating B-splines, within 2e-4
    # of the radius of the true circle
    arc = _fitted_arc(pts, lambda r: max(tol, 2e-4 * r))
    if arc:
        return arc
    return _spline_beziers(c.curve, c.u0, c.u1, c.kind, tol, pts, c.spline)


def _sample_all(curves: list[_Curve]) -> None:
    """Set each curve's pts (x, y at its parameters us): ellipses all at once (as OCCT's
    ElCLib::EllipseValue computes them), non-periodic B-splines all at once per degree (de
    Boor's algorithm), any other curve point by point. A curve that fails keeps pts None."""
    ellipses, splines = [], {}
    for c in curves:
        try:
            if c.kind == GeomAbs_Ellipse:
                el = c.curve.Ellipse()
                pos = el.Position()
                x, y, o = pos.XDirection(), pos.YDirection(), el.Location()
                c.ellipse = (el.MajorRadius(), el.MinorRadius(), x.X(), x.Y(), y.X(), y.Y(), o.X(), o.Y())
                ellipses.append((c, c.ellipse))
            elif c.spline is not None and not c.spline.IsPeriodic():
                splines.setdefault(c.spline.Degree(), []).append((c, _spline_data(c.spline)))
            else:
                c.pts = np.array([_pt(c.curve.Value(u)) for u in c.us])
        except Exception as exc:  # noqa: BLE001 - one odd edge must not lose the view
            log.debug("edge skipped: %s", exc)
    if ellipses:
        e = np.array([v for _, v in ellipses])
        us = np.array([c.us for c, _ in ellipses])  # all 33 parameters
        a1 = e[:, 0:1] * np.cos(us)
        a2 = e[:, 1:2] * np.sin(us)
        xy = np.stack([a1 * e[:, 2:3] + a2 * e[:, 4:5] + e[:, 6:7], a1 * e[:, 3:4] + a2 * e[:, 5:6] + e[:, 7:8]], axis=2)
        for (c, _), pts in zip(ellipses, xy):
            c.pts = pts
    for p, group in splines.items():
        try:
            _bspline_points(p, group)
        except Exception as exc:  # noqa: BLE001 - then point by point
            log.debug("B-splines of degree %d sampled point by point: %s", p, exc)
            for c, _ in group:
                try:
                    c.pts = np.array([_pt(c.curve.Value(u)) for u in c.us])
                except Exception as exc:  # noqa: BLE001 - one odd edge must not lose the view
                    log.debug("edge skipped: %s", exc)


def _spline_data(spline) -> tuple[np.ndarray, np.ndarray]:
    """A B-spline's poles in homogeneous coordinates (x w, y w, w) and its knots, each
    repeated by its multiplicity."""
    poles = spline.Poles()
    pts = [poles.Value(i) for i in range(poles.Lower(), poles.Upper() + 1)]
    if spline.IsRational():
        w = spline.Weights()
        ctrl = np.array([(q.X() * wi, q.Y() * wi, wi) for q, wi in zip(pts, (w.Value(i) for i in range(w.Lower(), w.Upper() + 1)))])
    else:
        ctrl = np.array([(q.X(), q.Y(), 1.0) for q in pts])
    flat = spline.KnotSequence()
    knots = np.array([flat.Value(i) for i in range(flat.Lower(), flat.Upper() + 1)])
    if len(knots) != len(ctrl) + spline.Degree() + 1:
        raise ValueError("unexpected knot sequence")
    return ctrl, knots


def _bspline_points(p: int, group: list[tuple[_Curve, tuple[np.ndarray, np.ndarray]]]) -> None:
    """Set pts of each curve of a group of non-periodic B-splines of degree p, by de Boor's
    algorithm on all their parameters at once."""
    ctrl = np.vstack([d[0] for _, d in group])
    if (ctrl[:, 2] == 1.0).all():  # not rational: no need to carry the weights
        ctrl = ctrl[:, :2]
    knots = np.concatenate([d[1] for _, d in group])
    us = np.concatenate([c.us for c, _ in group])
    spans = []
    pole0 = knot0 = 0
    for c, (cc, kk) in group:  # each parameter's knot span, in the concatenated arrays
        k = np.clip(np.searchsorted(kk, c.us, side="right") - 1, p, len(cc) - 1)
        spans.append((k + knot0, k - p + pole0))
        pole0 += len(cc)
        knot0 += len(kk)
    span = np.concatenate([k for k, _ in spans])  # index into knots of each u's span start
    first = np.concatenate([f for _, f in spans])  # index into ctrl of each u's first pole
    j = np.arange(p + 1)[None, :]
    d = ctrl[first[:, None] + j]  # (len(us), p + 1, 2 or 3)
    ks = span[:, None] - p + j  # the knot index that goes with each of them
    u = us[:, None]
    for r in range(1, p + 1):  # all j = r..p of one level at once, from the previous level
        lo = knots[ks[:, r:]]
        alpha = ((u - lo) / (knots[ks[:, r:] + p - r + 1] - lo))[:, :, None]
        d[:, r:] = (1.0 - alpha) * d[:, r - 1 : p] + alpha * d[:, r:]
    xy = d[:, p] if ctrl.shape[1] == 2 else d[:, p, :2] / d[:, p, 2:]
    at = 0
    for c, _ in group:
        c.pts = xy[at : at + len(c.us)]
        at += len(c.us)


def _fitted_ellipse(pts: np.ndarray, tol: float) -> list[Primitive]:
    """Béziers along the ellipse through the points if they lie on one within tol."""
    mean = pts.mean(axis=0)
    scale = float(np.sqrt(((pts - mean) ** 2).sum(axis=1).mean())) or 1.0
    q = (pts - mean) / scale
    x, y = q[:, 0], q[:, 1]
    design = np.column_stack([x * x, x * y, y * y, x, y, np.ones_like(x)])
    a, b, c, d, e, f = np.linalg.svd(design)[2][-1]
    if 4 * a * c - b * b <= 1e-12:
        return []  # not an ellipse
    try:
        x0, y0 = np.linalg.solve([[2 * a, b], [b, 2 * c]], [-d, -e])
    except np.linalg.LinAlgError:
        return []
    f0 = f + (d * x0 + e * y0) / 2  # the conic's value at its centre
    evals, evecs = np.linalg.eigh([[a, b / 2], [b / 2, c]])
    if f0 == 0 or np.any(-f0 / evals <= 0):
        return []
    semi = np.sqrt(-f0 / evals) * scale  # the semi-axes along evecs[:, 0] and evecs[:, 1]
    major, minor = evecs[:, 0], evecs[:, 1]
    if major[0] * minor[1] - major[1] * minor[0] < 0:
        minor = -minor
    centre = mean + np.array([x0, y0]) * scale
    rel = pts - centre
    t = np.unwrap(np.arctan2((rel @ minor) / semi[1], (rel @ major) / semi[0]))
    steps = np.diff(t)
    if not (np.all(steps > 0) or np.all(steps < 0)):
        return []
    on = centre + np.outer(np.cos(t), major * semi[0]) + np.outer(np.sin(t), minor * semi[1])
    if np.linalg.norm(on - pts, axis=1).max() > tol:
        return []
    return _ellipse_beziers(centre[None], (major * semi[0])[None], (minor * semi[1])[None], t[:1], t[-1:])[0]


def _circle_arc(curve: BRepAdaptor_Curve, u0: float, u1: float, tol: float) -> list[Primitive]:
    circ = curve.Circle()
    r = circ.Radius()
    span = u1 - u0
    if r < tol or r * span < 1e-6:
        return []
    c = _pt(circ.Location())
    if span >= TWO_PI - 1e-9:
        return [Arc(c, float(r), 0.0, 360.0)]
    ccw = circ.Axis().Direction().Z() > 0  # the parameter runs counter-clockwise on screen
    p = _pt(curve.Value(u0 if ccw else u1))
    start = math.degrees(math.atan2(p[1] - c[1], p[0] - c[0])) % 360.0
    return [Arc(c, float(r), start, start + math.degrees(span))]


def _fitted_arc(
    pts: np.ndarray, tol, force: bool = False, max_step: float = TWO_PI, max_sagitta: float = math.inf
) -> list[Primitive]:
    """An Arc through the points if they lie on a circle within tol(radius) (or anyway if
    force), going from the first point to the last; consecutive points at most max_step
    radians apart, and their chords at most max_sagitta from the arc."""
    mean = pts.mean(axis=0)
    q = pts - mean
    a = np.column_stack([q[:, 0], q[:, 1], np.ones(len(q))])
    rhs = (q**2).sum(axis=1)
    try:
        (bx, by, c), *_ = np.linalg.lstsq(a, rhs, rcond=None)
    except np.linalg.LinAlgError:
        return []
    cx, cy = bx / 2, by / 2
    r2 = c + cx * cx + cy * cy
    if r2 <= 0:
        return []
    r = math.sqrt(r2)
    dist = np.hypot(q[:, 0] - cx, q[:, 1] - cy)
    # the tolerance grows with the radius but not beyond the size of the points: a nearly
    # straight run fits a huge circle and must not pass on that account
    extent = float(np.linalg.norm(q.max(axis=0) - q.min(axis=0)))
    if r < 1e-6 or not force and np.abs(dist - r).max() > tol(min(r, extent)):
        return []
    centre = (float(cx + mean[0]), float(cy + mean[1]))
    ang = np.unwrap(np.arctan2(q[:, 1] - cy, q[:, 0] - cx))
    steps = np.diff(ang)
    if not (np.all(steps >= -1e-12) or np.all(steps <= 1e-12)):
        return []  # not monotonic: not a simple arc
    big = float(np.abs(steps).max())
    if big > max_step or r * (1 - math.cos(big / 2)) > max_sagitta:
        return []
    total = float(ang[-1] - ang[0])
    if abs(total) >= TWO_PI - 1e-6:
        return [Arc(centre, r, 0.0, 360.0)]
    if abs(total) * r < 1e-6:
        return []
    start = ang[0] if total > 0 else ang[-1]
    s = math.degrees(start) % 360.0
    return [Arc(centre, r, s, s + math.degrees(abs(total)))]


def _cubic(p0, p1, p2, p3) -> Bezier:
    return Bezier(tuple((float(p[0]), float(p[1])) for p in (p0, p1, p2, p3)))


def _ellipse_beziers(c: np.ndarray, x: np.ndarray, y: np.ndarray, u0: np.ndarray, u1: np.ndarray) -> list[list[Primitive]]:
    """Each ellipse c + x cos(u) + y sin(u), u from u0 to u1 (either way), as cubic Béziers of at
    most 45° of parameter each: the affine image of the usual circle approximation, so within
    4.2e-6 of the major radius. All ellipses at once: c, x, y are (n, 2), u0 and u1 (n,)."""
    n = np.maximum(1, np.ceil(np.abs(u1 - u0) / (math.pi / 4) - 1e-9)).astype(np.int64)
    owner = np.repeat(np.arange(len(n)), n)
    i = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    start, span, pieces = u0[owner], (u1 - u0)[owner], n[owner]
    t0 = start + span * i / pieces
    t1 = start + span * (i + 1) / pieces
    k = (4.0 / 3.0 * np.tan((t1 - t0) / 4))[:, None]
    cos0, sin0, cos1, sin1 = (f(t)[:, None] for t in (t0, t1) for f in (np.cos, np.sin))
    cs, xs, ys = c[owner], x[owner], y[owner]
    p0 = cs + xs * cos0 + ys * sin0
    p3 = cs + xs * cos1 + ys * sin1
    d0 = -xs * sin0 + ys * cos0
    d1 = -xs * sin1 + ys * cos1
    poles = np.stack([p0, p0 + k * d0, p3 - k * d1, p3], axis=1).tolist()
    out: list[list[Primitive]] = [[] for _ in n]
    for e, q in zip(owner.tolist(), poles):
        out[e].append(Bezier((tuple(q[0]), tuple(q[1]), tuple(q[2]), tuple(q[3]))))
    return out


def _spline_beziers(curve: BRepAdaptor_Curve, u0, u1, kind, tol: float, pts: np.ndarray, spline=None) -> list[Primitive]:
    """A B-spline (or any other curve) as cubic Béziers: exact for a non-rational B-spline of
    degree <= 3, otherwise through a C1 cubic approximation within 10 tol."""
    bs = None
    if kind == GeomAbs_BSplineCurve:
        spline = spline if spline is not None else curve.BSpline()
        if not spline.IsRational() and spline.Degree() <= 3:
            bs, a, b = spline, u0, u1
    if bs is None:
        approx = GeomConvert_ApproxCurve(curve, 10 * tol, GeomAbs_C1, 200, 3)
        if approx.HasResult():
            bs = approx.Curve()
            a, b = bs.FirstParameter(), bs.LastParameter()
    if bs is None:  # give up on curves: the sampled points as lines
        return [p for i in range(len(pts) - 1) for p in _line(pts[i], pts[i + 1])]
    conv = GeomConvert_BSplineCurveToBezierCurve(bs, a, b, 1e-12)
    out: list[Primitive] = []
    for i in range(1, conv.NbArcs() + 1):
        arc = conv.Arc(i)
        poles = [np.array(_pt(arc.Pole(j))) for j in range(1, arc.NbPoles() + 1)]
        if arc.Degree() == 1:
            out.extend(_line(poles[0], poles[1]))
        elif arc.Degree() == 2:
            p0, p1, p2 = poles
            out.append(_cubic(p0, p0 + 2 / 3 * (p1 - p0), p2 + 2 / 3 * (p1 - p2), p2))
        else:
            if math.dist(poles[0], poles[3]) < 1e-6 and max(math.dist(poles[0], p) for p in poles) < 1e-6:
                continue
            out.append(_cubic(*poles))
    return out


# --------------------------------------------------------------------------------------------
# Merging coincident primitives, visible first

VIS, SMOOTH, HID = 0, 1, 2


def _finish(visible, hidden, smooth, tol: float):
    """Merge collinear lines and concentric arcs of one category, drop what a higher category
    (visible, then smooth, then hidden) already covers. Returns (visible, hidden, smooth)."""
    cats = ([], [], [])
    lines = [(cat, p) for cat, prims in ((VIS, visible), (SMOOTH, smooth), (HID, hidden)) for p in prims if isinstance(p, Line)]
    arcs = [(cat, p) for cat, prims in ((VIS, visible), (SMOOTH, smooth), (HID, hidden)) for p in prims if isinstance(p, Arc)]
    size = _extent(list(visible) + list(hidden) + list(smooth))
    for cat, p in _merge_lines(lines, tol, size):
        cats[cat].append(p)
    for cat, p in _merge_arcs(arcs, tol):
        cats[cat].append(p)
    seen = set()
    for cat, prims in ((VIS, visible), (SMOOTH, smooth), (HID, hidden)):
        for p in prims:
            if isinstance(p, Bezier):
                key = tuple(round(c, 6) for pt in p.points for c in pt)
                rkey = key[6:8] + key[4:6] + key[2:4] + key[0:2]  # the same points reversed
                if key in seen or rkey in seen:
                    continue
                seen.add(key)
                cats[cat].append(p)
    vis, smo, hid = cats
    if any(isinstance(p, Bezier) for c in cats for p in c):
        tol_b = 25 * tol  # Béziers are approximations within 10 tol
        vis_seg = _segments(vis, tol_b)
        smo = _drop_covered(smo, vis, tol_b, vis_seg)
        hid = _drop_covered(hid, vis + smo, tol_b, np.vstack([vis_seg, _segments(smo, tol_b)]))
    return tuple(sorted(map(_rounded, c), key=_sort_key) for c in (vis, hid, smo))


def _r(v: float) -> float:
    return round(float(v), 9) + 0.0  # 1 nm; + 0.0 turns -0.0 into 0.0


def _rounded(p: Primitive) -> Primitive:
    """p with coordinates rounded to 1 nm (no float noise such as 5e-16 for 0 in the output),
    a line from its lower-left end."""
    if isinstance(p, Line):
        a, b = (_r(p.a[0]), _r(p.a[1])), (_r(p.b[0]), _r(p.b[1]))
        return Line(a, b) if a <= b else Line(b, a)
    if isinstance(p, Arc):
        return Arc((_r(p.centre[0]), _r(p.centre[1])), _r(p.radius), _r(p.start_deg), _r(p.end_deg))
    return Bezier(tuple((_r(x), _r(y)) for x, y in p.points))


def _sort_key(p: Primitive):
    if isinstance(p, Line):
        return (0, p.a, p.b)
    if isinstance(p, Arc):
        return (1, p.centre, (p.radius, p.start_deg))
    return (2, p.points[0], p.points[-1])


def _extent(prims) -> float:
    """The diagonal of a box around the primitives (control points for Béziers), at least 1."""
    pts = []
    for p in prims:
        if isinstance(p, Line):
            pts += [p.a, p.b]
        elif isinstance(p, Arc):
            pts += [(p.centre[0] - p.radius, p.centre[1] - p.radius), (p.centre[0] + p.radius, p.centre[1] + p.radius)]
        else:
            pts += p.points
    if not pts:
        return 1.0
    arr = np.array(pts)
    return max(float(np.linalg.norm(arr.max(axis=0) - arr.min(axis=0))), 1.0)


def _clusters(values: np.ndarray, gap: float) -> list[np.ndarray]:
    """Indices of `values` grouped where sorted neighbours are within `gap`."""
    order = np.argsort(values, kind="stable")
    if len(order) == 0:
        return []
    breaks = np.nonzero(np.diff(values[order]) > gap)[0] + 1
    return np.split(order, breaks)


def _union(intervals: list[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1] + gap:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _subtract(intervals, cover, gap: float) -> list[tuple[float, float]]:
    """Parts of sorted disjoint `intervals` outside sorted disjoint `cover` longer than gap."""
    out = []
    for s, e in intervals:
        cur = s
        for cs, ce in cover:
            if ce < cur or cs > e:
                continue
            if cs - cur > gap:
                out.append((cur, cs))
            cur = max(cur, ce)
        if e - cur > gap:
            out.append((cur, e))
    return out


def _layer(intervals_by_cat: dict[int, list], gap: float) -> dict[int, list[tuple[float, float]]]:
    """Union per category, minus every higher category."""
    result = {}
    cover: list[tuple[float, float]] = []
    for cat in (VIS, SMOOTH, HID):
        mine = _subtract(_union(intervals_by_cat.get(cat, []), gap), cover, gap)
        result[cat] = mine
        cover = _union(cover + mine, gap)
    return result


def _merge_lines(lines, tol: float, size: float):
    if not lines:
        return []
    a = np.array([p.a for _, p in lines])
    b = np.array([p.b for _, p in lines])
    d = b - a
    d /= np.linalg.norm(d, axis=1)[:, None]
    flip = (d[:, 1] < 0) | ((d[:, 1] == 0) & (d[:, 0] < 0))
    d[flip] *= -1
    theta = np.arctan2(d[:, 1], d[:, 0])  # [0, pi]
    ang_tol = tol / size
    wrap = theta > math.pi - ang_tol
    theta[wrap] -= math.pi
    d[wrap] *= -1
    out = []
    for group in _clusters(theta, ang_tol):
        if len(group) == 1:  # most lines of a polygonal view: nothing to merge with
            out.append(lines[group[0]])
            continue
        dref = d[group].mean(axis=0)
        dref /= np.linalg.norm(dref)
        n = np.array([-dref[1], dref[0]])
        c = a[group] @ n
        for sub in _clusters(c, tol):
            idx = group[sub]
            if len(idx) == 1:
                out.append(lines[idx[0]])
                continue
            cm = float(c[sub].mean())
            ta, tb = a[idx] @ dref, b[idx] @ dref
            by_cat: dict[int, list] = {}
            for k, i in enumerate(idx):
                by_cat.setdefault(lines[i][0], []).append((min(ta[k], tb[k]), max(ta[k], tb[k])))
            for cat, ivs in _layer(by_cat, tol).items():
                for s, e in ivs:
                    out.extend((cat, p) for p in _line(cm * n + s * dref, cm * n + e * dref))
    return out


def _merge_arcs(arcs, tol: float):
    if not arcs:
        return []
    out = []
    r = np.array([p.radius for _, p in arcs])
    for group in _clusters(r, tol):
        centres: list[tuple[np.ndarray, list[int]]] = []
        for i in group:
            c = np.array(arcs[i][1].centre)
            for cc, members in centres:
                if np.linalg.norm(cc - c) <= tol:
                    members.append(i)
                    break
            else:
                centres.append((c, [i]))
        for _, members in centres:
            centre = np.mean([arcs[i][1].centre for i in members], axis=0)
            radius = float(np.mean([arcs[i][1].radius for i in members]))
            gap = tol / radius
            by_cat: dict[int, list] = {}
            for i in members:
                p = arcs[i][1]
                s = math.radians(p.start_deg) % TWO_PI
                e = s + math.radians(p.end_deg - p.start_deg)
                ivs = by_cat.setdefault(arcs[i][0], [])
                if e <= TWO_PI:
                    ivs.append((s, e))
                else:
                    ivs += [(s, TWO_PI), (0.0, e - TWO_PI)]
            for cat, ivs in _layer(by_cat, gap).items():
                out.extend((cat, p) for p in _arcs_from_intervals(centre, radius, ivs, gap))
    return out


def _arcs_from_intervals(centre, radius, ivs, gap) -> list[Arc]:
    c = (float(centre[0]), float(centre[1]))
    if not ivs:
        return []
    if len(ivs) == 1 and ivs[0][0] <= gap and ivs[0][1] >= TWO_PI - gap:
        return [Arc(c, radius, 0.0, 360.0)]
    ivs = list(ivs)
    if len(ivs) > 1 and ivs[0][0] <= gap and ivs[-1][1] >= TWO_PI - gap:  # join across 0°
        first = ivs.pop(0)
        last = ivs.pop()
        ivs.append((last[0], first[1] + TWO_PI))
    out = []
    for s, e in ivs:
        if (e - s) * radius < 1e-6:
            continue
        sd = math.degrees(s) % 360.0
        out.append(Arc(c, radius, sd, sd + math.degrees(e - s)))
    return out


def _samples(p: Primitive, n: int = 9) -> np.ndarray:
    t = np.linspace(0.0, 1.0, n)
    if isinstance(p, Line):
        a, b = np.array(p.a), np.array(p.b)
        return a + t[:, None] * (b - a)
    if isinstance(p, Arc):
        ang = np.radians(p.start_deg + t * (p.end_deg - p.start_deg))
        return np.column_stack([p.centre[0] + p.radius * np.cos(ang), p.centre[1] + p.radius * np.sin(ang)])
    return _bezier_points(p, t)


def _bezier_points(p: Bezier, t: np.ndarray) -> np.ndarray:
    p0, p1, p2, p3 = (np.array(q) for q in p.points)
    s = 1 - t[:, None]
    t = t[:, None]
    return s**3 * p0 + 3 * s * s * t * p1 + 3 * s * t * t * p2 + t**3 * p3


def _polyline(p: Primitive, tol: float) -> np.ndarray:
    """Points along p with chord error below tol / 4."""
    if isinstance(p, Line):
        return np.array([p.a, p.b])
    if isinstance(p, Arc):
        sweep = math.radians(p.end_deg - p.start_deg)
        step = 2 * math.acos(max(-1.0, 1 - tol / (4 * p.radius))) if p.radius > tol / 8 else sweep
        return _samples(p, min(4000, max(2, math.ceil(sweep / max(step, 1e-9)) + 1)))
    q = np.array(p.points)
    m2 = 6 * max(np.linalg.norm(q[0] - 2 * q[1] + q[2]), np.linalg.norm(q[1] - 2 * q[2] + q[3]))
    # chord error of a step h in t is at most m2 h^2 / 8
    n = 2 if m2 == 0 else min(2000, math.ceil(math.sqrt(m2 / (2 * tol))) + 1)
    return _bezier_points(p, np.linspace(0, 1, n))


def _ramps(counts: np.ndarray) -> np.ndarray:
    """np.linspace(0, 1, n) for each n in counts (all >= 2), concatenated."""
    first = np.repeat(np.cumsum(counts) - counts, counts)
    k = np.arange(int(counts.sum())) - first
    return k / np.repeat(counts - 1, counts)


def _curve_points(prims: list[Primitive], counts: np.ndarray) -> np.ndarray:
    """counts[i] points along each arc or Bézier prims[i] at equal parameter steps (what
    _samples gives one by one), concatenated."""
    t = _ramps(counts)
    owner = np.repeat(np.arange(len(prims)), counts)
    out = np.empty((len(t), 2))
    is_arc = np.array([isinstance(p, Arc) for p in prims])
    arcs = [p for p in prims if isinstance(p, Arc)]
    beziers = [p for p in prims if isinstance(p, Bezier)]
    on_arc = is_arc[owner]
    if arcs:
        a = np.array([(p.centre[0], p.centre[1], p.radius, p.start_deg, p.end_deg) for p in arcs])
        which = (np.cumsum(is_arc) - 1)[owner[on_arc]]
        q = a[which]
        ang = np.radians(q[:, 3] + t[on_arc] * (q[:, 4] - q[:, 3]))
        out[on_arc] = np.column_stack([q[:, 0] + q[:, 2] * np.cos(ang), q[:, 1] + q[:, 2] * np.sin(ang)])
    if beziers:
        b = np.array([p.points for p in beziers])  # (n, 4, 2)
        which = (np.cumsum(~is_arc) - 1)[owner[~on_arc]]
        q = b[which]
        tb = t[~on_arc][:, None]
        sb = 1 - tb
        out[~on_arc] = sb**3 * q[:, 0] + 3 * sb * sb * tb * q[:, 1] + 3 * sb * tb * tb * q[:, 2] + tb**3 * q[:, 3]
    return out


def _segments(prims: list[Primitive], tol: float) -> np.ndarray:
    """The arcs and Béziers among prims as chords (x0, y0, x1, y1) with chord error below
    tol / 4: _polyline of each, all at once."""
    curves = [p for p in prims if not isinstance(p, Line)]
    if not curves:
        return np.empty((0, 4))
    counts = np.empty(len(curves), dtype=np.int64)
    for i, p in enumerate(curves):
        if isinstance(p, Arc):
            sweep = math.radians(p.end_deg - p.start_deg)
            step = 2 * math.acos(max(-1.0, 1 - tol / (4 * p.radius))) if p.radius > tol / 8 else sweep
            counts[i] = min(4000, max(2, math.ceil(sweep / max(step, 1e-9)) + 1))
        else:
            (x0, y0), (x1, y1), (x2, y2), (x3, y3) = p.points
            m2 = 6 * max(math.hypot(x0 - 2 * x1 + x2, y0 - 2 * y1 + y2), math.hypot(x1 - 2 * x2 + x3, y1 - 2 * y2 + y3))
            counts[i] = 2 if m2 == 0 else min(2000, math.ceil(math.sqrt(m2 / (2 * tol))) + 1)
    pts = _curve_points(curves, counts)
    inner = np.ones(len(pts) - 1, dtype=bool)  # chords within one curve, not from one to the next
    inner[(np.cumsum(counts) - 1)[:-1]] = False
    return np.hstack([pts[:-1][inner], pts[1:][inner]])


_PAIRS = 1 << 20  # (point, segment) pairs at a time in _drop_covered: some 100 MB of arrays


def _drop_covered(candidates: list[Primitive], refs: list[Primitive], tol: float, seg: np.ndarray | None = None) -> list[Primitive]:
    """The candidates minus the arcs and Béziers that lie wholly (within tol) on the arcs and
    Béziers of refs (lines were settled exactly by _merge_lines; a Bézier is never straight).
    `seg`: _segments(refs, tol) when the caller has them already."""
    todo = [i for i, p in enumerate(candidates) if not isinstance(p, Line)]
    if seg is None:
        seg = _segments(refs, tol)
    if not todo or not len(seg):
        return candidates
    lo = np.minimum(seg[:, :2], seg[:, 2:]) - tol
    hi = np.maximum(seg[:, :2], seg[:, 2:]) + tol
    origin = lo.min(axis=0)
    span = float((hi.max(axis=0) - origin).max())
    h = max(float(np.median((hi - lo).max(axis=1))), span / 512, tol)  # grid cell size
    i0 = np.floor((lo - origin) / h).astype(np.int64)
    i1 = np.floor((hi - origin) / h).astype(np.int64)
    ny = int(i1[:, 1].max()) + 2
    # every segment in every cell its (tol-expanded) box touches
    w = i1[:, 0] - i0[:, 0] + 1
    counts = w * (i1[:, 1] - i0[:, 1] + 1)
    owner = np.repeat(np.arange(len(seg)), counts)
    k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    cx = i0[owner, 0] + k % w[owner]
    cy = i0[owner, 1] + k // w[owner]
    keys = cx * ny + cy
    order = np.argsort(keys, kind="stable")
    keys, owner = keys[order], owner[order]

    n = 17
    pts = _curve_points([candidates[i] for i in todo], np.full(len(todo), n))
    cell = np.floor((pts - origin) / h).astype(np.int64)
    inside = (cell >= 0).all(axis=1) & (cell[:, 1] < ny)
    pkeys = np.where(inside, cell[:, 0] * ny + cell[:, 1], -1)
    # each point's distance to the nearest segment of its cell: over every (point, segment of
    # the point's cell) pair, a bounded number of pairs at a time
    first = np.searchsorted(keys, pkeys)
    many = np.where(pkeys >= 0, np.searchsorted(keys, pkeys + 1) - first, 0)
    dist = np.full(len(pts), np.inf)
    ends = np.cumsum(many)
    lo_pt = 0
    while lo_pt < len(pts):
        hi_pt = max(lo_pt + 1, int(np.searchsorted(ends, ends[lo_pt] - many[lo_pt] + _PAIRS, side="right")))
        sub = slice(lo_pt, hi_pt)
        m = many[sub]
        start = np.cumsum(m) - m
        pair = np.repeat(first[sub] - start, m) + np.arange(int(m.sum()))
        s = seg[owner[pair]]
        q = np.repeat(pts[sub], m, axis=0)
        a, ab = s[:, :2], s[:, 2:] - s[:, :2]
        ll = np.maximum((ab**2).sum(axis=1), 1e-30)
        t = np.clip(((q - a) * ab).sum(axis=1) / ll, 0, 1)
        d = np.linalg.norm(q - (a + t[:, None] * ab), axis=1)
        if len(d):
            dist[lo_pt:hi_pt][m > 0] = np.minimum.reduceat(d, start[m > 0])
        lo_pt = hi_pt
    covered = (dist.reshape(len(todo), n) <= tol).all(axis=1)
    drop = {i for i, c in zip(todo, covered) if c}
    return [p for i, p in enumerate(candidates) if i not in drop]


def _bounds(prims) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []
    beziers = []
    for p in prims:
        if isinstance(p, Line):
            xs += [p.a[0], p.b[0]]
            ys += [p.a[1], p.b[1]]
        elif isinstance(p, Arc):
            angles = [p.start_deg, p.end_deg] + [k * 90.0 for k in range(9) if p.start_deg <= k * 90.0 <= p.end_deg]
            for a in angles:
                xs.append(p.centre[0] + p.radius * math.cos(math.radians(a)))
                ys.append(p.centre[1] + p.radius * math.sin(math.radians(a)))
        else:
            beziers.append(p.points)
    if beziers:  # each Bézier's ends and the roots of its derivative per axis, all at once
        q = np.array(beziers)
        p0, p1, p2, p3 = q[:, 0], q[:, 1], q[:, 2], q[:, 3]  # (n, 2): x and y
        a = -p0 + 3 * p1 - 3 * p2 + p3
        b = 2 * (p0 - 2 * p1 + p2)
        c = p1 - p0
        with np.errstate(all="ignore"):
            quadratic = np.abs(a) > 1e-15
            disc = b * b - 4 * a * c
            sq = np.sqrt(np.where(quadratic & (disc >= 0), disc, np.nan))
            roots = [(-b + sq) / (2 * a), (-b - sq) / (2 * a), np.where(~quadratic & (np.abs(b) > 1e-15), -c / b, np.nan)]
        ends = np.zeros((len(q), 1)), np.ones((len(q), 1))
        t = np.hstack([*ends] + [r[:, axis : axis + 1] for axis in (0, 1) for r in roots])  # (n, 8)
        t = np.where((t >= 0.0) & (t <= 1.0), t, np.nan)[:, :, None]
        s = 1 - t
        pts = s**3 * p0[:, None] + 3 * s * s * t * p1[:, None] + 3 * s * t * t * p2[:, None] + t**3 * p3[:, None]
        xs += [float(np.nanmin(pts[:, :, 0])), float(np.nanmax(pts[:, :, 0]))]
        ys += [float(np.nanmin(pts[:, :, 1])), float(np.nanmax(pts[:, :, 1]))]
    if not xs:
        return (0.0, 0.0, 0.0, 0.0)
    return (float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys)))


__all__ = ["Arc", "Bezier", "Line", "Primitive", "STANDARD", "View", "project_view", "project_views"]

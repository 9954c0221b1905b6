"""Full section views (ISO 128-44 and -50): where the front view would show a bore, a
pocket or a hollow only as hidden lines, the drawing shows it cut open instead.

The cutting plane is parallel to the front view's plane and runs through the axis of the
largest bore the front view sees from the side, or through the middle of a hollow part.
The material between the plane and the viewer is removed with a boolean cut; the rest is
drawn with the same hidden-line removal as any view (documents/views.py, without its
hidden lines, as ISO 128-44 prefers), and the faces lying in the plane are hatched with
narrow lines at 45°. A cut whose remains could not span the whole view (read from the
faces' quick boxes) is not made at all.

A bore stack's section (stack_section) is a removed section: only its cut faces are drawn,
so only they are made. The cutting plane's strip near the stack's axis is split by the few
faces of the solid that reach it, and the pieces with material just behind them are kept:
the same faces, to the bit, as the boolean intersection of the solid with a box behind the
strip (_local_cut), in a third to a half of its time on the NIST parts.

All lengths are model mm unless they say paper.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cadquery as cq
import numpy as np
from OCP.Bnd import Bnd_Box
from OCP.BOPTools import BOPTools_AlgoTools3D
from OCP.BRep import BRep_Builder
from OCP.BRepAdaptor import BRepAdaptor_Curve
from OCP.BRepAlgoAPI import BRepAlgoAPI_BuilderAlgo
from OCP.BRepBndLib import BRepBndLib
from OCP.BRepCheck import BRepCheck_Analyzer
from OCP.BRepClass3d import BRepClass3d_SolidClassifier
from OCP.GCPnts import GCPnts_QuasiUniformDeflection
from OCP.GeomAbs import GeomAbs_Line
from OCP.gp import gp_Pnt, gp_Pnt2d
from OCP.IntTools import IntTools_Context
from OCP.TopAbs import TopAbs_FACE, TopAbs_IN, TopAbs_ON, TopAbs_OUT
from OCP.TopExp import TopExp_Explorer
from OCP.TopoDS import TopoDS, TopoDS_Compound
from OCP.TopTools import TopTools_ListOfShape

from techpack.documents.views import STANDARD, Line, View, _basis
from techpack.geometry.features import Features

HOLLOW = 0.35  # a part filling less than this share of its box is hollow enough to cut open
SAME_EXTENT = 1e-3  # the cut part spans the whole part's view to this share of its size
HATCH_ANGLE = 45.0  # degrees to the screen x axis (ISO 128-50)


@dataclass(frozen=True)
class Section:
    view: str  # the standard view it replaces
    letter: str
    point: tuple[float, float, float]  # on the cutting plane, mm
    normal: tuple[float, float, float]  # unit, from the plane towards the viewer (the view's direction)
    solid: cq.Shape  # what is left behind the plane (a removed section: its cut faces, as a compound)
    faces: tuple[tuple[np.ndarray, ...], ...]  # the cut faces: their boundary edges as polylines in view coordinates, mm


def plan(solid: cq.Shape, box: tuple[float, ...], volume_mm3: float, features: Features, view: str = "front", letter: str = "A", thin: bool = False) -> Section | None:
    """The section that replaces `view`, or None when cutting would not show more: no bore
    seen from the side and not hollow, a sheet-metal part (`thin`), or a cut part that no
    longer spans the whole view (its dimensions would then not match the other views).
    `box` is the solid's exact bounding box (xmin, ymin, zmin, xmax, ymax, zmax), `volume_mm3` its volume."""
    if thin:
        return None
    direction = np.array(STANDARD[view][0], dtype=float)
    lo, hi = np.array(box[:3]), np.array(box[3:])
    centre = (lo + hi) / 2
    side = [h for h in features.holes if abs(float(np.dot(h.direction, direction))) < 1e-6]
    end_on = [h for h in features.holes if abs(abs(float(np.dot(h.direction, direction))) - 1) < 1e-6]
    if side:  # through the largest bore's axis (the one nearest the middle of equals)
        bore = max(side, key=lambda h: (round(h.diameter_mm, 3), -float(np.linalg.norm(np.array(h.entry) - centre))))
        point = np.array(bore.entry, dtype=float)
    elif volume_mm3 < HOLLOW * float(np.prod(hi - lo)):
        point = centre
    else:
        return None
    if any(_in_front(h, direction, float(np.dot(point, direction))) for h in end_on):
        return None  # a hole seen end-on would be cut away with its callout's circle
    if not _behind_may_span(solid, point, direction, box):
        return None  # what the cut leaves could not span the view: no boolean needed to know
    kept = _cut(solid, point, direction, lo, hi, box)
    if kept is None:
        return None
    return Section(view, letter, tuple(float(v) for v in point), tuple(float(v) for v in direction), kept,
                   _cut_faces(kept, point, direction, view, float(np.linalg.norm(hi - lo))))


def stack_section(solid: cq.Shape, box: tuple[float, ...], bores, cut: Section | None, views, letter: str) -> Section | None:
    """A section through the axis of the largest bore stack that no other section shows: the
    bores of a hollow part's walls on one axis, or one bore of three or more diameters, whose
    steps the views show only as hidden lines. Cut through the axis, seen from the side on
    the first of `views` square to it; an extra view, not one of the principal ones, of
    the material near the axis (_local_cut), drawn as its cut faces (removed_view)."""
    stacks: dict[int, list] = {}
    for b in bores:
        stacks.setdefault(b.stack, []).append(b)
    deep = [g for g in stacks.values() if len(g) > 1 or sum(s.kind == "bore" for s in g[0].segments) >= 3]
    lo, hi = np.array(box[:3]), np.array(box[3:])
    for group in sorted(deep, key=lambda g: (-max(s.diameter_mm for b in g for s in b.segments), g[0].stack)):
        axis, point = np.array(group[0].direction, dtype=float), np.array(group[0].entry, dtype=float)
        if cut is not None and abs(float(axis @ np.array(cut.normal))) < 1e-6 and abs(float((point - np.array(cut.point)) @ np.array(cut.normal))) < 1e-6:
            continue  # the section already cuts through it
        for view in views:
            direction = np.array(STANDARD[view][0], dtype=float)
            if abs(float(direction @ axis)) > 1e-6:
                continue
            reach = 0.75 * max(s.diameter_mm for b in group for s in b.segments)  # the stack and a little of the wall round it
            kept = _local_faces(solid, point, direction, axis, reach, lo, hi)
            if kept is None:  # no material on the strip (or OCCT could not split it): the boolean decides
                kept = _local_cut(solid, point, direction, axis, reach, lo, hi)
            if kept is not None:
                return Section(view, letter, tuple(float(v) for v in point), tuple(float(v) for v in direction), kept,
                               _cut_faces(kept, point, direction, view, float(np.linalg.norm(hi - lo))))
    return None


def removed_view(section: Section) -> View:
    """The section drawn as ISO 128-44's "section" (the cut faces only, nothing behind
    them): its outline from the cut faces' edges, so no hidden-line removal is needed."""
    direction, up = STANDARD[section.view]
    lines = tuple(Line(tuple(e[i]), tuple(e[i + 1])) for edges in section.faces for e in edges for i in range(len(e) - 1))
    pts = np.array([p for ln in lines for p in (ln.a, ln.b)]).reshape(-1, 2)
    bounds = (float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())) if len(pts) else (0.0, 0.0, 0.0, 0.0)
    return View(section.view, tuple(direction), tuple(up), lines, (), (), bounds, True)


def _local_box(point: np.ndarray, direction: np.ndarray, axis: np.ndarray, reach: float, lo: np.ndarray, hi: np.ndarray) -> cq.Solid:
    """The box just behind the cutting plane (within `reach` of it) and within `reach` of the
    stack's axis, along the whole part (the part's box lo..hi, mm, and 1 mm more)."""
    box_lo, box_hi = lo.copy() - 1.0, hi.copy() + 1.0
    k = int(np.argmax(np.abs(direction)))  # a standard view looks along an axis
    if direction[k] > 0:
        box_lo[k], box_hi[k] = point[k] - reach, point[k]
    else:
        box_lo[k], box_hi[k] = point[k], point[k] + reach
    j = next(i for i in range(3) if i != k and abs(axis[i]) < 0.5)  # across the axis, in the plane
    box_lo[j], box_hi[j] = point[j] - reach, point[j] + reach
    return cq.Solid.makeBox(*(box_hi - box_lo), pnt=cq.Vector(*box_lo))


def _local_cut(solid: cq.Shape, point: np.ndarray, direction: np.ndarray, axis: np.ndarray, reach: float,
               lo: np.ndarray, hi: np.ndarray) -> cq.Shape | None:
    """The material in _local_box: a partial section, quick to draw, that shows the stack and
    the walls it passes through (a boolean intersection with the whole solid)."""
    keep = _local_box(point, direction, axis, reach, lo, hi)
    solids = solid.Solids()
    target = solids[0] if len(solids) == 1 else solid
    try:
        kept = target.intersect(keep)
    except Exception:  # noqa: BLE001 - a boolean OCCT cannot do: no section
        return None
    return kept if kept.Solids() else None


def _local_faces(solid: cq.Shape, point: np.ndarray, direction: np.ndarray, axis: np.ndarray, reach: float,
                 lo: np.ndarray, hi: np.ndarray) -> cq.Shape | None:
    """The faces _local_cut's result has in the cutting plane, made without it: the face of
    _local_box in the plane (the strip), split by the faces of the solid whose boxes reach it
    (OCCT's general fuse, the solid's faces first as in the boolean, so that each edge is the
    same curve, run the same way), keeping the pieces with material just behind them. A
    compound of those faces, or None when no piece has material behind it, or OCCT fails."""
    keep = _local_box(point, direction, axis, reach, lo, hi)
    k = int(np.argmax(np.abs(direction)))
    strip = min((f for f in keep.Faces() if abs(abs(f.normalAt().toTuple()[k]) - 1) < 1e-9),
                key=lambda f: abs(f.Center().toTuple()[k] - point[k])).wrapped
    solids = solid.Solids()
    target = (solids[0] if len(solids) == 1 else solid).wrapped
    reach_box = Bnd_Box()
    BRepBndLib.Add_s(strip, reach_box, False)
    reach_box.Enlarge(max(1e-2, 1e-5 * float(np.linalg.norm(hi - lo))))  # more faces than interfere: harmless
    near = TopoDS_Compound()
    builder = BRep_Builder()
    builder.MakeCompound(near)
    explorer = TopExp_Explorer(target, TopAbs_FACE)
    while explorer.More():
        box = Bnd_Box()
        BRepBndLib.Add_s(explorer.Current(), box, False)
        if not reach_box.IsOut(box):
            builder.Add(near, explorer.Current())
        explorer.Next()
    args = TopTools_ListOfShape()
    args.Append(near)
    args.Append(strip)
    fuse = BRepAlgoAPI_BuilderAlgo()
    fuse.SetArguments(args)
    fuse.SetRunParallel(True)
    try:
        fuse.Build()
    except Exception:  # noqa: BLE001 - OCCT cannot split it: the boolean decides
        return None
    if not fuse.IsDone():
        return None
    pieces = list(fuse.Modified(strip)) or [strip]
    inside = BRepClass3d_SolidClassifier(target)
    context = IntTools_Context()
    tol = 1e-7
    behind = -np.asarray(direction, dtype=float) * max(1e-3, 1e-6 * float(np.linalg.norm(hi - lo)))
    kept = TopoDS_Compound()
    builder.MakeCompound(kept)
    found = False
    for piece in pieces:
        face = TopoDS.Face_s(piece)
        p, uv = gp_Pnt(), gp_Pnt2d()
        if BOPTools_AlgoTools3D.PointInFace_s(face, p, uv, context) != 0:
            return None
        inside.Perform(p, tol)
        state = inside.State()
        if state == TopAbs_ON:  # on a face of the solid lying in the plane: is the material behind it or in front?
            inside.Perform(gp_Pnt(p.X() + behind[0], p.Y() + behind[1], p.Z() + behind[2]), tol)
            state = inside.State()
        if state == TopAbs_IN:
            builder.Add(kept, face)
            found = True
        elif state != TopAbs_OUT:
            return None
    return cq.Shape.cast(kept) if found else None


def _in_front(hole, direction: np.ndarray, depth: float) -> bool:
    """Whether a hole along the view direction lies wholly in front of the plane."""
    start = float(np.dot(hole.entry, direction))
    end = start + float(np.dot(hole.direction, direction)) * hole.depth_mm
    return min(start, end) > depth - 1e-6


def _behind_may_span(solid: cq.Shape, point: np.ndarray, direction: np.ndarray, box: tuple[float, ...]) -> bool:
    """Whether the solid's faces that reach behind the plane (away from the viewer) may still
    span the whole part's view: False only when their quick boxes together fall short of the
    part's exact box (`box`) across the view by more than twice _may_span's tolerance. What
    the cut leaves is bounded by those faces (split) and the cut faces between them, so
    _may_span could not pass: the boolean is not worth making."""
    axis = int(np.argmax(np.abs(direction)))
    depth = float(point[axis])
    tol = SAME_EXTENT * math.dist(box[:3], box[3:])
    reach = [math.inf] * 3 + [-math.inf] * 3
    solids = solid.Solids()
    explorer = TopExp_Explorer((solids[0] if len(solids) == 1 else solid).wrapped, TopAbs_FACE)
    while explorer.More():
        quick = Bnd_Box()
        BRepBndLib.Add_s(explorer.Current(), quick, False)
        explorer.Next()
        if quick.IsVoid():
            continue
        got = quick.Get()
        if (got[axis] > depth + tol) if direction[axis] > 0 else (got[axis + 3] < depth - tol):
            continue  # wholly on the viewer's side: cut away
        reach = [min(a, b) for a, b in zip(reach[:3], got[:3])] + [max(a, b) for a, b in zip(reach[3:], got[3:])]
    across = [i for i in range(3) if abs(direction[i]) < 0.5]
    return all(reach[i] <= box[i] + 2 * tol and reach[i + 3] >= box[i + 3] - 2 * tol for i in across)


def _cut(solid: cq.Shape, point: np.ndarray, direction: np.ndarray, lo: np.ndarray, hi: np.ndarray,
         box: tuple[float, ...]) -> cq.Shape | None:
    """The solid minus everything on the viewer's side of the plane (the solid's box lo..hi),
    if what is left may span the part's view (_may_span, checked first: it is quick) and is
    a valid solid with a volume."""
    margin = 0.1 * float(np.linalg.norm(hi - lo)) + 1.0
    lo, hi = lo - margin, hi + margin
    axis = int(np.argmax(np.abs(direction)))  # a standard view looks along an axis
    if direction[axis] > 0:
        lo[axis] = point[axis]
    else:
        hi[axis] = point[axis]
    cutter = cq.Solid.makeBox(*(hi - lo), pnt=cq.Vector(*lo))
    solids = solid.Solids()
    target = solids[0] if len(solids) == 1 else solid  # OCCT cuts a compound wrapping one solid wrongly
    try:
        kept = target.cut(cutter)
    except Exception:  # noqa: BLE001 - a boolean OCCT cannot do: draw the plain view
        return None
    if not _may_span(kept, box, direction):
        return None
    valid = BRepCheck_Analyzer(kept.wrapped, True, True).IsValid()  # Shape.isValid's check, on both cores
    return kept if valid and kept.Volume() > 1e-6 else None


def _may_span(kept: cq.Shape, box: tuple[float, ...], direction: np.ndarray) -> bool:
    """Whether the cut part may still span the whole part's view: its quick, enclosing box
    reaches the whole part's exact box (`box`: xmin, ymin, zmin, xmax, ymax, zmax) across
    the view. The caller checks the section view's exact bounds after the hidden-line removal."""
    quick = Bnd_Box()
    BRepBndLib.Add_s(kept.wrapped, quick, False)
    if quick.IsVoid():
        return False  # nothing left
    got = quick.Get()
    tol = SAME_EXTENT * math.dist(box[:3], box[3:])
    across = [i for i in range(3) if abs(direction[i]) < 0.5]
    return all(got[i] <= box[i] + tol and got[i + 3] >= box[i + 3] - tol for i in across)


def spans(view: View, box: tuple[float, ...]) -> bool:
    """Whether a section view covers the whole part's extent across it (exact box `box`)."""
    right, up, _ = _basis(view.direction, view.up)
    corners = np.array([(x, y, z) for x in (box[0], box[3]) for y in (box[1], box[4]) for z in (box[2], box[5])])
    sx, sy = corners @ right, corners @ up
    tol = SAME_EXTENT * math.dist(box[:3], box[3:])
    x0, y0, x1, y1 = view.bounds
    return abs(x0 - sx.min()) <= tol and abs(x1 - sx.max()) <= tol and abs(y0 - sy.min()) <= tol and abs(y1 - sy.max()) <= tol


def _cut_faces(kept: cq.Shape, point: np.ndarray, direction: np.ndarray, view: str, size: float) -> tuple[tuple[np.ndarray, ...], ...]:
    right, up, _ = _basis(*STANDARD[view])
    depth = float(np.dot(point, direction))
    faces = []
    for face in kept.Faces():
        if face.geomType() != "PLANE":
            continue
        n = np.array(face.normalAt().toTuple())
        if float(np.dot(n, direction)) < 1 - 1e-6 or abs(float(np.dot(face.Center().toTuple(), direction)) - depth) > 1e-6 * size + 1e-7:
            continue
        edges = [_points(e.wrapped, size) for e in face.Edges()]
        faces.append(tuple(np.column_stack((pts @ right, pts @ up)) for pts in edges))
    return tuple(faces)


def _points(edge, size: float) -> np.ndarray:
    curve = BRepAdaptor_Curve(edge)
    if curve.GetType() == GeomAbs_Line:
        a, b = curve.Value(curve.FirstParameter()), curve.Value(curve.LastParameter())
        return np.array([(a.X(), a.Y(), a.Z()), (b.X(), b.Y(), b.Z())])
    sampler = GCPnts_QuasiUniformDeflection(curve, max(1e-4 * size, 1e-3))
    if not sampler.IsDone() or sampler.NbPoints() < 2:
        u0, u1 = curve.FirstParameter(), curve.LastParameter()
        return np.array([(p.X(), p.Y(), p.Z()) for p in (curve.Value(u0 + (u1 - u0) * t) for t in np.linspace(0, 1, 33))])
    return np.array([(p.X(), p.Y(), p.Z()) for p in (sampler.Value(i) for i in range(1, sampler.NbPoints() + 1))])


def hatch(section: Section, pitch: float) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Hatching of the cut faces: lines at 45°, `pitch` mm apart (model mm), clipped to each
    face by the even-odd rule (which needs no order or orientation of its edges), in view
    coordinates."""
    a = math.radians(HATCH_ANGLE)
    along = np.array((math.cos(a), math.sin(a)))
    across = np.array((-along[1], along[0]))
    out = []
    for edges in section.faces:
        segments = [(e[i], e[i + 1]) for e in edges for i in range(len(e) - 1)]
        p = np.array([s[0] for s in segments])
        q = np.array([s[1] for s in segments])
        pc, qc = p @ across, q @ across
        lo, hi = min(pc.min(), qc.min()), max(pc.max(), qc.max())
        for c in np.arange(math.floor(lo / pitch) * pitch + pitch / 2, hi, pitch):
            crossing = (pc - c) * (qc - c) < 0
            if not crossing.any():
                continue
            t = (c - pc[crossing]) / (qc[crossing] - pc[crossing])
            hits = p[crossing] + (q[crossing] - p[crossing]) * t[:, None]
            ts = np.sort(hits @ along)
            base = across * c
            for t0, t1 in zip(ts[0::2], ts[1::2]):
                if t1 - t0 > 1e-9:
                    out.append((tuple(base + along * t0), tuple(base + along * t1)))
    return out


def cutting_line(section: Section, parent: View) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]] | None:
    """Where the cutting plane shows on `parent` (a view that sees it edge-on): the line's two
    ends across the view's bounds (view coordinates, mm) and the direction of viewing on
    the sheet (unit, for the arrows: ISO 128-44 arrows point the way the section is seen)."""
    right, up, d = _basis(parent.direction, parent.up)
    n = np.array(section.normal)
    if abs(float(np.dot(n, d))) > 1e-6:
        return None
    look = -n  # the section is seen looking against its normal
    arrow = np.array((float(look @ right), float(look @ up)))
    arrow /= np.linalg.norm(arrow)
    p = np.array(section.point)
    centre = np.array((float(p @ right), float(p @ up)))
    line = np.array((-arrow[1], arrow[0]))
    x0, y0, x1, y1 = parent.bounds
    corners = np.array([(x0, y0), (x1, y0), (x0, y1), (x1, y1)])
    reach = (corners - centre) @ line
    a, b = centre + line * reach.min(), centre + line * reach.max()
    return tuple(a), tuple(b), tuple(arrow)

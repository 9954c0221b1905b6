"""Bore stacks: the coaxial round walls of one hole feature, read as one Bore with its segments.

All lengths in mm, angles in degrees. Face ids are 1-based positions in `solid.Faces()`,
as in features.py, whose axis grouping (tolerance.coincident_mm of the solid's diagonal)
and face reading this module shares.

What a Bore is
--------------
One continuous hole through one wall (or into it): the coaxial concave cylinders and
cones that follow each other along one axis without a gap, and the annular planes
between them (the shoulders). A hollow part's walls each get their own Bore; Bores on
one axis line share a `stack` id (CTC-02's Ø40 bores through the front and rear walls
of the housing are two Bores of one stack), so a callout can say "both walls" and a
drawing can section the whole stack through its axis.

- Only walls closing 360° round the axis are segments (a cylinder split into several
  faces counts when their union closes the circle). A partial cylinder (a channel
  whose round end is coaxial with a hole, a spot face broken out through a wall, a
  counterbore cut open by a slot) is not a segment: the hole does not pass through a
  closed wall there. Partial coaxial cylinders touching either end are listed in
  `adjoining`, with their positions, so a drawing can still say where the hole starts.
- A concave cylinder with a coaxial convex face of smaller radius inside it over its
  length (an annular groove round a boss) is no bore: the axis is in material there.
- Segment kinds, from the entry inwards: "bore" (a cylinder), "countersink" (a cone
  widening towards the surface at either mouth: a countersink, or a chamfer at the
  mouth), "cone_bottom" (a cone closing onto the axis at a closed far end: a drill
  point), "cone" (a conical step between two bores).

Positions and the depth convention
----------------------------------
**Depths are from the surface where the hole starts.** Every position is a distance
along the axis from the entry point, in the Bore's direction:

- `entry` is the point where the axis meets the entry surface: the plane the first
  segment opens onto (even when it is tilted to the axis, as on CTC-02's drafted
  cavity walls), else the end of the first segment's faces.
- A segment's `start_mm` and `end_mm` are where it begins and ends on the axis: the
  projections of its faces' bounds on the axis, except at a mouth, where the first
  segment starts at 0 (the entry surface) and the last ends where the axis meets the
  far surface (or a flat bottom). `span_mm` is the faces' own extent along the axis;
  it differs from (start_mm, end_mm) only at a mouth on a surface tilted to the axis,
  where it gives the wall's shortest and longest side.
- For FAR SIDE features (a counterbore machined from the far end of a through bore)
  bore_text gives depths from the far surface, where those features start; the
  segments keep every position from the entry.

Ends and the entry side
-----------------------
- An end is **closed** when material lies on the axis just past it: a cone closing
  onto the axis (a drill point), a plane facing back into the bore that the axis
  crosses inside the face (a flat bottom), else OCCT's point classifier decides on the
  axis just past the end. Planes facing out of the bore (the surface it opens onto) and
  coaxial partial cylinders leave it open.
- **through**: both ends are open. `far_end` is "closed" for a blind bore, else
  "cavity" when the axis, continued past the far end in the Bore's direction, meets
  the part again (another Bore of the same stack, or any face of the solid: the bore
  opens into an inner cavity or a space the part closes round), else "air" (the axis
  leaves the part for good). `entry_from` says the same of the entry end, looking back
  out of the bore ("air" or "cavity"; "closed" only for a void closed at both ends).
- **Entry**: a blind bore's open end. A through bore enters from the end with the
  larger diameter (its counterbore or countersink side; a cone counts with its
  diameter at that end); with equal ends (a plain hole, or the same at both ends), from
  the end with the larger coordinate along the axis' dominant component, as
  features.Hole does. (A void closed at both ends is read the same way.) Plain bores on one
  stack therefore all enter from the same end: a drill through both walls of a hollow part
  enters the second wall from the cavity, which `entry_from` says.

Callouts (bore_text)
--------------------
In the forms techpack's hole callouts use, every depth from the surface where the
feature starts: "Ø5 ↧12", "Ø10 THRU, CBORE Ø16 ↧4", "Ø12 ↧40, CBORE Ø20 ↧20" (the
Ø12 ends 40 from the entry surface, not from the counterbore's floor), "Ø5 THRU,
CSK Ø10 × 90°". Three or more diameters from one side are listed from the entry
inwards, each running from the previous depth to its own: "Ø120 ↧8, Ø75 ↧16, Ø40
THRU". A through bore that widens again towards its far end was machined from both
sides: what lies past the narrowest bore is given as FAR SIDE with depths from the far
surface: "Ø120 ↧8, Ø40 THRU; FAR SIDE Ø115 ↧19.91, Ø75 ↧27.91". ISO 129-1 asks each
feature to be dimensioned once, in the view and from the surface that show it best
(../shared/reference/drawings.md §6.6); a far-side counterbore is machined and inspected
from the far surface. The depth of a blind hole is that of its full diameter, without
the drill point, as CAD hole callouts and ISO 15786's simplified designation give it
(from general knowledge: ISO 15786 is not in the reference notes). Any other sequence
(a groove inside a bore) is listed from the entry with depths from the entry surface.
Conical steps inside a bore and drill points are not written.
"""

from __future__ import annotations

import re

import math
from dataclasses import dataclass, replace
from itertools import pairwise

import cadquery as cq
import numpy as np
from OCP.Bnd import Bnd_Box
from OCP.BRepAdaptor import BRepAdaptor_Curve, BRepAdaptor_Surface
from OCP.BRepBndLib import BRepBndLib
from OCP.GeomAbs import GeomAbs_Cone, GeomAbs_Cylinder, GeomAbs_Plane, GeomAbs_Sphere, GeomAbs_Torus
from OCP.gp import gp_Dir, gp_Lin, gp_Pnt
from OCP.IntCurvesFace import IntCurvesFace_Intersector
from OCP.TopAbs import TopAbs_EDGE
from OCP.TopExp import TopExp_Explorer
from OCP.TopoDS import TopoDS

from techpack.geometry.features import (
    ARC_TOL,
    LIN_TOL,
    TAU,
    Features,
    Hole,
    _arc_union,
    _Axis,
    _diagonal,
    _end_closed,
    _eps,
    _group_axes,
    _np,
    _Part,
    _Placed,
    _read_plane,
    _read_revolved,
    _touching_runs,
    _tuple,
)
from techpack.geometry.tolerance import coincident_mm
from techpack.inspection import fmt

SQUARE_TOL = 1e-9  # |n . axis| within this of 1: a plane square to the axis (0: parallel to it)
APEX_SHARE = 1e-3  # a cone ending within this share of its radius from the axis closes onto it


# ---------------------------------------------------------------------------------
# Public results


@dataclass(frozen=True)
class Segment:
    """One coaxial wall of a Bore: positions along the axis from the entry point, in mm."""

    kind: str  # "bore", "countersink", "cone" or "cone_bottom" (see the module docstring)
    diameter_mm: float  # bore: its diameter; cone: its larger diameter (a countersink's at the surface)
    start_mm: float  # where it begins, from the entry along the Bore's direction
    end_mm: float  # where it ends
    faces: tuple[int, ...]
    angle_deg: float | None = None  # cones: included angle
    diameters_mm: tuple[float, float] = (0.0, 0.0)  # at start_mm and at end_mm (equal for a bore)
    span_mm: tuple[float, float] = (0.0, 0.0)  # the faces' own axial extent from the entry


@dataclass(frozen=True)
class Partial:
    """A coaxial concave cylinder covering less than 360° touching a Bore's end (a channel's round
    end, a broken-out spot face): not a segment, recorded where it lies."""

    diameter_mm: float
    start_mm: float  # from the Bore's entry along its direction (negative: outside the entry surface)
    end_mm: float
    arc_deg: float  # how far round the axis its faces reach
    faces: tuple[int, ...]


@dataclass(frozen=True)
class Bore:
    """One hole feature: the coaxial segments of one continuous bore through (or into) one wall."""

    segments: tuple[Segment, ...]  # from the entry inwards
    entry: tuple[float, float, float]  # mm, on the axis at the entry surface
    direction: tuple[float, float, float]  # unit, from the entry into the material
    through: bool  # both ends open (to air or to a cavity)
    far_end: str  # "air", "cavity" or "closed"
    entry_from: str  # "air" or "cavity" ("closed": a void closed at both ends)
    bottom: str | None  # closed far end: "flat", "cone" or "other"; None if through
    stack: int  # shared by the Bores on one axis line, 1, 2, ... in the order of the Bores
    faces: tuple[int, ...]  # the segments' faces, the shoulders between them and a closing bottom face
    holes: tuple[Hole, ...]  # the features.holes entries whose wall faces are this Bore's
    adjoining: tuple[Partial, ...] = ()

    @property
    def diameter_mm(self) -> float:
        """The narrowest bore segment's diameter (what a drill or a pin passing through must fit)."""
        return min(s.diameter_mm for s in self.segments if s.kind == "bore")

    @property
    def depth_mm(self) -> float:
        """From the entry to the far end on the axis (the far surface, a flat bottom or a drill point's tip)."""
        return self.segments[-1].end_mm


# ---------------------------------------------------------------------------------
# Internal records


@dataclass(eq=False)
class _Seg:
    """A run of coaxial concave faces of one radius (cylinder) or one cone, closing 360°."""

    cone: bool
    faces: list[_Placed]
    t0: float
    t1: float
    r0: float  # radius at t0
    r1: float  # radius at t1
    semi_angle: float  # rad, 0 for a cylinder

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(sorted(p.rev.face for p in self.faces))

    def radius_at(self, side: int) -> float:
        return self.r1 if side == 1 else self.r0

    def t_at(self, side: int) -> float:
        return self.t1 if side == 1 else self.t0


@dataclass(eq=False)
class _EndInfo:
    """What lies past one end of a chain of segments."""

    closed: bool
    bottom: str | None = None
    t: float | None = None  # where the axis meets the surface it opens onto, the closing plane, or a cone's apex
    face: int | None = None  # the closing face of a flat bottom


@dataclass(eq=False)
class _Chain:
    axis: int
    segs: list[_Seg]
    ends: tuple[_EndInfo, _EndInfo] | None = None  # (t0 end, t1 end)

    @property
    def t0(self) -> float:
        return self.segs[0].t0

    @property
    def t1(self) -> float:
        return self.segs[-1].t1

    @property
    def ids(self) -> set[int]:
        return {f for s in self.segs for f in s.ids}


# ---------------------------------------------------------------------------------
# Entry point


def find_bores(solid: cq.Solid, features: Features) -> tuple[Bore, ...]:
    """Every Bore of solid (see the module docstring), sorted by diameter, then entry (x, y, z)
    rounded to 1e-6 mm; `features` is find_features(solid), whose holes each Bore lists."""
    part = _Part(solid.wrapped)
    revs = []
    for i in range(1, part.face_map.Extent() + 1):
        face = part.face(i)
        surf = BRepAdaptor_Surface(face, False)
        kind = surf.GetType()
        if kind == GeomAbs_Cylinder or kind == GeomAbs_Cone:
            revs.append(_read_revolved(i, face, surf, kind == GeomAbs_Cone))
        elif kind == GeomAbs_Sphere:  # a ball end closes a bore (the classifier past its end finds the ball's air)
            part.spheres[i] = _np(surf.Sphere().Location())
        elif kind == GeomAbs_Torus:  # a bull-nose bottom
            ax = surf.Torus().Axis()
            part.tori[i] = (_np(ax.Location()), _np(ax.Direction()))
    diagonal = _diagonal(solid.wrapped)
    frames, placed = _group_axes(revs, coincident_mm(diagonal))
    axis_of = {p.rev.face: k for k, group in enumerate(placed) for p in group}
    scene = _Scene(part, diagonal)

    chains: list[_Chain] = []
    partials: dict[int, list[_Seg]] = {}
    for k, group in enumerate(placed):
        if not any(p.rev.concave and not p.rev.cone for p in group):
            continue
        segs, parts = _segments(group)
        partials[k] = parts
        chains += [_Chain(k, c) for c in _chains(segs)]
    for c in chains:
        frame = frames[c.axis]
        c.ends = (_end(part, c, -1, frame, axis_of), _end(part, c, 1, frame, axis_of))

    on_axis: dict[int, list[_Chain]] = {}
    for c in chains:
        on_axis.setdefault(c.axis, []).append(c)
    hole_of = {f: h for h in features.holes for f in h.faces}
    bores = [_bore(part, scene, frames[c.axis], c, on_axis[c.axis], partials[c.axis], hole_of) for c in chains]
    bores.sort(key=lambda b: (round(b[0].diameter_mm, 6), *(round(x, 6) for x in b[0].entry)))
    stacks: dict[int, int] = {}
    out = []
    for b, axis in bores:
        stack = stacks.setdefault(axis, len(stacks) + 1)
        out.append(replace(b, stack=stack))
    return tuple(out)


# ---------------------------------------------------------------------------------
# Segments and chains


def _segments(group: list[_Placed]) -> tuple[list[_Seg], list[_Seg]]:
    """The full concave segments on one axis, and the partial concave cylinders (for `adjoining`)."""
    concave = [p for p in group if p.rev.concave]
    convex = [p for p in group if not p.rev.concave]
    full: list[_Seg] = []
    partial: list[_Seg] = []
    # Cylinders: by radius, then runs touching along the axis (features._touching_runs).
    for run in _touching_runs([p for p in concave if not p.rev.cone]):
        r = run[0].rev.radius
        seg = _Seg(False, run, min(p.t0 for p in run), max(p.t1 for p in run), r, r, 0.0)
        if _arc_union([(p.arc_start, p.arc_len) for p in run]) < TAU - ARC_TOL:
            partial.append(seg)
        elif not any(_inside(q, seg) for q in convex):
            full.append(seg)
    # Cones: faces of one cone (same axial range and end radii), closing 360° together.
    cones = sorted((p for p in concave if p.rev.cone), key=lambda p: (p.t0, p.t1, p.r0, p.r1))
    same_cone: list[list[_Placed]] = []
    for p in cones:
        q = same_cone[-1][0] if same_cone else None
        if q and all(abs(a - b) <= LIN_TOL for a, b in ((p.t0, q.t0), (p.t1, q.t1), (p.r0, q.r0), (p.r1, q.r1))):
            same_cone[-1].append(p)
        else:
            same_cone.append([p])
    for run in same_cone:
        q = run[0]
        if _arc_union([(p.arc_start, p.arc_len) for p in run]) >= TAU - ARC_TOL:
            full.append(_Seg(True, run, q.t0, q.t1, q.r0, q.r1, abs(q.rev.semi_angle)))
    return full, partial


def _inside(p: _Placed, seg: _Seg) -> bool:
    """True if the convex face p lies inside the concave segment over part of its length (a boss in a groove)."""
    overlap = min(p.t1, seg.t1) - max(p.t0, seg.t0)
    return overlap > LIN_TOL and max(p.r0, p.r1) < seg.r0 - LIN_TOL


def _chains(segs: list[_Seg]) -> list[list[_Seg]]:
    """Segments following each other along the axis without a gap; only chains with a cylinder."""
    segs = sorted(segs, key=lambda s: (s.t0, s.t1))
    chains: list[list[_Seg]] = []
    for s in segs:
        if chains and s.t0 <= max(x.t1 for x in chains[-1]) + LIN_TOL:
            chains[-1].append(s)
        else:
            chains.append([s])
    return [c for c in chains if any(not s.cone for s in c)]


# ---------------------------------------------------------------------------------
# Ends


def _end(part: _Part, chain: _Chain, side: int, frame: _Axis, axis_of: dict[int, int]) -> _EndInfo:
    """Whether the chain is closed past its end (side -1: t0, +1: t1), and where the axis meets
    the surface there (see the module docstring, "Ends"): a cone closing onto the axis here,
    else features._end_closed on the end segment's faces (which holes ask too), probing with
    the classifier also where no surface the bore opens onto was found."""
    seg = chain.segs[-1] if side == 1 else chain.segs[0]
    t_end = seg.t_at(side)
    r_max = max(seg.r0, seg.r1)
    if seg.cone and seg.radius_at(side) <= max(LIN_TOL, APEX_SHARE * r_max):
        return _EndInfo(True, "cone", t_end)
    own = chain.ids
    closed, bottom, t, face = _end_closed(part, frame, chain.axis, seg.t0, seg.t1, seg.radius_at(side) or r_max, side,
                                          _faces_at_end(part, seg, frame, side, own), axis_of, own,
                                          plane_of=lambda f: _plane(part, f), probe_open=True)
    return _EndInfo(closed, bottom, t if t is not None else t_end, face)


def _faces_at_end(part: _Part, seg: _Seg, frame: _Axis, side: int, own: set[int]) -> set[int]:
    """Ids of the faces (not in own) sharing an edge with seg at its end (side -1: t0, +1: t1)."""
    t_mid = (seg.t0 + seg.t1) / 2
    out: set[int] = set()
    for p in seg.faces:
        exp = TopExp_Explorer(part.face(p.rev.face), TopAbs_EDGE)
        while exp.More():
            edge = TopoDS.Edge_s(exp.Current())
            exp.Next()
            others = part.faces_of_edge(part.edge_faces.FindIndex(edge)) - own
            if not others:
                continue
            curve = BRepAdaptor_Curve(edge)
            a, b = curve.FirstParameter(), curve.LastParameter()
            t = sum(float(np.dot(_np(curve.Value(u)) - frame.origin, frame.z)) for u in (a, (a + b) / 2, b)) / 3
            if side * (t - t_mid) >= 0:
                out |= others
    return out


def _plane(part: _Part, face_id: int):
    """The face's _Plane (read once into part.planes), or None if it is not planar."""
    plane = part.planes.get(face_id)
    if plane is None:
        face = part.face(face_id)
        surf = BRepAdaptor_Surface(face, False)
        if surf.GetType() != GeomAbs_Plane:
            return None
        plane = part.planes[face_id] = _read_plane(face, surf)
    return plane


# ---------------------------------------------------------------------------------
# Assembling a Bore


def _bore(
    part: _Part,
    scene: _Scene,
    frame: _Axis,
    chain: _Chain,
    coaxial: list[_Chain],
    partials: list[_Seg],
    hole_of: dict[int, Hole],
) -> tuple[Bore, int]:
    """The Bore of a chain (its stack filled in later), with the chain's axis index."""
    lo, hi = chain.ends
    if lo.closed != hi.closed:
        side = 1 if hi.closed is False else -1  # enter at the open end
    else:
        d_lo, d_hi = chain.segs[0].r0, chain.segs[-1].r1
        side = -1 if d_lo > d_hi + LIN_TOL else 1  # the larger end; equal: the dominant-positive end
    entry_end, far = (hi, lo) if side == 1 else (lo, hi)
    t_entry = entry_end.t if entry_end.t is not None else chain.segs[-1 if side == 1 else 0].t_at(side)
    t_far = far.t if far.t is not None else chain.segs[0 if side == 1 else -1].t_at(-side)

    def dist(t: float) -> float:
        return side * (t_entry - t)

    ordered = chain.segs[::-1] if side == 1 else list(chain.segs)
    segments = []
    for i, s in enumerate(ordered):
        near_t, far_t = (s.t1, s.t0) if side == 1 else (s.t0, s.t1)
        start = 0.0 if i == 0 else dist(near_t)
        end = dist(t_far) if i == len(ordered) - 1 else dist(far_t)
        d_start, d_end = 2.0 * s.radius_at(side), 2.0 * s.radius_at(-side)
        span = tuple(sorted((dist(s.t0), dist(s.t1))))
        if not s.cone:
            segments.append(Segment("bore", d_start, start, end, s.ids, None, (d_start, d_end), span))
            continue
        if i == len(ordered) - 1 and far.closed and d_end <= 2.0 * max(LIN_TOL, APEX_SHARE * max(s.r0, s.r1)):
            kind = "cone_bottom"
        elif (i == 0 and d_start > d_end) or (i == len(ordered) - 1 and not far.closed and d_end > d_start):
            kind = "countersink"
        else:
            kind = "cone"
        angle = round(2.0 * math.degrees(s.semi_angle), 9)  # clears round-off (89.9999999999978)
        segments.append(Segment(kind, max(d_start, d_end), start, end, s.ids, angle, (d_start, d_end), span))

    direction = -side * frame.z
    entry = frame.point(t_entry)
    faces = chain.ids | _shoulders(part, chain, frame)
    if far.closed and far.face is not None:
        faces.add(far.face)
    through = not lo.closed and not hi.closed
    if through:
        far_end = _beyond(scene, frame, chain, coaxial, -side, t_far, direction)
    else:
        far_end = "closed"
    entry_from = "closed" if entry_end.closed else _beyond(scene, frame, chain, coaxial, side, t_entry, -direction)
    adjoining = []
    for p in partials:
        if p.t0 <= chain.t1 + LIN_TOL and p.t1 >= chain.t0 - LIN_TOL and (abs(p.t0 - chain.t1) <= LIN_TOL or abs(p.t1 - chain.t0) <= LIN_TOL):
            a, b = sorted((dist(p.t0), dist(p.t1)))
            arc = _arc_union([(q.arc_start, q.arc_len) for q in p.faces])
            adjoining.append(Partial(2.0 * p.r0, a, b, math.degrees(arc), p.ids))
    holes = sorted({hole_of[f] for f in chain.ids if f in hole_of and set(hole_of[f].faces) <= chain.ids}, key=lambda h: h.faces)
    bore = Bore(
        segments=tuple(segments),
        entry=_tuple(entry),
        direction=_tuple(direction),
        through=through,
        far_end=far_end,
        entry_from=entry_from,
        bottom=None if through else far.bottom,
        stack=0,
        faces=tuple(sorted(faces)),
        holes=tuple(holes),
        adjoining=tuple(sorted(adjoining, key=lambda p: (p.start_mm, p.faces))),
    )
    return bore, chain.axis


def _shoulders(part: _Part, chain: _Chain, frame: _Axis) -> set[int]:
    """The planes square to the axis between two of the chain's segments (the annular steps)."""
    joints = [s.t1 for s in chain.segs[:-1]]
    if not joints:
        return set()
    own = chain.ids
    out: set[int] = set()
    for s in chain.segs:
        for p in s.faces:
            for f in part.neighbours(p.rev.face) - own:
                plane = _plane(part, f)
                if plane is None or abs(abs(float(np.dot(plane.normal, frame.z))) - 1.0) >= SQUARE_TOL:
                    continue
                t = float(np.dot(plane.origin - frame.origin, frame.z))
                if any(abs(t - j) <= LIN_TOL for j in joints):
                    out.add(f)
    return out


def _beyond(scene: _Scene, frame: _Axis, chain: _Chain, coaxial: list[_Chain], side: int, t: float, direction: np.ndarray) -> str:
    """"cavity" if the axis past the chain's end (side -1: t0, +1: t1), from t along direction, meets
    the part again (another chain on the axis, or any face), else "air"."""
    for other in coaxial:
        if other is not chain and (other.t0 >= chain.t1 - LIN_TOL if side == 1 else other.t1 <= chain.t0 + LIN_TOL):
            return "cavity"
    r = max(s.r0 for s in chain.segs)
    return "cavity" if scene.meets(frame.point(t), direction, _eps(r)) else "air"


class _Scene:
    """Exact ray queries against the solid's faces: bounding boxes first, then planes solved in
    closed form (with OCCT's face classifier) and other faces by OCCT's curve-face intersector."""

    def __init__(self, part: _Part, diagonal: float):
        self.part = part
        self.reach = 2.0 * diagonal + 1.0
        self.boxes: np.ndarray | None = None
        self.intersectors: dict[int, IntCurvesFace_Intersector] = {}

    def _boxes(self) -> np.ndarray:
        if self.boxes is None:
            rows = []
            for i in range(1, self.part.face_map.Extent() + 1):
                box = Bnd_Box()
                BRepBndLib.Add_s(self.part.face(i), box, False)
                rows.append(box.Get() if not box.IsVoid() else (math.inf,) * 3 + (-math.inf,) * 3)
            self.boxes = np.array(rows, dtype=float)
            self.boxes[:, :3] -= 1e-6
            self.boxes[:, 3:] += 1e-6
        return self.boxes

    def meets(self, p: np.ndarray, d: np.ndarray, s_min: float) -> bool:
        """True if the ray p + s d (s_min < s) meets any face of the part."""
        boxes = self._boxes()
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = 1.0 / d
            a = (boxes[:, :3] - p) * inv
            b = (boxes[:, 3:] - p) * inv
        lo = np.where(np.isnan(a), -math.inf, np.minimum(a, b))
        hi = np.where(np.isnan(b), math.inf, np.maximum(a, b))
        # A zero direction component: the slab holds the ray everywhere or nowhere.
        flat = d == 0.0
        if flat.any():
            inside = (boxes[:, :3] <= p) & (p <= boxes[:, 3:])
            lo[:, flat] = np.where(inside[:, flat], -math.inf, math.inf)
            hi[:, flat] = np.where(inside[:, flat], math.inf, -math.inf)
        enter, leave = lo.max(axis=1), hi.min(axis=1)
        candidates = np.flatnonzero((enter <= leave) & (leave >= s_min))
        planes, others = [], []
        for i in candidates:
            f = int(i) + 1
            plane = _plane(self.part, f)
            (planes if plane is not None else others).append((float(enter[i]), f, plane))
        for _, f, plane in sorted(planes, key=lambda x: x[:2]):
            dn = float(np.dot(plane.normal, d))
            if abs(dn) < 1e-12:
                continue  # a plane along the ray: it crosses an edge of the face first, or misses
            s = float(np.dot(plane.origin - p, plane.normal)) / dn
            if s_min < s < self.reach and self.part.in_plane_face(f, p + s * d):
                return True
        line = gp_Lin(gp_Pnt(*(float(c) for c in p)), gp_Dir(*(float(c) for c in d)))
        for _, f, _ in sorted(others, key=lambda x: x[:2]):
            hit = self.intersectors.get(f)
            if hit is None:
                hit = self.intersectors[f] = IntCurvesFace_Intersector(self.part.face(f), 1e-7)
            hit.Perform(line, s_min, self.reach)
            if hit.IsDone() and hit.NbPnt() > 0:
                return True
        return False


# ---------------------------------------------------------------------------------
# Callouts


BROKEN_ARC_DEG = 270.0  # a coaxial partial wall this far round, at a mouth, is a counterbore broken out by a slot or an edge


def flipped(bore: Bore) -> Bore:
    """A through Bore read from its other end: the same walls, positions from the far surface."""
    if not bore.through:
        raise ValueError("only a through bore can be read from its other end")
    depth = bore.depth_mm
    segments = tuple(replace(s, start_mm=depth - s.end_mm, end_mm=depth - s.start_mm, diameters_mm=s.diameters_mm[::-1],
                             span_mm=(depth - s.span_mm[1], depth - s.span_mm[0])) for s in reversed(bore.segments))
    adjoining = tuple(replace(p, start_mm=depth - p.end_mm, end_mm=depth - p.start_mm) for p in bore.adjoining)
    entry = tuple(float(e + d * depth) for e, d in zip(bore.entry, bore.direction))
    return replace(bore, segments=segments, adjoining=adjoining, entry=entry, direction=tuple(-d for d in bore.direction),
                   far_end=bore.entry_from, entry_from=bore.far_end)


def bore_text(bore: Bore) -> str:
    """The Bore's callout, every depth from the surface where the feature starts (see the module
    docstring): "Ø5 ↧12", "Ø12 ↧40, CBORE Ø20 ↧20", "Ø5 THRU, CSK Ø10 × 90°",
    "Ø120 ↧8, Ø40 THRU; FAR SIDE Ø115 ↧19.91, Ø75 ↧27.91". A counterbore broken out on one
    side (an adjoining partial wall reaching at least BROKEN_ARC_DEG round, wider than the
    bore, at a mouth) is called out as a counterbore at its end: "Ø10 THRU; FAR SIDE CBORE Ø26 ↧3";
    a channel's round end (180°) is not."""
    text = _segments_text(bore)
    wide = [p for p in bore.adjoining if p.arc_deg >= BROKEN_ARC_DEG and p.diameter_mm > bore.segments[0].diameter_mm]
    tol = 1e-3
    for p in wide:
        if p.end_mm <= tol and p.start_mm < -tol and "CBORE" not in text.split(";")[0] and bore.segments[0].kind == "bore":
            depth = -p.start_mm
            head, _, rest = text.partition(";")
            head = re.sub(r"↧([0-9.]+)", lambda m: f"↧{fmt(float(m.group(1)) + depth)}", head)  # the hole now starts at the counterbore's mouth
            text = f"{head}, CBORE Ø{fmt(p.diameter_mm)} ↧{fmt(depth)}" + (f";{rest}" if rest else "")
        elif p.start_mm >= bore.depth_mm - tol and bore.through and "FAR SIDE" not in text:
            text += f"; FAR SIDE CBORE Ø{fmt(p.diameter_mm)} ↧{fmt(p.end_mm - p.start_mm)}"
    return text


def _segments_text(bore: Bore) -> str:
    segs = bore.segments
    bores = [s for s in segs if s.kind == "bore"]
    csk_near = segs[0] if segs[0].kind == "countersink" else None
    csk_far = segs[-1] if len(segs) > 1 and segs[-1].kind == "countersink" else None
    k = min(range(len(bores)), key=lambda i: (round(bores[i].diameter_mm, 6), i))
    near, far = bores[: k + 1], bores[k + 1 :]
    ordered = all(a.diameter_mm > b.diameter_mm for a, b in pairwise(near)) and all(a.diameter_mm < b.diameter_mm for a, b in pairwise(far))
    last = "THRU" if bore.through else f"↧{fmt(bores[-1].end_mm)}"
    if not ordered or (far and not bore.through):
        text = ", ".join(f"Ø{fmt(s.diameter_mm)} ↧{fmt(s.end_mm)}" for s in bores[:-1])
        text += (", " if text else "") + f"Ø{fmt(bores[-1].diameter_mm)} {last}"
        parts = [text]
        if csk_near:
            parts.append(_csk(csk_near))
        text = ", ".join(parts)
        if csk_far:
            text += "; FAR SIDE " + _csk(csk_far)
        return text
    narrow = near[-1]
    depth = "THRU" if bore.through else f"↧{fmt(narrow.end_mm)}"
    if len(near) == 2 and not far:
        text = f"Ø{fmt(narrow.diameter_mm)} {depth}, CBORE Ø{fmt(near[0].diameter_mm)} ↧{fmt(near[0].end_mm)}"
    else:
        text = ", ".join([f"Ø{fmt(s.diameter_mm)} ↧{fmt(s.end_mm)}" for s in near[:-1]] + [f"Ø{fmt(narrow.diameter_mm)} {depth}"])
    both = csk_near is not None and csk_far is not None and not far and _csk(csk_near) == _csk(csk_far)
    if csk_near:
        text += ", " + _csk(csk_near) + (" BOTH ENDS" if both else "")  # a bore chamfered alike at each end
    back = [f"Ø{fmt(s.diameter_mm)} ↧{fmt(bore.depth_mm - s.start_mm)}" for s in reversed(far)]
    if csk_far and not both:
        back.append(_csk(csk_far))
    if back:
        text += "; FAR SIDE " + ", ".join(back)
    return text


def _csk(s: Segment) -> str:
    return f"CSK Ø{fmt(s.diameter_mm)} × {fmt(s.angle_deg)}°"

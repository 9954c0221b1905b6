"""Recognise machining and sheet-metal features on a solid: holes, internal corners, bends.

All lengths are in mm, angles in degrees. Face ids are 1-based positions in
`solid.Faces()` (TopExp.MapShapes order), edge ids 1-based positions in `solid.Edges()`.

How it works, in one pass over the faces:
- every cylindrical and conical face is read analytically (BRepAdaptor_Surface), and
  its oriented normal at one point (BRepGProp_Face) says whether it is concave
  (the outward normal points towards the axis) or convex;
- the faces are grouped by axis line (coaxial), then by radius, then into runs that
  touch or overlap along the axis ("clusters"); a cluster's angular coverage is the
  union of its faces' u ranges mapped into one frame per axis;
- a concave cluster covering 360° is a hole wall; whether material lies on the axis
  just past each end is read from the faces at that end (a plane facing back into
  the hole that the axis crosses inside the face closes it), with OCCT's 3D point
  classifier as the fallback for ends bounded by other kinds of face;
- partial concave cylinders parallel to a tool axis, and straight concave edges
  between two planes parallel to a tool axis, are internal corners;
- partial coaxial concave/convex face pairs are bends.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cadquery as cq
import numpy as np
from OCP.BRep import BRep_Tool
from OCP.BRepAdaptor import BRepAdaptor_Curve, BRepAdaptor_Surface
from OCP.BRepClass3d import BRepClass3d_SolidClassifier
from OCP.BRepGProp import BRepGProp_Face
from OCP.BRepTools import BRepTools
from OCP.BRepTopAdaptor import BRepTopAdaptor_FClass2d
from OCP.GeomAbs import GeomAbs_Cone, GeomAbs_Cylinder, GeomAbs_Plane, GeomAbs_Sphere, GeomAbs_Torus
from OCP.gp import gp_Pnt, gp_Pnt2d, gp_Vec
from OCP.ShapeAnalysis import ShapeAnalysis
from OCP.TopAbs import TopAbs_EDGE, TopAbs_FACE, TopAbs_IN, TopAbs_OUT, TopAbs_REVERSED
from OCP.TopExp import TopExp, TopExp_Explorer
from OCP.TopoDS import TopoDS, TopoDS_Face, TopoDS_Shape
from OCP.TopTools import TopTools_IndexedDataMapOfShapeListOfShape, TopTools_IndexedMapOfShape

TAU = 2.0 * math.pi
LIN_TOL = 1e-4  # mm: same axis, same radius, touching ends
ANGLE_TOL = 1e-6  # rad: axes closer than this in direction are parallel
ARC_TOL = 2e-3  # rad: angular gaps this small still close a circle
TOOL_AXIS_TOL_DEG = 1.0  # a corner counts when its axis is this close to a tool axis
CLASSIFY_TOL = 1e-7  # mm, tolerance given to the point classifier


# ---------------------------------------------------------------------------------
# Public results


@dataclass(frozen=True)
class Hole:
    """A round hole: concave cylindrical face(s) on one axis and radius closing 360° round it.

    Which end is the entry: a blind hole's open end. A through hole with a
    counterbore or countersink at one end only enters there; any other through hole
    enters from the end with the larger coordinate along the axis' dominant component.

    entry is on the axis: the mouth of the counterbore or countersink if there is
    one, else where the axis meets the plane the wall opens onto (the top face,
    even when it is tilted to the axis), else the outer end of the wall.

    depth_mm is the length along the axis of the main cylindrical wall only (no
    counterbore, countersink or drill point; for a tilted mouth, its longest side).

    counterbore: a larger coaxial concave cylinder (closing at least 180°, so a spot
    face broken out through a wall counts) adjoining the wall at the entry and open
    at its far end; its depth is its own length along the axis. countersink: a
    coaxial concave cone widening from the wall's radius at the entry; its diameter
    is taken at the cone's wide end.
    """

    faces: tuple[int, ...]  # face ids of the cylindrical wall
    diameter_mm: float
    entry: tuple[float, float, float]  # mm
    direction: tuple[float, float, float]  # unit, from the entry into the material
    depth_mm: float
    through: bool
    bottom: str | None  # None if through, else "flat", "cone" or "other"
    counterbore: tuple[float, float] | None = None  # (diameter, depth) mm
    countersink: tuple[float, float] | None = None  # (diameter at the surface mm, included angle deg)


@dataclass(frozen=True)
class InternalCorner:
    """A concave corner between two walls, along `direction`."""

    faces: tuple[int, ...]  # the concave fillet face(s), or the two walls meeting at a sharp edge
    edge: int | None  # sharp corner: the edge id (1-based in solid.Edges()), else None
    radius_mm: float  # 0.0 for a sharp corner
    direction: tuple[float, float, float]  # unit vector of the corner's axis (same sense as the tool axis)
    length_mm: float  # extent along the axis, mm
    point: tuple[float, float, float]  # a point on it, mm


@dataclass(frozen=True)
class Bend:
    """A sheet-metal bend: two coaxial cylindrical faces, radii R and R + t."""

    inner_face: int
    outer_face: int
    inner_radius_mm: float
    thickness_mm: float
    axis_point: tuple[float, float, float]  # mm, on the axis, mid-width of the bend
    axis_direction: tuple[float, float, float]  # unit, dominant component positive
    angle_deg: float


@dataclass(frozen=True)
class Features:
    """Everything find_features recognised, each tuple in a deterministic order."""

    holes: tuple[Hole, ...]  # by diameter, then entry (x, y, z) rounded to 1e-6 mm
    internal_corners: tuple[InternalCorner, ...]  # only corners parallel (within 1°) to a tool axis
    bends: tuple[Bend, ...]


# ---------------------------------------------------------------------------------
# Internal records


@dataclass(frozen=True, eq=False)
class _Rev:
    """A cylindrical or conical face in its own axis frame (mm, rad)."""

    face: int
    cone: bool
    origin: np.ndarray
    z: np.ndarray
    x: np.ndarray
    y: np.ndarray
    radius: float  # cylinder radius, or the cone's reference radius (at v = 0)
    semi_angle: float  # cone half angle, 0 for a cylinder
    u0: float
    u1: float
    v0: float
    v1: float
    concave: bool
    mid: tuple[float, float, float]  # a point on the face


@dataclass(frozen=True, eq=False)
class _Plane:
    """A planar face: its surface's UV frame (origin, x, y) and its outward unit normal."""

    origin: np.ndarray
    x: np.ndarray
    y: np.ndarray
    normal: np.ndarray


@dataclass(frozen=True, eq=False)
class _Axis:
    """A frame shared by coaxial faces: origin on the axis, z along it (dominant component positive)."""

    origin: np.ndarray
    z: np.ndarray
    x: np.ndarray
    y: np.ndarray

    def point(self, t: float) -> np.ndarray:
        """The axis point at axial coordinate t (mm)."""
        return self.origin + t * self.z


@dataclass(frozen=True, eq=False)
class _Placed:
    """A face placed on its axis frame: axial range t0..t1, radii at both ends, angular arc."""

    rev: _Rev
    t0: float
    t1: float
    r0: float  # radius at t0
    r1: float  # radius at t1
    arc_start: float  # rad in the axis frame
    arc_len: float  # rad


@dataclass(frozen=True, eq=False)
class _Cluster:
    """Coaxial cylindrical faces of one radius and concavity, touching along the axis."""

    axis: int
    faces: tuple[_Placed, ...]
    radius: float
    concave: bool
    t0: float
    t1: float
    coverage: float  # rad

    @property
    def full(self) -> bool:
        return self.coverage >= TAU - ARC_TOL

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(sorted(p.rev.face for p in self.faces))


@dataclass(frozen=True)
class _End:
    """What lies beyond one end of a hole wall."""

    closed: bool
    bottom: str | None
    countersink: tuple[float, float, float] | None = None  # (diameter, angle deg, axial t of the surface)
    counterbore: _Cluster | None = None
    surface: float | None = None  # axial t where the axis crosses the plane the wall opens onto


# ---------------------------------------------------------------------------------
# Entry point


def find_features(solid: cq.Solid, tool_axes: Sequence[tuple[float, float, float]] = ((0, 0, 1),)) -> Features:
    """Holes, internal corners parallel to one of tool_axes (any length, not zero), and bends of solid.

    Lengths in mm, angles in degrees; face ids index solid.Faces() from 1, edge ids solid.Edges().
    """
    axes = [_unit(np.array(a, dtype=float)) for a in tool_axes]
    part = _Part(solid.wrapped)
    revs: list[_Rev] = []
    for i in range(1, part.face_map.Extent() + 1):
        face = part.face(i)
        surf = BRepAdaptor_Surface(face, False)
        kind = surf.GetType()
        if kind == GeomAbs_Cylinder or kind == GeomAbs_Cone:
            revs.append(_read_revolved(i, face, surf, kind == GeomAbs_Cone))
        elif kind == GeomAbs_Plane:
            part.planes[i] = _read_plane(face, surf)
        elif kind == GeomAbs_Sphere:
            part.spheres[i] = _np(surf.Sphere().Location())
        elif kind == GeomAbs_Torus:
            ax = surf.Torus().Axis()
            part.tori[i] = (_np(ax.Location()), _np(ax.Direction()))

    frames, placed = _group_axes(revs)
    clusters = _clusters(frames, placed)
    holes = _holes(part, frames, placed, clusters)
    corners = _fillet_corners(frames, clusters, axes) + _sharp_corners(part, axes)
    bends = _bends(frames, clusters)
    return Features(
        holes=tuple(sorted(holes, key=lambda h: (round(h.diameter_mm, 6), *(round(c, 6) for c in h.entry)))),
        internal_corners=tuple(sorted(corners, key=lambda c: (round(c.radius_mm, 6), *(round(p, 6) for p in c.point)))),
        bends=tuple(sorted(bends, key=lambda b: (b.inner_face, b.outer_face))),
    )


class _Part:
    """One solid's topology maps, its planes, and point classifiers built on first use."""

    def __init__(self, shape: TopoDS_Shape):
        self.shape = shape
        self.face_map = TopTools_IndexedMapOfShape()
        TopExp.MapShapes_s(shape, TopAbs_FACE, self.face_map)
        self.edge_faces = TopTools_IndexedDataMapOfShapeListOfShape()
        TopExp.MapShapesAndAncestors_s(shape, TopAbs_EDGE, TopAbs_FACE, self.edge_faces)
        self.planes: dict[int, _Plane] = {}
        self.spheres: dict[int, np.ndarray] = {}  # face id -> centre
        self.tori: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # face id -> (centre, axis)
        self._face_classifiers: dict[int, BRepTopAdaptor_FClass2d] = {}
        self._solid_classifier: BRepClass3d_SolidClassifier | None = None

    def face(self, face_id: int) -> TopoDS_Face:
        return TopoDS.Face_s(self.face_map.FindKey(face_id))

    def neighbours(self, face_id: int) -> set[int]:
        """Ids of the faces sharing an edge with the face."""
        out: set[int] = set()
        exp = TopExp_Explorer(self.face(face_id), TopAbs_EDGE)
        while exp.More():
            out |= self.faces_of_edge(self.edge_faces.FindIndex(exp.Current()))
            exp.Next()
        out.discard(face_id)
        return out

    def faces_of_edge(self, index: int) -> set[int]:
        """Ids of the faces bounded by the edge at index (1-based) of edge_faces."""
        faces = self.edge_faces.FindFromIndex(index)
        if faces.Size() <= 2:  # iterating an OCP list is slow; First/Last are not
            return {self.face_map.FindIndex(faces.First()), self.face_map.FindIndex(faces.Last())} if faces.Size() else set()
        return {self.face_map.FindIndex(f) for f in faces}

    def in_plane_face(self, face_id: int, p: np.ndarray) -> bool:
        """True if p (on the face's plane) lies inside the planar face."""
        plane = self.planes[face_id]
        classifier = self._face_classifiers.get(face_id)
        if classifier is None:
            classifier = self._face_classifiers[face_id] = BRepTopAdaptor_FClass2d(self.face(face_id), CLASSIFY_TOL)
        d = p - plane.origin
        return classifier.Perform(gp_Pnt2d(float(np.dot(d, plane.x)), float(np.dot(d, plane.y)))) == TopAbs_IN

    def is_open(self, p: np.ndarray) -> bool:
        """True if p lies outside the material (3D classifier: exact but slow, kept for odd cases)."""
        if self._solid_classifier is None:
            self._solid_classifier = BRepClass3d_SolidClassifier(self.shape)
        self._solid_classifier.Perform(gp_Pnt(*(float(c) for c in p)), CLASSIFY_TOL)
        return self._solid_classifier.State() == TopAbs_OUT


# ---------------------------------------------------------------------------------
# Reading faces


def _read_revolved(face_id: int, face: TopoDS_Face, surf: BRepAdaptor_Surface, cone: bool) -> _Rev:
    """A cylinder or cone face: its frame, radius, UV bounds and whether it is concave."""
    if cone:
        g = surf.Cone()
        radius, semi = g.RefRadius(), g.SemiAngle()
    else:
        g = surf.Cylinder()
        radius, semi = g.Radius(), 0.0
    pos = g.Position()
    origin = _np(pos.Location())
    z, x, y = _np(pos.Direction()), _np(pos.XDirection()), _np(pos.YDirection())
    u0, u1, v0, v1 = ShapeAnalysis.GetFaceUVBounds_s(face)  # tight; BRepTools.UVBounds can be loose
    p, n = gp_Pnt(), gp_Vec()
    BRepGProp_Face(face).Normal((u0 + u1) / 2, (v0 + v1) / 2, p, n)
    pt = _np(p)
    radial = (pt - origin) - np.dot(pt - origin, z) * z
    concave = float(np.dot(_np(n), radial)) < 0.0
    return _Rev(face_id, cone, origin, z, x, y, radius, semi, u0, u1, v0, v1, concave, (p.X(), p.Y(), p.Z()))


def _read_plane(face: TopoDS_Face, surf: BRepAdaptor_Surface) -> _Plane:
    """The plane's UV frame and its outward unit normal (oriented by the face)."""
    u0, u1, v0, v1 = BRepTools.UVBounds_s(face)
    p, n = gp_Pnt(), gp_Vec()
    BRepGProp_Face(face).Normal((u0 + u1) / 2, (v0 + v1) / 2, p, n)
    pos = surf.Plane().Position()
    return _Plane(_np(pos.Location()), _np(pos.XDirection()), _np(pos.YDirection()), _unit(_np(n)))


# ---------------------------------------------------------------------------------
# Grouping coaxial faces


def _group_axes(revs: list[_Rev]) -> tuple[list[_Axis], list[list[_Placed]]]:
    """Group faces by axis line; place each face in its group's frame.

    Directions are matched first (a dict on the rounded direction, then a scan of
    the known directions), then, per direction, the axes' positions in the plane
    square to it are swept in order of one coordinate (no quadratic pair test).
    """
    reps: list[np.ndarray] = []
    by_key: dict[tuple[float, ...], int] = {}
    classes: list[list[int]] = []
    for i, r in enumerate(revs):
        d = _canonical(r.z)
        key = tuple(round(float(c), 5) for c in d)
        k = by_key.get(key)
        if k is None:
            k = next((j for j, rep in enumerate(reps) if float(np.linalg.norm(_cross(rep, d))) <= ANGLE_TOL), None)
            if k is None:
                k = len(reps)
                reps.append(d)
                classes.append([])
            by_key[key] = k
        classes[k].append(i)

    frames, placed = [], []
    for rep, members in zip(reps, classes):
        e1 = _unit(_cross(rep, np.array((1.0, 0.0, 0.0)) if abs(rep[0]) < 0.9 else np.array((0.0, 1.0, 0.0))))
        e2 = _cross(rep, e1)
        pos = sorted((float(np.dot(revs[i].origin, e1)), float(np.dot(revs[i].origin, e2)), i) for i in members)
        parent = {i: i for i in members}

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        lo = 0
        for n, (a, b, i) in enumerate(pos):
            while pos[lo][0] < a - LIN_TOL:
                lo += 1
            for a2, b2, j in pos[lo:n]:
                if math.hypot(a - a2, b - b2) <= LIN_TOL:
                    ri, rj = root(i), root(j)
                    if ri != rj:
                        parent[max(ri, rj)] = min(ri, rj)
        groups: dict[int, list[_Rev]] = {}
        for i in sorted(members):
            groups.setdefault(root(i), []).append(revs[i])
        for group in groups.values():
            first = group[0]
            zz = _canonical(first.z)
            xx = _unit(first.x - np.dot(first.x, zz) * zz)
            frame = _Axis(first.origin, zz, xx, _cross(zz, xx))
            frames.append(frame)
            placed.append([_place(frame, r) for r in group])
    return frames, placed


def _place(frame: _Axis, r: _Rev) -> _Placed:
    """r's axial range, end radii and angular arc in frame's coordinates."""
    same = float(np.dot(r.z, frame.z)) > 0
    base = float(np.dot(r.origin - frame.origin, frame.z))
    sign = 1.0 if same else -1.0
    cos_a, sin_a = math.cos(r.semi_angle), math.sin(r.semi_angle)
    ends = sorted(
        ((base + sign * v * cos_a, r.radius + v * sin_a) for v in (r.v0, r.v1)),
    )
    ux = math.cos(r.u0) * r.x + math.sin(r.u0) * r.y
    start = math.atan2(float(np.dot(ux, frame.y)), float(np.dot(ux, frame.x)))
    length = min(r.u1 - r.u0, TAU)
    if float(np.dot(_cross(r.x, r.y), frame.z)) < 0:  # u runs clockwise in this frame
        start -= length
    return _Placed(r, ends[0][0], ends[1][0], ends[0][1], ends[1][1], start % TAU, length)


def _arc_union(arcs: Sequence[tuple[float, float]]) -> float:
    """Total angle (rad) covered by arcs given as (start, length); gaps below ARC_TOL are bridged."""
    pieces: list[tuple[float, float]] = []
    for start, length in arcs:
        if length >= TAU - ARC_TOL:
            return TAU
        s = start % TAU
        e = s + length
        if e <= TAU:
            pieces.append((s, e))
        else:
            pieces += [(s, TAU), (0.0, e - TAU)]
    if not pieces:
        return 0.0
    pieces.sort()
    total = 0.0
    cur_s, cur_e = pieces[0]
    for s, e in pieces[1:]:
        if s <= cur_e + ARC_TOL:
            cur_e = max(cur_e, e)
        else:
            total += cur_e - cur_s
            cur_s, cur_e = s, e
    return total + cur_e - cur_s


def _clusters(frames: list[_Axis], placed: list[list[_Placed]]) -> list[_Cluster]:
    """Cylinder faces grouped by axis, radius and concavity, then into runs touching along the axis."""
    out = []
    for k, group in enumerate(placed):
        cyls = sorted((p for p in group if not p.rev.cone), key=lambda p: (p.rev.concave, p.rev.radius))
        by_radius: list[list[_Placed]] = []
        for p in cyls:
            last = by_radius[-1][0] if by_radius else None
            if last and last.rev.concave == p.rev.concave and abs(last.rev.radius - p.rev.radius) <= LIN_TOL:
                by_radius[-1].append(p)
            else:
                by_radius.append([p])
        for same in by_radius:
            same.sort(key=lambda p: p.t0)
            runs = [[same[0]]]
            for p in same[1:]:
                if p.t0 <= max(q.t1 for q in runs[-1]) + LIN_TOL:
                    runs[-1].append(p)
                else:
                    runs.append([p])
            for run in runs:
                out.append(
                    _Cluster(
                        axis=k,
                        faces=tuple(run),
                        radius=run[0].rev.radius,
                        concave=run[0].rev.concave,
                        t0=min(p.t0 for p in run),
                        t1=max(p.t1 for p in run),
                        coverage=_arc_union([(p.arc_start, p.arc_len) for p in run]),
                    )
                )
    return out


# ---------------------------------------------------------------------------------
# Holes


def _holes(part: _Part, frames: list[_Axis], placed: list[list[_Placed]], clusters: list[_Cluster]) -> list[Hole]:
    """Every full concave cylinder cluster that is not a counterbore of a smaller hole or an internal groove."""
    walls = sorted((c for c in clusters if c.concave and c.full and c.t1 - c.t0 > LIN_TOL), key=lambda c: (c.radius, c.axis, c.t0))
    bores = [c for c in clusters if c.concave and c.coverage >= math.pi - ARC_TOL and c.t1 - c.t0 > LIN_TOL]
    bores.sort(key=lambda c: (c.radius, c.axis, c.t0))
    axis_of = {p.rev.face: k for k, group in enumerate(placed) for p in group}
    walls_on: dict[int, list[_Cluster]] = {}  # by axis
    bores_on: dict[int, list[_Cluster]] = {}
    for c in walls:
        walls_on.setdefault(c.axis, []).append(c)
    for c in bores:
        bores_on.setdefault(c.axis, []).append(c)
    used: set[int] = set()  # id() of clusters taken as counterbores
    holes = []
    for wall in walls:
        coaxial = walls_on[wall.axis]
        if id(wall) in used or _is_groove(wall, coaxial):
            continue
        frame = frames[wall.axis]
        near = _faces_at_ends(part, wall, frame)
        lo = _end_info(part, wall, -1, frame, placed[wall.axis], coaxial, bores_on[wall.axis], used, near[0], axis_of)
        hi = _end_info(part, wall, +1, frame, placed[wall.axis], coaxial, bores_on[wall.axis], used, near[1], axis_of)
        through = not lo.closed and not hi.closed
        if through:
            treated = [s for s, e in ((-1, lo), (1, hi)) if e.countersink or e.counterbore]
            side = treated[0] if len(treated) == 1 else 1  # frame.z has its dominant component positive
        elif lo.closed and not hi.closed:
            side = 1
        elif hi.closed and not lo.closed:
            side = -1
        else:
            side = 1  # closed at both ends: odd, report it entering from the deterministic end
        end, other = (hi, lo) if side == 1 else (lo, hi)
        t_entry = end.surface if end.surface is not None else (wall.t1 if side == 1 else wall.t0)
        counterbore = countersink = None
        if end.countersink:
            countersink = (end.countersink[0], end.countersink[1])
            t_entry = end.countersink[2]
        elif end.counterbore:
            cb = end.counterbore
            used.add(id(cb))
            counterbore = (2.0 * cb.radius, cb.t1 - cb.t0)
            t_entry = cb.t1 if side == 1 else cb.t0
        holes.append(
            Hole(
                faces=wall.ids,
                diameter_mm=2.0 * wall.radius,
                entry=_tuple(frame.point(t_entry)),
                direction=_tuple(-side * frame.z),
                depth_mm=wall.t1 - wall.t0,
                through=through,
                bottom=None if through else (other.bottom or "other"),
                counterbore=counterbore,
                countersink=countersink,
            )
        )
    return holes


def _is_groove(wall: _Cluster, walls: list[_Cluster]) -> bool:
    """True if smaller coaxial hole walls continue at both ends of wall (an internal groove in a bore)."""
    smaller = [c for c in walls if c.axis == wall.axis and c.radius < wall.radius - LIN_TOL]
    below = any(abs(c.t1 - wall.t0) <= LIN_TOL for c in smaller)
    above = any(abs(c.t0 - wall.t1) <= LIN_TOL for c in smaller)
    return below and above


def _faces_at_ends(part: _Part, wall: _Cluster, frame: _Axis) -> tuple[set[int], set[int]]:
    """Ids of the faces sharing an edge with the wall, split by the end (t0, t1) the edge is nearer."""
    own = set(wall.ids)
    t_mid = (wall.t0 + wall.t1) / 2
    lo: set[int] = set()
    hi: set[int] = set()
    for p in wall.faces:
        exp = TopExp_Explorer(part.face(p.rev.face), TopAbs_EDGE)
        while exp.More():
            edge = TopoDS.Edge_s(exp.Current())
            others = part.faces_of_edge(part.edge_faces.FindIndex(edge)) - own
            if others:
                curve = BRepAdaptor_Curve(edge)
                a, b = curve.FirstParameter(), curve.LastParameter()
                t = sum(float(np.dot(_np(curve.Value(u)) - frame.origin, frame.z)) for u in (a, (a + b) / 2, b)) / 3
                (hi if t >= t_mid else lo).update(others)
            exp.Next()
    return lo, hi


def _end_info(
    part: _Part,
    wall: _Cluster,
    side: int,
    frame: _Axis,
    group: list[_Placed],
    walls: list[_Cluster],
    bores: list[_Cluster],
    used: set[int],
    near: set[int],
    axis_of: dict[int, int],
) -> _End:
    """Material, bottom type, countersink and counterbore beyond one end of wall (side -1: t0, +1: t1).

    bores are the clusters that may serve as counterbores: hole walls, and concave
    cylinders closing at least half way round (a spot face cut into a wall, a pocket).
    """
    r = wall.radius
    t_end = wall.t1 if side == 1 else wall.t0

    # Coaxial concave cones starting at this end with the wall's radius.
    widening, narrowing = None, None
    for p in group:
        if not (p.rev.cone and p.rev.concave):
            continue
        start, far = ((p.t0, p.r0), (p.t1, p.r1)) if side == 1 else ((p.t1, p.r1), (p.t0, p.r0))
        if abs(start[0] - t_end) > LIN_TOL or abs(start[1] - r) > LIN_TOL or side * (far[0] - t_end) <= LIN_TOL:
            continue
        angle = 2.0 * math.degrees(abs(p.rev.semi_angle))
        if far[1] > r and widening is None:
            widening = (2.0 * far[1], angle, far[0])
        elif far[1] < r and narrowing is None:
            narrowing = far

    if narrowing is not None:  # a drill point, or a conical shoulder down to a smaller bore
        t_tip, r_tip = narrowing
        if r_tip <= max(LIN_TOL, 1e-3 * r):
            return _End(True, "cone")
        if _smaller_wall_at(wall, walls, t_tip, side):
            return _End(False, None)
        if not part.is_open(frame.point(t_tip + side * _eps(r))):
            return _End(True, "cone")
        return _End(False, None)

    closed, bottom, surface = _end_closed(part, wall, side, frame, walls, near, axis_of)
    if closed:
        return _End(True, bottom)

    counterbore = None
    if widening is None:
        for c in bores:
            if c is wall or id(c) in used or c.axis != wall.axis or c.radius <= r + LIN_TOL:
                continue
            start, far = (c.t0, c.t1) if side == 1 else (c.t1, c.t0)
            if abs(start - t_end) > LIN_TOL or side * (far - t_end) <= LIN_TOL or _smaller_wall_at(c, walls, far, side):
                continue  # not touching, or a groove with the bore going on beyond it
            if not _end_closed(part, c, side, frame, walls, _faces_at_ends(part, c, frame)[(side + 1) // 2], axis_of)[0]:
                counterbore = c
                break
    return _End(False, None, widening, counterbore, surface)


def _end_closed(
    part: _Part, wall: _Cluster, side: int, frame: _Axis, walls: list[_Cluster], near: set[int], axis_of: dict[int, int]
) -> tuple[bool, str | None, float | None]:
    """Whether material lies on the axis just beyond the wall's end; the bottom type if so,
    else the axial t where the axis crosses the plane the wall opens onto (if any).

    Decided from the faces at that end: a plane facing back into the hole that the
    axis crosses inside the face closes it ("flat" if square to the axis, else
    "other"); planes facing away (the surface the hole opens onto, a counterbore
    floor) and coaxial faces do not. A sphere centred on the axis (ball end) closes
    it ("other"); so does a coaxial torus leading to a closing plane (a bull-nose
    bottom: "flat"). Anything else falls back to the 3D classifier.
    """
    t_end = wall.t1 if side == 1 else wall.t0
    t_mid = (wall.t0 + wall.t1) / 2
    doubt = False
    square_floor = False
    surface = None
    for f in sorted(near):
        if axis_of.get(f) == wall.axis:
            continue
        if f in part.spheres and _off_axis(part.spheres[f], frame) <= LIN_TOL:
            return True, "other", None
        if f in part.tori and _off_axis(part.tori[f][0], frame) <= LIN_TOL and abs(float(np.dot(part.tori[f][1], frame.z))) >= 1.0 - 1e-9:
            for g in sorted(part.neighbours(f) - set(wall.ids)):
                plane = part.planes.get(g)
                if plane is not None and abs(abs(float(np.dot(plane.normal, frame.z))) - 1.0) < 1e-9:
                    t_x = float(np.dot(plane.origin - frame.origin, plane.normal)) / float(np.dot(plane.normal, frame.z))
                    if side * (t_x - t_end) > 0 and part.in_plane_face(g, frame.point(t_x)):
                        return True, "flat", None
            continue  # a round at the mouth of the hole
        plane = part.planes.get(f)
        if plane is None:
            doubt = True
            continue
        dn = float(np.dot(plane.normal, frame.z))
        if abs(dn) < 1e-9:
            continue  # parallel to the axis
        t_x = float(np.dot(plane.origin - frame.origin, plane.normal)) / dn
        if side * (t_x - t_mid) <= 0:
            continue
        if side * dn > 0:  # facing out of the hole: the surface it opens onto
            if side * (t_x - t_end) <= LIN_TOL and (surface is None or abs(t_x - t_end) < abs(surface - t_end)):
                surface = t_x
            continue
        square = abs(abs(dn) - 1.0) < 1e-9
        if part.in_plane_face(f, frame.point(t_x)):
            return True, "flat" if square else "other", None
        square_floor = square_floor or (square and abs(t_x - t_end) <= LIN_TOL)
        if not (square and _smaller_wall_at(wall, walls, t_end, side)):
            doubt = True  # the axis passes through an opening in a face that closes the end
    if doubt and not part.is_open(frame.point(t_end + side * _eps(wall.radius))):
        return True, "flat" if square_floor else "other", None
    return False, None, surface


def _smaller_wall_at(wall: _Cluster, walls: list[_Cluster], t: float, side: int) -> bool:
    """True if a smaller coaxial hole wall starts at t and runs on beyond it (side -1: down, +1: up)."""
    for c in walls:
        if c.axis == wall.axis and c.radius < wall.radius - LIN_TOL:
            start, far = (c.t0, c.t1) if side == 1 else (c.t1, c.t0)
            if abs(start - t) <= LIN_TOL and side * (far - t) > LIN_TOL:
                return True
    return False


def _off_axis(p: np.ndarray, frame: _Axis) -> float:
    """Distance (mm) of p from the frame's axis line."""
    d = p - frame.origin
    return float(np.linalg.norm(d - np.dot(d, frame.z) * frame.z))


def _eps(radius: float) -> float:
    """How far past a wall's end (mm) the classifier probes the axis."""
    return min(0.05, max(1e-3, 0.02 * radius))


# ---------------------------------------------------------------------------------
# Internal corners


def _tool_axis(direction: np.ndarray, axes: list[np.ndarray]) -> np.ndarray | None:
    """The tool axis direction is parallel to (within TOOL_AXIS_TOL_DEG), signed like it; else None."""
    limit = math.cos(math.radians(TOOL_AXIS_TOL_DEG))
    for a in axes:
        d = float(np.dot(direction, a))
        if abs(d) >= limit:
            return direction if d > 0 else -direction
    return None


def _fillet_corners(frames: list[_Axis], clusters: list[_Cluster], axes: list[np.ndarray]) -> list[InternalCorner]:
    """Concave cylinder clusters spanning less than 360° whose axis is parallel to a tool axis."""
    out = []
    for c in clusters:
        if not c.concave or c.full:
            continue
        direction = _tool_axis(frames[c.axis].z, axes)
        if direction is None:
            continue
        first = min(c.faces, key=lambda p: p.rev.face)
        out.append(
            InternalCorner(
                faces=c.ids,
                edge=None,
                radius_mm=c.radius,
                direction=_tuple(direction),
                length_mm=c.t1 - c.t0,
                point=first.rev.mid,
            )
        )
    return out


def _sharp_corners(part: _Part, axes: list[np.ndarray]) -> list[InternalCorner]:
    """Straight concave edges between two planar faces, parallel to a tool axis."""
    planes = part.planes
    limit = math.sin(math.radians(0.01))  # planes closer than this to tangent make no corner
    candidates = []  # (edge index in edge_faces, f1, f2, direction)
    for i in range(1, part.edge_faces.Extent() + 1):
        ids = part.faces_of_edge(i)
        if len(ids) != 2:
            continue
        f1, f2 = sorted(ids)
        if f1 not in planes or f2 not in planes:
            continue
        a = _cross(planes[f1].normal, planes[f2].normal)
        norm = float(np.linalg.norm(a))
        if norm < limit:
            continue
        direction = _tool_axis(a / norm, axes)
        if direction is not None:
            candidates.append((i, f1, f2, direction))
    if not candidates:
        return []

    # Is each candidate edge reversed in its first face? (orientation composed down from the solid)
    reversed_in: dict[tuple[int, int], bool] = {}
    for f1 in {c[1] for c in candidates}:
        exp = TopExp_Explorer(part.face(f1), TopAbs_EDGE)
        while exp.More():
            e = exp.Current()
            reversed_in.setdefault((f1, part.edge_faces.FindIndex(e)), e.Orientation() == TopAbs_REVERSED)
            exp.Next()

    edge_map = TopTools_IndexedMapOfShape()
    TopExp.MapShapes_s(part.shape, TopAbs_EDGE, edge_map)
    out = []
    for i, f1, f2, direction in candidates:
        edge = TopoDS.Edge_s(part.edge_faces.FindKey(i))
        a = _np(BRep_Tool.Pnt_s(TopExp.FirstVertex_s(edge)))
        b = _np(BRep_Tool.Pnt_s(TopExp.LastVertex_s(edge)))
        tangent = b - a  # along the edge's parameter
        if reversed_in.get((f1, i), False):
            tangent = -tangent
        length = float(np.linalg.norm(tangent))
        if length <= LIN_TOL:
            continue
        into_f1 = _cross(planes[f1].normal, tangent / length)  # in f1's plane, pointing into f1
        if float(np.dot(planes[f2].normal, into_f1)) <= 1e-9:
            continue  # convex: f2 faces away from f1
        out.append(
            InternalCorner(
                faces=(f1, f2),
                edge=edge_map.FindIndex(edge),
                radius_mm=0.0,
                direction=_tuple(direction),
                length_mm=length,
                point=_tuple((a + b) / 2),
            )
        )
    return out


# ---------------------------------------------------------------------------------
# Bends


def _bends(frames: list[_Axis], clusters: list[_Cluster]) -> list[Bend]:
    """Pairs of partial coaxial cylinder faces, inner concave and outer convex, on the same arc.

    The pair's axial overlap (the sheet width) must be at least the radial gap (the
    thickness): this keeps out flat laser-cut outlines, where a slot end and the
    round end of the bar around it are coaxial but the gap is wider than the plate
    is thick.
    """
    partial: dict[int, list[_Placed]] = {}
    for c in clusters:
        if not c.full:
            partial.setdefault(c.axis, []).extend(c.faces)
    out = []
    for k, cyl in sorted(partial.items()):
        inner = sorted((p for p in cyl if p.rev.concave), key=lambda p: p.rev.face)
        outer = [p for p in cyl if not p.rev.concave]
        taken: set[int] = set()
        for p in inner:
            best = None
            for q in outer:
                gap = q.rev.radius - p.rev.radius
                overlap = min(p.t1, q.t1) - max(p.t0, q.t0)
                if q.rev.face in taken or gap <= LIN_TOL or overlap < gap:
                    continue
                if abs(p.arc_len - q.arc_len) > math.radians(1.0) or _arc_gap(p.arc_start, q.arc_start) > math.radians(1.0):
                    continue
                if best is None or gap < best[0]:
                    best = (gap, q, overlap)
            if best is None:
                continue
            gap, q, _ = best
            taken.add(q.rev.face)
            mid = (max(p.t0, q.t0) + min(p.t1, q.t1)) / 2
            out.append(
                Bend(
                    inner_face=p.rev.face,
                    outer_face=q.rev.face,
                    inner_radius_mm=p.rev.radius,
                    thickness_mm=gap,
                    axis_point=_tuple(frames[k].point(mid)),
                    axis_direction=_tuple(frames[k].z),
                    angle_deg=math.degrees(p.arc_len),
                )
            )
    return out


def _arc_gap(a: float, b: float) -> float:
    """Smallest angle (rad) between two angles."""
    d = (a - b) % TAU
    return min(d, TAU - d)


# ---------------------------------------------------------------------------------
# Small helpers


def _np(v: gp_Pnt | gp_Vec) -> np.ndarray:
    """An OCP point, vector or direction as a numpy 3-vector."""
    return np.array((v.X(), v.Y(), v.Z()), dtype=float)


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a x b for 3-vectors (np.cross is slow on single vectors)."""
    return np.array((a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]))


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    if n == 0.0:
        raise ValueError("a direction must not be the zero vector")
    return v / n


def _canonical(d: np.ndarray) -> np.ndarray:
    """d or -d, whichever has its dominant component positive (ties: the first)."""
    k = int(np.argmax(np.abs(d) + np.array([2e-12, 1e-12, 0.0])))
    return d if d[k] > 0 else -d


def _tuple(v: np.ndarray) -> tuple[float, float, float]:
    """v as plain floats, with rounding noise below 1e-12 cleared (so 0 and ±1 read cleanly)."""
    out = []
    for x in v:
        x = float(x)
        for clean in (0.0, 1.0, -1.0):
            if abs(x - clean) < 1e-12:
                x = clean
        out.append(x + 0.0)
    return (out[0], out[1], out[2])

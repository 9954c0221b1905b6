"""Recognise machining and sheet-metal features on a solid: holes, internal corners, bends,
radii (fillets and rounds), chamfers and slots.

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
- partial concave/convex face pairs on one axis are bends (the two axes within the
  model-scaled tolerance.coincident_mm: real CAD leaves a bend's sides slightly apart);
- the remaining partial cylinders, split into runs that touch along the axis and
  round the arc ("blends"), are read along their two straight side edges (the
  generators at the ends of the arc, found from the edges' pcurves): a blend whose
  every side edge is tangent (G1, within 2°) to the face beyond it, with at least one
  such edge at each end of the arc, is a fillet or round. Only cylinders count:
  toroidal and spherical blends (a round along a curved edge, a corner ball) are not
  reported;
- a concave 180° blend whose side neighbours are planes is a slot end: two of them on
  parallel axes, facing away from each other on one line and spanning the same axial
  range, are an obround slot; one alone whose side planes run out of the material
  (their far edges convex: they meet the outer face, not an end wall) is an open-ended
  (U) slot (a round-bottomed groove, its tangent walls running out to the surface,
  has that shape too and is reported so, its length along the walls); the other
  blends of at most 180° that are not bends, counterbores or slot ends are radii;
- a planar face whose straight edges to two planar neighbours are parallel, both
  edges convex, each neighbour at 15°-75° to it, narrow (at most 10 mm across and
  shorter across than along) is a chamfer of the edge the two neighbours would meet
  in, unless one of those neighbours is itself such a face and no wider (an octagon's
  sides, or the land between two chamfers, are not chamfers). Conical chamfers are
  countersinks (holes) and chamfers against a curved face are not reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cadquery as cq
import numpy as np
from OCP.BRep import BRep_Tool
from OCP.BRepAdaptor import BRepAdaptor_Curve, BRepAdaptor_Curve2d, BRepAdaptor_Surface
from OCP.BRepBndLib import BRepBndLib
from OCP.Bnd import Bnd_Box
from OCP.BRepClass3d import BRepClass3d_SolidClassifier
from OCP.BRepGProp import BRepGProp_Face
from OCP.BRepTools import BRepTools
from OCP.BRepTopAdaptor import BRepTopAdaptor_FClass2d
from OCP.GeomAbs import GeomAbs_Cone, GeomAbs_Cylinder, GeomAbs_Line, GeomAbs_Plane, GeomAbs_Sphere, GeomAbs_Torus
from OCP.gp import gp_Dir, gp_Lin, gp_Pnt, gp_Pnt2d, gp_Vec
from OCP.IntCurvesFace import IntCurvesFace_ShapeIntersector
from OCP.ShapeAnalysis import ShapeAnalysis
from OCP.TopAbs import TopAbs_EDGE, TopAbs_FACE, TopAbs_IN, TopAbs_OUT, TopAbs_REVERSED
from OCP.TopExp import TopExp, TopExp_Explorer
from OCP.TopoDS import TopoDS, TopoDS_Face, TopoDS_Shape
from OCP.TopTools import TopTools_IndexedDataMapOfShapeListOfShape, TopTools_IndexedMapOfShape

from techpack.geometry.tolerance import coincident_mm

TAU = 2.0 * math.pi
LIN_TOL = 1e-4  # mm: same radius, touching ends (axes are one within tolerance.coincident_mm of the solid's size)
ANGLE_TOL = 1e-6  # rad: axes closer than this in direction are parallel
ARC_TOL = 2e-3  # rad: angular gaps this small still close a circle
TOOL_AXIS_TOL_DEG = 1.0  # a corner counts when its axis is this close to a tool axis
CLASSIFY_TOL = 1e-7  # mm, tolerance given to the point classifier
TANGENT_COS = math.cos(math.radians(2.0))  # a fillet's side meets its neighbour this close to tangent
MAX_FILLET_ARC = math.pi + math.radians(0.5)  # rad: wider arcs are no fillet
SLOT_ARC_TOL = math.radians(0.5)  # rad: a slot end is a half cylinder within this
SLOT_AXIAL_TOL = 1e-3  # mm: a slot's two ends span the same axial range within this
CHAMFER_MIN_DEG, CHAMFER_MAX_DEG = 15.0, 75.0  # angle of a chamfer face to each neighbour
CHAMFER_MAX_WIDTH = 10.0  # mm, across the chamfer face


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
class Radius:
    """A fillet or round: cylindrical face(s) of one axis and radius, tangent to the faces at both
    sides of the arc, covering at most 180° (concave: an internal fillet, convex: a round).

    Coaxial faces of one radius that touch (along the axis or round it) are one Radius.
    Bends, counterbores, hole walls (360°) and slot ends are not radii; nor are toroidal
    or spherical blends (only cylinders are read).
    """

    faces: tuple[int, ...]
    radius_mm: float
    convex: bool
    axis_point: tuple[float, float, float]  # mm, on the axis, mid-length
    axis_direction: tuple[float, float, float]  # unit, dominant component positive
    angle_deg: float  # arc covered
    mid_point: tuple[float, float, float]  # mm, on the surface at mid-arc and mid-length (for a leader)
    length_mm: float = 0.0  # extent along the axis


@dataclass(frozen=True)
class Chamfer:
    """A planar face cutting the convex edge between two planar neighbours.

    legs_mm[i] is the leg along neighbours[i] (from the chamfer's edge on that face to
    the sharp edge the two neighbours would meet in); the longer leg comes first (ties:
    the lower face id). angle_deg is the angle between the chamfer face and
    neighbours[0] (45 for a symmetric chamfer on a square edge), so "size_mm x angle_deg"
    is the ISO 129 callout; size_mm is legs_mm[0].
    """

    face: int
    size_mm: float
    legs_mm: tuple[float, float]
    angle_deg: float
    edge_direction: tuple[float, float, float]  # unit, along the chamfered edge, dominant component positive
    mid_point: tuple[float, float, float]  # mm, the centre of the face
    neighbours: tuple[int, int] = (0, 0)  # face ids the legs run along
    length_mm: float = 0.0  # along the edge


@dataclass(frozen=True)
class Slot:
    """An obround slot: two concave half cylinders of radius r on parallel axes, facing away
    from each other, joined by the two planes tangent to both; or an open-ended (U) slot:
    one half cylinder whose two tangent planes run out of the material (open_end=True).

    The slot's axis is the cylinders' axis; through or blind along it like a Hole, and
    entered the same way (blind: the open end; through: from the end with the larger
    coordinate along the axis' dominant component). centre is at the entry end of the
    walls, midway along the slot's length and width.
    """

    faces: tuple[int, ...]  # the half cylinders and the tangent side planes
    width_mm: float  # 2 r
    length_mm: float  # overall: centre distance + 2 r (open: from the arc's far side to the open end)
    depth_mm: float  # along the axis
    through: bool
    centre: tuple[float, float, float]  # mm
    direction: tuple[float, float, float]  # unit, from the entry into the material
    long_axis: tuple[float, float, float]  # unit, along the length, dominant component positive
    open_end: bool = False


@dataclass(frozen=True)
class Features:
    """Everything find_features recognised, each tuple in a deterministic order."""

    holes: tuple[Hole, ...]  # by diameter, then entry (x, y, z) rounded to 1e-6 mm
    internal_corners: tuple[InternalCorner, ...]  # only corners parallel (within 1°) to a tool axis
    bends: tuple[Bend, ...]
    radii: tuple[Radius, ...] = ()  # by radius, then mid_point rounded to 1e-6 mm
    chamfers: tuple[Chamfer, ...] = ()  # by size, then mid_point rounded
    slots: tuple[Slot, ...] = ()  # by width, then centre rounded


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


@dataclass(frozen=True, eq=False)
class _Blend:
    """A run of partial coaxial cylinder faces of one radius touching along the axis and round it,
    with the faces beyond its straight side edges (at the arc's start and end) and its ends."""

    axis: int
    faces: tuple[_Placed, ...]
    radius: float
    concave: bool
    t0: float
    t1: float
    start: float  # rad in the axis frame
    arc: float  # rad
    sides: tuple[tuple[int, ...], tuple[int, ...]]  # neighbour ids along the arc's start and end
    caps: tuple[tuple[int, ...], tuple[int, ...]]  # neighbour ids at the t0 and t1 ends

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(sorted(p.rev.face for p in self.faces))

    def radial(self, frame: _Axis, angle: float) -> np.ndarray:
        """The unit vector square to the axis at the frame angle."""
        return math.cos(angle) * frame.x + math.sin(angle) * frame.y


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
    """Holes, internal corners parallel to one of tool_axes (any length, not zero), bends, radii,
    chamfers and slots of solid.

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

    coaxial = coincident_mm(_diagonal(solid.wrapped))
    frames, placed = _group_axes(revs, coaxial)
    clusters = _clusters(frames, placed)
    counterbores: set[int] = set()
    holes = _holes(part, frames, placed, clusters, counterbores)
    corners = _fillet_corners(frames, clusters, axes) + _sharp_corners(part, axes)
    bends = _bends(frames, clusters, coaxial)
    blends = _blends(part, frames, clusters, counterbores | {f for b in bends for f in (b.inner_face, b.outer_face)})
    slots, slot_faces = _slots(part, frames, blends)
    radii = _radii(frames, blends, slot_faces)
    chamfers = _chamfers(part)
    return Features(
        holes=tuple(sorted(holes, key=lambda h: (round(h.diameter_mm, 6), *(round(c, 6) for c in h.entry)))),
        internal_corners=tuple(sorted(corners, key=lambda c: (round(c.radius_mm, 6), *(round(p, 6) for p in c.point)))),
        bends=tuple(sorted(bends, key=lambda b: (b.inner_face, b.outer_face))),
        radii=tuple(sorted(radii, key=lambda r: (round(r.radius_mm, 6), *(round(p, 6) for p in r.mid_point)))),
        chamfers=tuple(sorted(chamfers, key=lambda c: (round(c.size_mm, 6), *(round(p, 6) for p in c.mid_point)))),
        slots=tuple(sorted(slots, key=lambda s: (round(s.width_mm, 6), *(round(p, 6) for p in s.centre)))),
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
        self._edge_face_ids: list[set[int]] | None = None

    def edge_face_ids(self) -> list[set[int]]:
        """faces_of_edge for every edge of edge_faces, in index order (read once, shared)."""
        if self._edge_face_ids is None:
            self._edge_face_ids = [self.faces_of_edge(i) for i in range(1, self.edge_faces.Extent() + 1)]
        return self._edge_face_ids

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


def _group_axes(revs: list[_Rev], coaxial: float) -> tuple[list[_Axis], list[list[_Placed]]]:
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
            while pos[lo][0] < a - coaxial:
                lo += 1
            for a2, b2, j in pos[lo:n]:
                if math.hypot(a - a2, b - b2) <= coaxial:
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


def _touching_runs(cylinders: list[_Placed]) -> list[list[_Placed]]:
    """Coaxial cylinder faces of one concavity and radius (within LIN_TOL), in runs that touch
    or overlap along the axis."""
    by_radius: list[list[_Placed]] = []
    for p in sorted(cylinders, key=lambda p: (p.rev.concave, p.rev.radius)):
        last = by_radius[-1][0] if by_radius else None
        if last and last.rev.concave == p.rev.concave and abs(last.rev.radius - p.rev.radius) <= LIN_TOL:
            by_radius[-1].append(p)
        else:
            by_radius.append([p])
    out = []
    for same in by_radius:
        same.sort(key=lambda p: p.t0)
        runs = [[same[0]]]
        for p in same[1:]:
            if p.t0 <= max(q.t1 for q in runs[-1]) + LIN_TOL:
                runs[-1].append(p)
            else:
                runs.append([p])
        out += runs
    return out


def _clusters(frames: list[_Axis], placed: list[list[_Placed]]) -> list[_Cluster]:
    """Cylinder faces grouped by axis, radius and concavity, then into runs touching along the axis."""
    return [
        _Cluster(axis=k, faces=tuple(run), radius=run[0].rev.radius, concave=run[0].rev.concave, t0=min(p.t0 for p in run),
                 t1=max(p.t1 for p in run), coverage=_arc_union([(p.arc_start, p.arc_len) for p in run]))
        for k, group in enumerate(placed)
        for run in _touching_runs([p for p in group if not p.rev.cone])
    ]


# ---------------------------------------------------------------------------------
# Holes


def _holes(
    part: _Part, frames: list[_Axis], placed: list[list[_Placed]], clusters: list[_Cluster], counterbores: set[int] | None = None
) -> list[Hole]:
    """Every full concave cylinder cluster that is not a counterbore of a smaller hole or an internal groove.

    The face ids of the clusters taken as counterbores are added to counterbores, if given.
    """
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
            if counterbores is not None:
                counterbores.update(cb.ids)
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

    closed, bottom, surface, _ = _end_closed(part, frame, wall.axis, wall.t0, wall.t1, wall.radius, side, near, axis_of, set(wall.ids),
                                             smaller_beyond=_smaller_wall_at(wall, walls, t_end, side))
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
            c_end = c.t1 if side == 1 else c.t0
            if not _end_closed(part, frame, c.axis, c.t0, c.t1, c.radius, side, _faces_at_ends(part, c, frame)[(side + 1) // 2], axis_of,
                               set(c.ids), smaller_beyond=_smaller_wall_at(c, walls, c_end, side))[0]:
                counterbore = c
                break
    return _End(False, None, widening, counterbore, surface)


def _end_closed(
    part: _Part,
    frame: _Axis,
    axis: int,
    t0: float,
    t1: float,
    radius: float,
    side: int,
    near: set[int],
    axis_of: dict[int, int],
    own: set[int],
    plane_of: Callable[[int], _Plane | None] | None = None,
    smaller_beyond: bool = False,
    probe_open: bool = False,
) -> tuple[bool, str | None, float | None, int | None]:
    """Whether material lies on the axis just beyond one end (side -1: t0, +1: t1) of a hole
    wall of `radius` (mm) running t0..t1 along frame (the axis numbered `axis` in axis_of),
    and where the axis meets the surface there. Holes (find_features) and bores (bores.py)
    both ask it. Returns (closed, bottom, t, face): closed by a face, its bottom type, the
    axial t where the axis meets it and its id (None, None when the classifier found the
    material; then face is a square plane at the end, if any); open, None, the axial t where
    the axis crosses the plane the wall opens onto (None if none), None.

    Decided from the faces `near` that end (ids, `own`: the wall's own faces): a plane facing
    back into the hole that the axis crosses inside the face closes it ("flat" if square to
    the axis, else "other"); planes facing away (the surface the hole opens onto, a
    counterbore floor) and coaxial faces do not. A sphere centred on the axis (ball end)
    closes it ("other"); so does a coaxial torus leading to a closing plane (a bull-nose
    bottom: "flat"): spheres and tori as part has read them (find_features does, find_bores
    reads them too). Anything else falls back to the 3D
    classifier, just past the end: when a face the axis might pass through raised a doubt,
    but not for a square plane with an opening where a smaller coaxial wall goes on beyond
    the end (`smaller_beyond`; a bore's chain holds such walls itself), and with
    `probe_open` also when no plane the wall opens onto was found.
    `plane_of`: a face's _Plane or None (default part.planes.get: planes read up front).
    """
    plane_of = plane_of or part.planes.get
    t_end = t1 if side == 1 else t0
    t_mid = (t0 + t1) / 2
    doubt = False
    square_floor = None
    surface = None
    for f in sorted(near):
        if axis_of.get(f) == axis:
            continue  # a coaxial partial wall (channel, broken-out spot face) or another coaxial face
        if f in part.spheres and _off_axis(part.spheres[f], frame) <= LIN_TOL:
            return True, "other", None, f
        if f in part.tori and _off_axis(part.tori[f][0], frame) <= LIN_TOL and abs(float(np.dot(part.tori[f][1], frame.z))) >= 1.0 - 1e-9:
            for g in sorted(part.neighbours(f) - own):
                plane = plane_of(g)
                if plane is not None and abs(abs(float(np.dot(plane.normal, frame.z))) - 1.0) < 1e-9:
                    t_x = float(np.dot(plane.origin - frame.origin, plane.normal)) / float(np.dot(plane.normal, frame.z))
                    if side * (t_x - t_end) > 0 and part.in_plane_face(g, frame.point(t_x)):
                        return True, "flat", t_x, g
            continue  # a round at the mouth of the hole
        plane = plane_of(f)
        if plane is None:
            doubt = True
            continue
        dn = float(np.dot(plane.normal, frame.z))
        if abs(dn) < 1e-9:
            continue  # parallel to the axis: a wall the hole breaks into, decided by the other faces
        t_x = float(np.dot(plane.origin - frame.origin, plane.normal)) / dn
        if side * (t_x - t_mid) <= 0:
            continue
        if side * dn > 0:  # facing out of the hole: the surface it opens onto
            if side * (t_x - t_end) <= LIN_TOL and (surface is None or abs(t_x - t_end) < abs(surface - t_end)):
                surface = t_x
            continue
        square = abs(abs(dn) - 1.0) < 1e-9
        if part.in_plane_face(f, frame.point(t_x)):
            return True, "flat" if square else "other", t_x, f
        if square and abs(t_x - t_end) <= LIN_TOL:
            square_floor = f
        if not (square and smaller_beyond):
            doubt = True  # the axis passes through an opening in a face that closes the end
    if (doubt or (probe_open and surface is None)) and not part.is_open(frame.point(t_end + side * _eps(radius))):
        return True, "flat" if square_floor is not None else "other", None, square_floor
    return False, None, surface, None


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
    for i, ids in enumerate(part.edge_face_ids(), 1):
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


def _bends(frames: list[_Axis], clusters: list[_Cluster], axis_tol: float) -> list[Bend]:
    """Pairs of partial cylinder faces, inner concave and outer convex, on one axis and the same arc.

    One axis: parallel, with the outer face's axis within axis_tol (mm) of the inner's.
    Real CAD leaves a bend's two sides on axes a little apart (NIST CTC-03: 0.019 mm), far
    more than the 1e-4 mm that groups coaxial faces for holes, so the outer face is placed
    in the inner face's frame and axis_tol is the model-scaled position tolerance
    (tolerance.coincident_mm of the solid's diagonal). The thickness is the difference of
    the radii, the angle the inner face's arc.

    The pair's axial overlap (the sheet width) must be at least the radial gap (the
    thickness): this keeps out flat laser-cut outlines, where a slot end and the
    round end of the bar around it are coaxial but the gap is wider than the plate
    is thick.
    """
    inner: list[tuple[int, _Placed]] = []
    outer: list[tuple[int, _Placed]] = []
    for c in clusters:
        if not c.full:
            for p in c.faces:
                (inner if p.rev.concave else outer).append((c.axis, p))
    if not inner or not outer:
        return []
    inner.sort(key=lambda kp: kp[1].rev.face)
    z = np.array([frames[j].z for j, _ in outer])
    origin = np.array([frames[j].origin for j, _ in outer])
    out = []
    taken: set[int] = set()
    for k, p in inner:
        frame = frames[k]
        rel = origin - frame.origin
        off = np.linalg.norm(rel - np.outer(rel @ frame.z, frame.z), axis=1)
        near = (np.linalg.norm(np.cross(z, frame.z), axis=1) <= ANGLE_TOL) & (off <= axis_tol)
        best = None
        for n in np.flatnonzero(near):
            j, q = outer[n]
            if q.rev.face in taken:
                continue
            if j != k:
                q = _place(frame, q.rev)
            gap = q.rev.radius - p.rev.radius
            overlap = min(p.t1, q.t1) - max(p.t0, q.t0)
            if gap <= LIN_TOL or overlap < gap:
                continue
            if abs(p.arc_len - q.arc_len) > math.radians(1.0) or _arc_gap(p.arc_start, q.arc_start) > math.radians(1.0):
                continue
            if best is None or gap < best[0]:
                best = (gap, q)
        if best is None:
            continue
        gap, q = best
        taken.add(q.rev.face)
        mid = (max(p.t0, q.t0) + min(p.t1, q.t1)) / 2
        out.append(
            Bend(
                inner_face=p.rev.face,
                outer_face=q.rev.face,
                inner_radius_mm=p.rev.radius,
                thickness_mm=gap,
                axis_point=_tuple(frame.point(mid)),
                axis_direction=_tuple(frame.z),
                angle_deg=math.degrees(p.arc_len),
            )
        )
    return out


def _diagonal(shape: TopoDS_Shape) -> float:
    """The diagonal (mm) of the shape's bounding box: the scale of its position round-off."""
    box = Bnd_Box()
    BRepBndLib.Add_s(shape, box, False)
    xmin, ymin, zmin, xmax, ymax, zmax = box.Get()
    return math.dist((xmin, ymin, zmin), (xmax, ymax, zmax))


def _arc_gap(a: float, b: float) -> float:
    """Smallest angle (rad) between two angles."""
    d = (a - b) % TAU
    return min(d, TAU - d)


# ---------------------------------------------------------------------------------
# Blends: radii and slots


def _blends(part: _Part, frames: list[_Axis], clusters: list[_Cluster], excluded: set[int]) -> list[_Blend]:
    """Runs of partial cylinder faces (at most 180° round) tangent to their neighbours at both sides of the arc."""
    out = []
    for c in clusters:
        if c.full:
            continue  # hole walls and bosses
        faces = [p for p in c.faces if p.rev.face not in excluded]
        for run in _touching(faces):
            start, arc = _arc_span([(p.arc_start, p.arc_len) for p in run])
            if arc > MAX_FILLET_ARC:
                continue
            blend = _read_blend(part, frames[c.axis], c.axis, run, start, arc)
            if blend is not None:
                out.append(blend)
    return out


def _touching(faces: list[_Placed]) -> list[list[_Placed]]:
    """faces (coaxial, one radius) split into groups that touch along the axis and round it."""
    parent = list(range(len(faces)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, p in enumerate(faces):
        for j in range(i):
            q = faces[j]
            if p.t0 > q.t1 + LIN_TOL or q.t0 > p.t1 + LIN_TOL:
                continue
            q_in_p = (q.arc_start - p.arc_start) % TAU <= p.arc_len + ARC_TOL
            if q_in_p or (p.arc_start - q.arc_start) % TAU <= q.arc_len + ARC_TOL:
                ri, rj = root(i), root(j)
                if ri != rj:
                    parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[_Placed]] = {}
    for i, p in enumerate(faces):
        groups.setdefault(root(i), []).append(p)
    return [sorted(g, key=lambda p: p.rev.face) for g in groups.values()]


def _arc_span(arcs: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """(start, length) rad of the smallest arc holding all arcs (start, length): the circle less its widest gap."""
    pieces = sorted((s % TAU, length) for s, length in arcs)
    end = pieces[0][0] + pieces[0][1]
    gap, gap_end = -1.0, pieces[0][0]
    for s, length in pieces[1:]:
        if s - end > gap:
            gap, gap_end = s - end, s
        end = max(end, s + length)
    wrap = pieces[0][0] + TAU - end
    if wrap > gap:
        gap, gap_end = wrap, pieces[0][0]
    return gap_end % TAU, max(0.0, TAU - max(gap, 0.0))


def _read_blend(part: _Part, frame: _Axis, axis: int, run: list[_Placed], start: float, arc: float) -> _Blend | None:
    """run as a blend, or None if a straight side edge meets its neighbour at an angle or an arc end has none.

    A side edge is a generator of the cylinder (its pcurve keeps u constant) at the
    start or end of the run's arc; its tangency is read from the neighbour's oriented
    normal at the edge's middle (planes: their normal; other faces: through the pcurve).
    """
    own = {p.rev.face for p in run}
    t0, t1 = min(p.t0 for p in run), max(p.t1 for p in run)
    t_mid = (t0 + t1) / 2
    sides: tuple[list[int], list[int]] = ([], [])
    caps: tuple[set[int], set[int]] = (set(), set())
    for p in run:
        r = p.rev
        face = part.face(r.face)
        exp = TopExp_Explorer(face, TopAbs_EDGE)
        while exp.More():
            edge = TopoDS.Edge_s(exp.Current())
            exp.Next()
            others = part.faces_of_edge(part.edge_faces.FindIndex(edge)) - own
            if not others:
                continue
            c2d = BRepAdaptor_Curve2d(edge, face)
            a, b = c2d.FirstParameter(), c2d.LastParameter()
            mid = (a + b) / 2
            uva, uvm, uvb = c2d.Value(a), c2d.Value(mid), c2d.Value(b)
            u, v = uvm.X(), uvm.Y()
            d = v * r.z + r.radius * (math.cos(u) * r.x + math.sin(u) * r.y) + (r.origin - frame.origin)
            if abs(uva.X() - u) > 1e-6 or abs(uvb.X() - u) > 1e-6 or abs(uva.Y() - uvb.Y()) <= LIN_TOL:
                caps[0 if float(np.dot(d, frame.z)) < t_mid else 1].update(others)
                continue
            rel = (math.atan2(float(np.dot(d, frame.y)), float(np.dot(d, frame.x))) - start) % TAU
            if rel <= ARC_TOL or rel >= TAU - ARC_TOL:
                end = 0
            elif abs(rel - arc) <= ARC_TOL:
                end = 1
            else:
                continue  # a generator inside the arc: not one of the run's sides
            radial = _unit(d - np.dot(d, frame.z) * frame.z)
            normal = -radial if r.concave else radial
            for g in sorted(others):
                n = _normal_on(part, g, edge, mid)
                if n is None or float(np.dot(n, normal)) < TANGENT_COS:
                    return None
                sides[end].append(g)
    if not sides[0] or not sides[1]:
        return None
    return _Blend(
        axis=axis,
        faces=tuple(run),
        radius=run[0].rev.radius,
        concave=run[0].rev.concave,
        t0=t0,
        t1=t1,
        start=start,
        arc=arc,
        sides=(tuple(sorted(set(sides[0]))), tuple(sorted(set(sides[1])))),
        caps=(tuple(sorted(caps[0])), tuple(sorted(caps[1]))),
    )


def _normal_on(part: _Part, face_id: int, edge, param: float) -> np.ndarray | None:
    """The face's oriented unit normal at the point of its edge at param (the edge's own parameter)."""
    plane = part.planes.get(face_id)
    if plane is not None:
        return plane.normal
    face = part.face(face_id)
    uv = BRepAdaptor_Curve2d(edge, face).Value(param)
    p, n = gp_Pnt(), gp_Vec()
    BRepGProp_Face(face).Normal(uv.X(), uv.Y(), p, n)
    norm = n.Magnitude()
    return _np(n) / norm if norm > 0.0 else None


def _radii(frames: list[_Axis], blends: list[_Blend], skip: set[int]) -> list[Radius]:
    """Every blend whose faces are not in skip (the slots' walls)."""
    out = []
    for b in blends:
        if skip.intersection(b.ids):
            continue
        frame = frames[b.axis]
        t_mid = (b.t0 + b.t1) / 2
        centre = frame.point(t_mid)
        out.append(
            Radius(
                faces=b.ids,
                radius_mm=b.radius,
                convex=not b.concave,
                axis_point=_tuple(centre),
                axis_direction=_tuple(frame.z),
                angle_deg=math.degrees(b.arc),
                mid_point=_tuple(centre + b.radius * b.radial(frame, b.start + b.arc / 2)),
                length_mm=b.t1 - b.t0,
            )
        )
    return out


def _slots(part: _Part, frames: list[_Axis], blends: list[_Blend]) -> tuple[list[Slot], set[int]]:
    """Obround slots (pairs of slot ends) and open-ended slots (single slot ends running out); their wall face ids."""
    ends = []  # (blend, frame, arc middle direction, axis foot in the plane through the origin, axial lo, hi)
    for b in blends:
        if b.concave and abs(b.arc - math.pi) <= SLOT_ARC_TOL and all(f in part.planes for f in b.sides[0] + b.sides[1]):
            frame = frames[b.axis]
            base = float(np.dot(frame.origin, frame.z))
            foot = frame.origin - base * frame.z
            ends.append((b, frame, b.radial(frame, b.start + b.arc / 2), foot, b.t0 + base, b.t1 + base))
    ends.sort(key=lambda e: e[0].ids)
    slots: list[Slot] = []
    walls: set[int] = set()
    paired: set[int] = set()
    for i, (a, frame, m, foot, lo, hi) in enumerate(ends):
        if i in paired:
            continue
        best = None
        for j, (b, frame_b, m_b, foot_b, lo_b, hi_b) in enumerate(ends):
            if j == i or j in paired or abs(b.radius - a.radius) > LIN_TOL:
                continue
            if float(np.dot(frame.z, frame_b.z)) < 1.0 - 1e-9 or float(np.dot(m, m_b)) > -1.0 + 1e-6:
                continue
            if abs(lo - lo_b) > SLOT_AXIAL_TOL or abs(hi - hi_b) > SLOT_AXIAL_TOL:
                continue
            d = foot_b - foot
            along = float(np.dot(d, m))  # b lies behind a, against a's bulge
            if along >= -LIN_TOL or float(np.linalg.norm(d - along * m)) > SLOT_AXIAL_TOL:
                continue
            if best is None or -along < best[0]:
                best = (-along, j, d)
        if best is None:
            continue
        distance, j, d = best
        b = ends[j][0]
        paired |= {i, j}
        faces = set(a.ids) | set(b.ids) | set(a.sides[0] + a.sides[1] + b.sides[0] + b.sides[1])
        walls |= faces
        slots.append(_slot(part, frame, [a, b], faces, distance + 2.0 * a.radius, d / 2, _canonical(_unit(d)), False))

    for i, (a, frame, m, _, _, _) in enumerate(ends):
        if i in paired:
            continue
        reach = [_runs_out(part, f, a, frame, m) for f in sorted(set(a.sides[0] + a.sides[1]))]
        if len(reach) != 2 or None in reach:
            continue  # the planes end at a wall: a pocket with one round end, its end a radius
        faces = set(a.ids) | set(a.sides[0] + a.sides[1])
        walls |= faces
        run = (reach[0] + reach[1]) / 2  # how far the sides run behind the axis, against the bulge
        slots.append(_slot(part, frame, [a], faces, run + a.radius, (a.radius - run) / 2 * m, _canonical(m), True))
    return slots, walls


def _runs_out(part: _Part, plane_id: int, end: _Blend, frame: _Axis, m: np.ndarray) -> float | None:
    """How far (mm) a slot end's side plane runs behind the end's axis (against its bulge m), if it
    runs out of the material there; None if it ends at a wall.

    The plane's far edge is the one whose middle lies farthest behind the axis; the
    slot is open there if every face beyond that edge meets the plane at a convex edge
    (faces away from the slot's inside, -m), as the part's outer face or a larger
    pocket's wall does, and closed by a wall facing back into it.
    """
    face = part.face(plane_id)
    own = {plane_id, *end.ids}
    far = None  # (reach, edge, parameter, other faces)
    exp = TopExp_Explorer(face, TopAbs_EDGE)
    while exp.More():
        edge = TopoDS.Edge_s(exp.Current())
        exp.Next()
        curve = BRepAdaptor_Curve(edge)
        mid = (curve.FirstParameter() + curve.LastParameter()) / 2
        reach = -float(np.dot(_np(curve.Value(mid)) - frame.origin, m))
        if far is None or reach > far[0] + LIN_TOL:
            far = (reach, edge, mid, part.faces_of_edge(part.edge_faces.FindIndex(edge)) - own)
    if far is None or far[0] <= LIN_TOL or not far[3]:
        return None
    for g in sorted(far[3]):
        n = _normal_on(part, g, far[1], far[2])
        if n is None or float(np.dot(n, m)) >= -1e-9:
            return None
    return far[0]


def _slot(
    part: _Part,
    frame: _Axis,
    ends: list[_Blend],
    faces: set[int],
    length: float,
    offset: np.ndarray,
    long_axis: np.ndarray,
    open_end: bool,
) -> Slot:
    """A Slot from its ends (the first gives the frame); offset takes the first end's axis to the slot's middle."""
    a = ends[0]
    lo, hi = (_slot_end_closed(part, ends, frame, side) for side in (-1, 1))
    through = not lo and not hi
    side = -1 if (hi and not lo) else 1  # through (or odd, closed at both ends): enter from the dominant-positive end
    t_entry = a.t1 if side == 1 else a.t0
    entry = frame.point(t_entry) + offset
    return Slot(
        faces=tuple(sorted(faces)),
        width_mm=2.0 * a.radius,
        length_mm=length,
        depth_mm=a.t1 - a.t0 if through else _floor_depth(part, entry, -side * frame.z, a.t1 - a.t0),
        through=through,
        centre=_tuple(entry),
        direction=_tuple(-side * frame.z),
        long_axis=_tuple(long_axis),
        open_end=open_end,
    )


def _floor_depth(part: _Part, entry: np.ndarray, into: np.ndarray, wall: float) -> float:
    """A blind slot's depth: from its entry along `into` to the first face the line through its
    middle meets (its floor, past the rounds at the foot of its walls); the walls' length if
    the line meets nothing within twice that."""
    hits = IntCurvesFace_ShapeIntersector()
    hits.Load(part.shape, LIN_TOL)
    hits.Perform(gp_Lin(gp_Pnt(*entry), gp_Dir(*into)), LIN_TOL, 2.0 * wall + 1.0)
    ts = [hits.WParameter(k) for k in range(1, hits.NbPnt() + 1)]
    return min(ts) if ts else wall


def _slot_end_closed(part: _Part, ends: list[_Blend], frame: _Axis, side: int) -> bool:
    """Whether a slot's end (side -1: t0, +1: t1) has a floor.

    A plane at that end facing back into the slot is a floor; so is a torus (a
    bull-nose corner) leading to one. Planes facing out of the slot (the surface it
    opens onto) leave it open; anything else is left to the point classifier, on the
    first end's axis just past the walls.
    """
    k = (side + 1) // 2
    doubt = False
    for b in ends:
        if not b.caps[k]:
            doubt = True
        for f in b.caps[k]:
            plane = part.planes.get(f)
            if plane is None:
                if f in part.tori:
                    for g in sorted(part.neighbours(f)):
                        gp = part.planes.get(g)
                        if gp is not None and side * float(np.dot(gp.normal, frame.z)) < -1e-6:
                            return True
                doubt = True
                continue
            dn = float(np.dot(plane.normal, frame.z))
            if side * dn < -1e-6:
                return True
            if abs(dn) <= 1e-6:
                doubt = True
    if not doubt:
        return False
    a = ends[0]
    t_end = a.t1 if side == 1 else a.t0
    return not part.is_open(frame.point(t_end + side * _eps(a.radius)))


# ---------------------------------------------------------------------------------
# Chamfers


def _chamfers(part: _Part) -> list[Chamfer]:
    """Narrow planar faces cutting a convex edge between two planar neighbours (see the module docstring).

    One pass over the edges keeps the plane-plane edges whose normals are 15°-75° apart;
    only faces with two or more of them are read further.
    """
    planes = part.planes
    lo, hi = math.cos(math.radians(CHAMFER_MAX_DEG)), math.cos(math.radians(CHAMFER_MIN_DEG))
    slanted: dict[int, list[tuple[int, int]]] = {}  # face id -> [(edge index, neighbour id)]
    for i, ids in enumerate(part.edge_face_ids(), 1):
        if len(ids) != 2:
            continue
        f, g = sorted(ids)
        if f not in planes or g not in planes:
            continue
        c = float(np.dot(planes[f].normal, planes[g].normal))
        if lo <= c <= hi:
            slanted.setdefault(f, []).append((i, g))
            slanted.setdefault(g, []).append((i, f))

    lines: dict[int, tuple[np.ndarray, np.ndarray] | None] = {}  # edge index -> (start, end) if a straight line

    def line(i: int) -> tuple[np.ndarray, np.ndarray] | None:
        if i not in lines:
            curve = BRepAdaptor_Curve(TopoDS.Edge_s(part.edge_faces.FindKey(i)))
            if curve.GetType() != GeomAbs_Line:
                lines[i] = None
            else:
                lines[i] = (_np(curve.Value(curve.FirstParameter())), _np(curve.Value(curve.LastParameter())))
        return lines[i]

    found: dict[int, tuple] = {}  # face id -> (width, chamfer)
    for f, edges in sorted(slanted.items()):
        by_neighbour: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
        for i, g in edges:
            by_neighbour.setdefault(g, []).append(line(i))
        sides = []  # (neighbour, direction, points)
        for g, segs in sorted(by_neighbour.items()):
            if any(s is None for s in segs):
                continue
            longest = max(segs, key=lambda s: float(np.linalg.norm(s[1] - s[0])))
            span = float(np.linalg.norm(longest[1] - longest[0]))
            if span <= LIN_TOL:
                continue
            d = (longest[1] - longest[0]) / span
            if any(float(np.linalg.norm(_cross(s[1] - s[0], d))) > 1e-6 * max(1.0, float(np.linalg.norm(s[1] - s[0]))) for s in segs):
                continue  # not all parallel
            sides.append((g, _canonical(d), [pt for s in segs for pt in s]))
        best = None
        for x in range(len(sides)):
            for y in range(x + 1, len(sides)):
                c = _read_chamfer(planes, f, sides[x], sides[y])
                if c is not None and (best is None or c[1].length_mm > best[1].length_mm):
                    best = c
        if best is not None:
            found[f] = best
    out = []
    for f, (width, chamfer) in sorted(found.items()):
        if any(g in found and found[g][0] <= width * (1.0 + 1e-6) for g in chamfer.neighbours):
            continue  # a neighbour is as narrow a slanted face: an octagon, or the land between two chamfers
        out.append(chamfer)
    return out


def _read_chamfer(planes: dict[int, _Plane], f: int, one: tuple, two: tuple) -> tuple[float, Chamfer] | None:
    """(width, Chamfer) if face f with straight edges to neighbours one and two is a chamfer of their edge, else None."""
    g1, d, pts1 = one
    g2, d2, pts2 = two
    if float(np.linalg.norm(_cross(d, d2))) > 1e-6:
        return None
    m1, m2 = np.mean(pts1, axis=0), np.mean(pts2, axis=0)
    across = (m2 - m1) - float(np.dot(m2 - m1, d)) * d
    width = float(np.linalg.norm(across))
    if width <= LIN_TOL or width > CHAMFER_MAX_WIDTH:
        return None
    u = across / width  # in f, from the edge on g1 to the edge on g2
    n, n1, n2 = planes[f].normal, planes[g1].normal, planes[g2].normal
    if float(np.dot(n1, u)) >= -1e-9 or float(np.dot(n2, u)) <= 1e-9:
        return None  # a concave edge
    spans = [max(float(np.dot(p, d)) for p in pts) - min(float(np.dot(p, d)) for p in pts) for pts in (pts1, pts2)]
    length = (spans[0] + spans[1]) / 2
    if width >= length:
        return None
    a1 = math.acos(max(-1.0, min(1.0, float(np.dot(n, n1)))))
    a2 = math.acos(max(-1.0, min(1.0, float(np.dot(n, n2)))))
    theta = a1 + a2  # between the neighbours' normals (all three are square to the edge)
    leg1, leg2 = width * math.sin(a2) / math.sin(theta), width * math.sin(a1) / math.sin(theta)
    if leg2 > leg1 * (1.0 + 1e-7) or (abs(leg2 - leg1) <= leg1 * 1e-7 and g2 < g1):
        g1, g2, leg1, leg2, a1, a2 = g2, g1, leg2, leg1, a2, a1
    return width, Chamfer(
        face=f,
        size_mm=leg1,
        legs_mm=(leg1, leg2),
        angle_deg=math.degrees(a1),
        edge_direction=_tuple(d),
        mid_point=_tuple((m1 + m2) / 2),
        neighbours=(g1, g2),
        length_mm=length,
    )


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

"""A planar face as flat-pattern loops (geometry/flat.py), and a flat part's cut profile.

face_loops reads a face lying in the XY plane as an outer loop (counter-clockwise) and its
holes (clockwise), lines and true arcs, B-splines and ellipses first turned into arcs (the
DXF a laser shop takes has no splines; reference cad-exports-pmi.md §3.1-3.2). to_xy moves a
planar face there. profile reads a plate (a laser, waterjet or plasma part: uniform
thickness, walls square to its sides) as a Flat. All lengths in mm.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import cadquery as cq
from OCP.BRep import BRep_Tool
from OCP.BRepAdaptor import BRepAdaptor_Curve, BRepAdaptor_Surface
from OCP.BRepAlgo import BRepAlgo
from OCP.BRepBuilderAPI import BRepBuilderAPI_Transform
from OCP.BRepGProp import BRepGProp_Face
from OCP.BRepTools import BRepTools, BRepTools_WireExplorer
from OCP.GeomAbs import GeomAbs_CurveType, GeomAbs_SurfaceType
from OCP.gp import gp_Ax3, gp_Dir, gp_Pnt, gp_Trsf, gp_Vec
from OCP.TopAbs import TopAbs_EDGE, TopAbs_FACE, TopAbs_REVERSED, TopAbs_WIRE
from OCP.TopExp import TopExp, TopExp_Explorer
from OCP.TopoDS import TopoDS
from OCP.TopTools import TopTools_IndexedDataMapOfShapeListOfShape, TopTools_IndexedMapOfShape

from techpack.geometry.flat import Flat, Loop, Segment
from techpack.geometry.tolerance import coincident_mm

ARC_TOLERANCE_MM = 0.01  # B-spline and ellipse edges become arcs within this (reference §3.2: 9e-5 mm off on its demo plate)
SNAP_MM = 1e-6  # one edge's end and the next one's start closer than this (or their vertex's tolerance) are one point
IN_PLANE_MM = 1e-6  # face_loops: a face this close to z = 0 lies in the XY plane
SQUARE_DEG = 0.05  # profile: a wall within this of square to the sides, and a side within this of parallel
_SQUARE_SIN, _PARALLEL_COS = math.sin(math.radians(SQUARE_DEG)), math.cos(math.radians(SQUARE_DEG))
WALL_SAMPLES = 5  # profile: normals sampled on a 5 × 5 grid of each curved wall

_LINE, _CIRCLE = GeomAbs_CurveType.GeomAbs_Line, GeomAbs_CurveType.GeomAbs_Circle


class NotFlat(ValueError):
    """The solid is not a plate of uniform thickness with square walls; the message says which face."""


def face_loops(face: cq.Face) -> tuple[Loop, tuple[Loop, ...]]:
    """The outer loop (counter-clockwise seen from +Z) and the hole loops (clockwise) of a
    planar face lying in the XY plane, in mm.

    Lines and arcs are exact (a full circle is two half arcs); a face with B-spline, ellipse
    or other edges is first converted to lines and arcs within ARC_TOLERANCE_MM
    (BRepAlgo.ConvertFace_s). The loops are read as seen from +Z whatever way the face
    points: the caller moves the face so its outward normal is +Z (to_xy) to get the part
    as seen from outside; nothing is mirrored here. Raises ValueError for a face outside
    the XY plane.
    """
    f = face.wrapped
    surface = BRepAdaptor_Surface(f)
    if surface.GetType() != GeomAbs_SurfaceType.GeomAbs_Plane:
        raise ValueError("face_loops takes a planar face")
    plane = surface.Plane()
    if abs(plane.Axis().Direction().Z()) < 1.0 - 1e-9 or abs(plane.Location().Z()) > IN_PLANE_MM:
        raise ValueError("face_loops takes a face in the XY plane: move it there first (to_xy)")
    if any(BRepAdaptor_Curve(e).GetType() not in (_LINE, _CIRCLE) for e in _edges(f)):
        f = BRepAlgo.ConvertFace_s(f, ARC_TOLERANCE_MM)
    loops = []
    explorer = TopExp_Explorer(f, TopAbs_WIRE)
    while explorer.More():
        loops.append(_wire_loop(TopoDS.Wire_s(explorer.Current()), f))
        explorer.Next()
    outer = max(loops, key=lambda loop: abs(loop.area))  # encloses the others (BRepTools.OuterWire_s can pick a hole after ConvertFace)
    return _oriented(outer, ccw=True), tuple(_oriented(loop, ccw=False) for loop in loops if loop is not outer)


def to_xy(face: cq.Face) -> cq.Face:
    """The planar face moved rigidly so it lies in the XY plane with its outward normal +Z
    (see xy_transform for where its X axis goes)."""
    return _transformed(face, xy_transform(face))


def xy_transform(face: cq.Face) -> gp_Trsf:
    """The rigid transform (gp_Ax3 + gp_Trsf.SetTransformation, reference §3.2) taking a
    planar face into the XY plane with its outward normal as +Z. The new origin is the
    model's origin projected onto the face's plane and the new X axis the model's X
    projected onto it (Y when the face is square to X), so a plate drawn in the model's
    XY keeps its coordinates seen from its top, and comes out mirrored seen from its bottom."""
    surface = BRepAdaptor_Surface(face.wrapped)
    if surface.GetType() != GeomAbs_SurfaceType.GeomAbs_Plane:
        raise ValueError("to_xy takes a planar face")
    normal = _outward_normal(face)
    on_plane = surface.Plane().Location()
    n = gp_Vec(normal)
    origin = gp_Pnt(0.0, 0.0, 0.0).Translated(n.Multiplied(gp_Vec(gp_Pnt(0.0, 0.0, 0.0), on_plane).Dot(n)))
    axis = gp_Vec(1.0, 0.0, 0.0) if abs(normal.X()) < 0.9 else gp_Vec(0.0, 1.0, 0.0)
    x_dir = gp_Dir(axis.Subtracted(n.Multiplied(axis.Dot(n))))
    trsf = gp_Trsf()
    trsf.SetTransformation(gp_Ax3(origin, normal, x_dir))
    return trsf


def profile(solid: cq.Shape, engraved_faces: Iterable[int] = ()) -> Flat:
    """A flat part's cut profile: the outline and through holes of one of its two sides,
    seen from outside that side and moved to XY (xy_transform), and its thickness, in mm.

    The sides are the largest planar face that has a parallel planar face facing the other
    way behind it, and that face. Every other face must be a wall square to the sides and
    between them, or one of engraved_faces (1-based ids in solid.Faces(): the floors and
    walls of marks cut into a side, from geometry/engraving.py); raises NotFlat naming the
    first face that is neither. The profile is seen from the engraved side (as the laser
    marks it), else from the larger side, else from the side facing most along +Z, +Y, +X.
    Engraving: every loop of each engraved floor (an engraved face parallel to the sides),
    projected along the plate's normal into the profile's frame; a side's inner loop that
    bounds a mark (touches an engraved face) is not a hole.
    """
    faces = solid.Faces()
    engraved = set(engraved_faces)
    if bad := sorted(i for i in engraved if not 1 <= i <= len(faces)):
        raise ValueError(f"engraved face ids {bad} are not faces of the solid (1..{len(faces)})")
    tol = coincident_mm(solid.BoundingBox().DiagonalLength)
    planes = {i: _plane(f) for i, f in enumerate(faces, 1) if f.geomType() == "PLANE" and i not in engraved}
    a, b, thickness = _sides(faces, planes, tol)
    touching = _edge_faces(solid)
    _check_walls(faces, planes, engraved, touching, (a, b, thickness), tol)
    n = planes[a][0]
    floors = [i for i in sorted(engraved) if faces[i - 1].geomType() == "PLANE" and abs(_plane(faces[i - 1])[0].Dot(n)) > _PARALLEL_COS]
    if floors:
        top = a if _plane(faces[floors[0] - 1])[0].Dot(n) > 0 else b
    elif abs(faces[a - 1].Area() - faces[b - 1].Area()) > 1e-9 * faces[a - 1].Area():
        top = max((a, b), key=lambda i: faces[i - 1].Area())
    else:
        top = max((a, b), key=lambda i: (planes[i][0].Z(), planes[i][0].Y(), planes[i][0].X()))
    trsf = xy_transform(faces[top - 1])
    side = _without_marks(faces[top - 1], touching, engraved) if engraved else faces[top - 1]
    outline, holes = face_loops(_transformed(side, trsf))
    engraving = []
    for i in floors:
        moved = _transformed(faces[i - 1], trsf)
        outer, loops = face_loops(_transformed(moved, _lift(-moved.Center().z)))
        engraving += [outer, *loops]
    return Flat(outline=outline, holes=holes, engraving=tuple(engraving), thickness_mm=thickness)


def _sides(faces: list[cq.Face], planes: dict[int, tuple[gp_Vec, float]], tol: float) -> tuple[int, int, float]:
    """(a, b, thickness): the largest planar face with an anti-parallel planar face behind
    it, the largest such face, and the distance between them in mm."""
    by_area = sorted(planes, key=lambda i: (-faces[i - 1].Area(), i))
    for a in by_area:
        n, level = planes[a]
        behind = [(i, level + planes[i][1]) for i in by_area
                  if planes[i][0].Dot(n) < -_PARALLEL_COS and level + planes[i][1] > tol]
        if behind:
            b, thickness = behind[0]
            return a, b, thickness
    raise NotFlat("no two planar faces face away from each other: not a plate (its two sides)")


def _check_walls(faces: list[cq.Face], planes: dict[int, tuple[gp_Vec, float]], engraved: set[int],
                 touching: Callable[[cq.Shape], set[int]], sides: tuple[int, int, float], tol: float) -> None:
    """Raise NotFlat for the first face that is not a side, an engraved face, a wall square
    to the sides and between them, or an island on a side inside a mark (the middle of an O)."""
    a, b, thickness = sides
    n, level = planes[a]
    for i, f in enumerate(faces, 1):
        if i in engraved or i in (a, b):
            continue
        if i in planes and abs(planes[i][0].Dot(n)) > _PARALLEL_COS:
            offset = planes[i][1] * planes[i][0].Dot(n) - level
            if min(abs(offset), abs(offset + thickness)) <= tol:
                if engraved and touching(f) - {i} <= engraved:
                    continue
                raise NotFlat(f"face {i} lies on a side of the plate beside face {a if abs(offset) <= tol else b}:"
                              " the side is split into faces (clean the model) or it is a second part")
            if offset > 0 or offset < -thickness:
                where = f"{offset if offset > 0 else -offset - thickness:.4g} mm outside face {a if offset > 0 else b}"
            else:
                where = f"{-offset:.4g} mm into the plate from face {a}" if -offset < thickness / 2 else \
                    f"{thickness + offset:.4g} mm into the plate from face {b}"
            raise NotFlat(f"face {i} is parallel to the plate's sides (faces {a} and {b}, {thickness:.4g} mm apart), {where}:"
                          " a step, a pocket or a flange, not a flat part (if it is an engraving, pass its faces)")
        if not _square(f, n):
            raise NotFlat(f"face {i} is not perpendicular to the plate's sides (faces {a} and {b}):"
                          " a bend, a chamfer or a flange, not a flat part")
        lo, hi = _span(f, n)
        if lo < level - thickness - tol or hi > level + tol:
            raise NotFlat(f"face {i} reaches outside the plate between faces {a} and {b} ({thickness:.4g} mm thick):"
                          " a flange or a boss, not a flat part")


def _plane(face: cq.Face) -> tuple[gp_Vec, float]:
    """A planar face's outward unit normal n and its level n·p (mm)."""
    n = gp_Vec(_outward_normal(face))
    return n, gp_Vec(BRepAdaptor_Surface(face.wrapped).Plane().Location().XYZ()).Dot(n)


def _outward_normal(face: cq.Face) -> gp_Dir:
    """The face's normal at the middle of its parameter range, turned with its orientation."""
    umin, umax, vmin, vmax = BRepTools.UVBounds_s(face.wrapped)
    p, v = gp_Pnt(), gp_Vec()
    BRepGProp_Face(face.wrapped).Normal((umin + umax) / 2.0, (vmin + vmax) / 2.0, p, v)
    return gp_Dir(v)


def _square(face: cq.Face, n: gp_Vec) -> bool:
    """Whether the face's normals are square to n (within SQUARE_DEG) on a grid over its parameters."""
    umin, umax, vmin, vmax = BRepTools.UVBounds_s(face.wrapped)
    props = BRepGProp_Face(face.wrapped)
    p, v = gp_Pnt(), gp_Vec()
    for a in range(WALL_SAMPLES):
        for b in range(WALL_SAMPLES):
            u = umin + (umax - umin) * a / (WALL_SAMPLES - 1)
            w = vmin + (vmax - vmin) * b / (WALL_SAMPLES - 1)
            props.Normal(u, w, p, v)
            if v.Magnitude() > 1e-12 and abs(v.Normalized().Dot(n)) > _SQUARE_SIN:
                return False
    return True


def _span(face: cq.Face, n: gp_Vec) -> tuple[float, float]:
    """The face's extent along n (mm), from its vertices and edge midpoints (walls are ruled along n)."""
    levels = [gp_Vec(BRep_Tool.Pnt_s(v.wrapped).XYZ()).Dot(n) for v in face.Vertices()]
    for e in face.Edges():
        c = BRepAdaptor_Curve(e.wrapped)
        levels.append(gp_Vec(c.Value((c.FirstParameter() + c.LastParameter()) / 2.0).XYZ()).Dot(n))
    return min(levels), max(levels)


def _edge_faces(solid: cq.Shape) -> Callable[[cq.Shape], set[int]]:
    """A function giving the ids (1-based in solid.Faces()) of the faces that meet a shape's edges."""
    face_map = TopTools_IndexedMapOfShape()
    TopExp.MapShapes_s(solid.wrapped, TopAbs_FACE, face_map)
    edge_faces = TopTools_IndexedDataMapOfShapeListOfShape()
    TopExp.MapShapesAndAncestors_s(solid.wrapped, TopAbs_EDGE, TopAbs_FACE, edge_faces)
    return lambda shape: {face_map.FindIndex(g) for e in shape.Edges() for g in edge_faces.FindFromKey(e.wrapped)}


def _without_marks(face: cq.Face, touching: Callable[[cq.Shape], set[int]], engraved: set[int]) -> cq.Face:
    """The face rebuilt without its inner wires that touch an engraved face (the rims of
    marks cut into it, not holes through the plate)."""
    return cq.Face.makeFromWires(face.outerWire(), [w for w in face.innerWires() if not touching(w) & engraved])


def _lift(dz: float) -> gp_Trsf:
    trsf = gp_Trsf()
    trsf.SetTranslation(gp_Vec(0.0, 0.0, dz))
    return trsf


def _transformed(face: cq.Face, trsf: gp_Trsf) -> cq.Face:
    return cq.Face(TopoDS.Face_s(BRepBuilderAPI_Transform(face.wrapped, trsf, True).Shape()))


def _edges(shape) -> list:
    out, explorer = [], TopExp_Explorer(shape, TopAbs_EDGE)
    while explorer.More():
        out.append(TopoDS.Edge_s(explorer.Current()))
        explorer.Next()
    return out


def _wire_loop(wire, face) -> Loop:
    """The wire as a closed loop, edges in connection order (BRepTools_WireExplorer with the
    face, so each edge's orientation is its use in the face), each end snapped onto the
    next start when they are within SNAP_MM or the tolerance of the vertex they share."""
    segments: list[Segment] = []
    joints: list[float] = []  # the snap distance at each segment's start
    explorer = BRepTools_WireExplorer(wire, face)
    while explorer.More():
        edge = explorer.Current()
        if not BRep_Tool.Degenerated_s(edge):
            pieces = _edge_segments(edge)
            segments += pieces
            joints += [max(SNAP_MM, BRep_Tool.Tolerance_s(explorer.CurrentVertex()))] + [SNAP_MM] * (len(pieces) - 1)
        explorer.Next()
    if not segments:
        raise ValueError("a wire of the face has no edges")
    joined = []
    for k, s in enumerate(segments):
        nxt = segments[(k + 1) % len(segments)].start
        if math.dist(s.end, nxt) > joints[(k + 1) % len(segments)]:
            raise ValueError(f"the face's wire is open: {math.dist(s.end, nxt):.3g} mm gap at ({s.end[0]:.6g}, {s.end[1]:.6g})")
        joined.append(Segment(s.start, nxt, s.bulge))
    return Loop(tuple(joined))


def _edge_segments(edge) -> list[Segment]:
    """One edge in the direction the face uses it: a line, an arc, or a full circle as two half arcs."""
    c = BRepAdaptor_Curve(edge)
    t0, t1 = c.FirstParameter(), c.LastParameter()
    reverse = edge.Orientation() == TopAbs_REVERSED
    ts = (t1, t0) if reverse else (t0, t1)
    kind = c.GetType()
    if kind == _LINE:
        return [Segment(_xy(c.Value(ts[0])), _xy(c.Value(ts[1])))]
    if kind != _CIRCLE:
        raise ValueError(f"edge of type {kind.name} left after converting the face to arcs")
    ccw = (not reverse) == (c.Circle().Axis().Direction().Z() > 0)
    sweep = (t1 - t0) * (1.0 if ccw else -1.0)
    if abs(abs(sweep) - 2.0 * math.pi) < 1e-9:
        mid = _xy(c.Value((t0 + t1) / 2.0))
        half = math.tan(sweep / 8.0)
        return [Segment(_xy(c.Value(ts[0])), mid, half), Segment(mid, _xy(c.Value(ts[1])), half)]
    return [Segment(_xy(c.Value(ts[0])), _xy(c.Value(ts[1])), math.tan(sweep / 4.0))]


def _xy(p: gp_Pnt) -> tuple[float, float]:
    return (p.X(), p.Y())


def _oriented(loop: Loop, ccw: bool) -> Loop:
    """The loop turned to run counter-clockwise (ccw) or clockwise."""
    if (loop.area > 0) == ccw:
        return loop
    return Loop(tuple(Segment(s.end, s.start, -s.bulge) for s in reversed(loop.segments)))

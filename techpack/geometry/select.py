"""Finding what a spec feature selects on a solid: faces a script tagged, holes by nominal
diameter, a point on a face, the material's thickness under a face (the part model,
geometry/model.py, resolves every feature with these)."""

from __future__ import annotations

import cadquery as cq
import numpy as np
from OCP.BRepAdaptor import BRepAdaptor_Surface
from OCP.BRepClass import BRepClass_FaceClassifier
from OCP.BRepExtrema import BRepExtrema_DistShapeShape
from OCP.BRepTools import BRepTools
from OCP.GeomAbs import GeomAbs_Plane
from OCP.gp import gp_Dir, gp_Lin, gp_Pnt, gp_Pnt2d
from OCP.IntCurvesFace import IntCurvesFace_ShapeIntersector
from OCP.TopAbs import TopAbs_IN

from techpack.geometry.part import BuiltPart

HOLE_MATCH_MM = 0.05  # a feature's nominal hole diameter matches holes this close on the model


def named_faces(built: BuiltPart, name: str) -> list[cq.Face]:
    """The solid's faces on the faces the script tagged `name`: the same surface (plane,
    cylinder, ...) with overlapping extents, so that later cuts and fillets that split or
    trim the tagged face keep its name."""
    tagged = built.named.get(name, [])
    return [f for f in built.solid.Faces() if any(same_surface(f, t) for t in tagged)]


def same_surface(a: cq.Face, b: cq.Face, tol: float = 1e-6, overlapping: bool = True) -> bool:
    """Whether faces a and b lie on one surface: the same plane or cylinder (or, for other
    kinds, touching), and with `overlapping`, with overlapping extents too. A face a script
    tagged still names the pieces later cuts split it into or trim it to; a masked face takes
    the pieces a groove splits it into along with it."""
    if a.isSame(b):
        return True
    if a.geomType() != b.geomType():
        return False
    sa, sb = BRepAdaptor_Surface(a.wrapped), BRepAdaptor_Surface(b.wrapped)
    if a.geomType() == "PLANE":
        pa, pb = sa.Plane(), sb.Plane()
        on = pa.Axis().IsParallel(pb.Axis(), 1e-9) and pb.Distance(pa.Location()) < tol
    elif a.geomType() == "CYLINDER":
        ca, cb = sa.Cylinder(), sb.Cylinder()
        on = (abs(ca.Radius() - cb.Radius()) < tol and ca.Axis().IsParallel(cb.Axis(), 1e-9)
              and gp_Lin(cb.Axis()).Distance(ca.Location()) < tol)
    elif overlapping:
        dist = BRepExtrema_DistShapeShape(a.wrapped, b.wrapped)
        on = dist.IsDone() and dist.Value() < tol
    else:
        return False
    return on and (not overlapping or _overlap(a, b, tol))


def _overlap(a: cq.Face, b: cq.Face, tol: float) -> bool:
    x, y = a.BoundingBox(), b.BoundingBox()
    return x.xmin <= y.xmax + tol and y.xmin <= x.xmax + tol and x.ymin <= y.ymax + tol and y.ymin <= x.ymax + tol and x.zmin <= y.zmax + tol and y.zmin <= x.zmax + tol


def along_face(face, normal, direction) -> np.ndarray:
    """A vector in the face, across the view, a third of the face's size (to put a leader
    off the face's centre)."""
    v = np.cross(normal, np.asarray(direction, dtype=float))
    bb = face.BoundingBox()
    return v / (np.linalg.norm(v) or 1) * (bb.xlen + bb.ylen + bb.zlen) / 3


def point_on_face(face, centre: np.ndarray, normal: np.ndarray, direction, k: int) -> np.ndarray:
    """A point on the face (not in a hole through it) for the k-th arrow on it, spread
    across the view so that two features on one face do not share an arrow."""
    along = along_face(face, normal, direction)
    shifts = (0.0, 0.5, -0.5, 1.0, -1.0, 0.25, -0.25, 0.75, -0.75, 1.25, -1.25)
    shifts = shifts[k % 3:] + shifts[:k % 3]
    for t in shifts:
        point = centre + along * t
        if BRepClass_FaceClassifier(face.wrapped, gp_Pnt(*point), 1e-4).State() == TopAbs_IN:
            return point
    return centre


GRID = 10  # rays per side of the grid over a face's (u, v) bounds, for the size across it


def hit_under(solid, face, centre, normal):
    """(distance mm, TopoDS_Face): the size across a planar face, to the parallel planar face
    opposite it, and that face. Rays go straight into the material from a grid of points on
    the face (holes skipped); a ray counts where the material first ends on a plane parallel
    to the face (a ray that meets a bore's crown or a slope first says nothing about a size
    between two faces), and the plane most rays reach wins (the farther on a tie): a plate's
    thickness, the base of an L bracket under its upright, a post's height over a pocket
    under part of its top. None if no ray reaches such a plane: the face has no size across.
    `centre` is unused (kept for the callers' signature)."""
    normal = np.asarray(normal, dtype=float)
    normal = normal / np.linalg.norm(normal)
    surface = BRepAdaptor_Surface(face.wrapped)
    u0, u1, v0, v1 = BRepTools.UVBounds_s(face.wrapped)
    ray = IntCurvesFace_ShapeIntersector()
    ray.Load(solid.wrapped, 1e-6)
    votes: dict[float, tuple[int, float, object]] = {}  # distance to 1 nm -> (rays, distance, face)
    for i in range(GRID):
        for j in range(GRID):
            u, v = u0 + (i + 0.5) / GRID * (u1 - u0), v0 + (j + 0.5) / GRID * (v1 - v0)
            if BRepClass_FaceClassifier(face.wrapped, gp_Pnt2d(u, v), 1e-7).State() != TopAbs_IN:
                continue
            ray.Perform(gp_Lin(surface.Value(u, v), gp_Dir(*(-normal))), 1e-3, 1e9)
            if not ray.IsDone() or ray.NbPnt() == 0:
                continue
            k = min(range(1, ray.NbPnt() + 1), key=ray.WParameter)
            hit = BRepAdaptor_Surface(ray.Face(k))
            if hit.GetType() != GeomAbs_Plane or abs(abs(hit.Plane().Axis().Direction().Dot(gp_Dir(*normal))) - 1) > 1e-9:
                continue
            d = ray.WParameter(k)
            n, _, opposite = votes.get(round(d, 6), (0, d, ray.Face(k)))
            votes[round(d, 6)] = (n + 1, d, opposite)
    if not votes:
        return None
    _, d, opposite = max(votes.values(), key=lambda vote: (vote[0], vote[1]))
    return d, opposite


def thickness_under(solid, face, centre, normal) -> float | None:
    """The material's thickness under a face, mm (see hit_under)."""
    hit = hit_under(solid, face, centre, normal)
    return hit[0] if hit else None


def hole_matches(nominal_mm: float, diameter_mm: float) -> bool:
    return abs(nominal_mm - diameter_mm) < HOLE_MATCH_MM

"""Geometry probes the checks share: sample points and oriented normals on every face,
rays cast through the solid, and face adjacency. All lengths in mm."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import cadquery as cq
import numpy as np
from embreex import rtcore_scene
from embreex.mesh_construction import TriangleMesh
from OCP.BRep import BRep_Tool
from OCP.BRepAdaptor import BRepAdaptor_Surface
from OCP.BRepBndLib import BRepBndLib
from OCP.BRepClass3d import BRepClass3d_SolidClassifier
from OCP.BRepGProp import BRepGProp_Face
from OCP.BRepTools import BRepTools
from OCP.BRepTopAdaptor import BRepTopAdaptor_FClass2d
from OCP.Bnd import Bnd_Box
from OCP.GeomAbs import GeomAbs_Cone, GeomAbs_Cylinder, GeomAbs_Plane, GeomAbs_Sphere, GeomAbs_Torus
from OCP.gp import gp_Dir, gp_Lin, gp_Pnt, gp_Pnt2d, gp_Vec
from OCP.IntCurvesFace import IntCurvesFace_Intersector
from OCP.TopAbs import TopAbs_FACE, TopAbs_IN, TopAbs_ON, TopAbs_VERTEX
from OCP.TopExp import TopExp
from OCP.TopoDS import TopoDS
from OCP.TopTools import TopTools_IndexedMapOfShape

from techpack.geometry.mesh import face_triangles
from techpack.geometry.tolerance import RAY_CLEAR_MM

SURFACE_NAMES = {GeomAbs_Plane: "plane", GeomAbs_Cylinder: "cylinder", GeomAbs_Cone: "cone", GeomAbs_Sphere: "sphere", GeomAbs_Torus: "torus"}
MARGIN = 0.02  # share of a face's UV range kept free of samples at its boundary
MAX_PER_SIDE = 8  # samples along each side of a face's UV grid, at most
SPACING = 40  # target sample spacing: the part's diagonal / SPACING
MAX_PASSES = 8  # a ray goes on through at most this many non-obstacles (free)


@dataclass(frozen=True)
class Samples:
    """Points on the faces with their outward unit normals; face ids are 1-based."""

    points: np.ndarray  # (n, 3)
    normals: np.ndarray  # (n, 3)
    faces: np.ndarray  # (n,) face id of each sample


@dataclass(frozen=True)
class Hit:
    distance: float
    face: int
    normal: np.ndarray  # outward unit normal of the hit face at the hit point


@dataclass(frozen=True)
class _Mesh:
    scene: object  # embreex EmbreeScene
    origin: np.ndarray
    scale: float
    tri_face: np.ndarray  # face id of each triangle
    tri_area: np.ndarray  # mm2
    tri_normal: np.ndarray  # (m, 3) outward unit normal of each triangle
    size: tuple[float, float, float]  # mm


class Probe:
    """Everything a check asks of one solid, computed once."""

    def __init__(self, solid: cq.Solid):
        self.solid = solid
        self.shape = solid.wrapped
        self.face_map = TopTools_IndexedMapOfShape()
        TopExp.MapShapes_s(self.shape, TopAbs_FACE, self.face_map)
        self.n_faces = self.face_map.Extent()
        self._props: dict[int, BRepGProp_Face] = {}
        self._face_intersectors: dict[int, IntCurvesFace_Intersector] = {}
        box = Bnd_Box()
        BRepBndLib.Add_s(self.shape, box, False)  # a quick box: the diagonal only sets scales
        xmin, ymin, zmin, xmax, ymax, zmax = box.Get()
        self.diagonal = math.dist((xmin, ymin, zmin), (xmax, ymax, zmax))
        self.deflection = self.diagonal / 1500  # mm, of the triangulation behind the ray casts

    def face(self, fid: int):
        return TopoDS.Face_s(self.face_map.FindKey(fid))

    def face_id(self, face) -> int:
        return self.face_map.FindIndex(face)

    @functools.cached_property
    def surface_types(self) -> list[str]:
        return ["", *(SURFACE_NAMES.get(BRepAdaptor_Surface(self.face(i)).GetType(), "surface") for i in range(1, self.n_faces + 1))]

    @property
    def size(self) -> tuple[float, float, float]:
        """Size in x, y, z (mm) of the triangulation: within diagonal/1500 of the exact box."""
        return self._mesh.size

    @functools.cached_property
    def areas(self) -> np.ndarray:
        """Area of each face (mm2, row 0 unused), from the triangulation."""
        mesh = self._mesh
        return np.bincount(mesh.tri_face, weights=mesh.tri_area, minlength=self.n_faces + 1)

    @functools.cached_property
    def boxes(self) -> np.ndarray:
        """(n_faces + 1, 6) xmin, ymin, zmin, xmax, ymax, zmax of each face (row 0 unused)."""
        out = np.zeros((self.n_faces + 1, 6))
        for i in range(1, self.n_faces + 1):
            box = Bnd_Box()
            BRepBndLib.Add_s(self.face(i), box, True)
            out[i] = box.Get()
        return out

    def span(self, fid: int, direction: np.ndarray) -> tuple[float, float]:
        """The face's extent along a direction (mm), for spans compared with a feature's size:
        from its triangulation's nodes, which lie on the face (exact for a plane and at every
        vertex; on a curved face short of the true extent by at most the mesh's sag where an
        extreme falls between nodes), else from its exact box."""
        nodes = self._nodes.get(fid)
        if nodes is not None:
            along = nodes @ np.asarray(direction, dtype=float)
            return float(along.min()), float(along.max())
        bnd = Bnd_Box()
        BRepBndLib.AddOptimal_s(self.face(fid), bnd, False, False)
        box = np.array(bnd.Get())
        corners = np.array([[x, y, z] for x in box[0::3] for y in box[1::3] for z in box[2::3]]) @ direction
        return float(corners.min()), float(corners.max())

    @functools.cached_property
    def _nodes(self) -> dict[int, np.ndarray]:
        """Each face's triangulation nodes (mm)."""
        self._mesh  # noqa: B018 - meshes the solid
        return self._face_nodes

    @functools.cached_property
    def _firsts(self) -> tuple[np.ndarray, np.ndarray]:
        s = self.samples
        points, normals = np.zeros((self.n_faces + 1, 3)), np.zeros((self.n_faces + 1, 3))
        faces, first = np.unique(s.faces, return_index=True)
        points[faces], normals[faces] = s.points[first], s.normals[first]
        return points, normals

    @property
    def first_normals(self) -> np.ndarray:
        """(n_faces + 1, 3) the outward normal at each face's first sample (a plane's normal);
        zeros for a face without samples."""
        return self._firsts[1]

    def first_point(self, fid: int) -> np.ndarray:
        """Each face's first sample point (a point on a plane)."""
        return self._firsts[0][fid]

    @functools.cached_property
    def box_gaps(self) -> np.ndarray:
        """(n_faces, n_faces) distance between the faces' bounding boxes, mm (0 where they touch);
        entry [i, j] is for faces i + 1 and j + 1."""
        lo, hi = self.boxes[1:, :3], self.boxes[1:, 3:]
        return np.linalg.norm(np.maximum(0, np.maximum(lo[:, None, :] - hi[None, :, :], lo[None, :, :] - hi[:, None, :])), axis=2)

    @functools.cached_property
    def neighbours(self) -> list[set[int]]:
        """Faces that share a vertex (so also an edge) with each face."""
        vertices = TopTools_IndexedMapOfShape()
        TopExp.MapShapes_s(self.shape, TopAbs_VERTEX, vertices)
        owners: dict[int, set[int]] = {}
        own = TopTools_IndexedMapOfShape()
        for fid in range(1, self.n_faces + 1):
            own.Clear()
            TopExp.MapShapes_s(self.face_map.FindKey(fid), TopAbs_VERTEX, own)
            for k in range(1, own.Extent() + 1):
                owners.setdefault(vertices.FindIndex(own.FindKey(k)), set()).add(fid)
        out: list[set[int]] = [set() for _ in range(self.n_faces + 1)]
        for ids in owners.values():
            for a in ids:
                out[a] |= ids - {a}
        return out

    def normal(self, fid: int, u: float, v: float) -> tuple[np.ndarray, np.ndarray]:
        """Point and outward unit normal of face fid at (u, v)."""
        prop = self._props.get(fid)
        if prop is None:
            prop = self._props[fid] = BRepGProp_Face(self.face(fid))
        p, n = gp_Pnt(), gp_Vec()
        prop.Normal(u, v, p, n)
        length = n.Magnitude()
        unit = np.array([n.X(), n.Y(), n.Z()]) / length if length > 1e-12 else np.zeros(3)
        return np.array([p.X(), p.Y(), p.Z()]), unit

    @functools.cached_property
    def samples(self) -> Samples:
        """A grid of points over every face, about diagonal/60 apart, kept off the boundaries."""
        spacing = self.diagonal / SPACING
        pts, nrm, fids = [], [], []
        for fid in range(1, self.n_faces + 1):
            got = self._sample_face(fid, spacing)
            for p, n in got:
                pts.append(p)
                nrm.append(n)
                fids.append(fid)
        return Samples(np.array(pts).reshape(-1, 3), np.array(nrm).reshape(-1, 3), np.array(fids, dtype=int))

    def _sample_face(self, fid: int, spacing: float) -> list[tuple[np.ndarray, np.ndarray]]:
        face = self.face(fid)
        umin, umax, vmin, vmax = BRepTools.UVBounds_s(face)
        side = min(MAX_PER_SIDE, max(3, math.ceil(math.sqrt(self.areas[fid]) / spacing)))
        classifier = BRepTopAdaptor_FClass2d(face, 1e-9)
        out = []
        for n in (side, 3 * side):  # a face with no grid point inside (a thin sliver) gets a finer grid
            du, dv = (umax - umin) * (1 - 2 * MARGIN) / n, (vmax - vmin) * (1 - 2 * MARGIN) / n
            for i in range(n):
                u = umin + (umax - umin) * MARGIN + (i + 0.5) * du
                for j in range(n):
                    v = vmin + (vmax - vmin) * MARGIN + (j + 0.5) * dv
                    if classifier.Perform(gp_Pnt2d(u, v)) == TopAbs_IN:
                        p, normal = self.normal(fid, u, v)
                        if normal.any():
                            out.append((p, normal))
            if out:
                break
        return out

    @functools.cached_property
    def _mesh(self) -> _Mesh:
        """An Embree ray scene of the solid's triangulation (shifted and scaled to the unit box
        for float32 precision), and the face id of each triangle.

        The mesh only finds which face a ray meets first; the distance and normal are then
        computed exactly on that face's surface (see rays)."""
        verts, tris, tri_face, offset = [], [], [], 0
        self._face_nodes = {}
        for fid, nodes, corners in face_triangles(self.shape, self.deflection, parallel=True):
            self._face_nodes[fid] = nodes
            verts.append(nodes)
            tris.append(corners + offset)
            tri_face.append(np.full(len(corners), fid))
            offset += len(nodes)
        verts, tris, tri_face = np.vstack(verts), np.vstack(tris), np.concatenate(tri_face)
        vertices, indices = verts, tris.astype(np.int32)
        origin, scale = vertices.min(axis=0), 1.0 / max(self.diagonal, 1e-9)
        scene = rtcore_scene.EmbreeScene()
        TriangleMesh(scene=scene, vertices=((vertices - origin) * scale).astype(np.float32), indices=indices)
        a, b, c = (vertices[indices[:, k]] for k in range(3))
        cross = np.cross(b - a, c - a)
        areas = np.linalg.norm(cross, axis=1) / 2
        normals = cross / np.maximum(2 * areas, 1e-300)[:, None]
        size = tuple(float(v) for v in vertices.max(axis=0) - vertices.min(axis=0))
        return _Mesh(scene, origin, scale, np.array(tri_face, dtype=int), areas, normals, size)

    def rays(self, starts: np.ndarray, directions: np.ndarray) -> list[Hit | None]:
        """For each ray, the first face it meets beyond 1e-6 mm, with the exact distance and normal."""
        mesh = self._mesh
        scene, origin, scale, tri_face = mesh.scene, mesh.origin, mesh.scale, mesh.tri_face
        out: list[Hit | None] = [None] * len(starts)
        if not len(starts):
            return out
        result = scene.run(((starts - origin) * scale).astype(np.float32), directions.astype(np.float32), output=1)
        for r, (tri, tfar) in enumerate(zip(result["primID"], result["tfar"])):
            if tri < 0:
                continue
            fid = int(tri_face[tri])
            exact = self._exact(fid, starts[r], directions[r])
            if exact is None:  # the ray grazes the face's boundary: keep the mesh's answer
                loc = starts[r] + directions[r] * float(tfar) / scale
                _, n = self._nearest_normal(fid, loc)
                exact = Hit(float(tfar) / scale, fid, n)
            out[r] = exact
        return out

    def free(self, starts: np.ndarray, directions: np.ndarray, own: np.ndarray) -> np.ndarray:
        """Whether each ray leaves the part: (n,) bool. starts (n, 3) lie just off face own[i].

        A ray passes through what is no obstacle and goes on: a triangle it meets from behind
        (the start lay inside the triangulation's sag, or the ray leaves material), a face met
        nearer than RAY_CLEAR_MM (the edge the start lies on), a triangle met within the mesh's
        sag whose exact face the ray does not meet there (a curved face's chords bulge into
        the void). The first face it meets from the front otherwise blocks it."""
        mesh = self._mesh
        n = len(starts)
        out = np.zeros(n, dtype=bool)
        origin = np.array(starts, dtype=float).reshape(-1, 3)
        directions = np.asarray(directions, dtype=float).reshape(-1, 3)
        travelled = np.zeros(n)
        active = np.arange(n)
        step = max(1e-4, 1e-6 * self.diagonal)  # past the triangle met, before casting again
        for _ in range(MAX_PASSES):
            if not len(active):
                break
            res = mesh.scene.run(((origin[active] - mesh.origin) * mesh.scale).astype(np.float32),
                                 directions[active].astype(np.float32), output=1)
            prim, dist = res["primID"], res["tfar"].astype(float) / mesh.scale
            out[active[prim < 0]] = True
            hit = prim >= 0
            rays, tri, dist = active[hit], prim[hit], dist[hit]
            total = travelled[rays] + dist
            behind = np.einsum("ij,ij->i", mesh.tri_normal[tri], directions[rays]) > 0
            passes = behind | (total < RAY_CLEAR_MM)
            for i in np.flatnonzero(~passes & (dist < 2 * self.deflection)):
                # near a curved face the triangulation sags into the void: ask the exact face
                exact = self._exact(int(mesh.tri_face[tri[i]]), origin[rays[i]], directions[rays[i]])
                passes[i] = exact is None or exact.distance > dist[i] + 2 * self.deflection
            rays, dist = rays[passes], dist[passes]
            origin[rays] += directions[rays] * (dist + step)[:, None]
            travelled[rays] += dist + step
            active = rays
        out[active] = True  # still passing through slivers after MAX_PASSES: not blocked by anything solid
        return out

    def _exact(self, fid: int, start: np.ndarray, direction: np.ndarray) -> Hit | None:
        """Where the ray meets face fid on its exact surface: for a plane (whose triangles are
        exact, so the mesh's hit is inside it) in closed form, else by OCCT's intersector."""
        if self.surface_types[fid] == "plane" and self.first_normals[fid].any():
            n = self.first_normals[fid]
            along = float(direction @ n)
            if abs(along) > 1e-12:
                t = float((self.first_point(fid) - start) @ n) / along
                return Hit(t, fid, n) if t > 1e-6 else None
        inter = self._face_intersectors.get(fid)
        if inter is None:
            inter = self._face_intersectors[fid] = IntCurvesFace_Intersector(self.face(fid), 1e-7)
        inter.Perform(gp_Lin(gp_Pnt(*start), gp_Dir(*direction)), 1e-6, 10 * self.diagonal)
        if not inter.IsDone() or inter.NbPnt() == 0:
            return None
        k = min(range(1, inter.NbPnt() + 1), key=inter.WParameter)
        _, n = self.normal(fid, inter.UParameter(k), inter.VParameter(k))
        return Hit(inter.WParameter(k), fid, n)

    def _nearest_normal(self, fid: int, point: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        from OCP.GeomAPI import GeomAPI_ProjectPointOnSurf

        proj = GeomAPI_ProjectPointOnSurf(gp_Pnt(*point), BRep_Tool.Surface_s(self.face(fid)))
        if proj.NbPoints() == 0:
            return point, np.zeros(3)
        u, v = proj.LowerDistanceParameters()
        return self.normal(fid, u, v)

    def contains(self, fid: int, point: np.ndarray, tol: float = 1e-6) -> bool:
        """Whether point (on the face's surface) lies within face fid's boundaries."""
        from OCP.GeomAPI import GeomAPI_ProjectPointOnSurf

        proj = GeomAPI_ProjectPointOnSurf(gp_Pnt(*point), BRep_Tool.Surface_s(self.face(fid)))
        if proj.NbPoints() == 0 or proj.LowerDistance() > tol * max(1.0, self.diagonal):
            return False
        u, v = proj.LowerDistanceParameters()
        return BRepTopAdaptor_FClass2d(self.face(fid), 1e-9).Perform(gp_Pnt2d(u, v)) in (TopAbs_IN, TopAbs_ON)

    def inside(self, point: np.ndarray) -> bool:
        classifier = BRepClass3d_SolidClassifier(self.shape, gp_Pnt(*point), 1e-7)
        return classifier.State() in (TopAbs_IN, TopAbs_ON)

    def describe_face(self, fid: int) -> str:
        return f"face {fid} ({self.surface_types[fid]})"

"""A part's print mesh: the solid triangulated to an absolute chord deviation (mm) and angle
(degrees), welded into one closed triangle mesh wound outward, and checked against the
solid, for the STL and 3MF print files (techpack/documents/meshfile.py).

The triangulation is made on a copy of the solid without its mesh: OCCT keeps a
triangulation on the shape and reuses any at least as fine, so meshing the shape itself
could give a finer or coarser mesh than asked for (reference cad-exports-pmi.md 4.1).
Faces are meshed one after another, so the same solid always gives the same arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cadquery as cq
import numpy as np
from OCP.BRepBuilderAPI import BRepBuilderAPI_Copy

from techpack.geometry.measure import volume
from techpack.geometry.mesh import face_triangles

VOLUME_TOLERANCE = 0.005  # the mesh encloses the solid's volume within 0.5 % (issue 15)
FLAT_MM = 1e-9  # a triangle lower than this, a hundredth of OCCT's 1e-7 mm confusion tolerance, is flat


class MeshError(ValueError):
    """The solid does not make a closed, outward triangle mesh of its own volume; the
    message says which check failed, with the numbers."""


@dataclass(frozen=True, eq=False)
class Mesh:
    """A closed triangle mesh: vertices (n, 3) float64 in mm, each used; triangles (m, 3)
    int64 indices into vertices, counter-clockwise seen from outside."""

    vertices: np.ndarray
    triangles: np.ndarray

    @property
    def volume_mm3(self) -> float:
        """The enclosed volume, mm³ (negative for a mesh wound inward)."""
        a, b, c = (self.vertices[self.triangles[:, i]] for i in range(3))
        return float(np.einsum("ij,ij->", a, np.cross(b, c)) / 6.0)

    @property
    def area_mm2(self) -> float:
        """The surface area, mm²."""
        a, b, c = (self.vertices[self.triangles[:, i]] for i in range(3))
        return float(np.linalg.norm(np.cross(b - a, c - a), axis=1).sum() / 2.0)


def mesh(shape: cq.Shape, chord_mm: float, angle_deg: float) -> Mesh:
    """The shape's print mesh, to OCCT's absolute linear deflection chord_mm (mm) and angular
    deflection angle_deg (degrees). Measured with OCCT 7.9: a circle gets one segment per
    angle_deg / 2 or per chord_mm / 2 of deviation, whichever is finer, and a free-form or
    toroidal face stays within chord_mm, but a sphere's inside does not (up to 2.1 ×
    chord_mm). The catalog's values allow for that. The faces' triangles are joined where
    their vertices coincide exactly; triangles whose corners join into one another are
    dropped, and flat ones (three corners on a line) flipped into their neighbour. A
    MeshError when the shape has no faces or one does not mesh, the mesh is not closed (every edge shared by two
    triangles, wound opposite ways), encloses a negative volume, or differs from the
    solid's volume by more than VOLUME_TOLERANCE."""
    if not (chord_mm > 0 and 0 < angle_deg < 90):
        raise ValueError(f"a mesh needs a chord over 0 mm and an angle between 0 and 90°; got {chord_mm} mm, {angle_deg}°")
    if not shape.Faces():
        raise MeshError("the shape has no faces to mesh")
    copy = BRepBuilderAPI_Copy(shape.wrapped, True, False).Shape()
    meshed = [(fid, nodes, corners) for fid, nodes, corners in face_triangles(copy, chord_mm, math.radians(angle_deg)) if len(corners)]
    failed = sorted(set(range(1, len(shape.Faces()) + 1)) - {fid for fid, _, _ in meshed})
    if failed:
        shown = ", ".join(map(str, failed[:10])) + (" ..." if len(failed) > 10 else "")
        raise MeshError(f"{len(failed)} of {len(shape.Faces())} faces did not mesh (faces {shown}, numbered from 1 in the order of the solid's faces)")
    nodes = np.concatenate([n for _, n, _ in meshed]) + 0.0  # + 0.0: -0.0 becomes 0.0
    offsets = np.cumsum([0] + [len(n) for _, n, _ in meshed[:-1]])
    corners = np.concatenate([c + o for (_, _, c), o in zip(meshed, offsets)])
    vertices, index = np.unique(nodes, axis=0, return_inverse=True)
    triangles = index.reshape(-1)[corners].astype(np.int64)
    distinct = (triangles[:, 0] != triangles[:, 1]) & (triangles[:, 1] != triangles[:, 2]) & (triangles[:, 2] != triangles[:, 0])
    triangles = _flip_flat(vertices, triangles[distinct])
    used, triangles = np.unique(triangles, return_inverse=True)
    result = Mesh(vertices[used], triangles.reshape(-1, 3))
    _check(result, volume(shape.wrapped))
    return result


def _heights(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """Each triangle's height over its longest side, mm."""
    a, b, c = (vertices[triangles[:, i]] for i in range(3))
    longest = np.max([np.linalg.norm(b - a, axis=1), np.linalg.norm(c - b, axis=1), np.linalg.norm(a - c, axis=1)], axis=0)
    return np.linalg.norm(np.cross(b - a, c - a), axis=1) / longest


def _flip_flat(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """The triangles with the flat ones flipped away. BRepMesh leaves a few triangles whose
    three corners lie on a line (NIST CTC-02 has 296, at its cones' apexes and along
    straight boundaries); they close the mesh, so they cannot be dropped. A flat triangle abc
    (c inside its longest side ab) and the triangle bad across ab become bcd and cad, which
    cover bad exactly and share the edges of the two. A flip that would give an edge a third
    triangle is left out; the closed-mesh check still holds for what remains."""
    flat = np.nonzero(_heights(vertices, triangles) < FLAT_MM)[0]
    if not len(flat):
        return triangles
    tris = triangles.copy()
    n = len(vertices)
    keys = (tris * n + tris[:, [1, 2, 0]]).ravel()  # the directed edge from corner i to i + 1 of triangle t is keys[3t + i]
    owner = dict(zip(keys.tolist(), np.repeat(np.arange(len(tris)), 3).tolist()))
    todo = sorted(flat.tolist(), reverse=True)
    for _ in range(4 * len(flat)):  # a bound: each flip that leaves a flat triangle queues it again
        if not todo:
            break
        t = todo.pop()
        if _heights(vertices, tris[t : t + 1])[0] >= FLAT_MM:
            continue
        p = vertices[tris[t]]
        i = int(np.argmax(np.linalg.norm(p[[1, 2, 0]] - p, axis=1)))
        a, b, c = (int(tris[t, (i + k) % 3]) for k in range(3))
        u = owner.get(b * n + a)
        if u is None:
            continue
        d = next(int(v) for v in tris[u] if v not in (a, b))
        if d == c or c * n + d in owner or d * n + c in owner:
            continue
        tris[t], tris[u] = (b, c, d), (c, a, d)
        del owner[a * n + b], owner[b * n + a]
        owner.update({c * n + d: t, d * n + b: t, c * n + a: u, d * n + c: u})
        todo += [s for s in (t, u) if _heights(vertices, tris[s : s + 1])[0] < FLAT_MM]
    return tris


def _check(result: Mesh, solid_mm3: float) -> None:
    """MeshError unless the mesh is closed, wound one way, outward, and of the solid's volume."""
    tris, n = result.triangles, len(result.vertices)
    if not len(tris):
        raise MeshError("the mesh has no triangles")
    starts, ends = tris.ravel(), tris[:, [1, 2, 0]].ravel()
    sides, uses = np.unique(np.minimum(starts, ends) * n + np.maximum(starts, ends), return_counts=True)
    if (uses != 2).any():
        bad = sides[uses != 2]
        at = _at(result.vertices, bad[0], n)
        raise MeshError(f"the mesh is not closed: {int((uses == 1).sum())} edges belong to one triangle only and "
                        f"{int((uses > 2).sum())} to more than two, of {len(sides)} (the first at {at} mm)")
    directed, count = np.unique(starts * n + ends, return_counts=True)
    if (count > 1).any():
        at = _at(result.vertices, directed[count > 1][0], n)
        raise MeshError(f"the mesh's triangles are not wound one way: {int((count > 1).sum())} of {len(sides)} edges "
                        f"are run the same way by both their triangles (the first at {at} mm)")
    got = result.volume_mm3
    if got <= 0:
        raise MeshError(f"the mesh is wound inward: it encloses {got:.6g} mm³ (the solid {solid_mm3:.6g} mm³)")
    if abs(got - solid_mm3) > VOLUME_TOLERANCE * abs(solid_mm3):
        raise MeshError(f"the mesh encloses {got:.6g} mm³, the solid {solid_mm3:.6g} mm³: "
                        f"{(got - solid_mm3) / abs(solid_mm3):+.2%}, more than the ±{VOLUME_TOLERANCE:.1%} allowed")


def _at(vertices: np.ndarray, key: int, n: int) -> str:
    """The midpoint of the edge with key start * n + end, as "(x, y, z)" in mm."""
    mid = (vertices[key // n] + vertices[key % n]) / 2.0
    return "(" + ", ".join(f"{v:.3f}" for v in mid) + ")"

"""A shape's triangulation, face by face: what the DFM ray scene and the finishing
instructions' masking picture are drawn from."""

from __future__ import annotations

import numpy as np
from OCP.BRep import BRep_Tool
from OCP.BRepMesh import BRepMesh_IncrementalMesh
from OCP.TopAbs import TopAbs_FACE, TopAbs_REVERSED
from OCP.TopExp import TopExp
from OCP.TopLoc import TopLoc_Location
from OCP.TopoDS import TopoDS
from OCP.TopTools import TopTools_IndexedMapOfShape


def face_triangles(shape, deflection: float, angle: float = 0.35, parallel: bool = False) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """Mesh the shape (in place: pass a copy to leave its own triangulation alone) and return,
    for each face that has triangles, (face id, nodes (n, 3) mm, triangles (m, 3) node
    indices wound outward). Face ids are 1-based, in the order of solid.Faces()."""
    BRepMesh_IncrementalMesh(shape, deflection, False, angle, parallel)
    faces = TopTools_IndexedMapOfShape()
    TopExp.MapShapes_s(shape, TopAbs_FACE, faces)
    out = []
    for fid in range(1, faces.Extent() + 1):
        face = TopoDS.Face_s(faces.FindKey(fid))
        loc = TopLoc_Location()
        mesh = BRep_Tool.Triangulation_s(face, loc)
        if mesh is None:
            continue
        nodes = np.array([mesh.Node(i).Coord() for i in range(1, mesh.NbNodes() + 1)])
        if not loc.IsIdentity():
            t = loc.Transformation()
            m = np.array([[t.Value(r, c) for c in range(1, 5)] for r in range(1, 4)])
            nodes = nodes @ m[:, :3].T + m[:, 3]
        corners = np.array([mesh.Triangle(i).Get() for i in range(1, mesh.NbTriangles() + 1)]) - 1
        if face.Orientation() == TopAbs_REVERSED:
            corners = corners[:, [0, 2, 1]]
        out.append((fid, nodes, corners))
    return out

"""An isometric picture of a solid for reports: visible edges and silhouettes from OCCT's
polygonal hidden-line removal, hidden edges separately, and the edges of chosen faces
(drawn on top, so a flagged face shows even when it is at the back). Lengths in mm.

A Picture is made in a part's worker and drawn in the main process (the DFM report), where
CadQuery and OCCT may not be loaded: OCCT is imported by picture() only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import cadquery as cq

VIEW = np.array([1.0, -1.0, 1.0]) / np.sqrt(3)  # towards the viewer: from front right, above
RIGHT = np.array([1.0, 1.0, 0.0]) / np.sqrt(2)
UP = np.cross(VIEW, RIGHT)


@dataclass(frozen=True)
class Picture:
    visible: list[np.ndarray]  # (n, 2) polylines: sharp edges and silhouettes in view
    hidden: list[np.ndarray]
    face_edges: dict[int, list[np.ndarray]]  # face id -> its boundary, projected
    bounds: tuple[float, float, float, float]  # xmin, ymin, xmax, ymax

    @staticmethod
    def project(point) -> tuple[float, float]:
        p = np.asarray(point, dtype=float)
        return float(p @ RIGHT), float(p @ UP)


def _polylines(shape, deflection: float, planar: bool) -> list[np.ndarray]:
    from OCP.BRepAdaptor import BRepAdaptor_Curve
    from OCP.GCPnts import GCPnts_QuasiUniformDeflection
    from OCP.TopAbs import TopAbs_EDGE
    from OCP.TopExp import TopExp_Explorer
    from OCP.TopoDS import TopoDS

    out = []
    if shape is None or shape.IsNull():
        return out
    exp = TopExp_Explorer(shape, TopAbs_EDGE)
    while exp.More():
        curve = BRepAdaptor_Curve(TopoDS.Edge_s(exp.Current()))
        sampler = GCPnts_QuasiUniformDeflection(curve, deflection)
        if sampler.IsDone() and sampler.NbPoints() >= 2:
            pts = np.array([sampler.Value(k).Coord() for k in range(1, sampler.NbPoints() + 1)])
            out.append(pts[:, :2] if planar else np.stack([pts @ RIGHT, pts @ UP], axis=-1))
        exp.Next()
    return out


def picture(solid: cq.Solid, faces: set[int], deflection: float) -> Picture:
    """The solid seen isometrically, with the boundaries of `faces` (1-based ids) kept apart."""
    from OCP.BRepMesh import BRepMesh_IncrementalMesh
    from OCP.gp import gp_Ax2, gp_Dir, gp_Pnt
    from OCP.HLRAlgo import HLRAlgo_Projector
    from OCP.HLRBRep import HLRBRep_PolyAlgo, HLRBRep_PolyHLRToShape
    from OCP.TopAbs import TopAbs_FACE
    from OCP.TopExp import TopExp
    from OCP.TopTools import TopTools_IndexedMapOfShape

    shape = solid.wrapped
    BRepMesh_IncrementalMesh(shape, deflection, False, 0.35, True)
    algo = HLRBRep_PolyAlgo(shape)
    algo.Projector(HLRAlgo_Projector(gp_Ax2(gp_Pnt(0, 0, 0), gp_Dir(*VIEW), gp_Dir(*RIGHT))))
    algo.Update()
    hlr = HLRBRep_PolyHLRToShape()
    hlr.Update(algo)
    visible = _polylines(hlr.VCompound(), deflection, True) + _polylines(hlr.OutLineVCompound(), deflection, True)
    hidden = _polylines(hlr.HCompound(), deflection, True)
    face_map = TopTools_IndexedMapOfShape()
    TopExp.MapShapes_s(shape, TopAbs_FACE, face_map)
    face_edges = {fid: _polylines(face_map.FindKey(fid), deflection, False) for fid in sorted(faces) if fid <= face_map.Extent()}
    allpts = np.vstack(visible + hidden) if visible or hidden else np.zeros((1, 2))
    lo, hi = allpts.min(axis=0), allpts.max(axis=0)
    return Picture(visible, hidden, face_edges, (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])))


"""Resolve each part's spec `features:` on its solid: a feature that selects nothing is an
input error (the drawing would silently leave its tolerance out), named by the spec's file,
line and key, with what the model does have."""

from __future__ import annotations

import cadquery as cq
import numpy as np
from OCP.BRepAdaptor import BRepAdaptor_Surface
from OCP.BRepClass import BRepClass_FaceClassifier
from OCP.BRepExtrema import BRepExtrema_DistShapeShape
from OCP.gp import gp_Dir, gp_Lin, gp_Pnt
from OCP.IntCurvesFace import IntCurvesFace_ShapeIntersector
from OCP.TopAbs import TopAbs_IN

from techpack.errors import ModelError, Problem
from techpack.geometry.features import find_features
from techpack.geometry.part import BuiltPart, mm_per_unit
from techpack.spec import LoadedSpec

HOLE_MATCH_MM = 0.05  # a feature's nominal hole diameter matches holes this close on the model


def named_faces(built: BuiltPart, name: str) -> list[cq.Face]:
    """The solid's faces on the faces the script tagged `name`: the same surface (plane,
    cylinder, ...) with overlapping extents, so that later cuts and fillets that split or
    trim the tagged face keep its name."""
    tagged = built.named.get(name, [])
    return [f for f in built.solid.Faces() if any(_same_surface(f, t) for t in tagged)]


def _same_surface(a: cq.Face, b: cq.Face, tol: float = 1e-6) -> bool:
    if a.geomType() != b.geomType():
        return False
    sa, sb = BRepAdaptor_Surface(a.wrapped), BRepAdaptor_Surface(b.wrapped)
    if a.geomType() == "PLANE":
        pa, pb = sa.Plane(), sb.Plane()
        return pa.Axis().IsParallel(pb.Axis(), 1e-9) and pb.Distance(pa.Location()) < tol and _overlap(a, b, tol)
    if a.geomType() == "CYLINDER":
        ca, cb = sa.Cylinder(), sb.Cylinder()
        return (abs(ca.Radius() - cb.Radius()) < tol and ca.Axis().IsParallel(cb.Axis(), 1e-9)
                and gp_Lin(cb.Axis()).Distance(ca.Location()) < tol and _overlap(a, b, tol))
    dist = BRepExtrema_DistShapeShape(a.wrapped, b.wrapped)
    return dist.IsDone() and dist.Value() < tol and _overlap(a, b, tol)


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


def thickness_under(solid, face, centre, normal) -> float | None:
    """The material's thickness under a face, mm: from a point on the face straight in to
    where the material ends (a plate's thickness, a step's height); None if the ray finds
    no material."""
    sideways = np.eye(3)[int(np.argmin(np.abs(normal)))]  # any direction across the face
    start = point_on_face(face, centre, normal, sideways, 0)
    ray = IntCurvesFace_ShapeIntersector()
    ray.Load(solid.wrapped, 1e-6)
    ray.Perform(gp_Lin(gp_Pnt(*start), gp_Dir(*(-np.asarray(normal, dtype=float)))), 1e-3, 1e9)
    hits = sorted(ray.WParameter(i) for i in range(1, ray.NbPnt() + 1)) if ray.IsDone() else []
    return hits[0] if hits else None


def hole_matches(nominal_mm: float, diameter_mm: float) -> bool:
    return abs(nominal_mm - diameter_mm) < HOLE_MATCH_MM


def check_selections(loaded: LoadedSpec, parts: list[BuiltPart]) -> None:
    """Raise ModelError listing every feature, on every part, that selects nothing."""
    problems = []
    unit = mm_per_unit(loaded.spec.product.units)
    for built in parts:
        part = built.spec
        if not part.features:
            continue
        i = loaded.index_of(part)
        holes = None
        claimed: dict[float, tuple[int, str]] = {}  # hole diameter -> the feature selecting it
        for j, f in enumerate(part.features):
            key = ("parts", i, "features", j, "select")
            label = f"parts[{i}].features[{j}].select.{next(iter(f.select))} ({part.number} {f.name})"
            if "hole" in f.select:
                holes = holes if holes is not None else find_features(built.solid).holes
                d = float(f.select["hole"]) * unit
                same = next(((k, name) for size, (k, name) in claimed.items() if hole_matches(d, size)), None)
                if same:
                    problems.append(Problem(loaded.where(*key, "hole"), label,
                                            f"selects the same Ø{d:g} holes as features[{same[0]}] ({same[1]}); put all their tolerances on that one feature"))
                claimed.setdefault(d, (j, f.name))
                if not any(hole_matches(d, h.diameter_mm) for h in holes):
                    sizes = sorted({round(h.diameter_mm, 2) for h in holes})
                    have = ", ".join(f"Ø{s:g}" for s in sizes) if sizes else "none"
                    problems.append(Problem(loaded.where(*key, "hole"), label,
                                            f"no hole of Ø{d:g} mm on the model {part.model}; its holes are {have}; select one of those"))
            if "name" in f.select and not named_faces(built, str(f.select["name"])):
                tags = ", ".join(sorted(built.named)) or "none"
                how = ("a STEP model carries no names; select with {hole: ...} or {face: ...}" if built.source.suffix.lower() != ".py"
                       else f"tag the face in {part.model}, e.g. .faces('>Z').tag('{f.select['name']}') (its tags: {tags})")
                problems.append(Problem(loaded.where(*key, "name"), label, f"no face of {part.model} is named '{f.select['name']}'; {how}"))
            if "face" in f.select:
                try:
                    found = cq.Workplane().add(built.solid).faces(str(f.select["face"])).vals()
                except Exception:  # noqa: BLE001 - the spec check has reported the selector
                    continue
                if not found:
                    problems.append(Problem(loaded.where(*key, "face"), label,
                                            f"the face selector '{f.select['face']}' selects no face of {part.model}; e.g. '>Z' (the top), '<X' (the left end)"))
    if problems:
        raise ModelError(problems)

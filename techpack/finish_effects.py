"""What a part's finishes do to it: which surfaces stay bare (masked), and the toleranced
sizes a coating changes, with the limits to machine to and the limits after finishing.

Read by the finishing instructions and the workbook's Finishes sheet. Lengths in mm,
coating growth in µm.

Masking. By default a feature is masked (kept bare) when it has a fit (ISO 286), a thread,
declares a datum, or the spec marks it `mask: true`: a coating would take a fit or a thread
out of tolerance and would move a datum surface (reference inspection-finishing-rfq.md
§3.12; standards.md §5.2: "mask threads, bores and mating faces"). A feature that gives
`mask: false` explicitly is coated even if it has a fit, thread or datum: its size is then
one of the sizes changed by the finish (below), and the machinist works to the machining
limits. A hole feature masks its holes' walls; a `{face: ...}` feature the face it calls
out (the largest the selector picks, as on the drawing) with the faces on the same plane or
cylinder; a `{name: ...}` feature every face the script tagged.

The growth rule (after_finish). A finish that builds up g µm per surface (AppliedFinish.
growth_per_surface_um: thickness × the share that grows outward) changes a size by g on
each coated surface it spans:
- a hole's diameter (a spec `hole:`, or a concave cylindrical face) shrinks by 2 × g;
- a shaft's diameter (a convex cylindrical face) grows by 2 × g;
- a thickness across two plane faces (the feature's face and the face opposite, found by a
  ray straight into the material) grows by 2 × g, or by g when the opposite face is masked.
Several growing finishes add up. Which limits the drawing gives depends on each finish's
`dimensions`: "after" (plating, anodise: the drawing's limits apply to the finished part)
or "before" (paint, powder coat: the drawing's limits are the machined sizes). So
    machined = drawing − Σ change of the "after" finishes
    finished = drawing + Σ change of the "before" finishes
and finished − machined is the total change. Example: an H7 Ø10 hole (10.000/10.015) coated
with type II anodise (10 µm, half builds outward: g = 5 µm, "after") is machined to
10.010/10.025 and measures 10.000/10.015 after anodising; a 12 ±0.1 thickness powder coated
70 µm on both faces ("before") is machined to 11.9/12.1 and measures 12.04/12.24 after.
A size on a masked feature is unchanged and not listed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from OCP.BRepAdaptor import BRepAdaptor_Surface

from techpack.geometry.select import hit_under, same_surface


@dataclass(frozen=True)
class MaskedSurface:
    """A feature kept bare when finishing: why, its characteristics' balloon numbers, and its
    faces as 1-based ids in model.solid.Faces()."""

    feature: str
    reason: str  # "fit H7, datum B", "thread M5x0.8-6H", "mask: true"
    balloons: tuple[int, ...]
    face_ids: tuple[int, ...]


@dataclass(frozen=True)
class FinishedSize:
    """A toleranced size a coating changes. Limits in mm; change_mm = finished − machined
    (negative for a hole); drawing: "after", "before" or "mixed" — which stage the
    drawing's limits are for."""

    balloon: int
    feature: str
    text: str  # as on the drawing: "Ø10 H7", "12 ±0.1"
    shape: str  # "hole", "shaft" or "thickness"
    surfaces: int  # coated surfaces the size spans (1 or 2)
    growth_um: float  # per coated surface, all growing finishes together
    drawing: str
    drawing_lower: float
    drawing_upper: float
    machined_lower: float
    machined_upper: float
    finished_lower: float
    finished_upper: float

    @property
    def change_mm(self) -> float:
        return self.finished_lower - self.machined_lower


def mask_reason(feature) -> str | None:
    """Why this spec feature is masked ("fit H7, datum B"), or None if it is coated."""
    if "mask" in feature.model_fields_set and not feature.mask:
        return None
    bits = []
    if feature.fit:
        bits.append(f"fit {feature.fit}")
    if feature.thread:
        bits.append(f"thread {feature.thread}")
    if feature.datum:
        bits.append(f"datum {feature.datum}")
    if feature.mask:
        bits.append("mask: true")
    return ", ".join(bits) or None


def masked_surfaces(model) -> list[MaskedSurface]:
    """The part's masked features in spec order."""
    out = []
    for sel in model.selections:
        reason = mask_reason(sel.feature)
        if reason is None:
            continue
        ids = sel.face_ids if sel.holes else model.solid_face_ids(feature_faces(sel))
        balloons = tuple(c.number for c in model.characteristics if c.feature_index == sel.index)
        out.append(MaskedSurface(sel.feature.name, reason, balloons, ids))
    return out


def feature_faces(sel) -> list:
    """The faces a face selection masks: for `{face: ...}` the largest face it picks (the
    feature, as on the drawing) and the faces on the same plane or cylinder (the pieces a
    groove or a slot splits it into); for `{name: ...}` every face the script tagged."""
    if "face" not in sel.feature.select or not sel.faces:
        return list(sel.faces)
    return [f for f in sel.faces if same_surface(f, sel.face, overlapping=False)]


def growing(finishes) -> list:
    """The applied finishes that build up on the surface (growth per surface > 0 µm)."""
    return [f for f in finishes if (f.growth_per_surface_um or 0) > 0]


def after_finish(model, loaded) -> list[FinishedSize]:
    """Each toleranced size (kind "size" with limits) on an unmasked feature of a part with a
    growing finish: its drawing, machining and finished limits (see the module's rule)."""
    finishes = growing(loaded.finishes(model.spec))
    if not finishes:
        return []
    masked = [f for s in model.selections if mask_reason(s.feature) for f in _faces(model, s)]
    out = []
    for sel in model.selections:
        if mask_reason(sel.feature):
            continue
        for c in model.characteristics:
            if c.feature_index != sel.index or c.kind != "size" or c.upper is None or c.lower is None:
                continue
            shape, surfaces = size_shape(model, sel, masked)
            out.append(finished_size(c, shape, surfaces, finishes))
    return out


def finished_size(c, shape: str, surfaces: int, finishes) -> FinishedSize:
    """The limits of characteristic c (mm) spanning `surfaces` coated surfaces of a hole,
    shaft or thickness, under these growing finishes."""
    sign = -1.0 if shape == "hole" else 1.0
    change = {"after": 0.0, "before": 0.0}
    for f in finishes:
        change[f.finish.dimensions] += sign * surfaces * f.growth_per_surface_um / 1000
    kinds = {f.finish.dimensions for f in finishes}
    drawing = kinds.pop() if len(kinds) == 1 else "mixed"
    return FinishedSize(
        balloon=c.number, feature=c.feature, text=c.text, shape=shape, surfaces=surfaces,
        growth_um=sum(f.growth_per_surface_um for f in finishes), drawing=drawing,
        drawing_lower=c.lower, drawing_upper=c.upper,
        machined_lower=_r(c.lower - change["after"]), machined_upper=_r(c.upper - change["after"]),
        finished_lower=_r(c.lower + change["before"]), finished_upper=_r(c.upper + change["before"]),
    )


def _r(v: float) -> float:
    return round(v, 6)  # µm/1000 arithmetic: no 0.30000000000000004 in a document


def _faces(model, sel) -> list:
    if sel.holes:
        faces = model.solid.Faces()
        return [faces[i - 1] for i in sel.face_ids]
    return feature_faces(sel)


def size_shape(model, sel, masked) -> tuple[str, int]:
    """("hole" | "shaft" | "thickness", coated surfaces the size spans)."""
    if sel.holes:
        return "hole", 2
    face = sel.face
    if face.geomType() == "CYLINDER":
        cyl = BRepAdaptor_Surface(face.wrapped).Cylinder()
        point = face.positionAt(0.5, 0.5)  # on the surface (a full cylinder's centroid is on its axis)
        axis = np.array(cyl.Axis().Direction().Coord())
        to_axis = np.array(cyl.Location().Coord()) - np.array(point.toTuple())
        radial = to_axis - axis * np.dot(to_axis, axis)
        outward = np.array(face.normalAt(point).toTuple())
        return ("hole" if np.dot(outward, radial) > 0 else "shaft"), 2
    opposite = _opposite(model.solid, face)
    bare = opposite is not None and any(opposite.IsSame(m.wrapped) for m in masked)
    return "thickness", 1 if bare else 2


def _opposite(solid, face):
    """The face a ray from this face straight into the material leaves by (a TopoDS_Face), or None."""
    hit = hit_under(solid, face, np.array(face.Center().toTuple()), np.array(face.normalAt().toTuple()))
    return hit[1] if hit else None

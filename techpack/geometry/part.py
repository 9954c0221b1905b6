"""Build each part's solid from its model (script or STEP) and measure it."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import cadquery as cq
from OCP.BRepCheck import BRepCheck_Analyzer

from techpack.errors import ModelError, Problem
from techpack.geometry import script, stepfile
from techpack.geometry.console import captured_output
from techpack.geometry.measure import exact_box
from techpack.limits import check_size
from techpack.geometry.pmi import Pmi, read_pmi
from techpack.spec import LoadedSpec, Part

MM_PER_INCH = 25.4


def mm_per_unit(units: str) -> float:
    """mm in one of the spec's length units ("mm" or "in")."""
    return MM_PER_INCH if units == "in" else 1.0


@dataclass(eq=False)
class BuiltPart:
    """A part's solid in mm and what was measured on it."""

    spec: Part
    solid: cq.Solid
    source: Path
    volume_mm3: float
    faces: int
    named: dict[str, list[cq.Face]] = field(default_factory=dict)  # faces the script tagged, by tag (not yet matched to the solid's)
    pmi: Pmi | None = None  # the semantic PMI of an AP242 STEP model (datums, tolerances, dimensions on its faces)
    notes: tuple[str, ...] = ()  # what reading the model left out or repaired (a STEP file's stray faces), for the user
    inputs: tuple[tuple[str, str | None], ...] = ()  # the files the model script read besides itself (helpers, data), with their sha-256 then (None: looked for, not there), for the cache

    @functools.cached_property
    def box_mm(self) -> tuple[float, float, float, float, float, float]:
        """Exact bounding box (xmin, ymin, zmin, xmax, ymax, zmax), mm, from the geometry, not
        from any triangulation the checks may have added; computed when first asked."""
        return exact_box(self.solid.wrapped)

    @property
    def bbox_mm(self) -> tuple[float, float, float]:
        """Exact size in x, y, z, mm."""
        xmin, ymin, zmin, xmax, ymax, zmax = self.box_mm
        return xmax - xmin, ymax - ymin, zmax - zmin


def build_part(loaded: LoadedSpec, part: Part) -> BuiltPart:
    """One valid solid in mm for part, or a ModelError naming the part and its file."""
    path = loaded.model_path(part)
    i = loaded.index_of(part)
    where = loaded.where("parts", i, "model")
    label = f"parts[{i}].model ({part.number})"
    if path.suffix.lower() == ".py":
        shape, named, inputs = script.run(path, part.params, loaded.where("parts", i, "params"), where, label, rel=part.model)
        notes = ()
        if loaded.units(part) == "in":
            shape = shape.scale(MM_PER_INCH)
            named = {k: [f.scale(MM_PER_INCH) for f in faces] for k, faces in named.items()}
    else:
        if part.params:
            raise ModelError(Problem(loaded.where("parts", i, "params"), label, "params are only for CadQuery scripts; a STEP model takes none"))
        # A STEP file declares its own length unit; OCCT converts it to mm on import.
        step = stepfile.read_model(path, where, label, rel=part.model)
        shape, named, notes, inputs = step.solid, {}, step.notes, ()
    solid, volume = _one_valid_solid(shape, where, label, part.model)
    with captured_output():  # OCCT's XCAF reader prints on stdout
        pmi = read_pmi(path, solid) if path.suffix.lower() in (".step", ".stp") else None
    built = BuiltPart(spec=part, solid=solid, source=path, volume_mm3=volume, faces=len(solid.Faces()), named=named, pmi=pmi, notes=notes,
                      inputs=inputs)
    check_size(part, built.box_mm, where, label)  # 10 km or 1 nm: a unit slip, not a part (the box is kept for later stages)
    return built


def build_parts(loaded: LoadedSpec, progress=None) -> list[BuiltPart]:
    """Build every part; report the problems of all failing parts at once."""
    built, problems = [], []
    n = len(loaded.spec.parts)
    for k, part in enumerate(loaded.spec.parts, 1):
        if progress:
            progress(k, n, part)
        try:
            built.append(build_part(loaded, part))
        except ModelError as exc:
            problems += exc.problems
    if problems:
        raise ModelError(problems)
    return built


def _one_valid_solid(shape: cq.Shape, where: str, label: str, rel: str) -> tuple[cq.Solid, float]:
    """The one solid in shape and its volume (mm3), or a ModelError saying what is wrong."""
    solids = shape.Solids() if shape is not None else []
    if not solids:
        kinds = shape.ShapeType() if shape is not None else "nothing"
        raise ModelError(Problem(where, label, f"'{rel}' holds no solid (got {kinds}); a part must be one closed solid"))
    if len(solids) > 1:
        raise ModelError(
            Problem(where, label, f"'{rel}' holds {len(solids)} solids; a part must be one solid (union them, or make each its own part)")
        )
    solid = solids[0]
    analyzer = BRepCheck_Analyzer(solid.wrapped)
    if not analyzer.IsValid():
        raise ModelError(Problem(where, label, f"the solid in '{rel}' is not valid per OCCT's checker (BRepCheck); repair it in the CAD program"))
    volume = solid.Volume()
    if volume <= 0:
        raise ModelError(Problem(where, label, f"the solid in '{rel}' has no volume or is inside out"))
    return solid, volume

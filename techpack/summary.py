"""What the documents about the whole order read of a part: plain data made from its model in
the part's worker, with no geometry in it, so that the main process writes the workbook, the
DFM report, the cover page and the index (and a cached part is used) without importing
CadQuery or OCCT. A document that needs more of a part's geometry computes it in the worker
(prepare(loaded, model, report), documents/__init__.py) into `prepared`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from techpack.catalog import Material
from techpack.inspection import Characteristic
from techpack.spec.model import Part

if TYPE_CHECKING:
    from techpack.geometry.model import PartModel


@dataclass(eq=False)
class PartSummary:
    spec: Part
    box_mm: tuple[float, float, float, float, float, float]  # exact bounding box (xmin, ymin, zmin, xmax, ymax, zmax), mm
    volume_mm3: float
    mass_g: float
    material: Material | None
    characteristics: tuple[Characteristic, ...]
    notes: tuple[str, ...] = ()  # what reading the model left out or repaired
    pmi_notes: tuple[str, ...] = ()  # PMI that is not called out, and why
    inputs: tuple[tuple[str, str | None], ...] = ()  # the files the model script read besides itself, with their sha-256
    prepared: dict = field(default_factory=dict)  # a whole-order document's share of this part, by the document's NAME

    @property
    def bbox_mm(self) -> tuple[float, float, float]:
        """Exact size in x, y, z, mm."""
        xmin, ymin, zmin, xmax, ymax, zmax = self.box_mm
        return xmax - xmin, ymax - ymin, zmax - zmin

    @classmethod
    def of(cls, model: PartModel) -> PartSummary:
        return cls(spec=model.spec, box_mm=tuple(model.box_mm), volume_mm3=model.volume_mm3, mass_g=model.mass_g, material=model.material,
                   characteristics=tuple(model.characteristics), notes=tuple(model.notes), pmi_notes=tuple(model.pmi_notes),
                   inputs=tuple(model.inputs))

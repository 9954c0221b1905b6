"""The spec's `assembly:` as placed part instances: each part's solid (mm) with the transform
that puts it where `assembly.place` says, for the assembly STEP, its picture and its checks."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from OCP.gp import gp_Trsf
from OCP.TopLoc import TopLoc_Location
from OCP.TopoDS import TopoDS_Shape

from techpack.geometry.model import PartModel
from techpack.geometry.measure import exact_box
from techpack.geometry.part import mm_per_unit
from techpack.spec import LoadedSpec


def _cos_sin(degrees: float) -> tuple[float, float]:
    """cos and sin of an angle in degrees, exact at multiples of 90° (so that a quarter turn
    writes 0, not 6.1E-17, into the STEP file)."""
    quarter = degrees / 90.0
    if quarter == round(quarter):
        return ((1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0))[int(round(quarter)) % 4]
    r = math.radians(degrees)
    return math.cos(r), math.sin(r)


def rotation(rotate_deg: tuple[float, float, float]) -> list[list[float]]:
    """The 3x3 matrix of turning about X, then Y, then Z (fixed axes), degrees: Rz Ry Rx."""
    (cx, sx), (cy, sy), (cz, sz) = (_cos_sin(a) for a in rotate_deg)
    rx = [[1, 0, 0], [0, cx, -sx], [0, sx, cx]]
    ry = [[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]]
    rz = [[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]]

    def mul(a, b):
        return [[sum(a[i][k] * b[k][j] for k in range(3)) + 0.0 for j in range(3)] for i in range(3)]

    return mul(rz, mul(ry, rx))


def transform(at_mm: tuple[float, float, float], rotate_deg: tuple[float, float, float]) -> gp_Trsf:
    """The placement of a part: turned about its model origin (rotation()), then moved by at_mm."""
    m = rotation(rotate_deg)
    trsf = gp_Trsf()
    trsf.SetValues(*m[0], at_mm[0], *m[1], at_mm[1], *m[2], at_mm[2])
    return trsf


@dataclass(frozen=True, eq=False)
class Instance:
    """One placed part: which part, where (`trsf`, mm) and under which name."""

    label: str  # "DL2-101 Base", or "DL2-301 Arm bracket (2 of 2)" for a part placed more than once
    part: PartModel
    at_mm: tuple[float, float, float]
    rotate_deg: tuple[float, float, float]
    index: int  # of its entry in assembly.place

    @property
    def trsf(self) -> gp_Trsf:
        return transform(self.at_mm, self.rotate_deg)

    @functools.cached_property
    def shape(self) -> TopoDS_Shape:
        """The part's solid at its place (sharing the part's geometry, which is left alone)."""
        return self.part.solid.wrapped.Moved(TopLoc_Location(self.trsf))

    @functools.cached_property
    def box_mm(self) -> tuple[float, float, float, float, float, float]:
        """Exact bounding box at its place (xmin, ymin, zmin, xmax, ymax, zmax), mm."""
        return exact_box(self.shape)


def instances(loaded: LoadedSpec, parts: list[PartModel]) -> list[Instance]:
    """The assembly's placed parts in the order of `assembly.place` (none without an assembly)."""
    assembly = loaded.spec.assembly
    if assembly is None:
        return []
    scale = mm_per_unit(loaded.spec.product.units)
    by_number = {p.spec.number: p for p in parts}
    placed = [(j, e) for j, e in enumerate(assembly.place) if e.part is not None]
    times = {}
    for _, e in placed:
        times[e.part] = times.get(e.part, 0) + 1
    seen: dict[str, int] = {}
    out = []
    for j, e in placed:
        part = by_number[e.part]
        k = seen[e.part] = seen.get(e.part, 0) + 1
        label = f"{part.spec.number} {part.spec.name}" + (f" ({k} of {times[e.part]})" if times[e.part] > 1 else "")
        at = tuple(c * scale for c in e.at)
        out.append(Instance(label, part, at, tuple(e.rotate), j))
    return out


def hardware_counts(loaded: LoadedSpec) -> list[tuple[str, str, int]]:
    """(number, name, count) of each hardware item the assembly holds, in the order first placed."""
    assembly = loaded.spec.assembly
    if assembly is None:
        return []
    names = {h.number: h.name for h in loaded.spec.hardware}
    counts: dict[str, int] = {}
    for e in assembly.place:
        if e.hardware is not None:
            counts[e.hardware] = counts.get(e.hardware, 0) + (e.count or 0)
    return [(n, names[n], c) for n, c in counts.items()]


def overlap_tolerance_mm3(loaded: LoadedSpec) -> float:
    """The interference two placed parts may have before it is reported, mm³ (default 0.5)."""
    assembly = loaded.spec.assembly
    if assembly is None or assembly.overlap is None:
        return 0.5
    return assembly.overlap * mm_per_unit(loaded.spec.product.units) ** 3

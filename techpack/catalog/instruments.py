"""Which instrument measures a characteristic: the 10:1 rule on the table in instruments.yaml.

`instrument_for(characteristic, internal)` takes the instruments that measure the
characteristic's kind, cheapest first, keeps those whose range holds its nominal size,
and suggests the first whose resolution is at most the tolerance band / 10. When none is
fine enough it suggests the finest and says so (`Choice.meets` False). Threads are checked
with GO / NO-GO gauges, which have no resolution. Sizes in mm, roughness in µm.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from techpack.catalog import read_data

SIZE_KINDS = {"size": ("hole", "outside"), "thread": ("internal-thread", "external-thread")}
SLACK = 1e-9  # relative: a band of 0.015000000000000568 mm is 15 steps of 0.001 mm


@dataclass(frozen=True)
class Instrument:
    """One row of instruments.yaml. resolution and range in `unit` (mm, or µm for roughness)."""

    key: str
    title: str
    kinds: tuple[str, ...]
    unit: str
    source: str
    resolution: float | None = None  # None: an attribute gauge (GO / NO-GO)
    range: tuple[float, float] | None = None
    accuracy: str = ""
    attribute: bool = False

    def holds(self, size: float | None) -> bool:
        """Whether a size (in unit) is within the instrument's range; True when either is unknown."""
        return size is None or self.range is None or self.range[0] <= size <= self.range[1]

    @property
    def label(self) -> str:
        """"Bore gauge set on a setting ring, 0.001 mm", or the title of an attribute gauge."""
        return self.title if self.resolution is None else f"{self.title}, {self.resolution:g} {self.unit}"


@dataclass(frozen=True)
class Choice:
    """The suggested instrument for a characteristic: band (the tolerance band, in the
    characteristic's unit) / resolution = ratio; meets is False when no instrument of
    the table reaches the rule's ratio (the finest is suggested) or none measures the kind."""

    instrument: Instrument | None
    kind: str  # the measured kind: outside, hole, internal-thread, flatness ...
    band: float | None
    ratio: float | None
    meets: bool
    note: str


@functools.cache
def table() -> tuple[float, str, tuple[Instrument, ...]]:
    """(required ratio, its source, the instruments in order of preference) from instruments.yaml."""
    data = read_data("instruments.yaml")
    out = []
    for row in data["instruments"]:
        fields = dict(row)
        fields["kinds"] = tuple(fields["kinds"])
        if fields.get("range") is not None:
            fields["range"] = tuple(float(v) for v in fields["range"])
        inst = Instrument(**fields)
        if (inst.resolution is None) != inst.attribute:
            raise ValueError(f"instruments.yaml: {inst.key} needs a resolution, or `attribute: true` and none")
        out.append(inst)
    return float(data["rule"]["ratio"]), str(data["rule"]["source"]).strip(), tuple(out)


def instruments() -> tuple[Instrument, ...]:
    return table()[2]


def measured_kind(kind: str, internal: bool) -> str:
    """The instruments' kind for a characteristic kind: a size is of a hole or outside
    (a shaft or a thickness), a thread internal or external; others as they are."""
    if kind in SIZE_KINDS:
        return SIZE_KINDS[kind][0 if internal else 1]
    return kind


def instrument_for(characteristic, internal: bool = False) -> Choice:
    """The suggested instrument for an inspection.Characteristic (internal: a hole or an
    internal thread). See the module's rule."""
    ratio_needed, _, rows = table()
    c = characteristic
    kind = measured_kind(c.kind, internal)
    kinds = [i for i in rows if kind in i.kinds and i.unit == c.unit]
    if not kinds:
        return Choice(None, kind, c.band, None, False, f"no instrument in the table measures {kind}")
    variables = [i for i in kinds if not i.attribute]
    if not variables:
        return Choice(kinds[0], kind, c.band, None, True, "attribute gauge: GO / NO-GO")
    held = [i for i in variables if i.holds(c.nominal)]
    note = "" if held else f"{c.nominal:g} {c.unit} is beyond every instrument's range in the table; "
    candidates = held or variables
    band = c.band
    if band is None:
        return Choice(candidates[0], kind, None, None, True, note + "no tolerance band: the 10:1 rule does not apply")
    for inst in candidates:
        if band / inst.resolution >= ratio_needed * (1 - SLACK):
            return Choice(inst, kind, band, band / inst.resolution, True, note.rstrip("; "))
    finest = min(candidates, key=lambda i: i.resolution)
    ratio = band / finest.resolution
    return Choice(finest, kind, band, ratio, False,
                  note + f"{ratio_needed:g}:1 not met ({ratio:.1f}:1): the finest instrument in the table")

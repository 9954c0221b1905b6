"""ISO metric screw threads: read a designation such as "M5", "M5x0.8-6H" or "M10x1".

The tap drill is the usual D - P (ISO 2306 gives ranges; D - P is the common shop size).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from techpack.standards import StandardsError
from techpack.standards._tables import load

_DESIGNATION = re.compile(r"^\s*M\s*(?P<d>\d+(?:[.,]\d+)?)\s*(?:[x×]\s*(?P<p>\d+(?:[.,]\d+)?))?\s*(?:-\s*(?P<tol>\d[a-hA-H](?:\d[a-hA-H])?))?\s*$")


@dataclass(frozen=True)
class Thread:
    nominal_mm: float
    pitch_mm: float
    coarse: bool
    tolerance_class: str | None  # "6H" internal, "6g" external

    @property
    def designation(self) -> str:
        d = f"{self.nominal_mm:g}"
        pitch = "" if self.coarse else f"×{self.pitch_mm:g}"
        return f"M{d}{pitch}" + (f"-{self.tolerance_class}" if self.tolerance_class else "")

    @property
    def tap_drill_mm(self) -> float:
        """Tap drill diameter for an internal thread, D - P (mm)."""
        return round(self.nominal_mm - self.pitch_mm, 3)

    def to_dict(self) -> dict[str, Any]:
        return {"designation": self.designation, "nominal_mm": self.nominal_mm, "pitch_mm": self.pitch_mm,
                "coarse": self.coarse, "tolerance_class": self.tolerance_class, "tap_drill_mm": self.tap_drill_mm}


def parse_thread(text: str) -> Thread:
    """A metric thread from its designation; the pitch defaults to the coarse series."""
    m = _DESIGNATION.match(str(text))
    if not m:
        raise StandardsError(f"{text!r} is not an ISO metric thread designation; write it as M5, M5x0.8 or M5x0.8-6H")
    d = float(m["d"].replace(",", "."))
    coarse_table = load("threads.json")["coarse_pitch_mm"]
    coarse = coarse_table.get(f"{d:g}")
    if m["p"] is None:
        if coarse is None:
            raise StandardsError(f"M{d:g} is not in the ISO 262 coarse series; give the pitch, e.g. M{d:g}x1")
        return Thread(d, float(coarse), True, m["tol"])
    pitch = float(m["p"].replace(",", "."))
    return Thread(d, pitch, coarse is not None and abs(pitch - coarse) < 1e-9, m["tol"])

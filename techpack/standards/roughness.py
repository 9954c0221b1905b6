"""Surface roughness: Ra in µm, ISO 1302:1992 N grades N1..N12, µin conversion (data: roughness.json).

1 µin = 0.0254 µm exactly. The N-grade table pairs each grade with a µm value and the
customary rounded µin value (N7 = 1.6 µm = 63 µin).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from techpack.standards import StandardsError
from techpack.standards._tables import fmt, json_number, load

UM_PER_UIN = 0.0254
_MATCH = 1e-9  # relative tolerance when matching a value against the grade table


def _grades() -> dict[str, dict[str, float]]:
    return load("roughness.json")["n_grades"]["grades"]


def uin_to_um(ra_uin: float) -> float:
    """Microinches to micrometres (exact factor 0.0254)."""
    return ra_uin * UM_PER_UIN


def um_to_uin(ra_um: float) -> float:
    """Micrometres to microinches."""
    return ra_um / UM_PER_UIN


def ra_for_grade(grade: str) -> float:
    """Ra in µm of an N grade ("N7" -> 1.6)."""
    g = _grades().get(str(grade).strip())
    if g is None:
        raise StandardsError(f"roughness grade {grade!r} is not one of N1 to N12 (ISO 1302:1992)")
    return float(g["ra_um"])


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=_MATCH)


def grade_for_ra(ra_um: float) -> str | None:
    """The N grade whose Ra is exactly `ra_um` µm (1.6 -> "N7"), or None for a non-standard value."""
    return next((n for n, g in _grades().items() if _same(ra_um, g["ra_um"])), None)


def grade_for_measured_ra(ra_um: float) -> str:
    """The N grade a measured Ra (µm) falls in: between two grades, the rougher one (7.4 -> "N10").

    Over 50 µm (N12) raises StandardsError.
    """
    if not ra_um > 0:
        raise StandardsError(f"Ra must be a positive number of µm, got {ra_um!r}")
    for n, g in sorted(_grades().items(), key=lambda kv: kv[1]["ra_um"]):
        if ra_um <= g["ra_um"] or _same(ra_um, g["ra_um"]):
            return n
    raise StandardsError(f"Ra {fmt(ra_um)} µm is rougher than N12 (50 µm); there is no N grade for it")


def vdi3400_to_ra(vdi: float) -> float:
    """Ra (µm) of a VDI 3400 texture grade: Ra = 0.1 · 10^(VDI/20)."""
    return 0.1 * 10 ** (vdi / 20.0)


def ra_to_vdi3400(ra_um: float) -> float:
    """VDI 3400 grade of an Ra in µm: VDI = 20 · log10(10 · Ra)."""
    if not ra_um > 0:
        raise StandardsError(f"Ra must be a positive number of µm, got {ra_um!r}")
    return 20.0 * math.log10(10.0 * ra_um)


@dataclass(frozen=True)
class Roughness:
    """An Ra requirement. ra_um and ra_uin describe the same value; n_grade is set for a standard value.

    When an N grade was given, both values are the grade's table values (N7: 1.6 µm, 63 µin);
    otherwise the unit not given is the exact conversion of the one given.
    """

    ra_um: float
    ra_uin: float
    n_grade: str | None = None

    @property
    def text(self) -> str:
        """"Ra 1.6" (µm, as ISO 1302 writes it on drawings)."""
        return f"Ra {fmt(round(self.ra_um, 6))}"

    def to_dict(self) -> dict[str, Any]:
        return {"ra_um": json_number(self.ra_um), "ra_uin": json_number(round(self.ra_uin, 3)), "n_grade": self.n_grade}


_RA = re.compile(r"^Ra\s*=?\s*(?P<value>\d+(?:[.,]\d+)?|[.,]\d+)\s*(?P<unit>µm|μm|um|µin|μin|uin)?$")
_N = re.compile(r"^N(?P<n>\d{1,2})$")


def parse_roughness(text: str) -> Roughness:
    """Read "Ra 1.6", "Ra1.6", "Ra 1.6 µm", "N7", "Ra 63 µin" or "Ra 63 uin".

    Ra values without a unit are µm. n_grade is set when the value is a standard grade
    value in the unit given (1.6 µm, or 63 µin, are N7).
    """
    if not isinstance(text, str):
        raise StandardsError(f"roughness must be text like 'Ra 1.6' or 'N7', got {text!r}")
    s = text.strip()
    m = _N.match(s)
    if m:
        grade = f"N{int(m.group('n'))}"
        if grade not in _grades() or m.group("n").startswith("0"):
            raise StandardsError(f"roughness grade {text!r} is not one of N1 to N12 (ISO 1302:1992)")
        g = _grades()[grade]
        return Roughness(float(g["ra_um"]), float(g["ra_uin"]), grade)
    m = _RA.match(s)
    if not m:
        raise StandardsError(
            f"cannot read roughness {text!r}: expected 'Ra <value>' in µm (e.g. 'Ra 1.6'), "
            "'Ra <value> µin' (or 'uin'), or a grade N1 to N12"
        )
    value = float(m.group("value").replace(",", "."))
    if value <= 0:
        raise StandardsError(f"roughness {text!r}: Ra must be greater than 0")
    if (m.group("unit") or "um").endswith("in"):
        grade = next((n for n, g in _grades().items() if _same(value, g["ra_uin"])), None)
        return Roughness(uin_to_um(value), value, grade)
    return Roughness(value, um_to_uin(value), grade_for_ra(value))

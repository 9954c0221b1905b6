"""ISO 286 limits and fits (data: iso286.json).

Nominal sizes are in mm (over 0 up to 500 mm). The tables and the arithmetic are in µm,
as ISO 286 writes them; results give both µm and mm. Ranges are "over ... up to and
including": 10 mm is in the 6..10 mm range.

Rules (ISO 286-1 Tables 2 and 3):

- shafts a..h: es from the table, ei = es - IT; k..zc: ei from the table, es = ei + IT
  (k: the table value for IT4..IT7, 0 otherwise); js: ±IT/2.
- holes A..H: EI = -es of the same shaft letter; JS: ±IT/2.
- holes K, M, N up to IT8 and P..ZC up to IT7: ES = -ei(shaft) + Δ, Δ = IT(n) - IT(n-1)
  (Δ = 0 up to 3 mm); above those grades K and N: ES = 0 (N: -4 µm up to 3 mm),
  M and P..ZC: ES = -ei(shaft). Special case M6 over 250 up to 315 mm: ES = -9 µm.
- not for sizes up to 1 mm: grades IT14..IT18, letters a, b, A, B, and N above IT8.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from techpack.standards import StandardsError
from techpack.standards._tables import fmt, json_number, load, positive_mm, range_index, range_text

GRADES = ("01", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18")

# ISO 286 letters techpack does not tabulate (intermediate deviations for fine mechanics,
# and j/J, which ISO 286 gives as individual values rather than by rule).
_NOT_TABULATED = ("cd", "ef", "fg", "j", "CD", "EF", "FG", "J")


def _data() -> dict[str, Any]:
    return load("iso286.json")


def _shaft_letters() -> tuple[str, ...]:
    d = _data()["shaft_deviations"]
    return (*d["upper_es"], "js", *d["lower_ei"])


def _hole_letters() -> tuple[str, ...]:
    return tuple(s.upper() for s in _shaft_letters())


def _grade_number(grade: str) -> int:
    return -1 if grade == "01" else int(grade)


def _check_size(size: float, what: str) -> float:
    x = positive_mm(size, f"ISO 286 nominal size for {what}")
    limit = _data()["it_grades"]["up_to_mm"][-1]
    if range_index(x, [limit]) is None:
        raise StandardsError(
            f"ISO 286 nominal size {fmt(x)} mm for {what} is over {fmt(limit)} mm, the end of techpack's "
            "tables; give the limits of this size explicitly"
        )
    return x


def it_tolerance(size: float, grade: str | int) -> float:
    """Standard tolerance IT (µm) of `grade` ("7", "IT7", 7, "01") for nominal size `size` (mm)."""
    g = str(grade)
    g = g[2:] if g.upper().startswith("IT") else g
    if g not in GRADES:
        raise StandardsError(f"ISO 286 tolerance grade {grade!r} does not exist: grades are IT01, IT0 and IT1 to IT18")
    x = _check_size(size, f"IT{g}")
    t = _data()["it_grades"]
    return float(t["grades"][g][range_index(x, t["up_to_mm"])])


def _deviation(kind: str, letter: str, size: float) -> float:
    """Tabulated es ("upper_es") or ei ("lower_ei") of shaft `letter` at `size` mm, in µm."""
    t = _data()["shaft_deviations"]
    i = range_index(size, t["up_to_mm"])
    v = t[kind][letter][i]
    if v is None:
        raise StandardsError(
            f"ISO 286 gives no fundamental deviation {letter!r}/{letter.upper()!r} for {fmt(size)} mm "
            f"({range_text(t['up_to_mm'], i)}); choose another tolerance class or give the limits explicitly"
        )
    return float(v)


def _k_ei(size: float) -> float:
    return _deviation("lower_ei", "k", size)


def _delta(letter: str, grade: str, size: float) -> float:
    """Δ = IT(n) - IT(n-1) in µm for the hole rule; 0 up to 3 mm. ISO gives Δ for IT3..IT8 only."""
    n = _grade_number(grade)
    if not 3 <= n <= 8:
        raise StandardsError(
            f"ISO 286 tolerance class {letter}{grade} is not defined: the hole rule needs Δ, "
            "which ISO 286 gives only for IT3 to IT8; give the limits explicitly"
        )
    if size <= 3:
        return 0.0
    return it_tolerance(size, str(n)) - it_tolerance(size, str(n - 1))


def _hole_es(letter: str, grade: str, size: float) -> float:
    """Upper deviation ES (µm) of holes K..ZC."""
    rules = _data()["hole_rules"]
    n = _grade_number(grade)
    shaft = letter.lower()
    ei = _k_ei(size) if letter == "K" else _deviation("lower_ei", shaft, size)
    delta_grades = rules["delta_max_grade"]
    if n <= delta_grades.get(letter, delta_grades["P..ZC"]):
        for ex in rules["exceptions"]:
            if ex["class"] == f"{letter}{grade}" and ex["over_mm"] < size <= ex["up_to_mm"]:
                return float(ex["upper_es_um"])
        return -ei + _delta(letter, grade, size)
    if letter == "K":
        return 0.0
    if letter == "N":
        return float(rules["n_above_it8_up_to_3mm_es_um"]) if size <= 3 else 0.0
    return -ei


def _check_small(letter: str, grade: str, size: float) -> None:
    r = _data()["not_for_sizes_up_to_1mm"]
    if size > 1:
        return
    why = None
    if grade in r["grades"]:
        why = "grades IT14 to IT18"
    elif letter in r["letters"]:
        why = f"fundamental deviation {letter}"
    elif letter == "N" and _grade_number(grade) > r["hole_N_above_grade"]:
        why = "fundamental deviation N above IT8"
    if why:
        raise StandardsError(f"ISO 286 does not use {why} for nominal sizes up to 1 mm ({letter}{grade} at {fmt(size)} mm)")


def _limits(letter: str, grade: str, size: float, round_js: bool) -> tuple[float, float, float]:
    """(upper, lower, IT) deviations in µm."""
    _check_small(letter, grade, size)
    it = it_tolerance(size, grade)
    if letter in ("js", "JS"):
        half = it / 2
        if round_js and grade in _data()["js_rounding"]["grades"] and it == int(it) and int(it) % 2 == 1:
            half = (it - 1) / 2
        return half, -half, it
    upper_es = _data()["shaft_deviations"]["upper_es"]
    if letter.islower():
        if letter in upper_es:
            es = _deviation("upper_es", letter, size)
            return es, es - it, it
        if letter == "k":
            k_grades = _data()["shaft_deviations"]["k_grades_with_table_value"]
            ei = _k_ei(size) if grade in k_grades else 0.0
        else:
            ei = _deviation("lower_ei", letter, size)
        return ei + it, ei, it
    if letter.lower() in upper_es:
        ei = 0.0 - _deviation("upper_es", letter.lower(), size)  # 0.0 - 0.0 is +0.0 (H)
        return ei + it, ei, it
    es = _hole_es(letter, grade, size)
    return es, es - it, it


@dataclass(frozen=True)
class Tolerance:
    """A toleranced size such as "10 H7": deviations in µm (fields) and mm (properties)."""

    nominal_mm: float
    letter: str
    grade: str
    upper_um: float
    lower_um: float
    it_um: float

    @property
    def tolerance_class(self) -> str:
        """"H7", "g6", "JS7"."""
        return f"{self.letter}{self.grade}"

    @property
    def kind(self) -> str:
        """"hole" (upper-case letter) or "shaft" (lower-case letter)."""
        return "hole" if self.letter[0].isupper() else "shaft"

    @property
    def it_grade(self) -> str:
        """"IT7"."""
        return f"IT{self.grade}"

    @property
    def designation(self) -> str:
        """"10 H7"."""
        return f"{fmt(self.nominal_mm)} {self.tolerance_class}"

    @property
    def upper_mm(self) -> float:
        """Upper deviation (ES or es) in mm."""
        return round(self.upper_um / 1000.0, 7)

    @property
    def lower_mm(self) -> float:
        """Lower deviation (EI or ei) in mm."""
        return round(self.lower_um / 1000.0, 7)

    @property
    def max_mm(self) -> float:
        """Upper limit of size in mm."""
        return round(self.nominal_mm + self.upper_um / 1000.0, 7)

    @property
    def min_mm(self) -> float:
        """Lower limit of size in mm."""
        return round(self.nominal_mm + self.lower_um / 1000.0, 7)

    def to_dict(self) -> dict[str, Any]:
        return {
            "designation": self.designation,
            "tolerance_class": self.tolerance_class,
            "kind": self.kind,
            "it_grade": self.it_grade,
            "nominal_mm": json_number(self.nominal_mm),
            "upper_mm": json_number(self.upper_mm),
            "lower_mm": json_number(self.lower_mm),
            "max_mm": json_number(self.max_mm),
            "min_mm": json_number(self.min_mm),
            "upper_um": json_number(self.upper_um),
            "lower_um": json_number(self.lower_um),
            "it_um": json_number(self.it_um),
        }


_SPEC = re.compile(r"^\s*(?:[Øø⌀∅]\s*)?(?P<size>\d+(?:[.,]\d+)?)\s*(?P<classes>[A-Za-z].*?)\s*$")
_CLASS = re.compile(r"^(?P<letter>[A-Za-z]{1,2})(?P<grade>\d{1,2})$")
_EXAMPLE = "e.g. '10 H7', 'Ø10 g6', '10g6' or '25 H7/p6'"


def _parse_class(text: str) -> tuple[str, str]:
    """("H", "7") from "H7"; StandardsError for anything ISO 286 or techpack does not know."""
    m = _CLASS.match(text.strip())
    if not m:
        raise StandardsError(
            f"cannot read ISO 286 tolerance class {text!r}: expected a deviation letter (A..ZC for holes, "
            "a..zc for shafts) followed by a grade 01, 0 or 1 to 18, e.g. 'H7' or 'g6'"
        )
    letter, grade = m.group("letter"), m.group("grade")
    if grade not in GRADES:
        raise StandardsError(f"tolerance class {text!r}: grade {grade} does not exist; ISO 286 grades are 01, 0 and 1 to 18")
    if letter in _hole_letters() or letter in _shaft_letters():
        return letter, grade
    if letter in _NOT_TABULATED:
        raise StandardsError(
            f"tolerance class {text!r}: fundamental deviation {letter!r} is not in techpack's ISO 286 table; "
            "give the limits explicitly"
        )
    if letter.upper() in _hole_letters() and letter not in (letter.upper(), letter.lower()):
        raise StandardsError(
            f"tolerance class {text!r}: write holes in upper case ({letter.upper()}{grade}) "
            f"and shafts in lower case ({letter.lower()}{grade})"
        )
    raise StandardsError(
        f"tolerance class {text!r}: {letter!r} is not an ISO 286 fundamental deviation; "
        "holes are A..ZC in upper case, shafts a..zc in lower case"
    )


def _parse(spec: str | float, classes: str | None) -> tuple[float, list[str], str]:
    """(nominal mm, ["H7", "p6"], text) from "25 H7/p6" or (25, "H7/p6")."""
    if classes is None:
        if not isinstance(spec, str):
            raise StandardsError(f"ISO 286 size {spec!r} has no tolerance class; {_EXAMPLE}")
        text = spec
        m = _SPEC.match(spec)
        if not m:
            raise StandardsError(f"cannot read {spec!r} as a nominal size with an ISO 286 tolerance class; {_EXAMPLE}")
        size: object = m.group("size").replace(",", ".")
        cls_text = m.group("classes")
    else:
        text = f"{spec} {classes}"
        size = spec.replace(",", ".").lstrip("Øø⌀∅ ") if isinstance(spec, str) else spec
        cls_text = classes
    parts = [p.strip() for p in str(cls_text).split("/")]
    return positive_mm(size, f"ISO 286 nominal size in {text!r}"), parts, text


def _make(size: float, letter: str, grade: str, round_js: bool) -> Tolerance:
    x = _check_size(size, f"{letter}{grade}")
    upper, lower, it = _limits(letter, grade, x, round_js)
    return Tolerance(x, letter, grade, upper, lower, it)


def tolerance(spec: str | float, tolerance_class: str | None = None, *, round_js: bool = False) -> Tolerance:
    """The limits of a toleranced size: tolerance("10 H7"), tolerance("Ø10 g6"), tolerance(10, "H7").

    Nominal size in mm (over 0 up to 500). `round_js`: for js7..js11/JS7..JS11 with an odd
    IT in µm, round IT/2 down to whole µm as ISO 286-1:1988 permits (default: exact ±IT/2).
    """
    size, parts, text = _parse(spec, tolerance_class)
    if len(parts) != 1:
        raise StandardsError(f"{text!r} is a fit (hole/shaft); use fit() for it, or give one tolerance class")
    letter, grade = _parse_class(parts[0])
    return _make(size, letter, grade, round_js)


@dataclass(frozen=True)
class Fit:
    """A hole and a shaft of the same nominal size; clearance = hole - shaft (negative = interference)."""

    hole: Tolerance
    shaft: Tolerance

    @property
    def nominal_mm(self) -> float:
        return self.hole.nominal_mm

    @property
    def designation(self) -> str:
        """"25 H7/p6"."""
        return f"{fmt(self.nominal_mm)} {self.hole.tolerance_class}/{self.shaft.tolerance_class}"

    @property
    def max_clearance_um(self) -> float:
        """Largest hole minus smallest shaft, µm."""
        return self.hole.upper_um - self.shaft.lower_um

    @property
    def min_clearance_um(self) -> float:
        """Smallest hole minus largest shaft, µm (negative: the largest interference)."""
        return self.hole.lower_um - self.shaft.upper_um

    @property
    def max_clearance_mm(self) -> float:
        return round(self.max_clearance_um / 1000.0, 7)

    @property
    def min_clearance_mm(self) -> float:
        return round(self.min_clearance_um / 1000.0, 7)

    @property
    def kind(self) -> str:
        """"clearance" (min clearance >= 0), "interference" (max clearance <= 0) or "transition"."""
        if self.min_clearance_um >= 0:
            return "clearance"
        if self.max_clearance_um <= 0:
            return "interference"
        return "transition"

    def to_dict(self) -> dict[str, Any]:
        return {
            "designation": self.designation,
            "nominal_mm": json_number(self.nominal_mm),
            "kind": self.kind,
            "max_clearance_mm": json_number(self.max_clearance_mm),
            "min_clearance_mm": json_number(self.min_clearance_mm),
            "hole": self.hole.to_dict(),
            "shaft": self.shaft.to_dict(),
        }


def fit(spec: str | float, classes: str | None = None, *, round_js: bool = False) -> Fit:
    """A fit from "25 H7/p6", "Ø25 H7/p6" or fit(25, "H7/p6"); the hole class comes first."""
    size, parts, text = _parse(spec, classes)
    if len(parts) != 2:
        raise StandardsError(f"cannot read {text!r} as a fit: expected hole/shaft classes such as '25 H7/p6'")
    (hl, hg), (sl, sg) = _parse_class(parts[0]), _parse_class(parts[1])
    if not hl[0].isupper() or not sl[0].islower():
        raise StandardsError(
            f"{text!r}: a fit is written hole/shaft, the hole class in upper case first, e.g. 'H7/p6' or 'G7/h6'"
        )
    return Fit(_make(size, hl, hg, round_js), _make(size, sl, sg, round_js))

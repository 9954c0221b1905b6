"""ISO 2768 general tolerances (data: iso2768.json).

ISO 2768-1: linear sizes and broken edges (± mm) and angles (± arcmin, by the length of
the shorter leg) for classes f, m, c, v. ISO 2768-2 (withdrawn 2021, replaced by ISO
22081, still common on drawings): straightness/flatness, perpendicularity, symmetry and
circular run-out (mm) for classes H, K, L.

Ranges are "over ... up to and including": a size on a limit belongs to the lower range.
Sizes the tables do not cover raise StandardsError: their tolerance must be stated
explicitly on the drawing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from techpack.standards import StandardsError
from techpack.standards._tables import fmt, load, positive_mm, range_index, range_text

LINEAR_CLASSES = ("f", "m", "c", "v")
GEOMETRIC_CLASSES = ("H", "K", "L")
CLASS_NAMES = {"f": "fine", "m": "medium", "c": "coarse", "v": "very coarse"}

_EXPLICIT = "state the tolerance of this feature explicitly on the drawing"


def _check_linear_class(tolerance_class: str) -> str:
    if tolerance_class in LINEAR_CLASSES:
        return tolerance_class
    hint = ""
    if isinstance(tolerance_class, str) and tolerance_class.lower() in LINEAR_CLASSES:
        hint = f" (ISO 2768-1 writes the class in lower case: {tolerance_class.lower()!r})"
    raise StandardsError(f"ISO 2768-1 tolerance class {tolerance_class!r} is not f, m, c or v{hint}")


def _check_geometric_class(tolerance_class: str) -> str:
    if tolerance_class in GEOMETRIC_CLASSES:
        return tolerance_class
    hint = ""
    if isinstance(tolerance_class, str) and tolerance_class.upper() in GEOMETRIC_CLASSES:
        hint = f" (ISO 2768-2 writes the class in upper case: {tolerance_class.upper()!r})"
    raise StandardsError(f"ISO 2768-2 tolerance class {tolerance_class!r} is not H, K or L{hint}")


def _lookup(table: str, tolerance_class: str, value: object, what: str) -> float:
    """The table value for `value` (mm) in class `tolerance_class`; StandardsError outside the table."""
    t = load("iso2768.json")[table]
    std = "ISO 2768-2" if tolerance_class in GEOMETRIC_CLASSES else "ISO 2768-1"
    x = positive_mm(value, f"{std} {what}")
    up_to = t["up_to_mm"]
    low = t.get("min_mm")
    if low is not None and x < low:
        raise StandardsError(
            f"{std} gives no general tolerance for a {what} of {fmt(x)} mm "
            f"(its table starts at {fmt(low)} mm); {_EXPLICIT}"
        )
    i = range_index(x, up_to)
    if i is None:
        raise StandardsError(
            f"{std} gives no general tolerance for a {what} of {fmt(x)} mm "
            f"(its table ends at {fmt(up_to[-1])} mm); {_EXPLICIT}"
        )
    v = t["classes"][tolerance_class][i]
    if v is None:
        raise StandardsError(
            f"{std} class {tolerance_class} ({CLASS_NAMES.get(tolerance_class, '')}) gives no general "
            f"tolerance for a {what} of {fmt(x)} mm ({range_text(up_to, i, low)}); {_EXPLICIT}"
        )
    return float(v)


def linear_tolerance(size: float, tolerance_class: str) -> float:
    """Permissible deviation ± (mm) of a linear size (mm) per ISO 2768-1 Table 1.

    Covers 0.5 to 4000 mm; class v starts over 3 mm, class f ends at 2000 mm.
    """
    return _lookup("linear", _check_linear_class(tolerance_class), size, "linear size")


def broken_edge_tolerance(size: float, tolerance_class: str) -> float:
    """Permissible deviation ± (mm) of an external radius or chamfer height (mm), ISO 2768-1 Table 2.

    Covers 0.5 mm and over.
    """
    return _lookup("broken_edges", _check_linear_class(tolerance_class), size, "broken edge (radius or chamfer height)")


@dataclass(frozen=True)
class AngularTolerance:
    """A permissible angular deviation ± of ISO 2768-1 Table 3, held in arc minutes."""

    arcmin: int

    @property
    def degrees(self) -> float:
        """The deviation ± in decimal degrees (0°30′ -> 0.5)."""
        return self.arcmin / 60.0

    @property
    def text(self) -> str:
        """As ISO 2768-1 writes it: "±1°", "±0°30′", "±1°30′"."""
        d, m = divmod(self.arcmin, 60)
        return f"±{d}°" if m == 0 and d > 0 else f"±{d}°{m}′"

    def to_dict(self) -> dict[str, Any]:
        return {"plus_minus_arcmin": self.arcmin, "plus_minus_deg": round(self.degrees, 7), "text": self.text}


def angular_tolerance(shorter_leg: float, tolerance_class: str) -> AngularTolerance:
    """Permissible angular deviation for an angle whose shorter leg is `shorter_leg` mm (ISO 2768-1 Table 3)."""
    minutes = _lookup("angular", _check_linear_class(tolerance_class), shorter_leg, "shorter leg of an angle")
    return AngularTolerance(int(minutes))


def straightness_tolerance(length: float, tolerance_class: str) -> float:
    """General straightness tolerance (mm) for a line `length` mm long, ISO 2768-2 Table 1 (up to 3000 mm)."""
    return _lookup("straightness_flatness", _check_geometric_class(tolerance_class), length, "length")


def flatness_tolerance(longer_side: float, tolerance_class: str) -> float:
    """General flatness tolerance (mm) for a surface whose longer side is `longer_side` mm, ISO 2768-2 Table 1."""
    return _lookup("straightness_flatness", _check_geometric_class(tolerance_class), longer_side, "longer side")


def perpendicularity_tolerance(shorter_side: float, tolerance_class: str) -> float:
    """General perpendicularity tolerance (mm); the shorter side (mm) is the datum, ISO 2768-2 Table 2."""
    return _lookup("perpendicularity", _check_geometric_class(tolerance_class), shorter_side, "shorter side")


def symmetry_tolerance(length: float, tolerance_class: str) -> float:
    """General symmetry tolerance (mm) for a feature `length` mm long, ISO 2768-2 Table 3."""
    return _lookup("symmetry", _check_geometric_class(tolerance_class), length, "length")


def runout_tolerance(tolerance_class: str) -> float:
    """General circular run-out tolerance (mm), independent of size, ISO 2768-2 Table 4."""
    return float(load("iso2768.json")["circular_runout"]["classes"][_check_geometric_class(tolerance_class)])


@dataclass(frozen=True)
class GeneralTolerance:
    """A general-tolerance note such as "ISO 2768-mK-E", with lookups for its classes."""

    linear_class: str
    geometric_class: str | None = None
    envelope: bool = False

    def __post_init__(self) -> None:
        _check_linear_class(self.linear_class)
        if self.geometric_class is not None:
            _check_geometric_class(self.geometric_class)
        if self.envelope and self.geometric_class is None:
            raise StandardsError("the envelope requirement '-E' belongs to ISO 2768-2: give a class H, K or L too")

    @property
    def designation(self) -> str:
        """The note as written on a drawing, e.g. "ISO 2768-mK-E"."""
        return f"ISO 2768-{self.linear_class}{self.geometric_class or ''}{'-E' if self.envelope else ''}"

    def linear(self, size: float) -> float:
        """± mm for a linear size in mm."""
        return linear_tolerance(size, self.linear_class)

    def broken_edge(self, size: float) -> float:
        """± mm for a radius or chamfer height in mm."""
        return broken_edge_tolerance(size, self.linear_class)

    def angular(self, shorter_leg: float) -> AngularTolerance:
        """± angle for a shorter leg in mm."""
        return angular_tolerance(shorter_leg, self.linear_class)

    def _geo(self) -> str:
        if self.geometric_class is None:
            raise StandardsError(
                f"{self.designation} has no ISO 2768-2 class (H, K or L): "
                "give geometric tolerances explicitly, or use a note such as 'ISO 2768-mK'"
            )
        return self.geometric_class

    def straightness(self, length: float) -> float:
        """Straightness tolerance (mm) for a line length in mm."""
        return straightness_tolerance(length, self._geo())

    def flatness(self, longer_side: float) -> float:
        """Flatness tolerance (mm) for the longer side of a surface in mm."""
        return flatness_tolerance(longer_side, self._geo())

    def perpendicularity(self, shorter_side: float) -> float:
        """Perpendicularity tolerance (mm); the shorter side in mm is the datum."""
        return perpendicularity_tolerance(shorter_side, self._geo())

    def symmetry(self, length: float) -> float:
        """Symmetry tolerance (mm) for a length in mm."""
        return symmetry_tolerance(length, self._geo())

    def runout(self) -> float:
        """Circular run-out tolerance (mm)."""
        return runout_tolerance(self._geo())

    def to_dict(self) -> dict[str, Any]:
        return {
            "designation": self.designation,
            "linear_class": self.linear_class,
            "geometric_class": self.geometric_class,
            "envelope": self.envelope,
        }


_NOTE = re.compile(r"^(?:DIN )?ISO ?2768-(?P<lin>[A-Za-z])(?P<geo>[A-Za-z])?(?:-(?P<env>[A-Za-z]))?$")


def parse_general_tolerance(text: str) -> GeneralTolerance:
    """Read a general-tolerance note: "ISO 2768-mK", "ISO 2768-f", "ISO 2768-mK-E", "ISO2768-mK".

    Case matters as ISO 2768 writes it: linear class f/m/c/v in lower case, geometric
    class H/K/L and the envelope "E" in upper case. "DIN ISO 2768-mK" is accepted too.
    """
    if not isinstance(text, str):
        raise StandardsError(f"general tolerance note must be text like 'ISO 2768-mK', got {text!r}")
    s = text.strip()
    m = _NOTE.match(s)
    if not m:
        raise StandardsError(
            f"cannot read general tolerance note {text!r}: expected 'ISO 2768-' followed by a class "
            "f, m, c or v, an optional H, K or L and an optional '-E', e.g. 'ISO 2768-mK' or 'ISO 2768-mK-E'"
        )
    lin, geo, env = m.group("lin"), m.group("geo"), m.group("env")
    if env is not None:
        if env != "E":
            raise StandardsError(f"{text!r}: the only suffix ISO 2768 defines is '-E' (envelope requirement)")
        if geo is None:
            raise StandardsError(f"{text!r}: the envelope suffix '-E' belongs to ISO 2768-2; write e.g. 'ISO 2768-{lin}K-E'")
    return GeneralTolerance(lin, geo, env == "E")

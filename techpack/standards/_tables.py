"""Reading the standards data files (JSON beside this module) and looking up size ranges."""

from __future__ import annotations

import functools
import json
import math
from importlib import resources
from typing import Any, Sequence

from techpack.standards import StandardsError

# A value within this distance of a range limit counts as on the limit (mm), so that a
# size that went through a unit conversion (0.3937 in -> 9.99998 mm) is not pushed into
# the next range by float noise.
LIMIT_SLACK_MM = 1e-9


@functools.cache
def load(name: str) -> dict[str, Any]:
    """The parsed JSON data file `name` (e.g. "iso286.json") of techpack.standards."""
    text = resources.files("techpack.standards").joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)


def positive_mm(value: object, what: str) -> float:
    """value as a float > 0, or StandardsError naming `what` (e.g. "ISO 2768-1 linear size")."""
    if isinstance(value, bool):
        raise StandardsError(f"{what}: {value!r} is not a length in mm")
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise StandardsError(f"{what}: {value!r} is not a length in mm") from None
    if not math.isfinite(x) or x <= 0:
        raise StandardsError(f"{what} must be a positive length in mm, got {value!r}")
    return x


def range_index(value: float, up_to: Sequence[float | None]) -> int | None:
    """Index of the range "over the previous limit up to and including up_to[i]" holding value.

    A limit of None is an open end. Returns None when value lies above the last limit.
    The caller checks the lower end of the table.
    """
    for i, limit in enumerate(up_to):
        if limit is None or value <= limit + LIMIT_SLACK_MM:
            return i
    return None


def range_text(up_to: Sequence[float | None], i: int, first_from: float | None = None) -> str:
    """Human text for range i, e.g. "over 6 up to 10 mm", "up to 3 mm", "over 400 mm"."""
    hi = up_to[i]
    lo = up_to[i - 1] if i > 0 else None
    if lo is None:
        start = f"from {fmt(first_from)} " if first_from else ""
        return f"{start}up to {fmt(hi)} mm"
    if hi is None:
        return f"over {fmt(lo)} mm"
    return f"over {fmt(lo)} up to {fmt(hi)} mm"


def fmt(x: float | None) -> str:
    """A number without a trailing ".0" (3.0 -> "3", 0.5 -> "0.5")."""
    if x is None:
        return "-"
    return f"{x:g}" if float(x) != int(x) else str(int(x))


def json_number(x: float) -> float | int:
    """x as an int when it is whole (15.0 -> 15), else rounded to 7 decimals, for JSON output."""
    r = round(float(x), 7)
    return int(r) if r == int(r) else r

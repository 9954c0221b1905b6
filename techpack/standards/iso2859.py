"""ISO 2859-1 (= MIL-STD-105E, ANSI/ASQ Z1.4) single sampling, normal inspection (data: iso2859.json).

How a plan is found:

1. Table I gives the sample size code letter for the lot size and inspection level
   (S-1..S-4, I, II, III). A lot of 1 is read in the first row (2 to 8).
2. Table II-A gives Ac/Re for that letter and the AQL, or an arrow. An arrow is followed
   to the first plan in its direction, and the sample size becomes that plan's
   (the letter changes too: ``plan_letter``).
   Row A at AQL 10 is printed with an up arrow and nothing above it; techpack then uses
   the Ac 0 plan of row A itself (n 2, Ac 0, Re 1).
3. When that sample size is not smaller than the lot, every item is inspected: the
   sample size becomes the lot size (``full_inspection``), and Ac/Re stay those of the
   plan reached in step 2 (the practice stated with Table II-A: "if sample size equals or
   exceeds lot size, do 100 percent inspection").

AQL is in percent nonconforming.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from techpack.standards import StandardsError
from techpack.standards._tables import load

LEVELS = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")
_DOWN, _UP = "↓", "↑"


def _data() -> dict[str, Any]:
    return load("iso2859.json")


def aql_values() -> tuple[float, ...]:
    """The AQLs (percent) of Table II-A that techpack tabulates."""
    return tuple(float(a) for a in _data()["single_normal"]["aql_percent"])


def _level(level: str) -> str:
    s = str(level).strip().upper().replace(" ", "")
    if re.fullmatch(r"S\d", s):
        s = f"S-{s[1]}"
    if s not in LEVELS:
        raise StandardsError(f"inspection level {level!r} is not one of {', '.join(LEVELS)} (ISO 2859-1 Table 1)")
    return s


def _lot(lot: object) -> int:
    if isinstance(lot, bool) or not isinstance(lot, (int, float)) or lot != int(lot):
        raise StandardsError(f"lot size must be a whole number of items, got {lot!r}")
    if lot < 1:
        raise StandardsError(f"lot size must be at least 1, got {lot!r}")
    return int(lot)


def _aql_index(aql: float | str) -> int:
    aqls = _data()["single_normal"]["aql_percent"]
    try:
        value = Decimal(str(aql).strip().rstrip("%").strip())
    except InvalidOperation:
        value = None
    if isinstance(aql, bool) or value is None:
        raise StandardsError(f"AQL {aql!r} is not a number; use one of {', '.join(aqls)} (percent)")
    for i, a in enumerate(aqls):
        if Decimal(a) == value:
            return i
    raise StandardsError(f"AQL {aql!r} is not in ISO 2859-1 Table 2-A as tabulated by techpack; use one of {', '.join(aqls)} (percent)")


def code_letter(lot: int, level: str = "II") -> str:
    """Sample size code letter (ISO 2859-1 Table 1) for `lot` items at inspection `level`."""
    n = _lot(lot)
    t = _data()["code_letters"]
    column = t["levels"][_level(level)]
    for i, (lo, hi) in enumerate(t["lot_ranges"]):
        if hi is None or n <= hi:
            return column[i]
    raise AssertionError("the last lot range is open")  # pragma: no cover


def master_cell(letter: str, aql: float | str) -> str:
    """The cell of Table II-A as printed: "0/1", "↓" or "↑"."""
    rows = _data()["single_normal"]["rows"]
    if letter not in rows:
        raise StandardsError(f"sample size code letter {letter!r} is not one of {', '.join(rows)}")
    return rows[letter][_aql_index(aql)]


def resolve_plan(letter: str, aql: float | str) -> tuple[str, int, int, int]:
    """(plan letter, sample size, Ac, Re) for a code letter and AQL, arrows followed."""
    rows = _data()["single_normal"]["rows"]
    sizes = _data()["sample_sizes"]["sizes"]
    letters = list(rows)
    cell = master_cell(letter, aql)
    j = _aql_index(aql)
    i = letters.index(letter)
    if cell in (_DOWN, _UP):
        step = 1 if cell == _DOWN else -1
        while rows[letters[i]][j] in (_DOWN, _UP):
            i += step
            if i < 0:  # up arrow in row A (AQL 10): nothing above, use row A with Ac 0
                return letters[0], sizes[letters[0]], 0, 1
            if i >= len(letters):
                raise AssertionError(f"Table II-A: down arrow off the table at {letter}, AQL {aql}")  # pragma: no cover
    plan = letters[i]
    ac, re_ = (int(x) for x in rows[plan][j].split("/"))
    return plan, sizes[plan], ac, re_


@dataclass(frozen=True)
class SamplingPlan:
    """A single sampling plan, normal inspection. AQL in percent; sizes are numbers of items."""

    lot_size: int
    aql: float
    level: str
    code_letter: str
    plan_letter: str
    plan_sample_size: int
    sample_size: int
    accept: int
    reject: int
    full_inspection: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "standard": "ISO 2859-1, single sampling, normal inspection",
            "lot_size": self.lot_size,
            "aql_percent": self.aql,
            "inspection_level": self.level,
            "code_letter": self.code_letter,
            "plan_code_letter": self.plan_letter,
            "plan_sample_size": self.plan_sample_size,
            "sample_size": self.sample_size,
            "accept": self.accept,
            "reject": self.reject,
            "full_inspection": self.full_inspection,
        }


def sampling_plan(lot: int, aql: float | str, level: str = "II") -> SamplingPlan:
    """The plan for a lot of `lot` items at `aql` percent and inspection `level` (default II)."""
    n_lot = _lot(lot)
    lvl = _level(level)
    j = _aql_index(aql)
    letter = code_letter(n_lot, lvl)
    plan, n, ac, re_ = resolve_plan(letter, aql)
    full = n >= n_lot
    aql_value = float(_data()["single_normal"]["aql_percent"][j])
    return SamplingPlan(n_lot, aql_value, lvl, letter, plan, n, n_lot if full else n, ac, re_, full)

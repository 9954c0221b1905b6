"""ISO 2859-1 single sampling, normal inspection, against shared reference standards.md §3.

Table I and Table II-A are typed in from the reference; the resolved plans for small lots
were worked out by hand from them (following the arrows, sample size of the plan reached).
"""

from __future__ import annotations

import pytest

from techpack.standards import SamplingPlan, StandardsError, sampling_plan
from techpack.standards.iso2859 import code_letter, master_cell, resolve_plan

# §3.1 Table 1: lot range -> letters for S-1, S-2, S-3, S-4, I, II, III
LEVELS = ["S-1", "S-2", "S-3", "S-4", "I", "II", "III"]
TABLE_I = [
    ((2, 8), "AAAAAAB"),
    ((9, 15), "AAAAABC"),
    ((16, 25), "AABBBCD"),
    ((26, 50), "ABBCCDE"),
    ((51, 90), "BBCCCEF"),
    ((91, 150), "BBCDDFG"),
    ((151, 280), "BCDEEGH"),
    ((281, 500), "BCDEFHJ"),
    ((501, 1200), "CCEFGJK"),
    ((1201, 3200), "CDEGHKL"),
    ((3201, 10000), "CDFGJLM"),
    ((10001, 35000), "CDFHKMN"),
    ((35001, 150000), "DEGJLNP"),
    ((150001, 500000), "DEGJMPQ"),
    ((500001, 10**7), "DEHKNQR"),
]
SAMPLE_SIZE = {"A": 2, "B": 3, "C": 5, "D": 8, "E": 13, "F": 20, "G": 32, "H": 50, "J": 80, "K": 125,
               "L": 200, "M": 315, "N": 500, "P": 800, "Q": 1250, "R": 2000}


@pytest.mark.parametrize("rng,letters", TABLE_I)
def test_table_i_both_ends_of_every_lot_range(rng, letters):
    for lot in rng:
        for level, letter in zip(LEVELS, letters):
            assert code_letter(lot, level) == letter, (lot, level)


# §3.2 Table II-A, AQL 0.65 .. 6.5, letters A..R ("v" = down arrow, "^" = up arrow)
AQLS = ["0.65", "1.0", "1.5", "2.5", "4.0", "6.5"]
MASTER = {
    "A": "v v v v v 0/1",
    "B": "v v v v 0/1 ^",
    "C": "v v v 0/1 ^ v",
    "D": "v v 0/1 ^ v 1/2",
    "E": "v 0/1 ^ v 1/2 2/3",
    "F": "0/1 ^ v 1/2 2/3 3/4",
    "G": "^ v 1/2 2/3 3/4 5/6",
    "H": "v 1/2 2/3 3/4 5/6 7/8",
    "J": "1/2 2/3 3/4 5/6 7/8 10/11",
    "K": "2/3 3/4 5/6 7/8 10/11 14/15",
    "L": "3/4 5/6 7/8 10/11 14/15 21/22",
    "M": "5/6 7/8 10/11 14/15 21/22 ^",
    "N": "7/8 10/11 14/15 21/22 ^ ^",
    "P": "10/11 14/15 21/22 ^ ^ ^",
    "Q": "14/15 21/22 ^ ^ ^ ^",
    "R": "21/22 ^ ^ ^ ^ ^",
}


@pytest.mark.parametrize("letter", sorted(MASTER))
def test_master_table_cells(letter):
    expected = [c.replace("v", "↓").replace("^", "↑") for c in MASTER[letter].split()]
    assert [master_cell(letter, a) for a in AQLS] == expected


# §3.3 resolved plans, level II: lot range -> (n, Ac, Re) at AQL 1.0, 2.5, 4.0 before the
# n >= lot rule (which the test applies on top).
LEVEL_II = [
    ((2, 8), (13, 0, 1), (5, 0, 1), (3, 0, 1)),
    ((9, 15), (13, 0, 1), (5, 0, 1), (3, 0, 1)),
    ((16, 25), (13, 0, 1), (5, 0, 1), (3, 0, 1)),
    ((26, 50), (13, 0, 1), (5, 0, 1), (13, 1, 2)),
    ((51, 90), (13, 0, 1), (20, 1, 2), (13, 1, 2)),
    ((91, 150), (13, 0, 1), (20, 1, 2), (20, 2, 3)),
    ((151, 280), (50, 1, 2), (32, 2, 3), (32, 3, 4)),
    ((281, 500), (50, 1, 2), (50, 3, 4), (50, 5, 6)),
    ((501, 1200), (80, 2, 3), (80, 5, 6), (80, 7, 8)),
    ((1201, 3200), (125, 3, 4), (125, 7, 8), (125, 10, 11)),
    ((3201, 10000), (200, 5, 6), (200, 10, 11), (200, 14, 15)),
    ((10001, 35000), (315, 7, 8), (315, 14, 15), (315, 21, 22)),
    ((35001, 150000), (500, 10, 11), (500, 21, 22), (315, 21, 22)),
    ((150001, 500000), (800, 14, 15), (500, 21, 22), (315, 21, 22)),
    ((500001, 2_000_000), (1250, 21, 22), (500, 21, 22), (315, 21, 22)),
]


def _check(plan: SamplingPlan, lot: int, n: int, ac: int, re: int) -> None:
    full = n >= lot
    assert plan.plan_sample_size == n
    assert plan.sample_size == (lot if full else n)
    assert plan.full_inspection is full
    assert (plan.accept, plan.reject) == (ac, re)


@pytest.mark.parametrize("rng,aql10,aql25,aql40", LEVEL_II)
def test_resolved_level_ii(rng, aql10, aql25, aql40):
    for lot in rng:
        for aql, (n, ac, re) in zip((1.0, 2.5, 4.0), (aql10, aql25, aql40)):
            _check(sampling_plan(lot, aql, "II"), lot, n, ac, re)


# Small lots, worked by hand from Table I and Table II-A. For letters A..E (all that lots
# 2..50 reach at levels I, II, III), the plan reached: (n, Ac, Re).
SMALL = {
    "0.065": dict.fromkeys("ABCDE", (200, 0, 1)),  # down to L
    "0.10": dict.fromkeys("ABCDE", (125, 0, 1)),  # down to K
    "0.15": dict.fromkeys("ABCDE", (80, 0, 1)),  # down to J
    "0.25": dict.fromkeys("ABCDE", (50, 0, 1)),  # down to H
    "0.40": dict.fromkeys("ABCDE", (32, 0, 1)),  # down to G
    "0.65": dict.fromkeys("ABCDE", (20, 0, 1)),  # down to F
    "1.0": dict.fromkeys("ABCDE", (13, 0, 1)),  # A-D down to E, E itself
    "1.5": dict.fromkeys("ABCDE", (8, 0, 1)),  # A-C down to D, D itself, E up to D
    "2.5": {**dict.fromkeys("ABCD", (5, 0, 1)), "E": (20, 1, 2)},  # C; E down to F
    "4.0": {**dict.fromkeys("ABC", (3, 0, 1)), "D": (13, 1, 2), "E": (13, 1, 2)},  # B; D down to E
    "6.5": {"A": (2, 0, 1), "B": (2, 0, 1), "C": (8, 1, 2), "D": (8, 1, 2), "E": (13, 2, 3)},
    # A at AQL 10 is an up arrow with no plan above: techpack uses row A with Ac 0 (documented rule).
    "10": {"A": (2, 0, 1), "B": (5, 1, 2), "C": (5, 1, 2), "D": (8, 2, 3), "E": (13, 3, 4)},
}
SMALL_LETTERS = {  # Table I, lots 2-8, 9-15, 16-25, 26-50
    "I": "AABC",
    "II": "ABCD",
    "III": "BCDE",
}


def _band(lot: int) -> int:
    return 0 if lot <= 8 else 1 if lot <= 15 else 2 if lot <= 25 else 3


@pytest.mark.parametrize("level", sorted(SMALL_LETTERS))
@pytest.mark.parametrize("aql", sorted(SMALL, key=float))
def test_small_lots_2_to_50(level, aql):
    for lot in range(2, 51):
        letter = SMALL_LETTERS[level][_band(lot)]
        n, ac, re = SMALL[aql][letter]
        plan = sampling_plan(lot=lot, aql=aql, level=level)
        assert plan.code_letter == letter
        _check(plan, lot, n, ac, re)


def test_reference_examples():
    # §3.2: lot 2400 at AQL 2.5 -> K, n 125, 7/8 (garment example)
    p = sampling_plan(2400, 2.5)
    assert (p.code_letter, p.sample_size, p.accept, p.reject) == ("K", 125, 7, 8)
    # §3.4: lot 26-50 at AQL 1.0 is n 13 (not n 8), lot >= 35001 at AQL 4.0 is n 315 (not 500)
    assert sampling_plan(40, 1.0).sample_size == 13
    assert sampling_plan(40_000, 4.0).sample_size == 315
    assert sampling_plan(40_000, 4.0).plan_letter == "M"


def test_low_aql_columns():
    assert resolve_plan("Q", "0.010") == ("Q", 1250, 0, 1)
    assert resolve_plan("R", "0.010") == ("Q", 1250, 0, 1)
    assert resolve_plan("R", "0.015") == ("P", 800, 0, 1)
    assert resolve_plan("R", "0.025") == ("R", 2000, 1, 2)
    assert resolve_plan("A", "0.010") == ("Q", 1250, 0, 1)


def test_full_inspection_flag_and_lot_of_one():
    p = sampling_plan(lot=5, aql=1.0)
    assert p.full_inspection and p.sample_size == 5 and p.plan_sample_size == 13
    p = sampling_plan(lot=13, aql=1.0)
    assert p.full_inspection and p.sample_size == 13  # n = lot: 100 %
    p = sampling_plan(lot=14, aql=1.0)
    assert not p.full_inspection and p.sample_size == 13
    p = sampling_plan(lot=1, aql=1.0)
    assert (p.code_letter, p.sample_size, p.full_inspection, p.accept) == ("A", 1, True, 0)


@pytest.mark.parametrize("aql", [1.0, 1, "1.0", "1", "1.0%", " 1.00 "])
def test_aql_forms(aql):
    assert sampling_plan(500, aql).sample_size == 50


@pytest.mark.parametrize("aql", [0.1, "0.10", "0.1"])
def test_aql_forms_decimal(aql):
    assert sampling_plan(5000, aql).aql == 0.1


@pytest.mark.parametrize("level,letter", [("ii", "H"), ("S1", "B"), ("s-4", "E"), (" III ", "J")])
def test_level_forms(level, letter):
    assert sampling_plan(500, 1.0, level).code_letter == letter


@pytest.mark.parametrize("lot", [0, -1, 2.5, True, "50", None])
def test_bad_lot(lot):
    with pytest.raises(StandardsError):
        sampling_plan(lot, 1.0)


@pytest.mark.parametrize("aql", [0.5, 3.0, 15, 0, -1, "abc", None, True])
def test_bad_aql(aql):
    with pytest.raises(StandardsError):
        sampling_plan(50, aql)


@pytest.mark.parametrize("level", ["IV", "S-5", "", "G", "2"])
def test_bad_level(level):
    with pytest.raises(StandardsError):
        sampling_plan(50, 1.0, level)


def test_bad_letter():
    with pytest.raises(StandardsError):
        resolve_plan("I", 1.0)


def test_to_dict():
    assert sampling_plan(lot=50, aql=1.0, level="II").to_dict() == {
        "standard": "ISO 2859-1, single sampling, normal inspection",
        "lot_size": 50,
        "aql_percent": 1.0,
        "inspection_level": "II",
        "code_letter": "D",
        "plan_code_letter": "E",
        "plan_sample_size": 13,
        "sample_size": 13,
        "accept": 0,
        "reject": 1,
        "full_inspection": False,
    }

"""ISO 2768-1/-2 general tolerances against the tables transcribed in shared reference standards.md §1.

Expected values are typed in from that document, not computed by techpack.
"""

from __future__ import annotations

import pytest

from techpack.standards import StandardsError
from techpack.standards.iso2768 import (
    AngularTolerance,
    GeneralTolerance,
    angular_tolerance,
    broken_edge_tolerance,
    flatness_tolerance,
    linear_tolerance,
    parse_general_tolerance,
    perpendicularity_tolerance,
    runout_tolerance,
    straightness_tolerance,
    symmetry_tolerance,
)

EPS = 1e-3  # a step past a range limit, mm

# §1.1 Table 1: (lower limit, upper limit) -> ± mm per class; None = not covered.
LINEAR_LIMITS = [(0.5, 3), (3, 6), (6, 30), (30, 120), (120, 400), (400, 1000), (1000, 2000), (2000, 4000)]
LINEAR = {
    "f": [0.05, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, None],
    "m": [0.1, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2, 2],
    "c": [0.2, 0.3, 0.5, 0.8, 1.2, 2, 3, 4],
    "v": [None, 0.5, 1, 1.5, 2.5, 4, 6, 8],
}


def _linear_cases():
    for cls, values in LINEAR.items():
        for (lo, hi), expected in zip(LINEAR_LIMITS, values):
            sizes = [hi, (lo + hi) / 2] + ([lo + EPS] if lo > 0.5 else [lo])
            for size in sizes:
                yield cls, size, expected


@pytest.mark.parametrize("cls,size,expected", list(_linear_cases()))
def test_linear_table_every_range_both_ends(cls, size, expected):
    if expected is None:
        with pytest.raises(StandardsError, match="explicitly"):
            linear_tolerance(size, cls)
    else:
        assert linear_tolerance(size, cls) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    "size,cls,expected",
    [(1, "c", 0.20), (4, "v", 0.50), (1500, "v", 6.0), (3000, "m", 2.0)],  # the public vitest vectors in §1.1
)
def test_linear_published_vectors(size, cls, expected):
    assert linear_tolerance(size, cls) == pytest.approx(expected, abs=1e-9)


def test_coarse_is_iso_not_din7168():
    # §1.1 pitfall: DIN 7168 "g" gives ±0.15/±0.2; ISO 2768-1 c gives ±0.2/±0.3.
    assert linear_tolerance(2, "c") == pytest.approx(0.2, abs=1e-9)
    assert linear_tolerance(5, "c") == pytest.approx(0.3, abs=1e-9)


@pytest.mark.parametrize(
    "size,cls",
    [(0.49, "m"), (0.1, "f"), (3, "v"), (0.5, "v"), (2000 + EPS, "f"), (4000 + EPS, "m"), (5000, "c"), (8000, "v")],
)
def test_linear_outside_table_must_be_explicit(size, cls):
    with pytest.raises(StandardsError, match="explicitly"):
        linear_tolerance(size, cls)


@pytest.mark.parametrize("size,cls,expected", [(0.5, "m", 0.1), (3 + EPS, "v", 0.5), (2000, "f", 0.5), (4000, "c", 4)])
def test_linear_last_value_inside_table(size, cls, expected):
    assert linear_tolerance(size, cls) == pytest.approx(expected, abs=1e-9)


def test_standards_error_is_value_error():
    with pytest.raises(ValueError):
        linear_tolerance(0.2, "m")


@pytest.mark.parametrize("bad", [0, -1, float("nan"), "ten", None, True])
def test_linear_bad_size(bad):
    with pytest.raises(StandardsError):
        linear_tolerance(bad, "m")


@pytest.mark.parametrize("cls", ["M", "F", "x", "mK", "", "H"])
def test_linear_bad_class(cls):
    with pytest.raises(StandardsError):
        linear_tolerance(10, cls)


# §1.2 Table 2 broken edges
@pytest.mark.parametrize(
    "size,cls,expected",
    [
        (0.5, "f", 0.2), (3, "m", 0.2), (3 + EPS, "f", 0.5), (6, "m", 0.5), (6 + EPS, "f", 1), (500, "m", 1),
        (0.5, "c", 0.4), (3, "v", 0.4), (3 + EPS, "c", 1), (6, "v", 1), (6 + EPS, "c", 2), (10000, "v", 2),
    ],
)
def test_broken_edges(size, cls, expected):
    assert broken_edge_tolerance(size, cls) == pytest.approx(expected, abs=1e-9)


def test_broken_edge_below_table():
    with pytest.raises(StandardsError, match="explicitly"):
        broken_edge_tolerance(0.4, "m")


# §1.3 Table 3 angles, in arc minutes, by shorter leg
ANGLE_LIMITS = [(0, 10), (10, 50), (50, 120), (120, 400), (400, None)]
ANGLES = {
    "f": [60, 30, 20, 10, 5],
    "m": [60, 30, 20, 10, 5],
    "c": [90, 60, 30, 15, 10],
    "v": [180, 120, 60, 30, 20],
}


def _angle_cases():
    for cls, values in ANGLES.items():
        for (lo, hi), expected in zip(ANGLE_LIMITS, values):
            sizes = [lo + EPS] + ([hi] if hi else [lo * 10])
            for size in sizes:
                yield cls, size, expected


@pytest.mark.parametrize("cls,leg,arcmin", list(_angle_cases()))
def test_angular_every_range_both_ends(cls, leg, arcmin):
    a = angular_tolerance(leg, cls)
    assert a.arcmin == arcmin
    assert a.degrees == pytest.approx(arcmin / 60, abs=1e-12)


@pytest.mark.parametrize(
    "leg,cls,text",
    [(300, "c", "±0°15′"), (500, "v", "±0°20′"), (5, "m", "±1°"), (5, "c", "±1°30′"), (100, "c", "±0°30′"), (5, "v", "±3°")],
)
def test_angular_text(leg, cls, text):
    assert angular_tolerance(leg, cls).text == text


def test_angular_to_dict():
    assert angular_tolerance(30, "m").to_dict() == {"plus_minus_arcmin": 30, "plus_minus_deg": 0.5, "text": "±0°30′"}


def test_angular_zero_leg():
    with pytest.raises(StandardsError):
        angular_tolerance(0, "m")


# §1.4 ISO 2768-2
STRAIGHT_LIMITS = [(0, 10), (10, 30), (30, 100), (100, 300), (300, 1000), (1000, 3000)]
STRAIGHT = {
    "H": [0.02, 0.05, 0.1, 0.2, 0.3, 0.4],
    "K": [0.05, 0.1, 0.2, 0.4, 0.6, 0.8],
    "L": [0.1, 0.2, 0.4, 0.8, 1.2, 1.6],
}
PERP_LIMITS = [(0, 100), (100, 300), (300, 1000), (1000, 3000)]
PERP = {"H": [0.2, 0.3, 0.4, 0.5], "K": [0.4, 0.6, 0.8, 1], "L": [0.6, 1, 1.5, 2]}
SYM = {"H": [0.5, 0.5, 0.5, 0.5], "K": [0.6, 0.6, 0.8, 1], "L": [0.6, 1, 1.5, 2]}


def _cases(limits, table):
    for cls, values in table.items():
        for (lo, hi), expected in zip(limits, values):
            for size in (lo + EPS, hi):
                yield cls, size, expected


@pytest.mark.parametrize("cls,length,expected", list(_cases(STRAIGHT_LIMITS, STRAIGHT)))
def test_straightness_and_flatness(cls, length, expected):
    assert straightness_tolerance(length, cls) == pytest.approx(expected, abs=1e-9)
    assert flatness_tolerance(length, cls) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("cls,side,expected", list(_cases(PERP_LIMITS, PERP)))
def test_perpendicularity(cls, side, expected):
    assert perpendicularity_tolerance(side, cls) == pytest.approx(expected, abs=1e-9)


def test_perpendicularity_k_top_range_is_1_not_0_8():
    # §1.4: one public-code file has K = 0.8 at 1000-3000; the table says 1.
    assert perpendicularity_tolerance(2000, "K") == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("cls,length,expected", list(_cases(PERP_LIMITS, SYM)))
def test_symmetry(cls, length, expected):
    assert symmetry_tolerance(length, cls) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("cls,expected", [("H", 0.1), ("K", 0.2), ("L", 0.5)])
def test_runout(cls, expected):
    assert runout_tolerance(cls) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    "func", [straightness_tolerance, flatness_tolerance, perpendicularity_tolerance, symmetry_tolerance]
)
def test_geometric_over_3000_must_be_explicit(func):
    assert func(3000, "K") > 0
    with pytest.raises(StandardsError, match="explicitly"):
        func(3000 + EPS, "K")


@pytest.mark.parametrize("cls", ["k", "h", "m", "X"])
def test_geometric_bad_class(cls):
    with pytest.raises(StandardsError):
        flatness_tolerance(10, cls)
    with pytest.raises(StandardsError):
        runout_tolerance(cls)


# Designations
@pytest.mark.parametrize(
    "text,lin,geo,env",
    [
        ("ISO 2768-mK", "m", "K", False),
        ("ISO 2768-f", "f", None, False),
        ("ISO 2768-mK-E", "m", "K", True),
        ("ISO2768-mK", "m", "K", False),
        ("ISO 2768-fH", "f", "H", False),
        ("ISO 2768-cL", "c", "L", False),
        ("ISO 2768-v", "v", None, False),
        ("  ISO 2768-mH-E ", "m", "H", True),
        ("DIN ISO 2768-mK", "m", "K", False),
    ],
)
def test_parse_general_tolerance(text, lin, geo, env):
    g = parse_general_tolerance(text)
    assert (g.linear_class, g.geometric_class, g.envelope) == (lin, geo, env)


@pytest.mark.parametrize(
    "text",
    [
        "ISO 2768-MK",  # linear class is lower case
        "ISO 2768-mk",  # geometric class is upper case
        "ISO 2768-mK-e",
        "iso 2768-mK",
        "ISO 2768",
        "ISO 2768-",
        "ISO 2768-K",
        "ISO 2768-xK",
        "ISO 2768-mX",
        "ISO 2768-m-E",  # envelope without an ISO 2768-2 class
        "ISO 2768-mK-F",
        "ISO 2768-1",
        "2768-mK",
        "",
    ],
)
def test_parse_general_tolerance_rejects(text):
    with pytest.raises(StandardsError):
        parse_general_tolerance(text)


def test_parse_rejects_non_text():
    with pytest.raises(StandardsError):
        parse_general_tolerance(None)  # type: ignore[arg-type]


def test_general_tolerance_lookups_and_dict():
    g = parse_general_tolerance("ISO2768-mK-E")
    assert g.designation == "ISO 2768-mK-E"
    assert g.linear(50) == pytest.approx(0.3, abs=1e-9)
    assert g.broken_edge(2) == pytest.approx(0.2, abs=1e-9)
    assert g.angular(30) == AngularTolerance(30)
    assert g.straightness(50) == pytest.approx(0.2, abs=1e-9)
    assert g.flatness(10) == pytest.approx(0.05, abs=1e-9)
    assert g.perpendicularity(150) == pytest.approx(0.6, abs=1e-9)
    assert g.symmetry(500) == pytest.approx(0.8, abs=1e-9)
    assert g.runout() == pytest.approx(0.2, abs=1e-9)
    assert g.to_dict() == {"designation": "ISO 2768-mK-E", "linear_class": "m", "geometric_class": "K", "envelope": True}


def test_general_tolerance_without_geometric_class():
    g = GeneralTolerance("f")
    assert g.designation == "ISO 2768-f"
    assert g.linear(10) == pytest.approx(0.1, abs=1e-9)
    with pytest.raises(StandardsError, match="ISO 2768-2"):
        g.flatness(10)


@pytest.mark.parametrize("args", [("M",), ("m", "k"), ("m", None, True), ("x", "K")])
def test_general_tolerance_checks_its_classes(args):
    with pytest.raises(StandardsError):
        GeneralTolerance(*args)

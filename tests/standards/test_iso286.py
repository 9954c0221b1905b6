"""ISO 286 limits and fits against shared reference standards.md §2 (tables and test vectors typed in by hand).

Deviations are compared in µm (exact: the tables are whole or half µm), mm values with abs=1e-9.
"""

from __future__ import annotations

import pytest

from techpack.standards import StandardsError, fit, it_tolerance, tolerance
from techpack.standards.iso286 import Fit, Tolerance

EPS = 1e-3  # mm past a range limit

# Main size ranges of ISO 286 (over lo up to and including hi).
RANGES = [(0, 3), (3, 6), (6, 10), (10, 18), (18, 30), (30, 50), (50, 80), (80, 120), (120, 180), (180, 250), (250, 315), (315, 400), (400, 500)]


def sizes_in(lo: float, hi: float) -> list[float]:
    """Both ends of a range: the upper limit itself and a step over the lower limit."""
    return [hi, lo + EPS if lo else 1]


# §2.1 IT values in µm
IT = {
    5: [4, 5, 6, 8, 9, 11, 13, 15, 18, 20, 23, 25, 27],
    6: [6, 8, 9, 11, 13, 16, 19, 22, 25, 29, 32, 36, 40],
    7: [10, 12, 15, 18, 21, 25, 30, 35, 40, 46, 52, 57, 63],
    8: [14, 18, 22, 27, 33, 39, 46, 54, 63, 72, 81, 89, 97],
    9: [25, 30, 36, 43, 52, 62, 74, 87, 100, 115, 130, 140, 155],
    10: [40, 48, 58, 70, 84, 100, 120, 140, 160, 185, 210, 230, 250],
    11: [60, 75, 90, 110, 130, 160, 190, 220, 250, 290, 320, 360, 400],
    12: [100, 120, 150, 180, 210, 250, 300, 350, 400, 460, 520, 570, 630],
}


@pytest.mark.parametrize("grade", sorted(IT))
@pytest.mark.parametrize("i", range(len(RANGES)))
def test_it_table(grade, i):
    for size in sizes_in(*RANGES[i]):
        assert it_tolerance(size, grade) == IT[grade][i]
        assert it_tolerance(size, f"IT{grade}") == IT[grade][i]


def test_it_table_is_not_the_formula():
    # §2.1: the formula gives 17.3 at 10-18 (IT7) and 5.4 at <=3 (IT6); the table says 18 and 6.
    assert it_tolerance(15, 7) == 18
    assert it_tolerance(2, 6) == 6


# ISO 286-1 Table 3, Δ column (µm) for IT3..IT8, by main range over 3 mm. The hole rule
# uses Δ = IT(n) - IT(n-1); this checks the IT table against the printed Δ values.
DELTA = {
    (3, 6): [1, 1.5, 1, 3, 4, 6],
    (6, 10): [1, 1.5, 2, 3, 6, 7],
    (10, 18): [1, 2, 3, 3, 7, 9],
    (18, 30): [1.5, 2, 3, 4, 8, 12],
    (30, 50): [1.5, 3, 4, 5, 9, 14],
    (50, 80): [2, 3, 5, 6, 11, 16],
    (80, 120): [2, 4, 5, 7, 13, 19],
    (120, 180): [3, 4, 6, 7, 15, 23],
    (180, 250): [3, 4, 6, 9, 17, 26],
    (250, 315): [4, 4, 7, 9, 20, 29],
    (315, 400): [4, 5, 7, 11, 21, 32],
    (400, 500): [5, 5, 7, 13, 23, 34],
}


@pytest.mark.parametrize("rng", sorted(DELTA))
def test_it_differences_match_delta_table(rng):
    size = rng[1]
    got = [it_tolerance(size, n) - it_tolerance(size, n - 1) for n in range(3, 9)]
    assert got == DELTA[rng]


def test_it_extreme_grades_exist():
    assert it_tolerance(10, "01") > 0
    assert it_tolerance(10, "0") > it_tolerance(10, "01")
    assert it_tolerance(10, 18) > it_tolerance(10, 17)


# §2.3 computed limit deviations, holes (upper, lower) µm by main range
HOLES = {
    "H7": [(10, 0), (12, 0), (15, 0), (18, 0), (21, 0), (25, 0), (30, 0), (35, 0), (40, 0), (46, 0), (52, 0), (57, 0), (63, 0)],
    "H8": [(14, 0), (18, 0), (22, 0), (27, 0), (33, 0), (39, 0), (46, 0), (54, 0), (63, 0), (72, 0), (81, 0), (89, 0), (97, 0)],
    "G7": [(12, 2), (16, 4), (20, 5), (24, 6), (28, 7), (34, 9), (40, 10), (47, 12), (54, 14), (61, 15), (69, 17), (75, 18), (83, 20)],
    "F7": [(16, 6), (22, 10), (28, 13), (34, 16), (41, 20), (50, 25), (60, 30), (71, 36), (83, 43), (96, 50), (108, 56), (119, 62), (131, 68)],
    "F8": [(20, 6), (28, 10), (35, 13), (43, 16), (53, 20), (64, 25), (76, 30), (90, 36), (106, 43), (122, 50), (137, 56), (151, 62), (165, 68)],
    "JS7": [(5, -5), (6, -6), (7.5, -7.5), (9, -9), (10.5, -10.5), (12.5, -12.5), (15, -15), (17.5, -17.5), (20, -20), (23, -23), (26, -26), (28.5, -28.5), (31.5, -31.5)],
    "K7": [(0, -10), (3, -9), (5, -10), (6, -12), (6, -15), (7, -18), (9, -21), (10, -25), (12, -28), (13, -33), (16, -36), (17, -40), (18, -45)],
    "N7": [(-4, -14), (-4, -16), (-4, -19), (-5, -23), (-7, -28), (-8, -33), (-9, -39), (-10, -45), (-12, -52), (-14, -60), (-14, -66), (-16, -73), (-17, -80)],
    "P7": [(-6, -16), (-8, -20), (-9, -24), (-11, -29), (-14, -35), (-17, -42), (-21, -51), (-24, -59), (-28, -68), (-33, -79), (-36, -88), (-41, -98), (-45, -108)],
}

# §2.3 shafts
SHAFTS = {
    "h6": [(0, -6), (0, -8), (0, -9), (0, -11), (0, -13), (0, -16), (0, -19), (0, -22), (0, -25), (0, -29), (0, -32), (0, -36), (0, -40)],
    "h7": [(0, -10), (0, -12), (0, -15), (0, -18), (0, -21), (0, -25), (0, -30), (0, -35), (0, -40), (0, -46), (0, -52), (0, -57), (0, -63)],
    "g6": [(-2, -8), (-4, -12), (-5, -14), (-6, -17), (-7, -20), (-9, -25), (-10, -29), (-12, -34), (-14, -39), (-15, -44), (-17, -49), (-18, -54), (-20, -60)],
    "f7": [(-6, -16), (-10, -22), (-13, -28), (-16, -34), (-20, -41), (-25, -50), (-30, -60), (-36, -71), (-43, -83), (-50, -96), (-56, -108), (-62, -119), (-68, -131)],
    "js6": [(3, -3), (4, -4), (4.5, -4.5), (5.5, -5.5), (6.5, -6.5), (8, -8), (9.5, -9.5), (11, -11), (12.5, -12.5), (14.5, -14.5), (16, -16), (18, -18), (20, -20)],
    "k6": [(6, 0), (9, 1), (10, 1), (12, 1), (15, 2), (18, 2), (21, 2), (25, 3), (28, 3), (33, 4), (36, 4), (40, 4), (45, 5)],
    "m6": [(8, 2), (12, 4), (15, 6), (18, 7), (21, 8), (25, 9), (30, 11), (35, 13), (40, 15), (46, 17), (52, 20), (57, 21), (63, 23)],
    "n6": [(10, 4), (16, 8), (19, 10), (23, 12), (28, 15), (33, 17), (39, 20), (45, 23), (52, 27), (60, 31), (66, 34), (73, 37), (80, 40)],
    "p6": [(12, 6), (20, 12), (24, 15), (29, 18), (35, 22), (42, 26), (51, 32), (59, 37), (68, 43), (79, 50), (88, 56), (98, 62), (108, 68)],
}


def _table_cases(table):
    for cls, rows in table.items():
        for (lo, hi), (up, low) in zip(RANGES, rows):
            for size in sizes_in(lo, hi):
                yield cls, size, up, low


@pytest.mark.parametrize("cls,size,upper,lower", list(_table_cases(HOLES)) + list(_table_cases(SHAFTS)))
def test_reference_limit_tables(cls, size, upper, lower):
    t = tolerance(size, cls)
    assert (t.upper_um, t.lower_um) == (upper, lower)
    assert t.upper_mm == pytest.approx(upper / 1000, abs=1e-9)
    assert t.lower_mm == pytest.approx(lower / 1000, abs=1e-9)


# §2.2 fundamental deviations of d and e (es, µm) by main range
D_ES = [-20, -30, -40, -50, -65, -80, -100, -120, -145, -170, -190, -210, -230]
E_ES = [-14, -20, -25, -32, -40, -50, -60, -72, -85, -100, -110, -125, -135]


@pytest.mark.parametrize("i", range(len(RANGES)))
def test_d_and_e_and_mirrored_holes(i):
    for size in sizes_in(*RANGES[i]):
        it8 = IT[8][i]
        assert tolerance(size, "d8").upper_um == D_ES[i]
        assert tolerance(size, "d8").lower_um == D_ES[i] - it8
        assert tolerance(size, "e8").upper_um == E_ES[i]
        assert tolerance(size, "D8").lower_um == -D_ES[i]  # EI = -es
        assert tolerance(size, "E8").lower_um == -E_ES[i]
        assert tolerance(size, "E8").upper_um == -E_ES[i] + it8


# §2.2 s (ei, µm) with its sub-ranges: (over, up to) -> ei
S_EI = [
    ((0, 3), 14), ((3, 6), 19), ((6, 10), 23), ((10, 18), 28), ((18, 30), 35), ((30, 50), 43),
    ((50, 65), 53), ((65, 80), 59), ((80, 100), 71), ((100, 120), 79), ((120, 140), 92), ((140, 160), 100),
    ((160, 180), 108), ((180, 200), 122), ((200, 225), 130), ((225, 250), 140), ((250, 280), 158),
    ((280, 315), 170), ((315, 355), 190), ((355, 400), 208), ((400, 450), 232), ((450, 500), 252),
]


@pytest.mark.parametrize("rng,ei", S_EI)
def test_s_subranges(rng, ei):
    for size in sizes_in(*rng):
        assert tolerance(size, "s6").lower_um == ei


@pytest.mark.parametrize(
    "spec,upper,lower",
    [("10 s6", 32, 23), ("25 s6", 48, 35), ("50 s6", 59, 43), ("80 s6", 78, 59), ("100 s6", 93, 71)],
)
def test_s6_examples(spec, upper, lower):
    t = tolerance(spec)
    assert (t.upper_um, t.lower_um) == (upper, lower)


# §2.4 fit test vectors: hole, shaft (µm), clearance min..max (µm), kind
FITS = [
    ("10 H7/g6", (15, 0), (-5, -14), (5, 29), "clearance"),
    ("10 H7/h6", (15, 0), (0, -9), (0, 24), "clearance"),
    ("10 H7/k6", (15, 0), (10, 1), (-10, 14), "transition"),
    ("25 H7/g6", (21, 0), (-7, -20), (7, 41), "clearance"),
    ("25 H7/p6", (21, 0), (35, 22), (-35, -1), "interference"),
    ("25 H7/s6", (21, 0), (48, 35), (-48, -14), "interference"),
    ("50 H8/f7", (39, 0), (-25, -50), (25, 89), "clearance"),
    ("50 H7/k6", (25, 0), (18, 2), (-18, 23), "transition"),
    ("40 H7/h6", (25, 0), (0, -16), (0, 41), "clearance"),
    ("20 H7/n6", (21, 0), (28, 15), (-28, 6), "transition"),
    ("80 H7/u6", (30, 0), (121, 102), (-121, -72), "interference"),
    ("500 H11/c11", (400, 0), (-480, -880), (480, 1280), "clearance"),
    ("6 H7/m6", (12, 0), (12, 4), (-12, 8), "transition"),
]


@pytest.mark.parametrize("spec,hole,shaft,clearance,kind", FITS)
def test_fit_vectors(spec, hole, shaft, clearance, kind):
    f = fit(spec)
    assert (f.hole.upper_um, f.hole.lower_um) == hole
    assert (f.shaft.upper_um, f.shaft.lower_um) == shaft
    assert (f.min_clearance_um, f.max_clearance_um) == clearance
    assert f.min_clearance_mm == pytest.approx(clearance[0] / 1000, abs=1e-9)
    assert f.max_clearance_mm == pytest.approx(clearance[1] / 1000, abs=1e-9)
    assert f.kind == kind


# §2.4 single tolerance classes, mm
@pytest.mark.parametrize(
    "spec,upper_mm,lower_mm",
    [
        ("Ø80 H7", 0.030, 0), ("Ø20 H7", 0.021, 0), ("Ø35 k6", 0.018, 0.002), ("Ø30 m6", 0.021, 0.008),
        ("Ø40 h9", 0, -0.062), ("10 P9", -0.015, -0.051),
        ("10 G7", 0.020, 0.005), ("10 F7", 0.028, 0.013), ("10 K7", 0.005, -0.010), ("10 N7", -0.004, -0.019),
        ("10 P7", -0.009, -0.024), ("25 K7", 0.006, -0.015), ("25 N7", -0.007, -0.028), ("25 P7", -0.014, -0.035),
    ],
)
def test_single_class_vectors(spec, upper_mm, lower_mm):
    t = tolerance(spec)
    assert t.upper_mm == pytest.approx(upper_mm, abs=1e-9)
    assert t.lower_mm == pytest.approx(lower_mm, abs=1e-9)


def test_limits_of_size_mm():
    t = tolerance("Ø80 H7")
    assert t.max_mm == pytest.approx(80.030, abs=1e-9)
    assert t.min_mm == pytest.approx(80.0, abs=1e-9)
    s = tolerance("35 k6")
    assert (s.max_mm, s.min_mm) == (pytest.approx(35.018, abs=1e-9), pytest.approx(35.002, abs=1e-9))


# Range boundaries: 10 mm is in 6..10, 30 mm in 18..30 (§2.4)
@pytest.mark.parametrize(
    "size,upper",
    [(3, 10), (3 + EPS, 12), (6, 12), (6 + EPS, 15), (10, 15), (10 + EPS, 18), (18, 18), (18 + EPS, 21),
     (30, 21), (30 + EPS, 25), (315, 52), (315 + EPS, 57), (500, 63), (0.1, 10)],
)
def test_boundaries_h7(size, upper):
    assert tolerance(size, "H7").upper_um == upper


def test_boundary_inside_main_range_subrange():
    # s: 50 is in 40..50 (+43), 65 in 50..65 (+53), 65.001 in 65..80 (+59)
    assert tolerance(50, "s6").lower_um == 43
    assert tolerance(50 + EPS, "s6").lower_um == 53
    assert tolerance(65, "s6").lower_um == 53
    assert tolerance(65 + EPS, "s6").lower_um == 59


# Special rules (§2.3)
@pytest.mark.parametrize(
    "size,upper,lower",
    [(250, -8, -37), (250 + EPS, -9, -41), (300, -9, -41), (315, -9, -41), (315 + EPS, -10, -46)],
)
def test_m6_exception_250_315(size, upper, lower):
    # M6: -ei(m) + Δ, except over 250 up to 315 where ES = -9 (not -20 + 9 = -11)
    t = tolerance(size, "M6")
    assert (t.upper_um, t.lower_um) == (upper, lower)


def test_m7_is_not_affected_by_m6_exception():
    assert tolerance(300, "M7").upper_um == 0  # -20 + Δ7 20


def test_up_to_3mm_cases():
    assert (tolerance(2, "K7").upper_um, tolerance(2, "K7").lower_um) == (0, -10)
    assert tolerance(2, "N7").upper_um == -4
    assert tolerance(2, "M7").upper_um == -2
    assert tolerance(2, "P7").upper_um == -6
    assert tolerance(2, "k6").lower_um == 0
    # N above IT8: -4 up to 3 mm (N9 = -4/-29), 0 above
    assert (tolerance(2, "N9").upper_um, tolerance(2, "N9").lower_um) == (-4, -29)
    assert (tolerance(4, "N9").upper_um, tolerance(4, "N9").lower_um) == (0, -30)


def test_above_delta_grades():
    # K above IT8: ES = 0; M above IT8: -ei(m); P above IT7: -ei(p) (10 P9 above)
    assert tolerance(10, "K9").upper_um == 0
    assert tolerance(10, "M9").upper_um == -6
    assert tolerance(10, "P8").upper_um == -15
    # k shaft: ei = 0 above IT7 and up to IT3
    assert tolerance(10, "k8").lower_um == 0
    assert tolerance(10, "k3").lower_um == 0
    assert tolerance(10, "k7").lower_um == 1
    assert tolerance(10, "k4").lower_um == 1


def test_js_rounding_option():
    assert tolerance("10 js7").upper_um == 7.5
    r = tolerance("10 js7", round_js=True)
    assert (r.upper_um, r.lower_um) == (7, -7)
    assert tolerance("10 JS7", round_js=True).upper_um == 7
    assert tolerance("10 js6", round_js=True).upper_um == 4.5  # only js7..js11
    assert tolerance("2 js7", round_js=True).upper_um == 5  # IT 10 is even


@pytest.mark.parametrize(
    "spec,upper,lower",
    [("25 u6", 61, 48), ("20 u6", 54, 41), ("40 t6", 64, 48), ("25 S7", -27, -48), ("25 U7", -40, -61),
     ("15 R7", -16, -34), ("60 R7", -30, -60), ("70 R7", -32, -62)],
)
def test_other_letters(spec, upper, lower):
    t = tolerance(spec)
    assert (t.upper_um, t.lower_um) == (upper, lower)


# Input forms
@pytest.mark.parametrize(
    "call",
    [lambda: tolerance("10 g6"), lambda: tolerance("Ø10 g6"), lambda: tolerance("⌀10 g6"), lambda: tolerance("10g6"),
     lambda: tolerance(10, "g6"), lambda: tolerance(10.0, "g6"), lambda: tolerance("Ø 10 g6"), lambda: tolerance("  10  g6 ")],
)
def test_input_forms(call):
    t = call()
    assert isinstance(t, Tolerance)
    assert (t.nominal_mm, t.tolerance_class, t.kind) == (10, "g6", "shaft")
    assert (t.upper_um, t.lower_um) == (-5, -14)


def test_decimal_nominal():
    assert tolerance("10.5 H7").upper_um == 18
    assert tolerance("10,5 H7").nominal_mm == 10.5


@pytest.mark.parametrize("call", [lambda: fit("25 H7/p6"), lambda: fit("Ø25 H7/p6"), lambda: fit("25H7/p6"), lambda: fit(25, "H7/p6"), lambda: fit("25 H7 / p6")])
def test_fit_forms(call):
    f = call()
    assert isinstance(f, Fit)
    assert f.designation == "25 H7/p6"
    assert f.kind == "interference"


def test_shaft_basis_fit():
    f = fit("25 G7/h6")  # G7 +28/+7, h6 0/-13
    assert (f.min_clearance_um, f.max_clearance_um) == (7, 41)
    assert f.kind == "clearance"


@pytest.mark.parametrize(
    "bad",
    [
        "H7",  # no size
        "10",  # no class
        "0 H7",  # size 0
        "-5 H7",
        "500.5 H7",  # over the table
        "600 h6",
        "10 H19",  # grade out of range
        "10 H00",
        "10 h07",
        "10 q6",  # not an ISO 286 letter
        "10 w6",
        "10 Js7",  # mixed case
        "10 HH7",
        "10 H7 extra",
        "10 j6",  # ISO letter techpack does not tabulate
        "10 CD7",
        "10 H7/g6",  # a fit given to tolerance()
        "2 t6",  # t starts over 24 mm
        "10 K2",  # Δ not defined below IT3
        "0.8 a11",  # a, b not up to 1 mm
        "0.8 h14",  # IT14..18 not up to 1 mm
        "0.8 N9",  # N above IT8 not up to 1 mm
        "",
    ],
)
def test_tolerance_errors(bad):
    with pytest.raises(StandardsError):
        tolerance(bad)


@pytest.mark.parametrize(
    "bad",
    ["25 H7/q9", "25 H7/", "25 H7", "25 p6/H7", "25 h7/g6", "25 H7/G6", "H7/p6", "0 H7/p6", "600 H7/g6", "25 H7/p6/s6", "25 H7/p19"],
)
def test_fit_errors(bad):
    with pytest.raises(StandardsError):
        fit(bad)


def test_error_messages_say_what_to_do():
    with pytest.raises(StandardsError, match="explicitly"):
        tolerance("600 H7")
    with pytest.raises(StandardsError, match="not an ISO 286 fundamental deviation"):
        fit("25 H7/q9")
    with pytest.raises(StandardsError, match="01, 0 and 1 to 18"):
        tolerance("10 H19")


def test_x9_is_a_valid_iso286_1_class():
    # ISO 286-1 defines x for every size; 24-30: ei = +64, IT9 = 52.
    f = fit("25 H7/x9")
    assert (f.shaft.upper_um, f.shaft.lower_um) == (116, 64)


def test_to_dict():
    assert tolerance("10 H7").to_dict() == {
        "designation": "10 H7", "tolerance_class": "H7", "kind": "hole", "it_grade": "IT7",
        "nominal_mm": 10, "upper_mm": 0.015, "lower_mm": 0, "max_mm": 10.015, "min_mm": 10,
        "upper_um": 15, "lower_um": 0, "it_um": 15,
    }
    d = fit("25 H7/p6").to_dict()
    assert d["kind"] == "interference"
    assert d["max_clearance_mm"] == pytest.approx(-0.001, abs=1e-9)
    assert d["min_clearance_mm"] == pytest.approx(-0.035, abs=1e-9)
    assert d["shaft"]["lower_mm"] == pytest.approx(0.022, abs=1e-9)
    assert tolerance("10 js7").to_dict()["upper_um"] == 7.5

"""Standards and catalog look-ups on the command line, checked against published values
(../shared/reference/standards.md sections 1.1, 2.4, 3.3) through --json."""

from __future__ import annotations

import json

import pytest

FITS = [
    # spec, hole (upper, lower µm), shaft (upper, lower µm), clearance min..max µm, kind
    ("10 H7/g6", (15, 0), (-5, -14), (5, 29), "clearance"),
    ("10 H7/k6", (15, 0), (10, 1), (-10, 14), "transition"),
    ("25 H7/p6", (21, 0), (35, 22), (-35, -1), "interference"),
    ("50 H8/f7", (39, 0), (-25, -50), (25, 89), "clearance"),
    ("20 H7/n6", (21, 0), (28, 15), (-28, 6), "transition"),
    ("80 H7/u6", (30, 0), (121, 102), (-121, -72), "interference"),
    ("500 H11/c11", (400, 0), (-480, -880), (480, 1280), "clearance"),
    ("6 H7/m6", (12, 0), (12, 4), (-12, 8), "transition"),
]


@pytest.mark.parametrize("spec, hole, shaft, clearance, kind", FITS)
def test_fit_json(cli, spec, hole, shaft, clearance, kind):
    code, out, _ = cli("fit", spec, "--json")
    assert code == 0
    f = json.loads(out)
    assert (f["hole"]["upper_um"], f["hole"]["lower_um"]) == hole
    assert (f["shaft"]["upper_um"], f["shaft"]["lower_um"]) == shaft
    assert (round(f["min_clearance_mm"] * 1000), round(f["max_clearance_mm"] * 1000)) == clearance
    assert f["kind"] == kind


@pytest.mark.parametrize(
    "spec, upper_mm, lower_mm",
    [("Ø80 H7", 0.030, 0), ("Ø35 k6", 0.018, 0.002), ("Ø40 h9", 0, -0.062), ("10 P9", -0.015, -0.051), ("25 N7", -0.007, -0.028), ("Ø10 g6", -0.005, -0.014)],
)
def test_single_class_json(cli, spec, upper_mm, lower_mm):
    code, out, _ = cli("fit", spec, "--json")
    t = json.loads(out)
    assert code == 0 and t["upper_mm"] == pytest.approx(upper_mm, abs=1e-9) and t["lower_mm"] == pytest.approx(lower_mm, abs=1e-9)


def test_fit_text_keeps_half_micrometres(cli):
    code, out, _ = cli("fit", "10 H7/js6")
    assert "+0.0045 / -0.0045" in out and "9.9955 .. 10.0045 mm" in out
    assert "clearance  max +0.0195 mm, min -0.0045 mm" in out


def test_fit_text(cli):
    code, out, _ = cli("fit", "25 H7/p6")
    assert code == 0
    assert out.splitlines()[0] == "25 H7/p6: interference fit"
    assert "+0.021 / 0" in out and "+0.035 / +0.022" in out


@pytest.mark.parametrize(
    "size, linear",
    [(0.5, 0.1), (3, 0.1), (3.01, 0.1), (6, 0.1), (6.01, 0.2), (30, 0.2), (30.01, 0.3), (45, 0.3), (120, 0.3), (120.5, 0.5), (400, 0.5), (1000, 0.8), (2000, 1.2), (4000, 2)],
)
def test_general_linear_m_boundaries(cli, size, linear):
    code, out, _ = cli("general", "ISO 2768-mK", str(size), "--json")
    assert code == 0 and json.loads(out)["linear_plus_minus_mm"] == linear


def test_general_geometric_values(cli):
    code, out, _ = cli("general", "ISO 2768-mK", "45", "--json")
    g = json.loads(out)
    assert (g["linear_class"], g["geometric_class"]) == ("m", "K")
    assert g["straightness_flatness_mm"] == 0.2  # K, over 30 up to 100
    assert g["angular"]["text"] == "±0°30′"  # f/m, over 10 up to 50
    assert (g["perpendicularity_mm"], g["symmetry_mm"], g["runout_mm"]) == (0.4, 0.6, 0.2)


@pytest.mark.parametrize(
    "designation, size",
    [("ISO 2768-mK", 0.4), ("ISO 2768-v", 3), ("ISO 2768-f", 2001), ("ISO 2768-m", 4001)],
)
def test_general_outside_the_table_is_an_error(cli, designation, size):
    code, _, err = cli("general", designation, str(size))
    assert code == 2 and "explicitly" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "lot, aql, n, ac, re, full",
    [
        # level II, from standards.md 3.3 (100 % when the sample is not smaller than the lot)
        (5, 1.0, 5, 0, 1, True),
        (13, 1.0, 13, 0, 1, True),
        (14, 1.0, 13, 0, 1, False),
        (50, 1.0, 13, 0, 1, False),
        (50, 2.5, 5, 0, 1, False),
        (50, 4.0, 13, 1, 2, False),
        (51, 2.5, 20, 1, 2, False),
        (150, 1.0, 13, 0, 1, False),
        (151, 1.0, 50, 1, 2, False),
        (500, 4.0, 50, 5, 6, False),
        (2000, 1.0, 125, 3, 4, False),
    ],
)
def test_sampling_json(cli, lot, aql, n, ac, re, full):
    code, out, _ = cli("sampling", "--lot", str(lot), "--aql", str(aql), "--json")
    p = json.loads(out)
    assert code == 0
    assert (p["sample_size"], p["accept"], p["reject"], p["full_inspection"]) == (n, ac, re, full)


@pytest.mark.parametrize("args", [["--lot", "0", "--aql", "1"], ["--lot", "50", "--aql", "0.3"], ["--lot", "50", "--aql", "1", "--level", "IV"]])
def test_sampling_bad_input(cli, args):
    code, _, err = cli("sampling", *args)
    assert code == 2 and err.startswith("error: ") and "Traceback" not in err


@pytest.mark.parametrize("spec", ["25 H7/q9", "H7", "25", "0 H7", "25 H7/p6/x"])
def test_fit_bad_input(cli, spec):
    code, _, err = cli("fit", spec)
    assert code == 2 and err.startswith("error: ") and "Traceback" not in err


def test_finishes_and_processes_json(cli):
    code, out, _ = cli("finishes", "--json")
    finishes = {f["key"]: f for f in json.loads(out)}
    assert code == 0
    assert finishes["anodise"]["variants"]["III"]["thickness_um"] == 50.8
    assert finishes["anodise"]["variants"]["II"]["growth"] == 0.5
    assert finishes["powder-coat"]["dimensions"] == "before"
    code, out, _ = cli("processes", "--json")
    processes = {p["key"]: p for p in json.loads(out)}
    assert processes["cnc-milling"]["typical_ra_um"] == 3.2
    assert processes["cnc-milling"]["general_tolerance"] == "ISO 2768-mK"
    walls = {(r["family"], r["warn"], r["error"]) for r in processes["cnc-milling"]["rules"] if r["rule"] == "wall-thickness"}
    assert walls == {("metal", 0.8, 0.5), ("polymer", 1.5, 1.0)}
    assert {r["rule"] for r in processes["sheet-metal"]["rules"]} >= {"bend-radius", "hole-to-edge", "hole-to-bend", "flange-length"}

"""CNC rules on parts with known corner radii, hole ratios and pockets."""

from __future__ import annotations

import pytest

from tests.checks.conftest import findings, part_of


def corner_limit(error: float) -> str:
    return (
        "catalog:\n  processes:\n    cnc-milling:\n      rules:\n"
        f"        - {{rule: internal-corner-radius, limit: min, error: {error}, unit: mm, source: our smallest end mill}}\n"
    )


def pocket(r: float) -> str:
    # a 20 x 12 x 8 pocket; its four vertical internal corners rounded to r
    return (
        "body = cq.Workplane().box(60, 40, 20)\n"
        f"cut = cq.Workplane().box(20, 12, 8).edges('|Z').fillet({r}).translate((0, 0, 6))\n"
        "return body.cut(cut)"
    )


def test_pocket_with_r1_corners_fails_a_1_5_limit_and_passes_0_8(dfm):
    code, report = dfm(pocket(1.0), "cnc-milling", "6061", extra=corner_limit(1.5))
    corners = [c for c in part_of(report)["measured"]["internal_corners"] if c["made"] == "along +Z"]
    assert len(corners) == 4 and all(c["radius_mm"] == pytest.approx(1.0) and c["length_mm"] == pytest.approx(8.0) for c in corners)
    found = findings(report, "internal-corner-radius")
    assert len(found) == 4 and all(f["severity"] == "error" and f["limit"] == 1.5 and f["value"] == pytest.approx(1.0) for f in found)
    assert code == 1
    code, report = dfm(pocket(1.0), "cnc-milling", "6061", extra=corner_limit(0.8))
    assert findings(report, "internal-corner-radius") == []


def test_depth_to_radius_rule(dfm):
    _, report = dfm(pocket(2.0), "cnc-milling", "6061")  # 8 deep / R2 = 4 > 3
    ratio = findings(report, "corner-depth-ratio")
    assert len(ratio) == 4 and all(f["value"] == pytest.approx(4.0) and f["severity"] == "warning" for f in ratio)
    _, report = dfm(pocket(3.0), "cnc-milling", "6061")  # 8 / 3 = 2.7
    assert findings(report, "corner-depth-ratio") == []


def test_sharp_internal_corner_is_an_error(dfm):
    code, report = dfm("return cq.Workplane().box(60, 40, 20).cut(cq.Workplane().box(20, 12, 8).translate((0, 0, 6)))", "cnc-milling", "6061")
    found = findings(report, "internal-corner-radius")
    assert len(found) == 4 and all(f["value"] == 0 and f["severity"] == "error" for f in found) and code == 1
    assert "needs EDM" in found[0]["message"]


def test_outside_fillets_are_not_internal_corners(dfm):
    _, report = dfm("return cq.Workplane().box(60, 40, 20).edges('|Z').fillet(0.2)", "cnc-milling", "6061")
    assert "internal_corners" not in part_of(report)["measured"] or part_of(report)["measured"]["internal_corners"] == []
    (run,) = [r for r in part_of(report)["rules"] if r["rule"] == "internal-corner-radius"]
    assert run == {"rule": "internal-corner-radius", "status": "not-applicable", "reason": "no internal corners"}


@pytest.mark.parametrize("d, depth, severity", [(2.0, 7.0, None), (2.0, 9.0, "warning"), (1.0, 12.0, "error")])
def test_hole_depth_to_diameter(dfm, d, depth, severity):
    body = f"return cq.Workplane().box(40, 40, 20).faces('>Z').workplane().hole({d}, {depth})"
    _, report = dfm(body, "cnc-milling", "6061")
    (hole,) = part_of(report)["measured"]["holes"]
    assert hole["diameter_mm"] == pytest.approx(d) and hole["depth_mm"] == pytest.approx(depth) and not hole["through"]
    found = findings(report, "hole-depth-ratio")
    assert [f["severity"] for f in found] == ([severity] if severity else [])
    if found:
        assert found[0]["value"] == pytest.approx(depth / d)


def test_minimum_hole_diameter_metal_and_plastic(dfm):
    body = "return cq.Workplane().box(40, 40, 5).faces('>Z').workplane().hole(0.55)"
    _, metal = dfm(body, "cnc-milling", "6061")
    _, plastic = dfm(body, "cnc-milling", "POM")
    assert [f["severity"] for f in findings(metal, "min-hole-diameter")] == ["warning"]  # metal: error below 0.5
    assert [f["severity"] for f in findings(plastic, "min-hole-diameter")] == ["error"]  # plastic: error below 0.6


def test_deep_narrow_pocket(dfm):
    body = "return cq.Workplane().box(60, 40, 50).faces('>Z').workplane().rect(30, 4).cutBlind(-45)"
    _, report = dfm(body, "cnc-milling", "6061")
    (f,) = findings(report, "pocket-depth-ratio")
    assert f["value"] == pytest.approx(45 / 4) and f["severity"] == "error"


def test_threads_deeper_than_useful_and_too_small(dfm):
    body = "return cq.Workplane().box(40, 40, 30).faces('>Z').workplane().pushPoints([(-10, 0), (10, 0)]).hole(4.2, 25).faces('>Z').workplane().pushPoints([(0, 12)]).hole(1.25, 3)"
    part = "features:\n  - {name: deep tap, select: {hole: 4.2}, thread: M5x0.8-6H, depth: 20}\n  - {name: tiny, select: {hole: 1.25}, thread: M1.6}\n"
    _, report = dfm(body, "cnc-milling", "6061", part=part)
    (long_thread,) = findings(report, "thread-length-ratio")
    assert long_thread["value"] == pytest.approx(4.0) and long_thread["severity"] == "warning" and long_thread["feature"] == "deep tap"
    (small,) = findings(report, "min-thread-size")
    assert small["value"] == pytest.approx(1.6) and small["severity"] == "error"

"""Draft and undercuts against the pull direction (../shared/reference/dfm.md 4.2)."""

from __future__ import annotations

import pytest

from tests.checks.conftest import findings, part_of


def drafts(report: dict) -> list[dict]:
    return part_of(report)["measured"]["draft"]


@pytest.mark.parametrize("alpha", [0.3, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0])
def test_tapered_extrusion_reports_its_taper_on_every_side(dfm, alpha):
    code, report = dfm(f"return cq.Workplane().rect(40, 30).extrude(20, taper={alpha})", "injection-moulding", "ABS")
    sides = [d for d in drafts(report) if d["kind"] != "exempt"]
    assert len(sides) == 4
    for d in sides:
        assert d["min_deg"] == pytest.approx(alpha, abs=0.05) and d["max_deg"] == pytest.approx(alpha, abs=0.05)
    found = findings(report, "draft")
    if alpha < 0.5:  # injection moulding: warn below 1°, error below 0.5°
        assert len(found) == 4 and {f["severity"] for f in found} == {"error"} and code == 1
    elif alpha < 1.0:
        assert len(found) == 4 and {f["severity"] for f in found} == {"warning"}
    else:
        assert found == []


def test_tapered_round_boss_reports_the_cone_angle(dfm):
    _, report = dfm("return cq.Workplane().circle(12).extrude(25, taper=2.5)", "injection-moulding", "PC")
    (cone,) = [d for d in drafts(report) if d["kind"] != "exempt"]
    assert cone["surface"] == "cone" and cone["min_deg"] == pytest.approx(2.5, abs=0.05)


def test_cylinder_boss_reports_zero_draft(dfm):
    body = "return cq.Workplane().box(60, 40, 8).faces('>Z').workplane().circle(6).extrude(15)"
    _, report = dfm(body, "injection-moulding", "ABS")
    (boss,) = [d for d in drafts(report) if d["surface"] == "cylinder"]
    assert boss["kind"] == "vertical" and abs(boss["min_deg"]) < 0.01 and abs(boss["max_deg"]) < 0.01
    walls = [f for f in findings(report, "draft") if boss["face"] in f["faces"]]
    assert walls and walls[0]["severity"] == "error" and "no draft" in walls[0]["message"]


def test_pull_direction_changes_the_sign(dfm):
    _, up = dfm("return cq.Workplane().rect(40, 30).extrude(20, taper=3)", "injection-moulding", "ABS")
    _, down = dfm("return cq.Workplane().rect(40, 30).extrude(20, taper=3)", "injection-moulding", "ABS", part="pull: -Z")
    assert all(d["min_deg"] == pytest.approx(3, abs=0.05) for d in drafts(up) if d["kind"] != "exempt")
    assert all(d["max_deg"] == pytest.approx(-3, abs=0.05) for d in drafts(down) if d["kind"] != "exempt")


def test_sphere_straddles_the_parting_line(dfm):
    _, report = dfm("return cq.Workplane().sphere(15)", "injection-moulding", "ABS")
    (d,) = drafts(report)
    assert d["kind"] == "straddle" and d["min_deg"] < -60 and d["max_deg"] > 60
    (f,) = findings(report, "draft")
    assert "parting line must cross it" in f["message"]


def test_t_slot_is_an_undercut_and_a_plain_pocket_is_not(dfm):
    t_slot = (
        "profile = [(-30, 0), (30, 0), (30, 20), (5, 20), (5, 15), (12, 15), (12, 8), (-12, 8), (-12, 15), (-5, 15), (-5, 20), (-30, 20)]\n"
        "return cq.Workplane('XZ').polyline(profile).close().extrude(-40)"
    )
    code, report = dfm(t_slot, "injection-moulding", "ABS")
    trapped = findings(report, "undercut")
    assert trapped and all(f["severity"] == "error" for f in trapped) and code == 1
    assert part_of(report)["measured"]["undercut_faces"]
    _, plain = dfm("return cq.Workplane().box(60, 40, 20).faces('>Z').workplane().rect(20, 10).cutBlind(-8)", "injection-moulding", "ABS")
    assert findings(plain, "undercut") == []


def test_vacuum_casting_draft_is_only_a_note(dfm):
    _, report = dfm("return cq.Workplane().box(30, 30, 20)", "vacuum-casting", "PU casting resin")
    assert {f["severity"] for f in findings(report, "draft")} == {"info"}


@pytest.mark.parametrize("plate, hole", [((60, 40, 10), 20), ((200, 200, 10), 10), ((40, 40, 40), 16)])
def test_a_hole_along_the_pull_is_no_undercut(dfm, plate, hole):
    _, report = dfm(f"return cq.Workplane().box{plate}.faces('>Z').workplane().hole({hole})", "injection-moulding", "ABS")
    assert findings(report, "undercut") == [] and part_of(report)["measured"]["undercut_faces"] == []


def test_side_hole_across_the_pull_is_an_undercut(dfm):
    _, report = dfm("return cq.Workplane().box(40, 40, 20).faces('>X').workplane().hole(8, 15)", "injection-moulding", "ABS")
    assert findings(report, "undercut")


@pytest.mark.parametrize("length", [30, 600])
def test_the_same_groove_is_the_same_undercut_on_a_small_and_a_large_part(dfm, length):
    """A 1 mm × 0.8 mm snap groove along the +Y side of a 20 × 10 mm bar, 30 or 600 mm long:
    its ceiling, floor and back wall cannot leave along ±Z, whatever the bar's length (the rays'
    offset off a face does not grow with the part), and nothing else is trapped."""
    body = (f"bar = cq.Workplane().box({length}, 20, 10)\n"
            f"groove = cq.Workplane().box({length + 2}, 0.8, 1.0).translate((0, 10 - 0.4, 0))\n"
            "return bar.cut(groove)")
    _, report = dfm(body, "injection-moulding", "ABS")
    found = findings(report, "undercut")
    assert sorted(round(f["value"]) for f in found) == [100, 100, 100]
    points = [f["point"] for f in found]
    assert all(abs(p[1]) > 9.1 and abs(p[2]) <= 0.5 + 1e-6 for p in points)  # all inside the groove

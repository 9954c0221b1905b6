"""Milling judged along the direction each tool comes from: access, setups, corners, pockets and
engraving on parts made to have known answers."""

from __future__ import annotations

import pytest

from tests.checks.conftest import findings, part_of


def runs(report: dict) -> dict[str, dict]:
    return {r["rule"]: r for r in part_of(report)["rules"]}


def test_pockets_from_below_and_from_the_side_give_eight_sharp_corners_and_none_on_their_floors(dfm):
    """A 60 × 40 × 30 block with a 20 × 12 × 8 pocket milled from -Z and a 8 × 12 × 10 pocket
    milled into its +X side: the four corners of each run along its own tool, the eight
    floor-to-wall edges are made by the end of the tool and are no finding."""
    body = ("block = cq.Workplane().box(60, 40, 30)\n"
            "below = cq.Workplane().box(20, 12, 8).translate((0, 0, -11))\n"
            "side = cq.Workplane().box(8, 12, 10).translate((26, 0, 0))\n"
            "return block.cut(below).cut(side)")
    code, report = dfm(body, "cnc-milling", "6061")
    found = findings(report, "internal-corner-radius")
    assert len(found) == 8 and all(f["value"] == 0 and f["severity"] == "error" for f in found) and code == 1
    axes = sorted(f["message"].split("along the tool axis ")[1][:2] for f in found)
    assert axes == ["+X"] * 4 + ["-Z"] * 4
    for f in found:  # each corner is where the walls of its own pocket meet
        x, y, z = f["point"]
        assert (abs(abs(x) - 10) < 1e-6 and abs(abs(y) - 6) < 1e-6 and -15 < z < -7) or (22 - 1e-6 <= x <= 30 and abs(abs(y) - 6) < 1e-6 and abs(abs(z) - 5) < 1e-6)
    corners = part_of(report)["measured"]["internal_corners"]
    floors = [c for c in corners if c["made"].startswith("floor")]
    assert len(floors) == 8 and {c["made"] for c in floors} == {"floor -Z", "floor +X"}
    setups = [s["direction"] for s in part_of(report)["measured"]["setups"]]
    assert set(setups) >= {"-Z", "+X"}


def test_a_t_slot_head_cannot_be_reached_by_a_straight_tool(dfm):
    """A T-slot stopped short of both ends: its head is under the block's top and behind its
    ends, out of reach from all six sides."""
    body = ("block = cq.Workplane().box(60, 40, 30)\n"
            "neck = cq.Workplane().box(40, 6, 8).translate((0, 0, 11))\n"
            "head = cq.Workplane().box(40, 14, 5).translate((0, 0, 4.5))\n"
            "return block.cut(neck).cut(head)")
    code, report = dfm(body, "cnc-milling", "6061")
    found = findings(report, "inaccessible")
    assert found and code == 1 and all(f["severity"] == "error" for f in found)
    unreached = part_of(report)["measured"]["unreached_faces"]
    # the head's ceilings either side of the neck (z = 7, facing down) are wholly out of reach
    ceilings = [f for f in found if abs(f["point"][2] - 7) < 0.01 and abs(f["point"][1]) > 3]
    assert len(ceilings) == 2 and all(f["value"] == pytest.approx(100) for f in ceilings)
    assert all(v > 0 for v in unreached.values())
    assert "T-slot" in found[0]["message"]


def test_a_plain_pocket_and_a_through_t_slot_are_reachable(dfm):
    _, plain = dfm("return cq.Workplane().box(60, 40, 20).faces('>Z').workplane().rect(20, 10).cutBlind(-8)", "cnc-milling", "6061")
    assert findings(plain, "inaccessible") == [] and part_of(plain)["measured"]["unreached_faces"] == {}
    # a T-slot running out of both ends is reached end-on along X
    through = ("block = cq.Workplane().box(60, 40, 30)\n"
               "neck = cq.Workplane().box(70, 6, 8).translate((0, 0, 11))\n"
               "head = cq.Workplane().box(70, 14, 5).translate((0, 0, 4.5))\n"
               "return block.cut(neck).cut(head)")
    _, report = dfm(through, "cnc-milling", "6061")
    assert findings(report, "inaccessible") == []


def test_an_enclosed_void_is_out_of_reach_on_every_face(dfm):
    body = "return cq.Workplane().box(40, 40, 40).cut(cq.Workplane().box(10, 10, 10))"
    code, report = dfm(body, "cnc-milling", "6061")
    found = findings(report, "inaccessible")
    assert len(found) == 6 and all(f["value"] == pytest.approx(100) for f in found) and code == 1
    assert all(max(abs(c) for c in f["point"]) == pytest.approx(5, abs=1e-3) for f in found)


def test_a_slot_milled_from_below_is_measured_along_its_own_tool(dfm):
    body = "return cq.Workplane().box(60, 40, 50).faces('<Z').workplane().rect(30, 4).cutBlind(-45)"
    _, report = dfm(body, "cnc-milling", "6061")
    (f,) = findings(report, "pocket-depth-ratio")
    assert f["value"] == pytest.approx(45 / 4) and f["severity"] == "error" and "from -Z" in f["message"]
    (pocket,) = part_of(report)["measured"]["pockets"]
    assert pocket["direction"] == "-Z" and pocket["width_mm"] == pytest.approx(4) and pocket["depth_mm"] == pytest.approx(45)


def test_a_step_is_no_pocket_and_its_corner_is_made_by_the_end_of_the_tool(dfm):
    body = "return cq.Workplane().box(60, 40, 20).cut(cq.Workplane().box(60, 10, 5).translate((0, 15, 7.5)))"
    code, report = dfm(body, "cnc-milling", "6061")
    assert findings(report, "internal-corner-radius") == [] and findings(report, "pocket-depth-ratio") == [] and code == 0
    (corner,) = part_of(report)["measured"]["internal_corners"]
    assert corner["made"] == "floor +Z"
    assert runs(report)["pocket-depth-ratio"]["status"] == "not-applicable"


def test_a_deep_corner_of_small_radius_is_an_error(dfm):
    # R0.5 corners 10 mm deep: 20 × R, past the 15 × R a long end mill reaches
    body = ("body = cq.Workplane().box(60, 40, 20)\n"
            "cut = cq.Workplane().box(20, 12, 10).edges('|Z').fillet(0.5).translate((0, 0, 5))\n"
            "return body.cut(cut)")
    _, report = dfm(body, "cnc-milling", "6061")
    found = findings(report, "corner-depth-ratio")
    assert len(found) == 4 and all(f["value"] == pytest.approx(20) and f["severity"] == "error" and f["limit"] == 15 for f in found)


LETTERS = {
    # an E and an L, 1 mm strokes, in the XZ plane (x across, z up), 10 mm tall
    "E": [(0, 0), (6, 0), (6, 1), (1, 1), (1, 4.5), (5, 4.5), (5, 5.5), (1, 5.5), (1, 9), (6, 9), (6, 10), (0, 10)],
    "L": [(8, 0), (14, 0), (14, 1), (9, 1), (9, 10), (8, 10)],
}


def lettering(depth: float, scale: float = 1.0) -> str:
    """The letters cut `depth` deep into the +Y side of an 80 × 40 × 30 block."""
    lines = ["block = cq.Workplane().box(80, 40, 30)"]
    for name, pts in LETTERS.items():
        shown = [(round(x * scale - 10, 4), round(z * scale - 5, 4)) for x, z in pts]
        lines.append(f"{name} = cq.Workplane('XZ', origin=(0, 20, 0)).polyline({shown}).close().extrude({depth})")
        lines.append(f"block = block.cut({name})")
    return "\n".join(lines + ["return block"])


def test_engraved_lettering_is_one_engraving_judged_against_an_engraving_cutter(dfm):
    code, report = dfm(lettering(0.5), "cnc-milling", "6061")
    (e,) = part_of(report)["measured"]["engravings"]
    assert e["direction"] == "+Y" and e["depth_mm"] == pytest.approx(0.5) and e["stroke_mm"] == pytest.approx(1.0, abs=1e-3)
    assert e["height_mm"] == pytest.approx(10.0, abs=1e-3)  # the letters are 10 mm tall: the drawing's CHARACTERS ... HIGH
    assert len(e["faces"]) == 2 + 12 + 6 and e["tool"].startswith("engraving cutter")
    # its many sharp corners are the engraving cutter's business, not an end mill's
    assert findings(report, "internal-corner-radius") == [] and findings(report, "pocket-depth-ratio") == []
    assert findings(report, "engraving-stroke") == [] and code == 0
    assert any("engraving 0.5 mm deep" in s for setup in part_of(report)["measured"]["setups"] for s in setup["serves"])


def test_engraving_finer_than_a_cutter_is_laser_marked(dfm):
    _, report = dfm(lettering(0.2, scale=0.4), "cnc-milling", "6061")  # 0.4 mm strokes
    (e,) = part_of(report)["measured"]["engravings"]
    assert e["stroke_mm"] == pytest.approx(0.4, abs=1e-3) and e["tool"] == "laser marking"
    (f,) = findings(report, "engraving-stroke")
    assert f["severity"] == "warning" and f["value"] == pytest.approx(0.4, abs=1e-3) and "laser" in f["message"]


def test_a_deep_lettered_pocket_is_a_pocket_not_an_engraving(dfm):
    _, report = dfm(lettering(4.0), "cnc-milling", "6061")
    assert runs(report)["engraving-stroke"] == {"rule": "engraving-stroke", "status": "not-applicable", "reason": "no engraving (lettering or marks)"}
    assert findings(report, "internal-corner-radius")  # its sharp inside corners now need an end mill's radius


def test_setups_and_the_features_each_serves(dfm):
    """Holes on the top, the +X end and the -Y side: four setups (top, bottom, +X, -Y), two
    more than a 3-axis shop plans for."""
    body = ("top = cq.Workplane().cylinder(10, 3).translate((0, 0, 10))\n"
            "end = cq.Workplane('YZ').cylinder(10, 2.5).translate((25, 0, 0))\n"
            "side = cq.Workplane('XZ').cylinder(10, 2).translate((0, -15, 0))\n"
            "return cq.Workplane().box(60, 40, 30).cut(top).cut(end).cut(side)")
    code, report = dfm(body, "cnc-milling", "6061")
    setups = part_of(report)["measured"]["setups"]
    serves = {s["direction"]: s["serves"] for s in setups}
    assert list(serves) == ["+Z", "-Z", "+X", "-Y"] and serves["-Z"] == ["1 face"]
    assert "hole Ø6" in serves["+Z"] and "hole Ø5" in serves["+X"] and "hole Ø4" in serves["-Y"]
    (f,) = findings(report, "max-setups")
    assert f["value"] == 4 and f["limit"] == 2 and f["severity"] == "warning" and code == 0
    _, plain = dfm("return cq.Workplane().box(60, 40, 30)", "cnc-milling", "6061")
    assert [s["direction"] for s in part_of(plain)["measured"]["setups"]] == ["+Z", "-Z"] and findings(plain, "max-setups") == []


def test_every_rule_says_whether_it_ran(dfm):
    _, report = dfm("return cq.Workplane().box(60, 40, 30)", "cnc-milling", "6061")
    statuses = runs(report)
    assert set(statuses) == {"wall-thickness", "inaccessible", "max-setups", "internal-corner-radius", "corner-depth-ratio",
                             "pocket-depth-ratio", "hole-depth-ratio", "min-hole-diameter", "thread-length-ratio",
                             "min-thread-size", "engraving-stroke"}
    skipped = {r: s["reason"] for r, s in statuses.items() if s["status"] != "ran"}
    assert skipped == {
        "internal-corner-radius": "no internal corners",
        "corner-depth-ratio": "no rounded internal corner along a tool axis",
        "pocket-depth-ratio": "no pocket or slot (a floor between two facing walls)",
        "hole-depth-ratio": "no holes",
        "min-hole-diameter": "no holes",
        "thread-length-ratio": "no threaded features",
        "min-thread-size": "no threaded features",
        "engraving-stroke": "no engraving (lettering or marks)",
    }

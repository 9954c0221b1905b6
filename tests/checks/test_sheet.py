"""Sheet-metal rules on the example's bent bracket (t 2, R 2) and variations of it."""

from __future__ import annotations

import json
import math
import shutil

import pytest
from click.testing import CliRunner

from techpack.cli import main
from tests.checks.conftest import findings, part_of
from tests.conftest import FIXTURES, REPO


@pytest.fixture
def bracket(project):
    shutil.copy(REPO / "examples" / "desk-lamp" / "models" / "bracket.py", project.root / "bracket.py")

    def check(params: str = "", thickness: float | None = 2, process: str = "sheet-metal"):
        extra = f", thickness: {thickness}" if thickness else ""
        spec = project.spec(f"- {{number: B1, name: Bracket, model: bracket.py, params: {{{params}}}, material: DC01, process: {process}{extra}}}")
        result = CliRunner().invoke(main, ["check", str(spec), "--format", "json"], catch_exceptions=False)
        (part,) = json.loads(result.stdout)["parts"]
        return result.exit_code, part

    return check


def rule(part: dict, name: str) -> list[dict]:
    return [f for f in part["findings"] if f["rule"] == name]


def test_the_example_bracket_is_clean_and_measured(bracket):
    code, part = bracket()
    assert code == 0 and part["findings"] == []
    m = part["measured"]
    assert m["sheet_thickness_mm"] == pytest.approx(2.0)
    assert m["bends"] == [{"inner_radius_mm": 2.0, "thickness_mm": 2.0, "angle_deg": 90.0}]
    assert sorted(h["diameter_mm"] for h in m["holes"]) == [5.5, 10.5]


def test_tight_bend_radius(bracket):
    code, part = bracket("bend_radius: 0.8")
    (f,) = rule(part, "bend-radius")
    assert f["value"] == pytest.approx(0.8) and f["limit"] == pytest.approx(1.0) and f["severity"] == "error" and code == 1
    _, part = bracket("bend_radius: 1.5")
    (f,) = rule(part, "bend-radius")
    assert f["severity"] == "warning" and f["limit"] == pytest.approx(2.0)


def test_hole_smaller_than_the_sheet(bracket):
    _, part = bracket("mount_hole: 1.5")
    (f,) = rule(part, "sheet-hole-diameter")
    assert f["value"] == pytest.approx(1.5) and f["severity"] == "warning" and f["limit"] == pytest.approx(2.0)


def test_hole_close_to_the_edge(bracket):
    code, part = bracket("mount_hole_x: 24")  # Ø10.5 at x 24: its edge at 29.25, the flange ends at 30
    found = rule(part, "hole-to-edge")
    assert found and found[0]["value"] == pytest.approx(0.75, abs=0.01) and found[0]["severity"] == "error" and code == 1


def test_hole_close_to_the_bend(bracket):
    _, part = bracket("mount_hole_x: 10")  # hole edge at x 4.75, the bend's tangent line at x 4
    (f,) = [f for f in rule(part, "hole-to-bend") if "10.5" in f["message"]]
    assert f["value"] == pytest.approx(0.75, abs=0.01)
    assert f["severity"] == "error" and f["limit"] == pytest.approx(2 * 2 + 2)  # 2t + R


def test_short_flange(bracket):
    _, part = bracket("flange_b: 7, pivot_hole_z: 5.5, pivot_hole: 1")  # 7 - 4 = 3 mm beyond the tangent line
    lengths = sorted(f["value"] for f in rule(part, "flange-length"))
    assert lengths and lengths[0] == pytest.approx(3.0, abs=0.01)
    (short,) = [f for f in rule(part, "flange-length") if f["value"] == pytest.approx(3.0, abs=0.01)]
    assert short["severity"] == "error" and short["limit"] == pytest.approx(1.5 * 2 + 2)


def test_wrong_thickness_in_the_spec(bracket):
    code, part = bracket(thickness=3)
    (f,) = rule(part, "sheet-thickness-uniform")
    assert "the spec says thickness 3 mm" in f["message"] and f["severity"] == "error" and code == 1


def test_a_block_is_not_a_sheet(project):
    project.write("models/block.py", "import cadquery as cq\n\ndef build():\n    return cq.Workplane().box(40, 30, 2).faces('>Z').workplane().rect(10, 10).extrude(8)\n")
    spec = project.spec("- {number: B2, name: Block, model: models/block.py, material: DC01, process: sheet-metal, thickness: 2}")
    result = CliRunner().invoke(main, ["check", str(spec), "--format", "json"], catch_exceptions=False)
    (part,) = json.loads(result.stdout)["parts"]
    found = rule(part, "sheet-thickness-uniform")
    assert found and found[0]["severity"] == "error" and result.exit_code == 1


def test_coaxial_holes_in_opposite_flanges_are_no_web(project):
    body = (
        "import cadquery as cq\n\ndef build():\n"
        "    u = cq.Workplane('XZ').polyline([(0, 0), (30, 0), (30, 20), (28, 20), (28, 2), (2, 2), (2, 20), (0, 20)]).close().extrude(20)\n"
        "    return u.faces('>X').workplane().center(0, 0).hole(4)\n"
    )
    project.write("models/u.py", body)
    spec = project.spec("- {number: U1, name: U, model: models/u.py, material: DC01, process: laser-cutting, thickness: 2}")
    result = CliRunner().invoke(main, ["check", str(spec), "--format", "json"], catch_exceptions=False)
    (part,) = json.loads(result.stdout)["parts"]
    assert rule(part, "hole-web") == []


def test_sheet_rules_skip_a_part_that_is_not_a_sheet(project):
    project.write("models/block.py", "import cadquery as cq\n\ndef build():\n    return cq.Workplane().box(40, 30, 20).faces('>Z').workplane().hole(4)\n")
    spec = project.spec("- {number: B3, name: Block, model: models/block.py, material: DC01, process: sheet-metal}")
    result = CliRunner().invoke(main, ["check", str(spec), "--format", "json"], catch_exceptions=False)
    (part,) = json.loads(result.stdout)["parts"]
    (f,) = part["findings"]
    assert f["rule"] == "sheet-thickness-uniform" and f["severity"] == "error" and "the part is not a sheet" in f["message"]
    runs = {r["rule"]: r for r in part["rules"]}
    assert runs.pop("sheet-thickness-uniform")["status"] == "ran"
    # 40 x 30 top and bottom less the Ø4 hole, of 2 x (40 x 30 + 40 x 20 + 30 x 20) and the hole's wall
    share = round(100 * (2 * 1200 - 2 * math.pi * 4) / (2 * 2600 - 2 * math.pi * 4 + math.pi * 4 * 20))
    assert runs and {r["status"] for r in runs.values()} == {"not-applicable"}
    assert {r["reason"] for r in runs.values()} == {f"the part is not a sheet: {share} % of its surface is 20 mm sheet"}
    assert part["measured"]["sheet_thickness_mm"] == pytest.approx(20.0)


def test_lengths_are_in_the_products_units_even_for_an_inch_part(bracket, project):
    """An mm product with one part drawn in inches: its thickness is still given in mm."""
    inch = {k: v / 25.4 for k, v in {"thickness": 2, "bend_radius": 2, "width": 24, "flange_a": 30, "flange_b": 35, "mount_hole": 10.5,
                                      "mount_hole_x": 18, "pivot_hole": 5.5, "pivot_hole_z": 25, "corner_radius": 4}.items()}
    params = ", ".join(f"{k}: {v!r}" for k, v in inch.items())
    spec = project.spec(f"- {{number: B1, name: Bracket, model: bracket.py, units: in, params: {{{params}}}, material: DC01, process: sheet-metal, thickness: 2}}")
    result = CliRunner().invoke(main, ["check", str(spec), "--format", "json"], catch_exceptions=False)
    (part,) = json.loads(result.stdout)["parts"]
    assert rule(part, "sheet-thickness-uniform") == [] and part["measured"]["sheet_thickness_mm"] == pytest.approx(2.0)


# ---------------------------------------------------------------------------------
# No silent skips: a sheet with a thickness error still gets every other sheet rule


def bracket_body(flange: float = 30.0, hole_x: float = 18.0, cut: str = "") -> str:
    """A CadQuery script body: an L bracket of 2 mm sheet, inside R2, 24 wide (y -12..12), its
    horizontal flange 40 long on z 0..2 with a Ø4 hole at x = hole_x (the bend's tangent line
    at x 4), its vertical flange on x 0..2 reaching `flange` mm beyond the tangent line (z 4);
    `cut` is a Workplane expression cut from it."""
    return f"""
        import math
        t, r, c, s = 2.0, 2.0, 4.0, math.sqrt(0.5)
        top = c + {flange}
        part = (cq.Workplane("XZ").moveTo(c, 0).lineTo(40, 0).lineTo(40, t).lineTo(c, t)
                .threePointArc((c - r * s, c - r * s), (t, c)).lineTo(t, top).lineTo(0, top).lineTo(0, c)
                .threePointArc((c - (r + t) * s, c - (r + t) * s), (c, 0)).close().extrude(12, both=True))
        part = part.cut(cq.Workplane("XY").center({hole_x}, 0).circle(2).extrude(t))
        return part.cut({cut}) if {bool(cut)} else part
        """


LABEL = 'cq.Workplane("XY").workplane(offset=1.5).center(28, 0).rect(10, 6).extrude(0.5)'  # 0.5 deep on the flange's top
WAIVE_THICKNESS = "checks: {waive: [{rule: sheet-thickness-uniform, reason: the label recess is machined after bending}]}"


def test_a_bracket_with_a_label_recess_keeps_its_hole_to_bend_and_flange_findings(dfm):
    body = bracket_body(flange=2.5, hole_x=7, cut=LABEL)  # hole edge at x 5: 1 mm from the bend; flange 2.5 mm
    code, report = dfm(body, "sheet-metal", "DC01", part="thickness: 2")
    part = part_of(report)
    (thick,) = rule(part, "sheet-thickness-uniform")
    assert thick["value"] == pytest.approx(0.5, abs=1e-3) and "Material 1.50 mm thick" in thick["message"] and thick["severity"] == "error"
    (near,) = rule(part, "hole-to-bend")
    assert near["value"] == pytest.approx(1.0, abs=1e-3) and near["severity"] == "error" and near["limit"] == pytest.approx(2 * 2 + 2)
    short = [f for f in rule(part, "flange-length") if f["value"] < 3]
    assert len(short) == 1 and short[0]["value"] == pytest.approx(2.5, abs=1e-3) and short[0]["severity"] == "error"
    assert {r["rule"]: r["status"] for r in part["rules"]} == {
        "sheet-thickness-uniform": "ran", "bend-radius": "ran", "sheet-hole-diameter": "ran", "hole-to-edge": "ran",
        "hole-to-bend": "ran", "hole-web": "not-applicable", "flange-length": "ran", "flat-pattern": "ran"}
    assert code == 1

    code, report = dfm(body, "sheet-metal", "DC01", part=f"thickness: 2\n{WAIVE_THICKNESS}")
    part = part_of(report)
    assert [f["waived"] is not None for f in rule(part, "sheet-thickness-uniform")] == [True]
    assert rule(part, "hole-to-bend") and rule(part, "flange-length")
    assert code == 1 and report["ok"] is False and report["summary"]["error"] == 2


def test_rules_with_nothing_to_measure_say_why(dfm):
    _, report = dfm("return cq.Workplane().box(60, 40, 2)", "sheet-metal", "DC01", part="thickness: 2")
    part = part_of(report)
    assert part["findings"] == []
    assert {r["rule"]: (r["status"], r["reason"]) for r in part["rules"]} == {
        "sheet-thickness-uniform": ("ran", ""), "bend-radius": ("not-applicable", "no bends"),
        "sheet-hole-diameter": ("not-applicable", "no holes"), "hole-to-edge": ("not-applicable", "no holes"),
        "hole-to-bend": ("not-applicable", "no holes and no bends"), "hole-web": ("not-applicable", "no holes"),
        "flange-length": ("not-applicable", "no bends"), "flat-pattern": ("ran", "")}
    assert part["measured"]["sheet_thickness_mm"] == pytest.approx(2.0) and part["measured"]["bends"] == []
    assert part["measured"]["flat_mm"] == [60.0, 40.0]  # the plate's profile, as its DXF gives it
    assert part["measured"]["holes"] == []


# ---------------------------------------------------------------------------------
# A small mark on a sheet is measured


def test_a_small_recess_on_a_plate_is_measured(dfm):
    """A 10 x 3 x 0.5 recess on a 100 x 60 x 2 plate, between the points of the sides' sample grids."""
    body = 'return cq.Workplane("XY").box(100, 60, 2, centered=(True, True, False)).faces(">Z").workplane().center(13, 7).rect(10, 3).cutBlind(-0.5)'
    code, report = dfm(body, "laser-cutting", "DC01", part="thickness: 2")
    (f,) = findings(report, "sheet-thickness-uniform")
    assert f["value"] == pytest.approx(0.5, abs=1e-3) and f["severity"] == "error" and code == 1
    assert "Material 1.50 mm thick" in f["message"] and "the sheet is 2 mm" in f["message"]
    assert f["point"] == pytest.approx([f["point"][0], f["point"][1], 0.75], abs=1e-3)
    assert 8 <= f["point"][0] <= 18 and 5.5 <= f["point"][1] <= 8.5


def test_a_small_boss_on_a_plate_is_measured(dfm):
    body = 'return cq.Workplane("XY").box(100, 60, 2, centered=(True, True, False)).faces(">Z").workplane().center(13, 7).rect(3, 3).extrude(0.5)'
    _, report = dfm(body, "laser-cutting", "DC01", part="thickness: 2")
    (f,) = findings(report, "sheet-thickness-uniform")
    assert f["value"] == pytest.approx(0.5, abs=1e-3) and "Material 2.50 mm thick" in f["message"]


def test_a_3_by_10_recess_on_a_bent_bracket_is_measured(dfm):
    """On the outside of the vertical flange (x 0), 0.5 deep, between the rows of the flange's
    sample grids (z 17.2 and 20.8): the rest of the bracket is clean."""
    body = bracket_body(cut='cq.Workplane("YZ").center(0, 19).rect(10, 3).extrude(0.5)')
    code, report = dfm(body, "sheet-metal", "DC01", part="thickness: 2")
    part = part_of(report)
    (f,) = part["findings"]
    assert f["rule"] == "sheet-thickness-uniform" and f["value"] == pytest.approx(0.5, abs=1e-3) and code == 1
    assert f["point"][0] == pytest.approx(1.25, abs=1e-3) and 17.5 <= f["point"][2] <= 20.5
    assert part["measured"]["bends"] == [{"inner_radius_mm": 2.0, "thickness_mm": 2.0, "angle_deg": 90.0}]


def test_nist_ctc_03_as_sheet_metal(project):
    """CTC-03 (1.90754 mm sheet, 0.0751 in): its seven bends, the 45° one too (its sides' axes are
    0.019 mm apart), and one thickness finding for its engraved letters, 0.635 mm deep: the
    letters' walls, 0.635 mm high and some 2 mm apart, are no sides of the sheet."""
    name = "nist_ctc_03_asme1_ap203.stp"
    (project.root / name).write_bytes((FIXTURES / name).read_bytes())
    spec = project.spec(f"- {{number: CTC, name: NIST, model: {name}, material: 6061, process: sheet-metal}}")
    result = CliRunner().invoke(main, ["check", str(spec), "--format", "json"], catch_exceptions=False)
    (part,) = json.loads(result.stdout)["parts"]
    assert {r["status"] for r in part["rules"]} == {"ran"}
    m = part["measured"]
    assert m["sheet_thickness_mm"] == pytest.approx(1.908)
    assert sorted(round(b["angle_deg"]) for b in m["bends"]) == [45] + [90] * 6
    assert all(b["inner_radius_mm"] == pytest.approx(6.35) and b["thickness_mm"] == pytest.approx(1.9075) for b in m["bends"])
    (f,) = part["findings"]
    assert f["rule"] == "sheet-thickness-uniform" and f["value"] == pytest.approx(0.635, abs=1e-3) and "Material 1.27 mm thick" in f["message"]

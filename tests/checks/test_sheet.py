"""Sheet-metal rules on the example's bent bracket (t 2, R 2) and variations of it."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from techpack.cli import main
from tests.conftest import REPO


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
    assert [f["rule"] for f in part["findings"]] == ["sheet-thickness-uniform"]


def test_lengths_are_in_the_products_units_even_for_an_inch_part(bracket, project):
    """An mm product with one part drawn in inches: its thickness is still given in mm."""
    inch = {k: v / 25.4 for k, v in {"thickness": 2, "bend_radius": 2, "width": 24, "flange_a": 30, "flange_b": 35, "mount_hole": 10.5,
                                      "mount_hole_x": 18, "pivot_hole": 5.5, "pivot_hole_z": 25, "corner_radius": 4}.items()}
    params = ", ".join(f"{k}: {v!r}" for k, v in inch.items())
    spec = project.spec(f"- {{number: B1, name: Bracket, model: bracket.py, units: in, params: {{{params}}}, material: DC01, process: sheet-metal, thickness: 2}}")
    result = CliRunner().invoke(main, ["check", str(spec), "--format", "json"], catch_exceptions=False)
    (part,) = json.loads(result.stdout)["parts"]
    assert rule(part, "sheet-thickness-uniform") == [] and part["measured"]["sheet_thickness_mm"] == pytest.approx(2.0)

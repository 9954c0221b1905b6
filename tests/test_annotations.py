"""`techpack check --format github` and `--format sarif`: findings and input errors placed on the
spec's lines, as GitHub Actions workflow commands and as a SARIF 2.1.0 log checked against the
OASIS schema (tests/data/sarif-schema-2.1.0.json)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from techpack.annotations import escape_data, escape_property, github_problems, place, sarif_location, workflow_command
from techpack.errors import Problem, Where
from tests.conftest import PRODUCT

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

BLOCK = '''
import cadquery as cq


def build(pocket=False):
    block = cq.Workplane().box(60, 40, 30)
    if pocket:  # 20 x 12 x 8 deep, milled from below: four sharp corners along -Z
        block = block.cut(cq.Workplane().box(20, 12, 8).translate((0, 0, -11)))
    return block
'''

# Line numbers are the file's: PRODUCT is one line. T2's four sharp corners are errors on its
# entry (line 9), T3's are waived by its second waiver (line 25), and the assembly's overlap
# (T1 and T2 placed in one another) is a warning on `assembly:` (line 27).
SPEC = """\
techpack: 1
{product}parts:
  - number: T1
    name: Plain block
    model: models/block.py
    material: 6061
    process: cnc-milling
  - number: T2
    name: Pocketed block
    model: models/block.py
    params: {{pocket: true}}
    material: 6061
    process: cnc-milling
  - number: T3
    name: Pocketed block, corners cut by EDM
    model: models/block.py
    params: {{pocket: true}}
    material: 6061
    process: cnc-milling
    checks:
      waive:
        - rule: corner-depth-ratio
          reason: "no tool: it is cut by EDM"
        - rule: internal-corner-radius
          reason: "sharp, 100% by EDM: agreed with the shop, 2026-10"
assembly:
  number: T-0
  name: Two blocks in one place
  place:
    - {{part: T1, at: [0, 0, 0]}}
    - {{part: T2, at: [0, 0, 10]}}
""".format(product=PRODUCT)

T2_LINE, WAIVER_LINE, ASSEMBLY_LINE = 9, 25, 27


@pytest.fixture
def blocks(project, monkeypatch):
    """The three blocks' spec, run from its folder as CI runs from the repository's root."""
    project.write("models/block.py", BLOCK)
    spec = project.write("techpack.yaml", SPEC)
    lines = spec.read_text(encoding="utf-8").splitlines()
    assert lines[T2_LINE - 1] == "  - number: T2"  # the places the tests expect, read back from the file
    assert lines[WAIVER_LINE - 1] == "        - rule: internal-corner-radius"
    assert lines[ASSEMBLY_LINE - 1] == "assembly:"
    monkeypatch.chdir(project.root)
    return spec


# --- the workflow command and its escaping -----------------------------------------------------


def test_the_message_escapes_percent_cr_and_lf_and_properties_also_colon_and_comma():
    text = "100% sure: a, b\r\nnext"
    assert escape_data(text) == "100%25 sure: a, b%0D%0Anext"
    assert escape_property(text) == "100%25 sure%3A a%2C b%0D%0Anext"
    assert escape_data("%0A is not a newline") == "%250A is not a newline"  # % first: what was %0A stays text
    assert workflow_command("warning", "50% of a, b: c\nnext", Where("a,b:c.yaml", 3, 5), "T1/draft/1") == (
        "::warning file=a%2Cb%3Ac.yaml,line=3,col=5,title=T1/draft/1::50%25 of a, b: c%0Anext")
    assert workflow_command("notice", "no place") == "::notice::no place"
    assert workflow_command("error", "m", Where("f.yaml"), "") == "::error file=f.yaml::m"  # line and column unknown: left out


def test_a_problem_with_no_file_says_where_in_its_message(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    problems = [Problem("SOURCE_DATE_EPOCH", "", "must be whole seconds since 1970-01-01 UTC, e.g. 1767225600; got 'x'")]
    assert github_problems(problems, "input-error") == [
        "::error title=input-error::SOURCE_DATE_EPOCH: must be whole seconds since 1970-01-01 UTC, e.g. 1767225600; got 'x'"]


def test_paths_are_relative_to_the_working_directory_when_under_it(tmp_path, monkeypatch):
    (tmp_path / "repo" / "sub").mkdir(parents=True)
    spec = tmp_path / "repo" / "sub" / "techpack.yaml"
    spec.write_text("techpack: 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "repo")
    assert place(Where(str(spec), 4, 5)) == Where("sub/techpack.yaml", 4, 5)
    assert place(Where("./sub/../sub/techpack.yaml", 4, 5)) == Where("sub/techpack.yaml", 4, 5)
    assert sarif_location(place(Where(str(spec), 4, 5))) == [{"physicalLocation": {
        "artifactLocation": {"uri": "sub/techpack.yaml", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 4, "startColumn": 5}}}]
    elsewhere = tmp_path / "other"  # not under it: said in full, a file: URI in SARIF
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert place(Where(str(spec), 2, 1)) == Where(spec.as_posix(), 2, 1)
    assert sarif_location(place(Where(str(spec), 2, 0)))[0]["physicalLocation"] == {
        "artifactLocation": {"uri": spec.as_uri()}, "region": {"startLine": 2}}
    assert place(Where("SOURCE_DATE_EPOCH")) is None and place("--supplier") is None


# --- --format github -----------------------------------------------------------------------------


def test_github_annotates_each_unwaived_finding_on_its_parts_entry(blocks, cli):
    code, out, _ = cli("check", "techpack.yaml", "--format", "github")
    assert code == 1  # four unwaived errors, --fail-on error
    lines = out.splitlines()
    corner = "Sharp internal corner (R0) 8.0 mm long along the tool axis -Z at ({}, {}, -11.0); an end mill leaves R1 or more; a sharp corner needs EDM"
    assert lines[:4] == [
        f"::error file=techpack.yaml,line={T2_LINE},col=5,title=T2/internal-corner-radius/{k}::{corner.format(x, y)}"
        for k, (x, y) in enumerate([("-10.0", "-6.0"), ("-10.0", "6.0"), ("10.0", "-6.0"), ("10.0", "6.0")], 1)]
    assert lines[4] == (f"::warning file=techpack.yaml,line={ASSEMBLY_LINE},col=1,title=T-0/assembly-overlap/1::"
                        "T2 Pocketed block and T1 Plain block overlap by 46080.0 mm³ near (0, 0, 5.2) "
                        "(over the 0.5 mm³ allowed; assembly.place[1] and [0])")
    assert lines[5:] == ["4 errors, 1 warning, 0 info, 4 waived: FAIL: 4 unwaived at or above error"]  # not a command
    assert not any("T3/" in line or "T1/" in line for line in lines)  # T3's are waived, T1 has none


def test_github_fail_on_changes_the_exit_code_only(blocks, cli):
    (blocks.parent / "models" / "block.py").write_text(  # no pockets: the overlap warning alone
        "import cadquery as cq\n\n\ndef build(pocket=False):\n    return cq.Workplane().box(60, 40, 30)\n", encoding="utf-8")
    code, out, _ = cli("check", "techpack.yaml", "--format", "github")
    assert code == 0 and out.splitlines()[0].startswith(f"::warning file=techpack.yaml,line={ASSEMBLY_LINE},col=1,title=T-0/assembly-overlap/1::")
    code, out2, _ = cli("check", "techpack.yaml", "--format", "github", "--fail-on", "warning")
    assert code == 1 and out2.splitlines()[:-1] == out.splitlines()[:-1]
    assert out2.splitlines()[-1] == "0 errors, 1 warning, 0 info, 0 waived: FAIL: 1 unwaived at or above warning"


def _bad_block(project, monkeypatch, material: str) -> None:
    """A one-part spec of the plain block whose material lines are `material` (an input error),
    with the working folder at it."""
    project.write("models/block.py", BLOCK)
    project.spec(f"""
        - number: T1
          name: Plain block
          model: models/block.py
          {material}
          process: cnc-milling
        """)
    monkeypatch.chdir(project.root)


def test_github_annotates_spec_errors_at_their_line_and_column(project, cli, monkeypatch):
    _bad_block(project, monkeypatch, "materail: 6061\n          material: alu 6061")
    code, out, err = cli("check", "techpack.yaml", "--format", "github")
    assert code == 2
    assert out.splitlines() == [
        "::error file=techpack.yaml,line=7,col=5,title=parts[0].materail::unknown key 'materail'; did you mean 'material'?",
        "::error file=techpack.yaml,line=8,col=15,title=parts[0].material::unknown material 'alu 6061'; did you mean 'Al 6061-T6'? "
        "(list them with 'techpack materials', or add it under catalog: materials:)",
    ]
    assert "error: techpack.yaml:7:5: parts[0].materail: unknown key" in err  # the usual lines stay on stderr


def _raising(project, monkeypatch, message: str, name: str = "techpack.yaml") -> None:
    """A one-part spec whose model raises ValueError(message), with the working folder at it."""
    project.write("models/raises.py", f'def build():\n    raise ValueError("{message}")\n')
    project.spec("""
        - number: T1
          name: Plate
          model: models/raises.py
          material: 6061
          process: cnc-milling
        """, name=name)
    monkeypatch.chdir(project.root)


def test_github_escapes_a_model_error_and_a_spec_name_with_colon_comma_and_percent(project, cli, monkeypatch):
    _raising(project, monkeypatch, "100% sure: a, b\\nsecond line", name="a,b:50%.yaml")
    code, out, _ = cli("check", "a,b:50%.yaml", "--format", "github")
    assert code == 2
    assert out.splitlines() == [
        "::error file=a%2Cb%3A50%25.yaml,line=6,col=12,title=parts[0].model (T1)::'models/raises.py' raised an error in build()"
        '%0Amodels/raises.py:2, in build: raise ValueError("100%25 sure: a, b\\nsecond line")'
        "%0AValueError: 100%25 sure: a, b%0Asecond line"]


# --- --format sarif ------------------------------------------------------------------------------


def test_sarif_is_valid_and_places_results_on_the_spec(blocks, cli):
    code, out, _ = cli("check", "techpack.yaml", "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "techpack" and driver["version"]
    assert run["invocations"] == [{"executionSuccessful": True, "exitCode": 1}]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == blocks.parent.as_uri() + "/"
    rules = [r["id"] for r in driver["rules"]]
    assert len(rules) == len(set(rules)) and {"internal-corner-radius", "assembly-overlap", "wall-thickness"} <= set(rules)
    corner = driver["rules"][rules.index("internal-corner-radius")]
    assert corner["shortDescription"]["text"] == "CNC milling: warning below 1 mm, error below 0.5 mm"  # processes.yaml's levels
    assert corner["fullDescription"]["text"].startswith("CNC milling: warning below 1 mm, error below 0.5 mm (R 0.5 about a Ø1 end mill")

    results = run["results"]
    assert [(r["ruleId"], r["level"], r["partialFingerprints"]["techpackFindingId/v1"]) for r in results] == [
        *[("internal-corner-radius", "error", f"T2/internal-corner-radius/{k}") for k in range(1, 5)],
        *[("internal-corner-radius", "error", f"T3/internal-corner-radius/{k}") for k in range(1, 5)],
        ("assembly-overlap", "warning", "T-0/assembly-overlap/1"),
    ]
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in results)
    at = [(r["locations"][0]["physicalLocation"]["artifactLocation"], r["locations"][0]["physicalLocation"]["region"]) for r in results]
    spec_uri = {"uri": "techpack.yaml", "uriBaseId": "%SRCROOT%"}
    assert at == [(spec_uri, {"startLine": T2_LINE, "startColumn": 5})] * 4 + [(spec_uri, {"startLine": WAIVER_LINE, "startColumn": 11})] * 4 \
        + [(spec_uri, {"startLine": ASSEMBLY_LINE, "startColumn": 1})]
    assert results[0]["message"]["text"].startswith("T2/internal-corner-radius/1: Sharp internal corner (R0) 8.0 mm long")

    assert not any("suppressions" in r for r in results[:4] + results[8:])
    for r in results[4:8]:  # waived: suppressed in the spec, by the waiver that says why
        (s,) = r["suppressions"]
        assert s["kind"] == "inSource" and s["justification"] == "sharp, 100% by EDM: agreed with the shop, 2026-10"
        assert s["location"]["physicalLocation"]["region"] == {"startLine": WAIVER_LINE, "startColumn": 11}


def test_sarif_for_an_input_error_is_a_failed_invocation_with_the_problems(project, cli, monkeypatch):
    _bad_block(project, monkeypatch, "material: unobtainium")
    code, out, _ = cli("check", "techpack.yaml", "--format", "sarif")
    assert code == 2
    log = json.loads(out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    (run,) = log["runs"]
    assert run["invocations"] == [{"executionSuccessful": False, "exitCode": 2}]
    assert run["tool"]["driver"]["rules"] == [
        {"id": "spec-error", "shortDescription": {"text": "The spec file is not valid: YAML syntax, schema, or references."}}]
    (result,) = run["results"]
    assert result["ruleId"] == "spec-error" and result["ruleIndex"] == 0 and result["level"] == "error"
    assert result["message"]["text"].startswith("parts[0].material: unknown material 'unobtainium'")
    assert result["locations"] == [{"physicalLocation": {"artifactLocation": {"uri": "techpack.yaml", "uriBaseId": "%SRCROOT%"},
                                                         "region": {"startLine": 7, "startColumn": 15}}}]


def test_sarif_for_a_model_error_names_its_kind(project, cli, monkeypatch):
    _raising(project, monkeypatch, "too small")
    code, out, _ = cli("check", "techpack.yaml", "--format", "sarif")
    log = json.loads(out)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    (result,) = log["runs"][0]["results"]
    assert code == 2 and result["ruleId"] == "model-error" and log["runs"][0]["invocations"][0]["executionSuccessful"] is False
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 6, "startColumn": 12}
    assert result["message"]["text"].endswith("ValueError: too small")


def test_an_info_finding_is_a_notice_a_rule_that_could_not_run_a_warning_and_a_waiver_by_number_is_found(project, monkeypatch):
    """Report values made by hand on a loaded spec (no geometry): the places and commands only."""
    from techpack.annotations import finding_where, github_findings, sarif_findings
    from techpack.checks import Finding, Report, RuleRun
    from techpack.spec import load_spec

    project.write("models/block.py", BLOCK)
    project.spec("""
        - number: T1
          name: Cast block
          model: models/block.py
          material: PU casting resin
          process: vacuum-casting
          checks:
            waive:
              - {rule: draft, finding: 2, reason: "the 0° face is machined after casting"}
        """)
    monkeypatch.chdir(project.root)
    lines = Path("techpack.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[3] == "  - number: T1" and lines[10] == '        - {rule: draft, finding: 2, reason: "the 0° face is machined after casting"}'
    loaded = load_spec("techpack.yaml")
    draft = dict(part="T1", rule="draft", severity="info", value=0.0, limit=1.0, unit="deg", message="Face 3 (plane): 0.0° draft; 1° recommended")
    report = Report(
        findings=[Finding(id="T1/draft/1", **draft), Finding(id="T1/draft/2", **draft, waived="the 0° face is machined after casting")],
        checked={"T1": [RuleRun("draft", "ran"), RuleRun("wall-thickness", "could-not-run", "RuntimeError: no rays met the part")]},
    )
    assert finding_where(loaded, report.findings[1]) == Where("techpack.yaml", 11, 11)  # the waiver's `{rule: draft, ...}`
    assert github_findings(loaded, report) == [
        "::notice file=techpack.yaml,line=4,col=5,title=T1/draft/1::Face 3 (plane): 0.0° draft; 1° recommended",
        "::warning file=techpack.yaml,line=4,col=5,title=T1/wall-thickness::wall-thickness could not run: RuntimeError: no rays met the part",
    ]
    log = sarif_findings(loaded, report, 0)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    (run,) = log["runs"]
    assert [(r["level"], r["locations"][0]["physicalLocation"]["region"]["startLine"], "suppressions" in r) for r in run["results"]] == [
        ("note", 4, False), ("note", 11, True)]
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "warning" and note["descriptor"] == {"id": "wall-thickness"}
    assert note["message"]["text"] == "T1: wall-thickness could not run: RuntimeError: no rays met the part"
    (draft_rule,) = run["tool"]["driver"]["rules"]  # the rule that ran; the one that could not is a notification
    assert draft_rule == {"id": "draft", "shortDescription": {"text": "Vacuum casting (silicone mould): info below 1°"},
                          "fullDescription": {"text": "Vacuum casting (silicone mould): info below 1° (>= 1° recommended, 0° tolerated (TTH, Versadyne))"}}

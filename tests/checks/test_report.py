"""Findings as CI and the supplier see them: ids, waivers, exit codes, the package's DFM report."""

from __future__ import annotations

import json
import re
import zipfile

import pdfplumber
import pytest
from click.testing import CliRunner

from techpack.cli import main
from tests.conftest import EXAMPLE, FIXTURES

THIN_SHELL = "import cadquery as cq\n\ndef build(t=0.4):\n    return cq.Workplane().box(60, 40, 30).faces('>Z').shell(-t)\n"


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def thin(project):
    project.write("models/shell.py", THIN_SHELL)

    def spec(waive: str = "", params: str = ""):
        part = f"- number: C1\n  name: Cover\n  model: models/shell.py\n  material: PU resin\n  process: vacuum-casting\n{params}"
        if waive:
            part += "  checks:\n    waive:\n" + waive
        return project.spec(part)

    return spec


def test_ids_are_stable_and_numbered_per_rule(thin):
    _, a, _ = run("check", thin(), "--format", "json")
    _, b, _ = run("check", thin(), "--format", "json")
    ids = [f["id"] for p in json.loads(a)["parts"] for f in p["findings"]]
    assert ids == [f["id"] for p in json.loads(b)["parts"] for f in p["findings"]]
    walls = [i for i in ids if "/wall-thickness/" in i]
    assert walls == [f"C1/wall-thickness/{k}" for k in range(1, len(walls) + 1)] and len(walls) >= 4


def test_check_text_table_and_exit_code(thin):
    code, out, _ = run("check", thin())
    assert code == 1
    assert re.fullmatch(r"C1 Cover \(vacuum-casting, PU resin\): 4 rules ran, \d+ findings", out.splitlines()[0])
    assert "  E C1/wall-thickness/1" in out
    assert re.search(r"FAIL: \d+ unwaived at or above error$", out.rstrip().splitlines()[-1])


def test_waiving_a_rule_waives_every_finding_of_it_and_keeps_them(thin):
    code, out, _ = run("check", thin("      - {rule: wall-thickness, reason: 'sealed cover, tested'}\n"), "--format", "json")
    report = json.loads(out)
    walls = [f for f in report["parts"][0]["findings"] if f["rule"] == "wall-thickness"]
    assert walls and all(f["waived"] == "sealed cover, tested" for f in walls)
    assert code == 0 and report["ok"] is True and report["summary"]["waived"] == len(walls)


def test_waiving_one_finding_by_id_or_number(thin):
    _, out, _ = run("check", thin("      - {rule: wall-thickness, finding: C1/wall-thickness/2, reason: r}\n      - {rule: wall-thickness, finding: '3', reason: r}\n"), "--format", "json")
    walls = {f["id"]: f["waived"] for f in json.loads(out)["parts"][0]["findings"] if f["rule"] == "wall-thickness"}
    assert walls["C1/wall-thickness/2"] == "r" and walls["C1/wall-thickness/3"] == "r" and walls["C1/wall-thickness/1"] is None


def test_a_waiver_that_matches_nothing_is_reported(thin):
    code, out, _ = run("check", thin("      - {rule: draft, finding: '9', reason: old}\n", params="  params: {t: 2}\n"))
    assert "a waiver matches no finding: C1: draft 9 (old)" in out


def test_unknown_waived_rule_is_a_spec_error(thin):
    code, _, err = run("check", thin("      - {rule: wall-thicknes, reason: x}\n"))
    assert code == 2 and "unknown rule 'wall-thicknes'; did you mean 'wall-thickness'?" in err


def test_fail_on_warning(thin):
    path = thin(params="  params: {t: 0.8}\n")  # warnings only
    assert run("check", path)[0] == 0
    assert run("check", path, "--fail-on", "warning")[0] == 1


def test_build_refuses_unwaived_errors_and_writes_nothing(thin, tmp_path):
    code, _, err = run("build", thin(), "-o", tmp_path / "out")
    assert code == 1 and "dfm error: C1/wall-thickness/1: Wall 0.40 mm" in err and "--allow-dfm-errors" in err
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
    code, _, _ = run("build", thin(), "-o", tmp_path / "out", "--allow-dfm-errors")
    assert code == 0
    with zipfile.ZipFile(tmp_path / "out" / "T-1_revA.zip") as zf:
        report = json.loads(zf.read("T-1_revA/dfm/dfm-report.json"))
    assert report["ok"] is False and report["summary"]["error"] >= 4


def test_example_package_has_the_dfm_report(tmp_path):
    code, _, _ = run("build", EXAMPLE, "-o", tmp_path)
    assert code == 0
    with zipfile.ZipFile(tmp_path / "DL-2_revB.zip") as zf:
        report = json.loads(zf.read("DL-2_revB/dfm/dfm-report.json"))
        (tmp_path / "dfm.pdf").write_bytes(zf.read("DL-2_revB/dfm/dfm-report.pdf"))
        manifest = json.loads(zf.read("DL-2_revB/manifest.json"))
    assert {"dfm/dfm-report.json", "dfm/dfm-report.pdf"} <= {f["path"] for f in manifest["files"]}
    findings = {f["id"]: f for p in report["parts"] for f in p["findings"]}
    rim = findings["DL2-201/wall-thickness/1"]
    assert rim["value"] == pytest.approx(0.8, abs=1e-3) and rim["waived"].startswith("the 0.8 mm rim lip is a deliberate light-seal")
    assert findings["DL2-501/hole-depth-ratio/1"]["waived"]
    assert report["summary"]["error"] == 0 and report["ok"] is True
    with pdfplumber.open(tmp_path / "dfm.pdf") as pdf:
        text = "\n".join(page.extract_text() for page in pdf.pages)
        fonts = {c["fontname"] for page in pdf.pages for c in page.chars}
        curves = sum(len(page.curves) + len(page.lines) for page in pdf.pages[1:])
    assert "DL2-201/wall-thickness/1" in text and "Waived: the 0.8 mm rim lip" in text
    assert "DL2-201 Shade" in text and "DL2-501 Stem" in text
    assert all("DejaVuSans" in f for f in fonts)  # the bundled font, embedded (subset)
    assert curves > 20  # the part pictures are vector lines


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("nist_*.stp")))
def test_checks_run_on_every_nist_part(project, name, tmp_path):
    (project.root / name).write_bytes((FIXTURES / name).read_bytes())
    process = "sheet-metal" if "ctc_03" in name else "cnc-milling"
    spec = project.spec(f"- {{number: CTC, name: NIST, model: {name}, material: 6061, process: {process}}}")
    code, out, err = run("check", spec, "--format", "json")
    assert code in (0, 1), err
    (part,) = json.loads(out)["parts"]
    assert part["rules"] and len(part["measured"]["size_mm"]) == 3
    if process == "cnc-milling":
        assert part["measured"]["holes"] and part["measured"]["wall_min"]["mm"] > 0


def test_waiving_a_region_near_a_point(thin):
    # the thin cover's walls: waive only those near the +X side (x = 30)
    _, out, _ = run("check", thin("      - {rule: wall-thickness, near: [30, 0, 0], within: 25, reason: side vent}\n"), "--format", "json")
    walls = [f for f in json.loads(out)["parts"][0]["findings"] if f["rule"] == "wall-thickness"]
    waived = [f for f in walls if f["waived"]]
    assert waived and all(abs(f["point"][0] - 29.8) < 0.5 for f in waived)
    assert len(waived) < len(walls)


def test_quiet_check_prints_the_verdict(thin):
    code, out, _ = run("check", thin(), "-q")
    assert code == 1 and out.count("\n") == 1 and "FAIL" in out

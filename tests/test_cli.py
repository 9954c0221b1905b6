"""The command line as a user and CI run it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import jsonschema
import pytest
from ruamel.yaml import YAML

import techpack
from tests.conftest import BOX_SCRIPT, EXAMPLE, REPO


def run(*args, cwd=None) -> subprocess.CompletedProcess:
    """techpack as a separate process, as in CI (not a terminal)."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return subprocess.run([sys.executable, "-m", "techpack", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env)


def test_version_and_help(cli):
    code, out, _ = cli("--version")
    assert code == 0 and out.strip() == f"techpack, version {techpack.__version__}"
    for command in ("build", "check", "init", "schema"):
        code, out, _ = cli(command, "--help")
        assert code == 0
        assert out.startswith("Usage: ") and f" {command} [OPTIONS]" in out


def test_build_example_in_a_separate_process(tmp_path):
    proc = run("build", EXAMPLE, "-o", tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:7] == [f"wrote {tmp_path / f'DL-2_revB_{key}.zip'} ({(tmp_path / f'DL-2_revB_{key}.zip').stat().st_size / 1024:.0f} kB)"
                         for key in ("cnc", "turning", "sheet", "caster", "print", "fasteners", "electrics")]
    assert lines[7].startswith(f"wrote {tmp_path / 'DL-2_revB.zip'} (6 parts, 43 files,") and len(lines) == 8
    assert "DFM: 0 errors, 1 warning, 0 info, 2 waived (see dfm/dfm-report.pdf)" in proc.stderr
    # not a terminal: one plain progress line per part and document, no carriage returns
    assert "\r" not in proc.stderr
    parts = [line for line in proc.stderr.splitlines() if line.endswith(".py)")]  # a line per part as its worker finishes it
    assert [line[:6] for line in parts] == [f"[{k}/6] " for k in range(1, 7)]
    assert sorted(line[6:] for line in parts) == ["DL2-101 Base (models/base.py)", "DL2-201 Shade (models/shade.py)", "DL2-301 Arm bracket (models/bracket.py)",
                                                  "DL2-401 Knob (models/knob.py)", "DL2-501 Stem (models/stem.py)", "DL2-601 Arm (models/arm.py)"]
    assert zipfile.ZipFile(tmp_path / "DL-2_revB.zip").testzip() is None


def test_progress_is_one_live_line_on_a_terminal():
    import io

    from techpack.report import Reporter

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    log = Reporter(1, screen)
    log.progress(1, 2, "DL2-101 Base")
    log.progress(2, 2, "DL2-201 Shade")
    log.info("done")
    assert screen.getvalue() == "\r\x1b[K[1/2] DL2-101 Base\r\x1b[K[2/2] DL2-201 Shade\r\x1b[Kdone\n"


def test_quiet_build_prints_only_the_result(cli, tmp_path):
    code, out, err = cli("build", EXAMPLE, "-o", tmp_path, "--quiet")
    assert code == 0 and err == "" and out.startswith("wrote ")


def test_verbose_build_prints_stage_times(cli, tmp_path):
    code, _, err = cli("build", EXAMPLE, "-o", tmp_path, "--verbose")
    assert code == 0
    for stage in ("load", "parts", "parts:geometry", "parts:step", "parts:drawing", "index", "package"):
        assert f"  {stage}: " in err


BROKEN = {
    "unknown key": ("- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm, colour: red}", ":4:", "parts[0].colour: unknown key 'colour'"),
    "wrong type": ("- {number: P1, name: Box, model: models/box.py, qty: many, material: ABS, process: fdm}", ":4:", "parts[0].qty: expected an integer, got 'many'"),
    "missing model": ("- {number: P1, name: Box, model: models/nope.py, material: ABS, process: fdm}", ":4:", "model file 'models/nope.py' not found"),
    "duplicate number": (
        "- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm}\n- {number: P1, name: Box 2, model: models/box.py, material: ABS, process: fdm}",
        ":5:",
        "duplicate part number 'P1'",
    ),
    "script raises": ("- {number: P1, name: Bad, model: models/raises.py, material: ABS, process: fdm}", ":4:", "models/raises.py:2, in build"),
    "outside the repository": ("- {number: P1, name: Box, model: ../../../etc/passwd, material: ABS, process: fdm}", ":4:", "is outside the repository"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_spec_exits_2_with_file_and_line_and_no_traceback(project, tmp_path, case):
    parts, line, message = BROKEN[case]
    project.write("models/box.py", BOX_SCRIPT)
    project.write("models/raises.py", "def build():\n    raise ValueError('no good')\n")
    spec = project.spec(parts)
    proc = run("build", "techpack.yaml", "-o", tmp_path / "out", cwd=project.root)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    first = [ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")][0]
    assert first.startswith(f"error: techpack.yaml{line}")
    assert message in proc.stderr
    assert "nothing was written" in proc.stderr
    assert not (tmp_path / "out" / "T-1_revA.zip").exists()
    assert spec.exists()


def test_check_reports_json_for_ci(project):
    project.write("models/box.py", BOX_SCRIPT)
    spec = project.spec("- {number: P1, name: Box, model: models/box.py, material: ABS, process: cnc-miling}")
    proc = run("check", spec, "--format", "json")
    assert proc.returncode == 2
    result = json.loads(proc.stdout)
    assert result["ok"] is False
    (problem,) = result["problems"]
    assert (problem["file"], problem["line"], problem["key"]) == (str(spec), 4, "parts[0].process")
    assert "did you mean 'cnc-milling'" in problem["message"]


def test_check_the_example(cli):
    code, out, _ = cli("check", EXAMPLE)
    assert code == 0 and out.rstrip().splitlines()[-1] == "0 errors, 1 warning, 0 info, 2 waived: ok (fails on error)"
    code, out, _ = cli("check", EXAMPLE, "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True and report["problems"] == []
    assert [p["part"] for p in report["parts"]] == ["DL2-101", "DL2-201", "DL2-301", "DL2-401", "DL2-501", "DL2-601", "DL2-000"]
    assert report["parts"][-1]["rules"] == [{"rule": "assembly-overlap", "status": "ran", "reason": ""}]  # the assembly: nothing overlaps
    assert report["parts"][-1]["findings"] == []


def test_init_writes_a_starter_that_builds_and_never_overwrites(cli, tmp_path):
    code, out, _ = cli("init", tmp_path / "new")
    assert code == 0
    assert (tmp_path / "new" / "techpack.yaml").is_file() and (tmp_path / "new" / "models" / "plate.py").is_file()
    code, out, _ = cli("build", tmp_path / "new" / "techpack.yaml", "-o", tmp_path / "out", "-q")
    assert code == 0, out
    with zipfile.ZipFile(tmp_path / "out" / "P-1_revA.zip") as zf:
        assert "P-1_revA/step/P1-101_mounting-plate_revA.step" in zf.namelist()
    before = (tmp_path / "new" / "techpack.yaml").read_text()
    code, _, err = cli("init", tmp_path / "new")
    assert code == 2 and "already exists" in err
    assert (tmp_path / "new" / "techpack.yaml").read_text() == before


def test_schema_validates_the_example_and_rejects_a_typo(cli):
    code, out, _ = cli("schema")
    assert code == 0
    schema = json.loads(out)
    example = json.loads(json.dumps(YAML(typ="safe").load(EXAMPLE.read_text()), default=str))
    jsonschema.validate(example, schema)
    example["parts"][0]["matrial"] = "ABS"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(example, schema)


def test_committed_schema_file_is_current(cli):
    """examples point their editors at techpack.schema.json; it must match `techpack schema`."""
    _, out, _ = cli("schema")
    assert (REPO / "techpack.schema.json").read_text() == out


def test_a_bug_is_reported_as_a_bug_with_exit_3(project, tmp_path, monkeypatch, cli):
    project.write("models/box.py", BOX_SCRIPT)
    spec = project.spec("- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm}")
    from techpack.documents import index

    monkeypatch.setattr(index, "write", lambda ctx, parts: 1 / 0)
    code, _, err = cli("build", spec, "-o", tmp_path / "out")
    assert code == 3
    assert "ZeroDivisionError" in err and "This is a bug in techpack" in err


def test_an_error_in_a_users_template_names_the_template(cli, tmp_path):
    cli("init", tmp_path / "p")
    (tmp_path / "p" / "templates").mkdir()
    (tmp_path / "p" / "templates" / "index.html.j2").write_text("<h1>{{ product.name }}</h1>\n<p>{{ nonexistent }}</p>\n")
    code, _, err = cli("build", tmp_path / "p" / "techpack.yaml", "-o", tmp_path / "out")
    assert code == 2 and "templates/index.html.j2:2:1: template error: 'nonexistent' is undefined" in err
    assert "Traceback" not in err and not (tmp_path / "out" / "P-1_revA.zip").exists()
    (tmp_path / "p" / "templates" / "index.html.j2").write_text("<h1>My {{ product.name }}</h1>\n")
    code, _, _ = cli("build", tmp_path / "p" / "techpack.yaml", "-o", tmp_path / "out")
    import zipfile

    assert code == 0 and zipfile.ZipFile(tmp_path / "out" / "P-1_revA.zip").read("P-1_revA/index.html") == b"<h1>My My product</h1>\n"


def test_check_fails_like_build_when_there_is_no_date(project, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    project.write("models/box.py", BOX_SCRIPT)
    spec = project.spec(
        "- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm}",
        product="product: {number: T-1, name: T, revision: A, owner: O, drawn_by: D, batch: 1}\n",
    )
    proc = run("check", spec)
    assert proc.returncode == 2 and "no date for the documents" in proc.stderr

"""`techpack list FOLDER` (techpack/cli_list.py), and the README's CI recipe: its workflows,
its pre-commit config and the repository's .pre-commit-hooks.yaml."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from techpack import cli_list
from tests.conftest import BOX_SCRIPT, EXAMPLE, REPO

PRODUCT = "product: {{number: {number}, name: {name}, revision: {revision}, owner: Test Ltd, drawn_by: T. Tester, date: 2026-11-20, batch: 10}}\n"
PART = "  - {{number: {number}, name: Plate, model: models/box.py, material: aluminium 6061-T6, process: cnc-milling}}\n"
HARDWARE = "  - {{number: {number}, name: Screw M3x8, qty: 4}}\n"


def spec_text(number: str, name: str, revision: str, parts: list[str], hardware: list[str] = (), header: str = "") -> str:
    text = header + "techpack: 1\n" + PRODUCT.format(number=number, name=name, revision=revision) + "parts:\n"
    text += "".join(PART.format(number=p) for p in parts)
    if hardware:
        text += "hardware:\n" + "".join(HARDWARE.format(number=h) for h in hardware)
    return text


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def product(folder: Path, spec_name: str, text: str) -> Path:
    """A product folder: the spec and the box model it names."""
    write(folder / "models" / "box.py", BOX_SCRIPT)
    return write(folder / spec_name, text)


BROKEN = """\
techpack: 1
product: {number: BR-1, name: Broken, revision: A, owner: Test Ltd, drawn_by: T. Tester, date: 2026-11-20, batch: 10}
parts:
  - number: BR-101
    name: Plate
    model: models/box.py
    material: aluminium 6061-T6
    process: cnc-milling
    qyt: 2
"""


@pytest.fixture
def products(tmp_path: Path) -> Path:
    """products/ with three valid specs (the example, one .yml of another name under two folders,
    one with a comment header), one invalid spec, YAML files that are not specs, and what must
    not be searched: a hidden folder, node_modules, a virtual environment, the build's out/, an
    unzipped package, and symlinks to a spec and a folder outside products/."""
    root = tmp_path / "products"
    shutil.copytree(EXAMPLE.parent, root / "lamps" / "desk-lamp", ignore=shutil.ignore_patterns("out"))
    product(root / "brackets" / "wall", "bracket.yml", spec_text("WB-7", "Wall bracket", "C", ["WB-701", "WB-702"], ["ISO7380-M3x8"]))
    product(root / "plates", "techpack.yaml", spec_text("PL-1", "Plate", "01", ["PL-101"], header="# a plate\n\n# revision 01\n"))
    product(root / "broken", "techpack.yaml", BROKEN)
    write(root / "ci" / "config.yaml", "name: not a spec\nsteps: [a, b]\n")
    write(root / "plates" / "notes.yaml", "tool:\n  techpack: 1\n")  # not a top-level key
    write(root / "plates" / "readme.txt", "techpack: 1\n")  # not YAML by name
    outside = product(tmp_path / "elsewhere", "techpack.yaml", spec_text("EX-1", "Outside", "A", ["EX-101"]))
    for skipped in (".hidden", "node_modules/pkg", "venv", "out", "lamps/desk-lamp/out/DL-2_revB"):
        product(root / skipped, "techpack.yaml", spec_text("SK-1", "Skipped", "A", ["SK-101"]))
    write(root / "venv" / "pyvenv.cfg", "home = /usr/bin\n")
    write(root / "lamps" / "desk-lamp" / "out" / "DL-2_revB" / "manifest.json", "{}")
    os.symlink(outside.parent, root / "linked-folder")
    os.symlink(outside, root / "plates" / "linked.yaml")
    return root


VALID = [
    {"path": "brackets/wall/bracket.yml", "product": "WB-7", "name": "Wall bracket", "revision": "C", "parts": 2, "hardware": 1, "package": "WB-7_revC"},
    {"path": "lamps/desk-lamp/techpack.yaml", "product": "DL-2", "name": "Desk lamp", "revision": "B", "parts": 6, "hardware": 5, "package": "DL-2_revB"},
    {"path": "plates/techpack.yaml", "product": "PL-1", "name": "Plate", "revision": "01", "parts": 1, "hardware": 0, "package": "PL-1_rev01"},
]
BROKEN_PROBLEM = {
    "file": "broken/techpack.yaml", "line": 9, "column": 5, "key": "parts[0].qyt",
    "message": "unknown key 'qyt'; did you mean 'qty'?", "detail": "",
}


def test_lists_valid_specs_and_reports_the_invalid_one(products: Path, cli):
    code, out, err = cli("list", products)
    assert code == 2
    assert json.loads(out) == {"folder": products.as_posix(), "specs": VALID, "problems": [BROKEN_PROBLEM]}
    assert f"error: {products / 'broken' / 'techpack.yaml'}:9:5: parts[0].qyt: unknown key 'qyt'; did you mean 'qty'?" in err
    assert "1 problem in 1 file; listed the 3 valid specs." in err


def test_ignore_invalid_exits_0_and_still_reports(products: Path, cli):
    code, out, err = cli("list", products, "--ignore-invalid")
    assert code == 0
    assert json.loads(out)["problems"] == [BROKEN_PROBLEM]
    assert "parts[0].qyt" in err


def test_all_valid_exits_0(products: Path, cli):
    shutil.rmtree(products / "broken")
    code, out, err = cli("list", products)
    assert (code, json.loads(out)["specs"], json.loads(out)["problems"], err) == (0, VALID, [], "")


def test_matrix_is_one_line_with_paths_from_here(products: Path, cli, monkeypatch):
    monkeypatch.chdir(products.parent)
    code, out, _ = cli("list", "products", "--format", "matrix", "--ignore-invalid")
    assert code == 0
    assert out.count("\n") == 1 and out.endswith("\n")
    assert json.loads(out) == {"include": [
        {"spec": "products/brackets/wall/bracket.yml", "product": "WB-7", "package": "WB-7_revC"},
        {"spec": "products/lamps/desk-lamp/techpack.yaml", "product": "DL-2", "package": "DL-2_revB"},
        {"spec": "products/plates/techpack.yaml", "product": "PL-1", "package": "PL-1_rev01"},
    ]}
    code, out, _ = cli("list", "products/plates", "--format", "matrix")
    assert (code, out) == (0, '{"include":[{"spec":"products/plates/techpack.yaml","product":"PL-1","package":"PL-1_rev01"}]}\n')
    code, out, _ = cli("list", "products", "--format", "matrix")  # an invalid spec: the matrix of the others, exit 2
    assert code == 2 and len(json.loads(out)["include"]) == 3


def test_deterministic_in_one_process_or_many(products: Path, cli, monkeypatch):
    runs = [cli("list", products, "--jobs", "1") for _ in range(2)]
    monkeypatch.setattr(cli_list, "PARALLEL_FROM", 1)  # load in two spawned workers
    runs.append(cli("list", products, "--jobs", "2"))
    assert runs[0] == runs[1] == runs[2]


def test_two_specs_writing_the_same_package(products: Path, cli):
    shutil.copytree(products / "plates", products / "plates-copy", symlinks=True)
    code, out, err = cli("list", products, "--ignore-invalid")
    data = json.loads(out)
    assert [s["path"] for s in data["specs"]] == [s["path"] for s in VALID] + ["plates-copy/techpack.yaml"]
    assert data["problems"][1] == {
        "file": "plates-copy/techpack.yaml", "line": 5, "column": 19, "key": "product.number",
        "message": "writes the package PL-1_rev01.zip, as plates/techpack.yaml does; give one of them another product number or revision",
        "detail": "",
    }
    assert code == 0 and "2 problems in 2 files" in err


def test_what_claims_to_be_a_spec(tmp_path: Path, cli):
    write(tmp_path / "a.yaml", "x-shared: &s {qty: 1}\ntechpack: 2\n")  # any top-level position, any version
    write(tmp_path / "b.YML", "\ufefftechpack : 1\n")  # a BOM, a space before the colon
    write(tmp_path / "c.yaml", "techpacks: 1\n# techpack: 1\n  techpack: 1\n")  # none of these
    code, out, _ = cli("list", tmp_path)
    data = json.loads(out)
    assert code == 2 and data["specs"] == []
    assert data["problems"][0]["file"] == "a.yaml" and {p["file"] for p in data["problems"]} == {"a.yaml", "b.YML"}
    assert (data["problems"][0]["line"], data["problems"][0]["message"][:22]) == (2, "unknown spec version 2")


def test_face_selectors_are_left_to_check(project, cli):
    """list does not parse face selectors with CadQuery's parser; check does."""
    project.write("models/box.py", BOX_SCRIPT)
    project.spec("""
        - {number: P-1, name: Plate, model: models/box.py, material: aluminium 6061-T6, process: cnc-milling,
           features: [{name: top, select: {face: ">>Q!"}, flatness: 0.05}]}
    """)
    code, out, _ = cli("list", project.root)
    assert code == 0 and [s["product"] for s in json.loads(out)["specs"]] == ["T-1"]
    code, _, err = cli("check", project.root / "techpack.yaml")
    assert code == 2 and "'>>Q!' is not a CadQuery selector" in err


def test_no_cadquery_imported():
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "techpack", "list", "examples"],
                         cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert json.loads(run.stdout)["specs"][0]["package"] == "DL-2_revB"
    assert "techpack.spec.load" in run.stderr  # the loader was imported, and timed
    assert not re.search(r"\b(cadquery|OCP)\b", run.stderr)


def test_folder_errors_and_an_empty_folder(tmp_path: Path, cli):
    code, out, err = cli("list", tmp_path / "nope")
    assert code == 2 and json.loads(out)["ok"] is False
    assert f"error: {tmp_path / 'nope'}: no such folder; give the folder to search for specs, e.g. techpack list ." in err
    code, _, err = cli("list", write(tmp_path / "techpack.yaml", "techpack: 1\n"), "--format", "matrix")
    assert code == 2 and "is a file; give the folder" in err
    (tmp_path / "empty").mkdir()
    code, out, err = cli("list", tmp_path / "empty", "--format", "matrix")
    assert (code, out) == (0, '{"include":[]}\n') and "no techpack spec under" in err


# --- the README's CI recipe -------------------------------------------------------------------

def readme_section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("## In CI: a recipe for design repositories")
    return text[start:text.index("\n## ", start + 1)]


def yaml_blocks() -> list:
    return [YAML(typ="safe", pure=True).load(b) for b in re.findall(r"```yaml\n(.*?)```", readme_section(), re.DOTALL)]


def test_readme_workflows_have_what_github_needs():
    workflows = [b for b in yaml_blocks() if "jobs" in b]
    assert len(workflows) == 2
    for wf in workflows:
        assert set(wf["on"]) == {"pull_request", "push"} and wf["on"]["push"] == {"tags": ["v*"]}
        for job in wf["jobs"].values():
            assert job["runs-on"].startswith("ubuntu")
            for step in job["steps"]:
                assert ("uses" in step) != ("run" in step), step
        steps = [s for job in wf["jobs"].values() for s in job["steps"]]
        uses = {s["uses"].split("@")[0]: s for s in steps if "uses" in s}
        assert uses["actions/setup-python"]["with"]["python-version"] == "3.11"
        runs = "\n".join(s["run"] for s in steps if "run" in s)
        assert "apt-get install -y -qq libgl1" in runs and 'pip install "techpack @ git+https://' in runs
        assert "--format github" in runs and "--release -o out" in runs
        assert uses["actions/cache"]["with"]["path"] == "~/.cache/techpack"
        assert uses["actions/upload-artifact"]["with"]["path"] == "out/*.zip"
    matrix = workflows[1]["jobs"]
    assert "techpack list products --format matrix" in matrix["list"]["steps"][-1]["run"]
    assert matrix["product"]["strategy"]["matrix"] == "${{ fromJSON(needs.list.outputs.matrix) }}"
    assert matrix["list"]["outputs"]["matrix"] == "${{ steps.list.outputs.matrix }}"


def test_readme_outputs_are_the_commands_outputs(cli, monkeypatch):
    section = readme_section()
    monkeypatch.chdir(REPO)
    code, out, _ = cli("list", "examples")
    assert code == 0 and f"$ techpack list examples\n{out}```" in section
    code, out, err = cli("list", ".", "--format", "matrix")
    assert code == 2 and f"$ techpack list . --format matrix\n{out}{err}```" in section


def test_pre_commit_hook_manifest_and_config():
    (hook,) = YAML(typ="safe", pure=True).load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["language"], hook["pass_filenames"], hook["require_serial"]) == ("techpack-check", "python", True, True)
    files = re.compile(hook["files"])
    assert all(files.search(p) for p in ("techpack.yaml", "products/lamp/techpack.yml"))
    assert not any(files.search(p) for p in ("techpack.yaml.bak", "my-techpack.yaml", "models/base.py"))
    (config,) = [b for b in yaml_blocks() if "repos" in b]
    (repo,) = config["repos"]
    assert repo["rev"] and [h["id"] for h in repo["hooks"]] == ["techpack-check"]


def test_pre_commit_entry_checks_each_spec(tmp_path: Path):
    """The entry, run as pre-commit runs it (entry, then args, then file names), with a stand-in
    techpack that says what it was asked: one check per spec, the options to each, and the
    failure of any one is the hook's."""
    (hook,) = YAML(typ="safe", pure=True).load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    write(tmp_path / "bin" / "techpack", textwrap.dedent("""\
        #!/bin/sh
        echo "$@"
        case "$*" in *bad*) exit 1;; esac
    """)).chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    run = subprocess.run(shlex.split(hook["entry"]) + ["a/techpack.yaml", "b c/techpack.yaml"], env=env, capture_output=True, text=True, check=False)
    assert (run.returncode, run.stdout) == (0, "check a/techpack.yaml\ncheck b c/techpack.yaml\n")
    run = subprocess.run(shlex.split(hook["entry"]) + ["--fail-on=warning", "bad/techpack.yaml", "ok/techpack.yaml"], env=env, capture_output=True, text=True, check=False)
    assert (run.returncode, run.stdout) == (1, "check --fail-on=warning bad/techpack.yaml\ncheck --fail-on=warning ok/techpack.yaml\n")

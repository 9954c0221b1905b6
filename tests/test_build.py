"""The whole road: spec -> package zip, read back with zipfile, json and an HTML parser."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from techpack.build import build
from techpack.errors import ModelError, SpecError
from techpack.report import Reporter
from tests.conftest import BOX_SCRIPT, EXAMPLE, PRODUCT, REPO

@pytest.fixture(scope="module")
def example_zip(example_package) -> Path:
    return example_package.zip_path


def test_example_package_layout(example_zip):
    assert example_zip.name == "DL-2_revB.zip"
    with zipfile.ZipFile(example_zip) as zf:
        names = zf.namelist()
    assert names == sorted(names)
    assert all(n.startswith("DL-2_revB/") for n in names)
    expected_steps = {
        "DL-2_revB/step/DL2-101_base_revB.step",
        "DL-2_revB/step/DL2-201_shade_revB.step",
        "DL-2_revB/step/DL2-301_arm-bracket_revB.step",
        "DL-2_revB/step/DL2-401_knob_revB.step",
        "DL-2_revB/step/DL2-501_stem_revB.step",
        "DL-2_revB/step/DL2-601_arm_revB.step",
    }
    others = {"index.html", "cover.pdf", "manifest.json", "spec.yaml", "dfm/dfm-report.json", "dfm/dfm-report.pdf",
              "bom/DL-2_revB.xlsx", "bom/DL-2_revB_bom.csv", "step/DL2-000_assembly_revB.step", "pictures/DL2-000_exploded.png"}
    others |= {f"pictures/{n}.png" for n in ("DL2-101", "DL2-201", "DL2-301", "DL2-401", "DL2-501", "DL2-601")}
    # cut files for the sheet-metal bracket and the laser-cut arm, print files for the printed knob
    others |= {"dxf/DL2-301_arm-bracket_revB_flat.dxf", "dxf/DL2-601_arm_revB_flat.dxf", "print/DL2-401_knob_revB.3mf", "print/DL2-401_knob_revB.stl"}
    drawings = {n.replace("step/", "drawings/").replace(".step", ".pdf") for n in expected_steps}
    characteristics = {f"DL-2_revB/drawings/{n}_characteristics.json" for n in ("DL2-101", "DL2-201", "DL2-301", "DL2-401", "DL2-501", "DL2-601")}
    # finishing instructions for every part with a finish: all but the knob (DL2-401)
    finishing = {n.replace("step/", "finishing/").replace(".step", "_finishing.pdf") for n in expected_steps if "DL2-401" not in n}
    assert set(names) == expected_steps | drawings | characteristics | finishing | {f"DL-2_revB/{n}" for n in others}


def test_manifest_lists_every_file_with_its_real_hash(example_zip):
    with zipfile.ZipFile(example_zip) as zf:
        manifest = json.loads(zf.read("DL-2_revB/manifest.json"))
        contents = {n.removeprefix("DL-2_revB/"): zf.read(n) for n in zf.namelist()}
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(contents) - {"manifest.json"}
    for path, entry in listed.items():
        assert entry["size"] == len(contents[path])
        assert entry["sha256"] == hashlib.sha256(contents[path]).hexdigest()
    assert listed["step/DL2-301_arm-bracket_revB.step"]["part"] == "DL2-301"
    assert manifest["spec"]["sha256"] == hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    assert contents["spec.yaml"] == EXAMPLE.read_bytes()
    assert manifest["product"] == {"number": "DL-2", "name": "Desk lamp", "revision": "B"}
    assert manifest["date"] == "2026-11-20"
    import techpack

    assert manifest["tools"]["techpack"] == techpack.__version__
    # the example lives in this repository: its commit is recorded
    head = subprocess.run(["git", "-C", str(EXAMPLE.parent), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    if (REPO / ".git").exists():
        assert manifest["git"]["commit"] == head
    else:  # a source tree without git (an unpacked release)
        assert manifest["git"] is None


def test_zip_entries_have_fixed_dates_and_permissions(example_zip):
    with zipfile.ZipFile(example_zip) as zf:
        for info in zf.infolist():
            assert info.date_time == (2026, 11, 20, 0, 0, 0)
            assert info.external_attr >> 16 == 0o100644
            assert info.compress_type == zipfile.ZIP_DEFLATED


def test_same_inputs_give_a_byte_identical_zip(example_package, tmp_path):
    again = build(EXAMPLE, tmp_path, Reporter(0))
    assert again.zip_path.read_bytes() == example_package.zip_path.read_bytes()
    first = example_package.result.supplier_zips
    assert [p.name for p in again.supplier_zips] == [p.name for p in first] and len(first) == 7
    for a, b in zip(again.supplier_zips, first):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_failed_build_leaves_the_previous_package_untouched(project, tmp_path):
    model = project.write("models/box.py", BOX_SCRIPT)
    spec = project.spec("- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm}")
    out = tmp_path / "out"
    first = build(spec, out, Reporter(0)).zip_path
    before = first.read_bytes()
    model.write_text("def build():\n    raise RuntimeError('broken on purpose')\n")
    with pytest.raises(ModelError):
        build(spec, out, Reporter(0))
    spec.write_text(spec.read_text().replace("material: ABS", "material: unobtainium"))
    with pytest.raises(SpecError):
        build(spec, out, Reporter(0))
    assert first.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["T-1_revA.zip"]  # no temporary leftovers


def test_failure_while_writing_documents_leaves_nothing(project, tmp_path, monkeypatch):
    project.write("models/box.py", BOX_SCRIPT)
    spec = project.spec("- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm}")
    from techpack.documents import index

    def explode(ctx, parts):
        raise OSError("disk full")

    monkeypatch.setattr(index, "write", explode)
    out = tmp_path / "out"
    with pytest.raises(OSError):
        build(spec, out, Reporter(0))
    assert list(out.iterdir()) == []


def git(cwd: Path, *args: str) -> str:
    env_args = ["-c", "user.name=T", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    return subprocess.run(["git", *env_args, *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def manifest_of(zip_path: Path) -> dict:
    with zipfile.ZipFile(zip_path) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith("/manifest.json")]
        return json.loads(zf.read(name))


def test_git_commit_dirty_flag_and_date_from_the_commit(project, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    model = project.write("models/box.py", BOX_SCRIPT)
    spec = project.spec(
        "- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm}",
        product=PRODUCT.replace(" date: 2026-11-20,", ""),
    )
    git(project.root, "init", "-q")
    git(project.root, "add", ".")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2025-03-04T12:00:00+00:00")
    git(project.root, "commit", "-q", "-m", "first")
    head = git(project.root, "rev-parse", "HEAD")

    clean = manifest_of(build(spec, tmp_path / "a", Reporter(0)).zip_path)
    assert clean["git"] == {"commit": head, "dirty": False}
    assert clean["date"] == "2025-03-04"

    (project.root / "notes.txt").write_text("not an input")  # untracked, but not an input
    assert manifest_of(build(spec, tmp_path / "b", Reporter(0)).zip_path)["git"]["dirty"] is False
    model.write_text(BOX_SCRIPT.replace("30.0", "31.0"))
    assert manifest_of(build(spec, tmp_path / "c", Reporter(0)).zip_path)["git"] == {"commit": head, "dirty": True}


def test_source_date_epoch_dates_the_package_when_the_spec_has_no_date(project, tmp_path, monkeypatch):
    project.write("models/box.py", BOX_SCRIPT)
    spec = project.spec(
        "- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm}",
        product=PRODUCT.replace(" date: 2026-11-20,", ""),
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(2024, 2, 29, 13, 0, tzinfo=dt.timezone.utc).timestamp())))
    result = build(spec, tmp_path / "out", Reporter(0))
    assert manifest_of(result.zip_path)["date"] == "2024-02-29"
    with zipfile.ZipFile(result.zip_path) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2024, 2, 29, 0, 0, 0)}
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    with pytest.raises(SpecError) as info:
        build(spec, tmp_path / "out2", Reporter(0))
    assert "no date for the documents" in str(info.value)

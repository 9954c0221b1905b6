"""A package per supplier: each holds only that supplier's parts, and nothing in any of its
files (PDF text, workbook cells and print headers, JSON, HTML, CSV, STEP) names another
supplier, their e-mail, or a part or purchased part they supply. Every document carries the
confidentiality notice; a build from uncommitted inputs says NOT RELEASED; --release refuses it."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pdfplumber
import pytest

from techpack.build import build
from techpack.errors import InputError
from techpack.report import Reporter
from techpack.spec import load_spec
from tests.conftest import BOX_SCRIPT, EXAMPLE
from tests.test_build import git, manifest_of

SPEC = load_spec(EXAMPLE).spec
NOTICE = "CONFIDENTIAL: property of Studio North Ltd."


def page_text(page) -> str:
    """The page's text laid out, and its characters in the order drawn (a diagonal stamp's
    letters are not on one line)."""
    return (page.extract_text() or "") + "\n" + "".join(c["text"] for c in page.chars)


def texts(zip_path: Path) -> dict[str, str]:
    """Every file of a zip as the text a person or a program would find in it."""
    out = {}
    with zipfile.ZipFile(zip_path) as zf:
        for name in zf.namelist():
            data = zf.read(name)
            if name.endswith(".pdf"):
                with pdfplumber.open(io.BytesIO(data)) as pdf:
                    text = "\n".join(page_text(page) for page in pdf.pages) + "\n" + json.dumps(pdf.metadata, default=str)
            elif name.endswith(".xlsx"):
                wb = openpyxl.load_workbook(io.BytesIO(data))
                text = "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)
                text += "\n".join(f"{part.text}" for ws in wb for hf in (ws.oddHeader, ws.oddFooter)
                                  for part in (hf.left, hf.center, hf.right) if part.text)
                text += json.dumps([wb.properties.title, wb.properties.creator, wb.properties.keywords])
            else:
                text = data.decode("utf-8", "replace")  # HTML, JSON, CSV, STEP; a PNG's bytes as they are
            out[name] = text
    return out


@pytest.fixture(scope="module")
def zips(example_package) -> dict[str, Path]:
    return {p.name.removeprefix("DL-2_revB_").removesuffix(".zip"): p for p in example_package.result.supplier_zips}


def test_every_supplier_with_something_to_supply_gets_a_package(zips):
    assert sorted(zips) == sorted(SPEC.suppliers)  # every supplier of the example supplies a part or hardware
    for key, path in zips.items():
        assert path.name == f"DL-2_revB_{key}.zip" and path.parent.name == "zip"


@pytest.mark.parametrize("key", sorted(SPEC.suppliers))
def test_a_supplier_package_holds_their_parts_and_nothing_of_another_supplier(zips, key):
    files = texts(zips[key])
    top = f"DL-2_revB_{key}/"
    assert all(name.startswith(top) for name in files)
    names = {n.removeprefix(top) for n in files}
    mine = [p for p in SPEC.parts if p.supplier == key]
    theirs = [p for p in SPEC.parts if p.supplier != key]
    # their parts' files, no other part's, and no spec copy (it names every supplier)
    for folder, ext in (("step", ".step"), ("drawings", ".pdf"), ("finishing", ".pdf")):
        got = {n.split("/")[1].split("_")[0] for n in names if n.startswith(folder + "/") and n.endswith(ext)}
        expected = {p.number for p in mine} if folder != "finishing" else {p.number for p in mine if p.finish}
        assert got == expected, (key, folder)
    assert "spec.yaml" not in names and "index.html" in names and "manifest.json" in names
    manifest = json.loads(files[top + "manifest.json"])
    assert manifest["supplier"] == {"key": key, "name": SPEC.suppliers[key].name}
    assert sorted(f["path"] for f in manifest["files"]) == sorted(names - {"manifest.json"})

    # no name, e-mail, part or hardware number of another supplier anywhere
    others = {s.name for k, s in SPEC.suppliers.items() if k != key} | {s.email for k, s in SPEC.suppliers.items() if k != key}
    others |= {p.number for p in theirs} | {h.number for h in SPEC.hardware if h.supplier != key}
    leaks = [(name, word) for name, text in files.items() for word in others if word in text]
    assert leaks == []
    # and their own are there: the workbook's BOM lists exactly their parts and hardware
    wb = openpyxl.load_workbook(io.BytesIO(zipfile.ZipFile(zips[key]).read(top + "bom/DL-2_revB.xlsx")))
    bom = wb["BOM"]
    header = [c.value for c in bom[4]]
    col = header.index("Part number")
    numbers = {str(r[col].value) for r in bom.iter_rows(min_row=5) if r[col].value and r[0].value}
    assert numbers == {p.number for p in mine} | {h.number for h in SPEC.hardware if h.supplier == key}
    dfm = json.loads(files[top + "dfm/dfm-report.json"])
    assert [entry["part"] for entry in dfm["parts"]] == [p.number for p in mine]
    assert all(f["part"] == entry["part"] for entry in dfm["parts"] for f in entry["findings"])


@pytest.mark.parametrize("key", ["cnc", "fasteners"])
def test_every_document_of_a_supplier_package_carries_the_confidentiality_notice(zips, key):
    checked = 0
    for name, text in texts(zips[key]).items():
        if name.endswith((".pdf", ".xlsx", ".html", ".step")):  # a STEP file in its header's description
            assert NOTICE in " ".join(text.split()), name
            checked += 1
    assert checked >= (6 if key == "cnc" else 3)


def test_the_full_package_documents_carry_the_notice_too(example_package):
    folder = example_package.folder
    released = json.loads((folder / "manifest.json").read_text())["released"]  # false in a work tree with the example edited
    for pdf_path in sorted(folder.rglob("*.pdf")):
        with pdfplumber.open(pdf_path) as pdf:
            text = " ".join(" ".join(page_text(page) for page in pdf.pages).split())
        assert NOTICE in text and ("NOT RELEASED" in text) != released, pdf_path.name


def test_no_split_and_one_supplier_only(project, tmp_path):
    project.write("models/box.py", BOX_SCRIPT)
    spec = project.spec(
        "- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm, supplier: a}\n"
        "- {number: P2, name: Lid, model: models/box.py, material: ABS, process: fdm, supplier: b}",
        extra="suppliers:\n  a: {name: Alpha}\n  b: {name: Beta}\n  c: {name: Idle Co}\n",
    )
    every = build(spec, tmp_path / "all", Reporter(0))
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == ["T-1_revA.zip", "T-1_revA_a.zip", "T-1_revA_b.zip"]  # c supplies nothing
    assert every.supplier_zips == [tmp_path / "all" / "T-1_revA_a.zip", tmp_path / "all" / "T-1_revA_b.zip"]
    build(spec, tmp_path / "none", Reporter(0), suppliers=False)
    assert [p.name for p in (tmp_path / "none").iterdir()] == ["T-1_revA.zip"]
    build(spec, tmp_path / "one", Reporter(0), suppliers="b")
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["T-1_revA.zip", "T-1_revA_b.zip"]
    with pytest.raises(InputError) as err:
        build(spec, tmp_path / "bad", Reporter(0), suppliers="alpha")
    assert "no supplier 'alpha'" in str(err.value.problems[0]) and "techpack.yaml:" in str(err.value.problems[0])
    assert not (tmp_path / "bad").exists() or not any((tmp_path / "bad").iterdir())


def test_cli_build_one_supplier_and_unknown_supplier(project, tmp_path, cli):
    project.write("models/box.py", BOX_SCRIPT)
    spec = project.spec("- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm, supplier: a}",
                        extra="suppliers:\n  a: {name: Alpha}\n")
    code, out, err = cli("build", spec, "-o", tmp_path / "o", "-q", "--supplier", "b")
    assert code == 2 and "--supplier: no supplier 'b'" in err and "Traceback" not in err
    code, out, err = cli("build", spec, "-o", tmp_path / "o", "-q", "--no-suppliers")
    assert code == 0 and "T-1_revA_a.zip" not in out and [p.name for p in (tmp_path / "o").iterdir()] == ["T-1_revA.zip"]


def test_uncommitted_inputs_say_not_released_and_release_refuses_them(project, tmp_path, cli):
    model = project.write("models/box.py", BOX_SCRIPT)
    spec = project.spec("- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm, finish: [{paint: {ral: 9005}}], supplier: a}",
                        extra="suppliers:\n  a: {name: Alpha}\n")
    git(project.root, "init", "-q")
    git(project.root, "add", ".")
    git(project.root, "commit", "-q", "-m", "first")

    code, out, err = cli("build", spec, "-o", tmp_path / "rel", "-q", "--release")
    assert code == 0, err
    assert manifest_of(tmp_path / "rel" / "T-1_revA.zip")["released"] is True

    model.write_text(BOX_SCRIPT.replace("30.0", "31.0"))
    code, out, err = cli("build", spec, "-o", tmp_path / "refused", "-q", "--release")
    assert code == 2 and "uncommitted changes to models/box.py" in err and "Traceback" not in err
    assert not (tmp_path / "refused").exists() or not any((tmp_path / "refused").iterdir())

    result = build(spec, tmp_path / "dirty", Reporter(0))
    for zip_path in (result.zip_path, *result.supplier_zips):
        manifest = manifest_of(zip_path)
        assert manifest["released"] is False and manifest["git"]["dirty"] is True
        files = texts(zip_path)
        for name, text in files.items():
            if name.endswith((".pdf", ".xlsx", ".html")):
                assert "NOT RELEASED" in text, name
        with zipfile.ZipFile(zip_path) as zf:  # every sheet of every PDF, not only the first
            for name in zf.namelist():
                if name.endswith(".pdf"):
                    with pdfplumber.open(io.BytesIO(zf.read(name))) as pdf:
                        assert all("NOT RELEASED" in page_text(page) for page in pdf.pages), name

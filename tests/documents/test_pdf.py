"""Every PDF in the example's package passes a print preflight, read back with poppler's
pdffonts and pdfinfo (what a print shop's tools report) and pdfplumber: every font embedded
and none but the bundled DejaVu Sans (no Helvetica listed), created and modified on the
build's date, title, author, subject and keywords set; a multi-page DFM report numbered."""

from __future__ import annotations

import shutil
import subprocess

import pdfplumber
import pytest

def pdfs(folder):
    found = sorted(folder.rglob("*.pdf"))
    assert len(found) >= 12  # the DFM report, six drawings, five finishing instructions
    return found


@pytest.mark.skipif(not shutil.which("qpdf"), reason="qpdf is not installed")
def test_qpdf_finds_nothing_wrong_in_any_pdf_of_any_package(example_package, tmp_path):
    """Every PDF of the full package and of every supplier's package (their own DFM report)."""
    import zipfile

    found = pdfs(example_package.folder)
    for k, path in enumerate(example_package.result.supplier_zips):
        with zipfile.ZipFile(path) as zf:
            zf.extractall(tmp_path / str(k))
        found += sorted((tmp_path / str(k)).rglob("*.pdf"))
    assert len(found) > 30
    for pdf in found:
        run = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        assert run.returncode == 0 and "No syntax or stream encoding errors found" in run.stdout, f"{pdf.name}: {run.stdout}{run.stderr}"
        if shutil.which("pdffonts"):  # the supplier's own DFM report and cover page too
            rows = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
            assert rows and all(r.split()[-5] == "yes" and "DejaVuSans" in r.split()[0] for r in rows), f"{pdf}: {rows}"


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="pdffonts (poppler-utils) is not installed")
def test_every_font_is_embedded_and_none_is_helvetica(example_package):
    for pdf in pdfs(example_package.folder):
        rows = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
        assert rows, pdf
        for row in rows:
            name, emb = row.split()[0], row.split()[-5]
            assert emb == "yes" and "DejaVuSans" in name, f"{pdf.name}: {row}"


def test_dates_and_description_are_the_builds(example_package):
    spec_date = "D:20261120"  # the example's product.date: what the title blocks say
    for pdf in pdfs(example_package.folder):
        with pdfplumber.open(pdf) as doc:
            meta = doc.metadata
        assert meta["CreationDate"].startswith(spec_date) and meta["ModDate"].startswith(spec_date), pdf.name
        assert all(meta.get(k) for k in ("Title", "Author", "Subject", "Keywords")), f"{pdf.name}: {meta}"
        assert "revision B" in meta["Keywords"], pdf.name
    with pdfplumber.open(example_package.folder / "drawings" / "DL2-101_base_revB.pdf") as doc:
        assert doc.metadata["Keywords"].startswith("DL2-101, revision B")


def test_a_dfm_report_of_several_pages_is_numbered(example_package):
    with pdfplumber.open(example_package.folder / "dfm" / "dfm-report.pdf") as doc:
        n = len(doc.pages)
        assert n > 1
        for k, page in enumerate(doc.pages, 1):
            foot = page.crop((page.width * 0.8, page.height - 40, page.width, page.height)).extract_text()
            assert f"{k} / {n}" in foot

"""The cover page's facts (documents/cover.py) and cover.pdf, read back with pdfplumber: one A4
page; in a supplier's package a request for quotation addressed to them, with the buyer's
contact, the quantity of each part at each break (qty per product x break), the material
certificate on metal parts, the terms, the notice, and nothing about another supplier; NOT
RELEASED when built from uncommitted changes; the changes since a revision when given.

A supplier's view is rendered from the example's spec as `LoadedSpec.for_supplier` sees it,
the way the per-supplier packaging calls the cover and index modules."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pdfplumber
import pytest

from techpack.build import check
from techpack.context import BuildContext, Output
from techpack.documents import cover, index, pictures
from techpack.provenance import GitInfo
from techpack.report import Reporter
from techpack.spec.model import Rfq
from tests.conftest import EXAMPLE

DATE = dt.date(2026, 11, 20)
CLEAN = GitInfo(commit="0123456789abcdef0123456789abcdef01234567", dirty=False, date=DATE)
DIRTY = dataclasses.replace(CLEAN, dirty=True, changed=("examples/desk-lamp/techpack.yaml",))


@pytest.fixture(scope="module")
def example():
    return check(EXAMPLE, Reporter(0))


def render(example, folder, supplier=None, git=CLEAN, changes=None, loaded=None):
    """Pictures, cover.pdf and index.html of the example (or of one supplier's view) into folder."""
    loaded = loaded or (example.loaded.for_supplier(supplier) if supplier else example.loaded)
    numbers = {p.number for p in loaded.spec.parts}
    parts = [m for m in example.parts if m.spec.number in numbers]
    ctx = BuildContext(loaded=loaded, folder=folder, date=DATE, git=git, log=Reporter(0),
                       report=example.report.only(numbers) if supplier else example.report, supplier=supplier, changes=changes)
    folder.mkdir(parents=True)
    ctx.outputs += pictures.write(ctx, parts)
    ctx.outputs += cover.write(ctx, parts)
    ctx.outputs += index.write(ctx, parts)
    with pdfplumber.open(folder / cover.PDF) as pdf:
        pages = pdf.pages
        text = pages[0].extract_text()
        n, size = len(pages), (float(pages[0].width), float(pages[0].height))
    return ctx, {"pages": n, "size": size, "text": text, "html": (folder / index.FILE).read_text(encoding="utf-8"),
                 "facts": cover.facts(ctx, parts)}


def _flat(text: str) -> str:
    return " ".join(text.split())


def _row(text: str, number: str) -> list[int]:
    """The numbers ending the PDF table row of a part or purchased item."""
    line = next(line for line in text.splitlines() if line.startswith(number + " ") or line == number)
    return [int(x) for x in re.findall(r"(?<![\w.-])\d+(?![\w.-])", line.split(number, 1)[1])][-5:]


@pytest.mark.parametrize("key", ["sheet", "cnc", "caster"])
def test_a_suppliers_cover_pdf_is_one_a4_page_with_the_quantities_at_each_break(example, tmp_path, key):
    ctx, out = render(example, tmp_path / key, supplier=key)
    spec = ctx.spec
    assert out["pages"] == 1 and out["size"] == pytest.approx((595.28, 841.89), abs=0.5)
    text, flat = out["text"], _flat(out["text"])
    assert "REQUEST FOR QUOTATION RFQ-2026-031" in text
    breaks = [1, 10, 50, 200]
    assert spec.rfq.quantities == breaks
    for part in spec.parts:
        assert _row(text, part.number) == [part.qty] + [part.qty * b for b in breaks], part.number
    contact = spec.product.contact
    for fact in (spec.product.owner, contact.name, contact.email, contact.phone, spec.suppliers[key].name, spec.suppliers[key].email):
        assert fact in flat, fact
    for term in ("2026-12-11", "EUR", "4 weeks from order", "60 days", "FCA supplier's dock (Incoterms 2020)", "Studio North mutual NDA 2026-07"):
        assert term in flat, term
    assert _flat(ctx.notice) in flat  # the confidentiality notice, naming the owner
    assert "Studio North Ltd" in ctx.notice


def test_the_certificate_is_asked_for_the_metal_parts_only(example, tmp_path):
    ctx, out = render(example, tmp_path / "full")
    rows = {r["number"]: r for r in out["facts"]["parts"]}
    metal = {"DL2-101", "DL2-301", "DL2-501", "DL2-601"}  # aluminium, steel, brass, stainless; the shade is PU, the knob PETG
    assert {n for n, r in rows.items() if r["certificate"]} == metal
    assert all(rows[n]["certificate"] == "EN 10204 3.1" for n in metal)
    assert out["text"].count("certificate EN") == len(metal)  # the cell wraps after "EN"


def test_a_hardware_supplier_gets_a_purchase_list(example, tmp_path):
    ctx, out = render(example, tmp_path / "fasteners", supplier="fasteners")
    assert out["facts"]["parts"] == [] and len(out["facts"]["hardware"]) == 4
    assert "Purchase list" in out["html"] and "Purchase list" in out["text"]
    for h in ctx.spec.hardware:
        assert _row(out["text"], h.number) == [h.qty] + [h.qty * b for b in (1, 10, 50, 200)], h.number
        assert h.name in out["html"]
    assert "certificate" not in out["text"].lower()  # purchased parts: no material certificate asked
    assert out["pages"] == 1


@pytest.mark.parametrize("key", ["cnc", "turning", "sheet", "caster", "print", "fasteners", "electrics"])
def test_a_suppliers_cover_names_no_other_supplier_and_no_other_part(example, tmp_path, key):
    ctx, out = render(example, tmp_path / key, supplier=key)
    full = example.loaded.spec
    mine = {p.number for p in ctx.spec.parts} | {h.number for h in ctx.spec.hardware}
    others = [s for k, s in full.suppliers.items() if k != key]
    theirs = [p for p in full.parts if p.number not in mine] + [h for h in full.hardware if h.number not in mine]
    for where in ("html", "text"):
        text = out[where]
        for s in others:
            assert s.name not in text and (s.email or "@@") not in text, (where, s.name)
        for item in theirs:
            assert item.number not in text and item.name not in text, (where, item.number)
    assert out["facts"]["suppliers"] == []
    assert all(r["supplier"] is None for r in out["facts"]["parts"] + out["facts"]["hardware"])
    assert {f["path"] for f in out["facts"]["files"]} >= {"manifest.json", "index.html", "cover.pdf"}
    assert "spec.yaml" not in {f["path"] for f in out["facts"]["files"]}  # a supplier gets no copy of the spec: it names everyone


def test_the_full_cover_names_every_supplier_without_keys_or_empty_fields(example, tmp_path):
    ctx, out = render(example, tmp_path / "full")
    spec = ctx.spec
    suppliers = out["facts"]["suppliers"]
    assert [s["name"] for s in suppliers] == [s.name for s in spec.suppliers.values()]
    html = out["html"]
    section = html[html.index('id="suppliers"'):html.index("</div>", html.index('id="suppliers"'))]
    for key in spec.suppliers:
        assert not re.search(rf"\b{re.escape(key)}\b", section), key  # internal keys ("cnc", "turning") are not shown
    assert "<p></p>" not in html and "<td></td>" not in section and "<dd></dd>" not in html
    assert "Contact" not in section and "Phone" not in section  # no empty columns: only the details a supplier has
    assert "spec.yaml" in {f["path"] for f in out["facts"]["files"]}
    assert out["pages"] == 1 and "TECHNICAL PACKAGE" in out["text"]


def test_status_says_dfm_counts_tolerance_inspection_and_not_released(example, tmp_path):
    ctx, out = render(example, tmp_path / "dirty", git=DIRTY)
    counts = example.report.counts()
    st = out["facts"]["status"]
    assert (st["errors"], st["warnings"], st["waived"]) == (counts["error"], counts["warning"], counts["waived"])
    assert st["tolerance"] == "ISO 2768-mK" and st["inspection"] == {"level": "II", "aql": "1.0"}
    flat = _flat(out["text"])
    assert f"DFM: {counts['error']} errors, {counts['warning']} warnings, {counts['waived']} waived" in flat
    assert "general tolerance ISO 2768-mK" in flat and "inspection ISO 2859-1 level II, AQL 1.0" in flat
    assert "NOT RELEASED" in out["text"] and 'id="not-released"' in out["html"]
    assert "examples/desk-lamp/techpack.yaml" in out["html"]  # what is uncommitted
    _, clean = render(example, tmp_path / "clean", git=CLEAN)
    assert "NOT RELEASED" not in clean["text"] and "NOT RELEASED" not in clean["html"]
    assert "commit 0123456789ab" in _flat(clean["text"])


def test_changes_since_a_revision_show_the_suppliers_own_parts_only(example, tmp_path):
    changes = {"since": "A", "product": ["batch 50, was 40"], "parts": [
        {"number": "DL2-101", "name": "Base", "status": "changed", "supplier": "cnc",
         "lines": ["hole moved 2 mm", "finish: anodise colour black, was natural"], "picture": None},
        {"number": "DL2-201", "name": "Shade", "status": "changed", "supplier": "caster", "lines": ["wall 2.5 mm, was 2.0 mm"], "picture": None},
        {"number": "DL2-109", "name": "Spacer", "status": "removed", "supplier": "cnc", "lines": [], "picture": None},
        {"number": "DL2-209", "name": "Diffuser", "status": "removed", "supplier": "caster", "lines": [], "picture": None},
    ], "hardware": [{"number": "ISO4762-M5x12", "name": "Socket head cap screw", "status": "changed", "supplier": "fasteners",
                     "lines": ["qty 2, was 3"]}]}
    _, out = render(example, tmp_path / "cnc", supplier="cnc", changes=changes)
    html, text = out["html"], _flat(out["text"])
    assert "Changes since A" in html and "hole moved 2 mm" in html and 'href="changes.html"' in html
    assert "DL2-109 Spacer</strong> (removed)" in html and "DL2-109 Spacer (removed)" in text  # theirs once
    assert "batch 50, was 40" in html and "batch 50, was 40" in text
    for other in ("wall 2.5 mm", "qty 2, was 3", "DL2-209", "Diffuser"):  # another supplier's changes
        assert other not in html and other not in text, other
    assert "hole moved 2 mm" in text
    _, full = render(example, tmp_path / "full", changes=changes)
    assert all(line in full["html"] for line in ("hole moved 2 mm", "wall 2.5 mm, was 2.0 mm", "qty 2, was 3", "DL2-209 Diffuser"))
    _, knob = render(example, tmp_path / "print", supplier="print", changes=changes)
    assert "batch 50, was 40" in knob["html"] and "hole moved" not in knob["html"]  # the product's changes concern everyone
    _, none = render(example, tmp_path / "print-2", supplier="print", changes={**changes, "product": []})
    assert "No change to your parts." in none["html"] and "No change to your parts." in _flat(none["text"])


def test_without_quantity_breaks_the_batch_is_asked(example, tmp_path):
    loaded = example.loaded.for_supplier("sheet")
    loaded = dataclasses.replace(loaded, spec=loaded.spec.model_copy(update={"rfq": Rfq()}))
    ctx, out = render(example, tmp_path / "sheet", supplier="sheet", loaded=loaded)
    assert out["facts"]["rfq"]["breaks"] == [50]
    bracket = next(r for r in out["facts"]["parts"] if r["number"] == "DL2-301")
    assert bracket["breaks"] == [{"products": 50, "qty": 100}]
    assert _row(out["text"], "DL2-301")[-2:] == [2, 100]
    assert "50 products (the batch)" in out["html"]
    assert "certificate" not in out["text"].lower()  # none asked in this spec


def test_every_part_has_its_picture_and_its_files(example, tmp_path):
    ctx, out = render(example, tmp_path / "full")
    for r in out["facts"]["parts"]:
        assert r["picture"]["path"] == f"pictures/{r['number']}.png" and r["picture"]["width"] > 0
        assert f'src="{r["picture"]["path"]}"' in out["html"]
    assert all(o.kind == "picture" and o.part for o in ctx.outputs if o.path.startswith("pictures/"))
    assert Output("cover.pdf", "cover") in ctx.outputs

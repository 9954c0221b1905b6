"""index.html as the supplier sees it: opened in Chromium (Playwright driving the system
browser) from the unzipped package, at a phone's width (390 px), a laptop's (1280 px) and
printed (A4): no sideways scroll, no console error, every link leads to a file of the package,
every part's picture loads, and the status says the build's DFM counts. Screenshots of the full
page go to /tmp (techpack-index-*.png) for a person to look at.

A supplier's cover page is checked the same way on a folder holding only that supplier's part
files, with index.html and cover.pdf rendered for their view of the spec."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from techpack.build import check
from techpack.context import BuildContext, Output
from techpack.documents import cover, index, pictures
from techpack.package import write_manifest
from techpack.provenance import GitInfo
from techpack.report import Reporter
from techpack.spec import load_spec
from tests.conftest import EXAMPLE

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = Path("/tmp")
WIDTHS = (390, 1280)
A4_PX = 794  # 210 mm at 96 px per inch: the width Chromium lays a printed A4 page out at


@pytest.fixture(scope="module")
def package(example_package):
    with zipfile.ZipFile(example_package.zip_path) as zf:
        names = {n.split("/", 1)[1] for n in zf.namelist()}
    return example_package.folder, names


@pytest.fixture(scope="module")
def browser():
    if BROWSER is None:
        pytest.skip("Chromium is not installed (Debian package chromium)")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=BROWSER, args=["--no-sandbox"])
        yield b
        b.close()


def visit(browser, folder: Path, width: int, shot: str | None = None, media: str = "screen", page: str = "index.html") -> dict:
    """Open folder/page (index.html) at `width` px and read back what a reader would see."""
    tab = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
    tab.emulate_media(media=media)
    tab.goto((folder / page).as_uri(), wait_until="load")
    tab.wait_for_function("Array.from(document.images).every(i => i.complete)")
    seen = tab.evaluate("""() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        sticking_out: Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
            .map(e => e.tagName + (e.id ? '#' + e.id : '') + ' ' + (e.textContent || '').slice(0, 40)),
        links: Array.from(document.querySelectorAll('a[href]')).map(e => [e.getAttribute('href'), e.href,
            e.closest('ul, table') && e.closest('ul, table').previousElementSibling ? e.closest('ul, table').previousElementSibling.textContent : '']),
        images: Array.from(document.images).map(i => [i.getAttribute('src'), i.naturalWidth, i.closest('article') ? i.closest('article').id : '',
            i.getBoundingClientRect().width, i.getBoundingClientRect().height, i.naturalHeight]),
        counts: Object.fromEntries(Array.from(document.querySelectorAll('[data-count]'))
            .map(e => [e.dataset.count, Number(e.querySelector('.value').textContent)])),
        headings: Array.from(document.querySelectorAll('h1, h2')).map(e => e.textContent),
        articles: Object.fromEntries(Array.from(document.querySelectorAll('article[id]')).map(e => [e.id, e.innerText])),
        hardware: Array.from(document.querySelectorAll('#hardware ~ table tbody tr')).map(e => e.id),
        text: document.body.innerText,
        title: document.title,
    })""")
    if shot:
        tab.screenshot(path=str(SHOTS / f"techpack-{page.removesuffix('.html')}-{shot}-{width}.png"), full_page=True)
    tab.close()
    seen["errors"] = errors
    return seen


@pytest.fixture(scope="module")
def pages(browser, package):
    folder, _ = package
    return {w: visit(browser, folder, w, shot="full") for w in WIDTHS}


def test_no_sideways_scroll_at_phone_and_laptop_widths_nor_printed(browser, package, pages):
    printed = visit(browser, package[0], A4_PX, media="print")
    for width, page in [*pages.items(), ("print", printed)]:
        assert page["scrollWidth"] <= page["innerWidth"], (width, page["scrollWidth"])
        assert page["sticking_out"] == [], (width, page["sticking_out"][:5])
        assert page["errors"] == [], (width, page["errors"])


def test_every_link_opens_a_file_of_the_package(pages, package):
    folder, names = package
    for page in pages.values():
        local = [(href, resolved) for href, resolved, _ in page["links"] if not href.startswith("mailto:")]
        assert local, "no links"
        for href, resolved in local:
            target = unquote(urlparse(resolved).path)
            assert href in names and (folder / href).is_file() and target.endswith(href), href
        assert {href for href, _ in local} >= names  # every file is linked (index.html too: "this page")


def test_the_workbook_and_the_finishing_documents_are_linked_under_their_headings(pages, package):
    _, names = package
    page = pages[1280]
    assert "Bill of materials and inspection plan" in page["headings"] and "Finishing instructions" in page["headings"]
    under: dict[str, set] = {}  # link -> the headings it is listed under
    for href, _, heading in page["links"]:
        under.setdefault(href, set()).add(heading)
    for f in ("bom/DL-2_revB.xlsx", "bom/DL-2_revB_bom.csv"):
        assert under[f] == {"Bill of materials and inspection plan", "In this package"}, f
    finishing = sorted(n for n in names if n.startswith("finishing/"))
    assert len(finishing) == 5 and all("Finishing instructions" in under[f] for f in finishing)
    assert page["title"].startswith("DL-2")


def test_every_part_has_a_picture_that_loaded_at_its_proportions(pages, example_package):
    numbers = [p.spec.number for p in example_package.result.parts]
    for width, page in pages.items():
        shown = {article: (src, natural, w, h, natural_h) for src, natural, article, w, h, natural_h in page["images"] if article}
        assert sorted(shown) == sorted(f"part-{n}" for n in numbers), width
        for article, (src, natural, w, h, natural_h) in shown.items():
            assert src == f"pictures/{article.removeprefix('part-')}.png" and natural > 0, (width, src)
            assert w / h == pytest.approx(natural / natural_h, rel=0.05), (width, src)  # not stretched


def test_the_status_is_the_builds(pages, example_package):
    counts = example_package.result.report.counts()
    for page in pages.values():
        assert page["counts"] == {"errors": counts["error"], "warnings": counts["warning"], "waived": counts["waived"]}
        text = page["text"]
        assert "ISO 2768-mK" in text and "level II, AQL 1.0" in text
        manifest = json.loads((example_package.folder / "manifest.json").read_text())
        released = not (manifest["git"] and manifest["git"]["dirty"])
        assert ("NOT RELEASED" in text) is (not released)


EXAMPLE_PARTS = {  # number: name, qty per product, material, process, finish, size
    "DL2-101": ("Base", 1, "Aluminium 6061-T6", "CNC milling",
                ["Bead blast, media glass bead, grit 120", "Anodise (sulphuric acid), type II, RAL 9005 Jet black, colour black"], "160 × 160 × 12 mm"),
    "DL2-201": ("Shade", 1, "PU casting resin", "Vacuum casting (silicone mould)", ["Wet paint, RAL 7016 Anthracite grey"], "180 × 180 × 152 mm"),
    "DL2-301": ("Arm bracket", 2, "Cold-rolled steel DC01 (1.0330)", "Sheet metal (cut and bent)", ["Powder coat, RAL 9005 Jet black"], "30 × 24 × 35 mm"),
    "DL2-401": ("Knob", 1, "PETG", "3D printing, FDM", [], "25 × 24.7 × 16 mm"),
    "DL2-501": ("Stem", 1, "Free-machining brass (CW614N / C36000)", "CNC turning", ["Polish, Ra 0.4 µm"], "10 × 10 × 300 mm"),
    "DL2-601": ("Arm", 1, "Stainless steel 304 (1.4301)", "Laser cutting (flat)", ["Passivation, method citric"], "260 × 20 × 3 mm"),
}


# to order: the batch with the spec's spares, worked out by hand: 4 % of the batch rounded up,
# the arm bracket its own 1 spare (2 per lamp: 100 + 1)
ORDER = {"DL2-101": 52, "DL2-201": 52, "DL2-301": 101, "DL2-401": 52, "DL2-501": 52, "DL2-601": 52}


def test_each_part_shows_its_quantities_material_process_finish_size_and_supplier(pages):
    page = pages[1280]
    assert sorted(page["articles"]) == sorted(f"part-{n}" for n in EXAMPLE_PARTS)
    suppliers = {"DL2-101": "Precision Works", "DL2-201": "Resin Cast Studio", "DL2-301": "Bend & Form Ltd",
                 "DL2-401": "Layer Farm", "DL2-501": "Swiss Turn Co", "DL2-601": "Bend & Form Ltd"}
    for number, (name, qty, material, process, finish, size) in EXAMPLE_PARTS.items():
        text = " ".join(page["articles"][f"part-{number}"].split())
        assert text.startswith(f"{number} {name} rev B"), text[:40]
        assert f"Material {material}" in text and f"Process {process}" in text and f"Size {size}" in text, text
        assert all(f in text for f in finish) and (finish or "Finish none" in text), text
        assert f"Per product {qty} Batch {qty * 50} for 50 products; {ORDER[number]} to order with spares" in text, text
        assert f"Pieces {qty} {qty * 10} {qty * 50} {qty * 200}" in text, text  # the quantity breaks 1 / 10 / 50 / 200
        assert f"Supplier {suppliers[number]}" in text and "STEP model" in text and "Drawing (PDF)" in text
    assert page["hardware"] == [f"hardware-{n}" for n in ("ISO4762-M5x12", "ISO10511-M5", "DIN471-10x1", "RF-2010-M5", "LH-E27-M10-DIM")]


def test_suppliers_are_named_with_the_details_they_have(pages, example_package):
    text = pages[1280]["text"]
    section = text[text.index("Suppliers\n"):text.index("Cover sheet")]
    spec = load_spec(EXAMPLE).spec
    for key, s in spec.suppliers.items():
        assert s.name in section and (s.email is None or s.email in section)
        assert key not in section.split(), key  # no internal keys
    assert "Contact" not in section and "Phone" not in section  # no empty columns


def test_the_part_pictures_are_deterministic_and_small(example_package, tmp_path):
    """A second, separate geometry build draws the same PNG bytes; each a few tens of kB."""
    again = check(EXAMPLE, Reporter(0))
    ctx = BuildContext(loaded=again.loaded, folder=tmp_path, date=None, git=None, log=Reporter(0), report=again.report)
    outputs = pictures.write(ctx, again.parts)
    assert [o.path for o in outputs] == [f"pictures/{p.spec.number}.png" for p in again.parts]
    for o in outputs:
        ours, built = (tmp_path / o.path).read_bytes(), (example_package.folder / o.path).read_bytes()
        assert ours == built, o.path
        assert 300 < len(ours) < 60_000, (o.path, len(ours))


SUPPLIERS = ("cnc", "sheet", "fasteners")


@pytest.fixture(scope="module")
def supplier_folders(example_package, tmp_path_factory):
    """Each supplier's package as the per-supplier packaging lays it out: their part files copied
    from the full package, the cover page and cover.pdf written for their view, a manifest."""
    result = example_package.result
    loaded = check(EXAMPLE, Reporter(0)).loaded
    manifest = json.loads((example_package.folder / "manifest.json").read_text())
    git = GitInfo(manifest["git"]["commit"], manifest["git"]["dirty"], None) if manifest["git"] else None
    folders = {}
    for key in SUPPLIERS:
        view = loaded.for_supplier(key)
        numbers = {p.number for p in view.spec.parts}
        folder = tmp_path_factory.mktemp(key) / f"DL-2_revB_{key}"
        folder.mkdir()
        ctx = BuildContext(loaded=view, folder=folder, date=dt.date.fromisoformat(manifest["date"]), git=git, log=Reporter(0),
                           report=result.report.only(numbers), supplier=key)
        for entry in manifest["files"]:
            if entry.get("part") in numbers:
                shutil.copyfile(example_package.folder / entry["path"], ctx.path(entry["path"]))
                ctx.outputs.append(Output(entry["path"], entry["kind"], entry["part"]))
        mine = [r.summary for r in result.results if r.summary.spec.number in numbers]
        ctx.outputs += cover.write(ctx, mine)
        ctx.outputs += index.write(ctx, mine)
        write_manifest(ctx)
        folders[key] = (folder, ctx)
    return folders


@pytest.mark.parametrize("key", SUPPLIERS)
def test_a_suppliers_cover_page_in_the_browser(browser, supplier_folders, example_package, key):
    folder, ctx = supplier_folders[key]
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    spec = ctx.spec
    full = load_spec(EXAMPLE).spec  # the whole spec, for what must not be shown
    for width in WIDTHS:
        page = visit(browser, folder, width, shot=key)
        assert page["scrollWidth"] <= page["innerWidth"] and page["sticking_out"] == [], (key, width)
        assert page["errors"] == [], (key, width, page["errors"])
        hrefs = {href for href, _, _ in page["links"] if not href.startswith("mailto:")}
        assert all(h in names for h in hrefs) and hrefs >= names, (key, sorted(names - hrefs), sorted(hrefs - names))
        assert "spec.yaml" not in hrefs
        text = page["text"]
        assert "Request for quotation RFQ-2026-031".upper() in text.upper() and spec.suppliers[key].name in text
        assert spec.product.contact.email in text and "Reply by" in text
        for k, s in full.suppliers.items():
            if k != key:
                assert s.name not in text and s.email not in text, (key, s.name)
        for p in full.parts:
            if p.supplier != key:
                assert p.number not in text, (key, p.number)
        loaded_images = [(src, n) for src, n, article, *_ in page["images"] if article]
        assert len(loaded_images) == len(spec.parts) and all(n > 0 for _, n in loaded_images)
    if not spec.parts:
        assert "Purchase list" in page["headings"]

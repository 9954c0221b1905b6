"""index.html as the supplier sees it: opened in Chromium (Playwright driving the system
browser) from the unzipped package, every link leads to a file in the package, and the
workbook, its CSV and every finishing document are linked under their headings."""

from __future__ import annotations

import shutil
import zipfile
from urllib.parse import unquote, urlparse

import pytest


playwright = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def package(example_package):
    with zipfile.ZipFile(example_package.zip_path) as zf:
        names = {n.removeprefix("DL-2_revB/") for n in zf.namelist()}
    return example_package.folder, names


@pytest.fixture(scope="module")
def page(package):
    if BROWSER is None:
        pytest.skip("Chromium is not installed (Debian package chromium)")
    folder, _ = package
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=BROWSER, args=["--no-sandbox"])
        tab = browser.new_page()
        errors = []
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.goto((folder / "index.html").as_uri())
        links = tab.eval_on_selector_all("a[href]", "els => els.map(e => [e.getAttribute('href'), e.href, e.closest('ul, table') ? e.closest('ul, table').previousElementSibling?.textContent : ''])")
        headings = tab.eval_on_selector_all("h1, h2", "els => els.map(e => e.textContent)")
        yield {"title": tab.title(), "links": links, "headings": headings, "errors": errors, "folder": folder}
        browser.close()


def test_every_link_opens_a_file_of_the_package(page, package):
    folder, names = package
    local = [(href, resolved) for href, resolved, _ in page["links"] if not href.startswith("mailto:")]
    assert local, "no links"
    for href, resolved in local:
        target = unquote(urlparse(resolved).path)
        assert (folder / href).is_file() and target.endswith(href), href
    assert {href for href, _ in local} >= names - {"index.html"}  # every file is linked
    assert page["errors"] == []


def test_the_workbook_and_the_finishing_documents_are_linked_under_their_headings(page, package):
    _, names = package
    assert "Bill of materials and inspection plan" in page["headings"] and "Finishing instructions" in page["headings"]
    under: dict[str, set] = {}  # link -> the headings it is listed under
    for href, _, heading in page["links"]:
        under.setdefault(href, set()).add(heading)
    for f in ("bom/DL-2_revB.xlsx", "bom/DL-2_revB_bom.csv"):
        assert under[f] == {"Bill of materials and inspection plan", "In this package"}, f
    finishing = sorted(n for n in names if n.startswith("finishing/"))
    assert len(finishing) == 5 and all("Finishing instructions" in under[f] for f in finishing)
    assert page["title"].startswith("DL-2")

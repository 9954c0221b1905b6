"""Shared test helpers: write small specs and models into a temporary folder, run the CLI."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from techpack.cli import main

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = REPO / "examples" / "desk-lamp" / "techpack.yaml"

PRODUCT = (
    "product: {number: T-1, name: Test product, revision: A, owner: Test Ltd, "
    "drawn_by: T. Tester, approved_by: A. Approver, date: 2026-11-20, batch: 10}\n"
)

BOX_SCRIPT = """
import cadquery as cq

def build(x=10.0, y=20.0, z=30.0):
    return cq.Workplane("XY").box(x, y, z)
"""


class Project:
    """A temporary design folder with a spec and models."""

    def __init__(self, root: Path):
        self.root = root

    def write(self, rel: str, text: str) -> Path:
        p = self.root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return p

    def spec(self, parts_yaml: str, extra: str = "", product: str = PRODUCT, name: str = "techpack.yaml") -> Path:
        body = "techpack: 1\n" + product + extra + "parts:\n" + textwrap.indent(textwrap.dedent(parts_yaml).strip("\n"), "  ") + "\n"
        return self.write(name, body)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    (tmp_path / "design").mkdir()
    return Project(tmp_path / "design")


@pytest.fixture(autouse=True)
def cache_folder(tmp_path_factory, monkeypatch) -> Path:
    """Each test its own build cache (the CLI uses one), never the user's."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("TECHPACK_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def cli():
    """Run the techpack CLI in-process; returns (exit_code, stdout, stderr)."""

    def run(*args: str):
        result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.fixture(scope="session")
def example_package(tmp_path_factory):
    """The bundled example built once for the whole test run: .result (BuildResult),
    .zip_path, and .folder, the package unzipped (DL-2_revB/). Tests read it, never change it."""
    import zipfile
    from types import SimpleNamespace

    from techpack.build import build
    from techpack.report import Reporter

    out = tmp_path_factory.mktemp("example")
    result = build(EXAMPLE, out / "zip", Reporter(0))
    with zipfile.ZipFile(result.zip_path) as zf:
        zf.extractall(out / "unzipped")
    return SimpleNamespace(result=result, zip_path=result.zip_path, folder=out / "unzipped" / "DL-2_revB")

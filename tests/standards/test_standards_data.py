"""The standards data files: shipped inside the package, each table with its source."""

from __future__ import annotations

import json
from importlib import resources

import pytest

import techpack.standards as standards

DATA_FILES = ["iso2768.json", "iso286.json", "iso2859.json", "roughness.json", "bending.json"]


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_table_names_its_source(name):
    data = json.loads(resources.files("techpack.standards").joinpath(name).read_text(encoding="utf-8"))
    assert data
    for table, body in data.items():
        assert isinstance(body.get("source"), str) and len(body["source"]) > 20, (name, table)


def test_package_does_not_read_shared_folder():
    root = resources.files("techpack.standards")
    for entry in root.iterdir():
        if entry.name.endswith(".py"):
            text = entry.read_text(encoding="utf-8")
            assert "../shared" not in text and "/work/shared" not in text, entry.name


def test_public_api():
    for name in standards.__all__:
        assert hasattr(standards, name), name
    assert issubclass(standards.StandardsError, ValueError)


def test_json_ready_results():
    results = [
        standards.tolerance("10 H7"),
        standards.fit("25 H7/p6"),
        standards.sampling_plan(lot=50, aql=1.0),
        standards.parse_roughness("Ra 1.6"),
        standards.parse_general_tolerance("ISO 2768-mK"),
        standards.angular_tolerance(10, "m"),
    ]
    for r in results:
        json.dumps(r.to_dict(), allow_nan=False)

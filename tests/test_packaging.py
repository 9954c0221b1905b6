"""What pip installs: every package folder and the templates."""

from __future__ import annotations

import tomllib
from importlib import resources

from tests.conftest import REPO


def test_every_package_folder_is_listed_in_pyproject():
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "techpack").rglob("__init__.py")}
    assert found | {"techpack.templates"} == listed


def test_templates_are_installed_as_package_data():
    templates = resources.files("techpack.templates")
    assert templates.joinpath("index.html.j2").is_file()
    assert templates.joinpath("starter/techpack.yaml").is_file()
    assert templates.joinpath("starter/models/plate.py").is_file()

"""Jinja templates: the user's templates/ folder beside the spec first, then techpack's own."""

from __future__ import annotations

from pathlib import Path

import jinja2


def environment(spec_folder: Path) -> jinja2.Environment:
    """An environment that finds a template in spec_folder/templates, else in techpack's templates."""
    loader = jinja2.ChoiceLoader(
        [jinja2.FileSystemLoader(spec_folder / "templates"), jinja2.PackageLoader("techpack.templates", ".")]
    )
    return jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

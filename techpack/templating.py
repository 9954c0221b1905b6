"""Jinja templates: the user's templates/ folder beside the spec first, then techpack's own."""

from __future__ import annotations

import traceback
from pathlib import Path

import jinja2

from techpack.errors import InputError, Problem, Where


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


def render(env: jinja2.Environment, name: str, **values) -> str:
    """Render template `name`; an error in it (a user's override, say) names the template and line."""
    try:
        template = env.get_template(name)
        return template.render(**values)
    except jinja2.TemplateSyntaxError as exc:
        raise _syntax_error(exc, name) from None
    except Exception as exc:  # noqa: BLE001 - {{ 1/0 }}, {{ part.number + 1 }}: the template's error, not techpack's
        filename, line = None, 0
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename.endswith(name) or frame.filename == "<template>":
                line, filename = frame.lineno, frame.filename
        raise InputError(Problem(Where(filename or name, line, 1 if line else 0), "", f"template error: {exc.__class__.__name__ + ': ' if not isinstance(exc, jinja2.TemplateError) else ''}{exc}")) from None


def check_templates(spec_folder: Path, names) -> None:
    """Parse each template (the user's override, else techpack's) so that a syntax error is
    reported before any geometry is built, by `check` as well as by `build`."""
    env = environment(spec_folder)
    for name in names:
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            raise _syntax_error(exc, name) from None


def _syntax_error(exc: jinja2.TemplateSyntaxError, name: str) -> InputError:
    return InputError(Problem(Where(exc.filename or name, exc.lineno or 0, 1 if exc.lineno else 0), "", f"template syntax error: {exc.message}"))

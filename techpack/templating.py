"""Jinja templates: the user's templates/ folder beside the spec first, then techpack's own.

A user's template is the repository's code, like a model script, but it is held to less:
it must be a regular file inside the spec's repository (a symlink that leads out of it is
refused, so a template cannot ship /etc/passwd as index.html), and every template renders
in Jinja's SandboxedEnvironment, where Python's internals (`cycler.__init__.__globals__`)
are out of reach: a template fills in a page, it cannot run a command. HTML templates
(.html, .html.j2) are autoescaped, so a name with `<` or `&` in it stays text.
"""

from __future__ import annotations

import os
import traceback
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from techpack.errors import InputError, Problem, Where
from techpack.limits import SPEC_MAX_BYTES
from techpack.safety import read_regular_file

AUTOESCAPE = ("html", "html.j2", "htm", "xhtml", "xml", "svg")  # the extensions whose output is markup


class RepositoryLoader(jinja2.BaseLoader):
    """Templates from `folder` (the spec's templates/), each a regular file inside `root`, the
    spec's repository; a template not there is left to the next loader (techpack's own)."""

    def __init__(self, folder: Path, root: Path):
        self.folder = Path(folder)
        self.root = Path(root)

    def get_source(self, environment: jinja2.Environment, template: str):
        path = self.folder.joinpath(*split_template_path(template))  # refuses '..' in the name
        if not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        display = os.fspath(path)
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError):  # a dangling link or a symlink loop (RuntimeError before Python 3.13)
            raise InputError(Problem(Where(display), "", "is a symlink that leads nowhere (a missing file or a loop); "
                                     "put the template itself in templates/, or remove it to use techpack's")) from None
        root = self.root.resolve()
        if not resolved.is_relative_to(root):
            raise InputError(Problem(Where(display), "", f"leads to {resolved}, outside the spec's repository ({root}); "
                                     "a template must be a file in the repository (copy it in instead of linking to it)"))
        raw = read_regular_file(resolved, display, SPEC_MAX_BYTES, what="template")
        try:
            source = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(Problem(Where(display), "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")) from None
        mtime = os.path.getmtime(resolved)
        return source, os.fspath(path), lambda: os.path.exists(resolved) and os.path.getmtime(resolved) == mtime


def environment(spec_folder: Path, root: Path | None = None) -> jinja2.Environment:
    """A sandboxed environment that finds a template in spec_folder/templates (inside root, the
    spec's repository: by default its git work tree, else spec_folder), else in techpack's."""
    if root is None:
        from techpack.spec.load import find_root

        root = find_root(Path(spec_folder).absolute())
    loader = jinja2.ChoiceLoader(
        [RepositoryLoader(Path(spec_folder) / "templates", root), jinja2.PackageLoader("techpack.templates", ".")]
    )
    return SandboxedEnvironment(
        loader=loader,
        autoescape=jinja2.select_autoescape(AUTOESCAPE, default_for_string=True),
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
    except InputError:
        raise
    except jinja2.TemplateSyntaxError as exc:
        raise _syntax_error(exc, name) from None
    except Exception as exc:  # noqa: BLE001 - {{ 1/0 }}, {{ part.number + 1 }}: the template's error, not techpack's
        filename, line = None, 0
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename.endswith(name) or frame.filename == "<template>":
                line, filename = frame.lineno, frame.filename
        if isinstance(exc, SecurityError):
            message = (f"template refused: {exc} (templates are rendered in Jinja's sandbox: they fill in values, "
                       "they cannot reach Python's internals or run commands)")
        else:
            message = f"template error: {exc.__class__.__name__ + ': ' if not isinstance(exc, jinja2.TemplateError) else ''}{exc}"
        raise InputError(Problem(Where(filename or name, line, 1 if line else 0), "", message)) from None


def check_templates(spec_folder: Path, names) -> None:
    """Parse each template (the user's override, else techpack's) so that a syntax error, or a
    template outside the repository, is reported before any geometry is built, by `check` as
    well as by `build`."""
    env = environment(spec_folder)
    for name in names:
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            raise _syntax_error(exc, name) from None


def _syntax_error(exc: jinja2.TemplateSyntaxError, name: str) -> InputError:
    return InputError(Problem(Where(exc.filename or name, exc.lineno or 0, 1 if exc.lineno else 0), "", f"template syntax error: {exc.message}"))

"""index.html: the package's cover page, for whoever opens the zip in a browser. The full
package's is the designer's and assembler's; a supplier's is a request for quotation addressed
to them. What it says comes from cover.facts(), shared with cover.pdf; how it looks, from the
template templates/index.html.j2 (a templates/ folder beside the spec overrides it)."""

from __future__ import annotations

from techpack.context import BuildContext, Output
from techpack.summary import PartSummary
from techpack.documents import templates
from techpack.documents.cover import facts
from techpack.templating import environment, render

NAME = "index"
FILE = "index.html"
TEMPLATES = templates(NAME)


def write(ctx: BuildContext, parts: list[PartSummary]) -> list[Output]:
    html = render(environment(ctx.loaded.folder), TEMPLATES[0], **facts(ctx, parts))
    ctx.path(FILE).write_text(html, encoding="utf-8")
    return [Output(FILE, NAME)]

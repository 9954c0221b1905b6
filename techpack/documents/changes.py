"""changes.html: what changed since an earlier revision (`build --since REV`), for a supplier
re-quoting, with a picture of each part's changed region (changes/<part number>_changed.png).

ctx.changes is techpack.diff.changes_since()'s dict; without it (no --since) nothing is written.
Only the parts and hardware of ctx.spec are listed, with the items removed since that were the
package's supplier's (all of them in the full package): a supplier's package, whose spec holds
only their parts, lists only theirs. Rendered from templates/changes.html.j2 (a templates/
folder beside the spec overrides it)."""

from __future__ import annotations

from techpack import __version__
from techpack.context import BuildContext, Output
from techpack.documents import templates
from techpack.templating import environment, render

NAME = "changes"
FILE = "changes.html"
FOLDER = "changes"
TEMPLATES = templates(NAME)
LEGEND = "Orange: material added; blue: material removed; grey: the part as it is now; circled: where it changed."


def picture_path(number: str) -> str:
    """The package path of a part's changed-region picture."""
    return f"{FOLDER}/{number}_changed.png"


def visible(ctx: BuildContext, kind: str) -> list[dict]:
    """The changes dict's parts or hardware this package may show: those in its spec, and removed
    ones that were its supplier's (every removed one in the full package)."""
    have = {p.number for p in ctx.spec.parts} if kind == "parts" else {h.number for h in ctx.spec.hardware}

    def shown(item: dict) -> bool:
        if item.get("status") == "removed":
            return item["number"] not in have and (ctx.supplier is None or item.get("supplier") == ctx.supplier)
        return item["number"] in have

    return [item for item in (ctx.changes or {}).get(kind, []) if shown(item)]


def write(ctx: BuildContext, parts) -> list[Output]:
    if ctx.changes is None:
        return []
    outputs = []
    rows = []
    for item in visible(ctx, "parts"):
        row = {"number": item["number"], "name": item.get("name", ""), "status": item.get("status", "changed"),
               "lines": list(item.get("lines", [])), "picture": None}
        if item.get("picture"):
            rel = picture_path(item["number"])
            ctx.path(rel).write_bytes(item["picture"])
            outputs.append(Output(rel, NAME, item["number"]))
            row["picture"] = rel
        rows.append(row)
    hardware = [{"number": h["number"], "name": h.get("name", ""), "status": h.get("status", "changed"), "lines": list(h.get("lines", []))}
                for h in visible(ctx, "hardware")]
    product = ctx.spec.product
    html = render(
        environment(ctx.loaded.folder), TEMPLATES[0],
        product={"number": product.number, "name": product.name, "revision": product.revision},
        date=ctx.date.isoformat(),
        since=ctx.changes.get("since", ""),
        mode="rfq" if ctx.supplier is not None else "package",
        released=ctx.released,
        product_changes=list(ctx.changes.get("product", [])),
        parts=rows,
        hardware=hardware,
        legend=LEGEND,
        notice=ctx.notice,
        version=__version__,
    )
    ctx.path(FILE).write_text(html, encoding="utf-8")
    outputs.append(Output(FILE, NAME))
    return outputs

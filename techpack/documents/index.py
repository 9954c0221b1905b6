"""index.html: what is in the package, for the supplier who opens it in a browser."""

from __future__ import annotations

from techpack import __version__
from techpack.context import BuildContext, Output
from techpack.geometry import PartModel
from techpack.templating import environment, render

NAME = "index"
FILE = "index.html"
TEMPLATES = ("index.html.j2",)


def write(ctx: BuildContext, parts: list[PartModel]) -> list[Output]:
    catalog = ctx.loaded.catalog
    spec = ctx.spec
    files_by_part: dict[str, list[str]] = {}
    for out in ctx.outputs:
        if out.part:
            files_by_part.setdefault(out.part, []).append(out.path)
    rows = [
        {
            "number": p.spec.number,
            "name": p.spec.name,
            "qty": p.spec.qty,
            "batch_qty": p.spec.qty * spec.product.batch,
            "material": catalog.material(p.spec.material).title,
            "process": catalog.processes[p.spec.process].title,
            "supplier": spec.suppliers[p.spec.supplier].name if p.spec.supplier else "",
            "finish": [f.describe() for f in ctx.loaded.finishes(p.spec)],
            "size": " × ".join(f"{v:.1f}".removesuffix(".0") for v in p.bbox_mm),
            "files": files_by_part.get(p.spec.number, []),
        }
        for p in parts
    ]
    hardware = [
        {
            "number": h.number,
            "name": h.name,
            "qty": h.qty,
            "batch_qty": h.qty * spec.product.batch,
            "supplier": spec.suppliers[h.supplier].name if h.supplier else "",
        }
        for h in spec.hardware
    ]
    html = render(
        environment(ctx.loaded.folder),
        TEMPLATES[0],
        product=spec.product,
        date=ctx.date.isoformat(),
        suppliers=spec.suppliers,
        parts=rows,
        hardware=hardware,
        files=sorted(o.path for o in ctx.outputs),
        workbook=sorted(o.path for o in ctx.outputs if o.kind == "workbook"),
        finishing=sorted(o.path for o in ctx.outputs if o.kind == "finishing"),
        git=ctx.git,
        version=__version__,
    )
    ctx.path(FILE).write_text(html, encoding="utf-8")
    return [Output(FILE, NAME)]

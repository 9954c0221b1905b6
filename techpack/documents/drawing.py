"""drawings/<part>_<slug>_rev<R>.pdf: an ISO drawing sheet per part, and
drawings/<part>_characteristics.json, the numbered characteristics for inspection.

Three steps a part: plan the sheet (plan.py: views from OCCT's hidden-line removal in
views.py, sections in section.py, laid out on an ISO 5457 sheet with an ISO 7200 title
block by layout.py and sheet.py), annotate it (dimension.py: values from the part model,
never from projected edges, each placed by the sheet's one placement search, room.py,
onto a display list, display.py), and render the display lists (render.py). A lint
proves no text overlaps text or a view."""

from __future__ import annotations

import json

from techpack import __version__
from techpack.context import BuildContext, Output
from techpack.documents.dimension import Marking
from techpack.documents.display import lint
from techpack.documents.cutfiles import FAMILY as FLAT_FAMILY
from techpack.documents.faces import toleranced
from techpack.documents.flatview import flat_page
from techpack.documents.plan import plan_sheet
from techpack.documents.render import render
from techpack.documents.sheet import TitleBlock
from techpack.fonts import register
from techpack.geometry.profile import NotFlat
from techpack.geometry.unfold import UnfoldError
from techpack.geometry.model import PartModel

NAME = "drawing"


def write(ctx: BuildContext, parts: list[PartModel]) -> list[Output]:
    outputs = []
    for k, built in enumerate(parts, 1):
        ctx.log.progress(k, len(parts), f"drawing {built.spec.number}")
        got, problems = draw_part(ctx, built)
        for problem in problems:
            ctx.log.info(f"  drawing {built.spec.number}: {problem}")
        outputs += got
    return outputs


def _title(ctx: BuildContext, model: PartModel) -> TitleBlock:
    """The title block's fields but the scale and the sheet size (the plan's)."""
    product, part, loaded = ctx.spec.product, model.spec, ctx.loaded
    mass_g = model.mass_g
    return TitleBlock(
        owner=product.owner, number=part.number, title=part.name, revision=product.revision, date=ctx.date.isoformat(),
        creator=product.drawn_by, approver=product.approved_by or "", material=model.material.title,
        finish="; ".join(f.describe() for f in loaded.finishes(part)) or "none",
        mass=f"{mass_g / 1000:.2f} kg" if mass_g >= 1000 else f"{mass_g:.0f} g" if mass_g >= 10 else f"{mass_g:.1f} g",
        scale="", projection=product.projection, general_tolerance=loaded.general_tolerance(part).designation, size="",
        supplementary_title=f"{product.number} {product.name}", notice=ctx.notice,
    )


def draw_part(ctx: BuildContext, model: PartModel) -> tuple[list[Output], list[str]]:
    """Write the part's drawing and characteristics; return them and what the lint found.
    The balloons carry the model's characteristic numbers (techpack.inspection)."""
    regular, bold = register()
    product, part = ctx.spec.product, model.spec
    plan = plan_sheet(ctx, model, _title(ctx, model), regular)
    marked = Marking(ctx, plan, regular, bold).run()
    flat_problems = []
    if model.features.bends and ctx.loaded.catalog.processes[part.process].family == FLAT_FAMILY:  # a bent sheet: its flat pattern on a sheet of its own
        try:
            page, crowded = flat_page(model.flat, plan.sheet.drawing_area, plan.furniture, regular)
            marked.pages.append(page)
            flat_problems = [f"flat pattern: no room for {what}" for what in crowded]
        except (UnfoldError, NotFlat) as exc:  # the flat-pattern rule's error says why
            flat_problems = [f"no flat pattern: {exc}"]
    rel = f"drawings/{plan.stem}.pdf"
    render(str(ctx.path(rel)), plan.sheet, plan.title, marked.pages, bold=bold, released=ctx.released, meta={
        "title": f"{part.number} {part.name} rev {product.revision}", "author": product.drawn_by,
        "creator": f"techpack {__version__}", "subject": f"Part drawing, {product.number} {product.name}",
        "keywords": [part.number, f"revision {product.revision}", product.number, "drawing"]})
    first, *more = marked.pages
    missing = [f"feature '{f.name}': its tolerances are on no view (no view sees the {next(iter(f.select))} it selects end-on or edge-on)"
               for f in model.called if id(f) not in marked.shown and toleranced(f)]
    missing += [f"characteristic {c.number} ({c.feature}: {c.text}) has no balloon on the sheet; the inspection plan lists it"
                for c in model.characteristics if c.number not in marked.ballooned and id(model.called[c.feature_index]) in marked.shown]
    area = plan.sheet.drawing_area
    problems = (missing + marked.problems + flat_problems + lint(first.labels, marked.geometry, area, first.ruled())
                + [p for page in more for p in lint(page.labels, [], area)])
    chars_rel = f"drawings/{part.number}_characteristics.json"
    ctx.path(chars_rel).write_text(
        json.dumps({"part": part.number, "drawing": rel,
                    "characteristics": [c.to_dict() | {"view": marked.ballooned.get(c.number)} for c in model.characteristics],
                    "pmi_not_called_out": list(model.pmi_notes)},
                   indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return [Output(rel, NAME, part.number), Output(chars_rel, NAME, part.number)], problems

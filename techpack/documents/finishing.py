"""finishing/<part>_<slug>_rev<R>_finishing.pdf: the finishing instructions, one document per
part that has a `finish:`.

The text comes from Jinja templates (templates/finishing/document.j2, then one per section;
a templates/ folder beside the spec overrides any of them). They render a small
line markup, documented in document.j2, that this module lays out with ReportLab platypus on
A4 portrait sheets with the drawings' ISO 7200 title block on every page. The values the
templates get are computed here (values()) from the part model, the catalog and
techpack.finish_effects; the wording is the templates'.

The masking picture is a flat-shaded z-buffer rendering of the part's mesh (numpy, no
hidden-line removal), the masked faces in orange and marked M1, M2 ... at their visible
centre, seen from the isometric direction that shows most of the masked area (and a second
view when a masked feature cannot be seen in the first). Lengths in mm; PDFs are
deterministic (ReportLab invariant mode).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
from dataclasses import dataclass, replace
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import registerFontFamily, stringWidth
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, Image, KeepTogether, LayoutError, PageTemplate, Paragraph, Spacer, Table, TableStyle

from techpack import __version__
from techpack.catalog.model import applies
from techpack.context import BuildContext, Output
from techpack.documents import templates
from techpack.documents.pdf import HeldPages, not_released, stamp
from techpack.documents.sheet import MM, TitleBlock, draw_sheet, layout
from techpack.errors import InputError, Problem, Where
from techpack.finish_effects import after_finish, growing, masked_surfaces
from techpack.documents.mask_picture import MaskPicture, mask_pictures
from techpack.fonts import register
from techpack.inspection import fmt
from techpack.quantities import order_qty
from techpack.naming import part_stem
from techpack.templating import environment, render

NAME = "finishing"
TEMPLATES = templates(NAME)
CHECKS = {"thickness": "Film thickness", "adhesion": "Adhesion", "gloss": "Gloss", "colour": "Colour", "seal": "Sealing",
          "verification": "Passivation", "appearance": "Appearance"}


def write(ctx: BuildContext, parts) -> list[Output]:
    env = environment(ctx.loaded.folder)
    out = []
    finished = [m for m in parts if ctx.loaded.finishes(m.spec)]
    for k, model in enumerate(finished, 1):
        finishes = ctx.loaded.finishes(model.spec)
        rel = f"finishing/{part_stem(model.spec, ctx.spec.product)}_finishing.pdf"
        ctx.log.progress(k, len(finished), f"finishing {model.spec.number}")
        masked = masked_surfaces(model)
        pictures = mask_pictures(model, masked) if masked else []
        given = values(ctx, model, finishes, masked, pictures)
        blocks = [b for name in TEMPLATES  # one at a time: an error names its own file
                  for b in parse(render(env, name, **given), env.get_template(name).filename or name)]
        _pdf(ctx, model, finishes, rel, blocks, pictures)
        out.append(Output(rel, NAME, model.spec.number))
    return out


# --- the values the templates get -------------------------------------------------------------


def values(ctx: BuildContext, model, finishes, masked, pictures) -> dict:
    """Everything the templates read: plain values, sizes in mm, thicknesses in µm."""
    part, product, catalog = model.spec, ctx.spec.product, ctx.loaded.catalog
    grow = growing(finishes)
    kinds = {f.finish.dimensions for f in grow}
    return {
        "product": product, "part": part, "date": ctx.date.isoformat(),
        "material": model.material.title if model.material else part.material,
        "process": catalog.processes[part.process].title if part.process in catalog.processes else part.process,
        "batch": product.batch, "quantity": order_qty(part, product),
        "dimensions": kinds.pop() if len(kinds) == 1 else "mixed" if kinds else "none",
        "steps": [step(k, f) for k, f in enumerate(finishes, 1)],
        "masked": [{"mark": f"M{k}", "feature": m.feature, "reason": m.reason, "balloons": ", ".join(map(str, m.balloons)),
                    "faces": len(m.face_ids)} for k, m in enumerate(masked, 1)],
        "views": [p.caption for p in pictures],
        "growth": [{"title": f.finish.title, "thickness_um": fmt(f.thickness_um), "growth_um": fmt(f.growth_per_surface_um),
                    "diameter_um": fmt(2 * f.growth_per_surface_um), "dimensions": f.finish.dimensions} for f in grow],
        "sizes": [{"balloon": s.balloon, "feature": s.feature, "text": s.text, "surfaces": s.surfaces,
                   "machined": f"{_mm(s.machined_lower)} – {_mm(s.machined_upper)}",
                   "finished": f"{_mm(s.finished_lower)} – {_mm(s.finished_upper)}"} for s in after_finish(model, ctx.loaded)],
        "tests": [t for k, f in enumerate(finishes, 1) for t in tests(f, model.material, k if len(finishes) > 1 else None)],
        "cosmetic": cosmetic(part, catalog, model),
        "photos": [{"n": k, "name": p} for k, p in enumerate(part.photos, 1)],
    }


def _mm(v: float) -> str:
    """A limit in mm to at least 3 decimals (µm), at most 4."""
    text = f"{v:.4f}"
    return text.removesuffix("0")


def _value(value, unit: str | None = None) -> str:
    shown = "yes" if value is True else "no" if value is False else fmt(value, 4) if isinstance(value, float) else str(value)
    return f"{shown} {unit}" if unit and unit not in ("coats", "grit") else shown


def _label(key: str) -> str:
    return {"ra_um": "Ra", "thickness_um": "Thickness"}.get(key, key.replace("_", " ").capitalize())


SHOWN_APART = ("ral", "pantone", "colour", "gloss", "delta_e", "thickness_um", "sealed")


def step(n: int, applied) -> dict:
    """One finish step: its parameter rows (label, value), process sequence, cure and notes."""
    f, params = applied.finish, applied.params
    rows = [(_label(k), _value(v, f.params[k].unit)) for k, v in params.items() if k not in SHOWN_APART]
    if "sealed" in params:
        rows.append(("Sealing", "sealed" if params["sealed"] is True else "unsealed"))
    colour = applied.colour
    if colour:
        rows.append(("Colour", colour))
    if "gloss" in params:
        rows.append(("Gloss", applied.gloss))
    if applied.thickness_um:
        rows.append(("Thickness", f"{fmt(applied.thickness_um)} µm"))
        if applied.growth_per_surface_um:
            rows.append(("Growth per surface", f"{fmt(applied.growth_per_surface_um)} µm (dimensions apply {f.dimensions} finishing)"))
    if f.cure:
        rows.append(("Cure", cure_text(f.cure)))
    if "delta_e" in params:
        rows.append(("Colour tolerance", f"ΔE*ab ≤ {_value(params['delta_e'])}"))
    return {
        "n": n, "title": f.title, "key": f.key, "standard": applied.standard or "", "describe": applied.describe(), "rows": rows,
        "sequence": list(f.sequence), "sequence_source": f.sequence_source or "",
        "notes": [{"text": note.text, "source": note.source} for note in f.notes if applies(note, params, applied.given)],
    }


def cure_text(cure) -> str:
    lo, hi = cure.temperature_c
    text = f"{fmt(lo)} °C" if lo == hi else f"{fmt(lo)}–{fmt(hi)} °C"
    if cure.time_min:
        a, b = cure.time_min
        text += f", {fmt(a)} min" if a == b else f", {fmt(a)}–{fmt(b)} min"
    return text + (f"; {cure.note}" if cure.note else "")


def tests(applied, material, n: int | None) -> list[dict]:
    """The finish's acceptance tests that apply: one thickness test, the first that suits the
    material; the others whose `when` the params match. Criteria with the spec's numbers."""
    f, params = applied.finish, applied.params
    out, thickness = [], False
    for t in f.tests:
        if not applies(t, params, applied.given) or not t.suits(material) or (t.kind == "thickness" and thickness):
            continue
        thickness |= t.kind == "thickness"
        criterion = re.sub(r"\{(\w+)\}", lambda m: _value(params.get(m[1], m[0])), t.criterion or "")
        if t.kind == "thickness" and applied.thickness_um:
            criterion = "; ".join(filter(None, (f"{fmt(applied.thickness_um)} µm as specified", criterion)))
        elif t.kind == "gloss" and "gloss" in params:
            criterion = applied.gloss
        elif t.kind == "colour":
            criterion = f"{criterion}, against {colour_standard(applied)}"
        check = CHECKS[t.kind] if n is None else f"Step {n}: {CHECKS[t.kind].lower()}"
        out.append({"check": check, "standard": t.standard, "method": t.method, "criterion": criterion or "–", "source": t.source})
    return out


def colour_standard(applied) -> str:
    """What the colour is compared with: the physical card or guide, else the approved sample."""
    if applied.ral:
        return f"the physical RAL {applied.ral.code} {applied.ral.name} card"
    if "pantone" in applied.params:
        return f"the physical Pantone guide, {applied.params['pantone']}"
    return f"the approved limit sample ({applied.params.get('colour', 'colour')})"


def cosmetic(part, catalog, model) -> dict:
    """The part's cosmetic class (B for a finished part unless given), each feature's own, and
    what the classes used allow."""
    own = [s for s in model.selections if s.feature.cosmetic]
    base = part.cosmetic or "B"
    surfaces = [{"surface": "All other surfaces" if own else "All surfaces", "cls": base}]
    for s in own:
        balloons = ", ".join(str(c.number) for c in model.characteristics if c.feature_index == s.index)
        surfaces.append({"surface": s.feature.name + (f" (balloons {balloons})" if balloons else ""), "cls": s.feature.cosmetic})
    used = sorted({x["cls"] for x in surfaces})
    first = catalog.cosmetic[used[0]]
    return {
        "part": base, "surfaces": surfaces, "classes": [catalog.cosmetic[c] for c in used], "rules": catalog.cosmetic_rules,
        "visible": [c for c in used if c in ("A", "B")],
        "view_distance": fmt(first.distance_mm), "view_time": fmt(first.time_s),
    }


# --- the markup --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    kind: str  # title, h1, h2, p, li, note, table, masking, photo, keep
    text: str = ""
    rows: tuple = ()  # a table's rows of cells; a keep's blocks
    header: bool = False
    source: str = ""  # the template it came from


def parse(text: str, source: str = "") -> list[Block]:
    """A rendered template's lines as blocks (the markup is documented in document.j2)."""
    blocks: list[Block] = []
    stack: list[list[Block]] = [blocks]
    para: list[str] = []
    rows: list[list[str]] = []
    header = False

    def flush() -> None:
        nonlocal header
        if para:
            stack[-1].append(Block("p", " ".join(para)))
            para.clear()
        if rows:
            stack[-1].append(Block("table", rows=tuple(tuple(r) for r in rows), header=header))
            rows.clear()
            header = False

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("|"):
            if para:
                flush()
            cells = [c.strip() for c in line.strip("|").split("|")]
            if rows and len(rows) == 1 and all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                header = True
            else:
                rows.append(cells)
            continue
        if rows:
            flush()
        if not line:
            flush()
        elif line == "@keep":
            flush()
            stack.append([])
        elif line == "@end" and len(stack) > 1:
            flush()
            inner = stack.pop()
            stack[-1].append(Block("keep", rows=tuple(inner)))
        elif line == "@masking":
            flush()
            stack[-1].append(Block("masking"))
        elif m := re.fullmatch(r"@photo\s+(\d+)", line):
            flush()
            stack[-1].append(Block("photo", m[1], source=source))
        elif m := re.fullmatch(r"(=|#|##|-|~)\s+(.*)", line):
            flush()
            kind = {"=": "title", "#": "h1", "##": "h2", "-": "li", "~": "note"}[m[1]]
            stack[-1].append(Block(kind, m[2]))
        else:
            para.append(line)
    flush()
    while len(stack) > 1:  # an @keep without @end runs to the end
        inner = stack.pop()
        stack[-1].append(Block("keep", rows=tuple(inner)))
    return blocks


def inline(text: str) -> str:
    """Markup text as ReportLab paragraph XML: escaped, **bold** in bold."""
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", escape(text))


# --- the PDF -----------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = register()
    registerFontFamily(regular, normal=regular, bold=bold, italic=regular, boldItalic=bold)
    body = ParagraphStyle("body", fontName=regular, fontSize=8.5, leading=11, spaceAfter=3)
    return {
        "title": ParagraphStyle("title", body, fontName=bold, fontSize=14, leading=17, spaceAfter=6),
        "h1": ParagraphStyle("h1", body, fontName=bold, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4, keepWithNext=1),
        "h2": ParagraphStyle("h2", body, fontName=bold, fontSize=9.5, leading=12, spaceBefore=5, spaceAfter=3, keepWithNext=1),
        "p": body,
        "li": ParagraphStyle("li", body, leftIndent=10, bulletIndent=2, spaceAfter=1.5, bulletFontName=regular),
        "note": ParagraphStyle("note", body, fontSize=6.5, leading=8, textColor=colors.HexColor("#666666"), spaceAfter=4),
        "cell": ParagraphStyle("cell", body, fontSize=7.5, leading=9.2, spaceAfter=0),
        "head": ParagraphStyle("head", body, fontName=bold, fontSize=7.5, leading=9.2, spaceAfter=0),
    }


class _Sheets(HeldPages):
    """Held pages, each with the frame and a title block saying "sheet k of n"; dated and in the
    bundled font like every techpack PDF (pdf.py)."""

    def __init__(self, *args, title: TitleBlock, released: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.title, self.released = title, released
        stamp(self, dt.date.fromisoformat(title.date))

    def finish(self, k: int, n: int) -> None:
        draw_sheet(self, layout("A4", self.title), replace(self.title, sheet=k, sheets=n))
        if not self.released:
            not_released(self)


def _pdf(ctx: BuildContext, model, finishes, rel: str, blocks: list[Block], pictures) -> None:
    part, product = model.spec, ctx.spec.product
    mass = model.mass_g
    title = TitleBlock(
        owner=product.owner, number=part.number, title=part.name, revision=product.revision, date=ctx.date.isoformat(),
        creator=product.drawn_by, approver=product.approved_by or "", document_type="Finishing instructions",
        material=model.material.title if model.material else part.material, finish="; ".join(f.describe() for f in finishes),
        mass=f"{mass / 1000:.2f} kg" if mass >= 1000 else f"{mass:.0f} g" if mass >= 10 else f"{mass:.1f} g",
        scale="–", projection=product.projection, general_tolerance=ctx.loaded.general_tolerance(part).designation,
        size="A4", supplementary_title=f"{product.number} {product.name}", notice=ctx.notice,
    )
    sheet = layout("A4", title)  # the title block grown for long values
    x0, _, x1, y1 = sheet.drawing_area
    ty1 = sheet.title_block[3]
    pad = 5.0
    frame = Frame((x0 + pad) * MM, (ty1 + pad) * MM, (x1 - x0 - 2 * pad) * MM, (y1 - ty1 - 2 * pad) * MM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc = BaseDocTemplate(
        str(ctx.path(rel)), pagesize=(sheet.width * MM, sheet.height * MM), invariant=1, pageCompression=1,
        title=f"Finishing instructions {part.number} {part.name} rev {product.revision}", author=product.drawn_by,
        creator=f"techpack {__version__}", subject=f"Finishing instructions, {product.number} {product.name}",
        keywords=", ".join([part.number, f"revision {product.revision}", product.number, "finishing"]), initialFontName=register()[0],
    )
    doc.addPageTemplates([PageTemplate("sheet", [frame])])
    story = _flowables(blocks, _styles(), frame._width, ctx, part, pictures)
    with _plain_streams():
        try:
            doc.build(story, canvasmaker=functools.partial(_Sheets, title=title, released=ctx.released))
        except LayoutError as exc:  # a user's template made a block taller than a page
            raise InputError(Problem(Where(str(ctx.loaded.folder / "templates" / "finishing"), 0, 0), part.number,
                                     f"the finishing instructions do not fit the page ({exc}); shorten the table or text the templates make")) from None


@contextlib.contextmanager
def _plain_streams():
    """Flate-compressed streams without ASCII85 on top while this document is written: the
    same PDF content, smaller, and without ReportLab's pure-Python ASCII85 encoder (slow on
    pictures). Restored after, so other documents are written as before."""
    before = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = before


def _flowables(blocks: list[Block], styles, width: float, ctx, part, pictures) -> list[Flowable]:
    out: list[Flowable] = []
    for b in blocks:
        if b.kind == "table":
            out += [_table(b, styles, width), Spacer(1, 4)]
        elif b.kind == "keep":
            out.append(KeepTogether(_flowables(list(b.rows), styles, width, ctx, part, pictures)))
        elif b.kind == "masking":
            out += [MaskPicture(p, width) for p in pictures]
        elif b.kind == "photo":
            out.append(_photo(ctx, part, int(b.text), width, b.source))
        elif b.kind == "li":
            out.append(Paragraph(inline(b.text), styles["li"], bulletText="•"))
        else:
            out.append(Paragraph(inline(b.text), styles[b.kind]))
    return out


def _table(b: Block, styles, width: float) -> Table:
    """A table filling the width; a cell that fits on one line is a plain string (cheap to
    lay out), a longer one a wrapping Paragraph."""
    n = max(len(r) for r in b.rows)
    rows = [list(r) + [""] * (n - len(r)) for r in b.rows]
    widths = _widths(rows, width)
    regular, bold = register()
    cells = []
    for i, r in enumerate(rows):
        head = b.header and i == 0
        style = styles["head" if head else "cell"]
        cells.append([c if "**" not in c and stringWidth(c, style.fontName, style.fontSize) <= w - CELL_PAD else Paragraph(inline(c), style)
                      for c, w in zip(r, widths)])
    t = Table(cells, colWidths=widths, repeatRows=1 if b.header else 0, hAlign="LEFT")
    style = [("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#999999")), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("FONT", (0, 0), (-1, -1), regular, 7.5, 9.2),
             ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
             ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    if b.header:
        style += [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")), ("FONT", (0, 0), (-1, 0), bold, 7.5, 9.2)]
    t.setStyle(TableStyle(style))
    return t


CELL_PAD = 8  # pt: a cell's padding (3 + 3) and a margin


def _widths(rows: list[list[str]], width: float) -> list[float]:
    """Column widths (pt) filling `width`: each column at least its longest word, the rest
    shared by how much text the column has on one line."""
    regular, bold = register()
    pad = CELL_PAD + 1
    columns = [[r[i].replace("**", "") for r in rows] for i in range(len(rows[0]))]
    words = [stringWidth(max((w for t in col for w in t.split()), key=len, default="MM"), bold, 7.5) * 1.1 + pad for col in columns]
    lines = [stringWidth(max(col, key=len), regular, 7.5) * 1.05 + pad for col in columns]
    lines = [min(line, width * 0.6) for line in lines]
    if sum(lines) <= width:
        return [line * width / sum(lines) for line in lines]
    spare = width - sum(words)
    if spare <= 0:
        return [w * width / sum(words) for w in words]
    extra = [line - w for line, w in zip(lines, words)]
    total = sum(extra) or 1
    return [w + spare * e / total for w, e in zip(words, extra)]


def _photo(ctx, part, n: int, width: float, source: str) -> Flowable:
    """The part's n-th reference photo, scaled to fit the page width and 90 mm high."""
    if not 1 <= n <= len(part.photos):
        raise InputError(Problem(Where(source), "", f"@photo {n}: {part.number} has {len(part.photos)} photo(s) (spec `photos:`)"))
    path = ctx.loaded.folder / part.photos[n - 1]
    w, h = ImageReader(str(path)).getSize()
    scale = min(width / w, 90 * MM / h, 1.5)
    return Image(str(path), width=w * scale, height=h * scale, hAlign="LEFT")

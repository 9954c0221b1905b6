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
import functools
import re
from dataclasses import dataclass, replace
from xml.sax.saxutils import escape

import numpy as np
from OCP.BRep import BRep_Tool
from OCP.BRepBuilderAPI import BRepBuilderAPI_Copy
from OCP.BRepMesh import BRepMesh_IncrementalMesh
from OCP.TopAbs import TopAbs_FACE, TopAbs_REVERSED
from OCP.TopExp import TopExp
from OCP.TopLoc import TopLoc_Location
from OCP.TopoDS import TopoDS
from OCP.TopTools import TopTools_IndexedMapOfShape
from PIL import Image as PILImage
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import registerFontFamily, stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, Image, KeepTogether, LayoutError, PageTemplate, Paragraph, Spacer, Table, TableStyle

from techpack import __version__
from techpack.catalog.model import applies
from techpack.context import BuildContext, Output
from techpack.documents.sheet import MM, TitleBlock, draw_sheet, layout
from techpack.errors import InputError, Problem, Where
from techpack.finish_effects import after_finish, growing, mask_reason, masked_surfaces
from techpack.fonts import register
from techpack.inspection import fmt
from techpack.quantities import order_qty
from techpack.naming import part_stem
from techpack.templating import environment, render

NAME = "finishing"
TEMPLATES = tuple(f"finishing/{name}.j2" for name in ("document", "steps", "masking", "effect", "acceptance", "handling"))
PALETTE = ((0.93, 0.46, 0.05), (0.13, 0.47, 0.85), (0.80, 0.18, 0.58), (0.05, 0.62, 0.45), (0.55, 0.32, 0.80), (0.80, 0.62, 0.0))  # M1, M2 ...
MARKS_PER_FEATURE = 8  # instances (holes) marked at most
GREY = (0.86, 0.86, 0.84)  # the rest of the part
EDGE = 0.2  # grey level of the lines between faces
PICTURE_PX = 480  # the rendering's longer side, pixels
PICTURE_MM = (150.0, 80.0)  # at most this wide and high on the page
CHECKS = {"thickness": "Film thickness", "adhesion": "Adhesion", "gloss": "Gloss", "colour": "Colour", "seal": "Sealing",
          "verification": "Passivation", "appearance": "Appearance"}


def write(ctx: BuildContext, parts) -> list[Output]:
    env = environment(ctx.loaded.folder)
    out = []
    for model in parts:
        finishes = ctx.loaded.finishes(model.spec)
        if not finishes:
            continue
        rel = f"finishing/{part_stem(model.spec, ctx.spec.product)}_finishing.pdf"
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


class _Sheets(Canvas):
    """A canvas that holds its pages back until the end, so that each page's title block can
    say "sheet k of n"."""

    def __init__(self, *args, title: TitleBlock, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = title
        self._held: list[dict] = []

    def showPage(self) -> None:  # ReportLab's name
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        sheet = layout("A4")
        for k, state in enumerate(self._held, 1):
            self.__dict__.update(state)
            draw_sheet(self, sheet, replace(self.title, sheet=k, sheets=len(self._held)))
            Canvas.showPage(self)
        Canvas.save(self)


def _pdf(ctx: BuildContext, model, finishes, rel: str, blocks: list[Block], pictures) -> None:
    part, product = model.spec, ctx.spec.product
    sheet = layout("A4")
    x0, _, x1, y1 = sheet.drawing_area
    ty1 = sheet.title_block[3]
    pad = 5.0
    frame = Frame((x0 + pad) * MM, (ty1 + pad) * MM, (x1 - x0 - 2 * pad) * MM, (y1 - ty1 - 2 * pad) * MM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    mass = model.mass_g
    title = TitleBlock(
        owner=product.owner, number=part.number, title=part.name, revision=product.revision, date=ctx.date.isoformat(),
        creator=product.drawn_by, approver=product.approved_by or "", document_type="Finishing instructions",
        material=model.material.title if model.material else part.material, finish="; ".join(f.describe() for f in finishes),
        mass=f"{mass / 1000:.2f} kg" if mass >= 1000 else f"{mass:.0f} g" if mass >= 10 else f"{mass:.1f} g",
        scale="–", projection=product.projection, general_tolerance=ctx.loaded.general_tolerance(part).designation,
        size="A4", supplementary_title=f"{product.number} {product.name}",
    )
    doc = BaseDocTemplate(
        str(ctx.path(rel)), pagesize=(sheet.width * MM, sheet.height * MM), invariant=1, pageCompression=1,
        title=f"Finishing instructions {part.number} {part.name} rev {product.revision}", author=product.drawn_by,
        creator=f"techpack {__version__}", subject=f"Finishing instructions, {product.number} {product.name}",
    )
    doc.addPageTemplates([PageTemplate("sheet", [frame])])
    story = _flowables(blocks, _styles(), frame._width, ctx, part, pictures)
    with _plain_streams():
        try:
            doc.build(story, canvasmaker=functools.partial(_Sheets, title=title))
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


# --- the masking picture -----------------------------------------------------------------------

OCTANTS = [(x, y, z) for z in (1, -1) for x, y in ((1, -1), (-1, -1), (1, 1), (-1, 1))]  # the usual iso first
SIDES = {1: "right", -1: "left"}


@dataclass(frozen=True)
class Picture:
    """A rendering: the RGB image, each mark's anchors (pixels from the top left) and colour,
    and a caption."""

    image: np.ndarray  # (h, w, 3) uint8
    marks: tuple[tuple[str, tuple[float, float, float], tuple[tuple[float, float], ...]], ...]
    caption: str


def mask_pictures(model, masked) -> list[Picture]:
    """The part from the isometric direction that shows the most masked area, and a second
    view if a masked feature does not show in the first. Each masked feature in its own
    colour, marked at each instance (each hole) that shows."""
    tris, fids = _mesh(model.solid, max(model.bbox_mm))
    selections = [s for s in model.selections if mask_reason(s.feature)]
    instances = [[set(h.faces) for h in sel.holes][:MARKS_PER_FEATURE] if sel.holes else [set(m.face_ids)]
                 for sel, m in zip(selections, masked)]
    hues = {f: PALETTE[k % len(PALETTE)] for k, m in enumerate(masked) for f in m.face_ids}
    out, left, tried = [], list(range(len(masked))), []
    while left and len(out) < 2:
        faces = {f for k in left for f in masked[k].face_ids}
        score = {d: _facing_area(tris, fids, faces, d) for d in OCTANTS if d not in tried}
        best = max(score.values())
        direction = next(d for d in score if score[d] >= 0.97 * best)  # near-ties to the usual iso, not to mesh noise
        tried.append(direction)
        ids, light = _raster(tris, fids, np.array(direction, dtype=float))
        marks = []
        for k in list(left):
            anchors = [a for group in instances[k] if (a := _anchor(np.isin(ids, list(group)))) is not None]
            if anchors:
                marks.append((f"M{k + 1}", PALETTE[k % len(PALETTE)], tuple(anchors)))
                left.remove(k)
        caption = f"Seen from {'above' if direction[2] > 0 else 'below'}, {'front' if direction[1] < 0 else 'rear'} {SIDES[direction[0]]}"
        out.append(Picture(_colour(ids, light, hues), tuple(marks), caption))
    return out


def _anchor(mask: np.ndarray) -> tuple[float, float] | None:
    """A pixel well inside a region (x, y from the top left), or None if it shows nowhere:
    erode the region while something is left, then take the pixel nearest its centre."""
    ys, xs = np.nonzero(mask)
    if not len(xs):
        return None
    x0, y0 = xs.min(), ys.min()
    mask = np.pad(mask[y0:ys.max() + 1, x0:xs.max() + 1], 1)
    for _ in range(60):
        inner = mask.copy()
        inner[1:, :] &= mask[:-1, :]
        inner[:-1, :] &= mask[1:, :]
        inner[:, 1:] &= mask[:, :-1]
        inner[:, :-1] &= mask[:, 1:]
        if not inner.any():
            break
        mask = inner
    ys, xs = np.nonzero(mask)
    i = int(np.argmin((xs - xs.mean()) ** 2 + (ys - ys.mean()) ** 2))
    return float(xs[i] + x0 - 1) + 0.5, float(ys[i] + y0 - 1) + 0.5


def _mesh(solid, size: float) -> tuple[np.ndarray, np.ndarray]:
    """The solid's triangles (n, 3, 3) mm, outward by their winding, and each one's face id
    (1-based, as in solid.Faces()). Meshes a copy: the part's own triangulation is left alone."""
    shape = BRepBuilderAPI_Copy(solid.wrapped, True, False).Shape()
    BRepMesh_IncrementalMesh(shape, size / 220, False, 0.35, False)
    faces = TopTools_IndexedMapOfShape()
    TopExp.MapShapes_s(shape, TopAbs_FACE, faces)
    tris, fids = [], []
    for fid in range(1, faces.Extent() + 1):
        face = TopoDS.Face_s(faces.FindKey(fid))
        loc = TopLoc_Location()
        mesh = BRep_Tool.Triangulation_s(face, loc)
        if mesh is None:
            continue
        nodes = np.array([mesh.Node(i).Coord() for i in range(1, mesh.NbNodes() + 1)])
        if not loc.IsIdentity():
            trsf = loc.Transformation()
            nodes = np.array([mesh.Node(i).Transformed(trsf).Coord() for i in range(1, mesh.NbNodes() + 1)])
        index = np.array([mesh.Triangle(i).Get() for i in range(1, mesh.NbTriangles() + 1)]) - 1
        if face.Orientation() == TopAbs_REVERSED:
            index = index[:, ::-1]
        tris.append(nodes[index])
        fids.append(np.full(len(index), fid))
    return np.concatenate(tris), np.concatenate(fids)


def _facing_area(tris, fids, faces: set[int], direction) -> float:
    """Area (mm²) of these faces' triangles facing the viewer, projected along direction."""
    d = np.asarray(direction, dtype=float) / np.linalg.norm(direction)
    sel = np.isin(fids, list(faces))
    n = np.cross(tris[sel, 1] - tris[sel, 0], tris[sel, 2] - tris[sel, 0]) @ d
    return float(n[n > 0].sum() / 2)


def _basis(direction: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    view = direction / np.linalg.norm(direction)
    up = np.array([0.0, 0.0, 1.0]) - view * view[2]
    up /= np.linalg.norm(up)
    return view, np.cross(up, view), up


def _raster(tris, fids, direction, px: int = PICTURE_PX) -> tuple[np.ndarray, np.ndarray]:
    """Z-buffer rendering seen from `direction` (towards the viewer), `px` pixels on the longer
    side: per pixel the face id (0: background) and the light on it (0..1). Back faces are
    culled; the nearest triangle covering a pixel's centre wins."""
    view, right, up = _basis(direction)
    normal = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
    area = np.linalg.norm(normal, axis=1)
    front = normal @ view > 1e-9 * area
    sun = view + 0.7 * up - 0.4 * right  # over the viewer's left shoulder
    light = 0.62 + 0.38 * np.clip((normal[front] / area[front, None]) @ (sun / np.linalg.norm(sun)), 0, 1)
    p = np.stack([tris[front] @ right, -(tris[front] @ up), tris[front] @ view], axis=-1)
    lo, hi = p[..., :2].reshape(-1, 2).min(axis=0), p[..., :2].reshape(-1, 2).max(axis=0)
    scale = (px - 8) / max(float((hi - lo).max()), 1e-9)
    p[..., :2] = (p[..., :2] - lo) * scale + 4
    w, h = (np.ceil((hi - lo) * scale) + 8).astype(int)
    pixel, depth, which = _cover(p, w, h)
    order = np.argsort(depth, kind="stable")  # far to near: the nearest is written last
    id_buf, light_buf = np.zeros(w * h, dtype=int), np.ones(w * h)
    id_buf[pixel[order]] = fids[front][which[order]]
    light_buf[pixel[order]] = light[which[order]]
    return id_buf.reshape(h, w), light_buf.reshape(h, w)


def _cover(p: np.ndarray, w: int, h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (pixel index, depth, triangle) whose pixel centre is inside a triangle (x, y in
    pixels, y down; z depth). Scan lines: for each row a triangle spans, the span between its
    sides; triangles grouped by the power of two of their row count, each group at once."""
    xy = p[..., :2]
    u, v = xy[:, 1] - xy[:, 0], xy[:, 2] - xy[:, 0]
    keep = np.abs(u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]) > 1e-9  # seen edge-on: nothing to fill
    index = np.nonzero(keep)[0]
    p = p[keep]
    # the depth plane z = a x + b y + c of each triangle
    m = np.concatenate([p[..., :2], np.ones(p.shape[:2] + (1,))], axis=-1)
    a, b, c = np.linalg.solve(m, p[..., 2, None])[..., 0].T
    first = np.ceil(p[..., 1].min(axis=1) - 0.5).astype(int)
    rows = np.floor(p[..., 1].max(axis=1) - 0.5).astype(int) - first + 1
    bucket = 2 ** np.ceil(np.log2(np.maximum(rows, 1))).astype(int)
    pixels, depths, which = [], [], []
    for k in sorted(set(bucket.tolist())):
        sel = np.nonzero((bucket == k) & (rows > 0))[0]
        if not len(sel):
            continue
        y = first[sel, None] + np.arange(k)[None] + 0.5  # row centres
        left, right_ = np.full(y.shape, np.inf), np.full(y.shape, -np.inf)
        for i, j in ((0, 1), (1, 2), (2, 0)):
            (x0, y0), (x1, y1) = p[sel, i, None, :2].transpose(2, 0, 1), p[sel, j, None, :2].transpose(2, 0, 1)
            crosses = ((y0 - y) * (y1 - y) <= 0) & (y0 != y1)
            x = x0 + (y - y0) * (x1 - x0) / np.where(y0 != y1, y1 - y0, 1)
            left = np.where(crosses, np.minimum(left, x), left)
            right_ = np.where(crosses, np.maximum(right_, x), right_)
        spans = np.isfinite(left)  # the padding rows past a triangle's last row have none
        start = np.maximum(np.ceil(np.where(spans, left, 0) - 0.5), 0).astype(np.int64)
        stop = np.minimum(np.floor(np.where(spans, right_, -1) - 0.5), w - 1).astype(np.int64)
        row = y.astype(np.int64)
        count = np.where((np.arange(k)[None] < rows[sel, None]) & (row >= 0) & (row < h), np.maximum(stop - start + 1, 0), 0)
        n = count.ravel()
        total = int(n.sum())
        if not total:
            continue
        tri = np.repeat(np.broadcast_to(sel[:, None], count.shape).ravel(), n)
        ys = np.repeat(row.ravel(), n)
        offsets = np.arange(total) - np.repeat(np.cumsum(n) - n, n)
        xs = np.repeat(start.ravel(), n) + offsets
        pixels.append(ys * w + xs)
        depths.append(a[tri] * (xs + 0.5) + b[tri] * (ys + 0.5) + c[tri])
        which.append(index[tri])
    if not pixels:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=np.int64)
    return np.concatenate(pixels), np.concatenate(depths), np.concatenate(which)


def _colour(ids: np.ndarray, light: np.ndarray, hues: dict[int, tuple]) -> np.ndarray:
    """RGB: the part grey, each masked face in its feature's colour, shaded; a dark line where
    the face changes; the background white."""
    lut = np.tile(np.array(GREY, dtype=np.float32), (max(int(ids.max()), max(hues, default=0)) + 1, 1))
    for face, hue in hues.items():
        lut[face] = hue
    lut[0] = 1.0
    rgb = lut[ids] * np.where(ids > 0, light, 1.0).astype(np.float32)[..., None] * 255 + 0.5
    edge = np.zeros(ids.shape, dtype=bool)
    edge[:, 1:] |= ids[:, 1:] != ids[:, :-1]
    edge[1:, :] |= ids[1:, :] != ids[:-1, :]
    rgb[edge] = EDGE * 255
    return rgb.astype(np.uint8)


class MaskPicture(Flowable):
    """A Picture across the frame: the image centred, at most PICTURE_MM, its marks in circles
    (beside the image when it is narrow) and its caption under it."""

    def __init__(self, picture: Picture, width: float):
        super().__init__()
        self.picture = picture
        h, w = picture.image.shape[:2]
        self.scale = min(min(width, PICTURE_MM[0] * MM) / w, PICTURE_MM[1] * MM / h)
        self.width, self.w, self.h = width, w * self.scale, h * self.scale
        self.caption = 10.0  # pt under the picture

    def wrap(self, available_width, available_height):  # ReportLab's protocol
        return self.width, self.h + self.caption + 4

    def draw(self) -> None:
        c, p = self.canv, self.picture
        left = (self.width - self.w) / 2
        c.drawImage(ImageReader(PILImage.fromarray(p.image)), left, self.caption, self.w, self.h)
        regular, bold = register()
        r = 3.0 * MM
        taken: list[tuple[float, float]] = []
        for mark, hue, anchors in p.marks:
            for px, py in anchors:
                ax, ay = left + px * self.scale, self.caption + self.h - py * self.scale
                x, y = _clear_spot(ax, ay, r, taken, self.width, self.caption, self.h)
                taken.append((x, y))
                c.setStrokeColorRGB(*hue)
                c.setFillColorRGB(*hue)
                c.setLineWidth(0.8)
                c.line(ax, ay, x, y)
                c.circle(ax, ay, 1.1, stroke=0, fill=1)
                c.setFillColor(colors.white)
                c.setLineWidth(1.2)
                c.circle(x, y, r, stroke=1, fill=1)
                c.setFillColor(colors.black)
                c.setFont(bold, 7)
                c.drawCentredString(x, y - 2.5, mark)
        c.setFont(regular, 7)
        c.setFillColor(colors.HexColor("#444444"))
        c.drawCentredString(self.width / 2, 1, f"{p.caption}. Masked faces in colour, marked as in the table above.")


def _clear_spot(ax: float, ay: float, r: float, taken, width: float, bottom: float, height: float) -> tuple[float, float]:
    """Where a mark's circle goes: off its anchor up and to the right, walking round until it
    is clear of the others and inside the picture."""
    for step in range(48):
        angle = 0.8 + step * 0.75
        reach = 3.2 * r * (1 + step // 8 * 0.5)
        x, y = ax + reach * np.cos(angle), ay + reach * np.sin(angle)
        inside = r <= x <= width - r and bottom + r <= y <= bottom + height - r
        if inside and all((x - a) ** 2 + (y - b) ** 2 >= (2.3 * r) ** 2 for a, b in taken):
            return float(x), float(y)
    return float(min(max(ax, r), width - r)), float(min(max(ay, bottom + r), bottom + height - r))

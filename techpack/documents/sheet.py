"""The drawing sheet: ISO 5457 frame, centring marks and grid, ISO 7200 title block and the
ISO 5456-2 projection symbol, drawn on a ReportLab canvas.

Every length here is in millimetres on the paper, origin at the lower-left corner of the
trimmed sheet. The drawing functions take a canvas in ReportLab points (as created with
``pagesize=(width * MM, height * MM)``) and scale to millimetres inside
``saveState``/``restoreState``, so nothing leaks into the caller's graphics state.

Text sizes (``size_mm``) are font sizes (the em height) of the bundled DejaVu Sans; its capital
letters are 0.73 of that, so a 2.5 mm label has 1.8 mm capitals, and the 3.5 mm values 2.5 mm ones.

Sources: /work/shared/reference/drawings.md sections 6.1 (frame, centring marks, grid, size
label, 180 mm title block), 6.2 (title block fields), 6.4 (projection symbol), 6.5 (scale),
6.9 (lettering) and 7 (what a supplier drawing carries).
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass

from reportlab.pdfbase import pdfmetrics

from techpack.fonts import register

MM = 72 / 25.4
"""ReportLab points per millimetre."""

SHEETS: dict[str, tuple[float, float]] = {
    "A4": (210, 297),
    "A3": (420, 297),
    "A2": (594, 420),
    "A1": (841, 594),
    "A0": (1189, 841),
}
"""Trimmed sheet (width, height) in mm as laid out: A4 portrait, A3 and larger landscape."""

DIVISIONS: dict[str, tuple[int, int]] = {"A4": (6, 4), "A3": (8, 6), "A2": (12, 8), "A1": (16, 12), "A0": (24, 16)}
"""ISO 5457 grid fields along the (long, short) side."""

LEFT_MARGIN = 20.0  # filing margin, trimmed edge to frame
MARGIN = 10.0  # the other three sides
FIELD = 50.0  # grid field length, measured from the centring marks
CENTRING_INSIDE = 5.0  # centring marks run this far inside the frame
WIDE = 0.7  # frame, centring marks, title block outline
NARROW = 0.35  # grid lines, title block cells
ZONE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, no O
BORDER_TEXT = 3.5  # grid labels and the size designation

TITLE_WIDTH = 180.0
TITLE_HEIGHT = 56.0
LABEL = 2.5  # field labels (1.8 mm capitals); shrink to MIN_TEXT if a label does not fit
VALUE = 3.5
MAIN_VALUE = 5.0  # identification number and title, bold
MIN_TEXT = 1.8
ISO_HEIGHTS = (20.0, 14.0, 10.0, 7.0, 5.0, 3.5, 2.5, 1.8)  # ISO 3098 series: the steps a value shrinks by
PAD = 1.0  # text to cell line, horizontally and at the bottom
LABEL_TOP = 0.8  # top of a label's box below the cell's top line
LEADING = 1.15  # line pitch of wrapped values, times the font size
PROJECTIONS = {"first-angle": "First angle", "third-angle": "Third angle"}

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class TitleBlock:
    """The title block's content (ISO 7200 fields plus what every supplier drawing carries)."""

    owner: str
    number: str
    title: str
    revision: str
    date: str
    creator: str
    approver: str
    document_type: str = "Part drawing"
    sheet: int = 1
    sheets: int = 1
    language: str = "en"
    material: str = ""
    finish: str = ""
    mass: str = ""
    scale: str = "1:1"
    projection: str = "first-angle"  # or "third-angle"
    general_tolerance: str = ""
    units: str = "Dimensions in mm"
    size: str = "A3"
    supplementary_title: str = ""


@dataclass(frozen=True)
class Sheet:
    """Geometry of one sheet, mm, origin at the lower-left trimmed corner."""

    size: str
    width: float
    height: float
    drawing_area: Box  # inside the frame: x0, y0, x1, y1
    title_block: Box
    free_area: Box  # the drawing area above the title block, for views

    @property
    def columns(self) -> tuple[float, ...]:
        """x of the grid field edges, left to right, frame to frame (numbers 1, 2, ... between them)."""
        return _grid(self.size)[0]

    @property
    def rows(self) -> tuple[float, ...]:
        """y of the grid field edges, top to bottom, frame to frame (letters A, B, ... between them)."""
        return _grid(self.size)[1]

    def zone(self, x: float, y: float) -> str:
        """Grid reference ("C4": row letter, column number) of the point (x, y) in mm.

        Columns are numbered from the left, rows lettered from the top. A point on a grid line
        belongs to the field right of it / below it; a point in the border belongs to the field
        beside it. Raises ValueError for a point off the sheet."""
        if not (0 <= x <= self.width and 0 <= y <= self.height):
            raise ValueError(f"({x:g}, {y:g}) mm is off the {self.size} sheet ({self.width:g} x {self.height:g} mm)")
        cols, rows = self.columns, self.rows
        col = bisect.bisect_right(cols[1:-1], x) + 1
        falling = [-r for r in rows[1:-1]]  # ascending, for bisect
        row = bisect.bisect_left(falling, -y)
        return f"{ZONE_LETTERS[row]}{col}"


def _check_size(size: str) -> tuple[float, float]:
    try:
        return SHEETS[size]
    except KeyError:
        raise ValueError(f"unknown sheet size {size!r}; one of {', '.join(SHEETS)}") from None


def _edges(centre: float, lo: float, hi: float, count: int) -> tuple[float, ...]:
    """Field edges of one side: `count` fields, FIELD long from the centring mark at `centre`,
    the two end fields ending at the frame."""
    half = count // 2
    inner = [centre + k * FIELD for k in range(-(half - 1), half)]
    assert lo < inner[0] and inner[-1] < hi, "grid field runs past the frame"
    return (lo, *inner, hi)


@functools.cache
def _grid(size: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    w, h = _check_size(size)
    long, short = DIVISIONS[size]
    across, up = (long, short) if w >= h else (short, long)
    x0, y0, x1, y1 = LEFT_MARGIN, MARGIN, w - MARGIN, h - MARGIN
    cols = _edges(w / 2, x0, x1, across)
    rows = tuple(reversed(_edges(h / 2, y0, y1, up)))
    return cols, rows


def layout(size: str) -> Sheet:
    """The geometry of an ISO 5457 sheet of `size` ("A4" ... "A0"); draws nothing."""
    w, h = _check_size(size)
    x0, y0, x1, y1 = LEFT_MARGIN, MARGIN, w - MARGIN, h - MARGIN
    title = (x1 - TITLE_WIDTH, y0, x1, y0 + TITLE_HEIGHT)
    return Sheet(size=size, width=float(w), height=float(h), drawing_area=(x0, y0, x1, y1), title_block=title,
                 free_area=(x0, title[3], x1, y1))


# --- text -----------------------------------------------------------------------------------


def text_box(font: str, size_mm: float, text: str, x: float, y: float, anchor: str = "start") -> Box:
    """Bounding box (x0, y0, x1, y1, mm) of `text` drawn with its baseline at y and anchored at x
    ("start", "middle" or "end"): stringWidth across, the font's ascent and descent up and down."""
    width = pdfmetrics.stringWidth(text, font, size_mm)
    ascent, descent = pdfmetrics.getAscentDescent(font, size_mm)
    try:
        left = x - {"start": 0.0, "middle": width / 2, "end": width}[anchor]
    except KeyError:
        raise ValueError(f"anchor must be start, middle or end, not {anchor!r}") from None
    return (left, y + descent, left + width, y + ascent)


def _draw_text(c, font: str, size: float, text: str, x: float, y: float, anchor: str = "start") -> Box:
    """Draw on a canvas already scaled to mm; returns the text box."""
    box = text_box(font, size, text, x, y, anchor)
    c.setFont(font, size)
    c.drawString(box[0], y, text)
    return box


def _baseline_centred(font: str, size: float, yc: float) -> float:
    """Baseline that centres the text box vertically on yc."""
    ascent, descent = pdfmetrics.getAscentDescent(font, size)
    return yc - (ascent + descent) / 2


def _split_word(word: str, font: str, size: float, width: float) -> list[str]:
    parts, part = [], ""
    for ch in word:
        if part and pdfmetrics.stringWidth(part + ch, font, size) > width:
            parts.append(part)
            part = ch
        else:
            part += ch
    return parts + [part]


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap (the fewest lines); words wider than a line are broken between characters."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        pieces = _split_word(word, font, size, width) if pdfmetrics.stringWidth(word, font, size) > width else [word]
        for piece in pieces:
            trial = f"{line} {piece}" if line else piece
            if line and pdfmetrics.stringWidth(trial, font, size) > width:
                lines.append(line)
                line = piece
            else:
                line = trial
    return lines + ([line] if line else [])


def _block_height(font: str, size: float, n: int) -> float:
    ascent, descent = pdfmetrics.getAscentDescent(font, size)
    return (n - 1) * LEADING * size + ascent - descent


def fit_text(font: str, nominal: float, text: str, width: float, height: float) -> tuple[float, list[str]]:
    """Size and lines that fit `text` into width x height mm: one line, shrinking by the ISO 3098
    heights from `nominal` down to 1.8 mm; then two lines (largest size first), then more if the
    height allows. If nothing fits, the most lines that fit at 1.8 mm, the last one cut with "…"."""
    text = " ".join(text.split())
    sizes = [s for s in ISO_HEIGHTS if MIN_TEXT <= s < nominal]
    sizes = [nominal, *sizes] if nominal >= MIN_TEXT else [nominal]
    if not text:
        return sizes[0], []
    smallest = sizes[-1]
    most = 1
    while _block_height(font, smallest, most + 1) <= height:
        most += 1
    for n in range(1, most + 1):
        for size in sizes:
            if _block_height(font, size, n) > height:
                continue
            if n == 1:
                if pdfmetrics.stringWidth(text, font, size) <= width:
                    return size, [text]
                continue
            lines = _wrap(text, font, size, width)
            if len(lines) <= n:
                return size, lines
    lines = _wrap(text, font, smallest, width)[:most]
    last = lines[-1]
    while last and pdfmetrics.stringWidth(last + "…", font, smallest) > width:
        last = last[:-1]
    lines[-1] = last.rstrip() + "…"
    return smallest, lines


def _draw_block(c, font: str, size: float, lines: list[str], x: float, yc: float, anchor: str = "start") -> list[Box]:
    """Draw lines centred as a block on yc; returns their boxes."""
    if not lines:
        return []
    ascent, _ = pdfmetrics.getAscentDescent(font, size)
    top = yc + _block_height(font, size, len(lines)) / 2
    return [_draw_text(c, font, size, line, x, top - ascent - i * LEADING * size, anchor) for i, line in enumerate(lines)]


# --- projection symbol ------------------------------------------------------------------------


def projection_symbol_size(h: float) -> tuple[float, float]:
    """(width, height) in mm of the projection symbol for lettering height h, centre lines included."""
    return 6.5 * h, 3.0 * h


def _symbol_geometry(x: float, y: float, h: float, method: str) -> dict:
    """Frustum and circles of the symbol whose lower-left corner is (x, y).

    Small circle diameter h, large circle and large end 2h, frustum length 2.5h (1.25 H), gap h,
    centre lines h/2 beyond the outlines (drawings.md 6.4; proportions unverified there). The
    frustum is always drawn small end left, large end right; the circles (the view from the
    left) go right of it in first-angle projection, next to the large end, and left of it in
    third-angle, next to the small end."""
    if method not in PROJECTIONS:
        raise ValueError(f"projection must be one of {', '.join(PROJECTIONS)}, not {method!r}")
    e, big, small, length, gap = h / 2, 2 * h, h, 2.5 * h, h
    cy = y + e + big / 2
    if method == "first-angle":
        fx0 = x + e
        cx = fx0 + length + gap + big / 2
    else:
        cx = x + e + big / 2
        fx0 = cx + big / 2 + gap
    fx1 = fx0 + length
    return {"cy": cy, "cx": cx, "small_x": fx0, "large_x": fx1, "D": big, "d": small, "e": e,
            "x0": x, "x1": x + projection_symbol_size(h)[0]}


def _projection_symbol_mm(c, x: float, y: float, h: float, method: str) -> None:
    g = _symbol_geometry(x, y, h, method)
    cy, cx, fx0, fx1, big, small, e = g["cy"], g["cx"], g["small_x"], g["large_x"], g["D"], g["d"], g["e"]
    c.saveState()
    c.setStrokeColorRGB(0, 0, 0)
    c.setLineCap(1)
    c.setLineJoin(1)
    c.setLineWidth(h / 10)
    # frustum side view: small end (left), top, large end (right), bottom
    c.line(fx0, cy - small / 2, fx0, cy + small / 2)
    c.line(fx0, cy + small / 2, fx1, cy + big / 2)
    c.line(fx1, cy + big / 2, fx1, cy - big / 2)
    c.line(fx1, cy - big / 2, fx0, cy - small / 2)
    # end view
    c.circle(cx, cy, big / 2, stroke=1, fill=0)
    c.circle(cx, cy, small / 2, stroke=1, fill=0)
    # centre lines, long-dash dotted narrow
    c.setLineWidth(h / 20)
    c.setLineCap(0)
    c.setDash([h * 0.9, h * 0.15, h * 0.05, h * 0.15], 0)
    c.line(g["x0"], cy, g["x1"], cy)
    c.line(cx, cy - big / 2 - e, cx, cy + big / 2 + e)
    c.restoreState()


def projection_symbol(canvas, x: float, y: float, h: float, method: str) -> None:
    """Draw the ISO 5456-2 projection symbol for lettering height h (mm) with the lower-left
    corner of its box (projection_symbol_size(h)) at (x, y) mm. method: "first-angle" or
    "third-angle"."""
    canvas.saveState()
    canvas.scale(MM, MM)
    _projection_symbol_mm(canvas, x, y, h, method)
    canvas.restoreState()


# --- title block ----------------------------------------------------------------------------

# (key, label, x0, y0, x1, y1 relative to the block's lower-left corner, value size, bold)
CELLS: tuple[tuple[str, str, float, float, float, float, float, bool], ...] = (
    ("material", "Material", 0, 44, 90, 56, VALUE, False),
    ("finish", "Finish", 90, 44, 180, 56, VALUE, False),
    ("general_tolerance", "General tolerances", 0, 32, 40, 44, VALUE, False),
    ("mass", "Mass", 40, 32, 65, 44, VALUE, False),
    ("scale", "Scale", 65, 32, 85, 44, VALUE, False),
    ("units", "", 85, 32, 125, 44, VALUE, False),
    ("projection", "Projection", 125, 20, 180, 44, VALUE, False),
    ("document_type", "Document type", 0, 20, 45, 32, VALUE, False),
    ("creator", "Created by", 45, 20, 85, 32, VALUE, False),
    ("approver", "Approved by", 85, 20, 125, 32, VALUE, False),
    ("owner", "Legal owner", 0, 0, 40, 20, VALUE, False),
    ("title", "Title", 40, 9, 115, 20, MAIN_VALUE, True),
    ("supplementary_title", "Supplementary title", 40, 0, 115, 9, VALUE, False),
    ("number", "Identification number", 115, 9, 180, 20, MAIN_VALUE, True),
    ("revision", "Revision", 115, 0, 128, 9, VALUE, False),
    ("date", "Date of issue", 128, 0, 151, 9, VALUE, False),
    ("sheet", "Sheet", 151, 0, 165, 9, VALUE, False),
    ("language", "Language", 165, 0, 180, 9, VALUE, False),
)
"""The title block's fields: 180 x 56 mm, ISO 7200's identifying part in the bottom rows."""


def cell_rects(sheet: Sheet) -> dict[str, Box]:
    """Each title block field's rectangle on the sheet, mm."""
    bx, by = sheet.title_block[:2]
    return {key: (bx + x0, by + y0, bx + x1, by + y1) for key, _, x0, y0, x1, y1, _, _ in CELLS}


def _value(title: TitleBlock, key: str) -> str:
    if key == "sheet":
        return f"{title.sheet}/{title.sheets}"
    return str(getattr(title, key))


def _label(c, font: str, text: str, rect: Box) -> Box:
    x0, _, x1, y1 = rect
    size = LABEL
    if pdfmetrics.stringWidth(text, font, size) > x1 - x0 - 2 * PAD:
        size = MIN_TEXT
    ascent, _ = pdfmetrics.getAscentDescent(font, size)
    return _draw_text(c, font, size, text, x0 + PAD, y1 - LABEL_TOP - ascent)


def _title_block(c, sheet: Sheet, title: TitleBlock, regular: str, bold: str) -> list[Box]:
    boxes: list[Box] = []
    rects = cell_rects(sheet)
    c.setLineWidth(NARROW)
    for x0, y0, x1, y1 in rects.values():
        c.rect(x0, y0, x1 - x0, y1 - y0, stroke=1, fill=0)
    tx0, ty0, tx1, ty1 = sheet.title_block
    c.setLineWidth(WIDE)
    c.rect(tx0, ty0, tx1 - tx0, ty1 - ty0, stroke=1, fill=0)

    for key, label, *_, size, heavy in CELLS:
        x0, y0, x1, y1 = rects[key]
        if label:
            box = _label(c, regular, label, rects[key])
            boxes.append(box)
        else:  # no label (the units statement): the value sits level with its neighbours'
            box = text_box(regular, LABEL, "", x0 + PAD, y1 - LABEL_TOP - pdfmetrics.getAscentDescent(regular, LABEL)[0])
        top = box[1] - 0.5
        if key == "projection":
            boxes += _projection_cell(c, title.projection, (x0, y0, x1, top), regular)
            continue
        font = bold if heavy else regular
        fsize, lines = fit_text(font, size, _value(title, key), x1 - x0 - 2 * PAD, top - (y0 + PAD))
        boxes += _draw_block(c, font, fsize, lines, x0 + PAD, (top + y0 + PAD) / 2)
    return boxes


def _projection_cell(c, method: str, area: Box, font: str) -> list[Box]:
    """The symbol, and "First angle" / "Third angle" under it, centred in area."""
    x0, y0, x1, y1 = area
    caption = PROJECTIONS.get(method)
    if caption is None:
        raise ValueError(f"projection must be one of {', '.join(PROJECTIONS)}, not {method!r}")
    size = LABEL
    descent = pdfmetrics.getAscentDescent(font, size)[1]
    baseline = y0 + PAD - descent
    box = _draw_text(c, font, size, caption, (x0 + x1) / 2, baseline, "middle")
    room_w, room_h = x1 - x0 - 2 * PAD, y1 - (box[3] + 1.0)
    w1, h1 = projection_symbol_size(1.0)
    h = min(5.0, room_w / w1, room_h / h1)
    w, hh = projection_symbol_size(h)
    _projection_symbol_mm(c, (x0 + x1 - w) / 2, box[3] + 1.0 + (room_h - hh) / 2, h, method)
    return [box]


# --- the sheet ------------------------------------------------------------------------------


def _inside(a: float, lo: float, hi: float) -> bool:
    return lo < a < hi


def draw_sheet(canvas, sheet: Sheet, title: TitleBlock) -> list[Box]:
    """Draw frame, centring marks, zone grid and labels, size label, title block and projection symbol.
    Returns the bounding boxes (x0, y0, x1, y1, mm) of every text string drawn, for overlap checks.

    The canvas's page must be the sheet's size (in points); title.size must be sheet.size."""
    if title.size != sheet.size:
        raise ValueError(f"title block is for {title.size} but the sheet is {sheet.size}")
    if title.projection not in PROJECTIONS:
        raise ValueError(f"projection must be one of {', '.join(PROJECTIONS)}, not {title.projection!r}")
    page = getattr(canvas, "_pagesize", None)
    if page is not None and (abs(page[0] - sheet.width * MM) > 0.5 or abs(page[1] - sheet.height * MM) > 0.5):
        raise ValueError(f"canvas page is {page[0] / MM:.1f} x {page[1] / MM:.1f} mm, the {sheet.size} sheet "
                         f"{sheet.width:g} x {sheet.height:g} mm")
    regular, bold = register()
    c = canvas
    c.saveState()
    c.scale(MM, MM)
    c.setStrokeColorRGB(0, 0, 0)
    c.setFillColorRGB(0, 0, 0)
    c.setDash([], 0)
    c.setLineJoin(0)
    c.setLineCap(0)
    boxes: list[Box] = []
    w, h = sheet.width, sheet.height
    x0, y0, x1, y1 = sheet.drawing_area
    tb = sheet.title_block

    # frame
    c.setLineWidth(WIDE)
    c.rect(x0, y0, x1 - x0, y1 - y0, stroke=1, fill=0)

    # grid lines in the border at the inner field edges, and the labels between them
    cols, rows = sheet.columns, sheet.rows
    c.setLineWidth(NARROW)
    for x in cols[1:-1]:
        if x != w / 2:
            c.line(x, 0, x, y0)
            c.line(x, y1, x, h)
    for y in rows[1:-1]:
        if y != h / 2:
            c.line(0, y, x0, y)
            c.line(x1, y, w, y)
    for i, (a, b) in enumerate(zip(cols, cols[1:])):
        for yc in (y0 / 2, (y1 + h) / 2):
            boxes.append(_draw_text(c, regular, BORDER_TEXT, str(i + 1), (a + b) / 2,
                                    _baseline_centred(regular, BORDER_TEXT, yc), "middle"))
    for i, (a, b) in enumerate(zip(rows, rows[1:])):
        for xc in (x0 - MARGIN / 2, x1 + MARGIN / 2):
            boxes.append(_draw_text(c, regular, BORDER_TEXT, ZONE_LETTERS[i], xc,
                                    _baseline_centred(regular, BORDER_TEXT, (a + b) / 2), "middle"))

    # centring marks: trimmed edge to 5 mm inside the frame, but not into the title block
    c.setLineWidth(WIDE)
    bottom_stop = y0 if _inside(w / 2, tb[0], tb[2]) else y0 + CENTRING_INSIDE
    right_stop = x1 if _inside(h / 2, tb[1], tb[3]) else x1 - CENTRING_INSIDE
    c.line(w / 2, h, w / 2, y1 - CENTRING_INSIDE)
    c.line(w / 2, 0, w / 2, bottom_stop)
    c.line(0, h / 2, x0 + CENTRING_INSIDE, h / 2)
    c.line(w, h / 2, right_stop, h / 2)

    # sheet size designation, lower-right corner of the border
    boxes.append(_draw_text(c, bold, BORDER_TEXT, sheet.size, (x1 + w) / 2,
                            _baseline_centred(bold, BORDER_TEXT, y0 / 2), "middle"))

    boxes += _title_block(c, sheet, title, regular, bold)
    c.restoreState()
    return boxes

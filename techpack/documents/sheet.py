"""The drawing sheet: ISO 5457 frame, centring marks and grid, ISO 7200 title block and the
ISO 5456-2 projection symbol, drawn on a ReportLab canvas.

Every length here is in millimetres on the paper, origin at the lower-left corner of the
trimmed sheet. The drawing functions take a canvas in ReportLab points (as created with
``pagesize=(width * MM, height * MM)``) and scale to millimetres inside
``saveState``/``restoreState``, so nothing leaks into the caller's graphics state.

Text sizes (``size_mm``) are font sizes (the em height) of the bundled DejaVu Sans; its capital
letters are 0.73 of that. Every text on the sheet is at least MIN_TEXT = 3.5 mm, i.e. 2.5 mm
capitals, the least ISO 3098 height drawings.md 6.9 gives for A4 and A3: labels, values, grid
references, the size designation and the projection caption. A value too long for its field wraps
to more lines at that size, never smaller; the title block grows to hold it when the sheet is laid
out for its title (``layout(size, title)``), and a value that would need more than MAX_LINES lines
is an error.

Sources: /work/shared/reference/drawings.md sections 6.1 (frame, centring marks, grid, size
label, 180 mm title block), 6.2 (title block fields), 6.4 (projection symbol), 6.5 (scale),
6.9 (lettering) and 7 (what a supplier drawing carries).
"""

from __future__ import annotations

import bisect
import functools
import math
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
TITLE_ROWS = (10.0, 13.5, 10.0, 10.0, 13.5)
"""Heights (mm) of the title block's rows, bottom to top, before any row grows for a long value."""
TITLE_HEIGHT = sum(TITLE_ROWS)  # 57 mm
NOTICE_ROW = 10.0  # the confidentiality notice's row on top, when the title has one (grows like the others)
MIN_TEXT = 3.5  # the least font size anywhere on the sheet: 2.5 mm capitals (ISO 3098)
LABEL = MIN_TEXT  # field labels
VALUE = MIN_TEXT
MAIN_VALUE = 5.0  # identification number and title, bold; down to MIN_TEXT if too long
ISO_HEIGHTS = (20.0, 14.0, 10.0, 7.0, 5.0, 3.5, 2.5, 1.8)  # ISO 3098 series: the steps a value shrinks by
MAX_LINES = 6  # the most lines a title block value may wrap to before it is an error
PAD = 1.0  # text to cell line, horizontally and at the bottom
LABEL_TOP = 0.8  # top of a label's box below the cell's top line
LABEL_GAP = 0.5  # label's box to the value's area
LEADING = 1.15  # line pitch of wrapped values, times the font size
EPS = 1e-9  # mm, for comparing lengths computed two ways
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
    notice: str = ""  # the confidentiality legend, a full-width row on top of the block


@dataclass(frozen=True)
class Sheet:
    """Geometry of one sheet, mm, origin at the lower-left trimmed corner."""

    size: str
    width: float
    height: float
    drawing_area: Box  # inside the frame: x0, y0, x1, y1
    title_block: Box
    free_area: Box  # the drawing area above the title block, for views
    title_rows: tuple[float, ...] = TITLE_ROWS  # the title block's row heights, mm, bottom to top

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


def layout(size: str, title: TitleBlock | None = None) -> Sheet:
    """The geometry of an ISO 5457 sheet of `size` ("A4" ... "A0"); draws nothing.

    The title block is 180 mm wide and TITLE_HEIGHT (57 mm) tall; given the `title` it will hold,
    a row grows where a value needs more lines at 3.5 mm than the row has room for. Raises
    ValueError naming the field if a value would need more than MAX_LINES lines."""
    w, h = _check_size(size)
    x0, y0, x1, y1 = LEFT_MARGIN, MARGIN, w - MARGIN, h - MARGIN
    rows = TITLE_ROWS if title is None else _grown_rows(title)
    title_box = (x1 - TITLE_WIDTH, y0, x1, y0 + sum(rows))
    if title_box[3] > y1:
        raise ValueError(f"{title.number}: the title block ({sum(rows):g} mm) is taller than the {size} frame")
    return Sheet(size=size, width=float(w), height=float(h), drawing_area=(x0, y0, x1, y1), title_block=title_box,
                 free_area=(x0, title_box[3], x1, y1), title_rows=rows)


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
    heights from `nominal` down to MIN_TEXT (3.5 mm), never below; then two lines (largest size
    first), then more if the height allows. Raises ValueError if the text does not fit at 3.5 mm
    (the caller names the field), or if `nominal` is below 3.5 mm."""
    if nominal < MIN_TEXT:
        raise ValueError(f"text size {nominal:g} mm is below the {MIN_TEXT:g} mm least size")
    text = " ".join(text.split())
    sizes = [nominal, *(s for s in ISO_HEIGHTS if MIN_TEXT <= s < nominal)]
    if not text:
        return sizes[0], []
    smallest = sizes[-1]
    most = 0
    while _block_height(font, smallest, most + 1) <= height + EPS:
        most += 1
    for n in range(1, most + 1):
        for size in sizes:
            if _block_height(font, size, n) > height + EPS:
                continue
            if n == 1:
                if pdfmetrics.stringWidth(text, font, size) <= width + EPS:
                    return size, [text]
                continue
            lines = _wrap(text, font, size, width)
            if len(lines) <= n:
                return size, lines
    need = len(_wrap(text, font, smallest, width))
    raise ValueError(f"{len(text)} characters need {need} line{'s' if need > 1 else ''} of {smallest:g} mm text "
                     f"in {width:.1f} mm; {most} fit{'s' if most == 1 else ''} in {height:.1f} mm")


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

# (key, label, x0, x1 relative to the block's left edge, lowest and highest row (0 = bottom), value size, bold)
CELLS: tuple[tuple[str, str, float, float, int, int, float, bool], ...] = (
    ("material", "Material", 0, 70, 4, 4, VALUE, False),
    ("finish", "Finish", 70, 180, 4, 4, VALUE, False),
    ("general_tolerance", "General tolerances", 0, 45, 3, 3, VALUE, False),
    ("mass", "Mass", 45, 70, 3, 3, VALUE, False),
    ("scale", "Scale", 70, 92, 3, 3, VALUE, False),
    ("units", "", 92, 140, 3, 3, VALUE, False),
    ("projection", "Projection", 140, 180, 2, 3, VALUE, False),
    ("document_type", "Document type", 0, 45, 2, 2, VALUE, False),
    ("creator", "Created by", 45, 92, 2, 2, VALUE, False),
    ("approver", "Approved by", 92, 140, 2, 2, VALUE, False),
    ("owner", "Legal owner", 0, 40, 0, 1, VALUE, False),
    ("title", "Title", 40, 104, 1, 1, MAIN_VALUE, True),
    ("supplementary_title", "Supplementary title", 40, 104, 0, 0, VALUE, False),
    ("number", "Identification number", 104, 180, 1, 1, MAIN_VALUE, True),
    ("revision", "Revision", 104, 121, 0, 0, VALUE, False),
    ("date", "Date of issue", 121, 147, 0, 0, VALUE, False),
    ("sheet", "Sheet", 147, 160, 0, 0, VALUE, False),
    ("language", "Language", 160, 180, 0, 0, VALUE, False),
    ("notice", "", 0, 180, 5, 5, VALUE, False),
)
"""The title block's fields, 180 mm wide in TITLE_ROWS: ISO 7200's identifying part (legal owner, title,
identification number, revision, date of issue, sheet, language) in the bottom two rows, with the
number at the lower right; above it the people and document type, then what a supplier needs
(tolerances, mass, scale, units, projection), then material and finish. Every label fits its field
at 3.5 mm; a row of one-line values is 10 mm, a row of two-line values (material, finish; the title
at 3.5 mm) 13.5 mm."""


def _row_edges(rows: tuple[float, ...]) -> list[float]:
    edges = [0.0]
    for r in rows:
        edges.append(edges[-1] + r)
    return edges


def cell_rects(sheet: Sheet) -> dict[str, Box]:
    """Each title block field's rectangle on the sheet, mm."""
    bx, by = sheet.title_block[:2]
    edges = _row_edges(sheet.title_rows)
    return {key: (bx + x0, by + edges[lo], bx + x1, by + edges[hi + 1]) for key, _, x0, x1, lo, hi, _, _ in _cells(len(sheet.title_rows))}


def _value(title: TitleBlock, key: str) -> str:
    if key == "sheet":
        return f"{title.sheet}/{title.sheets}"
    return " ".join(str(getattr(title, key)).split())


def _value_room(font: str, cell_height: float, key: str = "") -> float:
    """Height (mm) left for the value in a cell of cell_height, under its label (or the room a label
    would take: a value without one sits level with its neighbours'; the notice, alone in its row, takes it all)."""
    if key == "notice":
        return cell_height - 2 * PAD
    ascent, descent = pdfmetrics.getAscentDescent(font, LABEL)
    return cell_height - LABEL_TOP - (ascent - descent) - LABEL_GAP - PAD


def _field_name(key: str, label: str) -> str:
    return f'"{label or key.replace("_", " ").capitalize()}"'


def _rows(title: TitleBlock) -> tuple[float, ...]:
    return TITLE_ROWS + ((NOTICE_ROW,) if title.notice else ())


def _cells(rows: int):
    """The fields of a block of `rows` rows: the notice only when the block has its row."""
    return [cell for cell in CELLS if cell[5] < rows]


def _grown_rows(title: TitleBlock) -> tuple[float, ...]:
    """TITLE_ROWS, each grown where a value of `title` needs more lines at MIN_TEXT than its cell holds."""
    regular, bold = register()
    rows = list(_rows(title))
    for row in range(len(rows)):
        for key, label, x0, x1, lo, hi, _, heavy in _cells(len(rows)):
            if hi != row or key == "projection":
                continue
            font = bold if heavy else regular
            text, width = _value(title, key), x1 - x0 - 2 * PAD
            if not text:
                continue
            n = len(_wrap(text, font, MIN_TEXT, width))
            if n > MAX_LINES:
                raise ValueError(
                    f"{title.number}: the title block's {_field_name(key, label)} field is too long: {len(text)} "
                    f"characters need {n} lines of {MIN_TEXT:g} mm lettering in its {width:g} mm width, at most "
                    f"{MAX_LINES} are allowed; shorten it (details belong in a note on the drawing)")
            short = _block_height(font, MIN_TEXT, n) - _value_room(regular, sum(rows[lo:hi + 1]), key)
            if short > EPS:
                rows[row] += math.ceil(short * 10) / 10  # whole tenths of a mm, never less than needed
    return tuple(rows)


def _label(c, font: str, text: str, rect: Box) -> Box:
    x0, _, x1, y1 = rect
    if pdfmetrics.stringWidth(text, font, LABEL) > x1 - x0 - 2 * PAD + EPS:
        raise ValueError(f"title block label {text!r} is wider than its {x1 - x0:g} mm cell at {LABEL:g} mm")
    ascent, _ = pdfmetrics.getAscentDescent(font, LABEL)
    return _draw_text(c, font, LABEL, text, x0 + PAD, y1 - LABEL_TOP - ascent)


def _title_block(c, sheet: Sheet, title: TitleBlock, regular: str, bold: str) -> list[Box]:
    boxes: list[Box] = []
    rects = cell_rects(sheet)
    c.setLineWidth(NARROW)
    for x0, y0, x1, y1 in rects.values():
        c.rect(x0, y0, x1 - x0, y1 - y0, stroke=1, fill=0)
    tx0, ty0, tx1, ty1 = sheet.title_block
    c.setLineWidth(WIDE)
    c.rect(tx0, ty0, tx1 - tx0, ty1 - ty0, stroke=1, fill=0)

    for key, label, *_, size, heavy in _cells(len(sheet.title_rows)):
        x0, y0, x1, y1 = rects[key]
        if label:
            boxes.append(_label(c, regular, label, rects[key]))
        top = y0 + PAD + _value_room(regular, y1 - y0, key)
        if key == "projection":
            boxes += _projection_cell(c, title.projection, (x0, y0, x1, top), regular)
            continue
        font = bold if heavy else regular
        try:
            fsize, lines = fit_text(font, size, _value(title, key), x1 - x0 - 2 * PAD, top - (y0 + PAD))
        except ValueError as e:
            raise ValueError(f"{title.number}: the title block's {_field_name(key, label)} field cannot hold its "
                             f"value at {MIN_TEXT:g} mm lettering ({e}); lay the sheet out for this title, "
                             f"layout(size, title), so the block grows, or shorten the value") from None
        boxes += _draw_block(c, font, fsize, lines, x0 + PAD, (top + y0 + PAD) / 2)
    return boxes


def _projection_cell(c, method: str, area: Box, font: str) -> list[Box]:
    """The symbol, and "First angle" / "Third angle" under it, centred in area."""
    x0, y0, x1, y1 = area
    caption = PROJECTIONS.get(method)
    if caption is None:
        raise ValueError(f"projection must be one of {', '.join(PROJECTIONS)}, not {method!r}")
    descent = pdfmetrics.getAscentDescent(font, LABEL)[1]
    baseline = y0 + PAD - descent
    box = _draw_text(c, font, LABEL, caption, (x0 + x1) / 2, baseline, "middle")
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

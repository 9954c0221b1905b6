"""The drawing sheet: ISO 5457 frame and grid, ISO 7200 title block, ISO 5456-2 projection symbol.

Sheets are written as real PDFs and read back with pdfplumber; positions are compared in mm
with the origin at the lower-left corner, as techpack.documents.sheet uses them."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest
from reportlab.pdfgen.canvas import Canvas

from techpack.documents.sheet import (
    CELLS,
    DIVISIONS,
    LABEL,
    MAX_LINES,
    MIN_TEXT,
    MM,
    PAD,
    SHEETS,
    TITLE_ROWS,
    Sheet,
    TitleBlock,
    cell_rects,
    draw_sheet,
    fit_text,
    layout,
    projection_symbol,
    projection_symbol_size,
    text_box,
)
from techpack.fonts import register

TOL = 0.05  # mm
LONG = ("EN AW-6082-T6 (AlSi1MgMn) extruded bar to EN 755-2, material certificate EN 10204 3.1, "
        "no cracks, laps or inclusions OK.")
assert len(LONG) == 120
FLOOR_PT = 3.5 * 72 / 25.4  # 3.5 mm font = 2.5 mm capitals of DejaVu Sans (ISO 3098), in points
REALISTIC = dict(  # the longest values a title block must hold as laid out, without growing
    title="Lamp arm bracket, left hand, with cable clip and cover plate",  # 60 characters
    owner="Acme Precision Engineering GmbH & Co. KG",  # 40
    number="TP-2026-00012345",  # 16, ISO 7200's recommended length
    supplementary_title="Desk lamp DL-2, left hand",  # 25
    creator="Margarethe Schmidt-Lo", approver="Bartholomew Featherst",  # 21 (ISO 7200: 20)
    document_type="Finishing instructions", material="Free-machining brass (CW614N / C36000)",
    finish="Bead blast, media glass bead, grit 120; Anodise (sulphuric acid), type II, RAL 9005 Jet black, colour black",
    general_tolerance="ISO 2768-mK-E", mass="12.345 kg", revision="AB", sheet=12, sheets=12)
assert (len(REALISTIC["title"]), len(REALISTIC["owner"])) == (60, 40)


def title(size: str = "A3", **changes) -> TitleBlock:
    values = dict(owner="Test Ltd", number="T-1-001", title="Lamp arm bracket", revision="B", date="2026-11-20",
                  creator="T. Tester", approver="A. Approver", material="EN AW-6082-T6", finish="Anodise clear 10–15 µm",
                  mass="0.125 kg", scale="1:2", general_tolerance="ISO 2768-mK", size=size,
                  supplementary_title="Left hand")
    values.update(changes)
    return TitleBlock(**values)


def write(path: Path, size: str, tb: TitleBlock) -> tuple[Sheet, list]:
    sheet = layout(size)
    c = Canvas(str(path), pagesize=(sheet.width * MM, sheet.height * MM), invariant=1)
    boxes = draw_sheet(c, sheet, tb)
    c.showPage()
    c.save()
    return sheet, boxes


def draw(path: Path, sheet: Sheet, tb: TitleBlock) -> Path:
    """Draw tb on a sheet laid out beforehand (perhaps grown for it); checks the text boxes."""
    c = Canvas(str(path), pagesize=(sheet.width * MM, sheet.height * MM), invariant=1)
    boxes = draw_sheet(c, sheet, tb)
    c.showPage()
    c.save()
    check_boxes(sheet, boxes)
    return path


def mm_box(obj, page) -> tuple[float, float, float, float]:
    """A pdfplumber object's bbox in mm, origin bottom-left."""
    return (obj["x0"] / MM, (page.height - obj["bottom"]) / MM, obj["x1"] / MM, (page.height - obj["top"]) / MM)


def inside(inner, outer, tol: float = TOL) -> bool:
    return (inner[0] >= outer[0] - tol and inner[1] >= outer[1] - tol
            and inner[2] <= outer[2] + tol and inner[3] <= outer[3] + tol)


def overlap(a, b, tol: float = 1e-6) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > tol and min(a[3], b[3]) - max(a[1], b[1]) > tol


def disjoint(a, b) -> bool:
    return not overlap(a, b, 0.0)


# --- layout ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", list(SHEETS))
def test_layout_frame_title_block_and_free_area(size):
    w, h = SHEETS[size]
    s = layout(size)
    assert (s.size, s.width, s.height) == (size, w, h)
    assert (w < h) == (size == "A4")  # A4 portrait, the rest landscape
    assert s.drawing_area == pytest.approx((20, 10, w - 10, h - 10))
    x0, y0, x1, y1 = s.title_block
    assert x1 - x0 == pytest.approx(180)
    assert (x1, y0) == pytest.approx((w - 10, 10))  # lower right corner of the frame
    assert y1 - y0 == pytest.approx(sum(TITLE_ROWS)) and 50 <= y1 - y0 <= 60
    assert s.title_rows == TITLE_ROWS
    assert inside(s.title_block, s.drawing_area, 0)
    fx0, fy0, fx1, fy1 = s.free_area
    assert inside(s.free_area, s.drawing_area, 0)
    assert fy0 >= y1  # above the title block
    assert not overlap(s.free_area, s.title_block)
    assert (fx0, fx1, fy1) == pytest.approx((20, w - 10, h - 10))  # all the width, up to the frame


@pytest.mark.parametrize("size", list(SHEETS))
def test_grid_fields_are_50mm_from_the_centring_marks(size):
    s = layout(size)
    across, up = DIVISIONS[size] if s.width > s.height else DIVISIONS[size][::-1]
    assert (len(s.columns) - 1, len(s.rows) - 1) == (across, up)
    assert (s.columns[0], s.columns[-1]) == (20, s.width - 10)
    assert (s.rows[0], s.rows[-1]) == (s.height - 10, 10)  # top to bottom
    assert s.width / 2 in s.columns and s.height / 2 in s.rows
    for edges in (s.columns, [-r for r in s.rows]):
        inner = edges[1:-1]
        assert all(b - a == pytest.approx(50) for a, b in zip(inner, inner[1:]))
        assert 0 < inner[0] - edges[0] <= 65 and 0 < edges[-1] - inner[-1] <= 65  # the end fields take the rest


def test_zone_on_a3_by_hand():
    # A3: columns 20|60|110|160|210|260|310|360|410, rows from the top 287|248.5|198.5|148.5|98.5|48.5|10
    s = layout("A3")
    assert s.zone(230, 180) == "C5"
    assert s.zone(25, 280) == "A1"
    assert s.zone(320, 38) == "F7"  # in the title block
    assert s.zone(405, 100) == "D8"
    assert s.zone(59.9, 248.6) == "A1"
    assert s.zone(60.1, 248.4) == "B2"
    assert s.zone(209, 149) == "C4"
    assert s.zone(211, 148) == "D5"
    assert s.zone(5, 5) == "F1"  # border corner: the field beside it
    assert s.zone(419, 296) == "A8"
    with pytest.raises(ValueError):
        s.zone(421, 10)
    with pytest.raises(ValueError):
        s.zone(10, -1)


def test_zone_on_a4_and_a0():
    # A4: columns 20|55|105|155|200; rows as A3
    a4 = layout("A4")
    assert a4.zone(100, 150) == "C2"
    assert a4.zone(190, 20) == "F4"
    # A0: 24 x 16 fields; rows A..R without I and O; row edges 831|770.5|...|420.5|...|10
    a0 = layout("A0")
    assert a0.zone(1170, 15) == "R24"
    assert a0.zone(25, 830) == "A1"
    assert a0.zone(600, 430) == "H13"
    assert a0.zone(600, 410) == "J13"  # I is skipped


def test_unknown_size():
    with pytest.raises(ValueError, match="A5"):
        layout("A5")


# --- text fitting -----------------------------------------------------------------------------


def test_text_box_anchors():
    regular, bold = register()
    start = text_box(regular, 3.5, "Ø10 ±0.1", 50, 20)
    middle = text_box(regular, 3.5, "Ø10 ±0.1", 50, 20, "middle")
    end = text_box(regular, 3.5, "Ø10 ±0.1", 50, 20, "end")
    width = start[2] - start[0]
    assert start[0] == 50 and end[2] == pytest.approx(50) and middle[0] == pytest.approx(50 - width / 2)
    assert start[1] < 20 < start[3] and start[3] - start[1] == pytest.approx(3.5, rel=0.2)
    assert text_box(bold, 3.5, "Ø10 ±0.1", 0, 0)[2] > width  # bold is wider
    with pytest.raises(ValueError):
        text_box(regular, 3.5, "x", 0, 0, "centre")


def test_fit_text_shrinks_to_3_5_mm_then_wraps_and_never_cuts():
    regular, bold = register()
    assert fit_text(regular, 3.5, "ISO 2768-mK", 38, 7) == (3.5, ["ISO 2768-mK"])
    name = "Lamp arm bracket, left"  # one line at 3.5 mm in 62 mm, not at 5
    assert fit_text(bold, 5.0, name, 62, 8.2) == (3.5, [name])  # shrinks before it wraps, but only to 3.5
    size, lines = fit_text(regular, 3.5, LONG, 88, 12.2)
    assert (size, len(lines)) == (3.5, 3) and " ".join(lines) == LONG  # wraps at 3.5, all of it
    for line in lines:
        assert text_box(regular, size, line, 0, 0)[2] <= 88
    size, lines = fit_text(regular, 3.5, "x" * 15, 20, 12)  # one word wider than the field: broken between characters
    assert size == 3.5 and "".join(lines) == "x" * 15 and len(lines) == 2
    with pytest.raises(ValueError, match="120 characters need 3 lines of 3.5 mm text in 88.0 mm; 1 fits in 7.0 mm"):
        fit_text(regular, 3.5, LONG, 88, 7)  # never smaller than 3.5 mm, never cut
    with pytest.raises(ValueError, match="below the 3.5 mm"):
        fit_text(regular, 2.5, "x", 20, 5)
    assert fit_text(regular, 3.5, "", 20, 5) == (3.5, [])


# --- the drawn sheet --------------------------------------------------------------------------


def expected_values(tb: TitleBlock) -> dict[str, str]:
    return {"owner": tb.owner, "number": tb.number, "title": tb.title, "revision": tb.revision, "date": tb.date,
            "creator": tb.creator, "approver": tb.approver, "document_type": "Part drawing", "material": tb.material,
            "finish": tb.finish, "mass": tb.mass, "scale": "1:2", "general_tolerance": "ISO 2768-mK",
            "units": "Dimensions in mm", "sheet": "1/1", "language": "en", "supplementary_title": tb.supplementary_title,
            "projection": "First angle"}


@pytest.mark.parametrize("size", ["A4", "A3"])
def test_title_block_values_fonts_and_boxes(tmp_path, size):
    tb = title(size)
    sheet, boxes = write(tmp_path / "sheet.pdf", size, tb)
    rects = cell_rects(sheet)
    with pdfplumber.open(tmp_path / "sheet.pdf") as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        assert (page.width / MM, page.height / MM) == pytest.approx(SHEETS[size], abs=0.01)
        for key, value in expected_values(tb).items():
            found = [m for m in page.search(value, regex=False) if inside(mm_box(m, page), rects[key])]
            assert found, f"{value!r} not found in the {key} field"
            chars = found[0]["chars"]
            assert all("DejaVuSans" in ch["fontname"] for ch in chars)
            assert all(("Bold" in ch["fontname"]) == (key in ("number", "title")) for ch in chars)
            sizes = {round(ch["size"] / MM, 2) for ch in chars}
            assert sizes == ({5.0} if key in ("number", "title") else {3.5})
        for label in ("Legal owner", "Identification number", "Revision", "Date of issue", "Sheet", "Title",
                      "Supplementary title", "Approved by", "Created by", "Document type", "Material", "Finish",
                      "Mass", "Scale", "Projection", "General tolerances", "Language"):
            assert any(inside(mm_box(m, page), sheet.title_block) for m in page.search(label, regex=False)), label
        assert {ch["fontname"].split("+")[-1] for ch in page.chars} == {"DejaVuSans", "DejaVuSans-Bold"}
        assert all(ch["fontname"].startswith(ch["fontname"].split("+")[0]) and "+" in ch["fontname"]
                   for ch in page.chars)  # embedded subsets
        # every character drawn lies in one of the returned boxes
        for ch in page.chars:
            x = (ch["x0"] + ch["x1"]) / 2 / MM
            y = (page.height - (ch["top"] + ch["bottom"]) / 2) / MM
            assert any(b[0] - TOL <= x <= b[2] + TOL and b[1] - TOL <= y <= b[3] + TOL for b in boxes), ch["text"]
    check_boxes(sheet, boxes)


def check_boxes(sheet: Sheet, boxes) -> None:
    """No two text boxes overlap; each lies on the page, either inside the title block or in the
    border outside the frame."""
    for a, b in itertools.combinations(boxes, 2):
        assert not overlap(a, b), (a, b)
    page = (0, 0, sheet.width, sheet.height)
    for box in boxes:
        assert inside(box, page, 0)
        assert inside(box, sheet.title_block, 0) or disjoint(box, sheet.drawing_area), box


@pytest.mark.parametrize("size", list(SHEETS))
def test_zone_labels_and_size_designation(tmp_path, size):
    sheet, boxes = write(tmp_path / "sheet.pdf", size, title(size))
    check_boxes(sheet, boxes)
    across, up = len(sheet.columns) - 1, len(sheet.rows) - 1
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"[:up]
    x0, y0, x1, y1 = sheet.drawing_area
    with pdfplumber.open(tmp_path / "sheet.pdf") as pdf:
        page = pdf.pages[0]
        border = [(w["text"], mm_box(w, page)) for w in page.extract_words() if disjoint(mm_box(w, page), sheet.drawing_area)]
    top = sorted((b[0], t) for t, b in border if b[1] > y1)
    bottom = sorted((b[0], t) for t, b in border if b[3] < y0)
    left = sorted((-b[1], t) for t, b in border if b[2] < x0)
    right = sorted((-b[1], t) for t, b in border if b[0] > x1 and b[1] > y0)
    numbers = [str(n) for n in range(1, across + 1)]
    assert [t for _, t in top] == numbers
    assert [t for _, t in bottom] == numbers + [size]  # the size designation in the lower right corner
    assert [t for _, t in left] == [t for _, t in right] == list(letters)  # A at the top
    assert "I" not in letters and "O" not in letters
    size_box = next(b for t, b in border if t == size)
    assert size_box[0] > x1 and size_box[3] < y0
    # each label is centred on its field
    for (x, t), (a, b) in zip(top, zip(sheet.columns, sheet.columns[1:])):
        assert a < x < b


def test_frame_centring_marks_and_grid_lines(tmp_path):
    sheet, _ = write(tmp_path / "sheet.pdf", "A3", title("A3"))
    with pdfplumber.open(tmp_path / "sheet.pdf") as pdf:
        page = pdf.pages[0]
        rects = [(mm_box(r, page), r["linewidth"] / MM) for r in page.rects]
        lines = [(mm_box(ln, page), ln["linewidth"] / MM) for ln in page.lines]
    assert any(b == pytest.approx((20, 10, 410, 287), abs=TOL) and lw == pytest.approx(0.7) for b, lw in rects)
    assert any(b == pytest.approx(sheet.title_block, abs=TOL) and lw == pytest.approx(0.7) for b, lw in rects)
    wide = sorted(tuple(round(v, 2) for v in b) for b, lw in lines if lw == pytest.approx(0.7))
    assert wide == sorted([
        (210, 282, 210, 297), (210, 0, 210, 15),  # top and bottom: trimmed edge to 5 mm inside the frame
        (0, 148.5, 25, 148.5), (405, 148.5, 420, 148.5),
    ])
    thin = [b for b, lw in lines if lw == pytest.approx(0.35)]
    assert len(thin) == 2 * 6 + 2 * 4  # inner field edges except the centring marks, both sides
    for b in thin:
        assert disjoint(b, (20 + TOL, 10 + TOL, 410 - TOL, 287 - TOL))


def test_a4_bottom_centring_mark_stops_at_the_title_block(tmp_path):
    sheet, _ = write(tmp_path / "sheet.pdf", "A4", title("A4"))
    with pdfplumber.open(tmp_path / "sheet.pdf") as pdf:
        page = pdf.pages[0]
        wide = [mm_box(ln, page) for ln in page.lines if ln["linewidth"] / MM == pytest.approx(0.7)]
    assert (105, 0, 105, 10) in [pytest.approx(b, abs=TOL) for b in wide]
    assert all(not overlap(b, sheet.title_block) for b in wide)


def chars_by_cell(page, sheet: Sheet) -> dict[str, list]:
    """The characters drawn in the title block, by the cell whose rectangle holds each one's box;
    asserts each one lies wholly inside a cell."""
    rects = cell_rects(sheet)
    found: dict[str, list] = {key: [] for key in rects}
    for ch in page.chars:
        b = mm_box(ch, page)
        if overlap(b, sheet.title_block):
            key = next((k for k, r in rects.items() if inside(b, r)), None)
            assert key is not None, f"{ch['text']!r} at {b} crosses a cell line"
            found[key].append(ch)
    return found


def cell_text(page, rect) -> str:
    return page.crop((rect[0] * MM, page.height - rect[3] * MM, rect[2] * MM, page.height - rect[1] * MM)).extract_text()


@pytest.mark.parametrize("size", ["A4", "A3", "A2"])
def test_every_text_is_at_least_3_5_mm_with_the_longest_realistic_values(tmp_path, size):
    tb = title(size, **REALISTIC)
    assert layout(size, tb) == layout(size)  # the standard block holds them: nothing grows
    sheet, boxes = write(tmp_path / "sheet.pdf", size, tb)
    check_boxes(sheet, boxes)
    rects = cell_rects(sheet)
    for box in boxes:  # every title block text box lies in one cell
        if overlap(box, sheet.title_block):
            assert any(inside(box, r) for r in rects.values()), box
    with pdfplumber.open(tmp_path / "sheet.pdf") as pdf:
        page = pdf.pages[0]
        assert page.chars
        for ch in page.chars:  # labels, values, grid references, size designation, projection caption
            assert ch["size"] >= FLOOR_PT - 1e-6, (ch["text"], ch["size"] / MM)
            assert "DejaVuSans" in ch["fontname"]
            assert ch["upright"]
        by_cell = chars_by_cell(page, sheet)
        texts = {key: cell_text(page, r) for key, r in rects.items()}
    for key in ("title", "owner", "finish", "material", "creator", "approver", "number", "supplementary_title"):
        assert by_cell[key]
        label, body = texts[key].split("\n", 1)
        assert body.replace("\n", " ") == REALISTIC[key], key  # all of it, wrapped between words
    assert texts["title"].count("\n") == 2  # label and two lines of 3.5 mm bold
    assert {round(ch["size"] / MM, 2) for ch in by_cell["title"] if ch["fontname"].endswith("Bold")} == {3.5}
    assert {round(ch["size"] / MM, 2) for ch in by_cell["number"] if ch["fontname"].endswith("Bold")} == {5.0}
    assert texts["owner"].count("\n") == 3  # label and three lines
    assert texts["sheet"] == "Sheet\n12/12" and texts["revision"] == "Revision\nAB"
    assert "First angle" in texts["projection"]


def test_every_label_fits_its_cell_at_3_5_mm():
    regular, _ = register()
    assert LABEL == MIN_TEXT == 3.5
    for key, label, x0, x1, *_ in CELLS:
        assert text_box(regular, LABEL, label, 0, 0)[2] <= x1 - x0 - 2 * PAD, key
    rects = cell_rects(layout("A3"))
    area = sum((r[2] - r[0]) * (r[3] - r[1]) for r in rects.values())
    tb = layout("A3").title_block
    assert area == pytest.approx((tb[2] - tb[0]) * (tb[3] - tb[1]))  # the cells tile the block
    for a, b in itertools.combinations(rects.values(), 2):
        assert not overlap(a, b)


def test_long_values_wrap_at_3_5_mm_and_the_block_grows(tmp_path):
    owner = "Acme Precision Engineering GmbH & Co. KG, Werk II, Abteilung Konstruktion"
    number = "TP-2026-000123-REVB-X"
    tb = title("A3", material=LONG, finish=" ".join([LONG] * 2), owner=owner, number=number,
               creator="Dr. Margarethe Schmidt-Lorenz")
    standard, sheet = layout("A3"), layout("A3", tb)
    rows = sheet.title_rows
    assert rows[4] > TITLE_ROWS[4] and rows[2] > TITLE_ROWS[2]  # material/finish and the people's row grew
    assert rows[3] == TITLE_ROWS[3]
    assert sheet.title_block[:3] == standard.title_block[:3]  # still 180 mm wide in the lower right corner
    assert sheet.title_block[3] - sheet.title_block[1] == pytest.approx(sum(rows))
    assert sheet.free_area[1] == sheet.title_block[3]  # the views' area starts above the taller block
    with pdfplumber.open(draw(tmp_path / "sheet.pdf", sheet, tb)) as pdf:
        page = pdf.pages[0]
        assert all(ch["size"] >= FLOOR_PT - 1e-6 for ch in page.chars)
        chars_by_cell(page, sheet)  # nothing crosses a cell line
        texts = {key: cell_text(page, r) for key, r in cell_rects(sheet).items()}
    label, body = texts["material"].split("\n", 1)
    assert label == "Material" and body.replace("\n", " ") == LONG and body.count("\n") >= 2
    assert texts["finish"].split("\n", 1)[1].replace("\n", " ") == " ".join([LONG] * 2)
    assert not any("…" in t for t in texts.values())  # nothing cut
    assert texts["owner"].split("\n", 1)[1].replace("\n", " ") == owner
    assert texts["number"].split("\n", 1)[1].replace("\n", "") == number


def test_a_value_that_does_not_fit_is_an_error_naming_the_field(tmp_path):
    too_long = title("A3", finish=" ".join([LONG] * 4))  # 483 characters: more than MAX_LINES lines at 3.5 mm
    with pytest.raises(ValueError, match=rf'T-1-001: the title block\'s "Finish" field is too long: 483 characters '
                                          rf"need \d+ lines .* at most {MAX_LINES}"):
        layout("A3", too_long)
    grows = title("A3", material=LONG)  # fits once the block grows, not on the standard sheet
    sheet = layout("A3")
    c = Canvas(str(tmp_path / "x.pdf"), pagesize=(sheet.width * MM, sheet.height * MM))
    with pytest.raises(ValueError, match=r'T-1-001: the title block\'s "Material" field cannot hold its value at '
                                         r"3.5 mm .*layout\(size, title\)"):
        draw_sheet(c, sheet, grows)
    draw(tmp_path / "y.pdf", layout("A3", grows), grows)


def test_draw_sheet_leaves_the_canvas_as_it_found_it(tmp_path):
    sheet = layout("A3")
    c = Canvas(str(tmp_path / "sheet.pdf"), pagesize=(sheet.width * MM, sheet.height * MM))
    regular, _ = register()
    draw_sheet(c, sheet, title())
    c.setFont(regular, 10)
    c.drawString(100 * MM, 200 * MM, "after")
    c.showPage()
    c.save()
    with pdfplumber.open(tmp_path / "sheet.pdf") as pdf:
        page = pdf.pages[0]
        (word,) = [w for w in page.extract_words(extra_attrs=["size"]) if w["text"] == "after"]
        assert word["x0"] / MM == pytest.approx(100, abs=0.01)
        assert (page.height - word["bottom"]) / MM < 200 < (page.height - word["top"]) / MM
        assert word["size"] == pytest.approx(10)


def test_draw_sheet_rejects_inconsistent_input(tmp_path):
    sheet = layout("A3")
    c = Canvas(str(tmp_path / "x.pdf"), pagesize=(sheet.width * MM, sheet.height * MM))
    with pytest.raises(ValueError, match="A4"):
        draw_sheet(c, sheet, title("A4"))
    with pytest.raises(ValueError, match="projection"):
        draw_sheet(c, sheet, title(projection="first"))
    small = Canvas(str(tmp_path / "y.pdf"), pagesize=(210 * MM, 297 * MM))
    with pytest.raises(ValueError, match="canvas page"):
        draw_sheet(small, sheet, title())


# --- projection symbol ------------------------------------------------------------------------


def symbol_parts(path: Path, method: str, h: float = 5.0):
    """Draw the symbol alone; return the frustum's end lines (small, large) and the circles, mm."""
    c = Canvas(str(path), pagesize=(100 * MM, 50 * MM))
    projection_symbol(c, 10, 10, h, method)
    c.showPage()
    c.save()
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        outline = [mm_box(ln, page) for ln in page.lines if ln["linewidth"] / MM == pytest.approx(h / 10)]
        circles = [mm_box(cv, page) for cv in page.curves]
        everything = [mm_box(o, page) for o in page.lines + page.curves]
    ends = sorted((b for b in outline if b[0] == pytest.approx(b[2])), key=lambda b: b[3] - b[1])
    return ends, circles, everything


@pytest.mark.parametrize("method", ["first-angle", "third-angle"])
def test_projection_symbol_geometry(tmp_path, method):
    h = 5.0
    (small, large), circles, everything = symbol_parts(tmp_path / "s.pdf", method, h)
    assert small[3] - small[1] == pytest.approx(h) and large[3] - large[1] == pytest.approx(2 * h)
    assert small[0] < large[0]  # the frustum is drawn small end left, large end right
    assert sorted(round(c[2] - c[0], 2) for c in circles) == [h, 2 * h]  # end view: two concentric circles
    centres = {((c[0] + c[2]) / 2, (c[1] + c[3]) / 2) for c in circles}
    assert len({(round(x, 3), round(y, 3)) for x, y in centres}) == 1
    (cx, cy), = {(round(x, 3), round(y, 3)) for x, y in centres}
    assert cy == pytest.approx((large[1] + large[3]) / 2)  # on the frustum's axis
    if method == "first-angle":  # circles on the side of the LARGE end (drawings.md 6.4)
        assert cx > large[0] > small[0]
    else:  # third angle: circles on the side of the SMALL end
        assert cx < small[0] < large[0]
    assert abs(cx - large[0]) < abs(cx - small[0]) if method == "first-angle" else abs(cx - small[0]) < abs(cx - large[0])
    w, hh = projection_symbol_size(h)
    for b in everything:
        assert inside(b, (10, 10, 10 + w, 10 + hh))


@pytest.mark.parametrize(("method", "caption"), [("first-angle", "First angle"), ("third-angle", "Third angle")])
def test_title_block_carries_the_projection_symbol_and_its_name(tmp_path, method, caption):
    sheet, boxes = write(tmp_path / "sheet.pdf", "A3", title(projection=method))
    cell = cell_rects(sheet)["projection"]
    with pdfplumber.open(tmp_path / "sheet.pdf") as pdf:
        page = pdf.pages[0]
        circles = [mm_box(cv, page) for cv in page.curves]
        ends = [mm_box(ln, page) for ln in page.lines  # the frustum's ends: vertical, wide (h/10), off the cell lines
                if ln["x0"] == pytest.approx(ln["x1"]) and inside(mm_box(ln, page), cell)
                and cell[0] + 0.5 < ln["x0"] / MM < cell[2] - 0.5 and 0.3 < ln["linewidth"] / MM < 0.7]
        (match,) = [m for m in page.search(caption, regex=False)]
        assert inside(mm_box(match, page), cell)
    assert len(circles) == 2 and all(inside(c, cell) for c in circles)
    small, large = sorted(ends, key=lambda b: b[3] - b[1])
    cx = (circles[0][0] + circles[0][2]) / 2
    assert (cx > large[0] > small[0]) if method == "first-angle" else (cx < small[0] < large[0])
    assert mm_box(match, page)[3] < min(c[1] for c in circles)  # the name under the symbol


def test_projection_symbol_rejects_unknown_method(tmp_path):
    c = Canvas(str(tmp_path / "x.pdf"))
    with pytest.raises(ValueError):
        projection_symbol(c, 0, 0, 5, "second-angle")


# --- rendering ----------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_a3_sheet_renders_with_poppler(tmp_path):
    tb = title(material=LONG)
    draw(tmp_path / "sheet.pdf", layout("A3", tb), tb)
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-singlefile", str(tmp_path / "sheet.pdf"), str(tmp_path / "sheet")],
                   check=True, capture_output=True)
    png = (tmp_path / "sheet.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (pytest.approx(420 / 25.4 * 50, abs=1), pytest.approx(297 / 25.4 * 50, abs=1))

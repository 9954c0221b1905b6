"""The part drawings: read back with pdfplumber."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import shutil
import textwrap

import numpy as np
import pdfplumber
import pytest

from techpack.checks import Report
from techpack.context import BuildContext
from techpack.documents import drawing
from techpack.documents.layout import drawn_solid, pitch_circle
from techpack.fonts import register
from techpack.geometry import build_models, build_parts
from techpack.geometry.features import find_features
from techpack.report import Reporter
from techpack.spec import load_spec
from tests.conftest import EXAMPLE, FIXTURES, Project


def render(spec, number, tmp_path):
    """Build one part of a spec and draw it: (built part, outputs, lint problems)."""
    loaded = load_spec(spec)
    built = next(p for p in build_models(loaded, build_parts(loaded)) if p.spec.number == number)
    ctx = BuildContext(loaded=loaded, folder=tmp_path, date=dt.date(2026, 11, 20), git=None, log=Reporter(0), report=Report([], {}))
    outputs, problems = drawing.draw_part(ctx, built)
    return built, outputs, problems


def draw(spec, number, tmp_path):
    built, outputs, problems = render(spec, number, tmp_path)
    with pdfplumber.open(tmp_path / outputs[0].path) as pdf:  # every sheet: a long hole table goes on sheets of its own
        text = "\n".join(page.extract_text() + "\n" + " ".join(vertical_words(page)) for page in pdf.pages)
        fonts = {c["fontname"].split("+")[-1] for page in pdf.pages for c in page.chars}
    return built, outputs, problems, text, fonts


def vertical_words(page) -> list[str]:
    """Text drawn rotated 90° (vertical dimensions), read bottom to top, one word per column."""
    columns: dict[float, list] = {}
    for c in page.chars:
        if not c["upright"]:
            columns.setdefault(round(c["x0"], 1), []).append(c)
    words = []
    for chars in columns.values():  # a column may hold several texts, one above the other
        word, last = "", None
        for c in sorted(chars, key=lambda c: -c["top"]):
            if last is not None and last["top"] - c["bottom"] > 2.0:
                words.append(word)
                word = ""
            word, last = word + c["text"], c
        words.append(word)
    return words


def test_base_drawing_title_block_and_hole_callouts_from_the_model(tmp_path):
    _, outputs, problems, text, fonts = draw(EXAMPLE, "DL2-101", tmp_path)
    assert [o.path for o in outputs] == ["drawings/DL2-101_base_revB.pdf", "drawings/DL2-101_characteristics.json"]
    for value in ("Studio North Ltd", "DL2-101", "Base", "2026-11-20", "A. Designer", "B. Lead", "Part drawing",
                  "Aluminium 6061-T6", "ISO 2768-mK", "Dimensions in mm", "First angle"):
        assert value in text
    # the spec's features on the model's holes: the four Ø4.2 holes are the M5 threads, the Ø10 bore is H7
    assert "4× M5-6H ↧8, tap drill Ø4.2" in text
    assert "Ø10 H7 (+0.015/0) THRU" in text
    assert "0.05" in text  # the underside's flatness frame
    assert "160" in text and "12" in text  # overall sizes from the model's box
    assert fonts <= {"DejaVuSans", "DejaVuSans-Bold"}
    assert problems == []
    chars = json.loads((tmp_path / outputs[1].path).read_text())["characteristics"]
    assert [c["number"] for c in chars] == list(range(1, 9))  # numbered in the spec's feature order, not by where balloons went
    assert all(c["view"] for c in chars)  # every characteristic has its balloon on a view
    got = {(c["feature"], c["text"]): (c["nominal"], c["upper"], c["lower"], c["critical"]) for c in chars}
    assert got == {
        ("top face", "12 ±0.1"): (12.0, 12.1, 11.9, False),  # the overall height carries the face's tolerance
        ("foot threads", "M5-6H ↧8"): (5.0, None, None, False),
        ("foot threads", "position Ø0.2 to A|B"): (None, 0.2, 0.0, False),
        ("stem bore", "Ø10 H7"): (10.0, 10.015, 10.0, True),
        ("stem bore", "perpendicularity Ø0.02 to A"): (None, 0.02, 0.0, True),
        ("stem bore", "Ra 1.6"): (None, 1.6, None, True),
        ("underside", "flatness 0.05"): (None, 0.05, 0.0, False),
        ("top face", "parallelism 0.05 to A"): (None, 0.05, 0.0, False),
    }
    # the frames' compartments and the datum letters, as a reader of the PDF sees them
    for cells in (("⏥", "0.05"), ("∥", "0.05", "A"), ("⊥", "Ø0.02", "A"), ("Ø0.2", "A", "B")):
        assert re.search(r"\s*".join(map(re.escape, cells)), text), cells
    assert "12 ±0.1" in text and "Ra 1.6" in text
    assert "Double-ringed balloons: critical characteristics, inspected on every part." in text  # the stem bore's 1, 2, 3
    # the M5 holes and the counterbore are drilled from underneath; the 4 holes sit on a Ø130 pitch circle
    assert "4× M5-6H ↧8, tap drill Ø4.2 ↧10, FAR SIDE" in text and "Ø10 H7 (+0.015/0) THRU; FAR SIDE CBORE Ø26 ↧3" in text
    assert "PCD Ø130, 4× EQ SP, first at 45°" in text
    assert "Ø160" in text  # a round part's overall size is a diameter
    assert not re.search(r"(?<![\d.Ø])80(?![\d.])", text)  # the pitch circle is concentric with the part: no 80/80 from the corner


def test_bracket_hole_positions_from_the_lower_left_corner(tmp_path):
    _, _, problems, text, _ = draw(EXAMPLE, "DL2-301", tmp_path)
    assert problems == []
    assert "Ø10.5 THRU" in text and "Ø5.5 THRU" in text
    assert "Sheet thickness 2 mm; 1 bend, inside radius R2." in text
    numbers = re.findall(r"(?<![\d.Ø])\d+(?:\.\d+)?(?![\d.])", text)
    assert {"18", "12", "25", "30", "35", "24"} <= set(numbers)  # hole centres and overall sizes, mm


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("nist_*ap203.stp")))
def test_nist_drawings_call_out_their_holes_without_overlaps(project, tmp_path, name):
    shutil.copy(FIXTURES / name, project.root / name)
    spec = project.spec(f"- {{number: CTC, name: NIST part, model: {name}, material: 6061, process: cnc-milling}}")
    built, _, problems, text, _ = draw(spec, "CTC", tmp_path)
    assert problems == []  # no text over text or a view, off the sheet, or struck through by a line
    holes = find_features(drawn_solid(built)).holes
    if "ctc_02" in name:  # 89 holes: their positions go in a table, one row a hole
        assert "Hole positions from the part's lower left corner" in text
        assert all(f"H{k} " in text for k in (1, 10, 50))
    for d in {round(h.diameter_mm, 2) for h in holes}:
        shown = f"{d:.2f}".rstrip("0").rstrip(".")
        assert f"Ø{shown}" in text  # every hole diameter the model has is called out


def test_general_surface_requirement_is_on_the_sheet(tmp_path):
    _, _, problems, text, _ = draw(EXAMPLE, "DL2-101", tmp_path)
    assert "Ra 3.2 (√)" in text and problems == []


def test_plus_minus_tolerance_from_the_spec(project, tmp_path):
    project.write("models/plate.py", "import cadquery as cq\n\ndef build():\n    return cq.Workplane().box(60, 40, 8).faces('>Z').workplane().hole(8)\n")
    spec = project.spec("- {number: P1, name: Plate, model: models/plate.py, material: 6061, process: cnc-milling, "
                        "features: [{name: pin hole, select: {hole: 8}, tolerance: [0.05, -0.02]}]}")
    _, outputs, problems, text, _ = draw(spec, "P1", tmp_path)
    assert "Ø8 +0.05/-0.02 THRU" in text and problems == []
    (c,) = json.loads((tmp_path / outputs[1].path).read_text())["characteristics"]
    assert (c["nominal"], c["upper"], c["lower"]) == (8.0, pytest.approx(8.05), pytest.approx(7.98))


def test_base_front_view_is_a_section_through_the_bore(tmp_path):
    """The base's front view is a section through the Ø10 bore: titled C–C (A and B are the
    part's datums), its cutting plane marked on the top view, its cut faces hatched at 45°
    and no hidden lines in it."""
    _, outputs, problems, text, _ = draw(EXAMPLE, "DL2-101", tmp_path)
    assert problems == []
    with pdfplumber.open(tmp_path / outputs[0].path) as pdf:
        page = pdf.pages[0]
        words = page.extract_words()
        assert any(w["text"] == "C–C" for w in words) and not any(w["text"] == "A–A" for w in words)
        assert sum(w["text"] == "C" for w in words) >= 2 + 2  # the cutting plane's two letters, beside the border's
        title = next(w for w in words if w["text"] == "C–C")
        diagonal = [e for e in page.edges if abs(abs(e["x1"] - e["x0"]) - abs(e["bottom"] - e["top"])) < 0.05 and abs(e["x1"] - e["x0"]) > 0.5]
        # hatching lies under the section's title, at 45° (equal run and rise), many lines
        below = [e for e in diagonal if e["top"] > title["bottom"] and e["top"] < title["bottom"] + 40 * 72 / 25.4]
        assert len(below) > 20


def test_a_hole_table_with_no_room_left_goes_on_a_second_sheet(project, tmp_path, monkeypatch):
    """CTC-02's 89 hole positions normally fit beside its views; with that room taken, the
    table gets a sheet of its own: same frame and title block, sheet 1/2 and 2/2."""
    name = "nist_ctc_02_asme1_ap203.stp"
    shutil.copy(FIXTURES / name, project.root / name)
    spec = project.spec(f"- {{number: CTC, name: NIST part, model: {name}, material: 6061, process: cnc-milling}}")
    from techpack.documents.annotate import Annotator

    original, calls = Annotator.table, []

    def table(self, *args, **kw):  # no room on the first sheet
        calls.append(self)
        return False if len(calls) == 1 else original(self, *args, **kw)

    monkeypatch.setattr(Annotator, "table", table)
    _, outputs, problems = render(spec, "CTC", tmp_path)
    assert problems == []
    with pdfplumber.open(tmp_path / outputs[0].path) as pdf:
        assert len(pdf.pages) == 2
        first, second = (p.extract_text() for p in pdf.pages)
        assert pdf.pages[0].width == pdf.pages[1].width  # the same sheet size
    assert "1/2" in first and "2/2" in second
    assert "CTC" in second and "NIST part" in second  # the title block again
    assert "Hole positions" not in first and "Hole positions from the part's lower left corner" in second
    assert all(f"H{k} " in second for k in (1, 10, 50)), second[-600:]


def test_a_hole_table_longer_than_a_sheet_runs_over_several(project, tmp_path):
    """A plate with 600 tapped holes in a staggered grid: too many positions to dimension and
    too many rows for one sheet; every hole is listed once, with its thread, over as many
    sheets as it takes."""
    (project.root / "plate.py").write_text(textwrap.dedent('''
        import cadquery as cq

        def build():
            pts = [(x * 6 + (3 if y % 2 else 0) - 90, y * 5 - 50) for x in range(30) for y in range(20)]
            return cq.Workplane().box(200, 120, 4).faces(">Z").workplane().pushPoints(pts).hole(1.5)
    '''))
    spec = project.spec("- {number: PL-1, name: Perforated plate, model: plate.py, material: 6061, process: laser-cutting, thickness: 4,\n"
                        "   features: [{name: tapped, select: {hole: 1.5}, thread: M2}]}")
    _, outputs, problems = render(spec, "PL-1", tmp_path)
    assert problems == []
    with pdfplumber.open(tmp_path / outputs[0].path) as pdf:
        pages = [p.extract_text() for p in pdf.pages]
    n = len(pages)
    assert n >= 2
    assert all(f"{k}/{n}" in text for k, text in enumerate(pages, 1))  # sheet k of n in every title block
    listed = re.findall(r"\bH(\d+) M2 THRU, tap drill Ø1.5", "\n".join(pages))  # the table gives the thread too
    assert sorted(map(int, listed)) == list(range(1, 601))


def test_pitch_circle_needs_three_equally_spaced_points_on_a_circle():
    square = [(10, 0), (0, 10), (-10, 0), (0, -10)]
    circle = pitch_circle(square)
    assert circle.centre == pytest.approx((0.0, 0.0)) and circle.radius == pytest.approx(10.0) and (circle.positions, circle.empty) == (4, ())
    assert pitch_circle(square[:2]) is None  # two points make no circle
    assert pitch_circle([(10, 0), (0, 10), (-10, 0), (7.0710678, -7.0710678)]) is None  # on a circle, not equally spaced
    assert pitch_circle([(0, 0), (10, 0), (20, 0)]) is None  # a row
    five_of_six = [(10 * math.cos(math.radians(a)), 10 * math.sin(math.radians(a))) for a in (0, 60, 120, 180, 240)]
    circle = pitch_circle(five_of_six)  # a bolt circle with one member omitted: its centre is not the points' mean
    assert circle.centre == pytest.approx((0.0, 0.0), abs=1e-9) and circle.positions == 6 and circle.empty == (300.0,)


def test_stem_shaft_fit_on_a_cylindrical_face(tmp_path):
    """A face feature on a cylinder is a diameter: the stem's Ø10 p6 press fit is dimensioned
    across the shaft with its ISO 286 limits, in place of the plain overall Ø10."""
    _, outputs, problems, text, _ = draw(EXAMPLE, "DL2-501", tmp_path)
    assert problems == []
    assert "Ø10 p6 (+0.024/+0.015)" in text
    assert not re.search(r"Ø10(?! p6)", text)  # no second, untoleranced Ø10
    (char,) = json.loads((tmp_path / outputs[1].path).read_text())["characteristics"]
    assert (char["feature"], char["text"], char["nominal"], char["upper"], char["lower"], char["critical"]) == (
        "press fit", "Ø10 p6", 10.0, 10.024, 10.015, True)


def test_holes_at_an_angle_get_an_auxiliary_view(project, tmp_path):
    """Two Ø6 holes drilled at 30° to Z: no principal view sees them as circles, so an
    auxiliary view looks along them (titled, with its viewing arrow and letter on a
    principal view) and carries their callout; the notes give their entry points."""
    (project.root / "block.py").write_text(textwrap.dedent('''
        import cadquery as cq

        def build():
            block = cq.Workplane().box(60, 40, 30).val()
            d = cq.Vector(0, 0.5, -0.8660254037844386)
            for x in (-15, 15):
                start = cq.Vector(x, -8, 15) - d * 10
                block = block.cut(cq.Solid.makeCylinder(3, 80, start, d))
            return block
    '''))
    spec = project.spec("- {number: BL-1, name: Angled block, model: block.py, material: 6061, process: cnc-milling}")
    _, outputs, problems, text, _ = draw(spec, "BL-1", tmp_path)
    assert problems == []
    assert "A–A" in text and "View B" in text  # the side view sees the holes from the side: section A–A through one
    assert text.count("2× Ø6 THRU") == 2  # the callout in view B, and the note
    assert "Hole at an angle (view B): 2× Ø6 THRU, axis along (0, 0.5, -0.866)" in text
    with pdfplumber.open(tmp_path / outputs[0].path) as pdf:
        words = [w["text"] for w in pdf.pages[0].extract_words()]
    assert words.count("B") >= 3  # the viewing arrow's letter, beside the border's two


def test_thread_callouts_take_the_tap_drill_from_the_model_and_say_thru(project, tmp_path):
    """An M8 on a Ø6.8 drilled hole (the ISO 2306 size, not D - P = 6.75) keeps the model's
    drill and its depth; an M6 through a plate says THRU; an M12 modelled at Ø12 (the
    nominal, no tap drill modelled) gets D - P."""
    (project.root / "plate.py").write_text(textwrap.dedent('''
        import cadquery as cq

        def build():
            plate = cq.Workplane().box(100, 60, 20)
            plate = plate.faces(">Z").workplane().pushPoints([(-30, 0)]).hole(6.8, 15)
            plate = plate.faces(">Z").workplane().pushPoints([(0, 0), (0, 20)]).hole(5)
            return plate.faces(">Z").workplane().pushPoints([(30, 0)]).hole(12, 18)
    '''))
    spec = project.spec(
        "- {number: TP-1, name: Tapped plate, model: plate.py, material: 6061, process: cnc-milling, features: [\n"
        "   {name: m8, select: {hole: 6.8}, thread: M8, depth: 12}, {name: m6, select: {hole: 5}, thread: M6-6H},\n"
        "   {name: m12, select: {hole: 12}, thread: M12x1.5, depth: 15}]}"
    )
    _, _, problems, text, _ = draw(spec, "TP-1", tmp_path)
    assert problems == []
    assert "M8 ↧12, tap drill Ø6.8 ↧15" in text
    assert "2× M6-6H THRU, tap drill Ø5" in text
    assert "M12×1.5 ↧15, tap drill Ø10.5 ↧18" in text


def test_a_face_size_is_the_thickness_under_it_not_the_whole_part(project, tmp_path):
    """An L bracket's base, 6 thick under a 40 high upright: the tolerance on its underside
    is on the 6, and the overall 40 stays a plain size."""
    (project.root / "angle.py").write_text(textwrap.dedent('''
        import cadquery as cq

        def build():
            base = cq.Workplane().box(80, 30, 6, centered=(False, True, False))
            return base.union(cq.Workplane().box(6, 30, 40, centered=(False, True, False)))
    '''))
    spec = project.spec(
        "- {number: AN-1, name: Angle, model: angle.py, material: 6061, process: cnc-milling,\n"
        "   features: [{name: base, select: {face: '<Z'}, tolerance: [0.1, -0.1]}]}"
    )
    built, outputs, problems, text, _ = draw(spec, "AN-1", tmp_path)
    assert problems == []
    assert "6 ±0.1" in text and "40 ±" not in text
    (char,) = json.loads((tmp_path / outputs[1].path).read_text())["characteristics"]
    assert (char["nominal"], char["upper"], char["lower"]) == (6.0, 6.1, 5.9)


def test_features_selected_by_the_names_the_script_tagged(project, tmp_path):
    (project.root / "plate.py").write_text(textwrap.dedent('''
        import cadquery as cq

        def build():
            part = cq.Workplane().box(60, 40, 10).faces(">Z").tag("top").end()
            part = part.faces(">Z").workplane().hole(10)
            return part.faces("<X").tag("left end").end()
    '''))
    spec = project.spec(
        "- {number: P-1, name: Plate, model: plate.py, material: 6061, process: cnc-milling, features: [\n"
        "   {name: top, select: {name: top}, flatness: 0.02, datum: A},\n"
        "   {name: end, select: {name: left end}, perpendicularity: {tolerance: 0.05, datums: [A]}}]}"
    )
    _, outputs, problems, text, _ = draw(spec, "P-1", tmp_path)
    assert problems == []
    assert re.search(r"⏥\s*0\.02", text) and re.search(r"⊥\s*0\.05\s*A", text)
    chars = json.loads((tmp_path / outputs[1].path).read_text())["characteristics"]
    assert [(c["feature"], c["text"]) for c in chars] == [("top", "flatness 0.02"), ("end", "perpendicularity 0.05 to A")]


def test_lint_finds_text_struck_through_by_a_line():
    from techpack.documents.display import Label, lint

    regular, _ = register()
    label = Label("Ø10 H7", 50.0, 50.0, regular)
    area = (0.0, 0.0, 200.0, 200.0)
    assert lint([label], [], area, [((40.0, 49.2), (70.0, 49.2))]) == []  # its own shelf, just under it
    assert lint([label], [], area, [((52.0, 40.0), (52.0, 60.0))]) == ["'Ø10 H7' is struck through by a line"]


def test_arm_slot_is_positioned(tmp_path):
    """The arm's slot (5.5 × 35.5) is called out and its centre positioned from the corner."""
    _, _, problems, text, _ = draw(EXAMPLE, "DL2-601", tmp_path)
    assert problems == []
    assert "SLOT 5.5 × 35.5 THRU" in text
    assert "235" in re.findall(r"(?<![\d.Ø])\d+(?:\.\d+)?(?![\d.])", text)


def test_a_boss_is_not_the_outline_and_split_through_holes_are_toleranced_once(project, tmp_path):
    """A 60 × 20 plate with a Ø20 boss: its 20 is a width, not a diameter. Two Ø6.6 H7 holes
    through different thicknesses are one callout, one characteristic, one datum."""
    (project.root / "plate.py").write_text(textwrap.dedent('''
        import cadquery as cq

        def build():
            plate = cq.Workplane().box(60, 20, 10).faces(">Z").workplane().circle(10).extrude(10)
            plate = plate.union(cq.Workplane().box(20, 20, 5).translate((30, 0, -7.5)))
            # one hole through the plate and the block under it (15 long), one through the plate only (10)
            return plate.faces("<Z").workplane(centerOption="CenterOfBoundBox").pushPoints([(0, 0), (-40, 0)]).hole(6.6)
    '''))
    spec = project.spec(
        "- {number: PB-1, name: Boss plate, model: plate.py, material: 6061, process: cnc-milling, features: [\n"
        "   {name: underside, select: {face: '<Z'}, datum: A},\n"
        "   {name: pins, select: {hole: 6.6}, fit: H7, datum: B, perpendicularity: {tolerance: 0.02, datums: [A]}}]}"
    )
    built, outputs, problems, text, _ = draw(spec, "PB-1", tmp_path)
    assert problems == []
    assert "Ø20" not in text  # the boss is not the part's outline
    assert text.count("2× Ø6.6 H7 (+0.015/0) THRU") == 1  # through holes of two lengths: one callout
    chars = json.loads((tmp_path / outputs[1].path).read_text())["characteristics"]
    assert [c["text"] for c in chars] == ["Ø6.6 H7", "perpendicularity Ø0.02 to A"]
    with pdfplumber.open(tmp_path / outputs[0].path) as pdf:
        words = [w["text"] for w in pdf.pages[0].extract_words()]
    assert words.count("B") == 2 + 1  # the border's two, and the datum's one


POST = """
import cadquery as cq

def build():
    post = cq.Workplane("XY").box(30, 20, 100, centered=(True, True, False)).faces(">Z").workplane().hole(5)
    pocket = cq.Workplane("XY").center(0, 6.5).box(20, 7, 40, centered=(True, True, False))
    return post.cut(pocket)
"""


def test_a_size_across_a_face_on_a_part_laid_down_is_the_models(project, tmp_path):
    """A tall post is drawn lying down; the size across its top face (over a pocket that runs
    under part of it) is the overall 100 a caliper reads, on the sheet and in the plan alike."""
    project.write("post.py", POST)
    spec = project.spec("- {number: P-1, name: Post, model: post.py, material: 6061, process: cnc-milling,\n"
                        "   features: [{name: top, select: {face: '>Z'}, tolerance: [0.1, -0.1]}]}")
    built, outputs, problems, text, _ = draw(spec, "P-1", tmp_path)
    (char,) = json.loads((tmp_path / outputs[1].path).read_text())["characteristics"]
    assert (char["text"], char["nominal"], char["upper"], char["lower"]) == ("100 ±0.1", 100.0, 100.1, 99.9)
    assert char["view"] and "100 ±0.1" in text
    assert built.bbox_mm[2] == pytest.approx(100.0)


def draw_fixture(root, name: str):
    """A NIST STEP file drawn as it comes in a folder of its own: (outputs' folder, outputs, lint problems)."""
    shutil.copy(FIXTURES / name, root / name)
    spec = Project(root).spec(f"- {{number: CTC, name: NIST part, model: {name}, material: 6061, process: cnc-milling}}")
    out = root / "out"
    out.mkdir()
    _, outputs, problems = render(spec, "CTC", out)
    return out, outputs, problems


@pytest.fixture(scope="module")
def ctc02(tmp_path_factory):
    """CTC-02 as it comes, drawn once for the tests below: (PDF path, lint problems)."""
    out, outputs, problems = draw_fixture(tmp_path_factory.mktemp("ctc02"), "nist_ctc_02_asme1_ap203.stp")
    return out / outputs[0].path, problems


def test_a_hole_tables_rows_are_tagged_on_the_views(ctc02):
    """Every row of CTC-02's hole table (H1 ...) is also written beside its hole on the view
    that sees it end-on, and the table's origin is named on the sheet."""
    path, problems = ctc02
    assert problems == []
    with pdfplumber.open(path) as pdf:
        words = [w["text"] for page in pdf.pages for w in page.extract_words()]
        text = "\n".join(page.extract_text() for page in pdf.pages)
    rows = sorted({int(w[1:]) for w in words if re.fullmatch(r"H\d+", w)})
    assert rows == list(range(1, len(rows) + 1)) and len(rows) >= 50
    assert all(words.count(f"H{k}") >= 2 for k in rows)  # its tag on the view and its row in the table
    assert "marked ⊕ on the views" in text


def test_a_hollow_parts_bore_stack_gets_a_section(ctc02):
    """CTC-02's front and rear walls carry one stack of bores (Ø120 and Ø40 outside, Ø115
    and Ø75 inside); no principal view can be cut through it, so a section of its own shows
    it: titled A–A, hatched at 45°, its cutting plane lettered on a view."""
    path, problems = ctc02
    assert problems == []
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        words = [w["text"] for w in page.extract_words()]
        hatch = [ln for ln in page.lines if abs(ln["x1"] - ln["x0"]) > 1 and abs(abs(ln["y1"] - ln["y0"]) - abs(ln["x1"] - ln["x0"])) < 0.01 * abs(ln["x1"] - ln["x0"])]
    assert "A–A" in words and words.count("A") >= 2  # the title, and the letters at the cutting plane's ends
    assert len(hatch) > 50  # the cut walls, hatched at 45°


def test_masked_surfaces_are_named_on_the_drawing(tmp_path):
    """The finishing instructions say masked surfaces are kept bare; the drawing says which,
    with their balloons, so a supplier reading only the drawing does not coat them."""
    built, outputs, problems, _, _ = draw(EXAMPLE, "DL2-101", tmp_path)
    assert problems == []
    with pdfplumber.open(tmp_path / outputs[0].path) as pdf:  # the notes' column: above the title block
        page = pdf.pages[0]
        notes = page.crop((page.width - 190 * 72 / 25.4, 0, page.width, page.height)).extract_text()
    flat = " ".join(notes.split())
    assert "MASK – NO FINISH: stem bore (balloons 1, 2, 3); foot threads (balloons 4, 5); underside (balloon 6)" in flat


def test_short_hidden_edges_are_dashed_not_solid(tmp_path):
    """The bracket's holes seen through its 2 mm flanges (4 mm on the sheet at 2:1) are hidden
    edges: dashed to their own length, never one 3 mm dash that prints as a solid line."""
    _, outputs, problems = render(EXAMPLE, "DL2-301", tmp_path)
    mm = 72 / 25.4
    with pdfplumber.open(tmp_path / outputs[0].path) as pdf:
        lines = pdf.pages[0].lines
    length = lambda ln: math.hypot(ln["x1"] - ln["x0"], ln["bottom"] - ln["top"]) / mm  # noqa: E731
    short = [ln for ln in lines if ln["dash"][0] and length(ln) < 5]
    assert len(short) >= 4
    for ln in short:  # two dashes and the gap between them fit on the line: it reads as dashed
        dash, gap = (d / mm for d in ln["dash"][0][:2])
        assert 2 * dash + gap < length(ln)


def test_form_features_are_called_out_and_located(tmp_path):
    """Grooves, flats, a drafted collar and a cable slot are called out (their numbers are
    geometry/forms.py's, tested against OCCT there), and the stem's grooves are located from
    its end by distances that are planes of the model square to its axis (read with OCCT)."""
    from OCP.BRepAdaptor import BRepAdaptor_Surface
    from OCP.GeomAbs import GeomAbs_Plane

    texts = {}
    for number in ("DL2-101", "DL2-201", "DL2-401", "DL2-501"):
        built, _, problems, text, _ = draw(EXAMPLE, number, tmp_path / number)
        assert problems == []
        texts[number] = (built, " ".join(text.split()))
    assert "SLOT 8 ↧3, FAR SIDE" in texts["DL2-101"][1]  # the cable slot, cut from the underside
    assert "BOSS Ø24, 12 HIGH, 2° DRAFT" in texts["DL2-201"][1]  # the shade's collar
    assert "Ø6, FLAT 5.5 ACROSS (2.5 FROM AXIS), 11 LONG" in texts["DL2-401"][1]  # the knob's D-bore
    stem, text = texts["DL2-501"]
    assert "2× GROOVE Ø9.6 × 1.1" in text
    levels = set()
    for f in stem.solid.Faces():
        s = BRepAdaptor_Surface(f.wrapped)
        if s.GetType() == GeomAbs_Plane and abs(abs(s.Plane().Axis().Direction().Z()) - 1) < 1e-9:
            levels.add(round(s.Plane().Location().Z() - stem.box_mm[2], 2))
    numbers = set(re.findall(r"(?<![\d.Ø×])\d+(?:\.\d+)?(?![\d.])", text))
    assert {"1.5", "283.9"} <= numbers and {1.5, 283.9} <= levels  # each groove's near flank, from the stem's end


def test_features_on_a_tabled_view_are_rows_of_the_table(project, tmp_path):
    """CTC-01's top view lists its holes in a table; the hex boss standing on it is a row too,
    at the centre of its top face (measured here with OCCT), and tagged F1 on the view."""
    from OCP.BRepAdaptor import BRepAdaptor_Surface
    from OCP.BRepGProp import BRepGProp
    from OCP.GeomAbs import GeomAbs_Plane
    from OCP.GProp import GProp_GProps

    name = "nist_ctc_01_asme1_ap203.stp"
    shutil.copy(FIXTURES / name, project.root / name)
    spec = project.spec(f"- {{number: CTC, name: NIST part, model: {name}, material: 6061, process: cnc-milling}}")
    built, _, problems, text, _ = draw(spec, "CTC", tmp_path)
    assert problems == []
    assert "Hole and feature positions from the part's lower left corner" in text
    row = re.search(r"F(\d) HEX 100 A/F, 50 HIGH (\S+) (\S+) (\S+)", text)
    assert row and f"F{row.group(1)}" in re.findall(r"\bF\d\b", text.replace(row.group(0), ""))  # the tag on the view
    tops = []
    for f in built.solid.Faces():
        s = BRepAdaptor_Surface(f.wrapped)
        if s.GetType() == GeomAbs_Plane and s.Plane().Axis().Direction().Z() > 0.999 and len(f.Edges()) == 6:
            props = GProp_GProps()
            BRepGProp.SurfaceProperties_s(f.wrapped, props)
            tops.append(np.array(props.CentreOfMass().Coord()) - np.array(built.box_mm[:3]))
    assert len(tops) == 1
    assert np.allclose([float(row.group(k)) for k in (2, 3, 4)], tops[0], atol=0.01)


def test_small_hidden_circles_are_dashed_round(tmp_path):
    """The base's M5 holes seen through it are 2.1 mm hidden circles on the sheet: dashed round
    their own length (at least three dashes and gaps), not two 3 mm dashes that print solid."""
    _, outputs, problems = render(EXAMPLE, "DL2-101", tmp_path)
    mm = 72 / 25.4
    with pdfplumber.open(tmp_path / outputs[0].path) as pdf:
        small = [c for c in pdf.pages[0].curves if c["dash"] and c["dash"][0] and (c["x1"] - c["x0"]) / mm < 4]
    assert len(small) >= 4  # the four M5 holes
    for c in small:
        dash, gap = (d / mm for d in c["dash"][0][:2])
        assert 3 * (dash + gap) < math.pi * (c["x1"] - c["x0"]) / mm

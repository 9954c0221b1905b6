"""The package's cut files and print files, read back with independent readers: the DXF of
each sheet-family part with ezdxf (units, layers, closed outline, its size and area computed
here from the file's vertices and bulges, the holes' diameters), against the bracket's flat
length worked out by hand and the laser part's face measured by OCCT; the print files with
lib3mf and trimesh against the solid's volume; the drawing's flat-pattern sheet with
pdfplumber; the index, the workbook and the suppliers' packages listing them; and a part
that does not unfold stopping the build with the bend named."""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import zipfile

import ezdxf
import lib3mf
import openpyxl
import pdfplumber
import pytest
import trimesh

from techpack.documents import workbook

BRACKET = "dxf/DL2-301_arm-bracket_revB_flat.dxf"
ARM = "dxf/DL2-601_arm_revB_flat.dxf"
KNOB_3MF, KNOB_STL = "print/DL2-401_knob_revB.3mf", "print/DL2-401_knob_revB.stl"


def _loop_area(points: list[tuple[float, float, float]]) -> float:
    """A closed polyline's area from its (x, y, bulge) vertices: the shoelace sum of the
    chords plus each bulged segment's circular segment, r²/2 (θ − sin θ), signed."""
    area = 0.0
    for (x0, y0, b), (x1, y1, _) in zip(points, points[1:] + points[:1]):
        area += (x0 * y1 - x1 * y0) / 2
        if b:
            theta = 4 * math.atan(b)
            chord = math.hypot(x1 - x0, y1 - y0)
            r = chord / (2 * abs(math.sin(theta / 2)))
            area += math.copysign(r * r / 2 * (abs(theta) - math.sin(abs(theta))), theta)
    return abs(area)


def _read(path):
    doc = ezdxf.readfile(path)
    auditor = doc.audit()
    assert not auditor.has_errors, [str(e) for e in auditor.errors]
    msp = doc.modelspace()
    cut = list(msp.query('*[layer=="CUT"]'))
    return doc, msp, cut


def _outline_and_holes(cut):
    polylines = [e for e in cut if e.dxftype() == "LWPOLYLINE"]
    assert all(p.closed for p in polylines)
    circles = [e for e in cut if e.dxftype() == "CIRCLE"]
    assert {e.dxftype() for e in cut} <= {"LWPOLYLINE", "CIRCLE"}
    loops = sorted(polylines, key=lambda p: -_loop_area(list(p.get_points("xyb"))))
    outline, holes = loops[0], loops[1:]
    return outline, holes, circles


def test_the_brackets_dxf_is_its_flat_pattern_worked_out_by_hand(example_package):
    doc, msp, cut = _read(example_package.folder / BRACKET)
    assert doc.header["$INSUNITS"] == 4 and doc.header["$MEASUREMENT"] == 1
    assert {"CUT", "BEND", "TEXT", "ENGRAVE"} <= {layer.dxf.name for layer in doc.layers}
    outline, holes, circles = _outline_and_holes(cut)
    # models/bracket.py: t 2, inside R 2, flanges 30 and 35 to the outside, 24 wide, corners R4;
    # DC01 is "medium" at t <= R <= 3t: K 0.43. Straight lengths 30 - (t + R) = 26 and 35 - 4 = 31.
    allowance = math.pi / 2 * (2.0 + 0.43 * 2.0)
    length = 26.0 + 31.0 + allowance  # 61.4925
    xs = [p[0] for p in outline.get_points("xy")]
    ys = [p[1] for p in outline.get_points("xy")]
    size = sorted((max(xs) - min(xs), max(ys) - min(ys)))
    assert size[0] == pytest.approx(24.0, abs=0.05) and size[1] == pytest.approx(length, abs=0.05)
    corners = 4 * (4.0 ** 2 - math.pi * 4.0 ** 2 / 4)
    assert _loop_area(list(outline.get_points("xyb"))) == pytest.approx(24.0 * length - corners, rel=1e-6)
    assert not holes and sorted(round(2 * c.dxf.radius, 4) for c in circles) == [5.5, 10.5]
    (bend,) = msp.query('LINE[layer=="BEND"]')
    assert math.dist(bend.dxf.start.vec2, bend.dxf.end.vec2) == pytest.approx(24.0, abs=1e-6)
    notes = " ".join(t.dxf.text for t in msp.query('TEXT[layer=="TEXT"]'))
    assert "B1" in notes and "90" in notes and "R2" in notes and "DL2-301" in notes


def test_the_laser_parts_dxf_is_the_face_occt_measures(example_package):
    (arm,) = [m for m in example_package.result.parts if m.spec.number == "DL2-601"]
    face = max(arm.solid.Faces(), key=lambda f: f.Area())  # the plate's side: its profile, holes cut out
    _, _, cut = _read(example_package.folder / ARM)
    outline, holes, circles = _outline_and_holes(cut)
    net = _loop_area(list(outline.get_points("xyb"))) - sum(_loop_area(list(h.get_points("xyb"))) for h in holes) \
        - sum(math.pi * c.dxf.radius ** 2 for c in circles)
    assert net == pytest.approx(face.Area(), rel=1e-6)
    inner = [w for w in face.innerWires()]
    assert len(holes) + len(circles) == len(inner)
    model_circles = sorted(round(2 * w.Edges()[0].radius(), 4) for w in inner if len(w.Edges()) == 1 and w.Edges()[0].geomType() == "CIRCLE")
    assert sorted(round(2 * c.dxf.radius, 4) for c in circles) == model_circles


def test_only_sheet_parts_have_a_dxf_and_only_printed_parts_print_files(example_package):
    manifest = {f["path"]: f for f in __import__("json").loads((example_package.folder / "manifest.json").read_text())["files"]}
    assert sorted(p for p in manifest if p.startswith("dxf/")) == [BRACKET, ARM]
    assert sorted(p for p in manifest if p.startswith("print/")) == [KNOB_3MF, KNOB_STL]
    assert manifest[BRACKET]["part"] == "DL2-301" and manifest[KNOB_3MF]["part"] == "DL2-401"


def test_the_knobs_print_files_read_back_closed_at_the_solids_volume(example_package):
    (knob,) = [m for m in example_package.result.parts if m.spec.number == "DL2-401"]
    wrapper = lib3mf.get_wrapper()
    model = wrapper.CreateModel()
    model.QueryReader("3mf").ReadFromFile(str(example_package.folder / KNOB_3MF))
    assert model.GetUnit() == lib3mf.ModelUnit.MilliMeter
    objects = model.GetMeshObjects()
    assert objects.MoveNext()
    mesh = objects.GetCurrentMeshObject()
    assert mesh.IsManifoldAndOriented() and mesh.GetName() == "DL2-401"
    vertices = [v.Coordinates[0:3] for v in mesh.GetVertices()]
    triangles = [t.Indices[0:3] for t in mesh.GetTriangleIndices()]
    from_3mf = trimesh.Trimesh(vertices, triangles, process=False)
    stl = trimesh.load(example_package.folder / KNOB_STL, force="mesh")
    for m in (from_3mf, stl):
        assert m.is_watertight and m.volume == pytest.approx(knob.volume_mm3, rel=0.005)
    assert b"DL2-401" in (example_package.folder / KNOB_STL).read_bytes()[:80]


def test_the_brackets_drawing_has_its_flat_pattern_and_bend_table(example_package):
    with pdfplumber.open(example_package.folder / "drawings" / "DL2-301_arm-bracket_revB.pdf") as pdf:
        assert len(pdf.pages) == 2
        text = pdf.pages[1].extract_text()
        turned = "".join(c["text"] for c in sorted(pdf.pages[1].chars, key=lambda c: c["top"]) if not c["upright"])
    assert "FLAT PATTERN" in text and "blank 24 × 61.49 mm, t = 2 mm" in text
    assert "61.49" in (turned, turned[::-1]) and "\n24\n" in text  # the blank's length (its dimension turned) and width
    assert "B1 DOWN 90° R2 0.43 4.492" in text or "B1 UP 90° R2 0.43 4.492" in text
    assert "K-factor: air bending, medium" in text


def test_the_index_the_workbook_and_the_suppliers_packages_list_them(example_package):
    html = (example_package.folder / "index.html").read_text()
    for path, label in ((BRACKET, "Cut file (DXF)"), (KNOB_3MF, "Print file (3MF)"), (KNOB_STL, "Print file (STL)")):
        assert f'href="{path}"' in html and label in html
    wb = openpyxl.load_workbook(example_package.folder / "bom" / "DL-2_revB.xlsx")
    ws = wb["BOM"]
    col = [c.key for c in workbook.BOM_COLUMNS].index("cam") + 1
    cells = {ws.cell(r, 2).value: ws.cell(r, col) for r in range(workbook.BOM_HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 2).value}
    assert cells["DL2-301"].value == "DL2-301_arm-bracket_revB_flat.dxf" and cells["DL2-301"].hyperlink.target == f"../{BRACKET}"
    assert cells["DL2-401"].value == "DL2-401_knob_revB.3mf; DL2-401_knob_revB.stl"
    assert cells["DL2-101"].value is None
    stock = [c.key for c in workbook.BOM_COLUMNS].index("stock") + 1
    row = cells["DL2-301"].row  # the blank: the flat's 24 × 61.49 plus 1 mm a side (catalog stock.yaml, sheet), up to 0.1 mm
    assert ws.cell(row, stock).value == "sheet 2 thick, blank 63.5 × 26 (its flat pattern)"
    folder = example_package.zip_path.parent
    with zipfile.ZipFile(folder / "DL-2_revB_sheet.zip") as zf:
        assert any(n.endswith(BRACKET) for n in zf.namelist())
    with zipfile.ZipFile(folder / "DL-2_revB_print.zip") as zf:
        assert {n.split("/", 1)[1] for n in zf.namelist()} >= {KNOB_3MF, KNOB_STL}
        assert not any("/dxf/" in n for n in zf.namelist())


CORNER = """
import cadquery as cq

def rounded_cube(half, r):
    out = None
    for plane, axis in (("XY", "Z"), ("YZ", "X"), ("XZ", "Y")):
        prism = cq.Workplane(plane).rect(2 * half, 2 * half).extrude(3 * half, both=True).edges(f"|{axis}").fillet(r)
        out = prism if out is None else out.intersect(prism)
    return out

def build(t=2.0, r=3.0, half=20.0):
    shell = rounded_cube(half, r + t).cut(rounded_cube(half - t, r))
    return shell.intersect(cq.Workplane().box(half + 1, half + 1, half + 1, centered=False))
"""


def test_a_closed_box_corner_is_a_dfm_error_naming_the_bend_and_no_dxf_is_made(project, tmp_path, cli):
    project.write("models/corner.py", CORNER)
    spec = project.spec("- {number: C1, name: Corner, model: models/corner.py, material: steel DC01, process: sheet-metal, thickness: 2}")
    code, _, err = cli("build", spec, "-o", tmp_path / "out")
    assert code != 0 and "Traceback" not in err
    assert "flat-pattern" in err and "The part cannot be unfolded: bend" in err and "closes the sheet on itself" in err
    assert not list((tmp_path / "out").glob("*.zip"))
    code, _, err = cli("build", spec, "-o", tmp_path / "out", "--allow-dfm-errors", "--no-cache")  # shipped anyway: without a DXF, the report says why
    assert code == 0 and "C1: no DXF, it does not unfold (its flat-pattern finding in the DFM report)" in err
    with zipfile.ZipFile(tmp_path / "out" / "T-1_revA.zip") as zf:
        assert not any("/dxf/" in n for n in zf.namelist())
        report = __import__("json").loads(zf.read("T-1_revA/dfm/dfm-report.json"))
    (finding,) = [f for p in report["parts"] for f in p["findings"] if f["rule"] == "flat-pattern"]
    assert finding["severity"] == "error" and finding["message"].startswith("The part cannot be unfolded: bend 3 (faces ")
    bend = [int(n) for n in finding["message"].split("(faces ", 1)[1].split(")", 1)[0].split(" and ")]
    assert len(bend) == 2 and set(bend) <= set(finding["faces"])  # the bend's faces, with the face it meets


def test_a_waived_part_that_does_not_unfold_ships_without_a_dxf(project, tmp_path, cli):
    project.write("models/corner.py", CORNER)
    spec = project.spec("- {number: C1, name: Corner, model: models/corner.py, material: steel DC01, process: sheet-metal, thickness: 2,\n"
                        "   checks: {waive: [{rule: flat-pattern, reason: 'welded corner, the shop unfolds it'}]}}")
    code, _, err = cli("build", spec, "-o", tmp_path / "out", "--no-suppliers")
    assert code == 0 and "C1: no DXF, it does not unfold (its flat-pattern finding in the DFM report)" in err
    with zipfile.ZipFile(tmp_path / "out" / "T-1_revA.zip") as zf:
        assert not any("/dxf/" in n for n in zf.namelist())


def test_without_the_rule_a_part_that_does_not_unfold_stops_at_its_dxf_naming_the_part(project, tmp_path):
    """A process whose rules lack flat-pattern (no finding says why): the DXF document itself
    refuses, with the spec's file, line and key, not a traceback."""
    import datetime as dt

    from techpack.checks import Report
    from techpack.context import BuildContext
    from techpack.documents import cutfiles
    from techpack.errors import ModelError
    from techpack.geometry import build_models, build_part
    from techpack.report import Reporter
    from techpack.spec import load_spec

    project.write("models/corner.py", CORNER)
    loaded = load_spec(project.spec("- {number: C1, name: Corner, model: models/corner.py, material: steel DC01, process: sheet-metal}"))
    (model,) = build_models(loaded, [build_part(loaded, loaded.spec.parts[0])])
    ctx = BuildContext(loaded=loaded, folder=tmp_path, date=dt.date(2026, 11, 20), git=None, log=Reporter(0), report=Report([], {}, {}))
    with pytest.raises(ModelError) as exc:
        cutfiles.write(ctx, [model])
    (problem,) = exc.value.problems
    assert str(problem).startswith(f"{loaded.path}:4:") and "parts[0].model (C1): no DXF of its blank: bend 3 (faces" in str(problem)
    assert not list(tmp_path.rglob("*.dxf"))


ENGRAVED = """
import cadquery as cq

def build():
    plate = cq.Workplane("XY").box(100, 50, 2, centered=False).faces(">Z").workplane().pushPoints([(10, 10)]).hole(5)
    mark = cq.Workplane("XY", origin=(0, 0, 2)).text("TP-7", 8, -0.2, halign="left", valign="bottom").translate((30, 20, 0))
    return plate.cut(mark)
"""


def test_a_laser_parts_engraving_goes_on_its_own_layer(project, tmp_path, cli):
    project.write("models/plate.py", ENGRAVED)
    spec = project.spec("- {number: L1, name: Plate, model: models/plate.py, material: stainless 304, process: laser-cutting, thickness: 2}")
    code, _, err = cli("build", spec, "-o", tmp_path / "out", "--no-suppliers")
    assert code == 0, err
    with zipfile.ZipFile(tmp_path / "out" / "T-1_revA.zip") as zf:
        dxf = zf.read("T-1_revA/dxf/L1_plate_revA_flat.dxf")
    (tmp_path / "plate.dxf").write_bytes(dxf)
    doc, msp, cut = _read(tmp_path / "plate.dxf")
    outline, holes, circles = _outline_and_holes(cut)
    assert _loop_area(list(outline.get_points("xyb"))) == pytest.approx(5000.0, rel=1e-9)
    assert not holes and [round(2 * c.dxf.radius, 6) for c in circles] == [5.0]  # the marks are not cut through
    marks = list(msp.query('*[layer=="ENGRAVE"]'))
    assert len(marks) >= 4 and all(m.dxftype() == "LWPOLYLINE" and m.closed for m in marks)  # T, P, -, 7 at least
    xs = [x for m in marks for x, y in m.get_points("xy")]
    assert 30.0 - 0.5 < min(xs) and max(xs) < 30.0 + 4 * 8.0  # where the text was cut, in the plate's frame


def test_the_parts_k_factor_overrides_the_catalogs_and_is_named_as_the_source(project, tmp_path, cli):
    from tests.conftest import REPO

    project.write("models/bracket.py", (REPO / "examples" / "desk-lamp" / "models" / "bracket.py").read_text())
    part = "- {{number: B1, name: Bracket, model: models/bracket.py, material: steel DC01, process: sheet-metal, thickness: 2{}}}"
    lengths = {}
    for k in ("", ", k_factor: 0.33"):
        spec = project.spec(part.format(k))
        code, _, err = cli("build", spec, "-o", tmp_path / "out", "--no-suppliers")
        assert code == 0, err
        with zipfile.ZipFile(tmp_path / "out" / "T-1_revA.zip") as zf:
            (tmp_path / "b.dxf").write_bytes(zf.read("T-1_revA/dxf/B1_bracket_revA_flat.dxf"))
            (tmp_path / "b.pdf").write_bytes(zf.read("T-1_revA/drawings/B1_bracket_revA.pdf"))
        _, _, cut = _read(tmp_path / "b.dxf")
        outline, _, _ = _outline_and_holes(cut)
        ys = [y for _, y in outline.get_points("xy")]
        xs = [x for x, _ in outline.get_points("xy")]
        lengths[k] = max(max(ys) - min(ys), max(xs) - min(xs))
        with pdfplumber.open(tmp_path / "b.pdf") as pdf:
            lengths[k, "text"] = pdf.pages[-1].extract_text()
    assert lengths[""] - lengths[", k_factor: 0.33"] == pytest.approx((0.43 - 0.33) * 2.0 * math.pi / 2, abs=1e-6)
    assert "K-factor: air bending, medium" in lengths["", "text"]
    assert "K-factor: the spec's k_factor for this part" in lengths[", k_factor: 0.33", "text"] and " 0.33 " in lengths[", k_factor: 0.33", "text"]


@pytest.mark.skipif(shutil.which("librecad") is None, reason="LibreCAD is not installed (Debian package librecad: `librecad dxf2pdf`)")
def test_librecad_draws_the_brackets_dxf_at_its_blanks_size(example_package, tmp_path):
    """The file the sheet-metal shop gets, opened by a second program: LibreCAD prints it at
    1:1 and pdfplumber measures its black CUT strokes, the blank worked out by hand above."""
    dxf = tmp_path / "bracket.dxf"  # LibreCAD 2.2 prints beside the DXF, whatever -o says
    shutil.copyfile(example_package.folder / BRACKET, dxf)
    pdf = dxf.with_suffix(".pdf")
    subprocess.run([shutil.which("librecad"), "dxf2pdf", "-s", "1", "-c", str(dxf)],
                   check=True, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"), capture_output=True, timeout=120)
    with pdfplumber.open(pdf) as doc:
        black = [s for s in doc.pages[0].curves + doc.pages[0].lines if tuple(s["stroking_color"] or ()) == (0.0, 0.0, 0.0)]
    pt = 25.4 / 72
    size = sorted(((max(o["x1"] for o in black) - min(o["x0"] for o in black)) * pt,
                   (max(o["bottom"] for o in black) - min(o["top"] for o in black)) * pt))
    assert size == pytest.approx([24.0, 26.0 + 31.0 + math.pi / 2 * (2.0 + 0.43 * 2.0)], abs=0.1)

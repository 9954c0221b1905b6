"""The assembly: its STEP file read back with OCCT's XCAF reader (each part a named component at
its placement), the overlap check against volumes worked out by hand, the spec's assembly
errors, and the same bytes from two builds."""

from __future__ import annotations

import math
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest
from OCP.Bnd import Bnd_Box
from OCP.BRepBndLib import BRepBndLib
from OCP.IFSelect import IFSelect_RetDone
from OCP.STEPCAFControl import STEPCAFControl_Reader
from OCP.TCollection import TCollection_ExtendedString
from OCP.TDataStd import TDataStd_Name
from OCP.TDF import TDF_Label, TDF_LabelSequence
from OCP.TDocStd import TDocStd_Document
from OCP.XCAFApp import XCAFApp_Application
from OCP.XCAFDoc import XCAFDoc_DocumentTool, XCAFDoc_ShapeTool
from PIL import Image

from techpack.build import build
from techpack.checks.assembly import assembly_findings
from techpack.documents import DOCUMENTS, assembly as assembly_doc
from techpack.errors import SpecError
from techpack.geometry import build_models, build_parts
from techpack.report import Reporter
from techpack.spec import load_spec
from tests.conftest import EXAMPLE, PRODUCT

BOX = """
import cadquery as cq

def build(x=10.0, y=20.0, z=30.0):
    return cq.Workplane("XY").box(x, y, z, centered=False)
"""

PARTS = """
- {number: P1, name: Block, model: models/box.py, qty: 4, material: ABS, process: fdm}
- {number: P2, name: Plate, model: models/box.py, params: {x: 40, y: 40, z: 5}, material: ABS, process: fdm}
"""

HARDWARE = """hardware:
  - {number: H1, name: Screw M3 x 8, qty: 4}
"""


def assembly_yaml(place: str, overlap: str = "") -> str:
    lines = "".join(f"    - {p}\n" for p in place.strip().splitlines())
    return f"assembly:\n  number: A-000\n  name: Stack\n{overlap}  place:\n{lines}"


# (part, at, rotate, expected box after placing: xmin, ymin, zmin, xmax, ymax, zmax) for a
# 10 x 20 x 30 block from the origin, and a 40 x 40 x 5 plate; worked out by hand, or (None)
# from the corners of the block turned by expected_matrix()
PLACED = [
    ("P2", (0, 0, 0), (0, 0, 0), (0, 0, 0, 40, 40, 5)),
    ("P1", (0, 0, 5), (0, 0, 0), (0, 0, 5, 10, 20, 35)),
    ("P1", (40, 0, 5), (0, 0, 90), (20, 0, 5, 40, 10, 35)),  # y -> -x
    ("P1", (100, 0, 0), (90, 0, 90), (100, 0, 0, 130, 10, 20)),  # about X: y -> z, z -> -y; then about Z: x -> y, y -> -x
    ("P1", (0, 100, 50), (0, -90, 30), None),  # about Y: x -> z, z -> -x; then 30° about Z
]
LABELS = ["P2 Plate", "P1 Block (1 of 4)", "P1 Block (2 of 4)", "P1 Block (3 of 4)", "P1 Block (4 of 4)"]
BLOCK = (0, 0, 0, 10, 20, 30)


def place_lines(placed=PLACED) -> str:
    return "\n".join(
        f"{{part: {n}, at: [{', '.join(map(str, at))}], rotate: [{', '.join(map(str, rot))}]}}" for n, at, rot, _ in placed
    ) + "\n{hardware: H1, count: 4}"


def _spec_text(place: str, product: str | None = None, overlap: str = "") -> str:
    parts = textwrap.indent(textwrap.dedent(PARTS).strip("\n"), "  ")
    return "techpack: 1\n" + (product or PRODUCT) + "parts:\n" + parts + "\n" + HARDWARE + assembly_yaml(place, overlap)


def _name(label) -> str | None:
    attr = TDataStd_Name()
    return attr.Get().ToExtString() if label.FindAttribute(TDataStd_Name.GetID_s(), attr) else None


def read_assembly(path: Path):
    """OCCT's XCAF reader: the root's name, and per component (in file order) its name, the name
    of the part it refers to, its location's 3x4 matrix and its placed shape's bounding box."""
    doc = TDocStd_Document(TCollection_ExtendedString("XmlOcaf"))
    XCAFApp_Application.GetApplication_s().InitDocument(doc)
    reader = STEPCAFControl_Reader()
    reader.SetNameMode(True)
    assert reader.ReadFile(str(path)) == IFSelect_RetDone
    assert reader.Transfer(doc)
    tool = XCAFDoc_DocumentTool.ShapeTool_s(doc.Main())
    roots = TDF_LabelSequence()
    tool.GetFreeShapes(roots)
    assert roots.Length() == 1
    root = roots.Value(1)
    assert XCAFDoc_ShapeTool.IsAssembly_s(root)
    labels = TDF_LabelSequence()
    XCAFDoc_ShapeTool.GetComponents_s(root, labels, False)
    components = []
    for i in range(1, labels.Length() + 1):
        c = labels.Value(i)
        ref = TDF_Label()
        assert XCAFDoc_ShapeTool.GetReferredShape_s(c, ref)
        t = XCAFDoc_ShapeTool.GetLocation_s(c).Transformation()
        matrix = np.array([[t.Value(r, k) for k in range(1, 5)] for r in range(1, 4)])
        box = Bnd_Box()
        BRepBndLib.AddOptimal_s(XCAFDoc_ShapeTool.GetShape_s(c), box, False, False)
        components.append((_name(c), _name(ref), matrix, box.Get()))
    return _name(root), components


def expected_matrix(at, rotate) -> np.ndarray:
    """Turn about X, then Y, then Z (fixed axes), degrees, then move to at: written out here,
    apart from techpack's own."""
    a, b, c = (math.radians(v) for v in rotate)
    rx = np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])
    ry = np.array([[math.cos(b), 0, math.sin(b)], [0, 1, 0], [-math.sin(b), 0, math.cos(b)]])
    rz = np.array([[math.cos(c), -math.sin(c), 0], [math.sin(c), math.cos(c), 0], [0, 0, 1]])
    return np.hstack([rz @ ry @ rx, np.array(at, dtype=float)[:, None]])


def moved_box(box, matrix) -> tuple[float, ...]:
    """The box round the 8 corners of `box` moved by the 3x4 `matrix`."""
    corners = np.array([(x, y, z) for x in box[0::3] for y in box[1::3] for z in box[2::3]], dtype=float)
    moved = corners @ matrix[:, :3].T + matrix[:, 3]
    return (*moved.min(axis=0), *moved.max(axis=0))


def step_of(zip_path: Path, name: str, into: Path) -> Path:
    with zipfile.ZipFile(zip_path) as zf:
        (member,) = [m for m in zf.namelist() if m.endswith(name)]
        zf.extract(member, into)
    return into / member


@pytest.fixture
def stack(project):
    project.write("models/box.py", BOX)
    return project


def test_assembly_step_reads_back_with_each_part_a_named_component_at_its_placement(stack, tmp_path):
    spec = stack.write("techpack.yaml", _spec_text(place_lines()))
    result = build(spec, tmp_path / "out", Reporter(0), allow_dfm_errors=True)
    assert "step/A-000_assembly_revA.step" in result.files
    assert "pictures/A-000_exploded.png" in result.files
    root, components = read_assembly(step_of(result.zip_path, "step/A-000_assembly_revA.step", tmp_path / "x"))
    assert root == "A-000 Stack"
    assert sorted(c[0] for c in components) == sorted(LABELS)
    refers = [c[1] for c in components]
    assert refers.count("P1 Block") == 4 and refers.count("P2 Plate") == 1
    by_name = {c[0]: c for c in components}
    for label, (number, at, rotate, box) in zip(LABELS, PLACED):
        _, _, matrix, got = by_name[label]
        assert np.allclose(matrix, expected_matrix(at, rotate), atol=1e-9), label
        if box is not None:  # the hand-worked boxes check expected_matrix() too
            assert np.allclose(moved_box(BLOCK if number == "P1" else (0, 0, 0, 40, 40, 5), expected_matrix(at, rotate)), box)
        box = box or moved_box(BLOCK, expected_matrix(at, rotate))
        assert np.allclose(got, box, atol=1e-3), (label, got, box)


def test_assembly_step_names_each_product_by_number_and_revision(stack, tmp_path):
    from tests.documents.test_step import read_step

    spec = stack.write("techpack.yaml", _spec_text(place_lines()))
    result = build(spec, tmp_path / "out", Reporter(0), allow_dfm_errors=True)
    path = step_of(result.zip_path, "step/A-000_assembly_revA.step", tmp_path / "x")
    solids, products, formations = read_step(path)
    assert len(solids) == 5  # every instance, placed
    assert sorted(p[:2] for p in products) == [("A-000", "A-000 Stack"), ("P1", "P1 Block"), ("P2", "P2 Plate")]
    assert set(formations) == {"A"}
    head = path.read_text()[:800].replace("\n", "")  # the writer breaks long lines, inside strings too (ISO 10303-21 drops the breaks)
    assert "'2026-11-20T00:00:00'" in head and "A-000_assembly_revA.step" in head
    assert "5 parts placed; purchased, not modelled: 4 x H1" in head  # the hardware, which has no model, is listed in the header


def test_placements_in_inches_are_converted_to_mm(stack, tmp_path):
    product = PRODUCT.replace("batch: 10}", "batch: 10, units: in}")
    placed = [("P2", (0, 0, 0), (0, 0, 0), None), ("P1", (0.5, 0, 0.25), (0, 0, 0), None)]
    spec = stack.write("techpack.yaml", _spec_text(place_lines(placed), product=product))
    result = build(spec, tmp_path / "out", Reporter(0), allow_dfm_errors=True)
    _, components = read_assembly(step_of(result.zip_path, "step/A-000_assembly_revA.step", tmp_path / "x"))
    block = next(c for c in components if c[0] == "P1 Block")
    # the script's 10 x 20 x 30 is in inches too: 254 x 508 x 762 mm, moved by 12.7, 0, 6.35 mm
    assert np.allclose(block[3], (12.7, 0, 6.35, 12.7 + 254, 508, 6.35 + 762), atol=1e-3)


def test_two_builds_give_the_same_assembly_step_and_picture(stack, tmp_path):
    spec = stack.write("techpack.yaml", _spec_text(place_lines()))
    zips = [build(spec, tmp_path / f"out{k}", Reporter(0), allow_dfm_errors=True).zip_path for k in range(2)]
    for name in ("step/A-000_assembly_revA.step", "pictures/A-000_exploded.png"):
        a, b = (step_of(z, name, tmp_path / f"x{k}").read_bytes() for k, z in enumerate(zips))
        assert a == b, name
    assert zips[0].read_bytes() == zips[1].read_bytes()
    picture = Image.open(step_of(zips[0], "pictures/A-000_exploded.png", tmp_path / "y"))
    assert picture.format == "PNG" and max(picture.size) == assembly_doc.PICTURE_PX
    assert not picture.info  # no time or text chunks


def _findings(stack, place: str, overlap: str = ""):
    spec = stack.write("techpack.yaml", _spec_text(place, overlap=overlap))
    loaded = load_spec(spec)
    return assembly_findings(loaded, build_models(loaded, build_parts(loaded)))


def test_an_overlap_is_reported_with_its_volume_and_where(stack):
    # blocks of 10 x 20 x 30 at (0, 0, 0) and (5, 10, 20) share 5 x 10 x 10 = 500 mm³, centred at (7.5, 15, 25)
    place = "{part: P1, at: [0, 0, 0]}\n{part: P1, at: [5, 10, 20]}\n{part: P2, at: [0, 0, -5]}"
    (f,) = _findings(stack, place)
    assert (f.part, f.rule, f.severity, f.unit) == ("A-000", "assembly-overlap", "warning", "mm³")
    assert f.value == pytest.approx(500.0, abs=1e-6)
    assert f.limit == 0.5
    assert np.allclose(f.point, (7.5, 15, 25), atol=1e-6)
    assert f.message.startswith("P1 Block (2 of 2) and P1 Block (1 of 2) overlap by 500.0 mm³ near (7.5, 15, 25)")
    assert f.id == "A-000/assembly-overlap/1"


def test_parts_that_touch_or_overlap_within_the_tolerance_are_not_reported(stack):
    touching = "{part: P2, at: [0, 0, 0]}\n{part: P1, at: [0, 0, 5]}\n{part: P1, at: [10, 0, 5]}\n{part: P1, at: [0, 20, 5]}"
    assert _findings(stack, touching) == []
    # 0.5 x 20 x 30 = 300 mm³ shared, under a tolerance of 301
    assert _findings(stack, "{part: P1, at: [0, 0, 0]}\n{part: P1, at: [9.5, 0, 0]}", overlap="  overlap: 301\n") == []
    (f,) = _findings(stack, "{part: P1, at: [0, 0, 0]}\n{part: P1, at: [9.5, 0, 0]}", overlap="  overlap: 299\n")
    assert f.value == pytest.approx(300.0, abs=1e-6) and f.limit == 299


def test_assembly_spec_errors_name_line_and_key(stack):
    place = (
        "{part: P1, at: [0, 0, 0]}\n"  # line 12
        "{part: P11, at: [0, 0, 0]}\n"
        "{part: H1}\n"
        "{hardware: H11, count: 1}\n"
        "{hardware: H1, count: 5}\n"
        "{part: P2}\n"
        "{part: P2, at: [0, 0, 10]}\n"
        "{part: P1, at: [0, 0]}\n"
        "{part: P1, hardware: H1}"
    )
    path = stack.write("techpack.yaml", _spec_text(place))
    with pytest.raises(SpecError) as exc:
        load_spec(path)
    got = [str(p) for p in exc.value.problems]
    assert f"{path}:13:14: assembly.place[1].part: unknown part 'P11'; did you mean 'P1'? (parts: P1, P2)" in got
    assert f"{path}:14:14: assembly.place[2].part: 'H1' is hardware, not a part; place it with {{hardware: H1, count: N}}" in got
    assert f"{path}:15:18: assembly.place[3].hardware: unknown hardware 'H11'; did you mean 'H1'? (hardware: H1)" in got
    assert any(p.startswith(f"{path}:16:29: assembly.place[4].count: the assembly holds 5 of H1 but its qty is 4") for p in got)
    assert any(p.startswith(f"{path}:18:14: assembly.place[6].part: part P2 is placed 2 times but its qty is 1 (parts[1].qty, by default)") for p in got)
    assert f"{path}:19:22: assembly.place[7].at: expected [x, y, z], three numbers; got [0, 0]" in got
    assert any(p.startswith(f"{path}:20:7: assembly.place[8]: place either a part") for p in got)
    assert len(got) == 7


def test_an_assembly_number_may_not_be_a_part_number(stack):
    path = stack.write("techpack.yaml", _spec_text("{part: P1}").replace("number: A-000", "number: P2"))
    with pytest.raises(SpecError) as exc:
        load_spec(path)
    (problem,) = exc.value.problems
    assert str(problem).startswith(f"{path}:9:11: assembly.number: assembly number 'P2' is already the number of parts[1]")


def test_the_assembly_document_is_registered_after_step_and_full_package_only():
    names = [d.name for d in DOCUMENTS]
    assert names[names.index("step") + 1] == "assembly"
    (doc,) = [d for d in DOCUMENTS if d.name == "assembly"]
    assert doc.full_only and doc.models and doc.module is assembly_doc


def test_the_example_assembly_has_every_part_named_and_nothing_overlapping(example_package, tmp_path):
    path = example_package.folder / "step" / "DL2-000_assembly_revB.step"
    root, components = read_assembly(path)
    assert root == "DL2-000 Desk lamp"
    spec = load_spec(EXAMPLE).spec
    expected = []
    for part in spec.parts:
        label = f"{part.number} {part.name}"
        expected += [f"{label} ({k} of {part.qty})" for k in range(1, part.qty + 1)] if part.qty > 1 else [label]
    assert sorted(c[0] for c in components) == sorted(expected)
    assert [c[1] for c in components].count("DL2-301 Arm bracket") == 2
    # each at its placement: the part's own box (the example turns parts by quarter turns only,
    # so its box turns into the placed part's box) moved as the spec says
    boxes = {p.spec.number: p.box_mm for p in example_package.result.parts}
    placements = [e for e in spec.assembly.place if e.part]
    assert len(placements) == len(components)
    for entry, (name, refers, matrix, got) in zip(placements, components):
        assert refers == f"{entry.part} {next(p.name for p in spec.parts if p.number == entry.part)}"
        assert np.allclose(matrix, expected_matrix(entry.at, entry.rotate), atol=1e-9), name
        assert np.allclose(got, moved_box(boxes[entry.part], matrix), atol=1e-3), name
    # every part placed as often as the product has it, and every hardware item counted in full
    counts = {}
    for entry in spec.assembly.place:
        key = entry.part or entry.hardware
        counts[key] = counts.get(key, 0) + (entry.count or 1)
    assert counts == {**{p.number: p.qty for p in spec.parts}, **{h.number: h.qty for h in spec.hardware}}
    assert (example_package.folder / "pictures" / "DL2-000_exploded.png").is_file()


def test_the_example_assembly_has_no_overlaps():
    loaded = load_spec(EXAMPLE)
    assert assembly_findings(loaded, build_models(loaded, build_parts(loaded))) == []


def test_an_overlap_reaches_check_json_and_the_dfm_report(stack, tmp_path, cli):
    import json

    import pdfplumber

    place = "{part: P1, at: [0, 0, 0]}\n{part: P1, at: [5, 10, 20]}\n{part: P2, at: [0, 0, -5]}"
    spec = stack.write("techpack.yaml", _spec_text(place))
    code, out, _ = cli("check", spec, "--format", "json", "--fail-on", "warning")
    report = json.loads(out)
    assert code == 1  # a warning, failing on warnings
    (entry,) = [e for e in report["parts"] if e["part"] == "A-000"]
    assert [f["id"] for f in entry["findings"]] == ["A-000/assembly-overlap/1"] and entry["findings"][0]["value"] == 500.0
    result = build(spec, tmp_path / "out", Reporter(0), allow_dfm_errors=True)
    with zipfile.ZipFile(result.zip_path) as zf:
        zf.extract("T-1_revA/dfm/dfm-report.pdf", tmp_path)
    with pdfplumber.open(tmp_path / "T-1_revA/dfm/dfm-report.pdf") as pdf:
        text = " ".join((pdf.pages[0].extract_text() or "").split())
    assert "A-000 Stack (assembly): placed parts checked for overlaps; 1 warning" in text
    assert "P1 Block (2 of 2) and P1 Block (1 of 2) overlap by 500.0 mm³" in text

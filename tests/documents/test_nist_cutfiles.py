"""Cut and print files of real parts: NIST CTC-03 (a bent sheet, 1.9 mm, seven bends) built as
sheet metal and CTC-01 built as an FDM print, each file read back with an independent reader
(ezdxf, lib3mf, trimesh) and compared with OCCT's own reading of the STEP file."""

from __future__ import annotations

import math
import zipfile

import ezdxf
import lib3mf
import pdfplumber
import pytest
import trimesh

from techpack.build import build
from techpack.report import Reporter
from tests.conftest import FIXTURES
from tests.documents.test_cutfiles import _loop_area
from tests.documents.test_nist_package import occt_read


def _package(tmp_path, n: str, material: str, process: str) -> tuple:
    name = f"nist_ctc_{n}_asme1_ap203.stp"
    (tmp_path / name).write_bytes((FIXTURES / name).read_bytes())
    (tmp_path / "techpack.yaml").write_text(
        "techpack: 1\n"
        f"product: {{number: CTC-{n}, name: NIST CTC {n}, revision: A, owner: NIST, drawn_by: NIST, date: 2026-11-20, batch: 10}}\n"
        f"parts:\n  - {{number: CTC{n}-1, name: Test part, model: {name}, material: {material}, process: {process}}}\n", encoding="utf-8")
    result = build(tmp_path / "techpack.yaml", tmp_path / "out", Reporter(0), allow_dfm_errors=True, suppliers=False)
    with zipfile.ZipFile(result.zip_path) as zf:
        zf.extractall(tmp_path / "out")
    return tmp_path / name, tmp_path / "out" / f"CTC-{n}_revA"


def test_ctc_03_unfolds_to_one_blank_whose_area_times_t_is_its_volume(tmp_path):
    step, folder = _package(tmp_path, "03", "6061", "sheet-metal")
    volume, _ = occt_read(step)
    doc = ezdxf.readfile(folder / "dxf" / "CTC03-1_test-part_revA_flat.dxf")
    assert not doc.audit().has_errors and doc.header["$INSUNITS"] == 4
    msp = doc.modelspace()
    loops = sorted((e for e in msp.query('LWPOLYLINE[layer=="CUT"]')), key=lambda p: -_loop_area(list(p.get_points("xyb"))))
    circles = list(msp.query('CIRCLE[layer=="CUT"]'))
    assert all(p.closed for p in loops) and len(loops) - 1 + len(circles) == 17  # the blank and its 17 cut-outs
    assert len(msp.query('LINE[layer=="BEND"]')) == 7
    net = _loop_area(list(loops[0].get_points("xyb"))) - sum(_loop_area(list(p.get_points("xyb"))) for p in loops[1:]) \
        - sum(math.pi * c.dxf.radius ** 2 for c in circles)
    # 6061 bends soft: R/t = 6.35 / 1.9075 > 3 gives K 0.5, the neutral fibre in the middle of the sheet, so the
    # blank times the thickness is the solid's volume (to the 0.025° the model's 45° bend is off, and its letters)
    t = 1.90754
    assert net * t == pytest.approx(volume, rel=1e-3)
    with pdfplumber.open(folder / "drawings" / "CTC03-1_test-part_revA.pdf") as pdf:
        text = pdf.pages[-1].extract_text()
    assert "FLAT PATTERN" in text and all(f"B{k} " in text for k in range(1, 8))
    assert text.count(" 0.5 ") >= 7 and "45°" in text and "R6.35" in text


def test_ctc_01_as_a_print_is_one_closed_mesh_of_its_volume(tmp_path):
    step, folder = _package(tmp_path, "01", "PLA", "fdm")
    volume, size = occt_read(step)
    wrapper = lib3mf.get_wrapper()
    model = wrapper.CreateModel()
    model.QueryReader("3mf").ReadFromFile(str(folder / "print" / "CTC01-1_test-part_revA.3mf"))
    objects = model.GetMeshObjects()
    assert objects.MoveNext()
    mesh = objects.GetCurrentMeshObject()
    assert mesh.IsManifoldAndOriented() and model.GetUnit() == lib3mf.ModelUnit.MilliMeter
    stl = trimesh.load(folder / "print" / "CTC01-1_test-part_revA.stl", force="mesh")
    assert stl.is_watertight and stl.volume == pytest.approx(volume, rel=0.005)
    assert sorted(stl.extents) == pytest.approx(sorted(size), abs=0.05)

"""The whole package on the NIST CTC parts (real STEP files): what the workbook, the drawing's
characteristics and the finishing instructions print equals what an independent reading of
the STEP file with OCCT gives, so that no part is made to a number the model does not have."""

from __future__ import annotations

import json
import re
import math
import zipfile
from collections import Counter

import pdfplumber
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from OCP.Bnd import Bnd_Box
from OCP.BRepBndLib import BRepBndLib
from OCP.BRepGProp import BRepGProp
from OCP.GProp import GProp_GProps
from OCP.IFSelect import IFSelect_RetDone
from OCP.STEPControl import STEPControl_Reader
from OCP.TopAbs import TopAbs_SOLID
from OCP.TopExp import TopExp_Explorer

from techpack.build import build
from techpack.documents import workbook
from techpack.report import Reporter
from tests.conftest import FIXTURES

DENSITY_6061 = 2.70  # g/cm³, catalog materials.yaml (aluminium 6061-T6)
H7 = {25.0: 0.021, 10.1: 0.018, 11.13: 0.018, 14.0: 0.018, 19.05: 0.021}  # ISO 286-1 IT7: over 10 up to 18 mm 18 µm, 18 to 30 mm 21 µm
NIST = {"01": 25.0, "02": 10.1, "03": 11.13, "04": 14.0, "05": 19.05}  # a hole size each part has, to toleranced H7
BOM = {c.key: i for i, c in enumerate(workbook.BOM_COLUMNS)}
PLAN = {c.key: i for i, c in enumerate(workbook.PLAN_COLUMNS)}
PLAN_LETTERS = {c.key: get_column_letter(i + 1) for i, c in enumerate(workbook.PLAN_COLUMNS)}


def row_number(ws, values: list) -> int:
    return next(r[0].row for r in ws.iter_rows(min_row=5) if [c.value for c in r] == values)


def occt_read(path):
    """Volume (mm³) and bounding box size of the STEP file's shape, read with OCCT alone."""
    reader = STEPControl_Reader()
    assert reader.ReadFile(str(path)) == IFSelect_RetDone
    reader.TransferRoots()
    shape = reader.OneShape()
    props = GProp_GProps()  # of the solids only: the files also hold construction geometry beyond the part
    box = Bnd_Box()
    solids = TopExp_Explorer(shape, TopAbs_SOLID)
    while solids.More():
        BRepGProp.VolumeProperties_s(solids.Current(), props)
        BRepBndLib.AddOptimal_s(solids.Current(), box, False, False)
        solids.Next()
    x0, y0, z0, x1, y1, z1 = box.Get()
    return props.Mass(), (x1 - x0, y1 - y0, z1 - z0)


@pytest.fixture(scope="module", params=sorted(NIST))
def nist(request, tmp_path_factory):
    n = request.param
    name = f"nist_ctc_{n}_asme1_ap203.stp"
    design = tmp_path_factory.mktemp(f"ctc{n}")
    (design / name).write_bytes((FIXTURES / name).read_bytes())
    d = NIST[n]
    (design / "techpack.yaml").write_text(
        "techpack: 1\n"
        f"product: {{number: CTC-{n}, name: NIST CTC {n}, revision: A, owner: NIST, drawn_by: NIST, date: 2026-11-20, batch: 40, spares: 5%}}\n"
        f"parts:\n  - {{number: CTC{n}-1, name: Test part, model: {name}, material: 6061, process: cnc-milling,\n"
        "     finish: [bead-blast, {anodise: {type: II, ral: 9005}}],\n"
        f"     features: [{{name: bores, select: {{hole: {d}}}, fit: H7, critical: true}}]}}\n",
        encoding="utf-8",
    )
    out = design / "out"
    result = build(design / "techpack.yaml", out, Reporter(0), allow_dfm_errors=True)
    with zipfile.ZipFile(result.zip_path) as zf:
        zf.extractall(out)
    return n, design / name, out / f"CTC-{n}_revA", result


def test_bom_volume_mass_and_stock_equal_an_independent_reading(nist):
    n, step, folder, _ = nist
    volume, size = occt_read(step)
    ws = load_workbook(folder / "bom" / f"CTC-{n}_revA.xlsx")["BOM"]
    row = [c.value for c in ws[5]]
    assert row[BOM["number"]] == f"CTC{n}-1"
    assert row[BOM["volume_cm3"]] == pytest.approx(volume / 1000, rel=1e-6)
    assert row[BOM["unit_mass_g"]] == pytest.approx(volume * DENSITY_6061 / 1000, rel=1e-6)
    # machining stock: the box plus 1.5 mm a side (catalog stock.yaml), rounded up to 0.1 mm
    stock = [float(v) for v in row[BOM["stock"]].split(" × ")]
    assert stock == [pytest.approx(math.ceil(round((s + 3.0) * 10, 3)) / 10, abs=1e-9) for s in size]  # 150.0000001 is 150
    assert row[BOM["batch_qty"]] == "=J5*Batch"  # live; 40 × 1, spares 5 % = 2, order 42 when recalculated


def test_inspection_rows_are_the_drawings_characteristics_with_iso286_limits(nist):
    n, _, folder, result = nist
    (model,) = result.parts
    holes = Counter(round(h.diameter_mm, 2) for h in model.features.holes)
    chars = json.loads((folder / "drawings" / f"CTC{n}-1_characteristics.json").read_text())["characteristics"]
    ws = load_workbook(folder / "bom" / f"CTC-{n}_revA.xlsx")["Inspection plan"]
    plan = [[c.value for c in r] for r in ws.iter_rows(min_row=5) if r[0].value == f"CTC{n}-1"]
    assert [(r[PLAN["balloon"]], r[PLAN["text"]]) for r in plan] == [(c["number"], c["text"]) for c in chars]
    size = next(c for c in chars if c["kind"] == "size")
    d = NIST[n]
    assert size["nominal"] == pytest.approx(d, abs=0.01) and size["count"] == holes[d]
    assert (size["upper"] - size["nominal"], size["lower"] - size["nominal"]) == (pytest.approx(H7[d], abs=1e-9), pytest.approx(0.0, abs=1e-9))
    assert size["severity"] == "critical" and size["view"]  # ballooned on the sheet
    row = next(r for r in plan if r[PLAN["kind"]] == "size")
    assert (row[PLAN["nominal"]], row[PLAN["upper"]], row[PLAN["lower"]]) == (
        pytest.approx(size["nominal"]), pytest.approx(size["upper"]), pytest.approx(size["lower"]))
    # critical: every delivered unit is measured
    lot = f"{PLAN_LETTERS['lot']}{row_number(ws, row)}"
    assert row[PLAN["lot"]] == "=BOM!$N$5"  # the part's order quantity
    assert row[PLAN["n"]] == f"={lot}" and (row[PLAN["ac"]], row[PLAN["re"]]) == (0, 1)
    with pdfplumber.open(folder / "drawings" / f"CTC{n}-1_test-part_revA.pdf") as pdf:
        text = "\n".join(p.extract_text() or "" for p in pdf.pages)
    assert f"H7 (+{H7[d]:g}/0)" in text


def test_finishing_masks_the_fitted_bores_and_names_their_balloon(nist):
    n, _, folder, result = nist
    (model,) = result.parts
    balloon = next(c.number for c in model.characteristics if c.feature == "bores")
    with pdfplumber.open(folder / "finishing" / f"CTC{n}-1_test-part_revA_finishing.pdf") as pdf:
        text = "\n".join(p.extract_text() or "" for p in pdf.pages)
    assert "MIL-PRF-8625 Type II" in text and "RAL 9005" in text
    assert re.search(rf"M1 bores fit H7 {balloon}\b", text), text  # the masking table's row: mark, feature, why, balloon

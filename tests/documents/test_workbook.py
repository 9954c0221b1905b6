"""The BOM and inspection workbook and the BOM CSV: built once from the example, read back
with openpyxl and csv, and recalculated by LibreOffice for a batch the example does not use."""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import shutil
import subprocess
import zipfile
from bisect import bisect_right
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import pdfplumber
import pytest
from openpyxl import load_workbook

from techpack.build import build
from techpack.context import BuildContext, Output
from techpack.documents import workbook
from techpack.report import Reporter
from techpack.spec import load_spec
from techpack.standards import sampling_plan
from techpack.standards.iso2859 import LEVELS, aql_values
from tests.conftest import EXAMPLE

SHEETS = ["BOM", "Inspection plan", "Sampling", "Finishes", "Finished sizes", "DFM", "Revision"]
HEADER = 4  # the BOM's and the inspection plan's header row
OTHER_BATCH = 137  # the example builds 50
BOM = {c.key: i for i, c in enumerate(workbook.BOM_COLUMNS)}
PLAN = {c.key: i for i, c in enumerate(workbook.PLAN_COLUMNS)}


@pytest.fixture(scope="module")
def pkg(example_package):
    folder = example_package.folder
    loaded = load_spec(EXAMPLE)
    return SimpleNamespace(result=example_package.result, folder=folder, loaded=loaded, spec=loaded.spec,
                           xlsx=folder / "bom" / "DL-2_revB.xlsx", csv=folder / "bom" / "DL-2_revB_bom.csv")


@pytest.fixture(scope="module")
def wb(pkg):
    return load_workbook(pkg.xlsx)


def rows(ws, first: int, width: int) -> list[list]:
    """The rows from `first` down to the first empty one, `width` cells each."""
    out = []
    for row in ws.iter_rows(min_row=first, max_col=width, values_only=True):
        if all(v is None for v in row):
            break
        out.append(list(row))
    return out


def spares(setting, batch_qty: int) -> int:
    """The spec's spares: a count, or a percentage of the batch quantity rounded up."""
    if isinstance(setting, str):
        return math.ceil(Fraction(setting.rstrip("%")) * batch_qty / 100)
    return setting


def expected_bom(pkg, batch: int) -> list[dict]:
    """Quantities and masses of every BOM row, worked out from the spec and the part models."""
    product = pkg.spec.product
    out = []
    models = {m.spec.number: m for m in pkg.result.parts}
    for item in [*pkg.spec.parts, *pkg.spec.hardware]:
        batch_qty = item.qty * batch
        order = batch_qty + spares(item.spares if item.spares is not None else product.spares, batch_qty)
        model = models.get(item.number)
        mass = model.volume_mm3 / 1000 * model.material.density_g_cm3 if model else None
        out.append({"number": item.number, "batch_qty": batch_qty, "order_qty": order,
                    "spares": order - batch_qty, "total_mass_kg": order * mass / 1000 if model else None})
    return out


def test_sheets_and_defined_names(wb, pkg):
    assert wb.sheetnames == SHEETS
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in wb.sheetnames)
    assert wb.defined_names["Batch"].attr_text == "BOM!$C$2"
    assert wb["BOM"]["C2"].value == pkg.spec.product.batch == 50
    for name in ("SampleLot", "SampleN", "SampleAc", "SampleRe"):
        assert wb.defined_names[name].attr_text.startswith("Sampling!$")
    assert wb.calculation.fullCalcOnLoad  # Excel and LibreOffice compute the formulas on opening


def test_bom_rows_values_and_formulas(wb, pkg):
    ws = wb["BOM"]
    assert [c.value for c in ws[HEADER]] == [c.header for c in workbook.BOM_COLUMNS]
    table = rows(ws, HEADER + 1, len(workbook.BOM_COLUMNS))
    spec = pkg.spec
    assert [r[BOM["number"]] for r in table] == [p.number for p in spec.parts] + [h.number for h in spec.hardware]
    assert [r[BOM["item"]] for r in table] == list(range(1, len(table) + 1))
    assert [r[BOM["make_buy"]] for r in table] == ["MAKE"] * len(spec.parts) + ["BUY"] * len(spec.hardware)
    catalog = pkg.loaded.catalog
    for r, part in zip(table, spec.parts):
        assert r[BOM["name"]] == part.name and r[BOM["qty"]] == part.qty and r[BOM["revision"]] == "B"
        assert r[BOM["material"]] == catalog.material(part.material).title
        assert r[BOM["process"]] == catalog.processes[part.process].title
        assert r[BOM["supplier"]] == spec.suppliers[part.supplier].name
    base = table[0]
    assert base[BOM["finish"]].startswith("Bead blast") and "RAL 9005 Jet black" in base[BOM["finish"]]
    assert base[BOM["stock"]] == "163 × 163 × 15"  # Ø160 × 12 plus 1.5 mm a side
    for k, r in enumerate(table, HEADER + 1):
        assert r[BOM["batch_qty"]] == f"=J{k}*Batch"
        assert r[BOM["order_qty"]] == f"=K{k}+M{k}"
    by_number = {r[BOM["number"]]: (k, r) for k, r in enumerate(table, HEADER + 1)}
    k, base = by_number["DL2-101"]
    assert base[BOM["spares"]] == f"=ROUNDUP(K{k}*4/100,0)"  # product.spares: 4%
    assert base[BOM["total_mass_kg"]] == f"=N{k}*Q{k}/1000"
    assert by_number["DL2-301"][1][BOM["spares"]] == 1  # its own count
    k, screw = by_number["ISO4762-M5x12"]
    assert screw[BOM["spares"]] == f"=ROUNDUP(K{k}*10/100,0)"
    assert screw[BOM["unit_mass_g"]] is None and screw[BOM["stock"]] is None and screw[BOM["total_mass_kg"]] is None
    last = HEADER + len(table)
    assert ws[f"R{last + 2}"].value == f"=SUM(R{HEADER + 1}:R{last})"


def test_bom_links_open_the_package_files(wb, pkg):
    ws = wb["BOM"]
    for k, part in enumerate(pkg.spec.parts, HEADER + 1):
        for column, folder, suffix in (("T", "step", ".step"), ("U", "drawings", ".pdf")):
            cell = ws[f"{column}{k}"]
            target = cell.hyperlink.target
            assert target.startswith(f"../{folder}/{part.number}_") and target.endswith(suffix)
            assert cell.value == Path(target).name
            assert (pkg.xlsx.parent / target).resolve().is_file()


def test_sheets_print_and_scroll_well(wb):
    for name in ("BOM", "Inspection plan", "Finishes", "Finished sizes", "DFM"):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert "Revision B" in ws.oddHeader.right.text and ws.oddHeader.center.text
        assert ws.oddFooter.center.text == "Page &P of &N"
        assert ws.freeze_panes and ws.auto_filter.ref
    assert wb["BOM"].freeze_panes == "C5" and wb["BOM"].auto_filter.ref.startswith("A4:")
    assert wb["BOM"].column_dimensions["G"].width > 20


def test_unit_mass_is_volume_times_density(wb, pkg):
    table = rows(wb["BOM"], HEADER + 1, len(workbook.BOM_COLUMNS))
    for r, model in zip(table, pkg.result.parts):
        density = model.material.density_g_cm3
        assert r[BOM["density"]] == density
        assert r[BOM["volume_cm3"]] == pytest.approx(model.volume_mm3 / 1000, abs=1e-6)
        assert r[BOM["unit_mass_g"]] == pytest.approx(r[BOM["volume_cm3"]] * density, rel=1e-6)
        assert r[BOM["unit_mass_g"]] == pytest.approx(model.mass_g, abs=1e-6)


def test_inspection_rows_are_the_characteristics_in_balloon_order(wb, pkg):
    ws = wb["Inspection plan"]
    assert [c.value for c in ws[HEADER]] == [c.header for c in workbook.PLAN_COLUMNS]
    table = rows(ws, HEADER + 1, len(workbook.PLAN_COLUMNS))
    chars = [c for m in pkg.result.parts for c in m.characteristics]
    assert len(table) == len(chars) > 0
    got = [tuple(r[PLAN[k]] for k in ("part", "balloon", "text", "nominal", "upper", "lower", "unit", "class")) for r in table]
    assert got == [(c.part, c.number, c.text, c.nominal, c.upper, c.lower, c.unit, c.severity) for c in chars]
    from_drawings = []
    for part in dict.fromkeys(c.part for c in chars):
        data = json.loads((pkg.folder / "drawings" / f"{part}_characteristics.json").read_text(encoding="utf-8"))
        from_drawings += [tuple(c[k] for k in ("part", "number", "text", "nominal", "upper", "lower", "unit", "severity"))
                          for c in data["characteristics"]]
    assert got == from_drawings
    bom_row = {p.number: k for k, p in enumerate(pkg.spec.parts, HEADER + 1)}
    for k, (r, c) in enumerate(zip(table, chars), HEADER + 1):
        assert r[PLAN["lot"]] == f"=BOM!$N${bom_row[c.part]}"  # the part's order quantity
        if c.critical:
            assert (r[PLAN["n"]], r[PLAN["ac"]], r[PLAN["re"]]) == (f"=P{k}", 0, 1)
        else:
            assert r[PLAN["n"]] == f"=MIN(LOOKUP(P{k},SampleLot,SampleN),P{k})"
            assert r[PLAN["ac"]] == f"=LOOKUP(P{k},SampleLot,SampleAc)"
        assert r[PLAN["s1"]] is None and r[PLAN["inspector"]] is None  # filled in by the inspector


def test_instruments_follow_ten_to_one(wb):
    table = rows(wb["Inspection plan"], HEADER + 1, len(workbook.PLAN_COLUMNS))
    chosen = {(r[PLAN["part"]], r[PLAN["balloon"]]): r for r in table}
    assert chosen[("DL2-101", 1)][PLAN["instrument"]].startswith("Bore gauge")  # Ø10 H7: 15 µm band
    assert chosen[("DL2-101", 4)][PLAN["instrument"]].startswith("Thread plug gauge")  # M5-6H in a hole
    assert chosen[("DL2-101", 7)][PLAN["instrument"]].startswith("Digital caliper")  # 12 ±0.1
    assert chosen[("DL2-501", 1)][PLAN["instrument"]].startswith("Coordinate measuring")  # Ø10 p6: micrometer 9:1
    for r in table:
        upper, lower, resolution = r[PLAN["upper"]], r[PLAN["lower"]], r[PLAN["resolution"]]
        if upper is None or resolution is None:
            continue
        band = upper - (lower or 0)
        assert resolution <= band / 10 * (1 + 1e-9) or "not met" in (r[PLAN["instrument_note"]] or "")
        assert r[PLAN["ratio"]] == pytest.approx(band / resolution, rel=1e-3)


# ISO 2859-1 level II, AQL 1.0, worked by hand from Table 1 and Table 2-A (reference
# inspection-finishing-rfq.md §2.5): letters A-E -> E (n 13, 0/1); F is an up arrow -> E;
# G a down arrow -> H (50, 1/2); H 50 1/2; J 80 2/3; K 125 3/4; n at least the lot -> 100 %.
LEVEL_II_AQL_1 = {
    2: (2, 0, 1), 8: (8, 0, 1), 9: (9, 0, 1), 15: (13, 0, 1), 16: (13, 0, 1), 25: (13, 0, 1), 26: (13, 0, 1),
    50: (13, 0, 1), 51: (13, 0, 1), 90: (13, 0, 1), 91: (13, 0, 1), 150: (13, 0, 1), 151: (50, 1, 2),
    280: (50, 1, 2), 281: (50, 1, 2), 500: (50, 1, 2), 501: (80, 2, 3), 1200: (80, 2, 3), 1201: (125, 3, 4),
    3200: (125, 3, 4),
}


def lookup(table, lot: int) -> tuple[int, int, int]:
    """What the inspection plan's formulas compute: LOOKUP on "Lot from", n capped at the lot."""
    i = bisect_right([r[0] for r in table], lot) - 1
    _, _, _, _, n, ac, re_ = table[i]
    return min(n, lot), ac, re_


def test_sampling_sheet_is_iso_2859_1(wb):
    ws = wb["Sampling"]
    table = [tuple(r) for r in rows(ws, workbook.SAMPLING_HEADER_ROW + 1, 7)]
    assert [r[2] for r in table[:10]] == list("ABCDEFGHJK")  # level II code letters, lots 2 to 3200
    assert table[0][0] == 1 and table[-1][1] is None
    for lot, plan in LEVEL_II_AQL_1.items():
        assert lookup(table, lot) == plan, lot
        iso = sampling_plan(lot, 1.0, "II")
        assert (iso.sample_size, iso.accept, iso.reject) == plan, lot


@pytest.mark.parametrize("level", LEVELS)
def test_plan_table_matches_sampling_plan_for_every_level_and_aql(level):
    lots = [1, *sorted(LEVEL_II_AQL_1), 3201, 10000, 10001, 35000, 35001, 150000, 150001, 500000, 500001, 10**6]
    for aql in aql_values():
        table = workbook.plan_table(level, aql)
        for lot in lots:
            iso = sampling_plan(lot, aql, level)
            assert lookup(table, lot) == (iso.sample_size, iso.accept, iso.reject), (level, aql, lot)


def recalculate(source: Path, batch: int, tmp: Path) -> Path:
    """A copy of the workbook with another batch, recalculated and saved by LibreOffice."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not on PATH: cannot recalculate the workbook")
    book = load_workbook(source)
    book["BOM"]["C2"] = batch
    changed = tmp / "changed.xlsx"
    book.save(changed)
    out = tmp / "recalculated"
    subprocess.run([soffice, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), str(changed)],
                   check=True, capture_output=True, timeout=180, env={**os.environ, "HOME": str(tmp)})
    return out / "changed.xlsx"


def test_totals_follow_the_batch_after_recalculation_in_libreoffice(pkg, tmp_path):
    book = load_workbook(recalculate(pkg.xlsx, OTHER_BATCH, tmp_path), data_only=True)
    ws = book["BOM"]
    table = rows(ws, HEADER + 1, len(workbook.BOM_COLUMNS))
    expected = expected_bom(pkg, OTHER_BATCH)
    assert len(table) == len(expected)
    for r, e in zip(table, expected):
        assert r[BOM["number"]] == e["number"]
        assert (r[BOM["batch_qty"]], r[BOM["spares"]], r[BOM["order_qty"]]) == (e["batch_qty"], e["spares"], e["order_qty"]), e["number"]
        if e["total_mass_kg"] is None:
            assert r[BOM["total_mass_kg"]] is None
        else:
            assert r[BOM["total_mass_kg"]] == pytest.approx(e["total_mass_kg"], rel=1e-6)
    assert expected[0]["spares"] == 6  # 4 % of 137, rounded up
    total = ws[f"R{HEADER + len(table) + 2}"].value
    assert total == pytest.approx(sum(e["total_mass_kg"] or 0 for e in expected), rel=1e-6)
    order = {e["number"]: e["order_qty"] for e in expected}
    level, aql = pkg.spec.product.inspection.level, pkg.spec.product.inspection.aql
    plan = rows(book["Inspection plan"], HEADER + 1, len(workbook.PLAN_COLUMNS))
    for r in plan:
        lot = order[r[PLAN["part"]]]
        iso = sampling_plan(lot, aql, level)
        want = (lot, 0, 1) if r[PLAN["class"]] == "critical" else (iso.sample_size, iso.accept, iso.reject)
        assert r[PLAN["lot"]] == lot
        assert (r[PLAN["n"]], r[PLAN["ac"]], r[PLAN["re"]]) == want, (r[PLAN["part"]], r[PLAN["balloon"]])
        assert r[PLAN["result"]] in (None, "")  # nothing measured yet


def test_csv_holds_the_bom_values(wb, pkg):
    raw = pkg.csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads Ø and µ right
    with pkg.csv.open(encoding="utf-8-sig", newline="") as f:
        data = list(csv.reader(f))
    assert data[0] == [c.header for c in workbook.BOM_COLUMNS]
    sheet = rows(wb["BOM"], HEADER + 1, len(workbook.BOM_COLUMNS))
    expected = expected_bom(pkg, pkg.spec.product.batch)
    assert len(data) - 1 == len(sheet) == len(expected)
    formulas = {"batch_qty", "spares", "order_qty", "total_mass_kg"}
    for line, cells, e in zip(data[1:], sheet, expected):
        for c in workbook.BOM_COLUMNS:
            text, value = line[BOM[c.key]], cells[BOM[c.key]]
            if c.key in formulas:
                want = e[c.key]
                assert (text == "") if want is None else float(text) == pytest.approx(want, rel=1e-6, abs=1e-6), (e["number"], c.key)
            elif c.key in ("step", "drawing"):
                assert text == ("" if value is None else f"../{'step' if c.key == 'step' else 'drawings'}/{value}")
            elif c.key == "cam":  # the sheet shows the files' names, the CSV their paths
                assert text == ("" if value is None else "; ".join(f"../{'dxf' if n.endswith('.dxf') else 'print'}/{n}" for n in value.split("; ")))
            elif isinstance(value, (int, float)):
                assert float(text) == pytest.approx(value)
            else:
                assert text == ("" if value is None else value), (e["number"], c.key)


def test_finishes_sheet(wb, pkg):
    ws = wb["Finishes"]
    table = rows(ws, HEADER + 1, len(workbook.FINISH_COLUMNS))
    expected = [(p.number, k, f.finish.title) for p in pkg.spec.parts for k, f in enumerate(pkg.loaded.finishes(p), 1)]
    assert [(r[0], r[2], r[3]) for r in table] == expected
    anodise = next(r for r in table if r[3].startswith("Anodise"))
    assert anodise[4] == "MIL-PRF-8625 Type II" and anodise[6] == 10 and anodise[7] == 5
    assert anodise[8] == "after finishing" and anodise[10] == "RAL 9005 Jet black (black)"  # the RAL code and the spec's colour: black
    assert "stem bore (fit H7, datum B; balloons 1, 2, 3)" in anodise[9]
    paint = next(r for r in table if r[0] == "DL2-201")
    assert paint[11].startswith("semi-gloss: 41–70 GU at 60°")  # the same words as the finishing instructions
    # the sizes a coating changes: only the base's 12 ±0.1, anodised on the top face, the
    # underside (datum A) masked: 5 µm on one surface; anodise's limits are after finishing
    sizes = rows(wb["Finished sizes"], HEADER + 1, len(workbook.SIZE_COLUMNS))
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in sizes] == [("DL2-101", 7, "12 ±0.1", "thickness", 1)]
    assert sizes[0][5] == 5 and sizes[0][6] == "after finishing"
    assert sizes[0][7:] == pytest.approx([11.9, 12.1, 11.895, 12.095, 11.9, 12.1])


def test_dfm_and_revision_sheets(wb, pkg):
    findings = rows(wb["DFM"], 4, len(workbook.DFM_COLUMNS))
    assert [r[0] for r in findings] == [f.id for f in pkg.result.report.findings]
    waived = {r[0]: r[8] for r in findings}
    assert waived["DL2-201/wall-thickness/1"].startswith("the 0.8 mm rim lip")
    revision = {r[0]: r[1] for r in wb["Revision"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert revision["Product"] == "DL-2" and revision["Revision"] == "B"
    assert revision["Date"].date().isoformat() == "2026-11-20"
    assert revision["Spec SHA-256"] == hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    assert {"techpack", "CadQuery", "OCCT"} <= set(revision)


def test_two_writes_give_the_same_bytes(pkg, tmp_path):
    manifest = json.loads((pkg.folder / "manifest.json").read_text(encoding="utf-8"))
    outputs = [Output(f["path"], f["kind"], f.get("part")) for f in manifest["files"]]
    made = []
    for k in (1, 2):
        folder = tmp_path / f"build{k}"
        ctx = BuildContext(loaded=pkg.loaded, folder=folder, date=pkg.spec.product.date, git=None,
                           log=Reporter(0), report=pkg.result.report, outputs=list(outputs))
        written = workbook.write(ctx, [r.summary for r in pkg.result.results])
        assert [o.path for o in written] == ["bom/DL-2_revB.xlsx", "bom/DL-2_revB_bom.csv"]
        made.append([(folder / o.path).read_bytes() for o in written])
    assert made[0] == made[1]
    with zipfile.ZipFile(tmp_path / "build1" / "bom" / "DL-2_revB.xlsx") as zf:
        assert {i.date_time for i in zf.infolist()} == {(2026, 11, 20, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
    assert "2026-11-20T00:00:00Z" in core and core.count("2026-11-20T00:00:00Z") == 2


BORE_SCRIPT = """
import cadquery as cq

def build():
    return cq.Workplane("XY").box(40, 30, 10).faces(">Z").workplane().hole(6)
"""


def test_a_critical_size_without_limits_gets_the_general_tolerance(project, tmp_path):
    project.write("bore.py", BORE_SCRIPT)
    spec = project.spec("""
        - number: P-1
          name: Block
          model: bore.py
          material: aluminium 6061-T6
          process: cnc-milling
          features:
            - {name: bore, select: {hole: 6}, critical: true}
    """)
    result = build(spec, tmp_path / "out", Reporter(0))
    with zipfile.ZipFile(result.zip_path) as zf:
        book = load_workbook(zf.open("T-1_revA/bom/T-1_revA.xlsx"))
        text = zf.read("T-1_revA/bom/T-1_revA_bom.csv").decode("utf-8-sig")
    row = rows(book["Inspection plan"], HEADER + 1, len(workbook.PLAN_COLUMNS))[0]
    assert row[PLAN["text"]] == "Ø6 (general tolerance ISO 2768-mK)"
    assert (row[PLAN["upper"]], row[PLAN["lower"]]) == pytest.approx((6.1, 5.9))  # ISO 2768-m over 3 to 6 mm: ±0.1
    assert row[PLAN["instrument"]].startswith("Digital caliper")
    line = list(csv.reader(text.splitlines()))[1]
    assert line[BOM["spares_rule"]] == "0 (count)" and line[BOM["order_qty"]] == "10"


INCH_PLATE = """
import cadquery as cq

def build():
    return cq.Workplane("XY").box(4, 3, 0.125).faces(">Z").workplane().hole(0.25)
"""


def test_an_inch_product_prints_millimetres_from_its_inch_spec(project, tmp_path):
    """Every length of an inch spec is converted once (1 in = 25.4 mm): the model, the fit's
    nominal, the plate thickness of the stock, the finish's growth on the limits."""
    project.write("plate.py", INCH_PLATE)
    inches = "product: {number: T-1, name: Inch, revision: A, owner: O, drawn_by: D, date: 2026-11-20, batch: 10, units: in}\n"
    spec = project.spec("""
        - number: P-1
          name: Plate
          model: plate.py
          material: aluminium 6061-T6
          process: laser-cutting
          thickness: 0.125
          spares: 10%
          finish: [{anodise: {type: II}}]
          features:
            - {name: bore, select: {hole: 0.25}, fit: H7, mask: false}
    """, product=inches)
    result = build(spec, tmp_path / "out", Reporter(0), allow_dfm_errors=True)
    with zipfile.ZipFile(result.zip_path) as zf:
        book = load_workbook(zf.open("T-1_revA/bom/T-1_revA.xlsx"))
        with pdfplumber.open(zf.open("T-1_revA/drawings/P-1_plate_revA.pdf")) as pdf:
            sheet = pdf.pages[0].extract_text()
    assert "Ø6.35 H7 (+0.015/0) THRU" in sheet  # the drawing's callout: the plan's nominal and limits
    bom = rows(book["BOM"], HEADER + 1, len(workbook.BOM_COLUMNS))[0]
    assert bom[BOM["stock"]].startswith("sheet 3.175 thick, blank 103.6 × 78.2")  # 0.125 in; 4 × 3 in + 1 mm a side
    assert bom[BOM["volume_cm3"]] == pytest.approx((4 * 3 * 0.125 - math.pi * 0.125 ** 2 * 0.125) * 25.4 ** 3 / 1000, rel=1e-6)
    row = rows(book["Inspection plan"], HEADER + 1, len(workbook.PLAN_COLUMNS))[0]
    # Ø0.25 in = 6.35 mm, H7 over 6 up to 10 mm: +0.015/0
    assert (row[PLAN["text"]], row[PLAN["nominal"]], row[PLAN["upper"]], row[PLAN["lower"]]) == ("Ø6.35 H7", 6.35, 6.365, 6.35)
    assert book["Inspection plan"].cell(HEADER + 1, PLAN["upper"] + 1).number_format == "0.000#"
    # coated (mask: false): the bore shrinks by 2 × 5 µm, so it is machined 0.010 larger
    size = rows(book["Finished sizes"], HEADER + 1, len(workbook.SIZE_COLUMNS))[0]
    assert size[2] == "Ø6.35 H7" and size[3] == "hole"
    col = {c.key: i for i, c in enumerate(workbook.SIZE_COLUMNS)}
    got = [size[col[k]] for k in ("drawing_lower", "drawing_upper", "machined_lower", "machined_upper", "finished_lower", "finished_upper")]
    assert got == pytest.approx([6.35, 6.365, 6.36, 6.375, 6.35, 6.365])  # anodise: the drawing's limits apply after finishing

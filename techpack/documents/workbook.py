"""bom/<product>_rev<R>.xlsx, the BOM and inspection workbook, and bom/<product>_rev<R>_bom.csv.

Sheets:
- BOM: a row per part and per hardware item. Batch quantity, spares, order quantity and
  total mass are formulas on the one named cell `Batch`, so a buyer who changes the batch
  sees every total follow. Unit mass = unit volume × the catalog density.
- Inspection plan: a row per characteristic of every part in balloon order, with the
  suggested instrument (10:1 rule, catalog/instruments.yaml) and the ISO 2859-1 single
  sampling plan as formulas on the part's order quantity (the lot) and the Sampling sheet;
  critical characteristics 100 %. Empty columns for the measured values are the record.
- Sampling: ISO 2859-1 lot ranges -> sample size, Ac, Re for the product's level and AQL.
- Finishes: every finish step of every part with the masked surfaces; Finished sizes: the
  toleranced sizes a coating changes, machining and finished limits (techpack.finish_effects).
- DFM: every finding. Revision: product, date, git commit, spec hash, tool versions.

The CSV holds the BOM sheet's values computed in Python (not formulas), UTF-8 with a byte
order mark: Excel reads a CSV as the system code page unless it starts with one (Ø, µ, ×
would be garbled), and csv readers, ERP imports and pandas (encoding "utf-8-sig") take it.

Formulas are in English with comma separators and use only Excel 2007 functions (MIN,
LOOKUP, ROUNDUP, SUM, IF). The file is deterministic: document properties carry the build
date and the zip entries are rewritten with the build date, as the package zip's are.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import math
import posixpath
import zipfile
from dataclasses import dataclass
from importlib.metadata import version
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.writer.excel import ExcelWriter

from techpack import __version__
from techpack.provenance import occt_version
from techpack.catalog import read_data
from techpack.catalog.instruments import instrument_for
from techpack.documents.pdf import NOT_RELEASED
from techpack.context import BuildContext, Output
from techpack.inspection import fmt
from techpack.naming import package_name, supplier_name
from techpack.quantities import spares_percent, spares_qty, spares_setting
from techpack.package import ZIP_EPOCH, zip_entry
from techpack.standards import iso2859

if TYPE_CHECKING:
    from techpack.geometry.model import PartModel
    from techpack.summary import PartSummary

NAME = "workbook"
LIMIT = "0.000#"  # sizes and limits, mm: µm as ISO 286 gives them, 0.1 µm where inch sizes need it
FOLDER = "bom"
SAMPLE_COLUMNS = 5  # measured values S1..S5: the first article and the first units of the sample

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=13)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # cells the buyer or inspector fills in
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
LINE_PT = 13  # height of a line of 11 pt text, points


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    number_format: str = "General"


BOM_COLUMNS = (
    Column("item", "Item", 6, "0"),
    Column("number", "Part number", 18, "@"),
    Column("name", "Name", 28),
    Column("revision", "Revision", 9, "@"),
    Column("material", "Material", 30),
    Column("process", "Process", 24),
    Column("finish", "Finish", 40),
    Column("supplier", "Supplier", 20),
    Column("make_buy", "Make/buy", 9),
    Column("qty", "Qty per product", 10, "0"),
    Column("batch_qty", "Batch qty", 10, "0"),
    Column("spares_rule", "Spares (spec)", 13, "@"),
    Column("spares", "Spares", 8, "0"),
    Column("order_qty", "Order qty", 10, "0"),
    Column("volume_cm3", "Unit volume (cm³)", 12, "0.000"),
    Column("density", "Density (g/cm³)", 10, "0.00"),
    Column("unit_mass_g", "Unit mass (g)", 11, "0.0"),
    Column("total_mass_kg", "Total mass of the order qty (kg)", 13, "0.000"),
    Column("stock", "Stock size (mm)", 26),
    Column("step", "STEP", 30),
    Column("drawing", "Drawing", 30),
    Column("cam", "Cut / print files", 34),
    Column("notes", "Notes", 30),
)
BOM_HEADER_ROW = 4
CAM_KINDS = ("dxf", "print")  # the documents whose files a shop's CAM loads (documents/cutfiles.py, printfiles.py)

PLAN_COLUMNS = (
    Column("part", "Part", 14, "@"),
    Column("balloon", "Balloon", 8, "0"),
    Column("feature", "Feature", 16),
    Column("text", "Characteristic", 34),
    Column("count", "Instances per part", 9, "0"),
    Column("kind", "Kind", 14),
    Column("nominal", "Nominal", 10, LIMIT),
    Column("upper", "Upper limit", 10, LIMIT),
    Column("lower", "Lower limit", 10, LIMIT),
    Column("unit", "Unit", 6),
    Column("class", "Class", 9),
    Column("instrument", "Suggested instrument", 36),
    Column("resolution", "Resolution", 10, "0.0000"),
    Column("ratio", "Band / resolution", 10, "0.0"),
    Column("instrument_note", "Instrument note", 28),
    Column("lot", "Lot (order qty)", 9, "0"),
    Column("n", "Sample size", 9, "0"),
    Column("ac", "Ac", 5, "0"),
    Column("re", "Re", 5, "0"),
    *(Column(f"s{k}", f"S{k}", 9) for k in range(1, SAMPLE_COLUMNS + 1)),
    Column("nonconforming", "Nonconforming in sample", 13, "0"),
    Column("result", "Result", 10),
    Column("inspector", "Inspector", 14),
    Column("date", "Date", 11, "yyyy-mm-dd"),
)
PLAN_HEADER_ROW = 4

SAMPLING_COLUMNS = (
    Column("lot_from", "Lot from", 10, "0"),
    Column("lot_to", "Lot to", 10, "0"),
    Column("code", "Code letter", 8),
    Column("plan", "Plan letter (arrows followed)", 14),
    Column("n", "Sample size n", 10, "0"),
    Column("ac", "Ac", 6, "0"),
    Column("re", "Re", 6, "0"),
)
SAMPLING_HEADER_ROW = 5
SAMPLING_NAMES = {"SampleLot": "lot_from", "SampleN": "n", "SampleAc": "ac", "SampleRe": "re"}

FINISH_COLUMNS = (
    Column("part", "Part", 14, "@"),
    Column("name", "Name", 18),
    Column("step", "Step", 6, "0"),
    Column("finish", "Finish", 26),
    Column("standard", "Standard", 24),
    Column("parameters", "Parameters", 44),
    Column("thickness", "Thickness (µm)", 10, "0.0"),
    Column("growth", "Growth per surface (µm)", 10, "0.0"),
    Column("dimensions", "Drawing limits apply", 18),
    Column("masked", "Masked surfaces (kept bare)", 44),
    Column("colour", "Colour", 22),
    Column("gloss", "Gloss", 28),
    Column("source", "Source", 40),
)
SIZE_COLUMNS = (
    Column("part", "Part", 14, "@"),
    Column("balloon", "Balloon", 8, "0"),
    Column("text", "Size", 18),
    Column("shape", "Shape", 10),
    Column("surfaces", "Coated surfaces", 9, "0"),
    Column("growth", "Growth per surface (µm)", 10, "0.0"),
    Column("drawing", "Drawing limits are", 16),
    Column("drawing_lower", "Drawing lower", 10, LIMIT),
    Column("drawing_upper", "Drawing upper", 10, LIMIT),
    Column("machined_lower", "Machine to: lower", 10, LIMIT),
    Column("machined_upper", "Machine to: upper", 10, LIMIT),
    Column("finished_lower", "After finishing: lower", 10, LIMIT),
    Column("finished_upper", "After finishing: upper", 10, LIMIT),
)

DFM_COLUMNS = (
    Column("id", "Id", 30, "@"),
    Column("part", "Part", 12, "@"),
    Column("rule", "Rule", 22),
    Column("severity", "Severity", 10),
    Column("value", "Value", 10, "0.00"),
    Column("limit", "Limit", 10, "0.00"),
    Column("unit", "Unit", 7),
    Column("message", "Message", 70),
    Column("waived", "Waived: reason", 50),
    Column("source", "Source of the limit", 40),
)


# ---------------------------------------------------------------------------------
# The BOM rows, computed in Python (the CSV's values; the sheet writes formulas)


@dataclass(frozen=True)
class BomRow:
    """One part or hardware item. Volume in cm³, density in g/cm³, mass in g."""

    item: int
    number: str
    name: str
    revision: str | None
    material: str | None
    process: str | None
    finish: str | None
    supplier: str | None
    make_buy: str
    qty: int
    spares: int | str  # a count, or a percentage of the batch quantity ("4%")
    volume_cm3: float | None
    density: float | None
    unit_mass_g: float | None
    stock: str | None
    step: str | None  # relative to the workbook: "../step/<stem>.step"
    drawing: str | None
    cam: str | None  # the flat pattern's DXF, the print files (3MF, STL): "; "-separated, relative to the workbook
    notes: str | None

    def batch_qty(self, batch: int) -> int:
        return self.qty * batch

    def spares_qty(self, batch: int) -> int:
        return spares_qty(self.spares, self.batch_qty(batch))

    def order_qty(self, batch: int) -> int:
        return self.batch_qty(batch) + self.spares_qty(batch)

    def total_mass_kg(self, batch: int) -> float | None:
        """Mass of the order quantity, kg."""
        return None if self.unit_mass_g is None else round(self.order_qty(batch) * self.unit_mass_g / 1000, 6)

    def values(self, batch: int) -> dict:
        """The BOM sheet's columns as values (the CSV)."""
        return {
            "item": self.item, "number": self.number, "name": self.name, "revision": self.revision,
            "material": self.material, "process": self.process, "finish": self.finish,
            "supplier": self.supplier, "make_buy": self.make_buy, "qty": self.qty,
            "batch_qty": self.batch_qty(batch), "spares_rule": spares_rule(self.spares),
            "spares": self.spares_qty(batch), "order_qty": self.order_qty(batch),
            "volume_cm3": self.volume_cm3, "density": self.density, "unit_mass_g": self.unit_mass_g,
            "total_mass_kg": self.total_mass_kg(batch), "stock": self.stock,
            "step": self.step, "drawing": self.drawing, "cam": self.cam, "notes": self.notes,
        }


def spares_rule(spares: int | str) -> str:
    percent = spares_percent(spares)
    return f"{fmt(float(percent), 4)} % of batch" if percent is not None else f"{int(spares)} (count)"


def bom_rows(ctx: BuildContext, parts: list[PartSummary]) -> list[BomRow]:
    """A row per part (MAKE), then per hardware item (BUY), numbered from 1."""
    spec, catalog = ctx.spec, ctx.loaded.catalog
    product = spec.product
    files = _files(ctx)
    cam: dict[str, list[str]] = {}
    for o in ctx.outputs:
        if o.part and o.kind in CAM_KINDS:
            cam.setdefault(o.part, []).append(posixpath.relpath(o.path, FOLDER))
    rows = []
    for k, model in enumerate(parts, 1):
        part = model.spec
        process = catalog.processes[part.process]
        rows.append(BomRow(
            item=k, number=part.number, name=part.name, revision=product.revision,
            material=model.material.title if model.material else part.material, process=process.title,
            finish="; ".join(f.describe() for f in ctx.loaded.finishes(part)) or "none",
            supplier=supplier_name(spec, part.supplier), make_buy="MAKE", qty=part.qty,
            spares=spares_setting(part, product),
            volume_cm3=round(model.volume_mm3 / 1000, 6),
            density=model.material.density_g_cm3 if model.material else None,
            unit_mass_g=round(model.mass_g, 6) if model.material else None,
            stock=model.prepared[NAME]["stock"],
            step=files.get(("step", part.number)), drawing=files.get(("drawing", part.number)),
            cam="; ".join(cam.get(part.number, [])) or None, notes=part.description,
        ))
    for k, hw in enumerate(spec.hardware, len(rows) + 1):
        rows.append(BomRow(
            item=k, number=hw.number, name=hw.name, revision=None, material=None, process=None,
            finish=None, supplier=supplier_name(spec, hw.supplier), make_buy="BUY", qty=hw.qty,
            spares=spares_setting(hw, product),
            volume_cm3=None, density=None, unit_mass_g=None, stock=None, step=None, drawing=None, cam=None,
            notes=hw.description,
        ))
    return rows


def _files(ctx: BuildContext) -> dict[tuple[str, str], str]:
    """(kind, part number) -> the STEP or drawing PDF path relative to the workbook."""
    out = {}
    for o in ctx.outputs:
        if o.part and ((o.kind == "step" and o.path.endswith(".step")) or (o.kind == "drawing" and o.path.endswith(".pdf"))):
            out[(o.kind, o.part)] = posixpath.relpath(o.path, FOLDER)
    return out


def prepare(loaded, model: PartModel, report) -> dict:
    """In the part's worker: what the workbook reads of the part's geometry. The stock it is
    cut from; whether each characteristic is of a hole (the instrument); its masked features;
    the toleranced sizes its coating changes (the Finished sizes sheet)."""
    from techpack.finish_effects import after_finish, masked_surfaces
    from techpack.geometry.part import mm_per_unit

    part = model.spec
    thickness = part.thickness * mm_per_unit(loaded.spec.product.units) if part.thickness else None
    sizes = [{
        "part": part.number, "balloon": s.balloon, "text": s.text, "shape": s.shape, "surfaces": s.surfaces,
        "growth": s.growth_um, "drawing": f"{s.drawing} finishing",
        "drawing_lower": s.drawing_lower, "drawing_upper": s.drawing_upper,
        "machined_lower": s.machined_lower, "machined_upper": s.machined_upper,
        "finished_lower": s.finished_lower, "finished_upper": s.finished_upper,
    } for s in after_finish(model, loaded)]
    return {
        "stock": stock_size(model, loaded.catalog.processes[part.process].family, thickness),
        "internal": {c.number: _internal(model, c) for c in model.characteristics},
        "masked": "; ".join(f"{m.feature} ({m.reason}; {_balloons(m.balloons)})" for m in masked_surfaces(model)) or "none",
        "sizes": sizes,
    }


def stock_size(model: PartModel, family: str, thickness_mm: float | None = None) -> str:
    """The stock the part is cut from, mm: its bounding box (x × y × z) plus the family's
    allowance on each side (catalog/stock.yaml), rounded up to 0.1 mm; for sheet, the sheet
    thickness (the spec's, else the smallest size) and the blank (a bent part's: its flat
    pattern's size); or why there is none."""
    rule = _stock_rules().get(family)
    if rule is None or rule["form"] == "none":
        return f"none: {rule['note']}" if rule else f"none: no stock rule for the {family} family"
    side = rule["per_side_mm"]
    sizes = [math.ceil(round((s + 2 * side) * 10, 3)) / 10 for s in model.bbox_mm]  # 160.0000001 is 160
    if rule["form"] == "block":
        return " × ".join(fmt(s, 1) for s in sizes)
    thickness = thickness_mm or min(model.bbox_mm)
    if model.features.bends:
        from techpack.geometry.profile import NotFlat
        from techpack.geometry.unfold import UnfoldError

        try:
            flat = model.flat
        except (UnfoldError, NotFlat):
            return f"sheet {fmt(thickness, 3)} thick, blank: none, the part does not unfold (see the DFM report)"
        plane = sorted(math.ceil(round((s + 2 * side) * 10, 3)) / 10 for s in flat.size)
        return f"sheet {fmt(thickness, 3)} thick, blank {fmt(plane[1], 1)} × {fmt(plane[0], 1)} (its flat pattern)"
    plane = sorted(sizes)[1:]
    return f"sheet {fmt(thickness, 3)} thick, blank {fmt(plane[1], 1)} × {fmt(plane[0], 1)}"


@functools.cache
def _stock_rules() -> dict:
    return read_data("stock.yaml")


# ---------------------------------------------------------------------------------
# ISO 2859-1 plan table for the Sampling sheet


def plan_table(level: str, aql: float) -> list[tuple[int, int | None, str, str, int, int, int]]:
    """(lot from, lot to, code letter, plan letter, sample size, Ac, Re) for every lot range of
    ISO 2859-1 Table 1 at this level and AQL, arrows of Table 2-A followed. The first range
    starts at 1: a lot of 1 is read in the first row. The sample size is the plan's; a
    sheet caps it at the lot (100 % inspection), as sampling_plan does."""
    out = []
    for i, (lo, hi) in enumerate(iso2859._data()["code_letters"]["lot_ranges"]):  # Table 1's lot ranges
        lo = 1 if i == 0 else lo
        code = iso2859.code_letter(lo, level)
        plan, n, ac, re_ = iso2859.resolve_plan(code, aql)
        out.append((lo, hi, code, plan, n, ac, re_))
    return out


# ---------------------------------------------------------------------------------
# Writing


def write(ctx: BuildContext, parts: list[PartSummary]) -> list[Output]:
    stem = package_name(ctx.spec.product)
    xlsx_rel, csv_rel = f"{FOLDER}/{stem}.xlsx", f"{FOLDER}/{stem}_bom.csv"
    rows = bom_rows(ctx, parts)
    wb = Workbook()
    bom_rows_at = _bom_sheet(wb.active, ctx, rows)
    _plan_sheet(wb.create_sheet("Inspection plan"), ctx, parts, bom_rows_at)
    _sampling_sheet(wb, wb.create_sheet("Sampling"), ctx)
    _finishes_sheet(wb.create_sheet("Finishes"), ctx, parts)
    _sizes_sheet(wb.create_sheet("Finished sizes"), ctx, parts)
    _dfm_sheet(wb.create_sheet("DFM"), ctx)
    _revision_sheet(wb.create_sheet("Revision"), ctx)
    save_deterministic(wb, ctx.path(xlsx_rel), ctx.date, f"{ctx.spec.product.number} rev {ctx.spec.product.revision}: BOM and inspection plan")
    write_csv(ctx.path(csv_rel), rows, ctx.spec.product.batch)
    n_chars = sum(len(m.characteristics) for m in parts)
    ctx.log.progress(1, 1, f"workbook {xlsx_rel} ({len(rows)} BOM rows, {n_chars} characteristics), {csv_rel}")
    return [Output(xlsx_rel, NAME), Output(csv_rel, NAME)]


def write_csv(path, rows: list[BomRow], batch: int) -> None:
    """The BOM's values, one header row, UTF-8 with BOM, RFC 4180 (comma, CRLF)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([c.header for c in BOM_COLUMNS])
    for row in rows:
        values = row.values(batch)
        w.writerow(["" if values[c.key] is None else values[c.key] for c in BOM_COLUMNS])
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))


def _letters(columns) -> dict[str, str]:
    return {c.key: get_column_letter(i) for i, c in enumerate(columns, 1)}


def _header(ws, columns, row: int) -> None:
    """The header row (bold, shaded, wrapped, tall enough) and the columns' widths."""
    for i, c in enumerate(columns, 1):
        cell = ws.cell(row, i, c.header)
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = c.width
    lines = max(math.ceil(len(c.header) / max(c.width - 3, 4)) for c in columns)
    ws.row_dimensions[row].height = LINE_PT * max(lines, 2) + 4


def _put(ws, row: int, columns, values: dict) -> None:
    """Write a row of values (None left empty) with the columns' number formats; text wider
    than its column wraps, and the row is made tall enough (no program sizes it on opening)."""
    lines = 1
    for i, c in enumerate(columns, 1):
        value = values.get(c.key)
        if value is None:
            continue
        if isinstance(value, float):
            value = round(value, 7)  # 5.005400000000001 is 5.0054 (0.1 nm: far below any instrument)
        cell = ws.cell(row, i, value)
        cell.number_format, cell.alignment = c.number_format, TOP
        if isinstance(value, str) and not value.startswith("=") and len(value) > c.width:
            cell.alignment = WRAP
            lines = max(lines, math.ceil(len(value) / (c.width - 2)))
    if lines > 1:
        ws.row_dimensions[row].height = LINE_PT * lines


def _title(ws, text: str, *notes: str) -> None:
    ws.cell(1, 1, text).font = TITLE
    for k, note in enumerate(notes, 2):
        ws.cell(k, 1, note)


def _table(ws, ctx: BuildContext, title: str, columns, header_row: int, last_row: int, freeze: str) -> None:
    """Freeze the header, filter it, and set up printing: landscape A4, fit to width,
    title and revision in the header, page numbers in the footer."""
    ws.freeze_panes = freeze
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{max(last_row, header_row + 1)}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    _print_setup(ws, ctx, title)


def _print_setup(ws, ctx: BuildContext, title: str) -> None:
    p = ctx.spec.product
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.oddHeader.left.text = _hf(f"{p.number} {p.name}")
    ws.oddHeader.center.text = _hf(title if ctx.released else f"{title}: {NOT_RELEASED}")
    ws.oddHeader.right.text = _hf(f"Revision {p.revision}, {ctx.date.isoformat()}")
    notice = ctx.notice if len(ctx.notice) <= FOOTER_NOTICE else f"CONFIDENTIAL: property of {p.owner} (the Revision sheet says more)."
    ws.oddFooter.left.text = _hf(notice)
    ws.oddFooter.center.text = "Page &P of &N"
    ws.oddFooter.right.text = _hf(package_name(p))


FOOTER_NOTICE = 190  # characters: Excel holds 255 in a whole footer, codes included


def _hf(text: str) -> str:
    """Text for a printed header or footer: & starts a code there, && is an ampersand."""
    return text.replace("&", "&&")


def _bom_sheet(ws, ctx: BuildContext, rows: list[BomRow]) -> dict[str, int]:
    """The BOM sheet; returns part number -> its row (for the lot formulas)."""
    p = ctx.spec.product
    ws.title = "BOM"
    _title(ws, f"{p.number} {p.name}, revision {p.revision}: bill of materials ({ctx.date.isoformat()})"
               + ("" if ctx.released else f": {NOT_RELEASED}"))
    ws.cell(2, 1, "Batch (products):").font = BOLD
    batch = ws.cell(2, 3, p.batch)
    batch.font, batch.fill, batch.number_format = BOLD, INPUT_FILL, "0"
    ws.cell(2, 4, "The named cell Batch: batch and order quantities, spares and masses follow it. "
                  "Unit mass = unit volume × density (catalog). Spares: a count, or a percentage of the batch qty rounded up.")
    ws.parent.defined_names["Batch"] = DefinedName("Batch", attr_text="BOM!$C$2")
    valid = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="1", allow_blank=False,
                           error="The batch is a whole number of products, 1 or more.", errorTitle="Batch")
    ws.add_data_validation(valid)
    valid.add("C2")
    _header(ws, BOM_COLUMNS, BOM_HEADER_ROW)
    col = _letters(BOM_COLUMNS)
    at = {}
    for k, row in enumerate(rows):
        r = BOM_HEADER_ROW + 1 + k
        at[row.number] = r
        values = row.values(p.batch) | _bom_formulas(row, r, col)
        values["step"] = posixpath.basename(row.step) if row.step else None
        values["drawing"] = posixpath.basename(row.drawing) if row.drawing else None
        values["cam"] = "; ".join(posixpath.basename(f) for f in row.cam.split("; ")) if row.cam else None
        _put(ws, r, BOM_COLUMNS, values)
        for key in ("step", "drawing", "cam"):
            if getattr(row, key):
                cell = ws[f"{col[key]}{r}"]
                cell.hyperlink = getattr(row, key).split("; ")[0]  # a cell links to one file: the first
                cell.style = "Hyperlink"
    last = BOM_HEADER_ROW + len(rows)
    total = last + 2
    ws.cell(total, 1, "Total mass of the order (kg)").font = BOLD
    mass = ws[f"{col['total_mass_kg']}{total}"]
    mass.value = f"=SUM({col['total_mass_kg']}{BOM_HEADER_ROW + 1}:{col['total_mass_kg']}{last})"
    mass.number_format, mass.font = "0.000", BOLD
    _table(ws, ctx, "Bill of materials", BOM_COLUMNS, BOM_HEADER_ROW, last, f"C{BOM_HEADER_ROW + 1}")
    return at


def _bom_formulas(row: BomRow, r: int, col: dict[str, str]) -> dict[str, str]:
    """The live cells of a BOM row: batch qty, spares (a percentage), order qty, total mass."""
    out = {
        "batch_qty": f"={col['qty']}{r}*Batch",
        "order_qty": f"={col['batch_qty']}{r}+{col['spares']}{r}",
    }
    percent = spares_percent(row.spares)
    if percent is not None:
        out["spares"] = f"=ROUNDUP({col['batch_qty']}{r}*{percent.numerator}/{percent.denominator * 100},0)"
    if row.unit_mass_g is not None:
        out["total_mass_kg"] = f"={col['order_qty']}{r}*{col['unit_mass_g']}{r}/1000"
    return out


def _plan_sheet(ws, ctx: BuildContext, parts: list[PartSummary], bom_at: dict[str, int]) -> None:
    p = ctx.spec.product
    level, aql = p.inspection.level, p.inspection.aql
    _title(ws, f"{p.number} {p.name}, revision {p.revision}: inspection plan and record",
           f"Lot = the part's order quantity on the BOM sheet (batch qty + spares: every unit delivered is accepted by it). "
           f"ISO 2859-1 single sampling, normal inspection, level {level}, AQL {aql:g} % (Sampling sheet); "
           f"critical characteristics 100 % (n = lot, Ac 0, Re 1). Accept the lot when the nonconforming units in the sample are at most Ac.",
           "Instruments: the first of catalog/instruments.yaml whose resolution is at most the tolerance band / 10; "
           "geometric tolerances: upper = zone width. Measured values in S1..S5 (first article and first units); yellow cells are filled in.")
    _header(ws, PLAN_COLUMNS, PLAN_HEADER_ROW)
    col = _letters(PLAN_COLUMNS)
    bom = _letters(BOM_COLUMNS)
    r = PLAN_HEADER_ROW
    for model in parts:
        general = ctx.loaded.general_tolerance(model.spec).designation
        for c in model.characteristics:
            r += 1
            choice = instrument_for(c, internal=model.prepared[NAME]["internal"][c.number])
            lot = f"{col['lot']}{r}"
            values = {
                "part": c.part, "balloon": c.number, "feature": c.feature,
                "text": f"{c.text} (general tolerance {general})" if c.general else c.text,
                "count": c.count, "kind": c.kind, "nominal": c.nominal, "upper": c.upper, "lower": c.lower,
                "unit": c.unit, "class": c.severity,
                "instrument": choice.instrument.title if choice.instrument else None,
                "resolution": choice.instrument.resolution if choice.instrument else None,
                "ratio": round(choice.ratio, 3) if choice.ratio is not None else None,
                "instrument_note": choice.note or None,
                "lot": f"=BOM!${bom['order_qty']}${bom_at[c.part]}",
                "result": f'=IF({col["nonconforming"]}{r}="","",IF({col["nonconforming"]}{r}<={col["ac"]}{r},"ACCEPT","REJECT"))',
            }
            if c.critical:
                values |= {"n": f"={lot}", "ac": 0, "re": 1}
            else:
                values |= {"n": f"=MIN(LOOKUP({lot},SampleLot,SampleN),{lot})",
                           "ac": f"=LOOKUP({lot},SampleLot,SampleAc)", "re": f"=LOOKUP({lot},SampleLot,SampleRe)"}
            _put(ws, r, PLAN_COLUMNS, values)
            for key in [f"s{k}" for k in range(1, SAMPLE_COLUMNS + 1)] + ["nonconforming", "inspector", "date"]:
                ws[f"{col[key]}{r}"].fill = INPUT_FILL
    if r > PLAN_HEADER_ROW:
        valid = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                               error="A count of units, 0 or more.", errorTitle="Nonconforming")
        ws.add_data_validation(valid)
        valid.add(f"{col['nonconforming']}{PLAN_HEADER_ROW + 1}:{col['nonconforming']}{r}")
    _table(ws, ctx, "Inspection plan", PLAN_COLUMNS, PLAN_HEADER_ROW, r, f"D{PLAN_HEADER_ROW + 1}")


def _internal(model: PartModel, c) -> bool:
    """Whether a size or thread is of a hole: a spec `hole:` selection, or a concave cylinder
    (finish_effects tells a hole from a shaft the same way for the coating growth)."""
    from techpack.finish_effects import size_shape

    sel = next((s for s in model.selections if s.index == c.feature_index), None)
    if sel is None:
        return False
    if sel.holes:
        return True
    face = sel.face
    return face is not None and face.geomType() == "CYLINDER" and size_shape(model, sel, [])[0] == "hole"


def _sampling_sheet(wb, ws, ctx: BuildContext) -> None:
    p = ctx.spec.product
    level, aql = p.inspection.level, p.inspection.aql
    _title(ws, f"ISO 2859-1 single sampling plans, normal inspection: level {level}, AQL {aql:g} %",
           "Code letter: Table 1 (lot size, level); plan: Table 2-A at the AQL, arrows followed to the first plan "
           "in their direction (the sample size becomes that plan's). When n is not smaller than the lot, every unit is inspected.",
           "Data: techpack/standards/iso2859.json (MIL-STD-105E Tables I and II-A, the same as ISO 2859-1 and ANSI/ASQ Z1.4). "
           "The inspection plan looks the lot up in this table (LOOKUP on Lot from).")
    _header(ws, SAMPLING_COLUMNS, SAMPLING_HEADER_ROW)
    rows = plan_table(level, aql)
    for k, (lo, hi, code, plan, n, ac, re_) in enumerate(rows, SAMPLING_HEADER_ROW + 1):
        _put(ws, k, SAMPLING_COLUMNS, {"lot_from": lo, "lot_to": hi, "code": code, "plan": plan, "n": n, "ac": ac, "re": re_})
    first, last = SAMPLING_HEADER_ROW + 1, SAMPLING_HEADER_ROW + len(rows)
    col = _letters(SAMPLING_COLUMNS)
    for name, key in SAMPLING_NAMES.items():
        wb.defined_names[name] = DefinedName(name, attr_text=f"Sampling!${col[key]}${first}:${col[key]}${last}")
    _table(ws, ctx, "Sampling plans (ISO 2859-1)", SAMPLING_COLUMNS, SAMPLING_HEADER_ROW, last, f"A{first}")


def _finishes_sheet(ws, ctx: BuildContext, parts: list[PartSummary]) -> None:
    p = ctx.spec.product
    _title(ws, f"{p.number} {p.name}, revision {p.revision}: finishes",
           "Every finish step in order. Growth per surface = thickness × the share that builds outward; "
           "'after finishing': the drawing's limits are for the finished part; 'before finishing': for the machined part. "
           "Masked surfaces stay bare in every step (fits, threads, datum faces, mask: true).")
    header = 4
    _header(ws, FINISH_COLUMNS, header)
    r = header
    for model in parts:
        masked = model.prepared[NAME]["masked"]
        for k, f in enumerate(ctx.loaded.finishes(model.spec), 1):
            r += 1
            _put(ws, r, FINISH_COLUMNS, _finish_values(model, k, f, masked))
    if r == header:
        r += 1
        ws.cell(r, 1, "No part has a finish.")
    _table(ws, ctx, "Finishes", FINISH_COLUMNS, header, r, f"C{header + 1}")


def _sizes_sheet(ws, ctx: BuildContext, parts: list[PartSummary]) -> None:
    """The toleranced sizes a coating changes (techpack.finish_effects.after_finish)."""
    p = ctx.spec.product
    _title(ws, f"{p.number} {p.name}, revision {p.revision}: toleranced sizes a coating changes",
           "Unmasked toleranced sizes under a coating that builds up: machine to the 'machine to' limits so that the "
           "finished part measures within the 'after finishing' limits. Limits in mm; growth in µm per coated surface.")
    header = 4
    _header(ws, SIZE_COLUMNS, header)
    r = header
    for model in parts:
        for values in model.prepared[NAME]["sizes"]:
            r += 1
            _put(ws, r, SIZE_COLUMNS, values)
    if r == header:
        r += 1
        ws.cell(r, 1, "None: no unmasked toleranced size under a coating that builds up.")
    _table(ws, ctx, "Finished sizes", SIZE_COLUMNS, header, r, f"C{header + 1}")


def _balloons(numbers) -> str:
    return f"balloons {', '.join(map(str, numbers))}" if numbers else "no balloon"


def _finish_values(model: PartSummary, step: int, f, masked: str) -> dict:
    """A Finishes row: one AppliedFinish of a part."""
    finish = f.finish
    return {
        "part": model.spec.number, "name": model.spec.name, "step": step, "finish": finish.title,
        "standard": f.standard, "parameters": f.describe(), "thickness": f.thickness_um,
        "growth": f.growth_per_surface_um,
        "dimensions": {"after": "after finishing", "before": "before finishing"}[finish.dimensions],
        "masked": masked,
        "colour": f.colour, "gloss": f.gloss,
        "source": _finish_source(f),
    }


def _finish_source(f) -> str | None:
    finish = f.finish
    if finish.variant_by:
        chosen = str(f.params[finish.variant_by]).lower()
        return next((v.source for k, v in finish.variants.items() if k.lower() == chosen), finish.source)
    return finish.source


def _dfm_sheet(ws, ctx: BuildContext) -> None:
    p = ctx.spec.product
    _title(ws, f"{p.number} {p.name}, revision {p.revision}: design-for-manufacturing findings",
           "Each finding's id (part/rule/number) is the one in dfm/dfm-report.json and the DFM report PDF.")
    header = 3
    _header(ws, DFM_COLUMNS, header)
    r = header
    for f in ctx.report.findings:
        r += 1
        _put(ws, r, DFM_COLUMNS, {
            "id": f.id, "part": f.part, "rule": f.rule, "severity": f.severity,
            "value": round(f.value, 4) if f.value is not None else None,
            "limit": round(f.limit, 4) if f.limit is not None else None,
            "unit": f.unit, "message": f.message, "waived": f.waived, "source": f.source,
        })
    if r == header:
        r += 1
        ws.cell(r, 1, "No findings.")
    _table(ws, ctx, "DFM findings", DFM_COLUMNS, header, r, f"B{header + 1}")


def _revision_sheet(ws, ctx: BuildContext) -> None:
    p = ctx.spec.product
    git = ctx.git
    rows = [
        ("Product", p.number), ("Name", p.name), ("Revision", p.revision), ("Date", ctx.date),
        ("Batch (products)", p.batch), ("Owner", p.owner), ("Drawn by", p.drawn_by), ("Approved by", p.approved_by),
        ("Git commit", git.commit if git else "none: not built from a git repository"),
        ("Git dirty (spec or a model differs from the commit)", ("yes" if git.dirty else "no") if git else None),
        ("Released", "yes" if ctx.released else f"no: {NOT_RELEASED}, built with uncommitted changes to {', '.join(git.changed)}"),
        ("Confidentiality", ctx.notice),
        ("Spec file", ctx.loaded.path.name), ("Spec SHA-256", ctx.loaded.sha256),
        ("techpack", __version__), ("CadQuery", version("cadquery")), ("OCCT", occt_version()),
        ("openpyxl (wrote this file)", version("openpyxl")),
    ]
    _title(ws, f"{p.number} {p.name}, revision {p.revision}: revision and provenance")
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 44, 70
    for k, (label, value) in enumerate(rows, 3):
        ws.cell(k, 1, label).font = BOLD
        if value is None:
            continue
        cell = ws.cell(k, 2, value)
        cell.number_format = "yyyy-mm-dd" if isinstance(value, dt.date) else "@" if isinstance(value, str) else "General"
        long = isinstance(value, str) and len(value) > 70
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=long)
        if long:
            ws.row_dimensions[k].height = LINE_PT * math.ceil(len(value) / 68)
    _print_setup(ws, ctx, "Revision")


def save_deterministic(wb: Workbook, path, date: dt.date, title: str) -> None:
    """Save wb so that the same content gives the same bytes: the document properties and
    every zip entry carry `date` (openpyxl's save stamps the wall clock on both)."""
    stamp = dt.datetime.combine(max(date, ZIP_EPOCH), dt.time())
    props = wb.properties
    props.created = props.modified = stamp
    props.creator = props.lastModifiedBy = f"techpack {__version__}"
    props.title = title
    raw = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()  # not save_workbook: it sets modified = now
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(path, "w") as out:
        for entry in src.infolist():
            out.writestr(zip_entry(entry.filename, date), src.read(entry.filename), compresslevel=9)

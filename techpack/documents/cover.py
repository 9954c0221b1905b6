"""The cover page of a package: what `facts()` gathers is shown twice, by index.html (the
zip's first page, documents/index.py) and by cover.pdf (one A4 page, written here).

The full package (ctx.supplier None) is the designer's and assembler's cover: every part,
every purchased item and every supplier by name. A supplier's package is a request for
quotation addressed to that supplier (inspection-finishing-rfq.md §4): the buyer, the RFQ
id and reply-by date, their parts with the quantity at each break, the material
certificate for metal parts, lead time, incoterms, currency, validity, the revision and
what changed, the confidentiality notice, and nothing about any other supplier."""

from __future__ import annotations

from pathlib import PurePosixPath

from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.platypus import Frame, Image, KeepInFrame, Paragraph, Spacer, Table, TableStyle
from xml.sax.saxutils import escape

from techpack import __version__
from techpack.context import BuildContext, Output
from techpack.fonts import register
from techpack.documents.changes import visible as visible_changes
from techpack.documents.pdf import Numbered, canvas, describe
from techpack.quantities import order_qty
from techpack.standards import parse_general_tolerance
from techpack.naming import supplier_name

NAME = "cover"
PDF = "cover.pdf"
MANIFEST, SPEC_COPY, CHANGES = "manifest.json", "spec.yaml", "changes.html"  # written after (or beside) the documents
INDEX = "index.html"  # the cover page as a web page (documents/index.py)
PDF_ROWS = 24  # parts and purchased items listed on the one page at most; the rest: "see index.html"
PDF_FILES = 24  # the package's files are listed on the page when there are no more than this

ORDER = ("STEP model", "Drawing (PDF)", "Characteristics (JSON)", "Cut file (DXF)", "Print file (3MF)", "Print file (STL)",
         "Finishing instructions (PDF)", "Changed region (PNG)")  # a part's files in this order
LABELS = {  # a part's files as its card names them: (kind, suffix) -> label
    ("step", ".step"): "STEP model",
    ("dxf", ".dxf"): "Cut file (DXF)",
    ("print", ".3mf"): "Print file (3MF)",
    ("print", ".stl"): "Print file (STL)",
    ("drawing", ".pdf"): "Drawing (PDF)",
    ("drawing", ".json"): "Characteristics (JSON)",
    ("finishing", ".pdf"): "Finishing instructions (PDF)",
    ("picture", ".png"): "Picture (PNG)",
    ("changes", ".png"): "Changed region (PNG)",
}


def facts(ctx: BuildContext, parts=()) -> dict:
    """Everything the cover page says, as plain values (what templates/index.html.j2 reads):
    product, date, mode ("rfq" for a supplier's package, "package" for the full one), buyer,
    supplier (the addressee, or None), rfq terms, status, parts, hardware, suppliers (the full
    package only), assembly (its pictures and files, the full package only), documents, files
    (every file of the package, manifest.json and index.html included), changes, notice.
    `parts` are the parts' summaries (for their sizes); the spec's parts are listed either way.
    In a supplier's package (ctx.supplier set, ctx.spec their view) only their parts, hardware
    and files are read: outputs about another part are left out even if ctx.outputs has them."""
    spec, loaded, catalog = ctx.spec, ctx.loaded, ctx.loaded.catalog
    product, rfq = spec.product, spec.rfq
    numbers = [p.number for p in spec.parts]
    mine = set(numbers)
    outputs = [o for o in ctx.outputs if o.part is None or o.part in mine]  # a supplier's view: never another's part files
    by_part: dict[str, list] = {}
    for o in sorted(outputs, key=lambda o: o.path):
        if o.part:
            by_part.setdefault(o.part, []).append(o)
    pictures = {o.part: _image(ctx, o.path) for o in outputs if o.kind == "picture" and o.part}
    sizes = {m.spec.number: m.bbox_mm for m in parts if m.spec.number in mine}
    breaks = list(rfq.quantities) or [product.batch]
    metal_certificate = rfq.certificate or None

    def quantities(item) -> dict:
        return {
            "per_product": item.qty,
            "batch": item.qty * product.batch,
            "order": order_qty(item, product),
            "breaks": [{"products": b, "qty": item.qty * b} for b in breaks],
        }

    part_rows = []
    for p in spec.parts:
        material = catalog.material(p.material)
        metal = material is not None and material.family == "metal"
        part_rows.append({
            "number": p.number,
            "name": p.name,
            "revision": product.revision,
            "description": p.description or "",
            **quantities(p),
            "material": material.title if material else p.material,
            "metal": metal,
            "certificate": metal_certificate if metal else None,
            "process": catalog.processes[p.process].title,
            "finish": [f.describe() for f in loaded.finishes(p)],
            "tolerance": loaded.general_tolerance(p).designation,
            "size": " × ".join(f"{v:.1f}".removesuffix(".0") for v in sizes[p.number]) if p.number in sizes else "",
            "supplier": supplier_name(spec, p.supplier) if ctx.supplier is None else None,
            "picture": pictures.get(p.number),
            "files": sorted(({"path": o.path, "label": _label(o)} for o in by_part.get(p.number, []) if o.kind != "picture"),
                            key=lambda f: (ORDER.index(f["label"]) if f["label"] in ORDER else len(ORDER), f["path"])),
        })
    hardware_rows = [
        {"number": h.number, "name": h.name, "description": h.description or "", **quantities(h),
         "supplier": supplier_name(spec, h.supplier) if ctx.supplier is None else None}
        for h in spec.hardware
    ]

    def kinds(kind: str, suffix: str = "") -> list[str]:
        return sorted(o.path for o in outputs if o.kind == kind and o.path.endswith(suffix))

    report = ctx.report.only(mine) if ctx.supplier else ctx.report
    counts = report.counts()
    paths = {o.path for o in outputs}
    product_tolerance = parse_general_tolerance(product.general_tolerance).designation if product.general_tolerance else None
    tolerances = sorted({r["tolerance"] for r in part_rows})
    status = {
        "errors": counts["error"], "warnings": counts["warning"], "info": counts["info"],
        "waived": counts["waived"], "could_not_run": counts["could_not_run"],
        "dfm_report": next(iter(kinds("dfm", ".pdf")), None),
        "tolerance": product_tolerance or (tolerances[0] if len(tolerances) == 1 else None),
        "tolerances": tolerances,  # every part's, when they differ
        "inspection": {"level": product.inspection.level, "aql": _aql(product.inspection.aql)},
        "released": ctx.released,
        "commit": ctx.git.commit[:12] if ctx.git else None,
        "changed_inputs": list(ctx.git.changed) if ctx.git and ctx.git.dirty else [],
    }

    contact = product.contact
    buyer = {"owner": product.owner, "name": contact.name if contact else None,
             "email": contact.email if contact else None, "phone": contact.phone if contact else None}
    supplier = None
    if ctx.supplier is not None:
        s = spec.suppliers[ctx.supplier]
        supplier = {"name": s.name, "contact": s.contact, "email": s.email, "phone": s.phone}
    suppliers = []
    if ctx.supplier is None:
        for key, s in spec.suppliers.items():
            supplies = [f"{p.number} {p.name}" for p in spec.parts if p.supplier == key] + \
                       [h.number for h in spec.hardware if h.supplier == key]
            suppliers.append({"name": s.name, "contact": s.contact, "email": s.email, "phone": s.phone, "supplies": supplies})

    changes = None
    if ctx.changes is not None:  # the items changes.html shows (documents/changes.py), without their pictures
        def items(kind: str) -> list[dict]:
            return [{"number": c["number"], "name": c.get("name", ""), "status": c.get("status", "changed"),
                     "lines": list(c.get("lines", []))} for c in visible_changes(ctx, kind)]

        changes = {"since": ctx.changes.get("since", ""), "product": list(ctx.changes.get("product", [])),
                   "parts": items("parts"), "hardware": items("hardware"), "link": CHANGES}

    documents = [
        {"title": "Cover sheet", "files": kinds(NAME), "note": "this page as one A4 sheet, to print or file with the quote"},
        {"title": "Bill of materials and inspection plan", "files": kinds("workbook"), "note": None},
        {"title": "Finishing instructions", "files": kinds("finishing"), "note": None},
        {"title": "DFM report", "files": kinds("dfm"), "note": None},
    ]
    assembly = None  # every supplier's parts: the full package only
    if ctx.supplier is None:
        assembly = {"pictures": [_image(ctx, p) for p in sorted(o.path for o in outputs if o.kind == "picture" and o.part is None)],
                    "files": kinds("assembly")}
    files = sorted(paths | {MANIFEST, INDEX} | ({SPEC_COPY} if ctx.supplier is None else set()) | ({CHANGES} if changes else set()))
    return {
        "mode": "rfq" if ctx.supplier is not None else "package",
        "product": {"number": product.number, "name": product.name, "revision": product.revision, "owner": product.owner,
                    "drawn_by": product.drawn_by, "approved_by": product.approved_by, "batch": product.batch},
        "date": ctx.date.isoformat(),
        "buyer": buyer,
        "supplier": supplier,
        "rfq": {"id": rfq.id, "reply_by": rfq.reply_by.isoformat() if rfq.reply_by else None, "breaks": breaks,
                "breaks_given": bool(rfq.quantities), "certificate": rfq.certificate,
                "certificate_parts": [r["number"] for r in part_rows if r["certificate"]],
                "lead_time": rfq.lead_time, "incoterms": rfq.incoterms, "currency": rfq.currency,
                "validity": rfq.validity, "nda": rfq.nda},
        "status": status,
        "parts": part_rows,
        "hardware": hardware_rows,
        "suppliers": suppliers,
        "changes": changes,
        "assembly": assembly if assembly and (assembly["pictures"] or assembly["files"]) else None,
        "documents": [d for d in documents if d["files"]],
        "files": [{"path": f, "note": _note(f)} for f in files],
        "notice": ctx.notice,
        "git": {"commit": ctx.git.commit, "dirty": ctx.git.dirty} if ctx.git else None,
        "version": __version__,
    }


def _image(ctx: BuildContext, path: str) -> dict:
    """A picture of the package: its path and size in pixels (so the page keeps its proportions)."""
    with PILImage.open(ctx.folder / path) as im:
        width, height = im.size
    return {"path": path, "width": width, "height": height}


def _aql(aql: float) -> str:
    """An AQL as ISO 2859-1 writes it: 0.065, 0.65, 1.0, 6.5, 10."""
    return f"{aql:.1f}" if 1 <= aql < 10 else f"{aql:g}"


def _label(o: Output) -> str:
    return LABELS.get((o.kind, PurePosixPath(o.path).suffix.lower()), PurePosixPath(o.path).name)


def _note(path: str) -> str | None:
    return {
        MANIFEST: "every file with its size and SHA-256",
        INDEX: "this page",
        SPEC_COPY: "the spec this package was built from",
        PDF: "this page as one A4 sheet, to print or file with the quote",
        CHANGES: "what changed since the last revision",
    }.get(path) or ("the BOM's values as CSV (UTF-8), for a purchasing or ERP import" if path.endswith("_bom.csv") else
                    "BOM with order quantities, the inspection plan, finishes, DFM findings, revision" if path.endswith(".xlsx") else None)


# --- cover.pdf ------------------------------------------------------------------------------


def write(ctx: BuildContext, parts) -> list[Output]:
    f = facts(ctx, parts)
    if all(x["path"] != PDF for x in f["files"]):  # this file: not among the outputs yet
        f["files"] = sorted(f["files"] + [{"path": PDF, "note": _note(PDF)}], key=lambda x: x["path"])
    p = f["product"]
    path = ctx.path(PDF)
    c = canvas(str(path), A4, ctx.date, cls=Numbered, notice=ctx.notice, released=ctx.released)
    title = (f"Request for quotation {f['rfq']['id'] or ''}".strip() + f": {p['number']} rev {p['revision']}" if f["mode"] == "rfq"
             else f"Technical package {p['number']} rev {p['revision']}")
    describe(c, title, p["drawn_by"], f"{p['name']}: cover sheet",
             [p["number"], f"revision {p['revision']}", f["rfq"]["id"] or ""] + [r["number"] for r in f["parts"]], f"techpack {__version__}")
    width, height = A4
    margin = 15 * mm
    frame_h = height - 2 * margin - 12 * mm  # the notice at the foot (Numbered draws it)
    story = KeepInFrame(width - 2 * margin, frame_h, _story(ctx, f, width - 2 * margin), mode="shrink")
    frame = Frame(margin, margin + 12 * mm, width - 2 * margin, frame_h, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    frame.addFromList([story], c)
    c.save()
    return [Output(PDF, NAME)]


def _styles():
    regular, bold = register()
    registerFontFamily(regular, normal=regular, bold=bold, italic=regular, boldItalic=bold)  # <b> in a Paragraph
    base = ParagraphStyle("base", fontName=regular, fontSize=8.5, leading=10.5)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9),
        "muted": ParagraphStyle("muted", parent=base, fontSize=7.5, leading=9, textColor=colors.HexColor("#555555")),
        "eyebrow": ParagraphStyle("eyebrow", parent=base, fontName=bold, fontSize=9, textColor=colors.HexColor("#555555")),
        "h1": ParagraphStyle("h1", parent=base, fontName=bold, fontSize=18, leading=22),
        "h2": ParagraphStyle("h2", parent=base, fontName=bold, fontSize=10.5, leading=13, spaceBefore=6, spaceAfter=2),
        "bold": ParagraphStyle("bold", parent=base, fontName=bold),
        "num": ParagraphStyle("num", parent=base, fontSize=7.5, leading=9, alignment=TA_RIGHT),
        "banner": ParagraphStyle("banner", parent=base, fontName=bold, fontSize=11, leading=14, textColor=colors.HexColor("#b3121b")),
    }


def _story(ctx: BuildContext, f: dict, width: float) -> list:
    s = _styles()
    P = lambda text, style="base": Paragraph(text, s[style])  # noqa: E731 - text already escaped
    e = lambda v: escape(str(v))  # noqa: E731
    p, rfq, st = f["product"], f["rfq"], f["status"]
    story: list = []
    if not st["released"]:
        story.append(P("NOT RELEASED: built from uncommitted changes", "banner"))
    story.append(P(f"REQUEST FOR QUOTATION {e(rfq['id'] or '')}" if f["mode"] == "rfq" else "TECHNICAL PACKAGE", "eyebrow"))
    story.append(P(f"{e(p['number'])} {e(p['name'])}", "h1"))
    story.append(P(f"Revision {e(p['revision'])} · issued {e(f['date'])} · batch of {p['batch']} products"))
    story.append(Spacer(1, 4 * mm))

    b = f["buyer"]
    buyer = [f"<b>{e(b['owner'])}</b>"] + [e(v) for v in (b["name"], b["email"], b["phone"]) if v]
    if f["mode"] == "rfq":
        to = f["supplier"]
        left = ["<b>To</b>", f"<b>{e(to['name'])}</b>"] + [e(v) for v in (to["contact"], to["email"], to["phone"]) if v]
        right = ["<b>From (buyer)</b>"] + buyer
        terms = [("RFQ", rfq["id"]), ("Reply by", rfq["reply_by"]),
                 ("Quantities", " / ".join(str(q) for q in rfq["breaks"]) + " products" + ("" if rfq["breaks_given"] else " (the batch)")),
                 ("Currency", rfq["currency"]), ("Lead time", rfq["lead_time"]), ("Incoterms", rfq["incoterms"]),
                 ("Validity", rfq["validity"]),
                 ("Certificate", f"{rfq['certificate']} with each metal part" if rfq["certificate"] and rfq["certificate_parts"] else None),
                 ("NDA", rfq["nda"])]
    else:
        left = ["<b>Owner</b>", f"<b>{e(p['owner'])}</b>", f"drawn by {e(p['drawn_by'])}"] + ([f"approved by {e(p['approved_by'])}"] if p["approved_by"] else [])
        right = ["<b>Contact</b>"] + buyer[1:] if len(buyer) > 1 else ["<b>Contact</b>", e(b["owner"])]
        terms = [("RFQ", rfq["id"]), ("Quantities", " / ".join(str(q) for q in rfq["breaks"]) + " products"),
                 ("Certificate", f"{rfq['certificate']} with each metal part" if rfq["certificate"] and rfq["certificate_parts"] else None)]
    terms = [(k, v) for k, v in terms if v]
    term_table = Table([[P(e(k), "muted"), P(e(v))] for k, v in terms], colWidths=[22 * mm, None])
    term_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), register()[0]), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                    ("TOPPADDING", (0, 0), (-1, -1), 0.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5)]))
    head = Table([[P("<br/>".join(left)), P("<br/>".join(right)), term_table]], colWidths=[0.3 * width, 0.3 * width, 0.4 * width])
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), register()[0]), ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 6)]))
    story += [head, Spacer(1, 3 * mm)]

    dfm = f"DFM: {st['errors']} errors, {st['warnings']} warnings, {st['waived']} waived"
    tol = st["tolerance"] or ", ".join(st["tolerances"])
    status = [dfm, f"general tolerance {e(tol)}", f"inspection ISO 2859-1 level {e(st['inspection']['level'])}, AQL {e(st['inspection']['aql'])}",
              "released" if st["released"] else "<font color='#b3121b'><b>NOT RELEASED</b></font>"]
    if st["commit"]:
        status.append(f"commit {e(st['commit'])}")
    story.append(P("Status: " + " · ".join(status)))

    rows = f["parts"] + f["hardware"]
    shown = rows[:PDF_ROWS]
    if f["parts"]:
        story.append(P("Parts to quote" if f["mode"] == "rfq" else "Parts to make", "h2"))
        story.append(_parts_table(ctx, [r for r in f["parts"] if r in shown], rfq["breaks"], width, s, st["tolerance"]))
    if f["hardware"] and any(r in shown for r in f["hardware"]):
        story.append(P(("Parts to buy" if f["parts"] else "Purchase list") if f["mode"] == "rfq" else "Purchased parts", "h2"))
        story.append(_hardware_table([r for r in f["hardware"] if r in shown], rfq["breaks"], width, s))
    if len(rows) > len(shown):
        story.append(P(f"… and {len(rows) - len(shown)} more items: see index.html in the package.", "muted"))
    if f["suppliers"]:
        story.append(P("Suppliers", "h2"))
        story.append(P("<br/>".join(
            f"<b>{e(x['name'])}</b>" + "".join(f" · {e(v)}" for v in (x["contact"], x["email"], x["phone"]) if v)
            + (f": {e(', '.join(y.split(' ', 1)[0] for y in x['supplies']))}" if x["supplies"] else "")
            for x in f["suppliers"]), "small"))
    if f["changes"]:
        c = f["changes"]
        story.append(P(f"Changes since {e(c['since'])}", "h2"))
        lines = [e(line) for line in c["product"]] + [
            f"<b>{e(x['number'])} {e(x['name'])}</b>" + ("" if x["status"] == "changed" else f" ({e(x['status'])})")
            + (": " + e("; ".join(x["lines"])) if x["lines"] else "") for x in c["parts"] + c["hardware"]]
        lines = lines or [f"No change to {'your' if f['mode'] == 'rfq' else 'any'} parts."]
        story.append(P("<br/>".join(lines[:12]) + (f"<br/>… and {len(lines) - 12} more: see {CHANGES}" if len(lines) > 12 else ""), "small"))
    if len(f["files"]) <= PDF_FILES:
        story.append(P("In this package", "h2"))
        half = -(-len(f["files"]) // 2)
        column = lambda files: P("<br/>".join(e(x["path"]) for x in files), "small")  # noqa: E731
        listing = Table([[column(f["files"][:half]), column(f["files"][half:])]], colWidths=[width / 2, width / 2])
        listing.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), register()[0]),
                                     ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        story.append(listing)
    story.append(Spacer(1, 3 * mm))
    closing = "" if f["mode"] != "rfq" else (
        "Quote each part at each quantity, per piece, with tooling and set-up (NRE) separately. " if f["parts"]
        else "Quote each item at each quantity, per piece. ")
    story.append(P(closing + "Every file of the package is linked from its index.html and listed with its SHA-256 in manifest.json. "
                   "All dimensions in millimetres. Printed copies are uncontrolled: check the revision"
                   + (f" against {e(rfq['id'])}." if rfq["id"] else " against the package."), "muted"))
    return story


QTY_W = 9 * mm  # a quantity column
PER_W = 14 * mm  # the quantity per product


def _qty_header(cells: list, breaks: list[int], P) -> list[list]:
    """Two header rows: the columns' names, the quantity per product, and "pieces for N
    products" over the break columns (spanned by _grid)."""
    first = [P("")] * len(cells) + [P(""), P("<b>pieces for … products</b>", "num")] + [""] * (len(breaks) - 1)
    second = cells + [P("<b>per<br/>product</b>", "num")] + [P(f"<b>{b}</b>", "num") for b in breaks]
    return [first, second]


def _grid(data, widths, s, breaks: int) -> Table:
    """A table under two header rows (_qty_header), its last `breaks` columns the quantities."""
    t = Table(data, colWidths=widths, repeatRows=2)
    t.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), register()[0]),  # a Table draws its empty cells in Helvetica otherwise
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("VALIGN", (0, 2), (-1, -1), "TOP"),
        ("SPAN", (-breaks, 0), (-1, 0)),
        ("LINEBELOW", (0, 1), (-1, 1), 0.8, colors.black),
        ("LINEBELOW", (0, 2), (-1, -1), 0.3, colors.HexColor("#bbbbbb")),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    return t


def _parts_table(ctx: BuildContext, rows: list[dict], breaks: list[int], width: float, s, tolerance: str | None) -> Table:
    """Picture, part, material (and certificate), process, finishes, quantities: a part a row.
    A part's general tolerance is given only where it is not `tolerance`, the status line's."""
    e = lambda v: escape(str(v))  # noqa: E731
    P = lambda text, style="small": Paragraph(text, s[style])  # noqa: E731
    thumb = (15 if len(rows) > 4 else 22) * mm  # a larger picture when there is room
    part_w, material_w, process_w = 24 * mm, 28 * mm, 22 * mm
    nb = len(breaks)
    finish_w = width - (thumb + part_w + material_w + process_w + PER_W + nb * QTY_W)
    data = _qty_header([P(""), P("<b>Part</b>"), P("<b>Material</b>"), P("<b>Process</b>"), P("<b>Finish</b>")], breaks, P)
    for r in rows:
        pic = ""
        if r["picture"]:
            w, h = r["picture"]["width"], r["picture"]["height"]
            scale = min((thumb - 4 * mm) / w, (thumb - 4 * mm) / h)
            pic = Image(str(ctx.folder / r["picture"]["path"]), w * scale, h * scale)
        part = f"<b>{e(r['number'])}</b> rev {e(r['revision'])}<br/>{e(r['name'])}"
        if r["supplier"]:
            part += f"<br/><font color='#555555'>{e(r['supplier'])}</font>"
        material = e(r["material"]) + (f"<br/><b>certificate {e(r['certificate'])}</b>" if r["certificate"] else "")
        process = e(r["process"]) + (f"<br/>{e(r['tolerance'])}" if r["tolerance"] != tolerance else "")
        finish = "<br/>".join(f"{k}. {e(x)}" for k, x in enumerate(r["finish"], 1)) if r["finish"] else "none"
        data.append([pic, P(part), P(material), P(process), P(finish), P(str(r["per_product"]), "num")]
                    + [P(str(q["qty"]), "num") for q in r["breaks"]])
    return _grid(data, [thumb, part_w, material_w, process_w, finish_w, PER_W] + [QTY_W] * nb, s, nb)


def _hardware_table(rows: list[dict], breaks: list[int], width: float, s) -> Table:
    e = lambda v: escape(str(v))  # noqa: E731
    P = lambda text, style="small": Paragraph(text, s[style])  # noqa: E731
    nb = len(breaks)
    number_w = 30 * mm
    name_w = width - (number_w + PER_W + nb * QTY_W)
    data = _qty_header([P("<b>Number</b>"), P("<b>Name</b>")], breaks, P)
    for r in rows:
        name = e(r["name"]) + (f" <font color='#555555'>({e(r['supplier'])})</font>" if r["supplier"] else "")
        data.append([P(f"<b>{e(r['number'])}</b>"), P(name), P(str(r["per_product"]), "num")] + [P(str(q["qty"]), "num") for q in r["breaks"]])
    return _grid(data, [number_w, name_w, PER_W] + [QTY_W] * nb, s, nb)

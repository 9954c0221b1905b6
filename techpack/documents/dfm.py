"""dfm/dfm-report.json and dfm/dfm-report.pdf: every DFM finding, for CI and for the supplier.

The PDF has a summary, then one page per part with findings: an isometric view with the
flagged faces in red and each finding's number at its location, and the findings table."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from techpack.documents.pdf import Numbered, canvas, describe

from techpack import __version__
from techpack.checks.findings import Finding
from techpack.words import plural
from techpack.context import BuildContext, Output
from techpack.documents.wireframe import Picture, picture
from techpack.fonts import register

if TYPE_CHECKING:
    from techpack.geometry import PartModel
    from techpack.summary import PartSummary

NAME = "dfm"
JSON = "dfm/dfm-report.json"
PDF = "dfm/dfm-report.pdf"
COLOURS = {"error": colors.HexColor("#c0392b"), "warning": colors.HexColor("#d68910"), "info": colors.HexColor("#2e86c1")}
WAIVED = colors.HexColor("#7f8c8d")


def write(ctx: BuildContext, parts: list[PartSummary]) -> list[Output]:
    product = ctx.spec.product
    report = {
        "product": {"number": product.number, "revision": product.revision},
        "date": ctx.date.isoformat(),
        "techpack": __version__,
        **ctx.report.to_dict("error"),
    }
    ctx.path(JSON).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _pdf(ctx, parts)
    return [Output(JSON, NAME), Output(PDF, NAME)]


def prepare(loaded, model: PartModel, report) -> tuple[frozenset[int], Picture] | None:
    """In the part's worker: the picture on its findings' page (the faces it flags, and it)."""
    faces = frozenset(face for f in report.findings for face in f.faces)
    return (faces, picture(model.solid, set(faces), deflection=max(model.bbox_mm) / 400)) if report.findings else None


class _Page:
    """A landscape A4 canvas with the fonts and a running header."""

    def __init__(self, ctx: BuildContext):
        self.regular, self.bold = register()
        self.ctx = ctx
        self.width, self.height = landscape(A4)
        self.c = canvas(str(ctx.path(PDF)), (self.width, self.height), ctx.date, cls=Numbered, notice=ctx.notice, released=ctx.released)
        p = ctx.spec.product
        describe(self.c, f"DFM report {p.number} rev {p.revision}", p.drawn_by, f"{p.name}: design-for-manufacturing findings",
                 [p.number, f"revision {p.revision}", "DFM"] + [part.number for part in ctx.spec.parts], f"techpack {__version__}")

    def header(self, title: str) -> float:
        c, p = self.c, self.ctx.spec.product
        c.setFont(self.bold, 14)
        c.drawString(15 * mm, self.height - 15 * mm, title)
        c.setFont(self.regular, 8)
        c.drawRightString(self.width - 15 * mm, self.height - 15 * mm,
                          f"{p.number} {p.name}, revision {p.revision}, {self.ctx.date.isoformat()}  ·  DFM report, techpack {__version__}")
        return self.height - 24 * mm

    def text(self, x: float, y: float, text: str, size: float = 8, bold: bool = False, colour=colors.black, width: float | None = None) -> float:
        """Draw text wrapped to width (pt); returns the y below it."""
        c = self.c
        c.setFillColor(colour)
        font = self.bold if bold else self.regular
        c.setFont(font, size)
        for line in _wrap(text, font, size, width or (self.width - x - 15 * mm)):
            c.drawString(x, y, line)
            y -= size * 1.3
        c.setFillColor(colors.black)
        return y


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if stringWidth(trial, font, size) <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
    return lines + ([line] if line else [])


def _pdf(ctx: BuildContext, parts: list[PartSummary]) -> None:
    page = _Page(ctx)
    report = ctx.report
    counts = report.counts()
    y = page.header("Design-for-manufacturing report")
    y = page.text(15 * mm, y, f"{plural(counts['error'], 'error')}, {plural(counts['warning'], 'warning')}, {plural(counts['info'], 'note')}, {counts['waived']} waived. "
                  "Each finding has an id (part/rule/number) that stays the same while the model does; "
                  "limits are techpack's defaults for the process unless the spec changes them.", size=9)
    y -= 4 * mm
    for built in parts:
        n = built.spec.number
        found = [f for f in report.findings if f.part == n]
        state = ", ".join(plural(sum(1 for f in found if f.severity == s and not f.waived), word) for s, word in (("error", "error"), ("warning", "warning"), ("info", "note")))
        waived = sum(1 for f in found if f.waived)
        y = page.text(15 * mm, y, f"{n} {built.spec.name} ({ctx.loaded.catalog.processes[built.spec.process].title}): "
                      f"{len(report.ran(n))} of {len(report.checked[n])} rules ran; {state}; {waived} waived", size=9)
        setups = report.measured.get(n, {}).get("setups")
        if setups:
            plan = "; ".join(f"{i}. from {st['direction']}: {', '.join(st['serves'])}" for i, st in enumerate(setups, 1))
            y = page.text(20 * mm, y, f"Setups ({len(setups)}): {plan}", size=8)
        for e in report.measured.get(n, {}).get("engravings", []):
            stroke = f", strokes {e['stroke_mm']:.2g} mm" if e["stroke_mm"] is not None else ""
            y = page.text(20 * mm, y, f"Engraving from {e['direction']}: {e['depth_mm']:.2g} mm deep{stroke}, {len(e['faces'])} faces; {e['tool']}", size=8)
        for r in report.checked[n]:
            if r.status != "ran":
                y = page.text(20 * mm, y, f"{r.rule}: {r.status.replace('-', ' ')}: {r.reason}", size=8,
                              colour=COLOURS["warning"] if r.status == "could-not-run" else colors.black)
        if y < 20 * mm:
            page.c.showPage()
            y = page.header("Design-for-manufacturing report (continued)")
    assembly = ctx.spec.assembly
    if assembly and assembly.number in report.checked:  # the full package only: a supplier's report has their parts alone
        found = [f for f in report.findings if f.part == assembly.number]
        y = page.text(15 * mm, y, f"{assembly.number} {assembly.name} (assembly): placed parts checked for overlaps; "
                      f"{plural(sum(1 for f in found if not f.waived), 'warning')}", size=9)
        for f in found:
            y = page.text(20 * mm, y, f"{f.id}: {f.message}", size=8, colour=COLOURS[f.severity])
    for built in parts:
        found = [f for f in report.findings if f.part == built.spec.number]
        if found:
            page.c.showPage()
            _part_page(page, built, found)
    page.c.save()


def _part_page(page: _Page, built: PartSummary, found: list[Finding]) -> None:
    c = page.c
    y = page.header(f"{built.spec.number} {built.spec.name}")
    box_w, box_h = page.width * 0.48, page.height - 45 * mm
    x0, y0 = 15 * mm, 20 * mm
    flagged: dict[int, Finding] = {}
    for f in found:
        for face in f.faces:
            flagged.setdefault(face, f)
    faces, frame = built.prepared[NAME]
    if faces != frozenset(flagged):
        raise RuntimeError(f"{built.spec.number}: the DFM picture was made for faces {sorted(faces)}, its page flags {sorted(flagged)}")
    xmin, ymin, xmax, ymax = frame.bounds
    scale = min((box_w - 20 * mm) / max(xmax - xmin, 1e-9), (box_h - 20 * mm) / max(ymax - ymin, 1e-9))
    ox = x0 + box_w / 2 - scale * (xmin + xmax) / 2
    oy = y0 + box_h / 2 - scale * (ymin + ymax) / 2
    c.setStrokeColor(colors.HexColor("#dddddd"))
    c.rect(x0, y0, box_w, box_h)

    def stroke(lines, colour, width: float, dash=None) -> None:
        """The lines of one style as one path (a part's edges are thousands of short lines)."""
        if not lines:
            return
        c.setStrokeColor(colour)
        c.setLineWidth(width)
        c.setDash(*(dash or ([], 0)))
        path = c.beginPath()
        for line in lines:
            path.moveTo(ox + scale * line[0][0], oy + scale * line[0][1])
            for px, py in line[1:]:
                path.lineTo(ox + scale * px, oy + scale * py)
        c.drawPath(path, stroke=1, fill=0)

    stroke(frame.hidden, colors.HexColor("#bbbbbb"), 0.3, ([2, 2], 0))
    stroke(frame.visible, colors.HexColor("#333333"), 0.5)
    by_colour: dict[str, list] = {}  # the flagged faces' edges, by the colour of their finding
    for face, lines in frame.face_edges.items():
        f = flagged[face]
        by_colour.setdefault(WAIVED if f.waived else COLOURS[f.severity], []).extend(lines)
    for colour, lines in by_colour.items():
        stroke(lines, colour, 1.6)
    c.setDash([], 0)
    taken: list[tuple[float, float]] = []
    r = 3.2 * mm
    for k, f in enumerate(found, 1):
        if f.point is None:
            continue
        px, py = frame.project(f.point)
        tip = (ox + scale * px, oy + scale * py)
        x, y_ = tip
        step = 0
        while any((x - a) ** 2 + (y_ - b) ** 2 < (2.1 * r) ** 2 for a, b in taken) and step < 40:
            step += 1  # walk out on a spiral until the marker is clear of the others
            angle = step * 0.9
            x, y_ = tip[0] + 2.2 * r * (1 + step / 6) * math.cos(angle), tip[1] + 2.2 * r * (1 + step / 6) * math.sin(angle)
        taken.append((x, y_))
        colour = WAIVED if f.waived else COLOURS[f.severity]
        c.setStrokeColor(colour)
        c.setLineWidth(0.6)
        if (x, y_) != tip:
            c.line(tip[0], tip[1], x, y_)
        c.setFillColor(colors.white)
        c.setLineWidth(1)
        c.circle(x, y_, r, stroke=1, fill=1)
        c.setFillColor(colour)
        c.setFont(page.bold, 8)
        c.drawCentredString(x, y_ - 1.4 * mm, str(k))
    c.setFillColor(colors.black)
    c.setFont(page.regular, 7)
    c.drawString(x0 + 2 * mm, y0 + 2 * mm, "Isometric view; hidden edges dashed; the edges of flagged faces in the colour of their finding.")
    tx = x0 + box_w + 8 * mm
    width = page.width - tx - 15 * mm
    for k, f in enumerate(found, 1):
        colour = WAIVED if f.waived else COLOURS[f.severity]
        label = f"{k}. {f.id}  [{'waived ' + f.severity if f.waived else f.severity}]"
        y = page.text(tx, y, label, size=8.5, bold=True, colour=colour, width=width)
        y = page.text(tx + 4 * mm, y, f.message, size=8, width=width - 4 * mm)
        extra = []
        if f.point:
            extra.append("at (" + ", ".join(f"{v:.1f}" for v in f.point) + ") mm")
        if f.faces:
            extra.append("faces " + ", ".join(map(str, f.faces)))
        if f.source:
            extra.append(f"source of the limit: {f.source}")
        y = page.text(tx + 4 * mm, y, "; ".join(extra), size=7, colour=colors.HexColor("#555555"), width=width - 4 * mm)
        if f.waived:
            y = page.text(tx + 4 * mm, y, f"Waived: {f.waived}", size=7.5, colour=WAIVED, width=width - 4 * mm)
        y -= 2.5 * mm
        if y < 20 * mm and k < len(found):
            c.showPage()
            y = page.header(f"{built.spec.number} {built.spec.name} (continued)")

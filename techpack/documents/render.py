"""The one renderer of drawing sheets: a display list (display.py) onto a ReportLab
canvas, one PDF page a sheet, frame and title block first (sheet.py). Nothing here
decides where anything goes."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace


from techpack.documents.annotate import ARROW
from techpack.documents.display import Display
from techpack.documents.pdf import canvas, describe, not_released
from techpack.documents.sheet import Sheet, TitleBlock, draw_sheet
from techpack.documents.views import Arc, Bezier, Line

MM = 72 / 25.4
NARROW = 0.25  # mm, ISO 128 narrow line of the 0.5 / 0.25 group
WIDE = 0.5  # mm, ISO 128 wide line (visible edges)
HIDDEN_DASH = (3.0, 1.0)  # mm: ISO 128 dashed narrow line (12d dash, 3d gap for d = 0.25)
SHORT_DASHED = 5.0  # mm: a hidden line shorter than this gets dashes to its length (three dashes, two gaps), not the 3 mm dash


def render(path: str, sheet: Sheet, title: TitleBlock, pages: list[Display], meta: dict[str, str], bold: str, released: bool = True) -> None:
    """Write the PDF: each display list on a sheet of its own, numbered n / m; unless `released`,
    each sheet marked NOT RELEASED."""
    c = canvas(path, (sheet.width * MM, sheet.height * MM), dt.date.fromisoformat(title.date))
    describe(c, meta["title"], meta["author"], meta["subject"], meta["keywords"], meta["creator"])
    for k, page in enumerate(pages, 1):
        draw_sheet(c, sheet, replace(title, sheet=k, sheets=len(pages)))
        for stroke in page.strokes:
            _stroke(c, stroke)
        _annotations(c, page, bold)
        if not released:
            not_released(c)
        c.showPage()
    c.save()


def _stroke(c, stroke) -> None:
    placed, width = stroke.placed, WIDE if stroke.pen == "wide" else NARROW
    dash = [v * MM for v in HIDDEN_DASH] if stroke.pen == "hidden" else None
    c.setLineWidth(width * MM)
    c.setDash(*((dash, 0) if dash else ([], 0)))
    s = placed.scale
    for p in stroke.prims:
        path = c.beginPath()
        if isinstance(p, Line):
            a, b = placed.paper(p.a), placed.paper(p.b)
            short = dash and math.dist(a, b) < SHORT_DASHED  # a hidden edge shorter than one dash would print solid
            if short:
                c.setDash([math.dist(a, b) / 3 * MM, math.dist(a, b) / 6 * MM], 0)
            path.moveTo(a[0] * MM, a[1] * MM)
            path.lineTo(b[0] * MM, b[1] * MM)
            if short:
                c.drawPath(path, stroke=1, fill=0)
                c.setDash(dash, 0)
                continue
        elif isinstance(p, Arc):
            cx, cy = placed.paper(p.centre)
            r = p.radius * s
            extent = (p.end_deg - p.start_deg) % 360 or 360
            run = 2 * math.pi * r * extent / 360  # paper mm along the arc
            if dash and run < 4 * SHORT_DASHED:  # a small hidden circle: six dashes round it, not two that read as solid
                c.setDash([run / 9 * MM, run / 18 * MM], 0)
            path.arc((cx - r) * MM, (cy - r) * MM, (cx + r) * MM, (cy + r) * MM, startAng=p.start_deg, extent=extent)
            if dash and run < 4 * SHORT_DASHED:
                c.drawPath(path, stroke=1, fill=0)
                c.setDash(dash, 0)
                continue
        elif isinstance(p, Bezier):
            pts = [placed.paper(q) for q in p.points]
            path.moveTo(pts[0][0] * MM, pts[0][1] * MM)
            path.curveTo(*(v * MM for q in pts[1:] for v in q))
        c.drawPath(path, stroke=1, fill=0)
    c.setDash([], 0)


def _annotations(c, d: Display, bold: str) -> None:
    """The display list's annotations, in points."""
    c.saveState()
    c.setLineWidth(NARROW * MM)
    c.setStrokeColorRGB(0, 0, 0)
    c.setFillColorRGB(0, 0, 0)
    for a, b in d.lines:
        c.line(a[0] * MM, a[1] * MM, b[0] * MM, b[1] * MM)
    c.setLineWidth(2 * NARROW * MM)
    for a, b in d.wide:
        c.line(a[0] * MM, a[1] * MM, b[0] * MM, b[1] * MM)
    c.setLineWidth(NARROW * MM)
    for (x, y), direction in d.arrows:
        half = math.radians(10)
        back = direction + math.pi
        p1 = (x + ARROW * math.cos(back - half), y + ARROW * math.sin(back - half))
        p2 = (x + ARROW * math.cos(back + half), y + ARROW * math.sin(back + half))
        path = c.beginPath()
        path.moveTo(x * MM, y * MM)
        path.lineTo(p1[0] * MM, p1[1] * MM)
        path.lineTo(p2[0] * MM, p2[1] * MM)
        path.close()
        c.drawPath(path, stroke=0, fill=1)
    for (x, y), r in d.circles + d.circles_narrow:
        c.circle(x * MM, y * MM, r * MM, stroke=1, fill=0)
    for x0, y0, x1, y1 in d.rects:
        c.rect(x0 * MM, y0 * MM, (x1 - x0) * MM, (y1 - y0) * MM, stroke=1, fill=0)
    for (x, y), direction in d.triangles:  # equilateral, 3 mm, base on the feature
        side = 3.0
        nx, ny = math.cos(direction), math.sin(direction)  # from the symbol towards the feature
        bx, by = -ny * side / 2, nx * side / 2
        apex = (x - nx * side * 0.87, y - ny * side * 0.87)
        path = c.beginPath()
        path.moveTo((x + bx) * MM, (y + by) * MM)
        path.lineTo((x - bx) * MM, (y - by) * MM)
        path.lineTo(apex[0] * MM, apex[1] * MM)
        path.close()
        c.drawPath(path, stroke=0, fill=1)
    for (x, y), r in d.symbols:  # a circle and a cross reaching past it
        c.circle(x * MM, y * MM, r * MM, stroke=1, fill=0)
        c.line((x - 1.6 * r) * MM, y * MM, (x + 1.6 * r) * MM, y * MM)
        c.line(x * MM, (y - 1.6 * r) * MM, x * MM, (y + 1.6 * r) * MM)
    c.setDash([6 * NARROW * 4 * MM, 0.75 * MM, 0.2 * MM, 0.75 * MM], 0)  # long dash, gap, dot, gap
    for a, b in d.chain:
        c.line(a[0] * MM, a[1] * MM, b[0] * MM, b[1] * MM)
    for (x, y), r in d.chain_circles:
        c.circle(x * MM, y * MM, r * MM, stroke=1, fill=0)
    c.setDash([], 0)
    for lab in d.labels:
        c.setFont(bold if lab.kind == "view-title" else lab.font, lab.size * MM)
        c.saveState()
        c.translate(lab.x * MM, lab.y * MM)
        c.rotate(lab.angle)
        draw = {"start": c.drawString, "middle": c.drawCentredString, "end": c.drawRightString}[lab.anchor]
        draw(0, 0, lab.text)
        c.restoreState()
    c.restoreState()

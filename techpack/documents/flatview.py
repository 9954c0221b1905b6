"""A bent sheet-metal part's flat pattern on a sheet of its drawing: the blank's outline and
holes (wide lines), each bend's centre line (a narrow chain line, tagged B1, B2 ...), the
blank's overall size, and the bend table (direction, angle, inside radius, K-factor and its
source, bend allowance), so a shop can check its own unfolding against ours. The same Flat
as the DXF (documents/cutfiles.py), at the largest ISO 5455 scale that leaves the table room."""

from __future__ import annotations

import math

from techpack.documents.annotate import Annotator
from techpack.documents.display import TEXT, Display, Stroke
from techpack.documents.layout import SCALES, Placed, scale_text
from techpack.documents.room import Room
from techpack.documents.views import Arc, Line
from techpack.geometry.flat import Flat, Loop
from techpack.inspection import fmt

MARGIN_MM = 25.0  # around the flat on the sheet: its dimensions and bend tags go there
TABLE_MM = 45.0  # kept below the flat for the bend table


def flat_page(flat: Flat, area, furniture: list, font: str) -> tuple[Display, list[str]]:
    """The flat pattern's sheet (a display list) and what found no room on it."""
    page = Display()
    (x0, y0), (x1, y1) = flat.bounds
    w, h = x1 - x0, y1 - y0
    ax0, ay0, ax1, ay1 = area
    room_w, room_h = ax1 - ax0 - 2 * MARGIN_MM, ay1 - ay0 - 2 * MARGIN_MM - TABLE_MM
    scale = next((s for s in SCALES if w * s <= room_w and h * s <= room_h), SCALES[-1])
    cx, cy = (ax0 + ax1) / 2, ay1 - MARGIN_MM - h * scale / 2
    placed = Placed(view=None, x=cx - (x0 + w / 2) * scale, y=cy - (y0 + h / 2) * scale, scale=scale)
    prims = tuple(p for loop in (flat.outline, *flat.holes) for p in _prims(loop))
    page.strokes.append(Stroke(placed, prims, "wide"))
    view = (placed.paper((x0, y0)) + placed.paper((x1, y1)))
    a = Annotator(Room(page, area, [*furniture, view]), font)
    a.label(f"FLAT PATTERN ({scale_text(scale)}): blank {fmt(w)} × {fmt(h)} mm, t = {fmt(flat.thickness_mm, 3)} mm",
            view[0], view[3] + 6.0, kind="view-title")
    for bend in flat.bends:
        p, q = placed.paper(bend.start), placed.paper(bend.end)
        page.chain.append((p, q))
        end = max((p, q), key=lambda e: (e[0], e[1]))
        a.leader(end, f"B{bend.number}", kind="tag")
    lo, hi = placed.paper((x0, y0)), placed.paper((x1, y1))
    a.linear(lo, (hi[0], lo[1]), fmt(w), side=-1, offset=10.0, vertical=False)
    a.linear((hi[0], lo[1]), hi, fmt(h), side=1, offset=10.0, vertical=True)
    rows = [("Bend", "Direction", "Angle", "Inside radius", "K-factor", "Allowance")]
    rows += [(f"B{b.number}", b.direction.upper(), f"{fmt(b.angle_deg)}°", f"R{fmt(b.inside_radius_mm)}", fmt(b.k_factor, 3),
              fmt(b.allowance_mm, 3)) for b in flat.bends]
    sources = sorted({b.k_source for b in flat.bends if b.k_source})
    title = "Bends, mm (UP: towards the viewer of this flat; allowance: the neutral fibre's arc, θ(R + K·t))"
    if not a.table(rows, title=title):
        a.room.crowded.append("the bend table")
    for k, source in enumerate(sources):
        a.label(f"K-factor: {source}", ax0 + 3.0, ay0 + 3.0 + k * TEXT * 1.4, kind="note")
    return page, list(a.room.crowded)


def _prims(loop: Loop) -> list:
    """A loop's segments as the renderer's lines and counter-clockwise arcs."""
    out = []
    for s in loop.segments:
        if not s.bulge:
            out.append(Line(s.start, s.end))
            continue
        (cx, cy), r = s.centre, s.radius
        a0 = math.degrees(math.atan2(s.start[1] - cy, s.start[0] - cx))
        a1 = math.degrees(math.atan2(s.end[1] - cy, s.end[0] - cx))
        start = a0 if s.bulge > 0 else a1  # a clockwise arc is the counter-clockwise one from its end
        sweep = abs(math.degrees(s.sweep))
        out.append(Arc((cx, cy), r, start % 360.0, start % 360.0 + sweep))
    return out

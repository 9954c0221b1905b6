"""DXF files for laser, waterjet, plasma and sheet-metal shops: a flat pattern or a flat
part's profile (geometry/flat.py) at 1:1 in mm, on a fixed set of layers.

R2010, $INSUNITS = 4 (mm), $MEASUREMENT = 1. The outline and holes are closed LWPOLYLINEs
with true arcs (bulges) on CUT, a hole that is a full circle a CIRCLE; bend centre lines
on BEND with a note per bend on TEXT ("B1 UP 90° R3"); engraving loops on ENGRAVE; the
part number and title on TEXT below the outline, never on CUT. The same flat gives the
same bytes: the dates and GUIDs ezdxf would stamp are fixed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import ezdxf
from ezdxf.document import Drawing
from ezdxf.enums import TextEntityAlignment

from techpack.geometry.flat import BendLine, Flat, Loop
from techpack.inspection import fmt

# name, ACI colour, linetype: the layer set laser-shop DXF guides agree on (reference cad-exports-pmi.md §3.1:
# lasercut.parts, lumenfuture.sg, fyord.io, cutpro, gosnapcut)
LAYERS = (
    ("CUT", 7, "CONTINUOUS"),  # outline and holes: every entity a closed contour
    ("BEND", 1, "DASHED"),  # bend centre lines, not cut
    ("TEXT", 2, "CONTINUOUS"),  # bend notes, part number and title, never machined
    ("ENGRAVE", 3, "CONTINUOUS"),  # marks cut into the face, not through
)
DXF_VERSION = "R2010"  # the version shops ask for first; R12 has no LWPOLYLINE and no $INSUNITS (reference §3.1)
TEXT_HEIGHT_MM = 2.5
TITLE_GAP_MM = 5.0  # from the outline's lowest point down to the title's first line
LINE_PITCH = 1.6  # title line spacing as a multiple of the text height
CLOSED_MM = 1e-6  # a loop's segment ending farther than this from the next one's start is open


def write_dxf(flat: Flat, path: Path, *, part: str, title: str) -> None:
    """Write flat to path as a DXF in mm (see the module); part is the part number, title
    its name. Raises ValueError naming the part for an empty flat or an open loop."""
    _check(flat, part)
    with _reproducible():
        doc = _document(flat, part, title)
        doc.saveas(path)  # in the build's staging folder: the package is moved into place whole


def _document(flat: Flat, part: str, title: str) -> Drawing:
    """The flat on the LAYERS, the title under the outline, the view on the drawing (mm)."""
    doc = ezdxf.new(DXF_VERSION, setup=["linetypes"], units=ezdxf.units.MM)
    doc.units = ezdxf.units.MM
    doc.header["$MEASUREMENT"] = 1
    for name, colour, linetype in LAYERS:
        doc.layers.add(name, color=colour, linetype=linetype)
    msp = doc.modelspace()
    for loop in (flat.outline, *flat.holes):
        circle = loop.circle if loop is not flat.outline else None
        if circle:
            msp.add_circle(circle[0], circle[1], dxfattribs={"layer": "CUT"})
        else:
            _add_loop(msp, loop, "CUT")
    for loop in flat.engraving:
        _add_loop(msp, loop, "ENGRAVE")
    for bend in flat.bends:
        msp.add_line(bend.start, bend.end, dxfattribs={"layer": "BEND"})
        _add_bend_note(msp, bend)
    (x0, y0), (x1, y1) = flat.bounds
    lines = [f"{part} {title}".strip()]
    if flat.thickness_mm:
        lines.append(f"t = {fmt(flat.thickness_mm)} mm, scale 1:1, units mm")
    for k, text in enumerate(lines):
        y = y0 - TITLE_GAP_MM - TEXT_HEIGHT_MM - k * LINE_PITCH * TEXT_HEIGHT_MM
        msp.add_text(text, height=TEXT_HEIGHT_MM, dxfattribs={"layer": "TEXT"}).set_placement((x0, y))
    low = y0 - TITLE_GAP_MM - len(lines) * LINE_PITCH * TEXT_HEIGHT_MM
    doc.header["$EXTMIN"], doc.header["$EXTMAX"] = (x0, low, 0.0), (x1, y1, 0.0)
    doc.set_modelspace_vport(height=1.1 * (y1 - low), center=((x0 + x1) / 2.0, (low + y1) / 2.0))
    for name in sorted(doc.entitydb.dxf_types_in_use()):  # ezdxf would add these CLASSES in set order, which varies with the hash seed
        doc.classes.add_class(name)
    return doc


def bend_note(bend: BendLine) -> str:
    """The bend's note as on the TEXT layer and the drawing: "B1 UP 90° R3" (°, mm)."""
    return f"B{bend.number} {bend.direction.upper()} {fmt(bend.angle_deg)}° R{fmt(bend.inside_radius_mm)}"


def _check(flat: Flat, part: str) -> None:
    if not flat.outline.segments:
        raise ValueError(f"{part}: the flat pattern is empty (no outline), no DXF written")
    named = [("the outline", flat.outline), *((f"hole {k}", h) for k, h in enumerate(flat.holes, 1)),
             *((f"engraving loop {k}", e) for k, e in enumerate(flat.engraving, 1))]
    for name, loop in named:
        segments = loop.segments
        for k, s in enumerate(segments):
            gap = math.dist(s.end, segments[(k + 1) % len(segments)].start)
            if gap > CLOSED_MM:
                raise ValueError(f"{part}: {name} of the flat pattern is not closed ({gap:.3g} mm gap at"
                                 f" {s.end[0]:.4f}, {s.end[1]:.4f}), no DXF written")


def _add_loop(msp, loop: Loop, layer: str) -> None:
    """The loop as one closed LWPOLYLINE: each vertex a segment's start with its bulge."""
    points = [(s.start[0], s.start[1], s.bulge) for s in loop.segments]
    msp.add_lwpolyline(points, format="xyb", close=True, dxfattribs={"layer": layer})


def _add_bend_note(msp, bend: BendLine) -> None:
    """The note centred on the bend line's middle, along the line, reading left to right or upwards."""
    (xa, ya), (xb, yb) = bend.start, bend.end
    angle = math.degrees(math.atan2(yb - ya, xb - xa))
    if angle > 90.0 + 1e-9 or angle <= -90.0 + 1e-9:
        angle -= math.copysign(180.0, angle)
    text = msp.add_text(bend_note(bend).replace("°", "%%d"), height=TEXT_HEIGHT_MM,
                        dxfattribs={"layer": "TEXT", "rotation": angle})
    text.set_placement(((xa + xb) / 2.0, (ya + yb) / 2.0), align=TextEntityAlignment.BOTTOM_CENTER)


@contextmanager
def _reproducible() -> Iterator[None]:
    """ezdxf's fixed metadata while the document is made and saved: $TDCREATE, $TDUPDATE
    2000-01-01, null $FINGERPRINTGUID and $VERSIONGUID, no time in its created/written marks."""
    before = ezdxf.options.write_fixed_meta_data_for_testing
    ezdxf.options.write_fixed_meta_data_for_testing = True
    try:
        yield
    finally:
        ezdxf.options.write_fixed_meta_data_for_testing = before

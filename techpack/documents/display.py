"""The display list of a drawing sheet: everything drawn on it, in paper millimetres, kept
apart from where things are placed (room.py) and how they are rendered (render.py); and
the lint that proves a reader can read it."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth

TEXT = 3.5  # mm, the font size of dimensions and notes: capitals CAPITALS × 3.5 = 2.5 mm, ISO 3098's least on A4-A2
CAPITALS = 0.73  # capital height over font size (DejaVu Sans; techpack/documents/sheet.py)
STRUCK_INSET = 0.35  # mm: a line within this of a text box's edge (a callout's own shelf) does not strike it

Box = tuple[float, float, float, float]
Point = tuple[float, float]
Segment = tuple[Point, Point]


def text_box(font: str, size: float, text: str, x: float, y: float, anchor: str = "start", angle: float = 0.0) -> Box:
    """The box (mm) a string covers when drawn at (x, y) baseline, anchored start/middle/end, rotated 0 or 90°."""
    width = stringWidth(text, font, size)
    ascent, descent = getAscentDescent(font, size)
    shift = {"start": 0.0, "middle": width / 2, "end": width}[anchor]
    x0, x1, y0, y1 = -shift, width - shift, descent, ascent
    if angle % 180 == 0:
        return (x + x0, y + y0, x + x1, y + y1)
    return (x - y1, y + x0, x - y0, y + x1)  # rotated 90° counter-clockwise about (x, y)


def overlaps(a: Box, b: Box, gap: float = 0.0) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def crosses(a: Point, b: Point, box: Box) -> bool:
    """Whether the segment a-b meets the box (Liang-Barsky clipping)."""
    t0, t1 = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, q in ((-dx, a[0] - box[0]), (dx, box[2] - a[0]), (-dy, a[1] - box[1]), (dy, box[3] - a[1])):
        if p == 0:
            if q < 0:
                return False
        else:
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                return False
    return True


def inside(a: Box, b: Box) -> bool:
    return a[0] >= b[0] and a[1] >= b[1] and a[2] <= b[2] and a[3] <= b[3]


def grown(box: Box, by: float) -> Box:
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


@dataclass
class Label:
    text: str
    x: float
    y: float
    font: str
    size: float = TEXT
    anchor: str = "start"
    angle: float = 0.0
    kind: str = "dimension"  # dimension, callout, note, balloon, tag, view-title

    @functools.cached_property
    def box(self) -> Box:  # a label is not changed once made
        return text_box(self.font, self.size, self.text, self.x, self.y, self.anchor, self.angle)


@dataclass(frozen=True)
class Stroke:
    """A view's edges of one kind, drawn through its placement on the sheet."""

    placed: Any  # layout.Placed: the view and where it lies
    prims: tuple  # views.Line / Arc / Bezier in the view's plane
    pen: str  # "wide" (visible edges), "narrow" (smooth edges, hatching) or "hidden" (narrow dashed)


@dataclass
class Display:
    """Everything drawn on one sheet beyond its frame and title block, in drawing order."""

    strokes: list[Stroke] = field(default_factory=list)  # the views' edges
    labels: list[Label] = field(default_factory=list)
    lines: list[Segment] = field(default_factory=list)  # narrow lines: leaders, dimension and extension lines
    arrows: list[tuple[Point, float]] = field(default_factory=list)  # tip, direction (rad)
    circles: list[tuple[Point, float]] = field(default_factory=list)  # balloons: centre, radius
    chain: list[Segment] = field(default_factory=list)  # centre lines (ISO 128 04.1)
    chain_circles: list[tuple[Point, float]] = field(default_factory=list)  # pitch circles: centre, radius
    circles_narrow: list[tuple[Point, float]] = field(default_factory=list)  # a detail's region on its view: centre, radius
    rects: list[Box] = field(default_factory=list)  # tolerance frames, datum letters' squares
    triangles: list[tuple[Point, float]] = field(default_factory=list)  # datum feature: tip on the feature, pointing direction (rad)
    wide: list[Segment] = field(default_factory=list)  # ends of cutting planes (ISO 128 wide)
    symbols: list[tuple[Point, float]] = field(default_factory=list)  # ISO 1101 position symbols: centre, circle radius

    def ruled(self) -> list[Segment]:
        """The straight lines a text must not be struck through by."""
        return self.lines + self.wide + self.chain

    def mark(self) -> dict[str, int]:
        """Where each list ends now: what is added after can be taken back (take_back)."""
        return {name: len(v) for name, v in vars(self).items() if isinstance(v, list)}

    def added_since(self, mark: dict[str, int]) -> dict[str, list]:
        return {name: getattr(self, name)[n:] for name, n in mark.items()}

    def take_back(self, added: dict[str, list]) -> None:
        """Remove these items (from added_since), wherever they now are in their lists."""
        for name, items in added.items():
            ids = {id(x) for x in items}
            kept = [x for x in getattr(self, name) if id(x) not in ids]
            getattr(self, name)[:] = kept

def lint(labels: list[Label], geometry: list[Box], area: Box, lines=()) -> list[str]:
    """What a reader would trip over: text under ISO 3098's height, text over text, text
    over a view, text off the drawing area, and text struck through by a line (leaders,
    dimension, extension and centre lines)."""
    problems = [f"'{lab.text}' is lettered {lab.size * CAPITALS:.1f} mm high, below ISO 3098's 2.5 mm" for lab in labels if lab.size < TEXT - 1e-9]
    for lab in labels:
        b = lab.box
        inner = (b[0] + STRUCK_INSET, b[1] + STRUCK_INSET, b[2] - STRUCK_INSET, b[3] - STRUCK_INSET)
        if any(crosses(a, e, inner) for a, e in lines):
            problems.append(f"'{lab.text}' is struck through by a line")
    boxes = np.array([lab.box for lab in labels], dtype=float).reshape(-1, 4)
    views = np.array(geometry, dtype=float).reshape(-1, 4)
    for i, a in enumerate(labels):
        box = boxes[i]
        if not inside(tuple(box), area):
            problems.append(f"'{a.text}' lies outside the drawing area")
        rest = boxes[i + 1:]
        hit = (box[0] < rest[:, 2]) & (rest[:, 0] < box[2]) & (box[1] < rest[:, 3]) & (rest[:, 1] < box[3])
        problems += [f"'{a.text}' overlaps '{labels[i + 1 + j].text}'" for j in np.flatnonzero(hit)]
        if a.kind not in ("view-title", "tag") and len(views):  # a hole's tag sits on its view, by the hole
            if ((box[0] < views[:, 2]) & (views[:, 0] < box[2]) & (box[1] < views[:, 3]) & (views[:, 1] < box[3])).any():
                problems.append(f"'{a.text}' lies over a view")
    return problems

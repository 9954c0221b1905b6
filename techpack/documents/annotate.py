"""Annotations on a drawing sheet, in paper millimetres: text, dimension lines, leaders,
balloons; each knows its text boxes so that a lint can prove nothing overlaps.

ISO 129-1 conventions: narrow continuous lines (0.25 mm), filled arrowheads 3 mm long,
text 3.5 mm above the dimension line and parallel to it, extension lines that start 1 mm
off the outline and run 2 mm past the dimension line."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth

from techpack.inspection import POSITION

MM = 72 / 25.4
TEXT = 3.5  # mm, the font size of dimensions and notes: capitals CAPITALS × 3.5 = 2.5 mm, ISO 3098's least on A4-A2
CAPITALS = 0.73  # capital height over font size (DejaVu Sans; techpack/documents/sheet.py)
NARROW = 0.25  # mm, ISO 128 narrow line of the 0.5 / 0.25 group
ARROW = 3.0  # mm
OVERRUN = 4.0  # mm a cutting plane runs past the view it crosses
CUT_END = 6.0  # mm, the wide stroke at each end of a cutting plane
CUT_ARROW = 8.0  # mm, length of a cutting plane's arrows

Box = tuple[float, float, float, float]


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


def crosses(a: tuple[float, float], b: tuple[float, float], box: Box) -> bool:
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


@dataclass
class Label:
    text: str
    x: float
    y: float
    font: str
    size: float = TEXT
    anchor: str = "start"
    angle: float = 0.0
    kind: str = "dimension"  # dimension, callout, note, balloon, view-title

    @functools.cached_property
    def box(self) -> Box:  # a label is not changed once made
        return text_box(self.font, self.size, self.text, self.x, self.y, self.anchor, self.angle)


@dataclass
class Annotations:
    """Everything drawn on top of the views, collected first and drawn last."""

    font: str
    area: Box = (-1e9, -1e9, 1e9, 1e9)  # where text may go: the drawing area, mm
    labels: list[Label] = field(default_factory=list)
    lines: list[tuple[tuple[float, float], tuple[float, float]]] = field(default_factory=list)  # narrow lines, mm
    arrows: list[tuple[tuple[float, float], float]] = field(default_factory=list)  # tip, direction (rad)
    circles: list[tuple[tuple[float, float], float]] = field(default_factory=list)  # balloons: centre, radius
    chain: list[tuple[tuple[float, float], tuple[float, float]]] = field(default_factory=list)  # centre lines (ISO 128 04.1)
    chain_circles: list[tuple[tuple[float, float], float]] = field(default_factory=list)  # pitch circles: centre, radius
    rects: list[Box] = field(default_factory=list)  # tolerance frames, datum letters' squares
    triangles: list[tuple[tuple[float, float], float]] = field(default_factory=list)  # datum feature: tip on the feature, pointing direction (rad)
    wide: list[tuple[tuple[float, float], tuple[float, float]]] = field(default_factory=list)  # ends of cutting planes (ISO 128 wide)
    symbols: list[tuple[tuple[float, float], float]] = field(default_factory=list)  # ISO 1101 position symbols: centre, circle radius

    def cutting_plane(self, a: tuple[float, float], b: tuple[float, float], arrow: tuple[float, float], letter: str) -> None:
        """An ISO 128-44 cutting plane from a to b across a view: a narrow chain line, wide at
        its ends, arrows at each end pointing the way the section is seen, and its letter."""
        d = np.subtract(b, a) / (math.dist(a, b) or 1.0)
        a = tuple(np.subtract(a, d * OVERRUN))
        b = tuple(np.add(b, d * OVERRUN))
        self.chain.append((a, b))
        w = np.asarray(arrow, dtype=float)
        for end, out in ((np.asarray(a), -d), (np.asarray(b), d)):
            self.wide.append((tuple(end), tuple(end - out * CUT_END)))
            tail = end - w * CUT_ARROW
            self.lines.append((tuple(tail), tuple(end)))
            self.arrows.append((tuple(end), math.atan2(w[1], w[0])))
            spot = tail - w * (TEXT * 0.6) + out * (TEXT * 0.4)
            self.labels.append(Label(letter, float(spot[0]), float(spot[1]) - TEXT * 0.35, self.font, size=5.0, anchor="middle", kind="callout"))

    def viewing_arrow(self, tip: tuple[float, float], direction: tuple[float, float], letter: str) -> Label:
        """ISO 128-30 viewing direction of an auxiliary view: an arrow onto the part at tip,
        pointing the way the view looks, and the view's letter at its tail."""
        tail = (tip[0] - direction[0] * CUT_ARROW * 1.5, tip[1] - direction[1] * CUT_ARROW * 1.5)
        self.lines.append((tail, tip))
        self.arrows.append((tip, math.atan2(direction[1], direction[0])))
        spot = (tail[0] - direction[0] * TEXT, tail[1] - direction[1] * TEXT)
        lab = Label(letter, spot[0], spot[1] - TEXT * 0.35 * 5 / TEXT, self.font, size=5.0, anchor="middle", kind="callout")
        self.labels.append(lab)
        return lab

    def frame(self, tip: tuple[float, float], cells: list[str], outward: tuple[float, float], avoid: list[Box], arrow: bool = True) -> Label:
        """An ISO 1101 tolerance frame (compartments left to right, height 2h), led from tip
        (an arrow on the feature, or a plain line from a callout's shelf) outward from the part."""
        h = 2 * TEXT
        widths = self._frame_widths(cells)
        tries = [(reach, side) for reach in range(10, 160, 5) for side in (0, 20, -20, 40, -40, 60, -60, 80, -80, 100, -100)]
        turned = [(-outward[1], outward[0]), (outward[1], -outward[0]), (-outward[0], -outward[1])]  # when all else fails
        passes = [(outward, t, True) for t in tries] + [(outward, t, False) for t in tries] + [(d, t, False) for d in turned for t in tries]
        for out, (reach, side), strict in passes:  # a leader across no text if it can
            across = (-out[1], out[0])
            x0 = tip[0] + out[0] * reach + across[0] * side
            y0 = tip[1] + out[1] * reach + across[1] * side - (h if out[1] < 0 else 0)
            box = (x0 - 2 * TEXT - 2, y0, x0 + sum(widths) + 2 * TEXT + 2, y0 + h)  # room for a datum and a balloon
            joint = self._joint(tip, (x0, y0, x0 + sum(widths), y0 + h), out)
            if self.free(box, avoid) and (not strict or self.clear(tip, joint)):
                break
        box = (box[0] + 2 * TEXT + 2, box[1], box[0] + 2 * TEXT + 2 + sum(widths), box[3])
        last = self._frame_cells(cells, widths, box[0], box[1])
        joint = self._joint(tip, box, out)
        self.lines.append((tip, joint))
        if arrow:
            self.arrows.append((tip, math.atan2(tip[1] - joint[1], tip[0] - joint[0])))
        return last

    @staticmethod
    def _joint(tip, box: Box, out) -> tuple[float, float]:
        """Where a frame's leader meets it: on the edge facing the tip, near the end nearer the tip,
        so that the leader runs across none of its compartments."""
        y = box[3] if out[1] < 0 else box[1]
        return (box[2] - 2.0, y) if tip[0] > (box[0] + box[2]) / 2 else (box[0] + 2.0, y)

    def _frame_widths(self, cells) -> list[float]:
        h = 2 * TEXT
        return [h if t == POSITION else max(h, stringWidth(t, self.font, TEXT) + 3.0) for t in cells]

    def _frame_cells(self, cells, widths, x: float, y: float) -> Label:
        """The compartments of a frame with its lower left at (x, y); returns the last label."""
        h = 2 * TEXT
        self.rects.append((x, y, x + sum(widths), y + h))
        last = None
        for text, w in zip(cells, widths):
            self.rects.append((x, y, x + w, y + h))
            if text == POSITION:
                self.symbols.append(((x + w / 2, y + h / 2), TEXT * 0.45))
            else:
                last = Label(text, x + w / 2, y + h / 2 - TEXT * 0.35, self.font, anchor="middle", kind="callout")
                self.labels.append(last)
            x += w
        return last

    def frame_under(self, above: Label, cells: list[str], avoid: list[Box]) -> Label:
        """A tolerance frame hung under a callout's shelf (ISO 1101 allows a frame on the
        leader of the size it applies to); further down, joined by a line, when that is taken."""
        widths = self._frame_widths(cells)
        h, w = 2 * TEXT, sum(widths)
        b = above.box
        shelf_y = above.y - 0.8
        start = b[0] - 1.0 if above.anchor == "start" else b[2] + 1.0 - w
        shelf = (b[0] - 1.0, b[2] + 1.0)  # the frame hangs from the shelf: under some of it
        for drop in range(0, 45, 3):
            for x in (start, start + 10, start - 10, start + 20, start - 20):
                jx = min(max(x + 2.0, shelf[0] + 1.0), shelf[1] - 1.0)  # where the joining line meets both
                if not x + 1.0 <= jx <= x + w - 1.0:
                    continue
                box = (x, shelf_y - drop - h, x + w, shelf_y - drop)
                joint = ((jx, shelf_y), (jx, box[3]))
                if self.free((box[0], box[1], box[2] + 9, box[3] - 0.6), avoid, gap=0.5) and (not drop or self.clear(*joint)):  # room for a balloon; clear of the shelf
                    if drop:
                        self.lines.append(joint)
                    return self._frame_cells(cells, widths, box[0], box[1])
        # nothing free under the shelf: anywhere near, joined to the shelf's end by a line
        end = (shelf[1], shelf_y) if above.anchor == "start" else (shelf[0], shelf_y)
        return self.frame(end, cells, (1.0 if above.anchor == "start" else -1.0, 0.0), avoid, arrow=False)

    def surface_on_shelf(self, above: Label, text: str, machined: bool, avoid: list[Box]) -> Label:
        """An ISO 1302 surface texture symbol standing on a callout's shelf, past its text
        (the shelf is drawn longer to reach it): the requirement of that feature's surface."""
        h = TEXT
        width = stringWidth(text, self.font, TEXT)
        span = 1.4 * h / math.tan(math.radians(60)) + 3 * h / math.tan(math.radians(60)) + width + 2.0
        b = above.box
        shelf_y = above.y - 0.8
        right = above.anchor == "start"
        for step in range(0, 40, 2):
            x = b[2] + 3.0 + 1.4 * h / math.tan(math.radians(60)) + step if right else b[0] - 3.0 - span + step * -1
            box = (x - 1.4 * h / math.tan(math.radians(60)), shelf_y + 0.3, x - 1.4 * h / math.tan(math.radians(60)) + span, shelf_y + 3 * h + 4.5)
            if self.free(box, avoid, gap=0.5):
                break
        end = x if right else x - 1.4 * h / math.tan(math.radians(60))
        self.lines.append(((b[2] if right else b[0], shelf_y), (end, shelf_y)))
        return self.surface_symbol(x, shelf_y, text, machined)

    def surface_leader(self, tip: tuple[float, float], outward: tuple[float, float], text: str, machined: bool, avoid: list[Box]) -> Label:
        """An ISO 1302 surface texture symbol on a leader whose arrow touches the surface at
        tip, placed outward from the part where it fits."""
        h = TEXT
        width = stringWidth(text, self.font, TEXT)
        base = math.atan2(outward[1], outward[0])
        turns = [base + math.radians(a) for a in (0, 30, -30, 60, -60, 90, -90, 135, -135, 180)]
        for reach in range(8, 80, 4):
            for turn in turns:
                x = tip[0] + math.cos(turn) * reach
                y = tip[1] + math.sin(turn) * reach
                box = (x - 1.4 * h, y, x + 3 * h / math.tan(math.radians(60)) + width + 3.0, y + 3 * h + 4.5)
                if self.free(box, avoid) and self.clear(tip, (x, y)):
                    break
            else:
                continue
            break
        self.lines.append(((x, y), tip))
        self.arrows.append((tip, math.atan2(tip[1] - y, tip[0] - x)))
        return self.surface_symbol(x, y, text, machined)

    def table(self, rows: list[tuple[str, ...]], avoid: list[Box], title: str, size: float = TEXT) -> bool:
        """A table (first row the header) in the first free place of the drawing area, split
        into side-by-side blocks when it is taller than the room; False if it fits nowhere."""
        pad, height = 1.0, size * 1.45
        widths = [max(stringWidth(str(r[i]), self.font, size) for r in rows) + 2 * pad for i in range(len(rows[0]))]
        block_w = sum(widths)
        x0, y0, x1, y1 = self.area
        body = rows[1:]
        for blocks in range(1, 7):
            per = -(-len(body) // blocks)
            w, h = max(blocks * (block_w + 3.0), stringWidth(title, self.font, size) + 1.0), (per + 1) * height + 5.0  # the title may be wider
            for top in np.arange(y1 - 2.0, y0 + h, -5.0):
                for left in np.arange(x0 + 2.0, x1 - w, 5.0):
                    box = (left, top - h, left + w, top)
                    if self.free(box, avoid):
                        self._draw_table(rows, widths, per, left, top, size, height, title)
                        return True
        return False

    def _draw_table(self, rows, widths, per, left, top, size, height, title) -> None:
        self.labels.append(Label(title, left, top - size, self.font, size=size, kind="note"))
        header, body = rows[0], rows[1:]
        for b in range(-(-len(body) // per)):
            chunk = [header] + body[b * per:(b + 1) * per]
            x = left + b * (sum(widths) + 3.0)
            y = top - 5.0
            for r, row in enumerate(chunk):
                cx = x
                for text, w in zip(row, widths):
                    self.labels.append(Label(str(text), cx + 1.0, y - height * (r + 1) + 0.9, self.font, size=size, kind="note"))
                    cx += w
                self.lines.append(((x, y - height * (r + 1)), (x + sum(widths), y - height * (r + 1))))
            self.rects.append((x, y - height * len(chunk), x + sum(widths), y))

    def surface_symbol(self, x: float, y: float, text: str, machined: bool) -> Label:
        """ISO 1302 / ISO 21920-1 surface texture symbol at (x, y) (the point of the check mark):
        legs at 60°, short leg 1.4h, long leg 3h; a bar across for material removal; the
        requirement on the extension line."""
        h = TEXT
        short, long = 1.4 * h, 3 * h
        left = (x - short / math.tan(math.radians(60)), y + short)
        top = (x + long / math.tan(math.radians(60)), y + long)
        self.lines += [((x, y), left), ((x, y), top)]
        if machined:
            self.lines.append((left, (left[0] + 2 * (x - left[0]), left[1])))
        lab = Label(text, top[0] + 1.0, top[1] + 0.8, self.font, kind="note")
        width = stringWidth(text, self.font, TEXT)
        self.lines.append((top, (top[0] + width + 2.0, top[1])))
        self.labels.append(lab)
        return lab

    def datum_at_frame(self, tip: tuple[float, float], letter: str, frame_label: Label, outward: tuple[float, float]) -> Label:
        """The datum letter in a square beside a tolerance frame on the same feature, its
        triangle on the feature next to the frame's leader (ISO 5459 allows the pairing)."""
        size = 2 * TEXT
        frame = next(r for r in reversed(self.rects) if r[1] <= frame_label.y <= r[3] and r[0] <= frame_label.x <= r[2])
        row = [r for r in self.rects if abs(r[1] - frame[1]) < 1e-6 and abs(r[3] - frame[3]) < 1e-6]
        left = min(r[0] for r in row)
        box = (left - size - 2.0, frame[1], left - 2.0, frame[3])
        self.rects.append(box)
        foot = (tip[0] + outward[1] * 4.0, tip[1] - outward[0] * 4.0)  # beside the frame's arrow, along the face
        self.triangles.append((foot, math.atan2(-outward[1], -outward[0])))
        self.lines.append((foot, ((box[0] + box[2]) / 2, box[3] if outward[1] < 0 else box[1])))
        lab = Label(letter, (box[0] + box[2]) / 2, box[1] + size / 2 - TEXT * 0.35, self.font, anchor="middle", kind="callout")
        self.labels.append(lab)
        return lab

    def datum_on_shelf(self, above: Label, letter: str, avoid: list[Box]) -> Label:
        """An ISO 5459 datum feature symbol on a size callout's shelf: the datum is that
        feature's axis or median plane. The triangle sits on the shelf near its end, the
        letter's square below it."""
        size = 2 * TEXT
        b = above.box
        shelf_y = above.y - 0.8
        x = b[2] - 4.0 if above.anchor == "start" else b[0] + 4.0
        for drop in range(6, 60, 3):
            box = (x - size / 2, shelf_y - drop - size, x + size / 2, shelf_y - drop)
            if self.free(box, avoid):
                break
        self.rects.append(box)
        self.triangles.append(((x, shelf_y), math.pi / 2))
        self.lines.append(((x, shelf_y - 2.6), (x, box[3])))
        lab = Label(letter, x, box[1] + size / 2 - TEXT * 0.35, self.font, anchor="middle", kind="callout")
        self.labels.append(lab)
        return lab

    def datum(self, tip: tuple[float, float], letter: str, outward: tuple[float, float], avoid: list[Box], view: Box | None = None) -> Label:
        """An ISO 5459 datum feature symbol: a filled triangle on the feature, a leader, the
        letter in a square; where there is no room off the face, on an extension line of
        the face past the view's outline (`view`, its box)."""
        size = 2 * TEXT
        across = (-outward[1], outward[0])
        feet = [(tip[0] + across[0] * shift, tip[1] + across[1] * shift) for shift in (0, 4, -4, 8, -8)]  # along the face's edge
        for run in (12.0, 18.0, 24.0) if view is not None else ():  # run the face's edge out past the view's sides
            if abs(across[0]) > 0.99:
                feet += [(view[2] + run, tip[1]), (view[0] - run, tip[1])]
            elif abs(across[1]) > 0.99:
                feet += [(tip[0], view[3] + run), (tip[0], view[1] - run)]
        tries = [(reach, foot) for reach in range(8, 60, 4) for foot in feet]
        for (reach, foot), strict in [(t, True) for t in tries] + [(t, False) for t in tries]:  # a leader across no text if it can
            cx, cy = foot[0] + outward[0] * reach, foot[1] + outward[1] * reach
            box = (cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2)
            triangle = (foot[0] - 2.5, foot[1] - 2.5, foot[0] + 2.5, foot[1] + 2.5)
            if self.free(box, avoid) and (foot in feet[:5] or self.free(triangle, avoid, gap=0.5)) and (not strict or self.clear(foot, (cx, cy))):
                break
        if foot not in feet[:5]:  # the extension line from the outline out to the triangle
            start = (tip[0] if abs(across[0]) < 0.99 else (view[2] + 1.0 if foot[0] > tip[0] else view[0] - 1.0),
                     tip[1] if abs(across[1]) < 0.99 else (view[3] + 1.0 if foot[1] > tip[1] else view[1] - 1.0))
            self.lines.append((start, (foot[0] + across[0] * 2.0 * (1 if foot[0] >= tip[0] else -1), foot[1] + across[1] * 2.0 * (1 if foot[1] >= tip[1] else -1))))
        tip = foot
        self.rects.append(box)
        self.triangles.append((tip, math.atan2(-outward[1], -outward[0])))
        # the leader ends at the square's near side
        near = (cx - outward[0] * size / 2, cy - outward[1] * size / 2) if abs(outward[0]) < 1e-9 or abs(outward[1]) < 1e-9 else (cx, cy)
        self.lines.append((tip, near))
        lab = Label(letter, cx, cy - TEXT * 0.35, self.font, anchor="middle", kind="callout")
        self.labels.append(lab)
        return lab

    def label(self, text: str, x: float, y: float, **kw) -> Label:
        lab = Label(text, x, y, self.font, **kw)
        self.labels.append(lab)
        return lab

    def clear(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        """Whether a line from a to b would cross no text placed so far."""
        return not any(crosses(a, b, lab.box) for lab in self.labels)

    def free(self, box: Box, avoid: list[Box], gap: float = 1.0) -> bool:
        """Whether box is inside the area, clear of `avoid`, of the text placed so far and of
        the lines drawn so far (dimension lines, leaders, frames)."""
        drawn = [lab.box for lab in self.labels] + self.rects + [(c[0] - r, c[1] - r, c[0] + r, c[1] + r) for c, r in self.circles]
        if not inside(box, self.area) or any(overlaps(box, b, gap) for b in avoid + drawn):
            return False
        grown = (box[0] - gap, box[1] - gap, box[2] + gap, box[3] + gap)
        return not any(crosses(a, b, grown) for a, b in self.lines + self.wide)

    def linear(self, a: tuple[float, float], b: tuple[float, float], text: str, side: float, offset: float, vertical: bool, avoid: list[Box]) -> Label:
        """A dimension between paper points a and b, measured along x (vertical=False) or y,
        its line `offset` mm from the feature on `side` (+1 above/right, -1 below/left);
        moved further out while its text would overlap something or its extension lines
        would cross text. Text too long for the space between the arrows goes beyond one of
        them, on the dimension line drawn longer (ISO 129-1)."""
        width = stringWidth(text, self.font, TEXT)
        k = 1 if vertical else 0
        lo, hi = min(a[k], b[k]), max(a[k], b[k])
        spots = ["middle"] if width + 2.0 <= hi - lo - 2 * ARROW else ["before", "after"]  # before: clear of the extension lines of the positions further out
        candidates = []
        for extra in range(0, 84, 7):
            off = offset + extra
            edge = (max(a[1 - k], b[1 - k]) if side > 0 else min(a[1 - k], b[1 - k])) + side * off
            p, q = ((edge, a[1]), (edge, b[1])) if vertical else ((a[0], edge), (b[0], edge))
            for spot in spots:
                along = {"middle": (lo + hi) / 2, "after": hi + ARROW + 1.0 + width / 2, "before": lo - ARROW - 1.0 - width / 2}[spot]
                if vertical:
                    lab = Label(text, edge - 1.0, along, self.font, anchor="middle", angle=90.0)
                else:
                    lab = Label(text, along, edge + 1.0, self.font, anchor="middle")
                candidates.append((lab, p, q, spot, along))

        def clean(c, level: int) -> bool:  # 3: all clear; 2: text and dimension line; 1: text only
            lab, p, q, _, _ = c
            if not self.free(lab.box, avoid):
                return False
            ends = [self._extension_line(f, e, vertical, side) for f, e in ((a, p), (b, q))]
            return level < 2 or self.clear(p, q) and (level < 3 or all(self.clear(*line) for line in ends if line))

        best = next((c for level in (3, 2, 1) for c in candidates if clean(c, level)), candidates[0])
        lab, p, q, spot, along = best
        self.labels.append(lab)
        for feature, end in ((a, p), (b, q)):
            line = self._extension_line(feature, end, vertical, side)
            if line:
                self.lines.append(line)
        self.lines.append((p, q))
        if spot != "middle":  # the dimension line carries on under the text
            reach = along + (width / 2 + 1.0) * (1 if spot == "after" else -1)
            base = (p[0], reach) if vertical else (reach, p[1])
            near = max((p, q), key=lambda e: e[k]) if spot == "after" else min((p, q), key=lambda e: e[k])
            self.lines.append((near, base))
        direction = math.atan2(q[1] - p[1], q[0] - p[0])
        self.arrows += [(p, direction + math.pi), (q, direction)]
        return lab

    def _extension_line(self, feature, end, vertical: bool, side: float):
        """The extension line from 1 mm off the feature to 2 mm past the dimension line, or
        None where the dimension line runs through the feature."""
        if vertical:
            start = (feature[0] + side * 1.0, feature[1])
            stop = (end[0] + side * 2.0, end[1])
        else:
            start = (feature[0], feature[1] + side * 1.0)
            stop = (end[0], end[1] + side * 2.0)
        if (stop[0] - start[0]) * side >= 0 and (stop[1] - start[1]) * side >= 0:
            return (start, stop)
        return None

    def leader(self, tip: tuple[float, float], text: str, avoid: list[Box], prefer: tuple[float, float] = (1, 1), kind: str = "callout") -> Label:
        """A leader from tip (arrow on the feature) out to a text placed where it fits."""
        dx, dy = prefer
        slopes = ((dx, dy), (dx, -dy), (-dx, dy), (-dx, -dy), (dx, dy / 2), (dx, -dy / 2), (-dx, dy / 2), (-dx, -dy / 2),
                  (dx / 2, dy), (dx / 2, -dy), (-dx / 2, dy), (-dx / 2, -dy), (dx / 4, dy), (dx / 4, -dy), (-dx / 4, dy), (-dx / 4, -dy),
                  (dx, dy / 4), (dx, -dy / 4), (-dx, dy / 4), (-dx, -dy / 4))
        tries = [(reach, sx, sy) for reach in range(12, 200, 6) for sx, sy in slopes]
        for (reach, sx, sy), strict in [(t, True) for t in tries] + [(t, False) for t in tries]:  # a leader across no text if it can
            knee = (tip[0] + sx * reach * 0.7, tip[1] + sy * reach * 0.7)
            anchor = "start" if sx > 0 else "end"
            lab = Label(text, knee[0] + math.copysign(2.0, sx), knee[1] + 0.8, self.font, anchor=anchor, kind=kind)
            if self.free(lab.box, avoid) and (not strict or self.clear(tip, knee)):
                self.labels.append(lab)
                shelf = (knee[0] + math.copysign(2.0 + (lab.box[2] - lab.box[0]), sx), knee[1])
                self.lines += [(tip, knee), (knee, shelf)]
                self.arrows.append((tip, math.atan2(tip[1] - knee[1], tip[0] - knee[0])))
                return lab
        lab = Label(text, tip[0] + 12, tip[1] + 12, self.font, kind=kind)  # nowhere free: the lint will say so
        self.labels.append(lab)
        self.lines.append((tip, (tip[0] + 10, tip[1] + 10)))
        return lab

    def balloon(self, number: int, near: Label, avoid: list[Box], critical: bool = False) -> Label:
        """A numbered inspection balloon beside a callout's text; a critical characteristic's
        has a second ring inside."""
        r = 3.6
        box = near.box
        for x0, y0, x1, y1 in self.rects:  # a frame's label: beside the whole frame
            if x0 <= near.x <= x1 and y0 <= near.y <= y1:
                row = [q for q in self.rects if abs(q[1] - y0) < 1e-6 and abs(q[3] - y1) < 1e-6 and q[0] <= x1 + 1e-6 and q[2] >= x0 - 1e-6]
                box = (min(box[0], *(q[0] for q in row)), min(box[1], y0), max(box[2], *(q[2] for q in row)), max(box[3], y1))
        mid = (box[1] + box[3]) / 2
        spots = [(box[2] + r + 1.5 + dx, mid + dy) for dx in (0, 3, 6) for dy in (0, -2, 2, -4)]
        spots += [(box[0] - r - 1.5, mid), ((box[0] + box[2]) / 2, box[3] + r + 1.5), ((box[0] + box[2]) / 2, box[1] - r - 1.5)]
        for cx, cy in spots:
            lab = Label(str(number), cx, cy - 1.25, self.font, size=TEXT, anchor="middle", kind="balloon")
            ring = (cx - r, cy - r, cx + r, cy + r)
            if self.free(ring, avoid, gap=0.5):
                break
        self.circles.append(((cx, cy), r))
        if critical:
            self.circles.append(((cx, cy), r - 0.6))
        self.labels.append(lab)
        return lab

    def draw(self, c, bold: str) -> None:
        """Onto a ReportLab canvas whose unit is the point."""
        c.saveState()
        c.setLineWidth(NARROW * MM)
        c.setStrokeColorRGB(0, 0, 0)
        c.setFillColorRGB(0, 0, 0)
        for a, b in self.lines:
            c.line(a[0] * MM, a[1] * MM, b[0] * MM, b[1] * MM)
        c.setLineWidth(2 * NARROW * MM)
        for a, b in self.wide:
            c.line(a[0] * MM, a[1] * MM, b[0] * MM, b[1] * MM)
        c.setLineWidth(NARROW * MM)
        for (x, y), direction in self.arrows:
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
        for (x, y), r in self.circles:
            c.circle(x * MM, y * MM, r * MM, stroke=1, fill=0)
        for x0, y0, x1, y1 in self.rects:
            c.rect(x0 * MM, y0 * MM, (x1 - x0) * MM, (y1 - y0) * MM, stroke=1, fill=0)
        for (x, y), direction in self.triangles:  # equilateral, 3 mm, base on the feature
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
        for (x, y), r in self.symbols:  # a circle and a cross reaching past it
            c.circle(x * MM, y * MM, r * MM, stroke=1, fill=0)
            c.line((x - 1.6 * r) * MM, y * MM, (x + 1.6 * r) * MM, y * MM)
            c.line(x * MM, (y - 1.6 * r) * MM, x * MM, (y + 1.6 * r) * MM)
        c.setDash([6 * NARROW * 4 * MM, 0.75 * MM, 0.2 * MM, 0.75 * MM], 0)  # long dash, gap, dot, gap
        for a, b in self.chain:
            c.line(a[0] * MM, a[1] * MM, b[0] * MM, b[1] * MM)
        for (x, y), r in self.chain_circles:
            c.circle(x * MM, y * MM, r * MM, stroke=1, fill=0)
        c.setDash([], 0)
        for lab in self.labels:
            c.setFont(bold if lab.kind == "view-title" else lab.font, lab.size * MM)
            c.saveState()
            c.translate(lab.x * MM, lab.y * MM)
            c.rotate(lab.angle)
            draw = {"start": c.drawString, "middle": c.drawCentredString, "end": c.drawRightString}[lab.anchor]
            draw(0, 0, lab.text)
            c.restoreState()
        c.restoreState()


STRUCK_INSET = 0.35  # mm: a line within this of a text box's edge (a callout's own shelf) does not strike it


def lint(labels: list[Label], geometry: list[Box], area: Box, lines=()) -> list[str]:
    """What a reader would trip over: text over text, text over a view, text off the drawing
    area, and text struck through by a line (leaders, dimension, extension and centre lines)."""
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

"""ISO annotations composed onto a sheet's display list, each placed by the sheet's one
placement search (room.py): dimension lines, leaders, tolerance frames, datum and surface
symbols, balloons, tables, cutting planes; in paper millimetres.

ISO 129-1 conventions: narrow continuous lines (0.25 mm), filled arrowheads 3 mm long,
text 3.5 mm above the dimension line and parallel to it, extension lines that start 1 mm
off the outline and run 2 mm past the dimension line."""

from __future__ import annotations

import math

import numpy as np
from reportlab.pdfbase.pdfmetrics import stringWidth

from techpack.documents.display import TEXT, Box, Label
from techpack.documents.room import Room
from techpack.inspection import POSITION

ARROW = 3.0  # mm
OVERRUN = 4.0  # mm a cutting plane runs past the view it crosses
CUT_END = 6.0  # mm, the wide stroke at each end of a cutting plane
CUT_ARROW = 8.0  # mm, length of a cutting plane's arrows
TABLE_PAD = 1.8  # mm each side of a table's text: 3.6 mm between columns, so that "401.8" and "0" do not read as one


class Annotator:
    """Composes annotations onto `room`'s display list, each where the room finds space."""

    def __init__(self, room: Room, font: str):
        self.room = room
        self.font = font
        d = room.display
        self.display = d
        self.labels, self.lines, self.arrows, self.circles = d.labels, d.lines, d.arrows, d.circles
        self.chain, self.chain_circles, self.rects, self.triangles = d.chain, d.chain_circles, d.rects, d.triangles
        self.wide, self.symbols = d.wide, d.symbols

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

    def frame(self, tip: tuple[float, float], cells: list[str], outward: tuple[float, float], arrow: bool = True) -> Label:
        """An ISO 1101 tolerance frame (compartments left to right, height 2h), led from tip
        (an arrow on the feature, or a plain line from a callout's shelf) outward from the part."""
        h = 2 * TEXT
        widths = self._frame_widths(cells)
        tries = [(reach, side) for reach in range(10, 160, 5) for side in (0, 20, -20, 40, -40, 60, -60, 80, -80, 100, -100)]
        turned = [(-outward[1], outward[0]), (outward[1], -outward[0]), (-outward[0], -outward[1])]  # when all else fails
        passes = [(outward, t, True) for t in tries] + [(outward, t, False) for t in tries] + [(d, t, False) for d in turned for t in tries]

        def spot(c):  # the frame's box with room for a datum and a balloon, where its leader joins it
            out, (reach, side), _ = c
            across = (-out[1], out[0])
            x0 = tip[0] + out[0] * reach + across[0] * side
            y0 = tip[1] + out[1] * reach + across[1] * side - (h if out[1] < 0 else 0)
            return (x0 - 2 * TEXT - 2, y0, x0 + sum(widths) + 2 * TEXT + 2, y0 + h), self._joint(tip, (x0, y0, x0 + sum(widths), y0 + h), out)

        def fits(c, _):  # a leader across no text if it can
            box, joint = spot(c)
            return self.room.free(box) and (not c[2] or self.room.clear(tip, joint))

        chosen = self.room.place(f"the tolerance frame {' '.join(cells)}", passes, fits)
        out = chosen[0]
        box = spot(chosen)[0]
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

    def frame_under(self, above: Label, cells: list[str]) -> Label:
        """A tolerance frame hung under a callout's shelf (ISO 1101 allows a frame on the
        leader of the size it applies to); further down, joined by a line, when that is taken."""
        widths = self._frame_widths(cells)
        h, w = 2 * TEXT, sum(widths)
        b = above.box
        shelf_y = above.y - 0.8
        start = b[0] - 1.0 if above.anchor == "start" else b[2] + 1.0 - w
        shelf = (b[0] - 1.0, b[2] + 1.0)  # the frame hangs from the shelf: under some of it
        spots = []
        for drop in range(0, 45, 3):
            for x in (start, start + 10, start - 10, start + 20, start - 20):
                jx = min(max(x + 2.0, shelf[0] + 1.0), shelf[1] - 1.0)  # where the joining line meets both
                if x + 1.0 <= jx <= x + w - 1.0:
                    box = (x, shelf_y - drop - h, x + w, shelf_y - drop)
                    spots.append((drop, box, ((jx, shelf_y), (jx, box[3]))))
        got = self.room.find(spots, lambda c, _: self.room.free((c[1][0], c[1][1], c[1][2] + 9, c[1][3] - 0.6), gap=0.5)  # room for a balloon; clear of the shelf
                             and (not c[0] or self.room.clear(*c[2])))
        if got is None:  # nothing free under the shelf: anywhere near, joined to the shelf's end by a line
            end = (shelf[1], shelf_y) if above.anchor == "start" else (shelf[0], shelf_y)
            return self.frame(end, cells, (1.0 if above.anchor == "start" else -1.0, 0.0), arrow=False)
        drop, box, joint = got
        if drop:
            self.lines.append(joint)
        return self._frame_cells(cells, widths, box[0], box[1])

    def surface_on_shelf(self, above: Label, text: str, machined: bool) -> Label:
        """An ISO 1302 surface texture symbol standing on a callout's shelf, past its text
        (the shelf is drawn longer to reach it): the requirement of that feature's surface."""
        h = TEXT
        width = stringWidth(text, self.font, TEXT)
        span = 1.4 * h / math.tan(math.radians(60)) + 3 * h / math.tan(math.radians(60)) + width + 2.0
        b = above.box
        shelf_y = above.y - 0.8
        right = above.anchor == "start"
        lean = 1.4 * h / math.tan(math.radians(60))
        xs = [b[2] + 3.0 + lean + step if right else b[0] - 3.0 - span - step for step in range(0, 40, 2)]
        x = self.room.place(f"the surface symbol {text}", xs,
                            lambda x, _: self.room.free((x - lean, shelf_y + 0.3, x - lean + span, shelf_y + 3 * h + 4.5), gap=0.5))
        end = x if right else x - 1.4 * h / math.tan(math.radians(60))
        self.lines.append(((b[2] if right else b[0], shelf_y), (end, shelf_y)))
        return self.surface_symbol(x, shelf_y, text, machined)

    def surface_leader(self, tip: tuple[float, float], outward: tuple[float, float], text: str, machined: bool) -> Label:
        """An ISO 1302 surface texture symbol on a leader whose arrow touches the surface at
        tip, placed outward from the part where it fits."""
        h = TEXT
        width = stringWidth(text, self.font, TEXT)
        base = math.atan2(outward[1], outward[0])
        turns = [base + math.radians(a) for a in (0, 30, -30, 60, -60, 90, -90, 135, -135, 180)]
        spots = [(tip[0] + math.cos(turn) * reach, tip[1] + math.sin(turn) * reach) for reach in range(8, 80, 4) for turn in turns]
        x, y = self.room.place(f"the surface symbol {text}", spots, lambda c, _: self.room.free(
            (c[0] - 1.4 * h, c[1], c[0] + 3 * h / math.tan(math.radians(60)) + width + 3.0, c[1] + 3 * h + 4.5)) and self.room.clear(tip, c))
        self.lines.append(((x, y), tip))
        self.arrows.append((tip, math.atan2(tip[1] - y, tip[0] - x)))
        return self.surface_symbol(x, y, text, machined)

    def table(self, rows: list[tuple[str, ...]], title: str, size: float = TEXT) -> bool:
        """A table (first row the header) in the first free place of the drawing area, split
        into side-by-side blocks when it is taller than the room; False if it fits nowhere."""
        pad, height = TABLE_PAD, size * 1.45
        widths = [max(stringWidth(str(r[i]), self.font, size) for r in rows) + 2 * pad for i in range(len(rows[0]))]
        block_w = sum(widths)
        x0, y0, x1, y1 = self.room.area
        body = rows[1:]

        def spots():
            for blocks in range(1, 7):
                per = -(-len(body) // blocks)
                w, h = max(blocks * (block_w + 3.0), stringWidth(title, self.font, size) + 1.0), (per + 1) * height + 5.0  # the title may be wider
                for top in np.arange(y1 - 2.0, y0 + h, -5.0):
                    for left in np.arange(x0 + 2.0, x1 - w, 5.0):
                        yield per, (left, top - h, left + w, top)

        got = self.room.first_free(spots(), lambda c: c[1])
        if got is None:
            return False
        per, (left, _, _, top) = got
        self._draw_table(rows, widths, per, left, top, size, height, title)
        return True

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
                    self.labels.append(Label(str(text), cx + TABLE_PAD, y - height * (r + 1) + 0.9, self.font, size=size, kind="note"))
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

    def datum_on_shelf(self, above: Label, letter: str) -> Label:
        """An ISO 5459 datum feature symbol on a size callout's shelf: the datum is that
        feature's axis or median plane. The triangle sits on the shelf near its end, the
        letter's square below it."""
        size = 2 * TEXT
        b = above.box
        shelf_y = above.y - 0.8
        x = b[2] - 4.0 if above.anchor == "start" else b[0] + 4.0
        boxes = [(x - size / 2, shelf_y - drop - size, x + size / 2, shelf_y - drop) for drop in range(6, 60, 3)]
        box = self.room.place(f"datum {letter}", boxes, lambda b, _: self.room.free(b))
        self.rects.append(box)
        self.triangles.append(((x, shelf_y), math.pi / 2))
        self.lines.append(((x, shelf_y - 2.6), (x, box[3])))
        lab = Label(letter, x, box[1] + size / 2 - TEXT * 0.35, self.font, anchor="middle", kind="callout")
        self.labels.append(lab)
        return lab

    def datum(self, tip: tuple[float, float], letter: str, outward: tuple[float, float], view: Box | None = None) -> Label:
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

        def fits(c, strict):  # a leader across no text if it can
            (reach, foot) = c
            cx, cy = foot[0] + outward[0] * reach, foot[1] + outward[1] * reach
            triangle = (foot[0] - 2.5, foot[1] - 2.5, foot[0] + 2.5, foot[1] + 2.5)
            return (self.room.free((cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2))
                    and (foot in feet[:5] or self.room.free(triangle, gap=0.5)) and (not strict or self.room.clear(foot, (cx, cy))))

        reach, foot = self.room.place(f"datum {letter}", tries, fits, levels=(1, 0))
        cx, cy = foot[0] + outward[0] * reach, foot[1] + outward[1] * reach
        box = (cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2)
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

    def linear(self, a: tuple[float, float], b: tuple[float, float], text: str, side: float, offset: float, vertical: bool,
               extra: tuple[Box, ...] = ()) -> Label:
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
        for further in range(0, 84, 7):
            off = offset + further
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
            if not self.room.free(lab.box, extra=extra):
                return False
            ends = [self._extension_line(f, e, vertical, side) for f, e in ((a, p), (b, q))]
            return level < 2 or self.room.clear(p, q) and (level < 3 or all(self.room.clear(*line) for line in ends if line))

        lab, p, q, spot, along = self.room.place(f"the dimension {text}", candidates, clean, levels=(3, 2, 1))
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

    def leader(self, tip: tuple[float, float], text: str, prefer: tuple[float, float] = (1, 1), kind: str = "callout") -> Label:
        """A leader from tip (arrow on the feature) out to a text placed where it fits."""
        dx, dy = prefer
        slopes = ((dx, dy), (dx, -dy), (-dx, dy), (-dx, -dy), (dx, dy / 2), (dx, -dy / 2), (-dx, dy / 2), (-dx, -dy / 2),
                  (dx / 2, dy), (dx / 2, -dy), (-dx / 2, dy), (-dx / 2, -dy), (dx / 4, dy), (dx / 4, -dy), (-dx / 4, dy), (-dx / 4, -dy),
                  (dx, dy / 4), (dx, -dy / 4), (-dx, dy / 4), (-dx, -dy / 4))
        tries = []
        for reach in range(12, 200, 6):
            for sx, sy in slopes:
                knee = (tip[0] + sx * reach * 0.7, tip[1] + sy * reach * 0.7)
                tries.append((knee, Label(text, knee[0] + math.copysign(2.0, sx), knee[1] + 0.8, self.font, anchor="start" if sx > 0 else "end", kind=kind)))
        knee, lab = self.room.place(f"the callout {text}", tries, lambda c, strict: self.room.free(c[1].box) and (not strict or self.room.clear(tip, c[0])),
                                    levels=(1, 0))  # a leader across no text if it can
        self.labels.append(lab)
        shelf = (knee[0] + math.copysign(2.0 + (lab.box[2] - lab.box[0]), lab.x - knee[0]), knee[1])
        self.lines += [(tip, knee), (knee, shelf)]
        self.arrows.append((tip, math.atan2(tip[1] - knee[1], tip[0] - knee[0])))
        return lab

    def balloon(self, number: int, near: Label, critical: bool = False) -> Label:
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
        cx, cy = self.room.place(f"balloon {number}", spots, lambda c, _: self.room.free((c[0] - r, c[1] - r, c[0] + r, c[1] + r), gap=0.5))
        lab = Label(str(number), cx, cy - 1.25, self.font, size=TEXT, anchor="middle", kind="balloon")
        self.circles.append(((cx, cy), r))
        if critical:
            self.circles.append(((cx, cy), r - 0.6))
        self.labels.append(lab)
        return lab

"""A flat pattern or a cut profile in its own plane: what a sheet-metal part unfolds to
(geometry/unfold.py) or a flat part's profile is (geometry/profile.py), read by the DXF
writer and the drawing's flat-pattern view. Plain data, in mm, in the XY plane; no OCCT.

A loop is closed: each segment ends where the next starts, the last where the first starts.
A segment is a line (bulge 0) or a circular arc from start to end with bulge = tan(sweep / 4),
positive counter-clockwise seen from +Z (the DXF convention, so a loop is written as an
LWPOLYLINE as it is). A full circle is two half-circle arcs (bulge ±1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Point = tuple[float, float]


@dataclass(frozen=True)
class Segment:
    start: Point
    end: Point
    bulge: float = 0.0  # 0: a line; tan(sweep / 4): an arc, counter-clockwise when positive

    @property
    def sweep(self) -> float:
        """The arc's included angle in radians, signed (0 for a line)."""
        return 4.0 * math.atan(self.bulge)

    @property
    def chord(self) -> float:
        return math.dist(self.start, self.end)

    @property
    def radius(self) -> float | None:
        """The arc's radius in mm (None for a line)."""
        if self.bulge == 0.0:
            return None
        return self.chord / (2.0 * abs(math.sin(self.sweep / 2.0)))

    @property
    def centre(self) -> Point | None:
        """The arc's centre (None for a line)."""
        r = self.radius
        if r is None:
            return None
        (x0, y0), (x1, y1) = self.start, self.end
        mx, my = (x0 + x1) / 2.0, (y0 + y1) / 2.0
        c = self.chord
        h = math.sqrt(max(r * r - (c / 2.0) ** 2, 0.0))
        # the centre is left of start -> end for a counter-clockwise arc under 180°, right for one over 180°
        side = 1.0 if (self.bulge > 0) == (abs(self.sweep) < math.pi) else -1.0
        nx, ny = -(y1 - y0) / c, (x1 - x0) / c
        return (mx + side * h * nx, my + side * h * ny)


@dataclass(frozen=True)
class Loop:
    segments: tuple[Segment, ...]

    @property
    def area(self) -> float:
        """Signed area in mm², positive for a counter-clockwise loop: the shoelace sum of the
        chords plus each arc's circular segment, r²/2 (θ − sin θ), signed with its sweep."""
        total = 0.0
        for s in self.segments:
            (x0, y0), (x1, y1) = s.start, s.end
            total += (x0 * y1 - x1 * y0) / 2.0
            if s.bulge:
                r, theta = s.radius, s.sweep
                total += math.copysign(r * r / 2.0 * (abs(theta) - math.sin(abs(theta))), theta)
        return total

    @property
    def circle(self) -> tuple[Point, float] | None:
        """(centre, radius) when the loop is one full circle (its arcs share a centre and radius and sweep 2π)."""
        if not self.segments or any(s.bulge == 0.0 for s in self.segments):
            return None
        centres = [s.centre for s in self.segments]
        radii = [s.radius for s in self.segments]
        if max(math.dist(c, centres[0]) for c in centres) > 1e-6 or max(radii) - min(radii) > 1e-6:
            return None
        if abs(abs(sum(s.sweep for s in self.segments)) - 2.0 * math.pi) > 1e-6:
            return None
        return centres[0], radii[0]


@dataclass(frozen=True)
class BendLine:
    """One bend on the flat: its centre line, and how the shop bends it."""

    number: int  # 1, 2, ... in the order the flat lists them (the drawing's bend table and the DXF's text)
    start: Point
    end: Point
    direction: str  # "up": the flange moves toward the viewer of the flat (+Z); "down": away
    angle_deg: float  # the bend angle: 180° minus the angle between the flanges; 90 for an L
    inside_radius_mm: float
    k_factor: float  # ANSI: the neutral fibre at R + K·t
    allowance_mm: float  # the neutral fibre's arc length between the tangent lines, θ (R + K·t)
    k_source: str = ""  # where K came from (catalog table, DIN 6935, the part's override)


@dataclass(frozen=True)
class Flat:
    """A part's flat pattern (unfolded) or profile (a flat part), in mm in the XY plane."""

    outline: Loop
    holes: tuple[Loop, ...] = ()
    bends: tuple[BendLine, ...] = ()
    engraving: tuple[Loop, ...] = ()  # marks cut into the face, not through (DXF layer ENGRAVE)
    thickness_mm: float = 0.0

    @property
    def size(self) -> tuple[float, float]:
        """Width (X) and height (Y) of the outline's bounding box, arcs included, in mm."""
        (x0, y0), (x1, y1) = self.bounds
        return x1 - x0, y1 - y0

    @property
    def bounds(self) -> tuple[Point, Point]:
        xs, ys = [], []
        for s in self.outline.segments:
            xs += [s.start[0], s.end[0]]
            ys += [s.start[1], s.end[1]]
            if s.bulge:
                (cx, cy), r = s.centre, s.radius
                a0 = math.atan2(s.start[1] - cy, s.start[0] - cx)
                for k in range(4):  # an arc reaching an axis direction reaches its extreme there
                    a = k * math.pi / 2.0
                    if _within(a0, s.sweep, a):
                        xs.append(cx + r * math.cos(a))
                        ys.append(cy + r * math.sin(a))
        return (min(xs), min(ys)), (max(xs), max(ys))

    @property
    def area(self) -> float:
        """The net area in mm²: the outline less the holes."""
        return abs(self.outline.area) - sum(abs(h.area) for h in self.holes)


def _within(a0: float, sweep: float, a: float) -> bool:
    """Whether direction a lies on the arc from direction a0 sweeping `sweep` radians."""
    d = (a - a0) % (2.0 * math.pi) if sweep > 0 else (a0 - a) % (2.0 * math.pi)
    return 1e-12 < d < abs(sweep) - 1e-12

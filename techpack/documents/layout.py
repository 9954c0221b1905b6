"""Where a drawing's views go: which views a part gets, the sheet and scale they fit, the
placement of each view on the sheet (paper mm) and of auxiliary views in the room left,
and the part as drawn (a tall part is laid down)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from OCP.BRepAdaptor import BRepAdaptor_Surface

from techpack.documents.display import Box
from techpack.documents.callouts import hole_groups
from techpack.documents.sheet import layout
from techpack.documents.views import Arc, View, _basis
from techpack.geometry import BuiltPart
from techpack.geometry.features import Hole


SCALES = (10, 5, 2, 1, 1 / 2, 1 / 5, 1 / 10, 1 / 20, 1 / 50)  # ISO 5455, largest first
GAP = 30.0  # mm on paper between views, room for two tiers of dimensions
ISO_SHRINK = 0.6  # the isometric view's scale, times the sheet's (it is not to scale)


@dataclass(frozen=True)
class Placed:
    view: View
    x: float  # paper mm of the view's model origin
    y: float
    scale: float

    def paper(self, p2: tuple[float, float]) -> tuple[float, float]:
        return self.x + p2[0] * self.scale, self.y + p2[1] * self.scale

    def at(self, point3) -> tuple[float, float]:
        return self.paper(self.view.project(point3))

    @property
    def box(self) -> Box:
        x0, y0, x1, y1 = self.view.bounds
        return (self.x + x0 * self.scale, self.y + y0 * self.scale, self.x + x1 * self.scale, self.y + y1 * self.scale)


def scale_text(s: float) -> str:
    """ISO 5455: 1:2, 1:1, 5:1."""
    return f"1:{round(1 / s):d}" if s < 1 else f"{round(s):d}:1"


def view_names(built: BuiltPart, projection: str, holes: tuple[Hole, ...] = ()) -> tuple[list[str], dict[str, tuple[str, str]]]:
    """The principal views for the part and where each goes relative to the front view:
    {name: (neighbour, side)}; a flat part (thin along Z) gets front and top only, a turned
    part front and an end view (and the top view if it has holes along Z)."""
    x, y, z = built.bbox_mm
    below, right = ("top", "left") if projection == "first-angle" else ("top", "right")
    if abs(y - z) < 0.01 * max(y, z) and x > 1.5 * y and turned(built.solid, y):  # lying along X
        names, place = ["front", right], {right: ("front", "right")}
        if any(abs(abs(h.direction[2]) - 1) < 1e-6 for h in holes):  # cross holes: seen from above
            names.append(below)
            place[below] = ("front", "below" if projection == "first-angle" else "above")
        return names, place
    names = ["front", below]
    place = {below: ("front", "below" if projection == "first-angle" else "above")}
    if z > 0.15 * max(x, y) and y > 0.15 * max(x, z):
        names.append(right)
        place[right] = ("front", "right")
    return names, place


def turned(solid, diameter: float) -> bool:
    """Whether the part is round about an axis along X: a cylinder of its full diameter."""
    for face in solid.Faces():
        if face.geomType() != "CYLINDER":
            continue
        c = BRepAdaptor_Surface(face.wrapped).Cylinder()
        if abs(abs(c.Axis().Direction().X()) - 1) < 1e-6 and abs(2 * c.Radius() - diameter) < 0.01 * diameter:
            return True
    return False


def arrange(views: dict[str, View], place: dict[str, tuple[str, str]], s: float) -> tuple[float, float, dict[str, tuple[float, float]]]:
    """Positions of each view's origin relative to the front's, in paper mm, and the total size."""
    pos = {"front": (0.0, 0.0)}
    fx0, fy0, fx1, fy1 = views["front"].bounds
    for name, (_, side) in place.items():
        x0, y0, x1, y1 = views[name].bounds
        if side == "below":
            pos[name] = (0.0, fy0 * s - GAP - y1 * s)
        elif side == "above":
            pos[name] = (0.0, fy1 * s + GAP - y0 * s)
        else:
            pos[name] = (fx1 * s + GAP - x0 * s, 0.0)
    xs = [pos[n][0] + views[n].bounds[i] * s for n in pos for i in (0, 2)]
    ys = [pos[n][1] + views[n].bounds[i] * s for n in pos for i in (1, 3)]
    return max(xs) - min(xs) + 2 * GAP, max(ys) - min(ys) + 2 * GAP, {n: (p[0] - min(xs) + GAP, p[1] - min(ys) + GAP) for n, p in pos.items()}


@dataclass(frozen=True)
class Layout:
    size: str
    scale: float
    views: Box  # paper area the principal views are centred in, with room for their dimensions
    iso: Box  # paper area the isometric view is centred in
    pos: dict[str, tuple[float, float]]  # each view's origin relative to the arrangement's lower left, paper mm
    extent: tuple[float, float]  # the arrangement's width and height, paper mm


MIN_VIEW_MM = 40  # a simple part's largest view prints at least this big (a 25 mm knob at 2:1 on A4 or A3, not 5:1 on A2)


def choose_layout(views, place, iso: View, faces: int = 0, middle: float | None = 0.0, notes_height: float = 40.0, title=None,
                  sizes: tuple[str, ...] = ("A4", "A3", "A2", "A1", "A0")) -> Layout:
    """The smallest A-size sheet and the largest ISO 5455 scale where the views fit with room
    for dimensions, and the part prints readably (its largest view at least 60 mm, more for
    a part of many faces; its middle dimension, `middle` mm, at least 8 mm) where a sheet
    allows. The views go either left of the title block's column, using the sheet's full
    height (the isometric view then goes in that column above the notes, `notes_height`
    mm), or across the sheet above the title block (grown for a long `title`'s values) with the
    isometric view at their right, or from the top left corner round the title block and
    the notes (an arrangement whose lower right corner is empty) with the isometric view where
    room is left."""
    best = None
    ix0, iy0, ix1, iy1 = iso.bounds
    for size in sizes:
        sheet = layout(size, title)
        x0, y0, x1, y1 = sheet.drawing_area
        tx0, _, _, ty1 = sheet.title_block
        column = (tx0, ty1 + notes_height, x1, y1)
        for s in SCALES:
            w, h, pos = arrange(views, place, s)
            iso_w, iso_h = (ix1 - ix0) * s * ISO_SHRINK + GAP, (iy1 - iy0) * s * ISO_SHRINK + GAP
            if w <= tx0 - x0 and h <= y1 - y0 and column[3] - column[1] > 40:
                chosen = Layout(size, s, (x0, y0, tx0, y1), column, pos, (w, h))
            elif w + iso_w <= x1 - x0 and max(h, iso_h) <= y1 - ty1:
                chosen = Layout(size, s, (x0, ty1, x1 - iso_w, y1), (x1 - iso_w, ty1, x1, y1), pos, (w, h))
            elif corner := _in_the_corner(views, pos, w, h, s, iso, sheet.drawing_area, (tx0, y0, x1, ty1 + notes_height)):
                chosen = Layout(size, s, (x0, y1 - h, x0 + w, y1), corner, pos, (w, h))
            else:
                continue
            largest = s * max(max(v.bounds[2] - v.bounds[0], v.bounds[3] - v.bounds[1]) for v in views.values())
            readable = largest >= max(MIN_VIEW_MM, min(150, faces / 3)) and (middle is None or s * middle >= 8)  # busier parts print larger
            if best is None or (not best[1] and largest > best[2]):
                best = (chosen, readable, largest)
            break
        if best and best[1]:
            break
    if best is None:
        raise ValueError(f"the part does not fit an {sizes[-1]} sheet at 1:50")
    return best[0]  # the first readable layout, else the largest print


ISO_LEAST = 0.3  # the isometric view's scale, times the sheet's, at the least (it shrinks to fit its room)


def _in_the_corner(views, pos, w: float, h: float, s: float, iso: View, area: Box, block: Box) -> Box | None:
    """Where the isometric view goes when the views, arranged from the drawing area's top
    left corner, miss the title block and the notes above it (`block`) with room for their
    dimensions: right of them above the notes, or below them left of the title block,
    whichever prints it larger; None if the views do not fit so or it has no room."""
    x0, y0, x1, y1 = area
    if w > x1 - x0 or h > y1 - y0:
        return None
    for n, (px, py) in pos.items():
        bx0, by0, bx1, by1 = views[n].bounds
        box = (x0 + px + bx0 * s - GAP, y1 - h + py + by0 * s - GAP, x0 + px + bx1 * s + GAP, y1 - h + py + by1 * s + GAP)
        if box[0] < block[2] and block[0] < box[2] and box[1] < block[3] and block[1] < box[3]:
            return None
    ix0, iy0, ix1, iy1 = iso.bounds
    rooms = [(x0 + w, block[3], x1, y1), (x0, y0, block[0], y1 - h)]
    fit = lambda r: min((r[2] - r[0] - GAP) / max(ix1 - ix0, 1e-9), (r[3] - r[1] - GAP) / max(iy1 - iy0, 1e-9))  # noqa: E731
    best = max(rooms, key=fit)
    return best if fit(best) >= s * ISO_LEAST else None


def view_for(direction, placed) -> str | None:
    """The view that shows a hole along `direction` as a circle: a principal one, or in
    `placed` (names, or name -> Placed) an auxiliary view looking along it."""
    d = [abs(round(c, 6)) for c in direction]
    for name, axis in (("top", 2), ("front", 1), ("left", 0), ("right", 0)):
        if name in placed and d[axis] == 1:
            return name
    if isinstance(placed, dict):
        for name, p in placed.items():
            if name.startswith("view ") and abs(abs(float(np.dot(direction, p.view.direction))) - 1) < 1e-6:
                return name
    return None


VIEW_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # capitals, without I, O and Q (read as 1 and 0)
MAX_AUXILIARY = 2  # auxiliary views a drawing gets at most: each costs a hidden-line removal


def auxiliary_views(features, names, letters: list[str]) -> dict[str, tuple[tuple, tuple]]:
    """"view B": (direction, up) for each direction of holes no principal view sees end-on,
    looking along the holes into the part, the up of the sheet kept as near +Z as it goes."""
    out = {}
    for g in hole_groups(features.holes):
        d = np.array(g[0].direction, dtype=float)
        if view_for(d, names) is not None or any(abs(abs(float(np.dot(d, f[0]))) - 1) < 1e-6 for f in out.values()):
            continue
        if len(out) == MAX_AUXILIARY:
            break
        up = (0.0, 0.0, 1.0) if abs(d[2]) < 0.9 else (0.0, 1.0, 0.0)
        out[f"view {letters[len(out)]}"] = (tuple(-d), up)
    return out


def spots(view: View, s: float, area: Box, scales: list[float] | None = None, near: tuple[float, float] | None = None):
    """Where a view could go, best first: at scale s (then the next smaller ones; or at each of
    `scales`), scanning the drawing area from the top right (or outwards from the point
    `near`); each (box, Placed's arguments), the box with room for its callouts to the right
    and its title above. The sheet's room (room.py) picks the first free one."""
    x0, y0, x1, y1 = view.bounds
    for scale in scales or [sc for sc in SCALES if sc <= s][:3]:
        w, h = (x1 - x0) * scale, (y1 - y0) * scale
        grid = [(top, right) for top in np.arange(area[3] - 8.0, area[1] + h + 8.0, -4.0)
                for right in np.arange(area[2] - 30.0, area[0] + w + 8.0, -4.0)]
        if near is not None:
            grid.sort(key=lambda tr: (tr[1] - w / 2 - near[0]) ** 2 + (tr[0] - h / 2 - near[1]) ** 2)
        for top, right in grid:
            yield (right - w - 8.0, top - h - 8.0, right + 30.0, top + 8.0), (view, right - w - x0 * scale, top - h - y0 * scale, scale)


ENLARGED_MM = 90.0  # a removed section is drawn enlarged while its larger side stays within this


def enlarged_scales(view: View, s: float) -> list[float]:
    """Scales for a removed section of a small region: the ISO 5455 scales from the largest
    that keeps it within ENLARGED_MM down to the sheet's, then the next smaller one."""
    x0, y0, x1, y1 = view.bounds
    extent = max(x1 - x0, y1 - y0, 1e-9)
    up = [sc for sc in SCALES if sc >= s and extent * sc <= ENLARGED_MM]
    return (up or [s])[:3] + [sc for sc in SCALES if sc < s][:1]


@dataclass(frozen=True)
class PitchCircle:
    centre: tuple[float, float]  # paper mm
    radius: float  # paper mm
    positions: int  # equally spaced positions round the circle
    empty: tuple[float, ...] = ()  # angles (deg from the sheet's x axis) of the positions with no hole


def pitch_circle(points: list[tuple[float, float]], tol: float = 0.01) -> PitchCircle | None:
    """The circle three or more points lie on at equal angular pitch (paper mm, to `tol`),
    with the positions of that pitch that hold no point (a bolt circle with members
    omitted, fewer than it has), else None."""
    if len(points) < 3:
        return None
    p = np.array(points, dtype=float)
    # the circle through the points: x² + y² + D x + E y + F = 0, least squares
    a = np.column_stack([p[:, 0], p[:, 1], np.ones(len(p))])
    sol, *_ = np.linalg.lstsq(a, -(p ** 2).sum(axis=1), rcond=None)
    c = -sol[:2] / 2
    d = np.linalg.norm(p - c, axis=1)
    if d.min() < 1.0 or d.max() - d.min() > tol or not np.isfinite(c).all():
        return None
    angles = np.sort(np.arctan2(p[:, 1] - c[1], p[:, 0] - c[0]))
    gaps = np.diff(np.append(angles, angles[0] + 2 * np.pi))
    pitch = gaps.min()
    if pitch < 1e-6:  # two points at one angle
        return None
    n = round(2 * np.pi / pitch)
    if n > 72 or abs(n * pitch - 2 * np.pi) > 1e-3 * n or np.abs(gaps / pitch - np.round(gaps / pitch)).max() > 1e-3:
        return None
    taken = {round(float(np.degrees(x)) % 360, 3) for x in angles}
    start = float(np.degrees(angles[0]))
    every = [round((start + k * 360.0 / n) % 360, 3) for k in range(n)]
    empty = tuple(sorted(x for x in every if not any(abs((x - t + 180) % 360 - 180) < 0.05 for t in taken)))
    if len(empty) >= len(points):  # more gaps than holes: a few holes that happen to sit on a circle
        return None
    return PitchCircle((float(c[0]), float(c[1])), float(d.mean()), n, empty)


def whole_circle(view: View, diameter: float) -> tuple[float, float] | None:
    """The centre (view coordinates) of a whole visible circle of `diameter` mm in the view,
    however many arcs it is drawn as, else None."""
    turns: dict[tuple, float] = {}
    for prim in view.visible:
        if isinstance(prim, Arc) and abs(2 * prim.radius - diameter) <= 1e-3 * diameter + 0.01:
            key = (round(prim.centre[0], 3), round(prim.centre[1], 3))
            turns[key] = turns.get(key, 0.0) + ((prim.end_deg - prim.start_deg) % 360 or 360)
    return next((c for c, t in turns.items() if t >= 359.0), None)


def round_centre(p: Placed) -> tuple[float, float] | None:
    """Paper centre of a view whose outline is a whole circle (a round part seen along its
    axis), else None."""
    x0, y0, x1, y1 = p.view.bounds
    if abs((x1 - x0) - (y1 - y0)) > 1e-3 * (x1 - x0):
        return None
    centre = whole_circle(p.view, x1 - x0)
    return p.paper(centre) if centre else None


def round_outline(axis: int, size: float, placed: dict[str, Placed]) -> bool:
    """Whether the part's size along a world axis is a diameter: some view across that axis
    has a whole circle of that diameter for its outline."""
    for p in placed.values():
        right, up, _ = _basis(p.view.direction, p.view.up)
        x0, y0, x1, y1 = p.view.bounds
        outline = abs(x1 - x0 - size) <= 1e-3 * size and abs(y1 - y0 - size) <= 1e-3 * size  # the circle is the outline
        if max(abs(right[axis]), abs(up[axis])) > 1 - 1e-6 and outline and whole_circle(p.view, size):
            return True
    return False


LAY_DOWN = ((0, 0, 0), (0, 1, 0), 90)  # a tall part is drawn turned +90° about Y: (x, y, z) -> (z, y, -x)


def model_frame(v, laid_down: bool) -> np.ndarray:
    """A point or direction of the solid as drawn in the model's frame (the STEP file's)."""
    x, y, z = v
    return np.array((-z, y, x), dtype=float) if laid_down else np.array((x, y, z), dtype=float)


_POINTS = ("entry", "point", "axis_point", "mid_point", "centre")  # feature fields that are points
_AXES = ("axis_direction", "edge_direction", "long_axis")  # directions kept with their dominant component positive
_DIRECTIONS = ("direction",)  # directions with a sense (into the material)


def turn(v) -> tuple[float, float, float]:
    """A point or direction of the model as drawn_solid lays the part down."""
    x, y, z = v
    return (float(z), float(y), float(-x) + 0.0)


def _canonical(v: tuple[float, float, float]) -> tuple[float, float, float]:
    k = max(range(3), key=lambda i: abs(v[i]))
    return tuple(-c + 0.0 for c in v) if v[k] < 0 else v


def turned_features(features):
    """The part model's features as drawn_solid lays the part down: points and directions
    turned like the solid (face ids are the same), holes in their usual order."""
    def turned(item):
        changes = {}
        for name in _POINTS + _DIRECTIONS + _AXES:
            if hasattr(item, name) and getattr(item, name) is not None:
                v = turn(getattr(item, name))
                changes[name] = _canonical(v) if name in _AXES else v
        return replace(item, **changes)

    holes = sorted((turned(h) for h in features.holes), key=lambda h: (round(h.diameter_mm, 6), tuple(round(c, 6) for c in h.entry)))
    return replace(features, holes=tuple(holes), internal_corners=tuple(turned(c) for c in features.internal_corners),
                   bends=tuple(turned(b) for b in features.bends), radii=tuple(turned(r) for r in features.radii),
                   chamfers=tuple(turned(c) for c in features.chamfers), slots=tuple(turned(s) for s in features.slots))


def drawn_solid(built: BuiltPart):
    """The solid as drawn: a part much taller than wide (a turned stem) lies down, its long
    axis along X, so that the front view runs across the sheet."""
    x, y, z = built.bbox_mm
    if z > 1.5 * max(x, y):
        return built.solid.rotate(*LAY_DOWN)
    return built.solid

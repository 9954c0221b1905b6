"""Detail views (ISO 128-30 / ISO 5456): a small region of a view, enlarged. The view's edges
are clipped to a circle round the region (lines exactly, arcs at their crossings with the
circle, Béziers as short lines); the circle is drawn on the detail as its narrow boundary."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from techpack.documents.views import Arc, Bezier, Line, View

BEZIER_STEPS = 24  # short lines a clipped Bézier becomes


def _inside(p, c, r) -> bool:
    return (p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2 <= r * r


def _clip_line(a, b, c, r) -> list[Line]:
    d = np.subtract(b, a)
    f = np.subtract(a, c)
    qa, qb, qc = float(d @ d), 2 * float(f @ d), float(f @ f) - r * r
    if qa == 0:
        return [Line(a, b)] if qc <= 0 else []
    disc = qb * qb - 4 * qa * qc
    if disc <= 0:
        return []
    t0, t1 = (-qb - math.sqrt(disc)) / (2 * qa), (-qb + math.sqrt(disc)) / (2 * qa)
    lo, hi = max(t0, 0.0), min(t1, 1.0)
    if hi - lo <= 1e-9:
        return []
    p = lambda t: (float(a[0] + d[0] * t), float(a[1] + d[1] * t))  # noqa: E731
    return [Line(p(lo), p(hi))]


def _clip_arc(arc: Arc, c, r) -> list[Arc]:
    """The parts of the arc inside the circle: split where the two circles cross."""
    (ax, ay), ra = arc.centre, arc.radius
    dist = math.dist((ax, ay), c)
    cuts = []
    if 0 < dist < ra + r and dist > abs(ra - r):
        base = math.degrees(math.atan2(c[1] - ay, c[0] - ax))
        half = math.degrees(math.acos((ra * ra + dist * dist - r * r) / (2 * ra * dist)))
        cuts = [(base - half) % 360, (base + half) % 360]
    sweep = arc.end_deg - arc.start_deg
    marks = sorted({0.0, sweep, *(((a - arc.start_deg) % 360) for a in cuts if 1e-9 < (a - arc.start_deg) % 360 < sweep - 1e-9)})
    out = []
    for lo, hi in zip(marks, marks[1:]):
        mid = math.radians(arc.start_deg + (lo + hi) / 2)
        if hi - lo > 1e-9 and _inside((ax + ra * math.cos(mid), ay + ra * math.sin(mid)), c, r):
            out.append(Arc((ax, ay), ra, arc.start_deg + lo, arc.start_deg + hi))
    return out


def _clip_bezier(b: Bezier, c, r) -> list[Line]:
    p0, p1, p2, p3 = (np.array(p) for p in b.points)
    ts = np.linspace(0.0, 1.0, BEZIER_STEPS + 1)
    pts = [tuple((1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t ** 2 * p2 + t ** 3 * p3) for t in ts]
    return [seg for a, e in zip(pts, pts[1:]) for seg in _clip_line(a, e, c, r)]


def clip(prims, c, r) -> tuple:
    out = []
    for p in prims:
        if isinstance(p, Line):
            out += _clip_line(p.a, p.b, c, r)
        elif isinstance(p, Arc):
            out += _clip_arc(p, c, r)
        elif isinstance(p, Bezier):
            out += _clip_bezier(p, c, r)
    return tuple(out)


def detail_view(view: View, centre: tuple[float, float], radius: float) -> View:
    """The part of `view` within `radius` (mm, view coordinates) of `centre`, with its
    boundary circle among the narrow edges; hidden edges kept (dashed) as on the view."""
    c = (float(centre[0]), float(centre[1]))
    return replace(view, visible=clip(view.visible, c, radius), hidden=clip(view.hidden, c, radius),
                   smooth=clip(view.smooth, c, radius) + (Arc(c, radius, 0.0, 360.0),),
                   bounds=(c[0] - radius, c[1] - radius, c[0] + radius, c[1] + radius))

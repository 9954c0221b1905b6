"""DFM rules of milling: tool access and setups, internal corners, pockets, engraving.

Every rule here reads the part's tool access (geometry/access.py): from which directions a
cutter reaches each face. A corner or a pocket is judged along the direction its tool
comes from, on any side of the part, not along `pull:`.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from techpack.catalog.model import Rule
from techpack.geometry.access import PARALLEL, Setup
from techpack.checks.context import PartCheck, keep, rounded
from techpack.checks.findings import Finding, NotApplicable, limits_for
from techpack.geometry.features import InternalCorner

SQUARE = 1 - PARALLEL  # |cos| below this: square to a direction (within 1°)
DRAFTED_SIN = np.sin(np.radians(10.0))  # a wall drafted up to 10° is still cut by the side of a (tapered) end mill
FLOOR_COS = np.cos(np.radians(30.0))  # a plane beside a fillet facing the tool this closely makes it a floor fillet
OBTUSE_COS = np.cos(np.radians(45.0))  # sides whose normals are closer than 45° open wider than 135°


def _at(p) -> str:
    return "(" + ", ".join(f"{v:.1f}" for v in p) + ")"


# ---------------------------------------------------------------------------------
# Access and setups


def inaccessible(ctx: PartCheck, rule: Rule) -> list[Finding]:
    access = ctx.access
    ctx.measured["unreached_faces"] = {str(f): round(share, 1) for f, (share, _) in sorted(access.unreached.items())}
    tried = ", ".join(access.names[:6]) + (f" or {len(access.names) - 6} tilted directions" if len(access.names) > 6 else "")
    return keep(
        ctx.finding(rule, share, "%", f"{ctx.probe.describe_face(fid).capitalize()}: {share:.0f} % of it cannot be reached by a straight tool "
                    f"from {tried}", faces=(fid,), point=point,
                    needs="an enclosed cavity, a back face or an undercut needs a T-slot, back-spotface or right-angle tool, EDM, or a redesign")
        for fid, (share, point) in sorted(access.unreached.items())
    )


def max_setups(ctx: PartCheck, rule: Rule) -> list[Finding]:
    setups = ctx.access.setups
    ctx.measured["setups"] = [{"direction": s.name, "faces": list(s.faces), "serves": _serves(ctx, s)} for s in setups]
    listed = "; ".join(f"{s.name}: {', '.join(_serves(ctx, s)[:3])}" for s in setups)
    return keep([ctx.finding(rule, float(len(setups)), "count", f"The part needs {len(setups)} setups ({listed})",
                             needs=f"{ctx.process.title} plans for {{limit:g}}: bring features onto fewer sides")])


def _serves(ctx: PartCheck, setup: Setup) -> list[str]:
    """What a setup cuts, in words: named spec features, holes by size, engravings, other faces."""
    faces = set(setup.faces)
    out, taken = [], set()
    for sel in ctx.built.selections:
        ids = set(sel.face_ids) | set(ctx.built.solid_face_ids(sel.faces))
        if ids & faces:
            out.append(sel.feature.name)
            taken |= ids
    holes = [h for h in ctx.features.holes if set(h.faces) & faces and not set(h.faces) <= taken]
    for d, n in sorted(Counter(round(h.diameter_mm, 2) for h in holes).items()):
        out.append(f"{n} × hole Ø{d:g}" if n > 1 else f"hole Ø{d:g}")
    taken |= {f for h in holes for f in h.faces}
    for e in ctx.engravings:  # cut from its own direction, whatever else reaches a wall of it
        if e.direction == setup.name:
            out.append(f"engraving {e.depth_mm:.2g} mm deep")
        taken |= set(e.faces)
    rest = len(faces - taken)
    if rest:
        out.append(f"{rest} face{'s' if rest > 1 else ''}")
    return out or [f"part of {len(faces)} face{'s' if len(faces) > 1 else ''} listed elsewhere"]


# ---------------------------------------------------------------------------------
# Internal corners


def _judge(ctx: PartCheck, c: InternalCorner) -> str:
    """How a shop makes the corner.

    "floor <dir>": a tool from <dir> meets one side end-on (a floor) and the other by its side
    (a wall): the end of the tool meets its side there, sharp by nature (or the bull-nose
    radius), so the corner is not judged. "along <dir>": the tool runs along the corner and
    leaves its radius there: judged. When a floor can only be cut end-on from <dir> (no other
    direction reaches it), the corner comes with it; otherwise the way with the shortest tool
    wins (along: the corner's length; floor: the wall's height). Also "engraving", "obtuse"
    (a sharp edge opening 135° or wider: any tool sweeping it leaves less than
    r(1/sin 67.5° - 1) = 8 % of its radius) and "unreached" (no direction reaches both
    sides, or only at a slant): not judged."""
    access, probe = ctx.access, ctx.probe
    if set(c.faces) & ctx.engraved:
        return "engraving"
    n = probe.first_normals
    if c.radius_mm == 0 and float(n[c.faces[0]] @ n[c.faces[1]]) >= OBTUSE_COS - 1e-9:
        return "obtuse"
    axis = np.array(c.direction)
    ways = []
    for d, name in zip(access.directions, access.names):
        if not all(access.reaches(f, d) for f in c.faces):
            continue
        cos = abs(float(d @ axis))
        if cos >= PARALLEL:
            ways.append((c.length_mm, f"along {name}"))
        elif cos <= SQUARE and (way := _floor_way(probe, access, c, d)) is not None:
            reach, forced = way
            if forced:
                return f"floor {name}"
            ways.append((reach, f"floor {name}"))
    return min(ways)[1] if ways else "unreached"


def _floor_way(probe, access, c: InternalCorner, d: np.ndarray) -> tuple[float, bool] | None:
    """A tool from d cutting the corner with its end: (how far down the wall it reaches,
    whether the floor can only be cut from d), or None when it cannot. A sharp corner: one
    side a floor facing d (a flat end makes it) and the other a wall square to d within 10°
    (the side of a straight or tapered end mill). A fillet: a plane beside it, or part of the
    fillet itself, faces d within 30° (a bull-nose or ball end mill contours it); the reach
    runs from the fillet to the top of the faces beside it."""
    n = probe.first_normals
    if c.radius_mm == 0:
        a, b = c.faces
        for floor, wall in ((a, b), (b, a)):
            if float(n[floor] @ d) >= PARALLEL and abs(float(n[wall] @ d)) <= DRAFTED_SIN and probe.surface_types[wall] == "plane":
                lo, hi = probe.span(wall, d)
                return hi - lo, _only_from(access, floor, d)
        return None
    beside = set().union(*(probe.neighbours[f] for f in c.faces)) - set(c.faces)
    s = probe.samples
    bottom = (s.normals[np.isin(s.faces, c.faces)] @ d >= FLOOR_COS).any()  # a round-bottomed groove cut by a ball end
    floors = [g for g in beside if probe.surface_types[g] == "plane" and float(n[g] @ d) >= FLOOR_COS and access.reaches(g, d)]
    if not bottom and not floors:
        return None
    low = min(probe.span(f, d)[0] for f in c.faces)
    reach = max(probe.span(g, d)[1] for g in beside | set(c.faces)) - low
    return reach, any(_only_from(access, g, d) for g in floors)


def _only_from(access, face: int, d: np.ndarray) -> bool:
    """Whether d is the only direction tried that reaches the face."""
    k = access.index(d)
    return all(k == j or access.share[face, j] < 0.5 for j in range(len(access.names)))


def _judged(ctx: PartCheck) -> list[tuple[InternalCorner, str]]:
    return [(c, _judge(ctx, c)) for c in ctx.features.internal_corners]


def internal_corner_radius(ctx: PartCheck, rule: Rule) -> list[Finding]:
    judged = _judged(ctx)
    ctx.measured["internal_corners"] = [{"radius_mm": round(c.radius_mm, 4), "length_mm": round(c.length_mm, 4), "faces": list(c.faces),
                                         "point": rounded(c.point), "made": how} for c, how in judged]
    if not judged:
        raise NotApplicable("no internal corners")
    out = []
    for c, how in judged:
        if not how.startswith("along"):
            continue
        tool = how.split()[1]
        what = (f"Sharp internal corner (R0) {c.length_mm:.1f} mm long" if c.radius_mm == 0
                else f"Internal corner R{c.radius_mm:.2f} mm, {c.length_mm:.1f} mm deep")
        what += f" along the tool axis {tool} at {_at(c.point)}"
        needs = None
        if c.radius_mm == 0:
            needs = f"an end mill leaves R{max(limits_for(rule).values()):g} or more; a sharp corner needs EDM"
        out.append(ctx.finding(rule, c.radius_mm, "mm", what, faces=c.faces, point=c.point, needs=needs))
    return keep(out)


def corner_depth_ratio(ctx: PartCheck, rule: Rule) -> list[Finding]:
    judged = [(c, how) for c, how in _judged(ctx) if how.startswith("along") and c.radius_mm > 0]
    if not judged:
        raise NotApplicable("no rounded internal corner along a tool axis")
    return keep(
        ctx.finding(rule, c.length_mm / c.radius_mm, "ratio",
                    f"Internal corner R{c.radius_mm:.2f} mm at {_at(c.point)} is {c.length_mm:.1f} mm deep along {how.split()[1]} "
                    f"({c.length_mm / c.radius_mm:.1f} × R)",
                    faces=c.faces, point=c.point, needs="keep depth within {limit:g} × R, or a long thin tool is needed")
        for c, how in judged
    )


# ---------------------------------------------------------------------------------
# Pockets


def pocket_depth_ratio(ctx: PartCheck, rule: Rule) -> list[Finding]:
    """A floor the tool reaches end-on, from any direction, between two walls that face each
    other across it: the depth of the lower wall over the gap between them (the narrowest pair)."""
    probe, access = ctx.probe, ctx.access
    n = probe.first_normals
    pockets = []
    for k, d in enumerate(access.directions):
        for floor in range(1, probe.n_faces + 1):
            if probe.surface_types[floor] != "plane" or float(n[floor] @ d) < PARALLEL or floor in ctx.engraved or not access.reaches(floor, d):
                continue
            level = float(probe.first_point(floor) @ d)
            walls = [g for g in probe.neighbours[floor] if probe.surface_types[g] == "plane" and abs(float(n[g] @ d)) <= SQUARE
                     and access.reaches(g, d) and probe.span(g, d)[1] > level + 1e-6]
            best = None
            for i, a in enumerate(walls):
                for b in walls[i + 1:]:
                    if float(n[a] @ n[b]) > -PARALLEL:
                        continue
                    width = float(n[a] @ (probe.first_point(b) - probe.first_point(a)))
                    if width <= 0:
                        continue  # back to back: not the two sides of one pocket
                    depth = min(probe.span(a, d)[1], probe.span(b, d)[1]) - level
                    if best is None or depth / width > best[0] / best[1]:
                        best = (depth, width, a, b)
            if best:
                pockets.append((floor, access.names[k], *best))
    ctx.measured["pockets"] = [{"floor": f, "direction": name, "depth_mm": round(dp, 4), "width_mm": round(w, 4), "walls": [a, b]}
                               for f, name, dp, w, a, b in pockets]
    if not pockets:
        raise NotApplicable("no pocket or slot (a floor between two facing walls)")
    return keep(
        ctx.finding(rule, depth / width, "ratio", f"Pocket {width:.1f} mm wide and {depth:.1f} mm deep from {name} at "
                    f"{probe.describe_face(floor)} ({depth / width:.1f} × width)", faces=(floor, a, b), point=probe.first_point(floor),
                    needs="keep pockets within {limit:g} × their width (long tools chatter)")
        for floor, name, depth, width, a, b in pockets
    )


# ---------------------------------------------------------------------------------
# Engraving


def engraving_stroke(ctx: PartCheck, rule: Rule) -> list[Finding]:
    found = ctx.engravings
    ctx.measured["engravings"] = [dict(e.to_dict(), tool=_tool(rule, e.stroke_mm)) for e in found]
    if not found:
        raise NotApplicable("no engraving (lettering or marks)")
    return keep(
        ctx.finding(rule, e.stroke_mm, "mm", f"Engraving {e.depth_mm:.2g} mm deep from {e.direction} at {_at(e.point)} has strokes "
                    f"{e.stroke_mm:.2f} mm wide", faces=e.faces, point=e.point,
                    needs="an engraving cutter needs strokes of at least {limit:g} mm; finer marks are laser-marked")
        for e in found if e.stroke_mm is not None
    )


def _tool(rule: Rule, stroke: float | None) -> str:
    """The tool an engraving needs: a cutter no wider than its stroke, or a laser."""
    smallest = max(limits_for(rule).values())
    if stroke is None:
        return "engraving cutter"
    if stroke < smallest:
        return "laser marking"
    return f"engraving cutter or end mill Ø{stroke:.2g} or less"

"""One function per DFM rule name of the catalog: (part, rule) -> findings.

Limits come from the catalog (techpack/catalog/processes.yaml); these functions measure
and compare. Each finding's sentence says what was found, where, and what the process needs.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from techpack.catalog.model import Rule
from techpack.checks.context import PartCheck
from techpack.checks.draft import face_drafts, undercuts
from techpack.checks.findings import Finding, limits_for
from techpack.checks.wall import thickest_wall, thin_walls
from techpack.standards import StandardsError
from techpack.standards.threads import parse_thread


def _sheet_only(check):
    """A sheet rule means nothing on a part that is not a sheet (the uniform-thickness rule,
    run first, said so): skip it rather than measure a block as if it were sheet."""

    def run(ctx: PartCheck, rule: Rule) -> list[Finding]:
        return [] if getattr(ctx, "not_a_sheet", False) else check(ctx, rule)

    run.__name__ = check.__name__
    run.__doc__ = check.__doc__
    return run


def _cap(text: str) -> str:
    """Sentence case for generated text ("hole Ø5 ..."), a user's feature name left as written."""
    return text[:1].upper() + text[1:] if text.startswith(("hole", "face")) else text


def _faces(ctx: PartCheck, faces) -> str:
    return " and ".join(ctx.probe.describe_face(f) for f in dict.fromkeys(faces))


def _keep(found: list[Finding | None]) -> list[Finding]:
    return [f for f in found if f is not None]


def _point(p) -> list[float]:
    return [round(float(c), 4) for c in p]


def wall_thickness(ctx: PartCheck, rule: Rule) -> list[Finding]:
    limits = limits_for(rule)
    walls = thin_walls(ctx.probe, max(limits.values()), ctx.rays)
    thinnest = min([(w.thickness, w.point, w.faces) for w in walls] + [(r.thickness, r.mid, (r.face, r.hit_face)) for r in ctx.rays],
                   key=lambda x: x[0], default=None)
    if thinnest:
        ctx.measured["wall_min"] = {"mm": round(thinnest[0], 4), "point": _point(thinnest[1]), "faces": sorted(set(thinnest[2]))}
    return _keep(
        ctx.finding(rule, w.thickness, "mm", f"Wall {w.thickness:.2f} mm between {_faces(ctx, w.faces)}",
                    faces=w.faces, point=w.point)
        for w in walls
    )


def max_wall_thickness(ctx: PartCheck, rule: Rule) -> list[Finding]:
    wall = thickest_wall(ctx.probe, ctx.rays)
    if wall is None:
        return []
    ctx.measured["wall_max"] = {"mm": round(wall.thickness, 4), "point": _point(wall.point), "faces": [wall.faces[0]]}
    return _keep([ctx.finding(rule, wall.thickness, "mm",
                              f"Section {wall.thickness:.1f} mm thick (inscribed sphere) at {ctx.probe.describe_face(wall.faces[0])}; "
                              "thick sections sink and cure slowly", faces=wall.faces[:1], point=wall.point)])


def draft(ctx: PartCheck, rule: Rule) -> list[Finding]:
    limits = limits_for(rule)
    required = max(limits.values())
    out = []
    drafts = face_drafts(ctx.probe, ctx.pull, required)
    ctx.measured["draft"] = [{"face": d.face, "surface": ctx.probe.surface_types[d.face], "min_deg": round(d.min_deg, 4),
                              "max_deg": round(d.max_deg, 4), "kind": d.kind} for d in drafts]
    for d in drafts:
        where = ctx.probe.describe_face(d.face)
        if d.kind in ("exempt", "positive", "negative"):
            continue
        if d.kind == "straddle":
            what = f"{_cap(where)} has draft from {d.min_deg:.1f}° to {d.max_deg:.1f}° against {ctx.pull_text}: the parting line must cross it"
            f = ctx.finding(rule, 0.0, "deg", what, faces=(d.face,), point=d.point)
            out.append(f and replace(f, value=None, limit=None))
            continue
        value = abs(d.draft_deg)
        what = f"{_cap(where)} has " + ("no draft (parallel to the pull " + ctx.pull_text + ")" if d.kind == "vertical" else f"{d.draft_deg:.2f}° draft against {ctx.pull_text}")
        out.append(ctx.finding(rule, value, "deg", what, faces=(d.face,), point=d.point))
    return _keep(out)


def undercut(ctx: PartCheck, rule: Rule) -> list[Finding]:
    found = undercuts(ctx.probe, ctx.pull)
    ctx.measured["undercut_faces"] = sorted(found)
    return _keep(
        ctx.finding(rule, share, "%", f"{_cap(ctx.probe.describe_face(fid))} is an undercut along {ctx.pull_text} "
                    f"({share:.0f} % of it cannot leave the mould)", faces=(fid,), point=point,
                    needs="a straight-pull mould needs none: add a side action or redesign")
        for fid, (share, point) in sorted(found.items())
    )


def internal_corner_radius(ctx: PartCheck, rule: Rule) -> list[Finding]:
    ctx.measured["internal_corners"] = [{"radius_mm": round(c.radius_mm, 4), "length_mm": round(c.length_mm, 4), "faces": list(c.faces),
                                         "point": _point(c.point)} for c in ctx.features.internal_corners]
    out = []
    for c in ctx.features.internal_corners:
        what = (f"Sharp internal corner (R0) {c.length_mm:.1f} mm long" if c.radius_mm == 0
                else f"Internal corner R{c.radius_mm:.2f} mm, {c.length_mm:.1f} mm deep")
        what += f" along the tool axis {ctx.pull_text} at ({', '.join(f'{v:.1f}' for v in c.point)})"
        needs = None
        if c.radius_mm == 0:
            needs = f"an end mill leaves R{max(limits_for(rule).values()):g} or more; a sharp corner needs EDM"
        out.append(ctx.finding(rule, c.radius_mm, "mm", what, faces=c.faces, point=c.point, needs=needs))
    return _keep(out)


def corner_depth_ratio(ctx: PartCheck, rule: Rule) -> list[Finding]:
    return _keep(
        ctx.finding(rule, c.length_mm / c.radius_mm, "ratio",
                    f"Internal corner R{c.radius_mm:.2f} mm at ({', '.join(f'{v:.1f}' for v in c.point)}) is {c.length_mm:.1f} mm deep ({c.length_mm / c.radius_mm:.1f} × R)",
                    faces=c.faces, point=c.point, needs="keep depth within {limit:g} × R, or a long thin tool is needed")
        for c in ctx.features.internal_corners if c.radius_mm > 0
    )


def _record_holes(ctx: PartCheck) -> None:
    ctx.measured["holes"] = [{"diameter_mm": round(h.diameter_mm, 4), "depth_mm": round(h.depth_mm, 4), "through": h.through,
                              "entry": _point(h.entry), "direction": _point(h.direction), "faces": list(h.faces)} for h in ctx.features.holes]


def hole_depth_ratio(ctx: PartCheck, rule: Rule) -> list[Finding]:
    _record_holes(ctx)
    return _keep(
        ctx.finding(rule, h.depth_mm / h.diameter_mm, "ratio",
                    f"{_cap(ctx.hole_name(h))}: depth {h.depth_mm:.1f} mm is {h.depth_mm / h.diameter_mm:.1f} × D",
                    faces=h.faces, point=h.entry, feature=ctx.hole_name(h),
                    needs=f"{ctx.process.title} drills to {{limit:g}} × D without special tools")
        for h in ctx.features.holes
    )


def min_hole_diameter(ctx: PartCheck, rule: Rule) -> list[Finding]:
    _record_holes(ctx)
    return _keep(
        ctx.finding(rule, h.diameter_mm, "mm", f"{_cap(ctx.hole_name(h))}", faces=h.faces, point=h.entry, feature=ctx.hole_name(h))
        for h in ctx.features.holes
    )


def _threads(ctx: PartCheck):
    """(feature, thread, depth mm, the hole it selects or None) of each spec feature with a thread."""
    for f in ctx.part.features:
        if f.thread:
            try:
                t = parse_thread(f.thread)
            except StandardsError:
                continue  # the spec check reports it
            sel = ctx.built.selection(f)
            hole = sel.holes[0] if sel and sel.holes else None
            yield f, t, ctx._mm(f.depth) if f.depth else None, hole


def thread_length_ratio(ctx: PartCheck, rule: Rule) -> list[Finding]:
    return _keep(
        ctx.finding(rule, depth / t.nominal_mm, "ratio", f"Thread {t.designation} of '{f.name}' is {depth:g} mm long ({depth / t.nominal_mm:.1f} × D)",
                    feature=f.name, faces=hole.faces if hole else (), point=hole.entry if hole else None,
                    needs="engagement beyond {limit:g} × D adds no strength and costs tapping time")
        for f, t, depth, hole in _threads(ctx) if depth
    )


def min_thread_size(ctx: PartCheck, rule: Rule) -> list[Finding]:
    return _keep(ctx.finding(rule, t.nominal_mm, "mm", f"Thread {t.designation} of '{f.name}'", feature=f.name,
                             faces=hole.faces if hole else (), point=hole.entry if hole else None) for f, t, _, hole in _threads(ctx))


def pocket_depth_ratio(ctx: PartCheck, rule: Rule) -> list[Finding]:
    """Planar floors facing the tool, walled on at least two sides: depth over the narrower
    width of the floor."""
    probe, pull = ctx.probe, ctx.pull
    s = probe.samples
    out = []
    for fid in range(1, probe.n_faces + 1):
        if probe.surface_types[fid] != "plane":
            continue
        mask = s.faces == fid
        if not mask.any() or float(s.normals[mask][0] @ pull) < 0.999:
            continue
        floor = float(s.points[mask][0] @ pull)
        walls = [g for g in probe.neighbours[fid] if probe.surface_types[g] in ("plane", "cylinder") and _top(probe, g, pull) > floor + 1e-6
                 and abs(float(_face_normal(probe, g) @ pull)) < 1e-3]
        normals = [_face_normal(probe, g) for g in walls]
        if not any(float(normals[i] @ normals[j]) < -0.99 for i in range(len(walls)) for j in range(i + 1, len(walls))):
            continue  # a pocket or slot has walls facing each other; a step or an engraving does not
        depth = min(_top(probe, g, pull) for g in walls) - floor
        width = _width(probe.boxes[fid], pull)
        if width <= 0:
            continue
        out.append(ctx.finding(rule, depth / width, "ratio", f"Pocket {width:.1f} mm wide and {depth:.1f} mm deep at {probe.describe_face(fid)} "
                               f"({depth / width:.1f} × width)", faces=(fid,), point=s.points[mask][0],
                               needs="keep pockets within {limit:g} × their width (long tools chatter)"))
    return _keep(out)


def _face_normal(probe, fid: int) -> np.ndarray:
    s = probe.samples
    mask = s.faces == fid
    return s.normals[mask][0] if mask.any() else np.zeros(3)


def _top(probe, fid: int, pull: np.ndarray) -> float:
    box = probe.boxes[fid]
    corners = np.array([[x, y, z] for x in box[0::3] for y in box[1::3] for z in box[2::3]])
    return float((corners @ pull).max())


def _width(box: np.ndarray, pull: np.ndarray) -> float:
    size = box[3:] - box[:3]
    across = [size[i] for i in range(3) if abs(pull[i]) < 0.5]
    return float(min(across)) if across else 0.0


@_sheet_only
def bend_radius(ctx: PartCheck, rule: Rule) -> list[Finding]:
    t = ctx.sheet_thickness
    ctx.measured["bends"] = [{"inner_radius_mm": round(b.inner_radius_mm, 4), "thickness_mm": round(b.thickness_mm, 4),
                              "angle_deg": round(b.angle_deg, 3)} for b in ctx.features.bends]
    return _keep(
        ctx.finding(rule, b.inner_radius_mm, "mm", f"Bend with inside radius R{b.inner_radius_mm:.2f} mm in {t:g} mm sheet",
                    limits=limits_for(rule, t), faces=(b.inner_face, b.outer_face), point=b.axis_point)
        for b in ctx.features.bends
    )


@_sheet_only
def sheet_hole_diameter(ctx: PartCheck, rule: Rule) -> list[Finding]:
    _record_holes(ctx)
    t = ctx.sheet_thickness
    return _keep(
        ctx.finding(rule, h.diameter_mm, "mm", f"{_cap(ctx.hole_name(h))} in {t:g} mm sheet", limits=limits_for(rule, t),
                    faces=h.faces, point=h.entry, feature=ctx.hole_name(h))
        for h in ctx.features.holes
    )


def sheet_thickness_uniform(ctx: PartCheck, rule: Rule) -> list[Finding]:
    found = _sheet_thickness_uniform(ctx, rule)
    ctx.not_a_sheet = any(f.severity == "error" for f in found)
    return found


def _sheet_thickness_uniform(ctx: PartCheck, rule: Rule) -> list[Finding]:
    ctx.measured["sheet_thickness_mm"] = ctx.measured_sheet_thickness
    """The two sides of a sheet are its faces whose rays mostly meet the other side at the
    sheet thickness; every ray from them must measure that thickness. A spec `thickness`
    must also be what the model measures."""
    t = ctx.sheet_thickness
    if t is None:
        return []
    measured = ctx.measured_sheet_thickness
    if measured is not None and abs(measured - t) > 0.01 * t:
        return _keep([ctx.finding(rule, abs(measured - t), "mm", f"The model is {measured:.2f} mm sheet, the spec says thickness {t:g} mm",
                                  needs="make the spec's thickness and the model agree")])
    skins = _skins(ctx)
    areas = ctx.probe.areas
    share = float(sum(areas[f] for f in skins) / max(areas.sum(), 1e-9))
    if share < 0.6:
        return _keep([ctx.finding(rule, t, "mm", f"Only {100 * share:.0f} % of the surface is sheet {t:g} mm thick: the part is not a sheet",
                                  needs="a sheet part has two sides of one thickness making up most of its surface")])
    worst = max((r for r in ctx.rays if r.face in skins), key=lambda r: abs(r.thickness - t), default=None)
    if worst is None:
        return []
    return _keep([ctx.finding(rule, abs(worst.thickness - t), "mm", f"Material {worst.thickness:.2f} mm thick at {ctx.probe.describe_face(worst.face)}, "
                              f"the sheet is {t:g} mm", faces=(worst.face, worst.hit_face), point=worst.mid,
                              needs="a part cut and bent from sheet has one thickness everywhere")])


def _distance(probe, a: tuple[int, ...], b: tuple[int, ...], within: float) -> tuple[float, np.ndarray] | None:
    """The smallest distance (mm) between faces a and faces b and the midpoint there, if
    smaller than `within`; face pairs whose boxes are further apart are not solved."""
    from OCP.BRepExtrema import BRepExtrema_DistShapeShape

    best = None
    for i in a:
        for j in b:
            if probe.box_gaps[i - 1, j - 1] >= within:
                continue
            d = BRepExtrema_DistShapeShape(probe.face(i), probe.face(j))
            if d.IsDone() and d.NbSolution() and d.Value() < within and (best is None or d.Value() < best[0]):
                p, q = d.PointOnShape1(1), d.PointOnShape2(1)
                best = (d.Value(), (np.array(p.Coord()) + np.array(q.Coord())) / 2)
    return best


def _reach(rule: Rule, t: float | None, bend_radius: float = 0.0) -> float:
    """The largest distance that can still be a finding of the rule."""
    return max(limits_for(rule, t, bend_radius).values(), default=0.0) + 1e-6


def _skins(ctx: PartCheck) -> set[int]:
    """The sheet's two sides: faces most of whose rays measure about the sheet thickness."""
    t = ctx.sheet_thickness
    if not t:
        return set()
    near: dict[int, list[bool]] = {}
    for r in ctx.rays:
        near.setdefault(r.face, []).append(abs(r.thickness - t) < 0.2 * t)
    return {f for f, flags in near.items() if sum(flags) > len(flags) / 2}


def _edge_faces(ctx: PartCheck) -> set[int]:
    f = ctx.features
    taken = _skins(ctx) | {i for h in f.holes for i in h.faces} | {i for b in f.bends for i in (b.inner_face, b.outer_face)}
    return set(range(1, ctx.probe.n_faces + 1)) - taken


@_sheet_only
def hole_to_edge(ctx: PartCheck, rule: Rule) -> list[Finding]:
    t, edges = ctx.sheet_thickness, _edge_faces(ctx)
    out = []
    for h in ctx.features.holes:
        near = tuple(sorted(edges - set().union(*(ctx.probe.neighbours[i] for i in h.faces))))
        got = _distance(ctx.probe, h.faces, near, _reach(rule, t))
        if got:
            out.append(ctx.finding(rule, got[0], "mm", f"{_cap(ctx.hole_name(h))} is {got[0]:.2f} mm from the edge of the sheet",
                                   limits=limits_for(rule, t), faces=h.faces, point=got[1], feature=ctx.hole_name(h)))
    return _keep(out)


@_sheet_only
def hole_to_bend(ctx: PartCheck, rule: Rule) -> list[Finding]:
    t = ctx.sheet_thickness
    out = []
    for h in ctx.features.holes:
        for b in ctx.features.bends:
            got = _distance(ctx.probe, h.faces, (b.inner_face, b.outer_face), _reach(rule, t, b.inner_radius_mm))
            if got:
                out.append(ctx.finding(rule, got[0], "mm", f"{_cap(ctx.hole_name(h))} is {got[0]:.2f} mm from a bend (R{b.inner_radius_mm:g})",
                                       limits=limits_for(rule, t, b.inner_radius_mm), faces=h.faces, point=got[1], feature=ctx.hole_name(h)))
    return _keep(out)


@_sheet_only
def hole_web(ctx: PartCheck, rule: Rule) -> list[Finding]:
    """Material between two holes through the sheet: for parallel holes, the distance
    between their axes less both radii."""
    t, holes = ctx.sheet_thickness, ctx.features.holes
    out = []
    for i, a in enumerate(holes):
        for b in holes[i + 1:]:
            da, db = np.array(a.direction), np.array(b.direction)
            if abs(abs(float(da @ db)) - 1) > 1e-6:
                continue
            gap = np.array(b.entry) - np.array(a.entry)
            if t is not None and abs(float(gap @ da)) > t + 1e-6:
                continue  # not through the same flat of the sheet (coaxial holes in opposite flanges, say)
            web = float(np.linalg.norm(gap - (gap @ da) * da)) - (a.diameter_mm + b.diameter_mm) / 2
            if 0 < web < _reach(rule, t):
                mid = (np.array(a.entry) + np.array(b.entry)) / 2
                out.append(ctx.finding(rule, web, "mm", f"{web:.2f} mm of material between {ctx.hole_name(a)} and {ctx.hole_name(b)}",
                                       limits=limits_for(rule, t), faces=a.faces + b.faces, point=mid))
    return _keep(out)


@_sheet_only
def flange_length(ctx: PartCheck, rule: Rule) -> list[Finding]:
    """From each bend's tangent line to the far edge of the flat beside it, along the flat
    (the inside face of the flange)."""
    t, probe, skins = ctx.sheet_thickness, ctx.probe, _skins(ctx)
    out = []
    for b in ctx.features.bends:
        axis_p, axis_d = np.array(b.axis_point), np.array(b.axis_direction)
        for fid in sorted(probe.neighbours[b.inner_face] & skins):
            if probe.surface_types[fid] != "plane":
                continue
            s = probe.samples
            pts = s.points[s.faces == fid]
            if not len(pts):
                continue
            box = probe.boxes[fid]
            corners = np.array([[x, y, z] for x in box[0::3] for y in box[1::3] for z in box[2::3]])
            rel = corners - axis_p
            rho = float(np.linalg.norm(rel - np.outer(rel @ axis_d, axis_d), axis=1).max())
            # a point of a flat tangent to the bend (radius R) at distance rho from the bend's
            # axis lies sqrt(rho² - R²) from the tangent line, measured along the flat
            length = math.sqrt(max(rho * rho - b.inner_radius_mm ** 2, 0.0))
            out.append(ctx.finding(rule, length, "mm", f"Flange {length:.1f} mm long beside the R{b.inner_radius_mm:g} bend",
                                   limits=limits_for(rule, t, b.inner_radius_mm), faces=(fid,), point=pts[0]))
    return _keep(out)


def draw_ratio(ctx: PartCheck, rule: Rule) -> list[Finding]:
    box = ctx.probe.size
    depth = abs(float(np.dot(box, np.abs(ctx.pull))))
    across = sorted(abs(v) for v, c in zip(box, np.abs(ctx.pull)) if c < 0.5)
    if not across or across[0] <= 0:
        return []
    ratio = depth / across[0]
    return _keep([ctx.finding(rule, ratio, "ratio", f"Formed depth {depth:.1f} mm over the narrower width {across[0]:.1f} mm ({ratio:.2f})")])


RULES = {
    "wall-thickness": wall_thickness,
    "max-wall-thickness": max_wall_thickness,
    "draft": draft,
    "undercut": undercut,
    "internal-corner-radius": internal_corner_radius,
    "corner-depth-ratio": corner_depth_ratio,
    "pocket-depth-ratio": pocket_depth_ratio,
    "hole-depth-ratio": hole_depth_ratio,
    "min-hole-diameter": min_hole_diameter,
    "thread-length-ratio": thread_length_ratio,
    "min-thread-size": min_thread_size,
    "sheet-thickness-uniform": sheet_thickness_uniform,
    "bend-radius": bend_radius,
    "sheet-hole-diameter": sheet_hole_diameter,
    "hole-to-edge": hole_to_edge,
    "hole-to-bend": hole_to_bend,
    "hole-web": hole_web,
    "flange-length": flange_length,
    "draw-ratio": draw_ratio,
}


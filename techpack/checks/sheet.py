"""DFM rules of sheet metal: uniform thickness, bends, holes near edges and bends, webs, flanges.

Lengths in t are multiples of the sheet thickness (techpack/catalog/processes.yaml)."""

from __future__ import annotations

import math

import numpy as np

from techpack.catalog.model import Rule
from techpack.checks.context import PartCheck, cap, keep, record_holes
from techpack.checks.findings import Finding, NotApplicable, limits_for


def bend_radius(ctx: PartCheck, rule: Rule) -> list[Finding]:
    t = ctx.sheet_thickness
    ctx.measured["bends"] = [{"inner_radius_mm": round(b.inner_radius_mm, 4), "thickness_mm": round(b.thickness_mm, 4),
                              "angle_deg": round(b.angle_deg, 3)} for b in ctx.features.bends]
    return keep(
        ctx.finding(rule, b.inner_radius_mm, "mm", f"Bend with inside radius R{b.inner_radius_mm:.2f} mm in {t:g} mm sheet",
                    limits=limits_for(rule, t), faces=(b.inner_face, b.outer_face), point=b.axis_point)
        for b in ctx.features.bends
    )


def sheet_hole_diameter(ctx: PartCheck, rule: Rule) -> list[Finding]:
    record_holes(ctx)
    t = ctx.sheet_thickness
    return keep(
        ctx.finding(rule, h.diameter_mm, "mm", f"{cap(ctx.hole_name(h))} in {t:g} mm sheet", limits=limits_for(rule, t),
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
        return keep([ctx.finding(rule, abs(measured - t), "mm", f"The model is {measured:.2f} mm sheet, the spec says thickness {t:g} mm",
                                  needs="make the spec's thickness and the model agree")])
    skins = _skins(ctx)
    areas = ctx.probe.areas
    share = float(sum(areas[f] for f in skins) / max(areas.sum(), 1e-9))
    if share < 0.6:
        return keep([ctx.finding(rule, t, "mm", f"Only {100 * share:.0f} % of the surface is sheet {t:g} mm thick: the part is not a sheet",
                                  needs="a sheet part has two sides of one thickness making up most of its surface")])
    worst = max((r for r in ctx.rays if r.face in skins), key=lambda r: abs(r.thickness - t), default=None)
    if worst is None:
        return []
    return keep([ctx.finding(rule, abs(worst.thickness - t), "mm", f"Material {worst.thickness:.2f} mm thick at {ctx.probe.describe_face(worst.face)}, "
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


def hole_to_edge(ctx: PartCheck, rule: Rule) -> list[Finding]:
    t, edges = ctx.sheet_thickness, _edge_faces(ctx)
    out = []
    for h in ctx.features.holes:
        near = tuple(sorted(edges - set().union(*(ctx.probe.neighbours[i] for i in h.faces))))
        got = _distance(ctx.probe, h.faces, near, _reach(rule, t))
        if got:
            out.append(ctx.finding(rule, got[0], "mm", f"{cap(ctx.hole_name(h))} is {got[0]:.2f} mm from the edge of the sheet",
                                   limits=limits_for(rule, t), faces=h.faces, point=got[1], feature=ctx.hole_name(h)))
    return keep(out)


def hole_to_bend(ctx: PartCheck, rule: Rule) -> list[Finding]:
    t = ctx.sheet_thickness
    out = []
    for h in ctx.features.holes:
        for b in ctx.features.bends:
            got = _distance(ctx.probe, h.faces, (b.inner_face, b.outer_face), _reach(rule, t, b.inner_radius_mm))
            if got:
                out.append(ctx.finding(rule, got[0], "mm", f"{cap(ctx.hole_name(h))} is {got[0]:.2f} mm from a bend (R{b.inner_radius_mm:g})",
                                       limits=limits_for(rule, t, b.inner_radius_mm), faces=h.faces, point=got[1], feature=ctx.hole_name(h)))
    return keep(out)


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
    return keep(out)


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
    return keep(out)

"""DFM rules any process may list: wall thickness, draft, undercuts, holes, threads, draw ratio.

Limits come from the catalog (techpack/catalog/processes.yaml); these functions measure
and compare. Each finding's sentence says what was found, where, and what the process needs.
A rule with nothing to measure raises NotApplicable with the reason.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from techpack.catalog.model import Rule
from techpack.checks.context import PartCheck, cap, faces_text, keep, record_holes, rounded
from techpack.checks.draft import face_drafts, undercuts
from techpack.checks.findings import Finding, NotApplicable, limits_for
from techpack.checks.wall import thickest_wall, thin_walls
from techpack.standards import StandardsError
from techpack.standards.threads import parse_thread


def wall_thickness(ctx: PartCheck, rule: Rule) -> list[Finding]:
    limits = limits_for(rule)
    walls = thin_walls(ctx.probe, max(limits.values()), ctx.rays)
    thinnest = min([(w.thickness, w.point, w.faces) for w in walls] + [(r.thickness, r.mid, (r.face, r.hit_face)) for r in ctx.rays],
                   key=lambda x: x[0], default=None)
    if thinnest:
        ctx.measured["wall_min"] = {"mm": round(thinnest[0], 4), "point": rounded(thinnest[1]), "faces": sorted(set(thinnest[2]))}
    return keep(
        ctx.finding(rule, w.thickness, "mm", f"Wall {w.thickness:.2f} mm between {faces_text(ctx, w.faces)}",
                    faces=w.faces, point=w.point)
        for w in walls
    )


def max_wall_thickness(ctx: PartCheck, rule: Rule) -> list[Finding]:
    wall = thickest_wall(ctx.probe, ctx.rays)
    if wall is None:
        return []
    ctx.measured["wall_max"] = {"mm": round(wall.thickness, 4), "point": rounded(wall.point), "faces": [wall.faces[0]]}
    return keep([ctx.finding(rule, wall.thickness, "mm",
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
            what = f"{cap(where)} has draft from {d.min_deg:.1f}° to {d.max_deg:.1f}° against {ctx.pull_text}: the parting line must cross it"
            f = ctx.finding(rule, 0.0, "deg", what, faces=(d.face,), point=d.point)
            out.append(f and replace(f, value=None, limit=None))
            continue
        value = abs(d.draft_deg)
        what = f"{cap(where)} has " + ("no draft (parallel to the pull " + ctx.pull_text + ")" if d.kind == "vertical" else f"{d.draft_deg:.2f}° draft against {ctx.pull_text}")
        out.append(ctx.finding(rule, value, "deg", what, faces=(d.face,), point=d.point))
    return keep(out)


def undercut(ctx: PartCheck, rule: Rule) -> list[Finding]:
    found = undercuts(ctx.probe, ctx.pull)
    ctx.measured["undercut_faces"] = sorted(found)
    return keep(
        ctx.finding(rule, share, "%", f"{cap(ctx.probe.describe_face(fid))} is an undercut along {ctx.pull_text} "
                    f"({share:.0f} % of it cannot leave the mould)", faces=(fid,), point=point,
                    needs="a straight-pull mould needs none: add a side action or redesign")
        for fid, (share, point) in sorted(found.items())
    )


def _holes(ctx: PartCheck):
    record_holes(ctx)
    if not ctx.features.holes:
        raise NotApplicable("no holes")
    return ctx.features.holes


def hole_depth_ratio(ctx: PartCheck, rule: Rule) -> list[Finding]:
    _holes(ctx)
    return keep(
        ctx.finding(rule, h.depth_mm / h.diameter_mm, "ratio",
                    f"{cap(ctx.hole_name(h))}: depth {h.depth_mm:.1f} mm is {h.depth_mm / h.diameter_mm:.1f} × D",
                    faces=h.faces, point=h.entry, feature=ctx.hole_name(h),
                    needs=f"{ctx.process.title} drills to {{limit:g}} × D without special tools")
        for h in ctx.features.holes
    )


def min_hole_diameter(ctx: PartCheck, rule: Rule) -> list[Finding]:
    _holes(ctx)
    return keep(
        ctx.finding(rule, h.diameter_mm, "mm", f"{cap(ctx.hole_name(h))}", faces=h.faces, point=h.entry, feature=ctx.hole_name(h))
        for h in ctx.features.holes
    )


def _threads(ctx: PartCheck):
    """(feature, thread, depth mm, the hole it selects or None) of each spec feature with a thread."""
    if not any(f.thread for f in ctx.part.features):
        raise NotApplicable("no threaded features")
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
    return keep(
        ctx.finding(rule, depth / t.nominal_mm, "ratio", f"Thread {t.designation} of '{f.name}' is {depth:g} mm long ({depth / t.nominal_mm:.1f} × D)",
                    feature=f.name, faces=hole.faces if hole else (), point=hole.entry if hole else None,
                    needs="engagement beyond {limit:g} × D adds no strength and costs tapping time")
        for f, t, depth, hole in _threads(ctx) if depth
    )


def min_thread_size(ctx: PartCheck, rule: Rule) -> list[Finding]:
    return keep(ctx.finding(rule, t.nominal_mm, "mm", f"Thread {t.designation} of '{f.name}'", feature=f.name,
                             faces=hole.faces if hole else (), point=hole.entry if hole else None) for f, t, _, hole in _threads(ctx))


def draw_ratio(ctx: PartCheck, rule: Rule) -> list[Finding]:
    box = ctx.probe.size
    depth = abs(float(np.dot(box, np.abs(ctx.pull))))
    across = sorted(abs(v) for v, c in zip(box, np.abs(ctx.pull)) if c < 0.5)
    if not across or across[0] <= 0:
        return []
    ratio = depth / across[0]
    return keep([ctx.finding(rule, ratio, "ratio", f"Formed depth {depth:.1f} mm over the narrower width {across[0]:.1f} mm ({ratio:.2f})")])

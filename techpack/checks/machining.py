"""DFM rules of milling: internal corners, pockets, tool access and setups, engraving."""

from __future__ import annotations

import numpy as np

from techpack.catalog.model import Rule
from techpack.checks.context import PartCheck, keep, rounded
from techpack.checks.findings import Finding, NotApplicable, limits_for


def internal_corner_radius(ctx: PartCheck, rule: Rule) -> list[Finding]:
    ctx.measured["internal_corners"] = [{"radius_mm": round(c.radius_mm, 4), "length_mm": round(c.length_mm, 4), "faces": list(c.faces),
                                         "point": rounded(c.point)} for c in ctx.features.internal_corners]
    out = []
    for c in ctx.features.internal_corners:
        what = (f"Sharp internal corner (R0) {c.length_mm:.1f} mm long" if c.radius_mm == 0
                else f"Internal corner R{c.radius_mm:.2f} mm, {c.length_mm:.1f} mm deep")
        what += f" along the tool axis {ctx.pull_text} at ({', '.join(f'{v:.1f}' for v in c.point)})"
        needs = None
        if c.radius_mm == 0:
            needs = f"an end mill leaves R{max(limits_for(rule).values()):g} or more; a sharp corner needs EDM"
        out.append(ctx.finding(rule, c.radius_mm, "mm", what, faces=c.faces, point=c.point, needs=needs))
    return keep(out)


def corner_depth_ratio(ctx: PartCheck, rule: Rule) -> list[Finding]:
    return keep(
        ctx.finding(rule, c.length_mm / c.radius_mm, "ratio",
                    f"Internal corner R{c.radius_mm:.2f} mm at ({', '.join(f'{v:.1f}' for v in c.point)}) is {c.length_mm:.1f} mm deep ({c.length_mm / c.radius_mm:.1f} × R)",
                    faces=c.faces, point=c.point, needs="keep depth within {limit:g} × R, or a long thin tool is needed")
        for c in ctx.features.internal_corners if c.radius_mm > 0
    )


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
    return keep(out)


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

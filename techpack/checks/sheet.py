"""DFM rules of sheet metal: uniform thickness, bends, holes near edges and bends, webs, flanges.

Lengths in t are multiples of the sheet thickness (techpack/catalog/processes.yaml).
Every rule reads the part's sheet (read_sheet, computed once per part: PartCheck.sheet),
never what another rule found. On a part that is not a sheet, sheet-thickness-uniform
reports it and the other rules are not applicable; on a sheet, each rule measures the
sheet's regions even where its thickness is wrong."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
from OCP.BRepAdaptor import BRepAdaptor_Surface
from OCP.BRepGProp import BRepGProp
from OCP.GProp import GProp_GProps
from OCP.ShapeAnalysis import ShapeAnalysis

from techpack.catalog.model import Rule
from techpack.checks.context import PartCheck, cap, faces_text, keep, record_holes
from techpack.checks.findings import Finding, NotApplicable, limits_for
from techpack.checks.wall import CONE_DEG, RaySample
from techpack.geometry.part import mm_per_unit

SHEET_SHARE = 0.6  # a part is a sheet when its two sides make up at least this share of its surface (README)
SIDE_SPREAD = 0.2  # a side's rays measure the sheet's thickness within this share of it


@dataclass(frozen=True)
class Sheet:
    """What the sheet rules share about one part. Lengths in mm, faces by id."""

    thickness_mm: float | None  # the spec's `thickness`, else the measured one: the t of the rules' limits
    measured_mm: float | None  # the wall the rays measure over the largest area (None: no ray met a wall)
    skins: frozenset[int]  # the sheet's two sides: faces at least measured_mm wide most of whose rays measure it (within SIDE_SPREAD)
    steps: frozenset[int]  # faces a step off a side (a recess floor, a boss top), judged with the sides
    edges: frozenset[int]  # the sheet's cut edges: what is not a side, a step, a step's wall, a hole or a bend
    share: float  # of the surface area that is skin

    @property
    def is_sheet(self) -> bool:
        return self.measured_mm is not None and self.share >= SHEET_SHARE

    @property
    def sides(self) -> frozenset[int]:
        """The faces whose rays sheet-thickness-uniform judges."""
        return self.skins | self.steps

    def what(self) -> str:
        """How much of the part is sheet, in words: "35 % of its surface is 2 mm sheet"."""
        if self.measured_mm is None:
            return "no ray from its faces meets an opposite face"
        return f"{100 * self.share:.0f} % of its surface is {self.measured_mm:g} mm sheet"

    def t(self) -> float:
        """The thickness for a rule that measures the sheet; NotApplicable on a part that is not one."""
        if not self.is_sheet or self.thickness_mm is None:
            raise NotApplicable(f"the part is not a sheet: {self.what()}")
        return self.thickness_mm


def read_sheet(ctx: PartCheck) -> Sheet:
    """The part's sheet: its thickness, its two sides, the steps off them and its edges."""
    probe, rays = ctx.probe, ctx.rays
    measured = _most_area_wall(ctx)
    spec = ctx.part.thickness * mm_per_unit(ctx.loaded.spec.product.units) if ctx.part.thickness else None
    skins: set[int] = set()
    if measured:
        near: dict[int, list[bool]] = {}
        for r in rays:
            near.setdefault(r.face, []).append(abs(r.thickness - measured) < SIDE_SPREAD * measured)
        skins = {f for f, flags in near.items() if sum(flags) > len(flags) / 2 and _width(probe, f) >= measured}
    areas = probe.areas
    share = float(sum(areas[f] for f in skins) / max(areas.sum(), 1e-9))
    steps = _steps(ctx, skins, measured) if measured else set()
    walls = {n for f in steps for n in probe.neighbours[f]}
    f = ctx.features
    taken = skins | steps | walls | {i for h in f.holes for i in h.faces} | {i for b in f.bends for i in (b.inner_face, b.outer_face)}
    edges = set(range(1, probe.n_faces + 1)) - taken
    return Sheet(spec if spec else measured, measured, frozenset(skins), frozenset(steps), frozenset(edges), share)


def _width(probe, fid: int) -> float:
    """How wide a face is (mm): a cylinder's arc length or axial length, whichever is less;
    another face's from its moments of inertia (a flat strip a wide has A a² / 12 about its
    long axis). A face narrower than the sheet is thick is no side of it, though the rays
    across it measure about the thickness (the walls of letters engraved 0.6 mm deep in
    1.9 mm sheet, 2 mm apart: NIST CTC-03)."""
    face = probe.face(fid)
    if probe.surface_types[fid] == "cylinder":
        u0, u1, v0, v1 = ShapeAnalysis.GetFaceUVBounds_s(face)
        return min((u1 - u0) * BRepAdaptor_Surface(face).Cylinder().Radius(), v1 - v0)
    props = GProp_GProps()
    BRepGProp.SurfaceProperties_s(face, props)
    area = props.Mass()
    return math.sqrt(12 * min(props.PrincipalProperties().Moments()) / area) if area > 0 else 0.0


def _most_area_wall(ctx: PartCheck) -> float | None:
    """The wall (mm, to 1 µm) the rays measure over the largest area: a sheet part's thickness."""
    areas: dict[float, float] = {}
    weight = ctx.probe.areas
    per_face = np.bincount(ctx.probe.samples.faces, minlength=ctx.probe.n_faces + 1)
    for r in ctx.rays:
        t = round(r.thickness, 3)
        areas[t] = areas.get(t, 0.0) + weight[r.face] / max(per_face[r.face], 1)
    return max(areas, key=areas.get) if areas else None


def _steps(ctx: PartCheck, skins: set[int], t: float) -> set[int]:
    """Planar faces that are a step off one of the sheet's sides, so that a recess or a boss
    of any size is measured: every face has samples of its own, while a side's sample grid
    (at most 8 × 8, geometry/probe.py) can miss a small one.

    A face F that is not a skin is a step when
    - it is a plane, and most of its inward rays meet a skin (anti-parallel within the
      rays' cone, checks/wall.py): the sheet's other side is right under it; and
    - a planar skin S faces the same way (normals within that cone) with F's plane less
      than one thickness t off S's, and F's box within t of S's box: F lies on the sheet's
      side, a step of less than t into or out of it.
    Its rays then read t less a recess's depth or t plus a boss's height. The sheet's cut
    edges are square to the sides they join, so they are no steps; nor is a face parallel
    to a side but far off it (a flange's end face parallel to the other flange, the top of
    a boss taller than the sheet: the rays from the side under such a boss measure it).
    A recess in a curved side (a rolled sheet) is not a step: only planes are compared.
    """
    probe, s = ctx.probe, ctx.probe.samples
    cos = math.cos(math.radians(CONE_DEG))
    first: dict[int, int] = {}
    for i, fid in enumerate(s.faces):
        first.setdefault(int(fid), i)
    onto_skin: dict[int, list[bool]] = {}
    for r in ctx.rays:
        if r.face not in skins:
            onto_skin.setdefault(r.face, []).append(r.hit_face in skins)
    planes = [k for k in sorted(skins) if probe.surface_types[k] == "plane" and k in first]
    out = set()
    for fid, flags in onto_skin.items():
        if probe.surface_types[fid] != "plane" or sum(flags) <= len(flags) / 2:
            continue
        p, n = s.points[first[fid]], s.normals[first[fid]]
        for k in planes:
            q, m = s.points[first[k]], s.normals[first[k]]
            if float(n @ m) >= cos and abs(float((p - q) @ m)) < t and probe.box_gaps[fid - 1, k - 1] < t:
                out.add(fid)
                break
    return out


def sheet_thickness_uniform(ctx: PartCheck, rule: Rule) -> list[Finding]:
    """Every ray from the sheet's sides and the steps off them must measure the thickness the
    model's sheet has (measured_mm): a region (pair of faces) that does not is judged at its
    ray furthest off, and regions of one thickness (the letters of an engraving) are one
    finding. A spec `thickness` must also be what the model measures. A part whose sides
    make up less than SHEET_SHARE of its surface is not a sheet: one finding says so. A mark
    the process counts as engraving (lettering etched into the sheet) is not judged."""
    sheet = ctx.sheet
    ctx.measured["sheet_thickness_mm"] = sheet.measured_mm
    measured = sheet.measured_mm
    if measured is None:
        raise NotApplicable(f"no wall to measure: {sheet.what()}")
    if not sheet.is_sheet:
        return keep([ctx.finding(rule, measured, "mm", f"Only {100 * sheet.share:.0f} % of the surface is sheet {measured:g} mm thick: "
                                 "the part is not a sheet", needs="a sheet part has two sides of one thickness making up most of its surface")])
    found = []
    t = sheet.thickness_mm
    if abs(measured - t) > 0.01 * t:
        found.append(ctx.finding(rule, abs(measured - t), "mm", f"The model is {measured:.2f} mm sheet, the spec says thickness {t:g} mm",
                                 needs="make the spec's thickness and the model agree"))
    worst: dict[tuple[int, int], RaySample] = {}  # region (pair of faces) -> its ray furthest from the sheet's thickness
    marks = {f for e in ctx.built.engravings for f in e.faces}
    for r in ctx.rays:
        if r.face in sheet.sides and r.face not in marks and r.hit_face not in marks:
            key = (min(r.face, r.hit_face), max(r.face, r.hit_face))
            if key not in worst or abs(r.thickness - measured) > abs(worst[key].thickness - measured):
                worst[key] = r
    alike: dict[float, list[tuple[int, int]]] = {}  # regions of one thickness (engraved letters) make one finding
    for key in sorted(worst):
        alike.setdefault(round(worst[key].thickness, 2), []).append(key)
    for regions in alike.values():
        r = worst[regions[0]]
        more = f" and in {len(regions) - 1} more place{'s' if len(regions) > 2 else ''}" if len(regions) > 1 else ""
        found.append(ctx.finding(rule, abs(r.thickness - measured), "mm", f"Material {r.thickness:.2f} mm thick between {faces_text(ctx, regions[0])}"
                                 f"{more}, the sheet is {measured:g} mm", faces=sorted({f for k in regions for f in k}), point=r.mid,
                                 needs="a part cut and bent from sheet has one thickness everywhere"))
    return keep(found)


def bend_radius(ctx: PartCheck, rule: Rule) -> list[Finding]:
    bends = ctx.features.bends
    ctx.measured["bends"] = [{"inner_radius_mm": round(b.inner_radius_mm, 4), "thickness_mm": round(b.thickness_mm, 4),
                              "angle_deg": round(b.angle_deg, 3)} for b in bends]
    t = ctx.sheet.t()
    if not bends:
        raise NotApplicable("no bends")
    return keep(
        ctx.finding(rule, b.inner_radius_mm, "mm", f"Bend with inside radius R{b.inner_radius_mm:.2f} mm in {t:g} mm sheet",
                    limits=limits_for(rule, t), faces=(b.inner_face, b.outer_face), point=b.axis_point)
        for b in bends
    )


def sheet_hole_diameter(ctx: PartCheck, rule: Rule) -> list[Finding]:
    record_holes(ctx)
    t = ctx.sheet.t()
    _need(ctx, holes=1)
    return keep(
        ctx.finding(rule, h.diameter_mm, "mm", f"{cap(ctx.hole_name(h))} in {t:g} mm sheet", limits=limits_for(rule, t),
                    faces=h.faces, point=h.entry, feature=ctx.hole_name(h))
        for h in ctx.features.holes
    )


def _need(ctx: PartCheck, holes: int = 0, bends: bool = False) -> None:
    """NotApplicable unless the part has that many holes and, if asked, a bend."""
    n = len(ctx.features.holes)
    missing = []
    if n < holes:
        missing.append("no holes" if n == 0 else "only one hole")
    if bends and not ctx.features.bends:
        missing.append("no bends")
    if missing:
        raise NotApplicable(" and ".join(missing))


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


def hole_to_edge(ctx: PartCheck, rule: Rule) -> list[Finding]:
    """From each hole to the nearest cut edge of the sheet (not the faces round the hole)."""
    t, edges = ctx.sheet.t(), ctx.sheet.edges
    _need(ctx, holes=1)
    out = []
    for h in ctx.features.holes:
        near = tuple(sorted(edges - set().union(*(ctx.probe.neighbours[i] for i in h.faces))))
        got = _distance(ctx.probe, h.faces, near, _reach(rule, t))
        if got:
            out.append(ctx.finding(rule, got[0], "mm", f"{cap(ctx.hole_name(h))} is {got[0]:.2f} mm from the edge of the sheet",
                                   limits=limits_for(rule, t), faces=h.faces, point=got[1], feature=ctx.hole_name(h)))
    return keep(out)


def hole_to_bend(ctx: PartCheck, rule: Rule) -> list[Finding]:
    """From each hole to each bend's faces, against a limit in t plus the bend's radius."""
    t = ctx.sheet.t()
    _need(ctx, holes=1, bends=True)
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
    t, holes = ctx.sheet.t(), ctx.features.holes
    _need(ctx, holes=2)
    out = []
    for i, a in enumerate(holes):
        for b in holes[i + 1:]:
            da, db = np.array(a.direction), np.array(b.direction)
            if abs(abs(float(da @ db)) - 1) > 1e-6:
                continue
            gap = np.array(b.entry) - np.array(a.entry)
            if abs(float(gap @ da)) > t + 1e-6:
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
    t, probe, skins = ctx.sheet.t(), ctx.probe, ctx.sheet.skins
    _need(ctx, bends=True)
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


def flat_pattern(ctx: PartCheck, rule: Rule) -> list[Finding]:
    """The part is cut from one sheet: a bent part unfolds into one blank (the flat pattern
    its DXF and drawing show), a flat part is one plate. Counts 1 when it does not, with why
    (the bend and its faces: geometry/unfold.py, profile.py)."""
    from techpack.geometry.profile import NotFlat
    from techpack.geometry.unfold import UnfoldError

    ctx.sheet.t()  # not applicable to a part that is not a sheet (sheet-thickness-uniform says so)
    try:
        flat = ctx.built.flat
    except (UnfoldError, NotFlat) as exc:
        what = "The part cannot be unfolded" if ctx.features.bends else "The part is not one flat plate"
        return keep([ctx.finding(rule, 1.0, "count", f"{what}: {exc}", faces=_faces_named(str(exc), ctx.probe.n_faces),
                                 needs="a shop cuts it from a DXF of its blank: model it as planar flanges joined by cylindrical bends of the sheet's thickness")])
    ctx.measured["flat_mm"] = [round(v, 2) for v in flat.size]
    return []


def _faces_named(message: str, n_faces: int) -> tuple[int, ...]:
    """The face ids an unfolding error names ("faces 7, 9", "face 12")."""
    ids = []
    for group in re.findall(r"\bfaces? ((?:\d+(?:, | and )?)+)", message):
        ids += [int(x) for x in re.findall(r"\d+", group)]
    return tuple(sorted({i for i in ids if 1 <= i <= n_faces}))

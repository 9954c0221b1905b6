"""What a drawing writes for each feature, apart from where it goes: hole callouts from the
model (ISO 129-1 and ISO 15786 forms), the spec's tolerances on them, size tolerances on
faces, geometric tolerance frames (ISO 1101) and the characteristics the inspection plan
measures. Values in mm: the spec's lengths are converted from the product's units."""

from __future__ import annotations

from techpack.geometry.bores import Bore, bore_text
from techpack.geometry.features import Chamfer, Hole, Radius, Slot
from techpack.geometry.part import mm_per_unit as unit
from techpack.inspection import fmt, size_limits
from techpack.spec.model import Feature
from techpack.standards.threads import parse_thread

def hole_groups(holes: tuple[Hole, ...], selections=(), bore_of=lambda h: None) -> list[list[Hole]]:
    """Holes alike in size, depth, counterbore, countersink and direction (drilled from the
    same side), in alike bores, and selected by the same feature, one callout each. A bore
    (geometry/bores.py) is called out once, at its narrowest hole, whatever steps of it
    features.py also reads as holes."""
    groups: dict[tuple, list[Hole]] = {}
    seen: set[int] = set()  # bores already called out: a bore's counterbore or step is one of its holes too
    for h in sorted(holes, key=lambda h: h.diameter_mm):
        bore = bore_of(h)
        if bore is not None:
            if id(bore) in seen:
                continue
            seen.add(id(bore))
        rounded = lambda v: v and tuple(round(x, 2) for x in v)  # noqa: E731 - (diameter, depth or angle)
        depth = None if h.through else round(h.depth_mm, 2)  # a through hole is THRU however long
        owner = next((s.index for s in selections if any(set(h.faces) == set(o.faces) for o in s.holes)), None)
        key = (round(h.diameter_mm, 3), h.through, depth, rounded(h.counterbore), rounded(h.countersink), tuple(round(c, 3) + 0.0 for c in h.direction), owner,
               bore_text(bore) if bore else None)
        groups.setdefault(key, []).append(h)
    return list(groups.values())


def count(n: int) -> str:
    return f"{n}× " if n > 1 else ""


def hole_text(group: list[Hole], bore: Bore | None = None) -> str:
    """`4× Ø6.6 THRU`, `Ø5 ↧12`, `Ø10 THRU, CBORE Ø16 ↧4`, `Ø5 THRU, CSK Ø10 × 90°`: from the
    hole's whole bore when there is one (every segment, depths from the surface where the
    hole starts), else from the hole."""
    if bore is not None:
        return f"{count(len(group))}{bore_text(bore)}"
    h = group[0]
    depth = "THRU" if h.through else f"↧{fmt(h.depth_mm)}"
    text = f"{count(len(group))}Ø{fmt(h.diameter_mm)} {depth}"
    if h.counterbore:
        text += f", CBORE Ø{fmt(h.counterbore[0])} ↧{fmt(h.counterbore[1])}"
    if h.countersink:
        text += f", CSK Ø{fmt(h.countersink[0])} × {fmt(h.countersink[1])}°"
    return text


def spec_feature_for(group: list[Hole], selections) -> Feature | None:
    """The spec feature whose selection holds these holes (matched by their faces, so that
    the holes of a part turned for its drawing match too)."""
    faces = set(group[0].faces)
    return next((s.feature for s in selections if any(faces == set(h.faces) for h in s.holes)), None)


def hole_callout(group: list[Hole], feature: Feature | None, units: str, far_side: bool = False, bore: Bore | None = None) -> str:
    """The callout of a group of holes with the spec's fit, limit deviations or thread;
    `far_side` when they enter from the side facing away from the view (blind holes and
    counterbores drilled from underneath; not a through hole alike at both ends)."""
    text = _hole_callout(group, feature, units, bore)
    h = group[0]
    plain = (bore.through and (len(bore.segments) == 1 or "BOTH ENDS" in text)) if bore else (h.through and not h.counterbore and not h.countersink)
    if far_side and not plain:
        if "; FAR SIDE " in text:  # machined from both ends: the viewer's end first
            near, far = text.split("; FAR SIDE ", 1)
            lead = near[:len(count(len(group)))]
            text = f"{lead}{far}; FAR SIDE {near[len(lead):]}"
        else:
            text += ", FAR SIDE"
    return text


def _hole_callout(group: list[Hole], feature: Feature | None, units: str, bore: Bore | None = None) -> str:
    h = group[0]
    text = hole_text(group, bore)
    if feature is None:
        return text
    if feature.thread:
        thread = parse_thread(feature.thread)
        depth = f" ↧{fmt(feature.depth * unit(units))}" if feature.depth else "" if not h.through else " THRU"
        # the model's hole when it is a tap drill for this thread (between D - 1.3 P and D), else D - P
        drill = h.diameter_mm if thread.nominal_mm - 1.3 * thread.pitch_mm < h.diameter_mm < thread.nominal_mm else thread.tap_drill_mm
        drill_depth = "" if h.through else f" ↧{fmt(h.depth_mm)}"
        return f"{count(len(group))}{thread.designation}{depth}, tap drill Ø{fmt(drill)}{drill_depth}"
    nominal = float(feature.select["hole"]) * unit(units)  # the spec's size: the plan's nominal and limits
    limits = size_limits(nominal, feature, unit(units))
    if limits:
        text = text.replace(f"Ø{fmt(h.diameter_mm)} ", f"Ø{fmt(nominal, 4)} {limits[0]} ", 1)
    return text


def radius_groups(radii: tuple[Radius, ...], neighbours, normals) -> list[list[Radius]]:
    """Radii of one size within one feature, one callout each: alike radii that run into a
    common side face (the four corners of a pocket, joined by its walls) are one group; the
    faces that cap a radius's ends (a pocket's floor, the part's top) join nothing, or every
    pocket would be one. neighbours: face id -> ids it touches; normals: face id -> a unit
    normal (a plane's)."""
    groups: list[list[Radius]] = []
    for size in sorted({round(r.radius_mm, 2) for r in radii}):
        alike = [r for r in radii if round(r.radius_mm, 2) == size]
        around = [{g for f in r.faces for g in neighbours[f] if abs(float(normals[g] @ r.axis_direction)) < 0.99} | set(r.faces) for r in alike]
        parent = list(range(len(alike)))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for i in range(len(alike)):
            for j in range(i + 1, len(alike)):
                if around[i] & around[j]:
                    parent[root(j)] = root(i)
        joined: dict[int, list[Radius]] = {}
        for i, r in enumerate(alike):
            joined.setdefault(root(i), []).append(r)
        groups += sorted(joined.values(), key=lambda g: tuple(round(c, 6) for c in g[0].mid_point))
    return groups


def radius_text(group: list[Radius]) -> str:
    return f"{count(len(group))}R{fmt(group[0].radius_mm)}"


def engraving_text(e) -> str:
    """One callout for a region of lettering or marks: its depth and its characters' height."""
    return f"ENGRAVE ↧{fmt(e.depth_mm)}, CHARACTERS {fmt(e.height_mm, 1)} HIGH"


def chamfer_groups(chamfers: tuple[Chamfer, ...]) -> list[list[Chamfer]]:
    groups: dict[tuple, list[Chamfer]] = {}
    for c in chamfers:
        groups.setdefault((*sorted(round(v, 2) for v in c.legs_mm), round(c.angle_deg, 1)), []).append(c)
    return [groups[k] for k in sorted(groups)]


def chamfer_text(group: list[Chamfer]) -> str:
    """`4× 1 × 45°` for equal legs (ISO 129-1 fig. 57), else `4× 2 × 1`."""
    a, b = group[0].legs_mm
    if abs(a - b) < 0.01 and abs(group[0].angle_deg - 45) < 0.5:  # equal legs on a square edge
        return f"{count(len(group))}{fmt(a)} × 45°"
    return f"{count(len(group))}{fmt(max(a, b))} × {fmt(min(a, b))}"


def slot_groups(slots: tuple[Slot, ...]) -> list[list[Slot]]:
    groups: dict[tuple, list[Slot]] = {}
    for s in slots:
        groups.setdefault((round(s.width_mm, 2), round(s.length_mm, 2), s.through, round(s.depth_mm, 2)), []).append(s)
    return [groups[k] for k in sorted(groups)]


def slot_text(group: list[Slot]) -> str:
    """`2× SLOT 8 × 20 THRU`: width × overall length, then depth."""
    s = group[0]
    depth = "THRU" if s.through else f"↧{fmt(s.depth_mm)}"
    return f"{count(len(group))}SLOT {fmt(s.width_mm)} × {fmt(s.length_mm)} {depth}"

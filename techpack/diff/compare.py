"""Compare two snapshots: per part (matched by part number) and per hardware item, only what
changed, each change one line a supplier can read.

Geometry: the volume, the exact bounding box, the faces (each matched to a face of the other
side with the same surface kind, area, centroid and second moments of area: unchanged; else
the same but for its place: moved; else on the same surface: reshaped; else added or
removed) and the recognised holes (moved, resized in place, added, removed). Positions
compare within the model's position tolerance (geometry/tolerance.py), areas and volumes to
a millionth. Dimensions and tolerances: the numbered characteristics (what the drawing
balloons and the inspection plan measures: nominal, limits, count) and what a spec feature
says beyond them (selection, datum, masking, cosmetic class).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from techpack.diff.snapshot import (
    FEATURE_KEYS,
    TOLERANCE_KEYS,
    FaceSig,
    Geometry,
    HoleSig,
    PartSnap,
    Snapshot,
)

RELATIVE = 1e-6  # areas, volumes and second moments that differ by less are the same
PARALLEL = 1e-6  # 1 - |cos| of two directions that are one


@dataclass(frozen=True)
class Change:
    """One change: its kind (geometry, hole, characteristic, feature, part, or the attribute:
    material, finish, qty, ...), a line for people, and the values before and after."""

    kind: str
    text: str
    old: Any = None
    new: Any = None

    def to_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text, "old": self.old, "new": self.new}


@dataclass
class ItemChanges:
    """What changed on one part or hardware item; status: changed, added or removed."""

    number: str
    name: str
    status: str
    changes: list[Change]
    geometry: dict | None = None  # the geometry's details, when it changed
    old: PartSnap | None = field(default=None, repr=False)
    new: PartSnap | None = field(default=None, repr=False)

    @property
    def lines(self) -> list[str]:
        return [c.text for c in self.changes]

    def to_dict(self) -> dict:
        return {"number": self.number, "name": self.name, "status": self.status, "lines": self.lines,
                "changes": [c.to_dict() for c in self.changes], "geometry": self.geometry}


@dataclass
class Diff:
    old: Snapshot
    new: Snapshot
    product: list[Change]
    parts: list[ItemChanges]
    hardware: list[ItemChanges]

    @property
    def empty(self) -> bool:
        return not (self.product or self.parts or self.hardware)

    def to_dict(self) -> dict:
        side = lambda s: {"label": s.label, "revision": s.revision, "commit": s.commit}  # noqa: E731
        return {"product": self.new.number or self.old.number, "old": side(self.old), "new": side(self.new),
                "changed": not self.empty, "product_changes": [c.to_dict() for c in self.product],
                "parts": [p.to_dict() for p in self.parts], "hardware": [h.to_dict() for h in self.hardware]}


# --- words ------------------------------------------------------------------------------------


def mm(v: float, places: int = 2) -> str:
    """A length as printed: to 0.01 mm, trailing zeros dropped, no -0."""
    text = f"{v:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def grouped(v: float, places: int = 1) -> str:
    """215 430.2: thousands set apart by a space."""
    whole, _, frac = f"{abs(v):,.{places}f}".partition(".")
    return ("-" if v < 0 else "") + whole.replace(",", " ") + (f".{frac}" if frac else "")


def point(p) -> str:
    return "(" + ", ".join(mm(c) for c in p) + ")"


def shown(value: Any) -> str:
    if value is None or value == []:
        return "none"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {shown(v)}" for k, v in value.items() if v not in (None, [], False))
    if isinstance(value, float):
        return mm(value, 4)
    return str(value)


# --- attributes -----------------------------------------------------------------------------


def _attrs(old: dict, new: dict) -> list[Change]:
    out = []
    for key, value in new.items():
        if key in old and old[key] != value:
            text = f"qty {old[key]} -> {value}" if key == "qty" else f"{key}: {shown(old[key])} -> {shown(value)}"
            out.append(Change(key, text, old[key], value))
    return out


def _finish(old: PartSnap, new: PartSnap) -> list[Change]:
    a, b = old.attrs["finish"], new.attrs["finish"]
    if a != b:
        return [Change("finish", f"finish: {shown(a)} -> {shown(b)}", a, b)]
    if old.finish_params != new.finish_params:  # a parameter the one-line description does not show
        params = sorted({k for (_, was), (_, now) in zip(old.finish_params, new.finish_params) for k, v in set(was) ^ set(now)})
        return [Change("finish", f"finish: {shown(b)}: {', '.join(params) or 'parameters'} changed",
                       [list(x) for x in old.finish_params], [list(x) for x in new.finish_params])]
    return []


# --- features and characteristics ------------------------------------------------------------


def _char_text(c: dict) -> str:
    limits = f" ({mm(c['lower'], 4)} .. {mm(c['upper'], 4)} {c['unit']})" if c.get("upper") is not None and c.get("lower") is not None and c["kind"] in ("size",) else ""
    count = f"{c['count']}× " if c.get("count", 1) > 1 else ""
    return f"{count}{c['text']}{limits}"


def _features(old: PartSnap, new: PartSnap) -> list[Change]:
    both = old.characteristics is not None and new.characteristics is not None
    keys = FEATURE_KEYS if both else FEATURE_KEYS + TOLERANCE_KEYS
    out = []
    for name, f in new.features.items():
        if name not in old.features:
            chars = [_char_text(c) for c in new.characteristics or [] if c["feature"] == name]
            out.append(Change("feature", f"feature '{name}' added" + (f": {', '.join(chars)}" if chars else ""), None, f))
            continue
        for key in keys:
            a, b = old.features[name].get(key), new.features[name].get(key)
            if a != b:
                out.append(Change("feature", f"{name}: {key} {shown(a)} -> {shown(b)}", a, b))
    for name, f in old.features.items():
        if name not in new.features:
            chars = [_char_text(c) for c in old.characteristics or [] if c["feature"] == name]
            out.append(Change("feature", f"feature '{name}' removed" + (f" (was {', '.join(chars)})" if chars else ""), f, None))
    if both:
        out += _characteristics(old, new)
    return out


def _keyed(chars: list[dict], skip: set[str]) -> dict[tuple, dict]:
    """Characteristics by (feature, kind, k-th of that kind), leaving out features in skip."""
    seen: dict[tuple, int] = {}
    out = {}
    for c in chars:
        if c["feature"] in skip:
            continue
        k = (c["feature"], c["kind"])
        seen[k] = seen.get(k, 0) + 1
        out[k + (seen[k],)] = c
    return out


def _characteristics(old: PartSnap, new: PartSnap) -> list[Change]:
    """Characteristics of features on both sides: their nominal, limits, count, criticality."""
    skip = set(old.features) ^ set(new.features)
    a, b = _keyed(old.characteristics, skip), _keyed(new.characteristics, skip)
    out = []
    for key, c in b.items():
        name = key[0]
        if key not in a:
            out.append(Change("characteristic", f"{name}: {_char_text(c)} added", None, c))
            continue
        was = a[key]
        if was == c:
            continue
        if was["text"] != c["text"] or was.get("unit") != c.get("unit"):
            text = f"{name}: {_char_text(was)} -> {_char_text(c)}"
        elif (was["lower"], was["upper"]) != (c["lower"], c["upper"]):
            text = f"{name} {c['text']}: limits {shown(was['lower'])} .. {shown(was['upper'])} -> {shown(c['lower'])} .. {shown(c['upper'])} {c['unit']}"
        elif was["count"] != c["count"]:
            text = f"{name} {c['text']}: {was['count']}× -> {c['count']}×"
        elif was["critical"] != c["critical"]:
            text = f"{name} {c['text']}: {'critical' if was['critical'] else 'not critical'} -> {'critical' if c['critical'] else 'not critical'}"
        else:
            fields = [k for k in c if c[k] != was.get(k)]
            text = f"{name} {c['text']}: {', '.join(fields)} changed"
        out.append(Change("characteristic", text, was, c))
    out += [Change("characteristic", f"{key[0]}: {_char_text(c)} removed", c, None) for key, c in a.items() if key not in b]
    return out


# --- geometry -------------------------------------------------------------------------------


def _face_arrays(faces: tuple[FaceSig, ...]):
    n = len(faces)
    area = np.array([f.area for f in faces]) if n else np.zeros(0)
    cen = np.array([f.centroid for f in faces]) if n else np.zeros((0, 3))
    sizes = np.zeros((n, 2))
    dirs = np.zeros((n, 3))
    pts = np.zeros((n, 3))
    mom = np.zeros((n, 6))
    for i, f in enumerate(faces):
        sizes[i, :len(f.sizes)] = f.sizes
        if f.direction is not None:
            dirs[i] = f.direction
        if f.point is not None:
            pts[i] = f.point
        mom[i] = f.moments
    return area, cen, sizes, dirs, pts, mom


def _pairs(ok: np.ndarray, dist: np.ndarray, free_a: np.ndarray, free_b: np.ndarray) -> list[tuple[int, int]]:
    """Greedy pairs of (a, b) where ok, nearest first, each used once."""
    cand = np.argwhere(ok & free_a[:, None] & free_b[None, :])
    order = np.argsort(dist[cand[:, 0], cand[:, 1]], kind="stable")
    out = []
    for i, j in cand[order]:
        if free_a[i] and free_b[j]:
            free_a[i] = free_b[j] = False
            out.append((int(i), int(j)))
    return out


def match_faces(old: tuple[FaceSig, ...], new: tuple[FaceSig, ...], tol: float) -> dict[str, list]:
    """Faces moved (same kind, sizes, area and second moments, another place), reshaped (on the
    same surface, another area, centroid or outline), removed and added; the rest unchanged."""
    A, B = _face_arrays(old), _face_arrays(new)
    ka, kb = np.array([f.kind for f in old]), np.array([f.kind for f in new])
    kind = ka[:, None] == kb[None, :] if len(old) and len(new) else np.zeros((len(old), len(new)), dtype=bool)
    area = np.abs(A[0][:, None] - B[0][None, :]) <= RELATIVE * np.maximum(A[0][:, None], B[0][None, :]) + 1e-9
    dist = np.linalg.norm(A[1][:, None] - B[1][None, :], axis=-1)
    sizes = np.all(np.abs(A[2][:, None] - B[2][None, :]) <= tol, axis=-1)
    parallel = np.abs(np.einsum("ik,jk->ij", A[3], B[3])) >= 1 - PARALLEL
    has_dir = (np.linalg.norm(A[3], axis=1)[:, None] > 0) | (np.linalg.norm(B[3], axis=1)[None, :] > 0)
    parallel |= ~has_dir
    scale = np.maximum(np.abs(A[5][:, :3]).sum(axis=1)[:, None], np.abs(B[5][:, :3]).sum(axis=1)[None, :])
    moments = np.all(np.abs(A[5][:, None] - B[5][None, :]) <= RELATIVE * scale[..., None] + 1e-9, axis=-1)
    same_shape = kind & area & sizes & parallel & moments
    free_a, free_b = np.ones(len(old), dtype=bool), np.ones(len(new), dtype=bool)
    _pairs(same_shape & (dist <= tol), dist, free_a, free_b)  # unchanged
    moved = _pairs(same_shape, dist, free_a, free_b)
    # on the same surface: a plane's offset along its normal, an axis's point, a sphere's centre
    gap = np.linalg.norm(A[4][:, None] - B[4][None, :], axis=-1)
    plane = (ka[:, None] == "plane") & (kb[None, :] == "plane")
    offset = np.abs(np.einsum("ijk,jk->ij", A[4][:, None] - B[4][None, :], B[3])) if len(old) and len(new) else gap
    surface = kind & sizes & parallel & np.where(plane, offset <= tol, gap <= tol) & (ka[:, None] != "other")
    changed = _pairs(surface, dist, free_a, free_b)
    face = lambda f: {"kind": f.kind, "area_mm2": round(f.area, 3), "centroid_mm": [round(c, 3) for c in f.centroid]}  # noqa: E731
    return {
        "moved": [{"old": face(old[i]), "new": face(new[j])} for i, j in moved],
        "reshaped": [{"old": face(old[i]), "new": face(new[j])} for i, j in changed],
        "removed": [face(old[i]) for i in np.nonzero(free_a)[0]],
        "added": [face(new[j]) for j in np.nonzero(free_b)[0]],
    }


def _hole_words(h: HoleSig) -> str:
    extra = ""
    if h.counterbore:
        extra += f", counterbore Ø{mm(h.counterbore[0])}"
    if h.countersink:
        extra += f", countersink Ø{mm(h.countersink[0])}"
    return f"Ø{mm(h.diameter)}{' through' if h.through else f' {mm(h.depth)} deep'}{extra}"


def _where(h: HoleSig) -> tuple[float, ...]:
    """A hole's position as shown: its entry, across its axis when that is X, Y or Z
    (a hole along Z at (x, y)), else in 3-D."""
    d = np.abs(np.asarray(h.direction))
    axis = int(np.argmax(d))
    if d[axis] > 1 - PARALLEL:
        return tuple(c for k, c in enumerate(h.entry) if k != axis)
    return tuple(h.entry)


def _ends(h: HoleSig) -> np.ndarray:
    """The two ends of a through hole's axis (it is the same hole entered from either end), or
    the entry of a blind one, twice."""
    e = np.asarray(h.entry)
    return np.stack([e, e + np.asarray(h.direction) * h.depth]) if h.through else np.stack([e, e])


def _hole_place(a: HoleSig, b: HoleSig, tol: float) -> bool:
    ea, eb = _ends(a), _ends(b)
    straight = np.linalg.norm(ea - eb, axis=1).max() <= tol
    crossed = np.linalg.norm(ea - eb[::-1], axis=1).max() <= tol and a.through and b.through
    axis = abs(float(np.dot(a.direction, b.direction))) >= 1 - PARALLEL
    return axis and (straight or crossed)


def _near(a: tuple | None, b: tuple | None, tol: float) -> bool:
    """Two optional sizes (a counterbore's diameter and depth, ...) the same within tol."""
    return a is None and b is None or a is not None and b is not None and max(abs(x - y) for x, y in zip(a, b)) <= tol


def _same_kind(a: HoleSig, b: HoleSig, tol: float) -> bool:
    """The same hole but for where it is: diameter, depth (blind), bottom, counterbore, countersink."""
    return (abs(a.diameter - b.diameter) <= tol and a.through == b.through and a.bottom == b.bottom
            and (a.through or abs(a.depth - b.depth) <= tol) and _near(a.counterbore, b.counterbore, tol)
            and _near(a.countersink, b.countersink, tol))


def match_holes(old: tuple[HoleSig, ...], new: tuple[HoleSig, ...], tol: float) -> list[Change]:
    """Holes moved, changed in place, added, removed, matched nearest first."""
    left, right = list(range(len(old))), list(range(len(new)))
    same = lambda a, b: _same_kind(a, b, tol)  # noqa: E731

    def take(ok, dist) -> list[tuple[int, int]]:
        cand = sorted((dist(old[i], new[j]), i, j) for i in left for j in right if ok(old[i], new[j]))
        out = []
        for _, i, j in cand:
            if i in left and j in right:
                left.remove(i)
                right.remove(j)
                out.append((i, j))
        return out

    gap = lambda a, b: float(np.linalg.norm(_ends(a) - _ends(b), axis=1).min())  # noqa: E731
    take(lambda a, b: same(a, b) and _hole_place(a, b, tol), gap)  # unchanged
    out = []
    for i, j in take(lambda a, b: same(a, b) and abs(abs(float(np.dot(a.direction, b.direction))) - 1) <= PARALLEL, gap):
        a, b = old[i], new[j]
        out.append(Change("hole", f"hole {_hole_words(a)} moved from {point(_where(a))} to {point(_where(b))}",
                          {"diameter_mm": a.diameter, "entry_mm": list(a.entry)}, {"diameter_mm": b.diameter, "entry_mm": list(b.entry)}))
    for i, j in take(lambda a, b: _hole_place(a, b, tol) or np.linalg.norm(np.subtract(a.entry, b.entry)) <= tol, gap):
        a, b = old[i], new[j]
        out.append(Change("hole", f"hole at {point(_where(b))}: {_hole_words(a)} -> {_hole_words(b)}",
                          {"diameter_mm": a.diameter, "depth_mm": a.depth, "entry_mm": list(a.entry)},
                          {"diameter_mm": b.diameter, "depth_mm": b.depth, "entry_mm": list(b.entry)}))
    out += [Change("hole", f"hole {_hole_words(old[i])} at {point(_where(old[i]))} removed", {"diameter_mm": old[i].diameter, "entry_mm": list(old[i].entry)}) for i in left]
    out += [Change("hole", f"hole {_hole_words(new[j])} added at {point(_where(new[j]))}", None, {"diameter_mm": new[j].diameter, "entry_mm": list(new[j].entry)}) for j in right]
    return out


def compare_geometry(old: Geometry, new: Geometry) -> tuple[list[Change], dict | None]:
    """The geometry line and the hole lines, and the details; nothing when the solids are the same."""
    tol = max(old.tolerance, new.tolerance)
    faces = match_faces(old.faces, new.faces, tol)
    volume = abs(old.volume - new.volume) > RELATIVE * max(old.volume, new.volume)
    box = np.abs(np.subtract(old.box, new.box)).max() > tol
    if not (volume or box or any(faces.values())):
        return [], None
    delta = new.volume - old.volume
    bits = [f"volume {grouped(old.volume)} -> {grouped(new.volume)} mm³ ({'+' if delta > 0 else ''}{grouped(delta)})" if volume
            else f"volume {grouped(new.volume)} mm³ unchanged"]
    size_a, size_b = np.subtract(old.box[3:], old.box[:3]), np.subtract(new.box[3:], new.box[:3])
    if np.abs(size_a - size_b).max() > tol:
        bits.append(f"size {' × '.join(mm(v) for v in size_a)} -> {' × '.join(mm(v) for v in size_b)} mm")
    elif box:
        bits.append(f"bounding box moved by {point(np.subtract(new.box[:3], old.box[:3]))}")
    counts = [f"{len(v)} {k}" for k, v in faces.items() if v]
    if counts:
        bits.append(f"faces: {', '.join(counts)}")
    text = "geometry: " + "; ".join(bits)
    details = {"volume_mm3": [round(old.volume, 3), round(new.volume, 3)],
               "box_mm": [[round(v, 4) for v in old.box], [round(v, 4) for v in new.box]],
               "faces": faces, "tolerance_mm": tol}
    return [Change("geometry", text, round(old.volume, 3), round(new.volume, 3)), *match_holes(old.holes, new.holes, tol)], details


# --- the whole ------------------------------------------------------------------------------


def _part_added(p: PartSnap) -> str:
    a = p.attrs
    return "added: " + ", ".join(str(v) for v in (a["material"], a["process"], f"qty {a['qty']}", a["supplier"]) if v)


def compare(old: Snapshot, new: Snapshot) -> Diff:
    """What changed from old to new: the product's attributes, then each part and hardware item
    with a change (new ones in the new spec's order, removed ones after)."""
    parts = []
    for number, b in new.parts.items():
        a = old.parts.get(number)
        if a is None:
            parts.append(ItemChanges(number, b.name, "added", [Change("part", _part_added(b))], new=b))
            continue
        geometry, details = compare_geometry(a.geometry, b.geometry)
        changes = _attrs({k: v for k, v in a.attrs.items() if k != "finish"}, {k: v for k, v in b.attrs.items() if k != "finish"})
        changes = geometry + _ordered(changes, _finish(a, b)) + _features(a, b)
        if changes:
            parts.append(ItemChanges(number, b.name, "changed", changes, details, a, b))
    parts += [ItemChanges(n, a.name, "removed", [Change("part", "removed")], old=a) for n, a in old.parts.items() if n not in new.parts]
    hardware = []
    for number, b in new.hardware.items():
        a = old.hardware.get(number)
        if a is None:
            hardware.append(ItemChanges(number, b["name"], "added", [Change("part", f"added: qty {b['qty']}" + (f", {b['supplier']}" if b["supplier"] else ""))]))
        elif changes := _attrs(a, b):
            hardware.append(ItemChanges(number, b["name"], "changed", changes))
    hardware += [ItemChanges(n, a["name"], "removed", [Change("part", "removed")]) for n, a in old.hardware.items() if n not in new.hardware]
    return Diff(old, new, _attrs(old.product, new.product), parts, hardware)


ORDER = ("name", "material", "process", "finish", "qty", "spares", "supplier", "surface", "general tolerance", "cosmetic class", "thickness", "description")


def _ordered(attrs: list[Change], finish: list[Change]) -> list[Change]:
    """Attribute changes in the order a supplier reads a part: material, process, finish, qty, ..."""
    return sorted(attrs + finish, key=lambda c: ORDER.index(c.kind) if c.kind in ORDER else len(ORDER))

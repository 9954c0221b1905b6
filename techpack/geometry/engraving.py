"""Engraving: shallow lettering and marks cut into a face, recognised as one feature per region.

A floor is a plane the tool reaches end-on from direction d (its normal within 5° of d: the
letters may be cut into a drafted face); its walls are its neighbours square to the floor
(every sample's normal within WALL_COS of square) that rise from the floor's level by no
more than the process's engraving depth. A floor with its
walls is one letter or mark; letters cut to one depth into the same face are one region.
A region with at least `min_faces` faces is an engraving: its depth is the tallest wall, its
stroke the narrowest gap across its walls (rays from each wall across the cut to the wall
facing it). A shallow recess with few faces (a plain pocket) is not an engraving.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from techpack.geometry.access import PARALLEL, Access
from techpack.geometry.probe import Probe
from techpack.geometry.tolerance import RAY_LIFT_MM, coincident_mm

WALL_COS = 0.02  # a wall's normals are within about 1° of square to its floor
FLOOR_COS = np.cos(np.radians(5.0))  # a floor faces the tool within 5° (lettering on a drafted face)


@dataclass(frozen=True)
class Engraving:
    direction: str  # the tool's direction, as Access names it ("+X")
    faces: tuple[int, ...]  # floors and walls
    floors: tuple[int, ...]
    surface: int | None  # the face it is cut into
    depth_mm: float
    stroke_mm: float | None  # the narrowest gap between facing walls; None if no wall faces another
    point: tuple[float, float, float]  # on a floor
    axis: tuple[float, float, float] = (0.0, 0.0, 1.0)  # unit: the tool comes from here (out of the floors)
    height_mm: float = 0.0  # the characters' height: the region's smaller extent across the axis

    def to_dict(self) -> dict:
        return {"direction": self.direction, "faces": list(self.faces), "surface": self.surface, "depth_mm": round(self.depth_mm, 4),
                "height_mm": round(self.height_mm, 4),
                "stroke_mm": None if self.stroke_mm is None else round(self.stroke_mm, 4), "point": [round(c, 4) for c in self.point]}


def find_engravings(probe: Probe, access: Access, max_depth_mm: float, min_faces: int) -> list[Engraving]:
    s = probe.samples
    tol = coincident_mm(probe.diagonal)
    normals = probe.first_normals
    has = set(np.unique(s.faces).tolist())
    groups: dict[tuple, list[tuple[int, list[int], float]]] = {}
    taken: set[int] = set()
    for k, d in enumerate(access.directions):
        name = access.names[k]
        for floor in range(1, probe.n_faces + 1):
            if probe.surface_types[floor] != "plane" or floor not in has or floor in taken or float(normals[floor] @ d) < FLOOR_COS:
                continue
            if not access.reaches(floor, d):
                continue
            nf = normals[floor]  # the letters stand square to their floor, on a drafted face too
            level = float(probe.first_point(floor) @ nf)
            walls, depth = [], 0.0
            for g in sorted(probe.neighbours[floor]):
                mask = s.faces == g
                if not mask.any() or np.abs(s.normals[mask] @ nf).max() > WALL_COS:
                    continue
                lo, hi = probe.span(g, nf)
                if abs(lo - level) <= tol and hi - level <= max_depth_mm + tol:
                    walls.append(g)
                    depth = max(depth, hi - level)
            if len(walls) < 3 or depth <= tol:
                continue
            taken.add(floor)
            tops = set().union(*(probe.neighbours[w] for w in walls)) - set(walls) - {floor}
            surface = [t for t in tops if t in has and float(normals[t] @ nf) >= PARALLEL
                       and abs(float(probe.first_point(t) @ nf) - level - depth) <= tol]
            key = (name, round(depth / max(tol, 1e-9)), max(surface, key=lambda t: probe.areas[t]) if surface else -floor)
            groups.setdefault(key, []).append((floor, walls, depth))
    out = []
    for (name, _, surface), letters in groups.items():
        faces = sorted({f for floor, walls, _ in letters for f in (floor, *walls)})
        if len(faces) < min_faces:
            continue
        walls = sorted({w for _, ws, _ in letters for w in ws})
        floors = tuple(sorted(floor for floor, _, _ in letters))
        point = tuple(float(c) for c in probe.first_point(floors[0]))
        axis = access.directions[access.names.index(name)]
        out.append(Engraving(name, tuple(faces), floors, surface if surface > 0 else None, max(dp for _, _, dp in letters),
                             _stroke(probe, walls), point, tuple(float(c) for c in axis), _height(probe, faces, axis)))
    return sorted(out, key=lambda e: e.faces)


def _height(probe: Probe, faces: list[int], axis: np.ndarray) -> float:
    """The smaller of the region's two extents across the axis: the height of a line of text."""
    u = np.cross(axis, (1.0, 0.0, 0.0) if abs(axis[0]) < 0.9 else (0.0, 1.0, 0.0))
    u /= np.linalg.norm(u)
    v = np.cross(axis, u)
    extents = []
    for w in (u, v):
        spans = [probe.span(f, w) for f in faces]
        extents.append(max(hi for _, hi in spans) - min(lo for lo, _ in spans))
    return min(extents)


def _stroke(probe: Probe, walls: list[int]) -> float | None:
    """The narrowest gap across the cut: from each wall sample along its outward normal to
    the first face met, when that is a wall of the same engraving facing back."""
    s = probe.samples
    mask = np.isin(s.faces, walls)
    if not mask.any():
        return None
    hits = probe.rays(s.points[mask] + RAY_LIFT_MM * s.normals[mask], s.normals[mask])
    gaps = [h.distance + RAY_LIFT_MM for h, n in zip(hits, s.normals[mask])
            if h is not None and h.face in walls and float(h.normal @ n) < -0.9]
    return min(gaps) if gaps else None

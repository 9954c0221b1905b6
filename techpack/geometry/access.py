"""Tool access: from which directions a cutter reaches each face, and the setups a part needs.

A tool reaches a sample point of a face from direction d (the tool comes from +d, its axis
along d) when the face does not look away from d (n·d > -FACING) and a ray from just off
the point along +d leaves the part (Probe.free). A face is reached from d when at least
REACHED of its samples are.

The directions tried are those of a 3-axis mill with the part turned between setups: the
six principal ones. For what they leave unreached, the outward normals of the part's tilted
planes and the axes of its tilted holes are tried next (an indexed 3+2 setup).

The setups are the fewest of those directions from which every reachable sample is reached
(greedy set cover by area met end-on, as a shop faces a block top and bottom rather than
sweeping its bottom with the side of a tool; principal directions first); a face is cut in every setup that
reaches some of it first. A sample no direction reaches is unreachable: an enclosed void, the head
of a T-slot, an undercut.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from techpack.geometry.probe import Probe
from techpack.geometry.features import Features
from techpack.geometry.tolerance import RAY_LIFT_MM

FACING = 1e-3  # n·d above -FACING: the face does not look away from the tool (walls are reached from the side)
REACHED = 0.5  # share of a face's samples reached from d for the face to count as reached from d
PARALLEL = np.cos(np.radians(1.0))  # directions within 1° are one
END_ON_COS = 0.5  # a sample facing the tool within 60° is met end-on (a floor); others by the side of the tool
SIDE_WEIGHT = 1e-3  # a setup is chosen for what it meets end-on; what it only reaches side-on breaks ties
MAX_TILTED = 12  # tilted directions tried at most (largest planes first)
PRINCIPAL = {"+Z": (0, 0, 1), "-Z": (0, 0, -1), "+X": (1, 0, 0), "-X": (-1, 0, 0), "+Y": (0, 1, 0), "-Y": (0, -1, 0)}


@dataclass(frozen=True)
class Setup:
    """One way the part is clamped: the tool comes from `direction`."""

    name: str  # "+Z", or "(0.707, 0, 0.707)" for a tilted one
    direction: tuple[float, float, float]
    faces: tuple[int, ...]  # the faces cut in this setup


@dataclass(frozen=True)
class Access:
    names: tuple[str, ...]  # every direction tried
    directions: np.ndarray  # (k, 3) unit vectors, in the order of names
    share: np.ndarray  # (n_faces + 1, k): share of each face's samples reached from each direction
    setups: tuple[Setup, ...]
    unreached: dict[int, tuple[float, tuple[float, float, float]]]  # face -> (% of it no direction reaches, a point there)

    def reaches(self, face: int, direction: np.ndarray) -> bool:
        """Whether a tool along `direction` (one tried, within 1°) reaches the face."""
        k = self.index(direction)
        return k is not None and self.share[face, k] >= REACHED

    def index(self, direction: np.ndarray) -> int | None:
        dots = self.directions @ np.asarray(direction, dtype=float)
        k = int(np.argmax(dots))
        return k if dots[k] >= PARALLEL else None



def name(direction: np.ndarray) -> str:
    for key, v in PRINCIPAL.items():
        if float(np.dot(direction, v)) >= PARALLEL:
            return key
    return "(" + ", ".join(f"{round(float(c), 3) + 0.0:g}" for c in direction) + ")"


def tool_access(probe: Probe, features: Features) -> Access:
    s = probe.samples
    principal = np.array(list(PRINCIPAL.values()), dtype=float)
    free = _reach(probe, principal, np.ones(len(s.points), dtype=bool))
    names = list(PRINCIPAL)
    left = ~free.any(axis=1)
    tilted = _tilted(probe, features) if left.any() else np.zeros((0, 3))
    directions = principal
    if len(tilted):
        extra = _reach(probe, tilted, left)
        directions = np.vstack([principal, tilted])
        free = np.hstack([free, extra])
        names += [name(d) for d in tilted]
    area = probe.areas[s.faces] / np.maximum(np.bincount(s.faces, minlength=probe.n_faces + 1)[s.faces], 1)
    end_on = s.normals @ directions.T >= END_ON_COS
    weight = area[:, None] * np.where(end_on, 1.0, SIDE_WEIGHT)
    chosen = _cover(free, weight, n_principal=len(principal))
    share = np.zeros((probe.n_faces + 1, len(directions)))
    counts = np.bincount(s.faces, minlength=probe.n_faces + 1)
    for k in range(len(directions)):
        share[:, k] = np.bincount(s.faces, weights=free[:, k].astype(float), minlength=probe.n_faces + 1) / np.maximum(counts, 1)
    setups = _setups(probe, chosen, names, directions)
    unreached = {}
    trapped = ~free.any(axis=1)
    for fid in np.unique(s.faces[trapped]):
        mask = s.faces == fid
        point = s.points[mask][int(np.argmax(trapped[mask]))]
        unreached[int(fid)] = (100.0 * float(trapped[mask].mean()), tuple(float(c) for c in point))
    return Access(tuple(names), directions, share, setups, unreached)


def _reach(probe: Probe, directions: np.ndarray, which: np.ndarray) -> np.ndarray:
    """(n_samples, k) bool: sample i (where `which`) is reached from direction k."""
    s = probe.samples
    out = np.zeros((len(s.points), len(directions)), dtype=bool)
    idx = np.flatnonzero(which)
    for k, d in enumerate(directions):
        facing = s.normals[idx] @ d > -FACING
        rays = idx[facing]
        if len(rays):
            starts = s.points[rays] + RAY_LIFT_MM * s.normals[rays]
            out[rays, k] = probe.free(starts, np.broadcast_to(d, starts.shape), s.faces[rays])
    return out


def _tilted(probe: Probe, features: Features) -> np.ndarray:
    """Outward normals of planes and axes of holes that are not principal, largest planes first."""
    s = probe.samples
    found: list[tuple[float, np.ndarray]] = []
    for fid in range(1, probe.n_faces + 1):
        mask = s.faces == fid
        if probe.surface_types[fid] == "plane" and mask.any():
            found.append((float(probe.areas[fid]), s.normals[mask][0]))
    for h in features.holes:
        axis = np.array(h.direction, dtype=float)
        found += [(float(np.pi * h.diameter_mm * h.depth_mm), -axis), (0.0, axis)] if h.through else [(0.0, -axis)]
    out: list[np.ndarray] = []
    for _, d in sorted(found, key=lambda x: -x[0]):
        d = d / np.linalg.norm(d)
        if np.abs(d).max() >= PARALLEL or any(float(d @ o) >= PARALLEL for o in out):
            continue
        out.append(d)
        if len(out) == MAX_TILTED:
            break
    return np.array(out).reshape(-1, 3)


def _cover(free: np.ndarray, weight: np.ndarray, n_principal: int) -> list[tuple[int, np.ndarray]]:
    """The directions chosen, in order, each with the samples it reaches first: each adds the
    most not-yet-reached area, area the tool meets end-on first (weight (n_samples, k)), then
    principal directions while they add any, then tilted ones."""
    covered = np.zeros(len(free), dtype=bool)
    chosen: list[tuple[int, np.ndarray]] = []
    for pool in (range(n_principal), range(n_principal, free.shape[1])):
        while True:
            taken = {k for k, _ in chosen}
            gains = [(float(weight[free[:, k] & ~covered, k].sum()), -k) for k in pool if k not in taken]
            if not gains or max(gains)[0] <= 0:
                break
            k = -max(gains)[1]
            chosen.append((k, free[:, k] & ~covered))
            covered |= free[:, k]
    return chosen


def _setups(probe: Probe, chosen: list[tuple[int, np.ndarray]], names: list[str], directions: np.ndarray) -> tuple[Setup, ...]:
    """A setup's faces are those it reaches first (some of their samples): a face partly
    reached in two setups is cut in both."""
    s = probe.samples
    return tuple(Setup(names[k], tuple(float(c) for c in directions[k]), tuple(int(f) for f in np.unique(s.faces[first])))
                 for k, first in chosen)

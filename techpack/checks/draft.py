"""Draft against the pull direction, and undercuts (../shared/reference/dfm.md 4.1).

Signed draft of a face at a point: asin(n · p) with n the outward normal and p the unit
pull direction: 0° for a wall parallel to the pull, +90° for a face looking along it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from techpack.geometry.probe import Probe
from techpack.geometry.tolerance import RAY_LIFT_MM

EXEMPT_DEG = 89.5  # faces (nearly) perpendicular to the pull need no draft
VERTICAL_DEG = 0.01


@dataclass(frozen=True)
class FaceDraft:
    face: int
    min_deg: float  # signed, over the face's samples
    max_deg: float
    kind: str  # positive, negative, insufficient, vertical, straddle, exempt
    point: tuple[float, float, float]  # the sample with the least |draft|

    @property
    def draft_deg(self) -> float:
        """The face's draft: the smallest |angle| over it, with its sign."""
        return self.min_deg if abs(self.min_deg) < abs(self.max_deg) else self.max_deg


def face_drafts(probe: Probe, pull: np.ndarray, required_deg: float) -> list[FaceDraft]:
    """Each face's signed draft range and class against the pull and the required angle."""
    s = probe.samples
    angles = np.degrees(np.arcsin(np.clip(s.normals @ pull, -1, 1)))
    out = []
    for fid in range(1, probe.n_faces + 1):
        mask = s.faces == fid
        if not mask.any():
            continue
        a = angles[mask]
        lo, hi = float(a.min()), float(a.max())
        least = int(np.argmin(np.abs(a)))
        point = tuple(float(c) for c in s.points[mask][least])
        if np.all(np.abs(a) >= EXEMPT_DEG):
            kind = "exempt"
        elif lo < -VERTICAL_DEG and hi > VERTICAL_DEG and (lo < -required_deg or hi > required_deg) and (lo < 0 < hi):
            kind = "straddle"
        elif max(abs(lo), abs(hi)) < VERTICAL_DEG:
            kind = "vertical"
        elif min(abs(lo), abs(hi)) < required_deg or lo < 0 < hi:
            kind = "insufficient"
        else:
            kind = "positive" if lo > 0 else "negative"
        out.append(FaceDraft(fid, lo, hi, kind, point))
    return out


def undercuts(probe: Probe, pull: np.ndarray) -> dict[int, tuple[float, tuple[float, float, float]]]:
    """Faces with trapped samples: {face: (% of its samples trapped, a trapped point)}.

    A sample is trapped when it cannot leave along the direction(s) its normal allows:
    +pull if it faces along the pull, -pull if against it, either if it is parallel. Rays
    start RAY_LIFT_MM off the face, whatever the part's size (Probe.free)."""
    s = probe.samples
    facing = s.normals @ pull
    starts, dirs, owner = [], [], []
    for k, (p, n, f) in enumerate(zip(s.points, s.normals, facing)):
        options = [pull] if f > 1e-3 else [-pull] if f < -1e-3 else [pull, -pull]
        for d in options:
            starts.append(p + RAY_LIFT_MM * n)
            dirs.append(d)
            owner.append(k)
    owner = np.array(owner, dtype=int)
    leaves = probe.free(np.array(starts).reshape(-1, 3), np.array(dirs).reshape(-1, 3), s.faces[owner])
    free = np.zeros(len(s.points), dtype=bool)
    np.logical_or.at(free, owner, leaves)
    out = {}
    for fid in np.unique(s.faces):
        mask = s.faces == fid
        trapped = ~free[mask]
        if trapped.any():
            where = s.points[mask][int(np.argmax(trapped))]
            out[int(fid)] = (100.0 * float(trapped.mean()), tuple(float(c) for c in where))
    return out


def unit(direction) -> np.ndarray:
    """'+Z', '-X' or (x, y, z) as a unit vector."""
    if isinstance(direction, str):
        axis = {"X": (1, 0, 0), "Y": (0, 1, 0), "Z": (0, 0, 1)}[direction[1]]
        v = np.array(axis, dtype=float) * (-1 if direction[0] == "-" else 1)
    else:
        v = np.array(direction, dtype=float)
    return v / np.linalg.norm(v)


def describe(direction) -> str:
    return direction if isinstance(direction, str) else "(" + ", ".join(f"{c:g}" for c in direction) + ")"



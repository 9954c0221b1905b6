"""Wall thickness: the minimum by rays along the inward normal with an anti-parallel cone
filter, plus a pass over pairs of nearby non-adjacent faces for the thin spots between
samples; the maximum by the inscribed-sphere method (../shared/reference/dfm.md 3.5)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from OCP.BRepExtrema import BRepExtrema_DistShapeShape, BRepExtrema_IsInFace
from OCP.BRepBuilderAPI import BRepBuilderAPI_MakeVertex
from OCP.BRep import BRep_Builder
from OCP.BRepAdaptor import BRepAdaptor_Surface
from OCP.BRepTools import BRepTools
from OCP.TopoDS import TopoDS_Compound
from OCP.gp import gp_Pnt

from techpack.geometry.probe import Probe

CONE_DEG = 15.0  # a hit counts as the wall's other side when its normal is within this of anti-parallel
EPS = 1e-4  # mm: rays start this far inside the material


@dataclass(frozen=True)
class Wall:
    """The thinnest wall found between two faces (or across one curved face)."""

    thickness: float  # mm
    faces: tuple[int, int]
    point: tuple[float, float, float]  # mid-wall, mm


def _anti_parallel(a: np.ndarray, b: np.ndarray) -> bool:
    return float(np.dot(a, b)) <= -math.cos(math.radians(CONE_DEG))


@dataclass(frozen=True, eq=False)
class RaySample:
    thickness: float  # mm, along the inward normal to the wall's other side
    face: int
    hit_face: int
    point: np.ndarray  # the sample on `face`
    normal: np.ndarray  # outward unit normal there

    @property
    def mid(self) -> np.ndarray:
        return self.point - self.normal * self.thickness / 2


def ray_walls(probe: Probe) -> list[RaySample]:
    """Every sample whose inward ray meets the wall's other side (within the cone)."""
    s = probe.samples
    hits = probe.rays(s.points - EPS * s.normals, -s.normals)
    return [
        RaySample(hit.distance + EPS, int(fid), hit.face, p, n)
        for p, n, fid, hit in zip(s.points, s.normals, s.faces, hits)
        if hit is not None and _anti_parallel(hit.normal, n)
    ]


MAX_PAIRS = 100  # extrema solves per part at most, nearest first


def thin_walls(probe: Probe, below: float, samples: list[RaySample]) -> list[Wall]:
    """Every region (face pair) whose wall is thinner than `below` mm, with its thinnest point."""
    regions: dict[tuple[int, int], Wall] = {}

    def keep(wall: Wall) -> None:
        if wall.faces not in regions or wall.thickness < regions[wall.faces].thickness - 1e-9:
            regions[wall.faces] = wall

    seen: dict[tuple[int, int], float] = {}
    for r in samples:
        key = (min(r.face, r.hit_face), max(r.face, r.hit_face))
        if r.thickness < below:
            keep(Wall(r.thickness, key, tuple(float(c) for c in r.mid)))
        if r.thickness < 3 * below and key[0] != key[1] and r.thickness < seen.get(key, math.inf):
            seen[key] = r.thickness
    for wall in _bores_near_planes(probe, below) + _cylinder_pairs(probe, below) + _refine(probe, below, seen):
        keep(wall)
    return sorted(regions.values(), key=lambda w: w.faces)


def _refine(probe: Probe, below: float, seen: dict[tuple[int, int], float]) -> list[Wall]:
    """Exact closest points of the face pairs the rays found close (the samples may miss the
    thinnest spot between them)."""
    out = []
    for a, b in sorted(seen, key=lambda k: (seen[k], k))[:MAX_PAIRS]:
        if probe.surface_types[a] == "plane" and probe.surface_types[b] == "plane" and _parallel_planes(probe, a, b):
            continue  # parallel planes: the rays are exact
        dist = BRepExtrema_DistShapeShape(probe.face(a), probe.face(b))
        if dist.IsDone() and dist.Value() < below:
            out += [w for k in range(1, dist.NbSolution() + 1) if (w := _pair_wall(probe, dist, k, a, b))]
    return out


def _bores_near_planes(probe: Probe, below: float) -> list[Wall]:
    """Cylindrical faces near a plane parallel to their axis (a bore close to an edge):
    the wall is along the cylinder's generator that faces the plane, where both faces are."""
    gap = probe.box_gaps
    types = probe.surface_types
    out = []
    for i, j in np.argwhere(gap < below):
        c, p = int(i) + 1, int(j) + 1
        if types[c] != "cylinder" or types[p] != "plane" or p in probe.neighbours[c]:
            continue
        wall = _cylinder_plane_wall(probe, c, p, below)
        if wall is not None:
            out.append(wall)
    return out


def _cylinder_pairs(probe: Probe, below: float) -> list[Wall]:
    """Cylindrical faces with parallel axes close together: the web between two bores, or
    the wall between a bore and an outside cylinder around it (an offset bore in a boss)."""
    gap = probe.box_gaps
    types = probe.surface_types
    out = []
    for i, j in np.argwhere(np.triu(gap < below, 1)):
        a, b = int(i) + 1, int(j) + 1
        if types[a] == types[b] == "cylinder" and b not in probe.neighbours[a]:
            wall = _cylinder_cylinder_wall(probe, a, b, below)
            if wall is not None:
                out.append(wall)
    return out


def _concave(probe: Probe, fid: int, origin: np.ndarray, axis: np.ndarray) -> bool | None:
    """Whether the face's outward normal points toward its axis (a bore), from its samples."""
    s = probe.samples
    mask = s.faces == fid
    if not mask.any():
        return None
    p, n = s.points[mask][0], s.normals[mask][0]
    rel = p - origin
    radial = rel - (rel @ axis) * axis
    return float(n @ radial) < 0


def _cylinder_cylinder_wall(probe: Probe, a: int, b: int, below: float) -> Wall | None:
    ca, cb = BRepAdaptor_Surface(probe.face(a)).Cylinder(), BRepAdaptor_Surface(probe.face(b)).Cylinder()
    axis = np.array(ca.Axis().Direction().Coord())
    if abs(abs(float(axis @ np.array(cb.Axis().Direction().Coord()))) - 1) > 1e-6:
        return None
    oa, ob = np.array(ca.Location().Coord()), np.array(cb.Location().Coord())
    rel = ob - oa
    across = rel - (rel @ axis) * axis
    d = float(np.linalg.norm(across))
    if d < 1e-9:
        return None  # coaxial: the rays measure it exactly
    u = across / d
    ra, rb = ca.Radius(), cb.Radius()
    conc_a, conc_b = _concave(probe, a, oa, axis), _concave(probe, b, ob, axis)
    if conc_a is None or conc_b is None:
        return None
    if conc_a and conc_b:  # two bores: the web between them
        thickness, pa_off, pb_off = d - ra - rb, u * ra, -u * rb
    elif conc_a != conc_b:  # a bore inside an outside cylinder: the thin side, away from the outside's axis
        r_out, r_in = (ra, rb) if conc_b else (rb, ra)
        thickness = r_out - d - r_in
        side = u if conc_b else -u  # from the outside cylinder's axis towards the bore's
        pa_off, pb_off = side * ra, side * rb
    else:
        return None  # two outside cylinders: a gap in the air, not a wall
    if not 0 < thickness < below:
        return None
    span = [float((p - oa) @ axis) for p in probe.samples.points[np.isin(probe.samples.faces, [a, b])]]
    best = None
    for t in np.linspace(min(span), max(span), 7) if span else []:
        pa = oa + axis * t + pa_off
        pb = ob + axis * (t - float(rel @ axis)) + pb_off
        if not (probe.contains(a, pa) and probe.contains(b, pb)):
            continue
        mid = (pa + pb) / 2
        if probe.inside(mid) and (best is None or thickness < best.thickness):
            best = Wall(thickness, (min(a, b), max(a, b)), tuple(float(c) for c in mid))
    return best


def _cylinder_plane_wall(probe: Probe, c: int, p: int, below: float) -> Wall | None:
    cyl = BRepAdaptor_Surface(probe.face(c)).Cylinder()
    plane = BRepAdaptor_Surface(probe.face(p)).Plane()
    axis = np.array(cyl.Axis().Direction().Coord())
    normal = np.array(plane.Axis().Direction().Coord())
    if abs(float(np.dot(axis, normal))) > 1e-6:
        return None
    origin = np.array(cyl.Location().Coord())
    offset = float(np.dot(origin - np.array(plane.Location().Coord()), normal))  # axis to plane, signed
    toward = -np.sign(offset) * normal  # from the axis toward the plane
    r = cyl.Radius()
    if abs(offset) - r >= below or abs(offset) <= r:
        return None
    umin, umax, vmin, vmax = BRepTools.UVBounds_s(probe.face(c))
    best = None
    for v in np.linspace(vmin, vmax, 7)[1:-1]:
        on_cyl = origin + axis * v + toward * r
        on_plane = on_cyl + toward * (abs(offset) - r)
        if not (probe.contains(c, on_cyl) and probe.contains(p, on_plane)):
            continue
        wall = Wall(abs(offset) - r, (min(c, p), max(c, p)), tuple(float(x) for x in (on_cyl + on_plane) / 2))
        if probe.inside(np.array(wall.point)) and (best is None or wall.thickness < best.thickness):
            best = wall
    return best


def _parallel_planes(probe: Probe, a: int, b: int) -> bool:
    na = BRepAdaptor_Surface(probe.face(a)).Plane().Axis().Direction()
    nb = BRepAdaptor_Surface(probe.face(b)).Plane().Axis().Direction()
    return abs(abs(na.Dot(nb)) - 1) < 1e-9


def _on_face(probe: Probe, fid: int, dist: BRepExtrema_DistShapeShape, k: int, first: bool):
    """Point and outward normal of a closest point; one on an edge (a seam, a pole, a boundary)
    is projected onto the face's surface for its normal."""
    on_face = (dist.SupportTypeShape1(k) if first else dist.SupportTypeShape2(k)) == BRepExtrema_IsInFace
    if on_face:
        u, v = dist.ParOnFaceS1(k) if first else dist.ParOnFaceS2(k)
        return probe.normal(fid, u, v)
    point = dist.PointOnShape1(k) if first else dist.PointOnShape2(k)
    return probe._nearest_normal(fid, np.array(point.Coord()))


def _pair_wall(probe: Probe, dist: BRepExtrema_DistShapeShape, k: int, a: int, b: int) -> Wall | None:
    p1, n1 = _on_face(probe, a, dist, k, True)
    p2, n2 = _on_face(probe, b, dist, k, False)
    gap = p2 - p1
    length = float(np.linalg.norm(gap))
    if length > 1e-9:  # at a singular point (a sphere's pole) the normal is along the gap
        n1 = n1 if n1.any() else -gap / length
        n2 = n2 if n2.any() else gap / length
    if length < 1e-9 or not _anti_parallel(n1, n2) or not _anti_parallel(gap / length, n1):
        return None
    mid = (p1 + p2) / 2
    if not probe.inside(mid):
        return None
    return Wall(length, (min(a, b), max(a, b)), tuple(float(c) for c in mid))


def thickest_wall(probe: Probe, samples: list[RaySample], candidates: int = 40) -> Wall | None:
    """The largest inscribed sphere touching a sample, as a wall of its diameter (mm).

    Shrinking sphere (Inui et al. 2016): start at the inward ray's half length, move the
    centre to keep the sphere tangent at the sample, shrink it to pass through the nearest
    boundary point, repeat. Run on the samples with the longest rays only: the sphere is
    never larger than the ray."""
    by_face: dict[int, list[RaySample]] = {}
    for r in samples:
        by_face.setdefault(r.face, []).append(r)
    picks = []
    for face_samples in by_face.values():  # each face's longest ray, and its sample nearest the face's middle
        centre = np.mean([r.point for r in face_samples], axis=0)
        picks.append(max(face_samples, key=lambda r: r.thickness))
        picks.append(min(face_samples, key=lambda r: float(np.linalg.norm(r.point - centre))))
    longest = sorted(set(picks), key=lambda r: (-r.thickness, r.face))[:candidates]
    if not longest:
        return None
    boundary = TopoDS_Compound()
    builder = BRep_Builder()
    builder.MakeCompound(boundary)
    for fid in range(1, probe.n_faces + 1):
        builder.Add(boundary, probe.face(fid))
    best: Wall | None = None
    tol = 1e-6 * probe.diagonal
    for r0 in longest:
        if best is not None and r0.thickness <= best.thickness:
            break
        p, n, r = r0.point, r0.normal, r0.thickness / 2
        for _ in range(12):
            centre = p - n * r
            d = BRepExtrema_DistShapeShape(BRepBuilderAPI_MakeVertex(gp_Pnt(*centre)).Vertex(), boundary)
            if not d.IsDone() or d.Value() >= r - tol:
                break
            q = d.PointOnShape2(1)
            pq = np.array([q.X(), q.Y(), q.Z()]) - p
            denom = 2 * float(np.dot(pq, -n))
            if denom <= 1e-12:
                break
            shrunk = float(np.dot(pq, pq)) / denom
            if shrunk >= r - tol:
                break
            r = shrunk
        if best is None or 2 * r > best.thickness:
            best = Wall(2 * r, (r0.face, r0.face), tuple(float(c) for c in p - n * r))
    return best

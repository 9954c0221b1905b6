"""Form features: the bosses, posts, steps, grooves, flats, slots and openings that locate or
limit a part, each with the sizes and positions a drawing needs to dimension it.

All lengths in mm, angles in degrees, in the model's frame. Face ids are 1-based positions in
`solid.Faces()`, as in features.py, whose face reading (planes, cylinders and cones, their
grouping by axis) this module shares. Every number is read from the exact geometry: the
levels of planes along their normal, cylinder and cone radii, axis positions, distances
between parallel planes. A shape that is not clearly one of the kinds below is left out:
a wrong number on a drawing is worse than a missing one.

What is not a form: holes and their counterbores, countersinks and drill points (any
concave cylinder closing 360° round its axis, and concave cones on such an axis),
features.Slot, bends, engraving (the faces passed as `skip`). Fillets and chamfers are read
as the transitions they are: a boss with a rounded foot and a chamfered top is still a boss.

Directions and positions
------------------------
A *level* is a planar face square to a direction d: its facing (+1 or -1, the sign of its
outward normal along d) and its height along d. For d, the other faces are *blends* (a
features.Radius whose axis is square to d, a features.Chamfer whose edge is square to d:
the rounds and chamfers between a level and a wall) or *walls*.

`axis` is the direction the feature is seen end-on from: the view that shows its outline
(a boss's top faces that way, a flat's cylinder runs along it). For steps, grooves and
slots it is also the direction their levels are measured along. `start_mm` and `end_mm`
are positions along the axis line, counted in the direction of its dominant component
(+X, +Y or +Z for a principal axis, whatever its sense) from the part's minimum there: the
min corner of its bounding box. `centre` is a point of the feature for position
dimensions: on the axis of a round or polygonal boss, a groove or a flat, at its top;
mid-width of a slot or an opening, at its rim; the centre of area of an irregular boss's
top; the centre of area of a step's risers, moved along the axis to its outer level.

The kinds, in the order they are read (a face taken by one is not read again)
-------------------------------------------------------------------------------
- **groove**: a ring groove on a turned surface: a convex cylinder closing 360° between
  two planes square to its axis facing each other (the flanks), each leading out to a
  larger coaxial convex cylinder. `diameter_mm` at its bottom, `width_mm` between the
  flanks, `depth_mm` down from the shaft when both sides are one diameter; start and end
  at its flanks. Grooves inside bores are part of their bore (geometry/bores.py).
- **flat**: flats on a round shaft or bore: planes parallel to a cylinder's axis beside
  it, the cylinder's arcs and the flats' chords closing the circle exactly (so nothing
  else shapes the section), the cylinder covering at least half of it. `diameter_mm` of
  the cylinder; one flat (a D): `from_axis_mm`, and `across_flats_mm` from the flat to the
  opposite side of the round; two parallel flats: `across_flats_mm` between them. Start
  and end where the flats meet the cylinder (the vertices of their common edges). A flat
  over part of a round's length (the round a whole circle beyond it) is not read.
- **opening**: a through cut-out: an inner boundary of a planar face leading through
  walls parallel to its normal to faces facing the other way at one level, shaped as a
  rectangle (two pairs of parallel planes facing inward, corners sharp or rounded with one
  radius). `width_mm` × `length_mm`, `depth_mm` the wall's thickness. Holes and
  features.Slot are not openings; other outlines are left out.
- **pocket**: a blind recess: an inner boundary of a planar face (the rim) leading down walls
  parallel to its normal, through the rounds at their foot, to one floor facing the same way.
  `depth_mm` rim to floor; a rectangle's `width_mm` × `length_mm` and `corner_radius_mm`,
  another outline its depth only (the STEP gives its shape).
- **boss / post**: a raised island. A planar top whose outer boundary leads down walls
  (none rising above the top) to planes facing the same way at one lower level: the
  face(s) it stands on. `height_mm` is the distance between the two levels. The outline is
  read from the sides, the walls parallel to the axis: a regular polygon of an even number
  of planes (every opposite pair the same distance apart: `across_flats_mm`, `sides`; six
  is HEX), a rectangle (`width_mm` × `length_mm`), each with `corner_radius_mm` if its
  corners are rounded with one radius, or the convex cylinder (`diameter_mm`) or cone (a
  drafted boss: `diameter_mm` at its foot, `top_diameter_mm`, `draft_deg`) of one axis
  closing 360°, chamfer cones at its ends apart. Walls other than sides, rounds, chamfers
  and tori leave the outline irregular: a boss with its height only. A post is a round or
  regular polygonal boss at least as high as it is wide. An island standing in a recess
  exactly as deep as it is high is the core of a ring groove, not a boss. A round boss
  whose foot meets several levels (a rib runs into it) gives its diameter and top only.
- **slot**: two planar walls between the same two levels (each wall touching, directly or
  through blends, planes at exactly two levels facing one way and lying between them),
  facing each other across a floor they share that lies between them: a channel.
  `width_mm` between the wall planes, `depth_mm` from the rim level to the floor, `along`
  the direction of its length. At each end, the faces beyond the walls' end edges close it
  (a half cylinder of the slot's width, a concave corner round, a face turning back into
  it) or open it (a convex round, a face turning away: the part's outline or a wider
  recess); at least one end must be open (closed at both: a pocket, or features.Slot).
  The shallower of two readings wins: a slot cut into a top and running out of a side is
  not also a channel cut into that side.
- **step**: walls between two levels facing one way (as a slot's) that run out of the
  part: a wall beside them goes on past the inner level. Each level must face clear of
  the rest of the part (no other face's box ahead of it over it), so the walls of a
  pocket or a recess are not steps. `height_mm` between the levels. The same riser read
  along two directions (an L-shaped rebate's depth and its width) gives two steps.
"""

from __future__ import annotations

import math
from collections.abc import Set
from dataclasses import dataclass, replace

import cadquery as cq
import numpy as np
from OCP.BRep import BRep_Tool
from OCP.BRepAdaptor import BRepAdaptor_Curve, BRepAdaptor_Surface
from OCP.BRepBndLib import BRepBndLib
from OCP.BRepBuilderAPI import BRepBuilderAPI_Transform
from OCP.BRepTools import BRepTools
from OCP.Bnd import Bnd_Box
from OCP.BRepGProp import BRepGProp, BRepGProp_Face
from OCP.GeomAbs import GeomAbs_Circle, GeomAbs_Cone, GeomAbs_Cylinder, GeomAbs_Line, GeomAbs_Plane, GeomAbs_Sphere, GeomAbs_Torus
from OCP.GeomAPI import GeomAPI_ProjectPointOnSurf
from OCP.GProp import GProp_GProps
from OCP.gp import gp_Ax3, gp_Dir, gp_Pnt, gp_Trsf, gp_Vec
from OCP.TopAbs import TopAbs_EDGE, TopAbs_VERTEX, TopAbs_WIRE
from OCP.TopExp import TopExp, TopExp_Explorer
from OCP.TopoDS import TopoDS

from techpack.geometry.features import (
    ARC_TOL,
    TAU,
    Features,
    _arc_union,
    _canonical,
    _clusters,
    _diagonal,
    _group_axes,
    _np,
    _Part,
    _read_plane,
    _read_revolved,
    _tuple,
)
from techpack.geometry.measure import exact_box
from techpack.geometry.tolerance import coincident_mm
from techpack.inspection import fmt

SQUARE_TOL = 1e-9  # |n . d| within this of 1: a plane square to d (a level); within this of 0: parallel to d
MAX_WALLS = 200  # faces round one island or opening before it is not clearly one feature
KINDS = ("boss", "post", "step", "slot", "opening", "pocket", "groove", "flat")
POLYGON = {4: "SQUARE", 6: "HEX", 8: "OCTAGON"}


@dataclass(frozen=True)
class Form:
    """One form feature (see the module docstring for each kind and how it is read)."""

    kind: str  # boss, post, step, slot, opening, groove, flat
    faces: tuple[int, ...]  # the feature's own faces (top and walls, flanks and bottom, flats and round ...)
    axis: tuple[float, float, float]  # unit: seen end-on from here; steps, grooves, slots: their levels are along it
    centre: tuple[float, float, float]  # mm (see the module docstring)
    base: tuple[int, ...] = ()  # what it stands on (boss, post), the lower level (step), the floor (slot), the far face (opening)
    sides: int = 0  # flat sides of a polygonal boss; flats on a round
    across_flats_mm: float | None = None
    diameter_mm: float | None = None  # round boss at its foot, groove at its bottom, the round a flat is cut on
    top_diameter_mm: float | None = None  # drafted round boss at its top
    draft_deg: float | None = None
    width_mm: float | None = None  # rectangle, opening: the smaller size; slot: between its walls; groove: between its flanks
    length_mm: float | None = None  # rectangle, opening: the larger size
    corner_radius_mm: float | None = None
    height_mm: float | None = None  # boss, post: above what it stands on; step: between its levels
    depth_mm: float | None = None  # slot: rim to floor; opening: the wall's thickness; groove: below the shaft; flat: into the round
    from_axis_mm: float | None = None  # a single flat's distance from the axis
    start_mm: float | None = None  # along the axis from the part's minimum (see the module docstring)
    end_mm: float | None = None
    along: tuple[float, float, float] | None = None  # slot: the direction of its length

    def to_dict(self) -> dict:
        out = {"kind": self.kind, "faces": list(self.faces), "text": form_text(self)}
        for key in ("axis", "centre", "along"):
            v = getattr(self, key)
            if v is not None:
                out[key] = [round(c, 6) for c in v]
        if self.base:
            out["base"] = list(self.base)
        if self.sides:
            out["sides"] = self.sides
        for key in ("across_flats_mm", "diameter_mm", "top_diameter_mm", "draft_deg", "width_mm", "length_mm", "corner_radius_mm",
                    "height_mm", "depth_mm", "from_axis_mm", "start_mm", "end_mm"):
            v = getattr(self, key)
            if v is not None:
                out[key] = round(v, 6)
        return out


def form_text(form: Form) -> str:
    """The callout, in the forms of techpack's other callouts: `HEX 100 A/F, 50 HIGH`,
    `POST Ø63.5, 203.2 HIGH`, `BOSS Ø24, 12 HIGH, 2° DRAFT`, `BOSS 80 × 150, R4 CORNERS, 50 HIGH`,
    `STEP 50`, `SLOT 8 ↧3`, `OPENING 50 × 100 THRU, R10 CORNERS`, `GROOVE Ø9.6 × 1.1`,
    `Ø6, FLAT 5.5 ACROSS (2.5 FROM AXIS), 11 LONG`, `Ø558.8, 2 FLATS 527.05 A/F, 25.4 LONG`. Positions are the
    drawing's to dimension (start_mm, end_mm, centre)."""
    f = form
    if f.kind in ("boss", "post"):
        name = "POST" if f.kind == "post" else "BOSS"
        if f.diameter_mm is not None:
            text = f"{name} Ø{fmt(f.diameter_mm)}"
        elif f.across_flats_mm is not None:
            shape = POLYGON.get(f.sides, f"{f.sides}-SIDED")
            text = f"{shape} {fmt(f.across_flats_mm)} A/F" if f.kind == "boss" else f"{name} {shape} {fmt(f.across_flats_mm)} A/F"
        elif f.width_mm is not None:
            text = f"{name} {fmt(f.width_mm)} × {fmt(f.length_mm)}"
        else:
            text = name  # an outline that is not round, a regular polygon or a rectangle: its height only
        if f.corner_radius_mm:
            text += f", R{fmt(f.corner_radius_mm)} CORNERS"
        if f.height_mm is not None:
            text += f"{',' if text != name else ''} {fmt(f.height_mm)} HIGH"
        if f.draft_deg:
            text += f", {fmt(f.draft_deg, 1)}° DRAFT"
        return text
    if f.kind == "step":
        return f"STEP {fmt(f.height_mm)}"
    if f.kind == "slot":
        return f"SLOT {fmt(f.width_mm)} ↧{fmt(f.depth_mm)}"
    if f.kind == "opening":
        text = f"OPENING {fmt(f.width_mm)} × {fmt(f.length_mm)} THRU"
        return text + (f", R{fmt(f.corner_radius_mm)} CORNERS" if f.corner_radius_mm else "")
    if f.kind == "pocket":
        if f.width_mm is None:
            return f"POCKET ↧{fmt(f.depth_mm)}"
        text = f"POCKET {fmt(f.width_mm)} × {fmt(f.length_mm)} ↧{fmt(f.depth_mm)}"
        return text + (f", R{fmt(f.corner_radius_mm)} CORNERS" if f.corner_radius_mm else "")
    if f.kind == "groove":
        return f"GROOVE Ø{fmt(f.diameter_mm)} × {fmt(f.width_mm)}"
    if f.kind == "flat":
        long = f", {fmt(f.length_mm)} LONG" if f.length_mm else ""  # along the round, where the flats meet it
        if f.sides == 1:
            return f"Ø{fmt(f.diameter_mm)}, FLAT {fmt(f.across_flats_mm)} ACROSS ({fmt(f.from_axis_mm)} FROM AXIS){long}"
        return f"Ø{fmt(f.diameter_mm)}, {f.sides} FLATS {fmt(f.across_flats_mm)} A/F{long}"
    raise ValueError(f"unknown form kind {f.kind!r}")


# ---------------------------------------------------------------------------------
# Entry point


def find_forms(solid: cq.Solid, features: Features, skip: Set[int] = frozenset(), box: tuple[float, ...] | None = None) -> tuple[Form, ...]:
    """The form features of solid (see the module docstring), by kind (KINDS order), then centre.

    features is find_features(solid); skip the face ids of what is recognised elsewhere
    and must not be read as walls (the engravings); box the solid's exact bounding box
    (xmin, ymin, zmin, xmax, ymax, zmax), computed if not given.
    """
    m = _Model(solid, features, skip, box)
    forms: list[Form] = []
    for find in (_grooves, _flats, _openings, _pockets, _islands, _slots, _steps):
        forms += find(m)
    placed = [_placed(m, f) for f in forms]
    order = {k: i for i, k in enumerate(KINDS)}
    return tuple(sorted(placed, key=lambda f: (order[f.kind], *(round(c, 6) for c in f.centre), f.faces)))


# ---------------------------------------------------------------------------------
# The solid's faces, read once


class _Model:
    """The faces of one solid as the readers need them: planes, revolved faces on their axes,
    adjacency, blends, and the faces that belong to other features."""

    def __init__(self, solid: cq.Solid, features: Features, skip: Set[int], box: tuple[float, ...] | None):
        self.shape = solid.wrapped
        self.exact_box = box  # the solid's exact box, computed when a position first needs it
        self.part = part = _Part(self.shape)
        self.n = part.face_map.Extent()
        self.kind: list = [None] * (self.n + 1)
        hole_walls = {f for h in features.holes for f in h.faces}  # not read again: other features' faces
        revs = []
        for i in range(1, self.n + 1):
            face = part.face(i)
            surf = BRepAdaptor_Surface(face, False)
            kind = self.kind[i] = surf.GetType()
            if kind == GeomAbs_Plane:
                part.planes[i] = _read_plane(face, surf)
            elif (kind == GeomAbs_Cylinder or kind == GeomAbs_Cone) and i not in hole_walls:
                revs.append(_read_revolved(i, face, surf, kind == GeomAbs_Cone))
        self.planes = part.planes
        self.tol = coincident_mm(_diagonal(self.shape))
        self.frames, placed = _group_axes(revs, self.tol)
        self.placed = {p.rev.face: (k, p) for k, group in enumerate(placed) for p in group}
        self.clusters = _clusters(self.frames, placed)
        self.adj: list[set[int]] = [set() for _ in range(self.n + 1)]
        self.edge_ids = part.edge_face_ids()  # the faces of each edge, by its index in part.edge_faces less 1
        for ids in self.edge_ids:
            for a in ids:
                self.adj[a] |= ids
        for i in range(1, self.n + 1):
            self.adj[i].discard(i)
        foreign = set(skip) | hole_walls
        for s in features.slots:
            foreign.update(s.faces)
        for b in features.bends:
            foreign.update((b.inner_face, b.outer_face))
        bore_axes = set()  # the axes of holes: the concave cones on them (countersinks, drill points) are theirs
        if features.holes:
            entries = np.array([h.entry for h in features.holes])
            directions = np.array([h.direction for h in features.holes])
            for k, frame in enumerate(self.frames):
                rel = entries - frame.origin
                off = rel - np.outer(rel @ frame.z, frame.z)
                if np.any((np.linalg.norm(np.cross(directions, frame.z), axis=1) <= 1e-6) & (np.linalg.norm(off, axis=1) <= self.tol)):
                    bore_axes.add(k)
        for c in self.clusters:
            if c.concave and c.full:  # a round wall closing 360°: a hole's, or a round pocket's
                foreign.update(c.ids)
                bore_axes.add(c.axis)
        for f, (k, p) in self.placed.items():
            if p.rev.cone and p.rev.concave and k in bore_axes:
                foreign.add(f)
        self.foreign = foreign
        self.used: set[int] = set()  # faces taken by a form already read
        self.radius_axis = {f: np.array(r.axis_direction) for r in features.radii for f in r.faces}
        self.chamfer_edge = {c.face: np.array(c.edge_direction) for c in features.chamfers}
        self._boxes: dict[int, np.ndarray] = {}
        self._levels: dict[tuple, dict[int, tuple[int, float]]] = {}
        self._blends: dict[tuple, set[int]] = {}
        self._walls: dict[tuple, list] = {}
        self._plane_ids = None
        self._all_boxes = None
        self._wires: dict[int, tuple[set[int], list[set[int]]]] = {}
        self._minima: dict[tuple, float] = {}

    def levels(self, d: np.ndarray) -> dict[int, tuple[int, float]]:
        """{face: (facing, height along d)} of the planes square to d (computed once per direction)."""
        key = tuple(round(float(c), 12) for c in d)
        got = self._levels.get(key)
        if got is None:
            if self._plane_ids is None:
                self._plane_ids = np.array(sorted(self.planes), dtype=int)
                self._normals = np.array([self.planes[f].normal for f in self._plane_ids]).reshape(-1, 3)
                self._origins = np.array([self.planes[f].origin for f in self._plane_ids]).reshape(-1, 3)
            c = self._normals @ d
            square = np.abs(np.abs(c) - 1.0) <= SQUARE_TOL
            heights = self._origins @ d
            got = self._levels[key] = {int(f): (1 if c[i] > 0 else -1, float(heights[i])) for i, f in zip(np.flatnonzero(square), self._plane_ids[square])}
        return got

    def level(self, f: int, d: np.ndarray) -> tuple[int, float] | None:
        """(facing, height along d) if face f is a plane square to d."""
        return self.levels(d).get(f)

    def blends(self, d: np.ndarray) -> set[int]:
        """The rounds and chamfers between a level square to d and a wall (computed once per direction)."""
        key = tuple(round(float(c), 12) for c in d)
        got = self._blends.get(key)
        if got is None:
            got = self._blends[key] = {f for table in (self.radius_axis, self.chamfer_edge) for f, a in table.items()
                                       if abs(float(a @ d)) <= SQUARE_TOL}
        return got

    def blend(self, f: int, d: np.ndarray) -> bool:
        return f in self.blends(d)

    def parallel(self, f: int, d: np.ndarray) -> bool:
        """A plane whose normal is square to d, or a cylinder or cone whose axis is along d."""
        plane = self.planes.get(f)
        if plane is not None:
            return abs(float(plane.normal @ d)) <= SQUARE_TOL
        got = self.placed.get(f)
        return got is not None and abs(abs(float(self.frames[got[0]].z @ d)) - 1.0) <= SQUARE_TOL

    def box(self, f: int) -> np.ndarray:
        b = self._boxes.get(f)
        if b is None:
            bnd = Bnd_Box()
            BRepBndLib.Add_s(self.part.face(f), bnd, False)
            b = self._boxes[f] = np.array(bnd.Get())
        return b

    def clear_ahead(self, f: int, out: np.ndarray, ignore: set[int]) -> bool:
        """Whether nothing of the part (but the faces in ignore) lies ahead of planar face f, along
        its outward normal out (a principal direction), over it: judged on the faces' enclosing
        boxes, so that a face only near the way counts as in it and a clear answer is sure."""
        k = int(np.argmax(np.abs(out)))
        if abs(abs(out[k]) - 1.0) > SQUARE_TOL:
            return False
        if self._all_boxes is None:
            self._all_boxes = np.array([self.box(i) if i else np.zeros(6) for i in range(self.n + 1)])
        boxes = self._all_boxes
        h = float(self.planes[f].origin[k])
        ahead = boxes[:, 3 + k] > h + self.tol if out[k] > 0 else boxes[:, k] < h - self.tol
        mine = boxes[f]
        for j in range(3):
            if j != k:  # reaching into the face's extent across (a flat face inside it counts, one at its edge does not)
                ahead &= (boxes[:, 3 + j] > mine[j] + self.tol) & (boxes[:, j] < mine[3 + j] - self.tol)
        ahead[[0, f, *ignore]] = False
        return not ahead.any()

    def span(self, f: int, d: np.ndarray) -> tuple[float, float]:
        """The face's extent along d (mm): exact for a revolved face on an axis along d, else from
        its enclosing box (a little wide: only compared with levels, never printed)."""
        got = self.placed.get(f)
        if got is not None:
            frame = self.frames[got[0]]
            c = float(frame.z @ d)
            if abs(abs(c) - 1.0) <= SQUARE_TOL:
                base = float(frame.origin @ d)
                ends = (base + c * got[1].t0, base + c * got[1].t1)
                return min(ends), max(ends)
        b = self.box(f)
        corners = np.array([[x, y, z] for x in b[0::3] for y in b[1::3] for z in b[2::3]]) @ d
        return float(corners.min()), float(corners.max())

    def exact_span(self, f: int, d: np.ndarray) -> tuple[float, float]:
        """The face's extent along d (mm), never wider than it is: exact for a revolved face on an
        axis along d and for a face bounded by lines and circular arcs, else from points on its
        edges (a free-form edge sampled: at most its sag short)."""
        got = self.placed.get(f)
        if got is not None and abs(abs(float(self.frames[got[0]].z @ d)) - 1.0) <= SQUARE_TOL:
            return self.span(f, d)
        values = []
        exp = TopExp_Explorer(self.part.face(f), TopAbs_EDGE)
        while exp.More():
            curve = BRepAdaptor_Curve(TopoDS.Edge_s(exp.Current()))
            exp.Next()
            a, b = curve.FirstParameter(), curve.LastParameter()
            kind = curve.GetType()
            if kind == GeomAbs_Line:
                ts = [a, b]
            elif kind == GeomAbs_Circle:  # the ends, and where the arc turns along d
                pos = curve.Circle().Position()
                phase = math.atan2(float(_np(pos.YDirection()) @ d), float(_np(pos.XDirection()) @ d))
                ts = [a, b] + [t for t in (phase + k * math.pi for k in range(-4, 5)) if a < t < b]
            else:
                ts = [a + (b - a) * i / 32 for i in range(33)]
            values += [float(_np(curve.Value(t)) @ d) for t in ts]
        return min(values), max(values)

    def vertex_span(self, f: int, d: np.ndarray) -> tuple[float, float]:
        """The extent along d (mm) of the face's vertices (exact for a face with straight edges)."""
        values = []
        exp = TopExp_Explorer(self.part.face(f), TopAbs_VERTEX)
        while exp.More():
            values.append(float(_np(BRep_Tool.Pnt_s(TopoDS.Vertex_s(exp.Current()))) @ d))
            exp.Next()
        return min(values), max(values)

    def end_neighbours(self, f: int, along: np.ndarray, side: int, own: set[int]) -> list[tuple[int, np.ndarray]]:
        """The faces (not in own) across the edges of planar face f at its end towards -along
        (side 0) or +along (side 1), each with a point on the edge between them."""
        lo, hi = self.vertex_span(f, along)
        mid = (lo + hi) / 2
        out = []
        exp = TopExp_Explorer(self.part.face(f), TopAbs_EDGE)
        while exp.More():
            edge = TopoDS.Edge_s(exp.Current())
            exp.Next()
            others = self.edge_ids[self.part.edge_faces.FindIndex(edge) - 1] - own - {f}
            if not others:
                continue
            curve = BRepAdaptor_Curve(edge)
            point = _np(curve.Value((curve.FirstParameter() + curve.LastParameter()) / 2))
            if (float(point @ along) > mid) == bool(side):
                out += [(g, point) for g in sorted(others)]
        return out

    def normal_at(self, f: int, point: np.ndarray) -> np.ndarray:
        """Face f's outward unit normal at the point of it nearest to point."""
        plane = self.planes.get(f)
        if plane is not None:
            return plane.normal
        face = self.part.face(f)
        proj = GeomAPI_ProjectPointOnSurf(gp_Pnt(*map(float, point)), BRep_Tool.Surface_s(face))
        if proj.NbPoints() == 0:
            return np.zeros(3)
        u, v = proj.LowerDistanceParameters()
        p, n = gp_Pnt(), gp_Vec()
        BRepGProp_Face(face).Normal(u, v, p, n)
        length = n.Magnitude()
        return _np(n) / length if length > 0 else np.zeros(3)

    def wires(self, f: int) -> tuple[set[int], list[set[int]]]:
        """The faces across the edges of face f's outer wire, and across each inner wire's."""
        got = self._wires.get(f)
        if got is None:
            got = self._wires[f] = self._read_wires(f)
        return got

    def _read_wires(self, f: int) -> tuple[set[int], list[set[int]]]:
        face = self.part.face(f)
        wires = []
        exp = TopExp_Explorer(face, TopAbs_WIRE)
        while exp.More():
            wires.append(exp.Current())
            exp.Next()
        if len(wires) == 1:
            return set(self.adj[f]), []
        outer = BRepTools.OuterWire_s(face)
        out, inner = set(), []
        for wire in wires:
            across = set()
            edges = TopExp_Explorer(wire, TopAbs_EDGE)
            while edges.More():
                across |= self.edge_ids[self.part.edge_faces.FindIndex(edges.Current()) - 1]
                edges.Next()
            across.discard(f)
            if wire.IsSame(outer):
                out = across
            else:
                inner.append(across)
        return out, inner

    def shared_span(self, f: int, others: set[int], d: np.ndarray) -> tuple[float, float] | None:
        """The extent along d (mm) of the edges face f shares with any of others, from their
        vertices (exact for the straight edges a flat meets its round along)."""
        values = []
        exp = TopExp_Explorer(self.part.face(f), TopAbs_EDGE)
        while exp.More():
            edge = TopoDS.Edge_s(exp.Current())
            exp.Next()
            if self.edge_ids[self.part.edge_faces.FindIndex(edge) - 1] & others:
                for v in (TopExp.FirstVertex_s(edge), TopExp.LastVertex_s(edge)):
                    values.append(float(_np(BRep_Tool.Pnt_s(v)) @ d))
        return (min(values), max(values)) if values else None

    def minimum(self, d: np.ndarray) -> float:
        """The part's smallest coordinate along d (mm): its exact box along a principal axis, else
        the exact box of the solid turned so that d is its z."""
        k = int(np.argmax(np.abs(d)))
        if abs(abs(d[k]) - 1.0) <= SQUARE_TOL:
            if self.exact_box is None:
                self.exact_box = exact_box(self.shape)
            return float(self.exact_box[k]) if d[k] > 0 else -float(self.exact_box[3 + k])
        key = tuple(round(float(c), 12) for c in d)
        if key not in self._minima:
            trsf = gp_Trsf()
            trsf.SetTransformation(gp_Ax3(gp_Pnt(0, 0, 0), gp_Dir(*map(float, d))))
            self._minima[key] = float(exact_box(BRepBuilderAPI_Transform(self.shape, trsf, False).Shape())[2])
        return self._minima[key]

    def centroid(self, faces: Set[int]) -> np.ndarray:
        """The centre of area of the faces (mm)."""
        props = GProp_GProps()
        for f in sorted(faces):
            BRepGProp.SurfaceProperties_s(self.part.face(f), props)
        return _np(props.CentreOfMass())

    def cone_radius(self, f: int, t: float) -> float:
        """The radius of revolved face f at axial t of its frame (exact: linear on a cone)."""
        p = self.placed[f][1]
        if p.t1 - p.t0 <= 0:
            return p.r0
        return p.r0 + (p.r1 - p.r0) * (t - p.t0) / (p.t1 - p.t0)


# ---------------------------------------------------------------------------------
# Bosses and posts


def _islands(m: _Model) -> list[Form]:
    """Every planar top whose outer boundary leads down to one lower level facing the same way."""
    out, seen = [], set()
    for top in sorted(m.planes):
        if top in m.foreign or top in m.used or top in seen:
            continue
        n = m.planes[top].normal
        h_top = float(m.planes[top].origin @ n)
        ring, _ = m.wires(top)
        got = _island(m, top, n, h_top, ring)
        if got is None:
            form = _round_top(m, top, n, h_top, ring)
        else:
            tops, walls, bases, h_base = got
            seen |= tops
            form = _boss(m, tops, walls, bases, n, h_top, h_base)
        if form is not None:
            m.used.update(form.faces)
            out.append(form)
    return out


def _round_top(m: _Model, top: int, n: np.ndarray, h_top: float, ring: set[int]) -> Form | None:
    """A round boss whose foot is not one level (a rib runs into it): a planar top whose outer
    boundary leads, directly or through a coaxial chamfer cone or a round, to convex cylinder
    faces of one axis along n and one radius closing 360°, whose lower end meets planes facing
    the top's way only (through rounds and tori). Its diameter and top; no height."""
    cylinders, chamfers, seen, stack = set(), set(), set(ring), sorted(ring)
    while stack:
        g = stack.pop()
        got = m.placed.get(g)
        if got is None or g in m.foreign or not m.parallel(g, n) or got[1].rev.concave:
            if not (g in m.radius_axis or g in m.chamfer_edge or m.kind[g] == GeomAbs_Torus):
                return None
            continue
        if got[1].rev.cone:  # a chamfer ring under the top: go on down
            chamfers.add(g)
            for x in m.adj[g] - seen - {top}:
                seen.add(x)
                stack.append(x)
            continue
        cylinders.add(g)
    if not cylinders or len({m.placed[c][0] for c in cylinders}) != 1 or len({round(m.placed[c][1].rev.radius / m.tol) for c in cylinders}) != 1:
        return None
    cluster = next(c for c in m.clusters if min(cylinders) in c.ids)  # the faces of this round touching along the axis
    run = set(cluster.ids)
    if not cluster.full or not cylinders <= run:
        return None
    k = cluster.axis
    placed = [m.placed[f][1] for f in run]
    levels = m.levels(n)
    below, seen = set(), set(run) | seen | {top}
    stack = sorted({x for f in run for x in m.adj[f]} - seen)
    while stack:
        g = stack.pop()
        if g in seen or g in m.foreign:
            continue
        seen.add(g)
        lv = levels.get(g)
        if lv is not None:
            if lv[0] < 0 or lv[1] >= h_top - m.tol:
                return None  # an underside, or a level at the top: not a boss standing on something
            below.add(g)
        elif g in m.radius_axis or m.kind[g] in (GeomAbs_Torus, GeomAbs_Sphere):
            stack.extend(m.adj[g])
    if not below or _recess_core(m, below, seen - below, n, h_top):
        return None
    frame = m.frames[k]
    r = placed[0].rev.radius
    c = float(frame.z @ n)
    centre = frame.point((h_top - float(frame.origin @ n)) / c)
    faces = tuple(sorted({top} | run | chamfers))
    return Form("boss", faces, _tuple(n), _tuple(centre), tuple(sorted(below)), diameter_mm=2 * r)


def _island(m: _Model, top: int, n: np.ndarray, h_top: float, ring: set[int]):
    """(tops, walls, bases, base level) of the island under top, or None."""
    tops, walls, bases = {top}, set(), set()
    stack = sorted(ring)
    while stack:
        g = stack.pop()
        if g in tops or g in walls or g in bases or g in m.foreign:
            continue
        lv = m.level(g, n)
        if lv is not None:
            facing, h = lv
            if facing < 0:
                return None  # an underside: the walls run through the part
            if abs(h - h_top) <= m.tol:
                tops.add(g)  # the top, split in several faces (by a slot across it)
                stack.extend(m.wires(g)[0])
            elif h < h_top:
                bases.add(g)
            else:
                return None
            continue
        if m.span(g, n)[1] > h_top + m.tol:
            return None  # a wall rising above the top: a pocket floor, or the part's outline
        walls.add(g)
        if len(walls) > MAX_WALLS:
            return None
        stack.extend(m.adj[g])
    if not walls or not bases:
        return None
    levels = [float(m.planes[b].origin @ n) for b in bases]
    if max(levels) - min(levels) > m.tol:
        return None  # standing on more than one level: no one height
    h_base = max(levels)
    if any(m.span(w, n)[0] < h_base - m.tol for w in walls):
        return None  # a wall going below the base (a groove round it)
    if _recess_core(m, bases, walls, n, h_top):
        return None
    return tops, walls, bases, h_base


def _recess_core(m: _Model, bases: set[int], own: set[int], n: np.ndarray, h_top: float) -> bool:
    """Whether the faces an island stands on are the floor of a recess exactly as deep as the
    island is high (a wall round them rising to the island's top): the island is the core
    of a ring groove, not a boss."""
    for b in bases:
        for g in m.wires(b)[0] - own - bases:
            if m.level(g, n) is None and abs(m.span(g, n)[1] - h_top) <= m.tol:
                return True
    return False


def _boss(m: _Model, tops: set[int], walls: set[int], bases: set[int], n: np.ndarray, h_top: float, h_base: float) -> Form | None:
    """The island's outline read from its sides: round, regular polygon, rectangle, or irregular."""
    sides = sorted(w for w in walls if m.parallel(w, n))
    others = [w for w in walls if w not in sides]
    height = h_top - h_base
    faces = tuple(sorted(tops | walls))
    base = tuple(sorted(bases))
    plain = Form("boss", faces, _tuple(n), _tuple(m.centroid(tops)), base, height_mm=height)
    if not sides or not all(f in m.radius_axis or f in m.chamfer_edge or m.kind[f] in (GeomAbs_Torus, GeomAbs_Sphere) for f in others):
        return plain  # a drafted or free-form wall: the outline is not one to size
    if all(s in m.placed for s in sides):
        main = _main_revolved(m, sides, tops | bases | set(others))
        return (_round(m, main, n, h_top, h_base, faces, base) if main else None) or plain
    if all(s in m.planes or (s in m.radius_axis and not m.placed[s][1].rev.concave) for s in sides):
        return _polygon(m, sides, n, h_top, h_base, faces, base) or plain
    return plain


def _main_revolved(m: _Model, sides: list[int], ends: set[int]) -> list[int] | None:
    """The revolved faces making a round boss's side: those of one cylinder or cone taking the
    longest run along the axis; the others (a chamfer cone at the top, a cone at the foot) must
    each meet the top, the base or a blend. None if they do not."""
    groups: dict[tuple, list[int]] = {}
    for f in sides:
        k, p = m.placed[f]
        key = (k, p.rev.cone, round(abs(p.rev.semi_angle), 9), 0 if p.rev.cone else round(p.rev.radius / m.tol))
        groups.setdefault(key, []).append(f)
    extent = lambda fs: max(m.placed[f][1].t1 for f in fs) - min(m.placed[f][1].t0 for f in fs)  # noqa: E731
    main = max(groups.values(), key=extent)
    for fs in groups.values():
        if fs is not main and any(not (m.adj[f] & ends) for f in fs):
            return None
    return main


def _round(m: _Model, sides: list[int], n: np.ndarray, h_top: float, h_base: float, faces, base) -> Form | None:
    axes = {m.placed[s][0] for s in sides}
    if len(axes) != 1:
        return None
    k = axes.pop()
    frame = m.frames[k]
    ps = [m.placed[s][1] for s in sides]
    if any(p.rev.concave for p in ps) or _arc_union([(p.arc_start, p.arc_len) for p in ps]) < TAU - ARC_TOL:
        return None
    c = float(frame.z @ n)
    t_of = lambda h: (h - float(frame.origin @ n)) / c  # noqa: E731 - the frame's axial t at level h
    cones = [p for p in ps if p.rev.cone]
    if cones and len(cones) != len(ps):
        return None
    if cones:
        first = cones[0]
        if any(abs(abs(p.rev.semi_angle) - abs(first.rev.semi_angle)) > 1e-9 for p in cones):
            return None
        r_base = m.cone_radius(first.rev.face, t_of(h_base))
        r_top = m.cone_radius(first.rev.face, t_of(h_top))
        if any(abs(m.cone_radius(p.rev.face, t_of(h_base)) - r_base) > m.tol for p in cones):
            return None
        draft = math.degrees(abs(first.rev.semi_angle))
    else:
        if any(abs(p.rev.radius - ps[0].rev.radius) > m.tol for p in ps):
            return None
        r_base = r_top = ps[0].rev.radius
        draft = None
    height = h_top - h_base
    kind = "post" if height >= 2 * r_base else "boss"
    centre = frame.point(t_of(h_top))
    return Form(kind, faces, _tuple(n), _tuple(centre), base, diameter_mm=2 * r_base,
                top_diameter_mm=2 * r_top if cones else None, draft_deg=draft, height_mm=height)


def _polygon(m: _Model, sides: list[int], n: np.ndarray, h_top: float, h_base: float, faces, base) -> Form | None:
    """A regular polygon of an even number of planes, or a rectangle; corners sharp or of one radius."""
    planes = [s for s in sides if s in m.planes]
    corners = [s for s in sides if s not in m.planes]
    radii = {round(m.placed[s][1].rev.radius / m.tol) for s in corners}
    if len(radii) > 1:
        return None
    flats: list[tuple[np.ndarray, float]] = []  # (normal, offset) of each distinct side plane
    for s in planes:
        pl = m.planes[s]
        off = float(pl.origin @ pl.normal)
        if not any(float(q @ pl.normal) >= 1 - SQUARE_TOL and abs(o - off) <= m.tol for q, o in flats):
            flats.append((pl.normal, off))
    count = len(flats)
    if count < 4 or count % 2:
        return None
    e1 = _unit(np.cross(n, (1.0, 0.0, 0.0) if abs(n[0]) < 0.9 else (0.0, 1.0, 0.0)))
    e2 = np.cross(n, e1)
    flats.sort(key=lambda q: math.atan2(float(q[0] @ e2), float(q[0] @ e1)))
    step = TAU / count
    for i in range(count):
        a = math.atan2(float(flats[i][0] @ e2), float(flats[i][0] @ e1))
        b = math.atan2(float(flats[(i + 1) % count][0] @ e2), float(flats[(i + 1) % count][0] @ e1))
        if abs((b - a) % TAU - step) > 1e-6:
            return None  # not equally spaced round the axis
    across = []
    for i in range(count // 2):
        (na, oa), (nb, ob) = flats[i], flats[i + count // 2]
        if float(na @ nb) > -1 + SQUARE_TOL:
            return None
        across.append(oa + ob)  # both normals point outward: the distance between the planes
    # the centre: on every pair's mid-plane, and on the top's plane
    rows = [flats[i][0] for i in range(count // 2)] + [n]
    rhs = [(flats[i][1] - flats[i + count // 2][1]) / 2 for i in range(count // 2)] + [h_top]
    centre, *_ = np.linalg.lstsq(np.array(rows), np.array(rhs), rcond=None)
    if any(abs(float(r @ centre) - v) > m.tol for r, v in zip(rows, rhs)):
        return None
    if any(float(q @ centre) >= o for q, o in flats):
        return None  # a side facing inward
    height = h_top - h_base
    corner = m.placed[corners[0]][1].rev.radius if corners else None
    if max(across) - min(across) <= m.tol:
        size = sum(across) / len(across)
        kind = "post" if height >= size else "boss"
        return Form(kind, faces, _tuple(n), _tuple(centre), base, sides=count, across_flats_mm=size, corner_radius_mm=corner, height_mm=height)
    if count == 4:
        width, length = sorted(across)
        return Form("boss", faces, _tuple(n), _tuple(centre), base, sides=4, width_mm=width, length_mm=length, corner_radius_mm=corner,
                    height_mm=height)
    return None


# ---------------------------------------------------------------------------------
# Steps and slots: walls between two levels facing one way


@dataclass(frozen=True, eq=False)
class _Wall:
    face: int
    facing: int  # the levels' facing along d
    low: float  # the two levels along d
    high: float
    rims: frozenset[int]  # the level faces at the outer level (further along facing * d)
    floors: frozenset[int]  # at the inner level
    blends: frozenset[int]


def _directions(m: _Model) -> list[np.ndarray]:
    """The plane normals (dominant component positive) along which two levels face one way."""
    levels: dict[tuple, tuple[np.ndarray, set]] = {}
    for f in sorted(m.planes):
        if f in m.foreign:
            continue
        pl = m.planes[f]
        d = _canonical(pl.normal)
        key = tuple(round(float(c), 9) for c in d)
        facing = 1 if float(pl.normal @ d) > 0 else -1
        levels.setdefault(key, (d, set()))[1].add((facing, round(float(pl.origin @ d) / m.tol)))
    out = []
    for d, seen in levels.values():
        if any(len({h for s, h in seen if s == facing}) > 1 for facing in (1, -1)):
            out.append(d)
    return out


def _walls(m: _Model, d: np.ndarray) -> list[_Wall]:
    """The faces between exactly two levels of one facing, along d (read once per direction;
    the callers leave out those other forms have taken since)."""
    key = tuple(round(float(c), 12) for c in d)
    got = m._walls.get(key)
    if got is None:
        got = m._walls[key] = _read_walls(m, d)
    return [w for w in got if w.face not in m.used]


def _read_walls(m: _Model, d: np.ndarray) -> list[_Wall]:
    levels, blends = m.levels(d), m.blends(d)
    candidates = set()
    for f in levels:
        if f in m.foreign:
            continue
        for g in m.adj[f]:
            candidates.add(g)
            if g in blends:
                candidates |= m.adj[g]
    out = []
    for w in sorted(candidates):
        if w in m.foreign or w in levels or w in blends:
            continue
        touched, around = [], set()
        stack, seen = sorted(m.adj[w]), {w}
        while stack:
            g = stack.pop()
            if g in seen or g in m.foreign:
                continue
            seen.add(g)
            lv = levels.get(g)
            if lv is not None:
                touched.append((g, *lv))
            elif g in blends:
                around.add(g)
                stack.extend(m.adj[g])
        facings = {s for _, s, _ in touched}
        if len(facings) != 1:
            continue
        facing = facings.pop()
        heights = sorted(h for _, _, h in touched)
        low, high = heights[0], heights[-1]
        if high - low <= m.tol or any(low + m.tol < h < high - m.tol for h in heights):
            continue
        lo, hi = m.span(w, d)
        if lo < low - m.tol or hi > high + m.tol:
            continue
        outer = high if facing > 0 else low
        rims = frozenset(g for g, _, h in touched if abs(h - outer) <= m.tol)
        floors = frozenset(g for g, _, _ in touched) - rims
        out.append(_Wall(w, facing, low, high, rims, floors, frozenset(around)))
    return out


def _slots(m: _Model) -> list[Form]:
    """Channels: two planar walls between the same levels facing each other across a shared
    floor. An open-ended slot cut into a top is also a channel cut into the face it runs out
    of, with its closed end as the floor: the shallower reading wins, then the narrower."""
    candidates = []
    for d in _directions(m):
        walls = [w for w in _walls(m, d) if w.face in m.planes and m.parallel(w.face, d)]
        for i, a in enumerate(walls):
            pa = m.planes[a.face]
            for b in walls[i + 1:]:
                if b.facing != a.facing or abs(b.low - a.low) > m.tol or abs(b.high - a.high) > m.tol:
                    continue
                pb = m.planes[b.face]
                if float(pa.normal @ pb.normal) > -1 + SQUARE_TOL or not (a.floors & b.floors):
                    continue
                width = float((pb.origin - pa.origin) @ pa.normal)
                if width > m.tol:  # facing each other, not back to back
                    form = _slot(m, a, b, d, width)
                    if form is not None:
                        candidates.append(form)
    out = []
    for form in sorted(candidates, key=lambda f: (round(f.depth_mm / m.tol), round(f.width_mm / m.tol), f.faces)):
        if not set(form.faces) & m.used:
            m.used.update(form.faces)
            out.append(form)
    return out


def _slot(m: _Model, a: _Wall, b: _Wall, d: np.ndarray, width: float) -> Form | None:
    """The channel between walls a and b, if the floor lies between them (at a third of nine
    points on its mid-line at least), each end is clearly closed or open (_slot_end) and one
    is open."""
    pa = m.planes[a.face]
    along = _unit(np.cross(pa.normal, d))
    sa, sb = m.vertex_span(a.face, along), m.vertex_span(b.face, along)
    lo, hi = max(sa[0], sb[0]), min(sa[1], sb[1])
    if hi - lo <= m.tol:
        return None
    mid_across = float(pa.origin @ pa.normal) + width / 2  # along a's normal
    floor_level = a.low if a.facing > 0 else a.high
    rim = a.high if a.facing > 0 else a.low
    rows = np.array([pa.normal, along, d])
    at = lambda s, level: np.linalg.solve(rows, np.array([mid_across, s, level]))  # noqa: E731 - mid-width point
    floors = a.floors & b.floors
    inside = sum(any(m.part.in_plane_face(f, at(lo + (hi - lo) * (k + 0.5) / 9, floor_level)) for f in floors) for k in range(9))
    if inside < 3:
        return None  # the floor does not lie between the walls (two walls of a wider recess)
    ends, end_faces = [], set()
    for side in (0, 1):
        got = _slot_end(m, (a, b), d, along, side, width)
        if got is None:
            return None
        ends.append(got[0])
        end_faces |= got[1]
    if None not in ends:
        return None  # closed at both ends: a pocket, or a slot features.py reads
    first = ends[0] if ends[0] is not None else lo
    last = ends[1] if ends[1] is not None else hi
    centre = at((first + last) / 2, rim)
    faces = {a.face, b.face} | end_faces | a.blends | b.blends
    return Form("slot", tuple(sorted(faces)), _tuple(a.facing * d), _tuple(centre), tuple(sorted(floors)), width_mm=width,
                depth_mm=a.high - a.low, along=_tuple(_canonical(along)))


def _slot_end(m: _Model, walls: tuple[_Wall, _Wall], d: np.ndarray, along: np.ndarray, side: int, width: float):
    """(position along `along` or None if open, faces closing it) of a slot's end (side 0: towards
    -along, 1: towards +along), or None if it is neither clearly closed nor clearly open.

    At the walls' end edges, each face beyond either closes the slot (a half cylinder of the
    slot's width; a concave corner round; a face turning back into the slot) or opens it (a
    convex round; a face turning away, as the part's outline or a wider recess does)."""
    out = 1.0 if side else -1.0
    u_end = out * along
    verdicts, faces, positions = set(), set(), []
    for w in walls:
        own = {walls[0].face, walls[1].face} | w.rims | w.floors | w.blends
        for e, point in m.end_neighbours(w.face, along, side, own):
            got = m.placed.get(e)
            if got is not None and not got[1].rev.cone and m.parallel(e, d):
                k, p = got
                if p.rev.concave and abs(2 * p.rev.radius - width) <= m.tol:
                    verdicts.add("closed")
                    faces.add(e)
                    positions.append(float(m.frames[k].origin @ along) + out * p.rev.radius)
                    continue
                if e in m.radius_axis:  # a round on the corner: concave closes, convex opens
                    if p.rev.concave:
                        verdicts.add("closed")
                        faces.add(e)
                        beyond = [g for g in m.adj[e] if g in m.planes and float(m.planes[g].normal @ u_end) <= -1 + SQUARE_TOL]
                        positions += [float(m.planes[g].origin @ along) for g in beyond] or [None]
                        faces.update(beyond)
                    else:
                        verdicts.add("open")
                    continue
            c = float(m.normal_at(e, point) @ u_end)
            if c > 1e-6:
                verdicts.add("open")
            elif c < -1e-6:
                verdicts.add("closed")
                faces.add(e)
                plane = m.planes.get(e)
                exact = plane is not None and abs(c + 1) <= SQUARE_TOL
                positions.append(float(plane.origin @ along) if exact else None)
            else:
                return None
    if verdicts == {"open"}:
        return None, set()
    if verdicts == {"closed"} and positions and None not in positions and max(positions) - min(positions) <= m.tol:
        return positions[0], faces
    return None  # mixed (the walls turn a corner of a wider recess), or closed where no one position says


def _steps(m: _Model) -> list[Form]:
    """Runs of walls between two levels of one facing that reach the part's outline: a wall
    beside them goes on past the inner level."""
    out = []
    for d in _directions(m):
        walls = [w for w in _walls(m, d) if not (w.rims | w.floors) & m.used]
        by_face = {w.face: w for w in walls}
        parent = {w.face: w.face for w in walls}

        def root(f: int) -> int:
            while parent[f] != f:
                parent[f] = parent[parent[f]]
                f = parent[f]
            return f

        for w in walls:
            near = set(m.adj[w.face])
            for g in w.blends:
                near |= m.adj[g]
            for g in near:
                v = by_face.get(g)
                if v is not None and v.facing == w.facing and abs(v.low - w.low) <= m.tol and abs(v.high - w.high) <= m.tol:
                    parent[root(g)] = root(w.face)
        groups: dict[int, list[_Wall]] = {}
        for w in walls:
            groups.setdefault(root(w.face), []).append(w)
        for group in groups.values():
            own = {w.face for w in group} | {g for w in group for g in w.blends}
            levels = {g for w in group for g in w.rims | w.floors}
            w = group[0]
            low, high = w.low, w.high
            if not _runs_out(m, own, levels, d, low if w.facing > 0 else high, -w.facing):
                continue  # closing round a level: a boss (read as one) or a pocket
            rims = frozenset().union(*(x.rims for x in group))
            floors = frozenset().union(*(x.floors for x in group))
            if not all(m.clear_ahead(f, w.facing * d, own | rims | floors) for f in rims | floors):
                continue  # a level facing more of the part: a wall inside a recess, not the part's outline
            centre = m.centroid({x.face for x in group})
            outer = high if w.facing > 0 else low
            centre = centre + (outer - float(centre @ d)) * d
            out.append(Form("step", tuple(sorted(own | rims)), _tuple(w.facing * d), _tuple(centre), tuple(sorted(floors)),
                            height_mm=high - low))
    return out


def _runs_out(m: _Model, own: set[int], levels: set[int], d: np.ndarray, floor: float, inward: int) -> bool:
    """Whether a wall beside the faces own (a plane or revolved face parallel to d) reaches past
    the floor level inward (inward = -1: below it along d, +1: above it)."""
    beyond = (lambda lo, hi: lo < floor - m.tol) if inward < 0 else (lambda lo, hi: hi > floor + m.tol)
    for f in own:
        for g in m.adj[f]:
            if g in own or g in levels or g in m.foreign or not m.parallel(g, d):
                continue
            if beyond(*m.span(g, d)) and beyond(*m.exact_span(g, d)):  # the box first: it holds the face
                return True
    return False


# ---------------------------------------------------------------------------------
# Openings


def _recesses(m: _Model, classify):
    """Each inner boundary of an unused planar face (the rim) walked through the faces it
    leads to: `classify(g, n, h)` says what a face is ("wall", "blend" or "bottom", "rim" to
    pass over, None to give the ring up). Yields (n, h, walls, blends, bottoms) for the rings
    whose walk found no face it gave up on, each set of walls once."""
    seen = set()
    for f in sorted(m.planes):
        if f in m.foreign or f in m.used:
            continue
        n = m.planes[f].normal
        h = float(m.planes[f].origin @ n)
        _, inner = m.wires(f)
        for ring in inner:
            if not ring or ring & m.foreign or ring & m.used:
                continue
            found: dict[str, set[int]] = {"wall": set(), "blend": set(), "bottom": set(), "rim": set()}
            stack, ok = sorted(ring), True
            while stack:
                g = stack.pop()
                if g == f or any(g in v for v in found.values()):
                    continue
                kind = None if g in m.foreign or len(found["wall"]) + len(found["blend"]) >= MAX_WALLS else classify(g, n, h)
                if kind is None:
                    ok = False
                    break
                found[kind].add(g)
                if kind in ("wall", "blend"):
                    stack.extend(m.adj[g])
            if ok and found["bottom"] and frozenset(found["wall"]) not in seen:
                seen.add(frozenset(found["wall"]))
                yield n, h, found["wall"], found["blend"], found["bottom"]


def _openings(m: _Model) -> list[Form]:
    """Rectangular through cut-outs: an inner boundary of a planar face leading through walls
    parallel to its normal to faces facing the other way, at one level."""

    def classify(g, n, h):
        lv = m.level(g, n)
        if lv is not None:
            facing, hg = lv
            return "bottom" if facing < 0 and hg < h - m.tol else "rim" if facing > 0 and abs(hg - h) <= m.tol else None
        return "wall" if m.parallel(g, n) else None

    out = []
    for n, h, walls, _, far in _recesses(m, classify):
        levels = [float(m.planes[g].origin @ n) for g in far]
        if max(levels) - min(levels) > m.tol:
            continue
        form = _rectangle(m, walls, n, h, h - max(levels), far)
        if form is not None:
            m.used.update(walls)
            out.append(form)
    return out


def _pockets(m: _Model) -> list[Form]:
    """Rectangular pockets: an inner boundary of a planar face (the rim) leading down walls
    parallel to its normal, through the rounds at their foot, to a floor facing the same way at
    one lower level, and nowhere else. Their depth is from the rim to the floor."""

    def classify(g, n, h):
        lv = m.level(g, n)
        if lv is not None:  # an island's top at the rim (a ring groove), or a face the other way: no pocket
            return "bottom" if lv[0] > 0 and lv[1] < h - m.tol else None
        if m.parallel(g, n):
            return "wall"
        return None if g in m.planes else "blend"  # a sloped plane: no pocket of square walls; else a round at the walls' foot

    out = []
    for n, h, walls, blends, floor in _recesses(m, classify):
        if len(floor) != 1:
            continue
        (g,) = floor
        if _island_to_rim(m, g, n, h):
            continue  # a groove round an island as high as the rim, not a pocket
        depth = h - float(m.planes[g].origin @ n)
        faces = tuple(sorted(walls | blends | floor))
        form = _rectangle(m, walls, n, h, depth, floor)
        if form is None:  # another outline: its depth, the STEP gives its shape
            c = m.centroid(floor)
            form = Form("pocket", faces, _tuple(n), _tuple(c + n * (h - float(c @ n))), tuple(sorted(floor)), depth_mm=depth)
        m.used.update(walls | blends | floor)
        out.append(replace(form, kind="pocket", faces=faces))
    return out


def _island_to_rim(m: _Model, floor: int, n: np.ndarray, h: float) -> bool:
    """Whether something standing in the floor's inner boundaries rises to the rim's level h."""
    _, inner = m.wires(floor)
    seen, stack = {floor}, sorted(set().union(*inner)) if inner else []
    while stack:
        g = stack.pop()
        if g in seen or len(seen) > MAX_WALLS:
            continue
        seen.add(g)
        lv = m.level(g, n)
        if lv is not None:
            if lv[0] > 0 and abs(lv[1] - h) <= m.tol:
                return True
            continue
        stack.extend(m.adj[g])
    return False


def _rectangle(m: _Model, walls: set[int], n: np.ndarray, h: float, depth: float, far: set[int]) -> Form | None:
    planes = [w for w in walls if w in m.planes]
    corners = [w for w in walls if w not in m.planes]
    if any(c not in m.placed or m.placed[c][1].rev.cone or not m.placed[c][1].rev.concave for c in corners):
        return None
    if len({round(m.placed[c][1].rev.radius / m.tol) for c in corners}) > 1:
        return None
    flats: list[tuple[np.ndarray, float]] = []
    for w in planes:
        pl = m.planes[w]
        off = float(pl.origin @ pl.normal)
        if not any(float(q @ pl.normal) >= 1 - SQUARE_TOL and abs(o - off) <= m.tol for q, o in flats):
            flats.append((pl.normal, off))
    if len(flats) != 4:
        return None
    a = flats[0][0]
    opposite = [q for q in flats[1:] if float(q[0] @ a) <= -1 + SQUARE_TOL]
    square = [q for q in flats[1:] if abs(float(q[0] @ a)) <= SQUARE_TOL]
    if len(opposite) != 1 or len(square) != 2 or float(square[0][0] @ square[1][0]) > -1 + SQUARE_TOL:
        return None
    pairs = [(flats[0], opposite[0]), (square[0], square[1])]
    sizes, rows, rhs = [], [], []
    for (na, oa), (nb, ob) in pairs:
        size = -(oa + ob)  # both normals point into the opening
        if size <= m.tol:
            return None
        sizes.append(size)
        rows.append(na)
        rhs.append((oa - ob) / 2)
    centre = np.linalg.solve(np.array(rows + [n]), np.array(rhs + [h]))
    width, length = sorted(sizes)
    corner = m.placed[corners[0]][1].rev.radius if corners else None
    return Form("opening", tuple(sorted(walls)), _tuple(n), _tuple(centre), tuple(sorted(far)), sides=4, width_mm=width,
                length_mm=length, corner_radius_mm=corner, depth_mm=depth)


# ---------------------------------------------------------------------------------
# Grooves and flats on turned surfaces


def _grooves(m: _Model) -> list[Form]:
    out = []
    for c in m.clusters:
        if c.concave or not c.full or any(f in m.foreign or f in m.used for f in c.ids):
            continue
        frame = m.frames[c.axis]
        z = frame.z
        flanks = []
        for side in (-1, 1):
            t_end = c.t0 if side < 0 else c.t1
            found = None
            for f in sorted({g for x in c.ids for g in m.adj[x]}):
                lv = m.level(f, z)
                if lv is None or f in m.foreign:
                    continue
                facing, h = lv
                t = h - float(frame.origin @ z)
                if facing != -side or abs(t - t_end) > m.tol:
                    continue
                shoulder = [g for g in m.adj[f] if g in m.placed and m.placed[g][0] == c.axis and not m.placed[g][1].rev.concave
                            and not m.placed[g][1].rev.cone and m.placed[g][1].rev.radius > c.radius + m.tol]
                if shoulder:
                    found = (f, t, min(m.placed[g][1].rev.radius for g in shoulder))
                    break
            flanks.append(found)
        if None in flanks:
            continue
        (f0, t0, r0), (f1, t1, r1) = flanks
        base = float(frame.origin @ z)
        centre = frame.point((t0 + t1) / 2)
        faces = tuple(sorted({*c.ids, f0, f1}))
        depth = r0 - c.radius if abs(r0 - r1) <= m.tol else None
        m.used.update(faces)
        out.append(Form("groove", faces, _tuple(z), _tuple(centre), diameter_mm=2 * c.radius, width_mm=t1 - t0, depth_mm=depth,
                        start_mm=base + t0, end_mm=base + t1))
    return out


def _flats(m: _Model) -> list[Form]:
    """Flats cut on a round: the round's arcs and the flats' chords close the circle exactly."""
    out = []
    for c in m.clusters:
        run = set(c.ids)
        if c.full or run & m.foreign or run & m.used:
            continue
        k, r, concave = c.axis, c.radius, c.concave
        frame = m.frames[k]
        flats = []
        for g in sorted({x for y in run for x in m.adj[y]} - run):
            pl = m.planes.get(g)
            if pl is None or g in m.foreign or abs(float(pl.normal @ frame.z)) > SQUARE_TOL:
                continue
            rel = pl.origin - frame.origin
            dist = float(rel @ pl.normal)  # from the axis to the plane along its outward normal
            if concave:
                dist = -dist  # a bore's flat faces the axis
            if not (m.tol < dist < r - m.tol):
                continue
            flats.append((g, dist, pl.normal))
        if not flats:
            continue
        arcs = c.coverage
        chords = sum(2 * math.acos(dist / r) for _, dist, _ in flats)
        if arcs < math.pi or abs(arcs + chords - TAU) > 1e-6 * TAU:
            continue
        base = float(frame.origin @ frame.z)
        spans = [m.shared_span(g, run, frame.z) for g, _, _ in flats]
        if None in spans:
            continue
        start, end = max(s[0] for s in spans), min(s[1] for s in spans)
        faces = tuple(sorted(run | {g for g, _, _ in flats}))
        centre = frame.point((start + end) / 2 - base)
        common = dict(diameter_mm=2 * r, sides=len(flats), start_mm=start, end_mm=end, length_mm=end - start)
        if len(flats) == 1:
            (_, dist, _), = flats
            form = Form("flat", faces, _tuple(frame.z), _tuple(centre), from_axis_mm=dist, across_flats_mm=dist + r, depth_mm=r - dist,
                        **common)
        elif len(flats) == 2 and float(flats[0][2] @ flats[1][2]) <= -1 + SQUARE_TOL:
            d0, d1 = flats[0][1], flats[1][1]
            form = Form("flat", faces, _tuple(frame.z), _tuple(centre), across_flats_mm=d0 + d1,
                        from_axis_mm=d0 if abs(d0 - d1) <= m.tol else None, depth_mm=r - d0 if abs(d0 - d1) <= m.tol else None, **common)
        else:
            continue
        m.used.update(faces)
        out.append(form)
    return out


# ---------------------------------------------------------------------------------
# Positions from the part's minimum


def _placed(m: _Model, form: Form) -> Form:
    """The form with start_mm and end_mm counted from the part's minimum along its axis."""
    axis = np.array(form.axis)
    d = _canonical(axis)
    low = m.minimum(d)
    if form.kind in ("groove", "flat"):
        s, e = form.start_mm - low, form.end_mm - low  # read along the frame's axis (dominant component positive)
        return replace(form, start_mm=s, end_mm=e)
    top = float(np.array(form.centre) @ d)
    if form.kind in ("boss", "post"):
        if form.height_mm is None:  # a foot on several levels: the top only
            return replace(form, end_mm=top - low) if axis @ d > 0 else replace(form, start_mm=top - low)
        ends = sorted((top, top - form.height_mm * float(axis @ d)))
    elif form.kind in ("step", "slot"):
        size = form.height_mm if form.kind == "step" else form.depth_mm
        ends = sorted((top, top - size * float(axis @ d)))
    else:  # opening: through the wall
        ends = sorted((top, top - form.depth_mm * float(axis @ d)))
    return replace(form, start_mm=ends[0] - low, end_mm=ends[-1] - low)


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    return v / float(np.linalg.norm(v))

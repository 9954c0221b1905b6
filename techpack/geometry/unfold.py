"""Sheet-metal flat patterns: a bent part unfolded into its blank, in mm (issue 15).

A sheet-metal part is planar flanges joined by cylindrical bends, t thick everywhere.
unfold() develops one side of the sheet (its skin) into the plane of its largest planar
face, the way of FreeCAD SheetMetal's new unfolder (reference cad-exports-pmi.md §2.2-2.3):

1. Faces tangent across an edge (outward normals within TANGENT_DEG) are linked; the linked
   faces that hold the largest planar face (the root) are the skin: the planes and bend
   cylinders of one side. The cut edges and hole walls are square to it and drop out.
2. Each bend pairs with a coaxial cylinder on the sheet's other side; the radii differ by
   t (given, or the commonest difference), and every flange has a face t behind it.
3. Breadth first from the root (neighbours in face order), each plane gets the rigid
   transform that lays it into the flat. A bend from plane P develops into a strip as wide
   as its allowance BA = θ (R + K t), R the inside radius: the point (u, v) of the cylinder
   goes to the point v of P's tangent line plus (u − u1)(R + K t) across it, an affine map
   of the face's parameters (lines stay lines, pcurves map exactly). The plane beyond is
   turned about the bend's axis until its normal is P's, then moved onto the strip's end.
4. Every link of the skin must agree with the placement (else the sheet closes on itself),
   and the pieces must fuse into one face of their summed area (else flanges overlap).
5. An inner loop of a flange that does not go through the sheet (an engraved mark, a blind
   pocket) is no hole: the loops of its floors are the Flat's engraving.

The Flat is seen from the root's outside (+Z), the first bend's axis along X, the outline's
bounding box starting at (0, 0). Bends are numbered in the breadth-first order. Not
unfolded: conical or toroidal bends, a bend split into several faces, formed features
(louvres, dimples), marks cut into a bend.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import cadquery as cq
from OCP.Bnd import Bnd_Box
from OCP.BRep import BRep_Tool
from OCP.BRepAdaptor import BRepAdaptor_Curve, BRepAdaptor_Curve2d, BRepAdaptor_Surface
from OCP.BRepAlgoAPI import BRepAlgoAPI_Common
from OCP.BRepBndLib import BRepBndLib
from OCP.BRepBuilderAPI import (
    BRepBuilderAPI_MakeEdge,
    BRepBuilderAPI_MakeFace,
    BRepBuilderAPI_MakeVertex,
    BRepBuilderAPI_MakeWire,
    BRepBuilderAPI_Transform,
)
from OCP.BRepGProp import BRepGProp, BRepGProp_Face
from OCP.BRepTools import BRepTools, BRepTools_WireExplorer
from OCP.ElSLib import ElSLib
from OCP.Geom import Geom_BSplineCurve
from OCP.Geom2d import Geom2d_TrimmedCurve
from OCP.Geom2dConvert import Geom2dConvert
from OCP.GeomAbs import GeomAbs_Line
from OCP.gp import gp_Ax1, gp_Ax3, gp_Dir, gp_Lin, gp_Pln, gp_Pnt, gp_Trsf, gp_Vec
from OCP.GProp import GProp_GProps
from OCP.ShapeFix import ShapeFix_Face
from OCP.TColgp import TColgp_Array1OfPnt
from OCP.TColStd import TColStd_Array1OfInteger, TColStd_Array1OfReal
from OCP.TopAbs import TopAbs_EDGE, TopAbs_FACE, TopAbs_REVERSED, TopAbs_VERTEX, TopAbs_WIRE
from OCP.TopExp import TopExp, TopExp_Explorer
from OCP.TopoDS import TopoDS, TopoDS_Edge, TopoDS_Face, TopoDS_Shape, TopoDS_Vertex, TopoDS_Wire
from OCP.TopTools import TopTools_IndexedDataMapOfShapeListOfShape, TopTools_IndexedMapOfShape

from techpack.geometry.flat import BendLine, Flat, Loop, Segment
from techpack.geometry.probe import SURFACE_NAMES
from techpack.geometry.profile import face_loops
from techpack.geometry.tolerance import coincident_mm
from techpack.standards import StandardsError

TANGENT_DEG = 0.1  # faces whose normals meet within this across an edge are one smooth side (CTC-03's bends are 0.025° off their flanges)
THICKNESS_SHARE = 0.01  # every bend and flange is the sheet's thickness within this share of it
LOOP_MM = 0.01  # the two faces of a skin edge put it within this of one place in the flat, or the sheet closes on itself
FUZZY_MM = 1e-5  # the developed pieces' shared edges meet within this (the fuse's fuzzy value, reference §2.5)
AREA_EPS = 1e-9  # relative accuracy of face areas
AREA_SHARE = 1e-6  # the fused blank's area is the pieces' within this share, or they overlap (it is 1e-15 on the test parts)
END_RAD = 1e-6  # a cylinder's edge this close to an end of its arc is on that end

KFactor = Callable[[float, float], tuple[float, str]]
Vec2 = tuple[float, float]


class UnfoldError(ValueError):
    """A part that cannot be unfolded. The message names the bend (its number) and its faces
    (1-based ids in solid.Faces()), says what is wrong and what to do."""


@dataclass(frozen=True)
class _Bend:
    """One bend: the skin's cylinder developed from its parent plane into the flat (mm, rad)."""

    number: int
    face: int  # the skin's cylinder
    other: int  # the coaxial cylinder on the sheet's other side
    parent: int  # the plane it is developed from
    u1: float  # the cylinder's u at the parent's tangent line
    u2: float  # its u at the other end
    v: tuple[float, float]  # the face's axial parameter range
    inside_radius: float
    k: float
    k_source: str
    neutral: float  # R + K t
    concave: bool  # the skin is the bend's inside: it turns toward the skin's outside (up)
    origin: Vec2  # the flat point of the parent's tangent line at v = 0
    along: Vec2  # flat unit vector of increasing v
    across: Vec2  # flat unit vector from the tangent line into the strip

    @property
    def angle(self) -> float:
        """θ, rad."""
        return abs(self.u2 - self.u1)

    @property
    def faces(self) -> str:
        return f"faces {self.face} and {self.other}"

    def develop(self, u: float, v: float) -> Vec2:
        """The flat point of the cylinder's parameters (u rad, v mm): affine in both."""
        s = math.copysign(self.neutral, self.u2 - self.u1) * (u - self.u1)
        return (self.origin[0] + v * self.along[0] + s * self.across[0], self.origin[1] + v * self.along[1] + s * self.across[1])


class _Solid:
    """The solid's faces (ids 1-based as in solid.Faces()), their kinds, which faces touch,
    and the tangent links between them."""

    def __init__(self, shape: cq.Shape):
        self.face_map = TopTools_IndexedMapOfShape()
        TopExp.MapShapes_s(shape.wrapped, TopAbs_FACE, self.face_map)
        self.ids = range(1, self.face_map.Extent() + 1)
        self.kinds = [""] + [SURFACE_NAMES.get(BRepAdaptor_Surface(self.face(i)).GetType(), "surface") for i in self.ids]
        self.edge_faces = TopTools_IndexedDataMapOfShapeListOfShape()
        TopExp.MapShapesAndAncestors_s(shape.wrapped, TopAbs_EDGE, TopAbs_FACE, self.edge_faces)
        self.touching: dict[int, set[int]] = {i: set() for i in self.ids}
        self.links: dict[int, list[tuple[int, TopoDS_Edge]]] = {i: [] for i in self.ids}
        cos_tol = math.cos(math.radians(TANGENT_DEG))
        for e in range(1, self.edge_faces.Extent() + 1):
            edge = TopoDS.Edge_s(self.edge_faces.FindKey(e))
            ids = sorted({self.face_map.FindIndex(f) for f in self.edge_faces.FindFromIndex(e)})
            if len(ids) != 2 or BRep_Tool.Degenerated_s(edge):
                continue
            a, b = ids
            self.touching[a].add(b)
            self.touching[b].add(a)
            na, nb = _normal_on_edge(self.face(a), edge), _normal_on_edge(self.face(b), edge)
            if na is not None and nb is not None and na.Dot(nb) > cos_tol:
                self.links[a].append((b, edge))
                self.links[b].append((a, edge))
        self.diagonal = _diagonal(shape.wrapped)
        self._normals: dict[int, gp_Vec] = {}

    def face(self, i: int) -> TopoDS_Face:
        return TopoDS.Face_s(self.face_map.FindKey(i))

    def name(self, i: int) -> str:
        return f"face {i} ({self.kinds[i]})"

    def normal(self, i: int) -> gp_Vec:
        """The outward unit normal of a planar face."""
        if i not in self._normals:
            umin, umax, vmin, vmax = BRepTools.UVBounds_s(self.face(i))
            self._normals[i] = _normal(self.face(i), (umin + umax) / 2.0, (vmin + vmax) / 2.0)
        return self._normals[i]

    def level(self, i: int, p: gp_Pnt) -> float:
        """How far p lies in front of planar face i's plane, along its outward normal (mm)."""
        return gp_Vec(BRepAdaptor_Surface(self.face(i)).Plane().Location(), p).Dot(self.normal(i))

    def faces_of(self, edge: TopoDS_Edge) -> set[int]:
        return {self.face_map.FindIndex(f) for f in self.edge_faces.FindFromKey(edge)}


@dataclass
class _Skin:
    """The skin as a tree from the root: each face's parent and the edge between them, and as
    they are placed, each plane's transform into the flat and each cylinder's bend."""

    part: _Solid
    order: list[int]
    parent: dict[int, int | None]
    via: dict[int, TopoDS_Edge]
    numbers: dict[int, int]  # cylinder -> its bend's number
    transforms: dict[int, gp_Trsf]
    bends: dict[int, _Bend]

    def where(self, f: int) -> str:
        """Face f and how the flat reaches it: "face 12 (plane, after bends 1 and 2)"."""
        numbers = []
        g = f
        while g is not None:
            if g in self.numbers:
                numbers.append(self.numbers[g])
            g = self.parent[g]
        numbers.reverse()
        if not numbers:
            return f"face {f} ({self.part.kinds[f]}, the flange the flat is laid out from)"
        after = str(numbers[0]) if len(numbers) == 1 else ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"
        return f"face {f} ({self.part.kinds[f]}, after bend{'s' if len(numbers) > 1 else ''} {after})"


def unfold(solid: cq.Shape, k_factor: KFactor, thickness_mm: float | None = None) -> Flat:
    """The flat pattern of a sheet-metal part, in mm.

    k_factor(inside_radius_mm, thickness_mm) gives each bend's K (ANSI) and where it comes
    from (the caller binds the material's bend class and any override of the part).
    thickness_mm is the sheet's thickness when known, else it is measured from the bends.
    The Flat holds the blank's outline, its through cut-outs (holes), the floors of marks
    cut into the unfolded side (engraving), one BendLine per bend and the thickness.
    Raises UnfoldError naming the bend for a part that cannot be unfolded: a bend that is
    not one cylinder between flat flanges, a thickness that is not uniform, a sheet that
    closes on itself, flanges that overlap in the flat.
    """
    part = _Solid(solid)
    planes = [i for i in part.ids if part.kinds[i] == "plane"]
    if not planes:
        raise UnfoldError("the part has no planar face: nothing to unfold from (a sheet-metal part is flat flanges joined by bends)")
    areas = {i: _area(part.face(i)) for i in planes}
    biggest = max(areas.values())
    root = min(planes, key=lambda i: (-round(areas[i] / biggest, 9), i))
    skin = _tree(part, root)
    cylinders = [i for i in skin.order if part.kinds[i] == "cylinder"]
    numbers = skin.numbers = _numbered(part, cylinders)
    _check_kinds(part, skin.order, numbers)
    others = {c: _other_side(part, c, numbers[c], set(skin.order)) for c in cylinders}
    if thickness_mm is not None:
        t = thickness_mm
    elif cylinders:
        t = _commonest([abs(others[c][1] - _radius(part, c)) for c in cylinders])
    else:
        t = _plate_thickness(part, root)
    _check_thickness(skin, others, t)

    axis = BRepAdaptor_Surface(part.face(cylinders[0])).Cylinder().Axis().Direction() if cylinders else None
    skin.transforms[root] = _root_transform(part, root, axis)
    for f in skin.order[1:]:
        p = skin.parent[f]
        if f in numbers:
            skin.bends[f] = _bend(part, numbers[f], f, p, others[f], skin.via[f], skin.transforms[p], t, k_factor)
        elif p in skin.bends:
            skin.transforms[f] = _through(part, skin.bends[p], f, skin.via[f], skin.transforms[skin.bends[p].parent])
        else:
            skin.transforms[f] = skin.transforms[p]
    _check_ends(skin)
    _check_whole(skin, t)
    _check_links(skin)

    pieces = [(f, _placed(part.face(f), skin.transforms[f]) if f in skin.transforms else _strip(part.face(f), skin.bends[f]))
              for f in skin.order]
    outline, holes = face_loops(cq.Face(_fused(skin, pieces)))
    rims, engraving = _marks(skin, t)
    holes = tuple(h for h in holes if not any(_on_loop(p, h) for p in rims))
    (x0, y0), _ = Flat(outline).bounds
    return Flat(
        outline=_shifted(outline, x0, y0),
        holes=tuple(_shifted(h, x0, y0) for h in holes),
        bends=tuple(_bend_line([b for b in skin.bends.values() if b.number == n], x0, y0) for n in sorted(set(numbers.values()))),
        engraving=tuple(_shifted(m, x0, y0) for m in engraving),
        thickness_mm=t,
    )


# ---------------------------------------------------------------------------------
# The skin and its checks


def _tree(part: _Solid, root: int) -> _Skin:
    """The skin breadth first from the root, neighbours in face order."""
    skin = _Skin(part, [root], {root: None}, {}, {}, {}, {})
    queue = deque([root])
    while queue:
        f = queue.popleft()
        for g, edge in sorted(part.links[f], key=lambda link: link[0]):
            if g not in skin.parent:
                skin.parent[g], skin.via[g] = f, edge
                skin.order.append(g)
                queue.append(g)
    return skin


def _numbered(part: _Solid, cylinders: list[int]) -> dict[int, int]:
    """Bend numbers of the skin's cylinders, in the order given (breadth first). Faces of one
    cylinder (axis, radius and arc the same: a bend cut in two by a hole or a relief slot)
    are one bend and share a number."""
    numbers: dict[int, int] = {}
    firsts: list[tuple[int, gp_Lin, float, float]] = []
    tol = coincident_mm(part.diagonal)
    sin_tol = math.sin(math.radians(TANGENT_DEG))
    for c in cylinders:
        cyl = BRepAdaptor_Surface(part.face(c)).Cylinder()
        umin, umax, _, _ = BRepTools.UVBounds_s(part.face(c))
        axis = gp_Lin(cyl.Axis())
        same = next((f for f, line, r, arc in firsts
                     if abs(r - cyl.Radius()) <= tol and abs(arc - (umax - umin)) <= math.radians(TANGENT_DEG)
                     and gp_Vec(line.Direction()).Crossed(gp_Vec(axis.Direction())).Magnitude() <= sin_tol
                     and line.Distance(axis.Location()) <= tol), None)
        if same is None:
            firsts.append((c, axis, cyl.Radius(), umax - umin))
        numbers[c] = numbers[same] if same is not None else len(firsts)
    return numbers


def _check_kinds(part: _Solid, order: list[int], numbers: dict[int, int]) -> None:
    """UnfoldError for a skin face that is neither a plane nor a cylinder (a conical or
    toroidal bend), and for two cylinders tangent to each other (no flat between them)."""
    last = 0  # the number of the last bend met
    for f in order:
        kind = part.kinds[f]
        if kind == "cylinder":
            last = max(last, numbers[f])
            for g, _ in part.links[f]:
                if part.kinds[g] == "cylinder":
                    raise UnfoldError(
                        f"bend {numbers[f]} ({part.name(f)}) runs into {part.name(g)} with no flat between them: techpack "
                        "unfolds bends of one cylindrical face between two flat flanges: model the bend as one face, or put "
                        "a flat between two bends"
                    )
        elif kind != "plane":
            joins = " and ".join(part.name(g) for g in sorted({g for g, _ in part.links[f]}))
            raise UnfoldError(
                f"bend {last + 1} ({part.name(f)}, joining {joins}) is not a cylinder: techpack unfolds cylindrical "
                "bends only; make it a cylindrical bend of one radius"
            )


def _other_side(part: _Solid, c: int, number: int, skin: set[int]) -> tuple[int, float]:
    """(face id, radius in mm) of the cylinder on the sheet's other side of the skin's cylinder
    c: coaxial (within coincident_mm of the model's size: CAD leaves a bend's two axes a
    little apart), on the bend's outside if c is its inside and the other way round, covering
    c's middle; the nearest in radius. UnfoldError when there is none."""
    face = part.face(c)
    cyl = BRepAdaptor_Surface(face).Cylinder()
    axis = gp_Lin(cyl.Axis())
    concave = _concave(face)
    umin, umax, vmin, vmax = BRepTools.UVBounds_s(face)
    tol = coincident_mm(part.diagonal)
    sin_tol = math.sin(math.radians(TANGENT_DEG))
    best = None
    for d in part.ids:
        if part.kinds[d] != "cylinder" or d in skin:
            continue
        surface = BRepAdaptor_Surface(part.face(d))
        other = surface.Cylinder()
        r = other.Radius()
        if (r <= cyl.Radius()) if concave else (r >= cyl.Radius()):
            continue
        if gp_Vec(axis.Direction()).Crossed(gp_Vec(other.Axis().Direction())).Magnitude() > sin_tol or axis.Distance(other.Location()) > tol:
            continue
        a0, a1, b0, b1 = BRepTools.UVBounds_s(part.face(d))
        u, v = ElSLib.Parameters_s(cyl, surface.Value((a0 + a1) / 2.0, (b0 + b1) / 2.0))
        u += 2.0 * math.pi * round(((umin + umax) / 2.0 - u) / (2.0 * math.pi))
        if not (umin - END_RAD <= u <= umax + END_RAD and vmin - tol <= v <= vmax + tol):
            continue
        if best is None or abs(r - cyl.Radius()) < abs(best[1] - cyl.Radius()):
            best = (d, r)
    if best is None:
        raise UnfoldError(
            f"bend {number} ({part.name(c)}) has no coaxial cylinder on the sheet's other side: a bend is two coaxial "
            "cylinders a sheet thickness apart; model the bend with its inside and outside radius"
        )
    return best


def _commonest(gaps: list[float]) -> float:
    """The commonest of the bends' radius differences (to 0.1 µm), mm: the sheet's thickness."""
    groups: dict[float, list[float]] = {}
    for g in gaps:
        groups.setdefault(round(g, 4), []).append(g)
    return min(groups.values(), key=lambda group: (-len(group), group[0]))[0]


def _plate_thickness(part: _Solid, root: int) -> float:
    """A part without bends: the distance (mm) from the root to the largest plane behind it."""
    behind = _behind(part, root, set())
    if not behind:
        raise UnfoldError(f"no planar face lies behind {part.name(root)}, the largest: the part is not a sheet")
    return max(behind, key=lambda gd: (_area(part.face(gd[0])), -gd[0]))[1]


def _behind(part: _Solid, f: int, skin: set[int]) -> list[tuple[int, float]]:
    """Planar faces outside the skin facing away from planar face f and overlapping it seen
    along its normal, with their distance behind it (mm, > 0)."""
    n = part.normal(f)
    at = BRepAdaptor_Surface(part.face(f)).Plane().Location()
    box = _box(part.face(f))
    cos_tol = math.cos(math.radians(TANGENT_DEG))
    out = []
    for g in part.ids:
        if g == f or g in skin or part.kinds[g] != "plane" or part.normal(g).Dot(n) > -cos_tol:
            continue
        d = -part.level(g, at)
        if d > coincident_mm(part.diagonal):
            other = _box(part.face(g))
            other.Enlarge(d)
            if not box.IsOut(other):
                out.append((g, d))
    return out


def _check_thickness(skin: _Skin, others: dict[int, tuple[int, float]], t: float) -> None:
    """UnfoldError for a bend whose radii differ by other than t, or a flange with no face t
    behind it (within THICKNESS_SHARE of t)."""
    part = skin.part
    for c, (other, r) in others.items():
        gap = abs(r - _radius(part, c))
        if abs(gap - t) > THICKNESS_SHARE * t:
            raise UnfoldError(
                f"bend {skin.numbers[c]} (faces {c} and {other}) is {gap:.4g} mm thick (radii {_radius(part, c):.4g} and {r:.4g} mm), "
                f"the sheet {t:.4g} mm: the thickness is not uniform; a sheet-metal part is one thickness throughout"
            )
    for f in skin.order:
        if part.kinds[f] != "plane":
            continue
        behind = _behind(part, f, set(skin.order))
        if not behind:
            raise UnfoldError(f"{skin.where(f)} has no face behind it: the part is not a sheet {t:.4g} mm thick")
        g, d = min(behind, key=lambda gd: (abs(gd[1] - t), gd[0]))
        if abs(d - t) > THICKNESS_SHARE * t:
            raise UnfoldError(
                f"{skin.where(f)} is {d:.4g} mm from the sheet's other side (face {g}), the sheet {t:.4g} mm thick: the "
                "thickness is not uniform; a sheet-metal part is one thickness throughout"
            )


def _check_ends(skin: _Skin) -> None:
    """UnfoldError for a bend with no flange of the skin tangent to its far end: the flange
    beyond it is thicker or thinner than the sheet, or meets the bend at a kink."""
    for c, bend in skin.bends.items():
        face = skin.part.face(c)
        if not any(abs(_uv(face, edge)[0] - bend.u2) <= END_RAD for g, edge in skin.part.links[c] if skin.part.kinds[g] == "plane"):
            raise UnfoldError(
                f"bend {bend.number} ({bend.faces}) ends without a flange tangent to it: the flange beyond it meets the bend at "
                "a kink or is not the sheet's thickness; model the flanges tangent to the bend, one thickness throughout"
            )


def _check_whole(skin: _Skin, t: float) -> None:
    """UnfoldError when the unfolded side leaves out part of the sheet: a planar face more
    than 2 t wide with a face t behind it, neither on the unfolded side nor behind it. That
    is a flange joined at a sharp edge, not a bend (the widest is named)."""
    part = skin.part
    covered = set(skin.order) | {b.other for b in skin.bends.values()}
    covered |= {g for f in skin.transforms for g, d in _behind(part, f, set(skin.order)) if abs(d - t) <= THICKNESS_SHARE * t}
    left_out = [g for g in part.ids if part.kinds[g] == "plane" and g not in covered and _width(part.face(g)) > 2.0 * t
                and any(abs(d - t) <= THICKNESS_SHARE * t for _, d in _behind(part, g, covered))]
    if left_out:
        g = max(left_out, key=lambda g: (_area(part.face(g)), -g))
        raise UnfoldError(
            f"{part.name(g)} is sheet but not joined to the unfolded side ({skin.where(skin.order[0])} and the faces joined "
            "to it by bends): a sharp edge is no bend; give every bend an inside and outside radius, a sheet thickness apart"
        )


def _check_links(skin: _Skin) -> None:
    """UnfoldError where the two faces of a skin edge put it in different places of the flat:
    the sheet closes on itself (a box corner welded shut)."""
    part = skin.part
    for f in skin.order:
        for g, edge in part.links[f]:
            if g < f:
                continue
            curve = BRepAdaptor_Curve(edge)
            first, last = curve.FirstParameter(), curve.LastParameter()
            worst = max(math.dist(_flat_point(skin, f, edge, s), _flat_point(skin, g, edge, s)) for s in (first, (first + last) / 2.0, last))
            if worst <= LOOP_MM:
                continue
            bend = skin.bends.get(g) or skin.bends.get(f)
            if bend is not None:
                flange = f if bend.face == g else g
                raise UnfoldError(
                    f"bend {bend.number} ({bend.faces}) closes the sheet on itself: it meets {skin.where(flange)} {worst:.3g} mm "
                    "away from where that face lies once unfolded. A closed corner cannot be unfolded: cut it open (a gap or "
                    "a relief) and weld it after bending"
                )
            raise UnfoldError(
                f"{skin.where(f)} and {skin.where(g)} are one flat but land {worst:.3g} mm apart once unfolded: the sheet closes "
                "on itself; cut it open (a gap or a relief) and weld it after bending"
            )


# ---------------------------------------------------------------------------------
# Placing the faces in the flat


def _root_transform(part: _Solid, root: int, axis: gp_Dir | None) -> gp_Trsf:
    """The rigid transform taking the root into z = 0 with its outward normal +Z, and the
    first bend's axis (parallel to it) along +X; without bends its plane's own X."""
    plane = BRepAdaptor_Surface(part.face(root)).Plane()
    n = part.normal(root)
    x = gp_Vec(axis) if axis is not None else gp_Vec(plane.XAxis().Direction())
    trsf = gp_Trsf()
    trsf.SetTransformation(gp_Ax3(plane.Location(), gp_Dir(n), gp_Dir(x.Subtracted(n.Multiplied(x.Dot(n))))))
    return trsf


def _bend(part: _Solid, number: int, c: int, p: int, other: tuple[int, float], entry: TopoDS_Edge, placed: gp_Trsf, t: float,
          k_factor: KFactor) -> _Bend:
    """The bend of cylinder c developed from plane p (placed into the flat by `placed`),
    entered across edge `entry`, its inside radius that of the concave one of c and `other`."""
    face = part.face(c)
    surface = BRepAdaptor_Surface(face)
    umin, umax, vmin, vmax = BRepTools.UVBounds_s(face)
    ue = _uv(face, entry)[0]
    u1, u2 = (umin, umax) if abs(ue - umin) <= abs(ue - umax) else (umax, umin)
    concave = _concave(face)
    inside = surface.Cylinder().Radius() if concave else other[1]
    try:
        k, source = k_factor(inside, t)
    except StandardsError as exc:
        raise UnfoldError(f"bend {number} (faces {c} and {other[0]}): no K-factor for inside radius {inside:.3g} mm and "
                          f"thickness {t:.3g} mm: {exc}. Give the part its bending shop's k_factor in the spec") from None
    start, d_u, d_v = gp_Pnt(), gp_Vec(), gp_Vec()
    surface.D1(u1, 0.0, start, d_u, d_v)
    across = d_u.Normalized().Multiplied(1.0 if u2 > u1 else -1.0)
    return _Bend(
        number=number, face=c, other=other[0], parent=p, u1=u1, u2=u2, v=(vmin, vmax), inside_radius=inside, k=k, k_source=source,
        neutral=inside + k * t, concave=concave, origin=_xy(start.Transformed(placed)),
        along=_unit(d_v.Normalized().Transformed(placed)), across=_unit(across.Transformed(placed)),
    )


def _through(part: _Solid, bend: _Bend, q: int, edge: TopoDS_Edge, placed: gp_Trsf) -> gp_Trsf:
    """The transform of plane q beyond the bend (its parent placed by `placed`): turned about
    the bend's axis until its normal is the parent's (not by the cylinder's arc, which CAD
    leaves a little off: CTC-03 has a 90.025° bend between flanges 90° apart), then moved so
    that its edge on the bend lies on the strip."""
    cyl = BRepAdaptor_Surface(part.face(bend.face)).Cylinder()
    axis = gp_Vec(cyl.Axis().Direction())
    nq, np_ = part.normal(q), part.normal(bend.parent)
    turn = gp_Trsf()
    turn.SetRotation(gp_Ax1(cyl.Location(), cyl.Axis().Direction()), math.atan2(nq.Crossed(np_).Dot(axis), nq.Dot(np_)))
    curve = BRepAdaptor_Curve(edge)
    mid = (curve.FirstParameter() + curve.LastParameter()) / 2.0
    x, y = bend.develop(*_uv(part.face(bend.face), edge, mid))
    shift = gp_Trsf()
    shift.SetTranslation(gp_Vec(curve.Value(mid).Transformed(turn).Transformed(placed), gp_Pnt(x, y, 0.0)))
    return shift.Multiplied(placed.Multiplied(turn))


def _flat_point(skin: _Skin, f: int, edge: TopoDS_Edge, s: float) -> Vec2:
    """Where skin face f puts the point of its edge at edge parameter s in the flat."""
    if f in skin.bends:
        return skin.bends[f].develop(*_uv(skin.part.face(f), edge, s))
    return _xy(BRepAdaptor_Curve(edge).Value(s).Transformed(skin.transforms[f]))


# ---------------------------------------------------------------------------------
# The pieces and the blank


def _placed(face: TopoDS_Face, trsf: gp_Trsf) -> TopoDS_Face:
    return TopoDS.Face_s(BRepBuilderAPI_Transform(face, trsf, True).Shape())


def _strip(face: TopoDS_Face, bend: _Bend) -> TopoDS_Face:
    """The bend's face developed into the flat (z = 0): each edge's pcurve mapped by
    bend.develop, lines as lines, other curves as B-splines with their poles mapped (exact:
    the map is affine), the mapped vertices shared."""
    vertex_map = TopTools_IndexedMapOfShape()
    TopExp.MapShapes_s(face, TopAbs_VERTEX, vertex_map)
    vertices: dict[int, TopoDS_Vertex] = {}

    def vertex(v: TopoDS_Vertex, at: Vec2) -> TopoDS_Vertex:
        i = vertex_map.FindIndex(v)
        if i not in vertices:
            vertices[i] = BRepBuilderAPI_MakeVertex(gp_Pnt(at[0], at[1], 0.0)).Vertex()
        return vertices[i]

    outer = BRepTools.OuterWire_s(face)
    made = []
    for wire in [outer] + [w for w in _wires(face) if not w.IsSame(outer)]:
        builder = BRepBuilderAPI_MakeWire()
        explorer = BRepTools_WireExplorer(wire, face)
        while explorer.More():
            builder.Add(_strip_edge(explorer.Current(), face, bend, vertex))
            explorer.Next()
        made.append(builder.Wire())
    maker = BRepBuilderAPI_MakeFace(gp_Pln(gp_Pnt(0.0, 0.0, 0.0), gp_Dir(0.0, 0.0, 1.0)), made[0], True)
    for w in made[1:]:
        maker.Add(w)
    fix = ShapeFix_Face(maker.Face())
    fix.FixOrientation()
    return fix.Face()


def _strip_edge(edge: TopoDS_Edge, face: TopoDS_Face, bend: _Bend, vertex: Callable[[TopoDS_Vertex, Vec2], TopoDS_Vertex]) -> TopoDS_Edge:
    """One edge of the bend's face in the flat, used in the direction the face uses it."""
    curve = BRepAdaptor_Curve2d(edge, face)
    first, last = curve.FirstParameter(), curve.LastParameter()
    a = vertex(TopExp.FirstVertex_s(edge), bend.develop(*_uv(face, edge, first)))
    b = vertex(TopExp.LastVertex_s(edge), bend.develop(*_uv(face, edge, last)))
    if curve.GetType() == GeomAbs_Line:
        made = BRepBuilderAPI_MakeEdge(a, b).Edge()
    else:
        spline = Geom2dConvert.CurveToBSplineCurve_s(Geom2d_TrimmedCurve(curve.Curve(), first, last))
        n, m = spline.NbPoles(), spline.NbKnots()
        poles, weights = TColgp_Array1OfPnt(1, n), TColStd_Array1OfReal(1, n)
        for i in range(1, n + 1):
            x, y = bend.develop(spline.Pole(i).X(), spline.Pole(i).Y())
            poles.SetValue(i, gp_Pnt(x, y, 0.0))
            weights.SetValue(i, spline.Weight(i))
        poles.SetValue(1, BRep_Tool.Pnt_s(a))  # a clamped spline ends on its end poles: put them on the shared vertices
        poles.SetValue(n, BRep_Tool.Pnt_s(b))
        knots, mults = TColStd_Array1OfReal(1, m), TColStd_Array1OfInteger(1, m)
        for i in range(1, m + 1):
            knots.SetValue(i, spline.Knot(i))
            mults.SetValue(i, spline.Multiplicity(i))
        mapped = Geom_BSplineCurve(poles, weights, knots, mults, spline.Degree(), False)
        made = BRepBuilderAPI_MakeEdge(mapped, a, b, mapped.FirstParameter(), mapped.LastParameter()).Edge()  # a closed edge needs them
    return TopoDS.Edge_s(made.Reversed()) if edge.Orientation() == TopAbs_REVERSED else made


def _fused(skin: _Skin, pieces: list[tuple[int, TopoDS_Face]]) -> TopoDS_Face:
    """The pieces fused into one planar face; UnfoldError naming two overlapping pieces when
    they make more than one face or less area than they have."""
    shapes = [cq.Face(p) for _, p in pieces]
    total = sum(_area(p) for _, p in pieces)
    fused = shapes[0].fuse(*shapes[1:], tol=FUZZY_MM).clean() if len(shapes) > 1 else shapes[0]
    faces = fused.Faces()
    area = sum(_area(f.wrapped) for f in faces)
    if len(faces) == 1 and abs(area - total) <= AREA_SHARE * total:
        return faces[0].wrapped
    for i, (f, a) in enumerate(pieces):
        for g, b in pieces[i + 1:]:
            if _box(a).IsOut(_box(b)):
                continue
            common = _area(BRepAlgoAPI_Common(a, b).Shape())
            if common > AREA_SHARE * total:
                raise UnfoldError(
                    f"the flat pattern overlaps itself: {_piece(skin, f)} and {_piece(skin, g)} overlap by {common:.4g} mm² once "
                    "unfolded, so the part cannot be cut from one blank: make the flanges clear each other in the flat "
                    "(shorter, narrower or notched), or make it of two parts"
                )
    raise UnfoldError(
        f"the developed flanges and bends do not join into one blank ({len(faces)} faces, {area:.6g} of {total:.6g} mm²): "
        "a bend does not meet its flanges along a straight tangent line"
    )


def _piece(skin: _Skin, f: int) -> str:
    bend = skin.bends.get(f)
    return f"bend {bend.number} ({bend.faces})" if bend else skin.where(f)


def _marks(skin: _Skin, t: float) -> tuple[list[Vec2], list[Loop]]:
    """The inner loops of the skin's planes that do not go through the sheet (engraved marks,
    blind pockets): a flat point on each one's rim, and the loops of their floors (faces
    parallel to the plane, less than t below it) moved into the flat."""
    part = skin.part
    skin_faces = set(skin.order)
    cos_tol = math.cos(math.radians(TANGENT_DEG))
    rims: list[Vec2] = []
    loops: list[Loop] = []
    for f, trsf in skin.transforms.items():
        face = part.face(f)
        outer = BRepTools.OuterWire_s(face)
        for wire in _wires(face):
            if wire.IsSame(outer):
                continue
            beyond = _beyond(part, wire, f, skin_faces, t)
            if beyond is None:
                continue
            rims.append(_xy(BRep_Tool.Pnt_s(TopExp.FirstVertex_s(_edges(wire)[0], True)).Transformed(trsf)))
            for g in sorted(beyond):
                if part.kinds[g] != "plane" or part.normal(g).Dot(part.normal(f)) < cos_tol:
                    continue
                depth = -part.level(f, BRepAdaptor_Surface(part.face(g)).Plane().Location())
                if depth > coincident_mm(part.diagonal):  # a floor, not an island left standing in the mark
                    lift = gp_Trsf()
                    lift.SetTranslation(gp_Vec(0.0, 0.0, depth))
                    floor, islands = face_loops(cq.Face(_placed(part.face(g), lift.Multiplied(trsf))))
                    loops += [floor, *islands]
    return rims, loops


def _beyond(part: _Solid, wire: TopoDS_Wire, f: int, skin: set[int], t: float) -> set[int] | None:
    """The faces reached from plane f's inner wire without crossing the skin, if none of them
    reaches t (within THICKNESS_SHARE) behind f: a mark or a pocket. None for a hole through."""
    seen: set[int] = set()
    queue = deque(sorted({g for e in _edges(wire) for g in part.faces_of(e)} - {f}))
    while queue:
        g = queue.popleft()
        if g in seen or g in skin:
            continue
        seen.add(g)
        if max(-part.level(f, BRep_Tool.Pnt_s(v)) for v in _vertices(part.face(g))) >= t * (1.0 - THICKNESS_SHARE):
            return None
        queue.extend(sorted(part.touching[g] - seen))
    return seen


def _on_loop(p: Vec2, loop: Loop) -> bool:
    """Whether p is one of the loop's vertices (within LOOP_MM)."""
    return any(math.dist(p, s.start) <= LOOP_MM for s in loop.segments)


def _bend_line(faces: list[_Bend], x0: float, y0: float) -> BendLine:
    """The centre line on the flat (moved by -x0, -y0) of a bend of one or more faces, from
    end to end, with how the shop bends it."""
    bend = faces[0]
    ends = [b.develop((b.u1 + b.u2) / 2.0, v) for b in faces for v in b.v]
    (ax, ay), (bx, by) = (f(ends, key=lambda p: p[0] * bend.along[0] + p[1] * bend.along[1]) for f in (min, max))
    return BendLine(
        number=bend.number,
        start=(ax - x0, ay - y0),
        end=(bx - x0, by - y0),
        direction="up" if bend.concave else "down",
        angle_deg=math.degrees(bend.angle),
        inside_radius_mm=bend.inside_radius,
        k_factor=bend.k,
        allowance_mm=bend.angle * bend.neutral,
        k_source=bend.k_source,
    )


def _shifted(loop: Loop, x0: float, y0: float) -> Loop:
    return Loop(tuple(Segment((s.start[0] - x0, s.start[1] - y0), (s.end[0] - x0, s.end[1] - y0), s.bulge) for s in loop.segments))


# ---------------------------------------------------------------------------------
# Small geometry helpers


def _normal(face: TopoDS_Face, u: float, v: float) -> gp_Vec | None:
    """The face's outward unit normal at (u, v) (its orientation counted), None where degenerate."""
    p, n = gp_Pnt(), gp_Vec()
    BRepGProp_Face(face).Normal(u, v, p, n)
    return n.Normalized() if n.Magnitude() > 1e-12 else None


def _normal_on_edge(face: TopoDS_Face, edge: TopoDS_Edge) -> gp_Vec | None:
    return _normal(face, *_uv(face, edge))


def _uv(face: TopoDS_Face, edge: TopoDS_Edge, s: float | None = None) -> tuple[float, float]:
    """The face's parameters of its edge's point at edge parameter s (default: the middle)."""
    curve = BRepAdaptor_Curve2d(edge, face)
    p = curve.Value((curve.FirstParameter() + curve.LastParameter()) / 2.0 if s is None else s)
    return p.X(), p.Y()


def _concave(face: TopoDS_Face) -> bool:
    """Whether a cylindrical face's outward normal points to its axis (the inside of a bend)."""
    surface = BRepAdaptor_Surface(face)
    umin, umax, vmin, vmax = BRepTools.UVBounds_s(face)
    u, v = (umin + umax) / 2.0, (vmin + vmax) / 2.0
    p = surface.Value(u, v)
    axis = gp_Lin(surface.Cylinder().Axis())
    on_axis = axis.Location().Translated(gp_Vec(axis.Direction()).Multiplied(gp_Vec(axis.Location(), p).Dot(gp_Vec(axis.Direction()))))
    return _normal(face, u, v).Dot(gp_Vec(p, on_axis)) > 0.0


def _radius(part: _Solid, c: int) -> float:
    return BRepAdaptor_Surface(part.face(c)).Cylinder().Radius()


def _xy(p: gp_Pnt) -> Vec2:
    return (p.X(), p.Y())


def _unit(v: gp_Vec) -> Vec2:
    """The vector's X and Y, normalised (its Z, round-off off the flat, dropped)."""
    length = math.hypot(v.X(), v.Y())
    return (v.X() / length, v.Y() / length)


def _explore(shape: TopoDS_Shape, kind) -> list:
    out, explorer = [], TopExp_Explorer(shape, kind)
    while explorer.More():
        out.append(explorer.Current())
        explorer.Next()
    return out


def _wires(face: TopoDS_Face) -> list[TopoDS_Wire]:
    return [TopoDS.Wire_s(w) for w in _explore(face, TopAbs_WIRE)]


def _edges(shape: TopoDS_Shape) -> list[TopoDS_Edge]:
    return [TopoDS.Edge_s(e) for e in _explore(shape, TopAbs_EDGE)]


def _vertices(shape: TopoDS_Shape) -> list[TopoDS_Vertex]:
    return [TopoDS.Vertex_s(v) for v in _explore(shape, TopAbs_VERTEX)]


def _width(face: TopoDS_Face) -> float:
    """How wide a planar face is (mm): a strip a wide has moment A a² / 12 about its long axis."""
    props = GProp_GProps()
    BRepGProp.SurfaceProperties_s(face, props)
    return math.sqrt(12.0 * min(props.PrincipalProperties().Moments()) / props.Mass())


def _area(shape: TopoDS_Shape) -> float:
    """Area in mm², by adaptive integration to AREA_EPS (the default Gauss rule is off by 1e-6 on spline edges)."""
    props = GProp_GProps()
    BRepGProp.SurfaceProperties_s(shape, props, AREA_EPS)
    return props.Mass()


def _box(shape: TopoDS_Shape) -> Bnd_Box:
    box = Bnd_Box()
    BRepBndLib.Add_s(shape, box, False)
    return box


def _diagonal(shape: TopoDS_Shape) -> float:
    xmin, ymin, zmin, xmax, ymax, zmax = _box(shape).Get()
    return math.dist((xmin, ymin, zmin), (xmax, ymax, zmax))

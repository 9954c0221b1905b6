"""A snapshot of one side of a diff: what a supplier quotes from, reduced to plain values.

Per part: the attributes a quote depends on (material, process, finish, quantity, supplier,
...), the spec's features, the numbered characteristics (techpack.inspection: what the
drawing balloons and the inspection plan measures) and the geometry of the solid (volume,
exact bounding box, a signature per face, the recognised holes). Per hardware item: its
attributes. Built from a loaded spec and its part models (a git revision or the working
tree), or from a package zip (snapshot from its spec copy, STEP files and characteristics
JSON: sides.py), so that both give the same values for the same inputs. Lengths in mm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cadquery as cq
import numpy as np
from OCP.BRepAdaptor import BRepAdaptor_Surface
from OCP.BRepGProp import BRepGProp
from OCP.GeomAbs import (
    GeomAbs_Cone,
    GeomAbs_Cylinder,
    GeomAbs_Plane,
    GeomAbs_Sphere,
    GeomAbs_Torus,
)
from OCP.GProp import GProp_GProps

from techpack.geometry.features import Hole
from techpack.geometry.part import exact_box
from techpack.geometry.tolerance import coincident_mm
from techpack.spec import LoadedSpec, Part
from techpack.naming import supplier_name

CHARACTERISTIC_KEYS = ("feature", "kind", "text", "nominal", "upper", "lower", "unit", "datums", "critical", "general", "count")
FEATURE_KEYS = ("select", "datum", "mask", "cosmetic")  # what a feature says that no characteristic carries
TOLERANCE_KEYS = ("fit", "tolerance", "thread", "depth", "surface", "flatness", "position", "perpendicularity", "parallelism", "critical")
KINDS = {GeomAbs_Plane: "plane", GeomAbs_Cylinder: "cylinder", GeomAbs_Cone: "cone", GeomAbs_Sphere: "sphere", GeomAbs_Torus: "torus"}


@dataclass(frozen=True)
class FaceSig:
    """A face as the diff compares it: its surface kind, area (mm²), centroid (mm), the sizes of
    its surface (cylinder, sphere: radius; cone: semi-angle in degrees; torus: major and minor
    radius), its direction (a plane's normal, an axis; sign made canonical), a point of its
    surface (a plane's nearest the origin, a cylinder's axis point nearest the origin, a cone's
    apex, a torus's or sphere's centre) and its second moments of area about the centroid, which
    tell a face turned in its plane from one that is not."""

    kind: str
    area: float
    centroid: tuple[float, float, float]
    sizes: tuple[float, ...] = ()
    direction: tuple[float, float, float] | None = None
    point: tuple[float, float, float] | None = None
    moments: tuple[float, ...] = (0.0,) * 6  # second moments of area about the centroid (mm⁴): xx, yy, zz, xy, xz, yz


@dataclass(frozen=True)
class HoleSig:
    """A recognised hole (geometry/features.py) as the diff compares it (mm)."""

    diameter: float
    depth: float
    through: bool
    bottom: str | None
    counterbore: tuple[float, float] | None
    countersink: tuple[float, float] | None
    entry: tuple[float, float, float]
    direction: tuple[float, float, float]


@dataclass(frozen=True)
class Geometry:
    """A solid's volume (mm³), exact box (xmin, ymin, zmin, xmax, ymax, zmax, mm), faces and holes,
    and the position tolerance for it (geometry/tolerance.py: scales with the diagonal)."""

    volume: float
    box: tuple[float, float, float, float, float, float]
    faces: tuple[FaceSig, ...]
    holes: tuple[HoleSig, ...]

    @property
    def tolerance(self) -> float:
        size = np.subtract(self.box[3:], self.box[:3])
        return coincident_mm(float(np.linalg.norm(size)))


@dataclass(eq=False)
class PartSnap:
    """One part of one side. attrs: what a quote depends on, each as it reads to a supplier
    (finish: one line per step); features: each spec feature by name, its fields; characteristics:
    as techpack.inspection numbers them (None when the side does not say)."""

    number: str
    name: str
    attrs: dict[str, Any]
    finish_params: tuple  # the finishes with every parameter resolved, to compare
    features: dict[str, dict[str, Any]]
    characteristics: list[dict[str, Any]] | None
    geometry: Geometry
    solid: cq.Solid | None = field(default=None, repr=False)
    supplier_key: str | None = None  # its key in `suppliers:` (not compared: the name is)


@dataclass(eq=False)
class Snapshot:
    """One side: its label for people, the product's revision and its git commit (if known),
    product attributes, parts and hardware by number."""

    label: str
    revision: str
    commit: str | None
    product: dict[str, Any]
    parts: dict[str, PartSnap]
    hardware: dict[str, dict[str, Any]]
    number: str = ""
    hardware_suppliers: dict[str, str | None] = field(default_factory=dict)  # hardware number -> supplier key


def _canonical(v: np.ndarray) -> np.ndarray:
    """A direction with its sign fixed: the largest component positive."""
    v = v / np.linalg.norm(v)
    return -v if v[int(np.argmax(np.abs(v)))] < 0 else v


def _t(v) -> tuple[float, float, float]:
    """A gp_Pnt, gp_Dir or numpy vector as a tuple of floats."""
    if hasattr(v, "X"):
        return (v.X(), v.Y(), v.Z())
    return tuple(float(c) for c in v)


def face_signature(face: cq.Face) -> FaceSig:
    props = GProp_GProps()
    BRepGProp.SurfaceProperties_s(face.wrapped, props)
    c = props.CentreOfMass()
    centroid = (c.X(), c.Y(), c.Z())
    surf = BRepAdaptor_Surface(face.wrapped, True)
    kind = KINDS.get(surf.GetType(), "other")
    sizes, direction, point = (), None, None
    if kind == "plane":
        pl = surf.Plane()
        n = _canonical(np.array(_t(pl.Axis().Direction())))
        loc = np.array(_t(pl.Location()))
        direction, point = _t(n), _t(n * float(n @ loc))
    elif kind in ("cylinder", "cone", "torus"):
        g = {"cylinder": surf.Cylinder, "cone": surf.Cone, "torus": surf.Torus}[kind]()
        d = _canonical(np.array(_t(g.Axis().Direction())))
        loc = np.array(_t(g.Axis().Location()))
        if kind == "cylinder":
            sizes = (g.Radius(),)
            loc = loc - d * float(d @ loc)  # the axis's point nearest the origin
        elif kind == "cone":
            sizes = (abs(np.degrees(g.SemiAngle())),)
            apex = g.Apex()
            loc = np.array(_t(apex))
        else:
            sizes = (g.MajorRadius(), g.MinorRadius())
        direction, point = _t(d), _t(loc)
    elif kind == "sphere":
        s = surf.Sphere()
        sizes, point = (s.Radius(),), _t(s.Location())
    m = props.MatrixOfInertia()  # about the centroid
    moments = tuple(m.Value(i, j) for i, j in ((1, 1), (2, 2), (3, 3), (1, 2), (1, 3), (2, 3)))
    return FaceSig(kind, props.Mass(), centroid, tuple(float(s) for s in sizes), direction, point, moments)


def hole_signature(h: Hole) -> HoleSig:
    return HoleSig(h.diameter_mm, h.depth_mm, h.through, h.bottom, h.counterbore, h.countersink, tuple(h.entry), tuple(h.direction))


def geometry_of(solid: cq.Solid, holes) -> Geometry:
    """The solid's geometry as the diff compares it; holes: features.holes of that solid."""
    return Geometry(
        volume=solid.Volume(), box=tuple(exact_box(solid.wrapped)),
        faces=tuple(face_signature(f) for f in solid.Faces()), holes=tuple(hole_signature(h) for h in holes),
    )


def _plain(value: Any) -> Any:
    """Spec values as plain JSON-able data (pydantic models dumped; numbers kept)."""
    if hasattr(value, "model_dump"):
        return _plain(value.model_dump())
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def part_attrs(loaded: LoadedSpec, part: Part) -> tuple[dict[str, Any], tuple]:
    """What a quote for the part depends on, as a supplier reads it, and its finishes with
    every parameter resolved (for comparing)."""
    spec, catalog = loaded.spec, loaded.catalog
    material = catalog.material(part.material)
    process = catalog.processes.get(part.process)
    finishes = loaded.finishes(part)
    attrs = {
        "name": part.name,
        "material": material.title if material else part.material,
        "process": process.title if process else part.process,
        "finish": [f.describe() for f in finishes],
        "qty": part.qty,
        "spares": str(part.spares if part.spares is not None else spec.product.spares),
        "supplier": supplier_name(loaded.spec, part.supplier),
        "surface": loaded.surface(part).text if process else part.surface,
        "general tolerance": loaded.general_tolerance(part).designation if process else part.general_tolerance,
        "cosmetic class": part.cosmetic,
        "thickness": part.thickness,
        "description": part.description,
    }
    resolved = tuple((f.finish.key, tuple(sorted((k, repr(v)) for k, v in f.params.items()))) for f in finishes)
    return attrs, resolved


def features_of(part: Part) -> dict[str, dict[str, Any]]:
    """The spec's features by name, each field that is set, as plain values."""
    return {f.name: {k: _plain(getattr(f, k)) for k in (*FEATURE_KEYS, *TOLERANCE_KEYS)} for f in part.features}


def characteristics_of(items) -> list[dict[str, Any]]:
    """Characteristics (to_dict() or the drawing's JSON) reduced to what the diff compares."""
    out = []
    for c in items:
        d = c.to_dict() if hasattr(c, "to_dict") else c
        out.append({k: (round(d[k], 6) if isinstance(d.get(k), float) else list(d[k]) if k == "datums" else d.get(k)) for k in CHARACTERISTIC_KEYS})
    return out


def hardware_of(loaded: LoadedSpec) -> dict[str, dict[str, Any]]:
    spec = loaded.spec
    return {
        h.number: {
            "name": h.name, "qty": h.qty, "supplier": supplier_name(loaded.spec, h.supplier),
            "spares": str(h.spares if h.spares is not None else spec.product.spares), "description": h.description,
        }
        for h in spec.hardware
    }


def product_of(loaded: LoadedSpec) -> dict[str, Any]:
    p = loaded.spec.product
    return {
        "name": p.name, "batch": p.batch, "general tolerance": p.general_tolerance,
        "inspection": f"level {p.inspection.level}, AQL {p.inspection.aql:g}", "spares": str(p.spares), "units": p.units,
    }


def part_snapshot(loaded: LoadedSpec, part: Part, solid: cq.Solid, holes, characteristics) -> PartSnap:
    attrs, finishes = part_attrs(loaded, part)
    return PartSnap(
        number=part.number, name=part.name, attrs=attrs, finish_params=finishes, features=features_of(part),
        characteristics=characteristics_of(characteristics) if characteristics is not None else None,
        geometry=geometry_of(solid, holes), solid=solid, supplier_key=part.supplier,
    )


def from_models(loaded: LoadedSpec, models, label: str, commit: str | None) -> Snapshot:
    """A side from a loaded spec and its part models (geometry/model.py PartModel)."""
    parts = {m.spec.number: part_snapshot(loaded, m.spec, m.solid, m.features.holes, m.characteristics) for m in models}
    return snapshot_of(loaded, parts, label, commit)


def snapshot_of(loaded: LoadedSpec, parts: dict[str, PartSnap], label: str, commit: str | None) -> Snapshot:
    spec = loaded.spec
    return Snapshot(label, spec.product.revision, commit, product_of(loaded), parts, hardware_of(loaded), spec.product.number,
                    {h.number: h.supplier for h in spec.hardware})

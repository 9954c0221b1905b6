"""The semantic PMI of an AP242 STEP file: datums, geometric tolerances and dimensions,
each with the faces it is attached to.

Read with OCCT's XCAF reader (STEPCAFControl_Reader into a TDocStd_Document, walked with
XCAFDoc_DimTolTool), as ../shared/reference/cad-exports-pmi.md (section 1) measured. Two gaps
of OCCT 7.9 are filled from the STEP entities themselves (a small reader of the file's
DATA section, `_Step`):
- every geometric tolerance's zone reads as 0.0 (its magnitude is a complex
  LENGTH_MEASURE_WITH_UNIT instance the 7.9 reader drops; fixed in OCCT 8.0): the value is
  taken from the tolerance entity's magnitude;
- a datum feature linked to its faces by ITEM_IDENTIFIED_REPRESENTATION_USAGE (a set of
  faces) rather than GEOMETRIC_ITEM_SPECIFIC_USAGE gets no faces: they are taken from the
  entities, and the STEP faces found through the reader's own transfer (STEPConstruct.FindShape).
The reader also stores |lower deviation| of a ± tolerance (so "+0.3/+0.1" would read as
+0.3/-0.1), and loses a class of tolerance (H7) to an unbound out-parameter: both are read
from the entities too.

Lengths are in mm, angles in degrees. Face ids are 1-based positions in the faces of the
file's solid (`solid.Faces()`, TopExp.MapShapes order), the solid techpack builds from the
same file; given that solid, each face is checked against it by its geometry. Anything
that cannot be read is a sentence in `Pmi.problems`, never a value of 0.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from pathlib import Path

from OCP.Bnd import Bnd_Box
from OCP.BRepAdaptor import BRepAdaptor_Surface
from OCP.BRepBndLib import BRepBndLib
from OCP.BRepGProp import BRepGProp
from OCP.GeomAbs import GeomAbs_Cylinder, GeomAbs_Plane
from OCP.GProp import GProp_GProps
from OCP.IFSelect import IFSelect_RetDone
from OCP.Interface import Interface_Static
from OCP.STEPCAFControl import STEPCAFControl_Reader
from OCP.STEPConstruct import STEPConstruct
from OCP.TCollection import TCollection_ExtendedString
from OCP.TDataStd import TDataStd_Name
from OCP.TDF import TDF_AttributeIterator, TDF_LabelSequence
from OCP.TDocStd import TDocStd_Document
from OCP.TopAbs import TopAbs_FACE, TopAbs_SOLID
from OCP.TopExp import TopExp, TopExp_Explorer
from OCP.TopoDS import TopoDS
from OCP.TopTools import TopTools_IndexedMapOfShape
from OCP.XCAFDoc import (
    XCAFDoc_Datum,
    XCAFDoc_Dimension,
    XCAFDoc_DimTolTool,
    XCAFDoc_DocumentTool,
    XCAFDoc_GeomTolerance,
    XCAFDoc_ShapeTool,
)

from techpack.geometry.tolerance import coincident_mm
from techpack.spec.model import DATUM_LETTERS, MAX_DATUMS
from techpack.standards import StandardsError, iso286

# --- what is read ------------------------------------------------------------------------


@dataclass(frozen=True)
class Datum:
    """A datum feature (ISO 5459): its letter and the faces it is established on."""

    label: str
    faces: tuple[int, ...]


@dataclass(frozen=True)
class GeoTolerance:
    """A geometric tolerance (ISO 1101): kind ('flatness', 'position', 'surface profile', ...),
    the zone's width in mm (None when it cannot be read: see Pmi.problems), zone modifiers
    ('diameter', 'spherical diameter', 'projected 10', 'non-uniform'), material modifier
    ('MMC', 'LMC' or None), datum letters primary first, other modifiers ('all around',
    'free state', 'datum B at MMB', 'max 0.2', ...), and the faces it applies to."""

    kind: str
    value_mm: float | None
    zone_modifiers: tuple[str, ...]
    material_modifier: str | None
    datums: tuple[str, ...]
    faces: tuple[int, ...]
    name: str
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dimension:
    """A semantic dimension: kind ('diameter', 'radius', 'linear distance', 'angle', ...),
    nominal and signed deviations from it in `unit` ('mm', or 'deg' for an angle; None when
    the file holds no value), how the tolerance is written ('deviations' +0.1/-0.2, 'limits'
    35.2/34.8, 'class' with `fit` H7, or 'nominal' with none: basic or general), the faces
    it is on (for a location, `faces` is where it starts and `faces_to` where it ends), and
    the size measured on the model where that is unambiguous (a cylinder's diameter or
    radius, the distance between two parallel planes)."""

    kind: str
    nominal: float | None
    upper: float | None
    lower: float | None
    faces: tuple[int, ...]
    name: str
    unit: str = "mm"
    written_as: str = "nominal"
    fit: str | None = None
    faces_to: tuple[int, ...] = ()
    modifiers: tuple[str, ...] = ()
    measured: float | None = None


@dataclass(frozen=True)
class Pmi:
    """Everything read, and a plain sentence for each item that could not be read."""

    datums: tuple[Datum, ...] = ()
    tolerances: tuple[GeoTolerance, ...] = ()
    dimensions: tuple[Dimension, ...] = ()
    problems: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.datums or self.tolerances or self.dimensions or self.problems)


_TOL_KIND = {
    "Angularity": "angularity", "CircularRunout": "circular runout", "CircularityOrRoundness": "circularity",
    "Coaxiality": "coaxiality", "Concentricity": "concentricity", "Cylindricity": "cylindricity",
    "Flatness": "flatness", "Parallelism": "parallelism", "Perpendicularity": "perpendicularity",
    "Position": "position", "ProfileOfLine": "line profile", "ProfileOfSurface": "surface profile",
    "Straightness": "straightness", "Symmetry": "symmetry", "TotalRunout": "total runout",
}
# the entity of each kind, for a tolerance OCCT could not type
_TOL_ENTITY = {
    "ANGULARITY_TOLERANCE": "angularity", "CIRCULAR_RUNOUT_TOLERANCE": "circular runout", "ROUNDNESS_TOLERANCE": "circularity",
    "COAXIALITY_TOLERANCE": "coaxiality", "CONCENTRICITY_TOLERANCE": "concentricity", "CYLINDRICITY_TOLERANCE": "cylindricity",
    "FLATNESS_TOLERANCE": "flatness", "PARALLELISM_TOLERANCE": "parallelism", "PERPENDICULARITY_TOLERANCE": "perpendicularity",
    "POSITION_TOLERANCE": "position", "LINE_PROFILE_TOLERANCE": "line profile", "SURFACE_PROFILE_TOLERANCE": "surface profile",
    "STRAIGHTNESS_TOLERANCE": "straightness", "SYMMETRY_TOLERANCE": "symmetry", "TOTAL_RUNOUT_TOLERANCE": "total runout",
}
_GT_TYPES = frozenset(_TOL_ENTITY) | {"GEOMETRIC_TOLERANCE", "MODIFIED_GEOMETRIC_TOLERANCE", "GEOMETRIC_TOLERANCE_WITH_DATUM_REFERENCE",
                                      "GEOMETRIC_TOLERANCE_WITH_MODIFIERS", "GEOMETRIC_TOLERANCE_WITH_DEFINED_UNIT",
                                      "GEOMETRIC_TOLERANCE_WITH_DEFINED_AREA_UNIT", "GEOMETRIC_TOLERANCE_WITH_MAXIMUM_TOLERANCE",
                                      "UNEQUALLY_DISPOSED_GEOMETRIC_TOLERANCE"}
_SIZE_TYPES = frozenset({"DIMENSIONAL_SIZE", "DIMENSIONAL_SIZE_WITH_PATH", "DIMENSIONAL_SIZE_WITH_DATUM_FEATURE", "ANGULAR_SIZE"})
_LOCATION_TYPES = frozenset({"DIMENSIONAL_LOCATION", "DIMENSIONAL_LOCATION_WITH_PATH", "DIRECTED_DIMENSIONAL_LOCATION",
                             "ANGULAR_LOCATION", "DIMENSIONAL_LOCATION_WITH_DATUM_FEATURE"})
_DIM_KIND = {
    "Location_CurvedDistance": "curved distance", "Location_LinearDistance": "linear distance",
    "Location_LinearDistance_FromCenterToOuter": "linear distance", "Location_LinearDistance_FromCenterToInner": "linear distance",
    "Location_LinearDistance_FromOuterToCenter": "linear distance", "Location_LinearDistance_FromOuterToOuter": "linear distance",
    "Location_LinearDistance_FromOuterToInner": "linear distance", "Location_LinearDistance_FromInnerToCenter": "linear distance",
    "Location_LinearDistance_FromInnerToOuter": "linear distance", "Location_LinearDistance_FromInnerToInner": "linear distance",
    "Location_Angular": "angle", "Location_Oriented": "oriented distance", "Location_WithPath": "distance along a path",
    "Size_CurveLength": "curve length", "Size_Diameter": "diameter", "Size_SphericalDiameter": "spherical diameter",
    "Size_Radius": "radius", "Size_SphericalRadius": "spherical radius", "Size_ToroidalMinorDiameter": "toroidal minor diameter",
    "Size_ToroidalMajorDiameter": "toroidal major diameter", "Size_ToroidalMinorRadius": "toroidal minor radius",
    "Size_ToroidalMajorRadius": "toroidal major radius", "Size_ToroidalHighMajorDiameter": "toroidal high major diameter",
    "Size_ToroidalLowMajorDiameter": "toroidal low major diameter", "Size_ToroidalHighMajorRadius": "toroidal high major radius",
    "Size_ToroidalLowMajorRadius": "toroidal low major radius", "Size_Thickness": "thickness", "Size_Angular": "angle",
    "Size_WithPath": "size along a path",
}
_ANGULAR = {"angle"}
# what a dimension entity's name says when OCCT types it Location_None (it does so for one without a value)
_DIM_NAMES = {"curve length", "diameter", "spherical diameter", "radius", "spherical radius", "thickness", "curved distance",
              "linear distance", "angle"} | {v for v in _DIM_KIND.values()}
_PMI_WORDS = re.compile(rb"\b(?:[A-Z_]*_TOLERANCE|DATUM|DATUM_FEATURE|DIMENSIONAL_SIZE|DIMENSIONAL_LOCATION|ANGULAR_SIZE|ANGULAR_LOCATION)\s*\(")
_PMI_PARTS = (b"_TOLERANCE", b"DATUM", b"DIMENSIONAL_", b"ANGULAR_")  # one is in every match: a quick first test (12 ms less on a 1 MB AP203 file)


def _words(enum, prefix: str) -> str:
    return enum.name.removeprefix(prefix)


# --- reading -----------------------------------------------------------------------------


def read_pmi(path: Path | str, solid=None) -> Pmi:
    """The semantic PMI of the STEP file at path. Face ids are 1-based in the faces of the
    file's one solid; with `solid` (a cq.Shape or TopoDS_Shape: the part techpack built from
    this file), in `solid.Faces()`, each face found on it by its geometry. A file without
    PMI (AP203, AP214) gives an empty Pmi without being read by OCCT."""
    path = Path(path)
    text = path.read_bytes()
    if not any(word in text for word in _PMI_PARTS) or not _PMI_WORDS.search(text):
        return Pmi()
    reader = STEPCAFControl_Reader()
    reader.SetGDTMode(True)
    reader.SetNameMode(True)
    Interface_Static.SetCVal_s("xstep.cascade.unit", "MM")  # as techpack.geometry.stepfile reads it
    if reader.ReadFile(str(path)) != IFSelect_RetDone:
        return Pmi(problems=(f"{path.name} is not a STEP file OCCT can read; its PMI is not read",))
    doc = TDocStd_Document(TCollection_ExtendedString("XmlXCAF"))
    XCAFDoc_DocumentTool.SetLengthUnit_s(doc, 0.001)  # values and geometry in mm, whatever the file's unit
    if not reader.Transfer(doc):
        return Pmi(problems=(f"OCCT could not transfer {path.name}; its PMI is not read",))
    return _Reading(reader, doc, _Step(text.decode("latin-1")), solid).pmi()


def _attr(label, cls):
    """The label's attribute of this class, read-only (label.FindAttribute with a fresh
    object leaves XCAF attributes unattached in OCP: reference, pitfall P2)."""
    it = TDF_AttributeIterator(label)
    while it.More():
        if isinstance(it.Value(), cls):
            return it.Value()
        it.Next()
    return None


def _seq(s) -> list:
    return [s.Value(i) for i in range(1, s.Length() + 1)]


def _name(label) -> str:
    a = _attr(label, TDataStd_Name)
    return a.Get().ToExtString() if a is not None else ""


def _ids(faces) -> str:
    return (f"face {faces[0]}" if len(faces) == 1 else "faces " + ", ".join(str(f) for f in faces)) if faces else "no face"


class _Reading:
    """One XCAF document and its STEP entities, read into a Pmi."""

    def __init__(self, reader: STEPCAFControl_Reader, doc, step: _Step, solid) -> None:
        self.doc, self.step, self.problems = doc, step, []
        self.dtool = XCAFDoc_DocumentTool.DimTolTool_s(doc.Main())
        stool = XCAFDoc_DocumentTool.ShapeTool_s(doc.Main())
        free = TDF_LabelSequence()
        stool.GetFreeShapes(free)
        shapes = [XCAFDoc_ShapeTool.GetShape_s(lab) for lab in _seq(free)]
        solids = [s for shape in shapes for s in _solids(shape)]
        self.fmap = TopTools_IndexedMapOfShape()
        if len(solids) == 1:
            TopExp.MapShapes_s(solids[0], TopAbs_FACE, self.fmap)
        else:
            for shape in shapes:
                TopExp.MapShapes_s(shape, TopAbs_FACE, self.fmap)
            if solids:
                self.problems.append(f"the file holds {len(solids)} solids; PMI face ids count the faces of all of them in turn")
        self.model = reader.Reader().StepModel()
        self.tp = reader.Reader().WS().TransferReader().TransientProcess()
        self.renumber = _Renumber(self.fmap, solid) if solid is not None else None

    # faces ---------------------------------------------------------------------------------

    def label_faces(self, label) -> tuple[list[int], list[int], int]:
        """(first, second, others): face ids of the shapes an XCAF item is attached to, and
        how many of them are no face of the solid (edges, vertices)."""
        first, second = TDF_LabelSequence(), TDF_LabelSequence()
        XCAFDoc_DimTolTool.GetRefShapeLabel_s(label, first, second)
        out, others = ([], []), 0
        for k, seq in enumerate((first, second)):
            for lab in _seq(seq):
                shape = XCAFDoc_ShapeTool.GetShape_s(lab)
                i = self.fmap.FindIndex(shape) if shape.ShapeType() == TopAbs_FACE else 0
                if i:
                    out[k].append(i)
                else:
                    others += 1
        return out[0], out[1], others

    def step_faces(self, item_ids) -> list[int]:
        """Face ids of STEP face entities (#854), through the reader's transfer of them."""
        out = []
        for n in item_ids:
            rank = self.step.rank(n)
            ent = self.model.Value(rank) if 0 < rank <= self.model.NbEntities() else None
            if ent is None or "Face" not in ent.DynamicType().Name():
                rank = self.model.NextNumberForLabel(f"#{n}", 0, True)  # a file whose entities OCCT numbered differently
                ent = self.model.Value(rank) if rank > 0 else None
            if ent is None:
                continue
            shape = STEPConstruct.FindShape_s(self.tp, ent)
            i = self.fmap.FindIndex(shape) if not shape.IsNull() and shape.ShapeType() == TopAbs_FACE else 0
            if i:
                out.append(i)
        return out

    def face(self, i: int):
        return TopoDS.Face_s(self.fmap.FindKey(i))

    def final(self, ids, what: str) -> tuple[int, ...]:
        """Sorted ids, renumbered onto the given solid's faces."""
        ids = sorted(set(ids))
        if self.renumber is None:
            return tuple(ids)
        out = []
        for i in ids:
            j = self.renumber(i)
            if j is None:
                self.problems.append(f"{what}: face {i} of the STEP file is not a face of the part's solid (no face of the same shape and place); it is left out")
            else:
                out.append(j)
        return tuple(sorted(set(out)))

    # items ---------------------------------------------------------------------------------

    def pmi(self) -> Pmi:
        datums = self.datums()
        tolerances = self.tolerances()
        dimensions = self.dimensions()
        return Pmi(datums, tolerances, dimensions, tuple(self.problems))

    def datums(self) -> tuple[Datum, ...]:
        labels = TDF_LabelSequence()
        self.dtool.GetDatumLabels(labels)
        faces: dict[str, set[int]] = {}
        for lab in _seq(labels):
            obj = _attr(lab, XCAFDoc_Datum).GetObject()
            letter = obj.GetName().ToCString() if obj.GetName() is not None else ""
            first, second, _ = self.label_faces(lab)
            faces.setdefault(letter, set()).update(first + second)
        for letter in self.step.datum_letters():  # a datum no tolerance refers to is not in the XCAF document
            faces.setdefault(letter, set())
        out = []
        for letter in sorted(faces):
            ids = faces[letter] or set(self.step_faces(self.step.datum_items(letter)))  # G2: datum features linked by a set of faces
            final = self.final(ids, f"datum {letter}")
            if not final:
                self.problems.append(f"datum {letter} is attached to no face of the model in the STEP file; it is not read")
                continue
            out.append(Datum(letter, final))
        return tuple(out)

    def tolerances(self) -> tuple[GeoTolerance, ...]:
        labels = TDF_LabelSequence()
        self.dtool.GetGeomToleranceLabels(labels)
        used: set[int] = set()
        out = []
        for lab in _seq(labels):
            t = _attr(lab, XCAFDoc_GeomTolerance).GetObject()
            name = _name(lab)
            first, second, others = self.label_faces(lab)
            ids = first + second
            entity = self.step.match("tolerance", self.step.tolerances(), name, ids, used, self.step_faces)
            kind = _TOL_KIND.get(_words(t.GetType(), "XCAFDimTolObjects_GeomToleranceType_"))
            if kind is None and entity is not None:
                kind = next((_TOL_ENTITY[p] for p in self.step.entity(entity) if p in _TOL_ENTITY), None)
            kind = kind or "geometric tolerance"
            what = f"{kind} tolerance '{name}'" if name else f"a {kind} tolerance"
            if not ids and entity is not None:
                ids = self.step_faces(self.step.aspect_items(self.step.tolerance_aspect(entity)))
            faces = self.final(ids, what)
            if not faces:
                self.problems.append(f"{what} is attached to no face of the model" + (" (only to edges or points)" if others else "") + "; it is not read")
                continue
            material = {"M": "MMC", "L": "LMC"}.get(_words(t.GetMaterialRequirementModifier(), "XCAFDimTolObjects_GeomToleranceMatReqModif_"))
            value = self.tolerance_value(t, entity, what, material)
            zone = {"Diameter": ("diameter",), "SphericalDiameter": ("spherical diameter",)}.get(
                _words(t.GetTypeOfValue(), "XCAFDimTolObjects_GeomToleranceTypeValue_"), ())
            zm = _words(t.GetZoneModifier(), "XCAFDimTolObjects_GeomToleranceZoneModif_")
            if zm == "Projected":
                zone += (f"projected {t.GetValueOfZoneModifier():g}",)
            elif zm == "NonUniform":
                zone += ("non-uniform",)
            elif zm == "Runout":
                zone += (f"runout {t.GetValueOfZoneModifier():g}",)
            modifiers = [_words(m, "XCAFDimTolObjects_GeomToleranceModif_").replace("_", " ").lower() for m in _seq(t.GetModifiers())]
            if t.GetMaxValueModifier() > 0:
                modifiers.append(f"max {t.GetMaxValueModifier():g}")
            refs = TDF_LabelSequence()
            XCAFDoc_DimTolTool.GetDatumWithObjectOfTolerLabels_s(lab, refs)
            drf = []
            for k, ref in enumerate(_seq(refs)):
                d = _attr(ref, XCAFDoc_Datum).GetObject()
                letter = d.GetName().ToCString() if d.GetName() is not None else "?"
                drf.append((d.GetPosition() or k + 1, letter))
                modifiers += [f"datum {letter} {_datum_modifier(m)}" for m in _seq(d.GetModifiers())]
            datums = tuple(letter for _, letter in sorted(drf))
            out.append(GeoTolerance(kind, value, zone, material, datums, faces, name, tuple(modifiers)))
        return tuple(out)

    def tolerance_value(self, t, entity: int | None, what: str, material: str | None) -> float | None:
        """The zone's width: OCCT's, else the STEP entity's magnitude (OCCT 7.9 reads 0.0)."""
        occt = t.GetValue()
        step = self.step.tolerance_magnitude(entity) if entity is not None else None
        if occt > 0:
            if step is not None and abs(step - occt) > 1e-9 * max(1.0, occt):
                self.problems.append(f"{what}: OCCT reads a zone of {occt:g} mm and the STEP entity #{entity} {step:g} mm; {occt:g} is used")
            return occt
        if step is not None and (step > 0 or (step == 0 and material)):  # 0 at MMC/LMC is a real zero-tolerance callout
            return step
        where = f" (entity #{entity})" if entity is not None else ""
        self.problems.append(f"{what}: the width of its tolerance zone cannot be read from the STEP file{where}; it is not read, never taken as 0")
        return None

    def dimensions(self) -> tuple[Dimension, ...]:
        labels = TDF_LabelSequence()
        self.dtool.GetDimensionLabels(labels)
        used: set[int] = set()
        out = []
        for lab in _seq(labels):
            d = _attr(lab, XCAFDoc_Dimension).GetObject()
            dtype = _words(d.GetType(), "XCAFDimTolObjects_DimensionType_")
            if dtype in ("DimensionPresentation", "CommonLabel"):
                continue  # graphical callouts only (reference, P8)
            name = _name(lab)
            kind = _DIM_KIND.get(dtype) or (name.lower() if name.lower() in _DIM_NAMES else "dimension")
            unit = "deg" if kind in _ANGULAR else "mm"
            first, second, others = self.label_faces(lab)
            has_value = d.GetValues() is not None
            entity = self.step.match("dimension", self.step.dimensions(has_value), name, first + second, used, self.step_faces)
            if not first and not second and entity is not None:
                a, b = self.step.dimension_aspects(entity)
                first, second = self.step_faces(self.step.aspect_items(a)), self.step_faces(self.step.aspect_items(b)) if b else []
            what = f"{kind} dimension" + (f" '{name}'" if name and name.lower() != kind else "")
            faces, faces_to = self.final(first, what), self.final(second, what)
            if not faces and not faces_to:
                self.problems.append(f"{what} is attached to no face of the model" + (" (only to edges or points)" if others else "") + "; it is not read")
                continue
            if not faces:
                faces, faces_to = faces_to, ()
            measured = self.measure(kind, first, second)
            modifiers = tuple(_words(m, "XCAFDimTolObjects_DimensionModif_") for m in _seq(d.GetModifiers()))
            q = _words(d.GetQualifier(), "XCAFDimTolObjects_DimensionQualifier_")
            if q != "None":
                modifiers += ({"Min": "minimum", "Max": "maximum", "Avg": "average"}.get(q, q.lower()),)
            common = {"faces": faces, "name": name, "unit": unit, "faces_to": faces_to, "modifiers": modifiers, "measured": measured}
            if not has_value:
                seen = f"; the model measures {_fmt_value(kind, measured)} there" if measured is not None else ""
                self.problems.append(f"{what} on {_ids(faces)}{' to ' + _ids(faces_to) if faces_to else ''} has no value in the STEP file "
                                     f"(only its graphic callout may show one){seen}; it is not read")
                out.append(Dimension(kind, None, None, None, **common))
                continue
            out.append(self.dimension(d, kind, entity, what, common))
        return tuple(out)

    def dimension(self, d, kind: str, entity: int | None, what: str, common: dict) -> Dimension:
        values = self.step.dimension_values(entity) if entity is not None else {}
        tol = self.step.plus_minus(entity) if entity is not None else None
        nominal = d.GetValue()
        if d.IsDimWithRange():
            nominal = values.get("nominal value", nominal)
            lo, up = d.GetLowerBound(), d.GetUpperBound()
            return Dimension(kind, nominal, round(up - nominal, 9), round(lo - nominal, 9), written_as="limits", **common)
        if d.IsDimWithPlusMinusTolerance():
            if isinstance(tol, tuple):  # signed, from the entities (OCCT keeps |lower|: reference, P5)
                up, lo = tol[1], tol[0]
            else:
                up, lo = d.GetUpperTolValue(), -abs(d.GetLowerTolValue())
            return Dimension(kind, nominal, up, lo, written_as="deviations", **common)
        if d.IsDimWithClassOfTolerance():
            if not isinstance(tol, str):
                self.problems.append(f"{what} {_fmt_value(kind, nominal)} on {_ids(common['faces'])} has a class of tolerance (ISO 286) "
                                     "that cannot be read from the STEP file; its limits are not read")
                return Dimension(kind, nominal, None, None, written_as="class", **common)
            up = lo = None
            try:
                t = iso286.tolerance(nominal, tol)
                up, lo = t.upper_mm, t.lower_mm
            except StandardsError:  # a class or size beyond techpack's ISO 286 table: the class alone is the tolerance
                pass
            return Dimension(kind, nominal, up, lo, written_as="class", fit=tol, **common)
        return Dimension(kind, nominal, None, None, **common)

    def measure(self, kind: str, first: list[int], second: list[int]) -> float | None:
        """A diameter or radius of one cylinder, or the distance between two parallel planes."""
        surfaces = [BRepAdaptor_Surface(self.face(i)) for i in first]
        if kind in ("diameter", "radius") and surfaces and all(s.GetType() == GeomAbs_Cylinder for s in surfaces):
            radii = {round(s.Cylinder().Radius(), 9) for s in surfaces}
            if len(radii) == 1:
                r = radii.pop()
                return 2 * r if kind == "diameter" else r
        if kind == "linear distance" and len(first) == 1 and len(second) == 1:
            a, b = surfaces[0], BRepAdaptor_Surface(self.face(second[0]))
            if a.GetType() == GeomAbs_Plane and b.GetType() == GeomAbs_Plane:
                pa, pb = a.Plane(), b.Plane()
                if pa.Axis().IsParallel(pb.Axis(), 1e-9):
                    return pa.Distance(pb.Location())
        return None


def _solids(shape) -> list:
    out, ex = [], TopExp_Explorer(shape, TopAbs_SOLID)
    while ex.More():
        out.append(ex.Current())
        ex.Next()
    return out


def _datum_modifier(m) -> str:
    word = _words(m, "XCAFDimTolObjects_DatumSingleModif_")
    return {"MaximumMaterialRequirement": "at MMB", "LeastMaterialRequirement": "at LMB"}.get(word, re.sub(r"(?<!^)([A-Z])", r" \1", word).lower())


def _fmt_value(kind: str, value: float | None) -> str:
    if value is None:
        return "no value"
    if kind in _ANGULAR:
        return f"{value:g}°"
    return f"Ø{value:g}" if "diameter" in kind else (f"R{value:g}" if "radius" in kind else f"{value:g}")


class _Renumber:
    """Face ids of the XCAF solid onto another read of the same file (techpack's solid): the
    face at the same position when it is the same face (surface type, area and centre of
    area, within the model-relative tolerance), else the face that is; None when none is."""

    def __init__(self, fmap, solid) -> None:
        shape = getattr(solid, "wrapped", solid)
        self.target = TopTools_IndexedMapOfShape()
        TopExp.MapShapes_s(shape, TopAbs_FACE, self.target)
        self.fmap = fmap
        self.sigs: dict[tuple[int, int], tuple[int, float, tuple[float, float, float]]] = {}
        box = Bnd_Box()
        BRepBndLib.Add_s(shape, box)
        self.tol = coincident_mm(math.sqrt(box.SquareExtent())) if not box.IsVoid() else 1e-4

    def _sig(self, which: int, i: int) -> tuple[int, float, tuple[float, float, float]]:
        if (which, i) not in self.sigs:
            face = TopoDS.Face_s((self.fmap if which == 0 else self.target).FindKey(i))
            props = GProp_GProps()
            BRepGProp.SurfaceProperties_s(face, props)
            c = props.CentreOfMass()
            self.sigs[which, i] = (int(BRepAdaptor_Surface(face).GetType()), props.Mass(), (c.X(), c.Y(), c.Z()))
        return self.sigs[which, i]

    def _same(self, i: int, j: int) -> bool:
        if self.fmap.FindKey(i).IsSame(self.target.FindKey(j)):
            return True
        a, b = self._sig(0, i), self._sig(1, j)
        return a[0] == b[0] and abs(a[1] - b[1]) <= 1e-6 * max(a[1], 1.0) and math.dist(a[2], b[2]) <= self.tol

    def __call__(self, i: int) -> int | None:
        if i <= self.target.Extent() and self._same(i, i):
            return i
        return next((j for j in range(1, self.target.Extent() + 1) if self._same(i, j)), None)


# --- the STEP entities --------------------------------------------------------------------


class _Ref(int):
    """#854"""


class _Enum(str):
    """.T., .MILLI."""


@dataclass(frozen=True)
class _Typed:
    """A typed parameter: LENGTH_MEASURE(0.75), SET_REPRESENTATION_ITEM((#854,#853))."""

    name: str
    value: object


_TOKEN = re.compile(r"""\s*(?:('(?:[^']|'')*')|\#(\d+)|(\.[A-Za-z_][A-Za-z0-9_]*\.)|([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
                    |([A-Za-z_][A-Za-z0-9_]*)|("[0-9A-Fa-f]*")|([(),$*;]))""", re.VERBOSE)
_HEAD = re.compile(r"#(\d+)\s*=\s*([A-Za-z_][A-Za-z0-9_]*|\()")
_SI_PREFIX = {"EXA": 1e18, "PETA": 1e15, "TERA": 1e12, "GIGA": 1e9, "MEGA": 1e6, "KILO": 1e3, "HECTO": 1e2, "DECA": 1e1,
              "DECI": 1e-1, "CENTI": 1e-2, "MILLI": 1e-3, "MICRO": 1e-6, "NANO": 1e-9, "PICO": 1e-12, "FEMTO": 1e-15, "ATTO": 1e-18}


class _Step:
    """The DATA section of a STEP file: entities by id, parsed when asked for. Only what the
    fallbacks need: tolerance magnitudes, the faces of datum features and shape aspects,
    dimensions' values, signed deviations and classes of tolerance."""

    def __init__(self, text: str) -> None:
        self.text = text
        start = text.find("DATA;")
        self.start: dict[int, int] = {}
        self.types: dict[int, str] = {}  # simple type, or "(" for a complex instance
        self.order: dict[int, int] = {}
        for k, m in enumerate(_HEAD.finditer(text, max(start, 0)), 1):
            n = int(m.group(1))
            self.start[n], self.types[n], self.order[n] = m.start(2), m.group(2).upper(), k
        self.cache: dict[int, dict[str, list]] = {}
        self._by: dict[str, dict[int, list[int]]] = {}
        self._complex: dict[int, set[str]] | None = None
        self._ids: dict[frozenset, list[int]] = {}

    def rank(self, n: int) -> int:
        """The entity's number in OCCT's model: its position in the file."""
        return self.order.get(n, 0)

    # parsing -------------------------------------------------------------------------------

    def entity(self, n: int) -> dict[str, list]:
        """{TYPE: [args]} (one entry, or one per part of a complex instance); {} if absent."""
        if n not in self.cache:
            try:
                self.cache[n] = _Parser(self.text, self.start[n]).instance() if n in self.start else {}
            except (ValueError, IndexError):
                self.cache[n] = {}
        return self.cache[n]

    def ids(self, types) -> list[int]:
        """Entities of these types, simple or a part of a complex instance, in file order."""
        types = frozenset(types)
        if types in self._ids:
            return self._ids[types]
        out = [n for n, t in self.types.items() if t in types]
        if self._complex is None:
            self._complex = {}
            for n, t in self.types.items():
                if t == "(":
                    end = self.text.find(";", self.start[n])
                    self._complex[n] = set(re.findall(r"([A-Z_][A-Z0-9_]*)\s*\(", self.text[self.start[n]:end].upper()))
        out += [n for n, parts in self._complex.items() if parts & types]
        self._ids[types] = sorted(out, key=self.order.__getitem__)
        return self._ids[types]

    def args(self, n: int, types) -> list | None:
        """The arguments of the entity's part of one of these types."""
        ent = self.entity(n)
        return next((a for t, a in ent.items() if t in types), None)

    def by(self, types: tuple[str, ...], k: int) -> dict[int, list[int]]:
        """Entities of these types indexed by their k-th argument (a reference)."""
        key = f"{'|'.join(types)}:{k}"
        if key not in self._by:
            index: dict[int, list[int]] = {}
            for n in self.ids(types):
                a = self.args(n, types)
                if a and len(a) > k and isinstance(a[k], _Ref):
                    index.setdefault(int(a[k]), []).append(n)
            self._by[key] = index
        return self._by[key]

    # shape aspects and their faces ---------------------------------------------------------

    def aspect_items(self, aspect: int | None, seen: set[int] | None = None) -> list[int]:
        """The representation items (faces) a shape aspect is attached to: through
        GEOMETRIC_ITEM_SPECIFIC_USAGE or ITEM_IDENTIFIED_REPRESENTATION_USAGE (a face, or a
        set of faces), and through the aspects it is made of (SHAPE_ASPECT_RELATIONSHIP)."""
        if aspect is None:
            return []
        seen = seen if seen is not None else set()
        if aspect in seen:
            return []
        seen.add(aspect)
        out: list[int] = []
        usages = ("GEOMETRIC_ITEM_SPECIFIC_USAGE", "ITEM_IDENTIFIED_REPRESENTATION_USAGE")
        for u in self.by(usages, 2).get(aspect, []):
            out += _refs(self.args(u, usages)[4])
        relations = ("SHAPE_ASPECT_RELATIONSHIP", "SHAPE_ASPECT_DERIVING_RELATIONSHIP")
        for r in self.by(relations, 2).get(aspect, []):
            related = self.args(r, relations)[3]
            if isinstance(related, _Ref) and "DATUM" not in self.entity(related):
                out += self.aspect_items(int(related), seen)
        return list(dict.fromkeys(out))

    def datum_letters(self) -> set[str]:
        return {a[4] for n in self.ids({"DATUM"}) if (a := self.args(n, {"DATUM"})) and len(a) >= 5 and isinstance(a[4], str) and a[4]}

    def datum_items(self, letter: str) -> list[int]:
        """The faces of the datum features of datum `letter` (DATUM ... SHAPE_ASPECT_RELATIONSHIP ... DATUM_FEATURE)."""
        out: list[int] = []
        relations = ("SHAPE_ASPECT_RELATIONSHIP",)
        for n in self.ids({"DATUM"}):
            a = self.args(n, {"DATUM"})
            if not a or len(a) < 5 or a[4] != letter:
                continue
            features = [self.args(r, relations)[2] for r in self.by(relations, 3).get(n, [])]
            features += [self.args(r, relations)[3] for r in self.by(relations, 2).get(n, [])]
            for f in features:
                if isinstance(f, _Ref) and int(f) != n:
                    out += self.aspect_items(int(f), {n})
        return list(dict.fromkeys(out))

    # tolerances ----------------------------------------------------------------------------

    def tolerances(self) -> list[int]:
        return self.ids(_GT_TYPES)

    def _gt(self, n: int) -> list | None:
        """GEOMETRIC_TOLERANCE's own four arguments (name, description, magnitude, aspect)."""
        ent = self.entity(n)
        if "GEOMETRIC_TOLERANCE" in ent:
            return ent["GEOMETRIC_TOLERANCE"]
        return next((a for t, a in ent.items() if t in _GT_TYPES and len(a) >= 4), None)

    def tolerance_aspect(self, n: int) -> int | None:
        a = self._gt(n)
        return int(a[3]) if a and isinstance(a[3], _Ref) else None

    def tolerance_magnitude(self, n: int) -> float | None:
        """The zone width in mm from the tolerance's magnitude (a measure with its unit)."""
        a = self._gt(n)
        if not a or not isinstance(a[2], _Ref):
            return None
        got = self.measure(int(a[2]))
        return got[0] if got and got[1] == "mm" else None

    def name_of(self, n: int, kind: str) -> str:
        if kind == "tolerance":
            a = self._gt(n)
            return a[0] if a and isinstance(a[0], str) else ""
        ent = self.entity(n)
        for t, a in ent.items():
            if t in _SIZE_TYPES and len(a) >= 2 and isinstance(a[1], str):
                return a[1]
            if t in _LOCATION_TYPES and a and isinstance(a[0], str):
                return a[0]
        return ""

    # dimensions ----------------------------------------------------------------------------

    def dimensions(self, with_value: bool) -> list[int]:
        valued = set(self.by(("DIMENSIONAL_CHARACTERISTIC_REPRESENTATION",), 0))
        return [n for n in self.ids(_SIZE_TYPES | _LOCATION_TYPES) if (n in valued) == with_value]

    def dimension_aspects(self, n: int) -> tuple[int | None, int | None]:
        ent = self.entity(n)
        for t, a in ent.items():
            if t in _SIZE_TYPES and a and isinstance(a[0], _Ref):
                return int(a[0]), None
            if t in _LOCATION_TYPES and len(a) >= 4:
                return (int(a[2]) if isinstance(a[2], _Ref) else None), (int(a[3]) if isinstance(a[3], _Ref) else None)
        return None, None

    def dimension_values(self, n: int) -> dict[str, float]:
        """{'nominal value': 35.0, 'upper limit': ..., ...} in mm or degrees."""
        out = {}
        for dcr in self.by(("DIMENSIONAL_CHARACTERISTIC_REPRESENTATION",), 0).get(n, []):
            rep = self.args(dcr, {"DIMENSIONAL_CHARACTERISTIC_REPRESENTATION"})[1]
            items = self.args(int(rep), {"SHAPE_DIMENSION_REPRESENTATION"}) if isinstance(rep, _Ref) else None
            for item in _refs(items[1]) if items and len(items) > 1 else []:
                got = self.measure(item)
                label = self.args(item, {"REPRESENTATION_ITEM", "MEASURE_REPRESENTATION_ITEM"})
                if got and label and isinstance(label[0], str):
                    out[label[0].lower()] = got[0]
        return out

    def plus_minus(self, n: int) -> tuple[float, float] | str | None:
        """(lower, upper) signed deviations, or a class of tolerance 'H7', from PLUS_MINUS_TOLERANCE."""
        for pmt in self.by(("PLUS_MINUS_TOLERANCE",), 1).get(n, []):
            rng = self.args(pmt, {"PLUS_MINUS_TOLERANCE"})[0]
            if not isinstance(rng, _Ref):
                continue
            ent = self.entity(int(rng))
            if "TOLERANCE_VALUE" in ent:
                lo, up = (self.measure(int(r)) if isinstance(r, _Ref) else None for r in ent["TOLERANCE_VALUE"][:2])
                if lo and up:
                    return lo[0], up[0]
            if "LIMITS_AND_FITS" in ent:
                form, _zone, grade = (ent["LIMITS_AND_FITS"] + [None] * 3)[:3]
                if isinstance(form, str) and isinstance(grade, str) and form.strip() and grade.strip():
                    return f"{form.strip()}{grade.strip().removeprefix('IT')}"
        return None

    # measures and units --------------------------------------------------------------------

    def measure(self, n: int) -> tuple[float, str] | None:
        """(value, 'mm' or 'deg') of a measure entity (simple or complex), or None."""
        for args in self.entity(n).values():  # MEASURE_WITH_UNIT(LENGTH_MEASURE(0.75),#unit), or after a name
            for value, unit in itertools.pairwise(args):
                if isinstance(value, _Typed) and isinstance(value.value, (int, float)) and isinstance(unit, _Ref):
                    k = self.unit(int(unit))
                    return (value.value * k[0], k[1]) if k else None
        return None

    def unit(self, n: int, depth: int = 0) -> tuple[float, str] | None:
        """(mm or degrees per unit, 'mm' or 'deg') of a length or plane angle unit."""
        ent = self.entity(n)
        if depth > 5 or not ent:
            return None
        if "SI_UNIT" in ent:
            prefix, name = (ent["SI_UNIT"] + [None, None])[:2]
            k = _SI_PREFIX.get(str(prefix).strip("."), 1.0) if isinstance(prefix, _Enum) else 1.0
            if name == ".METRE.":
                return 1000.0 * k, "mm"
            if name == ".RADIAN.":
                return math.degrees(k), "deg"
            return None
        if "CONVERSION_BASED_UNIT" in ent:
            factor = ent["CONVERSION_BASED_UNIT"][1]
            if isinstance(factor, _Ref):
                for args in self.entity(int(factor)).values():
                    if len(args) >= 2 and isinstance(args[0], _Typed) and isinstance(args[1], _Ref):
                        base = self.unit(int(args[1]), depth + 1)
                        if base and isinstance(args[0].value, (int, float)):
                            return args[0].value * base[0], base[1]
        return None

    # matching XCAF items to entities -------------------------------------------------------

    def match(self, kind: str, candidates: list[int], name: str, faces: list[int], used: set[int], step_faces) -> int | None:
        """The entity an XCAF item was read from (kind 'tolerance' or 'dimension'), not yet
        taken: the first in file order with the item's name (the label's name is the
        entity's) and, among several, its faces; without a name that matches, the one on
        exactly its faces, if only one is."""
        free = [n for n in candidates if n not in used]
        named = [n for n in free if self.name_of(n, kind) == name]
        if len(named) == 1:
            got = named[0]
        else:
            want = set(faces)
            on = [n for n in (named or free) if want and set(step_faces(self._items(n, kind))) == want]
            if named:
                got = (on or named)[0]
            elif len(on) == 1:
                got = on[0]
            else:
                return None
        used.add(got)
        return got

    def _items(self, n: int, kind: str) -> list[int]:
        if kind == "tolerance":
            return self.aspect_items(self.tolerance_aspect(n))
        a, b = self.dimension_aspects(n)
        return self.aspect_items(a) + self.aspect_items(b)


def _refs(value) -> list[int]:
    """Entity ids in a reference, a list of them or a typed SET_REPRESENTATION_ITEM((...))."""
    if isinstance(value, _Ref):
        return [int(value)]
    if isinstance(value, _Typed):
        return _refs(value.value)
    if isinstance(value, list):
        return [n for v in value for n in _refs(v)]
    return []


class _Parser:
    """One entity instance of a STEP Part 21 DATA section, from where its body starts."""

    def __init__(self, text: str, pos: int) -> None:
        self.text, self.pos = text, pos

    def token(self) -> tuple[int, str]:
        m = _TOKEN.match(self.text, self.pos)
        if not m:
            raise ValueError(f"unreadable STEP text at {self.pos}")
        self.pos = m.end()
        return m.lastindex, m.group(m.lastindex)

    def instance(self) -> dict[str, list]:
        kind, tok = self.token()
        if tok == "(":  # a complex instance: (A(...) B(...) ...)
            parts = {}
            while True:
                kind, tok = self.token()
                if tok == ")":
                    return parts
                if kind != 5 or self.token()[1] != "(":
                    raise ValueError("not a complex instance")
                parts[tok.upper()] = self.items()
        if kind != 5 or self.token()[1] != "(":
            raise ValueError("not an entity instance")
        return {tok.upper(): self.items()}

    def items(self) -> list:
        """The values up to the closing parenthesis (the opening one read)."""
        out: list = []
        while True:
            kind, tok = self.token()
            if tok == ")":
                return out
            if tok == ",":
                continue
            out.append(self.value(kind, tok))

    def value(self, kind: int, tok: str):
        if kind == 1:
            return tok[1:-1].replace("''", "'")
        if kind == 2:
            return _Ref(int(tok))
        if kind == 3:
            return _Enum(tok.upper())
        if kind == 4:
            return float(tok)
        if kind == 5:  # a typed parameter
            if self.token()[1] != "(":
                raise ValueError("typed parameter without a value")
            inner = self.items()
            return _Typed(tok.upper(), inner[0] if len(inner) == 1 else inner)
        if tok == "(":
            return self.items()
        if tok == "$":
            return None
        return tok  # '*' (derived), binary


# --- for people ---------------------------------------------------------------------------


def _num(x: float) -> str:
    return f"{x:+g}" if x else "0"


def describe(pmi: Pmi) -> list[str]:
    """One line per datum, tolerance, dimension and problem, e.g.
    'datum A: face 98', 'position 0.75 |A|B|C| (Position.1): faces 38, 42'."""
    out = [f"datum {d.label}: {_ids(d.faces)}" for d in pmi.datums]
    for t in pmi.tolerances:
        zone = "no value" if t.value_mm is None else f"{'Ø' if 'diameter' in t.zone_modifiers else ''}{t.value_mm:g}"
        extra = [z for z in t.zone_modifiers if z != "diameter"] + ([t.material_modifier] if t.material_modifier else []) + list(t.modifiers)
        frame = f"{t.kind} {zone}" + (f" ({', '.join(extra)})" if extra else "") + (f" |{'|'.join(t.datums)}|" if t.datums else "")
        out.append(f"{frame}{f' [{t.name}]' if t.name else ''}: {_ids(t.faces)}")
    for d in pmi.dimensions:
        unit = "°" if d.unit == "deg" else ""
        text = f"{d.kind} {_fmt_value(d.kind, d.nominal)}"
        if d.written_as == "class":
            text += f" {d.fit or 'class not read'}" + (f" ({_num(d.upper)}/{_num(d.lower)})" if d.upper is not None else "")
        elif d.written_as == "limits":
            text += f" (limits {d.nominal + d.upper:g}{unit}/{d.nominal + d.lower:g}{unit})"
        elif d.written_as == "deviations":
            text += f" ±{d.upper:g}{unit}" if d.upper == -d.lower else f" {_num(d.upper)}{unit}/{_num(d.lower)}{unit}"
        if d.modifiers:
            text += f" ({', '.join(d.modifiers)})"
        where = _ids(d.faces) + (f" to {_ids(d.faces_to)}" if d.faces_to else "")
        out.append(f"{text}{f' [{d.name}]' if d.name and d.name.lower() != d.kind else ''}: {where}")
    out += [f"problem: {p}" for p in pmi.problems]
    return out


# --- onto the spec's features -------------------------------------------------------------

_SPEC_KINDS = ("flatness", "position", "perpendicularity", "parallelism")


@dataclass(frozen=True)
class ProposedFeature:
    """What the PMI on one set of faces would be as a spec feature (techpack.spec.model.Feature):
    the same field names, values in the product's units. The spec selects faces by selector,
    not by id, so `faces` (1-based ids in solid.Faces()) is what a face-id selector would
    hold. `not_mapped` names the PMI on these faces that the spec cannot state, and why."""

    name: str
    faces: tuple[int, ...]
    datum: str | None = None
    fit: str | None = None
    tolerance: tuple[float, float] | None = None  # [upper, lower] limit deviations
    flatness: float | None = None
    position: tuple[float, tuple[str, ...]] | None = None  # (tolerance, datums)
    perpendicularity: tuple[float, tuple[str, ...]] | None = None
    parallelism: tuple[float, tuple[str, ...]] | None = None
    sources: tuple[str, ...] = ()  # describe() lines of the PMI items it holds
    not_mapped: tuple[str, ...] = ()

    def spec_fields(self) -> dict:
        """The feature's keys as a spec would write them, without name and select."""
        out: dict = {}
        for key in ("datum", "fit", "flatness"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.tolerance is not None:
            out["tolerance"] = list(self.tolerance)
        for key in ("position", "perpendicularity", "parallelism"):
            g = getattr(self, key)
            if g is not None:
                out[key] = {"tolerance": g[0], "datums": list(g[1])}
        return out


def to_features(pmi: Pmi, units: str = "mm") -> list[ProposedFeature]:
    """The PMI as spec features, one per set of faces, in the order read (datums first).
    `units`: the product's units ('mm' or 'in'), which the spec's values are in. A PMI item
    the spec cannot state (a surface profile, an MMC modifier, a location dimension, a
    dimension without a value) is kept out of the fields and named in `not_mapped`: a
    feature never says less or other than the PMI without saying so."""
    k = 25.4 if units == "in" else 1.0
    groups: dict[tuple[int, ...], dict] = {}

    def group(faces: tuple[int, ...]) -> dict:
        return groups.setdefault(faces, {"sources": [], "not_mapped": []})

    lines = iter(describe(Pmi(pmi.datums, pmi.tolerances, pmi.dimensions)))
    for d in pmi.datums:
        g, line = group(d.faces), next(lines)
        g["sources"].append(line)
        if d.label not in DATUM_LETTERS or len(d.label) != 1:
            g["not_mapped"].append(f"{line}: the spec's datum letters are one capital letter, not I, O or Q")
        elif "datum" in g:
            g["not_mapped"].append(f"{line}: these faces already establish datum {g['datum']}")
        else:
            g["datum"] = d.label
    for t in pmi.tolerances:
        g, line = group(t.faces), next(lines)
        g["sources"].append(line)
        why = None
        if t.kind not in _SPEC_KINDS:
            why = f"the spec has no {t.kind} tolerance"
        elif t.value_mm is None:
            why = "its value cannot be read"
        elif t.material_modifier:
            why = f"the spec has no material modifier ({t.material_modifier})"
        elif t.modifiers or [z for z in t.zone_modifiers if z != "diameter"]:
            why = f"the spec has no modifiers ({', '.join(list(t.zone_modifiers) + list(t.modifiers))})"
        elif t.kind == "flatness" and t.datums:
            why = "flatness takes no datum"
        elif t.kind in ("perpendicularity", "parallelism") and not t.datums:
            why = f"the spec's {t.kind} needs a datum"
        elif len(t.datums) > MAX_DATUMS:
            why = f"the spec takes at most {MAX_DATUMS} datums"
        elif t.kind in g:
            why = f"these faces already have a {t.kind} tolerance"
        if why:
            g["not_mapped"].append(f"{line}: {why}")
        else:
            g[t.kind] = t.value_mm / k if t.kind == "flatness" else (t.value_mm / k, t.datums)
    for d in pmi.dimensions:
        g, line = group(tuple(sorted(set(d.faces + d.faces_to)))), next(lines)
        g["sources"].append(line)
        why = None
        if d.kind != "diameter":
            why = (f"the spec has no {d.kind} dimension between two sets of faces (its tolerance: is a diameter or the size across one face)"
                   if d.faces_to else f"the spec has no {d.kind} dimension")
        elif d.nominal is None:
            why = "it has no value in the STEP file"
        elif d.written_as == "nominal":
            why = "it has no tolerance of its own (basic, or the general tolerance applies)"
        elif d.modifiers:
            why = f"the spec has no dimension modifiers ({', '.join(d.modifiers)})"
        elif d.upper is None if d.written_as != "class" else d.fit is None:
            why = "its tolerance cannot be read"
        elif "fit" in g or "tolerance" in g:
            why = "these faces already have a size tolerance"
        elif d.measured is not None and abs(d.measured - d.nominal) > 1e-3:
            why = f"its nominal {d.nominal:g} is not the model's {d.measured:g}, which the spec's size is measured on"
        if why:
            g["not_mapped"].append(f"{line}: {why}")
        elif d.written_as == "class":
            g["fit"] = d.fit
        else:
            g["tolerance"] = (d.upper / k, d.lower / k)
    out = []
    for faces, g in groups.items():
        name = f"datum {g['datum']}" if "datum" in g else f"PMI {_ids(faces)}"
        out.append(ProposedFeature(
            name=name, faces=faces, datum=g.get("datum"), fit=g.get("fit"), tolerance=g.get("tolerance"), flatness=g.get("flatness"),
            position=g.get("position"), perpendicularity=g.get("perpendicularity"), parallelism=g.get("parallelism"),
            sources=tuple(g["sources"]), not_mapped=tuple(g["not_mapped"]),
        ))
    return out


__all__ = ["Datum", "Dimension", "GeoTolerance", "Pmi", "ProposedFeature", "describe", "read_pmi", "to_features"]

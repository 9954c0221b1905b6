"""The part model: each part computed once after the geometry stage, and read by every later
stage (DFM checks, drawing, workbook, finishing instructions).

It is the built solid with its mass, its recognised features (holes, corners, bends, radii,
chamfers, slots), the spec's `features:` resolved to the holes and faces they select, and
the numbered characteristics (techpack.inspection). A feature that selects nothing is an
input error named by the spec's file, line and key, with what the model does have.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cadquery as cq
import numpy as np
from OCP.BRepAdaptor import BRepAdaptor_Surface

from techpack.catalog import Material
from techpack.catalog.model import Engraving as EngravingRule
from techpack.errors import ModelError, Problem
from techpack.geometry.access import Access, tool_access
from techpack.geometry.bores import Bore, find_bores
from techpack.geometry.engraving import Engraving, find_engravings
from techpack.geometry.features import Features, Hole, find_features
from techpack.geometry.flat import Flat
from techpack.geometry.forms import Form, find_forms
from techpack.geometry.probe import Probe
from techpack.geometry.profile import profile
from techpack.geometry.unfold import unfold
from techpack.geometry import pickling
from techpack.geometry.part import BuiltPart, mm_per_unit
from techpack.geometry.pmi import to_features
from techpack.geometry.select import HOLE_MATCH_MM, hole_matches, named_faces, thickness_under
from techpack.inspection import (
    Characteristic, Check, fmt, frames, number, roughness_check, size_check, size_limits, thread_check,
)
from techpack.spec import LoadedSpec
from techpack.spec.model import Feature
from techpack.standards import StandardsError
from techpack.standards.bending import k_factor
from techpack.standards.threads import parse_thread


MEASURED_PLACES = 4  # sizes measured on the model, to 0.1 µm: 9.9999999 is 10 when its ISO 286 band is looked up


@dataclass(frozen=True, eq=False)
class Selection:
    """A spec feature resolved on the model: the holes or the faces it selects."""

    feature: Feature
    index: int  # in the part's `features:`
    holes: tuple[Hole, ...] = ()
    faces: tuple[cq.Face, ...] = ()

    @property
    def face(self) -> cq.Face | None:
        """The largest selected face: where the drawing puts its arrow."""
        return max(self.faces, key=lambda f: f.Area()) if self.faces else None

    @property
    def face_ids(self) -> tuple[int, ...]:
        """The selected holes' wall faces: 1-based ids in solid.Faces()."""
        return tuple(sorted({h for hole in self.holes for h in hole.faces}))


@dataclass(eq=False)
class PartModel(BuiltPart):
    """A built part and everything later stages read about it, computed once."""

    features: Features = None  # type: ignore[assignment]
    selections: tuple[Selection, ...] = ()
    characteristics: tuple[Characteristic, ...] = ()
    material: Material | None = None
    mass_g: float = 0.0
    engraving_rule: EngravingRule | None = None  # what the part's process counts as engraving
    called: tuple[Feature, ...] = ()  # the spec's features, then those read from the model's PMI (index = Selection.index)
    pmi_notes: tuple[str, ...] = ()  # PMI that is not called out, and why (no value, no spec form, a spec feature wins)

    def __getstate__(self) -> dict:
        """Pickled (a worker's result to the main process) with what was computed, the faces it
        refers to as the solid's own (pickling.py), but not the probe: it holds OCCT objects
        that do not pickle, and is made again if asked."""
        state = dict(self.__dict__)
        state.pop("probe", None)
        solid = state.pop("solid")
        brep, rest = pickling.dumps(solid, state)
        return {"solid": brep, "rest": rest}

    def __setstate__(self, state: dict) -> None:
        solid, rest = pickling.loads(state["solid"], state["rest"])
        self.__dict__.update(rest, solid=solid)

    @functools.cached_property
    def probe(self) -> Probe:
        """Samples, rays and adjacency on the solid, for the checks and the drawing (computed on first use)."""
        return Probe(self.solid)

    @functools.cached_property
    def access(self) -> Access:
        """From which directions a tool reaches each face, and the setups (geometry/access.py)."""
        return tool_access(self.probe, self.features)

    @functools.cached_property
    def engravings(self) -> tuple[Engraving, ...]:
        """The lettering and marks (geometry/engraving.py), if the part's process counts any."""
        rule = self.engraving_rule
        return tuple(find_engravings(self.probe, self.access, rule.max_depth_mm, rule.min_faces)) if rule else ()

    @functools.cached_property
    def bores(self) -> tuple[Bore, ...]:
        """Each hole feature with all its coaxial segments (geometry/bores.py), for callouts."""
        return find_bores(self.solid, self.features)

    @functools.cached_property
    def flat(self) -> Flat:
        """The sheet's blank (geometry/flat.py), mm: a bent part unfolded (geometry/unfold.py)
        with the spec's K-factor, else the material's bend class's, else DIN 6935's; a flat part's
        profile (geometry/profile.py). Raises UnfoldError or NotFlat saying why there is none."""
        if not self.features.bends:
            return profile(self.solid, sorted({f for e in self.engravings for f in e.faces}))
        k = self.spec.k_factor
        bend_class = self.material.bend_class if self.material else None
        return unfold(self.solid, (lambda r, t: (k, "the spec's k_factor for this part")) if k else (lambda r, t: k_factor(bend_class, r, t)))

    @functools.cached_property
    def forms(self) -> tuple[Form, ...]:
        """Bosses, posts, steps, slots, openings, grooves and flats, sized (geometry/forms.py)."""
        return find_forms(self.solid, self.features, self.engraved, self.box_mm)

    @functools.cached_property
    def _bore_by_faces(self) -> dict[frozenset[int], Bore]:
        return {frozenset(h.faces): b for b in self.bores for h in b.holes}

    def bore_of(self, hole: Hole) -> Bore | None:
        """The bore a hole (of features.holes, or a turned copy: matched by faces) belongs to."""
        return self._bore_by_faces.get(frozenset(hole.faces))

    @functools.cached_property
    def engraved(self) -> frozenset[int]:
        """Face ids of every engraving."""
        return frozenset(f for e in self.engravings for f in e.faces)

    def selection(self, feature: Feature) -> Selection | None:
        return next((s for s in self.selections if s.feature is feature), None)

    def characteristics_of(self, feature: Feature, kind: str | None = None) -> list[Characteristic]:
        j = next(s.index for s in self.selections if s.feature is feature)
        return [c for c in self.characteristics if c.feature_index == j and (kind is None or c.kind == kind)]

    def solid_face_ids(self, faces) -> tuple[int, ...]:
        """1-based ids in solid.Faces() of these faces of the solid."""
        all_faces = self.solid.Faces()
        return tuple(sorted(i for i, f in enumerate(all_faces, 1) if any(f.isSame(g) for g in faces)))


def build_models(loaded: LoadedSpec, parts: list[BuiltPart]) -> list[PartModel]:
    """One model per built part; every feature that selects nothing, on every part, in one ModelError."""
    models, problems = [], []
    for built in parts:
        model, found = _model(loaded, built)
        models.append(model)
        problems += found
    if problems:
        raise ModelError(problems)
    return models


def _model(loaded: LoadedSpec, built: BuiltPart) -> tuple[PartModel, list[Problem]]:
    part = built.spec
    unit = mm_per_unit(loaded.spec.product.units)
    pull = np.asarray(_direction(part.pull), dtype=float)
    # internal corners along every principal axis and the pull: the DFM rules judge each
    # along the direction its tool comes from (checks/machining.py)
    features = find_features(built.solid, tool_axes=(tuple(pull / np.linalg.norm(pull)), (1, 0, 0), (0, 1, 0), (0, 0, 1)))
    selections, problems = _resolve(loaded, built, features)
    from_pmi, pmi_notes = _pmi_selections(loaded, built, features, selections)
    selections += from_pmi
    checks: list[tuple[int, Feature, Check, int]] = []
    i = loaded.index_of(part)
    for sel in selections:
        got = _checks(sel, built, unit)
        checks += [(sel.index, sel.feature, c, max(len(sel.holes), 1)) for c in got]
        f = sel.feature
        face = sel.face
        if (f.fit or f.tolerance) and face is not None and face.geomType() == "PLANE" and not any(c.kind == "size" for c in got):
            key = "fit" if f.fit else "tolerance"
            problems.append(Problem(loaded.where("parts", i, "features", sel.index, key), f"parts[{i}].features[{sel.index}].{key} ({part.number} {f.name})",
                                    f"the face '{f.select[next(iter(f.select))]}' selects has no parallel face opposite it, so it has no size across to "
                                    "tolerance; select a face with a parallel face behind it, or give this face flatness or a geometric tolerance"))
        problems += _hole_problems(loaded, part, i, sel)
    material = loaded.catalog.material(part.material)
    fields = {k: v for k, v in built.__dict__.items() if k in BuiltPart.__dataclass_fields__}
    model = PartModel(
        **fields, features=features, selections=tuple(selections),
        characteristics=number(part.number, checks, loaded.general_tolerance(part)),
        material=material, mass_g=built.volume_mm3 * material.density_g_cm3 / 1000 if material else 0.0,
        engraving_rule=loaded.catalog.processes[part.process].engraving,
        called=tuple(part.features) + tuple(sel.feature for sel in from_pmi), pmi_notes=tuple(pmi_notes),
    )
    return model, problems


def _pmi_selections(loaded: LoadedSpec, built: BuiltPart, features: Features, spec: list[Selection]) -> tuple[list[Selection], list[str]]:
    """The AP242 PMI of a STEP model as features after the spec's (geometry/pmi.py proposes
    them), and what is not called out: PMI with no value or no spec form, and PMI on faces a
    spec feature selects, or naming a datum letter the spec uses (the spec wins)."""
    pmi = built.pmi
    if pmi is None or not (pmi.datums or pmi.tolerances or pmi.dimensions or pmi.problems):
        return [], []
    part = built.spec
    notes = [f"{part.number}: PMI {p}" for p in pmi.problems]
    all_faces = built.solid.Faces()
    ids = lambda faces: {i for i, f in enumerate(all_faces, 1) if any(f.isSame(g) for g in faces)}  # noqa: E731
    taken = set().union(*(set(s.face_ids) | ids(s.faces) for s in spec)) if spec else set()
    letters = {s.feature.datum for s in spec if s.feature.datum}
    out: list[Selection] = []
    for p in to_features(pmi, loaded.spec.product.units):
        notes += [f"{part.number}: PMI {why}" for why in p.not_mapped if "no value" not in why]  # those are among pmi.problems
        fields = p.spec_fields()
        if not fields:
            continue
        clash = set(p.faces) & taken
        if clash or fields.get("datum") in letters:
            what = f"faces {', '.join(map(str, sorted(clash)))}" if clash else f"datum {fields['datum']}"
            notes.append(f"{part.number}: PMI {p.name} is not called out: the spec's features:{' on' if clash else ' name'} {what} and win")
            continue
        hole = next((h for h in features.holes if set(h.faces) == set(p.faces)), None)
        if hole is not None:  # the faces of one hole: a hole feature of its own, drawn in its callout
            feature = Feature(name=f"{p.name} (PMI)", select={"hole": round(hole.diameter_mm, 4)}, **fields)
            out.append(Selection(feature, len(part.features) + len(out), holes=(hole,)))
            continue
        feature = Feature(name=f"{p.name} (PMI)", select={"name": f"pmi {p.name}"}, **fields)
        out.append(Selection(feature, len(part.features) + len(out), faces=tuple(all_faces[i - 1] for i in p.faces)))
    return out, notes


def _hole_problems(loaded: LoadedSpec, part, i: int, sel: Selection) -> list[Problem]:
    """A thread or fit that cannot be the selected holes': an external class on a hole, a
    thread whose size is not the hole's, a thread and a fit on one feature."""
    f, out = sel.feature, []
    where = lambda key: (loaded.where("parts", i, "features", sel.index, key), f"parts[{i}].features[{sel.index}].{key} ({part.number} {f.name})")  # noqa: E731
    if f.thread and f.fit:
        out.append(Problem(*where("fit"), "a tapped hole takes its thread's tolerance class (M8x1.25-6H), not a fit as well; remove fit:"))
    if f.fit and "hole" in f.select and f.fit[0].islower():
        out.append(Problem(*where("fit"), f"{f.fit} is a shaft's tolerance class (lower case); a hole takes a capital letter, e.g. {f.fit[0].upper()}{f.fit[1:]}"))
    if f.thread and sel.holes:
        try:
            t = parse_thread(f.thread)
        except StandardsError:  # the spec check has reported it
            return out
        if t.tolerance_class and t.tolerance_class[-1].islower():
            out.append(Problem(*where("thread"), f"{t.tolerance_class} is an external thread's class (a bolt's); a tapped hole takes an internal one, e.g. {t.tolerance_class[:-1]}H"))
        d = sel.holes[0].diameter_mm
        if not (t.nominal_mm - 1.3 * t.pitch_mm - HOLE_MATCH_MM <= d <= t.nominal_mm + HOLE_MATCH_MM):
            out.append(Problem(*where("thread"), f"{t.designation} cannot be cut in the Ø{d:g} holes it selects: a tapped hole is modelled at its tap drill "
                                                 f"(about Ø{t.tap_drill_mm:g}) or at its nominal Ø{t.nominal_mm:g}; select those holes or change the thread"))
    return out


def _direction(pull) -> tuple[float, float, float]:
    if isinstance(pull, str):
        axis = {"X": 0, "Y": 1, "Z": 2}[pull[1]]
        v = [0.0, 0.0, 0.0]
        v[axis] = 1.0 if pull[0] == "+" else -1.0
        return tuple(v)
    return tuple(float(c) for c in pull)


def _checks(sel: Selection, built: BuiltPart, unit: float) -> list[Check]:
    """A feature's characteristics in order: size or thread, frames, roughness."""
    f = sel.feature
    out: list[Check | None] = []
    if sel.holes:
        h = sel.holes[0]
        nominal = float(f.select["hole"]) * unit  # the spec's size, not the model's (10.004, or 10.0000001 from a STEP file)
        out.append(thread_check(f, unit, h.through) if f.thread else size_check(nominal, f, unit, prefix="Ø"))
        out += [fr.check for fr in frames(f, unit, hole=True)]
    elif sel.faces:
        face = sel.face
        if face.geomType() == "CYLINDER":
            d = round(2 * BRepAdaptor_Surface(face.wrapped).Cylinder().Radius(), MEASURED_PLACES)
            out.append(thread_check(f, unit, through=False) if f.thread else size_check(d, f, unit, prefix="Ø"))
            out += [fr.check for fr in frames(f, unit, hole=True)]
        else:
            if f.fit or f.tolerance:
                centre, normal = np.array(face.Center().toTuple()), np.array(face.normalAt().toTuple())
                size = thickness_under(built.solid, face, centre, normal)
                size = round(size, MEASURED_PLACES) if size is not None else None
                limits = size_limits(size, f, unit) if size is not None else None
                if limits:
                    out.append(Check("size", f"{fmt(size, 4)} {limits[0].split(' (')[0]}", size, limits[1], limits[2]))
            out += [fr.check for fr in frames(f, unit, hole=False)]
    out.append(roughness_check(f))
    return [c for c in out if c is not None]


def _resolve(loaded: LoadedSpec, built: BuiltPart, features: Features) -> tuple[list[Selection], list[Problem]]:
    """Each spec feature's holes or faces; a problem for each that selects nothing."""
    part = built.spec
    unit = mm_per_unit(loaded.spec.product.units)
    i = loaded.index_of(part)
    out, problems = [], []
    claimed: dict[float, tuple[int, str]] = {}  # hole diameter -> the feature selecting it
    for j, f in enumerate(part.features):
        key = ("parts", i, "features", j, "select")
        (how, value), = f.select.items()
        where = loaded.where(*key, how)
        label = f"parts[{i}].features[{j}].select.{how} ({part.number} {f.name})"
        why = " (masked for finishing)" if f.mask else ""
        if how == "hole":
            d = float(value) * unit
            same = next(((k, name) for size, (k, name) in claimed.items() if hole_matches(d, size)), None)
            if same:
                problems.append(Problem(where, label, f"selects the same Ø{d:g} holes as features[{same[0]}] ({same[1]}); put all their tolerances on that one feature"))
            claimed.setdefault(d, (j, f.name))
            holes = tuple(h for h in features.holes if hole_matches(d, h.diameter_mm))
            if not holes:
                sizes = sorted({round(h.diameter_mm, 2) for h in features.holes})
                have = ", ".join(f"Ø{s:g}" for s in sizes) if sizes else "none"
                problems.append(Problem(where, label, f"no hole of Ø{d:g} mm on the model {part.model}{why}; its holes are {have}; select one of those"))
            out.append(Selection(f, j, holes=holes))
        elif how == "name":
            faces = tuple(named_faces(built, str(value)))
            if not faces:
                tags = ", ".join(sorted(built.named)) or "none"
                hint = ("a STEP model carries no names; select with {hole: ...} or {face: ...}" if built.source.suffix.lower() != ".py"
                        else f"tag the face in {part.model}, e.g. .faces('>Z').tag('{value}') (its tags: {tags})")
                problems.append(Problem(where, label, f"no face of {part.model} is named '{value}'{why}; {hint}"))
            out.append(Selection(f, j, faces=faces))
        else:
            try:
                faces = tuple(cq.Workplane().add(built.solid).faces(str(value)).vals())
            except Exception:  # noqa: BLE001 - a selector CadQuery cannot read: the spec check has reported it
                faces = ()
            else:
                if not faces:
                    problems.append(Problem(where, label, f"the face selector '{value}' selects no face of {part.model}{why}; e.g. '>Z' (the top), '<X' (the left end)"))
            out.append(Selection(f, j, faces=faces))
    return out, problems

"""Typed entries of the catalog. The shipped data files and a spec's `catalog:` section
are validated by the same models."""

from __future__ import annotations

from typing import Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Family = Literal["metal", "polymer"]


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class Material(_Entry):
    key: str
    title: str
    names: tuple[str, ...] = ()
    family: Family
    density_g_cm3: float = Field(gt=0, description="g/cm3 at room temperature")
    density_source: str
    processes: tuple[str, ...] = ()
    bend_class: str | None = Field(
        None, description="class of the air-bending K-factor table: soft, medium or hard (standards/bending.json); none: DIN 6935"
    )
    bend_class_source: str | None = None

    @model_validator(mode="after")
    def _bend_class_known_with_source(self) -> Material:
        from techpack.standards.bending import bend_classes

        if self.bend_class is not None:
            if self.bend_class not in bend_classes():
                raise ValueError(f"bend_class {self.bend_class!r} is not one of {', '.join(bend_classes())}")
            if not self.bend_class_source:
                raise ValueError("bend_class needs bend_class_source: where the class comes from")
        return self


class Rule(_Entry):
    """A DFM limit: `min` rules flag values below a level, `max` rules values above it."""

    rule: str
    limit: Literal["min", "max"]
    warn: float | None = None
    error: float | None = None
    info: float | None = None
    unit: Literal["mm", "deg", "ratio", "t", "%", "count"]
    family: Family | None = None
    plus_bend_radius: tuple[Literal["info", "warn", "error"], ...] = ()
    source: str


class Engraving(_Entry):
    """What a process counts as engraving (lettering, marks) rather than a pocket."""

    max_depth_mm: float = Field(gt=0)
    min_faces: int = Field(ge=3)
    source: str


class MeshResolution(_Entry):
    """How finely a process's print files (STL, 3MF) follow the solid: OCCT's absolute linear
    deflection chord_mm (how far a triangle may lie from the surface, mm) and angular deflection
    angle_deg (degrees); what they give is measured in techpack/geometry/printmesh.py."""

    chord_mm: float = Field(gt=0)
    angle_deg: float = Field(gt=0, lt=90)
    source: str


class Process(_Entry):
    key: str
    title: str
    family: str
    typical_ra_um: float = Field(gt=0)
    ra_source: str
    general_tolerance: str
    tolerance_source: str
    envelope_mm: tuple[float, float, float] | None = None
    envelope_source: str | None = None
    engraving: Engraving | None = None
    mesh: MeshResolution | None = None
    rules: tuple[Rule, ...] = ()

    @model_validator(mode="after")
    def _additive_has_mesh(self) -> Process:
        if self.family == "additive" and self.mesh is None:
            raise ValueError("an additive process needs `mesh: {chord_mm, angle_deg, source}`: its parts' print files are meshed to it")
        return self

    @field_validator("general_tolerance")
    @classmethod
    def _readable_tolerance(cls, value: str) -> str:
        from techpack.standards import StandardsError, parse_general_tolerance

        try:
            parse_general_tolerance(value)
        except StandardsError as exc:
            raise ValueError(str(exc)) from None
        return value


class Param(_Entry):
    type: Literal["choice", "number", "ral", "pantone", "text"]
    choices: tuple[Union[bool, int, float, str], ...] = ()
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    default: Union[bool, int, float, str, None] = None
    source: str | None = None


class Variant(_Entry):
    standard: str
    thickness_um: float = Field(ge=0)
    growth: float = Field(ge=0, le=1)
    source: str


Value = Union[bool, int, float, str]
When = dict[str, Value]  # {param: value} or {"a|b": value}; see _matches


class Cure(_Entry):
    """A cure schedule: part (metal) temperature, °C, and time at that temperature, min."""

    temperature_c: tuple[float, float]
    time_min: tuple[float, float] | None = None
    note: str | None = None
    source: str


class Test(_Entry):
    """An acceptance test of a finish: what (kind), to which standard, how, and the criterion.
    A thickness test may apply to some substrates only (materials / families); a test or note
    with `when` applies only when the finish's params match it."""

    kind: Literal["thickness", "adhesion", "gloss", "colour", "seal", "verification", "appearance"]
    standard: str
    method: str
    criterion: str | None = None
    materials: tuple[str, ...] = ()
    families: tuple[Family, ...] = ()
    when: When = Field(default_factory=dict)
    unless: When = Field(default_factory=dict)
    source: str

    def suits(self, material: Material | None) -> bool:
        if not self.materials and not self.families:
            return True
        return material is not None and (material.key in self.materials or material.family in self.families)


class Note(_Entry):
    """A line of the finish's step in the finishing instructions (sealing, dye, method ...)."""

    text: str
    when: When = Field(default_factory=dict)
    unless: When = Field(default_factory=dict)
    source: str


class Finish(_Entry):
    key: str
    title: str
    names: tuple[str, ...] = ()
    families: tuple[Family, ...] = ()
    materials: tuple[str, ...] = ()
    standard: str | None = None
    thickness_um: float | None = Field(None, ge=0)
    growth: float | None = Field(None, ge=0, le=1)
    dimensions: Literal["before", "after"]
    source: str | None = None
    variant_by: str | None = None
    variants: dict[str, Variant] = Field(default_factory=dict)
    params: dict[str, Param] = Field(default_factory=dict)
    sequence: tuple[str, ...] = Field((), description="the process steps in order, for the finishing instructions")
    sequence_source: str | None = None
    cure: Cure | None = None
    notes: tuple[Note, ...] = ()
    tests: tuple[Test, ...] = ()
    gloss_gu: dict[str, tuple[float, float]] = Field(default_factory=dict, description="gloss name -> range in gloss units at 60° (ISO 2813)")
    gloss_source: str | None = None

    def suits(self, material: Material) -> bool:
        return material.key in self.materials or material.family in self.families

    @model_validator(mode="after")
    def _variants_match_their_param(self) -> "Finish":
        if self.variant_by is None:
            if self.thickness_um is None or self.growth is None or self.standard is None:
                raise ValueError("a finish without variants needs standard, thickness_um and growth")
            return self
        param = self.params.get(self.variant_by)
        if param is None or param.type != "choice":
            raise ValueError(f"variant_by '{self.variant_by}' must name a choice parameter of the finish")
        if not self.variants or {str(c) for c in param.choices} != set(self.variants):
            raise ValueError(f"variants must be one for each choice of '{self.variant_by}': {', '.join(map(str, param.choices))}")
        if param.default is None:
            raise ValueError(f"the parameter '{self.variant_by}' needs a default variant")
        return self

    @model_validator(mode="after")
    def _conditions_name_params(self) -> Finish:
        for item in (*self.notes, *self.tests):
            unknown = [k for keys in (*item.when, *item.unless) for k in keys.split("|") if k not in self.params]
            if unknown:
                raise ValueError(f"`when` names {', '.join(unknown)}, not a parameter of the finish (it takes: {', '.join(self.params) or 'none'})")
        if self.gloss_gu:
            gloss = self.params.get("gloss")
            if gloss is None or {str(c) for c in gloss.choices} != set(self.gloss_gu) or not self.gloss_source:
                raise ValueError("gloss_gu needs a gloss choice parameter, a range for each of its choices, and gloss_source")
        return self


def applies(item: Note | Test, params: dict, given: dict) -> bool:
    """Whether a note or test applies to a finish with these params (defaults filled in), of
    which the spec gave `given`: every key of `when` matches and `unless` (if any) does not."""
    return _matches(item.when, params, given) and not (item.unless and _matches(item.unless, params, given))


def _matches(when: When, params: dict, given: dict) -> bool:
    """Each key matches; a key "a|b" matches if either param does. A value "given" matches a
    param the spec gives, "absent" one it has not (no default), any other the param's value."""
    def one(key: str, value) -> bool:
        if value == "given":
            return key in given
        if value == "absent":
            return key not in params
        return key in params and str(params[key]).lower() == str(value).lower()

    return all(any(one(k, value) for k in keys.split("|")) for keys, value in when.items())


class CosmeticClass(_Entry):
    """A cosmetic surface class: where it applies, what defects it allows, how it is inspected.
    Sizes in mm (the source's inches converted)."""

    key: str
    title: str
    scope: str
    scratches: str
    dents: str
    inclusions: str
    colour: str
    distance_mm: float = Field(gt=0)
    time_s: float = Field(gt=0)
    source: str


class RalColour(_Entry):
    code: str
    name: str
    preview_hex: str  # approximate, for screen preview only

"""The spec's typed model: what a techpack.yaml may contain.

The same classes validate the spec and generate its JSON Schema (`techpack schema`).
Lengths in a spec are in the product's units (`product.units`, mm or in); model
scripts are authored in those units and their solids are converted to mm.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, Literal, Optional, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict, StringConstraints, ValidationInfo, field_validator, model_validator

SPEC_VERSION = 1

NUMBER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._+-]*$"
REVISION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9.-]{0,7}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def control_character_problem(value: str) -> str | None:
    """Why text holds a character that must not reach a document or a file name (a NUL or another
    control character, a lone surrogate), or None. Tab and line feed are text."""
    for i, c in enumerate(value):
        category = unicodedata.category(c)
        if (category == "Cc" and c not in "\t\n") or category == "Cs":
            name = CONTROL_NAMES.get(c) or unicodedata.name(c, "")
            what = "a lone surrogate" if category == "Cs" else "a control character"
            return f"holds {what} (U+{ord(c):04X}{' ' + name if name else ''}) at character {i + 1}; remove it: it must not reach a document or a file name"
    return None


CONTROL_NAMES = {"\0": "NUL", "\r": "carriage return", "\x1b": "escape", "\x7f": "delete", "\b": "backspace", "\x0b": "vertical tab", "\x0c": "form feed"}


def _no_control(value: str) -> str:
    problem = control_character_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _dots(what: str):
    """Numbers and revisions name the package's files: no '..' (P-1_revA...zip) and no trailing
    dot (Windows drops it from a file name)."""

    def check(value: str) -> str:
        if ".." in value:
            raise ValueError(f"{value!r}: two dots in a row are not allowed in a {what}: it names files in the package")
        if value.endswith("."):
            raise ValueError(f"{value!r} ends with a dot, which is not allowed in a {what}: it names files in the package, and Windows drops a name's last dot")
        return value

    return check


_no_dot_dot = _dots("number")


def _as_written(value: Any) -> Any:
    """A number where a name is expected (part: 0101, revision: 01) as it was written."""
    return getattr(value, "raw", value)


AsWritten = BeforeValidator(_as_written)

# Part and product numbers name files: letters, digits and . _ + -, no '/' or '..'.
Number = Annotated[str, AsWritten, StringConstraints(strip_whitespace=True, pattern=NUMBER_PATTERN, max_length=64), AfterValidator(_no_dot_dot)]
Text = Annotated[str, AsWritten, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(_no_control)]
Revision = Annotated[str, AsWritten, StringConstraints(strip_whitespace=True, pattern=REVISION_PATTERN), AfterValidator(_dots("revision"))]
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=EMAIL_PATTERN), AfterValidator(_no_control)]
Count = Annotated[int, Strict(), Field(gt=0)]  # 3, not 3.0, "3" or true
ParamValue = Union[bool, int, float, str, list, dict]
FinishItem = Union[str, dict[str, Optional[dict[str, ParamValue]]]]
CosmeticClass = Literal["A", "B", "C"]
SPARES_PERCENT = r"^\s*[0-9]+(\.[0-9]+)?\s*%\s*$"  # ASCII digits: float() also reads full-width ones


def _spares(value: Any) -> Any:
    """A count (3) or a percentage of the batch quantity ('5%'), 0 to 100 %."""
    value = getattr(value, "raw", value) if isinstance(value, str) else value
    if isinstance(value, bool):
        raise ValueError(f"spares: a count such as 2 or a percentage such as '5%'; got {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"spares cannot be negative; got {value}: give 0 for none, a count such as 2, or a percentage such as '5%'")
        return value
    if isinstance(value, str) and re.match(SPARES_PERCENT, value):
        percent = float(value.strip().rstrip("%"))
        if percent > 100:
            raise ValueError(f"spares of {value.strip()} is over 100 % of the batch; give a percentage from 0 to 100, or a count")
        return value.strip().replace(" ", "")
    if isinstance(value, float):
        raise ValueError(f"spares is a whole count (2) or a percentage ('5%'); got {value!r}")
    raise ValueError(f"spares is a count such as 2 or a percentage such as '5%'; got {value!r}")


Spares = Annotated[Union[int, str], BeforeValidator(_spares), Field(json_schema_extra={"examples": [2, "5%"]})]


class _Model(BaseModel):
    # coerce_numbers_to_str: `material: 6061` or `revision: 2` are names, not numbers
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, coerce_numbers_to_str=True)


class Inspection(_Model):
    """How the batch is inspected: ISO 2859-1 single sampling, normal inspection."""

    level: Literal["I", "II", "III", "S-1", "S-2", "S-3", "S-4"] = Field("II", description="Inspection level.")
    aql: float = Field(1.0, gt=0, description="Acceptance quality limit, % nonconforming (0.065 to 10).")


class Contact(_Model):
    """The person a supplier writes to with questions and the quote."""

    name: Text
    email: Email | None = None
    phone: Text | None = None


class Product(_Model):
    """The product the package is for; its number and revision name the package."""

    number: Number = Field(description="Product number, e.g. DL-2. Names the package: DL-2_revB.zip.")
    name: Text = Field(description="Product name, e.g. Desk lamp.")
    revision: Revision = Field(description="Revision letter or number, e.g. B.")
    owner: Text = Field(description="Legal owner of the documents (ISO 7200), e.g. Studio North Ltd.")
    drawn_by: Text = Field(description="Creator of the documents (ISO 7200).")
    approved_by: Text | None = Field(None, description="Approver (ISO 7200).")
    date: dt.date | None = Field(
        None,
        description="Date of issue, YYYY-MM-DD. When absent: SOURCE_DATE_EPOCH, else the git commit date.",
    )
    batch: Count = Field(description="Number of products in the batch to be made.")
    units: Literal["mm", "in"] = Field(
        "mm", description="Units the models and spec lengths are authored in; converted to mm exactly (1 in = 25.4 mm)."
    )
    general_tolerance: Text | None = Field(
        None, description="General tolerance for every part, e.g. ISO 2768-mK. Default: the process's class."
    )
    inspection: Inspection = Field(default_factory=Inspection, description="Sampling for incoming inspection.")
    spares: Spares = Field(0, description="Spares ordered beyond the batch for every part without its own: a count (2) or a percentage of the batch quantity ('5%'), rounded up.")
    projection: Literal["first-angle", "third-angle"] = Field(
        "first-angle", description="Drawing projection method (ISO 5456-2): first-angle (ISO E) or third-angle (US)."
    )
    contact: Contact | None = Field(None, description="The buyer's contact for suppliers' questions and quotes.")


class Supplier(_Model):
    """A supplier that parts can be sent to."""

    name: Text
    email: Email | None = None
    contact: Text | None = None
    phone: Text | None = None


class Rfq(_Model):
    """What a supplier is asked to quote: printed on the cover page of each supplier's package."""

    id: Number | None = Field(None, description="RFQ reference, e.g. RFQ-2026-014: quoted back by the supplier.")
    quantities: list[Count] = Field(
        default_factory=list,
        description="Quantity breaks to price, in products, e.g. [1, 10, 50, 200]; each part's quantity is its qty per product times the break. Default: the batch.",
    )
    certificate: Text | None = Field(None, description="Material certificate asked for with metal parts, e.g. EN 10204 3.1.")
    lead_time: Text | None = Field(None, description="Lead time wanted, e.g. 4 weeks from order.")
    incoterms: Text | None = Field(None, description="Incoterms 2020 rule and named place, e.g. FCA Porto (Incoterms 2020).")
    currency: Text | None = Field(None, description="Currency of the quote, e.g. EUR.")
    validity: Text | None = Field(None, description="How long the quote must stay valid, e.g. 30 days.")
    reply_by: dt.date | None = Field(None, description="Date the quote is wanted by, YYYY-MM-DD.")
    nda: Text | None = Field(None, description="Reference of the non-disclosure agreement the package is supplied under.")


Direction = Union[Literal["+X", "-X", "+Y", "-Y", "+Z", "-Z"], tuple[float, float, float]]

# Datum letters (ISO 5459) are capital letters. The project's reference (drawings.md §6.7) names no
# letters to avoid, so we follow ASME Y14.5-2018 §3.3.2, which leaves out I, O and Q: on a drawing
# they read as 1 and 0.
DATUM_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
MAX_DATUMS = 3  # primary, secondary, tertiary: a feature control frame has three datum compartments


def datum_letter_problem(value: Any) -> str | None:
    """Why value is not a datum letter (A, B, ...), or None if it is one."""
    text = str(getattr(value, "raw", value)).strip() if isinstance(value, int | float | str) and not isinstance(value, bool) else None
    if text is not None and len(text) == 1 and text in DATUM_LETTERS:
        return None
    shown = repr(text) if text is not None else repr(value)
    if text is not None and len(text) == 1 and text.upper() in DATUM_LETTERS:
        return f"{shown} is not a datum letter; datum letters are capital letters: write {text.upper()}"
    if text is not None and len(text) == 1 and text.upper() in "IOQ":
        instead = {"I": "J", "O": "P", "Q": "R"}[text.upper()]
        return f"{shown} is not a datum letter: I, O and Q are not used, as they are mistaken for 1 and 0; use another letter, e.g. {instead}"
    return f"{shown} is not a datum letter; use one capital letter A-Z except I, O and Q, e.g. A"


def _datum_letter(value: str) -> str:
    problem = datum_letter_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _datum_list(value: list[str]) -> list[str]:
    if len(value) > MAX_DATUMS:
        raise ValueError(
            f"at most {MAX_DATUMS} datums (primary, secondary, tertiary); got {len(value)}: {', '.join(value)}"
        )
    repeated = sorted({d for d in value if value.count(d) > 1})
    if repeated:
        raise ValueError(
            f"datum {', '.join(repeated)} is repeated in [{', '.join(value)}]; name each datum once, primary first, e.g. [A, B]"
        )
    return value


DatumLetter = Annotated[
    str,
    AsWritten,
    StringConstraints(strip_whitespace=True),
    AfterValidator(_datum_letter),
    Field(json_schema_extra={"pattern": f"^[{DATUM_LETTERS}]$"}),  # for editors; _datum_letter says what is wrong
]
Datums = Annotated[list[DatumLetter], AfterValidator(_datum_list)]


class GeometricTolerance(_Model):
    """A geometric tolerance (ISO 1101): the width of the tolerance zone and the datums it refers to."""

    tolerance: float = Field(
        gt=0, description="Width of the tolerance zone in the product's units (its diameter for the position of a hole's axis), e.g. 0.05."
    )
    datums: Datums = Field(
        default_factory=list,
        description="Datum letters the tolerance refers to, primary first, at most 3, e.g. [A, B]; "
        "each declared by `datum:` on a feature of the same part.",
        json_schema_extra={"maxItems": MAX_DATUMS, "uniqueItems": True},
    )


class OrientationTolerance(GeometricTolerance):
    """An orientation tolerance (ISO 1101): always relative to at least one datum."""

    model_config = ConfigDict(json_schema_extra={"required": ["tolerance", "datums"]})

    datums: Datums = Field(
        default_factory=list,
        description="Datum letters the orientation is measured from, primary first, 1 to 3, e.g. [A]; "
        "each declared by `datum:` on a feature of the same part.",
        json_schema_extra={"minItems": 1, "maxItems": MAX_DATUMS, "uniqueItems": True},
    )


class Feature(_Model):
    """A feature the drawing and inspection plan call out, selected on the model."""

    name: Text
    select: dict[Literal["hole", "face", "name"], Union[float, str]] = Field(
        description="How to find it: {hole: 10} (holes of nominal Ø10), {face: '<Z'} (a CadQuery selector; the largest face it picks), "
        "{name: top} (the faces the model script tagged: .faces('>Z').tag('top'))."
    )
    fit: Text | None = Field(None, description="ISO 286 tolerance class, e.g. H7.")
    tolerance: tuple[float, float] | None = Field(None, description="Explicit limits [upper, lower] in the product's units.")
    thread: Text | None = Field(None, description="Thread designation, e.g. M5x0.8-6H.")
    depth: float | None = Field(None, gt=0, description="Thread or hole depth in the product's units.")
    surface: Text | None = Field(None, description="Roughness, e.g. Ra 1.6.")
    flatness: float | None = Field(
        None, gt=0, description="Flatness tolerance (ISO 1101, no datum) of a face, in the product's units, e.g. 0.05."
    )
    datum: DatumLetter | None = Field(
        None, description="The datum letter this feature establishes (ISO 5459), e.g. A: one capital letter, not I, O or Q."
    )
    position: GeometricTolerance | None = Field(
        None,
        description="Position tolerance (ISO 1101) of a hole or named feature, e.g. {tolerance: 0.05, datums: [A, B]}.",
    )
    perpendicularity: OrientationTolerance | None = Field(
        None, description="Perpendicularity tolerance (ISO 1101) to a datum, e.g. {tolerance: 0.05, datums: [A]}."
    )
    parallelism: OrientationTolerance | None = Field(
        None, description="Parallelism tolerance (ISO 1101) to a datum, e.g. {tolerance: 0.05, datums: [A]}."
    )
    critical: bool = False
    mask: bool = Field(False, description="true: keep this surface bare when finishing (masked). Fits, threads and datum faces are masked "
                       "unless the feature says mask: false, which has them coated like the rest.")
    cosmetic: CosmeticClass | None = Field(None, description="Cosmetic class of this surface (A: visible, B: seen sometimes, C: hidden), if not the part's.")

    @field_validator("select")
    @classmethod
    def _one_way_to_select(cls, value: dict) -> dict:
        if len(value) != 1:
            raise ValueError("select a feature one way: {hole: 10}, {face: '>Z'} or {name: top}")
        (key, v), = value.items()
        if key == "hole" and (isinstance(v, bool) or not isinstance(v, int | float) or v <= 0):
            raise ValueError(f"hole: takes the holes' nominal diameter, a number such as 10; got {v!r}")
        if key != "hole" and not isinstance(v, str):
            raise ValueError(f"{key}: takes text, e.g. {{{key}: {'>Z' if key == 'face' else 'top'}}}; got {v!r}")
        return value

    @field_validator("tolerance")
    @classmethod
    def _limits_in_order(cls, value: tuple[float, float] | None, info: ValidationInfo) -> tuple[float, float] | None:
        if value is not None and value[0] < value[1]:
            raise ValueError(f"the upper limit deviation comes first: [{value[1]:g}, {value[0]:g}], not [{value[0]:g}, {value[1]:g}]")
        if value is not None and info.data.get("fit"):
            raise ValueError("give a size either a fit (ISO 286) or explicit limit deviations, not both")
        return value

    @field_validator("flatness")
    @classmethod
    def _flatness_of_a_face(cls, value: float | None, info: ValidationInfo) -> float | None:
        select = info.data.get("select")
        if value is not None and select is not None and not ({"face", "name"} & set(select)):
            raise ValueError(
                "flatness applies to a face; select the face with {face: '<Z'} (a CadQuery selector) or {name: ...} (a face the script tagged), "
                "or give a hole its tolerance with fit: or tolerance:"
            )
        return value

    @field_validator("position")
    @classmethod
    def _position_of_a_hole_or_named_feature(cls, value: GeometricTolerance | None, info: ValidationInfo) -> GeometricTolerance | None:
        select = info.data.get("select")
        if value is not None and select is not None and not ({"hole", "name"} & set(select)):
            raise ValueError(
                "position applies to a hole ({hole: 10}) or a named feature ({name: ...}), not to a face; "
                "for a face use flatness:, perpendicularity: or parallelism:"
            )
        return value

    @field_validator("perpendicularity", "parallelism")
    @classmethod
    def _orientation_needs_a_datum(cls, value: OrientationTolerance | None, info: ValidationInfo) -> OrientationTolerance | None:
        if value is not None and not value.datums:
            raise ValueError(
                f"{info.field_name} is always relative to a datum; add datums: [A] naming the datum "
                "(declared with `datum: A` on another feature of the part)"
            )
        return value


class Waiver(_Model):
    """A DFM finding accepted on purpose."""

    rule: Text = Field(description="Rule name, e.g. wall-thickness.")
    reason: Text = Field(description="Why it is acceptable, e.g. agreed with the supplier.")
    finding: Text | None = Field(None, description="Only this finding: its id (DL2-201/wall-thickness/1) or number (1).")
    near: tuple[float, float, float] | None = Field(
        None, description="Only findings located within `within` of this point [x, y, z] (the model's units): a region that stays put when the model changes."
    )
    within: float = Field(5.0, gt=0, description="Radius of the `near` region, in the product's units.")


class Checks(_Model):
    waive: list[Waiver] = Field(default_factory=list)


class Part(_Model):
    """A part made to the package's drawings and STEP files."""

    number: Number = Field(description="Part number, e.g. DL2-101. Names the part's files.")
    name: Text = Field(description="Part name, e.g. Base.")
    model: Text = Field(
        description="The model, relative to the spec: a CadQuery script (.py) with build(**params), or a STEP file (.step/.stp)."
    )
    params: dict[str, ParamValue] = Field(
        default_factory=dict, description="Keyword arguments passed to the script's build() function."
    )
    qty: Count = Field(1, description="Quantity per product.")
    material: Text = Field(description="Material name from the catalog, e.g. aluminium 6061-T6 (`techpack materials`).")
    process: Text = Field(description="Manufacturing process, e.g. cnc-milling (`techpack processes`).")
    supplier: Text | None = Field(None, description="Key of the supplier in `suppliers:`.")
    units: Literal["mm", "in"] | None = Field(None, description="Units of this part's script, if not product.units.")
    description: Text | None = Field(None, description="Free text shown in the index and BOM.")
    finish: list[FinishItem] = Field(
        default_factory=list,
        description="Finishes in the order applied: a name, or {name: {param: value}}, e.g. {anodise: {type: II, ral: 9005}}.",
    )
    surface: Text | None = Field(None, description="Default surface roughness, e.g. Ra 3.2 or N8. Default: the process's.")
    general_tolerance: Text | None = Field(None, description="General tolerance for this part, if not the product's.")
    pull: Direction = Field("+Z", description="Mould opening direction for draft and undercut checks: +Z, -Y, ... or [x, y, z]. Milling finds its own tool directions (tool access).")
    thickness: float | None = Field(None, gt=0, description="Sheet thickness (sheet metal, laser cutting), in the product's units.")
    k_factor: float | None = Field(None, gt=0, le=0.5, description="K-factor of this part's bends (ANSI: the neutral fibre at R + K·t), for its flat pattern; "
                                   "default: the catalog's air-bending table for the material's bend class, else DIN 6935. Ask the bending shop for theirs.")
    features: list[Feature] = Field(default_factory=list, description="Features to call out on the drawing and check.")
    spares: Spares | None = Field(None, description="Spares ordered beyond the batch: a count (2) or a percentage of the batch quantity ('5%'); default product.spares.")
    cosmetic: CosmeticClass | None = Field(None, description="Cosmetic class of the part's surfaces (A: visible, B: seen sometimes, C: hidden); a finished part defaults to B.")
    photos: list[Text] = Field(default_factory=list, description="Reference photos for the finisher (PNG or JPEG), relative to the spec.")
    checks: Checks = Field(default_factory=Checks, description="DFM waivers.")


class Hardware(_Model):
    """A purchased part: a BOM row, no model or drawing."""

    number: Number = Field(description="Part number or standard designation, e.g. ISO4762-M5x12.")
    name: Text
    qty: Count = Field(description="Quantity per product.")
    supplier: Text | None = Field(None, description="Key of the supplier in `suppliers:`.")
    description: Text | None = Field(None, description="Free text shown in the BOM.")
    spares: Spares | None = Field(None, description="Spares ordered beyond the batch: a count or a percentage ('5%'); default product.spares.")


def _three_numbers(value: Any) -> Any:
    """[x, y, z]: exactly three numbers (a position in the product's units, or angles in degrees)."""
    if not (isinstance(value, list | tuple) and len(value) == 3
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)):
        raise ValueError(f"expected [x, y, z], three numbers; got {value!r}")
    return tuple(float(v) for v in value)


Vector = Annotated[tuple[float, float, float], BeforeValidator(_three_numbers)]


class Placement(_Model):
    """One entry of `assembly.place`: a part at a position, or a count of a hardware item."""

    part: Number | None = Field(None, description="Number of the part placed (one instance), e.g. DL2-101.")
    at: Vector = Field(
        (0.0, 0.0, 0.0),
        description="Where the part's model origin goes, [x, y, z] in the product's units, in the assembly's coordinates.",
    )
    rotate: Vector = Field(
        (0.0, 0.0, 0.0),
        description="Rotation of the part about its model origin, degrees: about X, then Y, then Z (the assembly's fixed axes), "
        "applied before moving it to `at`.",
    )
    hardware: Number | None = Field(None, description="Number of a hardware item (purchased part, no model), e.g. ISO4762-M5x12.")
    count: Count | None = Field(None, description="How many of the hardware item the assembly holds.")

    @model_validator(mode="after")
    def _part_or_hardware(self) -> "Placement":
        if (self.part is None) == (self.hardware is None):
            raise ValueError(
                "place either a part ({part: DL2-101, at: [0, 0, 0], rotate: [0, 0, 90]}) "
                "or a count of hardware ({hardware: ISO4762-M5x12, count: 2}), one per entry"
            )
        if self.part is not None and self.count is not None:
            raise ValueError("count: is for hardware; a part entry places one instance: give each instance its own entry with at:")
        if self.hardware is not None and self.model_fields_set & {"at", "rotate"}:
            raise ValueError("hardware has no model to place: give it a count ({hardware: ..., count: 2}), not at: or rotate:")
        if self.hardware is not None and self.count is None:
            raise ValueError("give the hardware's count: {hardware: ..., count: 2}")
        return self


class Assembly(_Model):
    """The product assembled: each part instance at its place, and the hardware it takes."""

    number: Number = Field(description="Assembly number, e.g. DL2-000. Names its files: step/DL2-000_assembly_revB.step.")
    name: Text = Field(description="Assembly name, e.g. Desk lamp.")
    overlap: float | None = Field(
        None,
        ge=0,
        description="Interference between two placed parts tolerated before it is reported, in the product's units cubed "
        "(press fits are modelled at nominal size, so they touch without overlapping). Default 0.5 mm³.",
    )
    place: list[Placement] = Field(
        min_length=1,
        description="The parts (one entry per instance, at most each part's qty) and hardware counts, e.g. "
        "{part: DL2-101, at: [0, 0, 0]}, {part: DL2-301, at: [0, 0, 290], rotate: [0, 0, 90]}, {hardware: ISO4762-M5x12, count: 2}.",
    )

    @field_validator("place")
    @classmethod
    def _some_part(cls, value: list[Placement]) -> list[Placement]:
        if value and all(p.part is None for p in value):
            raise ValueError("an assembly places at least one part: add {part: <number>, at: [x, y, z]}")
        return value


class CatalogSection(_Model):
    """Additions to techpack's catalog, or fields overriding an entry of it (`techpack materials`)."""

    materials: dict[str, dict[str, Any]] = Field(default_factory=dict)
    processes: dict[str, dict[str, Any]] = Field(default_factory=dict)
    finishes: dict[str, dict[str, Any]] = Field(default_factory=dict)


class Spec(_Model):
    """A techpack spec: one product, its parts and purchased hardware."""

    model_config = ConfigDict(title="techpack spec")

    techpack: Literal[1] = Field(description="Version of the spec format. This techpack reads version 1.")
    product: Product
    suppliers: dict[Number, Supplier] = Field(default_factory=dict)
    parts: list[Part] = Field(min_length=1)
    hardware: list[Hardware] = Field(default_factory=list)
    rfq: Rfq = Field(default_factory=Rfq, description="The request for quotation on each supplier's cover page.")
    catalog: CatalogSection = Field(default_factory=CatalogSection)
    assembly: Assembly | None = Field(None, description="The product assembled from its parts: an assembly STEP, an exploded picture, overlap checks.")

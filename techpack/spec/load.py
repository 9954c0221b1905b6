"""Load a spec file: YAML -> typed, frozen Spec, with every problem reported at once.

Each problem names file:line:col, the key path (parts[2].material), what was
expected and, for an unknown key or value, the closest valid one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import typing
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from techpack.catalog import Catalog
from techpack.catalog.finishes import AppliedFinish, apply_finish
from techpack.errors import Problem, SpecError, Where
from techpack.spec.catalog_section import extend
from techpack.spec.checks import check_references, finish_entry
from techpack.spec.model import EMAIL_PATTERN, NUMBER_PATTERN, REVISION_PATTERN, SPEC_VERSION, Part, Spec, control_character_problem

PATTERN_WORDS = {
    NUMBER_PATTERN: "a number starts with a letter or digit and uses letters, digits and . _ + - (no spaces or '/')",
    REVISION_PATTERN: "a revision is up to 8 letters, digits, dots or dashes, e.g. B or 2.1",
    EMAIL_PATTERN: "an e-mail address looks like name@example.com",
}
from techpack.words import closest, did_you_mean, key_path
from techpack.spec.yamlfile import Positions, load_yaml_file
from techpack.safety import path_problem
from techpack.standards import GeneralTolerance, Roughness, parse_general_tolerance, parse_roughness


@dataclass(frozen=True)
class LoadedSpec:
    """A validated spec with where it came from."""

    spec: Spec
    path: Path  # absolute path of the spec file
    display: str  # the spec's name as the user gave it, for messages
    root: Path  # the repository the spec lives in (git work tree, else the spec's folder)
    sha256: str
    positions: Positions
    catalog: Catalog  # techpack's catalog with the spec's catalog: section applied

    @property
    def folder(self) -> Path:
        return self.path.parent

    def where(self, *key: str | int, of_key: bool = False) -> Where:
        """The place of a key path in the spec."""
        return self.positions.where(key, key=of_key)

    def for_supplier(self, key: str) -> "LoadedSpec":
        """The spec as one supplier's package sees it: only their parts, hardware and entry in
        suppliers (a read-only view for writing documents; `where` still points into the file)."""
        spec = self.spec.model_copy(
            update={
                "suppliers": {key: self.spec.suppliers[key]},
                "parts": [p for p in self.spec.parts if p.supplier == key],
                "hardware": [h for h in self.spec.hardware if h.supplier == key],
            }
        )
        return dataclasses.replace(self, spec=spec)

    def model_path(self, part: Part) -> Path:
        return (self.folder / part.model).resolve()

    def units(self, part: Part) -> str:
        return part.units or self.spec.product.units

    def index_of(self, part: Part) -> int:
        return self.spec.parts.index(part)

    def general_tolerance(self, part: Part) -> GeneralTolerance:
        """The part's general tolerance: its own, else the product's, else its process's class."""
        text = part.general_tolerance or self.spec.product.general_tolerance or self.catalog.processes[part.process].general_tolerance
        return parse_general_tolerance(text)

    def surface(self, part: Part) -> Roughness:
        """The part's default roughness: its own `surface`, else its process's typical Ra."""
        return parse_roughness(part.surface or f"Ra {self.catalog.processes[part.process].typical_ra_um:g}")

    def finishes(self, part: Part) -> list[AppliedFinish]:
        """The part's finishes in order, with defaults and variants resolved."""
        out = []
        for entry in part.finish:
            name, params = finish_entry(entry)
            out.append(apply_finish(self.catalog.finish(name), params, self.catalog))
        return out


def find_root(folder: Path) -> Path:
    """The git work tree holding folder, else folder itself."""
    for p in (folder, *folder.parents):
        if (p / ".git").exists():
            return p
    return folder


def load_spec(path: str | Path, selectors: bool = True) -> LoadedSpec:
    """Read and validate the spec at path. Raises SpecError listing every problem. Not
    `selectors`: a face selector in a form other than the simplest (`>Z and |X`) is not read
    with CadQuery's parser, which imports CadQuery (`techpack list`, reading hundreds of specs)."""
    display = str(path)
    if path_problem(path):
        raise SpecError(Problem(Where(display), "", path_problem(path)))
    path = Path(path).absolute()
    if path.is_dir():
        raise SpecError(Problem(Where(display), "", "is a folder; give the spec file (techpack.yaml) in it"))
    if path.suffix.lower() in (".step", ".stp", ".py"):
        raise SpecError(Problem(Where(display), "", "is a model, not a spec; name it under parts: in a techpack.yaml (techpack init writes one)"))
    data, pos, raw = load_yaml_file(path, display)  # a regular file of at most 4 MB, read once
    if not isinstance(data, dict):
        raise SpecError(Problem(Where(display, 1, 1), "", "the spec must be a YAML mapping starting with 'techpack: 1'"))
    version = data.get("techpack")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise SpecError(
            Problem(pos.where(("techpack",)), "techpack", f"the spec version is the number {SPEC_VERSION}, written techpack: {SPEC_VERSION} (got {version!r})")
        )
    if version is None:
        raise SpecError(Problem(Where(display, 1, 1), "techpack", f"missing the spec version; add 'techpack: {SPEC_VERSION}' at the top"))
    if version != SPEC_VERSION:
        raise SpecError(
            Problem(
                pos.where(("techpack",)),
                "techpack",
                f"unknown spec version {version!r}; this techpack reads version {SPEC_VERSION} (upgrade techpack or fix the version)",
            )
        )

    # top-level keys starting with x- hold YAML anchors to share (as in Docker Compose)
    data = {k: v for k, v in data.items() if not k.startswith("x-")}
    root = find_root(path.parent)
    problems: list[Problem] = []
    spec = None
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        problems += _problems(exc.errors(), pos, data)
    catalog, catalog_errors = extend(data.get("catalog"))
    problems += _problems(catalog_errors, pos, data)
    problems += check_references(data, pos, path.parent, root, catalog, selectors)
    scalars, said = scalar_problems(data, pos)
    if scalars:  # said once, in these words: what the other checks say about the same value follows from it
        problems = scalars + [p for p in problems if p.key not in said]
    if problems:
        raise SpecError(_sorted_unique(problems))
    assert spec is not None
    return LoadedSpec(spec, path, display, root, hashlib.sha256(raw).hexdigest(), pos, catalog)


# --- values no document or file may carry ---------------------------------------------------

DESIGNATION_KEYS = {"surface", "fit", "thread", "general_tolerance", "spares", "aql", "certificate"}  # text that holds numbers


def scalar_problems(data: Any, pos: Positions) -> tuple[list[Problem], set[str]]:
    """Every value (and key) of the spec that techpack must not use, wherever it is: text with a
    NUL or another control character (it would reach a document or a file name raw), a number
    that is not finite (.nan, .inf: "parameter x is nan"), and numbers written in digits other
    than 0-9 (Python reads '５０' as 50; a supplier's system may not). Returns the problems and
    the key paths they are about, as other checks name them (to say each thing once)."""
    problems: list[Problem] = []
    said: set[str] = set()

    def add(loc: tuple, message: str, of_key: bool = False) -> None:
        shown = tuple(repr(el)[1:-1] if isinstance(el, str) else el for el in loc)  # a key's control characters escaped
        problems.append(Problem(pos.where(loc, key=of_key), key_path(shown), message))
        said.add(key_path(loc))

    def text(value: str, loc: tuple, of_key: bool = False) -> None:
        shown = repr(value if len(value) <= 60 else value[:57] + "...")
        problem = control_character_problem(value)
        if problem:
            add(loc, f"{'the key ' if of_key else ''}{shown} {problem}", of_key)
        elif not of_key and _foreign_digits(value, loc):
            add(loc, f"{shown} is written with digits other than 0-9 (full-width, say); write its numbers with the digits 0-9")

    def walk(value: Any, loc: tuple) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                text(str(k), loc + (str(k),), of_key=True)
                walk(v, loc + (str(k),))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, loc + (i,))
        elif isinstance(value, str):
            text(value, loc)
        elif isinstance(value, float) and not math.isfinite(value):
            shown = "nan" if value != value else "inf" if value > 0 else "-inf"
            if len(loc) >= 4 and loc[0] == "parts" and loc[2] == "params":
                add(loc, f"parameter {key_path(loc[3:])} is {shown}: give a finite number")
            else:
                add(loc, f"{shown} is not a length, count or tolerance: give a finite number")

    walk(data, ())
    return problems, said


def _foreign_digits(value: str, loc: tuple) -> bool:
    """value is a number (or, under a key that holds a designation such as surface: Ra 1.6, holds
    one) written with decimal digits other than 0-9."""
    foreign = any(unicodedata.category(c) == "Nd" and not ("0" <= c <= "9") for c in value)
    if not foreign:
        return False
    if loc and str(loc[-1]) in DESIGNATION_KEYS:
        return True
    try:
        float(value.replace("%", ""))
    except ValueError:
        return False
    return True


def _sorted_unique(problems: list[Problem]) -> list[Problem]:
    def line_col(p: Problem) -> tuple[int, int]:
        return (p.where.line, p.where.col) if isinstance(p.where, Where) else (0, 0)

    return sorted(dict.fromkeys(problems), key=line_col)


# --- schema errors -----------------------------------------------------------


def _unwrap(t: Any) -> Any:
    while True:
        origin = typing.get_origin(t)
        if origin is typing.Annotated:
            t = typing.get_args(t)[0]
        elif origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            args = [a for a in typing.get_args(t) if a is not type(None)]
            if len(args) != 1:
                return t
            t = args[0]
        else:
            return t


def _fields_at(loc: tuple) -> list[str]:
    """The keys allowed in the mapping at loc, walking the Spec model."""
    t: Any = Spec
    for el in loc:
        t = _unwrap(t)
        if isinstance(t, type) and issubclass(t, BaseModel):
            field = t.model_fields.get(str(el))
            if field is None:
                return []
            t = field.annotation
        elif typing.get_origin(t) is list:
            t = typing.get_args(t)[0]
        elif typing.get_origin(t) is dict:
            t = typing.get_args(t)[1]
        else:
            return []
    t = _unwrap(t)
    return list(t.model_fields) if isinstance(t, type) and issubclass(t, BaseModel) else []


_TYPE_WORDS = {
    "int_parsing": "an integer",
    "int_type": "an integer",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "string_type": "text",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping (key: value)",
    "list_type": "a list",
    "model_type": "a mapping (key: value)",
    "date_type": "a date YYYY-MM-DD",
    "date_parsing": "a date YYYY-MM-DD",
    "date_from_datetime_parsing": "a date YYYY-MM-DD",
    "date_from_datetime_inexact": "a date YYYY-MM-DD",
}


def _clean_loc(loc: tuple, data: Any) -> tuple:
    """The error's location as a key path of the data: without pydantic's union branch tags."""
    out, cur = [], data
    for el in loc:
        if isinstance(cur, dict) and el in cur:
            out.append(el)
            cur = cur[el]
        elif isinstance(cur, list) and isinstance(el, int) and 0 <= el < len(cur):
            out.append(el)
            cur = cur[el]
        elif isinstance(cur, dict) and not isinstance(el, int) and "[" not in str(el) and el not in UNION_TAGS:
            out.append(el)  # a missing or unknown key
            cur = None
    return tuple(out)


UNION_TAGS = {"str", "int", "float", "bool", "list", "dict", "tuple", "none", "literal", "date", "function-after", "function-before"}


def _problems(errors: list[dict], pos: Positions, data: Any) -> list[Problem]:
    """One problem per place: errors of the branches of one union become one problem, a
    finish entry is left to the finish check, and a missing key that an unknown key's
    "did you mean" names is the same typo."""
    by_loc: dict[tuple, list[dict]] = {}
    for err in errors:
        if err["type"] == "missing" or err["type"] == "extra_forbidden":
            loc = tuple(el for el in err["loc"] if el != "[key]")
        else:
            loc = _clean_loc(tuple(el for el in err["loc"] if el != "[key]"), data)
        if len(loc) >= 3 and loc[0] == "parts" and loc[2] == "finish":
            continue  # checks.py says what a finish entry should look like
        by_loc.setdefault(loc, []).append({**err, "loc": loc})
    errors = []
    for loc, errs in by_loc.items():
        if len(errs) > 1 and all(e["type"] not in ("missing", "extra_forbidden") for e in errs):
            errs = [{**errs[0], "type": "union", "msg": f"{errs[0].get('input')!r} is not a valid value here (`techpack schema` says what fits)"}]
        errors += errs
    typos = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            loc = err["loc"]
            close = closest(str(loc[-1]), _fields_at(loc[:-1]))
            if close:
                typos.add(loc[:-1] + (close,))
    return [_problem(err, pos) for err in errors if not (err["type"] == "missing" and err["loc"] in typos)]


def _problem(err: dict, pos: Positions) -> Problem:
    loc = tuple(err["loc"])
    kind = err["type"]
    name = str(loc[-1]) if loc else ""
    given = err.get("input")
    if kind == "extra_forbidden":
        allowed = _fields_at(loc[:-1])
        hint = did_you_mean(name, allowed)
        return Problem(
            pos.where(loc, key=True), key_path(loc), f"unknown key '{name}'{hint}" + (f" (allowed here: {', '.join(allowed)})" if not hint else "")
        )
    if kind == "missing":
        return Problem(pos.where(loc[:-1], key=True), key_path(loc), f"missing required key '{name}'")
    if kind == "literal_error":
        choices = [c.strip(" '") for c in err["ctx"]["expected"].replace(" or ", ",").split(",")]
        return Problem(
            pos.where(loc), key_path(loc), f"expected one of {', '.join(choices)}; got {given!r}{did_you_mean(str(given), choices)}"
        )
    if kind in _TYPE_WORDS:
        return Problem(pos.where(loc), key_path(loc), f"expected {_TYPE_WORDS[kind]}, got {given!r}")
    if kind == "greater_than":
        return Problem(pos.where(loc), key_path(loc), f"must be greater than {err['ctx']['gt']}, got {given!r}")
    if kind == "string_pattern_mismatch":
        return Problem(pos.where(loc), key_path(loc), f"{given!r} is not allowed here: {PATTERN_WORDS.get(err['ctx']['pattern'], 'see techpack schema')}")
    if kind == "string_too_long":
        return Problem(pos.where(loc), key_path(loc), f"too long: at most {err['ctx']['max_length']} characters")
    if kind == "value_error":
        return Problem(pos.where(loc), key_path(loc), str(err["ctx"]["error"]))
    if kind in ("int_type", "int_parsing") and isinstance(given, bool | float | str):
        return Problem(pos.where(loc), key_path(loc), f"expected a whole number such as 3, got {given!r}")
    if kind == "too_short":
        return Problem(pos.where(loc), key_path(loc), "must not be empty")
    msg = err["msg"]
    if "url" not in err or kind == "union":  # one of ours, already a full sentence
        return Problem(pos.where(loc), key_path(loc), msg)
    return Problem(pos.where(loc), key_path(loc), f"{msg[0].lower()}{msg[1:]}, got {given!r}")



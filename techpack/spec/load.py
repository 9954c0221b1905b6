"""Load a spec file: YAML -> typed, frozen Spec, with every problem reported at once.

Each problem names file:line:col, the key path (parts[2].material), what was
expected and, for an unknown key or value, the closest valid one.
"""

from __future__ import annotations

import difflib
import hashlib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from techpack.catalog import Catalog
from techpack.catalog.finishes import AppliedFinish, apply_finish
from techpack.errors import Problem, SpecError
from techpack.spec.catalog_section import extend
from techpack.spec.checks import check_references, finish_entry
from techpack.spec.model import SPEC_VERSION, Part, Spec
from techpack.spec.words import did_you_mean, key_path
from techpack.spec.yamlfile import Positions, read_yaml
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

    def where(self, *key: str | int, of_key: bool = False) -> str:
        """file:line:col of a key path in the spec."""
        return self.positions.where(key, key=of_key)

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


def load_spec(path: str | Path) -> LoadedSpec:
    """Read and validate the spec at path. Raises SpecError listing every problem."""
    display = str(path)
    path = Path(path).absolute()
    if path.is_dir():
        raise SpecError(Problem(display, "", "is a folder; give the spec file (techpack.yaml) in it"))
    data, pos = read_yaml(path, display)
    raw = path.read_bytes()
    if not isinstance(data, dict):
        raise SpecError(Problem(f"{display}:1:1", "", "the spec must be a YAML mapping starting with 'techpack: 1'"))
    version = data.get("techpack")
    if version is None:
        raise SpecError(Problem(f"{display}:1:1", "techpack", f"missing the spec version; add 'techpack: {SPEC_VERSION}' at the top"))
    if version != SPEC_VERSION:
        raise SpecError(
            Problem(
                pos.where(("techpack",)),
                "techpack",
                f"unknown spec version {version!r}; this techpack reads version {SPEC_VERSION} (upgrade techpack or fix the version)",
            )
        )

    root = find_root(path.parent)
    problems: list[Problem] = []
    spec = None
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        problems += _problems(exc.errors(), pos)
    catalog, catalog_errors = extend(data.get("catalog"))
    problems += _problems(catalog_errors, pos)
    problems += check_references(data, pos, path.parent, root, catalog)
    if problems:
        raise SpecError(_sorted_unique(problems))
    assert spec is not None
    return LoadedSpec(spec, path, display, root, hashlib.sha256(raw).hexdigest(), pos, catalog)


def _sorted_unique(problems: list[Problem]) -> list[Problem]:
    def line_col(p: Problem) -> tuple[int, int]:
        parts = p.where.rsplit(":", 2)
        try:
            return int(parts[1]), int(parts[2])
        except (IndexError, ValueError):
            return 0, 0

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


def _problems(errors: list[dict], pos: Positions) -> list[Problem]:
    """One problem per error; a missing key that an unknown key's "did you mean" names is the same typo."""
    typos = set()
    for err in errors:
        if err["type"] == "extra_forbidden":
            loc = err["loc"]
            close = difflib.get_close_matches(str(loc[-1]).lower(), _fields_at(loc[:-1]), n=1, cutoff=0.6)
            typos.update(loc[:-1] + (c,) for c in close)
    return [_problem(err, pos) for err in errors if not (err["type"] == "missing" and err["loc"] in typos)]


def _problem(err: dict, pos: Positions) -> Problem:
    loc = tuple(el for el in err["loc"] if el != "[key]")
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
        return Problem(pos.where(loc), key_path(loc), f"{given!r} is not allowed here: use letters, digits and . _ - / + (no spaces)")
    if kind == "too_short":
        return Problem(pos.where(loc), key_path(loc), "must not be empty")
    msg = err["msg"]
    if "url" not in err:  # one of ours, already a full sentence
        return Problem(pos.where(loc), key_path(loc), msg)
    return Problem(pos.where(loc), key_path(loc), f"{msg[0].lower()}{msg[1:]}, got {given!r}")



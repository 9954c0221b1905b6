"""Checks on the spec beyond its types: references between its parts and to the catalog,
standard designations, and model files. They run on the raw YAML data, so that they
report their problems even when the schema check found others."""

from __future__ import annotations

import re

from pathlib import Path
from typing import Any

from techpack.catalog import Catalog, Material
from techpack.catalog.finishes import check_finish
from techpack.errors import Problem
from techpack.words import did_you_mean, key_path
from techpack.spec.model import control_character_problem, datum_letter_problem
from techpack.safety import regular_file_problem
from techpack.spec.yamlfile import Positions
from techpack.standards import StandardsError, parse_general_tolerance, parse_roughness, tolerance
from techpack.standards.iso2859 import aql_values
from techpack.standards.threads import parse_thread

MODEL_SUFFIXES = {".py": "script", ".step": "step", ".stp": "step"}
GEOMETRIC_TOLERANCES = ("position", "perpendicularity", "parallelism")  # the feature keys that take datums:


class Found:
    """Collects problems with their positions."""

    def __init__(self, pos: Positions, selectors: bool = True):
        self.pos = pos
        self.selectors = selectors  # read the face selectors CadQuery's parser reads (imports CadQuery)
        self.problems: list[Problem] = []

    def add(self, loc: tuple, message: str, of_key: bool = False) -> None:
        self.problems.append(Problem(self.pos.where(loc, key=of_key), key_path(loc), message))


def _name(value: Any) -> str | None:
    """A name-like YAML value as text (6061 and 2 are names too), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | str):
        return str(getattr(value, "raw", value)).strip() or None
    return None


def check_references(data: dict, pos: Positions, folder: Path, root: Path, catalog: Catalog, selectors: bool = True) -> list[Problem]:
    found = Found(pos, selectors)
    _check_product(data.get("product"), found)
    suppliers = data.get("suppliers") if isinstance(data.get("suppliers"), dict) else {}
    seen: dict[str, tuple] = {}
    for section in ("parts", "hardware"):
        items = data.get(section)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            here = (section, i)
            number = _name(item.get("number"))
            if number:  # compared without case: P-1 and p-1 would share a file on Windows and macOS
                first = seen.setdefault(number.lower(), here + ("number",))
                if first != here + ("number",):
                    found.add(
                        here + ("number",),
                        f"duplicate part number '{number}', already used at {pos.where(first)}; part numbers must be unique",
                    )
            supplier = _name(item.get("supplier"))
            if supplier and supplier not in suppliers:
                known = ", ".join(suppliers) or "none defined"
                found.add(here + ("supplier",), f"unknown supplier '{supplier}'{did_you_mean(supplier, suppliers)} (suppliers: {known})")
            if section == "parts":
                _check_part(item, here, found, folder, root, catalog)
    _check_assembly(data, seen, found)
    return found.problems


def _count(value: Any, default: int | None) -> int | None:
    """A quantity as written (qty: 2), the default when absent; None when it is not a count (the schema says why)."""
    if value is None:
        return default
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _check_assembly(data: dict, numbers: dict[str, tuple], found: Found) -> None:
    """`assembly.place`: every entry names a part or hardware item of the spec, and places a
    part no more times than its qty and a hardware item no more than its qty; the assembly's
    number names files beside the parts', so it is not one of theirs."""
    assembly = data.get("assembly")
    if not isinstance(assembly, dict):
        return
    number = _name(assembly.get("number"))
    if number and number.lower() in numbers:
        first = numbers[number.lower()]
        found.add(
            ("assembly", "number"),
            f"assembly number '{number}' is already the number of {key_path(first[:2])} at {found.pos.where(first)}; "
            "give the assembly its own number (it names step/<number>_assembly_rev<R>.step)",
        )
    place = assembly.get("place")
    if not isinstance(place, list):
        return
    sections = {}
    for section in ("parts", "hardware"):
        items = data.get(section)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and _name(item.get("number")):
                sections.setdefault(section, {})[_name(item.get("number"))] = (i, item)
    parts, hardware = sections.get("parts", {}), sections.get("hardware", {})
    used: dict[tuple[str, str], int] = {}
    for j, entry in enumerate(place):
        if not isinstance(entry, dict):
            continue
        for key, section, own, other, other_key in (
            ("part", "parts", parts, hardware, "hardware"),
            ("hardware", "hardware", hardware, parts, "part"),
        ):
            name = _name(entry.get(key))
            if not name or key not in entry:
                continue
            loc = ("assembly", "place", j, key)
            if name not in own:
                if name in other:
                    how = ("{hardware: %s, count: N}" % name) if other_key == "hardware" else ("{part: %s, at: [x, y, z]}" % name)
                    found.add(loc, f"'{name}' is {'hardware' if other_key == 'hardware' else 'a part'}, not {'a part' if key == 'part' else 'hardware'}; place it with {how}")
                else:
                    found.add(loc, f"unknown {'part' if key == 'part' else 'hardware'} '{name}'{did_you_mean(name, own)} "
                                   f"({section}: {', '.join(own) or 'none defined'})")
                continue
            i, item = own[name]
            qty = _count(item.get("qty"), 1 if key == "part" else None)
            adds = 1 if key == "part" else _count(entry.get("count"), None)
            if qty is None or adds is None:
                continue
            total = used[(section, name)] = used.get((section, name), 0) + adds
            if total > qty:
                given = f"at {found.pos.where((section, i, 'qty'))}" if "qty" in item else "by default"
                if key == "part":
                    found.add(loc, f"part {name} is placed {total} times but its qty is {qty} ({section}[{i}].qty, {given}); "
                                   f"place it at most {qty} time{'s' if qty != 1 else ''} or raise its qty")
                else:
                    found.add(("assembly", "place", j, "count"),
                              f"the assembly holds {total} of {name} but its qty is {qty} ({section}[{i}].qty, {given}); "
                              "lower the count or raise its qty")


def _check_product(product: Any, found: Found) -> None:
    if not isinstance(product, dict):
        return
    _check_general_tolerance(product.get("general_tolerance"), ("product", "general_tolerance"), found)
    inspection = product.get("inspection")
    aql = inspection.get("aql") if isinstance(inspection, dict) else None
    if isinstance(aql, int | float) and not isinstance(aql, bool) and float(aql) not in aql_values():
        found.add(("product", "inspection", "aql"), f"AQL {aql:g} is not in ISO 2859-1 Table II-A; use one of {', '.join(f'{a:g}' for a in aql_values())}")


def _check_general_tolerance(value: Any, loc: tuple, found: Found) -> None:
    value = _name(value)
    if value:
        try:
            parse_general_tolerance(value)
        except StandardsError as exc:
            found.add(loc, str(exc))


def _check_part(item: dict, here: tuple, found: Found, folder: Path, root: Path, catalog: Catalog) -> None:
    material = None
    material_name = _name(item.get("material"))
    if material_name:
        material = catalog.material(material_name)
        if material is None:
            found.add(
                here + ("material",),
                f"unknown material '{material_name}'{did_you_mean(material_name, catalog.material_names())} "
                "(list them with 'techpack materials', or add it under catalog: materials:)",
            )
    process = _name(item.get("process"))
    if process and process not in catalog.processes:
        found.add(
            here + ("process",),
            f"unknown process '{process}'{did_you_mean(process, catalog.processes)} (one of: {', '.join(catalog.processes)})",
        )
    _check_general_tolerance(item.get("general_tolerance"), here + ("general_tolerance",), found)
    surface = _name(item.get("surface"))
    if surface:
        try:
            parse_roughness(surface)
        except StandardsError as exc:
            found.add(here + ("surface",), str(exc))
    finishes = item.get("finish")
    if isinstance(finishes, list):
        for j, entry in enumerate(finishes):
            _check_finish_entry(entry, here + ("finish", j), material, found, catalog)
    _check_model(item.get("model"), here + ("model",), found, folder, root)
    photos = item.get("photos")
    if isinstance(photos, list):
        for j, photo in enumerate(photos):
            if isinstance(photo, str) and photo.strip():
                _check_photo(photo, here + ("photos", j), found, folder, root)
    _check_features(item.get("features"), here, found)
    _check_datums(item, here, found)
    _check_waivers(item.get("checks"), here, found, catalog)
    pull = item.get("pull")
    if isinstance(pull, list) and len(pull) == 3 and all(isinstance(c, int | float) for c in pull) and not any(pull):
        found.add(here + ("pull",), "the pull direction must not be [0, 0, 0]")


def _check_features(features: Any, here: tuple, found: Found) -> None:
    if not isinstance(features, list):
        return
    for j, f in enumerate(features):
        if not isinstance(f, dict):
            continue
        loc = here + ("features", j)
        if isinstance(f.get("thread"), str):
            try:
                parse_thread(f["thread"])
            except StandardsError as exc:
                found.add(loc + ("thread",), str(exc))
        select = f.get("select")
        hole = select.get("hole") if isinstance(select, dict) else None
        face = select.get("face") if isinstance(select, dict) else None
        if isinstance(face, str) and (found.selectors or SIMPLE_SELECTOR.fullmatch(face)):
            message = _selector_problem(face)
            if message:
                found.add(loc + ("select", "face"), message)
        if isinstance(f.get("fit"), str) and isinstance(hole, int | float) and not isinstance(hole, bool):
            try:
                tolerance(float(hole), f["fit"])
            except StandardsError as exc:
                found.add(loc + ("fit",), str(exc))
        if isinstance(f.get("surface"), str):
            try:
                parse_roughness(f["surface"])
            except StandardsError as exc:
                found.add(loc + ("surface",), str(exc))


def _letter(value: Any) -> str | None:
    """A datum letter as written, or None when it is not one (the schema check says why)."""
    letter = _name(value)
    return letter if letter and datum_letter_problem(letter) is None else None


def _check_datums(item: dict, here: tuple, found: Found) -> None:
    """Datums on one part: each letter declared once, and every `datums:` letter declared on
    another feature of the part."""
    features = item.get("features")
    if not isinstance(features, list):
        return
    part = _name(item.get("number")) or key_path(here)

    def feature_name(j: int) -> str:
        return _name(features[j].get("name")) or key_path(here + ("features", j))

    declared: dict[str, int] = {}  # letter -> index of the feature declaring it first
    own: dict[int, str] = {}  # feature index -> the datum letter it declares
    for j, f in enumerate(features):
        letter = _letter(f.get("datum")) if isinstance(f, dict) else None
        if letter is None:
            continue
        own[j] = letter
        first = declared.setdefault(letter, j)
        if first != j:
            found.add(
                here + ("features", j, "datum"),
                f"datum {letter} is already declared on part {part} by feature '{feature_name(first)}' "
                f"at {found.pos.where(here + ('features', first, 'datum'))}; give each datum feature its own letter",
            )
    for j, f in enumerate(features):
        if not isinstance(f, dict):
            continue
        for characteristic in GEOMETRIC_TOLERANCES:
            frame = f.get(characteristic)
            datums = frame.get("datums") if isinstance(frame, dict) else None
            if not isinstance(datums, list):
                continue
            for k, entry in enumerate(datums):
                letter = _letter(entry)
                loc = here + ("features", j, characteristic, "datums", k)
                if letter is None:
                    continue
                if own.get(j) == letter:
                    others = sorted(set(declared) - {letter})
                    found.add(
                        loc,
                        f"feature '{feature_name(j)}' is datum {letter} itself, so its {characteristic} cannot refer to {letter}; "
                        + (f"refer to another datum of part {part} (declared: {', '.join(others)})" if others else
                           f"declare the datum it is measured from with `datum:` on that feature of part {part}"),
                    )
                elif letter not in declared:
                    found.add(
                        loc,
                        f"datum {letter} is not declared on part {part}; declare it with `datum: {letter}` "
                        f"on the feature that is the datum (declared: {', '.join(sorted(declared)) or 'none'})",
                    )


# The simplest selectors, which CadQuery reads (each form checked against its parser in
# tests/spec/test_selectors.py): read here, so that loading such a spec does not import CadQuery.
SIMPLE_SELECTOR = re.compile(r"[-+<>|#]?[XYZ]|[<>][XYZ]\[-?[0-9]+\]|%(PLANE|CYLINDER|CONE|SPHERE|TORUS|BEZIER|BSPLINE|REVOLUTION"
                             r"|EXTRUSION|OFFSET|OTHER|LINE|CIRCLE|ELLIPSE|HYPERBOLA|PARABOLA)")


def _selector_problem(selector: str) -> str | None:
    """Why CadQuery cannot read a face selector such as '<Z' or '>X and |Y', or None."""
    if SIMPLE_SELECTOR.fullmatch(selector):
        return None
    from cadquery.selectors import StringSyntaxSelector  # imported only when a spec selects a face in another way

    try:
        StringSyntaxSelector(selector)
    except Exception as exc:  # pyparsing's ParseException and friends
        return f"'{selector}' is not a CadQuery selector ({str(exc).split('(at', 1)[0].strip()}); e.g. '<Z', '>X', '|Z and >Y'"
    return None


def _check_waivers(checks: Any, here: tuple, found: Found, catalog: Catalog) -> None:
    waive = checks.get("waive") if isinstance(checks, dict) else None
    if not isinstance(waive, list):
        return
    known = sorted({r.rule for p in catalog.processes.values() for r in p.rules} | {"build-envelope"})
    for j, w in enumerate(waive):
        rule = _name(w.get("rule")) if isinstance(w, dict) else None
        if rule and rule not in known:
            found.add(here + ("checks", "waive", j, "rule"), f"unknown rule '{rule}'{did_you_mean(rule, known)} (rules: {', '.join(known)})")


def finish_entry(entry: Any) -> tuple[str, dict] | None:
    """(name, params) of a `finish:` list entry: `name` or `{name: {params}}`; None if neither."""
    if isinstance(entry, str):
        return entry, {}
    if isinstance(entry, dict) and len(entry) == 1:
        (name, params), = entry.items()
        if params is None or isinstance(params, dict):
            return str(name), dict(params or {})
    return None


def _check_finish_entry(entry: Any, loc: tuple, material: Material | None, found: Found, catalog: Catalog) -> None:
    parsed = finish_entry(entry)
    if parsed is None:
        found.add(loc, "a finish is a name (passivate) or a name with parameters ({anodise: {type: II, ral: 9005}})")
        return
    name, params = parsed
    finish = catalog.finish(name)
    if finish is None:
        found.add(loc, f"unknown finish '{name}'{did_you_mean(name, catalog.finish_names())} (list them with 'techpack finishes')")
        return
    for param, message in check_finish(finish, params, material, catalog):
        found.add(loc + (name, param) if param else loc, message, of_key=param is not None and param not in finish.params)


def _check_photo(photo: str, loc: tuple, found: Found, folder: Path, root: Path) -> None:
    """A reference photo: a PNG or JPEG file inside the repository that opens as an image."""
    from PIL import Image, UnidentifiedImageError  # Pillow comes with ReportLab, which embeds the photo

    target = _resolved(photo, "photo", loc, found, folder)
    if target is None:
        return
    if not target.is_relative_to(root.resolve()):
        found.add(loc, f"'{photo}' is outside the repository ({root}); keep photos in the spec's repository")
    elif not target.exists() or target.is_dir():
        found.add(loc, f"photo '{photo}' not found (looked for {target}); give a PNG or JPEG file relative to the spec")
    elif regular_file_problem(target):
        found.add(loc, f"photo '{photo}' {regular_file_problem(target)}; give a PNG or JPEG file")
    else:
        try:
            with Image.open(target) as image:
                image.verify()  # the file's structure
            with Image.open(target) as image:
                kind = image.format
                image.load()  # and its pixels: a truncated JPEG passes verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            found.add(loc, f"photo '{photo}' is not a readable image ({exc.__class__.__name__}); give a PNG or JPEG file")
            return
        if kind not in ("PNG", "JPEG"):
            found.add(loc, f"photo '{photo}' is a {kind} image; give a PNG or JPEG file, which every PDF reader shows")


def _resolved(path: str, what: str, loc: tuple, found: Found, folder: Path) -> Path | None:
    """folder / path with its symlinks resolved, or None when that cannot be (a problem is added)."""
    if control_character_problem(path):
        return None  # load.scalar_problems says so, once for every value
    try:
        return (folder / path).resolve()
    except (RuntimeError, OSError):  # a symlink loop: RuntimeError before Python 3.13, OSError since
        found.add(loc, f"{what} '{path}' cannot be opened: a symlink loop (a link that points back to itself)")
        return None


def _check_model(model: Any, loc: tuple, found: Found, folder: Path, root: Path) -> None:
    if not (isinstance(model, str) and model.strip()):
        return
    target = _resolved(model, "model file", loc, found, folder)
    if target is None:
        return
    if not target.is_relative_to(root.resolve()):
        found.add(loc, f"'{model}' is outside the repository ({root}); keep models in the spec's repository and give a relative path")
    elif target.is_dir():
        found.add(loc, f"'{model}' is a folder; give the model file")
    elif target.suffix.lower() not in MODEL_SUFFIXES:
        found.add(loc, f"'{model}' is neither a CadQuery script (.py) nor a STEP file (.step, .stp)")
    elif not target.exists():
        found.add(loc, f"model file '{model}' not found (looked for {target})")
    elif regular_file_problem(target):  # a FIFO would block the build, a device never end
        found.add(loc, f"model file '{model}' {regular_file_problem(target)}; give the script or STEP file itself")

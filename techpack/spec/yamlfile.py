"""Read YAML into plain Python data plus the line and column of every key and value.

Uses ruamel.yaml's round-trip loader, which records positions (0-based) on the
mappings and sequences it builds; we turn them into 1-based (line, col) keyed by
the path of the value, e.g. ("parts", 2, "material").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import re

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError

from techpack.errors import Problem, SpecError, Where
from techpack.limits import SPEC_MAX_BYTES, SPEC_MAX_DEPTH
from techpack.safety import read_regular_file
from techpack.words import key_path

Path_ = tuple  # a key path: ("parts", 2, "material")
MAX_NODES = 100_000  # more mappings, lists and values than any spec needs: an alias bomb
TOKEN = re.compile(r"[^\s,\]\}#]+")


class RawInt(int):
    """An integer that remembers how it was written (0101, 1_000), for names such as part numbers."""

    raw: str


class RawFloat(float):
    """A float that remembers how it was written (1e3, 2.10)."""

    raw: str


class _Constructor(RoundTripConstructor):
    """Dates stay text, so that the spec model reads them and a bad one is an error with a position."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)


@dataclass
class Positions:
    """Where each key path sits in the file (1-based line, col)."""

    file: str
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path_, key: bool = False) -> Where:
        """The place of the value at path (or of its key), else of the nearest parent."""
        table = self.keys if key else self.values
        p = tuple(path)
        while p:
            for t in (table, self.values):
                if p in t:
                    return Where(self.file, *t[p])
            p = p[:-1]
        return Where(self.file, 1, 1)


class _Reader:
    def __init__(self, text: str, pos: Positions):
        self.lines = text.splitlines()
        self.pos = pos
        self.count = 0

    def raw(self, path: Path_) -> str | None:
        """The text of the scalar at path, as written in the file."""
        where = self.pos.values.get(path)
        if where is None or where[0] > len(self.lines):
            return None
        m = TOKEN.match(self.lines[where[0] - 1], where[1] - 1)
        return m[0] if m else None

    def plain(self, node: Any, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise SpecError(Problem(Where(self.pos.file), "", f"the spec expands to more than {MAX_NODES} values (aliases nested too deep?)"))
        if len(path) > SPEC_MAX_DEPTH and isinstance(node, CommentedMap | CommentedSeq):
            raise SpecError(Problem(self.pos.where(path), key_path(path[:4]) + " ...", _too_deep()))
        if isinstance(node, CommentedMap):
            out = {}
            for k, v in node.items():
                sub = path + (str(k),)
                for table, get in ((self.pos.keys, node.lc.key), (self.pos.values, node.lc.value)):
                    try:
                        at = get(k)
                    except (KeyError, TypeError):  # a key merged in with <<: has no position of its own
                        at = None
                    if at is not None:
                        table[sub] = (at[0] + 1, at[1] + 1)
                out[str(k)] = self.plain(v, sub)
            return out
        if isinstance(node, CommentedSeq):
            out_l = []
            for i, v in enumerate(node):
                sub = path + (i,)
                try:
                    at = node.lc.item(i)
                except (KeyError, TypeError):
                    at = None
                if at is not None:
                    self.pos.values[sub] = (at[0] + 1, at[1] + 1)
                out_l.append(self.plain(v, sub))
            return out_l
        if isinstance(node, bool) or node is None:
            return node
        if isinstance(node, int | float):
            value = (RawInt if isinstance(node, int) else RawFloat)(node)
            value.raw = self.raw(path) or str(node)
            return value
        if isinstance(node, str):
            return str(node)
        return node


def _too_deep() -> str:
    return f"nested more than {SPEC_MAX_DEPTH} levels deep; a spec needs a few levels (is it generated, or an alias that refers to itself?)"


def read_yaml(path: Path, display_name: str) -> tuple[Any, Positions]:
    """Parse the YAML file at path. Syntax errors and duplicate keys are SpecErrors."""
    data, pos, _ = load_yaml_file(path, display_name)
    return data, pos


def load_yaml_file(path: Path, display_name: str) -> tuple[Any, Positions, bytes]:
    """Read the YAML file at path (a regular file of at most SPEC_MAX_BYTES: a FIFO, a device or
    a 50 MB file is refused before it is read) and parse it: the data, the positions of its
    keys and values, and the file's bytes. Every problem is a SpecError."""
    raw = read_regular_file(path, display_name, SPEC_MAX_BYTES, what="spec", error=SpecError)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(Problem(Where(display_name), "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")) from None
    data, pos = parse_yaml(text, display_name)
    return data, pos, raw


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    return yaml


def parse_yaml(text: str, display_name: str) -> tuple[Any, Positions]:
    """Parse YAML text read from display_name."""
    try:
        node = _yaml().load(text)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        raise SpecError(
            Problem(
                Where(display_name, mark.line + 1, mark.column + 1),
                "",
                f"{exc.problem.strip()}; each key may appear once in a mapping",
            )
        ) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Where(display_name, mark.line + 1, mark.column + 1) if mark else Where(display_name)
        what = " ".join(s for s in (exc.context, exc.problem) if s)
        raise SpecError(Problem(where, "", f"YAML syntax error: {what}")) from None
    except RecursionError:  # ruamel.yaml composes nested nodes recursively
        raise SpecError(Problem(_too_deep_at(text, display_name), "", _too_deep())) from None
    pos = Positions(display_name)
    try:
        return _Reader(text, pos).plain(node, ()), pos
    except RecursionError:  # an alias that contains itself, deeper than the check in plain() reaches
        raise SpecError(Problem(Where(display_name), "", _too_deep())) from None


def _too_deep_at(text: str, display_name: str) -> Where:
    """Where the YAML first nests deeper than SPEC_MAX_DEPTH, from its parse events (the parser
    is not recursive, unlike the composer)."""
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    depth = 0
    try:
        for event in _yaml().parse(text):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > SPEC_MAX_DEPTH:
                    mark = event.start_mark
                    return Where(display_name, mark.line + 1, mark.column + 1)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except (MarkedYAMLError, RecursionError):
        pass
    return Where(display_name)

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


def read_yaml(path: Path, display_name: str) -> tuple[Any, Positions]:
    """Parse the YAML file at path. Syntax errors and duplicate keys are SpecErrors."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(Problem(Where(display_name), "", "file not found")) from None
    except UnicodeDecodeError as exc:
        raise SpecError(Problem(Where(display_name), "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")) from None
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    try:
        node = yaml.load(text)
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
    pos = Positions(display_name)
    return _Reader(text, pos).plain(node, ()), pos

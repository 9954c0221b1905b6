"""Read YAML into plain Python data plus the line and column of every key and value.

Uses ruamel.yaml's round-trip loader, which records positions (0-based) on the
mappings and sequences it builds; we turn them into 1-based (line, col) keyed by
the path of the value, e.g. ("parts", 2, "material").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError

from techpack.errors import Problem, SpecError

Path_ = tuple  # a key path: ("parts", 2, "material")


@dataclass
class Positions:
    """Where each key path sits in the file (1-based line, col)."""

    file: str
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path_, key: bool = False) -> str:
        """file:line:col of the value at path (or of its key), else of the nearest parent."""
        table = self.keys if key else self.values
        p = tuple(path)
        while p:
            if p in table:
                line, col = table[p]
                return f"{self.file}:{line}:{col}"
            if p in self.values:
                line, col = self.values[p]
                return f"{self.file}:{line}:{col}"
            p = p[:-1]
        return f"{self.file}:1:1"


def _plain(node: Any, path: Path_, pos: Positions) -> Any:
    if isinstance(node, CommentedMap):
        out = {}
        for k, v in node.items():
            sub = path + (str(k),)
            kl = node.lc.key(k)
            vl = node.lc.value(k)
            if kl is not None:
                pos.keys[sub] = (kl[0] + 1, kl[1] + 1)
            if vl is not None:
                pos.values[sub] = (vl[0] + 1, vl[1] + 1)
            out[str(k)] = _plain(v, sub, pos)
        return out
    if isinstance(node, CommentedSeq):
        out_l = []
        for i, v in enumerate(node):
            sub = path + (i,)
            il = node.lc.item(i)
            if il is not None:
                pos.values[sub] = (il[0] + 1, il[1] + 1)
            out_l.append(_plain(v, sub, pos))
        return out_l
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, dt.datetime):
        return dt.datetime.fromisoformat(node.isoformat())
    if isinstance(node, dt.date):
        return dt.date(node.year, node.month, node.day)
    if isinstance(node, str):
        return str(node)
    return node


def read_yaml(path: Path, display_name: str) -> tuple[Any, Positions]:
    """Parse the YAML file at path. Syntax errors and duplicate keys are SpecErrors."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(Problem(display_name, "", "file not found")) from None
    except UnicodeDecodeError as exc:
        raise SpecError(Problem(display_name, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")) from None
    yaml = YAML(typ="rt")
    try:
        node = yaml.load(text)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        raise SpecError(
            Problem(
                f"{display_name}:{mark.line + 1}:{mark.column + 1}",
                "",
                f"{exc.problem.strip()}; each key may appear once in a mapping",
            )
        ) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{display_name}:{mark.line + 1}:{mark.column + 1}" if mark else display_name
        what = " ".join(s for s in (exc.context, exc.problem) if s)
        raise SpecError(Problem(where, "", f"YAML syntax error: {what}")) from None
    pos = Positions(display_name)
    return _plain(node, (), pos), pos

"""DFM findings: what a check measured, against which limit, where, and in words a supplier reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from techpack.catalog.model import Rule

SEVERITIES = ("info", "warning", "error")
LEVEL_SEVERITY = {"info": "info", "warn": "warning", "error": "error"}


class NotApplicable(Exception):
    """Raised by a rule that has nothing to measure on a part; the message says why
    ("no holes", "the part is not a sheet: 42 % of its surface is 2 mm sheet")."""


STATUSES = ("ran", "not-applicable", "could-not-run")


@dataclass(frozen=True)
class RuleRun:
    """What became of one rule on one part: it ran, had nothing to measure (and why), or
    could not run (and why: the error it met)."""

    rule: str
    status: str  # one of STATUSES
    reason: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "status": self.status, "reason": self.reason}


def rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Finding:
    id: str  # "DL2-201/wall-thickness/1": part, rule, number; stable for the same model
    part: str
    rule: str
    severity: str  # info, warning, error
    value: float | None  # what was measured, in `unit`
    limit: float | None  # the level it crossed, in `unit`
    unit: str  # mm, deg, ratio, %
    message: str  # a sentence a supplier understands
    faces: tuple[int, ...] = ()  # face ids (1-based in the solid's face order)
    point: tuple[float, float, float] | None = None  # mm, in the model's coordinates
    feature: str | None = None  # the nearest named or recognised feature
    source: str = ""  # where the limit comes from
    waived: str | None = None  # the reason, when the spec waives it

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["faces"] = list(self.faces)
        d["point"] = [round(c, 4) for c in self.point] if self.point else None
        for key in ("value", "limit"):
            if d[key] is not None:
                d[key] = round(d[key], 4)
        return d


def limits_for(rule: Rule, thickness: float | None = None, bend_radius: float = 0.0) -> dict[str, float]:
    """The rule's levels in the measured value's unit: sheet rules (unit t) times the
    thickness, plus the bend radius where the rule says so."""
    out = {}
    for level in ("info", "warn", "error"):
        raw = getattr(rule, level)
        if raw is None:
            continue
        if rule.unit == "t":
            if thickness is None:
                continue
            raw = raw * thickness + (bend_radius if level in rule.plus_bend_radius else 0.0)
        out[level] = raw
    return out


def judge(rule: Rule, value: float, limits: dict[str, float]) -> tuple[str, float] | None:
    """(severity, limit) of the worst level value crosses, or None."""
    for level in ("error", "warn", "info"):
        if level not in limits:
            continue
        limit = limits[level]
        crossed = value < limit - 1e-9 if rule.limit == "min" else value > limit + 1e-9
        if crossed:
            return LEVEL_SEVERITY[level], limit
    return None


def number(findings: list[Finding]) -> list[Finding]:
    """Give findings their ids: numbered per part and rule in order."""
    counts: dict[tuple[str, str], int] = {}
    out = []
    for f in findings:
        k = counts[(f.part, f.rule)] = counts.get((f.part, f.rule), 0) + 1
        out.append(replace(f, id=f"{f.part}/{f.rule}/{k}"))
    return out

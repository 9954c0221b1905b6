"""DFM findings: what a check measured, against which limit, where, and in words a supplier reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
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


@dataclass(frozen=True)
class Report:
    findings: list[Finding]
    checked: dict[str, list[RuleRun]]  # part number -> every rule of its process: ran, not applicable or could not run
    measured: dict[str, dict] = field(default_factory=dict)  # part number -> what the rules measured
    unused_waivers: list[str] = field(default_factory=list)  # "DL2-101: wall-thickness (reason)"
    notes: dict[str, list[str]] = field(default_factory=dict)  # part number -> what reading its model left out or repaired

    def only(self, parts: set[str]) -> "Report":
        """The findings and checks of these parts only (a supplier's package)."""
        return Report(
            findings=[f for f in self.findings if f.part in parts],
            checked={k: v for k, v in self.checked.items() if k in parts},
            measured={k: v for k, v in self.measured.items() if k in parts},
            unused_waivers=[w for w in self.unused_waivers if w.split(":", 1)[0] in parts],
            notes={k: v for k, v in self.notes.items() if k in parts},
        )

    def failing(self, fail_on: str) -> list[Finding]:
        """Unwaived findings at or above the severity fail_on."""
        return [f for f in self.findings if f.waived is None and rank(f.severity) >= rank(fail_on)]

    def ran(self, part: str) -> list[RuleRun]:
        return [r for r in self.checked[part] if r.status == "ran"]

    def could_not_run(self) -> list[tuple[str, RuleRun]]:
        return [(p, r) for p, runs in self.checked.items() for r in runs if r.status == "could-not-run"]

    def counts(self) -> dict[str, int]:
        out = {s: sum(1 for f in self.findings if f.severity == s and f.waived is None) for s in SEVERITIES}
        out["waived"] = sum(1 for f in self.findings if f.waived is not None)
        out["could_not_run"] = len(self.could_not_run())
        return out

    def to_dict(self, fail_on: str = "error") -> dict[str, Any]:
        return {
            "fail_on": fail_on,
            "ok": not self.failing(fail_on),
            "summary": self.counts(),
            "parts": [
                {"part": p, "rules": [r.to_dict() for r in rules], "measured": self.measured.get(p, {}), "model_notes": self.notes.get(p, []),
                 "findings": [f.to_dict() for f in self.findings if f.part == p]}
                for p, rules in self.checked.items()
            ],
            "unused_waivers": self.unused_waivers,
        }


OVERLAP_RULE = "assembly-overlap"  # the assembly's one check (checks/assembly.py)


def merge_reports(loaded, reports: list[Report], overlaps: list[Finding]) -> Report:
    """The parts' reports as one, in the spec's order, with the assembly's overlap findings
    (checks/run.py overlap_findings) under the assembly's number."""
    findings = [f for r in reports for f in r.findings] + list(overlaps)
    checked = {k: v for r in reports for k, v in r.checked.items()}
    measured = {k: v for r in reports for k, v in r.measured.items()}
    unused = [w for r in reports for w in r.unused_waivers]
    notes = {k: v for r in reports for k, v in r.notes.items()}
    if loaded.spec.assembly:
        checked[loaded.spec.assembly.number] = [RuleRun(OVERLAP_RULE, "ran")]
    return Report(findings, checked, measured, unused, notes)

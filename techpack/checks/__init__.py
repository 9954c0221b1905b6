"""The checks stage: DFM findings for every part, from the rules its process lists in the catalog.

A rule name in techpack/catalog/processes.yaml maps to one function in rules.py; a spec
can change the limits (catalog: processes:) and waive findings (parts[].checks.waive).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from techpack.checks.context import PartCheck
from techpack.checks.findings import SEVERITIES, Finding, NotApplicable, RuleRun, number, rank
from techpack.checks.rules import RULES
from techpack.geometry.model import PartModel
from techpack.spec import LoadedSpec

__all__ = ["Report", "Finding", "RuleRun", "run_checks", "SEVERITIES", "rank"]


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


def check_part(loaded: LoadedSpec, built: PartModel) -> tuple[list[Finding], list[RuleRun], dict]:
    """The findings of one part (not yet numbered), what became of each rule, what they measured.

    Every rule of the process (for the material's family) runs on its own: what several
    rules need (the probe, the sheet's sides, the tool access) is computed once by the
    part's PartCheck whichever rule asks first, so no rule depends on another's order."""
    catalog = loaded.catalog
    part = built.spec
    ctx = PartCheck(loaded, built, catalog.processes[part.process], catalog.material(part.material))
    findings: list[Finding] = []
    runs: list[RuleRun] = []
    rules = [r for r in ctx.process.rules if r.family in (None, ctx.material.family)]
    for rule in rules:
        try:
            findings += RULES[rule.rule](ctx, rule)
        except NotApplicable as why:
            runs.append(RuleRun(rule.rule, "not-applicable", str(why)))
        except Exception as exc:  # noqa: BLE001 - a kernel failure on one rule must not hide the others
            runs.append(RuleRun(rule.rule, "could-not-run", f"{type(exc).__name__}: {exc}".strip().rstrip(":")))
        else:
            runs.append(RuleRun(rule.rule, "ran"))
    if ctx.process.envelope_mm:
        findings += _envelope(ctx)
        runs.append(RuleRun("build-envelope", "ran"))
    ctx.measured["size_mm"] = [round(v, 1) for v in ctx.probe.size]
    return findings, runs, ctx.measured


def _envelope(ctx: PartCheck) -> list[Finding]:
    envelope = ctx.process.envelope_mm
    size = sorted(ctx.probe.size, reverse=True)
    room = sorted(envelope, reverse=True)
    over = [(s, r) for s, r in zip(size, room) if s > r + 1e-6]
    if not over:
        return []
    shown = " × ".join(f"{s:.0f}" for s in size)
    worst = max(over, key=lambda sr: sr[0] - sr[1])
    return [Finding(id="", part=ctx.part.number, rule="build-envelope", severity="error", value=worst[0], limit=worst[1], unit="mm",
                    message=f"The part ({shown} mm) does not fit the {ctx.process.title} envelope of {' × '.join(f'{r:g}' for r in envelope)} mm",
                    source=ctx.process.envelope_source or "")]


def _waive(loaded: LoadedSpec, findings: list[Finding], parts) -> tuple[list[Finding], list[str]]:
    out, unused = list(findings), []
    for part in parts:
        for w in part.checks.waive:
            hit = False
            for i, f in enumerate(out):
                if f.part != part.number or f.rule != w.rule:
                    continue
                if w.finding and w.finding not in (f.id, f.id.rsplit("/", 1)[-1]):
                    continue
                if w.near is not None:
                    scale = 25.4 if loaded.spec.product.units == "in" else 1.0
                    if f.point is None or math.dist(f.point, [c * scale for c in w.near]) > w.within * scale:
                        continue
                out[i] = replace(f, waived=w.reason)
                hit = True
            if not hit:
                where = f" {w.finding}" if w.finding else f" near {list(w.near)}" if w.near else ""
                unused.append(f"{part.number}: {w.rule}{where} ({w.reason})")
    return out, unused


def check_one(loaded: LoadedSpec, built: PartModel) -> Report:
    """One part's report: its rules run, its findings numbered and waived as the spec says."""
    got, rules, measured = check_part(loaded, built)
    numbered, unused = _waive(loaded, number(got), [built.spec])
    n = built.spec.number
    return Report(numbered, {n: rules}, {n: measured}, unused, {n: list(built.notes)} if built.notes else {})


def merge_reports(loaded: LoadedSpec, reports: list[Report], parts: list[PartModel]) -> Report:
    """The parts' reports as one, in the spec's order, and the assembly's overlap check on
    the placed parts, under the assembly's number."""
    findings = [f for r in reports for f in r.findings]
    checked = {k: v for r in reports for k, v in r.checked.items()}
    measured = {k: v for r in reports for k, v in r.measured.items()}
    unused = [w for r in reports for w in r.unused_waivers]
    notes = {k: v for r in reports for k, v in r.notes.items()}
    if loaded.spec.assembly:
        from techpack.checks.assembly import RULE, assembly_findings

        findings += number(assembly_findings(loaded, parts))
        checked[loaded.spec.assembly.number] = [RuleRun(RULE, "ran")]
    return Report(findings, checked, measured, unused, notes)


def run_checks(loaded: LoadedSpec, parts: list[PartModel], progress=None) -> Report:
    """Run every part's rules, and the assembly's overlap check; waive what the spec waives
    (in this process: a build runs check_one in its workers)."""
    reports = []
    for k, built in enumerate(parts, 1):
        if progress:
            progress(k, len(parts), built.spec)
        reports.append(check_one(loaded, built))
    return merge_reports(loaded, reports, parts)

"""Running the checks: each part's rules, the spec's waivers, and the assembly's overlap check
(in a part's worker: check_one; in the main process: merge_reports)."""

from __future__ import annotations

import math
from dataclasses import replace

from techpack.checks.context import PartCheck
from techpack.checks.findings import Finding, NotApplicable, Report, RuleRun, merge_reports, number
from techpack.checks.rules import RULES
from techpack.geometry.model import PartModel
from techpack.spec import LoadedSpec


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


def overlap_findings(loaded: LoadedSpec, parts: list[PartModel]) -> list[Finding]:
    """The assembly's overlap check on the placed parts, numbered (none without an assembly)."""
    if not loaded.spec.assembly:
        return []
    from techpack.checks.assembly import assembly_findings

    return number(assembly_findings(loaded, parts))


def run_checks(loaded: LoadedSpec, parts: list[PartModel], progress=None) -> Report:
    """Run every part's rules, and the assembly's overlap check; waive what the spec waives
    (in this process: a build runs check_one in its workers)."""
    reports = []
    for k, built in enumerate(parts, 1):
        if progress:
            progress(k, len(parts), built.spec)
        reports.append(check_one(loaded, built))
    return merge_reports(loaded, reports, overlap_findings(loaded, parts))

"""DFM findings and input problems as CI annotations: GitHub Actions workflow commands
(`techpack check --format github`) and a SARIF 2.1.0 log (`--format sarif`).

A finding is placed on the spec where its part is named: the part's entry under `parts:`
(its `- number:` line), the `assembly:` key for the assembly's findings, and, for a waived
finding, the waiver that waives it. A problem is placed where it says (file:line:col).
Paths are relative to the working directory when they are under it: GitHub reads them from
the repository's root, so CI runs `techpack check` from there.
"""

from __future__ import annotations

import os
import re
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from techpack import __version__
from techpack.errors import InputError, Problem, Where

if TYPE_CHECKING:
    from techpack.checks import Finding, Report
    from techpack.spec import LoadedSpec

GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}  # finding severity -> workflow command
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}  # finding severity -> SARIF result.level
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"  # the uriBaseId of the relative paths: the working directory, the repository's root in CI
UNITS = {"mm": " mm", "deg": "°", "ratio": "", "t": " × t", "%": " %", "count": ""}  # a catalog rule's unit, after a value


# --- where --------------------------------------------------------------------------------


def place(where: Where | str) -> Where | None:
    """The file (relative to the working directory when under it), line and column of a
    problem's or finding's place, or None when it names no file (SOURCE_DATE_EPOCH, an option)."""
    w = where if isinstance(where, Where) else Where(str(where))
    if not w.file or not os.path.isfile(w.file):
        return None
    path = Path(os.path.normpath(w.file))
    if path.is_absolute():
        cwd = Path.cwd()
        for a, b in ((path, cwd), (path.resolve(), cwd.resolve())):  # then through symlinks (macOS's /tmp)
            if a.is_relative_to(b):
                path = a.relative_to(b)
                break  # else outside the working directory: said in full
    return Where(path.as_posix(), w.line, w.col)


def finding_where(loaded: LoadedSpec, f: Finding) -> Where:
    """The spec's place for a finding: its waiver when waived, else its part's entry (the
    assembly's findings: the `assembly:` key)."""
    i = next((k for k, p in enumerate(loaded.spec.parts) if p.number == f.part), None)
    if i is not None and f.waived is not None:  # the last waiver that matches it gave its reason (checks._waive)
        for j, w in reversed(list(enumerate(loaded.spec.parts[i].checks.waive))):
            if w.rule == f.rule and w.reason == f.waived and w.finding in (None, f.id, f.id.rsplit("/", 1)[-1]):
                return loaded.where("parts", i, "checks", "waive", j)
    return part_where(loaded, f.part)


def part_where(loaded: LoadedSpec, number: str) -> Where:
    """A part's entry under `parts:` (its first key), or the `assembly:` key for the assembly."""
    i = next((k for k, p in enumerate(loaded.spec.parts) if p.number == number), None)
    if i is not None:
        return loaded.where("parts", i)
    return loaded.where("assembly" if loaded.spec.assembly else "parts", of_key=True)


def error_kind(exc: InputError) -> str:
    """The rule id of an input error's problems: SpecError -> spec-error, ModelError -> model-error."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", type(exc).__name__).lower()


def problem_text(p: Problem, at: Where | None) -> str:
    """A problem's message and detail lines; where it is, when that is no file (at is None)."""
    head = ": ".join(s for s in ("" if at else str(p.where), p.message) if s)
    return head + ("\n" + p.detail if p.detail else "")


# --- GitHub Actions workflow commands ------------------------------------------------------
# The command: `::error file={name},line={line},col={col},title={title}::{message}` (also
# ::warning and ::notice), GitHub Docs, "Workflow commands for GitHub Actions", "Setting an
# error message": https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
# The escaping, which that page does not spell out (github/docs#11713), is the runner
# toolkit's: actions/toolkit packages/core/src/command.ts, escapeData (% CR LF in the
# message) and escapeProperty (also : and , in a property value).


def escape_data(text: str) -> str:
    """A workflow command's message: % -> %25, CR -> %0D, LF -> %0A (% first)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: as escape_data, and : -> %3A, , -> %2C."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, message: str, at: Where | None = None, title: str = "") -> str:
    """One line `::command file=...,line=...,col=...,title=...::message`; a property that is
    unknown (no file, line or column 0, no title) is left out."""
    props = []
    if at is not None:
        props.append(("file", at.file))
        props += [(k, str(v)) for k, v in (("line", at.line), ("col", at.col)) if v]
    if title:
        props.append(("title", title))
    head = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{command}{' ' + head if head else ''}::{escape_data(message)}"


def github_findings(loaded: LoadedSpec, report: Report) -> list[str]:
    """A command per unwaived finding (error, warning, notice) and a warning per rule that
    could not run, each on its part's entry in the spec."""
    lines = [workflow_command(GITHUB_COMMAND[f.severity], f.message, place(finding_where(loaded, f)), f.id)
             for f in report.findings if f.waived is None]
    for part, run in report.could_not_run():
        at = place(part_where(loaded, part))
        lines.append(workflow_command("warning", f"{run.rule} could not run: {run.reason}", at, f"{part}/{run.rule}"))
    return lines


def github_problems(problems: list[Problem], kind: str) -> list[str]:
    """An ::error per problem, titled with its key path (else the error's kind)."""
    out = []
    for p in problems:
        at = place(p.where)
        out.append(workflow_command("error", problem_text(p, at), at, p.key or kind))
    return out


# --- SARIF 2.1.0 ----------------------------------------------------------------------------
# OASIS Static Analysis Results Interchange Format 2.1.0 (errata 01), SARIF_SCHEMA; checked in
# the tests against that schema (tests/data/sarif-schema-2.1.0.json).


def sarif_location(at: Where | None) -> list[dict]:
    """A SARIF result's locations: the file (relative to %SRCROOT%, else a file: URI), line and column; [] for none."""
    if at is None:
        return []
    path = Path(at.file)
    artifact = {"uri": path.as_uri()} if path.is_absolute() else {"uri": quote(at.file), "uriBaseId": SRCROOT}
    region = {"startLine": at.line, **({"startColumn": at.col} if at.col else {})} if at.line else None
    return [{"physicalLocation": {"artifactLocation": artifact, **({"region": region} if region else {})}}]


def _sentence(doc: str | None) -> str:
    """The first sentence of a docstring, on one line ('' when there is none)."""
    text = " ".join((doc or "").split())
    return text.split(". ")[0].rstrip(".") + "." if text else ""


def _limits(rule) -> str:
    """A catalog rule's levels in words: 'warning below 1 mm, error below 0.5 mm'."""
    side = "below" if rule.limit == "min" else "above"
    words = {"warn": "warning", "error": "error", "info": "info"}
    return ", ".join(f"{words[lv]} {side} {getattr(rule, lv):g}{UNITS[rule.unit]}" for lv in ("warn", "error", "info")
                     if getattr(rule, lv) is not None)


def _descriptor(loaded: LoadedSpec, rule: str, parts: list[str]) -> dict:
    """A SARIF rule: its id, the first sentence of its function's docstring (else its limits),
    and each process's limits with their sources, from the catalog the parts were checked with."""
    from techpack.checks.assembly import assembly_findings
    from techpack.checks.rules import RULES

    catalog, by_number = loaded.catalog, {p.number: p for p in loaded.spec.parts}
    limits: dict[str, str] = {}  # text without its source -> with it
    for part in (by_number[n] for n in parts if n in by_number):
        process, material = catalog.processes[part.process], catalog.material(part.material)
        if rule == "build-envelope" and process.envelope_mm:
            size = " × ".join(f"{v:g}" for v in process.envelope_mm)
            limits[f"{process.title}: fits {size} mm"] = f"{process.title}: fits {size} mm ({process.envelope_source or 'catalog'})"
        for r in process.rules:
            if r.rule == rule and (r.family is None or (material is not None and r.family == material.family)):
                family = f" ({r.family})" if r.family else ""
                limits[f"{process.title}{family}: {_limits(r)}"] = f"{process.title}{family}: {_limits(r)} ({r.source})"
    doc = RULES[rule].__doc__ if rule in RULES else assembly_findings.__doc__ if rule == "assembly-overlap" else None
    short = _sentence(doc) or "; ".join(limits) or rule
    out = {"id": rule, "shortDescription": {"text": short}}
    if limits:
        out["fullDescription"] = {"text": "; ".join(limits.values())}
    return out


def _home() -> str | None:
    """The project's address from the installed package's metadata (Home-page, else its first
    Project-URL), or None while it gives none: informationUri is left out rather than guessed."""
    try:
        meta = metadata.metadata("techpack")
    except metadata.PackageNotFoundError:
        return None
    urls = [u.split(",", 1)[-1].strip() for u in meta.get_all("Project-URL") or []]
    return meta.get("Home-page") or next(iter(urls), None)


def _log(rules: list[dict], results: list[dict], exit_code: int, successful: bool, notes: list[dict] = ()) -> dict:
    driver = {"name": "techpack", "version": __version__, "rules": rules}
    if home := _home():
        driver["informationUri"] = home
    invocation = {"executionSuccessful": successful, "exitCode": exit_code}
    if notes:
        invocation["toolExecutionNotifications"] = list(notes)
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
        "invocations": [invocation],
        "columnKind": "unicodeCodePoints",  # the spec's columns count characters (ruamel.yaml), as GitHub's col does
        "results": results,
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def sarif_findings(loaded: LoadedSpec, report: Report, exit_code: int) -> dict:
    """The SARIF log of a check: a result per finding (a waived one suppressed in source, with
    the waiver's reason), fingerprinted by the finding's id; a notification per rule that
    could not run."""
    ran: dict[str, list[str]] = {}  # rule -> the parts it ran on or found something on
    for part, runs in report.checked.items():
        for r in runs:
            if r.status == "ran":
                ran.setdefault(r.rule, []).append(part)
    for f in report.findings:
        ran.setdefault(f.rule, []).append(f.part)
    rules = [_descriptor(loaded, rule, parts) for rule, parts in ran.items()]
    index = {r["id"]: k for k, r in enumerate(rules)}
    results = []
    for f in report.findings:
        at = place(finding_where(loaded, f))
        result = {"ruleId": f.rule, "ruleIndex": index[f.rule], "level": SARIF_LEVEL[f.severity], "message": {"text": f"{f.id}: {f.message}"},
                  "locations": sarif_location(at), "partialFingerprints": {"techpackFindingId/v1": f.id}, "properties": {"id": f.id, "part": f.part}}
        if f.waived is not None:
            result["suppressions"] = [{"kind": "inSource", "justification": f.waived, **({"location": sarif_location(at)[0]} if at else {})}]
        results.append(result)
    notes = []
    for part, run in report.could_not_run():
        at = place(part_where(loaded, part))
        notes.append({"level": "warning", "message": {"text": f"{part}: {run.rule} could not run: {run.reason}"},
                      "descriptor": {"id": run.rule}, "locations": sarif_location(at)})
    return _log(rules, results, exit_code, True, notes)


def sarif_problems(exc: InputError, exit_code: int) -> dict:
    """The SARIF log of a check stopped by an input error: an error result per problem, under
    the error's kind (spec-error, model-error), and the invocation failed."""
    kind = error_kind(exc)
    results = []
    for p in exc.problems:
        at = place(p.where)
        text = problem_text(p, at)
        results.append({"ruleId": kind, "ruleIndex": 0, "level": "error", "message": {"text": f"{p.key}: {text}" if p.key else text},
                        "locations": sarif_location(at)})
    rules = [{"id": kind, "shortDescription": {"text": _sentence((type(exc).__doc__ or "").split(";")[0]) or kind}}]
    return _log(rules, results, exit_code, False)

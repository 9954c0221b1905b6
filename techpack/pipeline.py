"""The per-part half of the one way through: each part's geometry, DFM checks and per-part
documents (STEP, drawing, finishing, picture) as one task in a worker (workers.py), and
the main process's side of it: run them all, then merge what they found into one report
in the spec's order (so the package does not depend on how many workers there were)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from techpack import workers
from techpack.checks import Report, check_one, merge_reports
from techpack.context import BuildContext, Output
from techpack.errors import InputError, Problem
from techpack.geometry.model import PartModel
from techpack.provenance import GitInfo
from techpack.report import Reporter, peak_rss_mb
from techpack.spec import LoadedSpec, load_spec

TASK = "techpack.pipeline:part_task"


@dataclass
class PartResult:
    """What a worker made of one part."""

    model: PartModel
    report: Report  # this part's findings, numbered and waived as in the whole report
    outputs: list[Output] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, in the worker
    peak_rss_mb: float = 0.0


class _Forward(Reporter):
    """A worker's reporter: what the documents say goes to the main process's; the stages'
    times are kept (Reporter.stage) and sent back with the part's result."""

    def info(self, text: str) -> None:
        workers.say("info", text)

    def detail(self, text: str) -> None:
        workers.say("detail", text)

    def progress(self, k: int, n: int, text: str) -> None:
        workers.say("detail", f"  {text}")

    def _stage_done(self, name: str, took: float) -> None:
        pass  # the main process sums the parts' times per stage and says them

    @property
    def seconds(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for stage in self.stages:
            out[stage.name] = out.get(stage.name, 0.0) + stage.seconds
        return out


_LOADED: dict[str, LoadedSpec] = {}  # a worker loads the spec once


def _load(spec_path: str, sha256: str) -> LoadedSpec:
    key = os.path.abspath(spec_path)  # a worker outlives a build: the same name may be another file in another folder
    loaded = _LOADED.get(key)
    if loaded is None or loaded.sha256 != sha256:
        loaded = _LOADED[key] = load_spec(spec_path)
    if loaded.sha256 != sha256:
        raise InputError(Problem(loaded.display, "", "the spec changed while it was being built; build again"))
    return loaded


def part_task(spec_path: str, sha256: str, index: int, folder: str | None, date: dt.date | None, git: GitInfo | None,
              check: bool = True, cwd: str | None = None) -> PartResult:
    """In a worker: build part `index` of the spec, check it (unless not `check`) and, given a
    package folder, write its per-part documents there; in `cwd`, the main process's working
    folder (a worker may outlive one build, and the spec's path may be relative to it)."""
    if cwd:
        os.chdir(cwd)
    from techpack.documents import DOCUMENTS
    from techpack.geometry import build_models, build_part

    loaded = _load(spec_path, sha256)
    log = _Forward(0)
    with log.stage("geometry"):
        (model,) = build_models(loaded, [build_part(loaded, loaded.spec.parts[index])])
    with log.stage("checks"):
        report = check_one(loaded, model) if check else Report([], {}, {})
    outputs: list[Output] = []
    if folder is not None:
        ctx = BuildContext(loaded=loaded, folder=Path(folder), date=date, git=git, log=log, report=report)
        for doc in DOCUMENTS:
            if getattr(doc, "PER_PART", False):
                with log.stage(doc.NAME):
                    outputs += doc.write(ctx, [model])
    peak = peak_rss_mb()
    return PartResult(model=model, report=report, outputs=outputs, seconds=log.seconds, peak_rss_mb=peak)


def step_task(path: str, where: str, label: str, rel: str):
    """In a worker: the shape in a STEP file (OCCT's reader never runs in the main process)."""
    from techpack.geometry import stepfile

    return stepfile.read(Path(path), where, label, rel)


def run_parts(loaded: LoadedSpec, log, pool: workers.Pool, folder: Path | None = None, date=None, git=None,
              check: bool = True) -> list[PartResult]:
    """Every part of the spec through part_task in the pool's workers; the results in the
    spec's order. The problems of every failing part are raised together."""
    parts = loaded.spec.parts
    named = Path(loaded.display)  # as the user named it, so that messages say so; else (a spec from a git revision) its path
    spec_path = loaded.display if named.exists() and named.resolve() == loaded.path.resolve() else str(loaded.path)
    tasks = [
        workers.Task(TASK, (spec_path, loaded.sha256, i, str(folder) if folder else None, date, git, check, os.getcwd()),
                     label=f"{p.number} {p.name} ({p.model})", where=loaded.where("parts", i, "model"), key=f"parts[{i}].model")
        for i, p in enumerate(parts)
    ]
    return pool.run(tasks, done=lambda k, n, task: log.progress(k, n, task.label), log=log)


def merged(loaded: LoadedSpec, results: list[PartResult]) -> Report:
    """The parts' reports as one, in the spec's order, with the assembly's overlap check."""
    return merge_reports(loaded, [r.report for r in results], [r.model for r in results])

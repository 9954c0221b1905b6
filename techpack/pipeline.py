"""The per-part half of the one way through: each part's geometry, DFM checks and per-part
documents (STEP, drawing, finishing, picture) as one task in a worker (workers.py), and
the main process's side of it: run them all, then merge what they found into one report
in the spec's order (so the package does not depend on how many workers there were)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from techpack import cache as cache_keys, workers
from techpack.cache import Cache
from techpack.checks import Report, check_one, merge_reports
from techpack.context import BuildContext, Output
from techpack.geometry.model import PartModel
from techpack.provenance import GitInfo
from techpack.report import Reporter, peak_rss_mb
from techpack.spec import LoadedSpec

TASK = "techpack.pipeline:part_task"
RESULT = "result.pickle"  # a part's PartResult in its cache entry


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


_LOADED: dict[str, LoadedSpec] = {}  # in a worker: the spec of the build it works for, by the sha-256 of its pickle


def _load(pickled: bytes) -> LoadedSpec:
    """The spec as the main process loaded and validated it (sent with each task, unpickled
    once per worker and build: parsing it again took a worker's first task 0.1 s longer)."""
    key = hashlib.sha256(pickled).hexdigest()
    if key not in _LOADED:
        _LOADED.clear()
        _LOADED[key] = pickle.loads(pickled)
    return _LOADED[key]


def part_task(spec: bytes, index: int, folder: str | None, date: dt.date | None, git: GitInfo | None,
              check: bool = True, cwd: str | None = None) -> PartResult:
    """In a worker: build part `index` of the spec (a pickled LoadedSpec), check it (unless not
    `check`) and, given a package folder, write its per-part documents there; in `cwd`, the main
    process's working folder (a worker may outlive one build, and paths may be relative to it)."""
    if cwd:
        os.chdir(cwd)
    from techpack.documents import DOCUMENTS
    from techpack.geometry import build_models, build_part

    loaded = _load(spec)
    log = _Forward(0)
    with log.stage("geometry"):
        (model,) = build_models(loaded, [build_part(loaded, loaded.spec.parts[index])])
    with log.stage("checks"):
        report = check_one(loaded, model) if check else Report([], {}, {})
    outputs: list[Output] = []
    if folder is not None:
        ctx = BuildContext(loaded=loaded, folder=Path(folder), date=date, git=git, log=log, report=report)
        for doc in DOCUMENTS:  # its own documents, then the whole-order documents' share of it (documents/__init__.py)
            if getattr(doc, "PER_PART", False):
                with log.stage(doc.NAME):
                    outputs += doc.write(ctx, [model])
        for doc in DOCUMENTS:
            if hasattr(doc, "prepare"):
                with log.stage(doc.NAME):
                    model.prepared[doc.NAME] = doc.prepare(model, report)
    peak = peak_rss_mb()
    return PartResult(model=model, report=report, outputs=outputs, seconds=log.seconds, peak_rss_mb=peak)


def step_task(path: str, where: str, label: str, rel: str):
    """In a worker: the shape in a STEP file (OCCT's reader never runs in the main process)."""
    from techpack.geometry import stepfile

    return stepfile.read(Path(path), where, label, rel)


def run_parts(loaded: LoadedSpec, log, pool: workers.Pool, folder: Path | None = None, date=None, git=None,
              check: bool = True, cache: Cache | None = None) -> list[PartResult]:
    """Every part of the spec through part_task in the pool's workers, or from `cache` when its
    key is there (its per-part files copied into folder); the results in the spec's order.
    The problems of every failing part are raised together."""
    parts = loaded.spec.parts
    keys: list[str | None] = [None] * len(parts)
    results: dict[int, PartResult] = {}
    if cache is not None:
        from techpack.documents import DOCUMENTS

        names = [t for doc in DOCUMENTS if getattr(doc, "PER_PART", False) for t in doc.TEMPLATES]
        templates = cache_keys.templates_digest(loaded.folder, names)  # those a part's documents render, and what they include
        released = not (git and git.dirty)
        keys = [cache_keys.part_key(loaded, i, date, released, folder is not None, check, templates) for i in range(len(parts))]
        for i, k in enumerate(keys):
            found = _cached(cache, k, folder, cache_keys.repository(loaded))
            if found is not None:
                results[i] = found
                log.progress(len(results), len(parts), f"{parts[i].number} {parts[i].name}: from the cache")
    todo = [i for i in range(len(parts)) if i not in results]
    spec = pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL)
    tasks = [
        workers.Task(TASK, (spec, i, str(folder) if folder else None, date, git, check, os.getcwd()),
                     label=f"{parts[i].number} {parts[i].name} ({parts[i].model})", where=loaded.where("parts", i, "model"),
                     key=f"parts[{i}].model")
        for i in todo
    ]
    done = len(results)
    built = pool.run(tasks, done=lambda k, n, task: log.progress(done + k, len(parts), task.label), log=log) if tasks else []
    for task, i, result in zip(tasks, todo, built):
        results[i] = result
        if cache is not None and not task.fallbacks:  # a view drawn on its fallback (a busy machine) is not kept
            _store(cache, keys[i], result, folder, cache_keys.repository(loaded))
    return [results[i] for i in range(len(parts))]


def _cached(cache: Cache, key: str, folder: Path | None, repo: Path) -> PartResult | None:
    """A part's result from the cache, its files copied into folder; None on a miss (an entry
    another build removed or damaged meanwhile included)."""
    entry = cache.get("part", key, repo)
    if entry is None:
        return None
    try:
        result = pickle.loads(entry.file(RESULT).read_bytes())
        for out in result.outputs if folder is not None else ():
            dest = folder / out.path
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(entry.file(f"out/{out.path}"), dest)
    except Exception:  # noqa: BLE001 - gone since it was checked, or whole but not readable here (another Python): a miss
        return None
    result.seconds = {}
    return result


def _store(cache: Cache, key: str, result: PartResult, folder: Path | None, repo: Path) -> None:
    """Keep a part's result and its per-part files, with the files its model read besides itself."""
    files: dict[str, Path | bytes] = {RESULT: pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)}
    files.update({f"out/{o.path}": folder / o.path for o in result.outputs if folder is not None})
    cache.put("part", key, files, {"part": result.model.spec.number}, inputs=result.model.inputs, repository=repo)


def merged(loaded: LoadedSpec, results: list[PartResult]) -> Report:
    """The parts' reports as one, in the spec's order, with the assembly's overlap check."""
    return merge_reports(loaded, [r.report for r in results], [r.model for r in results])

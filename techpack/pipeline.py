"""The per-part half of the one way through: each part's geometry, DFM checks and per-part
documents (STEP, drawing, finishing, picture, DXF, print files) as one task in a worker (workers.py), and
the main process's side of it: run them all, then merge what they found into one report
in the spec's order (so the package does not depend on how many workers there were).

A worker sends back the part's summary (techpack/summary.py) and its model pickled: the main
process unpickles the model, importing CadQuery, only when something reads it (the assembly,
a diff, an API caller). Each part's result and the assembly's overlap findings are kept in
the cache under their keys."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import importlib
import os
import pickle
import shutil
import threading
from dataclasses import dataclass, field
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from techpack import cache as cache_keys, workers
from techpack.cache import Cache
from techpack.checks.findings import Finding, Report, merge_reports
from techpack.context import BuildContext, Output
from techpack.provenance import GitInfo
from techpack.report import Reporter, peak_rss_mb
from techpack.spec import LoadedSpec
from techpack.summary import PartSummary

if TYPE_CHECKING:
    from techpack.geometry.model import PartModel

TASK = "techpack.pipeline:part_task"
RESULT = "result.pickle"  # a part's PartResult in its cache entry
FINDINGS = "findings.pickle"  # the assembly's overlap findings in theirs


@dataclass(eq=False)
class PartResult:
    """What a worker made of one part."""

    summary: PartSummary
    report: Report  # this part's findings, numbered and waived as in the whole report
    model_pickle: bytes  # the PartModel, unpickled (importing CadQuery) when `model` is first read
    outputs: list[Output] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per stage, in the worker
    peak_rss_mb: float = 0.0
    key: str | None = None  # its cache key, when built with a cache

    @functools.cached_property
    def model(self) -> PartModel:
        return pickle.loads(self.model_pickle)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("model", None)  # sent and kept as its pickle only
        return state


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
    from techpack.checks.run import check_one
    from techpack.documents import DOCUMENTS
    from techpack.geometry import build_models, build_part

    loaded = _load(spec)
    log = _Forward(0)
    with log.stage("geometry"):
        (model,) = build_models(loaded, [build_part(loaded, loaded.spec.parts[index])])
    with log.stage("checks"):
        report = check_one(loaded, model) if check else Report([], {}, {})
    summary = PartSummary.of(model)
    outputs: list[Output] = []
    if folder is not None:
        ctx = BuildContext(loaded=loaded, folder=Path(folder), date=date, git=git, log=log, report=report)
        for doc in DOCUMENTS:  # its own documents, then the whole-order documents' share of it (documents/__init__.py)
            if doc.per_part:
                with log.stage(doc.name):
                    outputs += doc.module.write(ctx, [model])
        for doc in DOCUMENTS:
            if not doc.per_part and hasattr(doc.module, "prepare"):
                with log.stage(doc.name):
                    summary.prepared[doc.name] = doc.module.prepare(loaded, model, report)
    peak = peak_rss_mb()
    return PartResult(summary=summary, report=report, model_pickle=pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL), outputs=outputs,
                      seconds=log.seconds, peak_rss_mb=peak)


def step_task(path: str, where: str, label: str, rel: str):
    """In a worker: the shape in a STEP file (OCCT's reader never runs in the main process)."""
    from techpack.geometry import stepfile

    return stepfile.read(Path(path), where, label, rel)


def run_parts(loaded: LoadedSpec, log, pool: workers.Pool, folder: Path | None = None, date=None, git=None,
              check: bool = True, cache: Cache | None = None, validate=None) -> list[PartResult]:
    """Every part of the spec through part_task in the pool's workers (started only if a part
    is to be built), or from `cache` when its key is there (its per-part files copied into
    folder); the results in the spec's order. The problems of every failing part are raised
    together. `validate`, if given, is called before a part is built (the spec's rarer face
    selectors, read by CadQuery's parser: a cached part's were read when it was built)."""
    parts = loaded.spec.parts
    keys: list[str | None] = [None] * len(parts)
    results: dict[int, PartResult] = {}
    if cache is not None:
        from techpack.documents import DOCUMENTS

        names = [t for doc in DOCUMENTS if doc.per_part for t in doc.templates]
        templates = cache_keys.templates_digest(loaded.folder, names)  # those a part's documents render, and what they include
        released = not (git and git.dirty)
        keys = [cache_keys.part_key(loaded, i, date, released, folder is not None, check, templates) for i in range(len(parts))]
        for i, k in enumerate(keys):
            found = _cached(cache, k, folder, cache_keys.repository(loaded))
            if found is not None:
                found.key = k
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
    if tasks:
        if validate is not None:
            validate()
        pool.start()
        threading.Thread(target=_warm, args=(loaded, folder is not None), daemon=True).start()
    built = pool.run(tasks, done=lambda k, n, task: log.progress(done + k, len(parts), task.label), log=log) if tasks else []
    for task, i, result in zip(tasks, todo, built):
        result.key = keys[i]
        results[i] = result
        if cache is not None and not task.fallbacks:  # a view drawn on its fallback (a busy machine) is not kept
            _store(cache, keys[i], result, folder, cache_keys.repository(loaded))
    return [results[i] for i in range(len(parts))]


def _warm(loaded: LoadedSpec, documents: bool) -> None:
    """In a thread while the workers build: import what the main process runs next, the
    documents about the whole order (ReportLab, openpyxl) if it writes them and, for an
    assembly, which reads the models, CadQuery. A failure here is the main thread's to meet."""
    from techpack.documents import DOCUMENTS

    try:
        for doc in DOCUMENTS:
            if documents and not doc.per_part and doc.applies(loaded.spec):
                doc.module  # noqa: B018 - imported on reading
        if loaded.spec.assembly:
            importlib.import_module("techpack.geometry.model")
    except Exception:  # noqa: BLE001 - the same import in the main thread raises it where it is handled
        pass


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
    cache.put("part", key, files, {"part": result.summary.spec.number}, inputs=result.summary.inputs, repository=repo)


def merged(loaded: LoadedSpec, results: list[PartResult], cache: Cache | None = None) -> Report:
    """The parts' reports as one, in the spec's order, with the assembly's overlap check (from
    `cache` when the parts' keys and the assembly section are those it was made for)."""
    return merge_reports(loaded, [r.report for r in results], _overlaps(loaded, results, cache))


def _overlaps(loaded: LoadedSpec, results: list[PartResult], cache: Cache | None) -> list[Finding]:
    if not loaded.spec.assembly:
        return []
    k = assembly_key(loaded, "overlaps", results, cache)
    entry = cache.get("overlaps", k, cache_keys.repository(loaded)) if k else None
    if entry is not None:
        with contextlib.suppress(Exception):  # gone or unreadable since it was checked: made again
            return pickle.loads(entry.file(FINDINGS).read_bytes())
    from techpack.checks.run import overlap_findings

    found = overlap_findings(loaded, Models(results))
    if k:
        cache.put("overlaps", k, {FINDINGS: pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL)}, {}, inputs=model_inputs(results),
                  repository=cache_keys.repository(loaded))
    return found


class Models(Sequence):
    """The part models of these results, each unpickled (importing CadQuery) when first read:
    a document that reads none (an assembly document of a spec without an assembly) loads none."""

    def __init__(self, results: list[PartResult]):
        self.results = results

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, i):
        return [r.model for r in self.results[i]] if isinstance(i, slice) else self.results[i].model


def model_inputs(results: list[PartResult]) -> list[tuple[str, str | None]]:
    """The files the parts' model scripts read besides themselves: an entry made from the parts
    is used only while they are unchanged, as each part's own is (their keys do not cover them)."""
    return sorted({f for r in results for f in r.summary.inputs})


def assembly_key(loaded: LoadedSpec, kind: str, results: list[PartResult], cache: Cache | None) -> str | None:
    """The cache key of the assembly's work of `kind` on these parts (None without a cache)."""
    if cache is None or any(r.key is None for r in results):
        return None
    return cache_keys.assembly_key(loaded, kind, [r.key for r in results])

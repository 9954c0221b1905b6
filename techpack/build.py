"""One way through: spec -> geometry -> documents -> package.

The package is written into a temporary folder beside its destination and moved
into place only when every stage succeeded, so a failed build leaves the previous
package where it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from typing import TYPE_CHECKING

from techpack import cache as cache_keys, limits
from techpack.cache import Cache
from techpack.errors import FindingsError, InputError, Problem
from techpack.naming import package_name, supplier_package_name
from techpack.provenance import build_date, git_info
from techpack.report import Reporter, StageTime
from techpack.safety import build_inputs, refuse_overwriting_inputs, remove_stale, staging_folder
from techpack.workers import Pool, borrowed
from techpack.spec import LoadedSpec, load_spec
from techpack.templating import check_templates
from techpack.words import did_you_mean

if TYPE_CHECKING:  # CadQuery, OCCT and the documents are imported only when a build has work to do
    from techpack.checks import Report
    from techpack.context import BuildContext
    from techpack.geometry.model import PartModel
    from techpack.pipeline import PartResult
    from techpack.summary import PartSummary


@dataclass(frozen=True)
class BuildResult:
    """A build's zips and what it found. A package from the cache has no parts or report
    (nothing was built): `summary` has its counts either way."""

    zip_path: Path
    files: list[str]
    results: list[PartResult]
    report: Report | None
    stages: list[StageTime]
    supplier_zips: list[Path]
    summary: dict  # {"parts": n, "counts": {"error": n, "warning": n, "info": n, "waived": n}}
    cached: bool = False  # the whole package came from the cache

    @property
    def parts(self) -> list[PartModel]:
        """The part models (unpickled, with CadQuery, when first read)."""
        return [r.model for r in self.results]


@dataclass(frozen=True)
class CheckResult:
    loaded: LoadedSpec
    results: list[PartResult]
    report: Report

    @property
    def parts(self) -> list[PartModel]:
        return [r.model for r in self.results]


def load(spec_path: str | Path, log: Reporter) -> LoadedSpec:
    """Validate the spec and the templates the documents render (no geometry). Raises SpecError
    or InputError."""
    with log.stage("load"):
        loaded = load_spec(spec_path)
        _check_templates(loaded)
        return loaded


def _check_templates(loaded: LoadedSpec) -> None:
    from techpack.documents import DOCUMENTS

    check_templates(loaded.folder, [name for doc in DOCUMENTS for name in doc.templates])


def check(spec_path: str | Path, log: Reporter, pool: Pool | None = None, cache: Cache | None = None) -> CheckResult:
    """Validate the spec, build every part and run the DFM checks (in the pool's workers, or
    one per core; a part whose key is in `cache` from there); write nothing. A spec that
    build would refuse (no date for the documents, say) fails here too."""
    from techpack.pipeline import run_parts

    loaded = load(spec_path, log)
    _provenance(loaded)
    with _pool(pool, log) as workers, log.stage("parts"):
        results = run_parts(loaded, log, workers, cache=cache)
    report = _report(loaded, results, log, cache)
    if cache is not None:
        cache.prune()
    return CheckResult(loaded, results, report)


def _pool(given: Pool | None, log: Reporter):
    """The given pool, or the process's shared one (workers.borrowed)."""
    return contextlib.nullcontext(given) if given is not None else borrowed(None, log)


def _provenance(loaded: LoadedSpec):
    """The git commit (or None) and the date of the documents."""
    inputs = [loaded.path, *{loaded.model_path(p) for p in loaded.spec.parts}]
    git = git_info(loaded.folder, inputs)
    return git, build_date(loaded, git)


def _report(loaded: LoadedSpec, results: list[PartResult], log: Reporter, cache: Cache | None) -> Report:
    """The parts' notes said, their stage times kept, and their reports merged."""
    for part in (r.summary for r in results):
        for note in part.notes:
            log.info(f"  {part.spec.number}: {note}")
        for note in part.pmi_notes:
            log.info(f"  {note}")
    for name in dict.fromkeys(k for r in results for k in r.seconds):  # time in the workers, summed over the parts
        stage = StageTime(f"parts:{name}", sum(r.seconds.get(name, 0.0) for r in results), max(r.peak_rss_mb for r in results))
        log.stages.append(stage)
        log.detail(f"  {stage.name}: {stage.seconds:.2f} s (in the workers, summed), worker peak memory {stage.peak_rss_mb:.0f} MB")
    from techpack.pipeline import merged

    with log.stage("checks"):
        return merged(loaded, results, cache)


def build(
    spec_path: str | Path,
    out_dir: str | Path,
    log: Reporter,
    allow_dfm_errors: bool = False,
    suppliers: bool | str = True,
    release: bool = False,
    since: str | None = None,
    pool: Pool | None = None,
    cache: Cache | None = None,
) -> BuildResult:
    """Build the package for the spec at spec_path into out_dir/NUMBER_revR.zip and, unless
    `suppliers` is False, one package per supplier (NUMBER_revR_KEY.zip) holding only their parts;
    `suppliers` a key: that supplier's only.

    Unwaived DFM errors stop the build (FindingsError) unless allow_dfm_errors; `release` refuses
    a spec or model with uncommitted changes (InputError); `since` a git revision: every package
    gets a CHANGES page (techpack.diff) of what changed from it. Each part is built, checked and
    drawn in a worker process of `pool` (default: one per core). Every zip is written to a temporary
    folder and moved into place only when all of them are complete. With a `cache`, a part whose
    key is there is not built again, and a package whose key is there is copied from it (without
    importing CadQuery); a build with `since` does not take its package from the cache."""
    with log.stage("load"):
        loaded = load_spec(spec_path, selectors=False)  # CadQuery reads the rarer selectors: below, unless the package is cached
    spec = loaded.spec
    git, date = _provenance(loaded)
    if release:
        _check_release(loaded, git)
    keys = _supplier_keys(loaded, suppliers)
    out_dir = Path(out_dir)
    name = package_name(spec.product)
    zips = [out_dir / f"{name}.zip", *(out_dir / f"{supplier_package_name(spec.product, k)}.zip" for k in keys)]
    refuse_overwriting_inputs(build_inputs(loaded), zips)
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale(out_dir, name)  # what builds killed before they could clean up left
    package_key = None
    if cache is not None and not since:
        options = {"suppliers": suppliers, "release": release, "allow_dfm_errors": allow_dfm_errors}
        package_key = cache_keys.package_key(loaded, date, git, options)
        entry = cache.get("package", package_key, cache_keys.repository(loaded))
        if entry is not None:
            cached = _from_cache(entry, zips, out_dir, name, log)
            if cached is not None:
                return cached
    if cache is None and pool is not None:
        pool.start()  # every part is to be built: the workers' server imports while this process reads on
    with log.stage("load"):
        _check_templates(loaded)
    validate = (lambda: load_spec(spec_path)) if _rare_selectors(loaded) else None  # read by CadQuery's parser if a part is built
    from techpack.context import BuildContext
    from techpack.documents import DOCUMENTS
    from techpack.package import write_manifest, write_spec_copy, write_zip
    from techpack.pipeline import run_parts

    with staging_folder(out_dir, name) as tmp:
        folder = Path(tmp) / name
        folder.mkdir()
        with _pool(pool, log) as workers, log.stage("parts"):  # geometry, checks and per-part documents, in the workers
            results = run_parts(loaded, log, workers, folder, date, git, cache=cache, validate=validate)
        parts = [r.summary for r in results]
        report = _report(loaded, results, log, cache)
        if report.failing("error") and not allow_dfm_errors:
            raise FindingsError(report.failing("error"))
        changes = None
        if since:
            from techpack.diff import changes_since

            with log.stage("diff"):
                changes = changes_since(loaded.path, since, log, models=[r.model for r in results])
        ctx = BuildContext(loaded=loaded, folder=folder, date=date, git=git, log=log, report=report, changes=changes)
        made: dict[str, list] = {}
        for doc in DOCUMENTS:  # in their order: a part's files as its worker wrote them, the rest here
            if doc.per_part:
                made[doc.name] = [o for r in results for o in r.outputs if o.kind == doc.name]
            elif not doc.applies(spec):
                made[doc.name] = []
            else:
                with log.stage(doc.name):
                    made[doc.name] = _models_document(doc, ctx, results, cache) if doc.models else doc.module.write(ctx, parts)
            ctx.outputs += made[doc.name]
        with log.stage("package"):
            ctx.outputs += write_spec_copy(ctx)
            manifest = write_manifest(ctx)
            staged = [Path(tmp) / zips[0].name]
            write_zip(ctx.folder, staged[0], date)
        with log.stage("suppliers"):
            for k, (key, final) in enumerate(zip(keys, zips[1:]), 1):
                log.progress(k, len(keys), f"package for {spec.suppliers[key].name}")
                staged.append(Path(tmp) / final.name)
                _supplier_package(ctx, parts, made, key, Path(tmp) / final.stem, staged[-1])
        for path, final in zip(staged, zips):  # all written: only now replace what was there
            os.replace(path, final)
        files = sorted([o.path for o in ctx.outputs] + [manifest.path])
    _warn_size(zips, log)
    summary = {"parts": len(parts), "counts": report.counts()}
    if package_key is not None:
        inputs = sorted({f for p in parts for f in p.inputs})
        cache.put("package", package_key, {z.name: z for z in zips}, {"summary": summary, "listing": files}, inputs=inputs,
                  repository=cache_keys.repository(loaded))
    if cache is not None:
        cache.prune()
    return BuildResult(zip_path=zips[0], files=files, results=results, report=report, stages=log.stages, supplier_zips=zips[1:], summary=summary)


def _from_cache(entry, zips: list[Path], out_dir: Path, name: str, log: Reporter) -> BuildResult | None:
    """The package and the supplier packages from a cache entry, moved into place together;
    None when the entry went (another build pruned it) before its zips were copied."""
    with log.stage("cache"), staging_folder(out_dir, name) as tmp:
        staged = [Path(tmp) / z.name for z in zips]
        for path in staged:
            try:
                shutil.copyfile(entry.file(path.name), path)
            except FileNotFoundError:
                return None
        for path, final in zip(staged, zips):
            os.replace(path, final)
    log.info("the package is the cached one: nothing it is made from has changed (--no-cache builds it again)")
    _warn_size(zips, log)
    meta = entry.meta
    return BuildResult(zip_path=zips[0], files=meta["listing"], results=[], report=None, stages=log.stages, supplier_zips=zips[1:],
                       summary=meta["summary"], cached=True)


def _rare_selectors(loaded: LoadedSpec) -> bool:
    """Whether a feature selects a face with a selector other than the simplest forms."""
    from techpack.spec.checks import SIMPLE_SELECTOR

    faces = [f.select.get("face") for p in loaded.spec.parts for f in p.features if isinstance(f.select, dict)]
    return any(isinstance(face, str) and not SIMPLE_SELECTOR.fullmatch(face) for face in faces)


def _warn_size(zips: list[Path], log: Reporter) -> None:
    """Say which zips are larger than an e-mail attachment usually may be, and their largest files."""
    for path in zips:
        size = path.stat().st_size
        if size > limits.EMAIL_MAX_BYTES:
            with zipfile.ZipFile(path) as zf:
                largest = sorted(zf.infolist(), key=lambda i: (-i.compress_size, i.filename))[:3]
            files = ", ".join(f"{i.filename.split('/', 1)[-1]} ({limits.size_words(i.compress_size)})" for i in largest)
            log.info(f"warning: {path.name} is {limits.size_words(size)}, more than an e-mail attachment may usually be "
                     f"({limits.size_words(limits.EMAIL_MAX_BYTES)}); its largest files: {files}. Send it as a link to a file share, "
                     "or make those files smaller (a STEP model's detail, a photo's resolution)")


def _supplier_keys(loaded: LoadedSpec, suppliers: bool | str) -> list[str]:
    """The suppliers that get a package of their own: those with parts or hardware to supply."""
    spec = loaded.spec
    if suppliers is False:
        return []
    if isinstance(suppliers, str):
        if suppliers not in spec.suppliers:
            known = ", ".join(spec.suppliers) or "none defined"
            raise InputError(Problem(loaded.where("suppliers", of_key=True) if spec.suppliers else loaded.display, "--supplier",
                                     f"no supplier '{suppliers}' in the spec{did_you_mean(suppliers, spec.suppliers)} (suppliers: {known})"))
        return [suppliers]
    busy = {p.supplier for p in spec.parts} | {h.supplier for h in spec.hardware}
    return [key for key in spec.suppliers if key in busy]


def _check_release(loaded: LoadedSpec, git) -> None:
    if git is None:
        raise InputError(Problem(loaded.display, "--release", "a release is built from a git commit, and this spec is not in a git repository"))
    if git.dirty:
        raise InputError(Problem(loaded.display, "--release", f"uncommitted changes to {', '.join(git.changed)}: "
                                 "commit them (a release is built from a commit) or build without --release"))


def _models_document(doc, ctx: BuildContext, results: list[PartResult], cache: Cache | None) -> list:
    """A whole-order document that reads the part models (the assembly's): its files from the
    cache when its parts' keys and the assembly section are those they were made for (then no
    model is unpickled), else written from the models and kept."""
    from techpack.context import Output
    from techpack.pipeline import Models, assembly_key, model_inputs

    k = assembly_key(ctx.loaded, doc.name, results, cache)
    repo = cache_keys.repository(ctx.loaded)
    entry = cache.get("document", k, repo) if k else None
    if entry is not None:
        try:
            outputs = [Output(**o) for o in entry.meta["outputs"]]
            for out in outputs:
                shutil.copyfile(entry.file(out.path), ctx.path(out.path))
            ctx.log.info(f"  {doc.name}: from the cache")
            return outputs
        except (OSError, KeyError, TypeError):
            pass  # gone since it was checked: written again
    outputs = doc.module.write(ctx, Models(results))
    if k and outputs:
        cache.put("document", k, {o.path: ctx.folder / o.path for o in outputs}, {"outputs": [asdict(o) for o in outputs]},
                  inputs=model_inputs(results), repository=repo)
    return outputs


def _supplier_package(full: BuildContext, parts: list[PartSummary], made: dict[str, list], key: str, folder: Path, zip_path: Path) -> None:
    """One supplier's package: the files of their parts copied from the full package, and the
    documents about the whole order (DFM report, workbook, cover page) written again for their
    parts alone. Nothing about another supplier goes in: no spec copy, no assembly."""
    from techpack.context import BuildContext
    from techpack.documents import DOCUMENTS
    from techpack.package import write_manifest, write_zip

    loaded = full.loaded.for_supplier(key)
    numbers = {p.number for p in loaded.spec.parts}
    ctx = BuildContext(loaded=loaded, folder=folder, date=full.date, git=full.git, log=Reporter(0),  # said once, in the full build
                       report=full.report.only(numbers), supplier=key, changes=full.changes)
    folder.mkdir()
    mine = [p for p in parts if p.spec.number in numbers]
    for doc in DOCUMENTS:
        if doc.full_only or not doc.applies(loaded.spec):
            continue
        if doc.per_part:
            for out in made[doc.name]:
                if out.part in numbers:
                    shutil.copyfile(full.folder / out.path, ctx.path(out.path))
                    ctx.outputs.append(out)
        else:
            ctx.outputs += doc.module.write(ctx, mine)
    write_manifest(ctx)
    write_zip(folder, zip_path, full.date)

"""One way through: spec -> geometry -> documents -> package.

The package is written into a temporary folder beside its destination and moved
into place only when every stage succeeded, so a failed build leaves the previous
package where it was.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from techpack.checks import Report, run_checks
from techpack.context import BuildContext
from techpack.documents import DOCUMENTS
from techpack.errors import FindingsError
from techpack.geometry import build_parts
from techpack.geometry.model import PartModel, build_models
from techpack.naming import package_name
from techpack.package import write_manifest, write_spec_copy, write_zip
from techpack.provenance import build_date, git_info
from techpack.report import Reporter, StageTime
from techpack.spec import LoadedSpec, load_spec
from techpack.templating import check_templates


@dataclass(frozen=True)
class BuildResult:
    zip_path: Path
    files: list[str]
    parts: list[PartModel]
    report: Report
    stages: list[StageTime]


@dataclass(frozen=True)
class CheckResult:
    loaded: LoadedSpec
    parts: list[PartModel]
    report: Report


def load(spec_path: str | Path, log: Reporter) -> LoadedSpec:
    """Validate the spec and the templates the documents render (no geometry). Raises SpecError
    or InputError."""
    with log.stage("load"):
        loaded = load_spec(spec_path)
        check_templates(loaded.folder, [name for doc in DOCUMENTS for name in doc.TEMPLATES])
        return loaded


def check(spec_path: str | Path, log: Reporter) -> CheckResult:
    """Validate the spec, build every part and run the DFM checks; write nothing.
    A spec that build would refuse (no date for the documents, say) fails here too."""
    loaded = load(spec_path, log)
    _provenance(loaded)
    return _check_loaded(loaded, log)


def _provenance(loaded: LoadedSpec):
    """The git commit (or None) and the date of the documents."""
    inputs = [loaded.path, *{loaded.model_path(p) for p in loaded.spec.parts}]
    git = git_info(loaded.folder, inputs)
    return git, build_date(loaded, git)


def _check_loaded(loaded: LoadedSpec, log: Reporter) -> CheckResult:
    with log.stage("geometry"):
        built = build_parts(loaded, lambda k, n, p: log.progress(k, n, f"{p.number} {p.name}: {p.model}"))
        parts = build_models(loaded, built)
        for note in (n for p in parts for n in p.pmi_notes):
            log.info(f"  {note}")
    with log.stage("checks"):
        report = run_checks(loaded, parts, lambda k, n, p: log.progress(k, n, f"{p.number} {p.name}: DFM checks"))
    return CheckResult(loaded, parts, report)


def build(spec_path: str | Path, out_dir: str | Path, log: Reporter, allow_dfm_errors: bool = False) -> BuildResult:
    """Build the package for the spec at spec_path into out_dir/NUMBER_revR.zip.

    Unwaived DFM errors stop the build (FindingsError) unless allow_dfm_errors."""
    loaded = load(spec_path, log)
    spec = loaded.spec
    git, date = _provenance(loaded)
    checked = _check_loaded(loaded, log)
    parts, report = checked.parts, checked.report
    if report.failing("error") and not allow_dfm_errors:
        raise FindingsError(report.failing("error"))

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = package_name(spec.product)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=f".{name}.") as tmp:
        ctx = BuildContext(loaded=loaded, folder=Path(tmp) / name, date=date, git=git, log=log, report=report)
        ctx.folder.mkdir()
        for doc in DOCUMENTS:
            with log.stage(doc.NAME):
                ctx.outputs += doc.write(ctx, parts)
        with log.stage("package"):
            ctx.outputs += write_spec_copy(ctx)
            manifest = write_manifest(ctx)
            staged = Path(tmp) / f"{name}.zip"
            write_zip(ctx.folder, staged, date)
            final = out_dir / f"{name}.zip"
            os.replace(staged, final)
        files = sorted([o.path for o in ctx.outputs] + [manifest.path])
    return BuildResult(zip_path=final, files=files, parts=parts, report=report, stages=log.stages)

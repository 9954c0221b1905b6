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

from techpack.context import BuildContext
from techpack.documents import DOCUMENTS
from techpack.geometry import BuiltPart, build_parts
from techpack.naming import package_name
from techpack.package import write_manifest, write_spec_copy, write_zip
from techpack.provenance import build_date, git_info
from techpack.report import Reporter, StageTime
from techpack.spec import LoadedSpec, load_spec


@dataclass(frozen=True)
class BuildResult:
    zip_path: Path
    files: list[str]
    parts: list[BuiltPart]
    stages: list[StageTime]


def check(spec_path: str | Path, log: Reporter) -> LoadedSpec:
    """Validate the spec (no geometry). Raises SpecError."""
    with log.stage("load"):
        return load_spec(spec_path)


def build(spec_path: str | Path, out_dir: str | Path, log: Reporter) -> BuildResult:
    """Build the package for the spec at spec_path into out_dir/NUMBER_revR.zip."""
    loaded = check(spec_path, log)
    spec = loaded.spec
    inputs = [loaded.path, *{loaded.model_path(p) for p in spec.parts}]
    git = git_info(loaded.folder, inputs)
    date = build_date(loaded, git)

    with log.stage("geometry"):
        parts = build_parts(loaded, lambda k, n, p: log.progress(k, n, f"{p.number} {p.name}: {p.model}"))

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = package_name(spec.product)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=f".{name}.") as tmp:
        ctx = BuildContext(loaded=loaded, folder=Path(tmp) / name, date=date, git=git, log=log)
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
    return BuildResult(zip_path=final, files=files, parts=parts, stages=log.stages)

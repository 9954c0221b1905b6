"""The package stage: manifest.json, the spec copy, and one deterministic zip.

Entries are sorted, stamped with the build date at midnight and given fixed
permissions, so the same inputs give a byte-identical zip.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from importlib.metadata import version

from pathlib import Path

from techpack import __version__
from techpack.provenance import occt_version
from techpack.context import BuildContext, Output

MANIFEST = "manifest.json"
SPEC_COPY = "spec.yaml"
ZIP_LEVEL = 6  # zlib's default: the package 0.8 % larger than at 9, written in 40 % of the time (measured on 40 parts: 0.13 s against 0.33 s)
ZIP_EPOCH = dt.date(1980, 1, 1)  # the earliest date a zip entry can carry: earlier dates are stamped 1980-01-01


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_spec_copy(ctx: BuildContext) -> list[Output]:
    ctx.path(SPEC_COPY).write_bytes(ctx.loaded.path.read_bytes())
    return [Output(SPEC_COPY, "spec")]


def write_manifest(ctx: BuildContext) -> Output:
    """manifest.json: every file with size and SHA-256, the spec hash, versions, git commit and
    whether the spec and models were committed (released) or not."""
    files = []
    for out in sorted(ctx.outputs, key=lambda o: o.path):
        p = ctx.folder / out.path
        entry = {"path": out.path, "kind": out.kind, "size": p.stat().st_size, "sha256": sha256(p)}
        if out.part:
            entry["part"] = out.part
        files.append(entry)
    product = ctx.spec.product
    spec = {"file": SPEC_COPY, "source": ctx.loaded.path.name, "sha256": ctx.loaded.sha256}
    if ctx.supplier:  # a supplier's package carries no copy of the spec (it names every supplier)
        del spec["file"]
    manifest = {
        "product": {"number": product.number, "name": product.name, "revision": product.revision},
        **({"supplier": {"key": ctx.supplier, "name": ctx.spec.suppliers[ctx.supplier].name}} if ctx.supplier else {}),
        "date": ctx.date.isoformat(),
        "released": ctx.released,
        "spec": spec,
        "git": {"commit": ctx.git.commit, "dirty": ctx.git.dirty} if ctx.git else None,
        "tools": {"techpack": __version__, "cadquery": version("cadquery"), "occt": occt_version()},
        "files": files,
    }
    ctx.path(MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return Output(MANIFEST, "manifest")


def zip_entry(name: str, date: dt.date) -> zipfile.ZipInfo:
    """A zip entry that does not depend on the clock or the umask: dated `date` at 00:00
    (not before 1980, zip's epoch), deflated, mode 0644."""
    stamp = max(date, ZIP_EPOCH)
    info = zipfile.ZipInfo(name, (stamp.year, stamp.month, stamp.day, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # unix, so the permissions below are read
    info.external_attr = 0o100644 << 16
    return info


def write_zip(folder: Path, zip_path: Path, date: dt.date) -> None:
    """Zip folder (as the archive's top-level folder) deterministically."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    with zipfile.ZipFile(zip_path, "w") as zf:
        for p in files:
            zf.writestr(zip_entry(f"{folder.name}/{p.relative_to(folder).as_posix()}", date), p.read_bytes(), compresslevel=ZIP_LEVEL)

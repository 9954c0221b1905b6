"""The build cache: each part's work (its model, findings and per-part files) and each whole
package, kept between builds so that an unchanged rebuild (CI on every commit) does not
build again, and a change rebuilds only what it touches.

A part's key is the sha-256 of everything its work reads: the model file, its parameters
and spec entry, the catalog entries it uses, the rest of the spec but the other parts, the
assembly and the catalog section (the product's fields and notice, the suppliers, the
hardware), the package date and whether it is released, the user's templates, the photos
it names, and techpack's own files and the versions of the libraries that make the bytes
(CadQuery, OCCT, ReportLab, ezdxf...). The files a model script read besides itself (its
helper modules, its data files) are known only after it ran: an entry lists them with their
sha-256, and is used only while they are unchanged. The assembly's overlap findings
("overlaps") and files ("document") are keyed by its parts' keys and the spec's assembly
section, and list their parts' files the same way. A package's key is the whole spec, its
models, photos and templates, the git commit and the options. An entry is written to a temporary folder and
renamed into place, and every file is checked against the sha-256 its entry lists when it is
read: a damaged entry is built again, never used.

The cache lives in the platform's cache folder (platformdirs: ~/.cache/techpack on Linux),
or TECHPACK_CACHE_DIR; it holds at most MAX_BYTES, the least recently used entries going
first, and may be deleted at any time. `--no-cache` builds without it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

FORMAT = 1  # the layout of an entry; a new one makes old entries unreachable
MAX_BYTES = 2 * 1024**3  # the example's parts take 1 MB, a 40-part product 8 MB: 2 GB holds hundreds of products
LIBRARIES = ("cadquery", "cadquery-ocp", "reportlab", "rl_accel", "openpyxl", "jinja2", "numpy", "embreex", "pillow", "pydantic", "ruamel.yaml",
             "ezdxf", "lib3mf")


def folder() -> Path:
    """TECHPACK_CACHE_DIR, else the platform's cache folder for techpack."""
    given = os.environ.get("TECHPACK_CACHE_DIR", "").strip()
    if given:
        return Path(given)
    import platformdirs

    return Path(platformdirs.user_cache_dir("techpack", appauthor=False))


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: str | Path) -> str | None:
    """The sha-256 of a file's bytes, or None when it cannot be read."""
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None


@functools.cache
def tool_digest() -> str:
    """techpack's own files (code, catalog, standards, fonts, templates) and the versions of
    Python and of every library whose work ends up in the package's bytes."""
    h = hashlib.sha256()
    for root in (Path(__file__).parent, Path(str(resources.files("techpack.templates")))):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            h.update(f"{path.relative_to(root).as_posix()}\0".encode())
            h.update(path.read_bytes())
    h.update(sys.version.encode())
    for name in LIBRARIES:
        try:
            h.update(f"{name}={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=none\0".encode())
    return h.hexdigest()


def key(kind: str, parts: dict[str, Any]) -> str:
    """The key of an entry: its kind, techpack and its libraries, and `parts` (JSON-able)."""
    text = json.dumps({"format": FORMAT, "kind": kind, "tool": tool_digest(), **parts}, sort_keys=True, default=str)
    return digest(text.encode())


@dataclass
class Entry:
    """A cache entry as read back: its folder, what it was stored with (meta) and its files."""

    path: Path
    meta: dict

    def file(self, rel: str) -> Path:
        return self.path / "files" / rel


class Cache:
    """The cache in `root` (default: folder())."""

    def __init__(self, root: Path | None = None, max_bytes: int = MAX_BYTES):
        self.root = (root or folder()) / f"v{FORMAT}"
        self.max_bytes = max_bytes

    def get(self, kind: str, k: str, repository: Path | None = None) -> Entry | None:
        """The entry stored under key k, if it is whole: every file it lists has the sha-256 it
        was stored with, and every input it lists (a file a model read, inside `repository` by
        its path there) still has its sha-256, or is still not there. Anything else is a miss
        (and a damaged entry is removed)."""
        path = self.root / kind / k[:2] / k
        try:
            meta = json.loads((path / "entry.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = None
        if not isinstance(meta, dict) or meta.get("key") != k or not isinstance(meta.get("files"), dict) \
                or not isinstance(meta.get("inputs"), dict):
            if path.exists():
                shutil.rmtree(path, ignore_errors=True)
            return None
        if any(file_digest(_where(p, repository)) != sha for p, sha in meta["inputs"].items()):
            return None  # a file the model read has changed: built again, and stored over this one
        if any(file_digest(path / "files" / rel) != sha for rel, sha in meta["files"].items()):
            shutil.rmtree(path, ignore_errors=True)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # used: the last to go
        return Entry(path, meta)

    def put(self, kind: str, k: str, files: dict[str, Path | bytes], meta: dict, inputs=(), repository: Path | None = None) -> None:
        """Store `files` (their names in the entry -> where they are now, or their bytes) under key
        k, with meta (JSON-able) and `inputs`, the (path, sha-256 or None) of each file a model
        read (those inside `repository` kept by their path there, so that another checkout of
        it reads its own). A cache that cannot be written (a read-only or full disk) is no
        error: the build has its package, it just is not kept."""
        final = self.root / kind / k[:2] / k
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{k[:12]}.", dir=final.parent))
        except OSError:
            return
        try:
            sums = {}
            for rel, src in files.items():
                dest = staging / "files" / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(src) if isinstance(src, bytes) else shutil.copyfile(src, dest)
                sums[rel] = file_digest(dest)
            record = {**meta, "key": k, "files": sums, "inputs": {_name(p, repository): sha for p, sha in inputs}}
            (staging / "entry.json").write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
            if final.exists():
                shutil.rmtree(final, ignore_errors=True)
            os.rename(staging, final)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)

    def prune(self) -> None:
        """Remove the least recently used entries until the cache holds at most max_bytes, and
        the temporary folders of writes that stopped half-way (a killed build) an hour on. Run
        once a build; another build pruning or writing at the same time is no error."""
        entries = []
        old = time.time() - 3600
        for path in self.root.glob("*/*/*") if self.root.is_dir() else ():
            try:
                if path.name.startswith("."):
                    if path.stat().st_mtime < old:
                        shutil.rmtree(path, ignore_errors=True)
                    continue
                size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
                entries.append((path.stat().st_mtime, size, path))
            except OSError:  # gone while counted: another build's doing
                continue
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            shutil.rmtree(path, ignore_errors=True)
            total -= size


def repository(loaded) -> Path:
    """The spec's repository as the model scripts see it (symlinks resolved): an entry names
    the files they read inside it by their path there."""
    return Path(os.path.realpath(loaded.root))


def _name(path: str, repository: Path | None) -> str:
    """An input's name in an entry: "repo:" and its path in the repository, or its absolute path."""
    if repository is not None and Path(path).is_relative_to(repository):
        return "repo:" + Path(path).relative_to(repository).as_posix()
    return path


def _where(name: str, repository: Path | None) -> str:
    if name.startswith("repo:"):
        return str((repository or Path("/nonexistent")) / name[5:])
    return name


# --- the keys of a spec's parts and package -------------------------------------------------------


def templates_digest(spec_folder: Path, names: list[str] | None = None) -> str:
    """The user's templates (the spec folder's templates/), names and bytes: those of `names`
    the user has and every template they include, import or extend (all of them when one
    names another by a variable), or, without `names`, all of them."""
    h = hashlib.sha256()
    root = spec_folder / "templates"
    paths = {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()} if root.is_dir() else {}
    if names is not None:
        names = _referenced(paths, names)
    for rel, path in sorted(paths.items()):
        if names is None or rel in names:
            h.update(f"{rel}\0{file_digest(path)}\0".encode())
    return h.hexdigest()


def _referenced(paths: dict[str, Path], names: list[str]) -> set[str] | None:
    """`names` and the templates they reach, among the user's; None when one is named by a
    variable (then any may be)."""
    import jinja2
    from jinja2 import meta

    env, seen, todo = jinja2.Environment(), set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen or name not in paths:
            continue
        seen.add(name)
        try:
            refs = list(meta.find_referenced_templates(env.parse(paths[name].read_text(encoding="utf-8"))))
        except (OSError, UnicodeDecodeError, jinja2.TemplateSyntaxError):
            continue  # the build says what is wrong with it
        if None in refs:
            return None
        todo += refs
    return seen


def part_key(loaded, index: int, date, released: bool, documents: bool, check: bool, templates: str) -> str:
    """The key of part `index`'s work: its spec entry, model file and photos, the spec's catalog
    entries for its material, process and finishes, the rest of the spec but the other parts,
    the assembly and the catalog section, and what its documents carry (date, released)."""
    spec = loaded.spec
    data = spec.model_dump(mode="json")
    part = spec.parts[index]
    entry = data["parts"][index]
    catalog = loaded.catalog  # the entries it uses, as the spec's catalog section leaves them
    finishes = sorted({f if isinstance(f, str) else next(iter(f)) for f in entry.get("finish") or []})
    uses = [catalog.material(part.material), catalog.processes.get(part.process), *(catalog.finish(f) for f in finishes)]
    return key("part", {
        "part": entry,
        "spec": {k: v for k, v in data.items() if k not in ("parts", "assembly", "catalog")},
        "catalog": [repr(e) for e in uses],
        "model": file_digest(loaded.model_path(part)),
        "photos": {p: file_digest(loaded.folder / p) for p in part.photos},
        "templates": templates,
        "date": date.isoformat() if documents and date else None,
        "released": released if documents else None,
        "documents": documents,
        "check": check,
    })


def assembly_key(loaded, kind: str, part_keys: list[str]) -> str:
    """The key of the assembly's work of `kind` (its overlap check, its documents): its parts'
    keys, which cover the product's fields, the hardware, the date and the release state, and
    the spec's assembly section."""
    return key(kind, {"parts": part_keys, "assembly": loaded.spec.model_dump(mode="json").get("assembly")})


def package_key(loaded, date, git, options: dict) -> str:
    """The key of a whole package: the whole spec (and its file's bytes and name), every model
    file and photo, all the user's templates, the date, the git commit and the build's options. (The files the models read
    besides themselves are listed in the entry, as for a part.)"""
    spec = loaded.spec
    return key("package", {
        "spec": spec.model_dump(mode="json"),
        "spec_file": [loaded.sha256, loaded.path.name, str(loaded.display)],  # its copy, its hash and name in the package
        "models": [file_digest(loaded.model_path(p)) for p in spec.parts],
        "photos": [{f: file_digest(loaded.folder / f) for f in p.photos} for p in spec.parts],
        "templates": templates_digest(loaded.folder),
        "date": date.isoformat(),
        "git": [git.commit, git.dirty, list(git.changed)] if git else None,
        "options": options,
    })

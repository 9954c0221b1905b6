"""The two sides of a diff, each reduced to a Snapshot: a git revision of the spec's
repository (its tree extracted with `git archive`, the spec loaded and every part built as
`techpack build` would, without the DFM checks or the documents), the working tree, or a
package zip (its spec copy, its STEP files read with OCCT and its drawings'
characteristics JSON). Bad input is an InputError naming what and where."""

from __future__ import annotations

import json
import subprocess
import tarfile
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path, PurePosixPath

from pydantic import ValidationError

from techpack.diff.snapshot import Snapshot, from_models, part_snapshot, snapshot_of
from techpack.errors import InputError, ModelError, Problem, SpecError, Where
from techpack.report import Reporter
from techpack.safety import UnsafeRepository, git_argv, git_env
from techpack.spec import LoadedSpec, load_spec
from techpack.spec.catalog_section import extend
from techpack.spec.model import Spec
from techpack.spec.yamlfile import read_yaml

GIT_TIMEOUT_S = 120


def is_package(arg: str) -> bool:
    """OLD or NEW names a package zip (an existing file), not a git revision."""
    return Path(arg).is_file()


def snapshot(arg: str | None, spec: Path | None, log: Reporter) -> Snapshot:
    """The side named by arg: a package zip (an existing file), a git revision of the repository
    holding `spec`, or (None) the working tree's spec and models."""
    if arg is not None and is_package(arg):
        return zip_snapshot(Path(arg))
    if spec is None:
        raise InputError(Problem("--spec", "", f"'{arg}' is not a file, so it is read as a git revision; give the spec it is a revision of "
                                              "with --spec PATH (no techpack.yaml in the current folder)"))
    if arg is None:
        return worktree_snapshot(spec, log)
    return revision_snapshot(spec, arg, log)


# --- the working tree and git revisions ---------------------------------------------------


def _build(loaded: LoadedSpec, log: Reporter, what: str):
    """Every part's model (geometry/model.py), as the build makes them."""
    from techpack.pipeline import run_parts
    from techpack.workers import borrowed

    with borrowed(None, log) as pool:  # model scripts and OCCT's reader run in workers, never here
        return [r.model for r in run_parts(loaded, log, pool, check=False)]


def worktree_snapshot(spec: Path, log: Reporter, models=None) -> Snapshot:
    """The spec and models as they are on disk; models: the part models already built from them."""
    loaded = load_spec(spec)
    if models is None:
        models = _build(loaded, log, "working tree")
    return from_models(loaded, models, f"{loaded.spec.product.revision} (working tree)", None)


def _git_argv(repo: Path, *args: str) -> list[str]:
    """git with configuration that cannot execute a command (hooks, fsmonitor, the repository's
    filter drivers off: techpack.safety); run it with env=git_env()."""
    try:
        return git_argv(repo, *args)
    except UnsafeRepository as exc:
        raise InputError(Problem(str(repo), "", f"the git repository: {exc}")) from None


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    argv = _git_argv(repo, *args)
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=GIT_TIMEOUT_S, check=False, env=git_env())
    except (OSError, subprocess.SubprocessError) as exc:
        raise InputError(Problem(str(repo), "", f"could not run git: {exc}")) from None


def repository(spec: Path) -> tuple[Path, str]:
    """The git work tree holding spec, and spec's path in it (posix)."""
    folder = spec.absolute().parent
    if not folder.is_dir():
        raise InputError(Problem(str(spec), "", f"no folder {folder}: give --spec the spec's path in its git work tree"))
    got = _git(folder, "rev-parse", "--show-toplevel")
    if got.returncode != 0:
        raise InputError(Problem(str(spec), "", f"is not in a git repository ({folder}), so a revision means nothing here; "
                                               "give two package zips, or --spec a spec in a git work tree"))
    top = Path(got.stdout.strip())
    return top, spec.absolute().resolve().relative_to(top.resolve()).as_posix()


def resolve(top: Path, rev: str) -> str:
    """The full commit id of rev in the repository at top."""
    got = _git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if got.returncode != 0 or not got.stdout.strip():
        raise InputError(Problem(str(top), "", f"unknown revision '{rev}' (not a commit of this repository, and no such package zip)"))
    return got.stdout.strip()


@contextmanager
def extracted(top: Path, commit: str):
    """The repository's tree at commit, extracted into a temporary folder (removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="techpack-diff-") as tmp:
        tree = Path(tmp) / "tree"
        tree.mkdir()
        proc = subprocess.Popen(_git_argv(top, "archive", "--format=tar", commit), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=git_env())
        try:
            with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
                tar.extractall(tree, filter="data")
        finally:
            proc.stdout.close()
            err = proc.stderr.read().decode(errors="replace")
            proc.wait(timeout=GIT_TIMEOUT_S)
        if proc.returncode != 0:
            raise InputError(Problem(str(top), "", f"git archive {commit[:12]} failed: {err.strip()}"))
        (tree / ".git").mkdir()  # marks the repository's root for load_spec: models anywhere in it are inside
        yield tree


def _relabel(exc: InputError, tree: Path, name: str) -> InputError:
    """The problem's places in the extracted tree named as `rev:path` in the repository."""
    def fix(text: str) -> str:
        return text.replace(str(tree) + "/", name + ":").replace(str(tree), name)

    problems = []
    for p in exc.problems:
        where = p.where._replace(file=fix(p.where.file)) if isinstance(p.where, Where) else fix(str(p.where))
        problems.append(replace(p, where=where, message=fix(p.message), detail=fix(p.detail)))
    return type(exc)(problems)


def revision_snapshot(spec: Path, rev: str, log: Reporter) -> Snapshot:
    """The spec at git revision rev of its repository, its parts built from that revision's models."""
    top, rel = repository(spec)
    commit = resolve(top, rev)
    if _git(top, "cat-file", "-e", f"{commit}:{rel}").returncode != 0:
        raise InputError(Problem(str(top), "", f"{rel} is not in revision '{rev}' (commit {commit[:12]}); "
                                               "give --spec the spec's path as it was in that revision"))
    with extracted(top, commit) as tree:
        try:
            loaded = load_spec(tree / rel)
            models = _build(loaded, log, rev)
        except InputError as exc:
            raise _relabel(exc, tree, rev) from None
        return from_models(loaded, models, f"{loaded.spec.product.revision} (commit {commit[:12]})", commit)


# --- package zips ---------------------------------------------------------------------------


def load_spec_copy(path: Path, display: str) -> LoadedSpec:
    """A package's spec copy, validated without its models and photos (they are not in the
    package): for the parts' attributes and the catalog its finishes and materials resolve in."""
    import hashlib

    data, pos = read_yaml(path, display)
    if not isinstance(data, dict):
        raise SpecError(Problem(Where(display, 1, 1), "", "the spec copy is not a YAML mapping"))
    data = {k: v for k, v in data.items() if not str(k).startswith("x-")}
    try:
        spec = Spec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        at = ".".join(str(s) for s in first["loc"])
        raise SpecError(Problem(Where(display), at, f"the spec copy does not validate with this techpack: {first['msg']}")) from None
    catalog, errors = extend(data.get("catalog"))
    if errors:
        raise SpecError(Problem(Where(display), "catalog", f"the spec copy's catalog section does not validate: {errors[0].get('msg')}"))
    return LoadedSpec(spec=spec, path=path, display=display, root=path.parent, sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                      positions=pos, catalog=catalog)


def zip_snapshot(path: Path) -> Snapshot:
    """A full package zip (NUMBER_revR.zip) as a side."""
    from techpack.geometry.features import find_features
    from techpack.workers import Task, borrowed

    shown = str(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(Problem(shown, "", f"not a package zip ({exc}); OLD and NEW are package zips or git revisions")) from None
    with zf, tempfile.TemporaryDirectory(prefix="techpack-diff-") as tmp:
        names = set(zf.namelist())
        tops = {PurePosixPath(n).parts[0] for n in names if n}
        top = next(iter(tops)) if len(tops) == 1 else None
        if top is None or f"{top}/manifest.json" not in names:
            raise InputError(Problem(shown, "", "not a techpack package: no manifest.json in one top-level folder"))
        try:
            manifest = json.loads(zf.read(f"{top}/manifest.json"))
            files = manifest["files"]
        except (ValueError, KeyError, TypeError):
            raise InputError(Problem(shown, "", f"{top}/manifest.json is not a techpack manifest")) from None
        spec_file = (manifest.get("spec") or {}).get("file")
        if manifest.get("supplier") or not spec_file or f"{top}/{spec_file}" not in names:
            raise InputError(Problem(shown, "", "is a supplier's package (it carries no spec copy); compare the full packages "
                                                "(NUMBER_revR.zip) or git revisions"))

        def extract(rel: str) -> Path:
            target = Path(tmp) / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zf.read(f"{top}/{rel}"))
            return target

        loaded = load_spec_copy(extract(spec_file), f"{shown}:{top}/{spec_file}")
        steps = {f["part"]: f["path"] for f in files if f.get("kind") == "step" and f.get("part")}
        chars = {f["part"]: f["path"] for f in files if f.get("part") and f["path"].endswith("_characteristics.json")}
        parts = {}
        here = [part for part in loaded.spec.parts if part.number in steps]  # the others are not in this package
        tasks = [Task("techpack.pipeline:step_task", (str(extract(steps[part.number])), f"{shown}:{top}/{steps[part.number]}", part.number,
                      steps[part.number]), label=f"{part.number} ({steps[part.number]})") for part in here]
        with borrowed(None, Reporter(0)) as pool:  # OCCT's reader runs in workers
            try:
                shapes = pool.run(tasks)
            except ModelError as exc:
                raise InputError(exc.problems) from None
        for part, shape in zip(here, shapes):
            rel = steps[part.number]
            where = f"{shown}:{top}/{rel}"
            solids = shape.Solids()
            if len(solids) != 1:
                raise InputError(Problem(where, "", f"holds {len(solids)} solids; a package's STEP file holds one"))
            solid = solids[0]
            characteristics = json.loads(zf.read(f"{top}/{chars[part.number]}"))["characteristics"] if part.number in chars else None
            parts[part.number] = part_snapshot(loaded, part, solid, find_features(solid).holes, characteristics)
        commit = (manifest.get("git") or {}).get("commit")
        label = f"{loaded.spec.product.revision} ({path.name}{f', commit {commit[:12]}' if commit else ''})"
        return snapshot_of(loaded, parts, label, commit)

"""`techpack list FOLDER`: the techpack specs under a folder, as JSON or as a GitHub Actions
matrix, so that CI can build one product per job. Registered on the main group by
techpack/cli.py, like the catalog commands.

A spec is a `.yaml` or `.yml` file with a top-level `techpack:` key, found by searching the
file's bytes (at most a spec's 4 MB) for a line that starts with `techpack:`, as `techpack
init` and the example write it; no other YAML is parsed. Hidden folders and files (`.git`, `.venv`),
`node_modules`, `__pycache__`, `site-packages`, virtual environments (a folder with
`pyvenv.cfg` or `conda-meta/`), the build's default output folder `out/` and unzipped
packages (a folder with `manifest.json` and `spec.yaml`) are not searched; symlinks are
never followed (a spec linked from inside FOLDER is listed where it really is). Each spec
is then loaded with the build's own loader, so what it finds invalid is reported here.
No CadQuery: listing hundreds of specs costs their YAML parsing and nothing else.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import click

from techpack.errors import EXIT_INPUT, InputError, Problem, Where
from techpack.limits import SPEC_MAX_BYTES
from techpack.naming import package_name

SPEC_SUFFIXES = (".yaml", ".yml")
SKIPPED_FOLDERS = {"node_modules", "__pycache__", "site-packages", "out"}  # out/: `techpack build`'s default output
PARALLEL_FROM = 24  # specs: fewer are loaded in this process, faster than starting workers
SPEC_KEY = re.compile(rb"^(?:\xef\xbb\xbf)?techpack[ \t]*:", re.MULTILINE)  # a top-level key (a UTF-8 BOM allowed first)


@dataclass
class Listing:
    """What `techpack list` found under folder: the valid specs' facts and the problems, both by path."""

    folder: Path
    specs: list[dict] = field(default_factory=list)
    problems: list[tuple[str, Problem]] = field(default_factory=list)  # (path relative to folder, problem)

    def to_dict(self) -> dict:
        return {
            "folder": self.folder.as_posix(),
            "specs": self.specs,
            "problems": [_problem_json(rel, p) for rel, p in self.problems],
        }

    def matrix(self) -> dict:
        """A GitHub Actions matrix, one job per valid spec: spec is its path as given from here
        (FOLDER/path), product its number, package the name of the zip its build writes."""
        return {
            "include": [
                {"spec": (PurePosixPath(self.folder.as_posix()) / s["path"]).as_posix(), "product": s["product"], "package": s["package"]}
                for s in self.specs
            ]
        }


def _problem_json(rel: str, p: Problem) -> dict:
    w = p.where if isinstance(p.where, Where) else Where(str(p.where))
    return {"file": rel, "line": w.line or None, "column": w.col or None, "key": p.key, "message": p.message, "detail": p.detail}


def _skipped(folder: os.DirEntry) -> bool:
    """A folder that holds no spec of the repository's own: tools, environments, build outputs."""
    path = Path(folder.path)
    return (
        folder.name in SKIPPED_FOLDERS
        or (path / "pyvenv.cfg").is_file()  # a virtual environment (venv, virtualenv)
        or (path / "conda-meta").is_dir()  # a conda environment
        or ((path / "manifest.json").is_file() and (path / "spec.yaml").is_file())  # an unzipped package: its spec copy
    )


def _claims_spec(path: Path) -> bool:
    """Whether the YAML file at path has a top-level `techpack:` key in its first SPEC_MAX_BYTES
    (a larger file that has one is still listed, and the loader says it is too big)."""
    with open(path, "rb") as f:
        return SPEC_KEY.search(f.read(SPEC_MAX_BYTES)) is not None


def _path_order(rel: str) -> list[str]:
    """Sorted folder by folder, as a tree lists them: plates/x.yaml before plates-copy/x.yaml."""
    return rel.split("/")


def find_specs(folder: Path) -> tuple[list[str], list[tuple[str, Problem]]]:
    """The paths (relative to folder, with /) of the files under folder that claim to be specs,
    sorted folder by folder; and what could not be read (a folder or YAML file: it might hold a spec)."""
    found: list[str] = []
    problems: list[tuple[str, Problem]] = []
    pending = [""]
    while pending:
        rel = pending.pop()
        try:
            with os.scandir(folder / rel) as it:
                entries = list(it)
        except OSError as exc:
            problems.append((rel or ".", Problem(Where(str(folder / rel)), "", f"cannot read the folder ({exc.strerror or exc}); its specs are not listed")))
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.is_symlink():
                continue
            sub = f"{rel}/{entry.name}" if rel else entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not _skipped(entry):
                        pending.append(sub)
                elif entry.is_file(follow_symlinks=False) and entry.name.lower().endswith(SPEC_SUFFIXES) and _claims_spec(Path(entry.path)):
                    found.append(sub)
            except OSError as exc:
                problems.append((sub, Problem(Where(str(folder / sub)), "", f"cannot read it ({exc.strerror or exc}), so cannot tell whether it is a spec")))
    return sorted(found, key=_path_order), problems


def load_facts(path: str) -> tuple[dict | None, Where | None, list[Problem]]:
    """Load one spec (here or in a worker): its facts and where its product number is, or its problems."""
    from techpack.spec import load_spec

    try:
        loaded = load_spec(path, selectors=False)  # CadQuery's selector parser: left to check and build
    except InputError as exc:
        return None, None, exc.problems
    spec = loaded.spec
    facts = {
        "product": spec.product.number,
        "name": spec.product.name,
        "revision": spec.product.revision,
        "parts": len(spec.parts),
        "hardware": len(spec.hardware),
        "package": package_name(spec.product),
    }
    return facts, loaded.where("product", "number"), []


def _load_all(paths: list[str], jobs: int) -> list:
    """load_facts of each path, in order: in worker processes when there are enough specs to
    pay for starting them (a spawned worker imports the loader in about 0.3 s; a spec's YAML
    takes some 30 ms to parse)."""
    if jobs <= 1 or len(paths) < PARALLEL_FROM:
        return [load_facts(p) for p in paths]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    workers = min(jobs, len(paths))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(load_facts, paths, chunksize=max(1, len(paths) // (4 * workers))))


def list_specs(folder: Path, jobs: int | None = None) -> Listing:
    """Every spec under folder, loaded (by `jobs` processes, default one per core): facts of the
    valid ones and the problems of the others, sorted by path. Two specs that would write the
    same package (same product number and revision, ignoring case) are a problem of the second:
    their zips and CI artifacts would collide."""
    if not folder.is_dir():
        what = "is a file" if folder.exists() else "no such folder"
        raise InputError(Problem(Where(str(folder)), "", f"{what}; give the folder to search for specs, e.g. techpack list ."))
    paths, problems = find_specs(folder)
    listing = Listing(folder, problems=problems)
    first: dict[str, str] = {}  # package name, case-folded -> the path of the first spec writing it
    loaded = _load_all([str(folder / rel) for rel in paths], jobs or os.cpu_count() or 1)
    for rel, (facts, number_at, spec_problems) in zip(paths, loaded):
        listing.problems += [(rel, p) for p in spec_problems]
        if facts is None:
            continue
        listing.specs.append({"path": rel, **facts})
        package = facts["package"]
        if package.casefold() in first:
            listing.problems.append((rel, Problem(
                number_at, "product.number",
                f"writes the package {package}.zip, as {first[package.casefold()]} does; give one of them another product number or revision",
            )))
        first.setdefault(package.casefold(), rel)
    listing.problems.sort(key=lambda rp: (_path_order(rp[0]), rp[1].where if isinstance(rp[1].where, Where) else Where(str(rp[1].where))))
    return listing


def register(main: click.Group, handle_errors) -> None:
    @main.command("list")
    @click.argument("folder", type=click.Path(path_type=Path), default=Path("."))
    @click.option("--format", "fmt", type=click.Choice(["json", "matrix"]), default="json", show_default=True,
                  help='matrix: {"include": [{"spec": ..., "product": ..., "package": ...}]} on one line, for a GitHub Actions matrix.')
    @click.option("--ignore-invalid", is_flag=True, help="Exit 0 even when a spec is invalid (it is still reported, and left out).")
    @click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
                  help=f"Processes loading the specs (default: one per core; one when there are fewer than {PARALLEL_FROM} specs).")
    @handle_errors
    def list_command(folder: Path, fmt: str, ignore_invalid: bool, jobs: int | None):
        """List the techpack specs under FOLDER (default: here), recursively, as JSON: path,
        product, name, revision, parts, hardware and package of each valid spec, and the
        problems of the invalid ones (exit 2 unless --ignore-invalid)."""
        listing = list_specs(folder, jobs)
        if fmt == "matrix":
            click.echo(json.dumps(listing.matrix(), ensure_ascii=False, separators=(",", ":")))
        else:
            click.echo(json.dumps(listing.to_dict(), indent=2, ensure_ascii=False))
        for _, p in listing.problems:
            click.secho("error: ", fg="red", bold=True, err=True, nl=False)
            click.echo(str(p), err=True)
        n, bad = len(listing.problems), len({rel for rel, _ in listing.problems})
        if n:
            click.echo(f"{n} problem{'s' if n != 1 else ''} in {bad} file{'s' if bad != 1 else ''}; "
                       f"listed the {len(listing.specs)} valid spec{'s' if len(listing.specs) != 1 else ''}.", err=True)
        elif not listing.specs:
            click.echo(f"no techpack spec under {folder} (a .yaml file with a top-level 'techpack:' key).", err=True)
        if n and not ignore_invalid:
            sys.exit(EXIT_INPUT)

"""The build cache (techpack/cache.py): an unchanged rebuild takes the package from the cache,
byte for byte, without importing CadQuery; a change to one kind of input rebuilds exactly
the parts it touches, and the package is then the same as one built without the cache; a
damaged entry is built again, never used; the cache stays under its size."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from techpack import cache as cache_module
from techpack.cache import Cache
from tests.conftest import BOX_SCRIPT, PRODUCT

HELPED = """
import os
import sys

sys.path.append(os.path.join(os.path.dirname(__file__), "lib"))

import cadquery as cq
import dims


def build():
    with open(os.path.join(os.path.dirname(__file__), "height.txt")) as f:
        height = float(f.read())
    return cq.Workplane("XY").box(dims.WIDTH, 20, height)
"""

PARTS = (
    "- {number: P1, name: One, model: models/box.py, params: {x: 11}, material: ABS, process: fdm, finish: [{paint: {ral: 9005}}]}\n"
    "- {number: P2, name: Two, model: models/box.py, params: {x: 12}, material: PLA, process: fdm}\n"
    "- {number: P3, name: Three, model: models/helped.py, material: ABS, process: fdm}"
)


@pytest.fixture
def lamp(project):
    project.write("models/box.py", BOX_SCRIPT)
    project.write("models/helped.py", HELPED)
    project.write("models/lib/dims.py", "WIDTH = 14.0\n")
    project.write("models/height.txt", "9\n")
    return project.spec(PARTS)


def _build(cli, spec: Path, out: Path, *extra: str) -> tuple[set[str], set[str], str]:
    """(parts built, parts from the cache, stderr) of one verbose build."""
    code, _, err = cli("build", spec, "-o", out, "-v", *extra)
    assert code == 0, err
    built = set(re.findall(r"^\[\d+/\d+\] (P\d) \S+ \(models/", err, re.M))
    cached = set(re.findall(r"^\[\d+/\d+\] (P\d) \S+: from the cache$", err, re.M))
    return built, cached, err


def _zips(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.zip"))}


def test_an_unchanged_rebuild_is_the_cached_package_byte_for_byte(lamp, tmp_path, cli, cache_folder):
    built, cached, _ = _build(cli, lamp, tmp_path / "a")
    assert built == {"P1", "P2", "P3"} and cached == set()
    built, cached, err = _build(cli, lamp, tmp_path / "b")
    assert built == set() and "the package is the cached one" in err
    assert _zips(tmp_path / "b") == _zips(tmp_path / "a") and len(_zips(tmp_path / "a")) >= 1
    _build(cli, lamp, tmp_path / "c", "--no-cache")
    assert _zips(tmp_path / "c") == _zips(tmp_path / "a")
    assert sorted(p.name for p in (cache_folder / "v1").iterdir()) == ["package", "part"]


def test_no_cache_neither_reads_nor_writes_it(lamp, tmp_path, cli, cache_folder):
    built, _, _ = _build(cli, lamp, tmp_path / "a", "--no-cache")
    assert built == {"P1", "P2", "P3"} and not (cache_folder / "v1").exists()


CHANGES = {
    "the model file": (lambda p: p.write("models/helped.py", HELPED.replace("dims.WIDTH, 20", "dims.WIDTH, 21")), {"P3"}),
    "a helper module it imports": (lambda p: p.write("models/lib/dims.py", "WIDTH = 15.0\n"), {"P3"}),
    "a data file it reads": (lambda p: p.write("models/height.txt", "10\n"), {"P3"}),
    "a parameter": (lambda p: p.spec(PARTS.replace("{x: 11}", "{x: 13}")), {"P1"}),
    "a part's spec field": (lambda p: p.spec(PARTS.replace("name: Two", "name: Deux")), {"P2"}),
    "a product field": (lambda p: p.spec(PARTS, product=PRODUCT.replace("Test product", "Other product")), {"P1", "P2", "P3"}),
    "a catalog entry one part uses": (lambda p: p.spec(PARTS, extra="catalog:\n  materials:\n    pla: {density_g_cm3: 1.3}\n"), {"P2"}),
    "a template of a part's documents": (lambda p: p.write("templates/finishing/handling.j2", "{# the user's own #}\nHandle with gloves.\n"), {"P1", "P2", "P3"}),
    "a template of the package's": (lambda p: p.write("templates/index.html.j2", "<!doctype html><title>{{ product.number }}</title>\n"), set()),
    "a template a part's template includes": (lambda p: (p.write("templates/finishing/handling.j2", "{% include 'mine/gloves.j2' %}\n"),
                                                        p.write("templates/mine/gloves.j2", "Handle with gloves.\n")), {"P1", "P2", "P3"}),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_rebuilds_exactly_the_parts_it_touches(project, lamp, tmp_path, cli, change):
    _build(cli, lamp, tmp_path / "a")
    edit, touched = CHANGES[change]
    edit(project)
    built, cached, _ = _build(cli, lamp, tmp_path / "b")
    assert built == touched and cached == {"P1", "P2", "P3"} - touched
    _build(cli, lamp, tmp_path / "c", "--no-cache")
    assert _zips(tmp_path / "b") == _zips(tmp_path / "c")  # the same package as without the cache
    assert _zips(tmp_path / "b") != _zips(tmp_path / "a")


def test_a_new_techpack_or_library_version_rebuilds_every_part(lamp, tmp_path, cli, monkeypatch):
    _build(cli, lamp, tmp_path / "a")
    monkeypatch.setattr(cache_module, "tool_digest", lambda: "another techpack")
    built, cached, _ = _build(cli, lamp, tmp_path / "b")
    assert built == {"P1", "P2", "P3"} and cached == set()


def _entry(cache_folder: Path, kind: str, part: str | None = None) -> Path:
    entries = [p for p in (cache_folder / "v1" / kind).glob("*/*") if p.is_dir()]
    if part is not None:
        entries = [p for p in entries if json.loads((p / "entry.json").read_text())["part"] == part]
    (entry,) = entries
    return entry


@pytest.mark.parametrize("damage", ["a file's bytes", "the result", "entry.json cut short", "entry.json gone"])
def test_a_damaged_part_entry_is_built_again_not_used(lamp, tmp_path, cli, cache_folder, damage):
    _build(cli, lamp, tmp_path / "a")
    entry = _entry(cache_folder, "part", "P2")
    if damage == "a file's bytes":
        (pdf,) = (entry / "files" / "out").rglob("*.pdf")
        pdf.write_bytes(pdf.read_bytes().replace(b"P2", b"P9", 1))
    elif damage == "the result":
        (entry / "files" / "result.pickle").write_bytes(b"\x80\x05not a pickle")
    elif damage == "entry.json cut short":
        (entry / "entry.json").write_text((entry / "entry.json").read_text()[:40])
    else:
        (entry / "entry.json").unlink()
    built, cached, _ = _build(cli, lamp, tmp_path / "b", "--no-suppliers")  # another package: its parts are looked up
    assert built == {"P2"} and cached == {"P1", "P3"}
    _build(cli, lamp, tmp_path / "c", "--no-suppliers", "--no-cache")
    assert _zips(tmp_path / "b") == _zips(tmp_path / "c")


def test_a_damaged_package_entry_is_built_again_not_used(lamp, tmp_path, cli, cache_folder):
    _build(cli, lamp, tmp_path / "a")
    entry = _entry(cache_folder, "package")
    (zipped,) = (entry / "files").glob("*.zip")
    zipped.write_bytes(zipped.read_bytes()[:-10])
    built, cached, err = _build(cli, lamp, tmp_path / "b")
    assert "the package is the cached one" not in err and cached == {"P1", "P2", "P3"}
    assert _zips(tmp_path / "b") == _zips(tmp_path / "a")


def test_a_rebuild_from_the_cache_does_not_import_cadquery(lamp, tmp_path):
    def run() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-X", "importtime", "-m", "techpack", "build", str(lamp), "-o", str(tmp_path / "out")],
                              capture_output=True, text=True, env=os.environ.copy())

    first = run()
    assert first.returncode == 0 and re.search(r"\| +cadquery$", first.stderr, re.M)
    second = run()
    assert second.returncode == 0 and "the package is the cached one" in second.stderr
    assert not re.search(r"\| +(cadquery|OCP)$", second.stderr, re.M)


ASSEMBLY = ("assembly:\n  number: T-000\n  name: Stack\n  place:\n"
            "    - {part: P1, at: [0, 0, 0]}\n    - {part: P2, at: [0, 0, 40]}\n    - {part: P3, at: [0, 40, 0]}\n")


def _git(folder: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    subprocess.run(["git", "-C", str(folder), *args], check=True, env=env, capture_output=True)


def test_a_new_commit_that_changes_no_input_builds_nothing_and_imports_no_cadquery(project, tmp_path, cache_folder):
    """The commit is printed on the cover, the workbook and the manifest, so the package is
    made again; every part, the assembly's overlap check and its STEP and picture come from the
    cache, and neither CadQuery nor OCCT is imported (a face selector CadQuery's parser reads
    included). The zips equal a build without the cache."""
    project.write("models/box.py", BOX_SCRIPT)
    project.write("models/helped.py", HELPED)
    project.write("models/lib/dims.py", "WIDTH = 14.0\n")
    project.write("models/height.txt", "9\n")
    rare = "features: [{name: top, select: {face: '>Z and %PLANE'}, flatness: 0.1}]"  # read by CadQuery's parser when a part is built
    spec = project.spec(PARTS.replace("finish: [{paint: {ral: 9005}}]}", f"finish: [{{paint: {{ral: 9005}}}}], {rare}}}"), extra=ASSEMBLY)
    assert rare in spec.read_text()
    _git(project.root, "init", "-q")
    _git(project.root, "add", "-A")
    _git(project.root, "commit", "-q", "-m", "first")

    def run(out: str, *extra: str) -> subprocess.CompletedProcess:
        proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "techpack", "build", str(spec), "-o", str(tmp_path / out), "-v", *extra],
                              capture_output=True, text=True, env=os.environ.copy())
        assert proc.returncode == 0, proc.stderr[-3000:]
        return proc

    run("a")
    project.write("NOTES.md", "not an input\n")
    _git(project.root, "add", "-A")
    _git(project.root, "commit", "-q", "-m", "second")
    second = run("b")
    assert "the package is the cached one" not in second.stderr
    assert sorted(re.findall(r"^\[\d+/\d+\] (P\d) \S+: from the cache$", second.stderr, re.M)) == ["P1", "P2", "P3"]
    assert "assembly: from the cache" in second.stderr
    assert not re.search(r"\| +(cadquery|OCP)$", second.stderr, re.M)
    run("c", "--no-cache")
    assert _zips(tmp_path / "b") == _zips(tmp_path / "c") != _zips(tmp_path / "a")
    with zipfile.ZipFile(tmp_path / "b" / "T-1_revA.zip") as zf:
        assert any(n.endswith("step/T-000_assembly_revA.step") for n in zf.namelist())


def test_the_cache_keeps_under_its_size_the_least_recently_used_going_first(tmp_path):
    small = Cache(tmp_path / "c", max_bytes=2500)
    src = tmp_path / "blob"
    src.write_bytes(b"x" * 1000)
    for n, k in enumerate(["a" * 64, "b" * 64, "c" * 64]):
        small.put("part", k, {"blob": src}, {"n": n})
        entry = small.root / "part" / k[:2] / k
        os.utime(entry, (1_000_000 + n, 1_000_000 + n))  # a before b before c
    stale = small.root / "part" / "dd" / ".dddddddddddd.x"  # a write a killed build left
    stale.mkdir(parents=True)
    os.utime(stale, (1_000_000, 1_000_000))
    small.prune()  # once a build, at its end
    assert not stale.exists()
    assert small.get("part", "a" * 64) is None  # the oldest went
    assert small.get("part", "b" * 64) is not None and small.get("part", "c" * 64) is not None


def test_an_entry_is_used_only_under_its_own_key(tmp_path):
    store = Cache(tmp_path / "c")
    src = tmp_path / "blob"
    src.write_bytes(b"one")
    store.put("part", "d" * 64, {"blob": src}, {})
    moved = store.root / "part" / "ee" / ("e" * 64)
    moved.parent.mkdir(parents=True)
    os.rename(store.root / "part" / "dd" / ("d" * 64), moved)
    assert store.get("part", "e" * 64) is None and not moved.exists()  # its entry.json names another key


def test_a_package_larger_than_an_email_attachment_is_warned_about_naming_its_largest_files(lamp, tmp_path, cli, monkeypatch):
    import zipfile

    from techpack import limits

    monkeypatch.setattr(limits, "EMAIL_MAX_BYTES", 50_000)
    for run in ("built", "cached"):  # said either way
        code, _, err = cli("build", lamp, "-o", tmp_path / run, "--no-suppliers")
        assert code == 0
        path = tmp_path / run / "T-1_revA.zip"
        with zipfile.ZipFile(path) as zf:
            largest = sorted(zf.infolist(), key=lambda i: (-i.compress_size, i.filename))[:3]
        named = ", ".join(f"{i.filename.split('/', 1)[-1]} ({limits.size_words(i.compress_size)})" for i in largest)
        assert (f"warning: T-1_revA.zip is {limits.size_words(path.stat().st_size)}, more than an e-mail attachment may usually be "
                f"({limits.size_words(50_000)}); its largest files: {named}.") in err
        assert largest[0].compress_size >= largest[1].compress_size >= largest[2].compress_size > 0
    monkeypatch.setattr(limits, "EMAIL_MAX_BYTES", 20 * 1024 * 1024)
    code, _, err = cli("build", lamp, "-o", tmp_path / "small", "--no-suppliers")
    assert code == 0 and "e-mail" not in err


def test_another_checkout_reads_its_own_helpers_not_the_first_ones(lamp, project, tmp_path, cli):
    """Two checkouts of one repository share the cache: a helper changed in the second only is
    that checkout's (an entry names the files a model read by their path in the repository)."""
    import shutil

    _build(cli, lamp, tmp_path / "a")
    other = tmp_path / "other"
    shutil.copytree(project.root, other)
    (other / "models" / "lib" / "dims.py").write_text("WIDTH = 17.0\n")
    built, cached, _ = _build(cli, other / "techpack.yaml", tmp_path / "b")
    assert built == {"P3"} and cached == {"P1", "P2"}
    shutil.rmtree(tmp_path / "a")
    _build(cli, lamp, tmp_path / "a")  # the first checkout still gets its own
    _build(cli, lamp, tmp_path / "c", "--no-cache")
    assert _zips(tmp_path / "a") == _zips(tmp_path / "c")


def test_a_file_the_script_looked_for_and_did_not_find_is_an_input(project, tmp_path, cli):
    project.write("models/box.py", BOX_SCRIPT)
    project.write("models/optional.py", (
        "import os\nimport cadquery as cq\n\ndef build():\n"
        "    try:\n        side = float(open(os.path.join(os.path.dirname(__file__), 'side.txt')).read())\n"
        "    except FileNotFoundError:\n        side = 10.0\n"
        "    return cq.Workplane().box(side, 10, 10)\n"))
    spec = project.spec("- {number: P1, name: One, model: models/box.py, material: ABS, process: fdm}\n"
                        "- {number: P2, name: Two, model: models/optional.py, material: ABS, process: fdm}")
    _build(cli, spec, tmp_path / "a")
    project.write("models/side.txt", "12\n")
    built, cached, _ = _build(cli, spec, tmp_path / "b")
    assert built == {"P2"} and cached == {"P1"}


def test_bytecode_and_libraries_are_not_a_scripts_inputs():
    import cadquery
    import numpy

    from techpack.geometry.script import _own

    assert not _own(numpy.__file__) and not _own(cadquery.__file__) and not _own(os.__file__)
    assert not _own("/repo/models/__pycache__/dims.cpython-311.pyc") and not _own("/repo/models/dims.pyc")
    assert _own("/repo/models/lib/dims.py") and _own("/repo/models/height.txt")

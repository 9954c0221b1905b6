"""Broken, careless and hostile inputs (issue 13): each is an input error, exit 2, with a message
in the user's terms naming the file, line, key or option; no traceback; nothing written (the
earlier package in the output folder byte for byte as it was); and for the injection cases,
nothing of the repository's ran."""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import click
import pytest
from click.testing import CliRunner

from techpack.errors import InputError, ModelError, SpecError
from tests.conftest import BOX_SCRIPT, PRODUCT

PART = "- {number: P-1, name: Box, model: models/box.py, material: PETG, process: fdm%s}"
EARLIER = b"PK\x05\x06 the earlier package, which no failed build may touch" + bytes(12)
PACKAGE = "T-1_revA.zip"


def refused(code: int, err: str, *words: str) -> None:
    """An input error: exit 2, every word in the message, no traceback."""
    assert code == 2, err
    assert "Traceback" not in err and "bug in techpack" not in err, err
    for word in words:
        assert word in err, f"{word!r} not in:\n{err}"


def box_project(project, part_extra: str = "", product: str = PRODUCT, script: str = BOX_SCRIPT, extra: str = "") -> Path:
    project.write("models/box.py", script)
    return project.spec(PART % part_extra, product=product, extra=extra)


def with_earlier_package(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PACKAGE).write_bytes(EARLIER)
    return folder


def assert_untouched(folder: Path) -> None:
    """Only the earlier package, byte for byte: no new zip, no temporary folder left."""
    assert sorted(p.name for p in folder.iterdir()) == [PACKAGE]
    assert (folder / PACKAGE).read_bytes() == EARLIER


def run_subprocess(*args: str, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "techpack", *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


@contextmanager
def tmpfs(path: Path, size_kb: int):
    """A small tmpfs mounted at path (root with CAP_SYS_ADMIN only; else the test is skipped)."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small file system needs root")
    path.mkdir(parents=True, exist_ok=True)
    got = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0755", "tmpfs", str(path)], capture_output=True, text=True)
    if got.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {got.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


# --- 1. the output folder ---------------------------------------------------------------------


@contextmanager
def read_only_folder(path: Path):
    """A folder holding the earlier package that this process cannot write to: chmod for a
    normal user; for root (who ignores permissions) a tmpfs remounted read-only."""
    if os.geteuid() != 0:
        with_earlier_package(path)
        path.chmod(0o555)
        try:
            yield path
        finally:
            path.chmod(0o755)
        return
    with tmpfs(path, 1024):
        with_earlier_package(path)
        got = subprocess.run(["mount", "-o", "remount,ro", str(path)], capture_output=True, text=True)
        if got.returncode != 0:
            pytest.skip(f"cannot remount read-only: {got.stderr.strip()}")
        yield path


def test_a_read_only_output_folder_is_refused_before_anything_is_built(project, cli, tmp_path):
    spec = box_project(project)
    with read_only_folder(tmp_path / "out") as out:
        code, _, err = cli("build", spec, "-o", out)
        refused(code, err, "-o", f"cannot write '{out}'", "not writable", "nothing was written")
        assert "P-1" not in err  # refused before any part was built
        assert_untouched(out)
        code, _, err = cli("build", spec, "-o", out / "sub")  # a folder to make inside it
        refused(code, err, f"the folder {out} is not writable")
        assert_untouched(out)


def test_a_full_output_folder_is_exit_2_and_keeps_the_earlier_package(project, cli, tmp_path):
    spec = box_project(project)
    with tmpfs(tmp_path / "full", 160) as out:
        with_earlier_package(out)
        (out / "filler").write_bytes(bytes(110 * 1024))  # room for the earlier package and a few kB
        before = sorted(p.name for p in out.iterdir())
        code, _, err = cli("build", spec, "-o", out)
        refused(code, err, "cannot write", "No space left on device")
        assert sorted(p.name for p in out.iterdir()) == before and (out / PACKAGE).read_bytes() == EARLIER


def test_schema_into_a_full_folder_is_exit_2(cli, tmp_path):
    with tmpfs(tmp_path / "full", 16) as out:
        (out / "filler").write_bytes(bytes(12 * 1024))
        code, _, err = cli("schema", "-o", out / "schema.json")
        refused(code, err, "cannot write", "No space left on device")


def test_an_output_folder_that_is_a_file_is_refused(project, cli, tmp_path):
    spec = box_project(project)
    out = with_earlier_package(tmp_path / "out")
    code, _, err = cli("build", spec, "-o", out / PACKAGE)
    refused(code, err, "'-o'", "is a file")
    assert_untouched(out)


def test_an_output_folder_under_a_file_is_refused(project, cli, tmp_path):
    spec = box_project(project)
    out = with_earlier_package(tmp_path / "out")
    code, _, err = cli("build", spec, "-o", out / PACKAGE / "sub")
    refused(code, err, "-o", f"{out / PACKAGE} is a file, so no folder can be made in it", "nothing was written")
    assert_untouched(out)


def test_an_output_folder_with_a_nul_is_refused(project, cli, tmp_path):
    spec = box_project(project)
    code, _, err = cli("build", spec, "-o", f"{tmp_path}/o\0ut")
    refused(code, err, "-o", "cannot write", "a path cannot hold a NUL character")
    assert not any(p.name.startswith("o") for p in tmp_path.iterdir())


def test_schema_into_a_missing_folder_is_refused(cli, tmp_path):
    code, _, err = cli("schema", "-o", tmp_path / "nowhere" / "schema.json")
    refused(code, err, f"cannot write {tmp_path / 'nowhere' / 'schema.json'}", f"the folder {tmp_path / 'nowhere'} does not exist")
    assert not (tmp_path / "nowhere").exists()


def test_only_an_oserror_about_the_outputs_is_an_input_error(tmp_path):
    """handle_errors maps an OSError about what the user asked to write (or a full disk, which
    names no file) to exit 2; any other OSError is still a bug, exit 3, with its traceback."""
    from techpack.cli import handle_errors
    from techpack.safety import output_problem

    out = tmp_path / "out"
    assert "Permission denied" in str(output_problem(PermissionError(errno.EACCES, "Permission denied", str(out / ".T-1_revA.x")), [out]))
    assert "No space left" in str(output_problem(OSError(errno.ENOSPC, "No space left on device"), [out]))
    assert output_problem(PermissionError(errno.EACCES, "Permission denied", "/etc/techpack.conf"), [out]) is None
    assert output_problem(OSError(errno.ENOSPC, "No space left on device"), []) is None
    assert output_problem(ConnectionResetError(errno.ECONNRESET, "reset"), [out]) is None

    @click.command()
    @click.option("-o", "out_dir", type=click.Path(path_type=Path))
    @click.option("--other", is_flag=True)
    @handle_errors
    def cmd(out_dir, other):
        target = "/etc/elsewhere" if other else str(out_dir / "x.zip")
        raise PermissionError(errno.EACCES, "Permission denied", target)

    got = CliRunner().invoke(cmd, ["-o", str(out)])
    refused(got.exit_code, got.stderr, f"cannot write {out / 'x.zip'}: Permission denied")
    got = CliRunner().invoke(cmd, ["-o", str(out), "--other"])
    assert got.exit_code == 3 and "Traceback" in got.stderr and "bug in techpack" in got.stderr


# --- 2. inputs that are not what they claim ----------------------------------------------------


def test_a_model_that_is_a_symlink_loop_is_refused(project, cli):
    spec = box_project(project)
    spec.write_text(spec.read_text().replace("models/box.py", "models/loop.py"))
    os.symlink("loop.py", project.root / "models" / "loop.py")
    code, _, err = cli("check", spec)
    refused(code, err, f"{spec}:", "parts[0].model", "'models/loop.py'", "symlink loop")


def test_a_model_path_with_a_nul_is_refused(project, cli):
    spec = box_project(project)
    spec.write_text(spec.read_text().replace("models/box.py", '"models/box\\0.py"'))
    code, _, err = cli("check", spec)
    refused(code, err, f"{spec}:", "parts[0].model", "U+0000 NUL")


def test_a_model_that_is_a_fifo_is_not_a_regular_file(project, cli):
    spec = box_project(project)
    spec.write_text(spec.read_text().replace("models/box.py", "models/pipe.py"))
    os.mkfifo(project.root / "models" / "pipe.py")
    code, _, err = cli("check", spec)
    refused(code, err, f"{spec}:", "parts[0].model", "'models/pipe.py' is a FIFO (named pipe), not a regular file")
    assert "not found" not in err


def test_a_spec_that_is_a_fifo_is_refused_without_waiting(project):
    fifo = project.root / "techpack.yaml"
    os.mkfifo(fifo)
    start = time.monotonic()
    got = run_subprocess("check", fifo, timeout=120)  # a blocking read would hang here
    refused(got.returncode, got.stderr, str(fifo), "is a FIFO (named pipe), not a regular file")
    assert time.monotonic() - start < 60


def test_a_spec_that_is_a_device_or_a_folder_is_refused(project, cli):
    code, _, err = cli("check", "/dev/zero")
    refused(code, err, "/dev/zero", "is a device, not a regular file")
    from techpack.spec import load_spec

    with pytest.raises(SpecError, match="is a folder"):
        load_spec(project.root)
    code, _, err = cli("check", project.root)
    refused(code, err, "is a directory")  # click's own check of SPEC


def test_a_spec_over_the_size_limit_is_refused_before_it_is_read(project, cli):
    spec = project.root / "techpack.yaml"
    with open(spec, "wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper, nothing to read quickly
    start = time.monotonic()
    code, _, err = cli("check", spec)
    refused(code, err, str(spec), "the spec is 50 MB; a spec is at most 4 MB")
    assert time.monotonic() - start < 10


def test_yaml_nested_300_deep_is_refused_with_its_place(project, cli):
    deep = "x-deep: " + "[" * 300 + "]" * 300 + "\n"
    spec = box_project(project, extra=deep)
    code, _, err = cli("check", spec)
    refused(code, err, f"{spec}:3:", "nested more than 32 levels deep")
    block = "x-deep:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 300)) + "  " * 300 + "v: 1\n"
    spec = box_project(project, extra=block)
    code, _, err = cli("check", spec)
    refused(code, err, f"{spec}:", "nested more than 32 levels deep")
    spec = box_project(project, ", params: {x: " + "{a: " * 40 + "1" + "}" * 40 + "}")  # deep, but within the parser
    code, _, err = cli("check", spec)
    refused(code, err, f"{spec}:4:", "parts[0].params.x ...", "nested more than 32 levels deep")


def test_model_timeout_that_is_not_whole_seconds_is_refused(project, cli, monkeypatch):
    from techpack.limits import model_timeout

    assert model_timeout({}) == 600 and model_timeout({"TECHPACK_MODEL_TIMEOUT": " 30 "}) == 30
    assert model_timeout({"TECHPACK_MODEL_TIMEOUT": "0"}) == 0
    for bad in ("abc", "1.5", "-3", "３０", "1e3"):
        with pytest.raises(InputError, match="TECHPACK_MODEL_TIMEOUT: must be whole seconds"):
            model_timeout({"TECHPACK_MODEL_TIMEOUT": bad})
    spec = box_project(project)
    monkeypatch.setenv("TECHPACK_MODEL_TIMEOUT", "abc")
    for command in ("check", "build"):
        code, _, err = cli(command, spec, *(["-o", project.root / "out"] if command == "build" else []))
        refused(code, err, "TECHPACK_MODEL_TIMEOUT: must be whole seconds", "got 'abc'")
        assert "P-1" not in err
    assert not (project.root / "out").exists()


def test_importing_the_script_runner_with_a_bad_timeout_does_not_crash():
    got = subprocess.run([sys.executable, "-c", "import techpack.geometry.script"], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "TECHPACK_MODEL_TIMEOUT": "abc"})
    assert got.returncode == 0, got.stderr


@pytest.mark.parametrize("epoch, words", [
    ("-1", "-1 is before 1970-01-01: a package's date is 1980-01-01 or later"),
    ("0", "0 is 1970-01-01: a package's date is 1980-01-01 or later"),
    ("１７６７２２５６００", "in the digits 0-9"),
    ("1767225600.5", "whole seconds"),
])
def test_source_date_epoch_a_zip_cannot_carry_is_refused(project, cli, monkeypatch, epoch, words):
    spec = box_project(project, product=PRODUCT.replace(", date: 2026-11-20", ""))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    code, _, err = cli("build", spec, "-o", with_earlier_package(project.root / "out"))
    refused(code, err, "SOURCE_DATE_EPOCH", words, "nothing was written")
    assert_untouched(project.root / "out")


def test_source_date_epoch_limits():
    from techpack.limits import source_date_epoch

    assert source_date_epoch({}) is None
    assert source_date_epoch({"SOURCE_DATE_EPOCH": "315532800"}) == dt.date(1980, 1, 1)
    assert source_date_epoch({"SOURCE_DATE_EPOCH": "1767225600"}) == dt.date(2026, 1, 1)
    for bad in ("315532799", "99999999999", "99999999999999999999", " 1767225600", "abc"):
        with pytest.raises(InputError, match="SOURCE_DATE_EPOCH"):
            source_date_epoch({"SOURCE_DATE_EPOCH": bad})


def test_a_product_date_a_zip_cannot_carry_is_refused(project, cli):
    spec = box_project(project, product=PRODUCT.replace("2026-11-20", "1975-06-01"))
    code, _, err = cli("check", spec)
    refused(code, err, f"{spec}:", "product.date", "1975-06-01: a package's date is 1980-01-01 or later")


# --- 3. names ----------------------------------------------------------------------------------


@pytest.mark.parametrize("revision, words", [
    ("A..", "two dots in a row are not allowed in a revision"),
    ("'A.'", "ends with a dot, which is not allowed in a revision"),
])
def test_a_revision_that_would_make_a_bad_file_name_is_refused(project, cli, revision, words):
    spec = box_project(project, product=PRODUCT.replace("revision: A", f"revision: {revision}"))
    code, _, err = cli("check", spec)
    refused(code, err, f"{spec}:2:", "product.revision", words)


def test_a_number_ending_with_a_dot_is_refused(project, cli):
    spec = box_project(project)
    spec.write_text(spec.read_text().replace("number: P-1,", "number: P-1.,"))
    code, _, err = cli("check", spec)
    refused(code, err, f"{spec}:4:", "parts[0].number", "ends with a dot")


@pytest.mark.parametrize("where, text, key", [
    ("product", 'name: "Test\\0product"', "product.name"),
    ("product", 'owner: "Test\\x1b[31mLtd"', "product.owner"),
    ("part", 'description: "bell\\a"', "parts[0].description"),
    ("supplier", 'name: "Shop\\0"', "suppliers.cnc.name"),
    ("catalog", 'title: "Acme\\0PU"', "catalog.materials.acme.title"),
    ("key", '"bad\\0key": 1', "parts[0].params.bad\\x00key"),
])
def test_control_characters_in_text_are_refused(project, cli, where, text, key):
    product, part, extra = PRODUCT, "", ""
    if where == "product":
        field = text.split(":")[0]
        product = PRODUCT.replace({"name": "name: Test product", "owner": "owner: Test Ltd"}[field], text)
    elif where == "part":
        part = ", " + text
    elif where == "supplier":
        part, extra = ", supplier: cnc", f"suppliers:\n  cnc: {{{text}}}\n"
    elif where == "catalog":
        extra = f"catalog:\n  materials:\n    acme: {{{text}, names: [Acme PU], family: polymer, density_g_cm3: 1.1, density_source: TDS, processes: [fdm]}}\n"
    else:
        part = f", params: {{{text}}}"
    spec = box_project(project, part, product=product, extra=extra)
    code, _, err = cli("check", spec)
    refused(code, err, f"{spec}:", key, "control character")
    assert err.count("control character") == 1, err  # said once, not again by the type check


def test_html_templates_are_autoescaped(project):
    """A control character is refused in the spec (above); what remains of a name is escaped in
    every HTML template: the environment techpack renders with autoescapes .html and .html.j2."""
    from techpack.templating import environment, render

    env = environment(project.root)
    assert all(env.autoescape(name) for name in ("index.html.j2", "changes.html.j2", "mine.html"))
    project.write("templates/mine.html.j2", "<p>{{ part }}</p>")
    assert render(environment(project.root), "mine.html.j2", part="<script>&") == "<p>&lt;script&gt;&amp;</p>"


@pytest.mark.parametrize("field, value", [("batch", "５０"), ("spares", "'５%'"), ("surface", "'Ra １.６'")])
def test_full_width_digits_where_a_number_is_expected_are_refused(project, cli, field, value):
    if field == "batch":
        spec = box_project(project, product=PRODUCT.replace("batch: 10", f"batch: {value}"))
        key = "product.batch"
    else:
        spec = box_project(project, f", {field}: {value}")
        key = f"parts[0].{field}"
    code, _, err = cli("check", spec)
    refused(code, err, f"{spec}:", key)
    assert "digits 0-9" in err


# --- 4. geometry that a spec or parameter makes impossible ---------------------------------------


@pytest.mark.parametrize("value, shown", [(".nan", "nan"), (".inf", "inf"), ("-.inf", "-inf")])
def test_a_parameter_that_is_not_finite_is_a_spec_error(project, cli, value, shown):
    spec = box_project(project, f", params: {{x: {value}}}")
    code, _, err = cli("check", spec)
    refused(code, err, f"{spec}:4:", "parts[0].params.x", f"parameter x is {shown}: give a finite number")
    assert "BRepCheck" not in err and "CAD program" not in err and "[1/1]" not in err  # before any geometry


def test_check_size_refuses_a_part_too_big_or_too_small():
    from techpack.limits import LIMITS, check_size

    part = SimpleNamespace(number="P-1", name="Box", model="models/box.py")
    check_size(part, (0, 0, 0, 100, 50, 2))  # a plate: fine
    check_size(part, (0.001, 0.001, 0.001))  # 1 µm: the smallest
    check_size(part, (10_000, 1, 1))  # 10 m: the largest
    with pytest.raises(ModelError, match=r"P-1 Box \('models/box.py'\) is 10 km x 10 km x 10 km; a part is at most 10 m"):
        check_size(part, (0, 0, 0, 1e7, 1e7, 1e7))
    with pytest.raises(ModelError, match=r"is 1 nm x 1 nm x 1 nm; a part is at least 1 µm"):
        check_size(part, (1e-6, 1e-6, 1e-6))
    with pytest.raises(ModelError) as info:
        check_size(part, (0, 0, 0, 100, 100, 0.0001), where="techpack.yaml:4:5", label="parts[0].model (P-1)")
    assert str(info.value.problems[0]).startswith("techpack.yaml:4:5: parts[0].model (P-1): P-1 Box")
    for limit in LIMITS.values():  # data with a reason per value (conventions.md)
        assert limit.unit and len(limit.reason) > 40


@pytest.mark.parametrize("size, words", [("10000000", "is 10 km x 10 km x 10 km; a part is at most 10 m"),
                                         ("0.000001", "is 1 nm x 1 nm x 1 nm; a part is at least 1 µm")])
def test_a_part_10_km_or_1_nm_in_size_is_a_clear_error(project, cli, size, words):
    spec = box_project(project, f", params: {{x: {size}, y: {size}, z: {size}}}")
    code, _, err = cli("check", spec)
    refused(code, err, f"{spec}:4:", "parts[0].model (P-1)", words)


def test_a_negative_size_in_a_script_is_said_in_words(project, cli):
    spec = box_project(project, ", params: {x: -5}")
    code, _, err = cli("check", spec)
    refused(code, err, f"{spec}:4:", "parts[0].model (P-1)",
            "'models/box.py' raised an error in build(): OCCT's Standard_DomainError (a geometric construction with impossible sizes, "
            "e.g. a negative or zero length)",
            "models/box.py:4, in build", "Standard_DomainError (no message)")


@pytest.mark.parametrize("script, words", [
    ("class Stop(BaseException):\n    pass\n\n\ndef build():\n    raise Stop('no')\n", "raised Stop in build(), which stops a program"),
    ("def build():\n    raise KeyboardInterrupt\n", "raised KeyboardInterrupt in build()"),
    ("def build():\n    raise GeneratorExit\n", "raised GeneratorExit in build()"),
    ("raise KeyboardInterrupt\n\n\ndef build():\n    pass\n", "raised KeyboardInterrupt on import"),
    ("import sys\n\n\ndef build():\n    sys.exit(0)\n", "called sys.exit(0) in build()"),
])
def test_a_base_exception_raised_by_a_script_is_a_model_error(project, cli, script, words):
    spec = box_project(project, script=script)
    code, _, err = cli("check", spec)
    refused(code, err, f"{spec}:4:", "parts[0].model (P-1)", "'models/box.py'", words)


# --- 5. templates --------------------------------------------------------------------------------


def test_a_template_symlinked_outside_the_repository_is_refused(project, cli, tmp_path):
    spec = box_project(project)
    secret = tmp_path / "secret.html.j2"
    secret.write_text("SECRET {{ 1 }}\n")
    (project.root / "templates").mkdir()
    os.symlink(secret, project.root / "templates" / "index.html.j2")
    out = with_earlier_package(tmp_path / "out")
    code, _, err = cli("build", spec, "-o", out)
    refused(code, err, str(project.root / "templates" / "index.html.j2"), f"leads to {secret}", "outside the spec's repository")
    assert "[1/1]" not in err  # refused when the templates are checked, before any geometry
    assert_untouched(out)


def test_a_templates_folder_symlinked_outside_is_refused_and_links_inside_are_fine(project, cli, tmp_path):
    from techpack.templating import environment, render

    box_project(project)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "index.html.j2").write_text("{{ 1 }}")
    os.symlink(outside, project.root / "templates")
    with pytest.raises(InputError, match="outside the spec's repository"):
        environment(project.root).get_template("index.html.j2")
    (project.root / "templates").unlink()
    (project.root / "templates").mkdir()
    (project.root / "shared.j2").write_text("inside {{ 1 + 1 }}")
    os.symlink(project.root / "shared.j2", project.root / "templates" / "mine.j2")
    assert render(environment(project.root), "mine.j2") == "inside 2"
    os.mkfifo(project.root / "templates" / "pipe.j2")
    with pytest.raises(InputError, match="is a FIFO"):
        render(environment(project.root), "pipe.j2")


PAYLOADS = [
    "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "{{ lipsum.__globals__['os'].popen('touch MARKER').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ joiner.__init__.__globals__.__builtins__['__import__']('os').system('touch MARKER') }}",
    "{% set x = namespace() %}{{ x.__class__.__init__.__globals__ }}",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_template_cannot_reach_python_internals(tmp_path, payload):
    from techpack.templating import environment, render

    (tmp_path / "templates").mkdir()
    marker = tmp_path / "MARKER"
    (tmp_path / "templates" / "evil.html.j2").write_text(payload.replace("MARKER", str(marker)))
    with pytest.raises(InputError) as info:
        render(environment(tmp_path), "evil.html.j2")
    assert "templates/evil.html.j2" in str(info.value) and "template refused" in str(info.value) and "unsafe" in str(info.value)
    assert not marker.exists()


def test_a_template_that_runs_a_command_is_exit_2_and_runs_nothing(project, cli, tmp_path):
    spec = box_project(project)
    marker = tmp_path / "pwned"
    project.write("templates/index.html.j2", f"<p>{{{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}}}</p>\n")
    out = with_earlier_package(tmp_path / "out")
    code, _, err = cli("build", spec, "-o", out)
    refused(code, err, "templates/index.html.j2:1:", "template refused", "Jinja's sandbox", "nothing was written")
    assert not marker.exists()
    assert_untouched(out)


# --- 6. git runs nothing of the repository's -----------------------------------------------------


def git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), "-c", "user.name=T", "-c", "user.email=t@example.com", *args],
                          capture_output=True, text=True, check=True)


def committed(project) -> Path:
    spec = box_project(project)
    git(project.root, "init", "-q")
    git(project.root, "add", ".")
    git(project.root, "commit", "-qm", "first")
    return spec


def restat(path: Path) -> None:
    """New times, same bytes: git status must look at the content again (where filters run)."""
    later = time.time() + 5
    os.utime(path, (later, later))


def hostile_script(root: Path, marker: Path, name: str, then: str = "exit 0") -> str:
    """A script in .git/ that leaves a marker when it runs, then does `then`."""
    path = root / ".git" / name
    path.write_text(f"#!/bin/sh\ntouch '{marker}'\n{then}\n")
    path.chmod(0o755)
    return str(path)


def test_git_fsmonitor_and_hooks_in_the_repository_do_not_run(project, cli, tmp_path):
    spec = committed(project)
    marker = tmp_path / "ran"
    git(project.root, "config", "core.fsmonitor", hostile_script(project.root, marker, "fsmonitor.sh"))
    hook = project.root / ".git" / "hooks" / "post-index-change"
    hook.write_text(f"#!/bin/sh\ntouch '{marker}'\n")
    hook.chmod(0o755)
    restat(project.root / "models" / "box.py")
    code, _, err = cli("check", spec)
    assert code == 0, err
    assert not marker.exists()
    subprocess.run(["git", "-C", str(project.root), "status"], capture_output=True)
    assert marker.exists()  # the same repository makes plain git run it: the test means something


@pytest.mark.parametrize("kind", ["clean", "process"])
def test_a_filter_driver_of_the_repository_does_not_run(project, cli, tmp_path, kind):
    spec = committed(project)
    marker = tmp_path / "ran"
    project.write(".gitattributes", "*.py filter=evil\n")
    git(project.root, "add", ".gitattributes")
    git(project.root, "commit", "-qm", "attributes")
    git(project.root, "config", f"filter.evil.{kind}", hostile_script(project.root, marker, "filter.sh", "cat" if kind == "clean" else "exit 1"))
    git(project.root, "config", "filter.evil.required", "true")
    restat(project.root / "models" / "box.py")
    code, _, err = cli("check", spec)
    assert code == 0, err
    assert not marker.exists()
    subprocess.run(["git", "-C", str(project.root), "status"], capture_output=True)
    assert marker.exists()


def test_git_archive_for_a_diff_runs_no_smudge_filter(project, tmp_path):
    from techpack.diff.sides import extracted, repository, resolve

    spec = committed(project)
    marker = tmp_path / "ran"
    project.write(".gitattributes", "*.py filter=evil\n")
    git(project.root, "add", ".gitattributes")
    git(project.root, "commit", "-qm", "attributes")
    git(project.root, "config", "filter.evil.smudge", hostile_script(project.root, marker, "smudge.sh", "cat"))
    top, _ = repository(spec)
    with extracted(top, resolve(top, "HEAD")) as tree:
        assert "def build" in (tree / "models" / "box.py").read_text()
    assert not marker.exists()
    subprocess.run(f"git -C '{project.root}' archive --format=tar HEAD > /dev/null", shell=True, capture_output=True)
    assert marker.exists()


def test_the_users_global_filters_are_kept(tmp_path, monkeypatch):
    """Only the repository's own drivers are switched off: git-lfs, set up in the user's global
    configuration, keeps working."""
    from techpack.safety import git_argv, repository_filters

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("GIT_CONFIG_GLOBAL", raising=False)
    (home / ".gitconfig").write_text("[filter \"lfs\"]\n\tclean = git-lfs clean -- %f\n")
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "filter.local.smudge", "evil")
    assert repository_filters(repo) == ["local"]
    argv = git_argv(repo, "status")
    assert "filter.local.smudge=" in argv and not any("lfs" in a for a in argv)
    assert argv[argv.index("core.fsmonitor=false") - 1] == "-c" and f"core.hooksPath={os.devnull}" in argv


# --- 7. the output never replaces an input; what killed builds left is removed -----------------


def test_refuse_overwriting_inputs(tmp_path):
    from techpack.safety import refuse_overwriting_inputs

    spec = tmp_path / PACKAGE
    spec.write_text("techpack: 1\n")
    model = tmp_path / "models" / "box.py"
    refuse_overwriting_inputs([spec, model], [tmp_path / "out" / PACKAGE])  # elsewhere: fine
    with pytest.raises(InputError) as info:
        refuse_overwriting_inputs([spec, model], [tmp_path / "T-1_revA_cnc.zip", tmp_path / PACKAGE])
    (problem,) = info.value.problems
    assert str(problem) == f"{spec}: is an input, and the build would write {tmp_path / PACKAGE} over it; rename the input or give another output folder (-o)"
    os.symlink(tmp_path, tmp_path / "link")  # the same folder by another name
    with pytest.raises(InputError):
        refuse_overwriting_inputs([spec], [tmp_path / "link" / PACKAGE])
    os.symlink(spec, tmp_path / "spec-link.yaml")  # the spec given through a link
    with pytest.raises(InputError):
        refuse_overwriting_inputs([tmp_path / "spec-link.yaml"], [tmp_path / PACKAGE])


def test_build_inputs_lists_spec_models_photos_and_templates(project):
    from techpack.safety import build_inputs
    from techpack.spec import load_spec

    spec = box_project(project)
    project.write("templates/index.html.j2", "x")
    loaded = load_spec(spec)
    inputs = build_inputs(loaded)
    assert loaded.path in inputs and project.root / "models" / "box.py" in inputs
    assert project.root / "templates" / "index.html.j2" in inputs


def test_a_spec_named_like_the_package_is_never_overwritten(project, cli):
    box_project(project)
    spec = project.root / PACKAGE
    (project.root / "techpack.yaml").rename(spec)
    before = spec.read_bytes()
    code, _, err = cli("build", spec, "-o", project.root)
    refused(code, err, str(spec), "is an input", "nothing was written")
    assert spec.read_bytes() == before
    assert not [p for p in project.root.iterdir() if p.name.startswith(".T-1_revA.")]


def _stale(out: Path, name: str = ".T-1_revA.abcd1234", age_s: float = 3600) -> Path:
    folder = out / name
    (folder / "T-1_revA").mkdir(parents=True)
    (folder / "T-1_revA" / "manifest.json").write_text("{}")
    then = time.time() - age_s
    os.utime(folder, (then, then))
    return folder


def test_remove_stale_removes_only_techpacks_own_leftovers(tmp_path):
    from techpack.safety import remove_stale, staging_folder

    out = with_earlier_package(tmp_path / "out")
    stale = _stale(out)
    fresh = _stale(out, ".T-1_revA.fresh123", age_s=0)  # just made by a build that has not locked it yet
    others = [_stale(out, n) for n in (".T-1_revB.abcd1234", ".T-1_revA.abc", ".T-1_revA.ABCD1234", "T-1_revA.abcd1234", ".T-1_revA.abcd12345")]
    (out / ".T-1_revA.file1234").write_text("a file, not a folder")
    target = tmp_path / "precious"
    target.mkdir()
    (target / "keep").write_text("mine")
    os.symlink(target, out / ".T-1_revA.link1234")
    with staging_folder(out, "T-1_revA") as live:
        os.utime(live, (time.time() - 3600,) * 2)
        removed = remove_stale(out, "T-1_revA")
        assert removed == [stale] and not stale.exists()
        assert live.is_dir()  # another build's, running: its lock is held
    assert not live.exists()  # removed when its build ends
    assert fresh.exists() and all(o.exists() for o in others)
    assert (out / ".T-1_revA.file1234").is_file() and (target / "keep").read_text() == "mine"
    assert (out / PACKAGE).read_bytes() == EARLIER


def test_remove_stale_removes_the_folder_of_a_killed_build(tmp_path):
    from techpack.safety import remove_stale

    out = tmp_path / "out"
    out.mkdir()
    code = textwrap.dedent(f"""
        import os, sys, time
        from pathlib import Path
        from techpack.safety import staging_folder
        with staging_folder(Path({str(out)!r}), "T-1_revA") as tmp:
            print(tmp, flush=True)
            time.sleep(600)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        tmp = Path(proc.stdout.readline().strip())
        assert tmp.is_dir() and remove_stale(out, "T-1_revA") == []  # running: kept
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert tmp.is_dir()  # SIGKILL left it behind
    assert remove_stale(out, "T-1_revA") == [tmp] and not tmp.exists()


def test_a_build_removes_what_killed_builds_left(project, cli, tmp_path):
    spec = box_project(project)
    out = tmp_path / "out"
    out.mkdir()
    stale = _stale(out)
    unrelated = _stale(out, ".T-1_revB.abcd1234")
    code, _, err = cli("build", spec, "-o", out)
    assert code == 0, err
    assert not stale.exists() and unrelated.exists()
    assert sorted(p.name for p in out.iterdir()) == [".T-1_revB.abcd1234", PACKAGE]

"""Parts built in worker processes: a model script that hangs however it tries (catching the
timeout, cancelling alarms), exits, or crashes the process is that part's error (exit 2,
naming the part and its file), never a hang, a false success or a traceback; Ctrl-C and
SIGTERM stop a build with 130 / 143 and leave the earlier package as it was; the package's
bytes do not depend on the number of workers. Each of these runs with the workers forked by
the forkserver (Linux's default) and spawned (as on macOS and Windows)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from techpack.build import build
from techpack.report import Reporter
from techpack.workers import Pool
from tests.conftest import BOX_SCRIPT, EXAMPLE

METHODS = ["forkserver", "spawn"]


@pytest.fixture(params=METHODS)
def method(request, monkeypatch) -> str:
    """How the workers are started (TECHPACK_START_METHOD), one test run each."""
    monkeypatch.setenv("TECHPACK_START_METHOD", request.param)
    return request.param

HANGS = {
    "catches the timeout": "def build():\n    while True:\n        try:\n            sum(range(10**6))\n        except Exception:\n            pass\n",
    "cancels alarms": "import signal\n\ndef build():\n    signal.alarm(0)\n    while True:\n        signal.alarm(0)\n",
    "sleeps in C": "import time\n\ndef build():\n    time.sleep(3600)\n",
}


def _project(project, script: str):
    project.write("models/box.py", BOX_SCRIPT)
    project.write("models/bad.py", script)
    return project.spec(
        "- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm}\n"
        "- {number: P2, name: Bad, model: models/bad.py, material: ABS, process: fdm}"
    )


def _earlier(project, spec, out: Path) -> bytes:
    """A package from a good build, which the failing build must leave as it was."""
    bad = project.root / "models" / "bad.py"
    script = bad.read_text()
    bad.write_text(BOX_SCRIPT)
    first = build(spec, out, Reporter(0), suppliers=False).zip_path.read_bytes()
    bad.write_text(script)
    return first


@pytest.mark.parametrize("case", sorted(HANGS))
def test_a_hanging_script_is_killed_at_its_time_limit(project, tmp_path, cli, monkeypatch, case, method):
    monkeypatch.setenv("TECHPACK_MODEL_TIMEOUT", "2")
    spec = _project(project, HANGS[case])
    out = tmp_path / "out"
    before = _earlier(project, spec, out)
    start = time.monotonic()
    code, _, err = cli("build", spec, "-o", out, "-q")
    assert time.monotonic() - start < 30
    assert code == 2 and "Traceback" not in err
    assert "parts[1].model" in err and "P2 Bad (models/bad.py)" in err
    assert "the model script 'models/bad.py' (TECHPACK_MODEL_TIMEOUT) ran past its 2 s limit and was stopped" in err
    assert (out / "T-1_revA.zip").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["T-1_revA.zip"]  # no temporary folder left


CRASHES = {
    "os._exit(0)": ("import os\n\ndef build():\n    os._exit(0)\n", "exited with code 0 before it finished"),
    "a segfault": ("import ctypes\n\ndef build():\n    ctypes.string_at(0)\n", "crashed (SIGSEGV)"),
}


@pytest.mark.parametrize("case", sorted(CRASHES))
def test_a_script_that_exits_or_crashes_the_worker_is_that_parts_error(project, tmp_path, cli, case, method):
    script, said = CRASHES[case]
    spec = _project(project, script)
    out = tmp_path / "out"
    before = _earlier(project, spec, out)
    for command in (("build", spec, "-o", out, "-q"), ("check", spec)):
        code, stdout, err = cli(*command)
        assert code == 2 and "Traceback" not in err, command
        assert f"P2 Bad (models/bad.py): the worker building it {said}" in err, err
    assert (out / "T-1_revA.zip").read_bytes() == before


def test_the_workers_are_forked_by_a_forkserver_on_linux_and_spawned_when_asked(monkeypatch):
    monkeypatch.delenv("TECHPACK_START_METHOD", raising=False)
    pool = Pool(1, Reporter(0))
    assert pool.context.get_start_method() == ("forkserver" if sys.platform.startswith("linux") else "spawn")
    monkeypatch.setenv("TECHPACK_START_METHOD", "spawn")
    assert Pool(1, Reporter(0)).context.get_start_method() == "spawn"


@pytest.mark.parametrize("value", ["fork", "Spawn", "threads"])
def test_a_start_method_that_is_not_forkserver_or_spawn_is_refused(project, tmp_path, cli, monkeypatch, value):
    project.write("models/box.py", BOX_SCRIPT)
    spec = project.spec("- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm}")
    monkeypatch.setenv("TECHPACK_START_METHOD", value)
    for command in (("build", spec, "-o", tmp_path / "out"), ("check", spec)):
        code, _, err = cli(*command)
        assert code == 2 and "Traceback" not in err
        assert f"error: TECHPACK_START_METHOD: must be forkserver or spawn here; got '{value}'" in err
    assert not (tmp_path / "out").exists()


def test_forkserver_is_refused_where_there_is_none():
    from techpack.errors import InputError
    from techpack.limits import start_method

    assert start_method({}, "darwin") == "spawn" and start_method({}, "win32") == "spawn"
    assert start_method({}, "linux") == "forkserver" and start_method({"TECHPACK_START_METHOD": "spawn"}, "linux") == "spawn"
    with pytest.raises(InputError, match="must be spawn here; got 'forkserver'"):
        start_method({"TECHPACK_START_METHOD": "forkserver"}, "darwin")


ENV_BOX = "import os\nimport cadquery as cq\n\ndef build():\n    return cq.Workplane().box(float(os.environ['TP_TEST_SIDE']), 10, 10)\n"


def test_a_worker_sees_the_environment_of_the_build_not_of_its_server(project, monkeypatch, method):
    """The forkserver started long before (the session's first build): a variable set since then
    reaches the model script, as it does a spawned worker."""
    from techpack.workers import shared

    project.write("models/env.py", ENV_BOX)
    spec = project.spec("- {number: P1, name: Env, model: models/env.py, material: ABS, process: fdm}")
    for side in (23.0, 31.0):  # the same pool both times: each build's own value
        monkeypatch.setenv("TP_TEST_SIDE", str(side))
        result = build(spec, project.root / f"out{side:.0f}", Reporter(0), pool=shared(2, Reporter(0)))
        assert result.parts[0].bbox_mm[0] == pytest.approx(side)


def _slow_spec(project) -> Path:
    project.write("models/box.py", BOX_SCRIPT)
    project.write("models/slow.py", "import time\n\ndef build():\n    time.sleep(60)\n")
    return project.spec(
        "- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm}\n"
        "- {number: P2, name: Slow, model: models/slow.py, material: ABS, process: fdm}"
    )


def _descendants(pid: int) -> set[int]:
    """Every process under pid (the workers are the forkserver's children, not the build's)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_and_sigterm_stop_the_build_and_keep_the_earlier_package(project, tmp_path, sig, code, method):
    spec = _slow_spec(project)
    out = tmp_path / "out"
    slow = project.root / "models" / "slow.py"
    script = slow.read_text()
    slow.write_text(BOX_SCRIPT)
    before = build(spec, out, Reporter(0), suppliers=False).zip_path.read_bytes()
    slow.write_text(script)
    proc = subprocess.Popen([sys.executable, "-m", "techpack", "build", str(spec), "-o", str(out), "-j", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(p.name.startswith(".T-1_revA.") for p in out.iterdir()):
        time.sleep(0.1)  # the build has made its temporary folder: the workers are at it
    time.sleep(1.0)
    under = _descendants(proc.pid)
    assert len(under) >= 2  # the two workers (and, with forkserver, their server)
    os.killpg(proc.pid, sig) if sig == signal.SIGINT else proc.send_signal(sig)  # Ctrl-C reaches the whole group
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    assert proc.returncode == code, err
    assert "Traceback" not in err and "nothing was written" in err
    assert (out / "T-1_revA.zip").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["T-1_revA.zip"]
    time.sleep(0.5)
    assert [pid for pid in under if _alive(pid)] == []  # the workers (and their server) went with it


def _many(project, n: int) -> Path:
    project.write("models/box.py", BOX_SCRIPT)
    parts = "\n".join(
        f"- {{number: P{k:02d}, name: Box {k}, model: models/box.py, params: {{x: {10 + k}, y: {20 + k % 7}, z: {5 + k % 5}}}, "
        f"material: ABS, process: fdm}}" for k in range(n)
    )
    return project.spec(parts)


def test_one_or_two_workers_give_the_same_bytes(project, tmp_path, example_package, monkeypatch):
    """One worker forked, two spawned: the same bytes (the session's build forked one per core)."""
    for spec in (EXAMPLE, _many(project, 40)):
        monkeypatch.setenv("TECHPACK_START_METHOD", "forkserver")
        with Pool(1, Reporter(0)) as pool:
            one = build(spec, tmp_path / f"{spec.parent.name}-1", Reporter(0), pool=pool)
        monkeypatch.setenv("TECHPACK_START_METHOD", "spawn")
        with Pool(2, Reporter(0)) as pool:
            assert pool.context.get_start_method() == "spawn"
            two = build(spec, tmp_path / f"{spec.parent.name}-2", Reporter(0), pool=pool)
        assert one.zip_path.read_bytes() == two.zip_path.read_bytes(), spec
        assert [p.read_bytes() for p in one.supplier_zips] == [p.read_bytes() for p in two.supplier_zips]
        if spec == EXAMPLE:  # and the same as the session's build (one per core)
            assert one.zip_path.read_bytes() == example_package.zip_path.read_bytes()
        else:
            with zipfile.ZipFile(one.zip_path) as zf:
                assert sum(n.endswith(".step") for n in zf.namelist()) == 40


def test_a_step_file_that_crashes_occt_is_that_parts_error(project, tmp_path, cli, method):
    from tests.geometry.test_stepfile import crashing_step

    project.write("models/box.py", BOX_SCRIPT)
    crashing_step(project.root / "models" / "bad.step")
    spec = project.spec(
        "- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm}\n"
        "- {number: P2, name: Bad, model: models/bad.step, material: ABS, process: fdm}"
    )
    for command in (("build", spec, "-o", tmp_path / "out", "-q"), ("check", spec, "--format", "json")):
        code, out, err = cli(*command)
        assert code == 2 and "Traceback" not in err, command
        assert "parts[1].model" in err and "P2 Bad (models/bad.step): the worker building it crashed (SIGSEGV): OCCT failed inside on this model" in err
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("guarded", [False, True])
def test_a_script_calling_build_needs_the_main_guard_and_is_told_so(project, method, guarded):
    """Python starts each worker by running the calling program again: without the guard the
    workers cannot start, and the error says why instead of blaming a part."""
    project.write("models/box.py", BOX_SCRIPT)
    project.spec("- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm}")
    call = "build('techpack.yaml', 'out', Reporter(0), suppliers=False)"
    body = f"if __name__ == '__main__':\n    {call}\n" if guarded else call + "\n"
    project.write("run.py", "from techpack.build import build\nfrom techpack.report import Reporter\n\n" + body)
    run = subprocess.run([sys.executable, "run.py"], cwd=project.root, capture_output=True, text=True, timeout=120)
    if guarded:
        assert run.returncode == 0, run.stderr[-2000:]
        assert (project.root / "out" / "T-1_revA.zip").is_file()
    else:
        assert run.returncode != 0 and not (project.root / "out" / "T-1_revA.zip").exists()
        assert ("before it could run techpack: Python starts each worker by running again the program that started the build, "
                "so a script that calls techpack itself must do so under `if __name__ == \"__main__\":`") in run.stderr

"""Run a CadQuery script's build(**params) and take the shape it returns.

The contract: the script defines `build(**params)` (keyword arguments with
defaults, lengths in the product's units) and returns a cadquery.Workplane or
Shape holding one solid. Its folder is importable while it runs, so it can
import helper modules kept beside it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import os
import signal
import sys
import traceback
from pathlib import Path
from typing import Any

import cadquery as cq

from techpack.errors import ModelError, Problem
from techpack.words import did_you_mean


TIMEOUT_S = int(os.environ.get("TECHPACK_MODEL_TIMEOUT", "600"))  # a script taking longer is stopped


class _Timeout(Exception):
    pass


@contextlib.contextmanager
def _sandbox(folder: Path):
    """While a script runs: its folder importable, and afterwards the working directory,
    sys.path and the helper modules it imported from its folder put back, so scripts
    cannot affect each other (two folders may each have a helpers.py); a time limit on
    the main thread."""
    cwd, path, modules = os.getcwd(), list(sys.path), set(sys.modules)
    sys.path.insert(0, str(folder))
    timed = hasattr(signal, "SIGALRM") and TIMEOUT_S > 0 and threading_main()
    if timed:
        def stop(signum, frame):
            raise _Timeout

        previous = signal.signal(signal.SIGALRM, stop)
        signal.alarm(TIMEOUT_S)
    try:
        yield
    finally:
        if timed:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        os.chdir(cwd)
        sys.path[:] = path
        for name in set(sys.modules) - modules:  # the script's own helpers, not libraries it loaded
            file = getattr(sys.modules[name], "__file__", None)
            if file and Path(file).resolve().is_relative_to(folder.resolve()):
                del sys.modules[name]


def threading_main() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def run(path: Path, params: dict[str, Any], params_where, where, label: str, rel: str) -> tuple[cq.Shape, dict[str, list[cq.Face]]]:
    """Import the script at path, call build(**params) and return its shape and the faces
    it tagged by name (`.faces(">Z").tag("top")`: what a spec feature's `select: {name: top}` means)."""
    with _sandbox(path.parent):
        module = _import(path, where, label, rel)
        build = getattr(module, "build", None)
        if not callable(build):
            raise ModelError(
                Problem(where, label, f"'{rel}' has no build() function; define build(**params) returning a cadquery.Workplane")
            )
        _check_params(build, params, params_where, label.replace(".model", ".params"), rel)
        try:
            result = build(**params)
        except _Timeout:
            raise ModelError(Problem(where, label, f"'{rel}' took more than {TIMEOUT_S} s and was stopped (TECHPACK_MODEL_TIMEOUT sets the limit)")) from None
        except SystemExit as exc:
            raise ModelError(Problem(where, label, f"'{rel}' called sys.exit({exc.code!r}) in build(); return the shape instead")) from None
        except Exception as exc:  # the user's code: any error is theirs to see
            raise ModelError(Problem(where, label, f"'{rel}' raised an error in build()", _script_lines(exc, path, rel))) from None
    return _to_shape(result, where, label, rel), _tagged_faces(result)


def _tagged_faces(result: Any) -> dict[str, list[cq.Face]]:
    """The faces on each tagged Workplane of the script's chain, by tag."""
    if not isinstance(result, cq.Workplane):
        return {}
    out = {}
    for name, tagged in result.ctx.tags.items():
        faces = [v for v in tagged.vals() if isinstance(v, cq.Face)]
        if faces:
            out[name] = faces
    return out


def _import(path: Path, where, label: str, rel: str):
    spec = importlib.util.spec_from_file_location(f"techpack_model_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise ModelError(
            Problem(where, label, f"'{rel}' is not valid Python", f"{rel}:{exc.lineno}:{exc.offset}: {exc.msg}")
        ) from None
    except _Timeout:
        raise ModelError(Problem(where, label, f"'{rel}' took more than {TIMEOUT_S} s to import and was stopped")) from None
    except SystemExit as exc:
        raise ModelError(Problem(where, label, f"'{rel}' called sys.exit({exc.code!r}) on import; a model script only defines build()")) from None
    except Exception as exc:
        raise ModelError(Problem(where, label, f"'{rel}' raised an error on import", _script_lines(exc, path, rel))) from None
    return module


def _check_params(build, params: dict[str, Any], where, label: str, rel: str) -> None:
    sig = inspect.signature(build)
    if any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values()):
        return
    accepted = [n for n, p in sig.parameters.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    problems = [
        Problem(where, label, f"build() in '{rel}' takes no parameter '{k}'{did_you_mean(k, accepted)} (it takes: {', '.join(accepted) or 'none'})")
        for k in params
        if k not in accepted
    ]
    missing = [
        n
        for n, p in sig.parameters.items()
        if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and n not in params
    ]
    if missing:
        problems.append(Problem(where, label, f"build() in '{rel}' needs parameters with no default: {', '.join(missing)}; give them in params"))
    if problems:
        raise ModelError(problems)


def _script_lines(exc: BaseException, path: Path, rel: str) -> str:
    """The script's own lines from the traceback, and the error itself."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == path]
    lines = [f"{rel}:{f.lineno}, in {f.name}: {f.line}" for f in frames]
    lines.append(f"{type(exc).__name__}: {exc}")
    return "\n".join(lines)


def _to_shape(result: Any, where, label: str, rel: str) -> cq.Shape:
    if isinstance(result, cq.Workplane):
        shapes = [v for v in result.vals() if isinstance(v, cq.Shape)]
        if not shapes:
            raise ModelError(Problem(where, label, f"build() in '{rel}' returned a Workplane with no shape on its stack"))
        return shapes[0] if len(shapes) == 1 else cq.Compound.makeCompound(shapes)
    if isinstance(result, cq.Shape):
        return result
    if isinstance(result, cq.Assembly):
        return result.toCompound()
    raise ModelError(
        Problem(where, label, f"build() in '{rel}' returned {type(result).__name__}; return a cadquery.Workplane or Shape")
    )

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
import site
import sys
import sysconfig
import traceback
from pathlib import Path
from typing import Any

import cadquery as cq

from techpack import workers
from techpack.errors import ModelError, Problem
from techpack.limits import model_timeout
from techpack.words import did_you_mean




LIBRARIES = tuple(sorted(
    {os.path.realpath(p) + os.sep for k, p in sysconfig.get_paths().items() if k in ("stdlib", "platstdlib", "purelib", "platlib")}
    | {os.path.realpath(p) + os.sep for p in (*site.getsitepackages(), site.getusersitepackages())}
    | {os.path.realpath(Path(__file__).parents[1]) + os.sep}  # and techpack itself (an editable install is outside them)
))
_READING: list[set[str]] = []  # while a script runs: the files it reads (an audit hook adds to the innermost)


def _audit(event: str, args: tuple) -> None:
    if _READING and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)) and not (args[2] & (os.O_WRONLY | os.O_RDWR)):
        _READING[-1].add(os.path.realpath(os.fsdecode(args[0])))  # now: the script may change folder


def _own(file: str | None) -> bool:
    """Whether a module or data file is the repository's: not Python's, an installed library's
    or techpack's, and not compiled bytecode (__pycache__, made again from its source)."""
    if not file:
        return False
    real = os.path.realpath(file)
    return not real.startswith(LIBRARIES) and "__pycache__" not in Path(real).parts and not real.endswith((".pyc", ".pyo"))


@contextlib.contextmanager
def _sandbox(folder: Path, rel: str, read: set[str]):
    """While a script runs: its folder importable, and afterwards the working directory,
    sys.path and the modules it imported that are not Python's or an installed library's
    (its helpers, wherever they are) put back, so scripts cannot affect each other (two
    folders may each have a helpers.py). `read` gets every file the script read besides
    itself: its helpers and the data files it opened (for the cache's key). In a build's
    worker the script is under a wall-clock limit the main process keeps: past it the
    worker is killed (a script cannot catch or cancel that)."""
    if not _AUDITING:
        sys.addaudithook(_audit)  # once per process: an audit hook cannot be removed
        _AUDITING.append(True)
    cwd, path, modules = os.getcwd(), list(sys.path), set(sys.modules)
    sys.path.insert(0, str(folder))
    _READING.append(set())
    try:
        with workers.guarded("model", model_timeout(), f"the model script '{rel}' (TECHPACK_MODEL_TIMEOUT)", clock="wall"):
            yield
    finally:
        opened = _READING.pop()
        os.chdir(cwd)
        sys.path[:] = path
        for name in set(sys.modules) - modules:  # the script's own helpers, not libraries it loaded
            file = getattr(sys.modules[name], "__file__", None)
            if _own(file):
                read.add(os.path.realpath(file))
                if file.endswith(".py"):  # imported again by the next script (a compiled module stays: reloading it is unsafe)
                    del sys.modules[name]
        read.update(f for f in opened if _own(f))  # a file it looked for and did not find too: its absence is an input


_AUDITING: list[bool] = []


def run(path: Path, params: dict[str, Any], params_where, where, label: str, rel: str) -> tuple[cq.Shape, dict[str, list[cq.Face]], tuple]:
    """Import the script at path, call build(**params) and return its shape, the faces
    it tagged by name (`.faces(">Z").tag("top")`: what a spec feature's `select: {name: top}` means)
    and the files it read or looked for besides itself (its helper modules and data files), each
    with its sha-256 as it is now (None: not there), sorted."""
    read: set[str] = set()
    with _sandbox(path.parent, rel, read):
        module = _import(path, where, label, rel)
        build = getattr(module, "build", None)
        if not callable(build):
            raise ModelError(
                Problem(where, label, f"'{rel}' has no build() function; define build(**params) returning a cadquery.Workplane")
            )
        _check_params(build, params, params_where, label.replace(".model", ".params"), rel)
        try:
            result = build(**params)
        except SystemExit as exc:
            raise ModelError(Problem(where, label, f"'{rel}' called sys.exit({exc.code!r}) in build(); return the shape instead")) from None
        except Exception as exc:  # the user's code: any error is theirs to see
            raise ModelError(Problem(where, label, f"'{rel}' raised an error in build(){_occt_words(exc)}", _script_lines(exc, path, rel))) from None
        except BaseException as exc:  # KeyboardInterrupt, GeneratorExit or a BaseException of its own, raised by the script
            if _interrupt(exc):
                raise
            raise ModelError(Problem(where, label, f"'{rel}' raised {type(exc).__name__} in build(), which stops a program; raise an Exception "
                                     "(ValueError, say) to report an error", _script_lines(exc, path, rel))) from None
    read.discard(os.path.realpath(path))
    from techpack.cache import file_digest

    return _to_shape(result, where, label, rel), _tagged_faces(result), tuple((f, file_digest(f)) for f in sorted(read))


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
    except SystemExit as exc:
        raise ModelError(Problem(where, label, f"'{rel}' called sys.exit({exc.code!r}) on import; a model script only defines build()")) from None
    except Exception as exc:
        raise ModelError(Problem(where, label, f"'{rel}' raised an error on import{_occt_words(exc)}", _script_lines(exc, path, rel))) from None
    except BaseException as exc:  # KeyboardInterrupt, GeneratorExit or a BaseException of its own, raised by the script
        if _interrupt(exc):
            raise
        raise ModelError(Problem(where, label, f"'{rel}' raised {type(exc).__name__} on import, which stops a program; a model script only defines build()",
                                 _script_lines(exc, path, rel))) from None
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


# OCCT's exceptions, which often carry no message, in words (what usually causes each in a script)
OCCT_ERRORS = {
    "Standard_DomainError": "a geometric construction with impossible sizes, e.g. a negative or zero length",
    "Standard_ConstructionError": "a geometric construction OCCT cannot make, e.g. a circle of negative radius or two points that coincide",
    "Standard_NumericError": "a calculation with impossible numbers, e.g. an infinite or nan size",
    "Standard_RangeError": "a value or index out of its range",
    "Standard_OutOfRange": "a value or index out of its range",
    "Standard_NullObject": "an operation on an empty shape, e.g. a selection that matched nothing",
    "Standard_NoSuchObject": "an operation on an empty shape, e.g. a selection that matched nothing",
    "StdFail_NotDone": "an operation OCCT could not complete, e.g. a fillet larger than its faces allow, or a boolean of faces that only touch",
}


def _is_occt(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("OCP.")


def _occt_words(exc: BaseException) -> str:
    """For OCCT's exceptions ": OCCT's Standard_DomainError (a geometric construction ...)", else ""."""
    if not _is_occt(exc):
        return ""
    name = type(exc).__name__
    meaning = OCCT_ERRORS.get(name, "an error in OCCT, the geometry kernel under CadQuery")
    return f": OCCT's {name} ({meaning})"


def _interrupt(exc: BaseException) -> bool:
    """exc is a real Ctrl-C (in the main process, where SIGINT raises KeyboardInterrupt), not one
    the script raised: the build's to handle. A worker ignores SIGINT, so there it is the script's."""
    return isinstance(exc, KeyboardInterrupt) and not workers.in_worker()


def _script_lines(exc: BaseException, path: Path, rel: str) -> str:
    """The script's own lines from the traceback, and the error itself."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == path]
    lines = [f"{rel}:{f.lineno}, in {f.name}: {f.line}" for f in frames]
    text = str(exc).strip()
    lines.append(f"{type(exc).__name__}: {text}" if text else f"{type(exc).__name__} (no message)")
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

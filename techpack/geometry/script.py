"""Run a CadQuery script's build(**params) and take the shape it returns.

The contract: the script defines `build(**params)` (keyword arguments with
defaults, lengths in the product's units) and returns a cadquery.Workplane or
Shape holding one solid. Its folder is importable while it runs, so it can
import helper modules kept beside it.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
import traceback
from pathlib import Path
from typing import Any

import cadquery as cq

from techpack.errors import ModelError, Problem
from techpack.spec.words import did_you_mean


def run(path: Path, params: dict[str, Any], params_where: str, where: str, label: str, rel: str) -> cq.Shape:
    """Import the script at path, call build(**params) and return its shape."""
    module = _import(path, where, label, rel)
    build = getattr(module, "build", None)
    if not callable(build):
        raise ModelError(
            Problem(where, label, f"'{rel}' has no build() function; define build(**params) returning a cadquery.Workplane")
        )
    _check_params(build, params, params_where, label.replace(".model", ".params"), rel)
    try:
        result = build(**params)
    except Exception as exc:  # the user's code: any error is theirs to see
        raise ModelError(Problem(where, label, f"'{rel}' raised an error in build()", _script_lines(exc, path, rel))) from None
    return _to_shape(result, where, label, rel)


def _import(path: Path, where: str, label: str, rel: str):
    name = f"techpack_model_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise ModelError(
            Problem(where, label, f"'{rel}' is not valid Python", f"{rel}:{exc.lineno}:{exc.offset}: {exc.msg}")
        ) from None
    except Exception as exc:
        raise ModelError(Problem(where, label, f"'{rel}' raised an error on import", _script_lines(exc, path, rel))) from None
    finally:
        sys.path.remove(str(path.parent))
    return module


def _check_params(build, params: dict[str, Any], where: str, label: str, rel: str) -> None:
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


def _to_shape(result: Any, where: str, label: str, rel: str) -> cq.Shape:
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

"""techpack's own limits on its inputs, each with the reason for its value, and the checks
that apply them: the spec's size and nesting, a part's size, and the environment variables
techpack reads (TECHPACK_MODEL_TIMEOUT, TECHPACK_START_METHOD, SOURCE_DATE_EPOCH).

These are not manufacturing limits (those are in the catalog, per process); they keep a
careless or hostile input from hanging a build, crashing OCCT or making a package that
cannot be written, and turn it into an input error that says what and where.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from dataclasses import dataclass
from typing import Any

from techpack.errors import InputError, ModelError, Problem


@dataclass(frozen=True)
class Limit:
    """One limit: its value, the unit of the value, and why it is that value."""

    value: float
    unit: str
    reason: str


LIMITS: dict[str, Limit] = {
    "spec_bytes": Limit(
        4 * 1024 * 1024, "bytes",
        "the bundled example (6 parts, 11 hardware items, a catalog section) is 9 kB, so a spec of 500 parts is under 1 MB; "
        "4 MB leaves room for that and stops a 50 MB file, which took minutes to parse, before it is read",
    ),
    "spec_depth": Limit(
        32, "levels",
        "the deepest key of a spec (parts[].features[].perpendicularity.datums[]) is 5 levels down, params a few more; "
        "ruamel.yaml recurses per level and overflows Python's stack at about 250",
    ),
    "part_min_mm": Limit(
        0.001, "mm",
        "1 µm: the DFM probe starts its rays 0.001 mm off a face (geometry/tolerance.py RAY_LIFT_MM), so nothing thinner can "
        "be measured; measured: a 0.1 µm cube still builds, a 0.01 µm cube fails in OCCT's mesher (Standard_NumericError)",
    ),
    "part_max_mm": Limit(
        10_000, "mm",
        "10 m: more than ten times every build envelope in the catalog (the largest is 762 mm, vacuum casting) and than the "
        "parts the catalog's machining and sheet processes make; the drawings' largest sheet and scale (A0 at 1:50) hold "
        "about that much: measured, a 10 m cube builds and a 100 m cube 'does not fit an A0 sheet at 1:50'. A bigger part "
        "is a unit slip (a model in µm, or inches read as mm)",
    ),
    "model_timeout_s": Limit(
        600, "s",
        "the default of TECHPACK_MODEL_TIMEOUT: a CadQuery script builds a part in seconds; ten minutes is a runaway loop",
    ),
    "email_bytes": Limit(
        20 * 1024 * 1024, "bytes",
        "the largest attachment e-mail services usually accept: Outlook.com takes 20 MB, Gmail 25 MB (their help pages), and "
        "company mail servers are often set lower; a package above it is warned about, since it is the zip a designer e-mails",
    ),
    "date_min": Limit(
        dt.date(1980, 1, 1).toordinal(), "date",
        "the earliest date a zip entry can carry (MS-DOS date, PKWARE APPNOTE 4.4.6): an earlier date could not be the "
        "package's, and every file in it is dated with the build's day",
    ),
    "date_max": Limit(
        dt.date(2107, 12, 31).toordinal(), "date",
        "the latest date a zip entry can carry (MS-DOS date: 7 bits of years from 1980)",
    ),
}

SPEC_MAX_BYTES = int(LIMITS["spec_bytes"].value)
SPEC_MAX_DEPTH = int(LIMITS["spec_depth"].value)
PART_MIN_MM = LIMITS["part_min_mm"].value
PART_MAX_MM = LIMITS["part_max_mm"].value
MODEL_TIMEOUT_DEFAULT_S = int(LIMITS["model_timeout_s"].value)
EMAIL_MAX_BYTES = int(LIMITS["email_bytes"].value)
DATE_MIN = dt.date.fromordinal(int(LIMITS["date_min"].value))
DATE_MAX = dt.date.fromordinal(int(LIMITS["date_max"].value))

ASCII_DIGITS = re.compile(r"[0-9]+")  # not \d: Python's int() also reads '５０' (full-width) and other scripts' digits


def size_words(n_bytes: int) -> str:
    """1536 -> '1.5 kB', 52428800 -> '50 MB' (1 kB = 1024 bytes, as `ls -h`)."""
    for unit, size in (("MB", 1024 * 1024), ("kB", 1024)):
        if n_bytes >= size:
            value = n_bytes / size
            return f"{value:.0f} {unit}" if value >= 10 or value == int(value) else f"{value:.1f} {unit}"
    return f"{n_bytes} bytes"


# --- environment variables ---------------------------------------------------------------


def model_timeout(environ: dict[str, str] | None = None) -> int:
    """Seconds a model script may run (0: no limit), from TECHPACK_MODEL_TIMEOUT, default 600.
    Raises InputError for anything but whole seconds in ASCII digits."""
    environ = os.environ if environ is None else environ
    text = environ.get("TECHPACK_MODEL_TIMEOUT")
    if text is None or text.strip() == "":
        return MODEL_TIMEOUT_DEFAULT_S
    if not ASCII_DIGITS.fullmatch(text.strip()):
        raise InputError(Problem("TECHPACK_MODEL_TIMEOUT", "", f"must be whole seconds, e.g. 600 (0 for no limit); got {text!r}"))
    return int(text.strip())


START_METHODS = ("forkserver", "spawn")  # never plain fork: a forked copy of a process with threads and OCCT's state is unsafe


def start_method(environ: dict[str, str] | None = None, platform: str | None = None) -> str:
    """How worker processes are started, from TECHPACK_START_METHOD: "forkserver" (the default on
    Linux: one process imports CadQuery and forks each worker from it) or "spawn" (each worker a
    fresh Python that imports CadQuery itself; the default, and the only way, on macOS and
    Windows). Raises InputError for anything else."""
    environ = os.environ if environ is None else environ
    linux = (platform or sys.platform).startswith("linux")
    text = (environ.get("TECHPACK_START_METHOD") or "").strip()
    if not text:
        return "forkserver" if linux else "spawn"
    if text not in START_METHODS or (text == "forkserver" and not linux):
        can = START_METHODS if linux else ("spawn",)
        raise InputError(Problem("TECHPACK_START_METHOD", "", f"must be {' or '.join(can)} here; got {text!r}"))
    return text


def source_date_epoch(environ: dict[str, str] | None = None) -> dt.date | None:
    """The day SOURCE_DATE_EPOCH names (reproducible-builds.org: whole seconds since 1970-01-01 UTC,
    ASCII digits), or None when it is not set. Raises InputError when it is not such a number or
    names a day a zip entry cannot carry."""
    environ = os.environ if environ is None else environ
    text = environ.get("SOURCE_DATE_EPOCH")
    if not text:
        return None
    if text.startswith("-") and ASCII_DIGITS.fullmatch(text[1:]):
        raise InputError(Problem("SOURCE_DATE_EPOCH", "", f"{text} is before 1970-01-01: {date_problem(dt.date(1970, 1, 1))}"))
    if not ASCII_DIGITS.fullmatch(text):
        raise InputError(Problem("SOURCE_DATE_EPOCH", "", f"must be whole seconds since 1970-01-01 UTC in the digits 0-9, e.g. 1767225600; got {text!r}"))
    try:
        day = dt.datetime.fromtimestamp(int(text), dt.timezone.utc).date()
    except (ValueError, OverflowError, OSError):
        raise InputError(Problem("SOURCE_DATE_EPOCH", "", f"{text} seconds is past the year 9999; give whole seconds since 1970-01-01 UTC")) from None
    problem = date_problem(day)
    if problem:
        raise InputError(Problem("SOURCE_DATE_EPOCH", "", f"{text} is {day.isoformat()}: {problem}"))
    return day


def date_problem(day: dt.date) -> str | None:
    """Why day cannot be the package's date (a zip entry cannot carry it), or None."""
    if day < DATE_MIN:
        return f"a package's date is {DATE_MIN.isoformat()} or later (the zip format's first day)"
    if day > DATE_MAX:
        return f"a package's date is {DATE_MAX.isoformat()} or earlier (the zip format's last day)"
    return None


def check_environment() -> None:
    """Refuse a bad TECHPACK_MODEL_TIMEOUT or TECHPACK_START_METHOD before anything runs.
    (SOURCE_DATE_EPOCH is checked where it is used, by provenance.build_date: a spec with
    product.date does not read it.)"""
    model_timeout()
    start_method()


# --- a part's size -------------------------------------------------------------------------


def check_size(part: Any, box_mm: tuple[float, ...], where: Any = None, label: str | None = None) -> None:
    """Refuse a part whose solid is smaller than PART_MIN_MM or larger than PART_MAX_MM in any
    direction (a ModelError naming the part, its model and its size).

    part: the spec's Part (its number, name and model are named); box_mm: the solid's bounding
    box in mm, either (xmin, ymin, zmin, xmax, ymax, zmax) or its size (x, y, z); where, label:
    the place of parts[i].model in the spec and "parts[i].model (NUMBER)", as the other model
    errors give them (default: the part number)."""
    if len(box_mm) == 6:
        size = tuple(box_mm[k + 3] - box_mm[k] for k in range(3))
    elif len(box_mm) == 3:
        size = tuple(box_mm)
    else:
        raise ValueError(f"box_mm is (xmin, ymin, zmin, xmax, ymax, zmax) or (x, y, z); got {box_mm!r}")
    number = getattr(part, "number", str(part))
    model = getattr(part, "model", None)
    what = f"{number} {getattr(part, 'name', '')}".strip() + (f" ('{model}')" if model else "")
    shown = " x ".join(_length(v) for v in size)
    if any(v != v for v in size):  # NaN: no box at all
        message = f"{what} has no measurable size (its bounding box is not a number); the solid is broken"
    elif max(size) > PART_MAX_MM:
        message = (f"{what} is {shown}; a part is at most {_length(PART_MAX_MM)} in any direction. "
                   f"Check the units: a model in µm, or product.units / the part's units set wrongly, makes a part 1000 or 25.4 times too big")
    elif min(size) < PART_MIN_MM:
        message = (f"{what} is {shown}; a part is at least {_length(PART_MIN_MM)} in every direction, or it cannot be measured. "
                   f"Check the units: a model in metres is 1000 times too small")
    else:
        return
    raise ModelError(Problem(where if where is not None else "", label if label is not None else f"{number}", message))


def _length(mm: float) -> str:
    """A length in the unit a person would say it in: 3 nm, 12 µm, 0.5 mm, 250 mm, 10 m, 10 km."""
    a = abs(mm)
    if a >= 1_000_000:
        return f"{mm / 1_000_000:.3g} km"
    if a >= 10_000:
        return f"{mm / 1000:.3g} m"
    if a >= 0.1 or a == 0:
        return f"{mm:.4g} mm"
    if a >= 1e-4:
        return f"{mm * 1000:.3g} µm"
    return f"{mm * 1e6:.3g} nm"

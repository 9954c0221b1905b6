"""Small helpers for messages: key paths and "did you mean"."""

from __future__ import annotations

import difflib
import typing


def key_path(loc: tuple) -> str:
    """("parts", 2, "material") -> "parts[2].material"."""
    out = ""
    for el in loc:
        if isinstance(el, int):
            out += f"[{el}]"
        else:
            out += ("." if out else "") + str(el)
    return out


def closest(word: str, choices: typing.Iterable[str]) -> str | None:
    """The choice most like word, ignoring case, if any is close enough."""
    lowered = {str(c).lower(): str(c) for c in choices}
    close = difflib.get_close_matches(str(word).lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def did_you_mean(word: str, choices: typing.Iterable[str]) -> str:
    """"; did you mean 'x'?" when a choice is close to word, else ""."""
    close = closest(word, choices)
    return f"; did you mean '{close}'?" if close else ""


def deviation(mm: float) -> str:
    """A limit deviation in mm to the half micrometre ISO 286 uses: +0.0045, -0.014, 0."""
    return "0" if mm == 0 else f"{mm:+.4f}".rstrip("0").rstrip(".")


def plural(n: int, word: str) -> str:
    """3, "error" -> "3 errors"; 1, "error" -> "1 error"."""
    return f"{n} {word}{'' if n == 1 else 's'}"

"""K-factors for sheet-metal bend allowances (data: bending.json).

The K-factor (ANSI) puts the neutral fibre of a bend at R + K·t (R inside radius, t sheet
thickness, both mm); the bend allowance is θ·(R + K·t). Two sources:

- the air-bending rule-of-thumb table, by material class (soft, medium, hard: the catalog's
  `bend_class` of a material) and by R against t (R < t, t ≤ R ≤ 3t, R > 3t);
- DIN 6935, k = 0.65 + 0.5·lg(R/s) for R/s ≤ 5 and 1 above, halved to ANSI: K = k/2.

`k_factor` uses the table when the material has a class: it is the air-bending practice a
sheet shop works to and it tells aluminium from stainless. Without a class it falls back to
DIN 6935, which needs only R/s. Either is a starting value: the supplier's own K for their
material, thickness and tooling overrides it (the part's `k_factor`).
"""

from __future__ import annotations

import math

from techpack.standards import StandardsError
from techpack.standards._tables import fmt, load, positive_mm

_SLACK = 1e-9  # R/t within this of a band limit counts as on the limit (R = t after unit conversion)


def bend_classes() -> tuple[str, ...]:
    """The material classes of the air-bending table ("soft", "medium", "hard")."""
    return tuple(load("bending.json")["air_bending"]["classes"])


def air_bending_k(bend_class: str, r_mm: float, t_mm: float) -> tuple[float, str]:
    """K of the air-bending table for a material class, inside radius r_mm and thickness t_mm
    (mm), with its source: "air bending, medium, t ≤ R ≤ 3t: 0.43 (Wikipedia ... table)"."""
    table = load("bending.json")["air_bending"]
    if bend_class not in table["classes"]:
        raise StandardsError(f"bend class {bend_class!r} is not one of {', '.join(table['classes'])} (the air-bending K-factor table)")
    t = positive_mm(t_mm, "sheet thickness")
    r = _radius(r_mm)
    ratio = r / t
    band = len(table["up_to_r_over_t"]) - 1
    for i, (limit, inclusive) in enumerate(zip(table["up_to_r_over_t"], table["up_to_inclusive"])):
        if limit is None or ratio < limit - _SLACK or (inclusive and ratio <= limit + _SLACK):
            band = i
            break
    k = float(table["classes"][bend_class][band])
    return k, f"air bending, {bend_class}, {table['band_names'][band]}: {fmt(k)} ({table['cite']})"


def din6935_k(r_mm: float, t_mm: float) -> tuple[float, str]:
    """K (ANSI) = k/2 of DIN 6935 for inside radius r_mm and thickness (s) t_mm, both mm, with
    the calculation as its source: "DIN 6935: k = 0.65 + 0.5 lg(R/s) = ..., K = k/2 = ..."."""
    d = load("bending.json")["din6935"]
    s = positive_mm(t_mm, "sheet thickness")
    r = _radius(r_mm)
    ratio = r / s
    if ratio > d["max_r_over_s"] + _SLACK:
        k = float(d["k_above"])
        how = f"R/s = {_num(ratio)} > {fmt(d['max_r_over_s'])}: k = {_num(k)}"
    else:
        if r == 0.0:
            raise StandardsError(f"{d['cite']} gives no k-factor for a sharp bend (R = 0): lg(R/s) is undefined; give the part's k_factor")
        k = d["constant"] + d["slope"] * math.log10(ratio)
        if k <= 0.0:
            raise StandardsError(
                f"{d['cite']} gives k = {_num(k)} for R/s = {_num(ratio)}, not a neutral fibre inside the sheet: "
                "the radius is far below any bendable one; give the part's k_factor"
            )
        how = f"k = {fmt(d['constant'])} + {fmt(d['slope'])} lg(R/s) = {fmt(d['constant'])} + {fmt(d['slope'])} lg({_num(r)}/{_num(s)}) = {_num(k)}"
    big_k = d["ansi_factor"] * k
    return big_k, f"{d['cite']}: {how}, K = k/2 = {_num(big_k)}"


def k_factor(bend_class: str | None, r_mm: float, t_mm: float) -> tuple[float, str]:
    """K (ANSI) and its source for a bend of inside radius r_mm in a sheet t_mm thick (mm):
    the air-bending table for a material of class bend_class, DIN 6935 when it is None."""
    if bend_class is None:
        return din6935_k(r_mm, t_mm)
    return air_bending_k(bend_class, r_mm, t_mm)


def _radius(r_mm: float) -> float:
    """An inside radius in mm: a number ≥ 0."""
    if isinstance(r_mm, bool):
        raise StandardsError(f"inside bend radius: {r_mm!r} is not a length in mm")
    try:
        r = float(r_mm)
    except (TypeError, ValueError):
        raise StandardsError(f"inside bend radius: {r_mm!r} is not a length in mm") from None
    if not math.isfinite(r) or r < 0.0:
        raise StandardsError(f"inside bend radius must be a length of 0 mm or more, got {r_mm!r}")
    return r


def _num(x: float) -> str:
    """A number to 4 significant decimals for a source line (0.325, 1.0, 0.4006)."""
    return fmt(round(x, 4))

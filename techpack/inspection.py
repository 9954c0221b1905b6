"""The characteristics of a part: what its drawing balloons and its inspection plan measures.

Numbered once per part, in the order of the spec's `features:` and, within a feature, size
(or thread), then geometric tolerances (ISO 1101 order: flatness, parallelism,
perpendicularity, position), then surface roughness. The number does not depend on where
the drawing finds room for the balloon: the sheet and the workbook read the same objects.
Lengths in mm, roughness in µm; the spec's lengths are converted from the product's units.
"""

from __future__ import annotations

from dataclasses import dataclass

from techpack.spec.model import Feature
from techpack.standards import GeneralTolerance, StandardsError, parse_roughness, tolerance
from techpack.standards.threads import parse_thread
from techpack.words import deviation

POSITION = "position"  # the position symbol is drawn, not set: DejaVu Sans has no U+2316
SYMBOLS = {"flatness": "⏥", "perpendicularity": "⊥", "parallelism": "∥", "position": POSITION}  # ISO 1101 table 2
GEOMETRIC = ("parallelism", "perpendicularity", "position")  # after flatness, which has no datum


def fmt(v: float, places: int = 2) -> str:
    """A size as printed: to 0.01 mm, trailing zeros dropped (a tolerance: `places=4`)."""
    return f"{v:.{places}f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Check:
    """What one characteristic asks, before it is numbered: its text as on the drawing,
    the nominal and the limits (upper alone for a geometric tolerance: the zone's width)."""

    kind: str  # size, thread, flatness, parallelism, perpendicularity, position, roughness
    text: str
    nominal: float | None
    upper: float | None
    lower: float | None
    datums: tuple[str, ...] = ()


@dataclass(frozen=True)
class Frame:
    """A tolerance frame's compartments, left to right, and what it checks."""

    cells: tuple[str, ...]
    check: Check


@dataclass(frozen=True)
class Characteristic:
    """One numbered characteristic: a balloon on the drawing and a row of the inspection plan.

    nominal/upper/lower in `unit` (mm, or µm for roughness); for a geometric tolerance upper
    is the zone's width and lower 0. `general` when the limits are the general tolerance's
    (the spec gave the feature none of its own)."""

    number: int
    part: str
    feature: str
    feature_index: int  # in the part's spec `features:`
    kind: str
    text: str
    nominal: float | None
    upper: float | None
    lower: float | None
    unit: str
    datums: tuple[str, ...]
    critical: bool
    general: bool
    count: int  # instances it applies to (4 for 4× Ø6 H7)

    @property
    def severity(self) -> str:
        """critical (spec `critical: true`), major (sizes, threads, geometric tolerances),
        minor (surface roughness): ISO 2859-1 classes of nonconformity."""
        return "critical" if self.critical else "minor" if self.kind == "roughness" else "major"

    @property
    def band(self) -> float | None:
        """The tolerance band in `unit`: upper - lower, or the zone's width."""
        if self.upper is None:
            return None
        return self.upper - (self.lower if self.lower is not None else 0.0)

    def to_dict(self) -> dict:
        out = {k: round(v, 7) if isinstance(v, float) else v for k, v in self.__dict__.items()}
        out["datums"] = list(self.datums)
        out["severity"] = self.severity
        return out


def size_limits(nominal: float, feature: Feature, mm_per_unit: float) -> tuple[str, float, float] | None:
    """The size's tolerance as printed (`H7 (+0.015/0)`, `+0.1/-0.05`, `±0.1`) and its limits in mm,
    from the spec's fit or explicit limit deviations; None if it has neither."""
    if feature.fit:
        try:
            t = tolerance(nominal, feature.fit)
        except StandardsError:  # the spec check reports it
            return None
        return f"{feature.fit} ({deviation(t.upper_mm)}/{deviation(t.lower_mm)})", t.max_mm, t.min_mm
    if feature.tolerance:
        upper, lower = (v * mm_per_unit for v in feature.tolerance)
        text = f"±{deviation(upper)[1:]}" if upper > 0 and abs(upper + lower) < 1e-12 else f"{deviation(upper)}/{deviation(lower)}"
        return text, nominal + upper, nominal + lower
    return None


def size_check(nominal: float, feature: Feature, mm_per_unit: float, prefix: str = "") -> Check | None:
    """The size characteristic of a feature of this nominal (mm): with its limits, or bare
    when the feature is critical (inspected to the general tolerance); else None."""
    limits = size_limits(nominal, feature, mm_per_unit)
    if limits:
        return Check("size", f"{prefix}{fmt(nominal, 4)} {limits[0].split(' (')[0]}", nominal, limits[1], limits[2])
    if feature.critical:
        return Check("size", f"{prefix}{fmt(nominal, 4)}", nominal, None, None)
    return None


def thread_check(feature: Feature, mm_per_unit: float, through: bool) -> Check:
    thread = parse_thread(feature.thread)
    depth = f" ↧{fmt(feature.depth * mm_per_unit)}" if feature.depth else " THRU" if through else ""
    return Check("thread", f"{thread.designation}{depth}", thread.nominal_mm, None, None)


def frames(feature: Feature, mm_per_unit: float, hole: bool) -> list[Frame]:
    """The feature's ISO 1101 tolerance frames: symbol, zone (Ø for a hole's axis), datums."""
    out = []
    if feature.flatness:
        t = feature.flatness * mm_per_unit
        out.append(Frame((SYMBOLS["flatness"], fmt(t, 4)), Check("flatness", f"flatness {fmt(t, 4)}", None, t, 0.0)))
    for kind in GEOMETRIC:
        g = getattr(feature, kind)
        if g is None:
            continue
        t = g.tolerance * mm_per_unit
        zone = f"Ø{fmt(t, 4)}" if hole and kind != "parallelism" else fmt(t, 4)  # a cylindrical zone about an axis
        datums = tuple(g.datums)
        text = f"{kind} {zone}" + (f" to {'|'.join(datums)}" if datums else "")
        out.append(Frame((SYMBOLS[kind], zone) + datums, Check(kind, text, None, t, 0.0, datums)))
    return out


def roughness_check(feature: Feature) -> Check | None:
    if not feature.surface:
        return None
    ra = parse_roughness(feature.surface).ra_um
    return Check("roughness", f"Ra {ra:g}", None, ra, None)


def number(part: str, checks: list[tuple[int, Feature, Check, int]], general: GeneralTolerance) -> tuple[Characteristic, ...]:
    """Number (feature index, feature, check, count) in order; a size without limits of its
    own gets the general tolerance's for its nominal (ISO 2768-1)."""
    out = []
    for k, (j, feature, check, n) in enumerate(checks, 1):
        upper, lower, is_general = check.upper, check.lower, False
        if check.kind == "size" and upper is None and check.nominal is not None:
            try:
                t = general.linear(check.nominal)
            except StandardsError:  # beyond the table: the plan says no limits
                t = None
            if t is not None:
                upper, lower, is_general = check.nominal + t, check.nominal - t, True
        out.append(Characteristic(
            number=k, part=part, feature=feature.name, feature_index=j, kind=check.kind, text=check.text,
            nominal=check.nominal, upper=upper, lower=lower, unit="µm" if check.kind == "roughness" else "mm",
            datums=check.datums, critical=feature.critical, general=is_general, count=n,
        ))
    return tuple(out)

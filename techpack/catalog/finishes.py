"""A finish as a part applies it: its parameters checked against the catalog entry,
its variant resolved, and what it does to the part's dimensions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from techpack.catalog import Catalog
from techpack.catalog.model import Finish, Material, Param, RalColour
from techpack.words import did_you_mean


@dataclass(frozen=True)
class AppliedFinish:
    finish: Finish
    params: dict[str, Any]  # the user's params with defaults filled in
    given: dict[str, Any]  # the params as the spec gives them
    standard: str | None
    thickness_um: float | None
    growth: float | None  # share of thickness built up outward per surface
    ral: RalColour | None

    def describe(self) -> str:
        """One line for a supplier: "Anodise (sulphuric acid), type II, RAL 9005 Jet black, colour black"."""
        bits = [self.finish.title]
        if self.finish.variant_by:
            bits.append(f"{self.finish.variant_by} {self.params[self.finish.variant_by]}")
        if self.ral:
            bits.append(f"RAL {self.ral.code} {self.ral.name}")
        for key, value in self.given.items():
            if key in ("ral", self.finish.variant_by):
                continue
            unit = self.finish.params[key].unit
            shown = "yes" if value is True else "no" if value is False else f"{value:g}" if isinstance(value, float) else value
            if key == "delta_e":  # a colour tolerance: "ΔE*ab ≤ 2"
                bits.append(f"{unit} ≤ {shown}")
                continue
            label = {"ra_um": "Ra"}.get(key, key.replace("_um", "").replace("_", " "))
            bits.append(f"{label} {shown}{f' {unit}' if unit and unit not in ('coats', 'grit') else ''}")
        return ", ".join(bits)

    @property
    def colour(self) -> str | None:
        """"RAL 9005 Jet black", "Pantone PMS 186 C", the colour's own name, or None."""
        bits = []
        if self.ral:
            bits.append(f"RAL {self.ral.code} {self.ral.name}")
        if "pantone" in self.params:
            bits.append(f"Pantone {self.params['pantone']}")
        if "colour" in self.params:
            bits.append(str(self.params["colour"]) if not bits else f"({self.params['colour']})")
        return " ".join(bits) or None

    @property
    def gloss(self) -> str | None:
        """"matt: 10-35 GU at 60° (ISO 2813)": the gloss asked for, with its range from the catalog."""
        if "gloss" not in self.params:
            return None
        name = str(self.params["gloss"])
        band = self.finish.gloss_gu.get(name)
        return f"{name}: {band[0]:g}–{band[1]:g} GU at 60° (ISO 2813)" if band else name

    @property
    def growth_per_surface_um(self) -> float | None:
        """Outward build-up on each surface, µm; a diameter changes by twice this."""
        if self.thickness_um is None or self.growth is None:
            return None
        return self.thickness_um * self.growth


def _check_value(name: str, spec: Param, value: Any, catalog: Catalog) -> str | None:
    """A message if value does not fit the param, else None."""
    if spec.type == "choice":
        if str(value).lower() not in [str(c).lower() for c in spec.choices]:
            return f"{name} must be one of {', '.join(map(str, spec.choices))}; got {value!r}{did_you_mean(str(value), map(str, spec.choices))}"
    elif spec.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{name} must be a number{f' in {spec.unit}' if spec.unit else ''}; got {value!r}"
        if (spec.min is not None and value < spec.min) or (spec.max is not None and value > spec.max):
            return f"{name} must be between {spec.min:g} and {spec.max:g}{f' {spec.unit}' if spec.unit else ''}; got {value!r}"
    elif spec.type == "ral":
        if catalog.ral_colour(value) is None:
            return f"{name}: {value!r} is not a RAL Classic code (four digits, e.g. 9005 Jet black)"
    elif not isinstance(value, str | int | float) or isinstance(value, bool):
        return f"{name} must be text; got {value!r}"
    return None


def check_finish(finish: Finish, params: dict[str, Any], material: Material | None, catalog: Catalog) -> list[tuple[str | None, str]]:
    """Problems as (param name or None, message): unknown or bad params, an unsuitable material."""
    problems: list[tuple[str | None, str]] = []
    if material is not None and not finish.suits(material):
        suits = [m.title for m in catalog.materials.values() if finish.suits(m)]
        problems.append((None, f"{finish.key} does not suit {material.title}; it applies to: {', '.join(suits) or 'no material in the catalog'}"))
    for name, value in params.items():
        spec = finish.params.get(name)
        if spec is None:
            problems.append((name, f"{finish.key} takes no parameter '{name}'{did_you_mean(name, finish.params)} (it takes: {', '.join(finish.params) or 'none'})"))
            continue
        message = _check_value(name, spec, value, catalog)
        if message:
            problems.append((name, message))
    return problems


def apply_finish(finish: Finish, params: dict[str, Any], catalog: Catalog) -> AppliedFinish:
    """The finish with defaults and its variant resolved (params already checked)."""
    full = {k: p.default for k, p in finish.params.items() if p.default is not None} | dict(params)
    standard, thickness, growth = finish.standard, finish.thickness_um, finish.growth
    if finish.variant_by:
        chosen = str(full[finish.variant_by])
        variant = next(v for k, v in finish.variants.items() if k.lower() == chosen.lower())
        standard, thickness, growth = variant.standard, variant.thickness_um, variant.growth
    if "thickness_um" in full:
        thickness = float(full["thickness_um"])
    ral = catalog.ral_colour(full["ral"]) if "ral" in full else None
    return AppliedFinish(finish, full, dict(params), standard, thickness, growth, ral)

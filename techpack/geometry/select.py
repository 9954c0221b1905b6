"""Resolve each part's spec `features:` on its solid: a feature that selects nothing is an
input error (the drawing would silently leave its tolerance out), named by the spec's file,
line and key, with what the model does have."""

from __future__ import annotations

import cadquery as cq

from techpack.errors import ModelError, Problem
from techpack.geometry.features import find_features
from techpack.geometry.part import BuiltPart
from techpack.spec import LoadedSpec

HOLE_MATCH_MM = 0.05  # a feature's nominal hole diameter matches holes this close on the model
MM_PER_INCH = 25.4


def hole_matches(nominal_mm: float, diameter_mm: float) -> bool:
    return abs(nominal_mm - diameter_mm) < HOLE_MATCH_MM


def check_selections(loaded: LoadedSpec, parts: list[BuiltPart]) -> None:
    """Raise ModelError listing every feature, on every part, that selects nothing."""
    problems = []
    unit = MM_PER_INCH if loaded.spec.product.units == "in" else 1.0
    for built in parts:
        part = built.spec
        if not part.features:
            continue
        i = loaded.index_of(part)
        holes = None
        claimed: dict[float, tuple[int, str]] = {}  # hole diameter -> the feature selecting it
        for j, f in enumerate(part.features):
            key = ("parts", i, "features", j, "select")
            label = f"parts[{i}].features[{j}].select.{next(iter(f.select))} ({part.number} {f.name})"
            if "hole" in f.select:
                holes = holes if holes is not None else find_features(built.solid).holes
                d = float(f.select["hole"]) * unit
                same = next(((k, name) for size, (k, name) in claimed.items() if hole_matches(d, size)), None)
                if same:
                    problems.append(Problem(loaded.where(*key, "hole"), label,
                                            f"selects the same Ø{d:g} holes as features[{same[0]}] ({same[1]}); put all their tolerances on that one feature"))
                claimed.setdefault(d, (j, f.name))
                if not any(hole_matches(d, h.diameter_mm) for h in holes):
                    sizes = sorted({round(h.diameter_mm, 2) for h in holes})
                    have = ", ".join(f"Ø{s:g}" for s in sizes) if sizes else "none"
                    problems.append(Problem(loaded.where(*key, "hole"), label,
                                            f"no hole of Ø{d:g} mm on the model {part.model}; its holes are {have}; select one of those"))
            if "face" in f.select:
                try:
                    found = cq.Workplane().add(built.solid).faces(str(f.select["face"])).vals()
                except Exception:  # noqa: BLE001 - the spec check has reported the selector
                    continue
                if not found:
                    problems.append(Problem(loaded.where(*key, "face"), label,
                                            f"the face selector '{f.select['face']}' selects no face of {part.model}; e.g. '>Z' (the top), '<X' (the left end)"))
    if problems:
        raise ModelError(problems)

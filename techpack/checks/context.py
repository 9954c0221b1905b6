"""What the checks of one part share: its spec, catalog entries, probes and features."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from techpack.catalog import Material, Process
from techpack.catalog.model import Rule
from techpack.checks.draft import describe, unit
from techpack.checks.findings import Finding, judge, limits_for
from techpack.geometry.probe import Probe
from techpack.checks.wall import RaySample, ray_walls
from techpack.geometry.features import Features, Hole
from techpack.geometry.model import PartModel
from techpack.geometry.part import mm_per_unit
from techpack.spec import LoadedSpec



@dataclass
class PartCheck:
    loaded: LoadedSpec
    built: PartModel
    process: Process
    material: Material
    measured: dict = field(default_factory=dict)  # what the rules measured, pass or fail, for the report

    @property
    def part(self):
        return self.built.spec

    @property
    def probe(self) -> Probe:
        return self.built.probe

    @functools.cached_property
    def pull(self) -> np.ndarray:
        return unit(self.part.pull)

    @property
    def pull_text(self) -> str:
        return describe(self.part.pull)

    @functools.cached_property
    def rays(self) -> list[RaySample]:
        return ray_walls(self.probe)

    @functools.cached_property
    def sheet(self):
        """The sheet's thickness and sides, for every sheet rule (checks/sheet.py: read_sheet)."""
        from techpack.checks.sheet import read_sheet

        return read_sheet(self)

    @property
    def access(self):
        """From which directions a tool reaches each face, and the setups (the part model's)."""
        return self.built.access

    @property
    def engravings(self):
        return self.built.engravings

    @property
    def engraved(self) -> frozenset[int]:
        return self.built.engraved

    @property
    def features(self) -> Features:
        """The part model's features (internal corners along the three axes and the pull)."""
        return self.built.features

    def hole_name(self, hole: Hole) -> str:
        kind = "through" if hole.through else f"{hole.depth_mm:.4g} deep"
        named = [s.feature.name for s in self.built.selections if hole in s.holes]
        base = f"hole Ø{hole.diameter_mm:.4g} {kind}"
        return f"{named[0]} ({base})" if named else base

    def _mm(self, value: float) -> float:
        """A length from the spec (in the product's units) in mm."""
        return value * mm_per_unit(self.loaded.spec.product.units)

    def finding(self, rule: Rule, value: float, unit_: str, what: str, *, limits: dict[str, float] | None = None,
                faces=(), point=None, feature=None, needs: str | None = None) -> Finding | None:
        """A finding when value crosses one of the rule's levels, else None. The message is
        `what`, then what the process needs."""
        verdict = judge(rule, value, limits if limits is not None else limits_for(rule))
        if verdict is None:
            return None
        severity, limit = verdict
        bound = "at least" if rule.limit == "min" else "at most"
        shown = f"{limit:g} {unit_}".replace(" deg", "°").replace(" ratio", "").replace(" %", " %")
        advice = needs.format(limit=limit) if needs else f"{self.process.title} needs {bound} {shown}"
        if severity == "info":
            advice = advice.replace(" needs ", " recommends ")
        return Finding(
            id="", part=self.part.number, rule=rule.rule, severity=severity, value=value, limit=limit, unit=unit_,
            message=f"{what}; {advice}", faces=tuple(int(f) for f in faces),
            point=tuple(float(c) for c in point) if point is not None else None, feature=feature, source=rule.source,
        )


def cap(text: str) -> str:
    """Sentence case for generated text ("hole Ø5 ..."), a user's feature name left as written."""
    return text[:1].upper() + text[1:] if text.startswith(("hole", "face")) else text


def faces_text(ctx: PartCheck, faces) -> str:
    return " and ".join(ctx.probe.describe_face(f) for f in dict.fromkeys(faces))


def keep(found) -> list[Finding]:
    """The findings that are not None."""
    return [f for f in found if f is not None]


def rounded(p) -> list[float]:
    return [round(float(c), 4) for c in p]


def record_holes(ctx: PartCheck) -> None:
    ctx.measured["holes"] = [{"diameter_mm": round(h.diameter_mm, 4), "depth_mm": round(h.depth_mm, 4), "through": h.through,
                              "entry": rounded(h.entry), "direction": rounded(h.direction), "faces": list(h.faces)} for h in ctx.features.holes]

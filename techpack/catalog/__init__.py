"""The engineering catalog: materials, processes (with DFM limits), finishes, RAL colours
and cosmetic surface classes.

Data, not code: the YAML files beside this module, each value with its source. A spec
may add entries or override fields with its `catalog:` section (see `extend`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from ruamel.yaml import YAML

from techpack.catalog.model import CosmeticClass, Cure, Finish, Material, Note, Param, Process, RalColour, Rule, Test, Variant

__all__ = ["Catalog", "CosmeticClass", "Cure", "Finish", "Material", "Note", "Param", "Process", "RalColour", "Rule", "Test", "Variant", "builtin", "normalise"]

KINDS = {"materials": Material, "processes": Process, "finishes": Finish}


def normalise(name: str) -> str:
    """The form names are compared in: lower case, no spaces, dashes, dots or underscores."""
    return re.sub(r"[\s\-_.]+", "", str(name)).lower()


@dataclass(frozen=True)
class Catalog:
    materials: dict[str, Material]
    processes: dict[str, Process]
    finishes: dict[str, Finish]
    ral: dict[str, RalColour]
    ral_source: str
    cosmetic: dict[str, CosmeticClass] = field(default_factory=dict)  # class letter -> class
    cosmetic_rules: dict[str, str] = field(default_factory=dict)  # what every class rejects, viewing light

    @functools.cached_property
    def _index(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {"materials": {}, "finishes": {}}
        for kind in out:
            for entry in getattr(self, kind).values():
                for n in (entry.key, entry.title, *entry.names):
                    out[kind].setdefault(normalise(n), entry)
        return out

    def material(self, name: str) -> Material | None:
        """The material a user's name refers to ("6061", "Al 6061-T6" ...), or None."""
        return self._index["materials"].get(normalise(name))

    def finish(self, name: str) -> Finish | None:
        """The finish a user's name refers to ("anodize", "powder coat" ...), or None."""
        return self._index["finishes"].get(normalise(name))

    def material_names(self) -> list[str]:
        """Every name a material can be called by, for "did you mean"."""
        return [n for m in self.materials.values() for n in (m.key, m.title, *m.names)]

    def finish_names(self) -> list[str]:
        return [n for f in self.finishes.values() for n in (f.key, *f.names)]

    def ral_colour(self, code: str | int) -> RalColour | None:
        """RAL Classic colour for "9005", 9005 or "RAL 9005", or None."""
        m = re.fullmatch(r"\s*(?:RAL\s*)?(\d{4})\s*", str(code), re.IGNORECASE)
        return self.ral.get(m[1]) if m else None


def read_data(name: str) -> Any:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return YAML(typ="safe").load(text)


def build_catalog(raw: dict[str, dict[str, dict]]) -> Catalog:
    """A Catalog from plain data {kind: {key: fields}} (validated; raises pydantic's ValidationError)."""
    ral_data = read_data("ral.yaml")
    cosmetic = read_data("cosmetic.yaml")
    return Catalog(
        materials={k: Material.model_validate({**v, "key": k}) for k, v in raw["materials"].items()},
        processes={k: Process.model_validate({**v, "key": k}) for k, v in raw["processes"].items()},
        finishes={k: Finish.model_validate({**v, "key": k}) for k, v in raw["finishes"].items()},
        ral={code: RalColour(code=code, **v) for code, v in ral_data["colours"].items()},
        ral_source=ral_data["source"],
        cosmetic={k: CosmeticClass(key=k, **v) for k, v in cosmetic["classes"].items()},
        cosmetic_rules={**cosmetic["all_classes"], **cosmetic["viewing"]},
    )


@functools.cache
def builtin_data() -> dict[str, dict[str, dict]]:
    return {kind: read_data(f"{kind}.yaml") for kind in KINDS}


@functools.cache
def builtin() -> Catalog:
    """The catalog shipped with techpack."""
    return build_catalog(builtin_data())

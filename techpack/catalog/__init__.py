"""The engineering catalog: materials and processes, read from the data files beside this module."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

from ruamel.yaml import YAML


def normalise(name: str) -> str:
    """The form names are compared in: lower case, no spaces, dashes, dots or underscores."""
    return re.sub(r"[\s\-_.]+", "", name).lower()


@dataclass(frozen=True)
class Material:
    key: str
    title: str
    names: tuple[str, ...]
    family: str
    density_g_cm3: float
    density_source: str
    processes: tuple[str, ...]


@dataclass(frozen=True)
class Process:
    key: str
    title: str
    family: str


@dataclass(frozen=True)
class Catalog:
    materials: dict[str, Material]
    processes: dict[str, Process]

    @functools.cached_property
    def _material_index(self) -> dict[str, Material]:
        index = {}
        for m in self.materials.values():
            for n in (m.key, m.title, *m.names):
                index[normalise(n)] = m
        return index

    def material(self, name: str) -> Material | None:
        """The material a user's name refers to ("6061", "Al 6061-T6" ...), or None."""
        return self._material_index.get(normalise(name))

    def material_names(self) -> list[str]:
        """Every name a material can be called by, for "did you mean"."""
        return [n for m in self.materials.values() for n in (m.key, m.title, *m.names)]


def _read(name: str) -> dict:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return YAML(typ="safe").load(text)


@functools.cache
def builtin() -> Catalog:
    """The catalog shipped with techpack."""
    materials = {
        key: Material(
            key=key,
            title=d["title"],
            names=tuple(str(n) for n in d["names"]),
            family=d["family"],
            density_g_cm3=float(d["density_g_cm3"]),
            density_source=d["density_source"],
            processes=tuple(d["processes"]),
        )
        for key, d in _read("materials.yaml").items()
    }
    processes = {key: Process(key=key, title=d["title"], family=d["family"]) for key, d in _read("processes.yaml").items()}
    return Catalog(materials=materials, processes=processes)

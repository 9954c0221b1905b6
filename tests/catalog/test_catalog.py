"""The catalog: every material is found by each of its names, no name is ambiguous, CLI lists them."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from techpack.catalog import builtin, normalise


def test_every_name_resolves_to_its_own_material():
    catalog = builtin()
    for m in catalog.materials.values():
        for name in (m.key, m.title, *m.names):
            assert catalog.material(name) is m
            assert catalog.material(name.upper()) is m


def test_no_name_belongs_to_two_materials():
    counts = Counter(n for m in builtin().materials.values() for n in {normalise(x) for x in (m.key, m.title, *m.names)})
    assert [n for n, c in counts.items() if c > 1] == []


@pytest.mark.parametrize(
    "name, key, density",
    [
        ("6061", "aluminium-6061-t6", 2.70),
        ("Al 6061-T6", "aluminium-6061-t6", 2.70),
        ("aluminium 6061-T6", "aluminium-6061-t6", 2.70),
        ("7075-T6", "aluminium-7075-t6", 2.81),
        ("1.4301", "stainless-304", 7.93),
        ("stainless 316", "stainless-316", 8.00),
        ("DC01", "steel-dc01", 7.85),
        ("brass CW614N", "brass", 8.49),
        ("delrin", "pom", 1.41),
        ("PA12", "pa12-sls", 0.93),
        ("PA12 MJF", "pa12-mjf", 1.01),
        ("PU casting resin", "pu-casting-resin", 1.14),
    ],
)
def test_common_names_and_densities(name, key, density):
    m = builtin().material(name)
    assert m.key == key and m.density_g_cm3 == density and m.density_source


def test_material_processes_are_known_processes():
    catalog = builtin()
    for m in catalog.materials.values():
        assert m.processes and set(m.processes) <= set(catalog.processes)


def test_unknown_material_is_none():
    assert builtin().material("unobtainium") is None


def test_cli_lists(cli):
    code, out, _ = cli("materials", "--json")
    assert code == 0
    listed = {m["key"]: m for m in json.loads(out)}
    assert listed["pom"]["density_g_cm3"] == 1.41 and "Delrin" in listed["pom"]["names"]
    code, out, _ = cli("processes")
    assert code == 0 and out.splitlines()[0].split()[:3] == ["cnc-milling", "CNC", "milling;"]
    code, out, _ = cli("processes", "--json")
    assert [p["key"] for p in json.loads(out)][-1] == "vacuum-forming"

"""K-factors: the air-bending table and DIN 6935, against shared reference cad-exports-pmi.md §2.1,
band limits included."""

from __future__ import annotations

import json
import math
from importlib import resources

import pytest

from techpack.standards import StandardsError
from techpack.standards.bending import air_bending_k, bend_classes, din6935_k, k_factor

# §2.1 table: class -> K for R < t, t ≤ R ≤ 3t, R > 3t
TABLE = {"soft": (0.33, 0.40, 0.50), "medium": (0.38, 0.43, 0.50), "hard": (0.40, 0.45, 0.50)}


def test_data_names_its_sources():
    data = json.loads(resources.files("techpack.standards").joinpath("bending.json").read_text(encoding="utf-8"))
    for table, body in data.items():
        assert isinstance(body.get("source"), str) and len(body["source"]) > 20, table
    assert "Bending (metalworking)" in data["air_bending"]["source"]
    assert "DIN 6935" in data["din6935"]["source"]


def test_classes():
    assert bend_classes() == ("soft", "medium", "hard")


@pytest.mark.parametrize("bend_class", sorted(TABLE))
@pytest.mark.parametrize(
    "r,t,band",
    [
        (0.0, 2.0, 0),  # a sharp bend is R < t
        (1.999, 2.0, 0),
        (2.0, 2.0, 1),  # R = t: the middle band
        (4.0, 2.0, 1),
        (6.0, 2.0, 1),  # R = 3t: still the middle band
        (6.001, 2.0, 2),
        (50.0, 2.0, 2),
        (0.1 * 3 / 0.1, 3.0, 1),  # 3.0000000000000004 = t within float noise
    ],
)
def test_air_bending_table_and_band_limits(bend_class, r, t, band):
    k, source = k_factor(bend_class, r, t)
    assert k == TABLE[bend_class][band]
    assert source.startswith(f"air bending, {bend_class}, {('R < t', 't ≤ R ≤ 3t', 'R > 3t')[band]}: ")
    assert source.endswith("(Wikipedia 'Bending (metalworking)' table)")


def test_air_bending_source_text():
    assert air_bending_k("medium", 3.0, 2.0) == (0.43, "air bending, medium, t ≤ R ≤ 3t: 0.43 (Wikipedia 'Bending (metalworking)' table)")


@pytest.mark.parametrize(
    "r_over_s,big_k",
    [
        (1.0, 0.325),  # k 0.65
        (2.0, (0.65 + 0.5 * math.log10(2.0)) / 2),  # 0.40026
        (0.5, (0.65 + 0.5 * math.log10(0.5)) / 2),  # 0.24974
        (5.0, (0.65 + 0.5 * math.log10(5.0)) / 2),  # the formula's last point: k 0.99949
        (5.001, 0.5),  # k = 1 above R/s = 5
        (20.0, 0.5),
    ],
)
def test_din6935(r_over_s, big_k):
    k, source = k_factor(None, 2.0 * r_over_s, 2.0)
    assert k == pytest.approx(big_k, abs=1e-12)
    assert source.startswith("DIN 6935: ") and source.endswith(f"K = k/2 = {round(big_k, 4):g}")


def test_din6935_source_text():
    assert din6935_k(2.0, 2.0) == (pytest.approx(0.325), "DIN 6935: k = 0.65 + 0.5 lg(R/s) = 0.65 + 0.5 lg(2/2) = 0.65, K = k/2 = 0.325")
    assert din6935_k(12.0, 2.0)[1] == "DIN 6935: R/s = 6 > 5: k = 1, K = k/2 = 0.5"


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: k_factor("springy", 2.0, 2.0), "not one of soft, medium, hard"),
        (lambda: k_factor("soft", 2.0, 0.0), "thickness must be a positive length"),
        (lambda: k_factor("soft", -1.0, 2.0), "0 mm or more"),
        (lambda: k_factor(None, 0.0, 2.0), "sharp bend"),
        (lambda: k_factor(None, 0.04, 2.0), "not a neutral fibre inside the sheet"),
    ],
)
def test_errors(call, match):
    with pytest.raises(StandardsError, match=match):
        call()


def test_catalog_materials_name_their_class():
    """The catalog's sheet metals carry a class of the table, with its source; polymers none."""
    from techpack.catalog import builtin

    catalog = builtin()
    classes = {key: m.bend_class for key, m in catalog.materials.items()}
    assert {k: classes[k] for k in ("aluminium-6061-t6", "brass", "mild-steel", "steel-dc01", "stainless-304", "stainless-316")} == {
        "aluminium-6061-t6": "soft", "brass": "soft", "mild-steel": "medium", "steel-dc01": "medium",
        "stainless-304": "hard", "stainless-316": "hard",
    }
    assert catalog.material("DC01").bend_class == "medium"
    for m in catalog.materials.values():
        assert (m.bend_class is None) == (m.family == "polymer"), m.key
        assert (m.bend_class is None) == (m.bend_class_source is None), m.key


@pytest.mark.parametrize(
    "fields,match",
    [({"bend_class": "springy", "bend_class_source": "x"}, "not one of soft, medium, hard"), ({"bend_class": "soft"}, "needs bend_class_source")],
)
def test_material_bend_class_is_checked(fields, match):
    from pydantic import ValidationError

    from techpack.catalog import Material

    with pytest.raises(ValidationError, match=match):
        Material(key="x", title="X", family="metal", density_g_cm3=1.0, density_source="TDS", **fields)

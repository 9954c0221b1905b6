"""The catalog's data for the finishing instructions: cure schedules, acceptance tests,
gloss bands, notes and cosmetic classes, each with its source; `when` conditions."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from techpack.catalog import Finish, builtin
from techpack.catalog.finishes import apply_finish
from techpack.catalog.model import applies
from techpack.documents.finishing import tests as acceptance


def test_every_note_test_and_cure_has_a_source():
    for f in builtin().finishes.values():
        for item in (*f.notes, *f.tests, *([f.cure] if f.cure else [])):
            assert item.source.strip(), f.key
        if f.sequence:
            assert f.sequence_source, f.key


def test_colour_finishes_take_a_measured_colour_tolerance_and_check_colour():
    for key in ("anodise", "powder-coat", "paint"):
        f = builtin().finishes[key]
        assert f.params["delta_e"].type == "number" and f.params["delta_e"].unit == "ΔE*ab" and f.params["delta_e"].source
        assert {t.standard for t in f.tests if t.kind == "colour"} == {"ISO 3668", "CIELAB ΔE*ab (ISO/CIE 11664-4)"}


def test_cure_schedules():
    finishes = builtin().finishes
    powder = finishes["powder-coat"].cure
    assert (powder.temperature_c, powder.time_min) == ((180, 200), (15, 20))
    assert finishes["paint"].cure.temperature_c == (20, 20) and "TDS" in finishes["paint"].cure.note


def test_gloss_bands_are_the_60_degree_scale_in_order():
    for key in ("powder-coat", "paint"):
        f = builtin().finishes[key]
        bands = [f.gloss_gu[str(c)] for c in f.params["gloss"].choices]
        assert bands == [(1, 8), (9, 40), (41, 70), (71, 90), (91, 97)]
        assert "ISO 2813" in next(t.standard for t in f.tests if t.kind == "gloss")


@pytest.mark.parametrize(
    "finish, params, material, standard",
    [
        ("powder-coat", {"ral": 9005}, "steel-dc01", "ISO 2178 (ISO 2808)"),  # magnetic on steel
        ("powder-coat", {"ral": 9005}, "aluminium-6061-t6", "ISO 2360 (ISO 2808)"),  # eddy current on aluminium
        ("paint", {"ral": 7016}, "pu-casting-resin", "ISO 2808"),  # neither gauge works on a plastic
        ("anodise", {}, "aluminium-6061-t6", "ISO 2360"),
    ],
)
def test_the_thickness_test_suits_the_substrate(finish, params, material, standard):
    catalog = builtin()
    applied = apply_finish(catalog.finishes[finish], params, catalog)
    found = [t for t in acceptance(applied, catalog.materials[material], None) if t["check"] == "Film thickness"]
    assert [t["standard"] for t in found] == [standard]


def test_adhesion_where_the_finish_has_a_test():
    catalog = builtin()
    for key, criterion in (("powder-coat", "class 0"), ("paint", "class 1 or better")):
        (adhesion,) = [t for t in catalog.finishes[key].tests if t.kind == "adhesion"]
        assert adhesion.standard == "ISO 2409" and adhesion.criterion.startswith(criterion)
    assert not [t for t in catalog.finishes["anodise"].tests if t.kind == "adhesion"]


def test_conditions_pick_the_notes_and_tests_that_apply():
    catalog = builtin()
    anodise = catalog.finishes["anodise"]

    def notes(params):
        applied = apply_finish(anodise, params, catalog)
        return [n.text.split(":")[0] for n in anodise.notes if applies(n, applied.params, applied.given)]

    assert notes({}) == ["Undyed", "Seal", "Growth"]  # sealed by default, no colour
    assert notes({"ral": 9005, "sealed": False}) == ["Dyed", "Leave unsealed.", "Growth"]
    assert notes({"colour": "red"})[0] == "Dyed"  # either param of "colour|ral|pantone"
    applied = apply_finish(anodise, {"ral": 9005, "delta_e": 1.5}, catalog)
    (colour,) = [t for t in acceptance(applied, catalog.materials["aluminium-6061-t6"], None) if t["check"] == "Colour"]
    assert colour["criterion"] == "ΔE*ab ≤ 1.5, against the physical RAL 9005 Jet black card"
    passivate = catalog.finishes["passivate"]
    texts = [n.text for n in passivate.notes if applies(n, {"method": "nitric"}, {"method": "nitric"})]
    assert any(t.startswith("Nitric") for t in texts) and not any(t.startswith("Citric") for t in texts)


def test_a_condition_must_name_a_parameter_and_gloss_bands_every_choice():
    base = builtin().finishes["paint"].model_dump()
    with pytest.raises(ValidationError, match="not a parameter of the finish"):
        Finish.model_validate({**base, "notes": [{"text": "x", "when": {"colur": "given"}, "source": "s"}]})
    with pytest.raises(ValidationError, match="a range for each of its choices"):
        Finish.model_validate({**base, "gloss_gu": {"matt": (1, 8)}})


def test_cosmetic_classes():
    catalog = builtin()
    assert sorted(catalog.cosmetic) == ["A", "B", "C"]
    for c in catalog.cosmetic.values():
        assert (c.distance_mm, c.time_s) == (610, 10) and "[118]" in c.source
        assert c.scratches and c.dents and c.inclusions and c.colour and c.scope
    assert "12.7 mm" in catalog.cosmetic["B"].scratches and "3.2 × 12.7 mm" in catalog.cosmetic["C"].scratches
    assert "burrs" in catalog.cosmetic_rules["rejects"] and catalog.cosmetic_rules["rejects_source"]

"""Finishes, tolerances and catalog additions in a spec: checked against the catalog, with positions."""

from __future__ import annotations

import pytest

from techpack.catalog import builtin
from techpack.catalog.finishes import apply_finish
from techpack.errors import SpecError
from techpack.spec import load_spec
from tests.conftest import BOX_SCRIPT

CATALOG = builtin()


def spec_with(project, part_fields: str, material: str = "aluminium 6061-T6", process: str = "cnc-milling", extra: str = ""):
    project.write("models/box.py", BOX_SCRIPT)
    return project.spec(
        f"- number: P1\n  name: Box\n  model: models/box.py\n  material: {material}\n  process: {process}\n{part_fields}",
        extra=extra,
    )


def problems(path) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_spec(path)
    return [str(p) for p in info.value.problems]


def test_finishes_load_and_resolve(project):
    path = spec_with(
        project,
        "  finish:\n    - bead-blast: {media: glass bead, grit: 120}\n    - anodise: {type: II, colour: black, ral: 9005}\n",
    )
    part = load_spec(path).spec.parts[0]
    assert part.finish[0] == {"bead-blast": {"media": "glass bead", "grit": 120}}
    applied = apply_finish(CATALOG.finish("anodise"), {"type": "II", "ral": 9005}, CATALOG)
    assert (applied.standard, applied.thickness_um, applied.growth_per_surface_um) == ("MIL-PRF-8625 Type II", 10, 5)
    assert applied.ral.name == "Jet black"
    hard = apply_finish(CATALOG.finish("anodize"), {"type": "III"}, CATALOG)
    assert hard.thickness_um == 50.8 and hard.growth_per_surface_um == pytest.approx(25.4)
    zinc = apply_finish(CATALOG.finish("zinc plate"), {}, CATALOG)
    assert (zinc.standard, zinc.thickness_um) == ("ASTM B633 Fe/Zn 8 (SC2 moderate)", 8)


def test_every_finish_rejects_a_material_it_does_not_suit_and_accepts_one_it_suits(project):
    for finish in CATALOG.finishes.values():
        suits = [m for m in CATALOG.materials.values() if finish.suits(m)]
        refuses = [m for m in CATALOG.materials.values() if not finish.suits(m)]
        assert suits and refuses, finish.key
        ok = spec_with(project, f"  finish: [{finish.key}]\n", material=f"'{suits[0].title}'")
        assert load_spec(ok).spec.parts[0].finish == [finish.key]
        bad = spec_with(project, f"  finish: [{finish.key}]\n", material=f"'{refuses[0].title}'")
        (got,) = problems(bad)
        assert f"parts[0].finish[0]: {finish.key} does not suit {refuses[0].title}" in got


def test_anodising_steel_is_an_error_naming_the_line(project):
    path = spec_with(project, "  finish:\n    - anodise: {type: II}\n", material="steel DC01", process="sheet-metal")
    assert problems(path) == [
        f"{path}:10:9: parts[0].finish[0]: anodise does not suit Cold-rolled steel DC01 (1.0330); it applies to: Aluminium 6061-T6, Aluminium 7075-T6"
    ]


def test_finish_params_are_checked(project):
    path = spec_with(
        project,
        "  finish:\n"
        "    - powder-coat: {ral: 9999, gloss: shiny, thickness_um: 500, colr: red}\n"
        "    - anodyse\n"
        "    - {paint: {ral: 7016}, polish: {}}\n"
        "    - paint: {pantone: PMS 186 C, coats: 2}\n",
        material="mild steel",
    )
    got = problems(path)
    assert any("finish[0].powder-coat.ral: ral: 9999 is not a RAL Classic code" in p for p in got)
    assert any("finish[0].powder-coat.gloss: gloss must be one of matt, satin, semi-gloss, gloss, high-gloss; got 'shiny'" in p for p in got)
    assert any("thickness_um must be between 25 and 150 µm; got 500" in p for p in got)
    assert any("takes no parameter 'colr'; did you mean 'colour'?" in p for p in got)
    assert any("finish[1]: unknown finish 'anodyse'; did you mean 'anodise'?" in p for p in got)
    assert any("finish[2]: a finish is a name" in p for p in got)
    assert len(got) == 6  # the Pantone paint is fine: Pantone codes are opaque text


def test_surface_and_general_tolerance_are_checked(project):
    path = spec_with(project, "  surface: very smooth\n  general_tolerance: ISO 2768-xK\n")
    got = problems(path)
    assert len(got) == 2
    assert any("parts[0].surface" in p for p in got) and any("parts[0].general_tolerance" in p for p in got)
    ok = spec_with(project, "  surface: Ra 1.7\n  general_tolerance: ISO 2768-fH\n")
    assert load_spec(ok).spec.parts[0].surface == "Ra 1.7"  # not a standard grade, but a valid Ra


def test_inspection_aql_must_be_in_the_table(project):
    project.write("models/box.py", BOX_SCRIPT)
    product = "product: {number: T-1, name: T, revision: A, owner: O, drawn_by: D, date: 2026-11-20, batch: 10, inspection: {level: II, aql: 0.3}}\n"
    path = project.spec("- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm}", product=product)
    (got,) = problems(path)
    assert "product.inspection.aql" in got and "0.3" in got


def test_spec_adds_a_material_and_overrides_a_process_rule(project):
    extra = (
        "catalog:\n"
        "  materials:\n"
        "    acme-pu-8000:\n"
        "      title: Acme PU 8000\n"
        "      names: [PU 8000]\n"
        "      family: polymer\n"
        "      density_g_cm3: 1.12\n"
        "      density_source: Acme TDS 2025\n"
        "      processes: [vacuum-casting]\n"
        "  processes:\n"
        "    cnc-milling:\n"
        "      rules:\n"
        "        - {rule: internal-corner-radius, limit: min, error: 1.5, unit: mm, source: Precision Works tool list}\n"
    )
    path = spec_with(project, "", material="PU 8000", process="vacuum-casting", extra=extra)
    loaded = load_spec(path)
    assert loaded.catalog.material("pu 8000").density_g_cm3 == 1.12
    rules = {r.rule: r for r in loaded.catalog.processes["cnc-milling"].rules if r.family is None}
    assert rules["internal-corner-radius"].error == 1.5 and rules["internal-corner-radius"].warn is None
    assert rules["hole-depth-ratio"].warn == 4  # the other rules stay
    assert len([r for r in loaded.catalog.processes["cnc-milling"].rules if r.rule == "wall-thickness"]) == 2
    assert builtin().material("pu 8000") is None  # the built-in catalog is untouched


def test_bad_catalog_entry_points_into_the_spec(project):
    extra = (
        "catalog:\n"
        "  materials:\n"
        "    acme:\n"
        "      title: Acme\n"
        "      family: ceramic\n"
        "      density_g_cm3: -1\n"
        "      density_source: none\n"
        "      processes: [cnc-miling]\n"
    )
    path = spec_with(project, "", extra=extra)
    got = problems(path)
    assert any(p.startswith(f"{path}:7:15: catalog.materials.acme.family: expected one of metal, polymer; got 'ceramic'") for p in got)
    assert any(p.startswith(f"{path}:8:22: catalog.materials.acme.density_g_cm3: must be greater than 0") for p in got)
    assert f"{path}:10:19: catalog.materials.acme.processes[0]: unknown process 'cnc-miling'; did you mean 'cnc-milling'?" in got


def test_general_tolerance_and_surface_fall_back_to_product_then_process(project):
    project.write("models/box.py", BOX_SCRIPT)
    product = "product: {number: T-1, name: T, revision: A, owner: O, drawn_by: D, date: 2026-11-20, batch: 10, general_tolerance: ISO 2768-fH}\n"
    path = project.spec(
        """
        - {number: P1, name: Own, model: models/box.py, material: ABS, process: fdm, general_tolerance: ISO 2768-c, surface: N7}
        - {number: P2, name: Product's, model: models/box.py, material: ABS, process: fdm}
        """,
        product=product,
    )
    loaded = load_spec(path)
    own, products = loaded.spec.parts
    assert loaded.general_tolerance(own).designation == "ISO 2768-c"
    assert loaded.general_tolerance(products).designation == "ISO 2768-fH"
    assert loaded.surface(own).ra_um == 1.6
    assert loaded.surface(products).ra_um == 12.5  # FDM's typical Ra from the catalog
    path = project.spec("- {number: P1, name: P, model: models/box.py, material: 6061, process: cnc-milling}")
    loaded = load_spec(path)
    assert loaded.general_tolerance(loaded.spec.parts[0]).designation == "ISO 2768-mK"  # CNC milling's default
    assert loaded.surface(loaded.spec.parts[0]).n_grade == "N8"


def test_a_face_selector_cadquery_cannot_read_is_a_spec_error(project):
    path = spec_with(project, "  features:\n    - {name: bottom, select: {face: 'bogus(('}, flatness: 0.1}\n    - {name: top, select: {face: '>Z'}, flatness: 0.1}\n")
    (got,) = problems(path)
    assert "parts[0].features[0].select.face: 'bogus((' is not a CadQuery selector" in got

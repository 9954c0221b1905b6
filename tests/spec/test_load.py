"""The spec loader: valid specs load; every problem is reported with file:line:col, key and a hint."""

from __future__ import annotations

import datetime as dt

import pytest

from techpack.errors import SpecError
from techpack.spec import load_spec
from tests.conftest import BOX_SCRIPT, PRODUCT


def problems(path) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_spec(path)
    return [str(p) for p in info.value.problems]


def test_valid_spec_loads_typed_and_frozen(project):
    project.write("models/box.py", BOX_SCRIPT)
    path = project.spec(
        """
        - number: T1-101
          name: Box
          model: models/box.py
          params: {x: 5, y: 6.5}
          qty: 2
          material: 6061
          process: cnc-milling
          supplier: cnc
        """,
        extra="suppliers:\n  cnc: {name: Shop, email: a@b.co}\nhardware:\n  - {number: ISO4762-M5x12, name: Screw, qty: 4}\n",
    )
    loaded = load_spec(path)
    spec = loaded.spec
    assert spec.product.date == dt.date(2026, 11, 20)
    assert spec.product.units == "mm"
    part = spec.parts[0]
    assert (part.number, part.qty, part.material, part.params) == ("T1-101", 2, "6061", {"x": 5, "y": 6.5})
    assert spec.hardware[0].qty == 4
    assert str(loaded.where("parts", 0, "material")) == f"{path}:13:15"  # after suppliers and hardware
    with pytest.raises(Exception):
        part.qty = 3  # frozen


def test_every_problem_is_reported_at_once_with_position_key_and_hint(project):
    project.write("models/box.py", BOX_SCRIPT)
    path = project.write(
        "techpack.yaml",
        """
        techpack: 1
        product:
          number: T-1
          name: Test
          revison: A
          owner: Me
          drawn_by: X
          date: 2026-11-20
          batch: ten
          units: cm
        parts:
          - number: P1
            name: Box
            model: models/box.py
            qty: 0
            material: alu 6061-T6
            process: cnc-miling
            supplier: cnc
          - number: P1
            name: Box again
            model: models/box.py
            material: ABS
            process: fdm
            colour: red
        """,
    )
    got = problems(path)
    expected = [
        f"{path}:5:3: product.revison: unknown key 'revison'; did you mean 'revision'?",
        f"{path}:9:10: product.batch: expected an integer, got 'ten'",
        f"{path}:10:10: product.units: expected one of mm, in; got 'cm'",
        f"{path}:15:10: parts[0].qty: must be greater than 0, got 0",
        f"{path}:18:15: parts[0].supplier: unknown supplier 'cnc' (suppliers: none defined)",
        f"{path}:19:13: parts[1].number: duplicate part number 'P1', already used at {path}:12:13; part numbers must be unique",
    ]
    for line in expected:
        assert line in got
    assert any(p.startswith(f"{path}:16:15: parts[0].material: unknown material 'alu 6061-T6'; did you mean") for p in got)
    assert f"{path}:17:14: parts[0].process: unknown process 'cnc-miling'; did you mean 'cnc-milling'?" in "\n".join(got)
    assert any(p.startswith(f"{path}:24:5: parts[1].colour: unknown key 'colour'") for p in got)
    # the missing 'revision' is the 'revison' typo: reported once, as the unknown key
    assert not any("missing required key 'revision'" in p for p in got)
    assert len(got) == 9


def test_missing_key_is_reported_at_its_parent(project):
    project.write("models/box.py", BOX_SCRIPT)
    path = project.spec(
        "- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm}",
        product="product: {number: T-1, name: T, revision: A, owner: O, date: 2026-11-20, batch: 1}\n",
    )
    assert problems(path) == [f"{path}:2:1: product.drawn_by: missing required key 'drawn_by'"]


@pytest.mark.parametrize(
    "model, message",
    [
        ("../../../etc/passwd", "is outside the repository"),
        ("/etc/passwd", "is outside the repository"),
        ("models/../../outside.py", "is outside the repository"),
        ("models/missing.step", "model file 'models/missing.step' not found"),
        ("models/box.stl", "is neither a CadQuery script (.py) nor a STEP file"),
    ],
)
def test_model_paths_must_exist_inside_the_repository(project, model, message):
    project.write("models/box.py", BOX_SCRIPT)
    (project.root.parent / "outside.py").write_text(BOX_SCRIPT)
    path = project.spec(f"- {{number: P1, name: Box, model: '{model}', material: ABS, process: fdm}}")
    (got,) = problems(path)
    assert got.startswith(f"{path}:") and "parts[0].model" in got and message in got


def test_models_may_live_anywhere_in_the_git_repository(project):
    """The repository is the git work tree: a spec in a subfolder may use ../models."""
    (project.root / ".git").mkdir()
    project.write("models/box.py", BOX_SCRIPT)
    path = project.write(
        "specs/techpack.yaml",
        "techpack: 1\n" + PRODUCT + "parts:\n  - {number: P1, name: Box, model: ../models/box.py, material: ABS, process: fdm}\n",
    )
    assert load_spec(path).model_path(load_spec(path).spec.parts[0]) == (project.root / "models/box.py").resolve()


def test_symlink_out_of_the_repository_is_refused(project, tmp_path):
    (tmp_path / "secret.py").write_text(BOX_SCRIPT)
    (project.root / "models").mkdir()
    (project.root / "models" / "link.py").symlink_to(tmp_path / "secret.py")
    path = project.spec("- {number: P1, name: Box, model: models/link.py, material: ABS, process: fdm}")
    (got,) = problems(path)
    assert "is outside the repository" in got


@pytest.mark.parametrize("version", ["2", "0"])
def test_unknown_spec_version(project, version):
    path = project.write("techpack.yaml", f"techpack: {version}\nproduct: {{}}\n")
    (got,) = problems(path)
    assert got.startswith(f"{path}:1:11: techpack: unknown spec version")
    assert "this techpack reads version 1" in got


@pytest.mark.parametrize("version", ["'1'", "one", "1.0", "true"])
def test_spec_version_must_be_the_number(project, version):
    path = project.write("techpack.yaml", f"techpack: {version}\nproduct: {{}}\n")
    (got,) = problems(path)
    assert got.startswith(f"{path}:1:11: techpack: the spec version is the number 1, written techpack: 1")


def test_missing_version_and_non_mapping(project):
    assert "missing the spec version" in problems(project.write("a.yaml", "product: {}\n"))[0]
    assert "must be a YAML mapping" in problems(project.write("b.yaml", "- just\n- a list\n"))[0]


def test_yaml_syntax_error_has_position(project):
    path = project.write("techpack.yaml", "techpack: 1\nproduct:\n  name: [unclosed\n  number: 2\n")
    (got,) = problems(path)
    assert got.startswith(f"{path}:4:") and "YAML syntax error" in got


def test_duplicate_yaml_key_is_an_error(project):
    path = project.write("techpack.yaml", "techpack: 1\nproduct: {}\nproduct: {}\n")
    (got,) = problems(path)
    assert got.startswith(f"{path}:3:1:") and "duplicate key" in got


def test_empty_parts_and_missing_file(project, tmp_path):
    path = project.spec("[]")
    (got,) = problems(path)
    assert "parts: must not be empty" in got
    (got,) = problems(tmp_path / "nope.yaml")
    assert got.endswith("nope.yaml: file not found")


def test_nested_unknown_key_in_supplier_suggests(project):
    project.write("models/box.py", BOX_SCRIPT)
    path = project.spec(
        "- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm, supplier: cnc}",
        extra="suppliers:\n  cnc: {name: Shop, emial: a@b.co}\n",
    )
    (got,) = problems(path)
    assert got == f"{path}:4:21: suppliers.cnc.emial: unknown key 'emial'; did you mean 'email'?"


def test_supplier_reference_suggests_close_key(project):
    project.write("models/box.py", BOX_SCRIPT)
    path = project.spec(
        "- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm, supplier: cnn}",
        extra="suppliers:\n  cnc: {name: Shop}\n",
    )
    (got,) = problems(path)
    assert "unknown supplier 'cnn'; did you mean 'cnc'?" in got


@pytest.mark.parametrize("name", ["6061", "'6061'", "Al 6061-T6", "aluminium 6061-T6", "aluminum 6061-t6", "AL6061T6"])
def test_material_common_names_resolve(project, name):
    project.write("models/box.py", BOX_SCRIPT)
    path = project.spec(f"- {{number: P1, name: Box, model: models/box.py, material: {name}, process: cnc-milling}}")
    loaded = load_spec(path)
    assert loaded.catalog.material(loaded.spec.parts[0].material).key == "aluminium-6061-t6"


def test_numbers_are_names_as_written(project):
    """YAML reads 0101 as 101 and 01 as 1; a part number or revision keeps its digits."""
    project.write("models/box.py", BOX_SCRIPT)
    product = "product: {number: 0042, name: T, revision: 01, owner: O, drawn_by: D, date: 2026-11-20, batch: 1}\n"
    path = project.spec("- {number: 0101, name: Box, model: models/box.py, material: ABS, process: fdm}\n- {number: 1e3, name: B, model: models/box.py, material: ABS, process: fdm}", product=product)
    spec = load_spec(path).spec
    assert (spec.product.number, spec.product.revision) == ("0042", "01")
    assert [p.number for p in spec.parts] == ["0101", "1e3"]


@pytest.mark.parametrize("number", ["a/b", "../x", "a..b", "P 1", "x" * 65])
def test_part_numbers_cannot_leave_the_package_or_break_file_names(project, number):
    project.write("models/box.py", BOX_SCRIPT)
    path = project.spec(f"- {{number: '{number}', name: Box, model: models/box.py, material: ABS, process: fdm}}")
    (got,) = problems(path)
    assert "parts[0].number" in got


def test_numbers_differing_only_in_case_collide(project):
    project.write("models/box.py", BOX_SCRIPT)
    path = project.spec("- {number: p-1, name: A, model: models/box.py, material: ABS, process: fdm}\n- {number: P-1, name: B, model: models/box.py, material: ABS, process: fdm}")
    (got,) = problems(path)
    assert "duplicate part number 'P-1'" in got


@pytest.mark.parametrize("date", ["2026-13-01", "2026-02-30", "20.11.2026"])
def test_bad_date_is_a_spec_error_with_position(project, date):
    project.write("models/box.py", BOX_SCRIPT)
    path = project.spec("- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm}", product=PRODUCT.replace("2026-11-20", date))
    (got,) = problems(path)
    assert got.startswith(f"{path}:2:") and "product.date: expected a date YYYY-MM-DD" in got


@pytest.mark.parametrize("field, value", [("batch", "true"), ("batch", "2.0"), ("batch", "'3'")])
def test_counts_are_whole_numbers(project, field, value):
    project.write("models/box.py", BOX_SCRIPT)
    path = project.spec("- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm}", product=PRODUCT.replace("batch: 10", f"{field}: {value}"))
    (got,) = problems(path)
    assert "product.batch" in got


def test_shared_part_defaults_with_anchors_and_merge_keys(project):
    project.write("models/box.py", BOX_SCRIPT)
    path = project.write(
        "techpack.yaml",
        "techpack: 1\n" + PRODUCT + "x-printed: &printed {material: PETG, process: fdm, model: models/box.py}\n"
        "parts:\n  - <<: *printed\n    number: P1\n    name: One\n  - <<: *printed\n    number: P2\n    name: Two\n    qty: 0\n",
    )
    (got,) = problems(path)
    assert got.startswith(f"{path}:11:10: parts[1].qty")
    path.write_text(path.read_text().replace("qty: 0", "qty: 2"))
    parts = load_spec(path).spec.parts
    assert [(p.number, p.material, p.qty) for p in parts] == [("P1", "PETG", 1), ("P2", "PETG", 2)]


def test_alias_bomb_is_refused(project):
    text = "techpack: 1\nx-a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
    for k in range(1, 8):
        text += f"x-{chr(97 + k)}: &{chr(97 + k)} [" + ", ".join([f"*{chr(96 + k)}"] * 10) + "]\n"
    path = project.write("techpack.yaml", text)
    (got,) = problems(path)
    assert "expands to more than" in got


def test_a_model_path_to_a_folder(project):
    (project.root / "models" / "dir.py").mkdir(parents=True)
    path = project.spec("- {number: P1, name: Box, model: models/dir.py, material: ABS, process: fdm}")
    (got,) = problems(path)
    assert "'models/dir.py' is a folder" in got


@pytest.mark.parametrize("value, message", [
    ("-1", "spares cannot be negative"),
    ("120%", "spares of 120% is over 100 % of the batch"),
    ("1.5", "spares is a whole count (2) or a percentage ('5%')"),
    ("lots", "spares is a count such as 2 or a percentage such as '5%'"),
])
def test_spares_are_a_count_or_a_percentage_up_to_100(project, value, message):
    project.write("models/box.py", BOX_SCRIPT)
    path = project.spec(f"- {{number: P1, name: Box, model: models/box.py, material: ABS, process: fdm,\n   spares: {value}}}")
    (got,) = problems(path)
    assert got.startswith(f"{path}:5:") and "parts[0].spares" in got and message in got, got


def test_spares_as_given(project):
    project.write("models/box.py", BOX_SCRIPT)
    path = project.spec("- {number: P1, name: Box, model: models/box.py, material: ABS, process: fdm, spares: 3}\n"
                        "- {number: P2, name: Box, model: models/box.py, material: ABS, process: fdm, spares: 12.5 %}",
                        product=PRODUCT.replace("batch: 10", "batch: 10, spares: 0"))
    spec = load_spec(path).spec
    assert [p.spares for p in spec.parts] == [3, "12.5%"] and spec.product.spares == 0

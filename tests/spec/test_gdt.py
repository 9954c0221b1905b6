"""Geometric tolerances (ISO 1101) and datums (ISO 5459) on part features: the spec syntax,
and every mistake reported with file:line:col, key path and what to do."""

from __future__ import annotations

import json
import textwrap

import jsonschema
import pytest

from techpack.errors import SpecError
from techpack.spec import load_spec
from techpack.spec.schema import schema_json
from tests.conftest import BOX_SCRIPT

# The part's header takes lines 4-9 of the spec; its first feature is on line 10, the
# feature's mapping ("{") at column 9.
HEAD = "- number: DL2-101\n  name: Base\n  model: models/box.py\n  material: 6061\n  process: cnc-milling\n  features:\n"
UNDERSIDE = '- {name: underside, select: {face: "<Z"}, flatness: 0.05, datum: A}'  # line 10, datum A at col 72


def part_with(project, features: str, more_parts: str = ""):
    project.write("models/box.py", BOX_SCRIPT)
    body = textwrap.indent(textwrap.dedent(features).strip("\n"), "    ")
    return project.spec(HEAD + body + "\n" + more_parts)


def problems(path) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_spec(path)
    return [str(p) for p in info.value.problems]


def test_position_perpendicularity_and_parallelism_load_with_their_datums(project):
    path = part_with(
        project,
        f"""
        {UNDERSIDE}
        - {{name: side, select: {{face: ">X"}}, datum: B, perpendicularity: {{tolerance: 0.1, datums: [A]}}}}
        - {{name: stem bore, select: {{hole: 10}}, fit: H7, datum: C, position: {{tolerance: 0.05, datums: [A, B]}}}}
        - {{name: foot threads, select: {{hole: 4.2}}, position: {{tolerance: 0.2, datums: [A, B, C]}}}}
        - {{name: top, select: {{face: ">Z"}}, parallelism: {{tolerance: 0.02, datums: [A]}}}}
        - {{name: slot, select: {{hole: 8}}, position: {{tolerance: 0.1}}}}
        - name: pin
          select: {{hole: 3}}
          position:
            tolerance: 0.03
            datums:
              - C
              - A
        """,
    )
    underside, side, bore, threads, top, slot, pin = load_spec(path).spec.parts[0].features
    assert (underside.flatness, underside.datum, underside.position) == (0.05, "A", None)
    assert (side.datum, side.perpendicularity.tolerance, side.perpendicularity.datums) == ("B", 0.1, ["A"])
    assert (bore.datum, bore.position.tolerance, bore.position.datums) == ("C", 0.05, ["A", "B"])
    assert threads.position.datums == ["A", "B", "C"]
    assert (top.parallelism.tolerance, top.parallelism.datums, top.perpendicularity) == (0.02, ["A"], None)
    assert (slot.position.tolerance, slot.position.datums) == (0.1, [])  # a position need not refer to a datum
    assert pin.position.datums == ["C", "A"]  # primary first, as written
    with pytest.raises(Exception):
        bore.position.tolerance = 1.0  # frozen


def test_a_datum_that_no_feature_of_the_part_declares(project):
    path = part_with(
        project,
        f"""
        {UNDERSIDE}
        - {{name: stem bore, select: {{hole: 10}}, position: {{tolerance: 0.05, datums: [A, B]}}}}
        """,
        # datum B on another part does not count
        more_parts="- {number: DL2-102, name: Lid, model: models/box.py, material: 6061, process: cnc-milling, "
        "features: [{name: edge, select: {face: '>X'}, datum: B}]}\n",
    )
    assert problems(path) == [
        f"{path}:11:87: parts[0].features[1].position.datums[1]: datum B is not declared on part DL2-101; "
        "declare it with `datum: B` on the feature that is the datum (declared: A)"
    ]


def test_undeclared_datums_in_block_style_and_none_declared(project):
    path = part_with(
        project,
        """
        - name: top
          select: {face: ">Z"}
          parallelism:
            tolerance: 0.02
            datums:
              - A
        """,
    )
    assert problems(path) == [
        f"{path}:15:15: parts[0].features[0].parallelism.datums[0]: datum A is not declared on part DL2-101; "
        "declare it with `datum: A` on the feature that is the datum (declared: none)"
    ]


def test_a_datum_letter_declared_twice_on_one_part(project):
    path = part_with(
        project,
        f"""
        {UNDERSIDE}
        - {{name: top, select: {{face: ">Z"}}, datum: A}}
        """,
        more_parts="- {number: DL2-102, name: Lid, model: models/box.py, material: 6061, process: cnc-milling, "
        "features: [{name: edge, select: {face: '>X'}, datum: A}]}\n",  # another part may use A again
    )
    assert problems(path) == [
        f"{path}:11:50: parts[0].features[1].datum: datum A is already declared on part DL2-101 by feature 'underside' "
        f"at {path}:10:72; give each datum feature its own letter"
    ]


def test_a_feature_cannot_refer_to_its_own_datum(project):
    path = part_with(
        project,
        f"""
        {UNDERSIDE}
        - {{name: stem bore, select: {{hole: 10}}, datum: B, position: {{tolerance: 0.05, datums: [A, B]}}}}
        - {{name: side, select: {{face: ">X"}}, datum: C, perpendicularity: {{tolerance: 0.1, datums: [C]}}}}
        """,
    )
    assert problems(path) == [
        f"{path}:11:97: parts[0].features[1].position.datums[1]: feature 'stem bore' is datum B itself, "
        "so its position cannot refer to B; refer to another datum of part DL2-101 (declared: A, C)",
        f"{path}:12:98: parts[0].features[2].perpendicularity.datums[0]: feature 'side' is datum C itself, "
        "so its perpendicularity cannot refer to C; refer to another datum of part DL2-101 (declared: A, B)",
    ]


def test_own_datum_when_the_part_has_no_other(project):
    path = part_with(project, '- {name: underside, select: {face: "<Z"}, datum: A, parallelism: {tolerance: 0.1, datums: [A]}}')
    assert problems(path) == [
        f"{path}:10:98: parts[0].features[0].parallelism.datums[0]: feature 'underside' is datum A itself, "
        "so its parallelism cannot refer to A; declare the datum it is measured from with `datum:` on that feature of part DL2-101"
    ]


def test_a_datum_repeated_in_one_frame(project):
    path = part_with(
        project,
        f"""
        {UNDERSIDE}
        - {{name: stem bore, select: {{hole: 10}}, position: {{tolerance: 0.05, datums: [A, A]}}}}
        """,
    )
    assert problems(path) == [
        f"{path}:11:83: parts[0].features[1].position.datums: datum A is repeated in [A, A]; "
        "name each datum once, primary first, e.g. [A, B]"
    ]


def test_at_most_three_datums(project):
    path = part_with(
        project,
        f"""
        {UNDERSIDE}
        - {{name: b, select: {{face: ">X"}}, datum: B}}
        - {{name: c, select: {{face: ">Y"}}, datum: C}}
        - {{name: d, select: {{face: "<Y"}}, datum: D}}
        - {{name: stem bore, select: {{hole: 10}}, position: {{tolerance: 0.05, datums: [A, B, C, D]}}}}
        """,
    )
    assert problems(path) == [
        f"{path}:14:83: parts[0].features[4].position.datums: at most 3 datums (primary, secondary, tertiary); got 4: A, B, C, D"
    ]


@pytest.mark.parametrize("characteristic", ["perpendicularity", "parallelism"])
@pytest.mark.parametrize("frame", ["{tolerance: 0.1}", "{tolerance: 0.1, datums: []}"])
def test_orientation_tolerances_need_a_datum(project, characteristic, frame):
    path = part_with(project, f'{UNDERSIDE}\n- {{name: side, select: {{face: ">X"}}, {characteristic}: {frame}}}')
    col = 46 + len(characteristic)  # the frame's "{": 6 spaces, "- {name: side, select: {face: \">X\"}, " (37), "<characteristic>: "
    assert problems(path) == [
        f"{path}:11:{col}: parts[0].features[1].{characteristic}: {characteristic} is always relative to a datum; "
        "add datums: [A] naming the datum (declared with `datum: A` on another feature of the part)"
    ]


def test_position_is_for_holes_and_named_features_not_faces(project):
    path = part_with(project, f'{UNDERSIDE}\n- {{name: top, select: {{face: ">Z"}}, position: {{tolerance: 0.1, datums: [A]}}}}')
    assert problems(path) == [
        f"{path}:11:53: parts[0].features[1].position: position applies to a hole ({{hole: 10}}) or a named feature "
        "({name: ...}), not to a face; for a face use flatness:, perpendicularity: or parallelism:"
    ]


def test_flatness_is_for_faces(project):
    path = part_with(project, "- {name: stem bore, select: {hole: 10}, flatness: 0.05}")
    assert problems(path) == [
        f"{path}:10:57: parts[0].features[0].flatness: flatness applies to a face; select the face with "
        "{face: '<Z'} (a CadQuery selector) or {name: ...} (a face the script tagged), or give a hole its tolerance with fit: or tolerance:"
    ]


@pytest.mark.parametrize(
    "letter, message",
    [
        ("a", "'a' is not a datum letter; datum letters are capital letters: write A"),
        ("I", "'I' is not a datum letter: I, O and Q are not used, as they are mistaken for 1 and 0; use another letter, e.g. J"),
        ("O", "'O' is not a datum letter: I, O and Q are not used, as they are mistaken for 1 and 0; use another letter, e.g. P"),
        ("q", "'q' is not a datum letter: I, O and Q are not used, as they are mistaken for 1 and 0; use another letter, e.g. R"),
        ("AB", "'AB' is not a datum letter; use one capital letter A-Z except I, O and Q, e.g. A"),
        ("1", "'1' is not a datum letter; use one capital letter A-Z except I, O and Q, e.g. A"),
    ],
)
def test_datum_letters(project, letter, message):
    path = part_with(project, f"- {{name: top, select: {{face: '>Z'}}, datum: {letter}}}")
    assert problems(path) == [f"{path}:10:50: parts[0].features[0].datum: {message}"]
    # the same in a frame, reported once: not also as an undeclared datum
    path = part_with(project, f"{UNDERSIDE}\n- {{name: bore, select: {{hole: 10}}, position: {{tolerance: 0.1, datums: [A, {letter}]}}}}")
    assert problems(path) == [f"{path}:11:81: parts[0].features[1].position.datums[1]: {message}"]


@pytest.mark.parametrize("tolerance", ["0", "-0.1"])
def test_tolerance_values_are_positive(project, tolerance):
    path = part_with(project, f"{UNDERSIDE}\n- {{name: bore, select: {{hole: 10}}, position: {{tolerance: {tolerance}, datums: [A]}}}}")
    assert problems(path) == [f"{path}:11:64: parts[0].features[1].position.tolerance: must be greater than 0.0, got {float(tolerance):g}"]


def test_frame_keys_are_checked_with_a_hint(project):
    path = part_with(project, f"{UNDERSIDE}\n- {{name: bore, select: {{hole: 10}}, position: {{tolerance: 0.1, datum: [A]}}}}")
    assert problems(path) == [
        f"{path}:11:69: parts[0].features[1].position.datum: unknown key 'datum'; did you mean 'datums'?",
    ]
    path = part_with(project, f"{UNDERSIDE}\n- {{name: bore, select: {{hole: 10}}, position: {{datums: [A]}}}}")
    # a missing key is reported at its parent's key, as elsewhere in the spec
    assert problems(path) == [f"{path}:11:42: parts[0].features[1].position.tolerance: missing required key 'tolerance'"]


def test_every_gdt_problem_of_a_part_at_once_in_file_order(project):
    path = part_with(
        project,
        f"""
        {UNDERSIDE}
        - {{name: top, select: {{face: ">Z"}}, datum: A, parallelism: {{tolerance: 0.02}}}}
        - {{name: bore, select: {{hole: 10}}, position: {{tolerance: 0.05, datums: [B]}}}}
        """,
    )
    got = problems(path)
    assert [g.split(": ", 2)[1] for g in got] == [
        "parts[0].features[1].datum",
        "parts[0].features[1].parallelism",
        "parts[0].features[2].position.datums[0]",
    ]
    assert [g.split(":")[1] for g in got] == ["11", "11", "12"]


def test_the_json_schema_describes_frames_for_editors(project):
    schema = json.loads(schema_json())
    spec = {
        "techpack": 1,
        "product": {"number": "T-1", "name": "T", "revision": "A", "owner": "O", "drawn_by": "X", "batch": 1},
        "parts": [
            {
                "number": "P1",
                "name": "Base",
                "model": "models/box.py",
                "material": "6061",
                "process": "cnc-milling",
                "features": [
                    {"name": "underside", "select": {"face": "<Z"}, "flatness": 0.05, "datum": "A"},
                    {"name": "bore", "select": {"hole": 10}, "position": {"tolerance": 0.05, "datums": ["A"]}},
                    {"name": "side", "select": {"face": ">X"}, "perpendicularity": {"tolerance": 0.1, "datums": ["A"]}},
                ],
            }
        ],
    }
    jsonschema.validate(spec, schema)
    for break_it in (
        lambda features: features[0].update(datum="I"),
        lambda features: features[1]["position"].update(datums=["A", "A"]),
        lambda features: features[1]["position"].update(datums=["A", "B", "C", "D"]),
        lambda features: features[1]["position"].update(tolerance=0),
        lambda features: features[2]["perpendicularity"].pop("datums"),
        lambda features: features[2]["perpendicularity"].update(datums=[]),
    ):
        broken = json.loads(json.dumps(spec))
        break_it(broken["parts"][0]["features"])
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, schema)


@pytest.mark.parametrize("bad, message", [
    ("tolerance: [-0.1, 0.1]", "the upper limit deviation comes first: [0.1, -0.1], not [-0.1, 0.1]"),
    ("fit: H7, tolerance: [0.1, 0]", "give a size either a fit (ISO 286) or explicit limit deviations, not both"),
])
def test_limit_deviations_upper_first_and_not_with_a_fit(project, bad, message):
    path = part_with(project, f"- {{name: bore, select: {{hole: 10}}, {bad}}}")
    with pytest.raises(SpecError) as err:
        load_spec(path)
    assert "parts[0].features[0].tolerance" in str(err.value) and message in str(err.value)


@pytest.mark.parametrize("select, message", [
    ("{}", "select a feature one way: {hole: 10}, {face: '>Z'} or {name: top}"),
    ("{hole: 10, face: '>Z'}", "select a feature one way"),
    ("{hole: ten}", "hole: takes the holes' nominal diameter, a number such as 10; got 'ten'"),
    ("{face: 3}", "face: takes text"),
])
def test_a_feature_is_selected_one_way(project, select, message):
    path = part_with(project, f"- {{name: bore, select: {select}, fit: H7}}")
    with pytest.raises(SpecError) as err:
        load_spec(path)
    assert "parts[0].features[0].select" in str(err.value) and message in str(err.value)

"""The part model (geometry/model.py): selections resolved once, a feature that selects nothing is an input error, characteristics numbered."""

from __future__ import annotations

import math
import pickle
import re

import pytest

from techpack.geometry import build_models, build_parts
from techpack.geometry.select import named_faces
from techpack.spec import load_spec
from tests.conftest import FIXTURES

PLATE = """
import cadquery as cq

def build():
    return cq.Workplane().box(60, 40, 10).faces(">Z").workplane().pushPoints([(-20, 0), (20, 0)]).hole(6.6).faces(">Z").workplane().hole(10)
"""


def plate_spec(project, script: str, features: str, **extra):
    """A spec of one part P-1 made by `script` (in mm), with `features` (a YAML flow list)."""
    project.write("plate.py", script)
    return project.spec("- {number: P-1, name: Plate, model: plate.py, units: mm, material: 6061, process: cnc-milling,\n"
                        f"   features: {features}}}", **extra)


def test_a_hole_feature_with_no_such_hole_names_the_line_and_the_holes_there_are(project, cli, tmp_path):
    spec = plate_spec(project, PLATE, "[{name: bore, select: {hole: 12}, fit: H7}, {name: holes, select: {hole: 6.6}}]")
    code, out, err = cli("build", spec, "-o", tmp_path / "out")
    assert code == 2
    assert "Traceback" not in err
    assert re.search(r"techpack\.yaml:\d+:\d+: parts\[0\]\.features\[0\]\.select\.hole", err), err
    assert "no hole of Ø12 mm on the model plate.py; its holes are Ø6.6, Ø10" in err
    assert "features[1]" not in err  # the Ø6.6 holes are there
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())  # nothing written


def test_a_face_selector_that_selects_no_face(project, cli):
    spec = plate_spec(project, PLATE, "[{name: top, select: {face: '>Z and <X'}, flatness: 0.1}]")
    code, _, err = cli("check", spec)
    assert code == 2
    assert "parts[0].features[0].select.face" in err and "selects no face of plate.py" in err


def test_inch_products_select_holes_in_inches(project, cli):
    inches = "product: {number: P, name: Plate, revision: A, owner: O, drawn_by: D, date: 2026-11-20, batch: 5, units: in}\n"
    spec = plate_spec(project, PLATE, "[{name: bore, select: {hole: 0.3937}, fit: H7}]", product=inches)  # the script stays in mm
    code, _, err = cli("check", spec)
    assert code == 0, err  # 0.3937 in = Ø10 mm


def test_two_features_on_the_same_holes(project, cli):
    spec = plate_spec(project, PLATE, "[{name: bore, select: {hole: 10}, fit: H7}, {name: bore square, select: {hole: 10.0}, critical: true}]")
    code, _, err = cli("check", spec)
    assert code == 2
    assert "parts[0].features[1].select.hole" in err
    assert "selects the same Ø10 holes as features[0] (bore); put all their tolerances on that one feature" in err


TAGGED = """
import cadquery as cq

def build():
    part = cq.Workplane().box(60, 40, 10).faces(">Z").tag("top").end()
    part = part.faces(">Z").workplane().hole(10)  # the tagged face gets a hole: still the top
    return part.faces("<X").tag("left end").end()
"""


def test_select_by_name_finds_the_faces_the_script_tagged(project, tmp_path):
    spec = plate_spec(project, TAGGED, "[{name: top, select: {name: top}, flatness: 0.02, datum: A}]")
    loaded = load_spec(spec)
    (built,) = build_parts(loaded)
    (model,) = build_models(loaded, [built])
    assert [s.feature.name for s in model.selections if s.faces] == ['top']
    (top,) = named_faces(built, "top")
    assert top.geomType() == "PLANE" and top.Center().z == pytest.approx(5.0) and top.Area() == pytest.approx(60 * 40 - math.pi * 25)
    (left,) = named_faces(built, "left end")
    assert left.Center().x == pytest.approx(-30.0)
    assert named_faces(built, "bottom") == []


def test_a_name_no_face_carries_lists_the_tags(project, cli):
    spec = plate_spec(project, TAGGED, "[{name: seat, select: {name: seat}, flatness: 0.02}]")
    code, _, err = cli("check", spec)
    assert code == 2
    assert "parts[0].features[0].select.name" in err
    assert "no face of plate.py is named 'seat'; tag the face in plate.py, e.g. .faces('>Z').tag('seat') (its tags: left end, top)" in err


# --- the part model: computed once, characteristics numbered in the spec's order -----------

GDT_PLATE = ("[{name: bore, select: {hole: 10}, fit: H7, surface: Ra 0.8, perpendicularity: {tolerance: 0.02, datums: [A]}},"
             " {name: base, select: {face: '<Z'}, flatness: 0.03, datum: A},"
             " {name: holes, select: {hole: 6.6}, critical: true, position: {tolerance: 0.1, datums: [A]}},"
             " {name: top, select: {face: '>Z'}, tolerance: [0.05, -0.05]}]")


def test_characteristics_follow_the_spec_features_with_limits_from_the_model(project):
    loaded = load_spec(plate_spec(project, PLATE, GDT_PLATE))
    (model,) = build_models(loaded, build_parts(loaded))
    got = [(c.number, c.feature, c.kind, c.text, c.nominal, c.upper, c.lower, c.unit, c.datums, c.severity, c.count, c.general)
           for c in model.characteristics]
    assert got == [
        (1, "bore", "size", "Ø10 H7", pytest.approx(10.0), pytest.approx(10.015), pytest.approx(10.0), "mm", (), "major", 1, False),
        (2, "bore", "perpendicularity", "perpendicularity Ø0.02 to A", None, pytest.approx(0.02), 0.0, "mm", ("A",), "major", 1, False),
        (3, "bore", "roughness", "Ra 0.8", None, 0.8, None, "µm", (), "minor", 1, False),
        (4, "base", "flatness", "flatness 0.03", None, pytest.approx(0.03), 0.0, "mm", (), "major", 1, False),
        # critical with no limits of its own: ISO 2768-m (the process's class) over 6 up to 30 mm is ±0.2
        (5, "holes", "size", "Ø6.6", pytest.approx(6.6), pytest.approx(6.8), pytest.approx(6.4), "mm", (), "critical", 2, True),
        (6, "holes", "position", "position Ø0.1 to A", None, pytest.approx(0.1), 0.0, "mm", ("A",), "critical", 2, False),
        # the plate's thickness under the top face, measured on the solid: 10 mm
        (7, "top", "size", "10 ±0.05", pytest.approx(10.0), pytest.approx(10.05), pytest.approx(9.95), "mm", (), "major", 1, False),
    ]
    assert model.mass_g == pytest.approx(model.volume_mm3 * 2.70 / 1000)  # 6061: 2.70 g/cm³
    assert [len(s.holes) for s in model.selections] == [1, 0, 2, 0]
    assert [len(s.faces) for s in model.selections] == [0, 1, 0, 1]


def test_a_build_finds_each_parts_features_once(project, tmp_path, monkeypatch):
    """Selections, DFM checks, drawing, workbook and finishing read the one part model: its
    worker looks for features once, and the main process (workbook, cover, DFM report) never."""
    import techpack.geometry.features as features
    import techpack.geometry.model as model
    from techpack.build import build
    from techpack.report import Reporter
    from techpack.spec import load_spec
    from techpack.workers import Pool, Task

    spec = plate_spec(project, PLATE, GDT_PLATE)
    loaded = load_spec(spec)
    (tmp_path / "pkg").mkdir()
    with Pool(1, Reporter(0)) as pool:
        (count,) = pool.run([Task("tests.geometry.model_tasks:count_feature_searches", (pickle.dumps(loaded), str(tmp_path / "pkg")), "count")])
    assert count == 1

    def refuse(*a, **k):
        raise AssertionError("the main process looked for features")

    monkeypatch.setattr(model, "find_features", refuse)
    monkeypatch.setattr(features, "find_features", refuse)
    with Pool(1, Reporter(0)) as pool:  # a fresh worker: not patched
        build(spec, tmp_path / "out", Reporter(0), pool=pool)  # would raise if the main process looked


@pytest.mark.parametrize("features, key, message", [
    ("[{name: bore, select: {hole: 10}, fit: h7}]", "features[0].fit", "h7 is a shaft's tolerance class (lower case); a hole takes a capital letter, e.g. H7"),
    ("[{name: bore, select: {hole: 10}, thread: M8x1.25}]", "features[0].thread",
     "M8 cannot be cut in the Ø10 holes it selects: a tapped hole is modelled at its tap drill (about Ø6.75) or at its nominal Ø8"),
    ("[{name: holes, select: {hole: 6.6}, thread: M8x1.25-6g}]", "features[0].thread", "6g is an external thread's class (a bolt's); a tapped hole takes an internal one, e.g. 6H"),
    ("[{name: holes, select: {hole: 6.6}, thread: M8, fit: H7}]", "features[0].fit", "a tapped hole takes its thread's tolerance class"),
])
def test_a_thread_or_fit_the_selected_holes_cannot_take(project, cli, features, key, message):
    code, _, err = cli("check", plate_spec(project, PLATE, features))
    assert code == 2 and "Traceback" not in err
    assert re.search(rf"techpack\.yaml:\d+:\d+: parts\[0\]\.{re.escape(key)}", err), err
    assert message in err, err


WEDGE = """
import cadquery as cq

def build():
    return cq.Workplane("XZ").polyline([(0, 0), (40, 0), (40, 10), (0, 30)]).close().extrude(-20)
"""


def test_a_size_across_a_face_with_no_parallel_face_opposite_is_an_error(project, cli):
    code, _, err = cli("check", plate_spec(project, WEDGE, "[{name: slope, select: {face: '>Z'}, tolerance: [0.1, -0.1]}]"))
    assert code == 2 and "parts[0].features[0].tolerance" in err
    assert "has no parallel face opposite it, so it has no size across to tolerance" in err


@pytest.mark.parametrize("name, size", [("nist_ctc_02_asme1_ap203.stp", 81.0), ("nist_ctc_04_asme1_ap203.stp", 30.0)])
def test_the_size_across_the_top_of_a_nist_part_is_to_the_plane_most_of_it_stands_on(project, name, size):
    """Expected sizes from a separate reading: 900 rays straight down from the top face, the
    plane most of them reach (CTC-04: its underside, not the crown of the R12.5 channel under
    part of the top; CTC-02: z = -41, not the top of an R10 cross bore)."""
    (project.root / name).write_bytes((FIXTURES / name).read_bytes())
    spec = project.spec(f"- {{number: N-1, name: NIST, model: {name}, material: 6061, process: cnc-milling,\n"
                        "   features: [{name: top, select: {face: '>Z'}, tolerance: [0.1, -0.1]}]}")
    loaded = load_spec(spec)
    (model,) = build_models(loaded, build_parts(loaded))
    (char,) = model.characteristics
    assert (char.text, char.nominal) == (f"{size:g} ±0.1", pytest.approx(size))

"""A spec feature that selects nothing on its model is an input error (geometry/select.py)."""

from __future__ import annotations

import math
import re

import pytest

from techpack.geometry import build_models, build_parts
from techpack.geometry.select import named_faces
from techpack.spec import load_spec

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

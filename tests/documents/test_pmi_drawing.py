"""The designer's AP242 PMI on the drawing and in the inspection plan: NIST CTC-01."""

from __future__ import annotations

import json
import re
import shutil

import pdfplumber
import pytest

from tests.conftest import FIXTURES
from tests.documents.test_drawing import draw_fixture, render, vertical_words


@pytest.fixture(scope="module")
def ctc01(tmp_path_factory):
    """CTC-01 from its AP242 file, drawn: (characteristics file, drawing text, lint problems)."""
    out, outputs, problems = draw_fixture(tmp_path_factory.mktemp("ap242"), "nist_ctc_01_asme1_ap242.stp")
    with pdfplumber.open(out / outputs[0].path) as pdf:
        text = "\n".join(p.extract_text() + "\n" + " ".join(vertical_words(p)) for p in pdf.pages)
    return json.loads((out / outputs[1].path).read_text()), text, problems


def test_the_pmi_tolerances_are_characteristics_with_their_values(ctc01):
    chars, _, _ = ctc01
    got = sorted((c["kind"], c["upper"]) for c in chars["characteristics"] if c["kind"] != "size")
    # the geometric tolerances of CTC-01's AP242 file (../shared/reference/cad-exports-pmi.md 1.4)
    assert got == [("flatness", 0.2), ("perpendicularity", 1.5), ("position", 0.75), ("position", 0.75)]
    sizes = sorted((c["nominal"], round(c["lower"], 3), round(c["upper"], 3)) for c in chars["characteristics"] if c["kind"] == "size")
    assert sizes == [(20.0, 19.9, 20.05), (20.0, 19.95, 20.1), (25.0, 24.85, 25.15),
                     (35.0, 34.8, 35.0), (35.0, 34.8, 35.2), (35.0, 34.8, 35.2), (35.0, 35.0, 35.2)]
    assert all(c["view"] for c in chars["characteristics"])  # every one ballooned on a view


def test_the_pmi_frames_and_datums_are_drawn(ctc01):
    _, text, problems = ctc01
    assert problems == []
    for cells in (("0.75", "A", "B", "C"), ("⊥", "1.5", "A"), ("0.2",)):
        assert re.search(r"\s*".join(map(re.escape, cells)), text), cells
    assert "Ø35 0/-0.2 THRU" in text and "Ø35 +0.2/0 THRU" in text  # datums B and C's holes, as the designer toleranced them


def test_pmi_that_is_not_drawn_is_listed(ctc01):
    chars, _, _ = ctc01
    missing = " ".join(chars["pmi_not_called_out"])
    assert "surface profile 1.25" in missing and "surface profile 0.5" in missing and "angle 60°" in missing
    assert "no value in the STEP file" in missing


def test_an_ap203_file_has_no_pmi(project, tmp_path):
    name = "nist_ctc_01_asme1_ap203.stp"
    shutil.copy(FIXTURES / name, project.root / name)
    spec = project.spec(f"- {{number: CTC, name: NIST part, model: {name}, material: 6061, process: cnc-milling}}")
    _, outputs, _ = render(spec, "CTC", tmp_path)
    chars = json.loads((tmp_path / outputs[1].path).read_text())
    assert chars["characteristics"] == [] and chars["pmi_not_called_out"] == []

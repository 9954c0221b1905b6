"""Every hole callout on a drawing says what the model holds: its diameters are round walls of
the model (read here with OCCT, independently of techpack's readers) and its depths are where
those walls end, measured from the surface where the hole starts."""

from __future__ import annotations

import re
import shutil

import pdfplumber
import pytest
from OCP.BRepAdaptor import BRepAdaptor_Surface
from OCP.GeomAbs import GeomAbs_Cylinder

from tests.conftest import EXAMPLE, FIXTURES
from tests.documents.test_drawing import render

NIST = ["nist_ctc_01_asme1_ap203.stp", "nist_ctc_02_asme1_ap203.stp", "nist_ctc_03_asme1_ap203.stp",
        "nist_ctc_04_asme1_ap203.stp", "nist_ctc_05_asme1_ap203.stp", "nist_ctc_01_asme1_ap242.stp"]
TOLERANCE = r"(?: (?:[A-Za-z]{1,2}\d+(?: \([^)]*\))?|[±+\-0-9][^ ,;]*))?"  # H7 (+0.015/0), +0.1/-0.05, ±0.15, 0/-0.2
CALLOUT = re.compile(r"(?:\d+× )?(?:FAR SIDE )?(?:CBORE |CSK )?Ø(\d+(?:\.\d+)?)" + TOLERANCE + r" (THRU|↧(\d+(?:\.\d+)?))")


def cylinders(solid) -> set[float]:
    """Diameters of the solid's cylindrical faces, to 0.01 mm (OCCT's surface, not techpack's reading)."""
    return {round(2 * BRepAdaptor_Surface(f.wrapped).Cylinder().Radius(), 2) for f in solid.Faces()
            if BRepAdaptor_Surface(f.wrapped).GetType() == GeomAbs_Cylinder}


def callouts(path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        lines = [line for page in pdf.pages for line in page.extract_text().splitlines()]
    return [m.group(0) for line in lines for m in CALLOUT.finditer(line)]


def check_text(built, text: str) -> None:
    """Assert one callout's numbers on the model."""
    have = cylinders(built.solid)
    segments = {(round(s.diameter_mm, 2), round(s.end_mm, 2)) for b in built.bores for s in b.segments}
    far = {(round(s.diameter_mm, 2), round(b.depth_mm - s.start_mm, 2)) for b in built.bores for s in b.segments}
    far |= {(round(p.diameter_mm, 2), round(p.end_mm - p.start_mm, 2)) for b in built.bores for p in b.adjoining}  # broken-out counterbores
    through = {round(min(s.diameter_mm for s in b.segments if s.kind == "bore"), 2) for b in built.bores if b.through}
    m = CALLOUT.fullmatch(text)
    d = round(float(m.group(1)), 2)
    if "PCD" in text or "CSK" in text:
        return
    assert any(abs(d - c) <= 0.011 for c in have), f"{text}: no Ø{d} wall on the model (it has {sorted(have)})"
    if m.group(2) == "THRU":
        assert any(abs(d - t) <= 0.011 for t in through) or "FAR SIDE" in text, f"{text}: no bore of Ø{d} runs through"
    elif "tap drill" not in text:
        depth = round(float(m.group(3)), 2)
        assert any(abs(d - a) <= 0.011 and abs(depth - b) <= 0.011 for a, b in segments | far), \
            f"{text}: Ø{d} does not end {depth} from the surface it starts at"


def check(built, path) -> int:
    """Assert each callout's numbers on the model; the number of callouts read."""
    found = callouts(path)
    for text in found:
        check_text(built, text)
    return len(found)


@pytest.mark.parametrize("name", NIST)
def test_nist_hole_callouts_match_the_model(project, tmp_path, name):
    shutil.copy(FIXTURES / name, project.root / name)
    spec = project.spec(f"- {{number: CTC, name: NIST part, model: {name}, material: 6061, process: cnc-milling}}")
    built, outputs, problems = render(spec, "CTC", tmp_path)
    assert check(built, tmp_path / outputs[0].path) >= 2
    assert problems == []


@pytest.mark.parametrize("number", ["DL2-101", "DL2-301", "DL2-501", "DL2-601"])
def test_example_hole_callouts_match_the_model(tmp_path, number):
    built, outputs, problems = render(EXAMPLE, number, tmp_path)
    assert check(built, tmp_path / outputs[0].path) >= 1
    assert problems == []


def test_the_callout_check_catches_a_wrong_number(project, tmp_path):
    """The check fails on callouts the model does not hold (a guard against a test that cannot fail)."""
    shutil.copy(FIXTURES / NIST[3], project.root / NIST[3])
    spec = project.spec(f"- {{number: CTC, name: NIST part, model: {NIST[3]}, material: 6061, process: cnc-milling}}")
    built, outputs, _ = render(spec, "CTC", tmp_path)
    assert "4× Ø12 ↧40" in callouts(tmp_path / outputs[0].path)
    check_text(built, "4× Ø12 ↧40")  # what the model holds passes
    for wrong in ("4× Ø12 ↧20", "4× Ø13 ↧40", "4× Ø12 THRU"):
        with pytest.raises(AssertionError):
            check_text(built, wrong)

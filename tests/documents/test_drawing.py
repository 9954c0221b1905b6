"""The part drawing (work in progress, issue 5; not yet in the build): read back with pdfplumber."""

from __future__ import annotations

import datetime as dt
import json

import pdfplumber

from techpack.checks import run_checks
from techpack.context import BuildContext
from techpack.documents import drawing
from techpack.geometry import build_parts
from techpack.report import Reporter
from techpack.spec import load_spec
from tests.conftest import EXAMPLE


def test_base_drawing_title_block_and_hole_callouts_from_the_model(tmp_path):
    loaded = load_spec(EXAMPLE)
    parts = build_parts(loaded)
    base = next(p for p in parts if p.spec.number == "DL2-101")
    ctx = BuildContext(loaded=loaded, folder=tmp_path, date=dt.date(2026, 11, 20), git=None, log=Reporter(0), report=run_checks(loaded, [base]))
    outputs = drawing._part(ctx, base)
    assert [o.path for o in outputs] == ["drawings/DL2-101_base_revB.pdf", "drawings/DL2-101_characteristics.json"]
    with pdfplumber.open(tmp_path / outputs[0].path) as pdf:
        (page,) = pdf.pages
        text = page.extract_text()
        fonts = {c["fontname"].split("+")[-1] for c in page.chars}
    for value in ("Studio North Ltd", "DL2-101", "Base", "2026-11-20", "A. Designer", "B. Lead", "Part drawing",
                  "Aluminium 6061-T6", "ISO 2768-mK", "Dimensions in mm", "First angle"):
        assert value in text
    assert "4× Ø4.2 ↧10" in text  # the four tap-drill holes, grouped, with their depth from the model
    assert "Ø10 THRU" in text
    assert "160" in text and "12" in text  # overall sizes from the model's box
    assert fonts <= {"DejaVuSans", "DejaVuSans-Bold"}
    chars = json.loads((tmp_path / outputs[1].path).read_text())
    assert chars["part"] == "DL2-101" and chars["characteristics"] == []

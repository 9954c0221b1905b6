"""Detail views: a view's edges clipped to a circle (exactly for lines and arcs), and the
stem's grooves, too small to read at 1:2, shown in a detail so that the stem prints on A3."""

from __future__ import annotations

import math

import pdfplumber
import pytest

from techpack.documents.detail import clip
from techpack.documents.views import Arc, Bezier, Line
from tests.conftest import EXAMPLE
from tests.documents.test_drawing import draw


def test_a_line_is_cut_where_it_crosses_the_circle():
    (got,) = clip([Line((-10.0, 3.0), (10.0, 3.0))], (0.0, 0.0), 5.0)
    assert got.a == pytest.approx((-4.0, 3.0)) and got.b == pytest.approx((4.0, 3.0))  # 3-4-5
    assert clip([Line((-10.0, 6.0), (10.0, 6.0))], (0.0, 0.0), 5.0) == ()
    (inner,) = clip([Line((1.0, 1.0), (2.0, 2.0))], (0.0, 0.0), 5.0)
    assert inner == Line((1.0, 1.0), (2.0, 2.0))


def test_an_arc_is_cut_where_the_circles_cross():
    (got,) = clip([Arc((3.0, 0.0), 3.0, 0.0, 360.0)], (0.0, 0.0), 3.0)  # circles of radius 3, centres 3 apart: cross at ±60° from the line
    assert (got.start_deg, got.end_deg) == (pytest.approx(120.0), pytest.approx(240.0)) and got.centre == (3.0, 0.0)
    (part,) = clip([Arc((0.0, 0.0), 2.0, 10.0, 80.0)], (0.0, 0.0), 5.0)  # wholly inside
    assert (part.start_deg, part.end_deg) == (10.0, 80.0)


def test_a_bezier_becomes_short_lines_inside():
    lines = clip([Bezier(((-10.0, 0.0), (-3.0, 0.0), (3.0, 0.0), (10.0, 0.0)))], (0.0, 0.0), 5.0)
    assert lines and all(math.hypot(*p) <= 5.0 + 1e-9 for seg in lines for p in (seg.a, seg.b))


def test_the_stem_prints_on_a3_with_a_detail_of_its_grooves(tmp_path):
    built, outputs, problems, text, _ = draw(EXAMPLE, "DL2-501", tmp_path)
    assert problems == []
    with pdfplumber.open(tmp_path / outputs[0].path) as pdf:
        page = pdf.pages[0]
        assert (round(page.width), round(page.height)) == (1191, 842)  # A3, not A2
    assert "2× GROOVE Ø9.6 × 1.1" in text and "B (5:1)" in text and "1:2" in text

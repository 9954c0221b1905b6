"""The selectors a spec is checked against without importing CadQuery are exactly ones CadQuery
reads: each simple form is read by CadQuery's own parser, and near misses are not taken as
simple (they go to CadQuery, which refuses them)."""

from __future__ import annotations

import pytest
from cadquery.selectors import StringSyntaxSelector

from techpack.spec.checks import SIMPLE_SELECTOR, _selector_problem

SIMPLE = ([p + a for p in ("", "+", "-", "<", ">", "|", "#") for a in "XYZ"]
          + [f"{p}{a}[{i}]" for p in "<>" for a in "XYZ" for i in (0, 1, -1, -2, 12)]
          + ["%" + t for t in "PLANE CYLINDER CONE SPHERE TORUS BEZIER BSPLINE REVOLUTION EXTRUSION OFFSET OTHER LINE CIRCLE ELLIPSE HYPERBOLA PARABOLA".split()])


@pytest.mark.parametrize("selector", SIMPLE)
def test_each_simple_form_is_one_cadquery_reads(selector):
    assert SIMPLE_SELECTOR.fullmatch(selector)
    StringSyntaxSelector(selector)  # raises if CadQuery cannot read it
    assert _selector_problem(selector) is None


@pytest.mark.parametrize("selector", ["<W", ">Z[", "%PLANES", "Z>", ">Z[1.5]", "|Z and"])
def test_a_near_miss_is_not_simple_and_cadquery_says_why(selector):
    assert not SIMPLE_SELECTOR.fullmatch(selector)
    assert f"'{selector}' is not a CadQuery selector" in _selector_problem(selector)


@pytest.mark.parametrize("selector", [">Z and |X", "<<Z", "%plane", "< Z"])
def test_other_forms_cadquery_reads_are_left_to_it(selector):
    assert not SIMPLE_SELECTOR.fullmatch(selector)
    assert _selector_problem(selector) is None

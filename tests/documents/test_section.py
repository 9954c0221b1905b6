"""Section views: where the plane goes, what is cut away, and the hatching (documents/section.py)."""

from __future__ import annotations

import math

import cadquery as cq
import pytest

from techpack.documents.section import cutting_line, hatch, plan, spans
from techpack.documents.views import project_views
from techpack.geometry.features import find_features


def _box(solid) -> tuple[float, ...]:
    bb = solid.BoundingBox()
    return (bb.xmin, bb.ymin, bb.zmin, bb.xmax, bb.ymax, bb.zmax)


def _plan(solid, **kw):
    return plan(solid, _box(solid), solid.Volume(), find_features(solid), **kw)


def _hatched_area(cut, pitch: float = 0.05) -> float:
    """The cut faces' area, from fine hatching: total line length times the pitch."""
    return sum(math.dist(a, b) for a, b in hatch(cut, pitch)) * pitch


def test_block_with_a_counterbored_bore_is_cut_through_the_bore_axis():
    # 60 x 40 x 20 block, a Ø10 bore with a Ø16 x 4 counterbore, 8 mm off centre in y
    solid = cq.Workplane().box(60, 40, 20).faces(">Z").workplane().center(0, 8).cboreHole(10, 16, 4).val()
    cut = _plan(solid)
    assert cut is not None
    assert cut.point[1] == pytest.approx(8.0)  # through the bore's axis
    assert cut.normal == (0.0, -1.0, 0.0)  # seen from the front
    bb = cut.solid.BoundingBox()
    assert (bb.ymin, bb.ymax) == (pytest.approx(8.0), pytest.approx(20.0))  # the front part is gone
    # the cut faces: the block's section 60 x 20 less the bore (10 x 16) and counterbore (16 x 4)
    assert len(cut.faces) == 2  # either side of the bore
    assert _hatched_area(cut) == pytest.approx(60 * 20 - 10 * 16 - 16 * 4, rel=2e-3)


def test_hatching_is_at_45_degrees_and_stays_inside_the_cut_faces():
    solid = cq.Workplane().box(60, 40, 20).faces(">Z").workplane().hole(10).val()
    cut = _plan(solid)
    lines = hatch(cut, 2.0)
    assert len(lines) > 20
    for a, b in lines:
        assert math.degrees(math.atan2(b[1] - a[1], b[0] - a[0])) == pytest.approx(45.0)
        for x, z in (a, b, ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)):
            assert -30 - 1e-6 <= x <= 30 + 1e-6 and -10 - 1e-6 <= z <= 10 + 1e-6
            assert not (-5 + 1e-6 < x < 5 - 1e-6)  # never across the bore
    # neighbouring lines are one pitch apart, measured across them
    offsets = sorted({round((a[1] - a[0]) / math.sqrt(2), 6) for a, _ in lines})
    assert all(o2 - o1 == pytest.approx(2.0, abs=1e-6) for o1, o2 in zip(offsets, offsets[1:]))


def test_a_hollow_part_without_bores_is_cut_through_its_middle():
    shell = cq.Workplane().box(50, 50, 30).faces(">Z").shell(-2).val()
    cut = _plan(shell)
    assert cut is not None and cut.point[1] == pytest.approx(0.0, abs=1e-6)
    assert _hatched_area(cut) == pytest.approx(50 * 30 - 46 * 28, rel=5e-3)  # a U of 2 mm walls


def test_no_section_for_a_solid_block_a_sheet_part_or_a_bore_seen_end_on():
    assert _plan(cq.Workplane().box(40, 30, 10).val()) is None
    bored = cq.Workplane().box(60, 40, 20).faces(">Z").workplane().hole(10).val()
    assert _plan(bored, thin=True) is None
    # the only bore runs along y: the front view already shows it as a circle
    assert _plan(cq.Workplane().box(60, 40, 20).faces("<Y").workplane().hole(10).val()) is None


def test_section_view_spans_the_part_and_the_cutting_line_crosses_the_top_view():
    solid = cq.Workplane().box(60, 40, 20).faces(">Z").workplane().hole(10).val()
    cut = _plan(solid)
    views = project_views(solid, ["top"], others={"front": (cut.solid, "front")})
    assert spans(views["front"], _box(solid))
    assert views["front"].bounds == pytest.approx((-30, -10, 30, 10), abs=1e-6)
    a, b, arrow = cutting_line(cut, views["top"])
    assert a[1] == pytest.approx(0.0) and b[1] == pytest.approx(0.0)  # at the bore's y, across the whole width
    assert sorted((a[0], b[0])) == pytest.approx([-30, 30])
    assert arrow == pytest.approx((0.0, 1.0))  # seen looking towards +y: up on the top view
    # a cut part that lost its full outline is not a stand-in for the front view
    stepped = cq.Workplane().box(60, 40, 20).faces(">Z").workplane().hole(10).faces("<Y").workplane().rect(70, 30).extrude(5, combine=True).val()
    assert _plan(stepped) is None  # its wider front lip would be cut away
    assert not spans(views["front"], _box(stepped))

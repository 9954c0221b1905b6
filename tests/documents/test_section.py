"""Section views: where the plane goes, what is cut away, and the hatching (documents/section.py)."""

from __future__ import annotations

import math

import cadquery as cq
import numpy as np
import pytest

from techpack.documents import section
from techpack.documents.section import cutting_line, hatch, plan, removed_view, spans, stack_section
from techpack.documents.views import project_views
from techpack.geometry.bores import find_bores
from techpack.geometry.features import find_features
from tests.conftest import FIXTURES


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


# --- a bore stack's removed section ------------------------------------------------------------


def _stack(solid, views=("front", "left", "top")):
    return stack_section(solid, _box(solid), find_bores(solid, find_features(solid)), None, list(views), "B")


def _by_boolean(monkeypatch, solid, views=("front", "left", "top")):
    """The stack's section as the boolean intersection with the box behind the strip makes it."""
    with monkeypatch.context() as m:
        m.setattr(section, "_local_faces", lambda *args: None)
        return _stack(solid, views)


def _edges(cut) -> list:
    """The cut faces' edges (polylines, exact), in no particular order."""
    return sorted(sorted(e.tobytes() for e in face) for face in cut.faces)


def _walls() -> cq.Solid:
    """An open box 80 x 60 x 40 with 4 mm walls; a Ø10 bore through its front and rear walls on
    x = z = 0, a Ø16 x 2 counterbore on the outside of each."""
    body = cq.Workplane().box(80, 60, 40).faces(">Z").shell(-4)
    bore = cq.Workplane("XZ").workplane(offset=-40).circle(5).extrude(80)
    cbores = [cq.Workplane("XZ").workplane(offset=o).circle(8).extrude(2) for o in (-30, 28)]  # XZ looks along -y
    for c in [bore] + cbores:
        body = body.cut(c)
    return body.val()


def test_a_stack_section_cuts_the_walls_near_the_stack_axis(monkeypatch):
    solid = _walls()
    cut = _stack(solid)
    assert cut is not None and cut.view == "left" and cut.letter == "B"  # the front view sees the bores end-on
    assert cut.point[0] == pytest.approx(0.0) and cut.point[2] == pytest.approx(0.0)
    assert cut.normal == (-1.0, 0.0, 0.0)
    # each wall's 4 x 24 section (z within 0.75 x 16 of the axis) less the bore (10 x 2) and its counterbore (16 x 2)
    assert _hatched_area(cut, 0.02) == pytest.approx(2 * (4 * 24 - 10 * 2 - 16 * 2), rel=2e-3)
    assert removed_view(cut).bounds == pytest.approx((-30, -12, 30, 12), abs=1e-6)
    # the same faces, edge for edge and bit for bit, as the boolean intersection gives
    assert _edges(cut) == _edges(_by_boolean(monkeypatch, solid))


def test_a_face_lying_in_the_cutting_plane_is_cut_face_only_with_material_behind_it(monkeypatch):
    # a plate 80 x 20 x 60 with a bore of three diameters along y; two lugs whose sides lie
    # in the cutting plane x = 0: behind the plane (x > 0, away from the viewer) on the rear,
    # in front of it on the front
    plate = cq.Workplane().box(80, 20, 60, centered=(True, False, True))
    for d, y0, y1 in ((20, 0, 5), (14, 5, 10), (8, 10, 20)):
        plate = plate.cut(cq.Workplane("XZ").workplane(offset=-y1).circle(d / 2).extrude(y1 - y0))
    rear = cq.Workplane().box(15, 20, 8, centered=False).translate((0, 20, 6))
    front = cq.Workplane().box(15, 20, 8, centered=False).translate((-15, -20, 6))
    solid = plate.union(rear).union(front).val()
    cut = _stack(solid)
    assert cut is not None and cut.view == "left"
    # the plate's section within 15 of the axis less the bore's steps, and the rear lug's side
    assert _hatched_area(cut, 0.02) == pytest.approx(20 * 30 - (20 * 5 + 14 * 5 + 8 * 10) + 20 * 8, rel=2e-3)
    assert len(cut.faces) == 3  # either side of the bore, and the rear lug's side
    assert _edges(cut) == _edges(_by_boolean(monkeypatch, solid))


def test_nist_ctc_02_wall_bores_section_is_the_booleans(monkeypatch):
    solid = cq.importers.importStep(str(FIXTURES / "nist_ctc_02_asme1_ap203.stp")).val().Solids()[0]
    cut = _stack(solid)
    assert cut is not None and cut.view == "left" and len(cut.faces) == 4  # two walls, each side of the stack
    assert _edges(cut) == _edges(_by_boolean(monkeypatch, solid))


def test_no_boolean_for_a_section_that_could_not_span_the_view(monkeypatch):
    stepped = cq.Workplane().box(60, 40, 20).faces(">Z").workplane().hole(10).faces("<Y").workplane().rect(70, 30).extrude(5, combine=True).val()
    lo, hi = np.array(_box(stepped)[:3]), np.array(_box(stepped)[3:])
    kept = section._cut(stepped, np.array((0.0, 0.0, 0.0)), np.array((0.0, -1.0, 0.0)), lo, hi, _box(stepped))
    assert kept is None  # the boolean's own verdict: its wider front lip is cut away
    assert not section._behind_may_span(stepped, np.array((0.0, 0.0, 0.0)), np.array((0.0, -1.0, 0.0)), _box(stepped))
    monkeypatch.setattr(section, "_cut", lambda *args: pytest.fail("the cut was made"))
    assert _plan(stepped) is None
    # a part whose remains do span: the faces behind the plane reach the whole box
    bored = cq.Workplane().box(60, 40, 20).faces(">Z").workplane().hole(10).val()
    assert section._behind_may_span(bored, np.array((0.0, 0.0, 0.0)), np.array((0.0, -1.0, 0.0)), _box(bored))

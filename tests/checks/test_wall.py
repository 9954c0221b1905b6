"""Wall thickness measured on parts with known answers (../shared/reference/dfm.md 3.6)."""

from __future__ import annotations

import pytest

from tests.checks.conftest import findings, part_of


@pytest.mark.parametrize("t", [0.5, 0.8, 1.0, 2.0, 3.5, 5.0])
def test_shelled_box_measures_its_wall(dfm, t):
    code, report = dfm(f"return cq.Workplane().box(60, 40, 30).faces('>Z').shell(-{t})", "vacuum-casting", "PU casting resin")
    measured = part_of(report)["measured"]["wall_min"]["mm"]
    assert measured == pytest.approx(t, rel=0.01)
    walls = findings(report, "wall-thickness")
    if t < 0.5:
        assert walls and walls[0]["severity"] == "error"
    elif t < 1.0:  # vacuum casting: warn below 1.0 mm, error below 0.5 mm
        assert {f["severity"] for f in walls} == {"warning"} and all(f["limit"] == 1.0 for f in walls)
        assert all(f["value"] == pytest.approx(t, rel=0.01) for f in walls)
        assert code == 0  # warnings do not fail the default --fail-on error
    else:
        assert walls == []


def test_thin_shell_is_an_error_and_fails_the_check(dfm):
    code, report = dfm("return cq.Workplane().box(60, 40, 30).faces('>Z').shell(-0.4)", "vacuum-casting", "PU casting resin")
    walls = findings(report, "wall-thickness")
    assert code == 1 and report["ok"] is False
    assert walls and all(f["severity"] == "error" and f["limit"] == 0.5 for f in walls)
    assert walls[0]["message"].startswith("Wall 0.40 mm between face")
    assert "Vacuum casting (silicone mould) needs at least 0.5 mm" in walls[0]["message"]
    assert walls[0]["id"] == "T1/wall-thickness/1"


def test_tube_10_8_measures_1(dfm):
    _, report = dfm("return cq.Workplane().circle(5).circle(4).extrude(40)", "fdm", "PETG")
    assert part_of(report)["measured"]["wall_min"]["mm"] == pytest.approx(1.0, rel=0.005)
    (f,) = findings(report, "wall-thickness")  # FDM: warn below 1.2, error below 0.8
    assert (f["severity"], f["limit"]) == ("warning", 1.2)


def test_bore_0_6_from_the_edge_is_found_between_samples(dfm):
    """dfm.md 3.2 (6): a grid of samples reads 0.6..1.9 here; the face-pair pass finds 0.600."""
    body = "return cq.Workplane().box(100, 60, 10).faces('>Z').workplane(centerOption='CenterOfBoundBox').center(44.4, -6).hole(10)"
    _, report = dfm(body, "cnc-milling", "6061")
    assert part_of(report)["measured"]["wall_min"]["mm"] == pytest.approx(0.6, abs=1e-3)
    (f,) = findings(report, "wall-thickness")  # CNC metal: warn below 0.8, error below 0.5
    assert f["severity"] == "warning" and f["value"] == pytest.approx(0.6, abs=1e-3)
    assert f["point"][0] == pytest.approx(49.7, abs=0.05)  # between the bore (x 49.4) and the side (x 50)


def test_wedge_edge_is_not_a_zero_wall(dfm):
    body = "return cq.Workplane('XZ').polyline([(0, 0), (50, 0), (0, 20)]).close().extrude(30)"
    _, report = dfm(body, "cnc-milling", "6061")
    assert findings(report, "wall-thickness") == []


def test_solid_sphere_is_not_thin(dfm):
    _, report = dfm("return cq.Workplane().sphere(20)", "sla", "PMMA")
    assert findings(report, "wall-thickness") == []
    assert part_of(report)["measured"]["wall_min"]["mm"] == pytest.approx(40, rel=1e-3)


def test_thick_section_of_a_casting_is_reported(dfm):
    _, report = dfm("return cq.Workplane().box(40, 40, 12)", "vacuum-casting", "PU casting resin")
    measured = part_of(report)["measured"]["wall_max"]["mm"]
    assert measured == pytest.approx(12, rel=0.01)
    (f,) = findings(report, "max-wall-thickness")
    assert f["severity"] == "warning" and f["limit"] == 6.0


@pytest.mark.parametrize("web, material, severity", [(0.7, "PMMA", "warning"), (0.3, "6061", "error")])
def test_web_between_two_bores(dfm, web, material, severity):
    x = (5 + web) / 2
    process = "sla" if material == "PMMA" else "cnc-milling"
    _, report = dfm(f"return cq.Workplane().box(40, 20, 10).faces('>Z').workplane().pushPoints([(-{x}, 0), ({x}, 0)]).hole(5)", process, material)
    assert part_of(report)["measured"]["wall_min"]["mm"] == pytest.approx(web, abs=1e-3)
    assert [f["severity"] for f in findings(report, "wall-thickness")] == [severity]


def test_offset_bore_in_a_boss(dfm):
    body = "return cq.Workplane().circle(10).extrude(10).faces('>Z').workplane().center(6.9, 0).hole(6)"
    _, report = dfm(body, "cnc-milling", "6061")
    assert part_of(report)["measured"]["wall_min"]["mm"] == pytest.approx(0.1, abs=1e-3)


def test_spherical_void_near_the_faces_of_a_cube(dfm):
    _, report = dfm("return cq.Workplane().box(30, 30, 30).cut(cq.Workplane().sphere(14.6))", "sla", "PMMA")
    walls = findings(report, "wall-thickness")
    assert len(walls) == 6 and all(f["value"] == pytest.approx(0.4, abs=1e-3) and f["severity"] == "error" for f in walls)


def test_drafted_rib_reads_its_thinnest_top(dfm):
    half_top = 0.6 - 20 * 0.0174551  # 1° per side over 20 mm: 1.2 at the base, 0.502 at the top
    body = f"return cq.Workplane('XZ').polyline([(-0.6, 0), (0.6, 0), ({half_top}, 20), ({-half_top}, 20)]).close().extrude(30)"
    _, report = dfm(body, "injection-moulding", "ABS")
    assert part_of(report)["measured"]["wall_min"]["mm"] == pytest.approx(2 * half_top * 0.99985, rel=0.01)


def test_offset_bore_either_way_round():
    """The wall between a bore and the outside cylinder round it is found whichever face comes first."""
    import cadquery as cq

    from techpack.geometry.probe import Probe
    from techpack.checks.wall import _cylinder_cylinder_wall

    solid = cq.Workplane().circle(10).extrude(10).faces(">Z").workplane().center(6.9, 0).hole(6).val()
    probe = Probe(solid)
    outer, bore = [f for f in range(1, probe.n_faces + 1) if probe.surface_types[f] == "cylinder"]
    for a, b in ((outer, bore), (bore, outer)):
        wall = _cylinder_cylinder_wall(probe, a, b, 3.0)
        assert wall is not None and wall.thickness == pytest.approx(0.1, abs=1e-6)
        assert wall.point[0] == pytest.approx(9.95, abs=1e-6)  # mid-wall, on the far side from the axis

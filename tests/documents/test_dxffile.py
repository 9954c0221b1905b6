"""The DXF writer, read back with ezdxf (and drawn by LibreCAD where it is installed): units,
layers, closed contours, the outline's area and the holes against OCCT's face, bends and
their notes, engraving, byte-identical files."""

from __future__ import annotations

import dataclasses
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import ezdxf
import pdfplumber
import pytest
from ezdxf.math import bulge_to_arc
from pytest import approx

from techpack.documents.dxffile import LAYERS, write_dxf
from techpack.geometry.flat import BendLine, Flat, Loop, Segment
from techpack.geometry.profile import profile
from tests.geometry.test_profile import HOLE_D, HOLES, REL, demo_plate, engraved_plate, outer_area

MM_PER_PT = 25.4 / 72


def polygon(*points: tuple[float, float]) -> Loop:
    return Loop(tuple(Segment(p, points[(k + 1) % len(points)]) for k, p in enumerate(points)))


def circle(cx: float, cy: float, r: float) -> Loop:
    """Clockwise, two half arcs."""
    return Loop((Segment((cx + r, cy), (cx - r, cy), -1.0), Segment((cx - r, cy), (cx + r, cy), -1.0)))


BENT = Flat(  # a U channel's blank by hand: 100 × 60, a Ø5 hole, two bends across it
    outline=polygon((0, 0), (100, 0), (100, 60), (0, 60)),
    holes=(circle(50, 30, 2.5),),
    bends=(BendLine(1, (0, 20), (100, 20), "up", 90.0, 3.0, 0.44, 6.0),
           BendLine(2, (0, 40), (100, 40), "down", 45.5, 1.5, 0.44, 2.5)),
    thickness_mm=2.0,
)


def signed_area(points: list[tuple[float, float, float]]) -> float:
    """A closed polyline's signed area from its DXF vertices (x, y, bulge): the shoelace sum of
    the chords plus each bulge's circular segment, the arc found by ezdxf's bulge_to_arc."""
    total = 0.0
    for k, (x0, y0, b) in enumerate(points):
        x1, y1, _ = points[(k + 1) % len(points)]
        total += (x0 * y1 - x1 * y0) / 2
        if b:
            _, start, end, r = bulge_to_arc((x0, y0), (x1, y1), b)
            theta = (end - start) % (2 * math.pi)
            total += math.copysign(r * r / 2 * (theta - math.sin(theta)), b)
    return total


def read_back(path: Path) -> ezdxf.document.Drawing:
    """The file read by ezdxf, audited, in mm, with the four layers; every CUT entity closed."""
    doc = ezdxf.readfile(path)
    auditor = doc.audit()
    assert not auditor.has_errors, [str(e) for e in auditor.errors]
    assert doc.header["$INSUNITS"] == 4 and doc.header["$MEASUREMENT"] == 1
    for name, colour, linetype in LAYERS:
        layer = doc.layers.get(name)
        assert (layer.color, layer.dxf.linetype.upper()) == (colour, linetype)
    for e in doc.modelspace().query("*[layer=='CUT']"):
        assert e.dxftype() in ("LWPOLYLINE", "CIRCLE")
        assert e.dxftype() == "CIRCLE" or e.closed
    return doc


def cut_areas(doc) -> list[float]:
    """|area| of each CUT contour, largest first (the outline)."""
    areas = []
    for e in doc.modelspace().query("*[layer=='CUT']"):
        areas.append(math.pi * e.dxf.radius**2 if e.dxftype() == "CIRCLE" else abs(signed_area(list(e.get_points("xyb")))))
    return sorted(areas, reverse=True)


def test_a_laser_part_reads_back_as_the_models_face(tmp_path):
    plate = demo_plate()
    top = plate.faces(">Z").val()
    path = tmp_path / "TP-100_demo_revA.dxf"
    write_dxf(profile(plate.val()), path, part="TP-100", title="Demo plate")
    doc = read_back(path)
    outline, *holes = cut_areas(doc)
    assert outline == approx(outer_area(top), rel=REL)
    assert outline - sum(holes) == approx(top.Area(), rel=REL)
    assert len(holes) == 3  # two round holes and the slot
    circles = doc.modelspace().query("CIRCLE")
    assert sorted((c.dxf.center.x, c.dxf.center.y) for c in circles) == [approx(p, abs=1e-9) for p in HOLES]
    assert [2 * c.dxf.radius for c in circles] == [approx(HOLE_D, abs=1e-9)] * 2
    assert not doc.modelspace().query("SPLINE")  # the B-spline edge came as arcs
    texts = [t.plain_text() for t in doc.modelspace().query("TEXT")]
    assert texts == ["TP-100 Demo plate", "t = 3 mm, scale 1:1, units mm"]
    bottom = min(p[1] for p in doc.modelspace().query("LWPOLYLINE")[0].get_points("xy"))
    assert all(t.dxf.insert.y < bottom for t in doc.modelspace().query("TEXT"))  # under the outline, not on it


def test_bends_and_their_notes(tmp_path):
    path = tmp_path / "bent.dxf"
    write_dxf(BENT, path, part="TP-200", title="Channel")
    doc = read_back(path)
    msp = doc.modelspace()
    lines = msp.query("LINE")
    assert all(e.dxf.layer == "BEND" for e in lines)
    assert [(tuple(e.dxf.start)[:2], tuple(e.dxf.end)[:2]) for e in lines] == [((0, 20), (100, 20)), ((0, 40), (100, 40))]
    assert doc.layers.get("BEND").dxf.linetype == "DASHED"
    notes = {t.plain_text(): t for t in msp.query("TEXT") if t.plain_text().startswith("B")}
    assert set(notes) == {"B1 UP 90° R3", "B2 DOWN 45.5° R1.5"}
    assert tuple(notes["B1 UP 90° R3"].dxf.align_point)[:2] == (50, 20)  # the bend line's middle
    assert tuple(notes["B2 DOWN 45.5° R1.5"].dxf.align_point)[:2] == (50, 40)
    assert all(t.dxf.layer == "TEXT" for t in msp.query("TEXT"))
    assert [e.dxftype() for e in msp.query("*[layer=='CUT']")] == ["LWPOLYLINE", "CIRCLE"]
    outline, hole = cut_areas(doc)
    assert (outline, hole) == approx((6000.0, math.pi * 2.5**2), rel=1e-12)


@pytest.mark.parametrize("start, end, rotation", [((0, 0), (0, 50), 90), ((0, 50), (0, 0), 90), ((50, 0), (0, 0), 0),
                                                  ((0, 0), (50, 50), 45), ((50, 50), (0, 0), 45), ((0, 50), (50, 0), -45)])
def test_bend_notes_read_left_to_right_or_upwards(tmp_path, start, end, rotation):
    bend = BendLine(1, start, end, "down", 90.0, 2.0, 0.44, 4.0)
    write_dxf(dataclasses.replace(BENT, bends=(bend,)), tmp_path / "b.dxf", part="TP-200", title="Channel")
    note = read_back(tmp_path / "b.dxf").modelspace().query("TEXT")[0]
    middle = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    assert note.dxf.rotation == approx(rotation) and tuple(note.dxf.align_point)[:2] == approx(middle)


def test_engraving_on_its_own_layer(tmp_path):
    solid, engraved = engraved_plate()
    flat = profile(solid, engraved)
    path = tmp_path / "engraved.dxf"
    write_dxf(flat, path, part="TP-300", title="Marked plate")
    doc = read_back(path)
    marks = doc.modelspace().query("*[layer=='ENGRAVE']")
    assert len(marks) == len(flat.engraving) and all(e.dxftype() == "LWPOLYLINE" and e.closed for e in marks)
    floors = [solid.Faces()[i - 1] for i in engraved if solid.Faces()[i - 1].geomType() == "PLANE"
              and solid.Faces()[i - 1].normalAt().z > 0.99]
    assert sum(signed_area(list(e.get_points("xyb"))) for e in marks) == approx(sum(f.Area() for f in floors), rel=REL)
    outline, hole = cut_areas(doc)  # the letters are not cut through
    assert (outline, hole) == approx((5000.0, math.pi * 2.5**2), rel=1e-9)


def test_same_flat_same_bytes(tmp_path):
    a, b, c = tmp_path / "a.dxf", tmp_path / "b.dxf", tmp_path / "c.dxf"
    write_dxf(BENT, a, part="TP-200", title="Channel")
    write_dxf(BENT, b, part="TP-200", title="Channel")
    assert a.read_bytes() == b.read_bytes()
    script = ("import sys; from pathlib import Path; from techpack.documents.dxffile import write_dxf;"
              " from tests.documents.test_dxffile import BENT;"
              " write_dxf(BENT, Path(sys.argv[1]), part='TP-200', title='Channel')")
    for seed in ("0", "1"):  # other processes (2.5 s each, most of it importing CadQuery): other hash seeds (set orders), another time zone
        env = dict(os.environ, PYTHONHASHSEED=seed, TZ="Pacific/Auckland")
        subprocess.run([sys.executable, "-c", script, str(c)], check=True, env=env, cwd=Path(__file__).parents[2])
        assert c.read_bytes() == a.read_bytes(), f"PYTHONHASHSEED={seed}"
    assert b"{00000000-0000-0000-0000-000000000000}" in a.read_bytes()  # $FINGERPRINTGUID and $VERSIONGUID fixed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.dxf", "b.dxf", "c.dxf"]  # no temporary file left


def test_refuses_an_empty_or_open_flat_and_keeps_the_old_file(tmp_path):
    path = tmp_path / "part.dxf"
    write_dxf(BENT, path, part="TP-200", title="Channel")
    before = path.read_bytes()
    with pytest.raises(ValueError, match="TP-200: the flat pattern is empty"):
        write_dxf(Flat(outline=Loop(())), path, part="TP-200", title="Channel")
    gap = Loop(BENT.outline.segments[:-1] + (Segment((0, 60), (0, 1)),))
    with pytest.raises(ValueError, match=r"TP-200: the outline of the flat pattern is not closed \(1 mm gap"):
        write_dxf(dataclasses.replace(BENT, outline=gap), path, part="TP-200", title="Channel")
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["part.dxf"]


LIBRECAD = shutil.which("librecad")


@pytest.mark.skipif(LIBRECAD is None, reason="LibreCAD is not installed (Debian package librecad, 2.2: `librecad dxf2pdf`)")
def test_librecad_draws_it_at_full_size(tmp_path):
    """A second program: LibreCAD's dxf2pdf prints the DXF at 1:1; pdfplumber reads the strokes
    back: the CUT contours (colour 7, black) span the flat's size in mm, the two Ø6.5 holes
    are 6.5 mm across, the bend lines (colour 1, red) span the plate."""
    flat = dataclasses.replace(profile(demo_plate().val()), bends=(BendLine(1, (0, 40), (120, 40), "up", 90.0, 3.0, 0.44, 6.0),))
    dxf, pdf = tmp_path / "plate.dxf", tmp_path / "plate.pdf"
    write_dxf(flat, dxf, part="TP-100", title="Demo plate")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")  # no display
    subprocess.run([LIBRECAD, "dxf2pdf", "-s", "1", "-c", str(dxf)], check=True, env=env,  # LibreCAD 2.2 prints beside the DXF: plate.pdf
                   capture_output=True, timeout=120)
    with pdfplumber.open(pdf) as doc:
        strokes = doc.pages[0].curves + doc.pages[0].lines
    by_colour: dict[tuple, list] = {}
    for s in strokes:
        by_colour.setdefault(tuple(s["stroking_color"] or ()), []).append(s)
    black, red = by_colour[(0.0, 0.0, 0.0)], by_colour[(1.0, 0.0, 0.0)]

    def extent(objs):
        return ((max(o["x1"] for o in objs) - min(o["x0"] for o in objs)) * MM_PER_PT,
                (max(o["bottom"] for o in objs) - min(o["top"] for o in objs)) * MM_PER_PT)

    assert extent(black) == approx(flat.size, abs=0.1)
    rounds = [o for o in black if abs((o["x1"] - o["x0"]) * MM_PER_PT - HOLE_D) < 0.1 and abs((o["bottom"] - o["top"]) * MM_PER_PT - HOLE_D) < 0.1]
    assert len(rounds) == 2
    assert extent(red) == approx((120.0, 0.0), abs=0.1)

"""AP242 semantic PMI read into datums, geometric tolerances and dimensions on NIST CTC-01
(../shared/reference/cad-exports-pmi.md, section 1): the values are checked against the STEP
entities read here with regular expressions, the faces against the solid techpack builds
from the same file, read with OCCT."""

from __future__ import annotations

import re
from pathlib import Path

import cadquery as cq
import pytest
from OCP.BRep import BRep_Builder
from OCP.BRepAdaptor import BRepAdaptor_Surface
from OCP.BRepBuilderAPI import BRepBuilderAPI_Copy
from OCP.GeomAbs import GeomAbs_Cylinder, GeomAbs_Plane
from OCP.TopoDS import TopoDS_Shell, TopoDS_Solid
from pytest import approx

from techpack.geometry import pmi as pmi_module
from techpack.geometry import stepfile
from techpack.geometry.pmi import Pmi, describe, read_pmi, to_features
from techpack.spec.model import Feature
from tests.conftest import FIXTURES

CTC_01 = FIXTURES / "nist_ctc_01_asme1_ap242.stp"
AP203 = sorted(FIXTURES.glob("nist_ctc_0*_ap203.stp"))


@pytest.fixture(scope="module")
def solid() -> cq.Solid:
    """CTC-01 as techpack builds a part from it."""
    return stepfile.read(CTC_01, "test", "CTC-01", CTC_01.name).Solids()[0]


@pytest.fixture(scope="module")
def pmi(solid) -> Pmi:
    return read_pmi(CTC_01, solid)


# --- the STEP entities, read independently ------------------------------------------------

def entities(text: str) -> dict[int, str]:
    """#id -> the statement's text (CTC-01 ends every statement at the end of a line)."""
    return {int(n): body for n, body in re.findall(r"^#(\d+)\s*=\s*(.*?);\s*$", text, re.DOTALL | re.MULTILINE)}


def step_tolerances(text: str) -> dict[str, float]:
    """Geometric tolerance name -> zone width (mm), from the entities: the tolerance (simple,
    or a complex instance with GEOMETRIC_TOLERANCE), its magnitude and that magnitude's unit."""
    ents = entities(text)
    out = {}
    for body in ents.values():
        m = re.search(r"\b(?!PLUS_MINUS_)([A-Z_]*)TOLERANCE\('([^']*)','[^']*',#(\d+),", body)
        if not m:
            continue
        magnitude = ents[int(m.group(3))]
        value, unit = re.search(r"LENGTH_MEASURE\(([-+0-9.Ee]+)\),#(\d+)", magnitude).groups()
        assert "SI_UNIT(.MILLI.,.METRE.)" in ents[int(unit)]
        out[m.group(2)] = float(value)
    return out


def test_the_step_file_holds_six_tolerances_read_by_regex():
    assert sorted(step_tolerances(CTC_01.read_text()).values()) == [0.2, 0.5, 0.75, 0.75, 1.25, 1.5]


# --- CTC-01 ---------------------------------------------------------------------------------

def test_ctc01_counts(pmi):
    assert [d.label for d in pmi.datums] == ["A", "B", "C"]
    assert len(pmi.tolerances) == 6
    assert len(pmi.dimensions) == 12
    assert sorted(t.kind for t in pmi.tolerances) == ["flatness", "perpendicularity", "position", "position", "surface profile", "surface profile"]


def test_every_tolerance_value_is_the_step_entity_value(pmi):
    """OCCT 7.9 reads each as 0.0; the value comes from the entity's magnitude."""
    expected = step_tolerances(CTC_01.read_text())
    assert {t.name: t.value_mm for t in pmi.tolerances} == approx(expected)
    assert all(t.value_mm > 0 for t in pmi.tolerances)


def test_tolerance_frames(pmi):
    by = {t.name: t for t in pmi.tolerances}
    assert by["Position.1"].datums == ("A", "B", "C")
    assert by["Perpendicularity.1"].datums == ("A",)
    assert by["Flatness.1"].datums == ()
    assert "all around" in by["Position surfacic profile.2"].modifiers
    assert all(t.material_modifier is None for t in pmi.tolerances)


def test_every_item_is_attached_to_a_face(pmi, solid):
    n = len(solid.Faces())
    for item in pmi.datums + pmi.tolerances + pmi.dimensions:
        assert item.faces, item
        assert all(1 <= f <= n for f in item.faces + getattr(item, "faces_to", ()))


def surface(solid, face_id):
    return BRepAdaptor_Surface(solid.Faces()[face_id - 1].wrapped)


def test_datum_a_is_the_plane_z0(pmi, solid):
    a = next(d for d in pmi.datums if d.label == "A")
    assert a.faces
    for f in a.faces:
        s = surface(solid, f)
        assert s.GetType() == GeomAbs_Plane
        plane = s.Plane()
        assert abs(plane.Axis().Direction().Z()) == approx(1.0)
        assert plane.Location().Z() == approx(0.0, abs=1e-9)
        assert solid.Faces()[f - 1].Center().z == approx(0.0, abs=1e-6)


@pytest.mark.parametrize("label, x, y", [("B", -325.0, -175.0), ("C", 325.0, -175.0)])
def test_datums_b_and_c_are_the_35_holes(pmi, solid, label, x, y):
    """OCCT 7.9 attaches no face to B and C (a set of faces in the file): found from the entities."""
    datum = next(d for d in pmi.datums if d.label == label)
    assert len(datum.faces) == 2
    for f in datum.faces:
        s = surface(solid, f)
        assert s.GetType() == GeomAbs_Cylinder
        cyl = s.Cylinder()
        assert 2 * cyl.Radius() == approx(35.0)
        assert (cyl.Location().X(), cyl.Location().Y()) == approx((x, y), abs=1e-6)
        assert abs(cyl.Axis().Direction().Z()) == approx(1.0)


def test_diameters_are_the_models(pmi, solid):
    """Every diameter with a value is twice the radius of each of its cylinders."""
    valued = [d for d in pmi.dimensions if d.kind == "diameter" and d.nominal is not None]
    assert len(valued) == 7
    for d in valued:
        for f in d.faces:
            assert surface(solid, f).GetType() == GeomAbs_Cylinder
            assert 2 * surface(solid, f).Cylinder().Radius() == approx(d.nominal, abs=1e-6)
        assert d.measured == approx(d.nominal, abs=1e-6)


def test_dimension_tolerances(pmi):
    got = sorted((d.nominal, d.upper, d.lower, d.written_as) for d in pmi.dimensions if d.kind == "diameter" and d.nominal is not None)
    assert got == approx([
        (20.0, 0.05, -0.1, "deviations"), (20.0, 0.1, -0.05, "deviations"), (25.0, 0.15, -0.15, "deviations"),
        (35.0, 0.0, -0.2, "deviations"), (35.0, 0.2, -0.2, "limits"), (35.0, 0.2, -0.2, "limits"), (35.0, 0.2, 0.0, "deviations"),
    ])
    angle = next(d for d in pmi.dimensions if d.kind == "angle")
    assert (angle.nominal, angle.upper, angle.lower, angle.unit) == approx((60.0, 0.5, -0.5, "deg"))
    assert angle.faces and angle.faces_to


def test_dimensions_without_a_value_are_problems_not_zeros(pmi):
    empty = [d for d in pmi.dimensions if d.nominal is None]
    assert sorted(d.kind for d in empty) == ["diameter", "diameter", "linear distance", "linear distance"]
    assert all(d.upper is None and d.lower is None for d in empty)
    assert len(pmi.problems) == 4
    assert all("has no value in the STEP file" in p for p in pmi.problems)


def test_face_ids_without_the_solid_are_the_same(pmi):
    assert read_pmi(CTC_01) == pmi


def test_face_ids_follow_the_given_solid_by_geometry(pmi, solid):
    """A copy of the solid with its faces in reverse order: every id moves with its face."""
    copy = BRepBuilderAPI_Copy(solid.wrapped).Shape()
    faces = cq.Shape.cast(copy).Faces()
    builder, shell, reordered = BRep_Builder(), TopoDS_Shell(), TopoDS_Solid()
    builder.MakeShell(shell)
    for f in reversed(faces):
        builder.Add(shell, f.wrapped)
    builder.MakeSolid(reordered)
    builder.Add(reordered, shell)
    n = len(faces)
    moved = read_pmi(CTC_01, reordered)
    assert len(moved.problems) == len(pmi.problems)
    assert not any("not a face of the part's solid" in p for p in moved.problems)
    for a, b in zip(pmi.datums + pmi.tolerances + pmi.dimensions, moved.datums + moved.tolerances + moved.dimensions):
        assert b.faces == tuple(sorted(n + 1 - f for f in a.faces))


def test_faces_not_on_the_given_solid_are_problems():
    box = cq.Workplane().box(10, 10, 10).val()
    got = read_pmi(CTC_01, box)
    assert not got.datums and not got.tolerances
    assert any("is not a face of the part's solid" in p for p in got.problems)


@pytest.mark.parametrize("path", AP203, ids=lambda p: p.name)
def test_a_step_file_without_pmi_gives_an_empty_pmi(path, monkeypatch):
    monkeypatch.setattr(pmi_module, "STEPCAFControl_Reader", lambda: pytest.fail("read by OCCT"))
    assert read_pmi(path) == Pmi()


def test_a_pmi_word_outside_an_entity_of_its_kind_is_no_pmi(tmp_path, monkeypatch):
    # the words the quick first test looks for, but no PMI entity: still not read by OCCT
    text = (FIXTURES / "nist_ctc_02_asme1_ap203.stp").read_text().replace("FILE_DESCRIPTION((", "FILE_DESCRIPTION(('no DATUM, no _TOLERANCE here', ", 1)
    assert "DATUM" in text
    path = tmp_path / "words.stp"
    path.write_text(text)
    monkeypatch.setattr(pmi_module, "STEPCAFControl_Reader", lambda: pytest.fail("read by OCCT"))
    assert read_pmi(path) == Pmi()


# --- what OCCT gets wrong or loses, on edited copies of CTC-01 --------------------------------

def edited(tmp_path: Path, edits: dict[int, tuple[str, str]], extra: str = "") -> Path:
    """CTC-01 with text replaced inside the given entities, and entities added."""
    text = CTC_01.read_text()
    for n, (old, new) in edits.items():
        m = re.search(rf"^#{n}\s*=.*?;\s*$", text, re.DOTALL | re.MULTILINE)
        assert old in m.group(0)
        text = text[:m.start()] + m.group(0).replace(old, new) + text[m.end():]
    if extra:
        i = text.index("ENDSEC;", text.index("DATA;"))
        text = text[:i] + extra + text[i:]
    path = tmp_path / "ctc01.stp"
    path.write_text(text)
    return path


def test_a_lower_deviation_above_zero_keeps_its_sign(tmp_path):
    """OCCT keeps |lower|: Ø35 +0.3/+0.1 is read from the entities, not as +0.3/-0.1."""
    path = edited(tmp_path, {71: ("LENGTH_MEASURE(0.)", "LENGTH_MEASURE(0.3)"), 72: ("LENGTH_MEASURE(-0.2)", "LENGTH_MEASURE(0.1)")})
    d = next(d for d in read_pmi(path).dimensions if d.nominal == 35.0 and d.written_as == "deviations" and d.upper == approx(0.3))
    assert d.lower == approx(0.1)


def test_a_class_of_tolerance_is_read_with_its_limits(tmp_path):
    path = edited(tmp_path, {64: ("#58,", "#9001,")}, extra="#9001=LIMITS_AND_FITS('H','','7','');\n")
    d = next(d for d in read_pmi(path).dimensions if d.written_as == "class")
    assert (d.nominal, d.fit, d.upper, d.lower) == approx((35.0, "H7", 0.025, 0.0))


def test_tolerances_without_names_are_matched_to_their_entities_by_faces(tmp_path, pmi):
    path = edited(tmp_path, {57: ("'Flatness.1'", "''"), 21: ("'Position.1'", "''")})
    got = {t.faces: t.value_mm for t in read_pmi(path).tolerances}
    assert got == {t.faces: t.value_mm for t in pmi.tolerances}


def test_an_unreadable_tolerance_value_is_a_problem_not_a_zero(tmp_path):
    """Flatness.1 with its magnitude in steradians: no length to read, so no value."""
    path = edited(tmp_path, {82: ("#4361", "#4353")})
    got = read_pmi(path)
    flat = next(t for t in got.tolerances if t.name == "Flatness.1")
    assert flat.value_mm is None
    assert any("Flatness.1" in p and "never taken as 0" in p for p in got.problems)
    assert "flatness no value" in "\n".join(describe(got))


# --- for people and for the spec ----------------------------------------------------------

def test_describe_has_a_line_per_item(pmi):
    lines = describe(pmi)
    assert len(lines) == 3 + 6 + 12 + len(pmi.problems)
    assert "datum A: face 98" in lines
    assert "position 0.75 |A|B|C| [Position.1]: faces 38, 42" in lines
    assert any(line.startswith("diameter Ø25 ±0.15") for line in lines)


def test_to_features(pmi):
    proposals = to_features(pmi)
    by_faces = {p.faces: p for p in proposals}
    a = next(p for p in proposals if p.datum == "A")
    assert a.spec_fields() == {"datum": "A", "flatness": 0.2}
    b = next(p for p in proposals if p.datum == "B")
    assert b.tolerance == approx((0.0, -0.2))
    assert any("no value" in n for n in b.not_mapped)
    assert by_faces[(38, 42)].position == (0.75, ("A", "B", "C"))
    assert any("linear distance" in n for n in by_faces[(38, 42)].not_mapped)
    assert any("surface profile" in n for p in proposals for n in p.not_mapped)
    # every PMI item is either in a feature's fields or named as not mapped
    assert sum(len(p.sources) for p in proposals) == 3 + 6 + 12
    for p in proposals:  # the fields are valid spec values (selected here by name)
        if p.spec_fields():
            Feature(name=p.name, select={"name": "pmi"}, **p.spec_fields())


def test_to_features_in_inches(pmi):
    a = next(p for p in to_features(pmi, units="in") if p.datum == "A")
    assert a.flatness == approx(0.2 / 25.4)

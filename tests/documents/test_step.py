"""STEP files read back with OCCT: one valid solid, same volume, named, in mm, deterministic."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from OCP.BRepCheck import BRepCheck_Analyzer
from OCP.BRepGProp import BRepGProp
from OCP.GProp import GProp_GProps
from OCP.IFSelect import IFSelect_RetDone
from OCP.STEPControl import STEPControl_Reader
from OCP.StepBasic import StepBasic_Product, StepBasic_ProductDefinitionFormation
from OCP.TopAbs import TopAbs_SOLID
from OCP.TopExp import TopExp_Explorer

from techpack.build import build
from techpack.geometry import build_parts
from techpack.report import Reporter
from techpack.spec import load_spec
from tests.conftest import BOX_SCRIPT, FIXTURES


def read_step(path: Path):
    """OCCT's reader: the solids, and the PRODUCT and formation entities of the file."""
    reader = STEPControl_Reader()
    assert reader.ReadFile(str(path)) == IFSelect_RetDone
    reader.TransferRoots()
    shape = reader.OneShape()
    solids = []
    exp = TopExp_Explorer(shape, TopAbs_SOLID)
    while exp.More():
        solids.append(exp.Current())
        exp.Next()
    model = reader.WS().Model()
    entities = [model.Value(i) for i in range(1, model.NbEntities() + 1)]
    products = [(e.Id().ToCString(), e.Name().ToCString(), e.Description().ToCString()) for e in entities if isinstance(e, StepBasic_Product)]
    formations = [e.Id().ToCString() for e in entities if isinstance(e, StepBasic_ProductDefinitionFormation)]
    return solids, products, formations


def volume(shape) -> float:
    props = GProp_GProps()
    BRepGProp.VolumeProperties_s(shape, props)
    return props.Mass()


def unzip(zip_path: Path, into: Path) -> Path:
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(into)
    (folder,) = into.iterdir()
    return folder


@pytest.fixture
def two_part_project(project):
    project.write("models/box.py", BOX_SCRIPT)
    shutil.copy(FIXTURES / "nist_ctc_01_asme1_ap203.stp", project.root / "ctc01.stp")
    return project.spec(
        """
        - {number: T1-101, name: Box plate, model: models/box.py, params: {x: 12.5, y: 7, z: 3}, material: ABS, process: fdm}
        - {number: T1-102, name: NIST CTC 01, model: ctc01.stp, material: 6061, process: cnc-milling}
        """
    )


def test_step_files_read_back_as_one_valid_solid_of_the_same_volume(two_part_project, tmp_path):
    loaded = load_spec(two_part_project)
    sources = {p.spec.number: p.volume_mm3 for p in build_parts(loaded)}
    result = build(two_part_project, tmp_path / "out", Reporter(0), allow_dfm_errors=True)
    folder = unzip(result.zip_path, tmp_path / "x")
    files = {
        "T1-101": folder / "step" / "T1-101_box-plate_revA.step",
        "T1-102": folder / "step" / "T1-102_nist-ctc-01_revA.step",
    }
    for number, path in files.items():
        solids, products, formations = read_step(path)
        assert len(solids) == 1
        assert BRepCheck_Analyzer(solids[0]).IsValid()
        assert volume(solids[0]) == pytest.approx(sources[number], rel=1e-6)
        assert products[0][0] == number
        assert products[0][1].startswith(number + " ")
        assert formations == ["A"]
    assert sources["T1-101"] == pytest.approx(12.5 * 7 * 3)


def test_step_header_comes_from_the_spec_not_the_clock(two_part_project, tmp_path):
    result = build(two_part_project, tmp_path / "out", Reporter(0), allow_dfm_errors=True)
    folder = unzip(result.zip_path, tmp_path / "x")
    text = (folder / "step" / "T1-101_box-plate_revA.step").read_text()
    header = text[: text.index("ENDSEC;")]
    flat = re.sub(r"\s*\n\s*", "", header)
    assert "FILE_NAME('T1-101_box-plate_revA.step','2026-11-20T00:00:00',('T. Tester'),('Test Ltd')" in flat
    assert "'A. Approver');" in flat
    assert "Open CASCADE" not in text
    assert "AUTOMOTIVE_DESIGN" in header  # AP214
    assert "SI_UNIT(.MILLI.,.METRE.)" in text


def test_same_inputs_give_byte_identical_step_files(two_part_project, tmp_path):
    a = unzip(build(two_part_project, tmp_path / "a", Reporter(0), allow_dfm_errors=True).zip_path, tmp_path / "xa")
    b = unzip(build(two_part_project, tmp_path / "b", Reporter(0), allow_dfm_errors=True).zip_path, tmp_path / "xb")
    for name in ("T1-101_box-plate_revA.step", "T1-102_nist-ctc-01_revA.step"):
        assert (a / "step" / name).read_bytes() == (b / "step" / name).read_bytes()


def test_names_outside_ascii_survive_in_the_step_file(project, tmp_path):
    from OCP.APIHeaderSection import APIHeaderSection_MakeHeader

    project.write("models/box.py", BOX_SCRIPT)
    product = "product: {number: T-1, name: T, revision: A, owner: Müller & Söhne, drawn_by: \"Jürgen O'Brien\", date: 2026-11-20, batch: 1}\n"
    spec = project.spec("- {number: P1, name: Grundplatte Ø160, model: models/box.py, material: ABS, process: fdm}", product=product)
    folder = unzip(build(spec, tmp_path / "out", Reporter(0)).zip_path, tmp_path / "x")
    path = next((folder / "step").iterdir())
    assert path.name == "P1_grundplatte-160_revA.step"
    solids, products, _ = read_step(path)
    assert products[0][1] == "P1 Grundplatte Ø160"
    reader = STEPControl_Reader()
    reader.ReadFile(str(path))
    header = APIHeaderSection_MakeHeader(reader.WS().Model())
    assert header.AuthorValue(1).ToCString() == "Jürgen O'Brien"
    assert header.OrganizationValue(1).ToCString() == "Müller & Söhne"

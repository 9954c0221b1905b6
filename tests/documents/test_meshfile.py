"""Print files read back independently: the STL with trimesh and byte by byte, the 3MF with
lib3mf's strict reader; both closed, in mm, of the solid's volume, carrying the part number,
the same bytes for the same mesh. CadQuery's own 3MF fails lib3mf's reader (pinned here)."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

import cadquery as cq
import lib3mf
import numpy as np
import pytest
import trimesh

from techpack.documents.meshfile import write_3mf, write_stl
from techpack.geometry import stepfile
from techpack.geometry.measure import volume
from techpack.geometry.printmesh import Mesh, mesh
from tests.conftest import FIXTURES


def plate() -> cq.Shape:
    return cq.Workplane().box(40, 30, 20).edges("|Z").fillet(4).faces(">Z").workplane().hole(8).edges().fillet(1).val()


def ctc_01() -> cq.Shape:
    return stepfile.read(FIXTURES / "nist_ctc_01_asme1_ap203.stp", "", "", "ctc-01.stp")


SHAPES = {"plate": plate, "ctc-01": ctc_01}


@pytest.fixture(scope="module", params=list(SHAPES))
def part(request):
    """(shape, its FDM mesh, part number)."""
    shape = SHAPES[request.param]()
    return shape, mesh(shape, 0.02, 6), f"P-{request.param.upper()}"


def read_3mf(path: Path) -> lib3mf.Model:
    model = lib3mf.get_wrapper().CreateModel()
    model.QueryReader("3mf").ReadFromFile(str(path))
    return model


def only(iterator, get):
    items = []
    while iterator.MoveNext():
        items.append(get(iterator))
    assert len(items) == 1
    return items[0]


def test_stl_reads_back_closed_and_of_the_solids_volume(part, tmp_path):
    shape, m, number = part
    path = tmp_path / "p.stl"
    write_stl(m, path, part=number, title="Plate")
    t = trimesh.load(path, force="mesh", process=True)
    assert t.is_watertight and t.is_winding_consistent
    assert len(t.faces) == len(m.triangles) and len(t.vertices) == len(m.vertices)
    assert abs(t.volume / volume(shape.wrapped) - 1) < 0.005
    assert np.allclose(t.bounds, [m.vertices.min(0), m.vertices.max(0)], atol=1e-4)


def test_stl_bytes(part, tmp_path):
    """Binary STL by hand: an 80-byte header with the part number and title that does not start
    with "solid", the triangle count, 50 bytes a triangle, unit normals along the winding."""
    _, m, number = part
    path = tmp_path / "p.stl"
    write_stl(m, path, part=number, title="Plate")
    data = path.read_bytes()
    header, (count,) = data[:80], struct.unpack("<I", data[80:84])
    assert header == f"part {number}: Plate, mm".encode().ljust(80)
    assert count == len(m.triangles) and len(data) == 84 + 50 * count
    records = np.frombuffer(data[84:], np.dtype([("n", "<f4", 3), ("v", "<f4", (3, 3)), ("a", "<u2")]))
    assert np.array_equal(records["v"], m.vertices[m.triangles].astype(np.float32)) and not records["a"].any()
    v = records["v"].astype(float)
    winding = np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0])
    assert np.allclose(np.linalg.norm(records["n"], axis=1), 1, atol=1e-6)
    assert (np.einsum("ij,ij->i", records["n"], winding) > 0).all()


@pytest.mark.parametrize("number, title, head", [
    ("solid-7", "Solid knob", b"part solid-7: Solid knob, mm"),
    ("K-1", "Knöpf – grün", b"part K-1: Kn?pf ? gr?n, mm"),
    ("K-2", "x" * 100, b"part K-2: " + b"x" * 70),
])
def test_stl_header_is_ascii_never_solid_and_at_most_80_bytes(tmp_path, number, title, head):
    path = tmp_path / "p.stl"
    write_stl(mesh(cq.Solid.makeBox(1, 1, 1), 0.02, 6), path, part=number, title=title)
    header = path.read_bytes()[:80]
    assert header.rstrip(b" ") == head and not header.startswith(b"solid")


def test_3mf_passes_lib3mf_in_mm_with_the_part_number(part, tmp_path):
    shape, m, number = part
    path = tmp_path / "p.3mf"
    write_3mf(m, path, part=number, title="Plate", revision="B")
    model = read_3mf(path)
    assert model.GetUnit() == lib3mf.ModelUnit.MilliMeter
    body = only(model.GetMeshObjects(), lambda it: it.GetCurrentMeshObject())
    assert body.IsManifoldAndOriented() and body.IsMeshObject()
    assert (body.GetName(), body.GetPartNumber()) == (number, number)
    item = only(model.GetBuildItems(), lambda it: it.GetCurrent())
    assert item.GetPartNumber() == number and item.GetObjectResourceID() == body.GetResourceID()
    group = model.GetMetaDataGroup()
    metadata = {group.GetMetaData(i).GetName(): group.GetMetaData(i).GetValue() for i in range(group.GetMetaDataCount())}
    assert metadata == {"Title": "Plate", "Description": f"part {number} revision B"}
    vertices = np.array([p.Coordinates[:] for p in body.GetVertices()])
    triangles = np.array([t.Indices[:] for t in body.GetTriangleIndices()])
    assert vertices.shape == m.vertices.shape and np.array_equal(triangles, m.triangles)
    assert np.allclose(vertices, m.vertices, atol=1e-6)  # lib3mf writes six decimals
    t = trimesh.Trimesh(vertices, triangles, process=False)
    assert t.is_watertight and t.is_winding_consistent
    assert abs(t.volume / volume(shape.wrapped) - 1) < 0.005


def test_the_same_mesh_gives_the_same_bytes(tmp_path):
    m = mesh(plate(), 0.02, 6)
    for suffix, write in ((".stl", lambda p: write_stl(m, p, part="P-1", title="Plate")),
                          (".3mf", lambda p: write_3mf(m, p, part="P-1", title="Plate", revision="B"))):
        a, b = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
        write(a)
        write(b)
        assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(tmp_path / "a.3mf") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 0, 0, 0, 0, 0)}  # lib3mf's fixed date: DOS date 0
    write_3mf(m, tmp_path / "c.3mf", part="P-1", title="Plate", revision="C")
    assert (tmp_path / "c.3mf").read_bytes() != (tmp_path / "a.3mf").read_bytes()  # the revision is in it


def test_an_empty_mesh_is_refused_and_nothing_written(tmp_path):
    empty = Mesh(np.zeros((0, 3)), np.zeros((0, 3), np.int64))
    for name, write in (("p.stl", lambda p: write_stl(empty, p, part="P-9", title="Plate")),
                        ("p.3mf", lambda p: write_3mf(empty, p, part="P-9", title="Plate", revision="A"))):
        with pytest.raises(ValueError, match="P-9: the print mesh is empty"):
            write(tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_vertices_float32_would_merge_are_refused_and_the_old_file_kept(tmp_path):
    m = mesh(cq.Solid.makeBox(1, 1, 1), 0.02, 6)
    path = tmp_path / "p.stl"
    write_stl(m, path, part="P-9", title="Cube")
    before = path.read_bytes()
    close = Mesh(np.vstack([m.vertices, [[1.0, 1.0, 1.0 + 1e-12]]]), m.triangles)  # (1, 1, 1) is a corner
    with pytest.raises(ValueError, match="P-9: the mesh has vertices closer than STL's float32"):
        write_stl(close, path, part="P-9", title="Cube")
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["p.stl"]


def test_cadquerys_own_3mf_fails_lib3mf(tmp_path):
    """Reference cad-exports-pmi.md 4.3, pinned: lib3mf refuses CadQuery 2.8's 3MF for its content
    types, then for its object id 0; with both patched it loads, but its mesh is not manifold by
    vertex index (vertices written per face), as the 3MF core spec requires."""
    path = tmp_path / "cq.3mf"
    cq.exporters.export(plate(), str(path), exportType="3MF")
    with pytest.raises(lib3mf.ELib3MFException, match="Content Types does not contain extension for relati"):
        read_3mf(path)
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name).decode() for name in z.namelist()}

    def repack(parts: dict[str, str]) -> Path:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            for name, text in parts.items():
                z.writestr(name, text)
        path.write_bytes(out.getvalue())
        return path

    rels = '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />'
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace("<Override", rels + "<Override", 1)
    with pytest.raises(lib3mf.ELib3MFException, match="No Model Object ID has been given"):
        read_3mf(repack(parts))
    parts["3D/3dmodel.model"] = re.sub(r'\b(id|objectid)="(\d+)"', lambda g: f'{g[1]}="{int(g[2]) + 1}"', parts["3D/3dmodel.model"])
    model = read_3mf(repack(parts))
    bodies = model.GetMeshObjects()
    assert bodies.MoveNext() and not bodies.GetCurrentMeshObject().IsManifoldAndOriented()

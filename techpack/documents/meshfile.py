"""Print files for 3D-printing suppliers: a part's print mesh (geometry/printmesh.py) as a
binary STL and as a 3MF, both in mm and both carrying the part number. The same mesh gives
the same bytes.

STL has no units and no metadata: print farms read it as mm, and the part number and
title go in its 80-byte header. The 3MF is written by lib3mf, the 3MF Consortium's library
(CadQuery's own 3MF writer makes files lib3mf refuses: reference cad-exports-pmi.md 4.3).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import lib3mf
import numpy as np

from techpack.geometry.printmesh import Mesh

STL_HEADER = 80  # bytes
STL_TRIANGLE = np.dtype([("normal", "<f4", 3), ("corners", "<f4", (3, 3)), ("attributes", "<u2")])  # 50 bytes, little-endian


def write_stl(mesh: Mesh, path: Path, *, part: str, title: str) -> None:
    """Write mesh to path as a binary STL in mm: the header says "part <part>: <title>, mm"
    (ASCII, "?" for other characters, cut at 80 bytes; never "solid", the start of an ASCII
    STL), then each triangle with its outward unit normal, little-endian float32. A ValueError
    naming the part for an empty mesh, or one whose vertices float32 would merge."""
    _check(mesh, part)
    coordinates = mesh.vertices.astype("<f4")
    if len(np.unique(coordinates, axis=0)) != len(coordinates):
        raise ValueError(f"{part}: the mesh has vertices closer than STL's float32 coordinates can tell apart; "
                         "the STL would not be closed")
    header = f"part {part}: {title}, mm".encode("ascii", "replace")[:STL_HEADER].ljust(STL_HEADER, b" ")
    corners = mesh.vertices[mesh.triangles]
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    lengths = np.linalg.norm(normals, axis=1, keepdims=True)
    records = np.zeros(len(corners), STL_TRIANGLE)
    records["normal"] = np.divide(normals, lengths, out=np.zeros_like(normals), where=lengths > 0)
    records["corners"] = corners
    path.write_bytes(header + np.uint32(len(records)).astype("<u4").tobytes() + records.tobytes())  # in the build's staging folder


def write_3mf(mesh: Mesh, path: Path, *, part: str, title: str, revision: str) -> None:
    """Write mesh to path as a 3MF package in mm: one mesh object named and part-numbered
    with part, one build item with the part number too, and the metadata Title (title) and
    Description ("part <part> revision <revision>"). The production extension's UUIDs lib3mf
    adds are derived from part and revision, not random, and lib3mf gives the zip's entries
    one fixed date (DOS date 0), so the same mesh gives the same bytes. A ValueError naming the part for an
    empty mesh."""
    _check(mesh, part)
    wrapper = lib3mf.get_wrapper()
    model = wrapper.CreateModel()
    model.SetUnit(lib3mf.ModelUnit.MilliMeter)
    metadata = model.GetMetaDataGroup()
    metadata.AddMetaData("", "Title", title, "xs:string", False)
    metadata.AddMetaData("", "Description", f"part {part} revision {revision}", "xs:string", False)
    body = model.AddMeshObject()
    body.SetName(part)
    body.SetPartNumber(part)
    body.SetGeometry([lib3mf.Position(tuple(p)) for p in mesh.vertices.tolist()],
                     [lib3mf.Triangle(tuple(t)) for t in mesh.triangles.tolist()])
    item = model.AddBuildItem(body, wrapper.GetIdentityTransform())
    item.SetPartNumber(part)
    urn = f"urn:techpack:part:{part}:revision:{revision}"
    body.SetUUID(str(uuid.uuid5(uuid.NAMESPACE_URL, urn + ":object")))
    item.SetUUID(str(uuid.uuid5(uuid.NAMESPACE_URL, urn + ":item")))
    model.SetBuildUUID(str(uuid.uuid5(uuid.NAMESPACE_URL, urn + ":build")))
    path.write_bytes(bytes(model.QueryWriter("3mf").WriteToBuffer()))


def _check(mesh: Mesh, part: str) -> None:
    if not len(mesh.triangles):
        raise ValueError(f"{part}: the print mesh is empty; there is nothing to print")

"""The print mesh: closed, wound outward, of the solid's volume within 0.5 %, within the chord
it was asked for (where OCCT keeps it), made afresh each time, the same every time; and a
clear MeshError for what cannot be printed. Checked with trimesh and by hand, on analytic
parts and the NIST CTC parts."""

from __future__ import annotations

import math

import cadquery as cq
import numpy as np
import pytest
import trimesh
from OCP.BRep import BRep_Tool
from OCP.BRepBuilderAPI import BRepBuilderAPI_Copy, BRepBuilderAPI_MakeVertex
from OCP.BRepExtrema import BRepExtrema_DistShapeShape
from OCP.BRepMesh import BRepMesh_IncrementalMesh
from OCP.gp import gp_Pnt
from OCP.TopLoc import TopLoc_Location

from techpack.catalog import builtin
from techpack.geometry import printmesh, stepfile
from techpack.geometry.measure import volume
from techpack.geometry.mesh import face_triangles
from techpack.geometry.printmesh import FLAT_MM, Mesh, MeshError, mesh
from tests.conftest import FIXTURES

CHORD, ANGLE = 0.02, 6.0  # FDM's in the catalog


def plate() -> cq.Shape:
    """40 x 30 x 20 block, R4 vertical corners, a Ø8 through hole, every edge then R1: genus 1."""
    return cq.Workplane().box(40, 30, 20).edges("|Z").fillet(4).faces(">Z").workplane().hole(8).edges().fillet(1).val()


def ball() -> cq.Shape:
    return cq.Workplane().sphere(10).val()


def ring() -> cq.Shape:
    return cq.Solid.makeTorus(20, 5)


def loft() -> cq.Shape:
    """A 30 x 20 rectangle lofted into a Ø16 circle 25 above: four B-spline sides and a B-spline cone."""
    return cq.Workplane("XY").rect(30, 20).workplane(offset=25).circle(8).loft().val()


PARTS = {"plate": (plate, 0), "ball": (ball, 2), "ring": (ring, 0), "loft": (loft, 2)}  # Euler number V - E + F


def independent(m: Mesh) -> trimesh.Trimesh:
    """The mesh as trimesh sees it, without its own welding or repair."""
    return trimesh.Trimesh(m.vertices, m.triangles, process=False)


def edge_midpoints(m: Mesh) -> np.ndarray:
    corners = m.vertices[m.triangles]
    return ((corners + corners[:, [1, 2, 0]]) / 2.0).reshape(-1, 3)


@pytest.mark.parametrize("name", PARTS)
def test_closed_outward_and_of_the_solids_volume(name):
    make, euler = PARTS[name]
    shape = make()
    m = mesh(shape, CHORD, ANGLE)
    t = independent(m)
    assert t.is_watertight and t.is_winding_consistent and t.euler_number == euler
    assert m.volume_mm3 == pytest.approx(t.volume) and m.area_mm2 == pytest.approx(t.area)
    assert abs(m.volume_mm3 / volume(shape.wrapped) - 1) < 0.005
    assert m.vertices.dtype == np.float64 and m.vertices.shape[1] == 3 and m.triangles.shape[1] == 3
    assert len(np.unique(m.triangles)) == len(m.vertices)  # every vertex used
    assert len(np.unique(m.vertices, axis=0)) == len(m.vertices)  # and welded
    assert (printmesh._heights(m.vertices, m.triangles) >= FLAT_MM).all()


def test_a_box_is_twelve_triangles_of_its_exact_volume_and_area():
    m = mesh(cq.Solid.makeBox(10, 20, 30), CHORD, ANGLE)
    assert (len(m.vertices), len(m.triangles)) == (8, 12)
    assert m.volume_mm3 == pytest.approx(6000, abs=1e-9) and m.area_mm2 == pytest.approx(2200, abs=1e-9)


@pytest.mark.parametrize("chord", [0.01, 0.05])
def test_a_cylinder_of_r200_is_within_the_chord(chord):
    """The edge midpoints of the side's triangles, their points farthest from the cylinder, lie
    within the chord of R 200 (OCCT keeps them within half of it)."""
    m = mesh(cq.Solid.makeCylinder(200, 20), chord, ANGLE)
    corners = m.vertices[m.triangles]
    side = np.isclose(np.hypot(corners[..., 0], corners[..., 1]), 200).all(axis=1) & (np.ptp(corners[..., 2], axis=1) > 0)
    deviation = 200 - np.hypot(*edge_midpoints(Mesh(m.vertices, m.triangles[side]))[:, :2].T)
    assert side.sum() >= 2 * 120 and 0 <= deviation.max() <= chord + 1e-9


def test_a_small_circle_gets_a_segment_per_half_angle():
    m = mesh(cq.Solid.makeCylinder(5, 10), CHORD, ANGLE)
    rim = m.vertices[np.isclose(m.vertices[:, 2], 10) & np.isclose(np.hypot(m.vertices[:, 0], m.vertices[:, 1]), 5)]
    assert len(rim) == 360 / (ANGLE / 2)


def test_the_ring_is_within_the_chord():
    m = mesh(cq.Solid.makeTorus(60, 20), CHORD, ANGLE)
    p = edge_midpoints(m)
    deviation = 20 - np.hypot(np.hypot(p[:, 0], p[:, 1]) - 60, p[:, 2])
    assert deviation.max() <= CHORD + 1e-9


def test_the_b_spline_faces_are_within_the_chord():
    shape = loft()
    m = mesh(shape, CHORD, ANGLE)
    faces = cq.Compound.makeCompound(shape.Faces()).wrapped
    points = edge_midpoints(m)[np.random.default_rng(15).choice(3 * len(m.triangles), 200, replace=False)]
    deviation = [BRepExtrema_DistShapeShape(BRepBuilderAPI_MakeVertex(gp_Pnt(*p)).Vertex(), faces).Value() for p in points]
    assert max(deviation) <= CHORD + 1e-9


def test_a_spheres_inside_strays_up_to_twice_the_chord():
    """OCCT does not hold a sphere's triangles to the chord (its interior nodes follow a grid):
    2.07 × measured. The catalog's chords allow for 2.1 × (processes.yaml); this pins it."""
    m = mesh(cq.Workplane().sphere(30).val(), CHORD, ANGLE)
    deviation = 30 - np.linalg.norm(edge_midpoints(m), axis=1)
    assert CHORD < deviation.max() <= 2.1 * CHORD


@pytest.mark.parametrize("key", [k for k, p in builtin().processes.items() if p.family == "additive"])
def test_each_additive_process_meshes_a_small_sphere_within_the_volume_tolerance(key):
    """A sphere is the hardest case for the volume (curved both ways); at the catalog's angle
    a Ø4 sphere's mesh holds 0.2 % less than it."""
    resolution = builtin().processes[key].mesh
    shape = cq.Workplane().sphere(2).val()
    m = mesh(shape, resolution.chord_mm, resolution.angle_deg)
    assert abs(m.volume_mm3 / volume(shape.wrapped) - 1) < 0.0025


def test_too_coarse_an_angle_fails_the_volume_check():
    """The catalog's note: at 10° a sphere's mesh holds 0.55 % less than it."""
    with pytest.raises(MeshError, match=r"the mesh encloses 520\.\d+ mm³, the solid 523\.599 mm³: -0\.55%, more than the ±0\.5% allowed"):
        mesh(cq.Workplane().sphere(5).val(), CHORD, 10)


def test_a_new_triangulation_each_time_and_the_shape_left_alone():
    """OCCT reuses a triangulation on the shape that is at least as fine: a coarse mesh after a
    fine one, or of a shape someone meshed finely, is still coarse; the shape gets none."""
    shape = ball()
    coarse = mesh(shape, 0.05, 6)
    fine = mesh(shape, 0.01, 3)
    assert len(fine.triangles) > 2 * len(coarse.triangles)
    assert BRep_Tool.Triangulation_s(shape.Faces()[0].wrapped, TopLoc_Location()) is None
    BRepMesh_IncrementalMesh(shape.wrapped, 0.01, False, math.radians(3), False)
    again = mesh(shape, 0.05, 6)
    assert np.array_equal(again.vertices, coarse.vertices) and np.array_equal(again.triangles, coarse.triangles)


def test_the_same_solid_gives_the_same_arrays():
    shape = stepfile.read(FIXTURES / "nist_ctc_01_asme1_ap203.stp", "", "", "ctc-01.stp")
    a, b = mesh(shape, CHORD, ANGLE), mesh(shape, CHORD, ANGLE)
    assert np.array_equal(a.vertices, b.vertices) and np.array_equal(a.triangles, b.triangles)


def raw(shape: cq.Shape) -> tuple[int, int, int]:
    """OCCT's own triangles, welded: (count, with two corners the same, flat with three distinct)."""
    faces = face_triangles(BRepBuilderAPI_Copy(shape.wrapped, True, False).Shape(), CHORD, math.radians(ANGLE))
    nodes = np.concatenate([n for _, n, _ in faces])
    offsets = np.cumsum([0] + [len(n) for _, n, _ in faces[:-1]])
    corners = np.concatenate([c + o for (_, _, c), o in zip(faces, offsets)])
    vertices, index = np.unique(nodes, axis=0, return_inverse=True)
    tris = index.reshape(-1)[corners]
    collapsed = (tris[:, 0] == tris[:, 1]) | (tris[:, 1] == tris[:, 2]) | (tris[:, 2] == tris[:, 0])
    flat = printmesh._heights(vertices, tris[~collapsed]) < FLAT_MM
    return len(tris), int(collapsed.sum()), int(flat.sum())


@pytest.mark.parametrize("name, collapsed, flat", [("nist_ctc_01_asme1_ap203.stp", 2, 0),
                                                    ("nist_ctc_03_asme1_ap203.stp", 0, 0),
                                                    ("nist_ctc_05_asme1_ap203.stp", 21, 80)])
def test_nist_parts(name, collapsed, flat):
    """Real parts: CTC-01 has the two slivers the reference saw (triangles whose corners weld
    into one), CTC-05 flat triangles at its cones' apexes; the first are dropped, the second
    flipped, and the mesh is closed and of the solid's volume."""
    shape = stepfile.read(FIXTURES / name, "", "", name)
    count, got_collapsed, got_flat = raw(shape)
    assert (got_collapsed, got_flat) == (collapsed, flat)
    m = mesh(shape, CHORD, ANGLE)
    assert len(m.triangles) == count - collapsed  # a flip keeps the count
    t = independent(m)
    assert t.is_watertight and t.is_winding_consistent
    assert abs(m.volume_mm3 / volume(shape.wrapped) - 1) < 1e-4
    assert (printmesh._heights(m.vertices, m.triangles) >= FLAT_MM).all()


def test_a_shape_without_faces_has_no_mesh():
    with pytest.raises(MeshError, match="the shape has no faces to mesh"):
        mesh(cq.Compound.makeCompound([]), CHORD, ANGLE)


def test_a_face_that_does_not_mesh_is_named(monkeypatch):
    monkeypatch.setattr(printmesh, "face_triangles", lambda *args: [f for f in face_triangles(*args) if f[0] != 3])
    with pytest.raises(MeshError, match=r"1 of 6 faces did not mesh \(faces 3, numbered from 1 in the order of the solid's faces\)"):
        mesh(cq.Solid.makeBox(1, 1, 1), CHORD, ANGLE)


def test_an_open_shell_is_not_closed():
    box = cq.Solid.makeBox(10, 10, 10)
    lidless = cq.Shell.makeShell([f for f in box.Faces() if f.Center().z < 9])
    with pytest.raises(MeshError, match=r"the mesh is not closed: 4 edges belong to one triangle only and 0 to more than two, of \d+ \(the first at \(.*\) mm\)"):
        mesh(lidless, CHORD, ANGLE)


def test_two_boxes_on_one_edge_are_not_closed():
    a, b = cq.Solid.makeBox(10, 10, 10), cq.Solid.makeBox(10, 10, 10, pnt=cq.Vector(10, 10, 0))
    with pytest.raises(MeshError, match=r"1 to more than two, of \d+ \(the first at \(10\.000, 10\.000, \d+\.\d+\) mm\)"):
        mesh(cq.Compound.makeCompound([a, b]), CHORD, ANGLE)


def test_an_inside_out_solid_is_wound_inward():
    inside_out = cq.Shape.cast(cq.Solid.makeBox(10, 10, 10).wrapped.Reversed())
    with pytest.raises(MeshError, match=r"the mesh is wound inward: it encloses -1000 mm³ \(the solid -1000 mm³\)"):
        mesh(inside_out, CHORD, ANGLE)


def test_a_volume_off_the_solids_is_refused(monkeypatch):
    monkeypatch.setattr(printmesh, "volume", lambda shape: 990.0)
    with pytest.raises(MeshError, match=r"the mesh encloses 1000 mm³, the solid 990 mm³: \+1\.01%, more than the ±0\.5% allowed"):
        mesh(cq.Solid.makeBox(10, 10, 10), CHORD, ANGLE)


@pytest.mark.parametrize("chord, angle", [(0, 6), (-0.1, 6), (0.02, 0), (0.02, 90)])
def test_a_chord_and_angle_must_make_sense(chord, angle):
    with pytest.raises(ValueError, match="a mesh needs a chord over 0 mm and an angle between 0 and 90°"):
        mesh(cq.Solid.makeBox(1, 1, 1), chord, angle)

"""Bends whose two sides are on axes a little apart, as real CAD exports leave them: the inner
and outer cylinders pair within tolerance.coincident_mm of the model's diagonal."""

from __future__ import annotations

import math

import cadquery as cq
import numpy as np
from OCP.BRepTools import BRepTools
from pytest import approx
from OCP.BRepAdaptor import BRepAdaptor_Surface

from techpack.geometry import stepfile
from techpack.geometry.features import find_features
from techpack.geometry.tolerance import coincident_mm
from tests.conftest import FIXTURES
from tests.geometry.test_features import only_solid

CTC_03 = FIXTURES / "nist_ctc_03_asme1_ap203.stp"


def offset_bend(offset: float, t: float = 2.0, r: float = 2.0, leg: float = 200.0, width: float = 100.0) -> cq.Solid:
    """A 90° L profile in XZ extruded along Y (300 mm across: coincident_mm 0.03 mm): inner
    radius r about (t + r, t + r), outer radius r + t about the same point moved `offset` mm
    along +X (the vertical flange is t - offset thick)."""
    c = t + r
    s = math.sqrt(0.5)
    ro = r + t
    return only_solid(
        cq.Workplane("XZ")
        .moveTo(c + offset, 0)
        .lineTo(leg, 0)
        .lineTo(leg, t)
        .lineTo(c, t)
        .threePointArc((c - r * s, c - r * s), (t, c))
        .lineTo(t, leg)
        .lineTo(offset, leg)
        .lineTo(offset, c)
        .threePointArc((c + offset - ro * s, c - ro * s), (c + offset, 0))
        .close()
        .extrude(width)
    )


def cylinder(solid: cq.Solid, face_id: int) -> tuple[float, np.ndarray, np.ndarray]:
    """Radius, a point on the axis and the axis direction of a cylindrical face, read with OCCT."""
    cyl = BRepAdaptor_Surface(solid.Faces()[face_id - 1].wrapped).Cylinder()
    return cyl.Radius(), np.array(cyl.Location().Coord()), np.array(cyl.Axis().Direction().Coord())


def axis_distance(a: tuple, b: tuple) -> float:
    """Distance between two parallel axes (mm)."""
    rel = b[1] - a[1]
    return float(np.linalg.norm(rel - (rel @ a[2]) * a[2]))


def test_a_bend_whose_outer_axis_is_0_02_mm_off_is_one_bend():
    solid = offset_bend(0.02)
    assert coincident_mm(solid.BoundingBox().DiagonalLength) > 0.025
    (bend,) = find_features(solid).bends
    assert (bend.inner_radius_mm, bend.thickness_mm, bend.angle_deg) == (approx(2.0), approx(2.0), approx(90.0, abs=0.5))
    inner, outer = cylinder(solid, bend.inner_face), cylinder(solid, bend.outer_face)
    assert (inner[0], outer[0]) == (approx(2.0), approx(4.0))
    assert axis_distance(inner, outer) == approx(0.02)


def test_cylinders_1_mm_off_axis_are_no_bend():
    assert find_features(offset_bend(1.0)).bends == ()


def test_nist_ctc_03_45_degree_bend():
    """CTC-03's 45° bend, read independently with OCCT: inner face R6.35 (0.25 in), outer
    R8.25754, so 1.90754 mm (0.0751 in) sheet, as its 90° bends; the inner face's arc is 45°,
    and the outer face's axis is 0.019 mm off the inner's (its arc reads 44.906° about it)."""
    solid = stepfile.read(CTC_03, "", CTC_03.name, CTC_03.name).Solids()[0]
    (bend,) = [b for b in find_features(solid).bends if abs(b.angle_deg - 90) > 1]
    inner, outer = cylinder(solid, bend.inner_face), cylinder(solid, bend.outer_face)
    assert (inner[0], outer[0]) == (approx(6.35, abs=1e-6), approx(8.25754, abs=1e-6))
    assert axis_distance(inner, outer) == approx(0.0192, abs=1e-4)
    face = solid.Faces()[bend.inner_face - 1].wrapped
    u0, u1, _, _ = BRepTools.UVBounds_s(face)
    assert math.degrees(u1 - u0) == approx(45.0, abs=1e-6)
    assert bend.inner_radius_mm == approx(6.35, abs=1e-6)
    assert bend.thickness_mm == approx(1.90754, abs=1e-6)
    assert bend.angle_deg == approx(45.0, abs=1e-6)
    assert bend.axis_direction == (0.0, 1.0, 0.0)

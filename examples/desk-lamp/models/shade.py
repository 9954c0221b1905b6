"""DL2-201 Shade: vacuum-cast PU resin cone, open at the bottom, Ø180 x 152 high.

Axis on Z, open rim at z = 0, pulled from the mould along +Z. A revolved shell
with a wall of exactly 2.5 mm measured normal to the surface:

- Skirt z = 0..35: outside Ø180 at the rim, 3.0° draft (narrows upward).
- Cone z = 35..140: from the skirt up to Ø60 at the top, about 29° to the axis.
- Flat top, 2.5 thick, at z = 137.5..140.
- Collar on top: Ø24 at its root, 12 high (z = 140..152), 2.0° draft;
  lamp-holder hole Ø10.5 at the top face (M10x1 nipple), 2.0° draft, wider below.
- Rim lip: the bottom 4 mm of the skirt (z = 0..4) is only 0.8 thick, flush with
  the outside, stepped on the inside; it locates the diffuser disc.
  DELIBERATE: 0.8 mm is below the ~1.0 mm vacuum-casting minimum wall. The
  designer accepts this DFM finding (waived: the lip is short and unloaded).
"""

import math

import cadquery as cq


def _offset_line(a, b, dist):
    """The line a-b moved `dist` to its left: (point, direction)."""
    dx, dz = b[0] - a[0], b[1] - a[1]
    n = math.hypot(dx, dz)
    ux, uz = dx / n, dz / n
    return (a[0] - uz * dist, a[1] + ux * dist), (ux, uz)


def _intersect(line1, line2):
    """Intersection point of two (point, direction) lines."""
    (px, pz), (ux, uz) = line1
    (qx, qz), (vx, vz) = line2
    den = ux * vz - uz * vx
    s = ((qx - px) * vz - (qz - pz) * vx) / den
    return (px + s * ux, pz + s * uz)


def _at_z(line, z):
    """The point of a (point, direction) line at height z."""
    (px, pz), (ux, uz) = line
    return (px + (z - pz) / uz * ux, z)


def build(
    bottom_diameter=180.0,
    top_diameter=60.0,
    height=140.0,
    skirt_height=35.0,
    draft=3.0,
    wall=2.5,
    rim_thickness=0.8,
    rim_height=4.0,
    collar_diameter=24.0,
    collar_height=12.0,
    collar_draft=2.0,
    hole_diameter=10.5,
    hole_draft=2.0,
):
    tan_d = math.tan(math.radians(draft))
    r0 = bottom_diameter / 2.0
    r1 = r0 - skirt_height * tan_d
    rt = top_diameter / 2.0
    rc = collar_diameter / 2.0
    rh = hole_diameter / 2.0
    top_in = height - wall

    # Outer surface, bottom to top (r, z); the material lies to its left.
    p0 = (r0, 0.0)
    p1 = (r1, skirt_height)
    p2 = (rt, height)
    p3 = (rc, height)
    p4 = (rc - collar_height * math.tan(math.radians(collar_draft)), height + collar_height)
    p5 = (rh, height + collar_height)
    p6 = (rh + (collar_height + wall) * math.tan(math.radians(hole_draft)), top_in)

    # Inner surface: the outer lines moved inward by the wall (or the rim lip).
    skirt_in = _offset_line(p0, p1, wall)
    cone_in = _offset_line(p1, p2, wall)
    top_line = ((0.0, top_in), (1.0, 0.0))
    lip_in = _offset_line(p0, p1, rim_thickness)

    i1 = _intersect(top_line, cone_in)
    i2 = _intersect(cone_in, skirt_in)
    i3 = _at_z(skirt_in, rim_height)
    i4 = _at_z(lip_in, rim_height)
    i5 = _at_z(lip_in, 0.0)

    profile = [p0, p1, p2, p3, p4, p5, p6, i1, i2, i3, i4, i5]
    return (
        cq.Workplane("XZ")
        .polyline(profile)
        .close()
        .revolve(360.0, (0, 0, 0), (0, 1, 0))
    )

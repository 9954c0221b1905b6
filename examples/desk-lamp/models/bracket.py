"""DL2-301 Arm bracket: bent L-bracket, steel DC01 2.0 thick, inside bend radius 2.0.

Outside of the bend at the origin; the horizontal flange lies on z = 0..2 running
along +X, the vertical flange on x = 0..2 running up +Z; the bracket is `width` wide,
centred on Y. One true cylindrical 90° bend (inside R2, outside R4), uniform thickness.

- Horizontal flange 30 long (outside), Ø10.5 hole at x = 18: fits over the Ø10 stem
  (resting on its top retaining ring) or over the lamp holder's M10x1 nipple.
- Vertical flange 35 high (outside), Ø5.5 pivot hole at z = 25 for the M5 pivot screw.
- Free corners of both flanges rounded R4 in plan.
Hole edges are >= 4 mm (2 x thickness) from every edge and from the bend tangent
lines; both flanges are >= 8 mm (4 x thickness).
Used twice: at the top of the stem and on top of the shade.
"""

import math

import cadquery as cq


def build(
    thickness=2.0,
    bend_radius=2.0,
    width=24.0,
    flange_a=30.0,
    flange_b=35.0,
    mount_hole=10.5,
    mount_hole_x=18.0,
    pivot_hole=5.5,
    pivot_hole_z=25.0,
    corner_radius=4.0,
):
    t = thickness
    ri = bend_radius
    ro = bend_radius + thickness
    c = t + ri  # bend centre at (c, c) in the XZ plane
    s = math.sqrt(0.5)

    # Cross-section in XZ (local x = X, local y = Z), extruded along Y.
    section = (
        cq.Workplane("XZ")
        .moveTo(c, 0)
        .lineTo(flange_a, 0)
        .lineTo(flange_a, t)
        .lineTo(c, t)
        .threePointArc((c - ri * s, c - ri * s), (t, c))
        .lineTo(t, flange_b)
        .lineTo(0, flange_b)
        .lineTo(0, c)
        .threePointArc((c - ro * s, c - ro * s), (c, 0))
        .close()
        .extrude(width / 2.0, both=True)
    )

    # Round the free corners of the flanges (laser-cut outline).
    bracket = (
        section.edges("|Z").edges(">X").fillet(corner_radius)
        .edges("|X").edges(">Z").fillet(corner_radius)
    )

    mount = (
        cq.Workplane("XY")
        .center(mount_hole_x, 0)
        .circle(mount_hole / 2.0)
        .extrude(t)
    )
    pivot = (
        cq.Workplane("YZ")
        .center(0, pivot_hole_z)
        .circle(pivot_hole / 2.0)
        .extrude(t)
    )
    return bracket.cut(mount).cut(pivot).solids()

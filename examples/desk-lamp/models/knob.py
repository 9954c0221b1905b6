"""DL2-401 Knob: FDM-printed PETG dimmer knob, Ø25 x 16, 18 grip ribs.

Axis on Z, open underside at z = 0, top at z = height. Printed top-down.

- Body Ø23 with 18 half-round ribs R1 centred on the Ø23 circle (Ø25 over the
  ribs, first rib on +X). The ribs stop 1.5 below the top; the top edge of the
  Ø23 body has a 1 x 45° chamfer.
- Shelled: 2.0 side wall (Ø19 cavity, z = 0..14) and 2.0 top, open at the bottom.
- Central hub Ø10, its face recessed 1.0 from the bottom rim (z = 1), with a blind
  D-shaped hole for the dimmer's 6 mm D-shaft: Ø6 with a 0.5 deep flat (5.5 from
  the flat to the opposite side, flat on the +X side), 11 deep (z = 1..12).
Minimum wall 2.0 everywhere (side, top, hub round the shaft hole).
"""

import math

import cadquery as cq


def build(
    diameter=25.0,
    height=16.0,
    ribs=18,
    rib_radius=1.0,
    rib_stop=1.5,
    top_chamfer=1.0,
    wall=2.0,
    hub_diameter=10.0,
    hub_recess=1.0,
    shaft_diameter=6.0,
    shaft_flat=0.5,
    shaft_depth=11.0,
):
    body_r = diameter / 2.0 - rib_radius
    rib_points = [
        (body_r * math.cos(2 * math.pi * i / ribs), body_r * math.sin(2 * math.pi * i / ribs))
        for i in range(ribs)
    ]
    ribbed = (
        cq.Sketch()
        .circle(body_r)
        .push(rib_points)
        .circle(rib_radius)
        .clean()
    )
    rib_top = height - rib_stop
    body = cq.Workplane("XY").placeSketch(ribbed).extrude(rib_top)

    # Plain chamfered cap above the ribs (revolved half-section, r along X).
    cap = (
        cq.Workplane("XZ")
        .polyline([
            (0, rib_top),
            (body_r, rib_top),
            (body_r, height - top_chamfer),
            (body_r - top_chamfer, height),
            (0, height),
        ])
        .close()
        .revolve(360.0, (0, 0, 0), (0, 1, 0))
    )
    body = body.union(cap)

    cavity = cq.Workplane("XY").circle(body_r - wall).extrude(height - wall)
    hub = (
        cq.Workplane("XY")
        .workplane(offset=hub_recess)
        .circle(hub_diameter / 2.0)
        .extrude(height - wall - hub_recess)
    )

    # D-shaped shaft hole: the circle cut by a flat shaft_flat deep on +X.
    d_shape = (
        cq.Sketch()
        .circle(shaft_diameter / 2.0)
        .push([(-shaft_flat, 0)])
        .rect(shaft_diameter, shaft_diameter + 1.0, mode="i")
    )
    shaft = (
        cq.Workplane("XY")
        .workplane(offset=hub_recess)
        .placeSketch(d_shape)
        .extrude(shaft_depth)
    )
    return body.cut(cavity).union(hub).cut(shaft).solids()

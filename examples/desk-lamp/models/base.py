"""DL2-101 Base: CNC-milled aluminium disc, Ø160 x 12.

Top face at z = thickness, underside at z = 0, centred on the Z axis.

- Ø10 stem bore through the centre (finished to Ø10 H7 for a press fit on the stem).
- Underside: Ø26 x 3 deep pocket round the bore for the stem's DIN 471 retaining
  ring, and an 8 wide x 3 deep cable slot from the pocket out to the rim (towards -Y).
  All internal vertical corners of the pocket are R13 (the pocket radius).
- Underside: 4x M5 tapped holes for the stud rubber feet, modelled as Ø4.2 tap-drill
  holes 10 deep (blind, flat bottom), on a Ø130 PCD at 45/135/225/315 degrees.
- Top outer edge R3 fillet, bottom outer edge 1 x 45° chamfer.
"""

import math

import cadquery as cq


def build(
    diameter=160.0,
    thickness=12.0,
    bore_diameter=10.0,
    edge_fillet=3.0,
    bottom_chamfer=1.0,
    pocket_diameter=26.0,
    pocket_depth=3.0,
    slot_width=8.0,
    foot_pcd=130.0,
    tap_drill=4.2,
    tap_depth=10.0,
):
    radius = diameter / 2.0

    disc = (
        cq.Workplane("XY")
        .circle(radius)
        .extrude(thickness)
        .faces(">Z").edges().fillet(edge_fillet)
        .faces("<Z").edges().chamfer(bottom_chamfer)
    )

    # Centre stem bore, through.
    disc = disc.cut(
        cq.Workplane("XY").circle(bore_diameter / 2.0).extrude(thickness)
    )

    # Underside ring pocket and cable slot (one milled recess, same depth).
    pocket = cq.Workplane("XY").circle(pocket_diameter / 2.0).extrude(pocket_depth)
    slot_length = radius + 1.0  # runs out past the rim
    slot = (
        cq.Workplane("XY")
        .center(0, -slot_length / 2.0)
        .rect(slot_width, slot_length)
        .extrude(pocket_depth)
    )
    disc = disc.cut(pocket.union(slot))

    # Tap-drill holes for the feet, blind from the underside.
    r = foot_pcd / 2.0
    feet = [
        (r * math.cos(math.radians(a)), r * math.sin(math.radians(a)))
        for a in (45, 135, 225, 315)
    ]
    holes = (
        cq.Workplane("XY")
        .pushPoints(feet)
        .circle(tap_drill / 2.0)
        .extrude(tap_depth)
    )
    return disc.cut(holes).solids()

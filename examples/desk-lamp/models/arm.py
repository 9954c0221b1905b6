"""DL2-601 Arm: laser-cut stainless flat bar, 3 thick x 20 wide, 260 long overall.

Lies flat on XY, thickness along +Z (z = 0..3); the pivot hole is at the origin and
the bar runs along +X with full R10 ends (end centres at x = 0 and x = length).

- Pivot hole Ø5.5 at x = 0 (M5 pivot screw into the stem arm bracket).
- 2x Ø5 holes at x = 80 and x = 160 for push-mount cable ties.
- Slot 5.5 wide, centres from x = 210 to x = 240 (30 travel), for the shade
  bracket screw: sliding it balances the shade.
"""

import cadquery as cq


def build(
    length=240.0,
    width=20.0,
    thickness=3.0,
    hole_diameter=5.5,
    tie_hole_diameter=5.0,
    tie_holes=(80.0, 160.0),
    slot_travel=30.0,
):
    bar = (
        cq.Workplane("XY")
        .center(length / 2.0, 0)
        .slot2D(length + width, width)
        .extrude(thickness)
    )
    holes = (
        cq.Workplane("XY")
        .circle(hole_diameter / 2.0)
        .extrude(thickness)
        .union(
            cq.Workplane("XY")
            .pushPoints([(x, 0) for x in tie_holes])
            .circle(tie_hole_diameter / 2.0)
            .extrude(thickness)
        )
    )
    slot = (
        cq.Workplane("XY")
        .center(length - slot_travel / 2.0, 0)
        .slot2D(slot_travel + hole_diameter, hole_diameter)
        .extrude(thickness)
    )
    return bar.cut(holes).cut(slot).solids()

"""DL2-501 Stem: CNC-turned brass tube, Ø10 x 300 with a Ø6 cable bore through.

Axis on Z, bottom end at z = 0, top end at z = length.

- Outer Ø10 (p6 at the base end, a press fit in the base's Ø10 H7 bore).
- Through bore Ø6 for the lamp cable.
- 0.5 x 45° outer chamfer and 0.3 x 45° bore chamfer at both ends.
- Two DIN 471 grooves for 10 mm retaining rings: groove Ø9.6 x 1.1 wide,
  the bottom one from z = 1.5 to 2.6 (ring under the base),
  the top one from z = length - 16.1 to length - 15 (ring carrying the arm bracket).
"""

import cadquery as cq


def build(
    length=300.0,
    diameter=10.0,
    bore_diameter=6.0,
    chamfer=0.5,
    bore_chamfer=0.3,
    groove_diameter=9.6,
    groove_width=1.1,
    bottom_groove=1.5,
    top_groove=15.0,
):
    ro = diameter / 2.0
    ri = bore_diameter / 2.0
    rg = groove_diameter / 2.0
    g1 = bottom_groove  # lower flank of the bottom groove
    g2 = length - top_groove - groove_width  # lower flank of the top groove

    # Half cross-section (r, z), revolved about Z.
    profile = [
        (ri + bore_chamfer, 0.0),
        (ro - chamfer, 0.0),
        (ro, chamfer),
        (ro, g1),
        (rg, g1),
        (rg, g1 + groove_width),
        (ro, g1 + groove_width),
        (ro, g2),
        (rg, g2),
        (rg, g2 + groove_width),
        (ro, g2 + groove_width),
        (ro, length - chamfer),
        (ro - chamfer, length),
        (ri + bore_chamfer, length),
        (ri, length - bore_chamfer),
        (ri, bore_chamfer),
    ]
    return (
        cq.Workplane("XZ")
        .polyline(profile)
        .close()
        .revolve(360.0, (0, 0, 0), (0, 1, 0))
    )

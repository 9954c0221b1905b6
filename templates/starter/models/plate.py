"""Mounting plate: a rectangular plate with four through holes near the corners.

techpack calls build(**params) with the part's `params:` from the spec; lengths in mm.
"""

import cadquery as cq


def build(length=80.0, width=50.0, thickness=6.0, hole=5.5, margin=8.0, corner=4.0):
    return (
        cq.Workplane("XY")
        .box(length, width, thickness)
        .edges("|Z")
        .fillet(corner)
        .faces(">Z")
        .workplane()
        .rect(length - 2 * margin, width - 2 * margin, forConstruction=True)
        .vertices()
        .hole(hole)
    )

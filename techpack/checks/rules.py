"""The DFM rules by their catalog name: one function each, (part, rule) -> findings.

A rule measures what it needs through its PartCheck (computed once per part, whichever
rule asks first) and never reads what another rule left behind, so their order does not
matter. A rule with nothing to measure raises NotApplicable with the reason.
"""

from __future__ import annotations

from techpack.checks import general, machining, sheet

RULES = {
    "wall-thickness": general.wall_thickness,
    "max-wall-thickness": general.max_wall_thickness,
    "draft": general.draft,
    "undercut": general.undercut,
    "hole-depth-ratio": general.hole_depth_ratio,
    "min-hole-diameter": general.min_hole_diameter,
    "thread-length-ratio": general.thread_length_ratio,
    "min-thread-size": general.min_thread_size,
    "draw-ratio": general.draw_ratio,
    "internal-corner-radius": machining.internal_corner_radius,
    "corner-depth-ratio": machining.corner_depth_ratio,
    "pocket-depth-ratio": machining.pocket_depth_ratio,
    "inaccessible": machining.inaccessible,
    "max-setups": machining.max_setups,
    "engraving-stroke": machining.engraving_stroke,
    "sheet-thickness-uniform": sheet.sheet_thickness_uniform,
    "bend-radius": sheet.bend_radius,
    "sheet-hole-diameter": sheet.sheet_hole_diameter,
    "hole-to-edge": sheet.hole_to_edge,
    "hole-to-bend": sheet.hole_to_bend,
    "hole-web": sheet.hole_web,
    "flange-length": sheet.flange_length,
    "flat-pattern": sheet.flat_pattern,
}

"""How close counts as the same, for the feature readers and the DFM probes: named once here.

Two kinds of tolerance, kept apart on purpose:
- **Where** tolerances compare positions read from the model (are two cylinders on one axis,
  are two planes one). Real CAD exports carry round-off that grows with the model: NIST
  CTC-03 (710 mm across) has a bend whose inner and outer axes are 0.02 mm apart. These
  scale with the model's diagonal, with an absolute floor for small parts.
- **Whether** tolerances decide if a feature of a given size is there (how far a ray starts
  off a face, how near an obstacle may be and still be a graze). These must not scale with
  the part, or the same 1 mm groove reads trapped on a 30 mm part and free on a 600 mm one.
"""

from __future__ import annotations

LINEAR_FLOOR_MM = 1e-4  # the smallest position tolerance: ten times a typical STEP writer's 1e-5 mm
MODEL_RELATIVE = 1e-4  # position round-off as a share of the model's diagonal (0.07 mm on CTC-03)


def coincident_mm(diagonal_mm: float) -> float:
    """Two axes (or two parallel planes) closer than this are one, on a model this big (mm)."""
    return max(LINEAR_FLOOR_MM, MODEL_RELATIVE * diagonal_mm)


RAY_LIFT_MM = 1e-3  # rays start this far off the face they leave (float32 resolution over 1 m is 6e-5 mm)
RAY_CLEAR_MM = 2e-3  # a face met nearer than this is where the ray starts (an edge the sample lies on), not an obstacle

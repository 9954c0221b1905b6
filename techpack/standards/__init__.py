"""Engineering standards tables: general tolerances, limits and fits, AQL sampling, roughness,
bending K-factors.

Every table is a JSON file beside these modules with a "source" naming the public
document it was transcribed from. Lengths are in mm, roughness in µm unless a name
says otherwise (``ra_uin``).

- :mod:`.iso2768`  ISO 2768-1/-2 general tolerances (``parse_general_tolerance("ISO 2768-mK")``)
- :mod:`.iso286`   ISO 286 limits and fits (``tolerance("10 H7")``, ``fit("25 H7/p6")``)
- :mod:`.iso2859`  ISO 2859-1 single sampling, normal inspection (``sampling_plan(lot=50, aql=1.0)``)
- :mod:`.roughness` Ra and N grades (``parse_roughness("Ra 1.6")``)
- :mod:`.bending`  K-factors of a bend: the air-bending table by bend class, DIN 6935 (``k_factor("medium", 2, 2)``)
"""

from __future__ import annotations


class StandardsError(ValueError):
    """A value that a standard's table does not cover, or a designation that cannot be read.

    The message says what was given, what the table covers, and what to do (usually:
    state the tolerance explicitly on the drawing).
    """


# Imported after StandardsError: the modules import it from here.
from techpack.standards.iso286 import Fit, Tolerance, fit, it_tolerance, tolerance  # noqa: E402
from techpack.standards.iso2768 import (  # noqa: E402
    AngularTolerance,
    GeneralTolerance,
    angular_tolerance,
    broken_edge_tolerance,
    linear_tolerance,
    parse_general_tolerance,
)
from techpack.standards.iso2859 import SamplingPlan, sampling_plan  # noqa: E402
from techpack.standards.roughness import Roughness, parse_roughness  # noqa: E402

__all__ = [
    "StandardsError",
    "AngularTolerance",
    "Fit",
    "GeneralTolerance",
    "Roughness",
    "SamplingPlan",
    "Tolerance",
    "angular_tolerance",
    "broken_edge_tolerance",
    "fit",
    "it_tolerance",
    "linear_tolerance",
    "parse_general_tolerance",
    "parse_roughness",
    "sampling_plan",
    "tolerance",
]

"""The assembly's check: placed parts that overlap (interfere) by more than the spec allows.

Press fits and parts resting on each other are modelled at nominal size: they touch, and
their common volume is nil. A common volume over `assembly.overlap` (default 0.5 mm³) is a
placement mistake or a clash, reported as a warning with its volume and where it is.
"""

from __future__ import annotations

from OCP.BRepAlgoAPI import BRepAlgoAPI_Common
from OCP.BRepBndLib import BRepBndLib
from OCP.BRepGProp import BRepGProp
from OCP.Bnd import Bnd_Box
from OCP.GProp import GProp_GProps
from OCP.TopTools import TopTools_ListOfShape

from techpack.checks.findings import OVERLAP_RULE, Finding
from techpack.geometry.assembly import Instance, instances, overlap_tolerance_mm3
from techpack.geometry.model import PartModel
from techpack.spec import LoadedSpec

RULE = OVERLAP_RULE
TOUCH_MM = 1e-4  # boxes nearer than this are taken to meet


def _box(inst: Instance) -> Bnd_Box:
    """A quick box enclosing the placed part (larger than the exact one, never smaller)."""
    box = Bnd_Box()
    BRepBndLib.Add_s(inst.shape, box, False)
    box.Enlarge(TOUCH_MM)
    return box


def common_volume(a, b) -> tuple[float, tuple[float, float, float] | None]:
    """The volume two shapes share, mm³, and its centre of mass (None when nil). Raises
    RuntimeError when OCCT's boolean fails."""
    op = BRepAlgoAPI_Common()
    first, second = TopTools_ListOfShape(), TopTools_ListOfShape()
    first.Append(a)
    second.Append(b)
    op.SetArguments(first)
    op.SetTools(second)
    op.SetNonDestructive(True)  # the parts' solids are shared with every document: leave their tolerances alone
    op.SetRunParallel(False)
    op.Build()
    if not op.IsDone():
        raise RuntimeError("boolean common failed")
    props = GProp_GProps()
    BRepGProp.VolumeProperties_s(op.Shape(), props)
    volume = props.Mass()
    if volume <= 0:
        return 0.0, None
    c = props.CentreOfMass()
    return volume, (c.X(), c.Y(), c.Z())


def _num(v: float) -> str:
    text = f"{v:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def overlaps(placed: list[Instance], tolerance_mm3: float) -> list[tuple[Instance, Instance, float | None, tuple | None]]:
    """(a, b, volume mm³, centre) for each pair of placed parts sharing more than tolerance_mm3,
    in the order of `assembly.place`; volume None when OCCT could not intersect them. Pairs
    whose boxes do not meet are not intersected."""
    boxes = [_box(p) for p in placed]
    out = []
    for i, a in enumerate(placed):
        for j in range(i + 1, len(placed)):
            if boxes[i].IsOut(boxes[j]):
                continue
            b = placed[j]
            try:
                volume, centre = common_volume(a.shape, b.shape)
            except RuntimeError:
                out.append((a, b, None, None))
                continue
            if volume > tolerance_mm3:
                out.append((a, b, volume, centre))
    return out


def assembly_findings(loaded: LoadedSpec, parts: list[PartModel]) -> list[Finding]:
    """A warning for each pair of placed parts that overlap by more than `assembly.overlap`
    (mm³ in the finding), with the volume and the centre of the shared volume (mm, in the
    assembly's coordinates). Nothing when the spec has no assembly."""
    assembly = loaded.spec.assembly
    if assembly is None:
        return []
    tolerance = overlap_tolerance_mm3(loaded)
    source = "assembly.overlap in the spec" if assembly.overlap is not None else "techpack's default: 0.5 mm³"
    findings = []
    for k, (a, b, volume, centre) in enumerate(overlaps(instances(loaded, parts), tolerance), 1):
        if volume is None:
            message = (f"{b.label} and {a.label}: OCCT could not intersect them to check for an overlap; "
                       f"look at them in the assembly STEP (assembly.place[{b.index}] and [{a.index}])")
        else:
            where = ", ".join(_num(c) for c in centre)
            message = (f"{b.label} and {a.label} overlap by {volume:.1f} mm³ near ({where}) "
                       f"(over the {tolerance:g} mm³ allowed; assembly.place[{b.index}] and [{a.index}])")
        findings.append(Finding(
            id=f"{assembly.number}/{RULE}/{k}",
            part=assembly.number,
            rule=RULE,
            severity="warning",
            value=volume,
            limit=tolerance,
            unit="mm³",
            message=message,
            point=centre,
            feature=f"{b.label} / {a.label}",
            source=source,
        ))
    return findings

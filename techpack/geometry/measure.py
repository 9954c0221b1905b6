"""Measures of a shape that several stages take: its exact bounding box and its volume."""

from __future__ import annotations

from OCP.Bnd import Bnd_Box
from OCP.BRepBndLib import BRepBndLib
from OCP.BRepGProp import BRepGProp
from OCP.GProp import GProp_GProps
from OCP.TopAbs import TopAbs_FACE
from OCP.TopExp import TopExp_Explorer


def exact_box(shape) -> tuple[float, float, float, float, float, float]:
    """The exact bounding box of a shape (xmin, ymin, zmin, xmax, ymax, zmax), mm. The exact
    box of a B-spline or torus face is slow, so each of the six extremes is taken from the
    faces in the order of their quick (enclosing) boxes, stopping at the first face whose
    quick box cannot beat the exact extreme found so far: the same box, a tenth of the time."""
    faces = []
    explorer = TopExp_Explorer(shape, TopAbs_FACE)
    while explorer.More():
        quick = Bnd_Box()
        BRepBndLib.Add_s(explorer.Current(), quick, False)
        if not quick.IsVoid():
            faces.append((explorer.Current(), quick.Get()))
        explorer.Next()
    if not faces:
        box = Bnd_Box()
        BRepBndLib.AddOptimal_s(shape, box, False, False)
        return box.Get()
    exact: dict[int, tuple[float, ...]] = {}
    out = []
    for k in range(6):
        low = k < 3  # a minimum: the smallest quick value first
        best = None
        for i, (face, quick) in sorted(enumerate(faces), key=lambda f: f[1][1][k] if low else -f[1][1][k]):
            if best is not None and (quick[k] >= best if low else quick[k] <= best):
                break
            if i not in exact:
                box = Bnd_Box()
                BRepBndLib.AddOptimal_s(face, box, False, False)
                exact[i] = box.Get()
            value = exact[i][k]
            best = value if best is None else (min(best, value) if low else max(best, value))
        out.append(best)
    return tuple(out)


def quick_box(shape) -> tuple[float, float, float, float, float, float]:
    """A box enclosing the shape, slightly larger than the exact one, in a fraction of its time."""
    box = Bnd_Box()
    BRepBndLib.Add_s(shape, box, False)
    return box.Get() if not box.IsVoid() else (0.0,) * 6


def volume(shape) -> float:
    """The shape's volume, mm³ (negative for a solid turned inside out)."""
    props = GProp_GProps()
    BRepGProp.VolumeProperties_s(shape, props)
    return props.Mass()

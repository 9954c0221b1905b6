"""Import a STEP file into a CadQuery shape (in mm), with errors that name the file."""

from __future__ import annotations

from pathlib import Path

import cadquery as cq
from OCP.IFSelect import IFSelect_RetDone
from OCP.Interface import Interface_Static
from OCP.STEPControl import STEPControl_Reader

from techpack.errors import ModelError, Problem


def read(path: Path, where: str, label: str, rel: str) -> cq.Shape:
    """The shape in the STEP file at path, converted to mm by OCCT."""
    if path.stat().st_size == 0:
        raise ModelError(Problem(where, label, f"STEP file '{rel}' is empty"))
    reader = STEPControl_Reader()
    Interface_Static.SetCVal_s("xstep.cascade.unit", "MM")
    status = reader.ReadFile(str(path))
    if status != IFSelect_RetDone:
        raise ModelError(Problem(where, label, f"'{rel}' is not a readable STEP file (OCCT: {status.name})"))
    reader.TransferRoots()
    if reader.NbShapes() == 0:
        raise ModelError(Problem(where, label, f"STEP file '{rel}' holds no shape"))
    return cq.Shape.cast(reader.OneShape())

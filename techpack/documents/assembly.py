"""The assembly: one AP214 STEP file of the product assembled, and an exploded isometric picture.

The STEP file is an OCCT XCAF document written with STEPCAFControl: one product per part
(id = part number, name = number and name, formation id = revision; a part placed twice is
one product used twice), each placement a component (NEXT_ASSEMBLY_USAGE_OCCURRENCE named
"DL2-301 Arm bracket (2 of 2)") with its own location, so a CAD system shows the tree and
can still take each part out. The header is stamped from the spec as in step.py, so that two
builds give the same bytes. Hardware has no model: the header's description lists it.

An assembly shows every supplier's parts, so it is only in the full package (full_only in
documents/__init__.py); it reads the part models' solids (models), so its files are cached
under the parts' keys and the spec's assembly section.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from OCP.Interface import Interface_Static
from OCP.STEPCAFControl import STEPCAFControl_Writer
from OCP.STEPControl import STEPControl_AsIs, STEPControl_Controller
from OCP.StepBasic import StepBasic_ProductDefinition
from OCP.StepRepr import StepRepr_NextAssemblyUsageOccurrence
from OCP.TCollection import TCollection_ExtendedString, TCollection_HAsciiString
from OCP.TDataStd import TDataStd_Name
from OCP.TDocStd import TDocStd_Document
from OCP.gp import gp_Trsf, gp_Vec
from OCP.TopLoc import TopLoc_Location
from OCP.XCAFApp import XCAFApp_Application
from OCP.XCAFDoc import XCAFDoc_DocumentTool

from techpack.geometry.console import captured_output
from techpack.context import BuildContext, Output
from techpack.documents.shade import ISO, picture, save_png
from techpack.documents.step import SCHEMA, stamp_header, step_string, write_file
from techpack.geometry import PartModel
from techpack.geometry.assembly import Instance, hardware_counts, instances

NAME = "assembly"
PICTURE_PX = 720  # the exploded picture's longer side, pixels
EXPLODE = 0.6  # each part moves this fraction of its offset from the assembly's centre
PALETTE = (  # light, distinct hues that show their shading; a part's colour is PALETTE[its index in parts: % len]
    (0.55, 0.62, 0.74), (0.86, 0.55, 0.45), (0.52, 0.76, 0.52), (0.62, 0.52, 0.82),
    (0.86, 0.72, 0.32), (0.76, 0.76, 0.80), (0.40, 0.72, 0.76), (0.84, 0.56, 0.72),
)


def step_path(number: str, revision: str) -> str:
    """"step/DL2-000_assembly_revB.step"."""
    return f"step/{number}_assembly_rev{revision}.step"


def picture_path(number: str) -> str:
    """"pictures/DL2-000_exploded.png"."""
    return f"pictures/{number}_exploded.png"


def _h(text: str) -> TCollection_HAsciiString:
    return TCollection_HAsciiString(step_string(text))


def write_assembly_step(
    number: str, name: str, placed: list[Instance], path: Path, *, revision: str, date: str, author: str,
    organisation: str, approver: str, hardware: list[tuple[str, str, int]] = (), notice: str = "",
) -> None:
    """Write the placed parts to path as one AP214 assembly in mm with a deterministic header:
    a product per part, a located component per instance."""
    STEPControl_Controller.Init_s()
    Interface_Static.SetCVal_s("write.step.schema", SCHEMA)
    Interface_Static.SetCVal_s("write.step.unit", "MM")
    doc = TDocStd_Document(TCollection_ExtendedString("XmlOcaf"))
    XCAFApp_Application.GetApplication_s().InitDocument(doc)
    tool = XCAFDoc_DocumentTool.ShapeTool_s(doc.Main())
    root = tool.NewShape()
    TDataStd_Name.Set_s(root, TCollection_ExtendedString(f"{number} {name}"))
    prototypes = {}
    for k, inst in enumerate(placed):
        spec = inst.part.spec
        if spec.number not in prototypes:
            label = tool.AddShape(inst.part.solid.wrapped, False)
            TDataStd_Name.Set_s(label, TCollection_ExtendedString(spec.number))
            prototypes[spec.number] = label
        component = tool.AddComponent(root, prototypes[spec.number], TopLoc_Location(inst.trsf))
        TDataStd_Name.Set_s(component, TCollection_ExtendedString(str(k)))  # its index: named below, in STEP's own text encoding
    tool.UpdateAssemblies()

    writer = STEPCAFControl_Writer()
    writer.SetNameMode(True)
    for off in (writer.SetColorMode, writer.SetLayerMode, writer.SetPropsMode, writer.SetSHUOMode):
        off(False)
    with captured_output():  # OCCT's writer may print statistics on stdout
        done = writer.Transfer(doc, STEPControl_AsIs)
    if not done:
        raise RuntimeError(f"OCCT could not translate assembly {number} to STEP")
    model = writer.ChangeWriter().Model()
    # OCCT names a part's product "Open CASCADE STEP translator ..." and numbers the occurrences
    # from a counter that runs on across writes: name and number them here, as step.py names a part.
    entities = [model.Value(i) for i in range(1, model.NbEntities() + 1)]
    occurrences = [e for e in entities if isinstance(e, StepRepr_NextAssemblyUsageOccurrence)]
    if sorted(int(e.Name().ToCString()) for e in occurrences) != list(range(len(placed))):
        raise RuntimeError(f"OCCT wrote {len(occurrences)} occurrences for the {len(placed)} parts of assembly {number}")
    for entity in occurrences:
        k = int(entity.Name().ToCString())
        inst, spec = placed[k], placed[k].part.spec
        entity.SetId(_h(f"{number}/{k + 1}"))
        entity.SetName(_h(inst.label))
        entity.SetDescription(_h(""))  # OCCT's reader (and CAD systems built on it) takes a non-empty description for the name
        _name_product(entity.RelatedProductDefinition(), spec.number, f"{spec.number} {spec.name}", f"{spec.name}, revision {revision}", revision)
        _name_product(entity.RelatingProductDefinition(), number, f"{number} {name}", f"{name} (assembly), revision {revision}", revision)
    bought = "; purchased, not modelled: " + ", ".join(f"{c} x {n}" for n, _, c in hardware) if hardware else ""
    stamp_header(model, path, date=date, author=author, organisation=organisation, approver=approver,
                 description=[f"{number} {name}, revision {revision}: {len(placed)} parts placed{bought}", notice])
    write_file(writer, path)


def _name_product(definition: StepBasic_ProductDefinition, pid: str, name: str, description: str, revision: str) -> None:
    formation = definition.Formation()
    formation.SetId(_h(revision))
    product = formation.OfProduct()
    product.SetId(_h(pid))
    product.SetName(_h(name))
    product.SetDescription(_h(description))


def exploded(placed: list[Instance]) -> list[tuple[object, tuple[float, float, float]]]:
    """Each placed part moved away from the assembly's centre (the middle of its bounding box)
    by EXPLODE times its own centre's offset from it: parts that meet move apart along the
    line between them, and the assembly keeps its shape. (shape, mm) pairs: the moved shape and
    how far it moved."""
    boxes = np.array([inst.box_mm for inst in placed])
    centres = (boxes[:, :3] + boxes[:, 3:]) / 2
    middle = (boxes[:, :3].min(axis=0) + boxes[:, 3:].max(axis=0)) / 2
    out = []
    for inst, centre in zip(placed, centres):
        offset = tuple(float(v) for v in EXPLODE * (centre - middle))
        trsf = gp_Trsf()
        trsf.SetTranslation(gp_Vec(*offset))
        out.append((inst.shape.Moved(TopLoc_Location(trsf)), offset))
    return out


def exploded_picture(placed: list[Instance], part_numbers: list[str], px: int = PICTURE_PX) -> np.ndarray:
    """The exploded assembly seen isometrically (from above, front right), each part shaded in
    its colour (both instances of a part alike): an (h, w, 3) uint8 image, `px` on its longer side."""
    colours = {n: PALETTE[k % len(PALETTE)] for k, n in enumerate(part_numbers)}
    shapes = [(shape, colours[inst.part.spec.number]) for inst, (shape, _) in zip(placed, exploded(placed))]
    return picture(shapes, ISO, px)


def write(ctx: BuildContext, parts: list[PartModel]) -> list[Output]:
    assembly = ctx.spec.assembly
    if assembly is None:
        return []
    product = ctx.spec.product
    placed = instances(ctx.loaded, parts)
    hardware = hardware_counts(ctx.loaded)
    rel = step_path(assembly.number, product.revision)
    ctx.log.progress(1, 2, f"assembly {rel} ({len(placed)} parts placed, {sum(c for *_, c in hardware)} hardware)")
    write_assembly_step(
        assembly.number, assembly.name, placed, ctx.path(rel),
        revision=product.revision, date=ctx.date.isoformat(), author=product.drawn_by,
        organisation=product.owner, approver=product.approved_by or "", hardware=hardware, notice=ctx.notice,
    )
    outputs = [Output(rel, NAME)]
    png = picture_path(assembly.number)
    ctx.log.progress(2, 2, f"assembly picture {png}")
    save_png(exploded_picture(placed, [p.number for p in ctx.spec.parts]), ctx.path(png))
    outputs.append(Output(png, "picture"))
    return outputs

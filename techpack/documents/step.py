"""STEP files: one AP214 file per part, in mm, named and stamped from the spec.

OCCT's writer stamps the wall-clock time and names the product "Open CASCADE STEP
translator"; we set the header (name, date, author, organisation, system) and the
PRODUCT entity (id = part number, name = number and name, formation id = revision)
so that the same inputs give byte-identical files a supplier's CAM can identify.
"""

from __future__ import annotations

from pathlib import Path

from OCP.APIHeaderSection import APIHeaderSection_MakeHeader
from OCP.IFSelect import IFSelect_RetDone
from OCP.Interface import Interface_Static
from OCP.Interface import Interface_HArray1OfHAsciiString
from OCP.STEPControl import STEPControl_AsIs, STEPControl_Controller, STEPControl_Writer
from OCP.StepBasic import StepBasic_Product, StepBasic_ProductDefinitionFormation
from OCP.TCollection import TCollection_HAsciiString

from techpack import __version__
from techpack.provenance import occt_version
from techpack.geometry.console import captured_output
from techpack.context import BuildContext, Output
from techpack.geometry import BuiltPart, PartModel
from techpack.naming import part_stem

NAME = "step"
SCHEMA = "AP214IS"  # AUTOMOTIVE_DESIGN: read by every CAM and CAD system


def step_string(text: str) -> str:
    """Text as an ISO 10303-21 string body: ASCII as it is (a backslash doubled), anything
    else as \\X2\\hhhh\\X0\\ (UTF-16), which OCCT and CAD systems decode ("Jürgen" stays Jürgen)."""
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            units = ch.encode("utf-16-be").hex().upper()
            out.append(f"\\X2\\{units}\\X0\\")
    return "".join(out)


def _h(text: str) -> TCollection_HAsciiString:
    return TCollection_HAsciiString(step_string(text))


def write_step(part: BuiltPart, path: Path, *, revision: str, date: str, author: str, organisation: str, approver: str,
               notice: str = "") -> None:
    """Write part's solid to path as AP214 in mm with a deterministic header; the notice (the
    confidentiality legend) is the header's second description line."""
    STEPControl_Controller.Init_s()
    Interface_Static.SetCVal_s("write.step.schema", SCHEMA)
    Interface_Static.SetCVal_s("write.step.unit", "MM")
    writer = STEPControl_Writer()
    with captured_output():  # OCCT's writer may print statistics on stdout
        done = writer.Transfer(part.solid.wrapped, STEPControl_AsIs)
    if done != IFSelect_RetDone:
        raise RuntimeError(f"OCCT could not translate {part.spec.number} to STEP")
    model = writer.Model()
    for i in range(1, model.NbEntities() + 1):
        entity = model.Value(i)
        if isinstance(entity, StepBasic_Product):
            entity.SetId(_h(part.spec.number))
            entity.SetName(_h(f"{part.spec.number} {part.spec.name}"))
            entity.SetDescription(_h(f"{part.spec.name}, revision {revision}"))
        elif isinstance(entity, StepBasic_ProductDefinitionFormation):
            entity.SetId(_h(revision))
    stamp_header(model, path, date=date, author=author, organisation=organisation, approver=approver,
                 description=[f"{part.spec.number} {part.spec.name}, revision {revision}", notice])
    write_file(writer, path)


def write_file(writer, path: Path) -> None:
    """Write the writer's model to path, OCCT's console output captured."""
    with captured_output():
        written = writer.Write(str(path))
    if written != IFSelect_RetDone:
        raise OSError(f"could not write {path}")


def stamp_header(model, path: Path, *, date: str, author: str, organisation: str, approver: str, description: list[str]) -> None:
    """The STEP header from the spec, not from the clock or OCCT: file name, date, author,
    organisation, system, authorisation, and the description's lines (empty ones left out)."""
    header = APIHeaderSection_MakeHeader(model)
    header.SetName(_h(path.name))
    header.SetTimeStamp(_h(f"{date}T00:00:00"))
    header.SetAuthorValue(1, _h(author))
    header.SetOrganizationValue(1, _h(organisation))
    header.SetPreprocessorVersion(_h(f"techpack {__version__} (OCCT {occt_version()})"))
    header.SetOriginatingSystem(_h(f"techpack {__version__}"))
    header.SetAuthorisation(_h(approver))
    lines = [line for line in description if line]
    array = Interface_HArray1OfHAsciiString(1, len(lines))
    for k, line in enumerate(lines, 1):
        array.SetValue(k, _h(line))
    header.SetDescription(array)


def write(ctx: BuildContext, parts: list[PartModel]) -> list[Output]:
    product = ctx.spec.product
    outputs = []
    for k, part in enumerate(parts, 1):
        rel = f"step/{part_stem(part.spec, product)}.step"
        ctx.log.progress(k, len(parts), f"STEP {rel}")
        write_step(
            part,
            ctx.path(rel),
            revision=product.revision,
            date=ctx.date.isoformat(),
            author=product.drawn_by,
            organisation=product.owner,
            approver=product.approved_by or "",
            notice=ctx.notice,
        )
        outputs.append(Output(rel, NAME, part.spec.number))
    return outputs

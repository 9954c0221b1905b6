"""dxf/<part>_<slug>_rev<R>_flat.dxf: what a sheet-metal, laser, waterjet or plasma shop
quotes and cuts from, for each part of a process of the sheet family: a bent part's flat
pattern (unfolded with its K-factor, bend lines with direction, angle and inside radius), a
flat part's profile; outline and holes on CUT as closed polylines with true arcs, engraving
on ENGRAVE, in millimetres (geometry/model.py PartModel.flat, documents/dxffile.py).

A part that does not unfold is a DFM error (the flat-pattern rule), which stops the build;
built anyway (--allow-dfm-errors) or with the finding waived (a welded box the shop unfolds
itself), its package has no DXF for it and its DFM report says why. Where the rule did not
run (a process without it), a part without a flat stops the build here, naming the part."""

from __future__ import annotations

from techpack.context import BuildContext, Output
from techpack.documents.dxffile import write_dxf
from techpack.errors import ModelError, Problem
from techpack.geometry import PartModel
from techpack.geometry.profile import NotFlat
from techpack.geometry.unfold import UnfoldError
from techpack.naming import part_stem

NAME = "dxf"
FOLDER = "dxf"
FAMILY = "sheet"  # the processes whose parts are cut from sheet (catalog/processes.yaml family)
RULE = "flat-pattern"  # the DFM rule that finds a part that does not unfold (checks/sheet.py)


def path_of(model: PartModel, ctx: BuildContext) -> str:
    return f"{FOLDER}/{part_stem(model.spec, ctx.spec.product)}_flat.dxf"


def write(ctx: BuildContext, parts: list[PartModel]) -> list[Output]:
    out = []
    for model in parts:
        part = model.spec
        if ctx.loaded.catalog.processes[part.process].family != FAMILY:
            continue
        if any(f.part == part.number and f.rule == RULE for f in ctx.report.findings):
            ctx.log.info(f"  {part.number}: no DXF, it does not unfold (its {RULE} finding in the DFM report)")
            continue
        rel = path_of(model, ctx)
        try:
            flat = model.flat
            write_dxf(flat, ctx.path(rel), part=part.number, title=part.name)
        except (UnfoldError, NotFlat, ValueError) as exc:  # ValueError: an empty flat or an open loop (dxffile)
            i = ctx.loaded.index_of(part)
            raise ModelError(Problem(ctx.loaded.where("parts", i, "model"), f"parts[{i}].model ({part.number})",
                                     f"no DXF of its blank: {exc}")) from None
        w, h = flat.size
        ctx.log.progress(1, 1, f"DXF {rel} ({w:.1f} × {h:.1f} mm, {len(flat.holes)} holes, {len(flat.bends)} bends)")
        out.append(Output(rel, NAME, part.number))
    return out

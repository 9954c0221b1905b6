"""print/<part>_<slug>_rev<R>.3mf and .stl: the mesh a print farm loads, for each part whose
process has a mesh resolution in the catalog (the additive ones: fdm, sla, sls, mjf).

The mesh follows the solid to the process's chord and angle (catalog/processes.yaml `mesh`),
welded into one closed, outward mesh whose volume is the solid's within 0.5 %
(geometry/printmesh.py); a part whose mesh fails that stops the build with an error naming
the part and what failed. 3MF in millimetres with the part number on its object and build
item; STL (no units: print farms read mm) with the part number in its header
(documents/meshfile.py)."""

from __future__ import annotations

from techpack.context import BuildContext, Output
from techpack.documents.meshfile import write_3mf, write_stl
from techpack.errors import ModelError, Problem
from techpack.geometry import PartModel
from techpack.geometry.printmesh import mesh
from techpack.naming import part_stem

NAME = "print"
FOLDER = "print"


def write(ctx: BuildContext, parts: list[PartModel]) -> list[Output]:
    out = []
    for model in parts:
        part = model.spec
        resolution = ctx.loaded.catalog.processes[part.process].mesh
        if resolution is None:
            continue
        stem = f"{FOLDER}/{part_stem(part, ctx.spec.product)}"
        try:
            triangles = mesh(model.solid, resolution.chord_mm, resolution.angle_deg)
            write_3mf(triangles, ctx.path(f"{stem}.3mf"), part=part.number, title=part.name, revision=ctx.spec.product.revision)
            write_stl(triangles, ctx.path(f"{stem}.stl"), part=part.number, title=part.name)
        except ValueError as exc:  # MeshError; an empty mesh, or vertices STL's float32 would merge (meshfile)
            i = ctx.loaded.index_of(part)
            raise ModelError(Problem(ctx.loaded.where("parts", i, "model"), f"parts[{i}].model ({part.number})",
                                     f"no print file: {exc}. Repair the solid in the CAD program (a face OCCT cannot mesh, or a gap "
                                     "between faces), or choose a process that is not printed")) from None
        ctx.log.progress(1, 1, f"print files {stem}.3mf, .stl ({len(triangles.triangles)} triangles, chord {resolution.chord_mm:g} mm)")
        out += [Output(f"{stem}.3mf", NAME, part.number), Output(f"{stem}.stl", NAME, part.number)]
    return out

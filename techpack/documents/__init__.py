"""The documents stage: one module per document kind, registered here in build order.

A document module has NAME and write(ctx, parts) -> list[Output], and TEMPLATES, the Jinja
templates it renders (checked before the build starts; a user overrides them). Adding a kind is
one module and one line in DOCUMENTS.

A document about the whole order is written in the main process; one that needs geometry
work per part (the DFM report's pictures) has prepare(model, report), which runs in the
part's worker (pipeline.part_task) and whose result is kept in model.prepared[NAME]. The index comes last: it lists what the
others wrote.
"""

from techpack.documents import assembly, changes, cover, dfm, drawing, finishing, index, pictures, step, workbook

DOCUMENTS = (step, assembly, drawing, finishing, pictures, changes, dfm, workbook, cover, index)

__all__ = ["DOCUMENTS"]

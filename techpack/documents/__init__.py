"""The documents stage: one module per document kind, registered here in build order.

A document module has NAME and write(ctx, parts) -> list[Output], and TEMPLATES, the Jinja
templates it renders (checked before the build starts; a user overrides them). Adding a kind is
one module and one line in DOCUMENTS. The index comes last: it lists what the
others wrote.
"""

from techpack.documents import assembly, changes, cover, dfm, drawing, finishing, index, pictures, step, workbook

DOCUMENTS = (step, assembly, drawing, finishing, pictures, changes, dfm, workbook, cover, index)

__all__ = ["DOCUMENTS"]

"""The documents stage: one module per document kind, registered here in build order.

A document module has NAME (the kind of its outputs) and write(ctx, parts) -> list[Output].
Its line in DOCUMENTS says how the build runs it and which Jinja templates it renders
(checked before the build starts; a user overrides them). Adding a kind is one module and
one line here. The modules are imported when a build first runs them: a build whose parts
all come from the cache imports neither CadQuery nor OCCT.

- per_part: written in each part's worker (pipeline.part_task) with the part's model; a
  supplier's package copies its parts' files.
- Otherwise the document is about the whole order and is written in the main process from
  the parts' summaries (techpack/summary.py), which hold no geometry. What it needs from a
  part's geometry it computes in the part's worker with prepare(loaded, model, report); the
  result is the summary's prepared[NAME].
- models: it reads the part models themselves (the assembly's solids); its files are kept in
  the cache under the parts' keys.
- full_only: about every supplier's parts, so only in the full package.
- section: the spec section the document is about (the assembly's): without it the
  document is not run, nor its module imported.

The index comes last: it lists what the others wrote.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Document:
    name: str  # its outputs' kind, and the build stage's name
    module_name: str
    per_part: bool = False
    models: bool = False
    full_only: bool = False
    templates: tuple[str, ...] = ()
    section: str | None = None

    def applies(self, spec) -> bool:
        """Whether the spec has what the document is about."""
        return self.section is None or getattr(spec, self.section) is not None

    @property
    def module(self) -> ModuleType:
        return importlib.import_module(f"{__name__}.{self.module_name}")


FINISHING_TEMPLATES = tuple(f"finishing/{name}.j2" for name in ("document", "steps", "masking", "effect", "acceptance", "handling"))

DOCUMENTS = (
    Document("step", "step", per_part=True),
    Document("assembly", "assembly", models=True, full_only=True, section="assembly"),
    Document("drawing", "drawing", per_part=True),
    Document("finishing", "finishing", per_part=True, templates=FINISHING_TEMPLATES),
    Document("picture", "pictures", per_part=True),
    Document("dxf", "cutfiles", per_part=True),
    Document("print", "printfiles", per_part=True),
    Document("changes", "changes", templates=("changes.html.j2",)),
    Document("dfm", "dfm"),
    Document("workbook", "workbook"),
    Document("cover", "cover"),
    Document("index", "index", templates=("index.html.j2",)),
)


def templates(name: str) -> tuple[str, ...]:
    """The templates the document `name` renders, as registered."""
    return next(d.templates for d in DOCUMENTS if d.name == name)


__all__ = ["DOCUMENTS", "Document", "templates"]

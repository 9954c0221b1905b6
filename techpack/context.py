"""What every stage after loading receives: the spec, where to write, and how to report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from techpack.checks import Report
from techpack.provenance import GitInfo
from techpack.report import Reporter
from techpack.spec import LoadedSpec


@dataclass(frozen=True)
class Output:
    """A file written into the package."""

    path: str  # relative to the package folder, with forward slashes
    kind: str  # the document kind that wrote it ("step", "index", ...)
    part: str | None = None  # the part number it is about, if any


@dataclass
class BuildContext:
    loaded: LoadedSpec
    folder: Path  # the package folder being written (inside a temporary directory)
    date: dt.date
    git: GitInfo | None
    log: Reporter
    report: Report  # the DFM findings
    outputs: list[Output] = field(default_factory=list)
    supplier: str | None = None  # the key of the supplier whose package this is; None: the full package
    changes: dict | None = None  # with `build --since REV`: what changed since, for the cover page (techpack.diff)

    @property
    def spec(self):
        return self.loaded.spec

    @property
    def released(self) -> bool:
        """False when built from a git work tree with uncommitted changes to the spec or a model:
        every sheet and the cover page then say NOT RELEASED."""
        return not (self.git and self.git.dirty)

    @property
    def notice(self) -> str:
        """The confidentiality legend every document carries (inspection-finishing-rfq.md §4.5)."""
        owner = self.spec.product.owner
        nda = f" under {self.spec.rfq.nda}" if self.spec.rfq.nda else ""
        return (
            f"CONFIDENTIAL: property of {owner}. Supplied{nda} only to quote for and make these parts for {owner}. "
            "Do not copy, disclose or use otherwise without written consent."
        )

    def path(self, rel: str) -> Path:
        """The absolute path of a package file, with its folder created."""
        p = (self.folder / rel).resolve()
        if not p.is_relative_to(self.folder.resolve()):
            raise ValueError(f"{rel!r} would be written outside the package")
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

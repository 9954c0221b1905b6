"""`techpack init`: a small working spec with one CadQuery model, from templates/starter/."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

from techpack.errors import InputError, Problem, Where

FILES = {"techpack.yaml": "starter/techpack.yaml", "models/plate.py": "starter/models/plate.py"}


def write_starter(directory: Path) -> list[Path]:
    """Write the starter files into directory; never overwrite a file."""
    existing = [directory / rel for rel in FILES if (directory / rel).exists()]
    if existing:
        raise InputError([Problem(Where(str(p)), "", "already exists; techpack init never overwrites a file") for p in existing])
    templates = resources.files("techpack.templates")
    written = []
    for rel, source in FILES.items():
        text = templates.joinpath(source).read_text(encoding="utf-8")
        text = text.replace("{{ today }}", dt.date.today().isoformat())
        target = directory / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written

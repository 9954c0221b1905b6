"""`techpack diff OLD [NEW]`: what changed between two revisions, per part (techpack.diff).
Registered on the main group by techpack/cli.py, like the catalog commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from techpack.report import Reporter

DEFAULT_SPEC = Path("techpack.yaml")


def register(main: click.Group, handle_errors) -> None:
    @main.command("diff")
    @click.argument("old")
    @click.argument("new", required=False)
    @click.option("--spec", type=click.Path(dir_okay=False, path_type=Path),
                  help="The spec whose git revisions OLD and NEW are (default: techpack.yaml in this folder). Not needed for two zips.")
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
                  help="json: the changes for a program, on standard output.")
    @click.option("--pictures", "pictures_dir", type=click.Path(file_okay=False, path_type=Path),
                  help="Write a picture of the changed region of each part whose geometry changed: DIR/<part>_changed.png.")
    @click.option("--exit-code", is_flag=True, help="Exit 1 when something changed, 0 when nothing did (like git diff --exit-code).")
    @click.option("-q", "--quiet", is_flag=True, help="No progress lines while the parts are built.")
    @handle_errors
    def diff(old: str, new: str | None, spec: Path | None, fmt: str, pictures_dir: Path | None, exit_code: bool, quiet: bool):
        """What changed from OLD to NEW, per part: geometry, dimensions and tolerances, material,
        process, finish, quantity, supplier; and per purchased part.

        OLD and NEW are package zips (NUMBER_revR.zip) or git revisions of the repository holding
        the spec (HEAD~1, a tag, a commit); without NEW, the spec and models as they are on disk."""
        from techpack.diff import diff as run_diff
        from techpack.diff import format_text, pictures

        if spec is None and DEFAULT_SPEC.is_file():
            spec = DEFAULT_SPEC
        result = run_diff(old, new, spec, Reporter(0 if quiet or fmt == "json" else 1))
        written = {}
        if pictures_dir is not None:
            pictures_dir.mkdir(parents=True, exist_ok=True)
            for number, png in pictures(result).items():
                path = pictures_dir / f"{number}_changed.png"
                path.write_bytes(png)
                written[number] = str(path)
        if fmt == "json":
            out = result.to_dict()
            for p in out["parts"]:
                p["picture"] = written.get(p["number"])
            click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        else:
            click.echo(format_text(result))
            for number, path in written.items():
                click.echo(f"wrote {path}", err=True)
        if exit_code and not result.empty:
            sys.exit(1)  # like git diff --exit-code

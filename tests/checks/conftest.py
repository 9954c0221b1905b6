"""Run `techpack check --format json` on a one-part spec around a CadQuery script."""

from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from techpack.cli import main


@pytest.fixture
def dfm(project):
    """dfm(script_body, process=..., material=..., extra_part_yaml=..., extra_spec=...) -> (exit code, report dict)."""

    def run(body: str, process: str, material: str, part: str = "", extra: str = "", fail_on: str = "error"):
        script = "import cadquery as cq\n\n\ndef build():\n" + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n"
        project.write("models/part.py", script)
        fields = f"number: T1\n  name: Test part\n  model: models/part.py\n  material: {material}\n  process: {process}\n"
        if part:
            fields += textwrap.indent(textwrap.dedent(part).strip("\n"), "  ") + "\n"
        spec = project.spec("- " + fields, extra=extra)
        result = CliRunner().invoke(main, ["check", str(spec), "--format", "json", "--fail-on", fail_on], catch_exceptions=False)
        return result.exit_code, json.loads(result.stdout)

    return run


def part_of(report: dict) -> dict:
    (part,) = report["parts"]
    return part


def findings(report: dict, rule: str) -> list[dict]:
    return [f for f in part_of(report)["findings"] if f["rule"] == rule]

"""The findings as a plain-text table for a terminal or a CI log."""

from __future__ import annotations

import textwrap

from techpack.checks import Report
from techpack.words import plural

MARK = {"error": "E", "warning": "W", "info": "i"}


def format_report(report: Report, parts: dict[str, str], fail_on: str) -> str:
    """One block per part (number -> title), one line per finding, then a summary line."""
    lines = []
    for number, runs in report.checked.items():
        found = [f for f in report.findings if f.part == number]
        skipped = [r for r in runs if r.status != "ran"]
        ran = f"{plural(len(runs) - len(skipped), 'rule')} ran" + (f" ({len(skipped)} not)" if skipped else "")
        lines.append(f"{parts[number]}: {ran}, {len(found) or 'no'} finding{'s' if len(found) != 1 else ''}")
        for r in skipped:
            mark = "?" if r.status == "could-not-run" else "·"
            lines.append(f"  {mark} {r.rule + ':':<34} {r.status.replace('-', ' ')}: {r.reason}")
        for f in found:
            mark = "-" if f.waived else MARK[f.severity]
            lines.append(f"  {mark} {f.id:<34} {f.message}")
            if f.waived:
                lines.append(textwrap.indent(textwrap.fill(f"waived: {f.waived}", 100), " " * 39))
    for w in report.unused_waivers:
        lines.append(f"note: a waiver matches no finding: {w}")
    c = report.counts()
    failing = report.failing(fail_on)
    verdict = f"FAIL: {len(failing)} unwaived at or above {fail_on}" if failing else f"ok (fails on {fail_on})"
    broken = f", {plural(c['could_not_run'], 'rule')} could not run" if c["could_not_run"] else ""
    lines.append(f"{plural(c['error'], 'error')}, {plural(c['warning'], 'warning')}, {c['info']} info, {c['waived']} waived{broken}: {verdict}")
    return "\n".join(lines)

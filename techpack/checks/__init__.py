"""The checks stage: DFM findings for every part, from the rules its process lists in the catalog.

A rule name in techpack/catalog/processes.yaml maps to one function in rules.py; a spec
can change the limits (catalog: processes:) and waive findings (parts[].checks.waive).
Running them (run.py) needs the part models and CadQuery; the report and its findings
(findings.py) are plain data, read by the documents without either.
"""

from techpack.checks.findings import SEVERITIES, Finding, Report, RuleRun, rank

__all__ = ["Report", "Finding", "RuleRun", "SEVERITIES", "rank"]

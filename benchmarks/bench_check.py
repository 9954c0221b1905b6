"""Benchmark and census of `techpack check`: each NIST CTC part checked as `cnc-milling` in
aluminium, its wall time and its findings counted per rule and severity.

    python benchmarks/bench_check.py [--repeat N] [--json FILE]

Each check runs in a fresh process (`techpack check --format json`), so the time is the
one a user sees, start-up included. The findings census is the DFM issue's before/after
table (README, "DFM on the NIST parts").
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import NIST, nist_folder, nist_spec  # noqa: E402

MARK = {"error": "E", "warning": "W", "info": "i"}


def run_one(spec: Path) -> tuple[float, dict]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "techpack", "check", str(spec), "--format", "json", "--quiet", "--no-cache"],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"check of {spec} failed:\n{proc.stderr}")
    return seconds, json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per part; the fastest is reported")
    ap.add_argument("--json", type=Path, help="also write the census as JSON here")
    args = ap.parse_args()
    census = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(f"python {sys.version.split()[0]}, {args.repeat} runs each, fastest shown\n")
        print(f"{'part':<12} {'check s':>7}  findings per rule (E error, W warning, i info; waived excluded)")
        for name in NIST:
            spec = nist_spec(nist_folder(), name, work)
            runs = [run_one(spec) for _ in range(args.repeat)]
            seconds, report = min(runs, key=lambda r: r[0])
            (part,) = report["parts"]
            counts = Counter((f["rule"], f["severity"]) for f in part["findings"] if not f["waived"])
            label = name.split("_asme")[0].replace("nist_", "").upper()
            census[label] = {"seconds": round(seconds, 2), "findings": {f"{r}:{s}": n for (r, s), n in sorted(counts.items())},
                             "setups": part.get("measured", {}).get("setups")}
            shown = ", ".join(f"{r} {n}{MARK[s]}" for (r, s), n in sorted(counts.items())) or "none"
            print(f"{label:<12} {seconds:>7.2f}  {shown}")
    if args.json:
        args.json.write_text(json.dumps(census, indent=1) + "\n")


if __name__ == "__main__":
    main()

"""Build time and memory against the number of parts and of workers (--jobs).

Generates specs of 10, 20 and 40 parts (filleted plates of different sizes with counterbored and blind holes and a slot,
CNC-milled, so that every part gets a drawing with dimensions, a hole callout and DFM checks),
builds each with --jobs 1 and --jobs 2 (and --no-cache: every part is built) in a fresh process (start-up included, as a user
waits for it) and prints the wall time, the time per part, the ratio of the two, the peak
memory of the largest process (the main one or a worker) and of the largest worker. Run: python benchmarks/bench_jobs.py [--parts 10 20 40] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

PLATE = """
import cadquery as cq

def build(x=60.0, y=40.0, z=8.0, hole=6.0):
    plate = cq.Workplane("XY").box(x, y, z).edges("|Z").fillet(4)
    plate = plate.faces(">Z").workplane().rect(x - 16, y - 16, forConstruction=True).vertices().cboreHole(hole, hole + 4, 2)
    plate = plate.faces(">Z").workplane().rarray(8, 8, 3, 2).hole(3, z / 2)
    return plate.faces(">Z").workplane().center(0, y / 4).slot2D(x / 3, 6).cutBlind(-z / 3)
"""

PRODUCT = "product: {number: B-1, name: Bench, revision: A, owner: Bench Ltd, drawn_by: B, date: 2026-11-20, batch: 10}\n"


def spec(folder: Path, n: int) -> Path:
    (folder / "models").mkdir(parents=True, exist_ok=True)
    (folder / "models" / "plate.py").write_text(textwrap.dedent(PLATE).lstrip())
    parts = "\n".join(
        f"  - {{number: P{k:03d}, name: Plate {k}, model: models/plate.py, params: {{x: {50 + k}, y: {36 + k % 9}, z: {6 + k % 4}, hole: {4 + k % 3}}}, "
        f"material: aluminium 6061-T6, process: cnc-milling}}" for k in range(n)
    )
    path = folder / "techpack.yaml"
    path.write_text("techpack: 1\n" + PRODUCT + "parts:\n" + parts + "\n")
    return path


RUN = """
import re, resource, subprocess, sys, time, json
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
took = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
parts = re.search(r"^  parts: ([0-9.]+) s", proc.stderr, re.M)
worker = max([float(m) for m in re.findall(r"worker peak memory ([0-9.]+) MB", proc.stderr)] or [0.0])
print(json.dumps({"code": proc.returncode, "seconds": took, "parts_s": float(parts.group(1)) if parts else 0.0, "peak_mb": peak,
                  "worker_mb": worker,
                  "err": proc.stderr[-2000:]}))
"""


def run(path: Path, out: Path, jobs: int) -> dict:
    """One build in a fresh process; the largest process's peak memory (main or a worker)."""
    cmd = [sys.executable, "-c", RUN, sys.executable, "-m", "techpack", "build", str(path), "-o", str(out), "-v", "--jobs", str(jobs), "--no-cache"]
    result = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    if result["code"] != 0:
        raise SystemExit(f"build failed:\n{result['err']}")
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parts", type=int, nargs="+", default=[10, 20, 40])
    ap.add_argument("--repeat", type=int, default=1, help="runs per case; the fastest is shown")
    args = ap.parse_args()
    print(f"{'parts':>5} {'-j1 s':>7} {'-j2 s':>7} {'-j2/-j1':>8} {'stage -j1':>9} {'stage -j2':>9} {'-j2/-j1':>8} "
          f"{'-j1 s/part':>10} {'-j2 s/part':>10} {'peak MB -j1':>11} {'peak MB -j2':>11} {'worker MB -j2':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.parts:
            path = spec(Path(tmp) / f"p{n}", n)
            best = {}
            for jobs in (1, 2):
                runs = [run(path, Path(tmp) / f"out{n}-{jobs}", jobs) for _ in range(args.repeat)]
                best[jobs] = min(runs, key=lambda r: r["seconds"])
            same = (Path(tmp) / f"out{n}-1" / "B-1_revA.zip").read_bytes() == (Path(tmp) / f"out{n}-2" / "B-1_revA.zip").read_bytes()
            one, two = best[1], best[2]
            print(f"{n:>5} {one['seconds']:>7.1f} {two['seconds']:>7.1f} {two['seconds'] / one['seconds']:>8.2f} "
                  f"{one['parts_s']:>9.1f} {two['parts_s']:>9.1f} {two['parts_s'] / one['parts_s']:>8.2f} "
                  f"{one['seconds'] / n:>10.2f} {two['seconds'] / n:>10.2f} {one['peak_mb']:>11.0f} {two['peak_mb']:>11.0f} {two['worker_mb']:>13.0f}"
                  + ("" if same else "   PACKAGES DIFFER"))
            sys.stdout.flush()
    print("\nWall time of `techpack build --jobs N` in a fresh process (start-up included); stage = the `parts` stage alone (the"
          "\nworkers building, checking and drawing the parts); peak = the largest process (the main one or a worker);"
          "\nworker = the largest worker's peak resident memory (a forked worker counts only the pages of its server's"
          "\nlibraries that it touched, so it is lower than a spawned one's).")


if __name__ == "__main__":
    main()

"""Benchmark: the drawing stage of this checkout against an earlier revision, on the NIST parts,
runs interleaved (old, new, old, new, ...) so that both see the machine in the same state.

    python benchmarks/compare_drawing.py REV [--rounds N]

REV is checked out into a temporary git worktree; each run is a fresh-process build of one NIST
part (cnc-milling, no finish: a spec every revision reads), with PYTHONPATH pointing at the old or the new tree. The table gives
the fastest and the median drawing stage of each, in s. On a shared machine the absolute
times drift by 50 % over minutes; the interleaved pair is what can be compared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import NIST, REPO, nist_folder  # noqa: E402

CHILD = """
import json, sys
from techpack.build import build
from techpack.report import Reporter
log = Reporter(0)
try:  # an old tree may fail after its drawings (its templates are not this checkout's): the stages so far count
    build(sys.argv[1], sys.argv[2], log, allow_dfm_errors=True)
except Exception:
    pass
print(json.dumps({s.name: s.seconds for s in log.stages}))
"""


def plain_spec(name: str, work: Path) -> Path:
    """A one-part spec around a NIST STEP file that every revision reads (no finishes, no spares)."""
    d = work / name.split("_asme")[0]
    d.mkdir()
    (d / name).write_bytes((nist_folder() / name).read_bytes())
    number = name.split("_asme")[0].upper().replace("NIST_", "")
    (d / "techpack.yaml").write_text(
        "techpack: 1\n"
        f"product: {{number: {number}, name: NIST {number}, revision: A, owner: NIST, drawn_by: NIST, date: 2026-11-20, batch: 5}}\n"
        f"parts:\n  - {{number: {number}-1, name: Test part, model: {name}, material: 6061, process: cnc-milling}}\n"
    )
    return d / "techpack.yaml"


def drawing_s(tree: Path, spec: Path, out: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(tree))
    proc = subprocess.run([sys.executable, "-c", CHILD, str(spec), str(out)], capture_output=True, text=True, env=env, cwd=tree)
    if proc.returncode != 0:
        sys.exit(f"build with {tree} failed:\n{proc.stderr[-2000:]}")
    import json
    return json.loads(proc.stdout.strip().splitlines()[-1])["drawing"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev", help="the earlier revision (a commit, tag or branch)")
    ap.add_argument("--rounds", type=int, default=3, help="old/new pairs per part")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        old = work / "old"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(old), args.rev], check=True, capture_output=True)
        try:
            print(f"drawing stage, s: {args.rev} (old) against this checkout (new), {args.rounds} interleaved pairs a part\n")
            print(f"{'part':<12} {'old min':>8} {'old med':>8} {'new min':>8} {'new med':>8}")
            for name in NIST:
                spec = plain_spec(name, work)
                runs = {"old": [], "new": []}
                for _ in range(args.rounds):
                    runs["old"].append(drawing_s(old, spec, work / "out-old"))
                    runs["new"].append(drawing_s(REPO, spec, work / "out-new"))
                o, n = runs["old"], runs["new"]
                print(f"{name.split('_asme')[0]:<12} {min(o):>8.2f} {statistics.median(o):>8.2f} {min(n):>8.2f} {statistics.median(n):>8.2f}", flush=True)
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(old)], capture_output=True)


if __name__ == "__main__":
    main()

"""Benchmark: build the example and each NIST CTC part (DFM errors allowed, so that every
stage runs), and print wall time and peak memory per stage and for the whole run.

    python benchmarks/bench_build.py [--repeat N]

Each build runs in a fresh Python process, so start-up (`import cadquery`) and peak
memory are those a user sees. Peak memory is the process's peak resident set size
after each stage (it only grows). The NIST parts come from ../shared/realparts when
present, else tests/fixtures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "desk-lamp" / "techpack.yaml"
NIST = ["nist_ctc_01_asme1_ap203.stp", "nist_ctc_02_asme1_ap203.stp", "nist_ctc_03_asme1_ap203.stp",
        "nist_ctc_04_asme1_ap203.stp", "nist_ctc_05_asme1_ap203.stp"]

CHILD = textwrap.dedent(
    """
    import json, sys, time
    t0 = time.perf_counter()
    import cadquery
    t_import = time.perf_counter() - t0
    from techpack.build import build
    from techpack.report import Reporter, peak_rss_mb
    log = Reporter(0)
    result = build(sys.argv[1], sys.argv[2], log, allow_dfm_errors=True)
    print(json.dumps({
        "import_cadquery_s": t_import,
        "stages": [[s.name, s.seconds, s.peak_rss_mb] for s in log.stages],
        "total_s": time.perf_counter() - t0,
        "peak_rss_mb": peak_rss_mb(),
        "faces": [p.faces for p in result.parts],
    }))
    """
)


def nist_folder() -> Path:
    shared = REPO.parent / "shared" / "realparts"
    return shared if (shared / NIST[0]).exists() else REPO / "tests" / "fixtures"


def nist_spec(folder: Path, name: str, work: Path) -> Path:
    """A one-part spec around a NIST STEP file (copied, so the spec's repository holds it),
    bead blasted and anodised so that the finishing stage runs on it too."""
    d = work / name.split("_asme")[0]
    d.mkdir()
    (d / name).write_bytes((folder / name).read_bytes())
    number = name.split("_asme")[0].upper().replace("NIST_", "")
    (d / "techpack.yaml").write_text(
        "techpack: 1\n"
        f"product: {{number: {number}, name: NIST {number}, revision: A, owner: NIST, drawn_by: NIST, date: 2026-11-20, batch: 5}}\n"
        f"parts:\n  - {{number: {number}-1, name: Test part, model: {name}, material: 6061, process: cnc-milling, spares: '5%',\n"
        "     finish: [bead-blast, {anodise: {type: II, ral: 9005}}]}\n"
    )
    return d / "techpack.yaml"


def run_one(spec: Path, out: Path) -> dict:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, str(spec), str(out)], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"build of {spec} failed:\n{proc.stderr}")
    result = json.loads(proc.stdout)
    result["process_s"] = time.perf_counter() - start
    return result


STAGES = ("load", "parts", "parts:geometry", "parts:checks", "parts:step", "parts:drawing", "parts:finishing", "parts:picture", "parts:dxf", "parts:print",
          "assembly", "dfm", "workbook", "cover", "index", "package", "suppliers")
"""As build.py's Reporter names them: `parts` is the wall time of the workers' stage, `parts:x`
the time each worker spent on x, summed over the parts (CPU-bound, so on one core it is about
what `parts` would take with --jobs 1); a stage a spec does not have shows 0.00."""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per spec; the fastest is reported")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        specs = [("desk-lamp example", EXAMPLE)] + [(n.split("_asme")[0], nist_spec(nist_folder(), n, work)) for n in NIST]
        print(f"python {sys.version.split()[0]}, {args.repeat} runs each, fastest shown; times in s, memory = peak RSS in MB\n")
        header = (f"{'spec':<18} {'faces':>6} {'import cq':>9} " + " ".join(f"{name:>{max(len(name), 5)}}" for name in STAGES)
                  + f" {'techpack':>8} {'process':>8} {'peak MB':>8}")
        print(header)
        print("-" * len(header))
        for label, spec in specs:
            runs = [run_one(spec, work / "out") for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["process_s"])
            stages = {name: (secs, mb) for name, secs, mb in best["stages"]}
            own = sum(secs for name, (secs, _) in stages.items() if not name.startswith("parts:"))
            cols = " ".join(f"{stages.get(name, (0, 0))[0]:>{max(len(name), 5)}.2f}" for name in STAGES)
            print(f"{label:<18} {sum(best['faces']):>6} {best['import_cadquery_s']:>9.2f} {cols} {own:>8.2f} {best['process_s']:>8.2f} {best['peak_rss_mb']:>8.0f}")
        print("\ntechpack = sum of the main process's stages (parts:* are inside `parts`, in the workers); process = the whole command, start-up included.")
        print("techpack check = load + geometry + checks (it writes nothing).")
        print("Issue 9 budget: workbook + finishing under 0.5 s for the example.")


if __name__ == "__main__":
    main()

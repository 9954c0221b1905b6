"""Benchmark: the drawing stage alone on each NIST CTC part, its part model loaded once.

    python benchmarks/bench_drawing.py [--repeat N] [--keep DIR] [--profile PART]

Each part's spec is bench_build.py's (one part, cnc-milling, bead blasted and anodised);
the AP242 CTC-01 is drawn too. The part model is built once and the DFM checks run on it
once (untimed), as in a build, so the drawing finds what the checks already computed
(probe, tool access, engravings). Then `techpack.documents.drawing.draw_part` is timed
N times; before each run the model forgets whatever a drawing computed and cached on it
(its bores), so every run does the drawing stage's whole work. The median wall time is
shown, and the median CPU time (this process and the hidden-line removal's child
processes), steadier than wall time on a machine shared with other work.

--keep DIR writes each part's last drawing and characteristics JSON into DIR/<part>/.
--profile PART (e.g. nist_ctc_02) runs cProfile over one more drawing of that part and
prints the top functions by cumulative time (the hidden-line removal runs in child
processes, which the profile does not see inside).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import NIST, REPO, nist_folder, nist_spec  # noqa: E402

PARTS = NIST + ["nist_ctc_01_asme1_ap242.stp"]


def label(name: str) -> str:
    return name.split("_asme")[0] + (" ap242" if "ap242" in name else "")


def prepared(spec: Path):
    """(loaded spec, part model) after the geometry and checks stages, and the model's cached state then."""
    from techpack.checks.run import run_checks
    from techpack.geometry import build_models, build_parts
    from techpack.spec import load_spec

    loaded = load_spec(spec)
    models = build_models(loaded, build_parts(loaded))
    run_checks(loaded, models)
    model = models[0]
    return loaded, model, dict(model.__dict__)


def cpu_s() -> float:
    """CPU seconds of this process and its waited-for children so far."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def draw_once(loaded, model, state: dict, folder: Path) -> tuple[float, float, list[str]]:
    """Wall and CPU seconds of one draw_part (the model reset to its state after the checks), and its lint problems."""
    from techpack.checks import Report
    from techpack.context import BuildContext
    from techpack.documents.drawing import draw_part
    from techpack.documents import views
    from techpack.report import Reporter

    model.__dict__.clear()
    model.__dict__.update(state)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    ctx = BuildContext(loaded=loaded, folder=folder, date=dt.date(2026, 11, 20), git=None, log=Reporter(0), report=Report([], {}))
    start, cpu = time.perf_counter(), cpu_s()
    _, problems = draw_part(ctx, model)
    wall = time.perf_counter() - start
    getattr(views, "_reap", lambda block: None)(block=True)  # children let go unwaited for: their CPU time counts once reaped
    return wall, cpu_s() - cpu, problems


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="timed drawings per part; the median is reported")
    ap.add_argument("--keep", type=Path, help="write each part's last drawing and characteristics here")
    ap.add_argument("--profile", help="cProfile one more drawing of this part (e.g. nist_ctc_02) and print the top functions")
    ap.add_argument("--parts", nargs="*", help="only these parts (e.g. nist_ctc_02 'nist_ctc_01 ap242')")
    args = ap.parse_args()
    import cadquery  # noqa: F401 - start-up, outside every timing

    folder = nist_folder()
    print(f"python {sys.version.split()[0]}, {args.repeat} drawings each: median wall time (min, max), median CPU time; in s\n")
    header = f"{'part':<18} {'faces':>6} {'median':>7} {'min':>7} {'max':>7} {'cpu':>7}  problems"
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in PARTS:
            if args.parts and label(name) not in args.parts:
                continue
            source = folder if (folder / name).exists() else REPO / "tests" / "fixtures"
            where = work / label(name).replace(" ", "_")
            where.mkdir()
            loaded, model, state = prepared(nist_spec(source, name, where))
            out = where / "out"
            runs = [draw_once(loaded, model, state, out) for _ in range(args.repeat)]
            times = [t for t, _, _ in runs]
            cpu = statistics.median(c for _, c, _ in runs)
            print(f"{label(name):<18} {model.faces:>6} {statistics.median(times):>7.2f} {min(times):>7.2f} {max(times):>7.2f} {cpu:>7.2f}  "
                  f"{len(runs[-1][2])}", flush=True)
            if args.keep:
                keep = args.keep / label(name).replace(" ", "_")
                shutil.rmtree(keep, ignore_errors=True)
                shutil.copytree(out / "drawings", keep)
            if args.profile and args.profile == label(name):
                profile = cProfile.Profile()
                profile.enable()
                draw_once(loaded, model, state, out)
                profile.disable()
                pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()

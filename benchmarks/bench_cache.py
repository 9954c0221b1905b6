"""The build cache against a cold build, on the bundled example (issue 14's goals).

Copies the example into a temporary folder, then times `techpack build` in a fresh process
(start-up included, as CI waits for it), each with its output read to the end as a CI step
does, in a git repository of the example: a cold build with an empty cache; an unchanged
rebuild (the package from the cache: byte-identical, and CadQuery never imported); a build
of another commit that changes no input (the parts from the cache, the documents about the
whole order written again: they print the commit; byte-identical to a --no-cache build of
that commit, and CadQuery never imported); a rebuild after committing a change to
one part's parameter (that part alone built again); and, for reference, --no-cache.
Prints each time, its ratio to the cold build and what the rebuilds did.
Run: python benchmarks/bench_cache.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "desk-lamp"


def build(spec: Path, out: Path, cache: Path, *extra: str) -> tuple[float, str]:
    env = {**os.environ, "TECHPACK_CACHE_DIR": str(cache)}
    cmd = [sys.executable, "-X", "importtime", "-m", "techpack", "build", str(spec), "-o", str(out), "-v", *extra]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)  # waits for every process holding its output
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"build failed:\n{proc.stderr[-3000:]}")
    return took, proc.stderr


def git(folder: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@b", "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@b"}
    subprocess.run(["git", "-C", str(folder), *args], check=True, env=env)


def zips(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("*.zip"))}


def rebuilt(log: str) -> list[str]:
    return re.findall(r"^\[\d+/\d+\] (\S+) .*\(models/", log, re.M)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs of each case; the fastest is shown")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        best: dict[str, tuple[float, str]] = {}
        for run in range(args.repeat):
            design = tmp / f"design{run}"
            shutil.copytree(EXAMPLE, design)
            git(design, "init", "-q")
            git(design, "add", "-A")
            git(design, "commit", "-q", "-m", "the example")
            spec = design / "techpack.yaml"
            cache = tmp / f"cache{run}"
            cases = {}
            cases["cold"] = build(spec, tmp / f"cold{run}", cache)
            cases["unchanged"] = build(spec, tmp / f"warm{run}", cache)
            assert zips(tmp / f"warm{run}") == zips(tmp / f"cold{run}"), "the cached package differs from the cold one"
            (design / "NOTES.txt").write_text("a commit that changes no input\n")
            git(design, "add", "-A")
            git(design, "commit", "-q", "-m", "notes")
            cases["another commit"] = build(spec, tmp / f"commit{run}", cache)
            build(spec, tmp / f"commitnc{run}", tmp / f"unused{run}", "--no-cache")
            assert zips(tmp / f"commit{run}") == zips(tmp / f"commitnc{run}"), "the package of the parts from the cache differs from an uncached one"
            text = spec.read_text()
            changed = re.sub(r"(number: DL2-201.*?params: \{[^}]*?)(\d+(\.\d+)?)", lambda m: m[1] + f"{float(m[2]) + 0.1:g}", text, count=1, flags=re.S)
            assert changed != text, "no parameter of DL2-201 to change"
            spec.write_text(changed)
            git(design, "commit", "-q", "-am", "a parameter")
            cases["one parameter"] = build(spec, tmp / f"param{run}", cache)
            cases["--no-cache"] = build(spec, tmp / f"nocache{run}", tmp / f"unused{run}", "--no-cache")
            assert zips(tmp / f"param{run}") == zips(tmp / f"nocache{run}"), "the partly cached package differs from an uncached one"
            for name, got in cases.items():
                if name not in best or got[0] < best[name][0]:
                    best[name] = got
        cold = best["cold"][0]
        for name, (took, log) in best.items():
            cadquery = bool(re.search(r"\| +cadquery$", log, re.M))
            did = "package from the cache" if "the package is the cached one" in log else f"built {', '.join(rebuilt(log)) or 'no part'}"
            rows.append(f"{name:<14} {took:>6.2f} {took / cold:>6.2f}   {'yes' if cadquery else 'no':<8} {did}")
    print(f"{'build':<14} {'s':>6} {'/cold':>6}   {'CadQuery':<8} what it did")
    print("\n".join(rows))
    print("\nWall time of `techpack build` on the example in a fresh process, its output read to the end (the fastest of"
          f"\n{args.repeat}); CadQuery: whether any process of the build imported it. The unchanged rebuild's zips are"
          "\nbyte-identical to the cold build's, and another commit's and the one-parameter rebuild's to a --no-cache"
          "\nbuild's of the same commit (checked).")


if __name__ == "__main__":
    main()

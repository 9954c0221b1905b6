"""The command line: thin commands that call one library function and map the result to an exit code.

Exit codes: 0 ok, 1 DFM findings above the allowed severity, 2 input or spec error,
3 a bug in techpack.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import threading
import json
import sys
import time
import traceback
from pathlib import Path

import click

from techpack import __version__
from techpack.errors import EXIT_BUG, EXIT_FINDINGS, EXIT_INPUT, FindingsError, InputError, Problem, Where
from techpack.limits import check_environment
from techpack.safety import check_output_folder, output_problem
from techpack.standards import StandardsError
from techpack.report import Reporter


OUTPUT_OPTIONS = ("out_dir", "output", "pictures_dir", "directory")  # the commands' parameters that name where they write


class PathArg(click.Path):
    """click.Path, with a NUL in the path refused as a bad option (click's own check would
    crash on it): "cannot write 'o\\x00ut': a path cannot hold a NUL character"."""

    def __init__(self, verb: str, **kwargs):
        super().__init__(**kwargs)
        self.verb = verb

    def convert(self, value, param, ctx):
        if "\0" in os.fsdecode(value) if isinstance(value, (str, bytes, os.PathLike)) else False:
            self.fail(f"cannot {self.verb} {os.fsdecode(value)!r}: a path cannot hold a NUL character", param, ctx)
        return super().convert(value, param, ctx)


def _problem_json(p: Problem) -> dict:
    w = p.where if isinstance(p.where, Where) else Where(str(p.where))
    return {"file": w.file, "line": w.line or None, "column": w.col or None, "key": p.key, "message": p.message, "detail": p.detail}


class Terminated(BaseException):
    """SIGTERM: stop as on Ctrl-C (the workers killed, nothing written), exit 143."""


def _terminate(signum, frame):
    raise Terminated


def handle_errors(fn):
    """Input errors: the problems and exit 2, no traceback. Anything else: a bug, exit 3."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _terminate) if main_thread else None  # SIGTERM stops a build as Ctrl-C does
        try:
            try:
                return fn(*args, **kwargs)
            except StandardsError as exc:
                raise InputError(Problem("", "", str(exc))) from None
            except OSError as exc:  # writing what the user asked for: a full disk, a read-only folder, a file in the way
                problem = output_problem(exc, [kwargs.get(k) for k in OUTPUT_OPTIONS])
                if problem is None:
                    raise  # not about the outputs the user named: a bug, and said as one below
                raise InputError(problem) from None
        except InputError as exc:
            if kwargs.get("fmt") == "json":
                click.echo(json.dumps({"ok": False, "problems": [_problem_json(p) for p in exc.problems]}, indent=2))
            elif kwargs.get("fmt") in ("github", "sarif"):  # check's CI formats, on stdout (where the runner reads commands)
                from techpack import annotations

                if kwargs["fmt"] == "github":
                    click.echo("\n".join(annotations.github_problems(exc.problems, annotations.error_kind(exc))))
                else:
                    click.echo(json.dumps(annotations.sarif_problems(exc, EXIT_INPUT), indent=2, ensure_ascii=False))
            for p in exc.problems:
                click.secho("error: ", fg="red", bold=True, err=True, nl=False)
                click.echo(str(p), err=True)
            n = len(exc.problems)
            writes = click.get_current_context().command.name == "build"
            click.echo(f"{n} problem{'s' if n != 1 else ''}{'; nothing was written' if writes else ''}.", err=True)
            sys.exit(EXIT_INPUT)
        except FindingsError as exc:
            for f in exc.findings:
                click.secho("dfm error: ", fg="red", bold=True, err=True, nl=False)
                click.echo(f"{f.id}: {f.message}", err=True)
            click.echo(
                f"{len(exc.findings)} unwaived DFM error{'s' if len(exc.findings) != 1 else ''}; nothing was written. "
                "Fix the model, waive the finding in the spec (parts[].checks.waive) with a reason, "
                "or build anyway with --allow-dfm-errors.",
                err=True,
            )
            sys.exit(EXIT_FINDINGS)
        except KeyboardInterrupt:
            click.echo("interrupted; nothing was written.", err=True)
            sys.exit(130)
        except Terminated:
            click.echo("terminated; nothing was written.", err=True)
            sys.exit(143)
        except click.exceptions.Exit:
            raise
        except Exception:
            traceback.print_exc()
            click.echo(
                f"\nThis is a bug in techpack {__version__}, not in your spec. Please report it with the lines above.",
                err=True,
            )
            sys.exit(EXIT_BUG)
        finally:
            if main_thread:
                signal.signal(signal.SIGTERM, previous)

    return wrapper


def _workers(jobs: int | None, log, start: bool = True):
    """The build's worker processes, started (unless not `start`: build starts them once it knows
    its package is not in the cache) before CadQuery is imported here: the process's shared pool,
    workers.borrowed, killed if the command stops half-way, else closed at exit."""
    from techpack.workers import borrowed

    return borrowed(jobs, log, start=start)


def _verbosity(quiet: bool, verbose: bool) -> int:
    return 0 if quiet else 2 if verbose else 1


_no_cache = click.option("--no-cache", is_flag=True, help="Build every part again; neither read nor write the cache (TECHPACK_CACHE_DIR, else the platform's cache folder).")
_quiet = click.option("-q", "--quiet", is_flag=True, help="Print only errors and the result.")
_verbose = click.option("-v", "--verbose", is_flag=True, help="Also print each stage's time and memory.")
_spec_arg = click.argument("spec", type=PathArg("read", dir_okay=False, path_type=Path))
_jobs = click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
                     help="Worker processes building the parts (default: one per core). The package does not depend on N.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="techpack")
def main():
    """Make a supplier's technical package from a techpack.yaml spec and its models."""


@main.command()
@_spec_arg
@click.option("-o", "--out", "out_dir", type=PathArg("write", file_okay=False, path_type=Path), default=Path("out"),
              show_default=True, help="Folder to write NUMBER_revR.zip into.")
@click.option("--allow-dfm-errors", is_flag=True, help="Package even with unwaived DFM errors (they stay in the report).")
@click.option("--suppliers/--no-suppliers", default=True, show_default=True,
              help="Also write one package per supplier (NUMBER_revR_KEY.zip) with only their parts.")
@click.option("--supplier", "only", metavar="KEY", help="Write the package of this supplier (a key of `suppliers:`) only.")
@click.option("--release", is_flag=True, help="Refuse to build unless the spec and every model are committed to git.")
@click.option("--since", metavar="REV", help="Add a CHANGES page (changes.html) with what changed since this git revision, to every package.")
@_jobs
@_no_cache
@_quiet
@_verbose
@handle_errors
def build(spec: Path, out_dir: Path, allow_dfm_errors: bool, suppliers: bool, only: str | None, release: bool, since: str | None,
          jobs: int | None, no_cache: bool, quiet: bool, verbose: bool):
    """Build the package for SPEC into OUT/NUMBER_revR.zip, and one per supplier."""
    check_environment()  # a bad TECHPACK_MODEL_TIMEOUT: refused before anything runs
    check_output_folder(out_dir)  # a file in the way, a NUL, a read-only folder: refused before anything is built
    start = time.perf_counter()
    log = Reporter(_verbosity(quiet, verbose))
    with _workers(jobs, log, start=False) as pool:  # started by build when a part is to be built
        from techpack.build import build as run_build
        from techpack.cache import Cache
        from techpack.words import plural

        result = run_build(spec, out_dir, log, allow_dfm_errors=allow_dfm_errors, suppliers=only or suppliers, release=release,
                           since=since, pool=pool, cache=None if no_cache else Cache())
    total = time.perf_counter() - start
    size = result.zip_path.stat().st_size
    n = result.summary["parts"]
    c = result.summary["counts"]
    if not quiet:
        click.echo(f"DFM: {plural(c['error'], 'error')}, {plural(c['warning'], 'warning')}, {c['info']} info, {c['waived']} waived (see dfm/dfm-report.pdf)", err=True)
    for path in result.supplier_zips:
        click.echo(f"wrote {path} ({path.stat().st_size / 1024:.0f} kB)")
    click.echo(f"wrote {result.zip_path} ({n} part{'s' if n != 1 else ''}, {len(result.files)} files, {size / 1024:.0f} kB) in {total:.1f} s")


@main.command()
@_spec_arg
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "sarif"]), default="text", show_default=True,
              help="json: the findings for CI, on standard output; github: GitHub Actions annotations on the spec's lines "
                   "(run it from the repository's root); sarif: a SARIF 2.1.0 log for code scanning.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default="error", show_default=True,
              help="Exit 1 when an unwaived finding is at or above this severity.")
@_jobs
@_no_cache
@_quiet
@handle_errors
def check(spec: Path, fmt: str, fail_on: str, jobs: int | None, no_cache: bool, quiet: bool):
    """Validate SPEC, build the parts and run the DFM checks; write nothing."""
    check_environment()
    log = Reporter(0 if quiet or fmt in ("json", "sarif") else 1)
    with _workers(jobs, log) as pool:
        from techpack.build import check as run_check
        from techpack.checks.table import format_report

        from techpack.cache import Cache

        result = run_check(spec, log, pool=pool, cache=None if no_cache else Cache())
    report = result.report
    code = EXIT_FINDINGS if report.failing(fail_on) else 0
    if fmt == "json":
        click.echo(json.dumps({"problems": [], **report.to_dict(fail_on)}, indent=2, ensure_ascii=False))
    elif fmt == "sarif":
        from techpack import annotations

        click.echo(json.dumps(annotations.sarif_findings(result.loaded, report, code), indent=2, ensure_ascii=False))
    else:
        spec = result.loaded.spec
        titles = {p.number: f"{p.number} {p.name} ({p.process}, {p.material})" for p in spec.parts}
        if spec.assembly:
            titles[spec.assembly.number] = f"{spec.assembly.number} {spec.assembly.name} (assembly)"
        text = format_report(report, titles, fail_on)
        if fmt == "github":  # an annotation per unwaived finding, then the verdict line
            from techpack import annotations

            for line in annotations.github_findings(result.loaded, report):
                click.echo(line)
        click.echo(text.splitlines()[-1] if quiet or fmt == "github" else text)  # quiet: the verdict only
    if code:
        sys.exit(code)


@main.command()
@click.argument("directory", type=PathArg("write", file_okay=False, path_type=Path), default=Path("."))
@handle_errors
def init(directory: Path):
    """Write a starter spec and one CadQuery model into DIRECTORY (default: here)."""
    from techpack.starter import write_starter

    written = write_starter(directory)
    for p in written:
        click.echo(f"wrote {p}")
    click.echo(f"next: techpack build {written[0]} -o out")


@main.command()
@click.option("-o", "--output", type=PathArg("write", dir_okay=False, path_type=Path), help="Write to this file instead of standard output.")
@handle_errors
def schema(output: Path | None):
    """Print the JSON Schema of the spec, for editors (yaml-language-server)."""
    from techpack.spec.schema import schema_json

    text = schema_json()
    if output:
        staged = output.with_name(f".{output.name}.tmp")  # a full disk leaves no half-written schema
        try:
            staged.write_text(text, encoding="utf-8")
            os.replace(staged, output)
        except OSError as exc:
            with contextlib.suppress(OSError):
                staged.unlink(missing_ok=True)
            if exc.filename is None:
                raise
            raise OSError(exc.errno, exc.strerror, os.fspath(output)) from None  # said of the file the user named
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


from techpack import cli_catalog  # noqa: E402  (registers the catalog commands on main)

cli_catalog.register(main, handle_errors)

from techpack import cli_diff  # noqa: E402  (registers `techpack diff` on main)

cli_diff.register(main, handle_errors)

from techpack import cli_list  # noqa: E402  (registers `techpack list` on main)

cli_list.register(main, handle_errors)


def run() -> None:
    """The `techpack` command (and `python -m techpack`): main, then leave without tearing down
    CadQuery and OCCT (half a second after a build, for nothing): the exit handlers run (the
    workers are closed), the output is flushed, and the process ends with main's exit code."""
    import atexit

    try:
        main(prog_name="techpack")
        code = 0
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a full disk or a closed pipe: the output is not whole
            code = code or 120  # as Python itself exits when it cannot flush
    os._exit(code or 0)

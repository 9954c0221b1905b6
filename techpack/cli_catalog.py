"""Catalog and standards commands: look up a fit, a general tolerance, a sampling plan,
or list the materials, processes and finishes. Each takes --json (numbers in mm, or in
the unit its key names)."""

from __future__ import annotations

import json

import click

from techpack.catalog import builtin
from techpack.standards import fit as iso_fit
from techpack.standards import parse_general_tolerance, sampling_plan, tolerance
from techpack.words import deviation

_json = click.option("--json", "as_json", is_flag=True, help="Machine-readable output (numbers in mm unless the key names a unit).")


def _dump(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _mm(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") if round(value * 1e4) % 10 else f"{value:.3f}"


def general_lookup(designation: str, size: float) -> dict:
    """What the general tolerance allows for a size (mm): linear, broken edge, angle, and ISO 2768-2."""
    g = parse_general_tolerance(designation)
    out = {**g.to_dict(), "size_mm": size, "linear_plus_minus_mm": g.linear(size)}
    for key, fn in (("broken_edge_plus_minus_mm", g.broken_edge), ("angular", lambda s: g.angular(s).to_dict())):
        try:
            out[key] = fn(size)
        except ValueError:
            out[key] = None
    if g.geometric_class:
        for key, fn in (
            ("straightness_flatness_mm", g.flatness),
            ("perpendicularity_mm", g.perpendicularity),
            ("symmetry_mm", g.symmetry),
        ):
            try:
                out[key] = fn(size)
            except ValueError:
                out[key] = None
        out["runout_mm"] = g.runout()
    return out


def register(main: click.Group, handle_errors) -> None:
    @main.command()
    @click.argument("designation")
    @_json
    @handle_errors
    def fit(designation: str, as_json: bool):
        """ISO 286 limits of a fit ("25 H7/p6") or of one tolerance class ("Ø10 g6")."""
        if "/" in designation:
            f = iso_fit(designation)
            if as_json:
                return _dump(f.to_dict())
            click.echo(f"{f.designation}: {f.kind} fit")
            for t in (f.hole, f.shaft):
                click.echo(
                    f"  {t.kind:<5} {t.tolerance_class:<4} {deviation(t.upper_mm):>8} / {deviation(t.lower_mm):<8} "
                    f"{_mm(t.min_mm)} .. {_mm(t.max_mm)} mm  ({t.it_grade} = {t.it_um:g} µm)"
                )
            click.echo(f"  clearance  max {deviation(f.max_clearance_mm)} mm, min {deviation(f.min_clearance_mm)} mm")
        else:
            t = tolerance(designation)
            if as_json:
                return _dump(t.to_dict())
            click.echo(
                f"{t.designation} ({t.kind}): {deviation(t.upper_mm)} / {deviation(t.lower_mm)} mm, "
                f"{_mm(t.min_mm)} .. {_mm(t.max_mm)} mm ({t.it_grade} = {t.it_um:g} µm)"
            )

    @main.command()
    @click.argument("designation")
    @click.argument("size", type=float)
    @_json
    @handle_errors
    def general(designation: str, size: float, as_json: bool):
        """ISO 2768 general tolerance for a SIZE in mm, e.g. techpack general "ISO 2768-mK" 45."""
        out = general_lookup(designation, size)
        if as_json:
            return _dump(out)
        click.echo(f"{out['designation']}, {size:g} mm:")
        click.echo(f"  linear size            ±{out['linear_plus_minus_mm']:g} mm")
        if out["broken_edge_plus_minus_mm"] is not None:
            click.echo(f"  radius or chamfer      ±{out['broken_edge_plus_minus_mm']:g} mm")
        if out["angular"] is not None:
            click.echo(f"  angle, shorter leg     {out['angular']['text']}")
        if "runout_mm" in out:
            for key, label in (("straightness_flatness_mm", "straightness, flatness"), ("perpendicularity_mm", "perpendicularity"), ("symmetry_mm", "symmetry")):
                if out[key] is not None:
                    click.echo(f"  {label:<22} {out[key]:g} mm")
            click.echo(f"  circular run-out       {out['runout_mm']:g} mm")

    @main.command()
    @click.option("--lot", type=int, required=True, help="Lot (batch) size, pieces.")
    @click.option("--aql", type=float, required=True, help="Acceptance quality limit, % nonconforming.")
    @click.option("--level", default="II", show_default=True, help="Inspection level: I, II, III or S-1 .. S-4.")
    @_json
    @handle_errors
    def sampling(lot: int, aql: float, level: str, as_json: bool):
        """ISO 2859-1 single sampling plan, normal inspection."""
        p = sampling_plan(lot=lot, aql=aql, level=level)
        if as_json:
            return _dump(p.to_dict())
        what = "inspect every piece (100 %)" if p.full_inspection else f"inspect {p.sample_size} of {lot}"
        click.echo(f"lot {lot}, AQL {aql:g}, level {level}: code letter {p.code_letter}; {what}")
        click.echo(f"  accept the lot with at most {p.accept} nonconforming; reject it with {p.reject} or more")
        if p.plan_letter != p.code_letter:
            click.echo(f"  (the table's arrow leads from letter {p.code_letter} to the plan of letter {p.plan_letter})")

    @main.command()
    @_json
    def materials(as_json: bool):
        """List the catalog's materials: names you may use, density, processes."""
        mats = builtin().materials.values()
        if as_json:
            return _dump([m.model_dump(mode="json") for m in mats])
        for m in mats:
            click.echo(f"{m.title}  ({m.family}, {m.density_g_cm3:.2f} g/cm3)")
            click.echo(f"    names: {', '.join(m.names)}")
            click.echo(f"    processes: {', '.join(m.processes)}")

    @main.command()
    @_json
    def processes(as_json: bool):
        """List the catalog's processes with their typical Ra, general tolerance and DFM limits."""
        procs = builtin().processes.values()
        if as_json:
            return _dump([p.model_dump(mode="json") for p in procs])
        for p in procs:
            click.echo(f"{p.key:<20} {p.title}; Ra {p.typical_ra_um:g} µm; {p.general_tolerance}")
            for r in p.rules:
                levels = ", ".join(f"{lvl} {getattr(r, lvl):g}" for lvl in ("info", "warn", "error") if getattr(r, lvl) is not None)
                family = f" ({r.family})" if r.family else ""
                click.echo(f"    {r.rule}{family}: {r.limit} {r.unit}; {levels}")

    @main.command()
    @_json
    def finishes(as_json: bool):
        """List the catalog's finishes: standard, thickness, what they suit, parameters."""
        catalog = builtin()
        if as_json:
            return _dump([f.model_dump(mode="json") for f in catalog.finishes.values()])
        for f in catalog.finishes.values():
            suits = [m.key for m in catalog.materials.values() if f.suits(m)]
            if f.variants:
                film = "; ".join(f"{k}: {v.thickness_um:g} µm" for k, v in f.variants.items())
            else:
                film = f"{f.thickness_um:g} µm" if f.thickness_um is not None else "-"
            click.echo(f"{f.key:<20} {f.title}; {film}; dimensions apply {f.dimensions}")
            click.echo(f"    suits: {', '.join(suits)}")
            if f.params:
                click.echo(f"    params: {', '.join(f.params)}")

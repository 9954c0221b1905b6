"""A part's sheet planned before anything is written on it: which views (principal,
isometric, auxiliary, sections), their hidden-line projections, the sheet size and scale,
where each view lies, and the notes (their height decides the layout)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from techpack.context import BuildContext
from techpack.documents.display import TEXT, Box, Display, grown
from techpack.documents.layout import (
    GAP, ISO_SHRINK, SCALES, VIEW_LETTERS, Placed, auxiliary_views, choose_layout, drawn_solid, model_frame, scale_text, spots, turn, turned_features, view_for,
    view_names,
)
from techpack.documents.room import Room
from techpack.documents.callouts import hole_groups, hole_text
from techpack.documents.section import removed_view, spans, stack_section
from techpack.documents.section import plan as plan_section
from techpack.documents.sheet import MM, Sheet, TitleBlock, draw_sheet, layout
from techpack.documents.detail import detail_view
from techpack.documents.views import View, _basis, project_views
from techpack.finish_effects import masked_surfaces
from techpack.geometry import BuiltPart
from techpack.geometry.model import PartModel
from techpack.geometry.part import mm_per_unit
from techpack.inspection import fmt
from techpack.naming import part_stem

NOTE_TEXT = TEXT  # lettering of the notes: 2.5 mm capitals
NOTE_PITCH = 5.0  # mm between note lines


DETAIL_MM = 50.0  # a detail view's circle is at most this across on paper


@dataclass(frozen=True)
class Detail:
    """A detail view of a small region of a principal view (view coordinates, mm)."""

    letter: str
    parent: str  # the view it enlarges
    view: View  # the region, clipped (detail.py)
    centre: tuple[float, float]
    radius: float
    scale: float
    what: str  # the feature it shows, for the title's reader


def _details(grooves, views, turn_if, s: float, letters: list[str]) -> list[Detail]:
    """One detail a kind of groove (alike grooves, one detail), on the view that sees it from
    the side, round where it cuts the outline, at the largest ISO 5455 scale that keeps the
    circle within DETAIL_MM; none when no letter or view is left."""
    out, done = [], set()
    for g in grooves:
        key = (round(g.diameter_mm, 3), round(g.width_mm or 0, 3))
        if key in done or len(out) == len(letters):
            continue
        axis = np.array(turn_if(g.axis), dtype=float)
        name = next((n for n in ("front", "top", "left", "right") if n in views and abs(float(np.dot(axis, views[n].direction))) < 1e-6), None)
        if name is None:
            continue
        view = views[name]
        u, v = view.project(turn_if(g.centre))
        shaft = g.diameter_mm / 2 + (g.depth_mm or 0.0)
        right, _, _ = _basis(view.direction, view.up)
        centre = (u, v + shaft) if abs(float(np.dot(axis, right))) > 0.5 else (u + shaft, v)  # on the outline above (or right of) the axis
        radius = max(3.0 * (g.width_mm or 1.0), 4.0 * (g.depth_mm or 0.5), 2.0)
        scale = next((k for k in SCALES if 2 * radius * k <= DETAIL_MM), s)
        if scale <= s:
            continue
        done.add(key)
        out.append(Detail(letters[len(out)], name, detail_view(view, centre, radius), centre, radius, scale, f"groove Ø{fmt(g.diameter_mm)}"))
    return out


@dataclass
class Plan:
    """Everything about a part's sheet that is decided before annotating it."""

    model: PartModel
    built: BuiltPart  # the part as drawn (a turned part laid down along x)
    features: Any  # the model's features as drawn
    turn_if: Callable  # a point or direction of the model, as drawn
    turn_matrix: np.ndarray  # rows: the model's axes as drawn
    laid_down: bool
    names: list[str]  # the principal views
    turned: bool  # a turned part: front and end views with its axis
    cut: Any  # the section (section.Section) of a principal view, or None
    stack_cut: Any  # a bore stack's removed section, or None
    stack_view: View | None
    aux: dict[str, tuple]  # auxiliary view name -> (direction, up)
    views: dict[str, View]
    iso: View
    sheet: Sheet
    scale: float
    placed: dict[str, Placed]
    iso_placed: Placed
    aux_placed: dict[str, Placed]
    furniture: list[Box]  # the frame's and title block's boxes
    title: TitleBlock
    notes: list[str]  # wrapped note lines
    corner: np.ndarray  # the hole table's origin: the model's lower left corner (mm)
    stem: str
    details: list[Detail] = field(default_factory=list)

    @property
    def geometry(self) -> list[Box]:
        return [p.box for p in self.placed.values()] + [self.iso_placed.box] + [p.box for p in self.aux_placed.values()]


def _sheet_note(part, features, units: str) -> str | None:
    """Sheet or plate thickness and the bends' inside radii, which no view dimensions."""
    if features.bends:
        t = features.bends[0].thickness_mm
        radii = sorted({round(b.inner_radius_mm, 2) for b in features.bends})
        bends = f"{len(features.bends)} bend{'s' * (len(features.bends) > 1)}, inside radius " + ", ".join(f"R{fmt(r)}" for r in radii)
        return f"Sheet thickness {fmt(t)} mm; {bends}."
    if part.thickness:
        return f"Plate thickness {fmt(part.thickness * mm_per_unit(units))} mm."
    return None


def _notes(ctx: BuildContext, part, stem: str, oblique: list[str], exact: bool, font: str, width: float, sheet: str | None = None,
           critical: bool = False, masked: tuple[str, ...] = ()) -> list[str]:
    """The numbered notes, wrapped to `width` mm; continuation lines indented."""
    loaded = ctx.loaded
    general = loaded.general_tolerance(part)
    lines = [
        f"1. General tolerances {general.designation}; dimensions in mm.",
        f"2. Surface roughness {loaded.surface(part).ra_um:g} µm Ra unless stated otherwise.",
        "3. Break sharp edges 0.2-0.5 mm, deburr (ISO 13715 -0.2/-0.5).",
    ]
    if sheet:
        lines.append(f"{len(lines) + 1}. {sheet}")
    for f in loaded.finishes(part):
        growth = f.growth_per_surface_um or 0
        when = "after" if f.finish.dimensions == "after" else "before"
        lines.append(f"{len(lines) + 1}. Finish: {f.describe()}; dimensions apply {when} finishing"
                     + (f" (+{growth:g} µm per surface)." if growth else "."))
    if masked and loaded.finishes(part):
        lines.append(f"{len(lines) + 1}. MASK – NO FINISH: {'; '.join(masked)} (the finishing instructions show where).")
    lines.append(f"{len(lines) + 1}. 3D model {stem}.step (revision {ctx.spec.product.revision}) accompanies this drawing and defines "
                 "all geometry not dimensioned here; tolerances and notes on this drawing govern.")
    if critical:
        lines.append(f"{len(lines) + 1}. Double-ringed balloons: critical characteristics, inspected on every part.")
    for text in oblique:
        lines.append(f"{len(lines) + 1}. Hole at an angle{text}.")
    if not exact:
        lines.append(f"{len(lines) + 1}. Views drawn with polygonal hidden-line removal (the exact one exceeded its time budget).")
    wrapped = []
    for text in lines:
        indent, line = "", ""
        for word in text.split():
            trial = f"{line} {word}" if line else word
            if line and stringWidth(indent + trial, font, NOTE_TEXT) > width:
                wrapped.append(indent + line)
                indent, line = "    ", word
            else:
                line = trial
        wrapped.append(indent + line)
    return wrapped


def plan_sheet(ctx: BuildContext, model: PartModel, title: TitleBlock, font: str) -> Plan:
    """The views of the part, projected, and laid out on the smallest sheet that reads well."""
    product, part = ctx.spec.product, model.spec
    catalog = ctx.loaded.catalog
    solid = drawn_solid(model)
    laid_down = solid is not model.solid
    built = model if not laid_down else BuiltPart(spec=model.spec, solid=solid, source=model.source, volume_mm3=model.volume_mm3, faces=model.faces)
    features = turned_features(model.features) if laid_down else model.features
    turn_if = turn if laid_down else (lambda v: v)
    turn_matrix = np.array([turn_if(v) for v in np.eye(3)])
    names, place = view_names(built, product.projection, features.holes)
    thin = part.thickness is not None or catalog.processes[part.process].family == "forming"
    letters = [c for c in VIEW_LETTERS if c not in {f.datum for f in model.called}]  # sections and views: not a datum's letter
    cut = None  # one section at most: the front view cut open, else the side view
    turned = names[1] != "top"
    bored = any(abs(abs(h.direction[0]) - 1) < 1e-6 for h in features.holes)  # a turned part with a bore along its axis
    for name in [n for n in names if n != "top"] if bored or not turned else []:  # a solid shaft is not cut lengthwise
        cut = plan_section(solid, built.box_mm, built.volume_mm3, features, view=name, letter=letters[0], thin=thin)
        if cut:
            break
    aux = auxiliary_views(features, names, letters[1:] if cut else letters)  # holes no principal view sees end-on
    others = {name: (solid, frame) for name, frame in aux.items()}
    # a bore stack no section shows (a hollow part's walls, a bore of several steps): cut open in a view of its own
    free_letters = [c for c in letters if c != (cut.letter if cut else None) and c not in {n.split()[-1] for n in aux}]
    drawn_bores = [replace(b, entry=turn_if(b.entry), direction=turn_if(b.direction)) for b in model.bores]
    stack_cut = stack_section(solid, built.box_mm, drawn_bores, cut, [n for n in names if n != "top"] + (["top"] if "top" in names else []),
                              free_letters[0]) if free_letters else None
    stack_view = removed_view(stack_cut) if stack_cut and stack_cut.faces else None
    if cut is None:
        views = project_views(solid, names + ["iso"], others=others)
    else:
        views = project_views(solid, [n for n in names if n != cut.view] + ["iso"], others={cut.view: (cut.solid, cut.view)} | others)
        if not spans(views[cut.view], built.box_mm):  # the cut part's outline is not the whole part's
            views[cut.view] = project_views(solid, [cut.view])[cut.view]
            cut = None
    iso = views.pop("iso")
    aux_views = {name: views.pop(name) for name in aux}
    stem = part_stem(part, product)
    corner = np.array(model.box_mm[:3])  # the hole table's origin, for these too: the model's (the STEP's) frame
    masked = tuple(m.feature + (f" (balloon{'s' if len(m.balloons) > 1 else ''} {', '.join(map(str, m.balloons))})" if m.balloons else "")
                   for m in masked_surfaces(model))

    def notes_for(drawn_aux) -> list[str]:
        seen_in = lambda d: next((f" (view {n.split()[-1]})" for n, (a, _) in aux.items() if n in drawn_aux and abs(abs(float(np.dot(d, a))) - 1) < 1e-6), "")  # noqa: E731
        oblique = [f"{seen_in(g[0].direction)}: {hole_text(g, model.bore_of(g[0]))}, axis along ({', '.join(f'{c:.3f}'.rstrip('0').rstrip('.') for c in model_frame(g[0].direction, laid_down) + 0.0)}), entering at "
                   + "; ".join(f"({', '.join(fmt(c) for c in model_frame(h.entry, laid_down) - corner)})" for h in g) + " from the part's lower left corner (x, y, z min)"
                   for g in hole_groups(features.holes, model.selections, model.bore_of) if view_for(g[0].direction, names) is None]
        tb = layout("A4", title).title_block
        return _notes(ctx, part, stem, oblique, all(v.exact for v in views.values()) and iso.exact, font, tb[2] - tb[0] - 4,
                      _sheet_note(part, features, product.units), any(c.critical for c in model.characteristics), masked)

    wrapped = notes_for(set(aux))
    notes_height = NOTE_PITCH * len(wrapped) + 30  # and the general surface symbol above them
    chosen = choose_layout(views, place, iso, built.faces, sorted(built.bbox_mm)[1], notes_height, title)
    grooves = [f for f in model.forms if f.kind == "groove"]
    details: list[Detail] = []
    if grooves and chosen.size not in ("A4", "A3"):  # small features: A3 at a smaller scale and a detail of each, before a bigger sheet
        try:
            smaller = choose_layout(views, place, iso, built.faces, None, notes_height, title, sizes=("A4", "A3"))
        except ValueError:
            smaller = None
        if smaller is not None:
            details = _details(grooves, views, turn_if, smaller.scale, [c for c in free_letters if c != (stack_cut.letter if stack_cut else None)])
            chosen = smaller if details else chosen
    s = chosen.scale
    sheet = layout(chosen.size, title)
    vx0, vy0, vx1, vy1 = chosen.views  # the arrangement centred in its area
    ox, oy = vx0 + (vx1 - vx0 - chosen.extent[0]) / 2, vy0 + (vy1 - vy0 - chosen.extent[1]) / 2
    placed = {n: Placed(views[n], ox + chosen.pos[n][0], oy + chosen.pos[n][1], s) for n in names}
    ix0, iy0, ix1, iy1 = iso.bounds
    cx0, cy0, cx1, cy1 = chosen.iso
    iso_s = min(s * ISO_SHRINK, (cx1 - cx0 - GAP) / max(ix1 - ix0, 1e-9), (cy1 - cy0 - GAP) / max(iy1 - iy0, 1e-9))
    iso_placed = Placed(iso, (cx0 + cx1) / 2 - (ix0 + ix1) / 2 * iso_s, (cy0 + cy1) / 2 - (iy0 + iy1) / 2 * iso_s, iso_s)
    tx0, _, tx1, ty1 = sheet.title_block
    taken = [grown(p.box, GAP * 0.7) for p in placed.values()] + [grown(iso_placed.box, 5.0), (tx0, sheet.drawing_area[1], tx1, ty1 + notes_height)]
    room = Room(Display(), sheet.drawing_area, taken)
    aux_placed = {}
    for name, view in aux_views.items():  # where the principal views and the notes left room
        spot = room.find(spots(view, s, sheet.drawing_area), lambda p, _: room.free(p[0], gap=0.0))
        if spot:
            aux_placed[name] = Placed(*spot[1])
            room.avoid.append(grown(aux_placed[name].box, GAP * 0.7))
    if len(aux_placed) < len(aux):  # a view with no room: its holes' notes no longer point to it
        wrapped = notes_for(set(aux_placed))
    title = replace(title, scale=scale_text(s), size=chosen.size)
    furniture = draw_sheet(Canvas(io.BytesIO(), pagesize=(sheet.width * MM, sheet.height * MM)), sheet, title)  # where it will be
    return Plan(model=model, built=built, features=features, turn_if=turn_if, turn_matrix=turn_matrix, laid_down=laid_down, names=names,
                turned=turned, cut=cut, stack_cut=stack_cut, stack_view=stack_view, aux=aux, views=views, iso=iso, sheet=sheet, scale=s,
                placed=placed, iso_placed=iso_placed, aux_placed=aux_placed, furniture=furniture, title=title, notes=wrapped, corner=corner,
                stem=stem, details=details)

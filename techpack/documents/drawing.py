"""drawings/<part>_<slug>_rev<R>.pdf: an ISO drawing sheet per part, and
drawings/<part>_characteristics.json, the numbered characteristics for inspection.

Views from OCCT's hidden-line removal (documents/views.py; sections in section.py) laid
out on an ISO 5457 sheet with an ISO 7200 title block (layout.py, sheet.py); values from
the 3D model and the spec, never from projected edges (callouts.py, faces.py);
annotations placed so that no text overlaps text or a view (annotate.py, checked by a
lint). This module puts them together, part by part."""

from __future__ import annotations

import io
import json
import math
from dataclasses import replace

import numpy as np
from OCP.BRepAdaptor import BRepAdaptor_Surface
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from techpack import __version__
from techpack.context import BuildContext, Output
from techpack.documents.annotate import MM, NARROW, TEXT, Annotations, Label, crosses, inside, lint, overlaps
from techpack.documents.callouts import (
    chamfer_groups, chamfer_text, count, engraving_text, hole_callout, hole_groups, hole_text, radius_groups, radius_text, slot_groups, slot_text,
    spec_feature_for,
)
from techpack.documents.faces import cylinder_callout, selected_faces, surface_text, toleranced
from techpack.documents.layout import (
    GAP, ISO_SHRINK, VIEW_LETTERS, Placed, auxiliary_views, choose_layout, drawn_solid, free_spot, grown, model_frame, turned_features,
    pitch_circle, round_centre, round_outline, scale_text, turn, view_for, view_names,
)
from techpack.documents.section import cutting_line, hatch, removed_view, spans, stack_section
from techpack.documents.section import plan as plan_section
from techpack.documents.sheet import TitleBlock, draw_sheet, layout
from techpack.documents.views import Arc, Bezier, Line, project_views
from techpack.fonts import register
from techpack.finish_effects import masked_surfaces
from techpack.geometry import BuiltPart
from techpack.geometry.bores import bore_text
from techpack.geometry.features import Hole
from techpack.geometry.model import PartModel
from techpack.geometry.select import point_on_face
from techpack.inspection import fmt, frames, size_limits
from techpack.geometry.part import mm_per_unit
from techpack.naming import part_stem

NAME = "drawing"
TEMPLATES: tuple[str, ...] = ()
NOTE_TEXT = TEXT  # lettering of the notes: 2.5 mm capitals
SHORT_DASHED = 5.0  # mm: a hidden line shorter than this gets dashes to its length (three dashes, two gaps), not the 3 mm dash
NOTE_PITCH = 5.0  # mm between note lines
WIDE = 0.5  # mm, ISO 128 wide line (visible edges)
HATCH_PITCH = 3.0  # mm on paper between section hatching lines (ISO 128-50: to suit the area)


def _stroke(c, placed: Placed, prims, width: float, dash=None) -> None:
    c.setLineWidth(width * MM)
    c.setDash(*(dash or ([], 0)))
    s = placed.scale
    for p in prims:
        path = c.beginPath()
        if isinstance(p, Line):
            a, b = placed.paper(p.a), placed.paper(p.b)
            if dash and math.dist(a, b) < SHORT_DASHED:  # a hidden edge shorter than one dash would print solid
                c.setDash([math.dist(a, b) / 3 * MM, math.dist(a, b) / 6 * MM], 0)
            path.moveTo(a[0] * MM, a[1] * MM)
            path.lineTo(b[0] * MM, b[1] * MM)
            if dash and math.dist(a, b) < SHORT_DASHED:
                c.drawPath(path, stroke=1, fill=0)
                c.setDash(*dash)
                continue
        elif isinstance(p, Arc):
            cx, cy = placed.paper(p.centre)
            r = p.radius * s
            extent = (p.end_deg - p.start_deg) % 360 or 360
            path.arc((cx - r) * MM, (cy - r) * MM, (cx + r) * MM, (cy + r) * MM, startAng=p.start_deg, extent=extent)
        elif isinstance(p, Bezier):
            pts = [placed.paper(q) for q in p.points]
            path.moveTo(pts[0][0] * MM, pts[0][1] * MM)
            path.curveTo(*(v * MM for q in pts[1:] for v in q))
        c.drawPath(path, stroke=1, fill=0)
    c.setDash([], 0)


def _clear_titles(notes: Annotations) -> None:
    """Move a view's title sideways off any line placed after it (an extension line of a
    dimension drawn later), to the first spot where it crosses no line and no other text."""
    lines = notes.lines + notes.wide + notes.chain
    for i, lab in enumerate(notes.labels):
        if lab.kind != "view-title" or not any(crosses(a, e, lab.box) for a, e in lines):
            continue
        others = [o.box for o in notes.labels if o is not lab]
        width = lab.box[2] - lab.box[0]
        for dx in (width / 2 + 4.0, -width / 2 - 4.0, width + 8.0, -width - 8.0, 1.5 * width + 12.0, -1.5 * width - 12.0):
            moved = replace(lab, x=lab.x + dx)
            if inside(moved.box, notes.area) and not any(crosses(a, e, moved.box) for a, e in lines) and not any(overlaps(moved.box, o) for o in others):
                notes.labels[i] = moved
                break


def _starts_at(model: PartModel, hole, turn_if) -> tuple[float, float, float]:
    """Where a hole starts (as drawn): its bore's entry, the surface its callout's depths are
    measured from, else the hole's own entry."""
    bore = model.bore_of(hole)
    return turn_if(bore.entry) if bore else hole.entry


def _cutting_plane(notes: Annotations, section, placed: dict[str, Placed], skip: str | None = None) -> None:
    """The section's cutting plane, with its arrows and letters, on the first view that sees it edge-on."""
    for n, p in placed.items():
        line = cutting_line(section, p.view) if n != skip else None
        if line:
            a, b, arrow = line
            notes.cutting_plane(p.paper(a), p.paper(b), arrow, section.letter)
            return


def _added(notes: Annotations, draw) -> dict[str, list]:
    """What draw() adds to the annotations' lists, by list name (to take it back)."""
    names = [f for f, v in vars(notes).items() if isinstance(v, list)]
    before = {n: len(getattr(notes, n)) for n in names}
    draw()
    return {n: getattr(notes, n)[before[n]:] for n in names}


def _tag_holes(notes: Annotations, holes, placed: dict[str, Placed], font: str) -> int:
    """Write H1, H2, ... (the hole table's rows) beside each hole on the view that sees it
    end-on, where the tag clears other text and lines; the number of holes left untagged."""
    left = 0
    for k, h in enumerate(holes, 1):
        name = view_for(h.direction, placed)
        if name is None:
            left += 1
            continue
        p = placed[name]
        cx, cy = p.at(h.entry)
        r0 = h.diameter_mm / 2 * p.scale + 0.8
        for r, (dx, dy) in ((r, d) for r in (r0, r0 + 2.5, r0 + 5.0) for d in ((1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1))):
            x, y = cx + dx * r, cy + dy * r - (TEXT * 0.73 if dy < 0 else 0.0) - (TEXT * 0.36 if dy == 0 else 0.0)
            tag = Label(f"H{k}", x, y, font, size=TEXT, anchor="start" if dx > 0 else "end" if dx < 0 else "middle", kind="tag")
            if notes.free(tag.box, [], gap=0.3) and not any(crosses(a, e, tag.box) for a, e in notes.chain):  # clear of centre lines too
                notes.labels.append(tag)
                break
        else:
            left += 1
    return left


def _mark_origin(notes: Annotations, placed: dict[str, Placed], views, corner) -> None:
    """The hole table's origin (the part's lower left corner) marked on each view it is read on."""
    for name in sorted(v for v in views if v):
        x, y = placed[name].at(corner)
        notes.symbols.append(((x, y), 1.5))


def _table_fits(rows, sheet, font: str, furniture, caption: str) -> bool:
    return Annotations(font, area=sheet.drawing_area).table(rows, furniture, title=caption)


def _seen_end_on(members, placed: dict[str, Placed], cut, into=None) -> tuple[tuple[float, float], Placed] | None:
    """Paper point of the first member (axis, point) that a view sees end-on, and that view
    (a section shows only what lies behind its plane); with `into` (the direction a feature
    is cut into the part), a view that sees it from its open side first."""
    order = sorted(placed.items(), key=lambda kv: into is not None and float(np.dot(into, kv[1].view.direction)) > 0.5)
    for axis, point in members:
        for name, p in order:
            if abs(abs(float(np.dot(axis, p.view.direction))) - 1) > 1e-6:
                continue
            if cut and name == cut.view and float(np.dot(np.subtract(point, cut.point), cut.normal)) > 1e-6:
                continue
            return p.at(point), p
    return None


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


def write(ctx: BuildContext, parts: list[PartModel]) -> list[Output]:
    outputs = []
    for k, built in enumerate(parts, 1):
        ctx.log.progress(k, len(parts), f"drawing {built.spec.number}")
        got, problems = draw_part(ctx, built)
        for problem in problems:
            ctx.log.info(f"  drawing {built.spec.number}: {problem}")
        outputs += got
    return outputs


def draw_part(ctx: BuildContext, built: PartModel) -> tuple[list[Output], list[str]]:
    """Write the part's drawing and characteristics; return them and what the lint found.
    The balloons carry the model's characteristic numbers (techpack.inspection)."""
    regular, bold = register()
    product, part = ctx.spec.product, built.spec
    loaded, catalog = ctx.loaded, ctx.loaded.catalog
    projection = product.projection
    model_built = built
    solid = drawn_solid(built)
    if solid is not built.solid:
        built = BuiltPart(spec=built.spec, solid=solid, source=built.source, volume_mm3=built.volume_mm3, faces=built.faces)
    features = turned_features(model_built.features) if solid is not model_built.solid else model_built.features
    turn_if = turn if solid is not model_built.solid else (lambda v: v)  # a point or direction of the model as drawn
    turn_matrix = np.array([turn_if(v) for v in np.eye(3)])  # rows: the model's axes as drawn
    unit = mm_per_unit(product.units)
    names, place = view_names(built, projection, features.holes)
    thin = part.thickness is not None or catalog.processes[part.process].family == "forming"
    letters = [c for c in VIEW_LETTERS if c not in {f.datum for f in model_built.called}]  # sections and views: not a datum's letter
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
    drawn_bores = [replace(b, entry=turn_if(b.entry), direction=turn_if(b.direction)) for b in model_built.bores]
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
    laid_down = solid is not model_built.solid
    corner = np.array(model_built.box_mm[:3])  # the hole table's origin, for these too: the model's (the STEP's) frame

    masked = tuple(m.feature + (f" (balloon{'s' if len(m.balloons) > 1 else ''} {', '.join(map(str, m.balloons))})" if m.balloons else "")
                   for m in masked_surfaces(model_built))

    def notes_for(drawn_aux) -> list[str]:
        seen_in = lambda d: next((f" (view {n.split()[-1]})" for n, (a, _) in aux.items() if n in drawn_aux and abs(abs(float(np.dot(d, a))) - 1) < 1e-6), "")  # noqa: E731
        oblique = [f"{seen_in(g[0].direction)}: {hole_text(g, model_built.bore_of(g[0]))}, axis along ({', '.join(f'{c:.3f}'.rstrip('0').rstrip('.') for c in model_frame(g[0].direction, laid_down) + 0.0)}), entering at "
                   + "; ".join(f"({', '.join(fmt(c) for c in model_frame(h.entry, laid_down) - corner)})" for h in g) + " from the part's lower left corner (x, y, z min)"
                   for g in hole_groups(features.holes, model_built.selections, model_built.bore_of) if view_for(g[0].direction, names) is None]
        tb = layout("A4").title_block
        return _notes(ctx, part, stem, oblique, all(v.exact for v in views.values()) and iso.exact, regular, tb[2] - tb[0] - 4,
                      _sheet_note(part, features, product.units), any(c.critical for c in model_built.characteristics), masked)

    wrapped = notes_for(set(aux))
    notes_height = NOTE_PITCH * len(wrapped) + 30  # and the general surface symbol above them
    chosen = choose_layout(views, place, iso, built.faces, sorted(built.bbox_mm)[1], notes_height)
    size, s = chosen.size, chosen.scale
    sheet = layout(size)
    vx0, vy0, vx1, vy1 = chosen.views  # the arrangement centred in its area
    ox, oy = vx0 + (vx1 - vx0 - chosen.extent[0]) / 2, vy0 + (vy1 - vy0 - chosen.extent[1]) / 2
    placed = {n: Placed(views[n], ox + chosen.pos[n][0], oy + chosen.pos[n][1], s) for n in names}
    ix0, iy0, ix1, iy1 = iso.bounds
    cx0, cy0, cx1, cy1 = chosen.iso
    iso_s = min(s * ISO_SHRINK, (cx1 - cx0 - GAP) / max(ix1 - ix0, 1e-9), (cy1 - cy0 - GAP) / max(iy1 - iy0, 1e-9))
    iso_placed = Placed(iso, (cx0 + cx1) / 2 - (ix0 + ix1) / 2 * iso_s, (cy0 + cy1) / 2 - (iy0 + iy1) / 2 * iso_s, iso_s)
    taken = [grown(p.box, GAP * 0.7) for p in placed.values()] + [grown(iso_placed.box, 5.0)]
    tx0, _, tx1, ty1 = sheet.title_block
    taken.append((tx0, sheet.drawing_area[1], tx1, ty1 + notes_height))
    aux_placed = {}
    for name, view in aux_views.items():
        spot = free_spot(view, s, sheet.drawing_area, taken)
        if spot:
            aux_placed[name] = spot
            taken.append(grown(spot.box, GAP * 0.7))
    if len(aux_placed) < len(aux):  # a view with no room: its holes' notes no longer point to it
        wrapped = notes_for(set(aux_placed))

    material = model_built.material
    finishes = loaded.finishes(part)
    general = loaded.general_tolerance(part)
    mass_g = model_built.mass_g
    rel = f"drawings/{stem}.pdf"
    title = TitleBlock(
        owner=product.owner, number=part.number, title=part.name, revision=product.revision, date=ctx.date.isoformat(),
        creator=product.drawn_by, approver=product.approved_by or "", material=material.title,
        finish="; ".join(f.describe() for f in finishes) or "none", mass=f"{mass_g / 1000:.2f} kg" if mass_g >= 1000 else f"{mass_g:.0f} g" if mass_g >= 10 else f"{mass_g:.1f} g",
        scale=scale_text(s), projection=projection, general_tolerance=general.designation, size=size,
        supplementary_title=f"{product.number} {product.name}",
    )
    c = Canvas(str(ctx.path(rel)), pagesize=(sheet.width * MM, sheet.height * MM), invariant=1, pageCompression=1)
    c.setTitle(f"{part.number} {part.name} rev {product.revision}")
    c.setAuthor(product.drawn_by)
    c.setCreator(f"techpack {__version__}")
    c.setSubject(f"Part drawing, {product.number} {product.name}")
    furniture = draw_sheet(Canvas(io.BytesIO(), pagesize=(sheet.width * MM, sheet.height * MM)), sheet, title)  # where it will be

    for n, p in list(placed.items()) + [("iso", iso_placed)] + list(aux_placed.items()):
        _stroke(c, p, p.view.smooth, NARROW)
        if not (cut and n == cut.view) and n != "iso":  # a section shows no hidden lines (ISO 128-44), a pictorial view neither
            _stroke(c, p, p.view.hidden, NARROW, ([3 * MM, 1 * MM], 0))
        _stroke(c, p, p.view.visible, WIDE)
    if cut:
        _stroke(c, placed[cut.view], [Line(a, b) for a, b in hatch(cut, HATCH_PITCH / s)], NARROW)

    notes = Annotations(regular, area=sheet.drawing_area)
    pages = [notes]  # what goes on each sheet beyond the views (the first sheet's)
    geometry = [p.box for p in placed.values()] + [iso_placed.box] + [p.box for p in aux_placed.values()]
    avoid = geometry + furniture
    if cut:  # the cutting plane on a view that sees it edge-on
        _cutting_plane(notes, cut, placed, skip=cut.view)
    stack_marks = _added(notes, lambda: _cutting_plane(notes, stack_cut, placed)) if stack_view is not None else {}  # before the text avoids it
    for n, p in placed.items():  # titles above the views, beside any line that runs up through the middle
        x0, y0, x1, y1 = p.box
        title_text = f"{cut.letter}–{cut.letter}" if cut and n == cut.view else n.capitalize()
        width = stringWidth(title_text, bold, 3.5)
        for dx in (0.0, width / 2 + 4.0, -width / 2 - 4.0, width + 8.0, -width - 8.0):
            heading = Label(title_text, (x0 + x1) / 2 + dx, y1 + 4.0, bold, size=3.5, anchor="middle", kind="view-title")
            if not any(crosses(a, e, heading.box) for a, e in notes.lines + notes.wide + notes.chain):
                break
        notes.labels.append(heading)
    if cut:  # the axes of the holes the section cuts open
        for h in features.holes:
            if abs(float(np.dot(h.direction, cut.normal))) < 1e-6 and abs(float(np.dot(np.subtract(h.entry, cut.point), cut.normal))) < 1e-6:
                length = h.depth_mm + (h.counterbore[1] if h.counterbore else 0.0)
                d, over = np.array(h.direction), 2.5 / s
                notes.chain.append((placed[cut.view].at(np.array(h.entry) - d * over), placed[cut.view].at(np.array(h.entry) + d * (length + over))))
    if turned:  # a turned part: its axis, a centre line along the front view and a cross on the end view
        xmin, ymin, zmin, xmax, ymax, zmax = built.box_mm
        axis = np.array((0.0, (ymin + ymax) / 2, (zmin + zmax) / 2))
        front, end = placed["front"], placed[names[1]]
        over = 3.0 / s  # centre lines run 3 mm past the outline
        notes.chain.append((front.at(axis + (xmin - over, 0, 0)), front.at(axis + (xmax + over, 0, 0))))
        r = (ymax - ymin) / 2 + over
        notes.chain += [(end.at(axis + (0, -r, 0)), end.at(axis + (0, r, 0))), (end.at(axis + (0, 0, -r)), end.at(axis + (0, 0, r)))]
    for name, p in aux_placed.items():  # titled, and an arrow with its letter on a view that sees the direction
        x0, y0, x1, y1 = p.box
        scale_note = f" ({scale_text(p.scale)})" if abs(p.scale - s) > 1e-9 else ""
        notes.labels.append(Label(f"View {name.split()[-1]}{scale_note}", (x0 + x1) / 2, y1 + 4.0, bold, size=3.5, anchor="middle", kind="view-title"))
        look = -np.array(p.view.direction)  # into the part, along the holes
        entry = next(np.array(h.entry) for h in features.holes if abs(abs(float(np.dot(h.direction, look))) - 1) < 1e-6)
        for q in placed.values():
            shown = np.array(q.at(entry + look)) - np.array(q.at(entry))
            if np.linalg.norm(shown) > 0.5 * q.scale:
                notes.viewing_arrow(q.at(entry), tuple(shown / np.linalg.norm(shown)), name.split()[-1])
                break
    ix0, iy0, ix1, iy1 = iso_placed.box
    notes.labels.append(Label("Isometric, not to scale", (ix0 + ix1) / 2, iy0 - 5, bold, size=3.5, anchor="middle", kind="view-title"))

    # the faces the spec selects, as drawn, and the sizes it tolerates across them
    selected = selected_faces(model_built, solid)
    sized = {}  # feature -> (size mm, (tolerance text, upper, lower)): the model's size characteristic across a face
    for f, face, _, _ in selected:
        size = next(iter(model_built.characteristics_of(f, "size")), None) if face.geomType() != "CYLINDER" else None
        if size is not None and (limits := size_limits(size.nominal, f, unit)):
            sized[id(f)] = (size.nominal, limits)

    # overall sizes from the model's exact box, on the front view (x, z) and the top view (y),
    # with a tolerance where the spec puts one on the size across a face
    ballooned: dict[int, str] = {}  # characteristic number -> the view its balloon is on
    problems_extra: list[str] = []
    shown: set[int] = set()  # spec features whose tolerances are on the sheet

    def inspect(feature, kinds: tuple[str, ...], near: Label, view: str) -> None:
        """Balloon the feature's characteristics of these kinds next to `near`."""
        for char in model_built.characteristics_of(feature):
            if char.kind in kinds and char.number not in ballooned:
                notes.balloon(char.number, near, avoid, critical=char.critical)
                ballooned[char.number] = f"section {cut.letter}–{cut.letter}" if cut and view == cut.view else view

    front = placed["front"]
    fbx = front.box
    overall = [(0, "front", (fbx[0], fbx[1]), (fbx[2], fbx[1]), -1, False), (2, "front", (fbx[2], fbx[1]), (fbx[2], fbx[3]), +1, True)]
    if "top" in placed:
        tb = placed["top"].box
        overall.append((1, "top", (tb[0], tb[1]), (tb[0], tb[3]), -1, True))
    shafts = [2 * BRepAdaptor_Surface(face.wrapped).Cylinder().Radius() for f, face, _, _ in selected
              if face.geomType() == "CYLINDER" and (f.fit or f.tolerance)]  # toleranced diameters, called out on their own
    # centre lines of every hole seen as a circle (placed before the callouts: the
    # dimensions stay put, the leaders find room around them), and the holes' positions from the view's lower left corner
    centres: dict[str, list[tuple[float, float]]] = {}
    tiers: dict[tuple[str, str], int] = {}  # position dimensions below and right of each view
    tabled: list[Hole] = []  # holes of views with too many positions to dimension: listed in a table
    for group in hole_groups(features.holes, model_built.selections, model_built.bore_of):
        name = view_for(group[0].direction, placed)
        if name is None:
            continue
        points = [placed[name].at(h.entry) for h in group]
        for (cx, cy), h in zip(points, group):
            r = h.diameter_mm / 2 * s + 2.0
            notes.chain += [((cx - r, cy), (cx + r, cy)), ((cx, cy - r), (cx, cy + r))]
        circle = pitch_circle(points)
        if circle:  # holes at equal pitch on a circle: the pitch circle's diameter, its centre positioned
            (px, py), pr = circle.centre, circle.radius
            notes.chain_circles.append(((px, py), pr))
            tip = (px + pr * 0.5, py - pr * 0.866)
            pitch = 360.0 / circle.positions  # the first position's angle from the sheet's x axis, when not on it
            start = min(math.degrees(math.atan2(y - py, x - px)) % pitch for x, y in points)
            start = 0.0 if min(start, pitch - start) < 0.01 else start
            if circle.empty:  # members omitted: the pitch, and where the empty positions are
                text = (f"PCD Ø{fmt(2 * pr / s)}, {len(group)}× at {fmt(pitch)}° pitch" + (f", first at {fmt(start)}°" if start else "")
                        + f", none at {', '.join(fmt(a) + '°' for a in circle.empty)}")
            else:
                text = f"PCD Ø{fmt(2 * pr / s)}, {len(group)}× EQ SP" + (f", first at {fmt(start)}°" if start else "")
            notes.leader(tip, text, avoid, prefer=(1, -1))
            points = [(px, py)]
        centres.setdefault(name, []).extend(points)
    for sl in features.slots:  # slots are positioned by their centres, like holes
        name = view_for(sl.direction, placed)
        if name:
            centres.setdefault(name, []).append(placed[name].at(sl.centre))
    for name, points in centres.items():
        box = placed[name].box
        # from the centre of a round part (its outline a whole circle), else the lower left corner
        ox, oy = round_centre(placed[name]) or (box[0], box[1])
        points = [(x, y) for x, y in points if abs(x - ox) > 0.5 or abs(y - oy) > 0.5]  # concentric: nothing to locate
        xs = sorted({round(x, 3) for x, _ in points})
        ys = sorted({round(y, 3) for _, y in points})
        if len(xs) + len(ys) > 12:
            tabled += [h for h in features.holes if view_for(h.direction, placed) == name]
            continue  # too many for dimensions: the hole table lists them
        xs = [x for x in xs if abs(x - ox) > 0.5]
        ys = [y for y in ys if abs(y - oy) > 0.5]
        # the overall sizes' extension lines will run out from the view's corners, outside these
        reserved = [(box[2], box[1] - 0.3, box[2] + 80, box[1] + 0.3), (box[2], box[3] - 0.3, box[2] + 80, box[3] + 0.3),
                    (box[0] - 0.3, box[1] - 80, box[0] + 0.3, box[1]), (box[2] - 0.3, box[1] - 80, box[2] + 0.3, box[1])]
        for k, x in enumerate(xs):  # extension lines from the lowest centre on each x, the rightmost on each y
            low = min(py for px, py in points if abs(px - x) < 1e-3)
            low = low if notes.clear((x, low), (x, box[1])) else box[1]  # from the view's edge if text is in the way
            notes.linear((ox, box[1]), (x, low), fmt(abs(x - ox) / s), -1, 8 + 7 * k, False, avoid + reserved)
        for k, y in enumerate(ys):
            right = max(px for px, py in points if abs(py - y) < 1e-3)
            right = right if notes.clear((right, y), (box[2], y)) else box[2]
            notes.linear((box[2], oy), (right, y), fmt(abs(y - oy) / s), +1, 8 + 7 * k, True, avoid + reserved)
        tiers[(name, "below")], tiers[(name, "right")] = len(xs), len(ys)

    # overall sizes, outside the positions
    given: list[float] = []  # diameters of a round outline already dimensioned (ISO 129-1: each size once)
    for axis, view, a, b, side, vertical in overall:
        size = built.bbox_mm[axis]
        round_ = round_outline(axis, size, placed)
        if round_ and any(abs(d - size) < 1e-3 for d in shafts + given):
            continue
        if round_:
            given.append(size)
        on = [(f, sized[id(f)]) for f, _, _, normal in selected if id(f) in sized and abs(abs(normal[axis]) - 1) < 1e-6 and abs(sized[id(f)][0] - size) < 1e-3]
        text = ("Ø" if round_ else "") + (f"{fmt(on[0][1][0], 4)} {on[0][1][1][0]}" if on else fmt(size))  # toleranced: as the plan prints it
        tier = tiers.get((view, "right" if vertical else "below"), 0) if vertical == (side > 0) else 0  # positions go below and right
        label = notes.linear(a, b, text, side, 8 + 7 * tier, vertical, avoid)  # outside the positions (ISO 129-1: larger outside)
        if on:
            f, (size_mm, limits) = on[0]
            inspect(f, ("size",), label, view)
            del sized[id(f)]
            if not (f.flatness or f.parallelism or f.perpendicularity or f.position or f.datum or f.surface):
                shown.add(id(f))

    # holes: one callout per group, on the view that shows them as circles, with the spec's
    # tolerances, frames, datum and surface on it
    machined = catalog.processes[part.process].family == "machining"
    surfaces: list[tuple] = []  # surface symbols: feature, view, tip, outward, requirement
    callouts = []  # (group, view name, Placed, paper centre, text, spec feature, nearness to the viewer)
    for group in hole_groups(features.holes, model_built.selections, model_built.bore_of):
        h = group[0]
        name = view_for(h.direction, placed) or view_for(h.direction, aux_placed)
        if name is None:  # no view shows it end-on: listed in the notes
            continue
        p = placed.get(name) or aux_placed[name]
        spec_feature = spec_feature_for(group, model_built.selections)
        bore = model_built.bore_of(h)
        into = turn_if(bore.direction) if bore else h.direction
        far = float(np.dot(into, p.view.direction)) > 0.5  # drilled towards the viewer: from the far side
        text = hole_callout(group, spec_feature, product.units, far_side=far, bore=bore)
        callouts.append((group, name, p, p.at(h.entry), text, spec_feature, float(np.dot(h.entry, p.view.direction))))
    # bores on one axis through the near and the far wall of a hollow part, seen end-on in one
    # view: one callout saying which wall each text is for
    merged: dict[int, str] = {}
    for i, a in enumerate(callouts):
        for j in range(i + 1, len(callouts)):
            b = callouts[j]
            if j in merged or i in merged or a[1] != b[1] or a[5] or b[5] or len(a[0]) != len(b[0]) or math.dist(a[3], b[3]) > 0.5:
                continue
            near, far_ = (a, b) if a[6] >= b[6] else (b, a)
            bores = [model_built.bore_of(x[0][0]) for x in (near, far_)]
            if all(bores) and bore_text(bores[0]) == bore_text(bores[1]) and bores[0].entry_from == bores[1].entry_from:
                side = "OUTSIDE" if bores[0].entry_from == "air" else "INSIDE"  # mirror images: one text, each from its own side
                merged[i] = f"{count(len(a[0]))}{bore_text(bores[0])}, EACH WALL FROM {side}"
            else:
                merged[i] = f"{near[4]} (NEAR WALL); {far_[4]} (FAR WALL)"
            merged[j] = ""
    for k, (group, name, p, centre, text, spec_feature, _) in enumerate(callouts):
        if merged.get(k) == "":
            continue
        text = merged.get(k, text)
        h = group[0]
        r = h.diameter_mm / 2 * p.scale
        label = notes.leader((centre[0] + r * 0.707, centre[1] + r * 0.707), text, avoid)
        if spec_feature is None or id(spec_feature) in shown:  # a feature's holes in several groups: toleranced once
            continue
        shown.add(id(spec_feature))
        # the surface symbol on the shelf first, so that the balloons keep clear of the longer shelf
        roughness = notes.surface_on_shelf(label, surface_text(spec_feature.surface), machined, avoid) if spec_feature.surface else None
        inspect(spec_feature, ("size", "thread"), label, name)
        for frame in frames(spec_feature, unit, hole=True):
            inspect(spec_feature, (frame.check.kind,), notes.frame_under(label, list(frame.cells), avoid), name)
        if spec_feature.datum:
            notes.datum_on_shelf(label, spec_feature.datum, avoid)
        if roughness is not None:
            inspect(spec_feature, ("roughness",), roughness, name)

    # radii, chamfers and slots, grouped, each group led to one of its members on a view
    # that sees it end-on (a radius as an arc, a chamfer as a line, a slot as its outline);
    # an engraving's strokes get none: the engraving is called out as one feature
    engraved = model_built.engraved
    outside = lambda items: tuple(i for i in items if not set(i.faces if hasattr(i, "faces") else (i.face,)) & engraved)  # noqa: E731
    radii = radius_groups(outside(features.radii), model_built.probe.neighbours, model_built.probe.first_normals @ turn_matrix)
    edge_callouts = [(radius_text(g), [(r.axis_direction, r.mid_point) for r in g], None) for g in radii]
    edge_callouts += [(chamfer_text(g), [(c.edge_direction, c.mid_point) for c in g], None) for g in chamfer_groups(outside(features.chamfers))]
    edge_callouts += [(slot_text(g), [(sl.direction, tuple(np.add(sl.centre, np.multiply(sl.long_axis, sl.length_mm / 2)))) for sl in g],
                       None if g[0].through else g[0].direction) for g in slot_groups(outside(features.slots))]
    edge_callouts += [(engraving_text(e), [(turn_if(e.axis), turn_if(e.point))], tuple(-c for c in turn_if(e.axis))) for e in model_built.engravings]
    for text, members, into in edge_callouts:
        seen = _seen_end_on(members, placed, cut, into)
        if seen:
            spot, p = seen
            far = into is not None and float(np.dot(into, p.view.direction)) > 0.5  # a blind slot or an engraving cut from the hidden side
            notes.leader(spot, text + (", FAR SIDE" if far else ""), avoid)

    # faces the spec tolerates or names as datums, on a view that shows them edge-on
    for k, (f, face, centre, normal) in enumerate(selected):
        if face.geomType() == "CYLINDER":  # a shaft or a bore: its diameter, tolerated
            if cylinder_callout(f, face, placed, notes, avoid, inspect, product.units, machined):
                shown.add(id(f))
            continue
        for name, p in placed.items():
            if abs(float(np.dot(p.view.direction, normal))) > 1e-6:
                continue
            on_face = point_on_face(face, centre, normal, p.view.direction, k)
            tip = p.at(on_face)
            out2 = np.array(p.at(on_face + normal)) - np.array(tip)
            outward = tuple(out2 / (np.linalg.norm(out2) or 1))
            anchor_label = None
            for frame in frames(f, unit, hole=False):
                got = notes.frame(tip, list(frame.cells), outward, avoid)
                anchor_label = anchor_label or got
                inspect(f, (frame.check.kind,), got, name)
            if f.datum and anchor_label is not None:
                notes.datum_at_frame(tip, f.datum, anchor_label, outward)
            elif f.datum:
                notes.datum(tip, f.datum, outward, avoid, p.box)
            if f.surface:
                surfaces.append((f, name, p.at(point_on_face(face, centre, normal, p.view.direction, k + 1)), outward, surface_text(f.surface)))
            if id(f) in sized:
                size_mm, limits = sized[id(f)]
                far = np.array(p.at(centre - normal * size_mm))
                label = notes.linear(tuple(np.array(tip)), tuple(far), f"{fmt(size_mm, 4)} {limits[0]}", +1, 14, abs(outward[1]) > 0.5, avoid)
                inspect(f, ("size",), label, name)
            shown.add(id(f))
            break

    for f, name, tip, outward, text in surfaces:
        inspect(f, ("roughness",), notes.surface_leader(tip, outward, text, machined, avoid), name)

    # notes above the title block
    tx0, ty0, tx1, ty1 = sheet.title_block
    y = ty1 + 4 + NOTE_PITCH * (len(wrapped) - 1)
    for text in wrapped:
        notes.label(text, tx0, y, kind="note", size=NOTE_TEXT)
        y -= NOTE_PITCH
    # the general surface requirement (ISO 1302 / 21920-1), above the notes at the right
    general_ra = f"Ra {loaded.surface(part).ra_um:g} (√)"
    span = stringWidth(general_ra, regular, TEXT) + 3 * TEXT / math.tan(math.radians(60)) + 6.0
    base = ty1 + 10 + NOTE_PITCH * len(wrapped)
    spots = [(tx1 - 45 - dx, base + dy) for dy in range(0, 120, 5) for dx in range(0, 160, 10)]
    x, y = next(((x, y) for x, y in spots if notes.free((x - 3.0, y, x + span, y + 3 * TEXT + 5.0), avoid)), spots[0])
    notes.surface_symbol(x, y, general_ra, machined)

    if stack_view is not None:  # the stack's section where the views, dimensions and notes left room
        stack_placed = free_spot(stack_view, s, sheet.drawing_area, [], clear=lambda box: notes.free(box, avoid, gap=1.0))
        if stack_placed:
            _stroke(c, stack_placed, stack_placed.view.smooth, NARROW)  # no hidden lines, hatched
            _stroke(c, stack_placed, stack_placed.view.visible, WIDE)
            _stroke(c, stack_placed, [Line(a, b) for a, b in hatch(stack_cut, HATCH_PITCH / stack_placed.scale)], NARROW)
            geometry.append(stack_placed.box)
            avoid.append(stack_placed.box)
            x0, y0, x1, y1 = stack_placed.box
            scale_note = f" ({scale_text(stack_placed.scale)})" if abs(stack_placed.scale - s) > 1e-9 else ""
            notes.labels.append(Label(f"{stack_cut.letter}–{stack_cut.letter}{scale_note}", (x0 + x1) / 2, y1 + 4.0, bold, size=3.5, anchor="middle", kind="view-title"))
        else:  # no room for the section: no cutting plane for it either
            for name, items in stack_marks.items():
                kept = getattr(notes, name)
                kept[:] = [x for x in kept if not any(x is y for y in items)]

    if tabled:  # placed last: it takes whatever room the views, dimensions and notes left
        order = sorted(tabled, key=lambda h: (round(h.diameter_mm, 3), h.entry))
        rows = [("Hole", "Size", "X", "Y", "Z")] + [
            (f"H{k}", hole_callout([h], spec_feature_for([h], model_built.selections), product.units, bore=model_built.bore_of(h)),
             *(fmt(v) for v in model_frame(_starts_at(model_built, h, turn_if), laid_down) - corner))
            for k, h in enumerate(order, 1)
        ]
        before = len(notes.labels)
        untagged = _tag_holes(notes, order, placed, regular)
        dense = untagged > len(order) / 2  # a perforation: tags would not help; the table alone locates them
        if dense:
            del notes.labels[before:]
        elif untagged:
            problems_extra.append(f"{untagged} of the hole table's holes have no room for their tag on the view")
        _mark_origin(notes, placed, {view_for(h.direction, placed) for h in order}, model_frame(corner, laid_down) if laid_down else corner)
        caption = ("Hole positions from the part's lower left corner (x, y, z min, marked ⊕ on the views), mm"
                   + ("; too close together to tag on the views" if dense else ""))
        if not notes.table(rows, avoid, title=caption):  # on sheets of its own, as many rows a sheet as fit
            header, body = rows[0], rows[1:]
            while body:
                lo, hi = 0, len(body)  # the most rows that fit: a binary search
                while lo < hi:
                    mid = (lo + hi + 1) // 2
                    lo, hi = (mid, hi) if _table_fits([header] + body[:mid], sheet, regular, furniture, caption) else (lo, mid - 1)
                fits = lo
                if fits == 0:
                    raise ValueError(f"a row of the hole table of {part.number} does not fit a {size} sheet")
                more = Annotations(regular, area=sheet.drawing_area)
                if not more.table([header] + body[:fits], furniture, title=caption):  # it fitted just now
                    raise RuntimeError(f"hole table of {part.number}: {fits} rows fitted a {size} sheet, then did not")
                pages.append(more)
                body = body[fits:]

    _clear_titles(notes)

    for k, page in enumerate(pages, 1):
        if k > 1:
            c.showPage()
        draw_sheet(c, sheet, replace(title, sheet=k, sheets=len(pages)))
        page.draw(c, bold)
    c.showPage()
    c.save()
    missing = [f"feature '{f.name}': its tolerances are on no view (no view sees the {next(iter(f.select))} it selects end-on or edge-on)"
               for f in model_built.called if id(f) not in shown and toleranced(f)]
    missing += [f"characteristic {c.number} ({c.feature}: {c.text}) has no balloon on the sheet; the inspection plan lists it"
                for c in model_built.characteristics if c.number not in ballooned and id(model_built.called[c.feature_index]) in shown]
    problems = missing + problems_extra + lint(notes.labels, geometry, sheet.drawing_area, notes.lines + notes.wide + notes.chain) + [p for page in pages[1:] for p in lint(page.labels, [], sheet.drawing_area)]
    chars_rel = f"drawings/{part.number}_characteristics.json"
    ctx.path(chars_rel).write_text(
        json.dumps({"part": part.number, "drawing": rel,
                    "characteristics": [c_.to_dict() | {"view": ballooned.get(c_.number)} for c_ in model_built.characteristics],
                    "pmi_not_called_out": list(model_built.pmi_notes)},
                   indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return [Output(rel, NAME, part.number), Output(chars_rel, NAME, part.number)], problems




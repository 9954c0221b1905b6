"""What a part's sheet says about the part, put onto its planned views (plan.py): view
titles, centre lines, hole positions and overall sizes, callouts of holes, radii,
chamfers, slots and engravings, the spec's tolerances, frames, datums and surfaces with
their balloons, the notes, a bore stack's section and the hole table. Every value comes
from the part model, never from projected edges; every place from the sheet's one
placement search (room.py); everything onto display lists (display.py), one a sheet."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import cadquery as cq
import numpy as np
from OCP.BRepAdaptor import BRepAdaptor_Surface
from OCP.BRepExtrema import BRepExtrema_DistShapeShape
from OCP.GeomAbs import GeomAbs_Cylinder, GeomAbs_Plane
from reportlab.pdfbase.pdfmetrics import stringWidth

from techpack.context import BuildContext
from techpack.documents.annotate import Annotator
from techpack.documents.callouts import (
    chamfer_groups, chamfer_text, count, engraving_text, hole_callout, hole_groups, radius_groups, radius_text, slot_groups, slot_text,
    spec_feature_for,
)
from techpack.documents.detail import clip
from techpack.documents.display import TEXT, Display, Label, Stroke, inside, overlaps
from techpack.documents.faces import cylinder_callout, selected_faces, surface_text
from techpack.documents.layout import Placed, enlarged_scales, model_frame, pitch_circle, round_centre, round_outline, scale_text, spots, view_for
from techpack.documents.plan import NOTE_PITCH, NOTE_TEXT, Plan
from techpack.documents.room import Room
from techpack.documents.section import cutting_line, hatch
from techpack.documents.views import Line
from techpack.geometry.bores import bore_text, flipped
from techpack.geometry.forms import form_text
from techpack.geometry.features import Hole
from techpack.geometry.part import mm_per_unit
from techpack.geometry.select import point_on_face
from techpack.inspection import fmt, frames, size_limits

HATCH_PITCH = 3.0  # mm on paper between section hatching lines (ISO 128-50: to suit the area)
TITLE = 3.5  # mm, view titles (bold)
TITLE_CLEAR = 3.0  # mm kept free round a view's title


@dataclass
class Marked:
    """A part's sheets, annotated: one display list a sheet, and what the drawing shows."""

    pages: list[Display]
    ballooned: dict[int, str] = field(default_factory=dict)  # characteristic number -> the view its balloon is on
    shown: set[int] = field(default_factory=set)  # ids of spec features whose tolerances are on the sheet
    geometry: list = field(default_factory=list)  # boxes of the views on the first sheet
    problems: list[str] = field(default_factory=list)


def views_strokes(plan: Plan) -> list[Stroke]:
    """The views' edges: smooth edges narrow, hidden edges dashed (not on a section, ISO
    128-44, nor on the pictorial view), visible edges wide; a section's hatching."""
    out = []
    cut = plan.cut
    for n, p in list(plan.placed.items()) + [("iso", plan.iso_placed)] + list(plan.aux_placed.items()):
        out.append(Stroke(p, tuple(p.view.smooth), "narrow"))
        if not (cut and n == cut.view) and n != "iso":
            out.append(Stroke(p, tuple(p.view.hidden), "hidden"))
        out.append(Stroke(p, tuple(p.view.visible), "wide"))
    if cut:
        out.append(Stroke(plan.placed[cut.view], tuple(Line(a, b) for a, b in hatch(cut, HATCH_PITCH / plan.scale)), "narrow"))
    return out


def _alike_joined(callouts: list[tuple]) -> list[tuple]:
    """Groups of holes whose callouts on one view read alike (apart from their count), none
    selected by a spec feature, joined into one callout (`2× Ø7.94 ↧30.48` twice is `4× ...`)."""
    out: list[tuple] = []
    index: dict[tuple, int] = {}
    for c in callouts:
        group, name, _, _, text, spec_feature, _ = c
        plain = text[len(count(len(group))):]
        key = (name, plain)
        if spec_feature is None and key in index:
            k = index[key]
            joined = out[k][0] + group
            out[k] = (joined, *out[k][1:4], f"{count(len(joined))}{plain}", *out[k][5:])
            continue
        if spec_feature is None:
            index[key] = len(out)
        out.append(c)
    return out


def _distinct(values, tol: float = 1e-3) -> list[float]:
    """The values, sorted, one of each run closer than tol (paper mm): the run's first, unrounded."""
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


class Marking:
    """Annotates one part's planned sheet."""

    def __init__(self, ctx: BuildContext, plan: Plan, regular: str, bold: str):
        self.ctx, self.plan, self.regular, self.bold = ctx, plan, regular, bold
        self.model = plan.model
        self.product, self.part = ctx.spec.product, plan.model.spec
        self.unit = mm_per_unit(self.product.units)
        self.machined = ctx.loaded.catalog.processes[self.part.process].family == "machining"
        self.display = Display(strokes=views_strokes(plan))
        self.geometry = plan.geometry
        self.room = Room(self.display, plan.sheet.drawing_area, self.geometry + plan.furniture)
        self.a = Annotator(self.room, regular)
        self.marked = Marked(pages=[self.display], geometry=self.geometry)
        self.selected = selected_faces(self.model, plan.built.solid)
        self.sized = {}  # feature -> (size mm, (tolerance text, upper, lower)): the model's size characteristic across a face
        for f, face, _, _ in self.selected:
            size = next(iter(self.model.characteristics_of(f, "size")), None) if face.geomType() != "CYLINDER" else None
            if size is not None and (limits := size_limits(size.nominal, f, self.unit)):
                self.sized[id(f)] = (size.nominal, limits)
        self.tiers: dict[tuple[str, str], int] = {}  # position dimensions below and right of each view
        self.tabled: list[Hole] = []  # holes of views with too many positions to dimension: listed in a table
        self.tabled_forms: list = []  # form features located on those views: rows of the table too

    def inspect(self, feature, kinds: tuple[str, ...], near: Label, view: str) -> None:
        """Balloon the feature's characteristics of these kinds next to `near`."""
        cut = self.plan.cut
        for char in self.model.characteristics_of(feature):
            if char.kind in kinds and char.number not in self.marked.ballooned:
                self.a.balloon(char.number, near, critical=char.critical)
                self.marked.ballooned[char.number] = f"section {cut.letter}–{cut.letter}" if cut and view == cut.view else view

    def run(self) -> Marked:
        plan = self.plan
        if plan.cut:  # the cutting plane on a view that sees it edge-on
            self.cutting_plane(plan.cut, skip=plan.cut.view)
        stack_marks = None
        if plan.stack_view is not None:  # before the text avoids it
            before = self.display.mark()
            self.stack_near = self.cutting_plane(plan.stack_cut)
            stack_marks = self.display.added_since(before)
        self.titles()
        self.axes()
        self.notes()  # fixed above the title block: what follows keeps clear of it
        self.positions()
        self.form_levels()
        self.overall_sizes()
        self.hole_callouts()
        self.form_callouts()
        self.edge_callouts()
        self.face_callouts()
        if stack_marks is not None:
            self.stack_section(stack_marks)
        for detail in plan.details:
            self.detail(detail)
        if self.tabled:
            self.hole_table()
        self.clear_titles()
        self.marked.problems += self.room.crowded
        return self.marked

    # -- the views' furniture

    def cutting_plane(self, section, skip: str | None = None) -> tuple[float, float] | None:
        """The section's cutting plane, with its arrows and letters, on the first view that sees
        it edge-on; the middle of its line on the paper."""
        for n, p in self.plan.placed.items():
            line = cutting_line(section, p.view) if n != skip else None
            if line:
                a, b, arrow = line
                self.a.cutting_plane(p.paper(a), p.paper(b), arrow, section.letter)
                return tuple((np.array(p.paper(a)) + np.array(p.paper(b))) / 2)
        return None

    def title(self, text: str, x: float, y: float) -> Label:
        """A view's title centred at x, moved sideways off any line that runs up through it."""
        width = stringWidth(text, self.bold, TITLE)
        tries = [Label(text, x + dx, y, self.bold, size=TITLE, anchor="middle", kind="view-title")
                 for dx in (0.0, width / 2 + 4.0, -width / 2 - 4.0, width + 8.0, -width - 8.0)]
        heading = self.room.find(tries, lambda lab, _: self.room.unstruck(lab.box)) or tries[-1]
        self.display.labels.append(heading)
        b = heading.box
        self.room.avoid.append((b[0] - TITLE_CLEAR, b[1], b[2] + TITLE_CLEAR, b[3]))  # no text on its line reads on into it
        return heading

    def titles(self) -> None:
        plan, cut, s = self.plan, self.plan.cut, self.plan.scale
        for n, p in plan.placed.items():  # titles above the views, beside any line that runs up through the middle
            x0, y0, x1, y1 = p.box
            self.title(f"{cut.letter}–{cut.letter}" if cut and n == cut.view else n.capitalize(), (x0 + x1) / 2, y1 + 4.0)
        for name, p in plan.aux_placed.items():  # titled, and an arrow with its letter on a view that sees the direction
            x0, y0, x1, y1 = p.box
            scale_note = f" ({scale_text(p.scale)})" if abs(p.scale - s) > 1e-9 else ""
            self.display.labels.append(Label(f"View {name.split()[-1]}{scale_note}", (x0 + x1) / 2, y1 + 4.0, self.bold, size=TITLE, anchor="middle", kind="view-title"))
            look = -np.array(p.view.direction)  # into the part, along the holes
            entry = next(np.array(h.entry) for h in plan.features.holes if abs(abs(float(np.dot(h.direction, look))) - 1) < 1e-6)
            for q in plan.placed.values():
                shown = np.array(q.at(entry + look)) - np.array(q.at(entry))
                if np.linalg.norm(shown) > 0.5 * q.scale:
                    self.a.viewing_arrow(q.at(entry), tuple(shown / np.linalg.norm(shown)), name.split()[-1])
                    break
        ix0, iy0, ix1, iy1 = plan.iso_placed.box
        self.display.labels.append(Label("Isometric, not to scale", (ix0 + ix1) / 2, iy0 - 5, self.bold, size=TITLE, anchor="middle", kind="view-title"))

    def clear_titles(self) -> None:
        """Move a view's title sideways off any line placed after it (an extension line of a
        dimension drawn later), to the first spot where it crosses no line and no other text."""
        labels = self.display.labels
        for i, lab in enumerate(labels):
            if lab.kind != "view-title" or self.room.unstruck(lab.box):
                continue
            others = [o.box for o in labels if o is not lab]
            width = lab.box[2] - lab.box[0]
            tries = [replace(lab, x=lab.x + dx) for dx in (width / 2 + 4.0, -width / 2 - 4.0, width + 8.0, -width - 8.0, 1.5 * width + 12.0, -1.5 * width - 12.0)]
            moved = self.room.find(tries, lambda m, _: inside(m.box, self.room.area) and self.room.unstruck(m.box)
                                   and not any(overlaps(m.box, o) for o in others))
            if moved:
                labels[i] = moved

    def axes(self) -> None:
        """Centre lines: the axes of the holes the section cuts open, and a turned part's axis."""
        plan, cut, s, chain = self.plan, self.plan.cut, self.plan.scale, self.display.chain
        if cut:
            for h in plan.features.holes:
                if abs(float(np.dot(h.direction, cut.normal))) < 1e-6 and abs(float(np.dot(np.subtract(h.entry, cut.point), cut.normal))) < 1e-6:
                    length = h.depth_mm + (h.counterbore[1] if h.counterbore else 0.0)
                    d, over = np.array(h.direction), 2.5 / s
                    chain.append((plan.placed[cut.view].at(np.array(h.entry) - d * over), plan.placed[cut.view].at(np.array(h.entry) + d * (length + over))))
        if plan.turned:  # its axis: a centre line along the front view and a cross on the end view
            xmin, ymin, zmin, xmax, ymax, zmax = plan.built.box_mm
            axis = np.array((0.0, (ymin + ymax) / 2, (zmin + zmax) / 2))
            front, end = plan.placed["front"], plan.placed[plan.names[1]]
            over = 3.0 / s  # centre lines run 3 mm past the outline
            chain.append((front.at(axis + (xmin - over, 0, 0)), front.at(axis + (xmax + over, 0, 0))))
            r = (ymax - ymin) / 2 + over
            chain += [(end.at(axis + (0, -r, 0)), end.at(axis + (0, r, 0))), (end.at(axis + (0, 0, -r)), end.at(axis + (0, 0, r)))]

    # -- dimensions

    def positions(self) -> None:
        """Centre lines of every hole seen as a circle (placed before the callouts: the
        dimensions stay put, the leaders find room around them), pitch circles, and the holes'
        and slots' positions from the view's lower left corner (a round part: its centre), in
        the principal views and in the auxiliary views of angled holes (in their plane)."""
        plan, model, d = self.plan, self.model, self.display
        placed = plan.placed | plan.aux_placed
        centres: dict[str, list[tuple[float, float]]] = {}
        for group in hole_groups(plan.features.holes, model.selections, model.bore_of):
            name = view_for(group[0].direction, plan.placed) or view_for(group[0].direction, plan.aux_placed)
            if name is None:
                continue
            s = placed[name].scale
            points = [placed[name].at(h.entry) for h in group]
            for (cx, cy), h in zip(points, group):
                r = h.diameter_mm / 2 * s + 2.0
                d.chain += [((cx - r, cy), (cx + r, cy)), ((cx, cy - r), (cx, cy + r))]
            circle = pitch_circle(points)
            if circle:  # holes at equal pitch on a circle: the pitch circle's diameter, its centre positioned
                (px, py), pr = circle.centre, circle.radius
                d.chain_circles.append(((px, py), pr))
                tip = (px + pr * 0.5, py - pr * 0.866)
                pitch = 360.0 / circle.positions  # the first position's angle from the sheet's x axis, when not on it
                start = min(math.degrees(math.atan2(y - py, x - px)) % pitch for x, y in points)
                start = 0.0 if min(start, pitch - start) < 0.01 else start
                if circle.empty:  # members omitted: the pitch, and where the empty positions are
                    text = (f"PCD Ø{fmt(2 * pr / s)}, {len(group)}× at {fmt(pitch)}° pitch" + (f", first at {fmt(start)}°" if start else "")
                            + f", none at {', '.join(fmt(a) + '°' for a in circle.empty)}")
                else:
                    text = f"PCD Ø{fmt(2 * pr / s)}, {len(group)}× EQ SP" + (f", first at {fmt(start)}°" if start else "")
                self.a.leader(tip, text, prefer=(1, -1))
                points = [(px, py)]
            centres.setdefault(name, []).extend(points)
        for sl in plan.features.slots:  # slots are positioned by their centres, like holes; an open one by its arc's centre
            name = view_for(sl.direction, plan.placed)
            if name:
                centres.setdefault(name, []).append(placed[name].at(self._slot_point(sl)))
        located: dict[str, list] = {}  # view -> the form features it locates
        for name, point, form in self._form_points():
            centres.setdefault(name, []).append(point)
            located.setdefault(name, []).append(form)
        for name, points in centres.items():
            box, s = placed[name].box, placed[name].scale
            # from the centre of a round part (its outline a whole circle), else the lower left corner
            ox, oy = round_centre(placed[name]) or (box[0], box[1])
            points = [(ox if x is None else x, oy if y is None else y) for x, y in points]  # a channel: across it only
            points = [(x, y) for x, y in points if abs(x - ox) > 0.5 or abs(y - oy) > 0.5]  # concentric: nothing to locate
            xs, ys = _distinct(x for x, _ in points), _distinct(y for _, y in points)  # exact values: a dimension is (x - ox) / s
            if len(xs) + len(ys) > 12:
                self.tabled += [h for h in plan.features.holes if (view_for(h.direction, plan.placed) or view_for(h.direction, plan.aux_placed)) == name]
                self.tabled_forms += [f for f in located.get(name, []) if f.kind != "slot"]  # a channel has no point to list
                continue  # too many for dimensions: the hole table lists them
            xs = [x for x in xs if abs(x - ox) > 0.5]
            ys = [y for y in ys if abs(y - oy) > 0.5]
            # the overall sizes' extension lines will run out from the view's corners, outside these
            reserved = ((box[2], box[1] - 0.3, box[2] + 80, box[1] + 0.3), (box[2], box[3] - 0.3, box[2] + 80, box[3] + 0.3),
                        (box[0] - 0.3, box[1] - 80, box[0] + 0.3, box[1]), (box[2] - 0.3, box[1] - 80, box[2] + 0.3, box[1]))
            # below and right of the view; an auxiliary view, placed where there was room, above
            # or left where that side is taken (the notes beside it)
            below, right = True, True
            if name in plan.aux_placed:
                below = self.room.free((box[0], box[1] - 10 - 7 * len(xs), box[2], box[1] - 1), gap=0.0)
                right = self.room.free((box[2] + 1, box[1], box[2] + 10 + 7 * len(ys), box[3]), gap=0.0)
            edge_y, edge_x = (box[1] if below else box[3]), (box[2] if right else box[0])
            for k, x in enumerate(xs):  # extension lines from the lowest centre on each x, the rightmost on each y
                low = (min if below else max)(py for px, py in points if abs(px - x) < 1e-3)
                low = low if self.room.clear((x, low), (x, edge_y)) else edge_y  # from the view's edge if text is in the way
                self.a.linear((ox, edge_y), (x, low), fmt(abs(x - ox) / s), -1 if below else +1, 8 + 7 * k, False, extra=reserved)
            for k, y in enumerate(ys):
                far = (max if right else min)(px for px, py in points if abs(py - y) < 1e-3)
                far = far if self.room.clear((far, y), (edge_x, y)) else edge_x
                self.a.linear((edge_x, oy), (far, y), fmt(abs(y - oy) / s), +1 if right else -1, 8 + 7 * k, True, extra=reserved)
            self.tiers[(name, "below")], self.tiers[(name, "right")] = len(xs), len(ys)

    def overall_sizes(self) -> None:
        """The model's exact box on the front view (x, z) and the top view (y), outside the
        positions, with a tolerance where the spec puts one on the size across a face; a round
        outline's diameter once (ISO 129-1: each size once)."""
        placed = self.plan.placed
        fbx = placed["front"].box
        overall = [(0, "front", (fbx[0], fbx[1]), (fbx[2], fbx[1]), -1, False), (2, "front", (fbx[2], fbx[1]), (fbx[2], fbx[3]), +1, True)]
        if "top" in placed:
            tb = placed["top"].box
            overall.append((1, "top", (tb[0], tb[1]), (tb[0], tb[3]), -1, True))
        shafts = [2 * BRepAdaptor_Surface(face.wrapped).Cylinder().Radius() for f, face, _, _ in self.selected
                  if face.geomType() == "CYLINDER" and (f.fit or f.tolerance)]  # toleranced diameters, called out on their own
        given: list[float] = []
        for axis, view, a, b, side, vertical in overall:
            size = self.plan.built.bbox_mm[axis]
            round_ = round_outline(axis, size, placed)
            if round_ and any(abs(d - size) < 1e-3 for d in shafts + given):
                continue
            if round_:
                given.append(size)
            on = [(f, self.sized[id(f)]) for f, _, _, normal in self.selected
                  if id(f) in self.sized and abs(abs(normal[axis]) - 1) < 1e-6 and abs(self.sized[id(f)][0] - size) < 1e-3]
            text = ("Ø" if round_ else "") + (f"{fmt(on[0][1][0], 4)} {on[0][1][1][0]}" if on else fmt(size))  # toleranced: as the plan prints it
            tier = self.tiers.get((view, "right" if vertical else "below"), 0) if vertical == (side > 0) else 0  # positions go below and right
            label = self.a.linear(a, b, text, side, 8 + 7 * tier, vertical)  # outside the positions (ISO 129-1: larger outside)
            if on:
                f = on[0][0]
                self.inspect(f, ("size",), label, view)
                del self.sized[id(f)]
                if not (f.flatness or f.parallelism or f.perpendicularity or f.position or f.datum or f.surface):
                    self.marked.shown.add(id(f))

    # -- callouts

    def hole_callouts(self) -> None:
        """One callout per group of holes, on the view that shows them as circles, with the
        spec's tolerances, frames, datum and surface on it; bores on one axis through the
        near and the far wall of a hollow part, one callout saying which wall each text is for."""
        plan, model = self.plan, self.model
        callouts = []  # (group, view name, Placed, paper centre, text, spec feature, nearness to the viewer)
        for group in hole_groups(plan.features.holes, model.selections, model.bore_of):
            h = group[0]
            name = view_for(h.direction, plan.placed) or view_for(h.direction, plan.aux_placed)
            if name is None:  # no view shows it end-on: listed in the notes
                continue
            p = plan.placed.get(name) or plan.aux_placed[name]
            spec_feature = spec_feature_for(group, model.selections)
            bore = model.bore_of(h)
            into = plan.turn_if(bore.direction) if bore else h.direction
            far = float(np.dot(into, p.view.direction)) > 0.5  # drilled towards the viewer: from the far side
            text = hole_callout(group, spec_feature, self.product.units, far_side=far, bore=bore)
            callouts.append((group, name, p, p.at(h.entry), text, spec_feature, float(np.dot(h.entry, p.view.direction))))
        callouts = _alike_joined(callouts)
        merged: dict[int, str] = {}
        for i, a in enumerate(callouts):
            for j in range(i + 1, len(callouts)):
                b = callouts[j]
                if j in merged or i in merged or a[1] != b[1] or a[5] or b[5] or len(a[0]) != len(b[0]) or math.dist(a[3], b[3]) > 0.5:
                    continue
                near, far_ = (a, b) if a[6] >= b[6] else (b, a)
                bores = [model.bore_of(x[0][0]) for x in (near, far_)]
                if all(bores) and all(b.through and b.entry_from == "cavity" and b.far_end == "air" for b in bores):
                    bores = [flipped(b) for b in bores]  # read from outside, as the viewer sees the near wall
                if all(bores) and bore_text(bores[0]) == bore_text(bores[1]) and bores[0].entry_from == bores[1].entry_from:
                    side = "OUTSIDE" if bores[0].entry_from == "air" else "INSIDE"  # mirror images: one text, each from its own side
                    merged[i] = f"{count(len(a[0]))}{bore_text(bores[0])}, EACH WALL FROM {side}"
                else:
                    merged[i] = f"{near[4]} (NEAR WALL); {far_[4]} (FAR WALL)"
                merged[j] = ""
        shown = self.marked.shown
        for k, (group, name, p, centre, text, spec_feature, _) in enumerate(callouts):
            if merged.get(k) == "":
                continue
            r = group[0].diameter_mm / 2 * p.scale
            label = self.a.leader((centre[0] + r * 0.707, centre[1] + r * 0.707), merged.get(k, text))
            if spec_feature is None or id(spec_feature) in shown:  # a feature's holes in several groups: toleranced once
                continue
            shown.add(id(spec_feature))
            # the surface symbol on the shelf first, so that the balloons keep clear of the longer shelf
            roughness = self.a.surface_on_shelf(label, surface_text(spec_feature.surface), self.machined) if spec_feature.surface else None
            self.inspect(spec_feature, ("size", "thread"), label, name)
            for frame in frames(spec_feature, self.unit, hole=True):
                self.inspect(spec_feature, (frame.check.kind,), self.a.frame_under(label, list(frame.cells)), name)
            if spec_feature.datum:
                self.a.datum_on_shelf(label, spec_feature.datum)
            if roughness is not None:
                self.inspect(spec_feature, ("roughness",), roughness, name)

    def _seen_end_on(self, members, into=None) -> tuple[tuple[float, float], Placed] | None:
        """Paper point of the first member (axis, point) that a view sees end-on, and that view
        (a section shows only what lies behind its plane); with `into` (the direction a feature
        is cut into the part), a view that sees it from its open side first."""
        cut = self.plan.cut
        order = sorted(self.plan.placed.items(), key=lambda kv: into is not None and float(np.dot(into, kv[1].view.direction)) > 0.5)
        for axis, point in members:
            for name, p in order:
                if abs(abs(float(np.dot(axis, p.view.direction))) - 1) > 1e-6:
                    continue
                if cut and name == cut.view and float(np.dot(np.subtract(point, cut.point), cut.normal)) > 1e-6:
                    continue
                return p.at(point), p
        return None

    def _forms(self):
        """The model's form features (geometry/forms.py) as drawn, alike ones grouped, a pair
        facing opposite ways (a notch in each of two opposite edges) in one group: (members,
        the first's axis as drawn, callout text)."""
        groups: dict[tuple, list] = {}
        for f in self.model.forms:
            axis = np.array(self.plan.turn_if(f.axis), dtype=float)
            sense = axis if axis[np.argmax(np.abs(axis))] > 0 else -axis
            groups.setdefault((f.kind, form_text(f), tuple(np.round(sense, 6))), []).append(f)
        return [(members, np.array(self.plan.turn_if(members[0].axis), dtype=float), key[1]) for key, members in groups.items()]

    def _profile_views(self, f, axis) -> list[tuple[str, Placed]]:
        """The views that see a step or a groove from the side (its axis in their plane), the one
        that looks along its riser (the step's profile) first."""
        sides = [(n, p) for n, p in self.plan.placed.items() if abs(float(np.dot(axis, p.view.direction))) < 1e-6]
        faces = self.plan.built.solid.Faces()
        for i in f.faces:
            surface = BRepAdaptor_Surface(faces[i - 1].wrapped)
            if surface.GetType() == GeomAbs_Plane:
                normal = np.array(surface.Plane().Axis().Direction().Coord())
                if abs(abs(float(np.dot(normal, axis))) - 1) > 1e-6:  # a riser (square or slanted): the profile is seen along it
                    look = np.cross(axis, normal) / np.linalg.norm(np.cross(axis, normal))
                    return sorted(sides, key=lambda s: abs(abs(float(np.dot(look, s[1].view.direction))) - 1) > 1e-6)
        return sides

    def _tip(self, f, p: Placed) -> tuple[float, float]:
        """Where a form's leader touches it on a view that sees it end-on: its outline (round,
        regular polygon or rectangle: half its size out from the centre, at 45°), else the point
        of its own faces nearest its centre (an irregular boss round an opening)."""
        centre = np.array(self.plan.turn_if(f.centre), dtype=float)
        size = f.diameter_mm or f.across_flats_mm or f.width_mm
        if size:
            c = np.array(p.at(centre))
            return tuple(c + np.array((0.707, 0.707)) * size / 2 * p.scale)
        faces = self.plan.built.solid.Faces()
        near = BRepExtrema_DistShapeShape(cq.Vertex.makeVertex(*centre).wrapped, cq.Compound.makeCompound([faces[i - 1] for i in f.faces]).wrapped)
        return p.at(np.array(near.PointOnShape2(1).Coord())) if near.IsDone() and near.NbSolution() else p.at(centre)

    def _end_on(self, axis) -> tuple[str, bool] | None:
        """The principal view that sees `axis` end-on, one it points towards first (a boss's
        top, a slot's open side: seen, not hidden), and whether it points away (FAR SIDE)."""
        seen = [(n, float(np.dot(axis, p.view.direction))) for n, p in self.plan.placed.items()
                if abs(abs(float(np.dot(axis, p.view.direction))) - 1) < 1e-6]
        if not seen:
            return None
        name, dot = max(seen, key=lambda t: t[1])
        return name, dot < 0

    def _form_points(self):
        """(view, paper point, form) of each form feature that a view locates: a boss's, post's or
        opening's centre, a channel's middle across it (its length runs out of the part)."""
        for members, axis, _ in self._forms():
            f = members[0]
            if f.kind not in ("boss", "post", "opening", "pocket", "slot") or (f.kind != "slot" and f.width_mm is None
                                                                      and f.diameter_mm is None and f.across_flats_mm is None):
                continue  # an outline that is neither round, a regular polygon nor a rectangle has no centre to locate
            seen = self._end_on(axis)
            if seen is None:
                continue
            p = self.plan.placed[seen[0]]
            for m in members:
                x, y = p.at(self.plan.turn_if(m.centre))
                if m.kind == "slot":  # the paper axis its length runs along is not located
                    run = np.subtract(p.at(self.plan.turn_if(np.add(m.centre, m.along))), (x, y))
                    x, y = (None, y) if abs(run[0]) > abs(run[1]) else (x, None)
                yield seen[0], (x, y), m

    def form_callouts(self) -> None:
        """Form features (bosses, posts, openings, channels, flats, steps, grooves): one callout
        a group on the view that sees the feature end-on (steps and grooves: from the side), and
        the levels of steps and grooves from the part's end along their axis."""
        plan = self.plan
        for members, axis, text in self._forms():
            f = members[0]
            lead = f"{count(len(members))}{text}"
            if f.kind in ("step", "groove"):
                sides = self._profile_views(f, axis)
                if sides:
                    self.a.leader(sides[0][1].at(plan.turn_if(f.centre)), lead)
                continue
            seen = self._end_on(axis)
            if seen is None:
                continue
            name, away = seen
            p = plan.placed[name]
            both = any(float(np.dot(plan.turn_if(m.axis), axis)) < 0 for m in members)  # one facing each way
            self.a.leader(self._tip(f, p), lead + (", NEAR AND FAR SIDE" if both else ", FAR SIDE" if away else ""))

    def form_levels(self) -> None:
        """The levels of steps and grooves along their (principal) axis, from the part's
        minimum there, each once, dimensioned from the edge of a view that sees them from the
        side: right of it or below, outside the hole positions and inside the overall sizes
        (ISO 129-1: larger outside); a level at the part's end is its overall size."""
        done: set[tuple[int, float]] = set()
        for members, axis, _ in self._forms():
            if members[0].kind not in ("step", "groove"):
                continue
            sides = self._profile_views(members[0], axis)[:1]
            a = np.abs(np.array(members[0].axis))
            if not sides or abs(a.max() - 1) > 1e-9:
                continue  # no view sees it from the side, or a tilted axis: its callout only
            k = int(a.argmax())
            lo, hi = self.model.box_mm[k], self.model.box_mm[k + 3]
            for f in members:
                for v in [f.start_mm] if f.kind == "groove" else [f.start_mm, f.end_mm]:
                    if v is None or v < 0.01 or v > hi - lo - 0.01 or (k, round(v, 3)) in done:
                        continue
                    done.add((k, round(v, 3)))
                    end, level = np.array(f.centre, dtype=float), np.array(f.centre, dtype=float)
                    end[k], level[k] = lo, lo + v
                    ways = []  # (tiers there, view, paper end, paper level, vertical): the view with the fewest dimensions that way
                    for name, p in sides:
                        e, l_ = np.array(p.at(self.plan.turn_if(end))), np.array(p.at(self.plan.turn_if(level)))
                        vertical = abs(l_[1] - e[1]) > abs(l_[0] - e[0])
                        ways.append((self.tiers.get((name, "right" if vertical else "below"), 0), name, p, e, l_, vertical))
                    n, name, p, e, l_, vertical = min(ways, key=lambda w: w[0] + (w[1] == "front"))  # the front view carries the overall sizes
                    tier = (name, "right" if vertical else "below")
                    if vertical:
                        self.a.linear((p.box[2], e[1]), (p.box[2], l_[1]), fmt(v), +1, 8 + 7 * n, True)
                    else:
                        self.a.linear((e[0], p.box[1]), (l_[0], p.box[1]), fmt(v), -1, 8 + 7 * n, False)
                    self.tiers[tier] = n + 1

    def _slot_point(self, sl) -> tuple[float, float, float]:
        """Where a slot is located from: its centre; an open slot (one arc, running out to the
        rim) from the centre of its arc, the one point of it the model fixes."""
        if not sl.open_end:
            return sl.centre
        faces = self.plan.built.solid.Faces()
        for i in sl.faces:
            surface = BRepAdaptor_Surface(faces[i - 1].wrapped)
            if surface.GetType() == GeomAbs_Cylinder:
                loc = np.array(surface.Cylinder().Location().Coord())
                along = float(np.dot(loc - np.array(sl.centre), sl.long_axis))
                return tuple(np.array(sl.centre) + np.array(sl.long_axis) * along)
        return sl.centre

    def edge_callouts(self) -> None:
        """Radii, chamfers and slots, grouped, each group led to one of its members on a view
        that sees it end-on (a radius as an arc, a chamfer as a line, a slot as its outline);
        an engraving's strokes get none: the engraving is called out as one feature."""
        model, features, turn_if = self.model, self.plan.features, self.plan.turn_if
        engraved = model.engraved
        outside = lambda items: tuple(i for i in items if not set(i.faces if hasattr(i, "faces") else (i.face,)) & engraved)  # noqa: E731
        radii = radius_groups(outside(features.radii), model.probe.neighbours, model.probe.first_normals @ self.plan.turn_matrix)
        edge_callouts = [(radius_text(g), [(r.axis_direction, r.mid_point) for r in g], None) for g in radii]
        edge_callouts += [(chamfer_text(g), [(c.edge_direction, c.mid_point) for c in g], None) for g in chamfer_groups(outside(features.chamfers))]
        edge_callouts += [(slot_text(g), [(sl.direction, tuple(np.add(sl.centre, np.multiply(sl.long_axis, sl.length_mm / 2)))) for sl in g],
                           None if g[0].through else g[0].direction) for g in slot_groups(outside(features.slots))]
        edge_callouts += [(engraving_text(e), [(turn_if(e.axis), turn_if(e.point))], tuple(-c for c in turn_if(e.axis))) for e in model.engravings]
        for text, members, into in edge_callouts:
            seen = self._seen_end_on(members, into)
            if seen:
                spot, p = seen
                far = into is not None and float(np.dot(into, p.view.direction)) > 0.5  # a blind slot or an engraving cut from the hidden side
                self.a.leader(spot, text + (", FAR SIDE" if far else ""))

    def face_callouts(self) -> None:
        """Faces the spec tolerates or names as datums, on a view that shows them edge-on."""
        surfaces = []  # surface symbols: feature, view, tip, outward, requirement
        shown, a = self.marked.shown, self.a
        for k, (f, face, centre, normal) in enumerate(self.selected):
            if face.geomType() == "CYLINDER":  # a shaft or a bore: its diameter, tolerated
                if cylinder_callout(f, face, self.plan.placed, a, self.inspect, self.product.units, self.machined):
                    shown.add(id(f))
                continue
            for name, p in self.plan.placed.items():
                if abs(float(np.dot(p.view.direction, normal))) > 1e-6:
                    continue
                on_face = point_on_face(face, centre, normal, p.view.direction, k)
                tip = p.at(on_face)
                out2 = np.array(p.at(on_face + normal)) - np.array(tip)
                outward = tuple(out2 / (np.linalg.norm(out2) or 1))
                anchor_label = None
                for frame in frames(f, self.unit, hole=False):
                    got = a.frame(tip, list(frame.cells), outward)
                    anchor_label = anchor_label or got
                    self.inspect(f, (frame.check.kind,), got, name)
                if f.datum and anchor_label is not None:
                    a.datum_at_frame(tip, f.datum, anchor_label, outward)
                elif f.datum:
                    a.datum(tip, f.datum, outward, p.box)
                if f.surface:
                    surfaces.append((f, name, p.at(point_on_face(face, centre, normal, p.view.direction, k + 1)), outward, surface_text(f.surface)))
                if id(f) in self.sized:
                    size_mm, limits = self.sized[id(f)]
                    far = np.array(p.at(centre - normal * size_mm))
                    label = a.linear(tuple(np.array(tip)), tuple(far), f"{fmt(size_mm, 4)} {limits[0]}", +1, 14, abs(outward[1]) > 0.5)
                    self.inspect(f, ("size",), label, name)
                shown.add(id(f))
                break
        for f, name, tip, outward, text in surfaces:
            self.inspect(f, ("roughness",), a.surface_leader(tip, outward, text, self.machined), name)

    # -- notes, late views, tables

    def notes(self) -> None:
        """The notes above the title block, and the general surface requirement (ISO 1302 /
        21920-1) above them at the right."""
        plan = self.plan
        tx0, ty0, tx1, ty1 = plan.sheet.title_block
        y = ty1 + 4 + NOTE_PITCH * (len(plan.notes) - 1)
        for text in plan.notes:
            self.a.label(text, tx0, y, kind="note", size=NOTE_TEXT)
            y -= NOTE_PITCH
        general_ra = f"Ra {self.ctx.loaded.surface(self.part).ra_um:g} (√)"
        span = stringWidth(general_ra, self.regular, TEXT) + 3 * TEXT / math.tan(math.radians(60)) + 6.0
        base = ty1 + 10 + NOTE_PITCH * len(plan.notes)
        spots_ = [(tx1 - 45 - dx, base + dy) for dy in range(0, 120, 5) for dx in range(0, 160, 10)]
        x, y = self.room.place("the general surface requirement", spots_, lambda c, _: self.room.free((c[0] - 3.0, c[1], c[0] + span, c[1] + 3 * TEXT + 5.0)))
        self.a.surface_symbol(x, y, general_ra, self.machined)

    def stack_section(self, marks: dict[str, list]) -> None:
        """The bore stack's section, enlarged (it shows a small region: the walls round the
        bores), as near its cutting plane as the views, dimensions and notes left room; with no
        room, no cutting plane for it either (`marks`, what drew it, is taken back)."""
        plan = self.plan
        got = self.room.first_free(spots(plan.stack_view, plan.scale, plan.sheet.drawing_area, enlarged_scales(plan.stack_view, plan.scale),
                                         self.stack_near), lambda c: c[0], gap=1.0)  # enlarged, near its cutting plane
        if got is None:
            self.display.take_back(marks)
            return
        p = Placed(*got[1])
        self.display.strokes += [Stroke(p, tuple(p.view.smooth), "narrow"), Stroke(p, tuple(p.view.visible), "wide"),
                                 Stroke(p, tuple(Line(a, b) for a, b in hatch(plan.stack_cut, HATCH_PITCH / p.scale)), "narrow")]
        self.geometry.append(p.box)
        self.room.avoid.append(p.box)
        x0, y0, x1, y1 = p.box
        scale_note = f" ({scale_text(p.scale)})" if abs(p.scale - plan.scale) > 1e-9 else ""
        letter = plan.stack_cut.letter
        self.display.labels.append(Label(f"{letter}–{letter}{scale_note}", (x0 + x1) / 2, y1 + 4.0, self.bold, size=TITLE, anchor="middle", kind="view-title"))

    def detail(self, d) -> None:
        """A detail view (ISO 128-30): its region circled and lettered on its view, the enlarged
        region where room is left, near it, titled with its letter and scale; with no room,
        neither (the callouts still say what is there) and the build says so."""
        parent = self.plan.placed[d.parent]
        cx, cy = parent.paper(d.centre)
        r = d.radius * parent.scale
        before = self.display.mark()
        self.display.circles_narrow.append(((cx, cy), r))
        spots_ = [Label(d.letter, cx + dx * (r + 2.0), cy + dy * (r + 2.0) - 1.8, self.regular, size=5.0, anchor="middle", kind="callout")
                  for dx, dy in ((0.707, 0.707), (-0.707, 0.707), (0.707, -0.707), (-0.707, -0.707), (0, 1), (0, -1))]
        self.display.labels.append(self.room.place(f"detail {d.letter}'s letter", spots_, lambda lab, _: self.room.free(lab.box, gap=0.5)))
        marks = self.display.added_since(before)
        got = self.room.first_free(spots(d.view, d.scale, self.plan.sheet.drawing_area, [d.scale], (cx, cy)), lambda c: c[0], gap=1.0)
        if got is None:
            self.display.take_back(marks)
            self.marked.problems.append(f"no room for detail {d.letter} ({d.what}); its callout stands alone")
            return
        p = Placed(*got[1])
        cut = self.plan.cut if self.plan.cut and self.plan.cut.view == d.parent else None  # a detail of a section is a section
        self.display.strokes += [Stroke(p, tuple(p.view.smooth), "narrow"), Stroke(p, () if cut else tuple(p.view.hidden), "hidden"),
                                 Stroke(p, tuple(p.view.visible), "wide")]
        if cut:
            self.display.strokes.append(Stroke(p, clip([Line(a, b) for a, b in hatch(cut, HATCH_PITCH / p.scale)], d.centre, d.radius), "narrow"))
        self.geometry.append(p.box)
        self.room.avoid.append(p.box)
        x0, y0, x1, y1 = p.box
        self.display.labels.append(Label(f"{d.letter} ({scale_text(p.scale)})", (x0 + x1) / 2, y1 + 4.0, self.bold, size=TITLE, anchor="middle",
                                         kind="view-title"))

    def _starts_at(self, hole) -> tuple[float, float, float]:
        """Where a hole starts (as drawn): its bore's entry, the surface its callout's depths are
        measured from, else the hole's own entry."""
        bore = self.model.bore_of(hole)
        return self.plan.turn_if(bore.entry) if bore else hole.entry

    def tag_holes(self, holes) -> int:
        """Write H1, H2, ... (the hole table's rows) beside each hole on the view that sees it
        end-on, where the tag clears other text and lines; the number of holes left untagged."""
        left = 0
        for k, h in enumerate(holes, 1):
            name = view_for(h.direction, self.plan.placed)
            if name is None:
                left += 1
                continue
            p = self.plan.placed[name]
            cx, cy = p.at(h.entry)
            r0 = h.diameter_mm / 2 * p.scale + 0.8
            tags = [Label(f"H{k}", cx + dx * r, cy + dy * r - (TEXT * 0.73 if dy < 0 else 0.0) - (TEXT * 0.36 if dy == 0 else 0.0), self.regular,
                          size=TEXT, anchor="start" if dx > 0 else "end" if dx < 0 else "middle", kind="tag")
                    for r in (r0, r0 + 2.5, r0 + 5.0) for dx, dy in ((1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1))]
            tag = self.room.find(tags, lambda t, _: self.room.free(t.box, gap=0.3, avoid=()) and self.room.unstruck(t.box))  # on its view, clear of centre lines
            if tag:
                self.display.labels.append(tag)
            else:
                left += 1
        return left

    def _tag_forms(self, forms) -> None:
        """F1, F2, ... (the table's feature rows) beside each feature's centre on its view."""
        for k, f in enumerate(forms, 1):
            seen = self._end_on(np.array(self.plan.turn_if(f.axis)))
            if seen is None:
                continue
            cx, cy = self.plan.placed[seen[0]].at(self.plan.turn_if(f.centre))
            tags = [Label(f"F{k}", cx + dx * r, cy + dy * r - (TEXT * 0.73 if dy < 0 else 0.0) - (TEXT * 0.36 if dy == 0 else 0.0), self.regular,
                          size=TEXT, anchor="start" if dx > 0 else "end" if dx < 0 else "middle", kind="tag")
                    for r in (1.5, 3.0, 5.0, 8.0, 12.0) for dx, dy in ((1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1))]
            tag = self.room.find(tags, lambda t, _: self.room.free(t.box, gap=0.3, avoid=()) and self.room.unstruck(t.box))
            if tag:
                self.display.labels.append(tag)
                self.display.symbols.append(((cx, cy), 0.8))  # the point the row locates
            else:
                self.marked.problems.append(f"feature F{k} ({form_text(f)}) has no room for its tag on the view")

    def hole_table(self) -> None:
        """The hole table, placed last: it takes whatever room the views, dimensions and notes
        left, else sheets of its own; the holes tagged on the views, the origin marked."""
        plan, model = self.plan, self.model
        order = sorted(self.tabled, key=lambda h: (round(h.diameter_mm, 3), h.entry))
        rows = [("Hole", "Size", "X", "Y", "Z")] + [
            (f"H{k}", hole_callout([h], spec_feature_for([h], model.selections), self.product.units, bore=model.bore_of(h)),
             *(fmt(v) for v in model_frame(self._starts_at(h), plan.laid_down) - plan.corner))
            for k, h in enumerate(order, 1)
        ]
        before = self.display.mark()
        untagged = self.tag_holes(order)
        dense = untagged > len(order) / 2  # a perforation: tags would not help; the table alone locates them
        if dense:
            self.display.take_back(self.display.added_since(before))
        elif untagged:
            self.marked.problems.append(f"{untagged} of the hole table's holes have no room for their tag on the view")
        origin = model_frame(plan.corner, plan.laid_down) if plan.laid_down else plan.corner  # the part's lower left corner
        for name in sorted(v for v in {view_for(h.direction, plan.placed) for h in order} if v):
            self.display.symbols.append((plan.placed[name].at(origin), 1.5))
        forms = sorted(self.tabled_forms, key=lambda f: (f.kind, f.centre))
        rows += [(f"F{k}", form_text(f), *(fmt(v) for v in np.array(f.centre) - plan.corner)) for k, f in enumerate(forms, 1)]
        self._tag_forms(forms)
        caption = (f"{'Hole and feature' if forms else 'Hole'} positions from the part's lower left corner (x, y, z min, marked ⊕ on the views), mm"
                   + ("; features at their centre (a boss: its top)" if forms else "")
                   + ("; holes too close together to tag on the views" if dense else ""))
        if self.a.table(rows, title=caption):
            return
        header, body = rows[0], rows[1:]  # on sheets of its own, as many rows a sheet as fit
        sheet = plan.sheet
        fits_sheet = lambda n: Annotator(Room(Display(), sheet.drawing_area, plan.furniture), self.regular).table([header] + body[:n], title=caption)  # noqa: E731
        while body:
            lo, hi = 0, len(body)  # the most rows that fit: a binary search
            while lo < hi:
                mid = (lo + hi + 1) // 2
                lo, hi = (mid, hi) if fits_sheet(mid) else (lo, mid - 1)
            if lo == 0:
                raise ValueError(f"a row of the hole table of {self.part.number} does not fit a {sheet.size} sheet")
            page = Display()
            if not Annotator(Room(page, sheet.drawing_area, plan.furniture), self.regular).table([header] + body[:lo], title=caption):  # it fitted just now
                raise RuntimeError(f"hole table of {self.part.number}: {lo} rows fitted a {sheet.size} sheet, then did not")
            self.marked.pages.append(page)
            body = body[lo:]

"""The faces a spec feature selects, as drawn: which face, a point on it for an arrow,
the size across it, and the callout of a cylindrical face (a shaft's fit)."""

from __future__ import annotations

import numpy as np
from OCP.BRepAdaptor import BRepAdaptor_Surface

from techpack.documents.annotate import Annotator
from techpack.inspection import fmt, frames, size_limits
from techpack.documents.layout import LAY_DOWN, Placed
from techpack.geometry.model import MEASURED_PLACES
from techpack.geometry.part import mm_per_unit
from techpack.standards.roughness import parse_roughness


def toleranced(f) -> bool:
    """Whether a spec feature asks for anything the drawing must show."""
    return any((f.fit, f.tolerance, f.thread, f.surface, f.flatness, f.datum, f.position, f.perpendicularity, f.parallelism, f.critical))


def surface_text(surface: str) -> str:
    """The requirement on a surface symbol: `Ra 1.6`, from the spec's `Ra 1.6` or `N7`."""
    return f"Ra {parse_roughness(surface).ra_um:g}"


def selected_faces(model, drawn) -> list[tuple[object, object, np.ndarray, np.ndarray]]:
    """(feature, face, centre, outward normal) of each spec feature that selects faces, the
    largest face it picks, centre and normal as drawn (a part laid down for its drawing
    turns with it)."""
    out = []
    for sel in model.selections:
        face = sel.face
        if face is None:
            continue
        if drawn is not model.solid:
            face = face.rotate(*LAY_DOWN)  # as drawn_solid turns the part
        out.append((sel.feature, face, np.array(face.Center().toTuple()), np.array(face.normalAt().toTuple())))
    return out


def cylinder_callout(f, face, placed: dict[str, Placed], notes: Annotator, inspect, units: str, machined: bool) -> bool:
    """A cylindrical face's diameter with the spec's fit or limits (`Ø10 p6 (+0.024/+0.015)`),
    across its outline on a view that sees it from the side (at its end nearest the view's
    edge), else by a leader to its circle; its frames and datum beside it."""
    cylinder = BRepAdaptor_Surface(face.wrapped).Cylinder()
    r = cylinder.Radius()
    axis = np.array((cylinder.Axis().Direction().X(), cylinder.Axis().Direction().Y(), cylinder.Axis().Direction().Z()))
    origin = np.array((cylinder.Location().X(), cylinder.Location().Y(), cylinder.Location().Z()))
    ends = [float(np.dot(np.array(v.toTuple()) - origin, axis)) for v in face.Vertices()] or [0.0]
    limits = size_limits(round(2 * r, MEASURED_PLACES), f, mm_per_unit(units))  # as the part model's characteristic
    text = f"Ø{fmt(2 * r)}" + (f" {limits[0]}" if limits else "")
    label, view = None, None
    for name, p in placed.items():
        if abs(float(np.dot(axis, p.view.direction))) > 1e-6:
            continue
        across = np.cross(axis, p.view.direction)
        a, b = p.at(origin - across * r), p.at(origin + across * r)
        vertical = abs(a[1] - b[1]) > abs(a[0] - b[0])  # the diameter runs up the sheet: the axis across it
        k = 0 if vertical else 1  # dimension at the end furthest right (axis across) or up (axis up)
        end = origin + axis * max(ends, key=lambda t: p.at(origin + axis * t)[k])
        a, b = p.at(end - across * r), p.at(end + across * r)
        label = notes.linear(a, b, text, +1, 10, vertical)
        tip, outward, view = b, ((1.0, 0.0) if vertical else (0.0, 1.0)), name
        break
    if label is None:  # seen end-on only: a leader to the circle
        for name, p in placed.items():
            if abs(abs(float(np.dot(axis, p.view.direction))) - 1) < 1e-6:
                c = np.array(p.at(origin))
                tip = tuple(c + np.array((0.707, 0.707)) * r * p.scale)
                label, outward, view = notes.leader(tip, text), (0.707, 0.707), name
                break
    if label is None:
        return False
    inspect(f, ("size",), label, view)
    for frame in frames(f, mm_per_unit(units), hole=True):
        inspect(f, (frame.check.kind,), notes.frame(tip, list(frame.cells), outward), view)
    if f.datum:
        notes.datum(tip, f.datum, outward)
    if f.surface:
        inspect(f, ("roughness",), notes.surface_leader(tip, outward, surface_text(f.surface), machined), view)
    return True

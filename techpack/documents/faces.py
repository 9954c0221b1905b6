"""The faces a spec feature selects, as drawn: which face, a point on it for an arrow,
the size across it, and the callout of a cylindrical face (a shaft's fit)."""

from __future__ import annotations

import cadquery as cq
import numpy as np
from OCP.BRepAdaptor import BRepAdaptor_Surface
from OCP.BRepClass import BRepClass_FaceClassifier
from OCP.gp import gp_Dir, gp_Lin, gp_Pnt
from OCP.IntCurvesFace import IntCurvesFace_ShapeIntersector
from OCP.TopAbs import TopAbs_IN

from techpack.documents.annotate import Annotations
from techpack.documents.callouts import Check, fmt, frames, size_limits
from techpack.documents.layout import LAY_DOWN, Placed
from techpack.geometry import BuiltPart
from techpack.geometry.select import named_faces
from techpack.standards.roughness import parse_roughness


def toleranced(f) -> bool:
    """Whether a spec feature asks for anything the drawing must show."""
    return any((f.fit, f.tolerance, f.thread, f.surface, f.flatness, f.datum, f.position, f.perpendicularity, f.parallelism, f.critical))


def surface_text(surface: str) -> str:
    """The requirement on a surface symbol: `Ra 1.6`, from the spec's `Ra 1.6` or `N7`."""
    return f"Ra {parse_roughness(surface).ra_um:g}"


def along_face(face, normal, direction) -> np.ndarray:
    """A vector in the face, across the view, a third of the face's size (to put a leader
    off the face's centre)."""
    v = np.cross(normal, np.asarray(direction, dtype=float))
    bb = face.BoundingBox()
    return v / (np.linalg.norm(v) or 1) * (bb.xlen + bb.ylen + bb.zlen) / 3


def point_on_face(face, centre: np.ndarray, normal: np.ndarray, direction, k: int) -> np.ndarray:
    """A point on the face (not in a hole through it) for the k-th arrow on it, spread
    across the view so that two features on one face do not share an arrow."""
    along = along_face(face, normal, direction)
    shifts = (0.0, 0.5, -0.5, 1.0, -1.0, 0.25, -0.25, 0.75, -0.75, 1.25, -1.25)
    shifts = shifts[k % 3:] + shifts[:k % 3]
    for t in shifts:
        point = centre + along * t
        if BRepClass_FaceClassifier(face.wrapped, gp_Pnt(*point), 1e-4).State() == TopAbs_IN:
            return point
    return centre


def selected_faces(part, built: BuiltPart, drawn) -> list[tuple[object, object, np.ndarray, np.ndarray]]:
    """(feature, face, centre, outward normal) of each spec feature that selects a face (by
    a CadQuery selector or by a name the script tagged), the largest face it picks on the
    model, centre and normal as drawn (a part laid down for its drawing turns with it)."""
    model_solid = built.solid
    out = []
    for f in part.features:
        if "name" in f.select:
            faces = named_faces(built, str(f.select["name"]))
        elif "face" in f.select:
            try:
                faces = cq.Workplane().add(model_solid).faces(str(f.select["face"])).vals()
            except Exception:  # noqa: BLE001 - a selector CadQuery cannot read: the spec check has said so
                continue
        else:
            continue
        if not faces:
            continue
        face = max(faces, key=lambda x: x.Area())
        centre, normal = np.array(face.Center().toTuple()), np.array(face.normalAt().toTuple())
        if drawn is not model_solid:
            face = face.rotate(*LAY_DOWN)  # as drawn_solid turns the part
            centre = np.array(face.Center().toTuple())
            normal = np.array(face.normalAt().toTuple())
        out.append((f, face, centre, normal))
    return out


def cylinder_callout(f, face, placed: dict[str, Placed], notes: Annotations, avoid, inspect, units: str, machined: bool) -> bool:
    """A cylindrical face's diameter with the spec's fit or limits (`Ø10 p6 (+0.024/+0.015)`),
    across its outline on a view that sees it from the side (at its end nearest the view's
    edge), else by a leader to its circle; its frames and datum beside it."""
    cylinder = BRepAdaptor_Surface(face.wrapped).Cylinder()
    r = cylinder.Radius()
    axis = np.array((cylinder.Axis().Direction().X(), cylinder.Axis().Direction().Y(), cylinder.Axis().Direction().Z()))
    origin = np.array((cylinder.Location().X(), cylinder.Location().Y(), cylinder.Location().Z()))
    ends = [float(np.dot(np.array(v.toTuple()) - origin, axis)) for v in face.Vertices()] or [0.0]
    limits = size_limits(2 * r, f, units)
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
        label = notes.linear(a, b, text, +1, 10, vertical, avoid)
        tip, outward, view = b, ((1.0, 0.0) if vertical else (0.0, 1.0)), name
        break
    if label is None:  # seen end-on only: a leader to the circle
        for name, p in placed.items():
            if abs(abs(float(np.dot(axis, p.view.direction))) - 1) < 1e-6:
                c = np.array(p.at(origin))
                tip = tuple(c + np.array((0.707, 0.707)) * r * p.scale)
                label, outward, view = notes.leader(tip, text, avoid), (0.707, 0.707), name
                break
    if label is None:
        return False
    if limits:
        inspect(f, [Check(f"Ø{fmt(2 * r)} {limits[0].split(' (')[0]}", 2 * r, limits[1], limits[2])], label, view)
    elif f.critical:
        inspect(f, [Check(f"Ø{fmt(2 * r)}", 2 * r, None, None)], label, view)
    for frame in frames(f, units, hole=True):
        inspect(f, [frame.check], notes.frame(tip, list(frame.cells), outward, avoid), view)
    if f.datum:
        notes.datum(tip, f.datum, outward, avoid)
    if f.surface:
        notes.surface_leader(tip, outward, surface_text(f.surface), machined, avoid)
    return True


def size_across(feature, solid, face, centre, normal, units):
    """A face's toleranced size: the material's thickness under it, from a point on the face
    straight in to where the material ends (a plate's thickness, a step's height), with the
    spec's fit or limit deviations; None if the feature gives neither."""
    if not (feature.fit or feature.tolerance):
        return None
    sideways = np.eye(3)[int(np.argmin(np.abs(normal)))]  # any direction across the face
    start = point_on_face(face, centre, normal, sideways, 0)
    ray = IntCurvesFace_ShapeIntersector()
    ray.Load(solid.wrapped, 1e-6)
    ray.Perform(gp_Lin(gp_Pnt(*start), gp_Dir(*(-normal))), 1e-3, 1e9)
    hits = sorted(ray.WParameter(i) for i in range(1, ray.NbPnt() + 1)) if ray.IsDone() else []
    if not hits:
        return None
    size = hits[0]
    limits = size_limits(size, feature, units)
    return (size, limits) if limits else None

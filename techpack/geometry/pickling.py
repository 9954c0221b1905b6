"""A part model through a pipe (a worker's result to the main process) whole: its solid as
BRep, and every face, edge or vertex of the solid that the model refers to (a selection's
faces, a hole's walls) as its index in the solid, so that in the main process it is the
solid's own face again (`isSame` holds), not a copy. Any other CadQuery shape is pickled as
BRep and comes back as its own kind (a Face, not a Shape)."""

from __future__ import annotations

import copyreg
import io
import pickle

import cadquery as cq
from OCP.BRepTools import BRepTools
from OCP.TopAbs import TopAbs_EDGE, TopAbs_FACE, TopAbs_VERTEX
from OCP.TopExp import TopExp
from OCP.TopTools import TopTools_FormatVersion, TopTools_IndexedMapOfShape

KINDS = {"F": TopAbs_FACE, "E": TopAbs_EDGE, "V": TopAbs_VERTEX}


def _brep(shape: cq.Shape) -> bytes:
    """The shape's exact geometry as BRep text, without the triangles a worker meshed it into
    (seven eighths of the bytes, and of the main process's memory per part): whatever meshes
    it in the main process meshes it afresh."""
    stream = io.BytesIO()
    BRepTools.Write_s(shape.wrapped, stream, False, False, TopTools_FormatVersion.TopTools_FormatVersion_VERSION_1)
    return stream.getvalue()


def shape_from_brep(data: bytes) -> cq.Shape:
    return cq.Shape.cast(cq.Shape.importBrep(io.BytesIO(data)).wrapped)


def _reduce(shape: cq.Shape):
    return shape_from_brep, (_brep(shape),)


for _kind in (cq.Shape, cq.Solid, cq.Shell, cq.Face, cq.Wire, cq.Edge, cq.Vertex, cq.Compound):
    copyreg.pickle(_kind, _reduce)


def _maps(solid: cq.Shape) -> dict[str, TopTools_IndexedMapOfShape]:
    out = {}
    for letter, kind in KINDS.items():
        m = TopTools_IndexedMapOfShape()
        TopExp.MapShapes_s(solid.wrapped, kind, m)
        out[letter] = m
    return out


class _Out(pickle.Pickler):
    def __init__(self, stream, solid: cq.Shape):
        super().__init__(stream, protocol=pickle.HIGHEST_PROTOCOL)
        self.solid, self.maps = solid, _maps(solid)

    def persistent_id(self, obj):
        if not isinstance(obj, cq.Shape):
            return None
        if obj is self.solid:
            return ("S",)
        letter = {TopAbs_FACE: "F", TopAbs_EDGE: "E", TopAbs_VERTEX: "V"}.get(obj.wrapped.ShapeType())
        if letter is None:
            return None
        k = self.maps[letter].FindIndex(obj.wrapped)
        return (letter, k, int(obj.wrapped.Orientation())) if k else None


class _In(pickle.Unpickler):
    def __init__(self, stream, solid: cq.Shape):
        super().__init__(stream)
        self.solid, self.maps = solid, _maps(solid)

    def persistent_load(self, pid):
        if pid[0] == "S":
            return self.solid
        letter, k, orientation = pid
        from OCP.TopAbs import TopAbs_Orientation

        return cq.Shape.cast(self.maps[letter].FindKey(k).Oriented(TopAbs_Orientation(orientation)))


def dumps(solid: cq.Shape, state) -> tuple[bytes, bytes]:
    """(the solid as BRep, state pickled with the solid's sub-shapes by index)."""
    stream = io.BytesIO()
    _Out(stream, solid).dump(state)
    return _brep(solid), stream.getvalue()


def loads(solid_brep: bytes, data: bytes):
    """(the solid, the state) from dumps()."""
    solid = shape_from_brep(solid_brep)
    return solid, _In(io.BytesIO(data), solid).load()

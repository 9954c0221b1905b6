"""Every position and overall size dimensioned on a NIST drawing is a distance the model
holds: from the part's extreme along one of the view's axes (OCCT's optimal bounding box of
the solid turned to that axis) to a hole's or a slot end's axis (OCCT's cylinders), to a
plane square to that axis (a step's level) or midway between two such planes (a channel's
middle), or the part's extent. Read from the sheet's display list (the dimensions, not the notes or the hole
table), to 0.006 mm: a value rounded from a rounded paper coordinate fails."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import shutil

import numpy as np
import pytest
from OCP.BRepAdaptor import BRepAdaptor_Surface
from OCP.BRepBndLib import BRepBndLib
from OCP.Bnd import Bnd_Box
from OCP.GeomAbs import GeomAbs_Cylinder, GeomAbs_Plane
from OCP.gp import gp_Ax1, gp_Dir, gp_Pnt, gp_Trsf
from OCP.BRepBuilderAPI import BRepBuilderAPI_Transform

from techpack.checks import Report
from techpack.context import BuildContext
from techpack.documents.dimension import Marking
from techpack.documents.drawing import _title
from techpack.documents.plan import plan_sheet
from techpack.fonts import register
from techpack.geometry import build_models, build_parts
from techpack.report import Reporter
from techpack.spec import load_spec
from tests.conftest import FIXTURES

NIST = ["nist_ctc_01_asme1_ap203.stp", "nist_ctc_02_asme1_ap203.stp", "nist_ctc_03_asme1_ap203.stp",
        "nist_ctc_04_asme1_ap203.stp", "nist_ctc_05_asme1_ap203.stp"]
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def extent(shape, u) -> tuple[float, float]:
    """min and max of p·u over the solid, exact (the solid turned so that u is x)."""
    t = gp_Trsf()
    x = np.array([1.0, 0.0, 0.0])
    axis = np.cross(u, x)
    if np.linalg.norm(axis) > 1e-12:
        t.SetRotation(gp_Ax1(gp_Pnt(0, 0, 0), gp_Dir(*axis)), float(np.arccos(np.clip(np.dot(u, x), -1, 1))))
    elif np.dot(u, x) < 0:
        t.SetRotation(gp_Ax1(gp_Pnt(0, 0, 0), gp_Dir(0, 0, 1)), np.pi)
    turned = BRepBuilderAPI_Transform(shape, t, True).Shape()
    box = Bnd_Box()
    BRepBndLib.AddOptimal_s(turned, box, False, False)
    x0, _, _, x1, _, _ = box.Get()
    return x0, x1


def located(solid, kind) -> list[tuple[np.ndarray, np.ndarray]]:
    """(location, direction) of the axis of each face of `kind` (cylinders: their axis; planes: their normal)."""
    out = []
    for f in solid.Faces():
        s = BRepAdaptor_Surface(f.wrapped)
        if s.GetType() == kind:
            ax = (s.Cylinder() if kind == GeomAbs_Cylinder else s.Plane()).Axis()
            out.append((np.array(ax.Location().Coord()), np.array(ax.Direction().Coord())))
    return out


def distances(solid, directions) -> set[float]:
    """What a view looking along any of `directions` may dimension: extents along its in-plane
    axes, and each hole axis's (or the middle between two parallel ones: a slot) distance from
    the part's extremes along them."""
    got = set()
    cyl, flat = located(solid, GeomAbs_Cylinder), located(solid, GeomAbs_Plane)
    for d in directions:
        d = np.asarray(d, float) / np.linalg.norm(d)
        h = np.cross((0, 0, 1), d) if abs(d[2]) < 0.9 else np.cross((0, 1, 0), d)
        h /= np.linalg.norm(h)
        for u in (h, np.cross(d, h)):
            lo, hi = extent(solid.wrapped, u)
            got.add(round(hi - lo, 2))
            parallel = [p for p, a in cyl if abs(abs(float(np.dot(a, d))) - 1) < 1e-6]
            points = parallel + [(p + q) / 2 for p, q in itertools.combinations(parallel, 2)]
            levels = [float(np.dot(p, u)) for p, n in flat if abs(abs(float(np.dot(n, u))) - 1) < 1e-6]
            levels += [(a + b) / 2 for a, b in itertools.combinations(levels, 2)]
            for p in points:
                got |= {round(float(np.dot(p, u)) - lo, 2), round(hi - float(np.dot(p, u)), 2)}
            got |= {round(v - lo, 2) for v in levels} | {round(hi - v, 2) for v in levels}
    return got


@pytest.mark.parametrize("name", NIST)
def test_position_dimensions_are_model_distances(project, tmp_path, name):
    shutil.copy(FIXTURES / name, project.root / name)
    spec = project.spec(f"- {{number: CTC, name: NIST part, model: {name}, material: 6061, process: cnc-milling}}")
    loaded = load_spec(spec)
    model = build_models(loaded, build_parts(loaded))[0]
    ctx = BuildContext(loaded=loaded, folder=tmp_path, date=dt.date(2026, 11, 20), git=None, log=Reporter(0), report=Report([], {}))
    regular, bold = register()
    plan = plan_sheet(ctx, model, _title(ctx, model), regular)
    marked = Marking(ctx, plan, regular, bold).run()
    numbers = [lab.text for lab in marked.pages[0].labels if lab.kind == "dimension" and NUMBER.fullmatch(lab.text)]
    assert len(numbers) >= 3
    directions = [np.eye(3)[i] for i in range(3)] + [np.array(p.view.direction) for p in plan.aux_placed.values()]
    truth = {v for v in distances(model.solid, directions)}
    wrong = [t for t in numbers if not any(abs(float(t) - v) <= 0.006 for v in truth)]
    assert wrong == [], f"{name}: dimensions the model does not hold: {wrong}"
    if plan.aux_placed:  # an auxiliary view's holes are dimensioned in its plane
        aux = distances(model.solid, [np.array(p.view.direction) for p in plan.aux_placed.values()]) - distances(model.solid, np.eye(3))
        assert any(any(abs(float(t) - v) <= 0.006 for v in aux) for t in numbers)

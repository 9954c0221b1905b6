"""What a finish does to a part (techpack.finish_effects): which features are masked, and the
limits to machine to and after finishing for each toleranced size on a coated surface,
checked against numbers worked out by hand."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from techpack.finish_effects import after_finish, finished_size, masked_surfaces
from techpack.geometry import build_models, build_parts
from techpack.spec import load_spec

# a 60 x 40 x 10 plate: a Ø10 bore in the middle and two Ø6.6 holes
PLATE = """
import cadquery as cq

def build():
    return cq.Workplane().box(60, 40, 10).faces(">Z").workplane().pushPoints([(-20, 0), (20, 0)]).hole(6.6).faces(">Z").workplane().hole(10)
"""

SHAFT = """
import cadquery as cq

def build():
    return cq.Workplane().circle(10).extrude(50)
"""

FEATURES = ("[{name: bore, select: {hole: 10}, fit: H7, surface: Ra 0.8, perpendicularity: {tolerance: 0.02, datums: [A]}%s},"
            " {name: base, select: {face: '<Z'}, flatness: 0.03, datum: A},"
            " {name: holes, select: {hole: 6.6}, critical: true, position: {tolerance: 0.1, datums: [A]}},"
            " {name: top, select: {face: '>Z'}, tolerance: [0.05, -0.05]}]")


def model_of(project, script: str, part: str):
    project.write("part.py", script)
    loaded = load_spec(project.spec(part))
    (model,) = build_models(loaded, build_parts(loaded))
    return model, loaded


def plate(project, finish: str, bore: str = "", features: str = FEATURES):
    return model_of(project, PLATE, "- {number: P-1, name: Plate, model: part.py, material: 6061, process: cnc-milling,\n"
                                    f"   finish: {finish}, features: {features.replace('%s', bore)}}}")


def limits(s):
    return (s.machined_lower, s.machined_upper, s.finished_lower, s.finished_upper)


def test_fits_threads_datums_and_mask_true_are_masked_with_their_balloons_and_faces(project):
    model, loaded = plate(project, "[anodise]")
    masked = masked_surfaces(model)
    assert [(m.feature, m.reason, m.balloons) for m in masked] == [
        ("bore", "fit H7", (1, 2, 3)),  # size, perpendicularity, roughness: the drawing's balloons
        ("base", "datum A", (4,)),
    ]
    bore, base = model.selections[0], model.selections[1]
    assert masked[0].face_ids == bore.face_ids == tuple(sorted(f for h in bore.holes for f in h.faces))
    assert masked[1].face_ids == model.solid_face_ids(base.faces) and len(masked[1].face_ids) == 1
    assert model.solid.Faces()[masked[1].face_ids[0] - 1].Center().z == pytest.approx(-5)  # the underside


def test_mask_true_masks_a_plain_feature_and_mask_false_coats_a_fit(project):
    model, loaded = plate(project, "[anodise]", bore=", mask: false",
                          features=FEATURES.replace("critical: true,", "critical: true, mask: true,"))
    assert [(m.feature, m.reason) for m in masked_surfaces(model)] == [("base", "datum A"), ("holes", "mask: true")]


def test_anodise_after_finishing_shifts_the_machining_limits(project):
    """Type II anodise: 10 µm film, half builds outward: 5 µm per surface; the drawing's limits
    apply after finishing. The bore is coated (mask: false), the base is masked (datum A)."""
    model, loaded = plate(project, "[anodise]", bore=", mask: false")
    sizes = {s.feature: s for s in after_finish(model, loaded)}
    assert set(sizes) == {"bore", "holes", "top"}
    bore = sizes["bore"]
    assert (bore.balloon, bore.text, bore.shape, bore.surfaces, bore.growth_um, bore.drawing) == (1, "Ø10 H7", "hole", 2, 5.0, "after")
    # H7 on Ø10 is 10.000/10.015; the bore shrinks by 2 × 5 µm, so it is machined 10 µm larger
    assert limits(bore) == pytest.approx((10.010, 10.025, 10.000, 10.015))
    assert bore.change_mm == pytest.approx(-0.010)
    # the critical Ø6.6 holes have the general tolerance (ISO 2768-m: ±0.2)
    assert limits(sizes["holes"]) == pytest.approx((6.41, 6.81, 6.4, 6.8))
    # 10 ±0.05 across the top and the masked base: one coated face, +5 µm
    top = sizes["top"]
    assert (top.shape, top.surfaces) == ("thickness", 1)
    assert limits(top) == pytest.approx((9.945, 10.045, 9.95, 10.05))


def test_powder_coat_before_finishing_adds_to_the_drawing_limits(project):
    """Powder coat 70 µm, all of it outward, on both faces of the plate (no datum on the base);
    the drawing's limits are the machined sizes."""
    features = "[{name: top, select: {face: '>Z'}, tolerance: [0.05, -0.05]}, {name: bore, select: {hole: 10}, tolerance: [0.1, 0]}]"
    model, loaded = plate(project, "[{powder-coat: {ral: 9005, thickness_um: 70}}]", features=features)
    top, bore = after_finish(model, loaded)
    assert (top.surfaces, top.drawing) == (2, "before")
    assert limits(top) == pytest.approx((9.95, 10.05, 10.09, 10.19))
    assert limits(bore) == pytest.approx((10.0, 10.1, 9.86, 9.96))


def test_a_shaft_grows_by_twice_the_plating(project):
    """Zinc Fe/Zn 8: 8 µm, all outward, dimensions after plating: a Ø20 ±0.05 shaft is turned 16 µm under."""
    model, loaded = model_of(project, SHAFT, "- {number: S-1, name: Shaft, model: part.py, material: mild steel, process: cnc-turning,\n"
                                             "   finish: [{zinc-plate: {class: Fe/Zn 8}}], features: [{name: od, select: {face: '%CYLINDER'}, tolerance: [0.05, -0.05]}]}")
    assert masked_surfaces(model) == []
    (od,) = after_finish(model, loaded)
    assert (od.shape, od.surfaces, od.growth_um) == ("shaft", 2, 8.0)
    assert limits(od) == pytest.approx((19.934, 20.034, 19.95, 20.05))


def test_a_finish_that_adds_nothing_changes_no_size(project):
    model, loaded = plate(project, "[{bead-blast: {grit: 120}}]", bore=", mask: false")
    assert after_finish(model, loaded) == []


def _finish(dimensions: str, growth_um: float):
    return SimpleNamespace(finish=SimpleNamespace(dimensions=dimensions), growth_per_surface_um=growth_um)


@pytest.mark.parametrize(
    "shape, surfaces, finishes, expected, drawing",
    [
        # a Ø10 +0.1/0 hole, anodise (after, 5 µm) then paint (before, 50 µm): machined for the
        # anodise only (+0.010); after both, 0.010 + 0.100 smaller than machined
        ("hole", 2, [_finish("after", 5), _finish("before", 50)], (10.01, 10.11, 9.9, 10.0), "mixed"),
        ("shaft", 2, [_finish("after", 25)], (9.95, 10.05, 10.0, 10.1), "after"),  # hard anodise: 25 µm per surface
        ("thickness", 1, [_finish("before", 70)], (10.0, 10.1, 10.07, 10.17), "before"),
    ],
)
def test_the_growth_rule_with_numbers(shape, surfaces, finishes, expected, drawing):
    c = SimpleNamespace(number=3, feature="f", text="10 +0.1/0", lower=10.0, upper=10.1)
    s = finished_size(c, shape, surfaces, finishes)
    assert limits(s) == pytest.approx(expected)
    assert s.finished_upper - s.finished_lower == pytest.approx(0.1)  # the band is the drawing's
    assert s.drawing == drawing

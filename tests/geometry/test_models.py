"""Models become one valid solid in mm; a broken model is an error naming the part and file."""

from __future__ import annotations

import shutil

import cadquery as cq
import pytest
from OCP.Bnd import Bnd_Box
from OCP.BRepBndLib import BRepBndLib
from OCP.Interface import Interface_Static
from OCP.STEPControl import STEPControl_AsIs, STEPControl_Controller, STEPControl_Writer

from techpack.errors import ModelError
from techpack.geometry import build_part, build_parts
from techpack.geometry.part import exact_box
from techpack.spec import load_spec
from tests.conftest import BOX_SCRIPT, FIXTURES, PRODUCT


def built(path, i=0):
    loaded = load_spec(path)
    return build_part(loaded, loaded.spec.parts[i])


def model_problem(path) -> str:
    loaded = load_spec(path)
    with pytest.raises(ModelError) as info:
        build_parts(loaded)
    (problem,) = info.value.problems
    return str(problem)


def test_script_receives_params_and_gives_volume(project):
    project.write("models/box.py", BOX_SCRIPT)
    path = project.spec("- {number: P1, name: Box, model: models/box.py, params: {x: 4, y: 5, z: 6.5}, material: ABS, process: fdm}")
    part = built(path)
    assert part.volume_mm3 == pytest.approx(4 * 5 * 6.5, rel=1e-9)
    assert part.bbox_mm == pytest.approx((4, 5, 6.5))
    assert part.faces == 6
    assert isinstance(part.solid, cq.Solid)


def test_script_may_import_a_helper_beside_it_and_return_a_shape(project):
    project.write("models/common.py", "import cadquery as cq\n\ndef cube(s):\n    return cq.Solid.makeBox(s, s, s)\n")
    project.write("models/cube.py", "from common import cube\n\ndef build(size=3):\n    return cube(size)\n")
    path = project.spec("- {number: P1, name: Cube, model: models/cube.py, material: ABS, process: fdm}")
    assert built(path).volume_mm3 == pytest.approx(27)


def test_inch_script_is_converted_exactly(project):
    project.write("models/box.py", BOX_SCRIPT)
    path = project.spec(
        "- {number: P1, name: Box, model: models/box.py, params: {x: 1, y: 2, z: 0.5}, material: ABS, process: fdm}",
        product=PRODUCT.replace("batch: 10}", "batch: 10, units: in}"),
    )
    part = built(path)
    assert part.bbox_mm == pytest.approx((25.4, 50.8, 12.7), rel=1e-12)
    assert part.volume_mm3 == pytest.approx(1 * 2 * 0.5 * 25.4**3, rel=1e-9)


def test_per_part_units_override(project):
    project.write("models/box.py", BOX_SCRIPT)
    path = project.spec(
        """
        - {number: P1, name: Metric, model: models/box.py, params: {x: 1, y: 1, z: 1}, material: ABS, process: fdm}
        - {number: P2, name: Imperial, model: models/box.py, params: {x: 1, y: 1, z: 1}, units: in, material: ABS, process: fdm}
        """
    )
    loaded = load_spec(path)
    metric, imperial = build_parts(loaded)
    assert metric.volume_mm3 == pytest.approx(1)
    assert imperial.volume_mm3 == pytest.approx(25.4**3)


def test_step_in_inches_is_read_in_mm(project):
    """A STEP file declares its unit; OCCT converts to mm whatever product.units says."""
    STEPControl_Controller.Init_s()
    Interface_Static.SetCVal_s("write.step.unit", "INCH")
    try:
        writer = STEPControl_Writer()
        writer.Transfer(cq.Solid.makeBox(25.4, 50.8, 76.2).wrapped, STEPControl_AsIs)
        writer.Write(str(project.root / "inch.step"))
    finally:
        Interface_Static.SetCVal_s("write.step.unit", "MM")
    text = (project.root / "inch.step").read_text()
    assert "'INCH'" in text  # the file really is in inches: a 1 x 2 x 3 in box
    path = project.spec("- {number: P1, name: Box, model: inch.step, material: ABS, process: fdm}")
    part = built(path)
    assert part.bbox_mm == pytest.approx((25.4, 50.8, 76.2), rel=1e-9)
    assert part.volume_mm3 == pytest.approx(25.4 * 50.8 * 76.2, rel=1e-9)


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("nist_*.stp")))
def test_nist_parts_import_as_one_valid_solid(project, name):
    """Cross-checked against CadQuery's own STEP importer. The files also hold
    construction geometry beside the solid (CTC-01's compound is 1170 x 650 mm, its
    solid 800 x 450 mm): the part is the solid."""
    shutil.copy(FIXTURES / name, project.root / name)
    path = project.spec(f"- {{number: CTC, name: NIST, model: {name}, material: 6061, process: cnc-milling}}")
    part = built(path)
    (reference,) = cq.importers.importStep(str(FIXTURES / name)).val().Solids()
    assert part.volume_mm3 == pytest.approx(reference.Volume(), rel=1e-9) and part.volume_mm3 > 0
    assert part.faces == len(reference.Faces())
    bb = reference.BoundingBox()
    assert part.bbox_mm == pytest.approx((bb.xlen, bb.ylen, bb.zlen))


def test_nist_ctc01_solid_size():
    (solid,) = cq.importers.importStep(str(FIXTURES / "nist_ctc_01_asme1_ap203.stp")).val().Solids()
    bb = solid.BoundingBox()
    assert (bb.xlen, bb.ylen, bb.zlen) == pytest.approx((800, 450, 150))


SCRIPTS = {
    "raises": (
        "import cadquery as cq\n\ndef build(size=10):\n    w = cq.Workplane().box(size, size, size)\n    raise ValueError(f'size {size} too small')\n",
        ["parts[0].model (P1): 'models/m.py' raised an error in build()", "models/m.py:5, in build:", "ValueError: size 10 too small"],
    ),
    "cadquery fails": (
        "import cadquery as cq\n\ndef build():\n    return cq.Workplane().box(1, 1, 1).faces('>Z').fillet(5)\n",
        ["raised an error in build()", "models/m.py:4, in build: return cq.Workplane().box(1, 1, 1).faces('>Z').fillet(5)"],
    ),
    "syntax": ("def build(:\n    pass\n", ["'models/m.py' is not valid Python", "models/m.py:1:"]),
    "import error": ("import not_a_module_anywhere\n", ["raised an error on import", "ModuleNotFoundError"]),
    "no build": ("import cadquery as cq\nresult = cq.Workplane().box(1, 1, 1)\n", ["has no build() function"]),
    "returns None": ("def build():\n    return None\n", ["returned NoneType; return a cadquery.Workplane or Shape"]),
    "empty workplane": ("import cadquery as cq\n\ndef build():\n    return cq.Workplane()\n", ["Workplane with no shape"]),
    "two solids": (
        "import cadquery as cq\n\ndef build():\n    return cq.Workplane().box(1, 1, 1).union(cq.Workplane().box(1, 1, 1).translate((5, 0, 0)))\n",
        ["holds 2 solids; a part must be one solid"],
    ),
    "a face": ("import cadquery as cq\n\ndef build():\n    return cq.Workplane().rect(2, 2).extrude(1).faces('>Z').val()\n", ["holds no solid (got Face)"]),
    "invalid solid": (
        "import cadquery as cq\n\ndef build():\n    faces = cq.Solid.makeBox(10, 10, 10).Faces()[:5]\n    return cq.Solid.makeSolid(cq.Shell.makeShell(faces))\n",
        ["is not valid per OCCT's checker"],
    ),
}


@pytest.mark.parametrize("case", SCRIPTS)
def test_broken_script_names_part_file_and_line(project, case):
    code, expected = SCRIPTS[case]
    project.write("models/m.py", code)
    path = project.spec("- {number: P1, name: Broken, model: models/m.py, material: ABS, process: fdm}")
    got = model_problem(path)
    assert got.startswith(f"{path}:")
    for text in expected:
        assert text in got


def test_unknown_and_missing_params_point_at_params(project):
    project.write("models/m.py", "import cadquery as cq\n\ndef build(length, width=2):\n    return cq.Workplane().box(length, width, 1)\n")
    path = project.spec("- {number: P1, name: Box, model: models/m.py, params: {widht: 3}, material: ABS, process: fdm}")
    loaded = load_spec(path)
    with pytest.raises(ModelError) as info:
        build_parts(loaded)
    got = [str(p) for p in info.value.problems]
    assert got == [
        f"{path}:4:57: parts[0].params (P1): build() in 'models/m.py' takes no parameter 'widht'; "
        "did you mean 'width'? (it takes: length, width)",
        f"{path}:4:57: parts[0].params (P1): build() in 'models/m.py' needs parameters with no default: length; give them in params",
    ]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "STEP file 'models/m.step' is empty"),
        (b"ISO-10303-21;\nHEADER;\nENDSEC;\nDATA;\nENDSEC;\nEND-ISO-10303-21;\n", "holds no shape"),
        (b"this is not a step file at all\n", "is not a readable STEP file"),
    ],
)
def test_broken_step_file(project, content, message):
    (project.root / "models").mkdir()
    (project.root / "models" / "m.step").write_bytes(content)
    path = project.spec("- {number: P1, name: Broken, model: models/m.step, material: ABS, process: fdm}")
    got = model_problem(path)
    assert "parts[0].model (P1)" in got and message in got


def test_step_that_is_not_a_solid(project):
    shell = cq.Shell.makeShell(cq.Solid.makeBox(10, 10, 10).Faces()[:5])
    cq.exporters.export(cq.Workplane().add(shell), str(project.root / "open.step"))
    path = project.spec("- {number: P1, name: Open, model: open.step, material: ABS, process: fdm}")
    assert "'open.step' holds no solid, only 1 open shell (5 faces, not a closed volume)" in model_problem(path)


def test_all_failing_parts_are_reported_together(project):
    project.write("models/ok.py", BOX_SCRIPT)
    project.write("models/bad.py", "def build():\n    raise RuntimeError('nope')\n")
    path = project.spec(
        """
        - {number: P1, name: Bad one, model: models/bad.py, material: ABS, process: fdm}
        - {number: P2, name: Good, model: models/ok.py, material: ABS, process: fdm}
        - {number: P3, name: Bad two, model: models/bad.py, material: ABS, process: fdm}
        """
    )
    with pytest.raises(ModelError) as info:
        build_parts(load_spec(path))
    assert [p.key for p in info.value.problems] == ["parts[0].model (P1)", "parts[2].model (P3)"]


def test_sys_exit_in_a_script_is_a_model_error(project):
    project.write("models/quit.py", "import sys\n\ndef build():\n    sys.exit(0)\n")
    project.write("models/quit_early.py", "import sys\nsys.exit('bye')\n")
    path = project.spec(
        """
        - {number: P1, name: Quits, model: models/quit.py, material: ABS, process: fdm}
        - {number: P2, name: Quits early, model: models/quit_early.py, material: ABS, process: fdm}
        """
    )
    with pytest.raises(ModelError) as info:
        build_parts(load_spec(path))
    got = [str(p) for p in info.value.problems]
    assert "called sys.exit(0) in build()" in got[0] and "called sys.exit('bye') on import" in got[1]


def test_scripts_do_not_share_helpers_or_the_working_directory(project):
    import os

    for folder, size in (("a", 10), ("b", 40)):
        project.write(f"models/{folder}/helpers.py", f"SIZE = {size}\n")
        project.write(f"models/{folder}/part.py", "import os\nimport cadquery as cq\nimport helpers\n\ndef build():\n    os.chdir('/')\n    return cq.Workplane().box(helpers.SIZE, 1, 1)\n")
    path = project.spec(
        """
        - {number: A, name: A, model: models/a/part.py, material: ABS, process: fdm}
        - {number: B, name: B, model: models/b/part.py, material: ABS, process: fdm}
        """
    )
    cwd = os.getcwd()
    a, b = build_parts(load_spec(path))
    assert (a.bbox_mm[0], b.bbox_mm[0]) == pytest.approx((10, 40))
    assert os.getcwd() == cwd


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("nist_*ap203.stp")))
def test_exact_box_is_occts_optimal_box(name):
    """The fast exact box (six extremes from the faces whose quick boxes could hold them)
    equals OCCT's optimal box of the whole solid."""
    solid = cq.importers.importStep(str(FIXTURES / name)).val().Solids()[0]
    reference = Bnd_Box()
    BRepBndLib.AddOptimal_s(solid.wrapped, reference, False, False)
    assert exact_box(solid.wrapped) == pytest.approx(reference.Get(), abs=1e-9)


def test_exact_box_of_curved_faces():
    torus = cq.Solid.makeTorus(20, 4).rotate((0, 0, 0), (1, 1, 0), 33)
    spline = cq.Workplane().spline([(0, 0), (10, 8), (25, -4), (40, 3)]).lineTo(40, -20).lineTo(0, -20).close().extrude(5).val()
    for solid in (torus, spline):
        reference = Bnd_Box()
        BRepBndLib.AddOptimal_s(solid.wrapped, reference, False, False)
        assert exact_box(solid.wrapped) == pytest.approx(reference.Get(), abs=1e-9)

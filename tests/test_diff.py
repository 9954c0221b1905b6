"""techpack diff (techpack/diff/, cli_diff.py) and the CHANGES page (documents/changes.py).

A temporary git repository holds the example as revision B (commit 1); commit 2 moves one of
the base's foot holes (its script's angle 45° -> 50°), repaints the shade (RAL 7016 -> 9005)
and doubles the arm's quantity. The diff must report exactly those three changes, on exactly
those parts, whether it reads the two commits or the two packages built from them."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from techpack.cli import main
from techpack.report import Reporter
from tests.conftest import EXAMPLE


OLD_HOLE = (65 * math.cos(math.radians(45)), 65 * math.sin(math.radians(45)), 0.0)  # Ø130 PCD
NEW_HOLE = (65 * math.cos(math.radians(50)), 65 * math.sin(math.radians(50)), 0.0)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=T. Tester", "-c", "user.email=t@example.com", *args],
                          check=True, capture_output=True, text=True).stdout.strip()


def _without_assembly(text: str) -> str:
    """The example's spec without a top-level `assembly:` section (not what this test is about)."""
    return re.sub(r"(?ms)^assembly:.*?(?=^\S(?!#)|\Z)", "", text)


def _edit(path: Path, old: str, new: str, after: str | None = None) -> None:
    text = path.read_text(encoding="utf-8")
    start = text.index(after) if after else 0
    at = text.index(old, start)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")


def _build(spec: Path, out: Path) -> Path:
    from techpack.build import build

    return build(spec, out, Reporter(0)).zip_path


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> dict:
    """The repository with its two commits, and the full package built from each."""
    root = tmp_path_factory.mktemp("diff")
    design = root / "design"
    shutil.copytree(EXAMPLE.parent, design / "lamp", ignore=shutil.ignore_patterns("__pycache__"))
    spec = design / "lamp" / "techpack.yaml"
    spec.write_text(_without_assembly(spec.read_text(encoding="utf-8")), encoding="utf-8")
    git(design, "init", "-q")
    git(design, "add", "-A")
    git(design, "commit", "-qm", "revision B")
    zip_b = _build(spec, root / "out-1")
    _edit(design / "lamp" / "models" / "base.py", "for a in (45, 135, 225, 315)", "for a in (50, 135, 225, 315)")
    _edit(spec, "ral: 7016", "ral: 9005", after="number: DL2-201")
    _edit(spec, "qty: 1", "qty: 2", after="number: DL2-601")
    git(design, "commit", "-qam", "move a foot hole, repaint the shade, two arms")
    zip_c = _build(spec, root / "out-2")
    return {"root": root, "design": design, "spec": spec, "zip_b": zip_b, "zip_c": zip_c}


@pytest.fixture(scope="module")
def git_json(repo) -> dict:
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["diff", "HEAD~1", "HEAD", "--spec", str(repo["spec"]), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _kinds(report: dict) -> dict[str, list[str]]:
    return {p["number"]: [c["kind"] for c in p["changes"]] for p in report["parts"]}


def test_two_revisions_report_exactly_the_three_changes(git_json):
    d = git_json
    assert d["changed"] is True
    assert d["product_changes"] == [] and d["hardware"] == []
    assert _kinds(d) == {"DL2-101": ["geometry", "hole"], "DL2-201": ["finish"], "DL2-601": ["qty"]}
    assert all(p["status"] == "changed" for p in d["parts"])

    base = d["parts"][0]
    geometry, hole = base["changes"]
    assert "unchanged" in geometry["text"]  # a hole moved: the same volume
    faces = base["geometry"]["faces"]
    assert len(faces["moved"]) == 2 and not faces["added"] and not faces["removed"]  # the hole's wall and floor
    assert {f["old"]["kind"] for f in faces["moved"]} == {"cylinder", "plane"}
    assert base["geometry"]["box_mm"][0] == base["geometry"]["box_mm"][1]
    assert hole["old"]["diameter_mm"] == pytest.approx(4.2) and hole["new"]["diameter_mm"] == pytest.approx(4.2)
    assert hole["old"]["entry_mm"] == pytest.approx(OLD_HOLE, abs=1e-6)
    assert hole["new"]["entry_mm"] == pytest.approx(NEW_HOLE, abs=1e-6)
    assert hole["text"] == "hole Ø4.2 10 deep moved from (45.96, 45.96) to (41.78, 49.79)"

    (finish,) = d["parts"][1]["changes"]
    assert "RAL 7016" in finish["text"].split(" -> ")[0] and "RAL 9005" in finish["text"].split(" -> ")[1]
    assert d["parts"][2]["changes"] == [{"kind": "qty", "text": "qty 1 -> 2", "old": 1, "new": 2}]
    assert d["old"]["commit"] != d["new"]["commit"] and d["old"]["revision"] == d["new"]["revision"] == "B"


def test_text_output(cli, repo):
    code, out, _ = cli("diff", "HEAD~1", "HEAD", "--spec", repo["spec"], "-q")
    assert code == 0
    lines = out.splitlines()
    assert re.fullmatch(r"DL-2: B \(commit [0-9a-f]{12}\) -> B \(commit [0-9a-f]{12}\)", lines[0])
    assert lines[1:] == [
        "DL2-101 Base",
        "  geometry: volume 235 599.3 mm³ unchanged; faces: 2 moved, 1 reshaped",
        "  hole Ø4.2 10 deep moved from (45.96, 45.96) to (41.78, 49.79)",
        ("DL2-201 Shade: finish: Wet paint, RAL 7016 Anthracite grey, gloss semi-gloss, coats 2, ΔE*ab ≤ 2 -> "
         "Wet paint, RAL 9005 Jet black, gloss semi-gloss, coats 2, ΔE*ab ≤ 2"),
        "DL2-601 Arm: qty 1 -> 2",
    ]


def test_two_packages_give_the_same_changes(cli, repo, git_json):
    code, out, err = cli("diff", repo["zip_b"], repo["zip_c"], "--format", "json")
    assert code == 0, err
    d = json.loads(out)
    assert [(p["number"], p["lines"]) for p in d["parts"]] == [(p["number"], p["lines"]) for p in git_json["parts"]]
    assert d["hardware"] == [] and d["product_changes"] == []
    assert d["old"]["commit"] == git_json["old"]["commit"] and d["new"]["commit"] == git_json["new"]["commit"]


def test_a_package_and_its_revision_are_the_same(cli, repo):
    """A zip (STEP files read back, characteristics from the drawings' JSON) and the commit it
    was built from (parts built again) reduce to the same snapshot."""
    code, out, err = cli("diff", repo["zip_b"], "HEAD~1", "--spec", repo["spec"], "-q")
    assert code == 0, err
    assert out.splitlines()[1:] == ["no changes"]


def test_working_tree_and_exit_code(cli, repo):
    spec = repo["spec"]
    code, out, _ = cli("diff", "HEAD", "HEAD", "--spec", spec, "--exit-code", "-q")
    assert (code, out.splitlines()[1:]) == (0, ["no changes"])
    code, _, _ = cli("diff", "HEAD~1", "HEAD", "--spec", spec, "--exit-code", "-q")
    assert code == 1
    original = spec.read_text(encoding="utf-8")
    try:  # NEW left out: the spec and models on disk, uncommitted edits included
        _edit(spec, "qty: 2", "qty: 4", after="number: ISO10511-M5")
        code, out, _ = cli("diff", "HEAD", "--spec", spec, "-q")
        assert code == 0
        assert out.splitlines()[0].endswith("-> B (working tree)")
        assert out.splitlines()[1:] == ["ISO10511-M5 Prevailing torque hex nut (nylon insert) M5, A2 stainless: qty 2 -> 4"]
    finally:
        spec.write_text(original, encoding="utf-8")


def test_bad_input_is_exit_2_with_one_line(cli, repo, tmp_path):
    spec = repo["spec"]
    code, out, err = cli("diff", "no-such-rev", "HEAD", "--spec", spec)
    assert code == 2 and out == ""
    assert f"error: {repo['design']}: unknown revision 'no-such-rev'" in err and "Traceback" not in err

    code, _, err = cli("diff", "HEAD~1", "HEAD", "--spec", spec.with_name("other.yaml"))
    assert code == 2 and "lamp/other.yaml is not in revision 'HEAD~1' (commit " in err

    text = tmp_path / "notes.zip"
    text.write_text("not a zip")
    code, _, err = cli("diff", text, repo["zip_c"])
    assert code == 2 and f"error: {text}: not a package zip" in err

    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("x/readme.txt", "hello")
    code, _, err = cli("diff", empty, repo["zip_c"])
    assert code == 2 and "not a techpack package: no manifest.json" in err

    supplier = next(repo["zip_c"].parent.glob("*_cnc.zip"))
    code, _, err = cli("diff", supplier, repo["zip_c"])
    assert code == 2 and "is a supplier's package" in err

    outside = tmp_path / "no-git" / "techpack.yaml"
    outside.parent.mkdir()
    outside.write_text("techpack: 1\n")
    code, _, err = cli("diff", "HEAD~1", "HEAD", "--spec", outside)
    assert code == 2 and "is not in a git repository" in err

    code, out, _ = cli("diff", "no-such-rev", "HEAD", "--spec", spec, "--format", "json")
    assert code == 2 and json.loads(out)["ok"] is False


def _project(points: np.ndarray, direction) -> np.ndarray:
    """Points seen from direction as (right, down) coordinates (documents/shade.py's view)."""
    from techpack.documents.shade import basis

    _, right, up = basis(np.asarray(direction, dtype=float))
    return np.stack([points @ right, -(points @ up)], axis=-1)


def test_changed_region_picture(repo, tmp_path):
    from techpack.diff import diff, pictures
    from techpack.diff.picture import (
        ADDED,
        REMOVED,
        RING,
        changed_picture,
        highlight_mask,
    )

    d = diff("HEAD~1", "HEAD", repo["spec"], Reporter(0))
    base = d.parts[0]
    png, direction = changed_picture(base.old.solid, base.new.solid)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert changed_picture(base.old.solid, base.new.solid)[0] == png  # deterministic
    assert pictures(d) == {"DL2-101": png}  # only the part whose geometry changed
    assert direction[2] < 0  # the feet are on the underside: seen from below

    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert abs(max(image.shape[:2]) - 480) <= 2
    lit = highlight_mask(image)
    assert 20 < lit.sum() < 0.01 * lit.size  # a small region, and it shows
    # where the base is on the picture: its outline (Ø160 x 12, 1 mm chamfer under, R3 over) seen from `direction`
    t = np.linspace(0, 2 * np.pi, 721)
    radius = lambda z: 79 + z if z < 1 else 80 if z <= 9 else 77 + math.sqrt(9 - (z - 9) ** 2)  # noqa: E731
    rim = np.concatenate([np.stack([radius(z) * np.cos(t), radius(z) * np.sin(t), np.full_like(t, z)], axis=-1) for z in np.linspace(0, 12, 49)])
    seen = _project(rim, direction)
    part = np.any(image < 250, axis=-1) & ~np.all(image == RING, axis=-1)
    ys, xs = np.nonzero(part)
    scale = (xs.max() - xs.min()) / (seen[:, 0].max() - seen[:, 0].min())

    def pixel(p):
        q = _project(np.asarray([p]), direction)[0]
        return np.array([xs.min() + (q[0] - seen[:, 0].min()) * scale, ys.min() + (q[1] - seen[:, 1].min()) * scale])

    def centre(hue) -> np.ndarray:
        rgb = image.astype(float)
        unit = rgb / np.maximum(np.linalg.norm(rgb, axis=-1, keepdims=True), 1e-9)
        mask = lit & (unit @ (np.asarray(hue) / np.linalg.norm(hue)) > 0.985)
        yy, xx = np.nonzero(mask)
        return np.array([xx.mean(), yy.mean()])

    hole_px = 4.2 * scale  # the holes are 1.1 diameters apart
    assert np.linalg.norm(centre(ADDED) - pixel(OLD_HOLE)) < 0.25 * hole_px  # the old hole filled
    assert np.linalg.norm(centre(REMOVED) - pixel(NEW_HOLE)) < 0.25 * hole_px  # the new hole cut
    yy, xx = np.nonzero(lit)
    assert np.hypot(xx - pixel(OLD_HOLE)[0], yy - pixel(OLD_HOLE)[1]).max() < 3 * hole_px + np.linalg.norm(pixel(NEW_HOLE) - pixel(OLD_HOLE))

    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["diff", "HEAD~1", "HEAD", "--spec", str(repo["spec"]), "--pictures", str(tmp_path / "pics"), "--format", "json"])
    assert result.exit_code == 0
    written = {p["number"]: p["picture"] for p in json.loads(result.stdout)["parts"]}
    assert written == {"DL2-101": str(tmp_path / "pics" / "DL2-101_changed.png"), "DL2-201": None, "DL2-601": None}
    assert (tmp_path / "pics" / "DL2-101_changed.png").read_bytes() == png


def test_changes_since_and_the_changes_page(repo, tmp_path):
    from techpack.checks import Report
    from techpack.context import BuildContext
    from techpack.diff import changes_since
    from techpack.documents import changes as page
    from techpack.spec import load_spec

    got = changes_since(repo["spec"], "HEAD~1", Reporter(0))
    commit = git(repo["design"], "rev-parse", "HEAD~1")
    assert got["since"] == f"B (commit {commit[:12]})"
    assert [(p["number"], p["status"], p["supplier"]) for p in got["parts"]] == [
        ("DL2-101", "changed", "cnc"), ("DL2-201", "changed", "caster"), ("DL2-601", "changed", "sheet")]
    assert got["parts"][0]["picture"][:4] == b"\x89PNG" and got["parts"][1]["picture"] is None
    assert got["parts"][2]["lines"] == ["qty 1 -> 2"] and got["hardware"] == [] and got["product"] == []

    loaded = load_spec(repo["spec"])

    def write(supplier, changes):
        view = loaded.for_supplier(supplier) if supplier else loaded
        folder = tmp_path / (supplier or "full")
        folder.mkdir()
        ctx = BuildContext(loaded=view, folder=folder, date=dt.date(2026, 11, 20), git=None, log=Reporter(0),
                           report=Report([], {}), supplier=supplier, changes=changes)
        return folder, [o.path for o in page.write(ctx, [])]

    folder, written = write(None, got)
    assert written == ["changes/DL2-101_changed.png", "changes.html"]
    assert (folder / "changes" / "DL2-101_changed.png").read_bytes() == got["parts"][0]["picture"]
    html = (folder / "changes.html").read_text(encoding="utf-8")
    for text in ("DL2-101 Base", "hole Ø4.2 10 deep moved from (45.96, 45.96) to (41.78, 49.79)", "RAL 9005 Jet black",
                 "DL2-601 Arm", "qty 1 -&gt; 2", 'src="changes/DL2-101_changed.png"', got["since"]):
        assert text in html
    assert not re.search(r"""(src|href)=["'](https?:|//)""", html)  # offline
    _in_chromium(folder)

    folder, written = write("cnc", got)  # the machinist: the base only
    html = (folder / "changes.html").read_text(encoding="utf-8")
    assert written == ["changes/DL2-101_changed.png", "changes.html"]
    assert "DL2-101" in html and "DL2-201" not in html and "DL2-601" not in html and "Resin Cast" not in html

    folder, written = write("print", got)  # the print farm: nothing of theirs changed
    html = (folder / "changes.html").read_text(encoding="utf-8")
    assert written == ["changes.html"] and "No change to your parts" in html
    assert not any(n in html for n in ("DL2-101", "DL2-201", "DL2-601"))

    assert write("turning", None)[1] == []  # no --since: nothing written


def _in_chromium(folder):
    """The changes page as a supplier opens it: Chromium at phone and laptop widths and printed,
    no sideways scroll, no console error, the changed-region picture loaded at its proportions."""
    index = pytest.importorskip("tests.documents.test_index")
    if index.BROWSER is None:
        pytest.skip("Chromium is not installed (Debian package chromium)")
    with index.playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=index.BROWSER, args=["--no-sandbox"])
        try:
            for width, media in ((390, "screen"), (1280, "screen"), (794, "print")):
                seen = index.visit(browser, folder, width, shot="full" if media == "screen" else None, media=media, page="changes.html")
                assert seen["errors"] == [] and seen["scrollWidth"] <= seen["innerWidth"], (width, seen["sticking_out"])
                (img,) = seen["images"]
                src, natural_w, _, shown_w, shown_h, natural_h = img
                assert src == "changes/DL2-101_changed.png" and natural_w > 0
                assert abs(shown_w / shown_h - natural_w / natural_h) < 0.02, img  # not stretched
        finally:
            browser.close()


# --- the comparison on small parts ----------------------------------------------------------------


def _plate(hole: float = 5.0, at=(10.0, 0.0), length: float = 80.0):
    import cadquery as cq

    return cq.Workplane("XY").box(length, 40, 6).faces(">Z").workplane().pushPoints([at]).hole(hole).val()


def _geometry(solid):
    from techpack.diff.snapshot import geometry_of
    from techpack.geometry.features import find_features

    return geometry_of(solid, find_features(solid).holes)


def test_geometry_lines():
    from techpack.diff.compare import compare_geometry

    before = _geometry(_plate())
    lines = lambda solid: [c.text for c in compare_geometry(before, _geometry(solid))[0]]  # noqa: E731
    assert lines(_plate()) == []
    assert lines(_plate(at=(15.0, 0.0))) == ["geometry: volume 19 082.2 mm³ unchanged; faces: 1 moved, 2 reshaped",
                                             "hole Ø5 through moved from (10, 0) to (15, 0)"]
    assert lines(_plate(hole=6.0)) == ["geometry: volume 19 082.2 -> 19 030.4 mm³ (-51.8); faces: 2 reshaped, 1 removed, 1 added",
                                       "hole at (10, 0): Ø5 through -> Ø6 through"]
    assert lines(_plate(length=90.0)) == [("geometry: volume 19 082.2 -> 21 482.2 mm³ (+2 400.0); size 80 × 40 × 6 -> 90 × 40 × 6 mm; "
                                           "faces: 2 moved, 4 reshaped")]
    changes, details = compare_geometry(before, _geometry(_plate().translate((1, 0, 0))))
    assert changes[0].text.startswith("geometry: volume 19 082.2 mm³ unchanged; bounding box moved by (1, 0, 0)")
    assert details["box_mm"][1][0] == pytest.approx(-39.0)


PLATE = """
import cadquery as cq

def build(hole=5.0):
    return cq.Workplane("XY").box(80, 40, 6).faces(">Z").workplane().hole(hole)
"""


def test_tolerances_material_and_hardware(project):
    """Characteristics (an ISO 286 fit, a flatness), material, supplier (by name, not by key) and
    hardware; nothing else."""
    from techpack.diff import compare
    from techpack.diff.sides import worktree_snapshot

    project.write("models/plate.py", PLATE)
    part = """
    - number: P-1
      name: Plate
      model: models/plate.py
      material: {material}
      process: cnc-milling
      supplier: {supplier}
      features:
        - {{name: bore, select: {{hole: 5}}, fit: {fit}}}
        - {{name: bottom, select: {{face: "<Z"}}, flatness: {flat}}}
    """
    suppliers = "suppliers:\n  a: {name: Shop A}\n  b: {name: Shop B}\n  c: {name: Shop B}\n"
    hardware = "hardware:\n  - {number: HW-1, name: Screw, qty: %d, supplier: a}\n"
    old = project.spec(part.format(material="aluminium 6061-T6", supplier="b", fit="H7", flat=0.05), extra=suppliers, name="old.yaml")
    old.write_text(old.read_text() + hardware % 2)
    new = project.spec(part.format(material="Al 7075-T6", supplier="c", fit="H8", flat=0.02), extra=suppliers, name="new.yaml")
    new.write_text(new.read_text() + hardware % 3)
    same = project.spec(part.format(material="6061", supplier="c", fit="H7", flat=0.05), extra=suppliers, name="same.yaml")
    same.write_text(same.read_text() + hardware % 2)

    a, b = worktree_snapshot(old, Reporter(0)), worktree_snapshot(new, Reporter(0))
    d = compare(a, b)
    assert [(p.number, p.lines) for p in d.parts] == [("P-1", [
        "material: Aluminium 6061-T6 -> Aluminium 7075-T6",
        "bore: Ø5 H7 (5 .. 5.012 mm) -> Ø5 H8 (5 .. 5.018 mm)",
        "bottom: flatness 0.05 -> flatness 0.02",
    ])]
    assert [(h.number, h.lines) for h in d.hardware] == [("HW-1", ["qty 2 -> 3"])]
    assert compare(a, worktree_snapshot(same, Reporter(0))).empty  # another name of the material, another key of the same supplier

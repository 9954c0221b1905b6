"""The finishing instructions: the example built once, its PDFs read back with pdfplumber and
rendered with pdftoppm; a small box part for template overrides, determinism and bad input."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pdfplumber
import pytest
from PIL import Image as PILImage
from PIL import Image

from techpack.finish_effects import masked_surfaces
from tests.conftest import BOX_SCRIPT

FINISHED = {"DL2-101": "base", "DL2-201": "shade", "DL2-301": "arm-bracket", "DL2-501": "stem", "DL2-601": "arm"}


@pytest.fixture(scope="module")
def example(example_package):
    """The example built once: (build result, {part number: (pdf path, text of every page)})."""
    docs = {}
    for number, slug in FINISHED.items():
        pdf = example_package.folder / "finishing" / f"{number}_{slug}_revB_finishing.pdf"
        with pdfplumber.open(pdf) as doc:
            docs[number] = (pdf, [page.extract_text() for page in doc.pages])
    return example_package.result, docs


def text(example, number: str) -> str:
    return "\n".join(example[1][number][1])


def model(example, number: str):
    return next(p for p in example[0].parts if p.spec.number == number)


def test_one_document_per_finished_part(example):
    result, _ = example
    finishing = sorted(f for f in result.files if f.startswith("finishing/"))
    assert finishing == sorted(f"finishing/{n}_{s}_revB_finishing.pdf" for n, s in FINISHED.items())  # not the knob: no finish


def test_every_page_has_the_title_block(example):
    for number, (_, pages) in example[1].items():
        for k, page in enumerate(pages, 1):
            for field in ("Studio North Ltd", number, "A. Designer", "B. Lead", "2026-11-20", "Finishing instructions", f"{k}/{len(pages)}"):
                assert field in page, (number, k, field)


def test_the_base_steps_with_parameters_and_standards(example):
    t = text(example, "DL2-101")
    for expected in ("Step 1: Bead blast", "glass bead", "120", "Step 2: Anodise (sulphuric acid)", "MIL-PRF-8625 Type II",
                     "RAL 9005 Jet black", "10 µm", "5 µm", "MIL-PRF-8625 class 2", "Seal: hot DI water", "ISO 2360", "ISO 3668",
                     "against the physical RAL", "drawing's dimensions apply after finishing"):
        assert expected in t, expected


def test_the_base_masking_names_each_feature_with_the_models_balloons(example):
    m = model(example, "DL2-101")
    masked = masked_surfaces(m)
    assert [x.feature for x in masked] == ["stem bore", "foot threads", "underside"]
    lines = text(example, "DL2-101").splitlines()
    for k, x in enumerate(masked, 1):
        balloons = [c.number for c in m.characteristics if c.feature == x.feature]
        assert balloons and list(x.balloons) == balloons
        row = f"M{k} {x.feature} {x.reason} {', '.join(map(str, balloons))} {len(x.face_ids)}"
        assert row in lines, row


def test_the_base_sizes_after_anodising(example):
    """The top face 12 ±0.1 over the masked underside (datum A): one coated face, 5 µm of
    type II anodise's 10 µm outward, dimensions after finishing: machine 5 µm thinner."""
    m = model(example, "DL2-101")
    balloon = next(c.number for c in m.characteristics if c.feature == "top face" and c.kind == "size")
    assert f"{balloon} top face 12 ±0.1 1 11.895 – 12.095 11.900 – 12.100" in text(example, "DL2-101").splitlines()
    # the H7 stem bore is masked: it keeps its machined size and is not in the table
    assert "10.015 –" not in text(example, "DL2-101")


def test_the_bracket_powder_coat(example):
    t = text(example, "DL2-301")
    for expected in ("Powder coat", "RAL 9005 Jet black", "matt: 1–8 GU at 60° (ISO 2813)", "70 µm", "180–200 °C, 15–20 min",
                     "ISO 2178", "ISO 2409", "class 0", "M1 stem hole mask: true", "M2 pivot hole mask: true",
                     "drawing's dimensions apply before finishing"):
        assert expected in t, expected


def test_the_shade_paint_and_the_arm_passivation(example):
    t = text(example, "DL2-201")
    for expected in ("Wet paint", "RAL 7016 Anthracite grey", "semi-gloss: 41–70 GU at 60°", "Coats 2", "ISO 2808", "50 µm",
                     "No surface is masked", "class A"):
        assert expected in t, expected
    t = text(example, "DL2-601")
    for expected in ("Passivation", "ASTM A967 / AMS 2700", "Method citric", "practice B", "adds no thickness"):
        assert expected in t, expected


def test_acceptance_cosmetic_classes_photo_and_packaging(example):
    t = text(example, "DL2-101")
    for expected in ("All surfaces: class A", "fingernail", "610 mm", "10 s", "Reference photos",
                     "photos/base-reference.png", "one bag per unit", "52 bags for this order", "DL2-101, revision B"):
        assert expected in t, expected
    assert "All surfaces: class B" in text(example, "DL2-301")  # a finished part without a class: B
    with pdfplumber.open(example[1]["DL2-101"][0]) as pdf:
        photo_page = next(p for p in pdf.pages if "Reference photos" in p.extract_text())
        masking_page = next(p for p in pdf.pages if "Seen from" in p.extract_text())
        assert photo_page.images and masking_page.images  # the photo, and the masking picture


def test_the_pages_render_and_the_masking_picture_is_in_colour(example, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler) is not installed")
    for number, (pdf, pages) in example[1].items():
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / number)], check=True)
        images = sorted(tmp_path.glob(f"{number}-*.png"))
        assert len(images) == len(pages)
        for png in images:
            grey = Image.open(png).convert("L")
            assert grey.getextrema()[0] < 100, png  # not blank: there is dark ink
    # the base's masking picture: the masked faces' colours (orange M1, blue M2)
    rgb = [Image.open(p).convert("RGB") for p in sorted(tmp_path.glob("DL2-101-*.png"))]
    colours = {tuple(px) for im in rgb for px in np.asarray(im).reshape(-1, 3)[::3]}
    assert any(r > 180 and 60 < g < 150 and b < 60 for r, g, b in colours)  # orange
    assert any(b > 150 and r < 80 for r, g, b in colours)  # blue


# --- a small part: template overrides, determinism, bad input --------------------------------------

BOX_PART = ("- {number: P1, name: Box, model: models/box.py, material: 6061, process: cnc-milling, finish: [{anodise: {ral: 9005}}],"
            " features: [{name: lid, select: {face: '>Z'}, mask: true}]%s}")


def box(project, extra: str = ""):
    project.write("models/box.py", BOX_SCRIPT)
    return project.spec(BOX_PART % extra)


def finishing_pdf(out: Path) -> bytes:
    return zipfile.ZipFile(out / "T-1_revA.zip").read("T-1_revA/finishing/P1_box_revA_finishing.pdf")


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    with pdfplumber.open(path) as pdf:
        return "\n".join(p.extract_text() for p in pdf.pages)


def test_the_document_is_byte_identical_between_builds(project, cli, tmp_path):
    spec = box(project)
    assert cli("build", spec, "-o", tmp_path / "a", "--quiet")[0] == 0
    assert cli("build", spec, "-o", tmp_path / "b", "--quiet")[0] == 0
    assert finishing_pdf(tmp_path / "a") == finishing_pdf(tmp_path / "b")


def test_a_user_template_beside_the_spec_changes_the_document(project, cli, tmp_path):
    spec = box(project)
    assert cli("build", spec, "-o", tmp_path / "before", "--quiet")[0] == 0
    before = pdf_text(finishing_pdf(tmp_path / "before"), tmp_path)
    assert "one bag per unit" in before and "M1 lid mask: true" in before
    project.write("templates/finishing/handling.j2", "# 5 Packing\n- Wrap {{ part.number }} in acid-free tissue, **three** to a box.\n")
    assert cli("build", spec, "-o", tmp_path / "after", "--quiet")[0] == 0
    after = pdf_text(finishing_pdf(tmp_path / "after"), tmp_path)
    assert "Wrap P1 in acid-free tissue, three to a box." in after and "one bag per unit" not in after
    assert "M1 lid mask: true" in after  # the other sections are techpack's


@pytest.mark.parametrize("name, text, error", [
    ("steps.j2", "# 1 Steps\n{% for s in steps %}\n- {{ s.title }\n{% endfor %}\n", r"steps\.j2:3:1: template syntax error"),
    ("handling.j2", "# 5 Packing\n\n- {{ bags_per_box }}\n", r"handling\.j2:3:1: template error: 'bags_per_box' is undefined"),
    ("acceptance.j2", "# 4 Acceptance\n@photo 3\n", r"acceptance\.j2: @photo 3: P1 has 0 photo"),
    ("handling.j2", "# 5 Packing\n\n- {{ 1 / 0 }}\n", r"handling\.j2:3:1: template error: ZeroDivisionError"),
    ("handling.j2", "# 5 Packing\n\n- {{ part.number + 1 }}\n", r"handling\.j2:3:1: template error: TypeError"),
], ids=["syntax", "undefined", "no such photo", "division by zero", "type error"])
def test_a_broken_user_template_names_its_file_and_line(project, cli, tmp_path, name, text, error):
    spec = box(project)
    project.write(f"templates/finishing/{name}", text)
    code, _, err = cli("build", spec, "-o", tmp_path / "out")
    assert code == 2, err
    assert re.search(r"templates/finishing/" + error, err), err
    assert "Traceback" not in err and not (tmp_path / "out" / "T-1_revA.zip").exists()


BAD = {
    "cosmetic class D": (", cosmetic: D", "parts[0].cosmetic", "expected one of A, B, C; got 'D'"),
    "missing photo": (", photos: [photos/nope.png]", "parts[0].photos[0]", "photo 'photos/nope.png' not found"),
    "photo not an image": (", photos: [photos/notes.png]", "parts[0].photos[0]", "photo 'photos/notes.png' is not a readable image"),
    "truncated photo": (", photos: [photos/cut.jpg]", "parts[0].photos[0]", "photo 'photos/cut.jpg' is not a readable image"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_finishing_input_exits_2_with_file_line_and_key(project, cli, tmp_path, case):
    extra, key, message = BAD[case]
    project.write("photos/notes.png", "not a picture, just text\n")
    whole = io.BytesIO()
    PILImage.new("RGB", (64, 64), (200, 30, 30)).save(whole, "JPEG")
    (project.root / "photos" / "cut.jpg").write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])  # verify() passes it
    spec = box(project, extra)
    code, _, err = cli("build", spec, "-o", tmp_path / "out")
    assert code == 2, err
    assert re.search(rf"techpack\.yaml:4:\d+: {re.escape(key)}", err), err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "out" / "T-1_revA.zip").exists()


def test_a_masked_feature_that_selects_no_face(project, cli, tmp_path):
    project.write("models/box.py", BOX_SCRIPT)
    spec = project.spec(BOX_PART.replace("'>Z'", "'>Z and <X'") % "")
    code, _, err = cli("build", spec, "-o", tmp_path / "out")
    assert code == 2, err
    assert re.search(r"techpack\.yaml:4:\d+: parts\[0\]\.features\[0\]\.select\.face", err), err
    assert "selects no face of models/box.py (masked for finishing)" in err and "Traceback" not in err
    assert not (tmp_path / "out" / "T-1_revA.zip").exists()


def test_check_reports_a_broken_template_before_any_geometry(project, cli, tmp_path):
    spec = box(project)
    project.write("templates/finishing/effect.j2", "# 3 Effect\n\n{% if sizes %}\n- none\n")
    code, _, err = cli("check", spec)
    assert code == 2, err
    assert re.search(r"templates/finishing/effect\.j2:\d+:1: template syntax error", err), err
    assert "Traceback" not in err and "DFM checks" not in err

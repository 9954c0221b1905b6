"""Roughness: N grades, µin conversion and the Ra parser, against shared reference standards.md §4."""

from __future__ import annotations

import pytest

from techpack.standards import Roughness, StandardsError, parse_roughness
from techpack.standards.roughness import (
    grade_for_measured_ra,
    grade_for_ra,
    ra_for_grade,
    ra_to_vdi3400,
    uin_to_um,
    um_to_uin,
    vdi3400_to_ra,
)

# §4.1: grade, Ra µm, Ra µin
N_TABLE = [
    ("N12", 50, 2000), ("N11", 25, 1000), ("N10", 12.5, 500), ("N9", 6.3, 250), ("N8", 3.2, 125),
    ("N7", 1.6, 63), ("N6", 0.8, 32), ("N5", 0.4, 16), ("N4", 0.2, 8), ("N3", 0.1, 4),
    ("N2", 0.05, 2), ("N1", 0.025, 1),
]


@pytest.mark.parametrize("grade,ra_um,ra_uin", N_TABLE)
def test_n_grade_table(grade, ra_um, ra_uin):
    assert ra_for_grade(grade) == pytest.approx(ra_um, abs=1e-12)
    assert grade_for_ra(ra_um) == grade
    r = parse_roughness(grade)
    assert (r.ra_um, r.ra_uin, r.n_grade) == (pytest.approx(ra_um, abs=1e-12), pytest.approx(ra_uin, abs=1e-12), grade)


@pytest.mark.parametrize("grade,ra_um,ra_uin", N_TABLE)
def test_parse_ra_um_and_uin(grade, ra_um, ra_uin):
    assert parse_roughness(f"Ra {ra_um}").n_grade == grade
    r = parse_roughness(f"Ra {ra_uin} µin")
    assert r.n_grade == grade
    assert r.ra_um == pytest.approx(ra_uin * 0.0254, abs=1e-12)


@pytest.mark.parametrize(
    "text,ra_um,grade",
    [
        ("Ra 1.6", 1.6, "N7"),
        ("Ra1.6", 1.6, "N7"),
        ("Ra 1.6 µm", 1.6, "N7"),
        ("Ra 1.6um", 1.6, "N7"),
        ("Ra 1,6", 1.6, "N7"),
        ("Ra 0.8 μm", 0.8, "N6"),  # Greek mu
        ("N7", 1.6, "N7"),
        ("Ra 63 µin", 1.6002, "N7"),
        ("Ra 63 uin", 1.6002, "N7"),
        ("Ra 63 μin", 1.6002, "N7"),
        ("Ra 125uin", 3.175, "N8"),
        ("Ra 2", 2.0, None),
        ("Ra 64 uin", 1.6256, None),
        (" Ra 3.2 ", 3.2, "N8"),
    ],
)
def test_parse_forms(text, ra_um, grade):
    r = parse_roughness(text)
    assert isinstance(r, Roughness)
    assert r.ra_um == pytest.approx(ra_um, abs=1e-9)
    assert r.n_grade == grade


def test_uin_conversion_is_exact_inch():
    assert uin_to_um(1000) == pytest.approx(25.4, abs=1e-12)
    assert um_to_uin(25.4) == pytest.approx(1000, abs=1e-9)
    assert parse_roughness("Ra 1.6").ra_uin == pytest.approx(62.992126, abs=1e-6)


@pytest.mark.parametrize(
    "ra,grade",
    [(7.4, "N10"), (6.3, "N9"), (6.31, "N10"), (0.01, "N1"), (0.025, "N1"), (0.026, "N2"), (50, "N12"), (1.0, "N7")],
)
def test_measured_ra_takes_the_rougher_grade(ra, grade):
    assert grade_for_measured_ra(ra) == grade


@pytest.mark.parametrize("ra", [50.1, 0, -1])
def test_measured_ra_out_of_table(ra):
    with pytest.raises(StandardsError):
        grade_for_measured_ra(ra)


@pytest.mark.parametrize(
    "text",
    ["Rz 6.3", "ra 1.6", "Ra", "Ra 0", "Ra -1", "Ra 1.6 mm", "N0", "N13", "N07", "N", "1.6", "", "Ra 1.6 µm extra"],
)
def test_parse_errors(text):
    with pytest.raises(StandardsError):
        parse_roughness(text)


def test_parse_rejects_non_text():
    with pytest.raises(StandardsError):
        parse_roughness(1.6)  # type: ignore[arg-type]


def test_unknown_grade():
    with pytest.raises(StandardsError):
        ra_for_grade("N13")


def test_to_dict():
    assert parse_roughness("N7").to_dict() == {"ra_um": 1.6, "ra_uin": 63, "n_grade": "N7"}
    assert parse_roughness("Ra 63 uin").to_dict() == {"ra_um": 1.6002, "ra_uin": 63, "n_grade": "N7"}
    assert parse_roughness("Ra 2").to_dict() == {"ra_um": 2, "ra_uin": 78.74, "n_grade": None}
    assert parse_roughness("Ra 1.6").text == "Ra 1.6"


# §4.2 VDI 3400: the published table is rounded (preferred numbers), so 2 % tolerance.
VDI = [(0, 0.10), (6, 0.20), (12, 0.40), (15, 0.56), (18, 0.80), (21, 1.12), (24, 1.60), (27, 2.24),
       (30, 3.15), (33, 4.50), (36, 6.30), (39, 9.00), (42, 12.5), (45, 18.0)]


@pytest.mark.parametrize("vdi,ra", VDI)
def test_vdi3400(vdi, ra):
    assert vdi3400_to_ra(vdi) == pytest.approx(ra, rel=0.02)
    assert ra_to_vdi3400(vdi3400_to_ra(vdi)) == pytest.approx(vdi, abs=1e-9)


def test_vdi3400_bad_ra():
    with pytest.raises(StandardsError):
        ra_to_vdi3400(0)

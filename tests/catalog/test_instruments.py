"""The instrument table (catalog/instruments.yaml) and the 10:1 rule of instrument_for."""

from __future__ import annotations

import pytest

from techpack.catalog.instruments import instrument_for, instruments, measured_kind, table
from techpack.inspection import Characteristic

KINDS = ("size", "thread", "flatness", "parallelism", "perpendicularity", "position", "roughness")


def char(kind: str, upper: float | None, lower: float | None, nominal: float | None = None, unit: str = "mm") -> Characteristic:
    return Characteristic(number=1, part="P-1", feature="f", feature_index=0, kind=kind, text=kind, nominal=nominal,
                          upper=upper, lower=lower, unit=unit, datums=(), critical=False, general=False, count=1)


def size(nominal: float, band: float) -> Characteristic:
    return char("size", nominal + band / 2, nominal - band / 2, nominal)


def test_every_instrument_has_a_source_and_a_resolution_or_is_an_attribute_gauge():
    ratio, source, rows = table()
    assert ratio == 10 and "Minitab" in source
    assert len({i.key for i in rows}) == len(rows)
    for inst in rows:
        assert inst.source and inst.kinds
        assert (inst.resolution is None) == inst.attribute
        assert inst.unit in ("mm", "µm")


def test_every_characteristic_kind_has_an_instrument():
    for kind in KINDS:
        for internal in (False, True):
            unit = "µm" if kind == "roughness" else "mm"
            assert any(measured_kind(kind, internal) in i.kinds and i.unit == unit for i in instruments()), (kind, internal)


@pytest.mark.parametrize("nominal,band,internal,expected", [
    (10, 0.015, True, "bore-gauge"),        # Ø10 H7: 15 µm needs 1.5 µm or finer
    (10, 0.2, True, "caliper"),             # ±0.1: the caliper's 0.01 mm is 20:1
    (100, 10, False, "steel-rule"),         # ±5: 0.5 mm is 20:1
    (100, 4, False, "caliper"),             # ±2: the rule's 0.5 mm is 8:1
    (12, 0.05, False, "micrometer"),        # 0.05 band: the caliper is 5:1
    (10, 0.009, False, "cmm"),              # Ø10 p6: the micrometer is 9:1
    (200, 0.02, False, "cmm"),              # beyond the micrometer set's 100 mm
])
def test_size_instruments(nominal, band, internal, expected):
    choice = instrument_for(size(nominal, band), internal=internal)
    assert choice.instrument.key == expected
    assert choice.meets and choice.ratio >= 10 - 1e-9


def test_the_cheapest_instrument_that_meets_ten_to_one_is_chosen():
    rows = instruments()
    for internal in (False, True):
        for band in (0.001, 0.004, 0.009, 0.01, 0.015, 0.02, 0.05, 0.1, 0.2, 1, 5, 10):
            c = size(20, band)
            choice = instrument_for(c, internal=internal)
            kind = measured_kind("size", internal)
            able = [i for i in rows if kind in i.kinds and not i.attribute and i.holds(20)]
            ok = [i for i in able if i.resolution <= band / 10 * (1 + 1e-9)]
            if ok:
                assert choice.instrument == ok[0] and choice.meets, (band, internal)
            else:
                assert choice.instrument == min(able, key=lambda i: i.resolution) and not choice.meets
                assert "10:1 not met" in choice.note


def test_a_band_no_instrument_resolves_flags_the_finest():
    choice = instrument_for(size(10, 0.002))  # 2 µm: the CMM's 0.5 µm is 4:1
    assert choice.instrument.key == "cmm"
    assert not choice.meets
    assert choice.ratio == pytest.approx(4)
    assert "10:1 not met (4.0:1)" in choice.note


def test_threads_take_go_no_go_gauges():
    thread = char("thread", None, None, 5.0)
    assert instrument_for(thread, internal=True).instrument.key == "thread-plug-gauge"
    ring = instrument_for(thread, internal=False)
    assert ring.instrument.key == "thread-ring-gauge"
    assert ring.instrument.attribute and ring.meets and "GO / NO-GO" in ring.note


def test_geometric_tolerances_and_roughness():
    assert instrument_for(char("position", 0.2, 0.0)).instrument.key == "cmm"
    assert instrument_for(char("flatness", 0.05, 0.0)).instrument.key == "cmm"
    assert instrument_for(char("parallelism", 0.5, 0.0)).instrument.key == "height-gauge"  # 0.01 mm is 50:1
    assert instrument_for(char("parallelism", 0.05, 0.0)).instrument.key == "cmm"  # the height gauge is 5:1
    ra = instrument_for(char("roughness", 1.6, None, unit="µm"))
    assert ra.instrument.key == "roughness-tester" and ra.ratio == pytest.approx(160)
    fine = instrument_for(char("roughness", 0.05, None, unit="µm"))  # 0.01 µm is 5:1
    assert fine.instrument.key == "roughness-tester" and not fine.meets


def test_a_kind_no_instrument_measures():
    choice = instrument_for(char("cylindricity", 0.01, 0.0))
    assert choice.instrument is None and not choice.meets
    assert "cylindricity" in choice.note

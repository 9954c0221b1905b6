"""The shared shaded-picture renderer (documents/shade.py): sizes and hiding checked on boxes whose
pictures are known, colours per shape, and deterministic PNG bytes."""

from __future__ import annotations

import struct
import zlib

import cadquery as cq
import numpy as np
import pytest

from techpack.documents import mask_picture, shade

RED, BLUE = (0.9, 0.1, 0.1), (0.1, 0.2, 0.9)


def _box(x, y, z, at=(0, 0, 0)):
    return cq.Workplane("XY").box(x, y, z, centered=False).translate(at).val()


def _ink(image: np.ndarray) -> np.ndarray:
    """Where the picture is not white background."""
    return (image < 250).any(axis=-1)


def _chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    out, i = [], 8
    while i < len(data):
        (n,) = struct.unpack(">I", data[i:i + 4])
        kind = data[i + 4:i + 8]
        assert zlib.crc32(data[i + 4:i + 8 + n]) == struct.unpack(">I", data[i + 8 + n:i + 12 + n])[0]
        out.append(kind)
        i += 12 + n
    return out


def test_a_box_seen_from_above_is_a_rectangle_of_its_proportions():
    image = shade.picture([(_box(10, 20, 30), shade.GREY)], direction=(0, 0, 1), px=200)
    assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
    assert max(image.shape[:2]) == 200
    ys, xs = np.nonzero(_ink(image))
    width, height = xs.max() - xs.min() + 1, ys.max() - ys.min() + 1
    assert height == pytest.approx(192, abs=2)  # 200 px less the 4 px margin each side
    assert width / height == pytest.approx(10 / 20, abs=0.02)
    assert (image[0, 0] == 255).all() and (image[-1, -1] == 255).all()  # white round it


def test_the_iso_view_of_a_box_shows_three_faces_each_lit_differently():
    image = shade.picture([(_box(20, 20, 20), shade.GREY)], px=240, supersample=1)
    levels = {tuple(p) for p in image.reshape(-1, 3)}
    greys = {p for p in levels if p != (255, 255, 255) and p != (51, 51, 51)}  # less background and edge lines
    assert len(greys) == 3, greys  # top, front and right faces
    assert (51, 51, 51) in levels  # the edges between them


def test_each_shape_in_its_colour_and_the_nearer_one_hides_the_farther():
    below, above = _box(20, 20, 5), _box(20, 20, 5, at=(0, 0, 20))
    image = shade.picture([(below, RED), (above, BLUE)], direction=(0, 0, 1), px=100, supersample=1)
    ink = image[_ink(image)].astype(int)
    blue = (ink[:, 2] > 2 * ink[:, 0])
    red = (ink[:, 0] > 2 * ink[:, 2])
    assert blue.sum() > 0.9 * len(ink) and red.sum() == 0  # seen from above, the upper box covers the lower one
    image = shade.picture([(below, RED), (above, BLUE)], direction=(1, -1, 0.2), px=160, supersample=1)
    ink = image[_ink(image)].astype(int)
    assert (ink[:, 0] > 2 * ink[:, 2]).sum() > 100 and (ink[:, 2] > 2 * ink[:, 0]).sum() > 100  # from the side: both


def test_pictures_and_their_png_bytes_are_deterministic(tmp_path):
    shape = cq.Workplane("XY").cylinder(30, 12).faces(">Z").workplane().hole(6).val()
    a = shade.picture([(shape, RED)], px=160)
    b = shade.picture([(cq.Workplane("XY").cylinder(30, 12).faces(">Z").workplane().hole(6).val(), RED)], px=160)
    assert np.array_equal(a, b)
    first = shade.save_png(a, tmp_path / "a.png")
    second = shade.save_png(b, tmp_path / "b.png")
    assert first == second == (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    assert _chunks(first) == [b"IHDR", b"IDAT", b"IEND"]  # no tIME, no tEXt: nothing that changes between builds


def test_supersampling_smooths_the_outline_without_moving_it():
    sharp = shade.picture([(_box(20, 20, 20), shade.GREY)], px=120, supersample=1)
    smooth = shade.picture([(_box(20, 20, 20), shade.GREY)], px=120, supersample=3)
    assert abs(sharp.shape[0] - smooth.shape[0]) <= 1 and abs(sharp.shape[1] - smooth.shape[1]) <= 1
    assert len({tuple(p) for p in smooth.reshape(-1, 3)}) > len({tuple(p) for p in sharp.reshape(-1, 3)})


def test_the_masking_picture_is_drawn_by_the_same_renderer():
    """One rasteriser: the finishing instructions' picture calls shade's steps, with no copy of its own."""
    for private in ("_raster", "_cover", "_mesh", "_colour", "_basis"):
        assert not hasattr(mask_picture, private), private
    assert mask_picture.shade is shade

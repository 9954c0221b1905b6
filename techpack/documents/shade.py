"""Shaded pictures of solids: a flat-shaded z-buffer of a mesh of a copy of each shape (hidden-line
projection is too slow for a picture that only has to be recognisable), a dark line where the
face changes, the background white. Deterministic: the same shapes give the same pixels, and
`save_png` the same bytes. One renderer for every picture in the package: the parts on the
cover page, the finishing instructions' masking pictures, the assembly's exploded view and the
changed region of a diff.

`picture()` is the whole job for most callers; `mesh`, `raster` and `colour` are its steps, for
a caller that needs the face under each pixel (the masking picture marks its features)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Sequence

import numpy as np
from OCP.BRepBuilderAPI import BRepBuilderAPI_Copy
from PIL import Image

from techpack.geometry.mesh import face_triangles

RGB = tuple[float, float, float]  # each 0..1

GREY: RGB = (0.86, 0.86, 0.84)  # a part without a colour of its own
BACKGROUND: RGB = (1.0, 1.0, 1.0)
EDGE = 0.2  # grey level of the lines between faces and round the outline
PX = 480  # the picture's longer side, pixels
ISO = (1.0, -1.0, 1.0)  # the usual isometric view: from above, front right
MESH_FINENESS = 220  # chordal deflection = the model's largest size / this
ANGLE = 0.35  # angular deflection of the mesh, radians (the masking picture's)
SMOOTH_ANGLE = 0.2  # picture()'s: curved faces show fewer facets (finer costs time: 0.12 doubles the meshing)


def picture(
    shapes_with_colours: Sequence[tuple[object, RGB]],
    direction: Sequence[float] = ISO,
    px: int = PX,
    supersample: int = 2,
    angle: float = SMOOTH_ANGLE,
) -> np.ndarray:
    """The shapes (TopoDS_Shape, or anything with `.wrapped`, in mm) seen from `direction` (a
    vector from the model towards the viewer), each flat-shaded in its colour (r, g, b in
    0..1), on white: an (h, w, 3) uint8 image whose longer side is `px` pixels. Rendered at
    `supersample` times the size and averaged down, so edges are smooth; curved faces meshed
    to `angle` radians."""
    shapes = [(getattr(s, "wrapped", s), c) for s, c in shapes_with_colours]
    if not shapes:
        raise ValueError("picture() needs at least one shape")
    size = _largest_size([s for s, _ in shapes])
    tris, fids, lut = [], [], [np.array(BACKGROUND, dtype=np.float32)]
    offset = 0
    for shape, rgb in shapes:
        t, f = mesh(shape, size, angle)
        if not len(t):
            continue
        tris.append(t)
        fids.append(f + offset)
        count = int(f.max())
        lut.extend([np.array(rgb, dtype=np.float32)] * count)
        offset += count
    if not tris:
        raise ValueError("picture(): the shapes have no faces to draw")
    k = max(int(supersample), 1)
    ids, light = raster(np.concatenate(tris), np.concatenate(fids), np.asarray(direction, dtype=float), px * k, margin=4 * k)
    rgb = colour(ids, light, np.stack(lut), edge_px=k)
    return _reduce(rgb, k)


def save_png(image: np.ndarray, path: str | Path) -> bytes:
    """Write an (h, w, 3) uint8 image as PNG: the same image gives the same bytes (no time,
    no text chunks; fixed compression). Returns the bytes written."""
    data = png_bytes(image)
    Path(path).write_bytes(data)
    return data


def png_bytes(image: np.ndarray) -> bytes:
    """The PNG bytes of an (h, w, 3) uint8 image, deterministic (see save_png)."""
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image, dtype=np.uint8), "RGB").save(buf, format="PNG", optimize=True, compress_level=9)
    return buf.getvalue()


def mesh(shape, size: float, angle: float = ANGLE) -> tuple[np.ndarray, np.ndarray]:
    """The shape's triangles (n, 3, 3) mm, outward by their winding, and each one's face id
    (1-based, as in solid.Faces()), meshed to a deflection of size / MESH_FINENESS (size: mm)
    and `angle` radians. Meshes a copy: the shape's own triangulation is left alone."""
    copy = BRepBuilderAPI_Copy(getattr(shape, "wrapped", shape), True, False).Shape()
    meshes = face_triangles(copy, size / MESH_FINENESS, angle)
    if not meshes:
        return np.zeros((0, 3, 3)), np.zeros(0, dtype=int)
    tris = [nodes[corners] for _, nodes, corners in meshes]
    fids = [np.full(len(corners), fid) for fid, _, corners in meshes]
    return np.concatenate(tris), np.concatenate(fids)


def basis(direction: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(towards the viewer, right, up) unit vectors of a view from `direction`; up is +Z
    as seen (a view straight down or up has +Y up)."""
    view = np.asarray(direction, dtype=float) / np.linalg.norm(direction)
    up = np.array([0.0, 0.0, 1.0]) - view * view[2]
    if np.linalg.norm(up) < 1e-9:
        up = np.array([0.0, 1.0, 0.0]) - view * view[1]
    up /= np.linalg.norm(up)
    return view, np.cross(up, view), up


def raster(tris: np.ndarray, fids: np.ndarray, direction: np.ndarray, px: int = PX, margin: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Z-buffer rendering seen from `direction` (towards the viewer), `px` pixels on the longer
    side with `margin` blank pixels round it: per pixel the face id (0: background) and the
    light on it (0..1). Back faces are culled; the nearest triangle covering a pixel's centre wins."""
    view, right, up = basis(direction)
    normal = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
    area = np.linalg.norm(normal, axis=1)
    front = normal @ view > 1e-9 * area
    sun = view + 0.7 * up - 0.4 * right  # over the viewer's left shoulder
    light = 0.62 + 0.38 * np.clip((normal[front] / area[front, None]) @ (sun / np.linalg.norm(sun)), 0, 1)
    p = np.stack([tris[front] @ right, -(tris[front] @ up), tris[front] @ view], axis=-1)
    if not len(p):
        return np.zeros((2 * margin + 1, 2 * margin + 1), dtype=int), np.ones((2 * margin + 1, 2 * margin + 1))
    lo, hi = p[..., :2].reshape(-1, 2).min(axis=0), p[..., :2].reshape(-1, 2).max(axis=0)
    scale = (px - 2 * margin) / max(float((hi - lo).max()), 1e-9)
    p[..., :2] = (p[..., :2] - lo) * scale + margin
    w, h = (np.ceil((hi - lo) * scale) + 2 * margin).astype(int)
    pixel, depth, which = _cover(p, w, h)
    order = np.argsort(depth, kind="stable")  # far to near: the nearest is written last
    id_buf, light_buf = np.zeros(w * h, dtype=int), np.ones(w * h)
    id_buf[pixel[order]] = fids[front][which[order]]
    light_buf[pixel[order]] = light[which[order]]
    return id_buf.reshape(h, w), light_buf.reshape(h, w)


def colour(ids: np.ndarray, light: np.ndarray, lut: np.ndarray, edge_px: int = 1) -> np.ndarray:
    """RGB uint8: each pixel its face's colour lut[id] (r, g, b in 0..1) times its light,
    the background (id 0) lut[0] unshaded; a dark line `edge_px` wide where the face changes."""
    rgb = lut[ids] * np.where(ids > 0, light, 1.0).astype(np.float32)[..., None] * 255 + 0.5
    edge = np.zeros(ids.shape, dtype=bool)
    edge[:, 1:] |= ids[:, 1:] != ids[:, :-1]
    edge[1:, :] |= ids[1:, :] != ids[:-1, :]
    for _ in range(edge_px - 1):  # thicken: a line that survives averaging down
        grown = edge.copy()
        grown[:, :-1] |= edge[:, 1:]
        grown[:-1, :] |= edge[1:, :]
        edge = grown
    rgb[edge] = EDGE * 255
    return rgb.astype(np.uint8)


def face_lut(ids: np.ndarray, hues: dict[int, RGB], base: RGB = GREY) -> np.ndarray:
    """A colour table for `colour`: every face `base`, these faces their hue, the background white."""
    lut = np.tile(np.array(base, dtype=np.float32), (max(int(ids.max()), max(hues, default=0)) + 1, 1))
    for face, hue in hues.items():
        lut[face] = hue
    lut[0] = BACKGROUND
    return lut


def _reduce(rgb: np.ndarray, k: int) -> np.ndarray:
    """Average k x k blocks (the image padded with white to a multiple of k)."""
    if k == 1:
        return rgb
    h, w = rgb.shape[:2]
    H, W = -(-h // k) * k, -(-w // k) * k
    padded = np.full((H, W, 3), 255, dtype=np.uint32 if k > 16 else np.uint16)  # k*k*255 fits
    padded[:h, :w] = rgb
    blocks = padded.reshape(H // k, k, W // k, k, 3).sum(axis=(1, 3), dtype=padded.dtype)
    return ((blocks + (k * k) // 2) // (k * k)).astype(np.uint8)


def _largest_size(shapes) -> float:
    """The largest side (mm) of the shapes' common bounding box."""
    from OCP.Bnd import Bnd_Box
    from OCP.BRepBndLib import BRepBndLib

    box = Bnd_Box()
    for s in shapes:
        BRepBndLib.Add_s(s, box, False)
    if box.IsVoid():
        return 1.0
    x0, y0, z0, x1, y1, z1 = box.Get()
    return max(x1 - x0, y1 - y0, z1 - z0, 1e-6)


def _cover(p: np.ndarray, w: int, h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (pixel index, depth, triangle) whose pixel centre is inside a triangle (x, y in
    pixels, y down; z depth). Scan lines: for each row a triangle spans, the span between its
    sides; triangles grouped by the power of two of their row count, each group at once."""
    xy = p[..., :2]
    u, v = xy[:, 1] - xy[:, 0], xy[:, 2] - xy[:, 0]
    keep = np.abs(u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]) > 1e-9  # seen edge-on: nothing to fill
    index = np.nonzero(keep)[0]
    p = p[keep]
    # the depth plane z = a x + b y + c of each triangle
    m = np.concatenate([p[..., :2], np.ones(p.shape[:2] + (1,))], axis=-1)
    a, b, c = np.linalg.solve(m, p[..., 2, None])[..., 0].T
    first = np.ceil(p[..., 1].min(axis=1) - 0.5).astype(int)
    rows = np.floor(p[..., 1].max(axis=1) - 0.5).astype(int) - first + 1
    bucket = 2 ** np.ceil(np.log2(np.maximum(rows, 1))).astype(int)
    pixels, depths, which = [], [], []
    for k in sorted(set(bucket.tolist())):
        sel = np.nonzero((bucket == k) & (rows > 0))[0]
        if not len(sel):
            continue
        y = first[sel, None] + np.arange(k)[None] + 0.5  # row centres
        left, right_ = np.full(y.shape, np.inf), np.full(y.shape, -np.inf)
        for i, j in ((0, 1), (1, 2), (2, 0)):
            (x0, y0), (x1, y1) = p[sel, i, None, :2].transpose(2, 0, 1), p[sel, j, None, :2].transpose(2, 0, 1)
            crosses = ((y0 - y) * (y1 - y) <= 0) & (y0 != y1)
            x = x0 + (y - y0) * (x1 - x0) / np.where(y0 != y1, y1 - y0, 1)
            left = np.where(crosses, np.minimum(left, x), left)
            right_ = np.where(crosses, np.maximum(right_, x), right_)
        spans = np.isfinite(left)  # the padding rows past a triangle's last row have none
        start = np.maximum(np.ceil(np.where(spans, left, 0) - 0.5), 0).astype(np.int64)
        stop = np.minimum(np.floor(np.where(spans, right_, -1) - 0.5), w - 1).astype(np.int64)
        row = y.astype(np.int64)
        count = np.where((np.arange(k)[None] < rows[sel, None]) & (row >= 0) & (row < h), np.maximum(stop - start + 1, 0), 0)
        n = count.ravel()
        total = int(n.sum())
        if not total:
            continue
        tri = np.repeat(np.broadcast_to(sel[:, None], count.shape).ravel(), n)
        ys = np.repeat(row.ravel(), n)
        offsets = np.arange(total) - np.repeat(np.cumsum(n) - n, n)
        xs = np.repeat(start.ravel(), n) + offsets
        pixels.append(ys * w + xs)
        depths.append(a[tri] * (xs + 0.5) + b[tri] * (ys + 0.5) + c[tri])
        which.append(index[tri])
    if not pixels:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=np.int64)
    return np.concatenate(pixels), np.concatenate(depths), np.concatenate(which)

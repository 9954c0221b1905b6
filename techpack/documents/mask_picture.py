"""The masking picture of the finishing instructions: the part shaded from the corner view
that shows the most masked area, each masked feature in its own colour and marked M1, M2,
... at each instance. A flat-shaded z-buffer of a mesh of a copy of the part (hidden-line
projection is too slow for a picture that only has to be legible); the part's own mesh is
left alone."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from OCP.BRepBuilderAPI import BRepBuilderAPI_Copy
from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable

from techpack.documents.sheet import MM
from techpack.geometry.mesh import face_triangles
from techpack.finish_effects import mask_reason
from techpack.fonts import register

PALETTE = ((0.93, 0.46, 0.05), (0.13, 0.47, 0.85), (0.80, 0.18, 0.58), (0.05, 0.62, 0.45), (0.55, 0.32, 0.80), (0.80, 0.62, 0.0))  # M1, M2 ...
MARKS_PER_FEATURE = 8  # instances (holes) marked at most
GREY = (0.86, 0.86, 0.84)  # the rest of the part
EDGE = 0.2  # grey level of the lines between faces
PICTURE_PX = 480  # the rendering's longer side, pixels
PICTURE_MM = (150.0, 80.0)  # at most this wide and high on the page

OCTANTS = [(x, y, z) for z in (1, -1) for x, y in ((1, -1), (-1, -1), (1, 1), (-1, 1))]  # the usual iso first
SIDES = {1: "right", -1: "left"}


@dataclass(frozen=True)
class Picture:
    """A rendering: the RGB image, each mark's anchors (pixels from the top left) and colour,
    and a caption."""

    image: np.ndarray  # (h, w, 3) uint8
    marks: tuple[tuple[str, tuple[float, float, float], tuple[tuple[float, float], ...]], ...]
    caption: str


def mask_pictures(model, masked) -> list[Picture]:
    """The part from the isometric direction that shows the most masked area, and a second
    view if a masked feature does not show in the first. Each masked feature in its own
    colour, marked at each instance (each hole) that shows."""
    tris, fids = _mesh(model.solid, max(model.bbox_mm))
    selections = [s for s in model.selections if mask_reason(s.feature)]
    instances = [[set(h.faces) for h in sel.holes][:MARKS_PER_FEATURE] if sel.holes else [set(m.face_ids)]
                 for sel, m in zip(selections, masked)]
    hues = {f: PALETTE[k % len(PALETTE)] for k, m in enumerate(masked) for f in m.face_ids}
    out, left, tried = [], list(range(len(masked))), []
    while left and len(out) < 2:
        faces = {f for k in left for f in masked[k].face_ids}
        score = {d: _facing_area(tris, fids, faces, d) for d in OCTANTS if d not in tried}
        best = max(score.values())
        direction = next(d for d in score if score[d] >= 0.97 * best)  # near-ties to the usual iso, not to mesh noise
        tried.append(direction)
        ids, light = _raster(tris, fids, np.array(direction, dtype=float))
        marks = []
        for k in list(left):
            anchors = [a for group in instances[k] if (a := _anchor(np.isin(ids, list(group)))) is not None]
            if anchors:
                marks.append((f"M{k + 1}", PALETTE[k % len(PALETTE)], tuple(anchors)))
                left.remove(k)
        caption = f"Seen from {'above' if direction[2] > 0 else 'below'}, {'front' if direction[1] < 0 else 'rear'} {SIDES[direction[0]]}"
        out.append(Picture(_colour(ids, light, hues), tuple(marks), caption))
    return out


def _anchor(mask: np.ndarray) -> tuple[float, float] | None:
    """A pixel well inside a region (x, y from the top left), or None if it shows nowhere:
    erode the region while something is left, then take the pixel nearest its centre."""
    ys, xs = np.nonzero(mask)
    if not len(xs):
        return None
    x0, y0 = xs.min(), ys.min()
    mask = np.pad(mask[y0:ys.max() + 1, x0:xs.max() + 1], 1)
    for _ in range(60):
        inner = mask.copy()
        inner[1:, :] &= mask[:-1, :]
        inner[:-1, :] &= mask[1:, :]
        inner[:, 1:] &= mask[:, :-1]
        inner[:, :-1] &= mask[:, 1:]
        if not inner.any():
            break
        mask = inner
    ys, xs = np.nonzero(mask)
    i = int(np.argmin((xs - xs.mean()) ** 2 + (ys - ys.mean()) ** 2))
    return float(xs[i] + x0 - 1) + 0.5, float(ys[i] + y0 - 1) + 0.5


def _mesh(solid, size: float) -> tuple[np.ndarray, np.ndarray]:
    """The solid's triangles (n, 3, 3) mm, outward by their winding, and each one's face id
    (1-based, as in solid.Faces()). Meshes a copy: the part's own triangulation is left alone."""
    shape = BRepBuilderAPI_Copy(solid.wrapped, True, False).Shape()
    meshes = face_triangles(shape, size / 220)
    tris = [nodes[corners] for _, nodes, corners in meshes]
    fids = [np.full(len(corners), fid) for fid, _, corners in meshes]
    return np.concatenate(tris), np.concatenate(fids)


def _facing_area(tris, fids, faces: set[int], direction) -> float:
    """Area (mm²) of these faces' triangles facing the viewer, projected along direction."""
    d = np.asarray(direction, dtype=float) / np.linalg.norm(direction)
    sel = np.isin(fids, list(faces))
    n = np.cross(tris[sel, 1] - tris[sel, 0], tris[sel, 2] - tris[sel, 0]) @ d
    return float(n[n > 0].sum() / 2)


def _basis(direction: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    view = direction / np.linalg.norm(direction)
    up = np.array([0.0, 0.0, 1.0]) - view * view[2]
    up /= np.linalg.norm(up)
    return view, np.cross(up, view), up


def _raster(tris, fids, direction, px: int = PICTURE_PX) -> tuple[np.ndarray, np.ndarray]:
    """Z-buffer rendering seen from `direction` (towards the viewer), `px` pixels on the longer
    side: per pixel the face id (0: background) and the light on it (0..1). Back faces are
    culled; the nearest triangle covering a pixel's centre wins."""
    view, right, up = _basis(direction)
    normal = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
    area = np.linalg.norm(normal, axis=1)
    front = normal @ view > 1e-9 * area
    sun = view + 0.7 * up - 0.4 * right  # over the viewer's left shoulder
    light = 0.62 + 0.38 * np.clip((normal[front] / area[front, None]) @ (sun / np.linalg.norm(sun)), 0, 1)
    p = np.stack([tris[front] @ right, -(tris[front] @ up), tris[front] @ view], axis=-1)
    lo, hi = p[..., :2].reshape(-1, 2).min(axis=0), p[..., :2].reshape(-1, 2).max(axis=0)
    scale = (px - 8) / max(float((hi - lo).max()), 1e-9)
    p[..., :2] = (p[..., :2] - lo) * scale + 4
    w, h = (np.ceil((hi - lo) * scale) + 8).astype(int)
    pixel, depth, which = _cover(p, w, h)
    order = np.argsort(depth, kind="stable")  # far to near: the nearest is written last
    id_buf, light_buf = np.zeros(w * h, dtype=int), np.ones(w * h)
    id_buf[pixel[order]] = fids[front][which[order]]
    light_buf[pixel[order]] = light[which[order]]
    return id_buf.reshape(h, w), light_buf.reshape(h, w)


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


def _colour(ids: np.ndarray, light: np.ndarray, hues: dict[int, tuple]) -> np.ndarray:
    """RGB: the part grey, each masked face in its feature's colour, shaded; a dark line where
    the face changes; the background white."""
    lut = np.tile(np.array(GREY, dtype=np.float32), (max(int(ids.max()), max(hues, default=0)) + 1, 1))
    for face, hue in hues.items():
        lut[face] = hue
    lut[0] = 1.0
    rgb = lut[ids] * np.where(ids > 0, light, 1.0).astype(np.float32)[..., None] * 255 + 0.5
    edge = np.zeros(ids.shape, dtype=bool)
    edge[:, 1:] |= ids[:, 1:] != ids[:, :-1]
    edge[1:, :] |= ids[1:, :] != ids[:-1, :]
    rgb[edge] = EDGE * 255
    return rgb.astype(np.uint8)


class MaskPicture(Flowable):
    """A Picture across the frame: the image centred, at most PICTURE_MM, its marks in circles
    (beside the image when it is narrow) and its caption under it."""

    def __init__(self, picture: Picture, width: float):
        super().__init__()
        self.picture = picture
        h, w = picture.image.shape[:2]
        self.scale = min(min(width, PICTURE_MM[0] * MM) / w, PICTURE_MM[1] * MM / h)
        self.width, self.w, self.h = width, w * self.scale, h * self.scale
        self.caption = 10.0  # pt under the picture

    def wrap(self, available_width, available_height):  # ReportLab's protocol
        return self.width, self.h + self.caption + 4

    def draw(self) -> None:
        c, p = self.canv, self.picture
        left = (self.width - self.w) / 2
        c.drawImage(ImageReader(PILImage.fromarray(p.image)), left, self.caption, self.w, self.h)
        regular, bold = register()
        r = 3.0 * MM
        taken: list[tuple[float, float]] = []
        for mark, hue, anchors in p.marks:
            for px, py in anchors:
                ax, ay = left + px * self.scale, self.caption + self.h - py * self.scale
                x, y = _clear_spot(ax, ay, r, taken, self.width, self.caption, self.h)
                taken.append((x, y))
                c.setStrokeColorRGB(*hue)
                c.setFillColorRGB(*hue)
                c.setLineWidth(0.8)
                c.line(ax, ay, x, y)
                c.circle(ax, ay, 1.1, stroke=0, fill=1)
                c.setFillColor(colors.white)
                c.setLineWidth(1.2)
                c.circle(x, y, r, stroke=1, fill=1)
                c.setFillColor(colors.black)
                c.setFont(bold, 7)
                c.drawCentredString(x, y - 2.5, mark)
        c.setFont(regular, 7)
        c.setFillColor(colors.HexColor("#444444"))
        c.drawCentredString(self.width / 2, 1, f"{p.caption}. Masked faces in colour, marked as in the table above.")


def _clear_spot(ax: float, ay: float, r: float, taken, width: float, bottom: float, height: float) -> tuple[float, float]:
    """Where a mark's circle goes: off its anchor up and to the right, walking round until it
    is clear of the others and inside the picture."""
    for step in range(48):
        angle = 0.8 + step * 0.75
        reach = 3.2 * r * (1 + step // 8 * 0.5)
        x, y = ax + reach * np.cos(angle), ay + reach * np.sin(angle)
        inside = r <= x <= width - r and bottom + r <= y <= bottom + height - r
        if inside and all((x - a) ** 2 + (y - b) ** 2 >= (2.3 * r) ** 2 for a, b in taken):
            return float(x), float(y)
    return float(min(max(ax, r), width - r)), float(min(max(ay, bottom + r), bottom + height - r))

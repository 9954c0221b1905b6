"""The masking picture of the finishing instructions: the part shaded from the corner view
that shows the most masked area, each masked feature in its own colour and marked M1, M2,
... at each instance. Drawn by the package's one shaded-picture renderer (documents/shade.py),
step by step, since the marks need the face under each pixel."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable

from techpack.documents import shade
from techpack.documents.sheet import MM
from techpack.finish_effects import mask_reason
from techpack.fonts import register

PALETTE = ((0.93, 0.46, 0.05), (0.13, 0.47, 0.85), (0.80, 0.18, 0.58), (0.05, 0.62, 0.45), (0.55, 0.32, 0.80), (0.80, 0.62, 0.0))  # M1, M2 ...
MARKS_PER_FEATURE = 8  # instances (holes) marked at most
PICTURE_PX = shade.PX  # the rendering's longer side, pixels
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
    tris, fids = shade.mesh(model.solid, max(model.bbox_mm))
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
        ids, light = shade.raster(tris, fids, np.array(direction, dtype=float), PICTURE_PX)
        marks = []
        for k in list(left):
            anchors = [a for group in instances[k] if (a := _anchor(np.isin(ids, list(group)))) is not None]
            if anchors:
                marks.append((f"M{k + 1}", PALETTE[k % len(PALETTE)], tuple(anchors)))
                left.remove(k)
        caption = f"Seen from {'above' if direction[2] > 0 else 'below'}, {'front' if direction[1] < 0 else 'rear'} {SIDES[direction[0]]}"
        out.append(Picture(shade.colour(ids, light, shade.face_lut(ids, hues)), tuple(marks), caption))
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


def _facing_area(tris, fids, faces: set[int], direction) -> float:
    """Area (mm²) of these faces' triangles facing the viewer, projected along direction."""
    d = np.asarray(direction, dtype=float) / np.linalg.norm(direction)
    sel = np.isin(fids, list(faces))
    n = np.cross(tris[sel, 1] - tris[sel, 0], tris[sel, 2] - tris[sel, 0]) @ d
    return float(n[n > 0].sum() / 2)


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

"""The picture of a part's changed region: the new part shaded grey, the material added since
the old part (new minus old) in orange and the material removed (old minus new) in blue,
seen from the corner that shows the most of them. Deterministic PNG bytes
(documents/shade.py renders)."""

from __future__ import annotations

import numpy as np
from OCP.BRepAlgoAPI import BRepAlgoAPI_Cut
from OCP.BRepBuilderAPI import BRepBuilderAPI_Transform
from OCP.gp import gp_Trsf, gp_Vec

from techpack.documents.shade import GREY, SMOOTH_ANGLE, mesh, png_bytes, raster
from techpack.documents.shade import picture as shade
from techpack.geometry.measure import exact_box, volume

ADDED = (0.93, 0.46, 0.05)  # orange: material the new part has and the old had not
REMOVED = (0.13, 0.47, 0.85)  # blue: material the old part had and the new has not
RING = (190, 25, 25)  # dark red: a ring round the changed region, so that a small change is found at a glance
RING_PX = 3  # its width
RING_MARGIN_PX = 14  # how far it stays off the changed region
OCTANTS = [(x, y, z) for z in (1, -1) for x, y in ((1, -1), (-1, -1), (1, 1), (-1, 1))]  # the usual iso first
PX = 480
CHOOSE_PX = 120  # the size each corner is tried at
LIFT = 1e-3  # the changed material is drawn this share of the part's size nearer the viewer, so it wins over the faces it shares with the part


def _cut(a, b):
    """a minus b (TopoDS_Shape), or None when nothing is left or OCCT cannot cut."""
    op = BRepAlgoAPI_Cut(a, b)
    op.Build()
    if not op.IsDone():
        return None
    out = op.Shape()
    return out if volume(out) > 1e-9 else None


def _towards(shape, direction: np.ndarray, distance: float):
    t = gp_Trsf()
    t.SetTranslation(gp_Vec(*(direction / np.linalg.norm(direction) * distance)))
    return BRepBuilderAPI_Transform(shape, t, True).Shape()


def _size(shape) -> float:
    box = exact_box(shape)
    return float(np.linalg.norm(np.subtract(box[3:], box[:3])))


def changed_region(old_solid, new_solid) -> tuple[object | None, object | None]:
    """(added, removed): the material only the new solid has and only the old one had."""
    a, b = getattr(old_solid, "wrapped", old_solid), getattr(new_solid, "wrapped", new_solid)
    return _cut(b, a), _cut(a, b)


def _shapes(new, added, removed, direction, lift: float):
    """The new part grey and the changed material in its colours, lifted towards the viewer."""
    d = np.asarray(direction, dtype=float)
    out = [(new, GREY)]
    out += [(_towards(s, d, lift), hue) for s, hue in ((added, ADDED), (removed, REMOVED)) if s is not None]
    return out


def _corner(new, changed: list, lift: float) -> tuple[tuple[int, int, int], int]:
    """The corner that shows the most changed material (ties to the usual iso), and how many
    pixels of it show there: each shape meshed once, each corner a small z-buffer."""
    size = _size(new)
    tris, fids = mesh(new, size, SMOOTH_ANGLE)
    parts, ids, first = [tris], [fids], int(fids.max()) + 1 if len(fids) else 1
    for shape in changed:
        t, f = mesh(shape, size, SMOOTH_ANGLE)
        if len(t):
            parts.append(t)
            ids.append(f + first)
    fids_all = np.concatenate(ids)
    lifted = fids_all >= first
    best, chosen = -1, OCTANTS[0]
    for d in OCTANTS:
        v = np.asarray(d, dtype=float) / np.linalg.norm(d)
        tris_all = np.concatenate(parts).copy()
        tris_all[lifted] += v * lift
        seen, _ = raster(tris_all, fids_all, v, CHOOSE_PX)
        count = int((seen >= first).sum())
        if count > best:
            best, chosen = count, d
    return chosen, best


def _ring(image: np.ndarray) -> np.ndarray:
    """The image with a ring round its highlighted pixels (their bounding circle plus a margin)."""
    ys, xs = np.nonzero(_mask(image.astype(float)))
    if not len(xs):
        return image
    cx, cy = (xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2
    r = float(np.sqrt((xs - cx) ** 2 + (ys - cy) ** 2).max()) + RING_MARGIN_PX
    h, w = image.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    d = np.hypot(xx - cx, yy - cy)
    out = image.copy()
    out[np.abs(d - r) <= RING_PX / 2] = RING
    return out


def _mask(rgb: np.ndarray) -> np.ndarray:
    """Pixels whose hue is the added or the removed colour's (they are shaded, so compared by
    direction in colour space), not grey, white or an edge."""
    norm = np.linalg.norm(rgb, axis=-1, keepdims=True)
    unit = rgb / np.maximum(norm, 1e-9)
    out = np.zeros(rgb.shape[:2], dtype=bool)
    for hue in (ADDED, REMOVED):
        h = np.asarray(hue) / np.linalg.norm(hue)
        out |= (unit @ h > 0.985) & (norm[..., 0] > 60)
    return out


def highlight_mask(image: np.ndarray) -> np.ndarray:
    """Which pixels of a changed-region picture show changed material (for tests and callers)."""
    return _mask(image.astype(float))


def changed_picture(old_solid, new_solid, px: int = PX) -> tuple[bytes, tuple[float, float, float]] | None:
    """The PNG of the new part with its changed region highlighted, and the direction it is
    seen from (towards the viewer); None when the solids do not differ by any volume."""
    added, removed = changed_region(old_solid, new_solid)
    if added is None and removed is None:
        return None
    new = getattr(new_solid, "wrapped", new_solid)
    lift = LIFT * _size(new)
    direction, best = _corner(new, [c for c in (added, removed) if c is not None], lift)
    shapes = _shapes(new, added, removed, direction, lift)
    if best == 0:  # inside the part, hidden from every corner: the changed material alone
        shapes = shapes[1:]
    return png_bytes(_ring(shade(shapes, direction, px))), tuple(float(c) for c in direction)

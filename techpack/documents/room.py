"""The one placement search of a drawing sheet: every label, leader, frame, dimension,
table and late view asks it for room, offering its candidate places in order of
preference, and gets the first that fits, or None: there is no room. What must go on the
sheet anyway (a callout) goes to its first choice and is reported as crowded; what has
somewhere else to go (a table: a second sheet; a view: the notes) takes that."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

import numpy as np

from techpack.documents.display import Box, Display, Point, crosses, inside

T = TypeVar("T")


def _array(boxes: list) -> np.ndarray:
    return np.array(boxes, dtype=float).reshape(-1, 4)


def _any_crosses(segments: np.ndarray, box: Box) -> bool:
    """Whether any segment (rows x0, y0, x1, y1) meets the box: Liang-Barsky, vectorised
    (display.crosses for one segment)."""
    if not len(segments):
        return False
    ax, ay = segments[:, 0], segments[:, 1]
    dx, dy = segments[:, 2] - ax, segments[:, 3] - ay
    t0, t1 = np.zeros(len(segments)), np.ones(len(segments))
    ok = np.ones(len(segments), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-dx, ax - box[0]), (dx, box[2] - ax), (-dy, ay - box[1]), (dy, box[3] - ay)):
            zero = p == 0
            ok &= ~(zero & (q < 0))
            t = np.where(zero, 0.0, q / np.where(zero, 1.0, p))
            t0 = np.where(~zero & (p < 0), np.maximum(t0, t), t0)
            t1 = np.where(~zero & (p > 0), np.minimum(t1, t), t1)
    return bool((ok & (t0 <= t1)).any())


class Room:
    """Where on one sheet things still fit: inside `area`, clear of `avoid` (the views and
    the sheet's furniture) and of everything already on the display list."""

    def __init__(self, display: Display, area: Box, avoid: list[Box] | None = None):
        self.display = display
        self.area = area
        self.avoid = avoid if avoid is not None else []
        self.crowded: list[str] = []  # what found no room and went to its first choice regardless
        self._cache: dict = {}  # arrays of what is placed, rebuilt when the display list grows

    def free(self, box: Box, gap: float = 1.0, avoid: Iterable[Box] | None = None, extra: Iterable[Box] = ()) -> bool:
        """Whether box is inside the area, `gap` clear of `avoid` (default: the views and
        furniture) and `extra`, of the text and symbols placed so far and of the lines drawn so
        far (dimension lines, leaders, frames)."""
        if not inside(box, self.area):
            return False
        for blocked in (self._boxes(self.avoid) if avoid is None else _array(list(avoid)), _array(list(extra)), self._drawn()):
            if len(blocked) and ((box[0] < blocked[:, 2] + gap) & (blocked[:, 0] < box[2] + gap)
                                 & (box[1] < blocked[:, 3] + gap) & (blocked[:, 1] < box[3] + gap)).any():
                return False
        return not _any_crosses(self._segments(), (box[0] - gap, box[1] - gap, box[2] + gap, box[3] + gap))

    def _boxes(self, boxes: list[Box]) -> np.ndarray:
        key = ("avoid", id(boxes), len(boxes))
        if self._cache.get("avoid-key") != key:
            self._cache["avoid-key"], self._cache["avoid"] = key, _array(boxes)
        return self._cache["avoid"]

    def _drawn(self) -> np.ndarray:
        """The boxes of the text, frames and balloons placed so far (kept as the lists grow)."""
        d = self.display
        key = (len(d.labels), len(d.rects), len(d.circles), id(d.labels[-1]) if d.labels else 0)
        if self._cache.get("drawn-key") != key:
            self._cache["drawn-key"] = key
            self._cache["drawn"] = _array([lab.box for lab in d.labels] + list(d.rects) + [(c[0] - r, c[1] - r, c[0] + r, c[1] + r) for c, r in d.circles])
        return self._cache["drawn"]

    def _segments(self) -> np.ndarray:
        d = self.display
        key = (len(d.lines), len(d.wide), id(d.lines[-1]) if d.lines else 0)
        if self._cache.get("lines-key") != key:
            self._cache["lines-key"] = key
            self._cache["lines"] = np.array([(*a, *b) for a, b in d.lines + d.wide], dtype=float).reshape(-1, 4)
        return self._cache["lines"]

    def clear(self, a: Point, b: Point) -> bool:
        """Whether a line from a to b would cross no text placed so far."""
        return not any(crosses(a, b, lab.box) for lab in self.display.labels)

    def unstruck(self, box: Box) -> bool:
        """Whether no straight line placed so far (centre lines too) runs through box."""
        return not any(crosses(a, b, box) for a, b in self.display.ruled())

    def first_free(self, candidates: Iterable[T], box_of: Callable[[T], Box], gap: float = 1.0, chunk: int = 256) -> T | None:
        """find(candidates, free(box_of(c), gap)), tested a chunk of candidates at a time (a
        scan over the sheet: thousands of places)."""
        avoid, drawn, segments = self._boxes(self.avoid), self._drawn(), self._segments()
        blocked = np.vstack([avoid, drawn]) if len(avoid) or len(drawn) else np.zeros((0, 4))
        a = self.area
        pool = iter(candidates)
        while batch := [c for _, c in zip(range(chunk), pool)]:
            boxes = np.array([box_of(c) for c in batch], dtype=float)
            ok = (boxes[:, 0] >= a[0]) & (boxes[:, 1] >= a[1]) & (boxes[:, 2] <= a[2]) & (boxes[:, 3] <= a[3])
            if len(blocked):
                hit = ((boxes[:, None, 0] < blocked[None, :, 2] + gap) & (blocked[None, :, 0] < boxes[:, None, 2] + gap)
                       & (boxes[:, None, 1] < blocked[None, :, 3] + gap) & (blocked[None, :, 1] < boxes[:, None, 3] + gap))
                ok &= ~hit.any(axis=1)
            for i in np.flatnonzero(ok):  # the few left: the lines, one box at a time
                b = boxes[i]
                if not _any_crosses(segments, (b[0] - gap, b[1] - gap, b[2] + gap, b[3] + gap)):
                    return batch[i]
        return None

    @staticmethod
    def find(candidates: Iterable[T], fits: Callable[[T, int], bool], levels: tuple[int, ...] = (0,)) -> T | None:
        """The first candidate that fits at the strictest level (levels in order), else None."""
        pool = candidates if len(levels) == 1 else list(candidates)
        for level in levels:
            for c in pool:
                if fits(c, level):
                    return c
        return None

    def place(self, what: str, candidates: list[T], fits: Callable[[T, int], bool], levels: tuple[int, ...] = (0,)) -> T:
        """The first candidate that fits; with no room, the first choice, and `what` is reported."""
        got = self.find(candidates, fits, levels)
        if got is None:
            self.crowded.append(f"no room for {what}: placed where it crowds other text")
            return candidates[0]
        return got

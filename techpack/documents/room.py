"""The one placement search of a drawing sheet: every label, leader, frame, dimension,
table and late view asks it for room, offering its candidate places in order of
preference, and gets the first that fits, or None: there is no room. What must go on the
sheet anyway (a callout) goes to its first choice and is reported as crowded; what has
somewhere else to go (a table: a second sheet; a view: the notes) takes that."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from techpack.documents.display import Box, Display, Point, crosses, inside, overlaps

T = TypeVar("T")


class Room:
    """Where on one sheet things still fit: inside `area`, clear of `avoid` (the views and
    the sheet's furniture) and of everything already on the display list."""

    def __init__(self, display: Display, area: Box, avoid: list[Box] | None = None):
        self.display = display
        self.area = area
        self.avoid = avoid if avoid is not None else []
        self.crowded: list[str] = []  # what found no room and went to its first choice regardless

    def free(self, box: Box, gap: float = 1.0, avoid: Iterable[Box] | None = None, extra: Iterable[Box] = ()) -> bool:
        """Whether box is inside the area, `gap` clear of `avoid` (default: the views and
        furniture) and `extra`, of the text and symbols placed so far and of the lines drawn so
        far (dimension lines, leaders, frames)."""
        d = self.display
        if not inside(box, self.area):
            return False
        blocked = [*(self.avoid if avoid is None else avoid), *extra, *(lab.box for lab in d.labels), *d.rects,
                   *((c[0] - r, c[1] - r, c[0] + r, c[1] + r) for c, r in d.circles)]
        if any(overlaps(box, b, gap) for b in blocked):
            return False
        g = (box[0] - gap, box[1] - gap, box[2] + gap, box[3] + gap)
        return not any(crosses(a, b, g) for a, b in d.lines + d.wide)

    def clear(self, a: Point, b: Point) -> bool:
        """Whether a line from a to b would cross no text placed so far."""
        return not any(crosses(a, b, lab.box) for lab in self.display.labels)

    def unstruck(self, box: Box) -> bool:
        """Whether no straight line placed so far (centre lines too) runs through box."""
        return not any(crosses(a, b, box) for a, b in self.display.ruled())

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

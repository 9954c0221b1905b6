"""What every PDF techpack writes has in common, so that a print preflight passes: the
creation and modification dates are the build's date (deterministic, not ReportLab's
invariant 2000-01-01), every font is the bundled DejaVu Sans, embedded (a canvas starts in it,
so Helvetica is never listed), and title, author, subject and keywords are set."""

from __future__ import annotations

import calendar
import math
import datetime as dt
import time

from reportlab.pdfbase.pdfdoc import TimeStamp
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from techpack.fonts import register


def stamp(canvas: Canvas, date: dt.date) -> None:
    """Date the document (CreationDate and ModDate) at midnight UTC of `date`."""
    t = calendar.timegm(date.timetuple())
    ts = TimeStamp(invariant=True)  # UTC, no local zone
    ts.t, ts.lt = t, time.gmtime(t)
    ts.YMDhms = tuple(ts.lt)[:6]
    canvas._doc._timeStamp = ts  # ReportLab keeps the document's date here (pdfdoc.PDFDocument)


def describe(canvas: Canvas, title: str, author: str, subject: str, keywords: list[str], creator: str) -> None:
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setSubject(subject)
    canvas.setKeywords(", ".join(k for k in keywords if k))
    canvas.setCreator(creator)


def canvas(path: str, pagesize, date: dt.date, cls=Canvas, **kwargs) -> Canvas:
    """A deterministic, compressed canvas in the bundled font, dated `date`."""
    regular, _ = register()
    c = cls(path, pagesize=pagesize, invariant=1, pageCompression=1, initialFontName=regular, **kwargs)
    stamp(c, date)
    return c


NOT_RELEASED = "NOT RELEASED"


def not_released(c: Canvas) -> None:
    """Mark the page NOT RELEASED: outlined red capitals across it, under nothing and hiding
    nothing (built from a work tree with uncommitted changes to the spec or a model)."""
    _, bold = register()
    w, h = c._pagesize
    size = min(w, h) / 7
    c.saveState()
    c.setStrokeColorRGB(0.85, 0.1, 0.1)
    c.setFillColorRGB(0.85, 0.1, 0.1)
    c.setLineWidth(0.8)
    c.translate(w / 2, h / 2)
    c.rotate(math.degrees(math.atan2(h, w)))
    text = c.beginText()
    text.setTextRenderMode(1)  # outline only: the drawing stays readable through it
    text.setFont(bold, size)
    text.setTextOrigin(-c.stringWidth(NOT_RELEASED, bold, size) / 2, -size / 3)
    text.textOut(NOT_RELEASED)
    c.drawText(text)
    c.restoreState()


def foot_notice(c: Canvas, notice: str, x: float, y: float, width: float, size: float = 7) -> None:
    """The confidentiality notice at the foot of a page, wrapped to `width` (pt) upwards from y."""
    regular, _ = register()
    lines = simpleSplit(notice, regular, size, width)
    c.saveState()
    c.setFont(regular, size)
    c.setFillColorRGB(0, 0, 0)
    for k, line in enumerate(reversed(lines)):
        c.drawString(x, y + k * size * 1.25, line)
    c.restoreState()


class HeldPages(Canvas):
    """A canvas that holds its pages back until it is saved, so that each page can say which
    of how many it is (`finish(k, n)`, drawn last on page k of n)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._held: list[dict] = []

    def showPage(self) -> None:  # ReportLab's name
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        if len(self._code):  # what is drawn since the last page: a page too
            self.showPage()
        for k, state in enumerate(self._held, 1):
            self.__dict__.update(state)
            self.finish(k, len(self._held))
            Canvas.showPage(self)
        Canvas.save(self)

    def finish(self, k: int, n: int) -> None:
        raise NotImplementedError


class Numbered(HeldPages):
    """Pages numbered "n / m" at the foot, right (a document with more than one page); with
    `notice`, the confidentiality notice at the foot, left; unless `released`, marked NOT RELEASED."""

    def __init__(self, *args, notice: str = "", released: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.notice, self.released = notice, released

    def finish(self, k: int, n: int) -> None:
        right = self._pagesize[0] - 42.5  # 15 mm from the right
        if n > 1:
            regular, _ = register()
            self.setFont(regular, 8)
            self.setFillColorRGB(0, 0, 0)
            self.drawRightString(right, 22.7, f"{k} / {n}")  # 8 mm up
        if self.notice:
            foot_notice(self, self.notice, 42.5, 22.7, right - 42.5 - 60)
        if not self.released:
            not_released(self)

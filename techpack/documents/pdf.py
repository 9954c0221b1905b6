"""What every PDF techpack writes has in common, so that a print preflight passes: the
creation and modification dates are the build's date (deterministic, not ReportLab's
invariant 2000-01-01), every font is the bundled DejaVu Sans, embedded (a canvas starts in it,
so Helvetica is never listed), and title, author, subject and keywords are set."""

from __future__ import annotations

import calendar
import datetime as dt
import time

from reportlab.pdfbase.pdfdoc import TimeStamp
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
    """Pages numbered "n / m" at the foot, right (a document with more than one page)."""

    def finish(self, k: int, n: int) -> None:
        if n > 1:
            regular, _ = register()
            self.setFont(regular, 8)
            self.setFillColorRGB(0, 0, 0)
            self.drawRightString(self._pagesize[0] - 42.5, 22.7, f"{k} / {n}")  # 15 mm from the right, 8 mm up

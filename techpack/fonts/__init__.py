"""Fonts embedded in every PDF techpack writes: DejaVu Sans (free licence, LICENSE_DEJAVU.txt),
which has the drawing symbols (Ø ° ± × µ ≥) that the PDF base fonts lack."""

from __future__ import annotations

import functools
from importlib import resources

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"


@functools.cache
def register() -> tuple[str, str]:
    """Register the fonts with ReportLab once; returns (regular, bold) names."""
    folder = resources.files(__package__)
    for name in (REGULAR, BOLD):
        pdfmetrics.registerFont(TTFont(name, str(folder.joinpath(f"{name}.ttf"))))
    return REGULAR, BOLD

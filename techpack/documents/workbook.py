"""Placeholder while the workbook output is written (issue 9); writes nothing yet."""

from __future__ import annotations

NAME = "workbook"


def write(ctx, parts):
    return []

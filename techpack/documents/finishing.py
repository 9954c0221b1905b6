"""Placeholder while the finishing output is written (issue 9); writes nothing yet."""

from __future__ import annotations

NAME = "finishing"


def write(ctx, parts):
    return []

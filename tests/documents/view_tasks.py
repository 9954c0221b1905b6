"""Tasks for tests/documents/test_views.py to run in a worker process (workers.Pool), where a
view's time budget is kept: each patches the exact HLR in the worker, then projects."""

from __future__ import annotations

import time

import cadquery as cq

from techpack.documents import views


def plate_with_hole():
    return cq.Workplane().box(60, 40, 10).faces(">Z").workplane().center(10, 5).hole(10).val()


def box():
    return cq.Workplane().box(40.0, 30.0, 20.0).val()


def sleeping(budget: float):
    views._exact_primitives = lambda *args: time.sleep(30)  # no CPU: the wall clock (twice the budget) stops it
    return views.project_views(plate_with_hole(), ["front", "top"], time_budget_s=budget)


def spinning(budget: float):
    def spin(*args):
        while True:
            pass

    views._exact_primitives = spin
    return views.project_view(box(), "front", time_budget_s=budget)


def real(path: str, budget: float):
    solid = cq.importers.importStep(path).val().Solids()[0]
    return views.project_view(solid, "front", time_budget_s=budget)

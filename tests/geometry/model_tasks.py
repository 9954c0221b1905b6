"""A task for tests/geometry/test_model.py to run in a build's worker process (workers.Pool)."""

from __future__ import annotations

import datetime as dt

from techpack import pipeline
from techpack.geometry import features, model


def count_feature_searches(spec: bytes, folder: str) -> int:
    """How often a part's whole task (geometry, checks, STEP, drawing, finishing, picture)
    looks for features; spec: the LoadedSpec pickled, as pipeline.run_parts sends it."""
    calls = []
    real = features.find_features
    counting = lambda *a, **k: calls.append(1) or real(*a, **k)  # noqa: E731
    model.find_features = features.find_features = counting
    try:
        pipeline.part_task(spec, 0, folder, dt.date(2026, 11, 20), None)
    finally:
        model.find_features = features.find_features = real
    return len(calls)

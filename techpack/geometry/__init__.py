"""The geometry stage: each part's model -> one valid solid in mm, with its measured
properties (part.py), then the part model every later stage reads (model.py)."""

from techpack.geometry.part import BuiltPart, build_part, build_parts
from techpack.geometry.model import PartModel, build_models  # noqa: E402 - after part, which it extends

__all__ = ["BuiltPart", "PartModel", "build_part", "build_parts", "build_models"]

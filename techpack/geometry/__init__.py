"""The geometry stage: each part's model -> one valid solid in mm, with its measured properties."""

from techpack.geometry.part import BuiltPart, build_part, build_parts

__all__ = ["BuiltPart", "build_part", "build_parts"]

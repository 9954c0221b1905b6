"""pictures/<part number>.png: each part shaded from the usual isometric corner (above, front
right), for the cover page. Drawn by documents/shade.py; the same part gives the same bytes."""

from __future__ import annotations

from techpack.context import BuildContext, Output
from techpack.documents import shade
from techpack.geometry import PartModel

NAME = "picture"
FOLDER = "pictures"
PX = 400  # the picture's longer side: sharp at 200 CSS px on a 2x screen, a few tens of kB
COLOURS = {"metal": (0.80, 0.82, 0.86), "polymer": (0.93, 0.87, 0.74)}  # by material family; not the finish colour


def path_of(number: str) -> str:
    """The package path of a part's picture."""
    return f"{FOLDER}/{number}.png"


def write(ctx: BuildContext, parts: list[PartModel]) -> list[Output]:
    out = []
    for k, model in enumerate(parts, 1):
        number = model.spec.number
        ctx.log.progress(k, len(parts), f"picture {number}")
        family = ctx.loaded.catalog.material(model.spec.material).family
        image = shade.picture([(model.solid, COLOURS.get(family, shade.GREY))], shade.ISO, PX)
        rel = path_of(number)
        shade.save_png(image, ctx.path(rel))
        out.append(Output(rel, NAME, number))
    return out

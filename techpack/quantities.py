"""How many of each part or hardware item are ordered: the batch quantity (qty per product ×
product.batch) plus the spares (`spares:` on the item, else the product's: a count, or a
percentage of the batch quantity rounded up). The workbook's formulas compute the same."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction


def spares_setting(item, product) -> int | str:
    """The item's own `spares:`, else the product's."""
    return item.spares if item.spares is not None else product.spares


def spares_percent(spares: int | str) -> Fraction | None:
    """The percentage of a spares setting ("4%" -> 4, "2.5%" -> 5/2), exactly; None for a count."""
    if isinstance(spares, str) and spares.strip().endswith("%"):
        return Fraction(Decimal(spares.strip().rstrip("%").strip()))
    return None


def spares_qty(spares: int | str, batch_qty: int) -> int:
    """The spares: the count, or the percentage of the batch quantity rounded up."""
    percent = spares_percent(spares)
    if percent is None:
        return int(spares)
    return math.ceil(Fraction(batch_qty) * percent / 100)


def order_qty(item, product, batch: int | None = None) -> int:
    """Batch quantity plus spares, for `batch` products (default product.batch)."""
    batch_qty = item.qty * (product.batch if batch is None else batch)
    return batch_qty + spares_qty(spares_setting(item, product), batch_qty)

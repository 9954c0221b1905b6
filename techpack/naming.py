"""Names of the package and its files, derived from the spec the same way everywhere."""

from __future__ import annotations

import re
import unicodedata

from techpack.spec import Part, Product, Spec


SLUG_MAX = 40  # characters of the name kept in file names


def slug(text: str) -> str:
    """"Arm bracket" -> "arm-bracket": lower case ASCII letters, digits and dashes, at most SLUG_MAX."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower())[:SLUG_MAX].strip("-") or "part"


def package_name(product: Product) -> str:
    """"DL-2_revB": names the zip and its top-level folder."""
    return f"{product.number}_rev{product.revision}"


def supplier_package_name(product: Product, supplier: str) -> str:
    """"DL-2_revB_cnc": one supplier's package, named by their key in `suppliers:`."""
    return f"{package_name(product)}_{supplier}"


def part_stem(part: Part, product: Product) -> str:
    """"DL2-101_base_revB": the stem of every file about one part."""
    return f"{part.number}_{slug(part.name)}_rev{product.revision}"


def supplier_name(spec: Spec, key: str | None) -> str | None:
    """The name of the supplier a part or purchased part names by its key (validated against
    `suppliers:` when the spec was loaded), or None when it names none."""
    return spec.suppliers[key].name if key else None

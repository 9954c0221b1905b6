"""The spec stage: YAML text -> a validated, frozen Spec."""

from techpack.spec.load import LoadedSpec, load_spec
from techpack.spec.model import Hardware, Part, Product, Spec, Supplier

__all__ = ["LoadedSpec", "load_spec", "Spec", "Product", "Part", "Hardware", "Supplier"]

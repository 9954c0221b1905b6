"""techpack: supplier technical packages from one YAML spec and CadQuery models."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("techpack")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0+source"

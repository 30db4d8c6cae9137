"""Geo-R's offline runtime: geo math, the Chain-of-Region format, and (as they land) the geocoder,
model backends, photo metadata I/O and the batch pipeline. Never imports torch."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("geor")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]

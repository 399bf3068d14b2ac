"""approxfit's version, read by ``approxfit --version``, ``approxfit.__version__`` and the
package metadata (``pyproject.toml`` takes it from here)."""

__version__ = "0.2.0"

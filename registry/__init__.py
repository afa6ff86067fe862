"""Commensura's domain layer: model, store, knowledge-base builder and CLI.

Nothing here knows about HTTP; the ``api`` package sits on top of it.
"""

from importlib.metadata import PackageNotFoundError, version

from registry.config import Settings
from registry.errors import CommensuraError

try:
    __version__ = version("commensura")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0.0.0+unknown"

__all__ = ["CommensuraError", "Settings", "__version__"]

"""Commensura's domain layer: model, store, knowledge-base builder and CLI.

Nothing here knows about HTTP; the ``api`` package sits on top of it.
"""

from registry.config import Settings
from registry.errors import CommensuraError

__all__ = ["CommensuraError", "Settings"]
__version__ = "0.1.0"

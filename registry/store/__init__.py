"""Storage: one interface (``Store``), backends behind it.

Only this package talks to a storage engine; everything else receives a
``Store`` and speaks rdflib terms to it.
"""

from __future__ import annotations

from registry.config import Settings
from registry.store.base import (
    QueryResult,
    RdfFormat,
    SelectResult,
    Source,
    Store,
    Term,
    Transaction,
    content_generation,
)


def open_store(settings: Settings, *, read_only: bool | None = None) -> Store:
    """Open the store the settings name: the embedded Oxigraph store on disk, or a remote
    SPARQL 1.1 server (``backend = "remote"``, docs/deployment.md)."""
    writable = settings.read_only if read_only is None else read_only
    if settings.backend == "remote":
        from registry.store.remote import RemoteStore

        return RemoteStore.from_settings(settings, read_only=writable)
    from registry.store.oxigraph import OxigraphStore

    return OxigraphStore(settings.store, read_only=writable)


__all__ = [
    "QueryResult",
    "RdfFormat",
    "SelectResult",
    "Source",
    "Store",
    "Term",
    "Transaction",
    "content_generation",
    "open_store",
]

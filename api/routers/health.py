"""Liveness and readiness: is the store reachable, and how much does it hold?"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import StoreDep
from registry import __version__

router = APIRouter(tags=["service"])


class Health(BaseModel):
    status: str = Field(description="`ok` when the store answered.", examples=["ok"])
    version: str = Field(description="Commensura version.")
    store: str = Field(description="`reachable` when a query against the store succeeded.")
    triples: int = Field(description="Number of triples (quads) in the store.", ge=0)
    graphs: int = Field(description="Number of named graphs in the store.", ge=0)


@router.get("/health", summary="Service and store health")
def health(store: StoreDep) -> Health:
    """Answers when the service is up and its store can be read."""
    store.ask("ASK { ?s ?p ?o }")
    return Health(
        status="ok",
        version=__version__,
        store="reachable",
        triples=store.count(),
        graphs=len(store.graphs()),
    )

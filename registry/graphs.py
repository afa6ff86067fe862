"""The named graphs of a Commensura store (see docs/architecture in DESIGN)."""

from __future__ import annotations

import re

from rdflib import URIRef

from registry.errors import GraphScopeError

GRAPH_BASE = "https://w3id.org/commensura/graph/"

ONTOLOGY = URIRef(GRAPH_BASE + "ontology")
REGISTRY = URIRef(GRAPH_BASE + "registry")
DERIVED = URIRef(GRAPH_BASE + "derived")
PROVENANCE = URIRef(GRAPH_BASE + "provenance")

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def _slugged(kind: str, slug: str) -> URIRef:
    if not _SLUG.fullmatch(slug):
        msg = (
            f"{slug!r} cannot name a {kind} graph: use 1 to 63 lower-case letters, digits "
            "and hyphens, starting with a letter or digit"
        )
        raise GraphScopeError(msg, details={"slug": slug})
    return URIRef(f"{GRAPH_BASE}{kind}/{slug}")


def partner(org: str) -> URIRef:
    """The graph holding what organisation ``org`` submitted."""
    return _slugged("partner", org)


def data(dataset: str) -> URIRef:
    """The graph holding the observations and description of an imported dataset."""
    return _slugged("data", dataset)

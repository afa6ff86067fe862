"""What the comparability engine reads from the store, kept until the store changes.

The engine works on an rdflib graph (``Assessor``). ``assessor_for(store)`` reads,
in one query over every graph, what comparing definitions needs: the indicator
definitions with their periods, the population definitions with their conditions
at any depth, the data sources, the indicators (for their reference definitions),
the publishers' names and the concepts of the ontology's schemes. The graph and
its assessor (which remembers the population relations it has decided) are kept
for the store's content generation: the next write anywhere makes them stale, and
the next call reads them again.
"""

from __future__ import annotations

import threading
import weakref

from rdflib import Graph

from registry import graphs
from registry.comparability.verdict import Assessor
from registry.store import Store, content_generation

_CONTEXT = (
    """
PREFIX cm: <https://w3id.org/commensura/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
CONSTRUCT { ?s ?p ?o } WHERE {
  { ?s a cm:IndicatorDefinition ; ?p ?o }
  UNION { ?definition a cm:IndicatorDefinition ; dct:temporal ?s . ?s ?p ?o }
  UNION { ?s a cm:PopulationDefinition ; ?p ?o }
  UNION { ?group a cm:PopulationDefinition ; cm:condition/cm:operand* ?s . ?s ?p ?o }
  UNION { ?s a cm:DataSource ; ?p ?o }
  UNION { ?s a cm:Indicator ; ?p ?o }
  UNION { ?definition a cm:IndicatorDefinition ; dct:publisher ?s . ?s ?p ?o }
  UNION { GRAPH <"""
    + str(graphs.ONTOLOGY)
    + """> { ?s a skos:Concept ; ?p ?o } }
}
"""
)


def context_graph(store: Store) -> Graph:
    """Everything comparing definitions reads, from every graph of the store."""
    return store.construct(_CONTEXT)


_lock = threading.Lock()
_kept: weakref.WeakKeyDictionary[Store, tuple[int, Assessor]] = weakref.WeakKeyDictionary()


def assessor_for(store: Store) -> Assessor:
    """An assessor over the store's current content, read once per content generation."""
    generation = content_generation()
    with _lock:
        kept = _kept.get(store)
        if kept is not None and kept[0] == generation:
            return kept[1]
    assessor = Assessor(context_graph(store))
    with _lock:
        if content_generation() == generation:
            _kept[store] = (generation, assessor)
    return assessor


def forget(store: Store) -> None:
    """Drop what is kept for ``store``."""
    with _lock:
        _kept.pop(store, None)

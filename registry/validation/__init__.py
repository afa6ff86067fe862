"""Validation of graphs against Commensura's SHACL shapes.

``validate(graph)`` returns a typed ``ValidationReport``. The data validated is the
graph merged with what the shapes need to know from outside it: the ontology's
class hierarchy (``sh:class`` follows ``rdfs:subClassOf`` in the data graph), and,
when a ``context`` is given, the triples about the resources the graph refers to
(the concept a value names, the indicator a definition measures). Only results
about the graph's own subjects are reported.

pySHACL is the reference validator; a faster SHACL Core engine is used behind the
same function when it is installed (a differential test checks that both give the
same results on the whole fixture corpus).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from rdflib import Graph, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import RDFS
from rdflib.term import Node

from registry.resources import ontology_files, shapes_dir
from registry.validation.engines import Engine, EngineError, available, run
from registry.validation.report import (
    Severity,
    ValidationReport,
    ValidationResult,
    results_from_graph,
)

SHAPE_FILES = ("core.ttl", "ranges.ttl", "vocabularies.ttl", "recommended.ttl")
"""The shapes partners' submissions are validated against, by concern and severity."""

__all__ = [
    "SHAPE_FILES",
    "Engine",
    "Severity",
    "ValidationReport",
    "ValidationResult",
    "default_engine",
    "ontology_context",
    "shapes_graph",
    "validate",
]


@functools.cache
def shapes_graph() -> Graph:
    """The submission shapes, parsed once (engines that mutate them get a copy)."""
    graph = Graph()
    for name in SHAPE_FILES:
        path = shapes_dir() / name
        if path.is_file():
            graph.parse(path, format="turtle")
    return graph


@functools.cache
def ontology_context() -> Graph:
    """The class and property hierarchy of the ontology, which ``sh:class`` relies on."""
    ontology = Graph()
    for path in ontology_files():
        ontology.parse(path, format="turtle")
    hierarchy = Graph()
    for predicate in (RDFS.subClassOf, RDFS.subPropertyOf):
        for triple in ontology.triples((None, predicate, None)):
            hierarchy.add(triple)
    return hierarchy


def default_engine() -> Engine:
    """The fastest engine installed; pySHACL when it is the only one."""
    engines = available()
    fast = [e for e in engines if e is not Engine.PYSHACL]
    return fast[0] if fast else Engine.PYSHACL


def referenced(graph: Graph) -> set[URIRef]:
    """The IRIs ``graph`` uses as objects without describing them itself."""
    subjects = set(graph.subjects())
    return {o for o in graph.objects() if isinstance(o, URIRef) and o not in subjects}


def validate(
    graph: Graph,
    *,
    context: Graph | None = None,
    engine: Engine | None = None,
    focus: Iterable[Node] | None = None,
) -> ValidationReport:
    """Validate ``graph`` against the submission shapes."""
    chosen = engine or default_engine()
    parts = [graph, ontology_context(), *([context] if context is not None else [])]
    data: Graph
    if chosen is Engine.PYSHACL:
        data = Graph()
        for part in parts:
            data += part
    else:
        # Reading the parts in place: copying them into one rdflib graph would cost
        # three times the validation itself (see docs/benchmarks.md).
        data = ReadOnlyGraphAggregate(parts)
    try:
        report = run(chosen, data, shapes_graph())
    except EngineError:
        if chosen is Engine.PYSHACL:
            raise
        # The reference validator answers whatever the fast one could not.
        return validate(graph, context=context, engine=Engine.PYSHACL, focus=focus)
    keep = set(focus) if focus is not None else set(graph.subjects())
    results = results_from_graph(report, data, focus=keep, shapes=shapes_graph())
    return ValidationReport(tuple(results), triples=len(graph), engine=chosen.value)

"""The knowledge-base builder: each graph replaced whole, idempotent, atomic per graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from registry import graphs
from registry.errors import RdfSyntaxError
from registry.kb import build, build_steps
from registry.resources import ontology_files
from registry.store import Store

CITY = """
@prefix cm: <https://w3id.org/commensura/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/commensura/id/place/vienna> a cm:Place ; rdfs:label "Wien"@de , "Vienna"@en .
"""


def graph_content(store: Store, graph: URIRef) -> Graph:
    return store.construct("CONSTRUCT WHERE { ?s ?p ?o }", default_graphs=[graph])


def ontology_graph() -> Graph:
    expected = Graph()
    for path in ontology_files():
        expected.parse(path, format="turtle")
    return expected


def test_without_curated_content_only_the_ontology_is_built(store: Store, tmp_path: Path) -> None:
    steps = build_steps(tmp_path / "none")
    assert [s.graph for s in steps] == [graphs.ONTOLOGY]
    report = build(store, content_dir=tmp_path / "none")
    assert report.graphs == {graphs.ONTOLOGY: len(ontology_graph())}
    assert isomorphic(graph_content(store, graphs.ONTOLOGY), ontology_graph())


def test_curated_content_goes_to_the_registry_graph_and_rebuilds_are_identical(
    store: Store, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    (content / "places").mkdir(parents=True)
    (content / "places" / "vienna.ttl").write_text(CITY, encoding="utf-8")
    seen: list[tuple[str, int, int]] = []
    first = build(store, content_dir=content, progress=lambda task, d, t: seen.append((task, d, t)))
    assert first.graphs[graphs.REGISTRY] == 3
    assert ("curated registry content", 1, 1) in seen
    before = graph_content(store, graphs.REGISTRY)
    second = build(store, content_dir=content)
    assert second.graphs == first.graphs
    assert isomorphic(graph_content(store, graphs.REGISTRY), before)


def test_a_broken_file_leaves_its_graph_as_it_was(store: Store, tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.ttl").write_text(CITY, encoding="utf-8")
    build(store, content_dir=content)
    before = graph_content(store, graphs.REGISTRY)
    (content / "b.ttl").write_text("<https://example.org/x> a .", encoding="utf-8")
    with pytest.raises(RdfSyntaxError):
        build(store, content_dir=content)
    assert isomorphic(graph_content(store, graphs.REGISTRY), before)

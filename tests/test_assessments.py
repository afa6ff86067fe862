"""Comparability assessments kept in the derived graph, and kept up to date."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import URIRef

from registry import graphs
from registry.comparability import assessments
from registry.config import Settings
from registry.kb import build
from registry.store import RdfFormat, Store, open_store

SUBMISSION = Path(__file__).parent / "data" / "submissions" / "amsterdam.ttl"
PARTNER = (
    "https://w3id.org/commensura/id/partner/amsterdam-os/definition/employment-rate-born-abroad"
)

COUNT = """
PREFIX cm: <https://w3id.org/commensura/ontology#>
SELECT ?assessment ?left ?right ?grade (COUNT(?part) AS ?parts) WHERE {
  ?assessment a cm:ComparabilityAssessment , <http://www.w3.org/ns/dqv#QualityAnnotation> ;
    cm:leftDefinition ?left ; cm:rightDefinition ?right ; cm:grade ?grade ;
    cm:dimensionComparison ?part .
} GROUP BY ?assessment ?left ?right ?grade
"""


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """The conftest's fresh store (of the backend under test), with the curated content."""
    with open_store(settings) as opened:
        report = build(opened)
        assert report.assessments is not None
        yield opened


def expected_pairs(store: Store) -> set[tuple[str, str]]:
    rows = store.select(
        "PREFIX cm: <https://w3id.org/commensura/ontology#> "
        "SELECT DISTINCT ?d ?i WHERE { ?d a cm:IndicatorDefinition ; cm:indicator ?i }"
    )
    by_indicator: dict[str, list[str]] = {}
    for definition, indicator in rows:
        by_indicator.setdefault(str(indicator), []).append(str(definition))
    return {
        (a, b)
        for definitions in by_indicator.values()
        for a in definitions
        for b in definitions
        if a < b
    }


def stored_pairs(store: Store) -> dict[tuple[str, str], tuple[str, int]]:
    rows = store.select(COUNT, default_graphs=[graphs.DERIVED])
    return {(str(a), str(b)): (str(g), int(str(n))) for _, a, b, g, n in rows}


def test_a_build_assesses_every_pair_of_definitions_of_each_indicator(store: Store) -> None:
    stored = stored_pairs(store)
    assert set(stored) == expected_pairs(store)
    assert all(parts == 14 for _, parts in stored.values())
    grades = Counter(grade.rsplit("/", 1)[-1] for grade, _ in stored.values())
    assert grades["partiallyComparable"] > 0
    pair = (
        "https://w3id.org/commensura/id/definition/eurostat-employment-rate",
        "https://w3id.org/commensura/id/definition/oecd-employment-rate",
    )
    assert stored[pair][0].endswith("partiallyComparable")
    again = assessments.refresh(store)
    assert (again.added, again.removed) == (0, 0)
    assert again.assessments == len(stored)


def test_assessments_follow_the_definitions(store: Store) -> None:
    before = stored_pairs(store)
    partner = graphs.partner("amsterdam-os")
    store.load(SUBMISSION.read_bytes(), RdfFormat.TURTLE, graph=partner)
    report = assessments.refresh(store)
    assert report.added > 0
    after = stored_pairs(store)
    new = set(after) - set(before)
    assert new and all(PARTNER in pair for pair in new)
    assert set(after) == expected_pairs(store)
    store.drop_graph(partner)
    removed = assessments.refresh(store)
    assert removed.removed > 0
    assert stored_pairs(store) == before
    # Nothing about the withdrawn definition is left in the derived graph.
    leftovers = store.ask(
        "ASK { ?s ?p ?o FILTER(?s = ?d || ?o = ?d) }",
        bindings={"d": URIRef(PARTNER)},
        default_graphs=[graphs.DERIVED],
    )
    assert not leftovers


def test_assessment_iris_are_stable_and_blank_node_free(store: Store) -> None:
    rows = store.select(
        "SELECT ?s ?o WHERE { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }",
        default_graphs=[graphs.DERIVED],
    )
    assert len(rows) == 0
    a, b = sorted(expected_pairs(store))[0]
    stored = store.select(
        "PREFIX cm: <https://w3id.org/commensura/ontology#> "
        "SELECT ?s WHERE { ?s cm:leftDefinition ?a ; cm:rightDefinition ?b }",
        bindings={"a": URIRef(a), "b": URIRef(b)},
        default_graphs=[graphs.DERIVED],
    ).column("s")
    assert stored == [assessments.assessment_iri(a, b)]
    assert assessments.assessment_iri(a, b) != assessments.assessment_iri(b, a)
    assert str(stored[0]).startswith(assessments.ASSESSMENT_BASE)

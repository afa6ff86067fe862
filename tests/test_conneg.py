"""Content negotiation, tested by a table."""

from __future__ import annotations

import pytest

from api.conneg import (
    CSV,
    GRAPH,
    HTML,
    JSONLD,
    NTRIPLES,
    RDFXML,
    SPARQL_JSON,
    SPARQL_XML,
    TABULAR,
    TSV,
    TURTLE,
    from_format,
    negotiate,
)

CASES = [
    # (Accept, offers, expected)
    (None, TABULAR, SPARQL_JSON),
    ("", GRAPH, TURTLE),
    ("*/*", TABULAR, SPARQL_JSON),
    ("text/csv", TABULAR, CSV),
    ("text/tab-separated-values", TABULAR, TSV),
    ("application/sparql-results+xml", TABULAR, SPARQL_XML),
    ("text/*", TABULAR, CSV),
    ("text/*;q=0.5, application/sparql-results+xml", TABULAR, SPARQL_XML),
    ("application/sparql-results+json;q=0.2, text/csv;q=0.9", TABULAR, CSV),
    ("text/csv;q=0, */*;q=0.1", TABULAR, SPARQL_JSON),
    ("text/html", TABULAR, None),
    ("application/ld+json", GRAPH, JSONLD),
    ("application/rdf+xml, text/turtle;q=0.8", GRAPH, RDFXML),
    ("text/turtle;q=0.3, application/n-triples;q=0.4", GRAPH, NTRIPLES),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", (HTML, *GRAPH), HTML),
    ("text/html;q=0.1, text/turtle", (HTML, *GRAPH), TURTLE),
    ("TEXT/TURTLE", GRAPH, TURTLE),
    ("text/turtle; charset=utf-8", GRAPH, TURTLE),
    ("garbage, ;;, /", GRAPH, TURTLE),
    ("image/png", GRAPH, None),
    ("*/*;q=0", GRAPH, None),
    ("text/turtle;q=abc, application/ld+json", GRAPH, JSONLD),
    ("*", GRAPH, TURTLE),
]


@pytest.mark.parametrize(("accept", "offers", "expected"), CASES)
def test_negotiate(accept: str | None, offers: tuple[str, ...], expected: str | None) -> None:
    assert negotiate(accept, offers) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("csv", CSV),
        (".ttl", TURTLE),
        ("JSONLD", JSONLD),
        ("srx", SPARQL_XML),
        ("x", None),
        (None, None),
        ("text/turtle", TURTLE),
    ],
)
def test_format_parameter_and_extensions(value: str | None, expected: str | None) -> None:
    assert from_format(value) == expected

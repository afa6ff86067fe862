"""/sparql on a live server: every form in every format, conneg, datasets, refusals, caps, clients.

Answers are parsed and compared with what the store itself answers (same store,
handed to the application through ``dependency_overrides``).
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.dom.minidom import Document

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result
from SPARQLWrapper import JSON, POST, TURTLE, XML, SPARQLWrapper

from api.app import create_app
from api.conneg import (
    CSV,
    HTML,
    JSONLD,
    NTRIPLES,
    RDFXML,
    SPARQL_JSON,
    SPARQL_XML,
    TSV,
)
from api.conneg import (
    TURTLE as TURTLE_TYPE,
)
from api.deps import get_store
from api.sparql.protocol import (
    OFFERS,
    QueryForm,
    choose_format,
    parse_content_type,
    query_form,
    read_parameters,
    update_operation,
)
from registry.config import Settings
from registry.errors import (
    QueryError,
    QueryTimeoutError,
    ServiceRefusedError,
    UnsupportedQueryFormError,
)
from registry.kb import build
from registry.sparql import MAX_NESTING
from registry.store import RdfFormat, SelectResult, Store, open_store
from registry.store.base import (
    BOOLEAN_FORMATS,
    GRAPH_FORMATS,
    SOLUTION_FORMATS,
    ResultKind,
    serialize_result,
)
from registry.store.remote import RemoteStore
from tests.conftest import StoreSettings
from tests.live import serve

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
CM = "https://w3id.org/commensura/ontology#"
VIENNA = URIRef("https://w3id.org/commensura/id/place/urban-audit/AT001C1")
REGISTRY = URIRef("https://w3id.org/commensura/graph/registry")
ONTOLOGY = URIRef("https://w3id.org/commensura/graph/ontology")
BULK = URIRef("http://example.org/bulk")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDFLIB_GRAPH_FORMATS = {TURTLE_TYPE: "turtle", NTRIPLES: "nt", JSONLD: "json-ld", RDFXML: "xml"}

PREFIXES = """PREFIX cm:   <https://w3id.org/commensura/ontology#>
PREFIX owl:  <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
QUERIES = {
    QueryForm.SELECT: PREFIXES
    + """SELECT ?place ?label ?code ?sameAs WHERE {
  ?place a cm:Place ; skos:prefLabel ?label .
  OPTIONAL { ?place skos:notation ?code }
  OPTIONAL { ?place owl:sameAs ?sameAs }
} ORDER BY ?place ?label ?code ?sameAs""",
    QueryForm.ASK: PREFIXES + "ASK { ?place a cm:Place ; owl:sameAs ?city }",
    QueryForm.CONSTRUCT: PREFIXES
    + """CONSTRUCT { ?place skos:prefLabel ?label ; owl:sameAs ?same }
WHERE { ?place a cm:Place ; skos:prefLabel ?label . OPTIONAL { ?place owl:sameAs ?same } }""",
    QueryForm.DESCRIBE: f"DESCRIBE <{VIENNA}>",
}

UPDATES = [
    "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> <http://x.org/p> 1 } }",
    f"DELETE DATA {{ GRAPH <{REGISTRY}> {{ <{VIENNA}> a <{CM}Place> }} }}",
    "DELETE WHERE { ?s ?p ?o }",
    f"WITH <{REGISTRY}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    "INSERT { GRAPH <http://example.org/g> { ?s ?p ?o } } WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "LOAD SILENT <http://example.org/data.ttl> INTO GRAPH <http://example.org/g>",
    "CLEAR ALL",
    f"CLEAR SILENT GRAPH <{REGISTRY}>",
    "CREATE GRAPH <http://example.org/g>",
    "DROP ALL",
    f"DROP GRAPH <{REGISTRY}>",
    "COPY DEFAULT TO <http://example.org/g>",
    f"MOVE <{REGISTRY}> TO <http://example.org/g>",
    f"ADD <{REGISTRY}> TO <{ONTOLOGY}>",
    "PREFIX ex: <http://example.org/>\nBASE <http://example.org/>\nINSERT DATA { ex:s ex:p <o> }",
    "  # a comment first\n  clear default",
    "SELECT * { ?s ?p ?o } ; DROP ALL",
]


# -- fixtures ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def kb_store(
    tmp_path_factory: pytest.TempPathFactory, store_settings: StoreSettings
) -> Iterator[Store]:
    """The curated knowledge base, open for the whole module."""
    folder = tmp_path_factory.mktemp("sparql") / "kb"
    with store_settings(folder) as settings, open_store(settings) as store:
        build(store)
        yield store


def _serve_with(store: Store, settings: Settings) -> Any:
    app = create_app(settings)

    def override() -> Store:
        return store

    app.dependency_overrides[get_store] = override
    return serve(app)


@pytest.fixture(scope="module")
def base_url(kb_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(store=tmp_path_factory.mktemp("unused") / "store")
    with _serve_with(kb_store, settings) as url:
        yield url


@pytest.fixture(scope="module")
def endpoint(base_url: str) -> str:
    return f"{base_url}/sparql"


BULK_SIZE = 2500


@pytest.fixture(scope="module")
def bulk_store(
    tmp_path_factory: pytest.TempPathFactory, store_settings: StoreSettings
) -> Iterator[Store]:
    """A store of BULK_SIZE simple triples: a cross product of it is a runaway query."""
    folder = tmp_path_factory.mktemp("sparql") / "bulk"
    with store_settings(folder) as settings, open_store(settings) as store:
        lines = "".join(
            f'<http://example.org/s{i}> <http://example.org/p> "{i}" .\n' for i in range(BULK_SIZE)
        )
        store.load(lines, RdfFormat.NTRIPLES, graph=BULK)
        yield store


@pytest.fixture(scope="module")
def capped(bulk_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An endpoint with small caps: 50 results, 1 s, one worker, 2 KiB bodies."""
    settings = Settings(
        store=tmp_path_factory.mktemp("unused") / "store",
        sparql_result_limit=50,
        sparql_timeout=1.0,
        sparql_workers=1,
        max_body_bytes=2048,
    )
    with _serve_with(bulk_store, settings) as url:
        yield url


@pytest.fixture(scope="module")
def streaming(bulk_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An endpoint with a 1 s time cap, one worker and a result cap no test query reaches."""
    settings = Settings(
        store=tmp_path_factory.mktemp("unused") / "store",
        sparql_result_limit=1_000_000,
        sparql_timeout=1.0,
        sparql_workers=1,
    )
    with _serve_with(bulk_store, settings) as url:
        yield url


# -- helpers -----------------------------------------------------------------------


def _get(endpoint: str, query: str | None = None, **kwargs: Any) -> httpx.Response:
    params = dict(kwargs.pop("params", {}))
    if query is not None:
        params["query"] = query
    return httpx.get(endpoint, params=params, timeout=30, **kwargs)


def _media(response: httpx.Response) -> str:
    header: str = response.headers.get("content-type", "")
    return header.split(";")[0].strip()


def _rows_from(response: httpx.Response) -> list[dict[str, Any]]:
    """SELECT rows parsed from any of the four formats, as dicts of rdflib terms (or text)."""
    media = _media(response)
    if media in (SPARQL_JSON, SPARQL_XML, TSV):
        fmt = {SPARQL_JSON: "json", SPARQL_XML: "xml", TSV: "tsv"}[media]
        parsed = Result.parse(io.BytesIO(response.content), format=fmt)
        names = [str(v) for v in parsed.vars or []]
        rows = [row for row in parsed if isinstance(row, tuple)]
        return [{n: row[i] for i, n in enumerate(names) if row[i] is not None} for row in rows]
    assert media == CSV
    reader = csv.DictReader(io.StringIO(response.text))
    return [{k: v for k, v in row.items() if v != ""} for row in reader]


def _expected_rows(result: SelectResult, *, as_text: bool = False) -> list[dict[str, Any]]:
    return [{k: str(v) if as_text else v for k, v in row.items()} for row in result.dicts()]


def _graph_from(response: httpx.Response) -> Graph:
    return Graph().parse(data=response.content, format=RDFLIB_GRAPH_FORMATS[_media(response)])


def _error_code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


# -- pure functions, by table ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * {}", QueryForm.SELECT),
        ("select * {}", QueryForm.SELECT),
        ("PREFIX ex: <http://example.org/select/>\nASK { ex:a ex:b ex:c }", QueryForm.ASK),
        (
            "BASE <http://example.org/>\nPREFIX : <a#> CONSTRUCT WHERE { ?s ?p ?o }",
            QueryForm.CONSTRUCT,
        ),
        ("# DESCRIBE in a comment\nDESCRIBE <http://example.org/x>", QueryForm.DESCRIBE),
        ("PREFIX  select:<http://example.org/> DESCRIBE select:x", QueryForm.DESCRIBE),
        ("\\u0053ELECT * {}", QueryForm.SELECT),
        ("INSERT DATA {}", None),
        ("hello", None),
        ("", None),
    ],
)
def test_query_form_by_table(text: str, form: QueryForm | None) -> None:
    assert query_form(text) is form


@pytest.mark.parametrize(
    ("text", "operation"),
    [
        ("LOAD <http://example.org/x>", "LOAD"),
        ("WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
        ("SELECT * { ?s ?p ?o } ; drop all", "DROP"),
        ("SELECT * { ?s ?p 'DROP ALL' }", None),
        ("SELECT * { ?s <http://example.org/load> ?o }", None),
        ("PREFIX load: <http://example.org/> SELECT ?insert { ?insert load:add ?x }", None),
        ("SELECT * { ?s ?p ?o } # CLEAR ALL", None),
        ("SELECT * { ?s ?p 'x'@add }", None),
        ("SELECT * { _:load ?p ?o }", None),
    ],
)
def test_update_operation_by_table(text: str, operation: str | None) -> None:
    assert update_operation(text) == operation


@pytest.mark.parametrize("update", UPDATES)
def test_every_update_is_recognised(update: str) -> None:
    assert update_operation(update) is not None


@pytest.mark.parametrize(
    ("kind", "accept", "fmt", "expected"),
    [
        (ResultKind.SOLUTIONS, None, None, SPARQL_JSON),
        (ResultKind.SOLUTIONS, "*/*", None, SPARQL_JSON),
        (ResultKind.SOLUTIONS, "text/*", None, CSV),
        (ResultKind.SOLUTIONS, BROWSER, None, HTML),
        (ResultKind.SOLUTIONS, "application/json", None, "application/json"),
        (ResultKind.SOLUTIONS, "text/turtle", None, None),
        (ResultKind.SOLUTIONS, "text/turtle", "csv", CSV),
        (ResultKind.SOLUTIONS, None, "ttl", None),
        (ResultKind.SOLUTIONS, None, "no-such-format", None),
        (ResultKind.SOLUTIONS, None, "application/sparql-results+xml", SPARQL_XML),
        (ResultKind.BOOLEAN, "text/csv", None, None),
        (ResultKind.BOOLEAN, "application/sparql-results+xml", None, SPARQL_XML),
        (ResultKind.GRAPH, None, None, TURTLE_TYPE),
        (ResultKind.GRAPH, None, "json", JSONLD),
        (ResultKind.GRAPH, None, "xml", RDFXML),
        (ResultKind.GRAPH, None, "n3", TURTLE_TYPE),
        (ResultKind.GRAPH, "application/sparql-results+json", None, None),
        (ResultKind.GRAPH, "text/html;q=0.1, text/turtle", None, TURTLE_TYPE),
    ],
)
def test_choose_format_by_table(
    kind: ResultKind, accept: str | None, fmt: str | None, expected: str | None
) -> None:
    assert choose_format(OFFERS[kind], accept, fmt, graph=kind is ResultKind.GRAPH) == expected


def test_protocol_parameters() -> None:
    request = read_parameters(
        [
            ("query", "ASK {}"),
            ("default-graph-uri", "http://example.org/a"),
            ("default-graph-uri", ""),
            ("named-graph-uri", "http://example.org/b"),
            ("output", "xml"),
        ]
    )
    assert request.query == "ASK {}"
    assert request.default_graphs == ("http://example.org/a",)
    assert request.named_graphs == ("http://example.org/b",)
    assert request.format == "xml"
    assert request.has_dataset
    with pytest.raises(QueryError):
        read_parameters([("query", "ASK {}"), ("query", "ASK {}")])
    assert parse_content_type("application/sparql-query; charset=UTF-16").utf8 is False
    assert parse_content_type("application/sparql-query;charset=utf-8").utf8
    assert parse_content_type(None).media_type == ""


# -- all four forms in every format --------------------------------------------------------


@pytest.mark.parametrize("media", SOLUTION_FORMATS)
def test_select_in_every_format(endpoint: str, kb_store: Store, media: str) -> None:
    query = QUERIES[QueryForm.SELECT]
    response = _get(endpoint, query, headers={"Accept": media})
    assert response.status_code == 200, response.text
    assert _media(response) == media
    assert response.headers["X-Commensura-Truncated"] == "false"
    expected = kb_store.select(query)
    assert len(expected) > 10
    assert any(t is None for row in expected for t in row), "the query should leave some unbound"
    assert _rows_from(response) == _expected_rows(expected, as_text=media == CSV)


@pytest.mark.parametrize("media", BOOLEAN_FORMATS)
@pytest.mark.parametrize("answer", [True, False])
def test_ask_in_every_format(endpoint: str, kb_store: Store, media: str, answer: bool) -> None:
    query = QUERIES[QueryForm.ASK] if answer else "ASK { <http://example.org/none> ?p ?o }"
    assert kb_store.ask(query) is answer
    response = _get(endpoint, query, headers={"Accept": media})
    assert response.status_code == 200
    assert _media(response) == media
    parsed = Result.parse(io.BytesIO(response.content), format="json" if "json" in media else "xml")
    assert parsed.askAnswer is answer


@pytest.mark.parametrize("media", GRAPH_FORMATS)
@pytest.mark.parametrize("form", [QueryForm.CONSTRUCT, QueryForm.DESCRIBE])
def test_graph_forms_in_every_format(
    endpoint: str, kb_store: Store, media: str, form: QueryForm
) -> None:
    query = QUERIES[form]
    response = httpx.post(endpoint, data={"query": query}, headers={"Accept": media})
    assert response.status_code == 200, response.text
    assert _media(response) == media
    expected = kb_store.construct(query)
    assert len(expected) > 5
    assert isomorphic(_graph_from(response), expected)


def test_jsonld_answer_has_no_remote_context(endpoint: str) -> None:
    response = _get(endpoint, QUERIES[QueryForm.DESCRIBE], headers={"Accept": JSONLD})
    assert response.status_code == 200
    assert '"@context"' not in response.text
    assert isinstance(response.json(), list)


@pytest.mark.parametrize("form", list(QueryForm))
def test_every_form_as_html(endpoint: str, form: QueryForm) -> None:
    response = _get(endpoint, QUERIES[form], headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert _media(response) == HTML
    assert "<form" in response.text
    assert "<script" not in response.text.lower()


def test_describe_of_a_city_returns_its_triples(endpoint: str, kb_store: Store) -> None:
    response = _get(endpoint, f"DESCRIBE <{VIENNA}>", headers={"Accept": NTRIPLES})
    assert response.status_code == 200
    graph = _graph_from(response)
    own = kb_store.triples_about([VIENNA])
    assert len(own) >= 8
    for triple in own:
        assert triple in graph
    assert (
        VIENNA,
        URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"),
        Literal("Vienna", lang="en"),
    ) in graph


def test_exotic_solutions_in_every_format(endpoint: str) -> None:
    """Escapes, no variables: never a server error."""
    queries = [
        'SELECT ?x { VALUES ?x { "tab\\there\\nnewline \\"quoted\\"" "x"@en 1.5e3 } }',
        "SELECT * {}",
        "SELECT * { {} UNION {} }",
        "SELECT ?unbound {}",
    ]
    for query in queries:
        for media in SOLUTION_FORMATS:
            response = _get(endpoint, query, headers={"Accept": media})
            assert response.status_code == 200, (query, media, response.text)
            if media in (SPARQL_JSON, SPARQL_XML):
                assert isinstance(_rows_from(response), list)


@pytest.mark.embedded_only("SPARQL 1.2 syntax (triple terms, directions), which Virtuoso 7 refuses")
def test_sparql_12_solutions_in_every_format(endpoint: str) -> None:
    """Triple terms and directional language tags: never a server error."""
    queries = [
        'SELECT (<<( <http://example.org/s> <http://example.org/p> "o" )>> AS ?t) {}',
        'SELECT ?x { VALUES ?x { "x"@en--ltr } }',
    ]
    for query in queries:
        for media in SOLUTION_FORMATS:
            response = _get(endpoint, query, headers={"Accept": media})
            assert response.status_code == 200, (query, media, response.text)


# -- content negotiation over HTTP ------------------------------------------------------------


CONNEG = [
    # (form or None for no query, Accept, format=, status, media type)
    (QueryForm.SELECT, None, None, 200, SPARQL_JSON),
    (QueryForm.SELECT, "*/*", None, 200, SPARQL_JSON),
    (QueryForm.SELECT, "text/*", None, 200, CSV),
    (QueryForm.SELECT, f"{SPARQL_XML};q=0.5, {TSV}", None, 200, TSV),
    (QueryForm.SELECT, "application/json", None, 200, "application/json"),
    (QueryForm.SELECT, "text/turtle", None, 406, None),
    (QueryForm.SELECT, "text/csv", "json", 200, SPARQL_JSON),
    (QueryForm.SELECT, None, "ttl", 406, None),
    (QueryForm.SELECT, None, "no-such-format", 406, None),
    (QueryForm.SELECT, BROWSER, None, 200, HTML),
    (QueryForm.ASK, "text/csv", None, 406, None),
    (QueryForm.ASK, "application/sparql-results+xml", None, 200, SPARQL_XML),
    (QueryForm.CONSTRUCT, None, None, 200, TURTLE_TYPE),
    (QueryForm.CONSTRUCT, "application/sparql-results+json", None, 406, None),
    (QueryForm.CONSTRUCT, None, "json", 200, JSONLD),
    (QueryForm.CONSTRUCT, None, "xml", 200, RDFXML),
    (QueryForm.CONSTRUCT, f"{NTRIPLES};q=0.9, {RDFXML};q=0.1", None, 200, NTRIPLES),
    (QueryForm.DESCRIBE, "application/ld+json", None, 200, JSONLD),
    (QueryForm.DESCRIBE, "text/html;q=0.1, text/turtle", None, 200, TURTLE_TYPE),
    (QueryForm.DESCRIBE, "image/png", None, 406, None),
    (None, None, None, 200, TURTLE_TYPE),
    (None, "*/*", None, 200, TURTLE_TYPE),
    (None, BROWSER, None, 200, HTML),
    (None, "application/ld+json", None, 200, JSONLD),
    (None, None, "rdf", 200, RDFXML),
    (None, "application/sparql-results+json", None, 406, None),
]  # fmt: skip


@pytest.mark.parametrize(("form", "accept", "fmt", "status", "media"), CONNEG)
def test_conneg_over_http(
    endpoint: str,
    form: QueryForm | None,
    accept: str | None,
    fmt: str | None,
    status: int,
    media: str | None,
) -> None:
    params = {} if fmt is None else {"format": fmt}
    headers = {} if accept is None else {"Accept": accept}
    query = None if form is None else QUERIES[form]
    response = _get(endpoint, query, params=params, headers=headers)
    assert response.status_code == status, response.text
    assert "Accept" in response.headers.get("vary", "")
    if status == 406:
        assert _error_code(response) == "request.not_acceptable"
        assert response.json()["error"]["details"]["offered"]
    else:
        assert _media(response) == media


# -- datasets --------------------------------------------------------------------------------


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _count(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_default_graph_uri_narrows_the_default_graph(endpoint: str, kb_store: Store) -> None:
    for graph in (REGISTRY, ONTOLOGY):
        response = _get(endpoint, COUNT, params={"default-graph-uri": str(graph)})
        assert _count(response) == kb_store.count(graph)
    both = _get(endpoint, COUNT, params={"default-graph-uri": [str(REGISTRY), str(ONTOLOGY)]})
    expected = kb_store.select(COUNT, default_graphs=[REGISTRY, ONTOLOGY]).rows[0][0]
    assert _count(both) == expected.toPython()  # type: ignore[union-attr]
    vienna = f"ASK {{ <{VIENNA}> ?p ?o }}"
    assert (
        _get(endpoint, vienna, params={"default-graph-uri": str(ONTOLOGY)}).json()["boolean"]
        is False
    )
    assert (
        _get(endpoint, vienna, params={"default-graph-uri": str(REGISTRY)}).json()["boolean"]
        is True
    )


def test_named_graph_uri_narrows_graph_and_empties_the_default(
    endpoint: str, kb_store: Store
) -> None:
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    every = _get(endpoint, graphs).json()["results"]["bindings"]
    assert {b["g"]["value"] for b in every} == {str(g) for g in kb_store.graphs()}
    assert {str(REGISTRY), str(ONTOLOGY)} <= {b["g"]["value"] for b in every}
    one = _get(endpoint, graphs, params={"named-graph-uri": str(REGISTRY)})
    assert [b["g"]["value"] for b in one.json()["results"]["bindings"]] == [str(REGISTRY)]
    assert _count(_get(endpoint, COUNT, params={"named-graph-uri": str(REGISTRY)})) == 0


def test_graph_parameters_in_a_posted_form(endpoint: str, kb_store: Store) -> None:
    response = httpx.post(
        endpoint,
        data={"query": COUNT, "default-graph-uri": str(ONTOLOGY)},
        headers={"Accept": SPARQL_JSON},
    )
    assert _count(response) == kb_store.count(ONTOLOGY)
    direct = httpx.post(
        endpoint,
        params={"default-graph-uri": str(REGISTRY)},
        content=COUNT.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": SPARQL_JSON},
    )
    assert _count(direct) == kb_store.count(REGISTRY)


def test_from_is_honoured_and_protocol_graphs_win(endpoint: str, kb_store: Store) -> None:
    from_ontology = f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY}> WHERE {{ ?s ?p ?o }}"
    assert _count(_get(endpoint, from_ontology)) == kb_store.count(ONTOLOGY)
    overridden = _get(endpoint, from_ontology, params={"default-graph-uri": str(REGISTRY)})
    assert _count(overridden) == kb_store.count(REGISTRY)


def test_an_invalid_graph_iri_is_a_client_error(endpoint: str) -> None:
    response = _get(endpoint, COUNT, params={"default-graph-uri": "not an iri"})
    assert response.status_code == 400
    assert response.json()["error"]["code"]


# -- refusals ---------------------------------------------------------------------------------


def _snapshot(store: Store) -> tuple[int, list[URIRef]]:
    return store.count(), store.graphs()


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused_every_way(endpoint: str, kb_store: Store, update: str) -> None:
    before = _snapshot(kb_store)
    attempts = [
        httpx.get(endpoint, params={"update": update}),
        httpx.get(endpoint, params={"query": update}),
        httpx.post(endpoint, data={"update": update}),
        httpx.post(endpoint, data={"query": update}),
        httpx.post(
            endpoint,
            content=update.encode(),
            headers={"Content-Type": "application/sparql-update"},
        ),
        httpx.post(
            endpoint,
            content=update.encode(),
            headers={"Content-Type": "application/sparql-query"},
        ),
    ]
    for response in attempts:
        assert response.status_code == 403, response.text
        error = response.json()["error"]
        assert error["code"] == "query.update_refused"
        assert "read-only" in error["message"]
    assert _snapshot(kb_store) == before


def test_queries_that_only_mention_update_words_are_answered(endpoint: str) -> None:
    for query in [
        "SELECT * { ?s ?p 'DROP ALL; LOAD <http://example.org/>' } LIMIT 1",
        "PREFIX load: <http://example.org/> SELECT ?insert { ?insert load:add ?x }",
        "SELECT * { ?s <http://example.org/clear> ?o }",
    ]:
        assert _get(endpoint, query).status_code == 200, query


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * { SERVICE SILENT <http://example.org/sparql> { ?s ?p ?o } }",
        "select * { ?x ?y ?z . service ?x { ?s ?p ?o } }",
        "ASK { SERVICE <http://127.0.0.1:1/sparql> {} }",
        "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    ],
)
def test_service_is_refused(endpoint: str, query: str) -> None:
    for response in (
        _get(endpoint, query),
        httpx.post(endpoint, data={"query": query}),
        httpx.post(endpoint, content=query, headers={"Content-Type": "application/sparql-query"}),
    ):
        assert response.status_code == 400
        assert _error_code(response) == "query.service_refused"


def test_service_in_a_string_is_not_refused(endpoint: str) -> None:
    assert _get(endpoint, "SELECT * { ?s ?p 'SERVICE <x> {}' }").status_code == 200


# -- malformed requests: always 4xx with the error shape ------------------------------------------


@pytest.mark.parametrize(
    ("send", "status", "code"),
    [
        (lambda e: httpx.get(e, params={"query": "SELECT * { ?s ?p "}), 400, "query.invalid"),
        (lambda e: httpx.get(e, params={"query": "hello"}), 400, "query.invalid"),
        (lambda e: httpx.get(e, params={"query": "   "}), 400, "query.invalid"),
        (
            lambda e: httpx.get(e, params={"query": ["ASK {}", "ASK {}"]}),
            400,
            "query.invalid",
        ),
        (
            lambda e: httpx.post(e, content=b"ASK {}", headers={"Content-Type": "text/plain"}),
            415,
            "request.unsupported_media_type",
        ),
        (
            lambda e: httpx.post(e, content=b"query=ASK+%7B%7D"),
            415,
            "request.unsupported_media_type",
        ),
        (
            lambda e: httpx.post(
                e,
                content="ASK {}".encode("utf-16"),
                headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
            ),
            415,
            "request.unsupported_media_type",
        ),
        (
            lambda e: httpx.post(
                e,
                content=b"ASK { ?s ?p '\xff' }",
                headers={"Content-Type": "application/sparql-query"},
            ),
            400,
            "query.invalid",
        ),
        (
            lambda e: httpx.post(
                e,
                params={"query": "ASK {}"},
                content=b"ASK {}",
                headers={"Content-Type": "application/sparql-query"},
            ),
            400,
            "query.invalid",
        ),
        (lambda e: httpx.post(e, data={"format": "json"}), 400, "query.invalid"),
        (lambda e: httpx.put(e, params={"query": "ASK {}"}), 405, "method_not_allowed"),
        (
            lambda e: httpx.get(e, params={"query": "SELECT * { ?s ?p ?o }", "format": "n-quads"}),
            406,
            "request.not_acceptable",
        ),
    ],
)
def test_malformed_requests(endpoint: str, send: Any, status: int, code: str) -> None:
    response = send(endpoint)
    assert response.status_code == status, response.text
    assert _error_code(response) == code
    assert response.json()["error"]["message"]


def test_no_input_makes_a_server_error(endpoint: str) -> None:
    strange = [
        "",
        "\x00",
        "SELECT",
        "SELECT * { ?s ?p ?o } LIMIT -1",
        "SELECT * { BIND(1/0 AS ?x) }",
        "SELECT * { ?s ?p ?o FILTER(REGEX(?o, '(')) } LIMIT 3",
        "SELECT (<<( ?s ?p ?o )>> AS ?t) { ?s ?p ?o } LIMIT 2",
        "CONSTRUCT { <<( ?s ?p ?o )>> <http://example.org/p> 1 } WHERE { ?s ?p ?o } LIMIT 2",
        "DESCRIBE ?x",
        "PREFIX : <relative> SELECT * { :a ?p ?o }",
        "SELECT * { ?s ?p ?o } VALUES ?s { <http://example.org/> }",
        "ASK { FILTER(<http://example.org/\u0000>) }",
        "SELECT ?x { BIND(STRDT('x', <not absolute>) AS ?x) }",
        "\ufeffSELECT * {} ",
    ]
    for query in strange:
        for accept in (SPARQL_JSON, SPARQL_XML, CSV, TSV, TURTLE_TYPE, JSONLD, RDFXML, HTML, "x/y"):
            response = _get(endpoint, query, headers={"Accept": accept})
            assert response.status_code < 500, (query, accept, response.text)


# -- caps --------------------------------------------------------------------------------------


def test_result_cap_truncates_and_says_so(capped: str) -> None:
    endpoint = f"{capped}/sparql"
    every = _get(endpoint, "SELECT * { ?s ?p ?o }", headers={"Accept": CSV})
    assert every.status_code == 200
    assert every.headers["X-Commensura-Truncated"] == "true"
    assert every.headers["X-Commensura-Result-Limit"] == "50"
    assert len(_rows_from(every)) == 50
    for media in (SPARQL_JSON, SPARQL_XML, TSV):
        response = _get(endpoint, "SELECT * { ?s ?p ?o }", headers={"Accept": media})
        assert len(_rows_from(response)) == 50
        assert response.headers["X-Commensura-Truncated"] == "true"
    exactly = _get(endpoint, "SELECT * { ?s ?p ?o } LIMIT 50")
    assert exactly.headers["X-Commensura-Truncated"] == "false"
    assert len(_rows_from(exactly)) == 50
    fewer = _get(endpoint, "SELECT * { ?s ?p ?o } LIMIT 10")
    assert fewer.headers["X-Commensura-Truncated"] == "false"
    for media in GRAPH_FORMATS:
        graph = _get(endpoint, "CONSTRUCT WHERE { ?s ?p ?o }", headers={"Accept": media})
        assert graph.headers["X-Commensura-Truncated"] == "true"
        assert len(_graph_from(graph)) == 50
    page = _get(endpoint, "SELECT * { ?s ?p ?o }", headers={"Accept": BROWSER})
    assert "was cut after 50" in page.text


RUNAWAY = 'SELECT * { ?a ?b ?c . ?d ?e ?f FILTER(SHA256(CONCAT(STR(?c), STR(?f))) = "x") }'
"""A cross product no row passes (about 3.5 s here): the engine works in one go, before any
result, and cannot be interrupted."""
STREAMING_RUNAWAY = "SELECT ?a ?d { ?a ?b ?c . ?d ?e ?f FILTER(STR(?c) = STR(?f)) }"
"""A cross product that yields a row now and then (BULK_SIZE in all, evenly spread): the store
stops at the first row after the deadline."""


def _wait_until_free(endpoint: str, limit: float = 60.0) -> None:
    """Wait until the one worker answers again (a runaway from a test may still be running)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if _get(endpoint, "ASK {}").status_code == 200:
            return
    pytest.fail("the query worker never came free")


def test_time_cap_ends_a_runaway_while_health_answers(capped: str, bulk_store: Store) -> None:
    endpoint = f"{capped}/sparql"
    _wait_until_free(endpoint)
    outcome: dict[str, Any] = {}

    def runaway() -> None:
        started = time.monotonic()
        outcome["response"] = _get(endpoint, RUNAWAY)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.2)
    latencies = []
    while thread.is_alive():
        started = time.monotonic()
        health = httpx.get(f"{capped}/health", timeout=5)
        latencies.append(time.monotonic() - started)
        assert health.status_code == 200
        time.sleep(0.05)
    thread.join()
    response = outcome["response"]
    assert response.status_code == 400, response.text
    assert _error_code(response) == "query.timeout"
    assert response.json()["error"]["details"]["time_cap_seconds"] == 1.0
    assert outcome["seconds"] < 3.0
    # Health asks the store too: a remote server shares its processors with the runaway.
    bound = 5.0 if isinstance(bulk_store, RemoteStore) else 0.5
    assert latencies and max(latencies) < bound, latencies
    busy = _get(endpoint, "ASK {}")
    if isinstance(bulk_store, RemoteStore):
        # The server was told the time cap and stops the runaway at its own granularity
        # (Virtuoso: about 2 s): the worker may still wait a moment, then comes free.
        assert busy.status_code in (200, 429), busy.text
        _wait_until_free(endpoint)
        return
    # The embedded engine is still working on the runaway: its worker is taken, and with
    # one worker a new query waits the whole time cap and is told the endpoint is busy.
    assert busy.status_code == 429, busy.text
    assert _error_code(busy) == "query.busy"
    assert busy.headers["Retry-After"] == "1"
    _wait_until_free(endpoint)


@pytest.mark.embedded_only(
    "a remote server stops a query no sooner than its own time-out granularity (Virtuoso: "
    "about 2 s), and the worker waits for its answer until then"
)
def test_time_cap_stops_a_streaming_query_and_frees_its_worker(streaming: str) -> None:
    endpoint = f"{streaming}/sparql"
    _wait_until_free(endpoint)
    started = time.monotonic()
    response = _get(endpoint, STREAMING_RUNAWAY, params={"format": "json"})
    assert response.status_code == 400
    assert _error_code(response) == "query.timeout"
    assert time.monotonic() - started < 2.5
    # The store stopped reading at the deadline: the one worker is free at once.
    started = time.monotonic()
    assert _get(endpoint, "ASK {}").status_code == 200
    assert time.monotonic() - started < 0.5


def test_time_cap_is_shown_on_the_page(streaming: str) -> None:
    endpoint = f"{streaming}/sparql"
    _wait_until_free(endpoint)
    page = _get(endpoint, RUNAWAY, headers={"Accept": BROWSER})
    assert page.status_code == 400
    assert "query.timeout" in page.text and "<form" in page.text
    _wait_until_free(endpoint)


def test_body_cap(capped: str) -> None:
    query = "ASK {} # " + "x" * 3000
    response = httpx.post(
        f"{capped}/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413
    assert _error_code(response) == "request.too_large"


def test_queries_too_long_or_too_deep_are_refused_before_the_engine(endpoint: str) -> None:
    deep = "SELECT * { FILTER(" + "(" * 101 + "1" + ")" * 101 + ") }"
    response = httpx.post(endpoint, data={"query": deep})
    assert response.status_code == 400
    assert response.json()["error"]["details"]["limit"] == MAX_NESTING
    shallow = "SELECT * { FILTER(" + "(" * 90 + "1" + ")" * 90 + ") }"
    assert httpx.post(endpoint, data={"query": shallow}).status_code == 200
    brackets_in_a_string = "SELECT * { ?s ?p '" + "{" * 500 + "' }"
    assert httpx.post(endpoint, data={"query": brackets_in_a_string}).status_code == 200
    long = "SELECT * {} # " + "x" * (64 * 1024)
    too_long = httpx.post(
        endpoint, content=long, headers={"Content-Type": "application/sparql-query"}
    )
    assert too_long.status_code == 413
    assert _error_code(too_long) == "request.too_large"


@pytest.mark.embedded_only("Oxigraph's recursion on a thread's stack")
def test_worker_stack_holds_the_longest_chains(tmp_path: Path) -> None:
    """6,000 MINUS clauses (54 KB, under the size cap) overflow a default 8 MiB thread stack
    in Oxigraph and end the process; on a worker's stack they are answered. Run in a
    subprocess, so a regression fails this test instead of ending the test run."""
    script = """
import sys
from pathlib import Path
from api.sparql.runner import start_worker
from registry.config import Settings
from registry.store import open_store
from registry.store.base import SPARQL_RESULTS_JSON

store = open_store(Settings(store=Path(sys.argv[1])))
query = "SELECT * { " + " ".join(["MINUS {}"] * 6000) + " }"
assert len(query) < 64 * 1024
out = {}

def work():
    out["count"] = store.query_serialized(query, media_type=SPARQL_RESULTS_JSON).count

start_worker(work).join()
print(out["count"])
"""
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "store")],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"


# -- service description and page -----------------------------------------------------------


@pytest.mark.parametrize("media", GRAPH_FORMATS)
def test_service_description(endpoint: str, kb_store: Store, media: str) -> None:
    response = httpx.get(endpoint, headers={"Accept": media})
    assert response.status_code == 200
    graph = _graph_from(response)
    assert (URIRef(endpoint), SD.endpoint, URIRef(endpoint)) in graph
    assert (URIRef(endpoint), SD.supportedLanguage, SD.SPARQL11Query) in graph
    names = set(graph.objects(None, SD.name))
    assert names == set(kb_store.graphs())


def test_query_page(endpoint: str) -> None:
    page = httpx.get(endpoint, headers={"Accept": BROWSER})
    assert page.status_code == 200
    text = page.text
    assert '<form method="post" action="/sparql"' in text
    assert '<textarea id="query" name="query"' in text
    assert "<script" not in text.lower()
    assert "<link" not in text.lower() and " src=" not in text.lower()
    answered = httpx.post(
        endpoint,
        data={"query": QUERIES[QueryForm.SELECT], "format": "html", "default-graph-uri": ""},
        headers={"Accept": BROWSER},
    )
    assert answered.status_code == 200
    assert "<table>" in answered.text and "Vienna" in answered.text
    assert (
        "&lt;script&gt;"
        in httpx.post(
            endpoint, data={"query": "SELECT ('<script>' AS ?x) {}"}, headers={"Accept": BROWSER}
        ).text
    )


def test_page_examples_answer(endpoint: str) -> None:
    from api.sparql.page import EXAMPLES

    for _title, query in EXAMPLES:
        response = _get(endpoint, query, headers={"Accept": BROWSER})
        assert response.status_code == 200, query
        assert "rows" in response.text or "triples" in response.text


# -- real clients ------------------------------------------------------------------------------


def test_sparqlwrapper_select_json(endpoint: str, kb_store: Store) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(QUERIES[QueryForm.SELECT])
    client.setReturnFormat(JSON)
    answer = client.query().convert()
    assert isinstance(answer, dict)
    rows = answer["results"]["bindings"]
    expected = kb_store.select(QUERIES[QueryForm.SELECT])
    assert len(rows) == len(expected)
    assert [r["place"]["value"] for r in rows] == [str(p) for p in expected.column("place")]


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_ask(endpoint: str, method: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setMethod(method)
    client.setQuery(QUERIES[QueryForm.ASK])
    client.setReturnFormat(JSON)
    answer = client.query().convert()
    assert isinstance(answer, dict)
    assert answer["boolean"] is True
    client.setReturnFormat(XML)
    client.setQuery("ASK { <http://example.org/none> ?p ?o }")
    document = client.query().convert()
    assert isinstance(document, Document)
    assert "false" in document.toxml()


def test_sparqlwrapper_construct(endpoint: str, kb_store: Store) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(QUERIES[QueryForm.CONSTRUCT])
    expected = kb_store.construct(QUERIES[QueryForm.CONSTRUCT])
    graph = client.query().convert()  # RDF/XML by default, parsed into an rdflib Graph
    assert isinstance(graph, Graph)
    assert isomorphic(graph, expected)
    client.setReturnFormat(TURTLE)
    turtle = client.query().convert()
    assert isinstance(turtle, bytes)
    assert isomorphic(Graph().parse(data=turtle, format="turtle"), expected)


def test_rdflib_sparqlstore(endpoint: str, kb_store: Store) -> None:
    remote = Graph(store=SPARQLStore(endpoint))
    select = QUERIES[QueryForm.SELECT]
    rows = list(remote.query(select))
    assert len(rows) == len(kb_store.select(select))
    assert remote.query(QUERIES[QueryForm.ASK]).askAnswer is True
    constructed = remote.query(QUERIES[QueryForm.CONSTRUCT]).graph
    assert constructed is not None
    assert isomorphic(constructed, kb_store.construct(QUERIES[QueryForm.CONSTRUCT]))
    about_vienna = set(remote.triples((VIENNA, None, None)))
    assert about_vienna == set(kb_store.triples_about([VIENNA]))


# -- the store interface behind the endpoint -----------------------------------------------------


@pytest.mark.parametrize("form", list(QueryForm))
def test_streaming_and_generic_writers_agree(kb_store: Store, form: QueryForm) -> None:
    """The embedded backend's own writers and the generic rdflib ones give the same answers."""
    query = QUERIES[form]
    media_types = {
        QueryForm.SELECT: SOLUTION_FORMATS,
        QueryForm.ASK: BOOLEAN_FORMATS,
    }.get(form, GRAPH_FORMATS)
    for media in media_types:
        for limit in (None, 3):
            fast = kb_store.query_serialized(query, media_type=media, limit=limit)
            generic = serialize_result(kb_store.query(query), media, limit=limit)
            assert (fast.kind, fast.count, fast.truncated) == (
                generic.kind,
                generic.count,
                generic.truncated,
            ), media
            if form is QueryForm.SELECT:
                fast_rows = _rows_from(_fake_response(fast.body, media))
                generic_rows = _rows_from(_fake_response(generic.body, media))
                if limit is None:
                    assert fast_rows == generic_rows, media
                else:
                    assert len(fast_rows) == len(generic_rows) == 3
            elif form is QueryForm.ASK:
                fmt = "json" if "json" in media else "xml"
                assert (
                    Result.parse(io.BytesIO(fast.body), format=fmt).askAnswer
                    == Result.parse(io.BytesIO(generic.body), format=fmt).askAnswer
                )
            elif limit is None:
                fmt = RDFLIB_GRAPH_FORMATS[media]
                assert isomorphic(
                    Graph().parse(data=fast.body, format=fmt),
                    Graph().parse(data=generic.body, format=fmt),
                )


def _fake_response(body: bytes, media: str) -> httpx.Response:
    return httpx.Response(200, content=body, headers={"content-type": media})


def test_generic_path_of_the_store_interface(kb_store: Store) -> None:
    generic = Store._query_serialized(
        kb_store,
        "CONSTRUCT { <s> <p> 1 } WHERE {}",
        media_type=NTRIPLES,
        default_graphs=None,
        named_graphs=None,
        limit=None,
        deadline=None,
        prefixes=None,
        base_iri="http://example.org/base/",
    )
    assert b"<http://example.org/base/s>" in generic.body
    with pytest.raises(QueryTimeoutError):
        Store._query_serialized(
            kb_store,
            "ASK {}",
            media_type=SPARQL_JSON,
            default_graphs=None,
            named_graphs=None,
            limit=None,
            deadline=time.monotonic() - 1,
            prefixes=None,
            base_iri=None,
        )


def test_store_refuses_what_it_cannot_write_and_what_is_late(kb_store: Store) -> None:
    with pytest.raises(UnsupportedQueryFormError):
        kb_store.query_serialized("ASK {}", media_type=CSV)
    with pytest.raises(UnsupportedQueryFormError):
        kb_store.query_serialized("SELECT * {}", media_type=TURTLE_TYPE)
    with pytest.raises(UnsupportedQueryFormError):
        kb_store.query_serialized("CONSTRUCT WHERE { ?s ?p ?o }", media_type=SPARQL_JSON)
    with pytest.raises(QueryTimeoutError):
        kb_store.query_serialized("ASK {}", media_type=SPARQL_JSON, deadline=time.monotonic() - 1)
    with pytest.raises(ServiceRefusedError):
        kb_store.query_serialized("ASK { SERVICE <http://x.org/> {} }", media_type=SPARQL_JSON)
    empty = kb_store.query_serialized("SELECT * { ?s ?p ?o }", media_type=SPARQL_JSON, limit=0)
    assert empty.count == 0 and empty.truncated


def test_docs_page_exists() -> None:
    docs = Path(__file__).resolve().parent.parent / "docs" / "sparql.md"
    text = docs.read_text(encoding="utf-8")
    for code in (
        "query.update_refused",
        "query.service_refused",
        "query.timeout",
        "query.busy",
        "request.not_acceptable",
        "X-Commensura-Truncated",
        "COMMENSURA_SPARQL_RESULT_LIMIT",
        "COMMENSURA_SPARQL_TIMEOUT",
        "COMMENSURA_SPARQL_WORKERS",
        "COMMENSURA_SPARQL_MAX_QUERY_BYTES",
    ):
        assert code in text, code

"""Linked Data on a real server: every IRI we mint dereferences, with content negotiation.

The store is the curated knowledge base (``registry.kb.build``) plus a few
resources of our own that exercise the edges: an IRI beyond ASCII, one with a
percent-escape, one ending in ``.ttl``, nested blank nodes, a predicate RDF/XML
cannot write, and an imported dataset with a licence and a provenance record.
"""

from __future__ import annotations

import gzip
import io
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS, VOID, XSD

from api.app import create_app
from api.deps import get_store
from registry import graphs
from registry.config import Settings
from registry.errors import NotFoundError
from registry.kb import build
from registry.linked_data import DATASET, ID_SPACE, dump_chunks, iri_candidates, write_dump
from registry.namespaces import CM, ONTOLOGY_IRI
from registry.store import RdfFormat, Store, open_store
from tests.conftest import StoreSettings
from tests.live import serve

CITY = URIRef(f"{ID_SPACE}place/urban-audit/AT001C1")
CITY_PATH = "/id/place/urban-audit/AT001C1"
PARTNER = f"{ID_SPACE}partner/ld-test/"
CAFE = URIRef(f"{PARTNER}café")
SPACED = URIRef(f"{PARTNER}a%20b")
DOTTED = URIRef(f"{PARTNER}report.ttl")
NESTED = URIRef(f"{PARTNER}nested")
ODD = URIRef(f"{PARTNER}odd")
TEST_DATA = graphs.data("ld-test")
TEST_DATASET = URIRef(f"{ID_SPACE}dataset/ld-test")
CC_BY = URIRef("http://creativecommons.org/licenses/by/4.0/")
ENDED = Literal("2026-01-02T03:04:05+00:00", datatype=XSD.dateTime)

PARTNER_TTL = f"""
@prefix cm: <https://w3id.org/commensura/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{CAFE}> skos:prefLabel "Café"@fr , "Kaffee"@de .
<{SPACED}> skos:prefLabel "a space in the IRI"@en .
<{DOTTED}> skos:prefLabel "an IRI that ends in .ttl"@en .
<{NESTED}> skos:prefLabel "nested"@en ;
    cm:condition [ a cm:AnyOf ; cm:operand [ a cm:Criterion ;
        cm:value [ skos:notation "deep" ] ] ] .
<{ODD}> <http://example.org/p/1> "RDF/XML cannot name this predicate" .
"""
DATA_TTL = f"""
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
<{TEST_DATASET}> a dcat:Dataset ; dct:title "Linked Data test dataset"@en ;
    dct:license <{CC_BY}> ; dct:publisher <{ID_SPACE}org/eurostat> .
"""
PROVENANCE_TTL = f"""
@prefix cm: <https://w3id.org/commensura/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
<{ID_SPACE}import/ld-test-1> a cm:Import ; cm:targetGraph <{TEST_DATA}> ;
    prov:endedAtTime "{ENDED}"^^<http://www.w3.org/2001/XMLSchema#dateTime> .
"""


@pytest.fixture(scope="module")
def store(
    tmp_path_factory: pytest.TempPathFactory, store_settings: StoreSettings
) -> Iterator[Store]:
    """A store of this module's own (not the conftest's per-test one)."""
    folder = tmp_path_factory.mktemp("linked-data")
    with store_settings(folder / "store") as settings, open_store(settings) as db:
        build(db)
        db.load(PARTNER_TTL, RdfFormat.TURTLE, graph=graphs.partner("ld-test"))
        db.load(DATA_TTL, RdfFormat.TURTLE, graph=TEST_DATA)
        db.load(PROVENANCE_TTL, RdfFormat.TURTLE, graph=graphs.PROVENANCE)
        yield db


@pytest.fixture(scope="module")
def base_url(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = create_app(Settings(store=tmp_path_factory.mktemp("unused") / "store"))
    app.dependency_overrides[get_store] = lambda: store
    with serve(app) as url:
        yield url


def get(base_url: str, path: str, accept: str | None = None) -> httpx.Response:
    headers = {"Accept": accept} if accept is not None else {}
    return httpx.get(base_url + path, headers=headers, timeout=60)


def parse(response: httpx.Response, fmt: str) -> Graph:
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.content, format=fmt)


def closure(store: Store, iri: URIRef) -> Graph:
    """What a description should hold: the triples of ``iri`` and of the blank nodes it reaches."""
    everything = Graph()
    for graph in store.graphs():
        everything += store.construct(
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graphs=[graph]
        )
    out, seen = Graph(), set()
    todo: list[URIRef | BNode] = [iri]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in everything.predicate_objects(node):
            out.add((node, p, o))
            if isinstance(o, BNode):
                todo.append(o)
    return out


# -- dereferencing -----------------------------------------------------------------


def test_turtle_of_a_city_is_its_triples(base_url: str, store: Store) -> None:
    response = get(base_url, CITY_PATH, "text/turtle")
    assert response.headers["content-type"].startswith("text/turtle")
    served = parse(response, "turtle")
    assert isomorphic(served, store.triples_about([CITY]))
    assert (CITY, SKOS.prefLabel, Literal("Wien", lang="de")) in served
    assert response.headers["vary"] == "Accept"
    assert response.headers["content-location"] == f"{CITY_PATH}.ttl"
    link = response.headers["link"]
    for ext, media in (
        ("jsonld", "application/ld+json"),
        ("nt", "application/n-triples"),
        ("rdf", "application/rdf+xml"),
        ("html", "text/html"),
    ):
        assert f'<{CITY_PATH}.{ext}>; rel="alternate"; type="{media}"' in link


def test_every_rdf_format_carries_the_same_graph(base_url: str) -> None:
    turtle = parse(get(base_url, CITY_PATH, "text/turtle"), "turtle")
    for media, fmt in (
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
    ):
        response = get(base_url, CITY_PATH, media)
        assert response.headers["content-type"].startswith(media)
        assert isomorphic(parse(response, fmt), turtle), media


def test_json_ld_is_compacted_with_an_embedded_context(base_url: str) -> None:
    document = get(base_url, CITY_PATH, "application/ld+json").json()
    context = document["@context"]
    assert isinstance(context, dict), "the context is embedded, never a remote reference"
    assert context["cm"] == "https://w3id.org/commensura/ontology#"
    assert "ua:AT001C1" in str(document)  # compacted with our prefixes


def test_blank_nodes_are_followed_to_any_depth(base_url: str, store: Store) -> None:
    for iri, path in (
        (NESTED, "/id/partner/ld-test/nested"),
        (
            URIRef(f"{ID_SPACE}population/cbs-foreign-background"),
            "/id/population/cbs-foreign-background",
        ),
    ):
        served = parse(get(base_url, path, "application/n-triples"), "nt")
        expected = closure(store, iri)
        assert isomorphic(served, expected), path
        assert any(isinstance(o, BNode) for o in served.objects())
    deep = parse(get(base_url, "/id/partner/ld-test/nested.ttl"), "turtle")
    assert Literal("deep") in set(deep.objects(None, SKOS.notation))


def test_html_shows_labels_in_every_language_and_links(base_url: str) -> None:
    response = get(base_url, "/id/indicator/employment-rate", "text/html")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    for lang, label in (
        ("en", "Employment rate"),
        ("de", "Erwerbstätigenquote"),
        ("fi", "työllisyysaste"),
        ("el", "ποσοστό απασχόλησης"),
    ):
        assert f'<span lang="{lang}">{label}</span>' in page
    assert 'href="/ontology#Indicator"' in page  # its type, on this deployment
    assert 'href="/vocab/theme/employment"' in page  # a linked resource's page
    assert 'href="/graph/registry"' in page  # the graph each statement comes from
    assert 'href="/id/indicator/employment-rate.ttl"' in page
    assert "<script" not in page.lower()
    assert " src=" not in page
    city = get(base_url, CITY_PATH, "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8").text
    assert '<span lang="de">Wien</span>' in city and '<span lang="en">Vienna</span>' in city
    assert 'href="/id/place/country/AT"' in city
    assert "Referenced by" in city  # incoming links, with their labels


def test_extensions_choose_the_format_and_win_over_accept(base_url: str) -> None:
    for ext, media in (
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("nt", "application/n-triples"),
        ("rdf", "application/rdf+xml"),
        ("html", "text/html"),
    ):
        response = get(base_url, f"{CITY_PATH}.{ext}", "image/png")
        assert response.status_code == 200, ext
        assert response.headers["content-type"].startswith(media)
        assert response.headers["content-location"] == f"{CITY_PATH}.{ext}"
    assert (
        get(base_url, f"{CITY_PATH}?format=nt")
        .headers["content-type"]
        .startswith("application/n-triples")
    )


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/turtle"),
        ("*/*", "text/turtle"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
        ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
        ("text/*;q=0.9, application/n-triples;q=0.1", "text/turtle"),
        ("text/turtle;q=0, */*;q=0.5", "text/html"),
        ("application/rdf+xml", "application/rdf+xml"),
    ],
)
def test_accept_with_q_values(base_url: str, accept: str | None, expected: str) -> None:
    response = get(base_url, CITY_PATH, accept)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(expected)
    assert response.headers["vary"] == "Accept"


@pytest.mark.parametrize("accept", ["image/png", "application/json", "text/turtle;q=0"])
def test_nothing_acceptable_is_406(base_url: str, accept: str) -> None:
    response = get(base_url, CITY_PATH, accept)
    assert response.status_code == 406
    assert response.json()["error"]["code"] == "request.not_acceptable"
    assert "text/turtle" in response.json()["error"]["details"]["offered"]
    assert response.headers["vary"] == "Accept"
    assert get(base_url, f"{CITY_PATH}?format=xlsx").status_code == 406


def test_rdf_xml_of_an_unwritable_predicate_is_406(base_url: str) -> None:
    assert get(base_url, "/id/partner/ld-test/odd", "text/turtle").status_code == 200
    response = get(base_url, "/id/partner/ld-test/odd.rdf")
    assert response.status_code == 406
    assert response.json()["error"]["code"] == "request.not_acceptable"


def test_unknown_resources_are_404(base_url: str) -> None:
    for path in ("/id/place/urban-audit/XX999C9", "/id/nothing", "/vocab/theme/nothing"):
        response = get(base_url, path, "text/turtle")
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert get(base_url, "/ontology/9.9.9").status_code == 404
    assert get(base_url, "/graph/no-such-graph").status_code == 404
    assert get(base_url, "/graph/no-such-graph.nq.gz").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/id/",
        "/id/place/%ZZ",
        "/id/place/%",
        "/id/place//AT",
        "/id/place/urban-audit/AT001C1/",
        "/id/place/%2E%2E/x",
        "/id/place/x%00y",
        "/id/place/x%3Cy%3E",
        "/id/place/%FF%FE",
        "/vocab/%C3",
        "/graph/%ZZ",
    ],
)
def test_malformed_iris_are_404(base_url: str, path: str) -> None:
    response = get(base_url, path, "text/turtle")
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "not_found"


def raw_request(base_url: str, target: bytes) -> int:
    """Send a request line exactly as given (no client-side escaping); the status."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return int(reply.split(b" ", 2)[1])


@pytest.mark.parametrize(
    "target",
    [
        b"/id/place/a/../b",
        b"/id/place/./x",
        b'/id/place/x"y',
        b"/id/place/x<y>",
        b"/id/place/x{y}",
        b"/id/place/x|y",
        b"/id/place/x\\y",
        b"/id/place/x^y",
        b"/id/place/x`y",
        b"/id/place/caf\xc3\xa9",
        b"/id/place/\xff\xfe",
    ],
)
def test_raw_paths_never_get_a_server_error(base_url: str, target: bytes) -> None:
    # 400: the HTTP server refused the request line; 404: the path names no IRI
    assert raw_request(base_url, target) in {400, 404}


def test_iris_that_need_percent_encoding(base_url: str, store: Store) -> None:
    served = parse(get(base_url, "/id/partner/ld-test/caf%C3%A9", "text/turtle"), "turtle")
    assert isomorphic(served, store.triples_about([CAFE]))
    response = get(base_url, "/id/partner/ld-test/caf%C3%A9", "text/turtle")
    assert response.headers["content-location"] == "/id/partner/ld-test/caf%C3%A9.ttl"
    spaced = parse(get(base_url, "/id/partner/ld-test/a%20b", "text/turtle"), "turtle")
    assert set(spaced.subjects()) == {SPACED}
    # an IRI that itself ends in .ttl: negotiated as it stands, or with an extension after it
    dotted = get(base_url, "/id/partner/ld-test/report.ttl", "application/n-triples")
    assert set(parse(dotted, "nt").subjects()) == {DOTTED}
    forced = get(base_url, "/id/partner/ld-test/report.ttl.jsonld", "text/turtle")
    assert set(parse(forced, "json-ld").subjects()) == {DOTTED}


def test_head_answers_without_a_body(base_url: str) -> None:
    response = httpx.head(base_url + CITY_PATH, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert response.content == b""


def test_ontology_terms_and_version_dereference(base_url: str) -> None:
    ontology = parse(get(base_url, "/ontology", "text/turtle"), "turtle")
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert (CM.Indicator, RDF.type, OWL.Class) in ontology
    assert (CM.targetGroup, RDF.type, OWL.ObjectProperty) in ontology
    assert not any(str(s).startswith(f"{ID_SPACE}") for s in ontology.subjects())
    version = parse(get(base_url, "/ontology/1.0.0.ttl"), "turtle")
    assert isomorphic(version, ontology)
    page = get(base_url, "/ontology.html").text
    assert 'id="Indicator"' in page and 'id="targetGroup"' in page


def test_vocabulary_schemes_and_concepts_dereference(base_url: str) -> None:
    theme = URIRef("https://w3id.org/commensura/vocab/theme/employment")
    concept = parse(get(base_url, "/vocab/theme/employment", "text/turtle"), "turtle")
    assert (theme, RDF.type, SKOS.Concept) in concept
    scheme = parse(get(base_url, "/vocab/theme.ttl"), "turtle")
    assert (URIRef("https://w3id.org/commensura/vocab/theme"), RDF.type, SKOS.ConceptScheme) in (
        scheme
    )


# -- dumps and VoID ----------------------------------------------------------------


def exported(store: Store, graph: URIRef | None = None) -> int:
    return store.export(io.BytesIO(), RdfFormat.NQUADS, graphs=None if graph is None else [graph])


def quads(data: bytes) -> tuple[int, set[Any]]:
    dataset = Dataset()
    dataset.parse(data=gzip.decompress(data), format="nquads")
    found = list(dataset.quads((None, None, None, None)))
    return len(found), {g.identifier if isinstance(g, Graph) else g for *_, g in found}


def test_dump_has_every_quad(base_url: str, store: Store) -> None:
    response = httpx.get(f"{base_url}/dump.nq.gz", timeout=120)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/gzip"
    assert "commensura.nq.gz" in response.headers["content-disposition"]
    count, names = quads(response.content)
    assert count == exported(store) == store.count()
    assert names == set(store.graphs())
    part = httpx.get(f"{base_url}/graph/registry.nq.gz", timeout=60)
    assert part.status_code == 200
    assert quads(part.content) == (store.count(graphs.REGISTRY), {graphs.REGISTRY})


def void_graph(base_url: str, path: str = "/void", accept: str = "text/turtle") -> Graph:
    return parse(get(base_url, path, accept), "turtle" if accept == "text/turtle" else "json-ld")


def test_void_counts_triples_and_names_every_graph(base_url: str, store: Store) -> None:
    void = void_graph(base_url)
    assert void.value(DATASET, VOID.triples) == Literal(store.count())
    assert void.value(DATASET, VOID.triples) == Literal(exported(store))
    assert str(void.value(DATASET, VOID.sparqlEndpoint)) == f"{base_url}/sparql"
    assert str(void.value(DATASET, VOID.dataDump)) == f"{base_url}/dump.nq.gz"
    assert str(void.value(DATASET, VOID.uriSpace)) == "https://w3id.org/commensura/id/"
    assert ONTOLOGY_IRI in set(void.objects(DATASET, VOID.vocabulary))
    subsets = set(void.objects(DATASET, VOID.subset))
    assert subsets == set(store.graphs())
    for graph in store.graphs():
        assert void.value(graph, VOID.triples) == Literal(store.count(graph)), graph
    assert void.value(TEST_DATA, DCTERMS.license) == CC_BY
    assert void.value(TEST_DATA, DCTERMS.publisher) == URIRef(f"{ID_SPACE}org/eurostat")
    assert void.value(TEST_DATA, DCTERMS.modified) == ENDED
    assert void.value(DATASET, DCTERMS.modified) == ENDED
    assert void.value(graphs.ONTOLOGY, DCTERMS.license) is not None
    assert void.value(graphs.partner("ld-test"), DCTERMS.publisher) == URIRef(
        f"{ID_SPACE}org/ld-test"
    )


def test_void_in_every_format_and_at_well_known(base_url: str) -> None:
    turtle = void_graph(base_url)
    assert isomorphic(void_graph(base_url, "/.well-known/void"), turtle)
    assert isomorphic(void_graph(base_url, "/void", "application/ld+json"), turtle)
    assert isomorphic(parse(get(base_url, "/void.nt"), "nt"), turtle)
    page = get(base_url, "/void", "text/html")
    assert page.headers["content-type"].startswith("text/html")
    assert 'href="/graph/registry"' in page.text
    assert get(base_url, "/void", "image/png").status_code == 406


def test_a_named_graph_describes_itself(base_url: str, store: Store) -> None:
    described = parse(get(base_url, "/graph/registry", "text/turtle"), "turtle")
    assert described.value(graphs.REGISTRY, VOID.triples) == Literal(store.count(graphs.REGISTRY))
    assert (graphs.REGISTRY, VOID.inDataset, DATASET) in described
    partner = parse(get(base_url, "/graph/partner/ld-test.jsonld"), "json-ld")
    assert partner.value(graphs.partner("ld-test"), VOID.triples) == Literal(
        store.count(graphs.partner("ld-test"))
    )


# -- paths to IRIs, as a table -----------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("place/urban-audit/AT001C1", ["place/urban-audit/AT001C1"]),
        ("partner/x/caf%C3%A9", ["partner/x/café", "partner/x/caf%C3%A9"]),
        ("partner/x/café", ["partner/x/café"]),
        ("partner/x/a%20b", ["partner/x/a%20b"]),
        ("partner/x/a%2fb", ["partner/x/a%2Fb"]),
        ("partner/x/%41%7E", ["partner/x/A~", "partner/x/%41%7E"]),
        ("partner/x/.well-known/genid/abc", ["partner/x/.well-known/genid/abc"]),
    ],
)
def test_iri_candidates(path: str, expected: list[str]) -> None:
    assert iri_candidates(ID_SPACE, path) == [URIRef(ID_SPACE + e) for e in expected]


@pytest.mark.parametrize(
    "path", ["", "a//b", "a/", "/a", "a/./b", "a/../b", "a/%2e%2E/b", "a%", "a%G1", "a b", "a<b"]
)
def test_iri_candidates_refuse_malformed_paths(path: str) -> None:
    with pytest.raises(NotFoundError):
        iri_candidates(ID_SPACE, path)


def test_openapi_lists_the_linked_data_routes(base_url: str) -> None:
    paths = httpx.get(f"{base_url}/openapi.json").json()["paths"]
    for path in ("/id/{path}", "/vocab/{path}", "/ontology", "/graph/{name}", "/void"):
        assert set(paths[path]) == {"get"}, path
    assert "/dump.nq.gz" in paths


def test_streamed_dump_equals_the_written_one(store: Store) -> None:
    written = io.BytesIO()
    count = write_dump(store, written)
    streamed = b"".join(dump_chunks(store))
    assert gzip.decompress(streamed) == gzip.decompress(written.getvalue())
    assert count == store.count()
    partial = dump_chunks(store)
    assert next(partial)  # the first chunk comes before the export ends
    partial.close()  # and closing early stops the export

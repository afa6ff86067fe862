"""The W3C SPARQL 1.1 Protocol test suite, run against /sparql on a live server.

The manifests and data are read at test time from the shared data folder
(``COMMENSURA_SOURCE_DATA``/spec_sparql11_protocol_tests): one test per manifest
entry, for the protocol manifest and the service-description manifest.

Every query test must pass as written. Commensura's endpoint is read-only, so the
update tests whose first request expects a successful update are run as refusals
instead (``REFUSED_BY_DESIGN``): the update must be answered 403
``query.update_refused`` and the store must be unchanged. The negative update tests
(``bad_update_*``) expect a 4xx and get one as written (the refusal comes first).
No entry is judged not applicable (``NOT_APPLICABLE`` is empty).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.query import Result
from rdflib.term import Node

from api.app import create_app
from registry.config import Settings
from registry.store import RdfFormat, open_store
from tests.conftest import StoreSettings
from tests.live import serve

SUITE = "spec_sparql11_protocol_tests"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
PROTOCOL_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"

UPDATE_REFUSAL = (
    "a read-only endpoint: the update must be refused (403 query.update_refused) and "
    "nothing may change, where the suite expects it to succeed"
)
REFUSED_BY_DESIGN: dict[str, str] = {
    "update_dataset_default_graph": UPDATE_REFUSAL,
    "update_dataset_default_graphs": UPDATE_REFUSAL,
    "update_dataset_named_graphs": UPDATE_REFUSAL,
    "update_dataset_full": UPDATE_REFUSAL,
    "update_post_form": UPDATE_REFUSAL,
    "update_post_direct": UPDATE_REFUSAL,
    "update_base_uri": UPDATE_REFUSAL,
}
NOT_APPLICABLE: dict[str, str] = {}

TABULAR_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}

# Terms of the SPARQL 1.1 Service Description vocabulary (W3C Recommendation, section 3).
SD_CLASSES = {
    "Service", "Feature", "Language", "Function", "Aggregate", "EntailmentRegime",
    "EntailmentProfile", "GraphCollection", "Dataset", "Graph", "NamedGraph",
}  # fmt: skip
SD_PROPERTIES = {
    "endpoint", "feature", "defaultEntailmentRegime", "entailmentRegime",
    "defaultSupportedEntailmentProfile", "supportedEntailmentProfile", "extensionFunction",
    "extensionAggregate", "languageExtension", "supportedLanguage", "propertyFeature",
    "defaultDataset", "availableGraphs", "resultFormat", "inputFormat", "defaultGraph",
    "namedGraph", "name", "graph",
}  # fmt: skip
SD_INSTANCES = {
    "SPARQL10Query", "SPARQL11Query", "SPARQL11Update", "DereferencesURIs",
    "UnionDefaultGraph", "RequiresDataset", "EmptyGraphs", "BasicFederatedQuery",
}  # fmt: skip


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    status_classes: set[int]  # 2 for hts:StatusCode2xx...
    expected_format: str | None
    expected_boolean: bool | None


@dataclass
class Entry:
    name: str
    title: str
    requests: list[HttpRequest]
    graph_data: dict[str, str] = field(default_factory=dict)  # graph name -> file name


def _suite(folder: Path) -> Path:
    suite = folder / SUITE
    if not suite.is_dir():
        pytest.fail(f"{suite} is missing: the shared data folder lacks the protocol suite")
    return suite


def _one(graph: Graph, subject: Node, predicate: URIRef) -> Node | None:
    return next(iter(graph.objects(subject, predicate)), None)


def _request(manifest: Graph, node: Node) -> HttpRequest:
    method = str(_one(manifest, node, HT.methodName))
    path = str(_one(manifest, node, HT.absolutePath))
    headers: dict[str, str] = {}
    header_list = _one(manifest, node, HT.headers)
    if header_list is not None:
        for header in Collection(manifest, header_list):
            name = str(_one(manifest, header, HT.fieldName))
            headers[name] = str(_one(manifest, header, HT.fieldValue))
    body = None
    content = _one(manifest, node, HT.body)
    if content is not None:
        encoding = str(_one(manifest, content, CNT.characterEncoding) or "UTF-8")
        body = str(_one(manifest, content, CNT.chars)).encode(encoding)
    response = _one(manifest, node, HT.resp)
    assert response is not None
    classes = set()
    for code in manifest.objects(response, MF.expectedStatus):
        found = re.fullmatch(r"StatusCode([1-5])xx", str(code).rsplit("#", 1)[-1])
        assert found is not None, code
        classes.add(int(found.group(1)))
    fmt = _one(manifest, response, MF.expectedFormat)
    boolean = _one(manifest, response, MF.expectedBoolean)
    return HttpRequest(
        method=method,
        path=path,
        headers=headers,
        body=body,
        status_classes=classes,
        expected_format=None if fmt is None else str(fmt),
        expected_boolean=None if boolean is None else str(boolean) == "true",
    )


def protocol_entries(folder: Path) -> list[Entry]:
    manifest = Graph().parse(_suite(folder) / "manifest.ttl", publicID=PROTOCOL_BASE)
    head = _one(manifest, URIRef(PROTOCOL_BASE.rstrip("#")), MF.entries)
    if head is None:  # the manifest's own IRI is its file's; find the list by type
        manifest_node = next(manifest.subjects(RDF.type, MF.Manifest))
        head = _one(manifest, manifest_node, MF.entries)
    assert head is not None
    entries = []
    for node in Collection(manifest, head):
        name = str(node).rsplit("#", 1)[-1]
        action = _one(manifest, node, MF.action)
        requests_list = _one(manifest, action, HT.requests) if action is not None else None
        assert requests_list is not None, name
        requests = [_request(manifest, r) for r in Collection(manifest, requests_list)]
        graph_data = {}
        for data in manifest.objects(node, UT.graphData):
            label = str(_one(manifest, data, RDFS.label))
            graph_data[label] = str(_one(manifest, data, UT.graph)).rsplit("/", 1)[-1]
        title = str(_one(manifest, node, MF.name))
        entries.append(Entry(name, title, requests, graph_data))
    return entries


def _entry_names() -> list[str]:
    settings = Settings()
    if settings.source_data is None or not (settings.source_data / SUITE).is_dir():
        return ["(suite not configured)"]
    return [e.name for e in protocol_entries(settings.source_data)]


@pytest.fixture(scope="module")
def entries(source_data: Path) -> dict[str, Entry]:
    return {entry.name: entry for entry in protocol_entries(source_data)}


@pytest.fixture(scope="module")
def endpoint(
    source_data: Path,
    entries: dict[str, Entry],
    tmp_path_factory: pytest.TempPathFactory,
    store_settings: StoreSettings,
) -> Iterator[str]:
    """A live server over a fresh store holding the suite's data graphs, each in its graph."""
    graph_data: dict[str, str] = {}
    for entry in entries.values():
        graph_data.update(entry.graph_data)
    assert graph_data, "the manifest names no test data"
    with store_settings(tmp_path_factory.mktemp("protocol") / "store") as settings:
        with open_store(settings) as store:
            for name, file_name in sorted(graph_data.items()):
                store.load(_suite(source_data) / file_name, RdfFormat.NTRIPLES, graph=URIRef(name))
        with serve(create_app(settings)) as url:
            yield f"{url}/sparql"


def _send(endpoint: str, request: HttpRequest) -> httpx.Response:
    # The manifest's paths start with /sparql/; the endpoint is /sparql (the manifest says to
    # replace the prefix with the endpoint's own).
    assert request.path.startswith("/sparql/")
    url = endpoint + request.path.removeprefix("/sparql/")
    return httpx.request(
        request.method, url, headers=request.headers, content=request.body, timeout=30
    )


def _media_type(response: httpx.Response) -> str:
    header: str = response.headers.get("content-type", "")
    return header.split(";")[0].strip().lower()


def _boolean(response: httpx.Response) -> bool:
    media = _media_type(response)
    assert media in BOOLEAN_TYPES, media
    if media == "application/sparql-results+json":
        value = json.loads(response.content)["boolean"]
        assert isinstance(value, bool)
        return value
    answer = Result.parse(io.BytesIO(response.content), format="xml")
    assert answer.type == "ASK"
    return bool(answer.askAnswer)


def _check_format(response: httpx.Response, expected: str) -> None:
    media = _media_type(response)
    if expected == "boolean":
        _boolean(response)
    elif expected == "tabular":
        assert media in TABULAR_TYPES, media
        if media == "application/sparql-results+json":
            assert "vars" in json.loads(response.content)["head"]
        elif media == "application/sparql-results+xml":
            assert Result.parse(io.BytesIO(response.content), format="xml").type == "SELECT"
        else:
            assert response.text.splitlines()[0]
    elif expected == "RDF":
        assert media in RDF_TYPES, media
        Graph().parse(data=response.content, format=RDF_TYPES[media])
    else:  # pragma: no cover - the manifest uses only the three formats above
        pytest.fail(f"unknown expected format {expected!r}")


def _store_state(endpoint: str) -> list[Any]:
    """Everything the store holds, through the endpoint: every quad, sorted."""
    response = httpx.get(
        endpoint,
        params={"query": "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    rows = response.json()["results"]["bindings"]
    return sorted(json.dumps(row, sort_keys=True) for row in rows)


def _is_update(request: HttpRequest) -> bool:
    content_type = request.headers.get("content-type", "")
    return (
        content_type.startswith("application/sparql-update")
        or (request.body or b"").startswith(b"update=")
        or "update=" in request.path
        or "using-graph-uri" in request.path
        or "using-named-graph-uri" in request.path
    )


@pytest.mark.parametrize("name", _entry_names())
def test_protocol_entry(name: str, entries: dict[str, Entry], endpoint: str) -> None:
    if name in NOT_APPLICABLE:  # pragma: no cover - none at present
        pytest.skip(NOT_APPLICABLE[name])
    entry = entries[name]
    if name in REFUSED_BY_DESIGN:
        before = _store_state(endpoint)
        for request in entry.requests:
            if not _is_update(request):
                continue
            response = _send(endpoint, request)
            assert response.status_code == 403, (entry.title, response.text)
            assert response.json()["error"]["code"] == "query.update_refused"
        assert _store_state(endpoint) == before
        return
    for request in entry.requests:
        response = _send(endpoint, request)
        assert response.status_code // 100 in request.status_classes, (
            entry.title,
            response.status_code,
            response.text[:500],
        )
        if response.status_code >= 400:
            error = response.json()["error"]
            assert error["code"] and error["message"]
            if _is_update(request) and response.status_code == 403:
                assert error["code"] == "query.update_refused"
            continue
        if request.expected_format is not None:
            _check_format(response, request.expected_format)
        if request.expected_boolean is not None:
            assert _boolean(response) is request.expected_boolean, entry.title


def test_every_manifest_entry_is_run_or_explained(entries: dict[str, Entry]) -> None:
    assert len(entries) == 34
    explained = set(REFUSED_BY_DESIGN) | set(NOT_APPLICABLE)
    assert explained <= set(entries)
    query_tests = [n for n in entries if n.startswith(("query_", "bad_query_"))]
    assert not set(query_tests) & explained, "every query test must pass as written"
    for name in REFUSED_BY_DESIGN:
        assert any(_is_update(r) for r in entries[name].requests), name


# -- the service-description manifest -------------------------------------------------


def _sd_entry_names() -> list[str]:
    settings = Settings()
    if settings.source_data is None or not (settings.source_data / SUITE).is_dir():
        return ["(suite not configured)"]
    manifest = Graph().parse(settings.source_data / SUITE / "service-description_manifest.ttl")
    tests = manifest.subjects(RDF.type, MF.ServiceDescriptionTest)
    return sorted(str(test).rsplit("#", 1)[-1] for test in tests)


def _description(endpoint: str, accept: str) -> Graph:
    response = httpx.get(endpoint, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    media = _media_type(response)
    assert media in RDF_TYPES, media
    return Graph().parse(data=response.content, format=RDF_TYPES[media])


@pytest.mark.parametrize("name", _sd_entry_names())
def test_service_description_entry(name: str, endpoint: str, source_data: Path) -> None:
    if name == "returns-rdf":
        for accept in RDF_TYPES:
            assert len(_description(endpoint, accept)) > 0
        assert len(_description(endpoint, "*/*")) > 0
    elif name == "has-endpoint-triple":
        graph = _description(endpoint, "text/turtle")
        assert (None, SD.endpoint, URIRef(endpoint)) in graph
    elif name == "conforms-to-schema":
        _check_sd_schema(_description(endpoint, "text/turtle"))
    else:  # pragma: no cover - the manifest has the three entries above
        pytest.fail(f"unknown service-description test {name}")


def _check_sd_schema(graph: Graph) -> None:
    """Every SD term used exists; domains and ranges of the ones we use hold."""
    sd = str(SD)
    for _s, p, o in graph:
        if str(p).startswith(sd):
            assert str(p)[len(sd) :] in SD_PROPERTIES, p
        if p == RDF.type and str(o).startswith(sd):
            assert str(o)[len(sd) :] in SD_CLASSES, o
        elif isinstance(o, URIRef) and str(o).startswith(sd):
            assert str(o)[len(sd) :] in SD_INSTANCES | SD_CLASSES, o
    services = list(graph.subjects(RDF.type, SD.Service))
    assert len(services) == 1
    service = services[0]
    endpoints = list(graph.objects(service, SD.endpoint))
    assert endpoints and all(isinstance(e, URIRef) for e in endpoints)
    assert SD.SPARQL11Query in set(graph.objects(service, SD.supportedLanguage))
    assert SD.SPARQL11Update not in set(graph.objects(service, SD.supportedLanguage))
    for dataset in graph.objects(service, SD.defaultDataset):
        assert (dataset, RDF.type, SD.Dataset) in graph
        for default in graph.objects(dataset, SD.defaultGraph):
            assert (default, RDF.type, SD.Graph) in graph
        for named in graph.objects(dataset, SD.namedGraph):
            assert (named, RDF.type, SD.NamedGraph) in graph
            names = list(graph.objects(named, SD.name))
            assert len(names) == 1 and isinstance(names[0], URIRef)
            for described in graph.objects(named, SD.graph):
                assert isinstance(described, BNode | URIRef)
                assert (described, RDF.type, SD.Graph) in graph
    for fmt in graph.objects(service, SD.resultFormat):
        assert isinstance(fmt, URIRef) and str(fmt).startswith("http://www.w3.org/ns/formats/")
    assert not any(isinstance(o, Literal) for o in graph.objects(service, SD.feature))

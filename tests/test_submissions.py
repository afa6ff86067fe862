"""Partner submissions over HTTP, on a live server on 127.0.0.1 with real tokens.

Every refused request is checked to change nothing: the whole store (all graphs,
provenance included) is compared before and after.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from api.app import create_app
from registry import graphs
from registry.kb import build
from registry.orgs import Organisations
from registry.store import RdfFormat, Store, open_store
from tests.conftest import StoreSettings
from tests.live import serve

DATA = Path(__file__).parent / "data" / "submissions"
AMS = "https://w3id.org/commensura/id/partner/amsterdam-os/"
DEFINITION = AMS + "definition/employment-rate-born-abroad"
TURTLE = {"Content-Type": "text/turtle"}
CAP = 64 * 1024


@dataclass
class Live:
    url: str
    app: FastAPI
    tokens: dict[str, str]
    orgs: Organisations

    @property
    def store(self) -> Store:
        store: Store = self.app.state.store
        return store

    def headers(self, org: str | None, media_type: str = "text/turtle") -> dict[str, str]:
        headers = {"Content-Type": media_type}
        if org is not None:
            headers["Authorization"] = f"Bearer {self.tokens[org]}"
        return headers

    def post(self, path: str, body: bytes | str, headers: dict[str, str]) -> httpx.Response:
        content = body.encode("utf-8") if isinstance(body, str) else body
        return httpx.post(f"{self.url}{path}", content=content, headers=headers, timeout=60)

    def snapshot(self) -> list[bytes]:
        out = io.BytesIO()
        self.store.export(out, RdfFormat.NQUADS)
        return sorted(out.getvalue().splitlines())


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, store_settings: StoreSettings) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("submissions")
    with store_settings(folder / "store", max_body_bytes=CAP) as settings:
        with open_store(settings) as store:
            build(store)
        orgs = Organisations(settings.auth_path)
        tokens: dict[str, str] = {}
        for slug, name in (
            ("amsterdam-os", "City of Amsterdam, Onderzoek en Statistiek"),
            ("vienna-ma23", "City of Vienna, MA 23"),
        ):
            orgs.add(slug, name)
            tokens[slug] = orgs.create_token(slug)[1]
        app = create_app(settings)
        with serve(app) as url:
            yield Live(url, app, tokens, orgs)


def submit_amsterdam(live: Live, text: str | None = None) -> httpx.Response:
    body = text if text is not None else (DATA / "amsterdam.ttl").read_text(encoding="utf-8")
    return live.post("/api/submissions", body, live.headers("amsterdam-os"))


def assert_refused(
    live: Live, response: httpx.Response, status: int, code: str, before: list[bytes]
) -> dict[str, object]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert live.snapshot() == before, "a refused request changed the store"
    details: dict[str, object] = error["details"]
    return details


# -- the happy path ------------------------------------------------------------------


def test_a_valid_amsterdam_submission_lands_in_amsterdams_graph(live: Live) -> None:
    response = submit_amsterdam(live)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["organisation"] == "amsterdam-os"
    assert body["graph"] == str(graphs.partner("amsterdam-os"))
    assert DEFINITION in body["resources"]
    assert body["report"]["accepted"] is True
    assert response.headers["Location"] == f"/api/submissions/{body['id']}"
    # Queryable: the definition, its indicator and its target group's criterion.
    rows = live.store.select(
        """PREFIX cm: <https://w3id.org/commensura/ontology#>
        SELECT ?indicator ?basis WHERE {
          GRAPH ?g { ?d cm:indicator ?indicator ;
                        cm:targetGroup/cm:condition/cm:basis ?basis } }""",
        bindings={"d": URIRef(DEFINITION), "g": graphs.partner("amsterdam-os")},
    )
    assert [(str(r["indicator"]), str(r["basis"]).rsplit("/", 1)[1]) for r in rows.dicts()] == [
        ("https://w3id.org/commensura/id/indicator/employment-rate", "ownCountryOfBirth")
    ]
    # The record: who, when, what, and the report.
    record = httpx.get(f"{live.url}{response.headers['Location']}").json()
    assert record["organisation"] == "amsterdam-os"
    assert record["triples"] == body["triples"]
    assert record["format"] == "text/turtle"
    assert DEFINITION in record["resources"]
    assert record["report"]["accepted"] is True


def test_a_changed_definition_becomes_a_new_version_and_the_old_stays(live: Live) -> None:
    original = (DATA / "amsterdam.ttl").read_text(encoding="utf-8")
    assert submit_amsterdam(live, original).status_code == 201
    changed = original.replace("15-64 (Amsterdam)", "15-64, register (Amsterdam)")
    response = submit_amsterdam(live, changed)
    assert response.status_code == 201, response.text
    versions = response.json()["versions"]
    assert set(versions) == {DEFINITION}
    old = URIRef(versions[DEFINITION])
    labels = live.store.select(
        """SELECT ?label WHERE { ?v <http://www.w3.org/2004/02/skos/core#prefLabel> ?label
           FILTER(LANG(?label) = "en") }""",
        bindings={"v": old},
    )
    assert [str(x) for x in labels.column("label")] == [
        "Employment rate of residents born abroad, 15-64 (Amsterdam)"
    ]
    assert live.store.ask(
        "ASK { ?new <http://www.w3.org/ns/dcat#previousVersion> ?old ; "
        "<http://www.w3.org/ns/prov#wasRevisionOf> ?old }",
        bindings={"new": URIRef(DEFINITION), "old": old},
    )
    # Resubmitting the same content again replaces it without a new version.
    again = submit_amsterdam(live, changed)
    assert again.status_code == 201
    assert again.json()["versions"] == {}


def test_json_ld_with_commensuras_own_context_is_accepted(live: Live) -> None:
    body = (DATA / "amsterdam.jsonld").read_bytes()
    response = live.post(
        "/api/submissions", body, live.headers("amsterdam-os", "application/ld+json")
    )
    assert response.status_code == 201, response.text
    assert AMS + "population/foreign-citizens" in response.json()["resources"]


def test_validate_is_a_dry_run_in_three_renderings(live: Live) -> None:
    before = live.snapshot()
    invalid = (DATA / "amsterdam-invalid.ttl").read_bytes()
    response = live.post("/api/validate", invalid, {"Content-Type": "text/turtle"})
    assert response.status_code == 200
    report = response.json()
    assert report["accepted"] is False
    assert report["violations"] >= 2
    assert {r["path"] for r in report["results"]} >= {
        "https://w3id.org/commensura/ontology#indicator",
        "https://w3id.org/commensura/ontology#ageBand",
    }
    assert all(r["message"] and r["shape"] and r["severity"] for r in report["results"])
    text = live.post(
        "/api/validate", invalid, {"Content-Type": "text/turtle", "Accept": "text/plain"}
    )
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text.startswith("Not accepted:")
    turtle = live.post(
        "/api/validate", invalid, {"Content-Type": "text/turtle", "Accept": "text/turtle"}
    )
    graph = Graph().parse(data=turtle.text, format="turtle")
    reports = list(graph.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1
    assert graph.value(reports[0], SH.conforms) == Literal(False)
    assert (
        len(list(graph.objects(reports[0], SH.result)))
        == report["violations"] + report["warnings"] + report["infos"]
    )
    valid = live.post("/api/validate", (DATA / "amsterdam.ttl").read_bytes(), TURTLE)
    assert valid.json()["accepted"] is True
    assert live.snapshot() == before


# -- refusals: each changes nothing ----------------------------------------------


def test_an_invalid_submission_returns_the_report_and_changes_nothing(live: Live) -> None:
    before = live.snapshot()
    response = submit_amsterdam(live, (DATA / "amsterdam-invalid.ttl").read_text())
    details = assert_refused(live, response, 422, "submission.invalid", before)
    report = details["report"]
    assert isinstance(report, dict)
    assert report["accepted"] is False
    assert report["violations"] >= 2


def test_vienna_cannot_write_amsterdams_resources(live: Live) -> None:
    before = live.snapshot()
    body = (DATA / "amsterdam.ttl").read_text(encoding="utf-8")
    response = live.post("/api/submissions", body, live.headers("vienna-ma23"))
    details = assert_refused(live, response, 403, "submission.forbidden_iri", before)
    assert DEFINITION in details["resources"]  # type: ignore[operator]


@pytest.mark.parametrize(
    ("subject", "why"),
    [
        ("https://w3id.org/commensura/ontology#Indicator", "our ontology"),
        ("https://w3id.org/commensura/vocab/unit/percent", "our vocabularies"),
        ("https://w3id.org/commensura/id/indicator/employment-rate", "the curated graph"),
        ("https://www.wikidata.org/wiki/Q727", "nobody's yet: allowed"),
    ],
)
def test_namespaces_an_organisation_may_not_write(live: Live, subject: str, why: str) -> None:
    before = live.snapshot()
    body = f'<{subject}> <http://www.w3.org/2000/01/rdf-schema#comment> "changed"@en .\n'
    response = live.post("/api/submissions", body, live.headers("amsterdam-os"))
    if why.endswith("allowed"):
        assert response.status_code in (201, 422), response.text
        if response.status_code == 201:
            # Once Amsterdam describes it, it is Amsterdam's: Vienna may not.
            after = live.snapshot()
            other = live.post("/api/submissions", body, live.headers("vienna-ma23"))
            assert_refused(live, other, 403, "submission.forbidden_iri", after)
        return
    details = assert_refused(live, response, 403, "submission.forbidden_iri", before)
    assert details["resources"] == [subject]


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        (None, "auth.invalid_token"),
        ("Bearer cmt_not-a-real-token", "auth.invalid_token"),
        ("Basic dXNlcjpwYXNz", "auth.invalid_token"),
    ],
)
def test_a_missing_or_wrong_token_is_401(live: Live, authorization: str | None, code: str) -> None:
    before = live.snapshot()
    headers = dict(TURTLE)
    if authorization is not None:
        headers["Authorization"] = authorization
    response = live.post("/api/submissions", (DATA / "amsterdam.ttl").read_bytes(), headers)
    assert_refused(live, response, 401, code, before)
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_stops_working(live: Live) -> None:
    info, secret = live.orgs.create_token("amsterdam-os")
    ok = live.post(
        "/api/validate", (DATA / "amsterdam.ttl").read_bytes(), TURTLE
    )  # public: no token needed
    assert ok.status_code == 200
    live.orgs.revoke(info.id)
    before = live.snapshot()
    response = live.post(
        "/api/submissions",
        (DATA / "amsterdam.ttl").read_bytes(),
        {**TURTLE, "Authorization": f"Bearer {secret}"},
    )
    assert_refused(live, response, 401, "auth.invalid_token", before)


BAD_INPUTS = [
    # (name, media type, body, status, code)
    (
        "turtle syntax",
        "text/turtle",
        b'<https://x.example/a> <https://x.example/b> "x .\n',
        400,
        "rdf.syntax",
    ),
    ("unknown media type", "application/xml", b"<rdf:RDF/>", 415, "rdf.unsupported_format"),
    ("no media type", "", b"<a> <b> <c> .", 415, "rdf.unsupported_format"),
    ("empty body", "text/turtle", b"  \n", 400, "input.invalid"),
    (
        "remote JSON-LD context",
        "application/ld+json",
        json.dumps({"@context": "https://example.org/ctx.jsonld", "@id": AMS + "x"}).encode(),
        400,
        "rdf.remote_context",
    ),
    ("JSON-LD that is not JSON", "application/ld+json", b'{"@id": ', 400, "rdf.syntax"),
    (
        "TriG naming another graph",
        "application/trig",
        f"<{graphs.REGISTRY}> {{ <{AMS}x> a <https://x.example/C> }}".encode(),
        400,
        "store.graph_scope",
    ),
    ("N-Triples syntax", "application/n-triples", b"<a> <b> <c> .", 400, "rdf.syntax"),
    ("body over the cap", "text/turtle", b"#" * (CAP + 1), 413, "request.too_large"),
    ("not UTF-8 CSV", "text/csv", b"\xff\xfe\x00id", 400, "input.invalid"),
]


@pytest.mark.parametrize(
    ("name", "media_type", "body", "status", "code"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS]
)
def test_bad_input_gets_a_clear_error_and_changes_nothing(
    live: Live, name: str, media_type: str, body: bytes, status: int, code: str
) -> None:
    before = live.snapshot()
    for path, org in (("/api/submissions", "amsterdam-os"), ("/api/validate", None)):
        response = live.post(path, body, live.headers(org, media_type))
        details = assert_refused(live, response, status, code, before)
        if code == "rdf.syntax" and media_type == "text/turtle":
            assert details["line"] == 1
            assert isinstance(details["column"], int)


@pytest.mark.parametrize(
    "submission_id", ["20260101T000000-deadbeef", "x%20y%3E%3C", "..%2F..%2Fetc", "%C3%A9" * 40]
)
def test_unknown_submission_is_404(live: Live, submission_id: str) -> None:
    response = httpx.get(f"{live.url}/api/submissions/{submission_id}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_openapi_documents_the_submission_endpoints(live: Live) -> None:
    spec = httpx.get(f"{live.url}/openapi.json").json()
    paths = spec["paths"]
    assert {"/api/validate", "/api/submissions", "/api/submissions/{submission_id}"} <= set(paths)
    media = set(paths["/api/submissions"]["post"]["requestBody"]["content"])
    assert {"text/turtle", "application/ld+json", "text/csv"} <= media


def test_commensuras_json_ld_context_is_served_by_itself(live: Live) -> None:
    response = httpx.get(f"{live.url}/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    context = response.json()["@context"]
    assert context["cm"] == "https://w3id.org/commensura/ontology#"


def test_the_csv_template_is_converted_validated_and_stored(live: Live) -> None:
    body = (Path(__file__).parent / "data" / "csv" / "definitions.csv").read_bytes()
    response = live.post("/api/submissions", body, live.headers("amsterdam-os", "text/csv"))
    assert response.status_code == 201, response.text
    resources = response.json()["resources"]
    definitions = [
        r
        for r in resources
        if r.startswith(AMS + "definition/") and "/" not in r[len(AMS + "definition/") :]
    ]
    assert len(definitions) == 6
    record = httpx.get(f"{live.url}/api/submissions/{response.json()['id']}").json()
    assert record["format"] == "text/csv"


def test_a_csv_error_names_its_row_and_column_and_changes_nothing(live: Live) -> None:
    before = live.snapshot()
    text = (Path(__file__).parent / "data" / "csv" / "definitions.csv").read_text(encoding="utf-8")
    broken = text.replace(",percent,", ",percentage,", 1)
    response = live.post("/api/submissions", broken, live.headers("amsterdam-os", "text/csv"))
    details = assert_refused(live, response, 400, "csv.unknown_code", before)
    assert details["column"] == "unit"
    assert isinstance(details["row"], int)


NASTY = [
    ("text/turtle", bytes(range(256)) * 4),
    ("text/turtle", '<a:a> <a:b> "caf\xe9" .'.encode("latin-1")),
    ("application/ld+json", b"[" * 50_000),
    ("application/ld+json", b'{"@context": null, "@id": "a:x", "a:p": {"@value": 1}}'),
    (
        "application/ld+json",
        b'{"@context": {"@import": "https://example.org/ctx.jsonld"}, "@id": "a:x"}',
    ),
    ("application/ld+json", b'{"@context": {"@version": 2.5}, "@id": "a:x"}'),
    ("application/trig", b"GRAPH _:g { <a:a> <a:b> <a:c> }"),
    ("application/n-triples", b'<a:a> <a:b> "x"^^<not an iri> .'),
    ("text/csv", b'id,label\n\x00\x00,"unterminated'),
    ("text/csv", b";;;;\n;;;;\n"),
    (
        "text/turtle",
        b"@prefix : <http://example.org/> . :a :b " + b"(" * 5000 + b")" * 5000 + b" .",
    ),
]


@pytest.mark.parametrize(("media_type", "body"), NASTY)
def test_no_input_gets_a_server_error(live: Live, media_type: str, body: bytes) -> None:
    before = live.snapshot()
    statuses = {}
    for path, org in (("/api/submissions", "amsterdam-os"), ("/api/validate", None)):
        response = live.post(path, body, live.headers(org, media_type))
        assert response.status_code < 500, response.text
        if response.status_code >= 400:
            assert response.json()["error"]["code"]
        statuses[path] = response.status_code
    if live.snapshot() != before:
        # Only an accepted submission may change the store.
        assert statuses["/api/submissions"] == 201

"""The remote backend on a real Virtuoso: what only a server without transactions, with a
row cap and with its own graphs can get wrong. Runs under ``--backend virtuoso`` (CI's
second pass); the rest of the suite runs on it too, through the shared fixtures."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, XSD

from registry import graphs
from registry.config import Settings
from registry.errors import (
    GraphScopeError,
    QueryTimeoutError,
    ReadOnlyStoreError,
    StoreError,
    StoreUnavailableError,
)
from registry.store import RdfFormat, Store, open_store
from registry.store import remote as remote_module
from registry.store.remote import STAGING_PREFIX, VIRTUOSO_SYSTEM_GRAPHS, RemoteStore
from tests import backends

EX = "http://example.org/"
G1 = URIRef("https://w3id.org/commensura/graph/test-one")
G2 = URIRef("https://w3id.org/commensura/graph/test-two")
ROWS = 25_000  # well past Virtuoso's default cap of 10,000 rows


@pytest.fixture
def remote(store: Store) -> RemoteStore:
    if not isinstance(store, RemoteStore):
        pytest.skip("runs on the remote backend only (--backend virtuoso)")
    return store


def many_triples(count: int, subject: str = "item") -> bytes:
    lines = [f'<{EX}{subject}/{n:06d}> <{EX}value> "{n}"^^<{XSD.integer}> .' for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def staging_graphs(store: RemoteStore) -> set[str]:
    """Staging graphs on the server, seen without the store's own exclusions."""
    found = store._solutions(  # the raw view, on purpose: no dataset narrowed
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    )
    return {b["g"]["value"] for b in found.bindings if b["g"]["value"].startswith(STAGING_PREFIX)}


def content(store: Store, graph: URIRef) -> Graph:
    return store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graphs=[graph])


# -- the row cap ----------------------------------------------------------------------


def test_a_select_past_the_servers_row_cap_returns_every_row(remote: RemoteStore) -> None:
    remote.bulk_load(many_triples(ROWS), RdfFormat.NTRIPLES, graph=G1)
    assert remote.count(G1) == ROWS
    rows = remote.select("SELECT ?s ?v WHERE { ?s <http://example.org/value> ?v }")
    assert len(rows) == ROWS
    assert len({row[0] for row in rows}) == ROWS  # no row twice, none missing

    ordered = remote.select(
        "SELECT ?v WHERE { ?s <http://example.org/value> ?v } ORDER BY DESC(?v) OFFSET 10 "
        "LIMIT 12000"
    )
    values = [int(row[0]) for row in ordered]  # type: ignore[arg-type]
    assert values == list(range(ROWS - 11, ROWS - 12011, -1))


def test_a_construct_and_an_export_past_the_row_cap_hold_every_triple(
    remote: RemoteStore, tmp_path: Path
) -> None:
    remote.bulk_load(many_triples(ROWS), RdfFormat.NTRIPLES, graph=G1)
    graph = remote.construct(
        "CONSTRUCT { ?s <http://example.org/copy> ?v . ?s a <http://example.org/Item> } "
        "WHERE { ?s <http://example.org/value> ?v }"
    )
    assert len(graph) == 2 * ROWS
    dump = tmp_path / "dump.nq"
    assert remote.export(dump, RdfFormat.NQUADS, graphs=[G1]) == ROWS
    assert len(dump.read_bytes().splitlines()) == ROWS


def mixed_triples(items: int) -> bytes:
    """Objects of every kind side by side: Virtuoso's order over such a column is not the
    same from one page to the next."""
    integer, decimal, boolean = XSD.integer, XSD.decimal, XSD.boolean
    lines: list[str] = []
    for n in range(items):
        item = f"<{EX}item/{n:05d}>"
        lines += [
            f'{item} <{EX}value> "{n}"^^<{integer}> .',
            f'{item} <{EX}label> "item {n}"@en .',
            f'{item} <{EX}label> "Eintrag {n}"@de .',
            f"{item} <{EX}next> <{EX}item/{(n + 1) % items:05d}> .",
            f'{item} <{EX}share> "{n}.25"^^<{decimal}> .',
            f'{item} <{EX}flag> "{str(n % 2 == 0).lower()}"^^<{boolean}> .',
            f'{item} <{EX}code> "{n % 50}" .',
        ]
    return ("\n".join(lines) + "\n").encode()


def test_a_construct_over_mixed_terms_past_the_row_cap_holds_every_triple(
    remote: RemoteStore,
) -> None:
    data = mixed_triples(3_000)
    remote.bulk_load(data, RdfFormat.NTRIPLES, graph=G1)
    expected = Graph().parse(data=data, format="nt")
    assert len(expected) == 21_000

    graph = remote.construct("CONSTRUCT WHERE { ?s ?p ?o }", default_graphs=[G1])
    assert isomorphic(graph, expected)

    objects = remote.select("SELECT DISTINCT ?o WHERE { ?s ?p ?o }", default_graphs=[G1])
    assert len(objects) == len(set(expected.objects()))

    # a blank node of the template is a new one for every solution
    copied = remote.construct(
        "CONSTRUCT { ?s <http://example.org/copy> [ <http://example.org/was> ?o ] } "
        "WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }",
        default_graphs=[G1],
    )
    literals = {(s, o) for s, _, o in expected if isinstance(o, Literal)}
    assert len(literals) > remote.row_cap
    assert len(set(copied.objects(predicate=URIRef(EX + "copy")))) == len(literals)
    assert {
        (s, o)
        for s, b in copied.subject_objects(URIRef(EX + "copy"))
        for o in copied.objects(b, URIRef(EX + "was"))
    } == literals


def asked_queries(remote: RemoteStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text of every SELECT the store sends from now on (filled in as it goes)."""
    asked: list[str] = []
    real = remote._solutions

    def spy(sparql: str, **kwargs: Any) -> Any:
        asked.append(sparql)
        return real(sparql, **kwargs)

    monkeypatch.setattr(remote, "_solutions", spy)
    return asked


def loaded_mixed_triples(remote: RemoteStore) -> set[tuple[Any, ...]]:
    """21,000 triples of mixed objects, loaded into G1; returns them."""
    data = mixed_triples(3_000)
    remote.bulk_load(data, RdfFormat.NTRIPLES, graph=G1)
    return {tuple(triple) for triple in Graph().parse(data=data, format="nt")}


def test_a_distinct_answer_past_the_cap_is_read_in_unsorted_pages_checked_by_a_count(
    remote: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = loaded_mixed_triples(remote)
    asked = asked_queries(remote, monkeypatch)

    rows = remote.select("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }", default_graphs=[G1])

    assert {tuple(row) for row in rows} == expected
    assert len(rows) == len(expected)
    assert not [text for text in asked if "ORDER BY" in text]  # no page was sorted
    assert len([text for text in asked if "COUNT(*)" in text]) == 2  # before and after
    assert len([text for text in asked if "OFFSET" in text]) == 3  # 21,000 rows, 10,000 a page


def test_unsorted_pages_that_repeat_a_row_are_read_again_sorted(
    remote: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = loaded_mixed_triples(remote)
    asked: list[str] = []
    real = remote._solutions

    def shifting(sparql: str, **kwargs: Any) -> Any:
        """A server whose order moves between pages: the second unsorted page repeats the
        first row of the answer in place of one of its own."""
        asked.append(sparql)
        found = real(sparql, **kwargs)
        if "ORDER BY" not in sparql and "OFFSET 10000 " in sparql:
            first = real(sparql.replace("OFFSET 10000 ", "OFFSET 0 "), **kwargs).bindings[0]
            found.bindings[-1] = first
        return found

    monkeypatch.setattr(remote, "_solutions", shifting)
    rows = remote.select("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }", default_graphs=[G1])

    assert {tuple(row) for row in rows} == expected
    assert len(rows) == len(expected)
    assert [text for text in asked if "ORDER BY" in text]  # read again, in sorted pages


def test_pages_in_an_unstable_order_are_refused_not_cut(
    remote: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote.bulk_load(mixed_triples(3_000), RdfFormat.NTRIPLES, graph=G1)
    page = remote_module._Modifiers.page

    def raw_order(self: Any, keys: Any, offset: int, limit: int) -> str:
        text: str = page(self, keys, offset, limit)  # each variable by itself, as before
        return text.replace("(STR(?o)) ?o", "?o").replace("(STR(?p)) ?p", "?p")

    monkeypatch.setattr(remote_module._Modifiers, "page", raw_order)
    monkeypatch.setattr(RemoteStore, "_counted_pages", lambda *args, **kwargs: None)
    with pytest.raises(StoreError, match="unstable order"):
        remote.select("SELECT DISTINCT ?o ?p ?s WHERE { ?s ?p ?o }", default_graphs=[G1])


def test_the_servers_own_graphs_are_neither_listed_nor_counted_nor_written(
    remote: RemoteStore,
) -> None:
    assert remote.graphs() == []
    assert remote.count() == 0
    named = remote.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert len(named) == 0
    remote.load(b"<a:b> <a:c> <a:d> .", RdfFormat.NTRIPLES, graph=G1)
    assert remote.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").column("g") == [G1]
    assert remote.count() == 1
    with pytest.raises(GraphScopeError):
        system = URIRef(VIRTUOSO_SYSTEM_GRAPHS[0])
        remote.load(b"<a:b> <a:c> <a:d> .", RdfFormat.NTRIPLES, graph=system)


# -- all or nothing without transactions ----------------------------------------------


def failing_after(calls: int, real: Callable[..., Any]) -> Callable[..., Any]:
    """``real``, failing at its ``calls``-th call only (a connection that drops once)."""
    seen = 0

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        nonlocal seen
        seen += 1
        if seen == calls:
            msg = "the connection dropped (made up by the test)"
            raise StoreUnavailableError(msg)
        return real(*args, **kwargs)

    return wrapped


@pytest.mark.parametrize("path", ["graph-store", "update"])
def test_a_write_failing_in_the_middle_changes_nothing(
    remote: RemoteStore, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    remote.load(b"<http://example.org/kept> <http://example.org/p> 1 .", RdfFormat.TURTLE, graph=G1)
    remote.load(
        b"<http://example.org/other> <http://example.org/p> 2 .", RdfFormat.TURTLE, graph=G2
    )
    before = {g: content(remote, g) for g in (G1, G2)}
    monkeypatch.setattr(remote, "load_batch_triples", 1_000)
    monkeypatch.setattr(remote, "batch_triples", 1_000)
    if path == "update":
        monkeypatch.setattr(remote, "graph_store_url", None)
        monkeypatch.setattr(remote, "_update", failing_after(4, remote._update))
    else:
        monkeypatch.setattr(remote, "_post_ntriples", failing_after(3, remote._post_ntriples))
    with pytest.raises(StoreUnavailableError), remote.transaction() as tx:
        tx.drop_graph(G1)
        tx.load(many_triples(5_000), RdfFormat.NTRIPLES, graph=G1)  # five batches
        tx.add([(URIRef(EX + "x"), URIRef(EX + "p"), Literal(3))], graph=G2)
    monkeypatch.undo()
    for graph, graph_before in before.items():
        assert isomorphic(content(remote, graph), graph_before), graph
    assert staging_graphs(remote) == set()


def test_a_failing_last_request_changes_nothing(
    remote: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote.load(b"<http://example.org/kept> <http://example.org/p> 1 .", RdfFormat.TURTLE, graph=G1)
    real = remote._update

    def refuse_the_move(text: str) -> None:
        if "MOVE SILENT" in text:
            msg = "the server failed the move (made up by the test)"
            raise StoreError(msg)
        real(text)

    monkeypatch.setattr(remote, "_update", refuse_the_move)
    with pytest.raises(StoreError, match="made up"):
        remote.replace_graph(G1, many_triples(50), RdfFormat.NTRIPLES)
    monkeypatch.undo()
    assert remote.count(G1) == 1
    assert staging_graphs(remote) == set()


def test_a_submission_failing_in_the_middle_stores_nothing(
    remote: RemoteStore, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from registry.kb import build
    from registry.orgs import Organisations
    from registry.submissions.parse import format_for_suffix, parse_submission
    from registry.submissions.service import submit

    build(remote)
    org = Organisations(settings.auth_path).add("amsterdam-os", "City of Amsterdam, O&S")
    document = Path(__file__).parent / "data" / "submissions" / "amsterdam.ttl"
    body = document.read_bytes()

    def parsed() -> Graph:
        fmt = format_for_suffix(document.name)
        return parse_submission(remote, body, fmt, graph=org.graph, base=org.namespace).graph

    before = {g: content(remote, g) for g in (org.graph, graphs.PROVENANCE)}
    monkeypatch.setattr(remote, "batch_triples", 10)
    monkeypatch.setattr(remote, "graph_store_url", None)
    monkeypatch.setattr(remote, "_update", failing_after(5, remote._update))
    with pytest.raises(StoreUnavailableError):
        submit(remote, org, parsed(), fmt=format_for_suffix(document.name), body=body)
    monkeypatch.undo()
    for graph, graph_before in before.items():
        assert isomorphic(content(remote, graph), graph_before), graph
    assert staging_graphs(remote) == set()

    result = submit(remote, org, parsed(), fmt=format_for_suffix(document.name), body=body)
    assert len(content(remote, org.graph)) >= result.triples > 0


# -- terms, blank nodes, booleans, paths ---------------------------------------------


def test_blank_nodes_keep_their_structure_across_batches(
    remote: RemoteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote, "load_batch_triples", 200)
    data = Graph()
    for n in range(300):
        node = BNode()
        data.add((URIRef(f"{EX}s{n}"), URIRef(EX + "has"), node))
        data.add((node, URIRef(EX + "value"), Literal(n)))
        data.add((node, RDF.type, URIRef(EX + "Box")))
    remote.put_graph(G1, data)
    assert isomorphic(content(remote, G1), data)


def test_terms_come_back_as_they_were_bound(remote: RemoteStore) -> None:
    terms: list[URIRef | Literal] = [
        URIRef("http://example.org/Zürich/a%20b?x=1&y=(2)#frag"),
        Literal('line\nbreak "quoted" \\ tab\t😀'),
        Literal("Wien", lang="de"),
        Literal("2021", datatype=XSD.gYear),
        Literal(True),
        Literal(""),
        Literal("x" * 5000),
    ]
    data = Graph()
    for n, term in enumerate(terms):
        data.add((URIRef(f"{EX}s{n}"), URIRef(EX + "p"), term))
    remote.put_graph(G1, data)
    for n, term in enumerate(terms):
        rows = remote.select(
            "SELECT ?s WHERE { ?s <http://example.org/p> ?o }", bindings={"o": term}
        )
        assert rows.column("s") == [URIRef(f"{EX}s{n}")], term
        back = remote.select(
            "SELECT ?o WHERE { ?s <http://example.org/p> ?o }", bindings={"s": URIRef(f"{EX}s{n}")}
        )
        assert back.column("o") == [term], term


def test_a_property_path_may_start_at_a_bound_variable(remote: RemoteStore) -> None:
    chain = "\n".join(f"<{EX}n{n}> <{EX}next> <{EX}n{n + 1}> ." for n in range(5))
    remote.load(chain.encode(), RdfFormat.NTRIPLES, graph=G1)
    rows = remote.select(
        "SELECT ?start ?later WHERE { ?start <http://example.org/next>+ ?later }",
        bindings={"start": URIRef(EX + "n2")},
    )
    assert sorted(str(row[1]) for row in rows) == [f"{EX}n3", f"{EX}n4", f"{EX}n5"]
    assert {row[0] for row in rows} == {URIRef(EX + "n2")}


# -- time-outs, credentials, read-only -------------------------------------------------


def test_a_query_past_its_deadline_is_stopped_and_refused(remote: RemoteStore) -> None:
    # 30,000 values: 450 million pairs. The server either stops the query at the
    # deadline or refuses it up front as too slow; both are a time-out, never a result.
    remote.bulk_load(many_triples(30_000), RdfFormat.NTRIPLES, graph=G1)
    slow = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a <http://example.org/value> ?x . "
        "?b <http://example.org/value> ?y FILTER(?x < ?y) }"
    )
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError):
        remote.query_serialized(
            slow, media_type="application/sparql-results+json", deadline=time.monotonic() + 1
        )
    assert time.monotonic() - started < 30  # the server stopped: the full count takes minutes


def test_wrong_credentials_are_a_clear_error_and_store_nothing(settings: Settings) -> None:
    if settings.backend != "remote":
        pytest.skip("runs on the remote backend only (--backend virtuoso)")
    wrong = settings.model_copy(update={"remote_password": SecretStr("not-the-password")})
    with open_store(wrong) as store:
        with pytest.raises(StoreUnavailableError, match="refused") as caught:
            store.load(b"<a:b> <a:c> <a:d> .", RdfFormat.NTRIPLES, graph=G1)
        assert caught.value.code == "store.unavailable"
        assert store.graphs() == []


def test_an_unreachable_server_is_a_clear_error(tmp_path: Path, backend: str) -> None:
    if backend != "virtuoso":
        pytest.skip("runs on the remote backend only (--backend virtuoso)")
    from tests.live import free_port

    settings = Settings(
        store=tmp_path / "store",
        backend="remote",
        remote_query_url=f"http://127.0.0.1:{free_port()}/sparql",
    )
    with pytest.raises(StoreUnavailableError, match="cannot use the SPARQL server"):
        open_store(settings)


def test_a_store_without_an_update_endpoint_is_read_only(settings: Settings) -> None:
    if settings.backend != "remote":
        pytest.skip("runs on the remote backend only (--backend virtuoso)")
    reader = settings.model_copy(update={"remote_update_url": None})
    with open_store(reader) as store:
        assert store.read_only
        with pytest.raises(ReadOnlyStoreError):
            store.load(b"<a:b> <a:c> <a:d> .", RdfFormat.NTRIPLES, graph=G1)


def test_the_backend_settings_name_the_servers(
    virtuoso: tuple[backends.Server, backends.Server],
) -> None:
    scratch, kb = virtuoso
    assert scratch.query_url != kb.query_url
    assert scratch.query_url.startswith("http://127.0.0.1:")

"""The embedded store: load, replace, query with bindings, transactions, export, reopen."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, XSD

from registry import graphs
from registry.config import Settings
from registry.errors import (
    BindingError,
    GraphScopeError,
    InputError,
    QueryError,
    RdfSyntaxError,
    ReadOnlyStoreError,
    RemoteContextError,
    StoreUnavailableError,
    UnsupportedFormatError,
    UnsupportedQueryFormError,
)
from registry.store import RdfFormat, SelectResult, Store, open_store
from tests.conftest import StoreSettings

EX = "http://example.org/"
G1 = URIRef(EX + "graph/one")
G2 = URIRef(EX + "graph/two")

TURTLE = f"""
@prefix ex: <{EX}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:vienna rdfs:label "Wien"@de , "Vienna"@en ; ex:code "AT001C1" ; ex:population 1931593 .
ex:ghent rdfs:label "Gent"@nl ; ex:code "BE003C1" ; ex:part [ rdfs:label "Centrum"@nl ] .
"""


def turtle_graph() -> Graph:
    return Graph().parse(data=TURTLE, format="turtle")


def as_graph(store: Store, graph: URIRef) -> Graph:
    return store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", default_graphs=[graph])


# -- loading in every input format -----------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "serialiser"),
    [
        (RdfFormat.TURTLE, "turtle"),
        (RdfFormat.NTRIPLES, "nt"),
        (RdfFormat.RDFXML, "xml"),
        (RdfFormat.JSONLD, "json-ld"),
    ],
)
def test_load_each_triple_format_into_a_named_graph(
    store: Store, fmt: RdfFormat, serialiser: str
) -> None:
    data = turtle_graph().serialize(format=serialiser)
    added = store.load(data.encode(), fmt, graph=G1)
    assert added == len(turtle_graph())
    assert store.graphs() == [G1]
    assert isomorphic(as_graph(store, G1), turtle_graph())


@pytest.mark.parametrize("fmt", [RdfFormat.TRIG, RdfFormat.NQUADS])
def test_load_dataset_formats_naming_the_target_graph(store: Store, fmt: RdfFormat) -> None:
    lines = turtle_graph().serialize(format="nt").strip().splitlines()
    if fmt is RdfFormat.TRIG:
        text = f"<{G1}> {{\n" + "\n".join(lines) + "\n}"
    else:
        text = "\n".join(f"{line[:-1].rstrip()} <{G1}> ." for line in lines)
    store.load(text, fmt, graph=G1)
    assert isomorphic(as_graph(store, G1), turtle_graph())


def test_trig_default_graph_goes_to_the_target_graph(store: Store) -> None:
    store.load(TURTLE, RdfFormat.TRIG, graph=G2)
    assert store.graphs() == [G2]


def test_input_naming_another_graph_is_refused_and_nothing_is_written(store: Store) -> None:
    trig = f"<{G2}> {{ <{EX}a> <{EX}b> <{EX}c> . }}"
    with pytest.raises(GraphScopeError) as caught:
        store.load(trig, RdfFormat.TRIG, graph=G1)
    assert caught.value.code == "store.graph_scope"
    assert store.count() == 0


def test_load_a_file_by_path_and_format_from_suffix(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "cities.ttl"
    path.write_text(TURTLE, encoding="utf-8")
    store.load(path, RdfFormat.from_path(path), graph=G1)
    assert store.count(G1) == len(turtle_graph())


def test_remote_jsonld_context_is_refused_never_fetched(store: Store) -> None:
    doc = json.dumps({"@context": "http://127.0.0.1:9/ctx.jsonld", "@id": EX + "x", "name": "y"})
    with pytest.raises(RemoteContextError) as caught:
        store.load(doc, RdfFormat.JSONLD, graph=G1)
    assert "never fetches" in caught.value.message
    assert store.count() == 0


def test_syntax_error_names_the_position_and_writes_nothing(store: Store) -> None:
    store.load(TURTLE, RdfFormat.TURTLE, graph=G1)
    before = store.count()
    with pytest.raises(RdfSyntaxError) as caught:
        store.load(f"<{EX}a> <{EX}b> .\n", RdfFormat.TURTLE, graph=G1)
    assert "line 1" in caught.value.message
    assert store.count() == before


def test_unknown_format_names_the_choices() -> None:
    with pytest.raises(UnsupportedFormatError) as caught:
        RdfFormat.parse("excel")
    assert "turtle" in caught.value.message
    assert RdfFormat.parse("text/turtle") is RdfFormat.TURTLE
    assert RdfFormat.parse("application/n-quads; charset=utf-8") is RdfFormat.NQUADS
    assert RdfFormat.parse(".jsonld") is RdfFormat.JSONLD


# -- the union default graph -----------------------------------------------------


def test_default_graph_is_the_union_of_named_graphs(store: Store) -> None:
    store.load(f"<{EX}a> <{EX}p> 1 .", RdfFormat.TURTLE, graph=G1)
    store.load(f"<{EX}b> <{EX}p> 2 .", RdfFormat.TURTLE, graph=G2)
    result = store.select(f"SELECT ?s WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s")
    assert result.column("s") == [URIRef(EX + "a"), URIRef(EX + "b")]
    only_g2 = store.select("SELECT ?s WHERE { ?s ?p ?o }", default_graphs=[G2])
    assert only_g2.column("s") == [URIRef(EX + "b")]
    by_graph = store.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    )
    assert len(by_graph) == 2


# -- queries with bound parameters ------------------------------------------------


def test_query_with_bound_iri_and_literal(store: Store) -> None:
    store.load(TURTLE, RdfFormat.TURTLE, graph=G1)
    by_code = store.select(
        f"SELECT ?city ?code WHERE {{ ?city <{EX}code> ?code }}",
        bindings={"code": Literal("BE003C1")},
    )
    assert by_code.column("city") == [URIRef(EX + "ghent")]
    labels = store.select(
        "SELECT ?city ?label WHERE { ?city <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
        " ORDER BY ?label",
        bindings={"?city": URIRef(EX + "vienna")},
    )
    assert {str(t) for t in labels.column("label")} == {"Wien", "Vienna"}
    assert labels.dicts()[0]["city"] == URIRef(EX + "vienna")


def test_bound_value_is_a_term_not_query_text(store: Store) -> None:
    store.load(TURTLE, RdfFormat.TURTLE, graph=G1)
    hostile = Literal('x" } UNION { ?city ?p ?code } #')
    result = store.select(
        f"SELECT ?city ?code WHERE {{ ?city <{EX}code> ?code }}", bindings={"code": hostile}
    )
    assert len(result) == 0
    with pytest.raises(InputError):
        store.select(
            "SELECT ?s WHERE { ?s ?p ?o }",
            bindings={"s": URIRef("x> } ; DROP ALL ; INSERT DATA { <y")},
        )
    sneaky = store.select(
        'SELECT ?city WHERE { ?city ?p ?o FILTER(?o != "WHERE { }") }',
        bindings={"city": URIRef(EX + "ghent")},
    )
    assert set(sneaky.column("city")) == {URIRef(EX + "ghent")}
    assert store.count(G1) == len(turtle_graph())


def test_typed_literal_binding_matches_by_value_type(store: Store) -> None:
    store.load(TURTLE, RdfFormat.TURTLE, graph=G1)
    hit = store.ask(
        f"ASK {{ ?city <{EX}population> ?n }}",
        bindings={"n": Literal(1931593, datatype=XSD.integer)},
    )
    miss = store.ask(f"ASK {{ ?city <{EX}population> ?n }}", bindings={"n": Literal("1931593")})
    assert hit is True
    assert miss is False


def test_bound_variable_need_not_be_projected(store: Store) -> None:
    store.load(TURTLE, RdfFormat.TURTLE, graph=G1)
    result = store.select(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", bindings={"p": URIRef(EX + "code")}
    )
    assert result.rows == ((Literal(2, datatype=XSD.integer),),)
    grouped = store.select(
        "SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?s)) } GROUP BY ?s ORDER BY ?s",
        bindings={"p": RDFS.label},
    )
    assert [(str(s), int(n)) for s, n in grouped.rows] == [  # type: ignore[arg-type]
        (EX + "ghent", 1),
        (EX + "vienna", 2),
    ]


def test_bindings_in_every_query_form(store: Store) -> None:
    store.load(TURTLE, RdfFormat.TURTLE, graph=G1)
    vienna = {"city": URIRef(EX + "vienna")}
    assert store.ask(f"ASK {{ ?city <{EX}code> ?c }}", bindings=vienna)
    assert len(store.select(f"SELECT * {{ ?city <{EX}code> ?c }}", bindings=vienna)) == 1
    graph = store.construct(
        f"CONSTRUCT {{ ?city <{EX}code> ?c }} WHERE {{ ?city <{EX}code> ?c }}", bindings=vienna
    )
    assert set(graph.subjects()) == {URIRef(EX + "vienna")}
    nested = store.select(
        f"SELECT ?city ?c WHERE {{ {{ SELECT ?city ?c WHERE {{ ?city <{EX}code> ?c }} }} }}",
        bindings=vienna,
    )
    assert nested.column("c") == [Literal("AT001C1")]


def test_bindings_that_cannot_be_applied_are_clear_errors(store: Store) -> None:
    with pytest.raises(BindingError) as caught:
        store.construct("CONSTRUCT WHERE { ?s ?p ?o }", bindings={"s": URIRef(EX + "a")})
    assert caught.value.code == "query.binding"
    with pytest.raises(BindingError):
        store.select("SELECT ?s WHERE { ?s ?p ?o }", bindings={"s": BNode()})
    with pytest.raises(BindingError):
        store.select("SELECT ?s WHERE { ?s ?p ?o }", bindings={"not a name": Literal(1)})


def test_invalid_query_and_wrong_form(store: Store) -> None:
    with pytest.raises(QueryError) as caught:
        store.query("SELEC * WHERE { ?s ?p ?o }")
    assert caught.value.code == "query.invalid"
    with pytest.raises(UnsupportedQueryFormError):
        store.select("ASK { ?s ?p ?o }")


def test_select_keeps_unbound_as_none(store: Store) -> None:
    store.load(TURTLE, RdfFormat.TURTLE, graph=G1)
    result = store.select(
        f"SELECT ?city ?pop WHERE {{ ?city <{EX}code> ?c "
        f"OPTIONAL {{ ?city <{EX}population> ?pop }} }} ORDER BY ?city"
    )
    assert isinstance(result, SelectResult)
    assert result.rows[0] == (URIRef(EX + "ghent"), None)
    assert result.dicts()[0] == {"city": URIRef(EX + "ghent")}


# -- replacing graphs and transactions -------------------------------------------


def test_replace_graph_swaps_content_and_leaves_other_graphs(store: Store) -> None:
    store.load(TURTLE, RdfFormat.TURTLE, graph=G1)
    store.load(f"<{EX}keep> <{EX}p> 1 .", RdfFormat.TURTLE, graph=G2)
    new = f'<{EX}athens> <{RDFS.label}> "Athina"@el .'
    assert store.replace_graph(G1, new, RdfFormat.TURTLE) == 1
    assert isomorphic(as_graph(store, G1), Graph().parse(data=new, format="turtle"))
    assert store.count(G2) == 1


def test_failed_replace_leaves_the_graph_as_it_was(store: Store) -> None:
    store.load(TURTLE, RdfFormat.TURTLE, graph=G1)
    with pytest.raises(RdfSyntaxError):
        store.replace_graph(G1, "this is not turtle", RdfFormat.TURTLE)
    assert isomorphic(as_graph(store, G1), turtle_graph())


@pytest.mark.embedded_only(
    "Virtuoso's HTTP endpoint commits in chunks: readers may see a replace half done"
)
def test_readers_never_see_a_half_replaced_graph(store: Store) -> None:
    big = "\n".join(f"<{EX}s{i}> <{EX}p> {i} ." for i in range(3000))
    store.load(big, RdfFormat.TURTLE, graph=G1)
    seen: set[int] = set()
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            seen.add(_count(store, G1))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for _ in range(3):
            store.replace_graph(G1, big, RdfFormat.TURTLE)
    finally:
        stop.set()
        thread.join()
    assert seen <= {3000}, seen


def _count(store: Store, graph: URIRef) -> int:
    result = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graphs=[graph])
    value = result.rows[0][0]
    assert isinstance(value, Literal)
    return int(value)


def test_transaction_applies_all_writes_together(store: Store) -> None:
    store.load(TURTLE, RdfFormat.TURTLE, graph=G1)
    vienna = URIRef(EX + "vienna")
    with store.transaction() as tx:
        tx.remove([(vienna, URIRef(EX + "code"), Literal("AT001C1"))], graph=G1)
        tx.add([(vienna, URIRef(EX + "code"), Literal("AT001C"))], graph=G1)
        tx.load(f"<{EX}x> <{EX}p> 1 .", RdfFormat.TURTLE, graph=G2)
    assert store.ask(f'ASK {{ <{vienna}> <{EX}code> "AT001C" }}')
    assert not store.ask(f'ASK {{ <{vienna}> <{EX}code> "AT001C1" }}')
    assert store.graphs() == [G1, G2]


def test_transaction_rolls_back_on_error(store: Store) -> None:
    store.load(TURTLE, RdfFormat.TURTLE, graph=G1)
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.drop_graph(G1)
        tx.load(f"<{EX}x> <{EX}p> 1 .", RdfFormat.TURTLE, graph=G2)
        raise RuntimeError("boom")
    assert store.graphs() == [G1]
    assert isomorphic(as_graph(store, G1), turtle_graph())


def test_put_graph_from_rdflib(store: Store) -> None:
    assert store.put_graph(G1, turtle_graph()) == len(turtle_graph())
    assert isomorphic(as_graph(store, G1), turtle_graph())
    store.drop_graph(G1)
    assert store.graphs() == []


def test_reserved_and_invalid_graph_names_are_refused(store: Store) -> None:
    with pytest.raises(GraphScopeError):
        store.load(TURTLE, RdfFormat.TURTLE, graph=URIRef("urn:x-commensura:staging"))
    with pytest.raises(GraphScopeError):
        graphs.partner("Not A Slug!")
    assert graphs.partner("city-of-vienna") == URIRef(graphs.GRAPH_BASE + "partner/city-of-vienna")


# -- export, restore and reopening -----------------------------------------------


@pytest.mark.parametrize("fmt", [RdfFormat.NQUADS, RdfFormat.TRIG])
def test_export_and_restore_round_trip(
    store: Store, tmp_path: Path, fmt: RdfFormat, store_settings: StoreSettings
) -> None:
    store.load(TURTLE, RdfFormat.TURTLE, graph=G1)
    store.load(f'<{EX}b> <{EX}p> "zwei"@de .', RdfFormat.TURTLE, graph=G2)
    buffer = io.BytesIO()
    assert store.export(buffer, fmt) == store.count()
    with store_settings(tmp_path / "restored") as settings, open_store(settings) as other:
        assert other.load_dataset(buffer.getvalue(), fmt) == store.count()
        assert other.graphs() == [G1, G2]
        for graph in (G1, G2):
            assert isomorphic(as_graph(other, graph), as_graph(store, graph))


def test_export_selected_graphs_to_a_file(store: Store, tmp_path: Path) -> None:
    store.load(TURTLE, RdfFormat.TURTLE, graph=G1)
    store.load(f"<{EX}b> <{EX}p> 2 .", RdfFormat.TURTLE, graph=G2)
    out = tmp_path / "g2.nq"
    assert store.export(out, RdfFormat.NQUADS, graphs=[G2]) == 1
    assert str(G2) in out.read_text(encoding="utf-8")
    with pytest.raises(UnsupportedFormatError):
        store.export(out, RdfFormat.TURTLE)


def test_restore_refuses_triples_outside_named_graphs(store: Store) -> None:
    with pytest.raises(GraphScopeError):
        store.load_dataset(TURTLE, RdfFormat.TRIG)
    assert store.count() == 0


@pytest.mark.embedded_only("reopens the store's folder")
def test_reopening_the_folder_keeps_all_data(tmp_path: Path) -> None:
    settings = Settings(store=tmp_path / "store")
    first = open_store(settings)
    first.load(TURTLE, RdfFormat.TURTLE, graph=G1)
    first.load(f"<{EX}b> <{EX}p> 2 .", RdfFormat.TURTLE, graph=G2)
    before = {g: as_graph(first, g) for g in first.graphs()}
    first.close()
    again = open_store(settings)
    try:
        assert again.graphs() == [G1, G2]
        for graph, content in before.items():
            assert isomorphic(as_graph(again, graph), content)
    finally:
        again.close()


def test_bulk_load_fills_a_graph(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "big.nt"
    path.write_text(
        "\n".join(f'<{EX}s{i}> <{EX}p> "{i}" .' for i in range(500)) + "\n", encoding="utf-8"
    )
    store.bulk_load(path, RdfFormat.NTRIPLES, graph=G1)
    store.optimize()
    assert store.count(G1) == 500
    assert store.count() == 500
    with pytest.raises(UnsupportedFormatError):
        store.bulk_load(path, RdfFormat.NQUADS, graph=G1)


# -- concurrency and modes -------------------------------------------------------


@pytest.mark.embedded_only("a folder opened by one writing process at a time")
def test_second_writer_gets_a_clear_error_and_readers_are_welcome(
    store: Store, settings: Settings
) -> None:
    store.load(TURTLE, RdfFormat.TURTLE, graph=G1)
    with pytest.raises(StoreUnavailableError) as caught:
        open_store(settings)
    assert "in use by another process" in caught.value.message
    reader = open_store(settings, read_only=True)
    try:
        assert reader.count(G1) == len(turtle_graph())
        with pytest.raises(ReadOnlyStoreError):
            reader.load(TURTLE, RdfFormat.TURTLE, graph=G2)
    finally:
        reader.close()


@pytest.mark.embedded_only("a store folder that does not exist")
def test_read_only_open_of_a_missing_store_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailableError) as caught:
        open_store(Settings(store=tmp_path / "nothing"), read_only=True)
    assert "commensura build" in caught.value.message
    assert not (tmp_path / "nothing").exists()


@pytest.mark.embedded_only("a folder of other files")
def test_a_folder_of_other_files_is_not_taken_for_a_store(tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(StoreUnavailableError) as caught:
        open_store(Settings(store=folder))
    assert "not a Commensura store" in caught.value.message
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]

"""Federated queries are refused before any engine sees them; look-alikes are not."""

from __future__ import annotations

import pytest

from registry.errors import ServiceRefusedError
from registry.sparql import bind_values, code_tokens, refuse_federation
from registry.store import Store

REFUSED = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
    "PREFIX ex: <http://example.org/>\nSELECT * WHERE {\n  SERVICE ex:endpoint { ?s ?p ?o }\n}",
    "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    'SELECT * WHERE { ?s ?p "x" . SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }',
]
ALLOWED = [
    'SELECT * WHERE { ?s ?p "SERVICE <http://x> { }" }',
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:SERVICE ?o }",
    "SELECT ?service WHERE { ?service ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x> in a comment",
    "SELECT * WHERE { ?s ?p '''multi\nline SERVICE''' }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",
]


@pytest.mark.parametrize("query", REFUSED)
def test_service_is_refused(query: str) -> None:
    with pytest.raises(ServiceRefusedError) as caught:
        refuse_federation(query)
    assert caught.value.code == "query.service_refused"


@pytest.mark.parametrize("query", ALLOWED)
def test_look_alikes_pass(query: str) -> None:
    refuse_federation(query)


def test_comparison_operators_are_not_mistaken_for_iris() -> None:
    assert "?o < 3" in code_tokens("FILTER(?o < 3 && ?o > 1)")


def test_the_store_refuses_service_before_running_anything(store: Store) -> None:
    with pytest.raises(ServiceRefusedError):
        store.query(REFUSED[0])
    assert store.ask("ASK { FILTER(1 < 2) }") is True


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE { VALUES (?s) { (<x:a>) }  ?s ?p ?o }"),
        ("ASK { ?s ?p ?o }", "ASK { VALUES (?s) { (<x:a>) }  ?s ?p ?o }"),
        (
            "CONSTRUCT { ?s ?p ?o } where { ?s ?p ?o }",
            "CONSTRUCT { ?s ?p ?o } where { VALUES (?s) { (<x:a>) }  ?s ?p ?o }",
        ),
        (
            'PREFIX w: <http://e.org/{}> SELECT ("WHERE {" AS ?where) WHERE { ?s w:WHERE ?o }',
            'PREFIX w: <http://e.org/{}> SELECT ("WHERE {" AS ?where) WHERE { VALUES (?s) '
            "{ (<x:a>) }  ?s w:WHERE ?o }",
        ),
    ],
)
def test_values_block_goes_first_in_the_top_level_where(query: str, expected: str) -> None:
    assert bind_values(query, {"s": "<x:a>"}) == expected


def test_several_bindings_make_one_row() -> None:
    bound = bind_values("SELECT * WHERE { ?a ?b ?c }", {"?a": "<x:a>", "$c": '"1"'})
    assert 'VALUES (?a ?c) { (<x:a> "1") }' in bound

"""The validation function: one report, three renderings, the same results from both engines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from registry.kb import build
from registry.store import Store, open_store
from registry.submissions.service import context_for
from registry.validation import (
    Engine,
    Severity,
    ValidationReport,
    shapes_graph,
    validate,
)
from registry.validation.engines import available
from tests.conftest import StoreSettings

FIXTURES = Path(__file__).parent / "data" / "shapes"
CORPUS = sorted(FIXTURES.rglob("*.ttl"))
SUBMISSIONS = Path(__file__).parent / "data" / "submissions"


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory, store_settings: StoreSettings) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("validation") / "store"
    with store_settings(folder) as settings, open_store(settings) as store:
        build(store)
        yield store


def report_for(kb: Store, path: Path, engine: Engine) -> ValidationReport:
    graph = Graph().parse(path, format="turtle")
    return validate(graph, context=context_for(kb, graph), engine=engine)


def test_the_fixture_corpus_is_there() -> None:
    assert len(CORPUS) >= 200


@pytest.mark.skipif(Engine.SHACL not in available(), reason="the shacl package is not installed")
def test_both_engines_give_identical_results_on_the_whole_corpus(kb: Store) -> None:
    differences: dict[str, tuple[set[tuple[str | None, ...]], set[tuple[str | None, ...]]]] = {}
    for path in CORPUS:
        reference = {r.key() for r in report_for(kb, path, Engine.PYSHACL).results}
        fast = {r.key() for r in report_for(kb, path, Engine.SHACL).results}
        if reference != fast:
            differences[path.name] = (reference - fast, fast - reference)
    assert differences == {}


def test_results_about_context_resources_are_not_reported(kb: Store) -> None:
    graph = Graph().parse(SUBMISSIONS / "amsterdam.ttl", format="turtle")
    report = validate(graph, context=context_for(kb, graph))
    subjects = {str(s) for s in graph.subjects() if isinstance(s, URIRef)}
    for result in report.results:
        assert str(result.owner or result.focus_node) in subjects


def test_an_invalid_definition_reports_what_and_where_in_three_forms(kb: Store) -> None:
    report = report_for(kb, SUBMISSIONS / "amsterdam-invalid.ttl", Engine.SHACL)
    assert not report.accepted
    assert not report.conforms
    as_dict = report.to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert as_dict["violations"] == report.count(Severity.VIOLATION) >= 2
    first = as_dict["results"][0]
    assert set(first) == {
        "severity",
        "focus_node",
        "resource",
        "path",
        "value",
        "message",
        "shape",
        "constraint",
    }
    text = report.to_text()
    assert text.startswith("Not accepted:")
    assert "VIOLATION" in text
    assert first["message"] in text
    graph = Graph().parse(data=report.to_turtle(), format="turtle")
    (node,) = list(graph.subjects(RDF.type, SH.ValidationReport))
    assert graph.value(node, SH.conforms) == Literal(False)
    assert len(list(graph.objects(node, SH.result))) == len(report.results)


def test_a_path_expression_is_written_for_a_person_and_kept_in_the_w3c_report(kb: Store) -> None:
    # The recommended shapes ask for dct:source or rdfs:seeAlso: an alternative path.
    graph = Graph().parse(
        data="""
        @prefix cm: <https://w3id.org/commensura/ontology#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <https://w3id.org/commensura/id/partner/x/population/born-abroad>
            a cm:PopulationDefinition ;
            skos:prefLabel "Born abroad"@en ;
            skos:definition "Residents born outside the country."@en ;
            cm:condition [ a cm:Criterion ;
                cm:basis <https://w3id.org/commensura/vocab/criterion/ownCountryOfBirth> ;
                cm:value <https://w3id.org/commensura/vocab/criterion-value/foreign> ] .
        """,
        format="turtle",
    )
    report = validate(graph, context=context_for(kb, graph))
    alternatives = [r for r in report.results if r.path_text and "|" in r.path_text]
    assert alternatives, report.to_text()
    assert "<http://purl.org/dc/terms/source>" in (alternatives[0].path_text or "")
    w3c = Graph().parse(data=report.to_turtle(), format="turtle")
    paths = list(w3c.objects(None, SH.resultPath))
    assert any((p, SH.alternativePath, None) in w3c for p in paths)


def test_validation_leaves_the_shapes_as_they_were(kb: Store) -> None:
    before = len(shapes_graph())
    first = report_for(kb, SUBMISSIONS / "amsterdam-invalid.ttl", Engine.PYSHACL)
    second = report_for(kb, SUBMISSIONS / "amsterdam-invalid.ttl", Engine.PYSHACL)
    assert len(shapes_graph()) == before
    assert [r.key() for r in first.results] == [r.key() for r in second.results]


def test_when_the_fast_engine_fails_the_reference_answers(
    kb: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import registry.validation as validation
    from registry.validation.engines import EngineError

    real_run = validation.run  # type: ignore[attr-defined]  # the name validate() calls

    def failing(engine: Engine, data: Graph, shapes: Graph) -> Graph:
        if engine is Engine.SHACL:
            msg = "simulated engine failure"
            raise EngineError(msg)
        return real_run(engine, data, shapes)

    monkeypatch.setattr(validation, "run", failing)
    report = report_for(kb, SUBMISSIONS / "amsterdam-invalid.ttl", Engine.SHACL)
    assert report.engine == Engine.PYSHACL.value
    assert not report.accepted

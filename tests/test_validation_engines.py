"""The fast SHACL engine gives pySHACL's results, result for result.

A differential test: every fixture under ``tests/data/shapes`` (valid and
invalid), generated submissions, the ontology against ``shapes/ontology.ttl``, and
one small probe per SHACL Core feature are validated by both engines with the
same data and shapes, and the reports must be identical as multisets of (focus
node, path, value, severity, source shape, constraint component, messages), blank
nodes compared by their triples. Messages are compared where the shape declares
``sh:message``; where it does not, each engine words its own.

The data of a fixture is the fixture merged with the ontology's
``rdfs:subClassOf`` triples and the triples about the IRIs it refers to, from
``ontology/**/*.ttl`` and ``registry/kb/content/*.ttl``; its shapes are the
submission shapes (``shapes/core.ttl``, ``ranges.ttl``, ``vocabularies.ttl``,
``recommended.ttl``, those that exist).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from benchmarks.validate import builtin_shapes, project_shapes, submission, validation_data
from registry.validation.engines import (
    GENERATED,
    Engine,
    EngineError,
    available,
    conforms,
    differences,
    parse_term,
    result_set,
    run,
)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "data" / "shapes"

needs_fast_engine = pytest.mark.skipif(
    Engine.SHACL not in available(),
    reason="the fast SHACL engine (PyPI `shacl`) is not installed",
)


class Case(NamedTuple):
    """One differential comparison: data and shapes, and whether results are expected."""

    data: Graph
    shapes: Graph
    expect_results: bool | None
    """True: pySHACL must report something (else the case checks nothing); None: either."""


def assert_same(case: Case) -> None:
    """Both engines, same data and shapes: the same verdict and the same results."""
    before = len(case.shapes)
    reference = run(Engine.PYSHACL, case.data, case.shapes)
    fast = run(Engine.SHACL, case.data, case.shapes)
    assert len(case.shapes) == before, "an engine changed the shapes graph"
    expected = result_set(reference, case.data, case.shapes)
    actual = result_set(fast, case.data, case.shapes)
    found = differences(expected, actual, limit=40)
    assert not found, "shacl differs from pySHACL:\n" + "\n".join(found)
    assert conforms(fast) == conforms(reference)
    if case.expect_results is not None:
        assert bool(expected) == case.expect_results, (
            f"pySHACL reported {sum(expected.values())} results"
        )


# -- the fixture corpus -----------------------------------------------------------------


def fixture_files() -> list[Path]:
    return sorted(FIXTURES.glob("valid/*.ttl")) + sorted(FIXTURES.glob("invalid/*.ttl"))


FIXTURE_FILES = fixture_files()


@needs_fast_engine
@pytest.mark.skipif(not FIXTURE_FILES, reason="no fixtures under tests/data/shapes yet")
@pytest.mark.parametrize(
    "path", FIXTURE_FILES, ids=[p.relative_to(FIXTURES).as_posix() for p in FIXTURE_FILES]
)
def test_fixture_gives_the_same_results(path: Path) -> None:
    shapes = project_shapes()
    if shapes is None:
        pytest.skip("shapes/core.ttl does not exist yet")
    fixture = Graph().parse(path, format="turtle")
    # An invalid fixture must make pySHACL say something; a valid one may still warn.
    expect = True if path.parent.name == "invalid" else None
    assert_same(Case(validation_data(fixture), shapes, expect))


@needs_fast_engine
@pytest.mark.parametrize(("triples", "seed"), [(1_000, 1), (3_000, 2), (6_000, 3)])
def test_generated_submission_gives_the_same_results(triples: int, seed: int) -> None:
    """Generated submissions, with about one node in twenty invalid in one of a dozen ways."""
    graph, defects = submission(triples, seed=seed, invalid_share=0.15)
    assert defects, "the generator put no defect into the submission"
    shapes = project_shapes() or builtin_shapes()
    assert_same(Case(validation_data(graph), shapes, expect_results=True))


@needs_fast_engine
def test_ontology_gives_the_same_results() -> None:
    data = Graph()
    for path in sorted((REPO / "ontology").rglob("*.ttl")):
        data.parse(path, format="turtle")
    shapes = Graph().parse(REPO / "shapes" / "ontology.ttl", format="turtle")
    assert_same(Case(data, shapes, expect_results=None))


# -- one probe per SHACL Core feature ----------------------------------------------------

PREFIXES = """
@prefix ex:   <http://example.org/> .
@prefix rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix sh:   <http://www.w3.org/ns/shacl#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
"""


@dataclass(frozen=True)
class Probe:
    """Shapes and data that exercise one feature, valid and invalid nodes together."""

    shapes: str
    data: str


PROBES: dict[str, Probe] = {
    "class through rdfs:subClassOf in the data": Probe(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:Owner ;
            sh:property [ sh:path ex:pet ; sh:class ex:Animal ] .
        """,
        """
        ex:Dog rdfs:subClassOf ex:Mammal . ex:Mammal rdfs:subClassOf ex:Animal .
        ex:ann a ex:Owner ; ex:pet ex:rex , ex:rock , "cat" , [ a ex:Dog ] .
        ex:rex a ex:Dog . ex:rock a ex:Stone .
        """,
    ),
    "implicit class target and subclass instances": Probe(
        """
        ex:Animal a rdfs:Class , sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
        """,
        """
        ex:Dog rdfs:subClassOf ex:Animal .
        ex:rex a ex:Dog . ex:tom a ex:Animal ; ex:name "Tom" . [ a ex:Dog ] .
        """,
    ),
    "qualified value shapes, disjoint siblings": Probe(
        """
        ex:English a sh:NodeShape ; sh:nodeKind sh:Literal ; sh:languageIn ( "en" ) .
        ex:Hand a sh:NodeShape ; sh:targetClass ex:Hand ;
            sh:property ex:thumb , ex:finger , ex:label .
        ex:thumb sh:path ex:digit ; sh:qualifiedValueShape [ sh:class ex:Thumb ] ;
            sh:qualifiedValueShapesDisjoint true ; sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 .
        ex:finger sh:path ex:digit ; sh:qualifiedValueShape [ sh:class ex:Finger ] ;
            sh:qualifiedValueShapesDisjoint true ; sh:qualifiedMinCount 4 ; sh:qualifiedMaxCount 4 .
        ex:label sh:path ex:label ; sh:qualifiedValueShape ex:English ;
            sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 .
        """,
        """
        ex:left a ex:Hand ; ex:label "left"@en , "links"@de ;
            ex:digit ex:t1 , ex:f1 , ex:f2 , ex:f3 , ex:f4 .
        ex:right a ex:Hand ; ex:label "rechts"@de ; ex:digit ex:t1 , ex:tf , ex:f1 .
        ex:odd a ex:Hand ; ex:label "odd"@en , "odd hand"@en ; ex:digit ex:t1 , ex:t2 .
        ex:t1 a ex:Thumb . ex:t2 a ex:Thumb . ex:tf a ex:Thumb , ex:Finger .
        ex:f1 a ex:Finger . ex:f2 a ex:Finger . ex:f3 a ex:Finger . ex:f4 a ex:Finger .
        """,
    ),
    "or, and, xone, not, node with blank node shapes": Probe(
        """
        ex:Named a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
        ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:or ( [ sh:path ex:year ; sh:datatype xsd:gYear ]
                    [ sh:path ex:year ; sh:datatype xsd:date ] ) ;
            sh:property [ sh:path ex:owner ; sh:node ex:Named ] ;
            sh:property [ sh:path ex:size ;
                sh:xone ( [ sh:datatype xsd:integer ] [ sh:minInclusive 10 ] ) ] ;
            sh:property [ sh:path ex:part ;
                sh:and ( [ sh:nodeKind sh:IRI ] [ sh:not [ sh:class ex:Broken ] ] ) ] ;
            sh:not [ sh:class ex:Forbidden ] .
        """,
        """
        ex:a a ex:Thing ; ex:year "2020"^^xsd:gYear ; ex:owner [ ex:name "Ann" ] ; ex:size 3 ;
            ex:part ex:p1 .
        ex:b a ex:Thing , ex:Forbidden ; ex:year "2020" ; ex:owner [ ex:nick "B" ] ;
            ex:size 12 , 11.5 ; ex:part ex:p2 , [ a ex:Part ] .
        ex:p2 a ex:Broken .
        """,
    ),
    "property pair constraints": Probe(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:Band ;
            sh:property [ sh:path ex:min ; sh:lessThanOrEquals ex:max ] ;
            sh:property [ sh:path ex:start ; sh:lessThan ex:end ] ;
            sh:property [ sh:path ex:label ; sh:equals ex:name ; sh:disjoint ex:code ] .
        """,
        """
        ex:ok a ex:Band ; ex:min 1 ; ex:max 1 ; ex:start "2020-01-01"^^xsd:date ;
            ex:end "2021-01-01"^^xsd:date ; ex:label "a" ; ex:name "a" ; ex:code "b" .
        ex:bad a ex:Band ; ex:min 5 , 2.5 ; ex:max 3 ; ex:start "2022-01-01"^^xsd:date ;
            ex:end "2021-01-01"^^xsd:date , "x" ; ex:label "a" , "c" ; ex:name "a" ;
            ex:code "a" .
        [ a ex:Band ; ex:min 7 ; ex:max 6 ] .
        """,
    ),
    "languages: languageIn and uniqueLang": Probe(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:Doc ;
            sh:property [ sh:path ex:title ; sh:languageIn ( "en" "de" ) ; sh:uniqueLang true ] .
        """,
        """
        ex:a a ex:Doc ; ex:title "Title"@en , "Titel"@de , "Title"@en-GB .
        ex:b a ex:Doc ; ex:title "One"@en , "Two"@EN , "Trois"@fr , "none" , ex:iri .
        """,
    ),
    "values: datatype, in, hasValue, pattern, lengths, ranges": Probe(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:Row ;
            sh:property [ sh:path ex:n ; sh:datatype xsd:integer ; sh:minInclusive 1 ;
                sh:maxExclusive 10 ] ;
            sh:property [ sh:path ex:p ; sh:datatype xsd:positiveInteger ] ;
            sh:property [ sh:path ex:d ; sh:minExclusive 0.5 ; sh:maxInclusive 2.5 ] ;
            sh:property [ sh:path ex:day ; sh:minInclusive "2020-01-01"^^xsd:date ] ;
            sh:property [ sh:path ex:kind ; sh:in ( ex:a ex:b "c" 1 ) ] ;
            sh:property [ sh:path ex:status ; sh:hasValue ex:active ] ;
            sh:property [ sh:path ex:code ; sh:pattern "^ab+c$" ; sh:flags "i" ;
                sh:minLength 3 ; sh:maxLength 5 ] .
        """,
        """
        ex:ok a ex:Row ; ex:n 5 ; ex:p "3"^^xsd:positiveInteger ; ex:d 1.5 ;
            ex:day "2021-05-01"^^xsd:date ; ex:kind ex:a , "c" , 1 ; ex:status ex:active ;
            ex:code "ABC" .
        ex:bad a ex:Row ; ex:n 0 , 10 , "7" , "x"^^xsd:integer , 5.0 ;
            ex:p "0"^^xsd:positiveInteger , 3 ; ex:d 0.5 , 3 , "1"^^xsd:float , "y" ;
            ex:day "2019-01-01"^^xsd:date , "2021-01-01"^^xsd:dateTime ;
            ex:kind ex:z , "1" , 1.0 ; ex:status ex:idle ;
            ex:code "abbbbbbc" , "ac" , ex:abc .
        """,
    ),
    "node kinds and blank focus nodes": Probe(
        """
        ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:child ;
            sh:property [ sh:path ex:child ; sh:nodeKind sh:BlankNode ] ;
            sh:property [ sh:path ex:ref ; sh:nodeKind sh:IRI ] ;
            sh:property [ sh:path ex:any ; sh:nodeKind sh:BlankNodeOrIRI ] ;
            sh:property [ sh:path ex:lit ; sh:nodeKind sh:IRIOrLiteral ] .
        ex:T a sh:NodeShape ; sh:targetObjectsOf ex:child ; sh:nodeKind sh:BlankNode ;
            sh:property [ sh:path ex:age ; sh:maxCount 1 ; sh:datatype xsd:integer ] .
        """,
        """
        ex:a ex:child [ ex:age 3 ] , [ ex:age 4 , 5 ] , ex:named ; ex:ref [ ex:x 1 ] , ex:r ;
            ex:any "lit" , ex:r ; ex:lit [ ] , "ok" .
        [ ex:child [ ex:age "old" ; ex:child [ ex:age 1 ] ] ] .
        ex:named ex:age 2 .
        """,
    ),
    "closed shapes": Probe(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:Point ; sh:closed true ;
            sh:ignoredProperties ( rdf:type ) ;
            sh:property [ sh:path ex:x ] , [ sh:path ex:y ] .
        """,
        """
        ex:p a ex:Point ; ex:x 1 ; ex:y 2 .
        ex:q a ex:Point ; ex:x 1 ; ex:z 3 ; rdfs:label "q" .
        [ a ex:Point ; ex:w 0 ] .
        """,
    ),
    "targets: node, subjects of, objects of": Probe(
        """
        ex:S a sh:NodeShape ; sh:targetNode ex:a , ex:missing , "text" ;
            sh:targetSubjectsOf ex:knows ; sh:targetObjectsOf ex:likes ;
            sh:nodeKind sh:IRI ;
            sh:property [ sh:path ex:name ; sh:minCount 1 ] .
        """,
        """
        ex:a ex:name "A" . ex:b ex:knows ex:c . ex:c ex:likes [ ex:name "anon" ] , ex:d .
        """,
    ),
    "paths: sequence, alternative, inverse, repetition": Probe(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:Person ;
            sh:property [ sh:path ( ex:address ex:city ) ; sh:minCount 1 ; sh:class ex:City ] ;
            sh:property [ sh:path [ sh:alternativePath ( ex:phone ex:mobile ) ] ;
                sh:maxCount 1 ] ;
            sh:property [ sh:path [ sh:inversePath ex:employs ] ; sh:maxCount 1 ] ;
            sh:property [ sh:path [ sh:zeroOrMorePath ex:parent ] ; sh:class ex:Person ] ;
            sh:property [ sh:path [ sh:oneOrMorePath ex:knows ] ; sh:nodeKind sh:IRI ] ;
            sh:property [ sh:path ( ex:boss [ sh:zeroOrOnePath ex:boss ] ) ;
                sh:class ex:Person ] .
        """,
        """
        ex:ann a ex:Person ; ex:address [ ex:city ex:paris ] ; ex:phone 1 ; ex:parent ex:bob ;
            ex:knows ex:bob ; ex:boss ex:bob .
        ex:bob a ex:Person ; ex:phone 1 ; ex:mobile 2 ; ex:parent ex:cat ;
            ex:knows [ ex:knows ex:ann ] ; ex:boss ex:cat .
        ex:cat ex:boss ex:dan .
        ex:paris a ex:City . ex:acme ex:employs ex:bob . ex:beta ex:employs ex:bob .
        """,
    ),
    "literals with quotes, newlines, tabs and unicode": Probe(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:Note ;
            sh:property [ sh:path ex:text ; sh:maxLength 5 ] .
        """,
        r'''
        ex:n a ex:Note ; ex:text "line1\nline2 \"quoted\" \\ é 😀" , """two
        lines""" , "tab\there"@en , "\u0007bell" , "ok" .
        ''',
    ),
    "severities, messages, deactivated shapes": Probe(
        """
        ex:S a sh:NodeShape ; sh:targetClass ex:Doc ;
            sh:property [ sh:path ex:title ; sh:minCount 1 ; sh:severity sh:Warning ;
                sh:message "A title is recommended."@en , "Ein Titel wird empfohlen."@de ] ;
            sh:property [ sh:path ex:note ; sh:minCount 1 ; sh:severity sh:Info ] ;
            sh:property [ sh:path ex:id ; sh:minCount 1 ; sh:message "An id is needed." ] ;
            sh:property [ sh:path ex:gone ; sh:minCount 1 ; sh:deactivated true ] .
        ex:N a sh:NodeShape ; sh:targetClass ex:Doc ; sh:severity sh:Warning ;
            sh:message "Docs are IRIs."@en ; sh:nodeKind sh:IRI .
        """,
        """
        ex:a a ex:Doc ; ex:id 1 ; ex:title "A" ; ex:note "n" .
        ex:b a ex:Doc .
        [ a ex:Doc ; ex:id 2 ] .
        """,
    ),
}


@needs_fast_engine
@pytest.mark.parametrize("name", list(PROBES))
def test_feature_probe_gives_the_same_results(name: str) -> None:
    probe = PROBES[name]
    shapes = Graph().parse(data=PREFIXES + probe.shapes, format="turtle")
    data = Graph().parse(data=PREFIXES + probe.data, format="turtle")
    assert_same(Case(data, shapes, expect_results=True))


# -- the report graph itself --------------------------------------------------------------

SMALL_SHAPES = (
    PREFIXES
    + """
ex:S a sh:NodeShape ; sh:targetClass ex:Doc ;
    sh:property ex:title , [ sh:path ex:year ; sh:datatype xsd:gYear ] .
ex:title sh:path ex:title ; sh:minCount 1 ; sh:severity sh:Warning ;
    sh:message "A title is recommended."@en .
"""
)
SMALL_DATA = (
    PREFIXES
    + """
ex:a a ex:Doc ; ex:title "A" .
ex:b a ex:Doc ; ex:year "1999" .
[ a ex:Doc ; ex:year "2001"^^xsd:gYear ] .
"""
)


@pytest.mark.parametrize("engine", available())
def test_report_has_every_property_of_each_result(engine: Engine) -> None:
    data = Graph().parse(data=SMALL_DATA, format="turtle")
    shapes = Graph().parse(data=SMALL_SHAPES, format="turtle")
    report = run(engine, data, shapes)
    results = list(report.subjects(RDF.type, SH.ValidationResult))
    assert len(results) == 3
    assert conforms(report) is False
    for result in results:
        for predicate in (
            SH.focusNode,
            SH.resultPath,
            SH.resultSeverity,
            SH.sourceShape,
            SH.sourceConstraintComponent,
            SH.resultMessage,
        ):
            assert report.value(result, predicate) is not None, f"no {predicate} in {engine}"
    (value,) = report.objects(None, SH.value)
    assert value == Literal("1999")
    messages = {str(m) for m in report.objects(None, SH.resultMessage)}
    assert "A title is recommended." in messages


@pytest.mark.parametrize("engine", available())
def test_blank_nodes_are_the_input_graphs_own(engine: Engine) -> None:
    """A blank focus node is the data's ``BNode``; a blank property shape the shapes'."""
    data = Graph().parse(data=SMALL_DATA, format="turtle")
    shapes = Graph().parse(data=SMALL_SHAPES, format="turtle")
    report = run(engine, data, shapes)
    blank_focus = [n for n in report.objects(None, SH.focusNode) if isinstance(n, BNode)]
    assert blank_focus
    assert all((n, RDF.type, URIRef("http://example.org/Doc")) in data for n in blank_focus)
    blank_shapes = [n for n in report.objects(None, SH.sourceShape) if isinstance(n, BNode)]
    assert blank_shapes
    assert all((n, SH.path, None) in shapes for n in blank_shapes)


@pytest.mark.parametrize("engine", available())
@pytest.mark.parametrize("severity", ["sh:Warning", "sh:Info", "sh:Violation"])
def test_allow_warnings_makes_warnings_and_infos_conform(engine: Engine, severity: str) -> None:
    shapes = Graph().parse(
        data=PREFIXES
        + f"ex:S a sh:NodeShape ; sh:targetClass ex:Doc ; sh:severity {severity} ;"
        + f" sh:property [ sh:path ex:title ; sh:minCount 1 ; sh:severity {severity} ] .",
        format="turtle",
    )
    data = Graph().parse(data=PREFIXES + "ex:b a ex:Doc .", format="turtle")
    assert conforms(run(engine, data, shapes)) is False
    allowed = conforms(run(engine, data, shapes, allow_warnings=True))
    assert allowed is (severity != "sh:Violation")


@pytest.mark.parametrize("engine", available())
def test_run_leaves_both_graphs_as_they_were(engine: Engine) -> None:
    data = Graph().parse(data=SMALL_DATA, format="turtle")
    shapes = Graph().parse(data=SMALL_SHAPES, format="turtle")
    data_before, shapes_before = set(data), set(shapes)
    run(engine, data, shapes)
    run(engine, data, shapes)
    assert set(data) == data_before
    assert set(shapes) == shapes_before


@needs_fast_engine
def test_fast_engine_writes_a_message_where_the_shape_has_none() -> None:
    data = Graph().parse(data=SMALL_DATA, format="turtle")
    shapes = Graph().parse(data=SMALL_SHAPES, format="turtle")
    report = run(Engine.SHACL, data, shapes)
    (result,) = report.subjects(SH.value, Literal("1999"))
    (message,) = report.objects(result, SH.resultMessage)
    assert str(message) == 'The value "1999" of ex:year does not satisfy sh:datatype xsd:gYear.'
    keys = result_set(report, data, shapes)
    assert {k.messages for k in keys} == {(GENERATED,), ('"A title is recommended."@en',)}


def test_available_lists_the_reference_first() -> None:
    assert available()[0] is Engine.PYSHACL


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("<http://example.org/a>", URIRef("http://example.org/a")),
        ('"plain"', Literal("plain")),
        ('"tagged"@en-GB', Literal("tagged", lang="en-GB")),
        ('"12"^^<http://www.w3.org/2001/XMLSchema#integer>', Literal("12", datatype=XSD.integer)),
        ('"x"^^<http://www.w3.org/2001/XMLSchema#string>', Literal("x")),
        ('"say \\"hi\\"\\n\\ttab \\\\ \\u00e9\\U0001F600"', Literal('say "hi"\n\ttab \\ é😀')),
    ],
)
def test_parse_term_reads_ntriples_terms(text: str, term: URIRef | Literal) -> None:
    assert parse_term(text) == term


def test_parse_term_refuses_what_is_not_a_term() -> None:
    with pytest.raises(EngineError):
        parse_term("not a term")

"""Benchmark of SHACL validators on generated submissions: pySHACL against fast candidates.

    python -m benchmarks.validate --sizes 1k,10k,100k --repeat 5 --out /tmp/validate-bench.md

For each size the runner generates one submission of exactly that many triples
(indicator definitions with their series selections, population definitions with
their criteria, practices with editions, places; about one node in twenty made
invalid in one of a dozen ways, and recommended properties left out now and then,
so the reports hold violations, warnings and infos). The data validated is the
submission merged with what the shapes need from outside it, as the registry does:
the ontology's ``rdfs:subClassOf`` triples and the triples about the IRIs the
submission refers to, from ``ontology/**/*.ttl`` and ``registry/kb/content/*.ttl``.

The shapes are the project's submission shapes (``shapes/core.ttl``,
``ranges.ttl``, ``vocabularies.ttl``, ``recommended.ttl``) when they exist, else a
built-in SHACL Core set written for this benchmark (``--shapes builtin`` forces it).

Every candidate runs in this one process, end to end from the in-memory rdflib
graphs: what is timed starts from an rdflib ``Graph`` (parsing the submission's
Turtle is *not* included; writing the graph out as N-Triples and the engine
parsing that text *is*) and ends with the engine's answer in Python:

* ``pyshacl``: ``registry.validation.engines.run(Engine.PYSHACL, ...)``, the
  reference (copies the shapes graph, validates, returns the report graph);
* ``shacl``: ``run(Engine.SHACL, ...)``, the same function with the Rust engine
  (N-Triples out, validate, the report graph built back with the input's own
  terms; the compiled shapes are cached across calls, as in the registry);
* ``shacl-rust``: ``shacl_rust.validate`` on N-Triples text of both graphs (it
  compiles the shapes every call; it has no other API), returning a dict;
* ``pyrudof``: a ``pyrudof.Rudof`` with the shapes read once, then per run the data
  read from N-Triples text and ``validate_shacl``, returning its entries;
* ``pyshacl-turbo``: shapes compiled once with ``pyshacl_turbo.compile_shapes``,
  then ``validate`` on the rdflib data graph, returning a report graph.

Each candidate runs once to warm up, then ``--repeat`` times, the candidates taking
turns run by run; the table shows the medians. pySHACL runs ``--pyshacl-repeat``
times at sizes above 10k (a run takes minutes there). Every candidate's results are
compared with pySHACL's as multisets of (focus node, path, value, severity, source
shape, constraint component, message), blank nodes compared by their triples;
messages only for the two engines behind ``run`` (the others word their own).
A mismatch is printed loudly and makes the exit status 1. Progress goes to
stderr, the markdown to stdout (or ``--out``).
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from benchmarks.generate import parse_size, size_label
from benchmarks.run import cpu_model, package_version
from registry.validation.engines import (
    Engine,
    ResultKey,
    describe,
    differences,
    parse_term,
    result_set,
    run,
)

ROOT = Path(__file__).resolve().parent.parent
SHAPE_FILES = ("core.ttl", "ranges.ttl", "vocabularies.ttl", "recommended.ttl")
DEFAULT_SEED = 20261122
INVALID_SHARE = 0.05

CM = Namespace("https://w3id.org/commensura/ontology#")
ID = Namespace("https://w3id.org/commensura/id/")
VOCAB = "https://w3id.org/commensura/vocab/"
SCHEMA = Namespace("https://schema.org/")

NOT_COMPARED = "(not compared)"
Triple = tuple[Node, Node, Node]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- what the shapes need from outside a submission ----------------------------------


@functools.cache
def reference_graph() -> Graph:
    """The ontology, its vocabularies and the knowledge base's content, parsed once."""
    graph = Graph()
    paths = sorted((ROOT / "ontology").rglob("*.ttl"))
    paths += sorted((ROOT / "registry" / "kb" / "content").glob("*.ttl"))
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@functools.cache
def hierarchy() -> Graph:
    """The ``rdfs:subClassOf`` triples of the ontology (``sh:class`` follows them)."""
    graph = Graph()
    for triple in reference_graph().triples((None, RDFS.subClassOf, None)):
        graph.add(triple)
    return graph


def referenced(graph: Graph) -> set[URIRef]:
    """The IRIs ``graph`` uses as objects without describing them itself."""
    subjects = set(graph.subjects())
    return {o for o in graph.objects() if isinstance(o, URIRef) and o not in subjects}


def about(reference: Graph, iri: URIRef) -> Iterator[Triple]:
    """The triples about ``iri`` in ``reference``: its own and those of the blank nodes
    they reach (its concise bounded description)."""
    seen: set[Node] = set()
    todo: list[Node] = [iri]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple in reference.triples((node, None, None)):
            yield triple
            if isinstance(triple[2], BNode):
                todo.append(triple[2])


def validation_data(graph: Graph) -> Graph:
    """``graph`` with the class hierarchy and the triples about the IRIs it refers to."""
    data = Graph()
    data += graph
    data += hierarchy()
    reference = reference_graph()
    for iri in referenced(graph):
        for triple in about(reference, iri):
            data.add(triple)
    return data


# -- shapes ---------------------------------------------------------------------------


def project_shapes() -> Graph | None:
    """The project's submission shapes, or None while ``shapes/core.ttl`` is missing."""
    folder = ROOT / "shapes"
    if not (folder / SHAPE_FILES[0]).is_file():
        return None
    graph = Graph()
    for name in SHAPE_FILES:
        if (folder / name).is_file():
            graph.parse(folder / name, format="turtle")
    return graph


BUILTIN_SHAPES = """
@prefix bsh:    <https://w3id.org/commensura/shapes/benchmark#> .
@prefix cm:     <https://w3id.org/commensura/ontology#> .
@prefix dct:    <http://purl.org/dc/terms/> .
@prefix foaf:   <http://xmlns.com/foaf/0.1/> .
@prefix pkind:  <https://w3id.org/commensura/vocab/practice-kind/> .
@prefix rdf:    <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix sh:     <http://www.w3.org/ns/shacl#> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .

bsh:EnglishText a sh:NodeShape ; sh:nodeKind sh:Literal ; sh:languageIn ( "en" ) .

bsh:InMeasureTypes a sh:NodeShape ; sh:property bsh:InMeasureTypes-scheme .
bsh:InMeasureTypes-scheme a sh:PropertyShape ; sh:path skos:inScheme ;
    sh:hasValue <https://w3id.org/commensura/vocab/measure-type> .
bsh:InUnits a sh:NodeShape ; sh:property bsh:InUnits-scheme .
bsh:InUnits-scheme a sh:PropertyShape ; sh:path skos:inScheme ;
    sh:hasValue <https://w3id.org/commensura/vocab/unit> .
bsh:InCriteria a sh:NodeShape ; sh:property bsh:InCriteria-scheme .
bsh:InCriteria-scheme a sh:PropertyShape ; sh:path skos:inScheme ;
    sh:hasValue <https://w3id.org/commensura/vocab/criterion> .
bsh:InGeographyLevels a sh:NodeShape ; sh:property bsh:InGeographyLevels-scheme .
bsh:InGeographyLevels-scheme a sh:PropertyShape ; sh:path skos:inScheme ;
    sh:hasValue <https://w3id.org/commensura/vocab/geography-level> .

# -- indicator definitions ---------------------------------------------------------

bsh:IndicatorDefinitionShape a sh:NodeShape ;
    sh:targetClass cm:IndicatorDefinition ;
    sh:property bsh:IndicatorDefinition-prefLabel , bsh:IndicatorDefinition-indicator ,
        bsh:IndicatorDefinition-publisher , bsh:IndicatorDefinition-measureType ,
        bsh:IndicatorDefinition-unit , bsh:IndicatorDefinition-ageBand ,
        bsh:IndicatorDefinition-targetGroup , bsh:IndicatorDefinition-reproducedBy ,
        bsh:IndicatorDefinition-definition .
bsh:IndicatorDefinition-prefLabel a sh:PropertyShape ; sh:path skos:prefLabel ;
    sh:qualifiedValueShape bsh:EnglishText ; sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 ;
    sh:message "An indicator definition needs exactly one English label."@en .
bsh:IndicatorDefinition-indicator a sh:PropertyShape ; sh:path cm:indicator ;
    sh:minCount 1 ; sh:maxCount 1 ; sh:class cm:Indicator ;
    sh:message "An indicator definition defines exactly one cm:Indicator."@en .
bsh:IndicatorDefinition-publisher a sh:PropertyShape ; sh:path dct:publisher ;
    sh:minCount 1 ; sh:nodeKind sh:IRI ; sh:class foaf:Organization ;
    sh:message "The publisher is an organisation named by its IRI."@en .
bsh:IndicatorDefinition-measureType a sh:PropertyShape ; sh:path cm:measureType ;
    sh:maxCount 1 ; sh:class skos:Concept ; sh:node bsh:InMeasureTypes ;
    sh:message "The measure type comes from the measure types scheme."@en .
bsh:IndicatorDefinition-unit a sh:PropertyShape ; sh:path cm:unit ;
    sh:maxCount 1 ; sh:node bsh:InUnits ;
    sh:message "The unit comes from the units scheme."@en .
bsh:IndicatorDefinition-ageBand a sh:PropertyShape ; sh:path cm:ageBand ;
    sh:maxCount 1 ; sh:class skos:Concept ;
    sh:message "The age band is a concept (an age band of the scheme)."@en .
bsh:IndicatorDefinition-targetGroup a sh:PropertyShape ; sh:path cm:targetGroup ;
    sh:minCount 1 ; sh:class cm:PopulationDefinition ;
    sh:message "The target group is a population definition."@en .
bsh:IndicatorDefinition-reproducedBy a sh:PropertyShape ; sh:path cm:reproducedBy ;
    sh:node bsh:SeriesSelectionShape ;
    sh:message "A series selection names a dataset and its filters."@en .
bsh:IndicatorDefinition-definition a sh:PropertyShape ; sh:path skos:definition ;
    sh:minCount 1 ; sh:severity sh:Warning ;
    sh:message "An indicator definition should say in words what it measures."@en .

bsh:SeriesSelectionShape a sh:NodeShape ;
    sh:property bsh:SeriesSelection-datasetCode , bsh:SeriesSelection-filter .
bsh:SeriesSelection-datasetCode a sh:PropertyShape ; sh:path cm:datasetCode ;
    sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string ; sh:pattern "^[a-z0-9_]+$" ;
    sh:message "A dataset code is one lower-case code."@en .
bsh:SeriesSelection-filter a sh:PropertyShape ; sh:path cm:filter ; sh:class cm:DimensionFilter ;
    sh:message "A filter is a cm:DimensionFilter."@en .

bsh:DimensionFilterShape a sh:NodeShape ;
    sh:targetClass cm:DimensionFilter ;
    sh:property bsh:DimensionFilter-dimensionCode , bsh:DimensionFilter-codeValue .
bsh:DimensionFilter-dimensionCode a sh:PropertyShape ; sh:path cm:dimensionCode ;
    sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string ; sh:minLength 1 ;
    sh:message "A filter names one dimension."@en .
bsh:DimensionFilter-codeValue a sh:PropertyShape ; sh:path cm:codeValue ;
    sh:minCount 1 ; sh:datatype xsd:string ;
    sh:message "A filter names the code it keeps."@en .

# -- population definitions and their criteria -------------------------------------

bsh:PopulationDefinitionShape a sh:NodeShape ;
    sh:targetClass cm:PopulationDefinition ;
    sh:property bsh:PopulationDefinition-prefLabel , bsh:PopulationDefinition-condition ,
        bsh:PopulationDefinition-publisher .
bsh:PopulationDefinition-prefLabel a sh:PropertyShape ; sh:path skos:prefLabel ;
    sh:minCount 1 ; sh:uniqueLang true ;
    sh:message "A population definition needs a label, one per language."@en .
bsh:PopulationDefinition-condition a sh:PropertyShape ; sh:path cm:condition ;
    sh:minCount 1 ; sh:class cm:Condition ;
    sh:or ( [ sh:class cm:Criterion ] [ sh:class cm:AnyOf ] [ sh:class cm:AllOf ]
            [ sh:class cm:Not ] ) ;
    sh:message "A population definition has conditions: criteria or their combinations."@en .
bsh:PopulationDefinition-publisher a sh:PropertyShape ; sh:path dct:publisher ;
    sh:minCount 1 ; sh:severity sh:Info ;
    sh:message "A population definition may name its publisher."@en .

bsh:CriterionShape a sh:NodeShape ;
    sh:targetClass cm:Criterion ;
    sh:property bsh:Criterion-basis , bsh:Criterion-value , bsh:Criterion-minYears ,
        bsh:Criterion-maxYears , bsh:Criterion-parentRule .
bsh:Criterion-basis a sh:PropertyShape ; sh:path cm:basis ;
    sh:minCount 1 ; sh:maxCount 1 ; sh:node bsh:InCriteria ;
    sh:message "A criterion tests one characteristic of the criteria scheme."@en .
bsh:Criterion-value a sh:PropertyShape ; sh:path cm:value ;
    sh:nodeKind sh:IRI ;
    sh:message "A criterion value is a concept named by its IRI."@en .
bsh:Criterion-minYears a sh:PropertyShape ; sh:path cm:minYears ;
    sh:maxCount 1 ; sh:datatype xsd:decimal ; sh:minInclusive 0 ; sh:lessThanOrEquals cm:maxYears ;
    sh:message "The minimum years are a number no greater than the maximum years."@en .
bsh:Criterion-maxYears a sh:PropertyShape ; sh:path cm:maxYears ;
    sh:maxCount 1 ; sh:datatype xsd:decimal ; sh:minExclusive 0 ;
    sh:message "The maximum years are a positive number."@en .
bsh:Criterion-parentRule a sh:PropertyShape ; sh:path cm:parentRule ;
    sh:maxCount 1 ; sh:class skos:Concept ;
    sh:message "A criterion has at most one parent rule."@en .

bsh:AnyOfShape a sh:NodeShape ;
    sh:targetClass cm:AnyOf , cm:AllOf ;
    sh:property bsh:AnyOf-operand .
bsh:AnyOf-operand a sh:PropertyShape ; sh:path cm:operand ;
    sh:minCount 2 ; sh:class cm:Condition ;
    sh:message "A combination combines at least two conditions."@en .

bsh:NotShape a sh:NodeShape ;
    sh:targetClass cm:Not ;
    sh:property bsh:Not-operand .
bsh:Not-operand a sh:PropertyShape ; sh:path cm:operand ;
    sh:minCount 1 ; sh:maxCount 1 ; sh:class cm:Condition ;
    sh:message "A negation negates exactly one condition."@en .

# -- practices, editions, places ----------------------------------------------------

bsh:PracticeShape a sh:NodeShape ;
    sh:targetClass cm:Practice ;
    sh:not [ sh:class cm:Place ] ;
    sh:message "A practice is not a place."@en ;
    sh:property bsh:Practice-prefLabel , bsh:Practice-practiceKind , bsh:Practice-operator ,
        bsh:Practice-spatial , bsh:Practice-startDate , bsh:Practice-edition ,
        bsh:Practice-seeAlso .
bsh:Practice-prefLabel a sh:PropertyShape ; sh:path skos:prefLabel ;
    sh:minCount 1 ; sh:datatype rdf:langString ; sh:uniqueLang true ;
    sh:message "A practice needs a label, one per language."@en .
bsh:Practice-practiceKind a sh:PropertyShape ; sh:path cm:practiceKind ;
    sh:minCount 1 ; sh:maxCount 1 ;
    sh:in ( pkind:monitoringSystem pkind:surveyModel pkind:collaborationModel pkind:audience
            pkind:communicationFormat ) ;
    sh:message "A practice is of one of the practice kinds."@en .
bsh:Practice-operator a sh:PropertyShape ; sh:path cm:operator ;
    sh:minCount 1 ; sh:class foaf:Organization ;
    sh:message "A practice is operated by an organisation."@en .
bsh:Practice-spatial a sh:PropertyShape ; sh:path dct:spatial ; sh:class cm:Place ;
    sh:message "A practice's place is a cm:Place."@en .
bsh:Practice-startDate a sh:PropertyShape ; sh:path schema:startDate ;
    sh:maxCount 1 ; sh:or ( [ sh:datatype xsd:gYear ] [ sh:datatype xsd:date ] ) ;
    sh:message "A start date is a year or a date."@en .
bsh:Practice-edition a sh:PropertyShape ; sh:path cm:edition ; sh:class cm:Edition ;
    sh:message "An edition is a cm:Edition."@en .
bsh:Practice-seeAlso a sh:PropertyShape ; sh:path rdfs:seeAlso ;
    sh:minCount 1 ; sh:severity sh:Warning ;
    sh:message "A practice should point at a page about it."@en .

bsh:EditionShape a sh:NodeShape ;
    sh:targetClass cm:Edition ;
    sh:property bsh:Edition-editionNumber , bsh:Edition-issued , bsh:Edition-edition-of .
bsh:Edition-editionNumber a sh:PropertyShape ; sh:path cm:editionNumber ;
    sh:maxCount 1 ; sh:datatype xsd:positiveInteger ; sh:minInclusive 1 ;
    sh:message "An edition number is a positive integer."@en .
bsh:Edition-issued a sh:PropertyShape ; sh:path dct:issued ;
    sh:maxCount 1 ; sh:or ( [ sh:datatype xsd:gYear ] [ sh:datatype xsd:date ] ) ;
    sh:message "An edition is issued in a year or on a date."@en .
bsh:Edition-edition-of a sh:PropertyShape ; sh:path [ sh:inversePath cm:edition ] ;
    sh:minCount 1 ; sh:class cm:Practice ;
    sh:message "An edition belongs to a practice."@en .

bsh:PlaceShape a sh:NodeShape ;
    sh:targetClass cm:Place ;
    sh:not [ sh:class cm:Practice ] ;
    sh:message "A place is not a practice."@en ;
    sh:property bsh:Place-prefLabel , bsh:Place-notation , bsh:Place-geographyLevel ,
        bsh:Place-containedInPlace .
bsh:Place-prefLabel a sh:PropertyShape ; sh:path skos:prefLabel ;
    sh:minCount 1 ; sh:uniqueLang true ;
    sh:message "A place needs a label, one per language."@en .
bsh:Place-notation a sh:PropertyShape ; sh:path skos:notation ;
    sh:minCount 1 ; sh:pattern "^[A-Z0-9]+$" ; sh:minLength 2 ; sh:maxLength 12 ;
    sh:message "A place's code is upper-case letters and digits."@en .
bsh:Place-geographyLevel a sh:PropertyShape ; sh:path cm:geographyLevel ;
    sh:minCount 1 ; sh:maxCount 1 ; sh:node bsh:InGeographyLevels ;
    sh:message "A place is at one geography level of the scheme."@en .
bsh:Place-containedInPlace a sh:PropertyShape ; sh:path schema:containedInPlace ;
    sh:class cm:Place ; sh:disjoint dct:isReplacedBy ;
    sh:message "A place lies in another place."@en .
"""


def builtin_shapes() -> Graph:
    """The benchmark's own SHACL Core shapes for submissions."""
    return Graph().parse(data=BUILTIN_SHAPES, format="turtle")


def choose_shapes(choice: str) -> tuple[str, Graph]:
    """The shapes to validate with, and a line saying which."""
    if choice in ("auto", "project"):
        graph = project_shapes()
        if graph is not None:
            names = [n for n in SHAPE_FILES if (ROOT / "shapes" / n).is_file()]
            return f"the project's shapes ({', '.join(names)})", graph
        if choice == "project":
            msg = "shapes/core.ttl does not exist yet: use --shapes builtin"
            raise SystemExit(msg)
    return "the built-in benchmark shapes (`BUILTIN_SHAPES` in benchmarks/validate.py)", (
        builtin_shapes()
    )


# -- generated submissions ------------------------------------------------------------


@dataclass
class _Pools:
    """IRIs a submission refers to, from the ontology and the knowledge base."""

    indicators: list[URIRef]
    organisations: list[URIRef]
    sources: list[URIRef]
    places: list[URIRef]
    populations: list[URIRef]
    schemes: dict[str, list[URIRef]]


@functools.cache
def _pools() -> _Pools:
    reference = reference_graph()

    def of_type(cls: URIRef) -> list[URIRef]:
        return sorted(s for s in reference.subjects(RDF.type, cls) if isinstance(s, URIRef))

    def in_scheme(name: str) -> list[URIRef]:
        scheme = URIRef(VOCAB + name)
        return sorted(s for s in reference.subjects(SKOS.inScheme, scheme) if isinstance(s, URIRef))

    names = (
        "measure-type",
        "unit",
        "age-band",
        "criterion",
        "criterion-value",
        "parent-rule",
        "geography-level",
        "theme",
        "practice-kind",
        "quantity",
    )
    return _Pools(
        indicators=of_type(CM.Indicator),
        organisations=of_type(FOAF.Organization),
        sources=of_type(CM.DataSource),
        places=of_type(CM.Place),
        populations=of_type(CM.PopulationDefinition),
        schemes={name: in_scheme(name) for name in names},
    )


CRITERION_DURATION = URIRef(VOCAB + "criterion/durationOfStay")
CRITERIA_ON_PARENTS = frozenset(
    URIRef(VOCAB + f"criterion/{name}")
    for name in ("parentsCountryOfBirth", "parentsFirstCitizenship")
)

DEFECTS: dict[str, tuple[str, ...]] = {
    "definition": (
        "no English label",
        "indicator is a place",
        "unit from another scheme",
        "two measure types",
        "bad dataset code",
    ),
    "population": ("criterion without basis", "years reversed", "one-operand any-of"),
    "practice": ("unknown kind", "start date as text", "two English labels", "also a place"),
    "edition": ("edition number zero",),
    "place": ("lower-case notation", "no geography level"),
}
"""The ways a generated node can be invalid, by kind of node."""


class _Writer:
    """Builds one submission node by node, each node a list of triples."""

    def __init__(self, rng: random.Random, pools: _Pools, invalid_share: float) -> None:
        self.rng = rng
        self.pools = pools
        self.invalid_share = invalid_share
        self.counter = 0
        self.defects: Counter[str] = Counter()
        self.definitions: list[URIRef] = []
        self.populations: list[URIRef] = []
        self.places: list[URIRef] = []

    def pick(self, items: Sequence[URIRef]) -> URIRef:
        return items[self.rng.randrange(len(items))]

    def concept(self, scheme: str) -> URIRef:
        return self.pick(self.pools.schemes[scheme])

    def defect(self, kind: str) -> str | None:
        if self.rng.random() >= self.invalid_share:
            return None
        chosen = self.rng.choice(DEFECTS[kind])
        self.defects[f"{kind}: {chosen}"] += 1
        return chosen

    def mint(self, kind: str) -> URIRef:
        self.counter += 1
        return ID[f"{kind}/bench-{self.counter:06d}"]

    def population(self) -> list[Triple]:
        node = self.mint("population")
        defect = self.defect("population")
        n = self.counter
        triples: list[Triple] = [
            (node, RDF.type, CM.PopulationDefinition),
            (node, SKOS.prefLabel, Literal(f"Target group {n}", lang="en")),
            (node, CM.dataSource, self.pick(self.pools.sources)),
        ]
        triples.append((node, DCTERMS.publisher, self.pick(self.pools.organisations)))
        if self.rng.random() < 0.9:
            triples.append((node, DCTERMS.source, URIRef(f"https://example.org/groups/{n}")))
        if self.populations and self.rng.random() < 0.5:
            triples.append((node, CM.hasReferenceGroup, self.pick(self.populations)))
        for i in range(1 + self.rng.randrange(3)):
            criterion = BNode()
            triples.append((node, CM.condition, criterion))
            triples += self.criterion(criterion, defect if i == 0 else None)
        if defect == "one-operand any-of" or self.rng.random() < 0.15:
            union = BNode()
            triples += [(node, CM.condition, union), (union, RDF.type, CM.AnyOf)]
            for _ in range(1 if defect == "one-operand any-of" else 2):
                operand = BNode()
                triples.append((union, CM.operand, operand))
                triples += self.criterion(operand, None)
        self.populations.append(node)
        return triples

    def criterion(self, node: BNode, defect: str | None) -> list[Triple]:
        """An atomic criterion: a value, or a parent rule too, or a duration in years."""
        basis = CRITERION_DURATION if defect == "years reversed" else self.concept("criterion")
        triples: list[Triple] = [(node, RDF.type, CM.Criterion)]
        if defect != "criterion without basis":
            triples.append((node, CM.basis, basis))
        if basis == CRITERION_DURATION:
            low, high = (10, 5) if defect == "years reversed" else (0, 5)
            triples += [
                (node, CM.minYears, Literal(str(low), datatype=XSD.decimal)),
                (node, CM.maxYears, Literal(str(high), datatype=XSD.decimal)),
            ]
            return triples
        triples.append((node, CM.value, self.concept("criterion-value")))
        if basis in CRITERIA_ON_PARENTS:
            triples.append((node, CM.parentRule, self.concept("parent-rule")))
        return triples

    def definition(self) -> list[Triple]:
        node = self.mint("definition")
        defect = self.defect("definition")
        n = self.counter
        label_lang = "de" if defect == "no English label" else "en"
        indicator = (
            self.pick(self.pools.places)
            if defect == "indicator is a place"
            else self.pick(self.pools.indicators)
        )
        unit = self.concept("theme" if defect == "unit from another scheme" else "unit")
        target = self.pick(self.populations or self.pools.populations)
        triples: list[Triple] = [
            (node, RDF.type, CM.IndicatorDefinition),
            (node, SKOS.prefLabel, Literal(f"Indicator definition {n}", lang=label_lang)),
            (node, CM.indicator, indicator),
            (node, DCTERMS.publisher, self.pick(self.pools.organisations)),
            (node, CM.measureType, self.concept("measure-type")),
            (node, CM.numerator, self.concept("quantity")),
            (node, CM.denominator, self.concept("quantity")),
            (node, CM.unit, unit),
            (node, CM.ageBand, self.concept("age-band")),
            (node, CM.geographyLevel, self.concept("geography-level")),
            (node, CM.dataSource, self.pick(self.pools.sources)),
            (node, CM.targetGroup, target),
            (node, CM.referenceGroup, self.pick(self.pools.populations)),
        ]
        if defect == "two measure types":
            triples.append((node, CM.measureType, self.concept("measure-type")))
        if self.rng.random() < 0.9:
            text = f"What definition {n} measures, in words."
            triples.append((node, SKOS.definition, Literal(text, lang="en")))
        if self.rng.random() < 0.9:
            triples.append((node, DCTERMS.source, URIRef(f"https://example.org/tables/{n}")))
        selection = BNode()
        code = "LFS-Table" if defect == "bad dataset code" else f"lfsa_t{n % 997:03d}"
        triples += [
            (node, CM.reproducedBy, selection),
            (selection, RDF.type, CM.SeriesSelection),
            (selection, CM.datasetCode, Literal(code)),
        ]
        for dimension, value in (("sex", "T"), ("age", "Y20-64"), ("unit", "PC")):
            selected = BNode()
            triples += [
                (selection, CM.filter, selected),
                (selected, RDF.type, CM.DimensionFilter),
                (selected, CM.dimensionCode, Literal(dimension)),
                (selected, CM.codeValue, Literal(value)),
            ]
        self.definitions.append(node)
        return triples

    def place(self) -> list[Triple]:
        node = self.mint("place")
        defect = self.defect("place")
        n = self.counter
        notation = f"xx{n}" if defect == "lower-case notation" else f"XX{n % 10_000:04d}C"
        triples: list[Triple] = [
            (node, RDF.type, CM.Place),
            (node, SKOS.prefLabel, Literal(f"Town {n}", lang="en")),
            (node, SKOS.prefLabel, Literal(f"Stadt {n}", lang="de")),
            (node, SKOS.notation, Literal(notation)),
        ]
        if self.places:
            triples.append((node, SCHEMA.containedInPlace, self.pick(self.places)))
        if defect != "no geography level":
            triples.append((node, CM.geographyLevel, URIRef(VOCAB + "geography-level/city")))
        self.places.append(node)
        return triples

    def practice(self) -> list[Triple]:
        node = self.mint("practice")
        defect = self.defect("practice")
        n = self.counter
        kind = self.concept("theme") if defect == "unknown kind" else self.concept("practice-kind")
        start = (
            Literal("since 2007")
            if defect == "start date as text"
            else Literal(str(1995 + n % 30), datatype=XSD.gYear)
        )
        triples: list[Triple] = [
            (node, RDF.type, CM.Practice),
            (node, SKOS.prefLabel, Literal(f"Integration monitor {n}", lang="en")),
            (node, CM.practiceKind, kind),
            (node, CM.operator, self.pick(self.pools.organisations)),
            (node, DCTERMS.spatial, self.pick(self.places or self.pools.places)),
            (node, CM.theme, self.concept("theme")),
            (node, SCHEMA.startDate, start),
        ]
        if defect == "two English labels":
            triples.append((node, SKOS.prefLabel, Literal(f"Monitor {n}", lang="en")))
        if defect == "also a place":
            triples.append((node, RDF.type, CM.Place))
        if self.definitions:
            triples.append((node, CM.usesDefinition, self.pick(self.definitions)))
        if self.rng.random() < 0.85:
            triples.append((node, RDFS.seeAlso, URIRef(f"https://example.org/monitor/{n}")))
        if self.rng.random() < 0.9:
            text = f"How monitor {n} reports on integration, in a few sentences."
            triples.append((node, SKOS.definition, Literal(text, lang="en")))
        for number in range(1, 1 + self.rng.randrange(3)):
            edition = self.mint("edition")
            wrong = self.defect("edition") is not None
            value = (
                Literal("0", datatype=XSD.integer)
                if wrong
                else Literal(str(number), datatype=XSD.positiveInteger)
            )
            triples += [
                (node, CM.edition, edition),
                (edition, RDF.type, CM.Edition),
                (edition, SKOS.prefLabel, Literal(f"Monitor {n}, edition {number}", lang="en")),
                (edition, CM.editionNumber, value),
                (edition, DCTERMS.issued, Literal(str(2000 + number), datatype=XSD.gYear)),
            ]
        return triples


def submission(
    triples: int, *, seed: int = DEFAULT_SEED, invalid_share: float = INVALID_SHARE
) -> tuple[Graph, Counter[str]]:
    """A submission of exactly ``triples`` triples, and the defects put into it.

    Nodes are written in a fixed mix (3 places, 6 population definitions, 10
    indicator definitions, 4 practices with their editions) until the
    count is reached; the last node may be cut short.
    """
    rng = random.Random(seed)
    writer = _Writer(rng, _pools(), invalid_share)
    makers: list[Callable[[], list[Triple]]] = (
        [writer.place] * 3 + [writer.population] * 6 + [writer.definition] * 10
    ) + [writer.practice] * 4
    graph = Graph()
    while len(graph) < triples:
        for make in makers:
            for triple in make():
                graph.add(triple)
                if len(graph) >= triples:
                    return graph, writer.defects
    return graph, writer.defects


# -- candidates -------------------------------------------------------------------------


@dataclass
class Candidate:
    """One validator: how to run it, and how to read its answer as comparable keys."""

    name: str
    package: str
    how: str
    messages: bool
    """Whether its messages are compared with pySHACL's (only the engines behind ``run``)."""
    make: Callable[[Graph, Graph], Callable[[], object]]
    """Given data and shapes, a function doing one timed run and returning the raw answer."""
    keys: Callable[[object, Graph, Graph], tuple[bool | None, Counter[ResultKey]]]
    """The raw answer as (conforms, result multiset)."""


def _ntriples(graph: Graph) -> str:
    return "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in graph)


def _report_keys(
    answer: object, data: Graph, shapes: Graph
) -> tuple[bool | None, Counter[ResultKey]]:
    if not isinstance(answer, Graph):
        msg = f"expected a report graph, got {type(answer).__name__}"
        raise TypeError(msg)
    conforms = None
    for value in answer.objects(None, SH.conforms):
        conforms = bool(value.toPython()) if isinstance(value, Literal) else None
    return conforms, result_set(answer, data, shapes)


def _engine(engine: Engine) -> Callable[[Graph, Graph], Callable[[], object]]:
    def make(data: Graph, shapes: Graph) -> Callable[[], object]:
        return lambda: run(engine, data, shapes)

    return make


def _text_term(text: str, data: Graph, shapes: Graph, *, bare_iris: bool = False) -> Node:
    """A term written by another engine: N-Triples, or a bare IRI when ``bare_iris``."""
    if text.startswith("_:"):
        return BNode(text[2:])
    if bare_iris and not text.startswith(("<", '"')):
        return URIRef(text)
    return parse_term(text)


def _key(
    focus: Node,
    path: Node | None,
    value: Node | None,
    severity: Node,
    shape: Node | None,
    component: Node,
    data: Graph,
    shapes: Graph,
) -> ResultKey:
    return ResultKey(
        focus_node=describe(focus, data),
        path=describe(path, shapes),
        value=describe(value, data),
        severity=describe(severity),
        source_shape=describe(shape, shapes),
        component=describe(component),
        messages=(NOT_COMPARED,),
    )


def _shacl_rust_make(data: Graph, shapes: Graph) -> Callable[[], object]:
    module: Any = import_module("shacl_rust")

    def once() -> object:
        return module.validate(
            _ntriples(data), _ntriples(shapes), data_format="nt", shapes_format="nt"
        )

    return once


def _shacl_rust_keys(
    answer: object, data: Graph, shapes: Graph
) -> tuple[bool | None, Counter[ResultKey]]:
    if not isinstance(answer, dict):
        msg = f"expected a dict from shacl_rust, got {type(answer).__name__}"
        raise TypeError(msg)
    keys: Counter[ResultKey] = Counter()
    for row in answer["results"]:
        shape = _text_term(row["sourceShape"], data, shapes) if row.get("sourceShape") else None
        path = shapes.value(shape, SH.path) if shape is not None else None
        value = _text_term(row["value"], data, shapes) if row.get("value") else None
        keys[
            _key(
                _text_term(row["focusNode"], data, shapes),
                path,
                value,
                _text_term(row["severity"], data, shapes),
                shape,
                _text_term(row["sourceConstraintComponent"], data, shapes),
                data,
                shapes,
            )
        ] += 1
    return bool(answer["conforms"]), keys


def _pyrudof_make(data: Graph, shapes: Graph) -> Callable[[], object]:
    module: Any = import_module("pyrudof")
    rudof = module.Rudof(module.RudofConfig())
    rudof.read_shacl(_ntriples(shapes), format=module.ShaclFormat.NTriples)

    def once() -> object:
        rudof.reset_data()
        rudof.read_data(_ntriples(data), format=module.RDFFormat.NTriples)
        report = rudof.validate_shacl()
        return report.conforms, list(report)

    return once


def _pyrudof_keys(
    answer: object, data: Graph, shapes: Graph
) -> tuple[bool | None, Counter[ResultKey]]:
    if not isinstance(answer, tuple):
        msg = f"expected (conforms, entries) from pyrudof, got {type(answer).__name__}"
        raise TypeError(msg)
    conforms: object = answer[0]
    entries: list[Any] = answer[1]
    keys: Counter[ResultKey] = Counter()
    for entry in entries:
        shape = (
            _text_term(entry.source_shape, data, shapes, bare_iris=True)
            if entry.source_shape
            else None
        )
        path = shapes.value(shape, SH.path) if shape is not None else None
        focus = _text_term(entry.focus_node, data, shapes, bare_iris=True)
        value = _rudof_value(entry.value, focus, path, data, shapes) if entry.value else None
        keys[
            _key(
                focus,
                path,
                value,
                SH[entry.severity] if ":" not in entry.severity else URIRef(entry.severity),
                shape,
                _text_term(entry.constraint_component, data, shapes, bare_iris=True),
                data,
                shapes,
            )
        ] += 1
    return bool(conforms), keys


def _rudof_value(text: str, focus: Node, path: Node | None, data: Graph, shapes: Graph) -> Node:
    """A value as pyrudof writes it, back as a term of the data.

    pyrudof writes IRIs bare, and literals in several ways (``1``, ``"x"``,
    ``"10"^^xsd:decimal``): a literal is looked up among the focus node's values by
    its lexical form.
    """
    if text.startswith(("_:", "<", "urn:")) or "://" in text:
        return _text_term(text, data, shapes, bare_iris=True)
    lexical = text[1 : text.index('"', 1)] if text.startswith('"') else text
    if isinstance(path, URIRef):
        for value in data.objects(focus, path):
            if isinstance(value, Literal) and str(value) == lexical:
                return value
    return Literal(lexical)


def _turbo_make(data: Graph, shapes: Graph) -> Callable[[], object]:
    module: Any = import_module("pyshacl_turbo")
    copy = Graph()
    copy += shapes
    compiled = module.compile_shapes(copy)  # once, as the shapes of `run(Engine.SHACL)`

    def once() -> object:
        _, report, _ = compiled.validate(data, inference="none", abort_on_first=False)
        return report

    return once


def _turbo_keys(
    answer: object, data: Graph, shapes: Graph
) -> tuple[bool | None, Counter[ResultKey]]:
    conforms, keys = _report_keys(answer, data, shapes)
    return conforms, Counter({key._replace(messages=(NOT_COMPARED,)): n for key, n in keys.items()})


CANDIDATES: dict[str, Candidate] = {
    c.name: c
    for c in (
        Candidate(
            "pyshacl",
            "pyshacl",
            "`run(Engine.PYSHACL)`: report graph",
            True,
            _engine(Engine.PYSHACL),
            _report_keys,
        ),
        Candidate(
            "shacl",
            "shacl",
            "`run(Engine.SHACL)`: N-Triples in, report graph out",
            True,
            _engine(Engine.SHACL),
            _report_keys,
        ),
        Candidate(
            "shacl-rust",
            "shacl-rust",
            "`shacl_rust.validate(nt, nt)`: dict",
            False,
            _shacl_rust_make,
            _shacl_rust_keys,
        ),
        Candidate(
            "pyrudof",
            "pyrudof",
            "`Rudof.read_data(nt)` + `validate_shacl()`: entries",
            False,
            _pyrudof_make,
            _pyrudof_keys,
        ),
        Candidate(
            "pyshacl-turbo",
            "pyshacl-turbo",
            "`compile_shapes(shapes).validate(graph)`: report graph",
            False,
            _turbo_make,
            _turbo_keys,
        ),
    )
}
REFERENCE = "pyshacl"


def installed(names: Iterable[str]) -> list[str]:
    """The candidates among ``names`` that can be imported here (pySHACL always first)."""
    found = []
    for name in names:
        module = CANDIDATES[name].package.replace("-", "_")
        try:
            import_module(module)
        except ImportError:
            log(f"{name} is not installed: skipped")
            continue
        found.append(name)
    return sorted(found, key=lambda n: n != REFERENCE)


# -- measuring --------------------------------------------------------------------------


@dataclass
class Measured:
    """One candidate at one size."""

    times: list[float] = field(default_factory=list)
    conforms: bool | None = None
    keys: Counter[ResultKey] = field(default_factory=Counter)
    error: str | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class SizeRun:
    """Everything measured at one size."""

    label: str
    triples: int
    validated: int
    defects: Counter[str]
    measured: dict[str, Measured] = field(default_factory=dict)


def measure_size(args: argparse.Namespace, triples: int, shapes: Graph) -> SizeRun:
    label = size_label(triples)
    started = time.perf_counter()
    graph, defects = submission(triples, seed=args.seed)
    data = validation_data(graph)
    log(
        f"[{label}] {len(graph):,} submission triples, {len(data):,} validated, "
        f"{sum(defects.values())} defects, generated in {time.perf_counter() - started:.1f} s"
    )
    size = SizeRun(label, len(graph), len(data), defects)
    runners: dict[str, Callable[[], object]] = {}
    answers: dict[str, object] = {}
    for name in args.candidates:
        measured = size.measured[name] = Measured()
        try:
            runners[name] = CANDIDATES[name].make(data, shapes)
            started = time.perf_counter()
            answers[name] = runners[name]()  # warm-up, and the answer compared
            log(f"[{label}] {name}: warm-up {time.perf_counter() - started:.3f} s")
        except Exception as error:  # a candidate's failure is a finding, reported
            measured.error = f"{type(error).__name__}: {error}"
            log(f"!!! [{label}] {name} failed: {measured.error}")
            runners.pop(name, None)
    slow = triples > parse_size("10k")
    for turn in range(args.repeat):
        for name, once in runners.items():
            if name == REFERENCE and slow and turn >= args.pyshacl_repeat:
                continue
            started = time.perf_counter()
            answers[name] = once()
            size.measured[name].times.append(time.perf_counter() - started)
    for name, answer in answers.items():
        measured = size.measured[name]
        measured.conforms, measured.keys = CANDIDATES[name].keys(answer, data, shapes)
        log(
            f"[{label}] {name}: median {statistics.median(measured.times):.3f} s, "
            f"{sum(measured.keys.values())} results"
        )
    compare(size)
    return size


def compare(size: SizeRun) -> None:
    """Check every candidate's results against pySHACL's."""
    reference = size.measured.get(REFERENCE)
    if reference is None or reference.error is not None:
        return
    if not reference.keys:
        reference.problems.append("pySHACL reported nothing: the benchmark checks nothing")
    for name, measured in size.measured.items():
        if name == REFERENCE or measured.error is not None:
            continue
        expected = reference.keys
        if not CANDIDATES[name].messages:
            expected = Counter(
                {k._replace(messages=(NOT_COMPARED,)): n for k, n in expected.items()}
            )
        if measured.conforms != reference.conforms:
            measured.problems.append(
                f"sh:conforms {measured.conforms}, pySHACL {reference.conforms}"
            )
        if sum(measured.keys.values()) != sum(expected.values()):
            measured.problems.append(
                f"{sum(measured.keys.values())} results, pySHACL {sum(expected.values())}"
            )
        measured.problems += [
            line if len(line) < 400 else line[:400] + "..."
            for line in differences(expected, measured.keys, limit=3)
        ]
        for problem in measured.problems:
            log(f"!!! MISMATCH at {size.label}, {name}: {problem}")


# -- the markdown report ----------------------------------------------------------------


def _seconds(value: float) -> str:
    if value >= 10:
        return f"{value:,.1f}"
    if value >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _ratio(numerator: float, denominator: float) -> str:
    if denominator <= 0:
        return "n/a"
    ratio = numerator / denominator
    return f"{ratio:,.0f}x" if ratio >= 100 else f"{ratio:.1f}x"


def markdown(args: argparse.Namespace, shapes_line: str, runs: list[SizeRun]) -> str:
    versions = ", ".join(
        f"{CANDIDATES[n].package} {package_version(CANDIDATES[n].package)}" for n in args.candidates
    )
    lines = [
        "## Measured results: SHACL validation of a submission",
        "",
        f"- machine: {os.cpu_count()} CPUs ({cpu_model()}), {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}, "
        f"rdflib {package_version('rdflib')}",
        f"- versions: {versions}",
        f"- shapes: {shapes_line}",
        f"- data: `python -m benchmarks.validate` with seed {args.seed}: the submission merged "
        "with the ontology's rdfs:subClassOf triples and the triples about the IRIs it refers to",
        "- timed: from in-memory rdflib graphs to the engine's answer (writing N-Triples and the "
        "engine's parsing included; parsing the submission into rdflib not included); one "
        f"warm-up run, then the median of {args.repeat} runs (pySHACL: {args.pyshacl_repeat} "
        "above 10k), in brackets the fastest and slowest",
        "- same results: compared with pySHACL's as multisets of (focus node, path, value, "
        "severity, source shape, constraint component, message), blank nodes by their triples; "
        "messages only for the engines behind `run`",
        "",
        "| size | submission triples | validated triples | results (V/W/I) | candidate "
        "| median s | vs pySHACL | same results |",
        "|---|---:|---:|---|---|---:|---:|---|",
    ]
    for size in runs:
        reference = size.measured.get(REFERENCE)
        base = (
            statistics.median(reference.times) if reference is not None and reference.times else 0.0
        )
        counts = _severities(reference.keys) if reference is not None else ""
        for name, measured in size.measured.items():
            if measured.error is not None:
                cells = [name, "failed", "", f"**{measured.error}**"]
            else:
                median = statistics.median(measured.times)
                spread = f"{_seconds(min(measured.times))}-{_seconds(max(measured.times))}"
                same = (
                    "reference"
                    if name == REFERENCE
                    else ("**MISMATCH**" if measured.problems else "yes")
                )
                if name != REFERENCE and not CANDIDATES[name].messages and same == "yes":
                    same = "yes (messages not compared)"
                cells = [
                    name,
                    f"{_seconds(median)} ({spread})",
                    _ratio(base, median) if name != REFERENCE else "1.0x",
                    same,
                ]
            lines.append(
                f"| {size.label} | {size.triples:,} | {size.validated:,} | {counts} | "
                + " | ".join(cells)
                + " |"
            )
    lines += ["", "Candidates:", ""]
    lines += [f"- {n}: {CANDIDATES[n].how}" for n in args.candidates]
    for size in runs:
        defects = ", ".join(f"{k} ({v})" for k, v in sorted(size.defects.items()))
        lines += ["", f"Defects put into the {size.label} submission: {defects}."]
        for name, measured in size.measured.items():
            if measured.problems:
                lines.append("")
                lines.append(
                    f"**MISMATCH** ({size.label}, {name}): " + "; ".join(measured.problems)
                )
    return "\n".join(lines) + "\n"


def _severities(keys: Counter[ResultKey]) -> str:
    counts = Counter[str]()
    for key, n in keys.items():
        counts[key.severity.rsplit("#", 1)[-1].rstrip(">")] += n
    return "/".join(str(counts[s]) for s in ("Violation", "Warning", "Info"))


# -- command line -----------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.validate",
        description="Time SHACL validators on generated submissions against pySHACL.",
    )
    parser.add_argument("--sizes", default="1k,10k,100k", help="comma-separated: 1k,10k,100k")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per candidate")
    parser.add_argument(
        "--pyshacl-repeat", type=int, default=3, help="timed pySHACL runs above 10k triples"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--candidates",
        default=",".join(CANDIDATES),
        help=f"comma-separated, from {', '.join(CANDIDATES)} (pySHACL always runs)",
    )
    parser.add_argument(
        "--shapes",
        choices=("auto", "project", "builtin"),
        default="auto",
        help="the project's submission shapes (auto: when shapes/core.ttl exists) or ours",
    )
    parser.add_argument("--out", type=Path, help="write the markdown here instead of stdout")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.pyshacl_repeat < 1:
        parser.error("--repeat and --pyshacl-repeat must be at least 1")
    names = [n.strip() for n in args.candidates.split(",") if n.strip()]
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown:
        parser.error(f"unknown candidates: {', '.join(unknown)}")
    args.candidates = installed(dict.fromkeys([REFERENCE, *names]))
    return args


def public_section(sizes: Sequence[int], repeat: int, seed: int) -> str:
    """Time ``registry.validation.validate``, the function the service calls.

    It validates the submission with its context (the knowledge-base triples about
    what it refers to) and keeps only results about the submission's own subjects;
    the results are checked against the same function run with pySHACL up to 10k.
    """
    from registry.validation import Engine as PublicEngine
    from registry.validation import default_engine, ontology_context, validate

    lines = [
        "",
        "### The public function: `registry.validation.validate`",
        "",
        f"Engine: {default_engine().value}; median of {repeat} runs after one warm-up.",
        "",
        "| size | median s | results | same results as pySHACL |",
        "|---|---:|---:|---|",
    ]
    for triples in sizes:
        graph, _ = submission(triples, seed=seed)
        context = validation_data(graph) - graph - ontology_context()
        timings = []
        report = validate(graph, context=context)
        for _ in range(repeat):
            started = time.perf_counter()
            report = validate(graph, context=context)
            timings.append(time.perf_counter() - started)
        same = "not checked (pySHACL too slow)"
        if triples <= 10_000:
            reference = validate(graph, context=context, engine=PublicEngine.PYSHACL)
            ours = Counter(r.key() for r in report.results)
            same = "yes" if ours == Counter(r.key() for r in reference.results) else "**NO**"
        lines.append(
            f"| {size_label(triples)} | {statistics.median(timings):.3f} | "
            f"{len(report.results)} | {same} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    shapes_line, shapes = choose_shapes(args.shapes)
    log(f"shapes: {shapes_line}, {len(shapes)} triples; candidates: {args.candidates}")
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    runs = [measure_size(args, triples, shapes) for triples in sizes]
    text = markdown(args, shapes_line, runs)
    if shapes_line.startswith("the project"):
        text += public_section(sizes, args.repeat, args.seed)
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        log(f"wrote {args.out}")
    failed = any(m.problems or m.error for run in runs for m in run.measured.values())
    if failed:
        log("!!! some candidates failed or differ from pySHACL: see MISMATCH above")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

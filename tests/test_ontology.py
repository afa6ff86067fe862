"""The ontology parses, every term is labelled and defined, and the namespaces match it."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import DefinedNamespace, DefinedNamespaceMeta

from registry import namespaces, vocabularies
from registry.namespaces import CM, OWL, RDF, RDFS, SKOS
from registry.resources import ontology_dir, ontology_files, shape_files

OUR_BASE = "https://w3id.org/commensura/"
DECLARING_TYPES = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    RDFS.Datatype,
    SKOS.Concept,
    SKOS.ConceptScheme,
    OWL.Ontology,
)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for path in ontology_files():
        graph.parse(path, format="turtle")
    return graph


def declared_terms(graph: Graph) -> set[URIRef]:
    return {
        s
        for t in DECLARING_TYPES
        for s in graph.subjects(RDF.type, t)
        if isinstance(s, URIRef) and str(s).startswith(OUR_BASE)
    }


def closed_namespaces() -> list[type[DefinedNamespace]]:
    found: list[type[DefinedNamespace]] = []
    for module in (namespaces, vocabularies):
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if (
                isinstance(obj, DefinedNamespaceMeta)
                and issubclass(obj, DefinedNamespace)
                and obj.__module__ == module.__name__
            ):
                found.append(obj)
    assert len(found) == 1 + len(vocabularies.SCHEMES)
    return found


def members(ns: type[DefinedNamespace]) -> set[URIRef]:
    return {URIRef(str(ns._NS) + name) for name in ns.__annotations__ if not name.startswith("_")}


def test_every_file_is_turtle_and_parses() -> None:
    files = ontology_files()
    assert files, "the ontology folder is empty"
    assert {p.suffix for p in ontology_dir().rglob("*") if p.is_file()} == {".ttl"}
    for path in files:
        Graph().parse(path, format="turtle")


def test_core_declares_every_class_of_the_domain_model(ontology: Graph) -> None:
    classes = set(ontology.subjects(RDF.type, OWL.Class))
    for name in (
        "Indicator",
        "IndicatorDefinition",
        "PopulationDefinition",
        "Criterion",
        "DataSource",
        "Place",
        "Practice",
        "Submission",
        "ComparabilityAssessment",
    ):
        assert CM[name] in classes, name


def test_no_imports_and_nothing_fetched(ontology: Graph) -> None:
    assert not list(ontology.objects(None, OWL.imports))


def test_every_term_is_labelled_and_defined_in_english(ontology: Graph) -> None:
    shapes = Graph()
    for path in shape_files():
        if path.name == "ontology.ttl":
            shapes.parse(path, format="turtle")
    conforms, _, text = validate(ontology, shacl_graph=shapes, inference="none")
    assert conforms, text


def test_the_quality_shapes_catch_an_undefined_term(ontology: Graph) -> None:
    broken = Graph()
    broken += ontology
    broken.remove((CM.Indicator, SKOS.definition, None))
    shapes = Graph().parse(next(p for p in shape_files() if p.name == "ontology.ttl"))
    conforms, report, _ = validate(broken, shacl_graph=shapes, inference="none")
    assert not conforms
    assert (None, URIRef("http://www.w3.org/ns/shacl#focusNode"), CM.Indicator) in report


def test_closed_namespaces_match_the_ontology_exactly(ontology: Graph) -> None:
    declared = {t for t in declared_terms(ontology) if "#" in str(t) or "/vocab/" in str(t)}
    declared.discard(URIRef("https://w3id.org/commensura/ontology"))
    schemes = set(vocabularies.SCHEMES.values())
    named: set[URIRef] = set()
    for ns in closed_namespaces():
        named |= members(ns)
    assert declared - schemes == named - schemes, {
        "in the ontology, not in a namespace": sorted(declared - schemes - named),
        "in a namespace, not in the ontology": sorted(named - schemes - declared),
    }
    assert schemes == set(ontology.subjects(RDF.type, SKOS.ConceptScheme))


def test_closed_namespace_refuses_a_typo() -> None:
    with pytest.raises(AttributeError):
        _ = CM.Indcator


def test_every_reference_to_our_namespace_is_declared(ontology: Graph) -> None:
    used = {
        term
        for triple in ontology
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(OUR_BASE)
    }
    ontology_iri = URIRef("https://w3id.org/commensura/ontology")
    version_iris = set(ontology.objects(ontology_iri, OWL.versionIRI))
    undeclared = used - declared_terms(ontology) - version_iris
    assert not undeclared, sorted(undeclared)


def test_vocabulary_hierarchies_stay_inside_their_scheme(ontology: Graph) -> None:
    for concept, broader in ontology.subject_objects(SKOS.broader):
        assert set(ontology.objects(concept, SKOS.inScheme)) & set(
            ontology.objects(broader, SKOS.inScheme)
        ), (concept, broader)


@pytest.mark.needs_source_data
def test_terms_borrowed_from_standard_vocabularies_exist(
    ontology: Graph, source_data: Path
) -> None:
    """Every DCAT, PROV, DQV, SHACL, qb and SDMX term we use is declared by its vocabulary."""
    standard = Graph()
    w3c = source_data / "spec_w3c_vocabularies"
    cube = source_data / "spec_rdf_data_cube" / "vocab"
    for path in [*w3c.glob("*.ttl"), *cube.glob("*.ttl")]:
        standard.parse(path, format="turtle")
    checked = (
        "http://www.w3.org/ns/dcat#",
        "http://www.w3.org/ns/prov#",
        "http://www.w3.org/ns/dqv#",
        "http://www.w3.org/ns/shacl#",
        "http://purl.org/linked-data/cube#",
        "http://purl.org/linked-data/sdmx/2009/",
    )
    borrowed = {
        term
        for triple in ontology
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(checked)
    }
    assert borrowed, "expected the ontology to reuse standard terms"
    missing = {t for t in borrowed if (t, None, None) not in standard}
    assert not missing, sorted(missing)


def test_worked_example_in_the_docs_parses_and_uses_only_declared_terms(ontology: Graph) -> None:
    doc = Path(__file__).resolve().parent.parent / "docs" / "ontology.md"
    text = doc.read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in text.split("```turtle")[1:]]
    assert blocks, "docs/ontology.md has no Turtle example"
    example = Graph()
    for block in blocks:
        example.parse(data=block, format="turtle")
    ours = {
        term
        for triple in example
        for term in triple
        if isinstance(term, URIRef)
        and (str(term).startswith(str(CM._NS)) or "/vocab/" in str(term))
    }
    assert ours
    assert not ours - declared_terms(ontology), sorted(ours - declared_terms(ontology))

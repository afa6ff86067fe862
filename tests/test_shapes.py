"""The submission shapes (shapes/core, ranges, vocabularies, recommended) and their fixtures.

Every fixture in ``tests/data/shapes`` is validated the way the registry validates a
submission: merged with the ontology's class hierarchy and with what the knowledge base
says about each resource the submission refers to, keeping only the results about the
submission's own subjects. A valid fixture yields no result at all; an invalid one
yields exactly the (shape, constraint component) pairs its ``# expect:`` lines name,
each with the severity of its file (sh:Warning in recommended.ttl, else sh:Violation).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from registry.kb import CONTENT_DIR
from registry.resources import ontology_files, shapes_dir

ROOT = Path(__file__).resolve().parent.parent
CONCERNS = {
    "core.ttl": "core",
    "ranges.ttl": "ranges",
    "vocabularies.ttl": "vocabulary",
    "recommended.ttl": "recommended",
}
"""The submission shape files (not ontology.ttl), each with the concern its shape names end in."""
FIXTURES = ROOT / "tests" / "data" / "shapes"
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))

CM = Namespace("https://w3id.org/commensura/ontology#")
CMSH = Namespace("https://w3id.org/commensura/shapes#")
ONTOLOGY = URIRef("https://w3id.org/commensura/ontology")
EXPECT = re.compile(r"^# expect: cmsh:(\S+) sh:(\S+ConstraintComponent)\s*$")

# Parameters that would take the shapes out of SHACL Core (SPARQL-based constraints,
# SHACL Advanced Features).
NOT_CORE = ("sparql", "select", "ask", "construct", "update", "rule", "target", "expression")

Pair = tuple[str, str]


# ---------------------------------------------------------------------------
# Graphs, parsed once
# ---------------------------------------------------------------------------


def _parse(paths: Iterable[Path]) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def shape_graphs() -> dict[str, Graph]:
    """Each shape file on its own."""
    return {name: _parse([shapes_dir() / name]) for name in CONCERNS}


@pytest.fixture(scope="module")
def shapes(shape_graphs: dict[str, Graph]) -> Graph:
    """The four files merged: the shapes graph submissions are validated against."""
    merged = Graph()
    for graph in shape_graphs.values():
        merged += graph
    return merged


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return _parse(ontology_files())


@pytest.fixture(scope="module")
def kb_graph(ontology: Graph) -> Graph:
    """Ontology, concept schemes and curated content: what the registry holds."""
    kb = Graph()
    kb += ontology
    for path in sorted(CONTENT_DIR.rglob("*.ttl")):
        kb.parse(path, format="turtle")
    return kb


# ---------------------------------------------------------------------------
# Validation as the service runs it
# ---------------------------------------------------------------------------


def context_for(submission: Graph, ontology: Graph, kb_graph: Graph) -> Graph:
    """What the registry adds to a submission before validating it.

    The ontology's class (and property) hierarchy, because sh:class follows
    rdfs:subClassOf in the data graph; and, for every IRI the submission uses as an
    object without describing it itself, what the knowledge base says about it (its
    type, the scheme of a concept). A resource the submission describes is taken as
    submitted, not mixed with the registry's copy.
    """
    context = Graph()
    for predicate in (RDFS.subClassOf, RDFS.subPropertyOf):
        for triple in ontology.triples((None, predicate, None)):
            context.add(triple)
    described = set(submission.subjects())
    for obj in set(submission.objects()):
        if isinstance(obj, URIRef) and obj not in described:
            for triple in kb_graph.triples((obj, None, None)):
                context.add(triple)
    return context


def top_level_results(report: Graph) -> list[Node]:
    """The results of the report itself, not the details nested in sh:detail."""
    return list(report.objects(None, SH.result))


def run_shapes(data: Graph, shapes: Graph) -> Graph:
    _, report, _ = validate(data, shacl_graph=shapes, inference="none", advanced=False)
    assert isinstance(report, Graph)
    return report


def results_for(
    submission: Graph, shapes: Graph, ontology: Graph, kb_graph: Graph
) -> list[tuple[URIRef, URIRef, URIRef]]:
    """(source shape, constraint component, severity) of every result about the submission."""
    data = Graph()
    data += submission
    data += context_for(submission, ontology, kb_graph)
    report = run_shapes(data, shapes)
    own = set(submission.subjects())
    found = []
    for result in top_level_results(report):
        if report.value(result, SH.focusNode) not in own:
            continue
        shape = report.value(result, SH.sourceShape)
        component = report.value(result, SH.sourceConstraintComponent)
        severity = report.value(result, SH.resultSeverity)
        # Every shape that reports is named: a blank shape could not be told apart.
        assert isinstance(shape, URIRef), shape
        assert isinstance(component, URIRef) and isinstance(severity, URIRef)
        found.append((shape, component, severity))
    return found


def local(node: Node, namespace: Namespace) -> str:
    text = str(node)
    assert text.startswith(str(namespace)), text
    return text[len(str(namespace)) :]


def expected_pairs(path: Path) -> set[Pair]:
    pairs = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = EXPECT.match(line)
        if match:
            pairs.add((match[1], match[2]))
    return pairs


def expected_severity(shape: str) -> URIRef:
    return SH.Warning if shape.endswith("-recommended") else SH.Violation


# ---------------------------------------------------------------------------
# The shapes themselves
# ---------------------------------------------------------------------------


def property_shapes(graph: Graph) -> set[Node]:
    return set(graph.subjects(SH.path, None))


def class_shapes(graph: Graph) -> set[Node]:
    """The node shapes of classes: cmsh:<Class>Shape, with sh:targetClass."""
    return {
        s
        for s in graph.subjects(SH.targetClass, None)
        if isinstance(s, URIRef) and str(s).endswith("Shape")
    }


def rule_shapes(graph: Graph) -> set[Node]:
    """Targeted node shapes holding one node-level rule (cmsh:<Class>Shape-<rule>-<concern>)."""
    return set(graph.subjects(SH.targetClass, None)) - class_shapes(graph)


def constraint_shapes(graph: Graph) -> set[Node]:
    """The shapes whose results are reported: class property shapes and rule shapes."""
    attached = {p for s in class_shapes(graph) for p in graph.objects(s, SH.property)}
    return attached | rule_shapes(graph)


def shapes_used_by(graph: Graph, shape: Node) -> set[Node]:
    """The shapes a shape refers to (sh:node, sh:property, sh:or...), transitively."""
    found: set[Node] = set()
    todo = [shape]
    while todo:
        current = todo.pop()
        for predicate in (SH.node, SH.property, SH["not"], SH.qualifiedValueShape):
            for value in graph.objects(current, predicate):
                if value not in found:
                    found.add(value)
                    todo.append(value)
        for predicate in (SH["or"], SH["and"], SH.xone):
            for head in graph.objects(current, predicate):
                for member in graph.items(head):
                    if member not in found:
                        found.add(member)
                        todo.append(member)
    return found


def test_shape_files_parse_and_are_shacl_core(shape_graphs: dict[str, Graph]) -> None:
    for name, graph in shape_graphs.items():
        assert len(graph) > 100, name
        for predicate in {p for p in graph.predicates() if str(p).startswith(str(SH))}:
            assert local(predicate, Namespace(str(SH))) not in NOT_CORE, (name, predicate)
        assert not list(graph.subjects(RDF.type, SH.SPARQLConstraint)), name


def test_every_class_of_the_ontology_has_a_node_shape(ontology: Graph, shapes: Graph) -> None:
    classes = {
        c
        for c in ontology.subjects(RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class"))
        if str(c).startswith(str(CM))
    }
    assert len(classes) == 19
    for cls in classes:
        shape = CMSH[local(cls, CM) + "Shape"]
        assert (shape, SH.targetClass, cls) in shapes, f"no {shape.n3()} targeting {cls.n3()}"
        assert (shape, RDF.type, SH.NodeShape) in shapes


def test_reused_classes_partners_submit_have_node_shapes(shapes: Graph) -> None:
    for shape, cls in (
        ("OrganizationShape", "http://xmlns.com/foaf/0.1/Organization"),
        ("DatasetShape", "http://www.w3.org/ns/dcat#Dataset"),
    ):
        assert (CMSH[shape], SH.targetClass, URIRef(cls)) in shapes


def test_every_property_shape_is_documented_and_linked(ontology: Graph, shapes: Graph) -> None:
    declared = set(ontology.subjects(RDFS.isDefinedBy, ONTOLOGY))
    for shape in property_shapes(shapes) | rule_shapes(shapes):
        label = shape.n3()
        assert isinstance(shape, URIRef) and str(shape).startswith(str(CMSH)), label
        for predicate in (SH.name, SH.description, SH.message, SH.severity):
            assert shapes.value(shape, predicate) is not None, f"{label} has no {predicate.n3()}"
        links = set(shapes.objects(shape, RDFS.seeAlso)) | set(
            shapes.objects(shape, RDFS.isDefinedBy)
        )
        path = shapes.value(shape, SH.path)
        assert links & (declared | {path}), f"{label} links to no term of the ontology"


def test_severity_follows_the_file(shape_graphs: dict[str, Graph]) -> None:
    for name, graph in shape_graphs.items():
        wanted = SH.Warning if name == "recommended.ttl" else SH.Violation
        for shape in property_shapes(graph) | rule_shapes(graph):
            assert graph.value(shape, SH.severity) == wanted, (name, shape)
        for shape in class_shapes(graph):
            assert graph.value(shape, SH.severity) is None, f"{shape} must not fix a severity"


def test_property_shapes_are_named_by_class_property_and_concern(
    shape_graphs: dict[str, Graph],
) -> None:
    for name, graph in shape_graphs.items():
        concern = CONCERNS[name]
        for node_shape in class_shapes(graph):
            prefix = local(node_shape, CMSH) + "-"
            for shape in graph.objects(node_shape, SH.property):
                assert isinstance(shape, URIRef), f"blank property shape on {node_shape}"
                name_ = local(shape, CMSH)
                assert name_.startswith(prefix) and name_.endswith("-" + concern), name_
        for shape in rule_shapes(graph):
            assert local(shape, CMSH).endswith("-" + concern), shape


def test_every_property_shape_has_an_invalid_fixture(shapes: Graph) -> None:
    covered = {CMSH[shape] for path in INVALID for shape, _ in expected_pairs(path)}
    missing = constraint_shapes(shapes) - covered
    assert not missing, sorted(local(m, CMSH) for m in missing)
    # The building blocks (a concept's scheme, the parts of a criterion rule) are
    # checked through the shapes that use them.
    reachable: set[Node] = set(covered)
    for shape in covered:
        reachable |= shapes_used_by(shapes, shape)
    unreached = {s for s in property_shapes(shapes) if s not in reachable}
    assert not unreached, sorted(local(s, CMSH) for s in unreached)


def test_every_invalid_fixture_is_named_after_a_shape_it_triggers() -> None:
    for path in INVALID:
        pairs = expected_pairs(path)
        assert pairs, f"{path.name} has no '# expect:' line"
        assert path.stem.split(".")[0] in {shape for shape, _ in pairs}, path.name


def test_docs_list_every_shape(shapes: Graph) -> None:
    text = (ROOT / "docs" / "shapes.md").read_text(encoding="utf-8")
    missing = [local(s, CMSH) for s in constraint_shapes(shapes) if local(s, CMSH) not in text]
    assert not missing, missing


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_fixture_has_no_result(
    path: Path, shapes: Graph, ontology: Graph, kb_graph: Graph
) -> None:
    submission = Graph().parse(path, format="turtle")
    assert 10 <= len(submission) <= 40, len(submission)
    found = results_for(submission, shapes, ontology, kb_graph)
    assert not found, [(s.n3(), c.n3()) for s, c, _ in found]


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_triggers_exactly_what_it_expects(
    path: Path, shapes: Graph, ontology: Graph, kb_graph: Graph
) -> None:
    submission = Graph().parse(path, format="turtle")
    assert 10 <= len(submission) <= 40, len(submission)
    expected = expected_pairs(path)
    found = results_for(submission, shapes, ontology, kb_graph)
    got = {(local(s, CMSH), local(c, Namespace(str(SH)))) for s, c, _ in found}
    assert got == expected
    for shape, _, severity in found:
        assert severity == expected_severity(local(shape, CMSH)), shape


def test_blank_focus_nodes_of_a_submission_are_reported(
    shapes: Graph, ontology: Graph, kb_graph: Graph
) -> None:
    """Criteria are usually blank nodes: their results must survive the focus filter."""
    path = FIXTURES / "invalid" / "CriterionShape-valueRequired-core.ttl"
    submission = Graph().parse(path, format="turtle")
    data = Graph()
    data += submission
    data += context_for(submission, ontology, kb_graph)
    report = run_shapes(data, shapes)
    focus = [report.value(r, SH.focusNode) for r in top_level_results(report)]
    assert any(isinstance(f, BNode) and f in set(submission.subjects()) for f in focus)


# ---------------------------------------------------------------------------
# The curated knowledge base
# ---------------------------------------------------------------------------


def test_curated_knowledge_base_has_no_violation(kb_graph: Graph, shapes: Graph) -> None:
    report = run_shapes(kb_graph, shapes)
    severities: Counter[str] = Counter()
    violations = []
    for result in top_level_results(report):
        severity = report.value(result, SH.resultSeverity)
        shape = report.value(result, SH.sourceShape)
        assert shape is not None
        severities[str(severity)] += 1
        if severity != SH.Warning:
            violations.append(
                (report.value(result, SH.focusNode), shape, report.value(result, SH.resultMessage))
            )
        else:
            assert local(shape, CMSH).endswith("-recommended"), shape
    assert not violations, violations
    # Warnings are allowed (a definition without reference group, a place with a local
    # label only); they are what a curator may still add.
    assert severities[str(SH.Warning)] > 0

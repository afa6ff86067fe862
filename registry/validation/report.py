"""The validation report: typed results, read from a W3C ``sh:ValidationReport``
graph, and rendered as JSON, as text for a person, and back as Turtle.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node


class Severity(StrEnum):
    """SHACL severities, most serious first."""

    VIOLATION = "violation"
    WARNING = "warning"
    INFO = "info"

    @property
    def iri(self) -> URIRef:
        return {
            Severity.VIOLATION: SH.Violation,
            Severity.WARNING: SH.Warning,
            Severity.INFO: SH.Info,
        }[self]

    @classmethod
    def from_iri(cls, iri: Node | None) -> Severity:
        if iri == SH.Warning:
            return cls.WARNING
        if iri == SH.Info:
            return cls.INFO
        return cls.VIOLATION


def _text(term: Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


@dataclass(frozen=True)
class ValidationResult:
    """One thing wrong (or worth a look) in the validated graph."""

    severity: Severity
    focus_node: Node
    path: Node | None
    value: Node | None
    message: str
    shape: Node | None
    constraint: Node | None
    owner: URIRef | None = None
    """The nearest resource with an IRI that the focus node belongs to (for blank nodes)."""
    path_text: str | None = None
    """The path as a person reads it, for paths that are expressions (``a|b``, ``^a``)."""
    path_triples: tuple[tuple[Node, Node, Node], ...] = ()
    """The triples of a path expression, so that the W3C report can carry it."""

    @property
    def path_label(self) -> str | None:
        return self.path_text or _text(self.path)

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity.value,
            "focus_node": _text(self.focus_node),
            "resource": _text(self.owner or self.focus_node),
            "path": self.path_label,
            "value": _text(self.value),
            "message": self.message,
            "shape": _text(self.shape),
            "constraint": _text(self.constraint),
        }

    def key(self) -> tuple[str | None, ...]:
        """What two engines must agree on, with blank nodes left out of the comparison."""
        focus = None if isinstance(self.focus_node, BNode) else _text(self.focus_node)
        value = None if isinstance(self.value, BNode) else _text(self.value)
        return (
            self.severity.value,
            focus,
            _text(self.owner),
            self.path_label,
            value,
            _text(self.shape),
            _text(self.constraint),
            self.message,
        )


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating one graph."""

    results: tuple[ValidationResult, ...] = field(default_factory=tuple)
    triples: int = 0
    engine: str = ""

    @property
    def conforms(self) -> bool:
        """SHACL's verdict: no result of any severity."""
        return not self.results

    @property
    def accepted(self) -> bool:
        """What Commensura stores: no violation (warnings do not block a submission)."""
        return self.count(Severity.VIOLATION) == 0

    def count(self, severity: Severity) -> int:
        return sum(1 for r in self.results if r.severity is severity)

    def to_dict(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "accepted": self.accepted,
            "violations": self.count(Severity.VIOLATION),
            "warnings": self.count(Severity.WARNING),
            "infos": self.count(Severity.INFO),
            "triples": self.triples,
            "results": [r.to_dict() for r in self.results],
        }

    def to_text(self) -> str:
        """The report as a person reads it: a verdict, then one paragraph per result."""
        counts = (
            f"{self.count(Severity.VIOLATION)} violation(s), "
            f"{self.count(Severity.WARNING)} warning(s)"
        )
        if self.conforms:
            head = f"Conforms: {self.triples:,} triples checked, nothing to fix."
        elif self.accepted:
            head = f"Accepted, with {counts}: worth a look, nothing blocks it."
        else:
            head = f"Not accepted: {counts}. Fix the violations and submit again."
        lines = [head]
        for result in self.results:
            where = _text(result.owner or result.focus_node)
            path = f"  {result.path_label}" if result.path is not None else ""
            lines.append("")
            lines.append(f"{result.severity.value.upper()}  <{where}>{path}")
            if result.owner is not None and result.owner != result.focus_node:
                lines.append(f"  in {_text(result.focus_node)}, part of <{result.owner}>")
            if result.value is not None:
                lines.append(f"  value: {_text(result.value)}")
            lines.append(f"  {result.message}")
            lines.append(f"  (shape {_text(result.shape)}, {_text(result.constraint)})")
        return "\n".join(lines) + "\n"

    def to_graph(self) -> Graph:
        """The report as a W3C ``sh:ValidationReport``."""
        graph = Graph()
        graph.bind("sh", SH)
        report = BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms, datatype=XSD.boolean)))
        for result in self.results:
            node = BNode()
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.resultSeverity, result.severity.iri))
            graph.add((node, SH.focusNode, result.focus_node))
            graph.add((node, SH.resultMessage, Literal(result.message)))
            for triple in result.path_triples:
                graph.add(triple)
            for predicate, term in (
                (SH.resultPath, result.path),
                (SH.value, result.value),
                (SH.sourceShape, result.shape),
                (SH.sourceConstraintComponent, result.constraint),
            ):
                if term is not None:
                    graph.add((node, predicate, term))
        return graph

    def to_turtle(self) -> str:
        return self.to_graph().serialize(format="turtle")


def _owner(data: Graph, node: Node) -> URIRef | None:
    """The nearest IRI subject that reaches ``node`` through blank nodes."""
    if isinstance(node, URIRef):
        return node
    seen: set[Node] = set()
    frontier: list[Node] = [node]
    while frontier:
        current = frontier.pop(0)
        if current in seen:
            continue
        seen.add(current)
        for subject in data.subjects(None, current):
            if isinstance(subject, URIRef):
                return subject
            frontier.append(subject)
    return None


_PATH_OPERATORS = {
    SH.inversePath: ("^", ""),
    SH.zeroOrMorePath: ("", "*"),
    SH.oneOrMorePath: ("", "+"),
    SH.zeroOrOnePath: ("", "?"),
}


def path_text(node: Node | None, *graphs: Graph) -> str | None:
    """A SHACL property path written as a SPARQL property path (``<a>|<b>``, ``^<a>``)."""
    if node is None:
        return None
    if isinstance(node, URIRef):
        return f"<{node}>"
    for graph in graphs:
        alternatives = graph.value(node, SH.alternativePath)
        if alternatives is not None:
            items = [path_text(i, *graphs) or "?" for i in Collection(graph, alternatives)]
            return "(" + "|".join(items) + ")"
        for operator, (before, after) in _PATH_OPERATORS.items():
            inner = graph.value(node, operator)
            if inner is not None:
                return f"{before}{path_text(inner, *graphs)}{after}"
        if graph.value(node, RDF.first) is not None:
            return "/".join(path_text(i, *graphs) or "?" for i in Collection(graph, node))
    return None


def _blank_closure(node: Node, graphs: tuple[Graph, ...]) -> tuple[tuple[Node, Node, Node], ...]:
    for graph in graphs:
        if (node, None, None) not in graph:
            continue
        found: list[tuple[Node, Node, Node]] = []
        frontier, seen = [node], set()
        while frontier:
            current = frontier.pop()
            if current in seen:
                continue
            seen.add(current)
            for s, p, o in graph.triples((current, None, None)):
                found.append((s, p, o))
                if isinstance(o, BNode):
                    frontier.append(o)
        return tuple(found)
    return ()


def results_from_graph(
    report: Graph,
    data: Graph,
    *,
    focus: Iterable[Node] | None = None,
    shapes: Graph | None = None,
) -> list[ValidationResult]:
    """Typed results from a report graph; only those about ``focus`` nodes when given."""
    keep = set(focus) if focus is not None else None
    results: list[ValidationResult] = []
    # Only the report's own results: pySHACL nests more under sh:detail, other engines do not.
    tops = [
        o
        for r in report.subjects(RDF.type, SH.ValidationReport)
        for o in report.objects(r, SH.result)
    ]
    for node in tops or list(report.subjects(RDF.type, SH.ValidationResult)):
        focus_node = report.value(node, SH.focusNode)
        if focus_node is None or (keep is not None and focus_node not in keep):
            continue
        messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
        path = report.value(node, SH.resultPath)
        lookups = (report,) if shapes is None else (report, shapes)
        results.append(
            ValidationResult(
                severity=Severity.from_iri(report.value(node, SH.resultSeverity)),
                focus_node=focus_node,
                path=path,
                path_text=None if isinstance(path, URIRef) else path_text(path, *lookups),
                path_triples=_blank_closure(path, lookups) if isinstance(path, BNode) else (),
                value=report.value(node, SH.value),
                message=messages[0] if messages else "The value does not meet the shape.",
                shape=report.value(node, SH.sourceShape),
                constraint=report.value(node, SH.sourceConstraintComponent),
                owner=_owner(data, focus_node),
            )
        )
    severity_rank = {Severity.VIOLATION: 0, Severity.WARNING: 1, Severity.INFO: 2}
    results.sort(
        key=lambda r: (
            severity_rank[r.severity],
            str(r.owner or r.focus_node),
            str(r.path),
            r.message,
        )
    )
    return results

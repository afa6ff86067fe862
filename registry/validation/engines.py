"""SHACL engines behind one function: pySHACL, the reference, and ``shacl``, a fast one.

``run(engine, data, shapes)`` validates an in-memory rdflib graph against a
shapes graph and returns the W3C ``sh:ValidationReport`` as an rdflib graph,
whichever engine did the work. Both engines are used for SHACL Core only: no
inference, no SHACL-AF, no SPARQL-based constraints, nothing fetched from the
network (shapes and data are handed over in memory, never as URLs, and
``owl:imports`` is not followed).

The two reports have the same form. Every ``sh:ValidationResult`` carries
``sh:focusNode``, ``sh:resultPath`` (for property shapes), ``sh:value`` (when the
constraint names one), ``sh:resultSeverity``, ``sh:sourceShape``,
``sh:sourceConstraintComponent`` and ``sh:resultMessage``. Terms are the input
graphs' own terms, blank nodes included: a blank focus node is the very
``BNode`` of ``data``, a blank property shape the very ``BNode`` of ``shapes``,
and a result path is the ``sh:path`` object of its shape. The triples that
describe a blank focus node, value, shape or path are copied into the report, as
pySHACL does, so the report can be read on its own. (pySHACL also nests the
results of ``sh:node``, ``sh:or`` and the like under ``sh:detail``; ``shacl`` has
none, and ``result_set`` reads only the top-level ``sh:result``.)

The fast engine, ``shacl`` (PyPI, Rust), reads N-Triples text and reports terms
as N-Triples strings, with its own blank node labels ``_:<graph>_b<n>``: ``n``
counts the blank nodes it has met, the shapes graph's first and then the data's,
in the order of first appearance in the text it was given (subject before
object). ``run`` writes that text itself, so it knows that order and maps every
label back to the rdflib ``BNode``; it checks the mapping on every result (the
node must be in its graph, a property shape's path must be the reported one)
and raises ``EngineError`` rather than return a report it cannot vouch for.
``shacl`` only reports the ``sh:message`` of a shape; where a shape has none, a
message is written here from the constraint's parameters (pySHACL writes its own
text, so such messages differ between engines: ``result_set`` compares them as
"generated").

``result_set(report, data, shapes)`` turns a report into a multiset of
comparable keys, blank nodes replaced by a label made from their triples, for
differential tests and benchmarks.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator
from enum import StrEnum
from importlib import import_module
from typing import TYPE_CHECKING, NamedTuple

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

if TYPE_CHECKING:
    import shacl

__all__ = [
    "GENERATED",
    "Engine",
    "EngineError",
    "ResultKey",
    "available",
    "conforms",
    "describe",
    "differences",
    "parse_term",
    "result_set",
    "run",
]


class Engine(StrEnum):
    """The SHACL engines ``run`` knows."""

    PYSHACL = "pyshacl"
    """pySHACL, the reference (pure Python, on rdflib)."""
    SHACL = "shacl"
    """``shacl`` on PyPI: a SHACL engine in Rust, an order of magnitude faster end to end."""


_MODULES = {Engine.PYSHACL: "pyshacl", Engine.SHACL: "shacl"}


class EngineError(RuntimeError):
    """An engine failed, or gave an answer that cannot be turned into a report."""


def available() -> list[Engine]:
    """The engines that can be imported here, pySHACL first."""
    found: list[Engine] = []
    for engine, module in _MODULES.items():
        try:
            import_module(module)
        except ImportError:
            continue
        found.append(engine)
    return found


def run(engine: Engine, data: Graph, shapes: Graph, *, allow_warnings: bool = False) -> Graph:
    """Validate ``data`` against ``shapes`` with ``engine``; the ``sh:ValidationReport``.

    ``sh:conforms`` is SHACL's: false when there is any result. With
    ``allow_warnings`` it is false only when there is a result of severity
    ``sh:Violation`` (or a custom severity), as pySHACL's option of that name.
    Neither graph is changed.
    """
    if engine is Engine.PYSHACL:
        return _run_pyshacl(data, shapes, allow_warnings=allow_warnings)
    if engine is Engine.SHACL:
        return _run_shacl(data, shapes, allow_warnings=allow_warnings)
    msg = f"unknown SHACL engine {engine!r}"  # pragma: no cover - exhaustive enum
    raise ValueError(msg)


# -- pySHACL --------------------------------------------------------------------------


def _run_pyshacl(data: Graph, shapes: Graph, *, allow_warnings: bool) -> Graph:
    import pyshacl

    # pySHACL mutates a shapes graph it is given (pySHACL #314): each call gets a
    # copy, with the same blank nodes, so the report still names the caller's shapes.
    copy = Graph()
    copy += shapes
    _, report, _ = pyshacl.validate(
        data,
        shacl_graph=copy,
        inference="none",
        advanced=False,
        abort_on_first=False,
        allow_infos=allow_warnings,
        allow_warnings=allow_warnings,
        do_owl_imports=False,
        meta_shacl=False,
        js=False,
    )
    if not isinstance(report, Graph):
        msg = f"pySHACL returned {type(report).__name__} instead of a report graph"
        raise EngineError(msg)
    return report


# -- shacl (Rust) ----------------------------------------------------------------------


class _Text(NamedTuple):
    """A graph written as N-Triples, with its blank nodes in order of first appearance."""

    text: str
    blanks: list[BNode]
    written: dict[Node, str]
    """Each term of the graph and its N-Triples text."""

    def terms(self) -> dict[str, Node]:
        """The graph's terms by their N-Triples text."""
        return {text: term for term, text in self.written.items()}


def _ntriples(graph: Graph) -> _Text:
    """``graph`` as N-Triples, and its blank nodes in the order they first appear."""
    # Terms recur (predicates, classes, concepts): each is written once and looked up
    # after, which halves the time. A blank node is new exactly when it is not cached
    # yet, and subjects come before objects, as in the engine's own reading.
    lines: list[str] = []
    blanks: list[BNode] = []
    written: dict[Node, str] = {}
    for s, p, o in graph:
        subject = written.get(s)
        if subject is None:
            subject = written[s] = _nt(s)
            if isinstance(s, BNode):
                blanks.append(s)
        predicate = written.get(p)
        if predicate is None:
            predicate = written[p] = _nt(p)
        obj = written.get(o)
        if obj is None:
            obj = written[o] = _nt(o)
            if isinstance(o, BNode):
                blanks.append(o)
        lines.append(f"{subject} {predicate} {obj} .\n")
    return _Text("".join(lines), blanks, written)


_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _nt(term: Node) -> str:
    """One term in N-Triples syntax (``Literal.n3()`` writes Turtle's long strings)."""
    if isinstance(term, Literal):
        lexical = str(term).translate(_NT_ESCAPES)
        if term.language is not None:
            return f'"{lexical}"@{term.language}'
        if term.datatype is not None:
            return f'"{lexical}"^^<{term.datatype}>'
        return f'"{lexical}"'
    if isinstance(term, URIRef | BNode):
        return term.n3()
    msg = f"cannot write {term!r} in N-Triples: a graph holds IRIs, blank nodes and literals"
    raise EngineError(msg)


class _Compiled(NamedTuple):
    shapes: shacl.Shapes
    blanks: list[BNode]


@functools.lru_cache(maxsize=8)
def _compile(text: str) -> shacl.Shapes:
    """A compiled shapes graph; the same text is compiled once."""
    import shacl

    try:
        return shacl.Shapes.from_text(text, format="ntriples")
    except ValueError as error:
        msg = f"shacl could not compile the shapes graph: {error}"
        raise EngineError(msg) from error


def _run_shacl(data: Graph, shapes: Graph, *, allow_warnings: bool) -> Graph:
    shapes_text = _ntriples(shapes)
    compiled = _Compiled(_compile(shapes_text.text), shapes_text.blanks)
    data_text = _ntriples(data)
    try:
        outcome = compiled.shapes.validate_text(
            data_text.text, format="ntriples", inference="none", allow_warnings=allow_warnings
        )
    except ValueError as error:
        msg = f"shacl could not validate the data graph: {error}"
        raise EngineError(msg) from error
    terms = _TermMap(data, shapes, compiled.blanks, data_text)
    report = Graph()
    report.bind("sh", SH)
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    report.add((root, SH.conforms, Literal(outcome.conforms, datatype=XSD.boolean)))
    for result in outcome.results:
        node = BNode()
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        for predicate, term in _result_triples(result, terms, shapes):
            report.add((node, predicate, term))
    _copy_descriptions(report, data, shapes)
    return report


class _TermMap:
    """Turns ``shacl``'s N-Triples strings back into the input graphs' terms."""

    def __init__(
        self, data: Graph, shapes: Graph, shape_blanks: list[BNode], data_text: _Text
    ) -> None:
        self.data = data
        self.shapes = shapes
        self.shape_blanks = shape_blanks
        self.data_blanks = data_text.blanks
        self.data_text = data_text

    @functools.cached_property
    def data_terms(self) -> dict[str, Node]:
        """The data's own terms by the text written for them (built when first needed).

        Reading a value back by lookup keeps the data's very term, and spares rdflib
        building (and complaining about) an ill-typed literal once more.
        """
        return self.data_text.terms()

    def blank(self, label: str) -> tuple[BNode, Graph]:
        match = _BLANK.fullmatch(label)
        if match is None:
            msg = f"shacl reported a blank node {label!r} of an unknown form"
            raise EngineError(msg)
        scope, index = match.group(1), int(match.group(2))
        if scope == "1":
            table, graph, position = self.shape_blanks, self.shapes, index
        elif scope == "0":
            table, graph = self.data_blanks, self.data
            position = index - len(self.shape_blanks)
        else:
            msg = f"shacl reported a blank node {label!r} from neither graph"
            raise EngineError(msg)
        if not 0 <= position < len(table):
            which = "shapes" if scope == "1" else "data"
            msg = (
                f"shacl reported the blank node {label!r}, but the {which} graph has "
                f"{len(table)} blank nodes"
            )
            raise EngineError(msg)
        return table[position], graph

    def term(self, text: str, *, home: Graph) -> Node:
        """The term ``text`` names; a blank node must belong to ``home``."""
        if text.startswith("_:"):
            node, graph = self.blank(text[2:])
            if graph is not home:
                msg = f"shacl reported {text} where a node of the other graph was expected"
                raise EngineError(msg)
            return node
        known = self.data_terms.get(text) if home is self.data else None
        return known if known is not None else parse_term(text)


_BLANK = re.compile(r"([0-9]+)_b([0-9]+)")


def _result_triples(
    result: shacl.Result, terms: _TermMap, shapes: Graph
) -> Iterator[tuple[URIRef, Node]]:
    """The properties of one ``sh:ValidationResult``, in the input graphs' terms."""
    focus = terms.term(result.focus_node, home=terms.data)
    _check_in(focus, terms.data, "focus node")
    yield SH.focusNode, focus
    value: Node | None = None
    if result.value is not None:
        value = terms.term(result.value, home=terms.data)
        yield SH.value, value
    shape: Node | None = None
    if result.source_shape is not None:
        shape = terms.term(result.source_shape, home=shapes)
        _check_in(shape, shapes, "source shape")
        yield SH.sourceShape, shape
    path = _result_path(result, shape, shapes)
    if path is not None:
        yield SH.resultPath, path
        # For a plain predicate path, the value a result names is a value node of the
        # focus node (but for the pair constraints): in the data, or the map is wrong.
        if (
            value is not None
            and isinstance(path, URIRef)
            and result.component_iri not in _VALUE_NOT_IN_DATA
            and (focus, path, value) not in terms.data
        ):
            msg = f"shacl reported {result.value} as a value of {path} that the data lacks"
            raise EngineError(msg)
    yield SH.sourceConstraintComponent, URIRef(result.component_iri)
    yield SH.resultSeverity, URIRef(result.severity_iri)
    for message in _messages(result, shape, shapes, path, value):
        yield SH.resultMessage, message


_VALUE_NOT_IN_DATA = frozenset(
    {
        # Values compared with another property's values, or the focus node itself.
        str(SH.EqualsConstraintComponent),
        str(SH.DisjointConstraintComponent),
        str(SH.LessThanConstraintComponent),
        str(SH.LessThanOrEqualsConstraintComponent),
        str(SH.ClosedConstraintComponent),
    }
)


def _check_in(node: Node, graph: Graph, what: str) -> None:
    if (
        isinstance(node, BNode)
        and (node, None, None) not in graph
        and (
            None,
            None,
            node,
        )
        not in graph
    ):
        msg = f"shacl reported a blank {what} that its graph does not hold"
        raise EngineError(msg)


def _result_path(result: shacl.Result, shape: Node | None, shapes: Graph) -> Node | None:
    """The ``sh:path`` of the source shape: the term pySHACL reports too."""
    if result.path is None:
        return None
    declared = shapes.value(shape, SH.path) if shape is not None else None
    if declared is None:
        # Not a property shape's own path: take the reported one when it is a predicate.
        if result.path.startswith("<") and result.path.endswith(">"):
            return parse_term(result.path)
        msg = f"shacl reported the path {result.path} for a shape without sh:path"
        raise EngineError(msg)
    if isinstance(declared, URIRef) and result.path != declared.n3():
        msg = f"shacl reported the path {result.path} for a shape whose path is {declared.n3()}"
        raise EngineError(msg)
    return declared


def _messages(
    result: shacl.Result, shape: Node | None, shapes: Graph, path: Node | None, value: Node | None
) -> list[Literal]:
    """The shape's ``sh:message`` values (with their languages), or a message of our own."""
    declared = (
        [m for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)]
        if shape is not None
        else []
    )
    if declared:
        if sorted(str(m) for m in declared) != sorted(result.messages):
            msg = f"shacl reported the messages {result.messages} for a shape that declares others"
            raise EngineError(msg)
        return declared
    if result.messages:
        return [Literal(m) for m in result.messages]
    return [Literal(_generated_message(result, shape, shapes, path, value))]


def _generated_message(
    result: shacl.Result, shape: Node | None, shapes: Graph, path: Node | None, value: Node | None
) -> str:
    """A plain message for a shape without ``sh:message``: constraint, parameter, value."""
    name = result.component.removesuffix("ConstraintComponent")
    parameter = name[:1].lower() + name[1:]
    given = (
        sorted(_show(t, shapes) for t in shapes.objects(shape, SH[parameter]))
        if shape is not None
        else []
    )
    where = f" of {_show(path, shapes)}" if path is not None else ""
    what = f"value {_show(value, shapes)}" if value is not None else "focus node"
    wanted = f"sh:{parameter} {', '.join(given)}" if given else f"sh:{parameter}"
    return f"The {what}{where} does not satisfy {wanted}."


_PATH_FORMS = (
    (SH.inversePath, "^{}"),
    (SH.zeroOrMorePath, "{}*"),
    (SH.oneOrMorePath, "{}+"),
    (SH.zeroOrOnePath, "{}?"),
)


def _show(term: Node | None, shapes: Graph, depth: int = 4) -> str:
    """A short text for a term of a message: prefixed names, paths in SPARQL syntax."""
    if term is None:
        return ""
    if not isinstance(term, BNode):
        return term.n3(shapes.namespace_manager)
    if depth > 0:
        items = list(shapes.items(term)) if (term, RDF.first, None) in shapes else []
        if items:
            return "(" + " / ".join(_show(i, shapes, depth - 1) for i in items) + ")"
        for predicate, form in _PATH_FORMS:
            inner = shapes.value(term, predicate)
            if inner is not None:
                return form.format(_show(inner, shapes, depth - 1))
        alternatives = shapes.value(term, SH.alternativePath)
        if alternatives is not None:
            return (
                "("
                + " | ".join(_show(i, shapes, depth - 1) for i in shapes.items(alternatives))
                + ")"
            )
    return "[...]"


def _copy_descriptions(report: Graph, data: Graph, shapes: Graph) -> None:
    """Copy the triples about blank nodes the report names, as pySHACL does."""
    for predicate, home in (
        (SH.focusNode, data),
        (SH.value, data),
        (SH.sourceShape, shapes),
        (SH.resultPath, shapes),
    ):
        for node in set(report.objects(None, predicate)):
            if isinstance(node, BNode):
                for triple in _description(home, node):
                    report.add(triple)


def _description(graph: Graph, node: BNode) -> Iterator[tuple[Node, Node, Node]]:
    """The triples about ``node`` and, through them, about the blank nodes it reaches."""
    seen: set[Node] = set()
    todo: list[Node] = [node]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for s, p, o in graph.triples((current, None, None)):
            yield s, p, o
            if isinstance(o, BNode):
                todo.append(o)


# -- N-Triples terms ---------------------------------------------------------------


_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?', re.DOTALL)
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2)
    if code is not None:
        return chr(int(code, 16))
    char = match.group(3)
    if char not in _SIMPLE:
        msg = f"unknown escape \\{char} in an N-Triples literal"
        raise EngineError(msg)
    return _SIMPLE[char]


def parse_term(text: str) -> URIRef | Literal:
    """An IRI or a literal written in N-Triples syntax, as an rdflib term."""
    if text.startswith("<") and text.endswith(">"):
        return URIRef(_ESCAPE.sub(_unescape, text[1:-1]) if "\\" in text else text[1:-1])
    match = _LITERAL.fullmatch(text)
    if match is None:
        msg = f"cannot read the N-Triples term {text!r}"
        raise EngineError(msg)
    lexical = _ESCAPE.sub(_unescape, match.group(1))
    language, datatype = match.group(2), match.group(3)
    if language is not None:
        return Literal(lexical, lang=language)
    if datatype is None or datatype == str(XSD.string):
        return Literal(lexical)
    return Literal(lexical, datatype=URIRef(datatype))


# -- comparing reports ------------------------------------------------------------------


GENERATED = "(generated)"
"""What ``result_set`` puts for the messages of a shape without ``sh:message``."""


class ResultKey(NamedTuple):
    """One validation result as text that two engines' reports can be compared by.

    Blank nodes are replaced by ``describe``'s label: their triples, not their ids.
    """

    focus_node: str
    path: str
    value: str
    severity: str
    source_shape: str
    component: str
    messages: tuple[str, ...]


def describe(node: Node | None, *graphs: Graph, depth: int = 6) -> str:
    """A label for ``node`` that does not depend on blank node ids.

    IRIs and literals are their N-Triples form. A blank node is written as the
    sorted list of its triples in the first of ``graphs`` that has any,
    recursively (to ``depth`` levels, and a cycle back reads ``[cycle]``).
    """
    return _describe(node, graphs, depth, frozenset())


def _describe(
    node: Node | None, graphs: tuple[Graph, ...], depth: int, path: frozenset[Node]
) -> str:
    if node is None:
        return "-"
    if not isinstance(node, BNode):
        return node.n3()
    if node in path:
        return "[cycle]"
    if depth <= 0:
        return "[...]"
    for graph in graphs:
        pairs = list(graph.predicate_objects(node))
        if pairs:
            inner = path | {node}
            parts = sorted(f"{p.n3()} {_describe(o, graphs, depth - 1, inner)}" for p, o in pairs)
            return "[ " + " ; ".join(parts) + " ]"
    return "[]"


def result_set(report: Graph, data: Graph, shapes: Graph) -> Counter[ResultKey]:
    """The results of ``report`` as a multiset of comparable keys.

    Only the results of the report count (``sh:result``), not the ``sh:detail``
    results pySHACL nests in those of ``sh:node``, ``sh:or`` and the like. Messages
    are compared as given when the source shape declares ``sh:message``, and as
    ``GENERATED`` otherwise (each engine words its own).
    """
    keys: Counter[ResultKey] = Counter()
    for node in _top_results(report):
        shape = report.value(node, SH.sourceShape)
        declared = shape is not None and (shape, SH.message, None) in shapes
        messages = (
            tuple(sorted(m.n3() for m in report.objects(node, SH.resultMessage)))
            if declared
            else (GENERATED,)
        )
        keys[
            ResultKey(
                focus_node=describe(report.value(node, SH.focusNode), data, report),
                path=describe(report.value(node, SH.resultPath), shapes, report),
                value=describe(report.value(node, SH.value), data, report),
                severity=describe(report.value(node, SH.resultSeverity)),
                source_shape=describe(shape, shapes, report),
                component=describe(report.value(node, SH.sourceConstraintComponent)),
                messages=messages,
            )
        ] += 1
    return keys


def _top_results(report: Graph) -> Iterator[Node]:
    """The results of the report itself, not the ``sh:detail`` pySHACL nests in them."""
    for root in report.subjects(RDF.type, SH.ValidationReport):
        yield from report.objects(root, SH.result)


def conforms(report: Graph) -> bool | None:
    """The report's ``sh:conforms``, or None when it has none."""
    for value in report.objects(None, SH.conforms):
        if isinstance(value, Literal):
            return bool(value.toPython())
    return None


def differences(
    expected: Counter[ResultKey], actual: Counter[ResultKey], *, limit: int = 20
) -> list[str]:
    """What differs between two result multisets, one line each (empty: identical)."""
    lines: list[str] = []
    for key in sorted(set(expected) | set(actual)):
        want, got = expected[key], actual[key]
        if want != got:
            lines.append(f"expected {want}, got {got}: {_show_key(key)}")
    if len(lines) > limit:
        lines = [*lines[:limit], f"... and {len(lines) - limit} more"]
    return lines


def _show_key(key: ResultKey) -> str:
    return ", ".join(f"{name}={value}" for name, value in zip(key._fields, key, strict=True))

"""The store interface every backend implements.

Callers speak rdflib terms (``URIRef``, ``Literal``, ``BNode``) and never see the
engine underneath. The contract, shared by the embedded and remote backends:

* Data lives in named graphs; the default graph of every query is the union of
  all named graphs. Writing to the default graph itself is refused.
* ``query`` takes typed ``bindings``: RDF terms for variables, joined with the
  query's top-level ``WHERE`` pattern as if a ``VALUES`` block stood first in
  it. The terms are written by the store's own term writer, which checks IRIs
  and escapes literals; caller text never enters the query. Blank nodes cannot
  be bound (they have no identity outside their graph).
* ``load`` adds to one named graph in one transaction; ``replace_graph``
  swaps a graph's whole content in one transaction (readers see the old or the
  new content, never a mix); ``transaction()`` groups several writes.
* ``bulk_load`` is the fast, non-transactional path for filling a graph with a
  large file; it is meant for graphs nobody reads yet.
* A store opened on an existing folder finds all its data again.
* A query that names its own dataset (``FROM`` / ``FROM NAMED``) is answered over
  that dataset, unless the caller passes ``default_graphs`` or ``named_graphs``,
  which win (as the SPARQL 1.1 Protocol's graph parameters do).
* ``query_serialized`` answers a query directly in a wire format (SPARQL results
  JSON, XML, CSV, TSV; Turtle, N-Triples, JSON-LD, RDF/XML), stopping after
  ``limit`` rows or triples (the result says it was truncated) and raising
  ``QueryTimeoutError`` once a ``deadline`` passes between two results. Backends
  override it to stream from their engine; the generic version runs ``query``
  and writes the answer with rdflib.
"""

from __future__ import annotations

import abc
import itertools
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import IO, Self, TypedDict, TypeVar, Unpack

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.query import Result
from rdflib.term import Variable

from registry.errors import (
    QueryTimeoutError,
    ReadOnlyStoreError,
    UnsupportedFormatError,
    UnsupportedQueryFormError,
)
from registry.sparql import bind_values, code_tokens, refuse_federation

Term = URIRef | BNode | Literal
Triple = tuple[URIRef | BNode, URIRef, Term]
Source = bytes | str | Path | IO[bytes]
"""RDF input: raw bytes, text, a file path, or a binary file object."""


_writes = itertools.count(1)
_generation = 0


def note_write() -> None:
    """Record that a store of this process was written to (``content_generation`` changes)."""
    global _generation  # one counter for the process
    _generation = next(_writes)


def content_generation() -> int:
    """A number that changes after every write to any store of this process.

    A cache of answers keyed by it never serves an answer read before a write that
    ended since: stores call ``note_write`` once the write is done (or failed).
    Writes by other processes are not seen (a read-only store of the embedded
    engine reads the files as they were when it was opened).
    """
    return _generation


class RdfFormat(StrEnum):
    """RDF serialisations the store reads and writes."""

    TURTLE = "turtle"
    TRIG = "trig"
    NTRIPLES = "ntriples"
    NQUADS = "nquads"
    JSONLD = "jsonld"
    RDFXML = "rdfxml"

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self]

    @property
    def suffix(self) -> str:
        return _SUFFIXES[self][0]

    @property
    def is_dataset(self) -> bool:
        """True for formats that can carry named graphs."""
        return self in {RdfFormat.TRIG, RdfFormat.NQUADS, RdfFormat.JSONLD}

    @classmethod
    def parse(cls, name: str) -> RdfFormat:
        """A format from a name (``turtle``, ``ttl``), a media type or a file suffix."""
        key = name.strip().lower().split(";")[0].strip().lstrip(".")
        for fmt in cls:
            if key in {fmt.value, fmt.media_type, *(s.lstrip(".") for s in _SUFFIXES[fmt])}:
                return fmt
        if key in _ALIASES:
            return _ALIASES[key]
        known = ", ".join(f.value for f in cls)
        msg = f"unknown RDF format {name!r}: use one of {known}"
        raise UnsupportedFormatError(msg, details={"format": name})

    @classmethod
    def from_path(cls, path: Path) -> RdfFormat:
        """The format a file name implies, by its suffix."""
        suffix = path.suffix.lower()
        for fmt in cls:
            if suffix in _SUFFIXES[fmt]:
                return fmt
        msg = (
            f"cannot tell the RDF format of {path.name!r} from its suffix: name the format "
            "explicitly, or use .ttl, .trig, .nt, .nq, .jsonld or .rdf"
        )
        raise UnsupportedFormatError(msg, details={"path": str(path)})


_MEDIA_TYPES = {
    RdfFormat.TURTLE: "text/turtle",
    RdfFormat.TRIG: "application/trig",
    RdfFormat.NTRIPLES: "application/n-triples",
    RdfFormat.NQUADS: "application/n-quads",
    RdfFormat.JSONLD: "application/ld+json",
    RdfFormat.RDFXML: "application/rdf+xml",
}
_SUFFIXES = {
    RdfFormat.TURTLE: (".ttl",),
    RdfFormat.TRIG: (".trig",),
    RdfFormat.NTRIPLES: (".nt",),
    RdfFormat.NQUADS: (".nq",),
    RdfFormat.JSONLD: (".jsonld", ".json"),
    RdfFormat.RDFXML: (".rdf", ".owl", ".xml"),
}
_ALIASES = {
    "n-triples": RdfFormat.NTRIPLES,
    "nt": RdfFormat.NTRIPLES,
    "n-quads": RdfFormat.NQUADS,
    "nq": RdfFormat.NQUADS,
    "json-ld": RdfFormat.JSONLD,
    "rdf/xml": RdfFormat.RDFXML,
    "xml": RdfFormat.RDFXML,
}


@dataclass(frozen=True)
class SelectResult:
    """The solutions of a SELECT query: variable names and rows of terms (None = unbound)."""

    variables: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple[Term | None, ...]]:
        return iter(self.rows)

    def dicts(self) -> list[dict[str, Term]]:
        """Each row as a mapping from variable name to its bound term (unbound ones left out)."""
        return [
            {v: t for v, t in zip(self.variables, row, strict=True) if t is not None}
            for row in self.rows
        ]

    def column(self, variable: str) -> list[Term | None]:
        """The values of one variable, in row order."""
        index = self.variables.index(variable)
        return [row[index] for row in self.rows]


QueryResult = SelectResult | bool | Graph
_R = TypeVar("_R", SelectResult, bool, Graph)


class QueryOptions(TypedDict, total=False):
    """The keyword options of ``Store.query`` (see there)."""

    bindings: Mapping[str, Term] | None
    default_graphs: Sequence[URIRef] | None
    named_graphs: Sequence[URIRef] | None


def _expect(kind: type[_R], form: str, result: QueryResult) -> _R:
    if not isinstance(result, kind):
        msg = f"expected {form} query"
        raise UnsupportedQueryFormError(msg)
    return result


# -- answers in a wire format ------------------------------------------------------

SPARQL_RESULTS_JSON = "application/sparql-results+json"
SPARQL_RESULTS_XML = "application/sparql-results+xml"
SPARQL_RESULTS_CSV = "text/csv"
SPARQL_RESULTS_TSV = "text/tab-separated-values"

SOLUTION_FORMATS = (SPARQL_RESULTS_JSON, SPARQL_RESULTS_XML, SPARQL_RESULTS_CSV, SPARQL_RESULTS_TSV)
"""Media types ``query_serialized`` writes SELECT solutions in."""
BOOLEAN_FORMATS = (SPARQL_RESULTS_JSON, SPARQL_RESULTS_XML)
"""Media types ``query_serialized`` writes ASK answers in."""
GRAPH_FORMATS = tuple(
    fmt.media_type
    for fmt in (RdfFormat.TURTLE, RdfFormat.NTRIPLES, RdfFormat.JSONLD, RdfFormat.RDFXML)
)
"""Media types ``query_serialized`` writes CONSTRUCT and DESCRIBE answers in."""


class ResultKind(StrEnum):
    """What a query answered: solutions (SELECT), a boolean (ASK) or a graph."""

    SOLUTIONS = "solutions"
    BOOLEAN = "boolean"
    GRAPH = "graph"


@dataclass(frozen=True)
class SerializedResult:
    """A query answer written in one wire format.

    ``count`` is the number of rows (SELECT) or triples (CONSTRUCT, DESCRIBE) written,
    1 for ASK; ``truncated`` is true when the answer had more than the ``limit``
    asked for and was cut there.
    """

    kind: ResultKind
    media_type: str
    body: bytes
    count: int
    truncated: bool


_DATASET_CLAUSE = re.compile(r"(?<![\w:?$@])FROM(?![\w:-])", re.IGNORECASE)


def names_dataset(sparql: str) -> bool:
    """True when the query has a dataset clause (``FROM`` or ``FROM NAMED``)."""
    return _DATASET_CLAUSE.search(code_tokens(sparql)) is not None


def check_deadline(deadline: float | None) -> None:
    """Raise ``QueryTimeoutError`` if ``deadline`` (a ``time.monotonic()`` value) has passed."""
    if deadline is not None and time.monotonic() > deadline:
        msg = "the query was still running when its time ran out"
        raise QueryTimeoutError(msg)


def check_export_format(fmt: RdfFormat) -> None:
    """Refuse an export format other than N-Quads and TriG."""
    if fmt not in (RdfFormat.NQUADS, RdfFormat.TRIG):
        msg = f"export writes N-Quads or TriG, not {fmt.value}"
        raise UnsupportedFormatError(msg, details={"format": fmt.value})


def wrong_format(kind: ResultKind, media_type: str) -> UnsupportedQueryFormError:
    """The error for an answer that cannot be written in the media type asked for."""
    offered = {
        ResultKind.SOLUTIONS: SOLUTION_FORMATS,
        ResultKind.BOOLEAN: BOOLEAN_FORMATS,
        ResultKind.GRAPH: GRAPH_FORMATS,
    }[kind]
    msg = (
        f"a {kind.value} answer cannot be written as {media_type}: use one of {', '.join(offered)}"
    )
    return UnsupportedQueryFormError(msg, details={"media_type": media_type, "offered": offered})


def serialize_result(
    result: QueryResult,
    media_type: str,
    *,
    limit: int | None = None,
    prefixes: Mapping[str, str] | None = None,
) -> SerializedResult:
    """A query answer already in memory, cut at ``limit`` and written with rdflib."""
    if isinstance(result, bool):
        if media_type not in BOOLEAN_FORMATS:
            raise wrong_format(ResultKind.BOOLEAN, media_type)
        answer = Result("ASK")
        answer.askAnswer = result
        body = answer.serialize(format=_RDFLIB_RESULTS[media_type])
        return SerializedResult(ResultKind.BOOLEAN, media_type, body or b"", 1, False)
    if isinstance(result, SelectResult):
        if media_type not in SOLUTION_FORMATS:
            raise wrong_format(ResultKind.SOLUTIONS, media_type)
        rows = result.rows if limit is None else result.rows[:limit]
        truncated = len(rows) < len(result.rows)
        if media_type == SPARQL_RESULTS_TSV:
            body = _tsv(result.variables, rows)
        else:
            answer = Result("SELECT")
            names = [Variable(v) for v in result.variables]
            answer.vars = names
            answer.bindings = [
                {v: t for v, t in zip(names, row, strict=True) if t is not None} for row in rows
            ]
            body = answer.serialize(format=_RDFLIB_RESULTS[media_type]) or b""
        return SerializedResult(ResultKind.SOLUTIONS, media_type, body, len(rows), truncated)
    if media_type not in GRAPH_FORMATS:
        raise wrong_format(ResultKind.GRAPH, media_type)
    graph, truncated = result, False
    if limit is not None and len(result) > limit:
        graph, truncated = Graph(), True
        for index, triple in enumerate(result):
            if index >= limit:
                break
            graph.add(triple)
    for prefix, namespace in (prefixes or {}).items():
        graph.bind(prefix, namespace, override=False)
    fmt = {
        RdfFormat.TURTLE: "turtle",
        RdfFormat.NTRIPLES: "nt",
        RdfFormat.JSONLD: "json-ld",
        RdfFormat.RDFXML: "xml",
    }[RdfFormat.parse(media_type)]
    body = graph.serialize(format=fmt, encoding="utf-8")
    return SerializedResult(ResultKind.GRAPH, media_type, body, len(graph), truncated)


_RDFLIB_RESULTS = {
    SPARQL_RESULTS_JSON: "json",
    SPARQL_RESULTS_XML: "xml",
    SPARQL_RESULTS_CSV: "csv",
}


def _tsv(variables: Sequence[str], rows: Sequence[tuple[Term | None, ...]]) -> bytes:
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines.extend("\t".join("" if t is None else _tsv_term(t) for t in row) for row in rows)
    return ("\n".join(lines) + "\n").encode("utf-8")


def _tsv_term(term: Term) -> str:
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    text = (
        str(term)
        .replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    if term.language:
        return f'"{text}"@{term.language}'
    if term.datatype is not None and term.datatype != XSD.string:
        return f'"{text}"^^<{term.datatype}>'
    return f'"{text}"'


@dataclass
class _Operation:
    kind: str  # "insert" | "delete" | "drop"
    graph: URIRef
    triples: list[Triple] = field(default_factory=list)


class Transaction:
    """Writes collected and applied together, all or nothing, when the block ends.

    >>> with store.transaction() as tx:            # doctest: +SKIP
    ...     tx.drop_graph(g)
    ...     tx.load(data, RdfFormat.TURTLE, graph=g)

    Input is parsed when the call is made, so a syntax error surfaces before
    anything is written. An exception inside the block discards every write.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._operations: list[_Operation] = []
        self._open = True

    def add(self, triples: Iterable[Triple], *, graph: URIRef) -> None:
        """Add triples to a named graph."""
        self._check_open()
        self._store._check_graph(graph)
        self._operations.append(_Operation("insert", graph, list(triples)))

    def remove(self, triples: Iterable[Triple], *, graph: URIRef) -> None:
        """Remove triples from a named graph (blank nodes cannot be named here)."""
        self._check_open()
        self._store._check_graph(graph)
        self._operations.append(_Operation("delete", graph, list(triples)))

    def drop_graph(self, graph: URIRef) -> None:
        """Remove a named graph and all its triples."""
        self._check_open()
        self._store._check_graph(graph)
        self._operations.append(_Operation("drop", graph))

    def load(
        self, source: Source, fmt: RdfFormat, *, graph: URIRef, base_iri: str | None = None
    ) -> int:
        """Parse ``source`` now and add its triples to ``graph`` at commit; returns their number."""
        self._check_open()
        triples = self._store.parse(source, fmt, graph=graph, base_iri=base_iri)
        self.add(triples, graph=graph)
        return len(triples)

    def put_graph(self, graph: URIRef, content: Graph) -> int:
        """Make ``graph`` hold exactly the triples of an rdflib graph."""
        self.drop_graph(graph)
        triples: list[Triple] = [(s, p, o) for s, p, o in content]  # type: ignore[misc]
        self.add(triples, graph=graph)
        return len(triples)

    def _check_open(self) -> None:
        if not self._open:
            msg = "this transaction has ended; start a new one with store.transaction()"
            raise RuntimeError(msg)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._open = False
        if exc_type is None and self._operations:
            self._store._apply(self._operations)


LoadProgress = Callable[[str, int, int], None]
"""Called as ``progress(description, done, total)`` while a large load is sent."""


class Store(abc.ABC):
    """A quad store of named graphs, queried with SPARQL 1.1 over the union of its graphs."""

    read_only: bool
    separate_values = False
    """Bind each variable in a ``VALUES`` block of its own (for engines that need it)."""
    load_progress: LoadProgress | None = None
    """Told how far a large load has got, where a backend sends it in batches (remote)."""

    # -- reading -----------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graphs: Sequence[URIRef] | None = None,
        named_graphs: Sequence[URIRef] | None = None,
    ) -> QueryResult:
        """Run a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE).

        ``bindings`` joins typed terms to variables of the top-level pattern. ``default_graphs``
        narrows the default graph to the union of the given graphs (all named
        graphs when omitted, unless the query names its own with ``FROM``);
        ``named_graphs`` narrows what ``GRAPH`` sees.
        Federated queries (SERVICE) are refused before the engine sees them.
        """
        refuse_federation(sparql)
        if bindings:
            terms = {name: self._sparql_term(term) for name, term in bindings.items()}
            sparql = bind_values(sparql, terms, separate=self.separate_values)
        return self._query(sparql, default_graphs=default_graphs, named_graphs=named_graphs)

    @abc.abstractmethod
    def _query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[URIRef] | None,
        named_graphs: Sequence[URIRef] | None,
    ) -> QueryResult:
        """Run a query the interface has already checked and bound."""

    @abc.abstractmethod
    def _sparql_term(self, term: Term) -> str:
        """A term in N-Triples syntax, checked; ``BindingError`` for a blank node."""

    def select(self, sparql: str, **options: Unpack[QueryOptions]) -> SelectResult:
        """Run a SELECT query."""
        return _expect(SelectResult, "a SELECT", self.query(sparql, **options))

    def ask(self, sparql: str, **options: Unpack[QueryOptions]) -> bool:
        """Run an ASK query."""
        return _expect(bool, "an ASK", self.query(sparql, **options))

    def construct(self, sparql: str, **options: Unpack[QueryOptions]) -> Graph:
        """Run a CONSTRUCT or DESCRIBE query."""
        return _expect(Graph, "a CONSTRUCT or DESCRIBE", self.query(sparql, **options))

    def query_serialized(
        self,
        sparql: str,
        *,
        media_type: str,
        default_graphs: Sequence[URIRef] | None = None,
        named_graphs: Sequence[URIRef] | None = None,
        limit: int | None = None,
        deadline: float | None = None,
        prefixes: Mapping[str, str] | None = None,
        base_iri: str | None = None,
    ) -> SerializedResult:
        """Run a query and write its answer in ``media_type``.

        SELECT answers in ``SOLUTION_FORMATS``, ASK in ``BOOLEAN_FORMATS``, CONSTRUCT and
        DESCRIBE in ``GRAPH_FORMATS``; another combination raises
        ``UnsupportedQueryFormError``. At most ``limit`` rows or triples are written
        (``truncated`` says when there were more). ``deadline`` is a ``time.monotonic()``
        value: once it has passed, the store stops at the next result it reads and
        raises ``QueryTimeoutError`` (an engine busy before its first result cannot be
        interrupted; callers that must answer on time run this in a worker thread).
        ``prefixes`` are used by graph formats that abbreviate IRIs; ``base_iri``
        resolves the query's relative IRIs (the query's own ``BASE`` wins). Federated
        queries are refused before the engine sees them.
        """
        refuse_federation(sparql)
        if limit is not None and limit < 0:
            msg = "limit must be zero or more"
            raise ValueError(msg)
        check_deadline(deadline)
        return self._query_serialized(
            sparql,
            media_type=media_type,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            limit=limit,
            deadline=deadline,
            prefixes=prefixes,
            base_iri=base_iri,
        )

    def _query_serialized(
        self,
        sparql: str,
        *,
        media_type: str,
        default_graphs: Sequence[URIRef] | None,
        named_graphs: Sequence[URIRef] | None,
        limit: int | None,
        deadline: float | None,
        prefixes: Mapping[str, str] | None,
        base_iri: str | None,
    ) -> SerializedResult:
        """Generic version: the whole answer from ``_query``, then cut and written with rdflib.

        The deadline is checked once the engine has answered; an answer that came too
        late is dropped. The base IRI becomes a ``BASE`` declaration written by the
        store's term writer (which checks it). A backend that can stream overrides this.
        """
        if base_iri is not None:
            sparql = f"BASE {self._sparql_term(URIRef(base_iri))}\n{sparql}"
        result = self._query_within(sparql, default_graphs, named_graphs, deadline)
        check_deadline(deadline)
        return serialize_result(result, media_type, limit=limit, prefixes=prefixes)

    def _query_within(
        self,
        sparql: str,
        default_graphs: Sequence[URIRef] | None,
        named_graphs: Sequence[URIRef] | None,
        deadline: float | None,
    ) -> QueryResult:
        """``_query`` for ``_query_serialized``; a backend that can tell its engine the
        deadline overrides this."""
        return self._query(sparql, default_graphs=default_graphs, named_graphs=named_graphs)

    def triples_about(
        self, subjects: Iterable[URIRef], *, graphs: Sequence[URIRef] | None = None
    ) -> Graph:
        """Every triple whose subject is one of ``subjects``, from all graphs or those named."""
        result = Graph()
        for subject in subjects:
            result += self.construct(
                "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                bindings={"s": subject},
                default_graphs=list(graphs) if graphs is not None else None,
            )
        return result

    @abc.abstractmethod
    def graphs(self) -> list[URIRef]:
        """The named graphs of the store, sorted."""

    @abc.abstractmethod
    def count(self, graph: URIRef | None = None) -> int:
        """Triples in one named graph, or quads in the whole store."""

    @abc.abstractmethod
    def export(
        self,
        destination: Path | IO[bytes],
        fmt: RdfFormat = RdfFormat.NQUADS,
        *,
        graphs: Sequence[URIRef] | None = None,
    ) -> int:
        """Write named graphs (all when omitted) as N-Quads or TriG; returns the quads written."""

    @abc.abstractmethod
    def parse(
        self, source: Source, fmt: RdfFormat, *, graph: URIRef, base_iri: str | None = None
    ) -> list[Triple]:
        """Parse RDF meant for ``graph``; named graphs other than ``graph`` are refused."""

    # -- writing -----------------------------------------------------------------

    def transaction(self) -> Transaction:
        """Group writes so they are applied together or not at all."""
        self._check_writable()
        return Transaction(self)

    def load(
        self, source: Source, fmt: RdfFormat, *, graph: URIRef, base_iri: str | None = None
    ) -> int:
        """Add the triples of ``source`` to ``graph`` in one transaction; returns their number."""
        with self.transaction() as tx:
            return tx.load(source, fmt, graph=graph, base_iri=base_iri)

    def replace_graph(
        self, graph: URIRef, source: Source, fmt: RdfFormat, *, base_iri: str | None = None
    ) -> int:
        """Atomically make ``graph`` hold exactly the triples of ``source``."""
        with self.transaction() as tx:
            tx.drop_graph(graph)
            return tx.load(source, fmt, graph=graph, base_iri=base_iri)

    def put_graph(self, graph: URIRef, content: Graph) -> int:
        """Atomically make ``graph`` hold exactly the triples of an rdflib graph."""
        with self.transaction() as tx:
            return tx.put_graph(graph, content)

    def drop_graph(self, graph: URIRef) -> None:
        """Remove a named graph and all its triples."""
        with self.transaction() as tx:
            tx.drop_graph(graph)

    def sync_graph(self, graph: URIRef, path: Path) -> tuple[int, int]:
        """Make ``graph`` hold exactly the triples of an N-Triples file, writing only the
        differences; returns (triples added, triples removed).

        For large graphs that are replaced as a whole by imports: an import run again on
        the same file changes nothing. This default drops the graph and bulk-loads the
        file; backends that can compare cheaply do better. The file comes from an
        importer's sink, which checks every IRI it writes, so a backend may parse it
        without validating terms again.
        """
        before = self.count(graph)
        self.drop_graph(graph)
        self.bulk_load(path, RdfFormat.NTRIPLES, graph=graph)
        return self.count(graph), before

    @abc.abstractmethod
    def bulk_load(self, source: Source, fmt: RdfFormat, *, graph: URIRef) -> None:
        """Fast, non-transactional load of a large file into a graph nobody reads yet."""

    @abc.abstractmethod
    def optimize(self) -> None:
        """Let the engine reorganise its files after large writes (a no-op where not needed).

        The embedded store compacts in the background after ``bulk_load``; queries run
        slower until it is done. Calling this finishes the work before returning.
        """

    @abc.abstractmethod
    def load_dataset(self, source: Source, fmt: RdfFormat) -> int:
        """Add quads that keep their own graph names (a restored export); returns how many."""

    @abc.abstractmethod
    def _apply(self, operations: Sequence[_Operation]) -> None:
        """Apply a transaction's operations atomically."""

    @abc.abstractmethod
    def _check_graph(self, graph: URIRef) -> None:
        """Refuse a graph name writes may not target."""

    def _check_writable(self) -> None:
        if self.read_only:
            msg = "this store was opened read-only; open it without --read-only to write"
            raise ReadOnlyStoreError(msg)

    # -- lifecycle ---------------------------------------------------------------

    @abc.abstractmethod
    def close(self) -> None:
        """Flush and release the store."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

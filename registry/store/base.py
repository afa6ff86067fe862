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
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import IO, Self, TypedDict, TypeVar, Unpack

from rdflib import BNode, Graph, Literal, URIRef

from registry.errors import ReadOnlyStoreError, UnsupportedFormatError, UnsupportedQueryFormError
from registry.sparql import bind_values, refuse_federation

Term = URIRef | BNode | Literal
Triple = tuple[URIRef | BNode, URIRef, Term]
Source = bytes | str | Path | IO[bytes]
"""RDF input: raw bytes, text, a file path, or a binary file object."""


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


class Store(abc.ABC):
    """A quad store of named graphs, queried with SPARQL 1.1 over the union of its graphs."""

    read_only: bool

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
        graphs when omitted); ``named_graphs`` narrows what ``GRAPH`` sees.
        Federated queries (SERVICE) are refused before the engine sees them.
        """
        refuse_federation(sparql)
        if bindings:
            terms = {name: self._sparql_term(term) for name, term in bindings.items()}
            sparql = bind_values(sparql, terms)
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

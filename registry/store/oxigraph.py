"""The embedded backend: a pyoxigraph store on disk (RocksDB).

Writes go through one SPARQL Update request per transaction, which Oxigraph
applies atomically; terms are turned into Oxigraph terms first (which checks
IRIs) and written in their N-Triples form, so no caller text is ever pasted
into the update.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from registry.errors import (
    BindingError,
    GraphScopeError,
    InputError,
    QueryError,
    RdfSyntaxError,
    RemoteContextError,
    StoreError,
    StoreUnavailableError,
    UnsupportedFormatError,
)
from registry.store.base import (
    QueryResult,
    RdfFormat,
    SelectResult,
    Source,
    Store,
    Term,
    Triple,
    _Operation,
)

_FORMATS = {
    RdfFormat.TURTLE: ox.RdfFormat.TURTLE,
    RdfFormat.TRIG: ox.RdfFormat.TRIG,
    RdfFormat.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    RdfFormat.NQUADS: ox.RdfFormat.N_QUADS,
    RdfFormat.JSONLD: ox.RdfFormat.JSON_LD,
    RdfFormat.RDFXML: ox.RdfFormat.RDF_XML,
}
_RESERVED_GRAPH_PREFIXES = ("urn:x-commensura:",)

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


# -- term conversion -------------------------------------------------------------


def to_ox(term: Term) -> OxTerm:
    """An rdflib term as an Oxigraph term; an invalid IRI raises ``InputError``."""
    try:
        if isinstance(term, URIRef):
            return ox.NamedNode(str(term))
        if isinstance(term, BNode):
            return ox.BlankNode(str(term))
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype is not None:
                return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
            return ox.Literal(str(term))
    except ValueError as exc:
        msg = f"{str(term)[:200]!r} is not a valid RDF term: {exc}"
        raise InputError(msg, details={"term": str(term)[:200]}) from exc
    msg = f"unsupported RDF term type {type(term).__name__}"
    raise InputError(msg)


def from_ox(term: Any) -> Term:
    """An Oxigraph term as an rdflib term (xsd:string literals become plain literals)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == str(XSD.string):
            return Literal(term.value)
        if datatype == str(RDF.langString):  # pragma: no cover - always has a language
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    msg = f"RDF-star triple terms are not supported here: {term}"
    raise InputError(msg)


def _graph_node(graph: URIRef) -> ox.NamedNode:
    node = to_ox(graph)
    if not isinstance(node, ox.NamedNode):  # pragma: no cover - URIRef always maps to NamedNode
        raise GraphScopeError("a graph name must be an IRI")
    return node


def _read_args(source: Source) -> dict[str, Any]:
    if isinstance(source, Path):
        if not source.is_file():
            msg = f"no file at {source}"
            raise InputError(msg, details={"path": str(source)})
        return {"path": source}
    return {"input": source}


def _syntax_error(exc: Exception, fmt: RdfFormat) -> InputError:
    text = str(exc)
    if "LoadDocumentCallback" in text or "remote context" in text.lower():
        msg = (
            "the JSON-LD document refers to a remote @context; Commensura never fetches "
            "anything from the network: embed the context in the document instead"
        )
        return RemoteContextError(msg, details={"format": fmt.value})
    msg = f"the {fmt.value} input is not valid: {text}"
    details: dict[str, object] = {"format": fmt.value, "error": text}
    line, column = getattr(exc, "lineno", None), getattr(exc, "offset", None)
    if isinstance(line, int):
        details["line"] = line
        if isinstance(column, int):
            details["column"] = column
    return RdfSyntaxError(msg, details=details)


class OxigraphStore(Store):
    """A Commensura store backed by pyoxigraph, on disk at ``path``."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self._count_cache: dict[str, int] = {}
        try:
            if read_only:
                if not (path / "CURRENT").is_file():
                    msg = (
                        f"there is no store at {path}: build one with `commensura build "
                        f"--store {path}`"
                    )
                    raise StoreUnavailableError(msg, details={"path": str(path)})
                self._store = self._open_read_only(path)
            else:
                if path.is_dir() and not (path / "CURRENT").is_file() and any(path.iterdir()):
                    msg = (
                        f"{path} holds other files and is not a Commensura store: name a new or "
                        "empty folder for the store"
                    )
                    raise StoreUnavailableError(msg, details={"path": str(path)})
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                msg = (
                    f"the store at {path} is in use by another process (for example a running "
                    "`commensura serve`): stop that process, or open the store read-only"
                )
            else:
                msg = f"cannot open the store at {path}: {exc}"
            raise StoreUnavailableError(msg, details={"path": str(path)}) from exc

    @staticmethod
    def _open_read_only(path: Path, attempts: int = 5) -> ox.Store:
        """Open a read-only view; retried while a writing process swaps its files underneath."""
        for attempt in range(1, attempts + 1):
            try:
                return ox.Store.read_only(str(path))
            except RuntimeError as exc:
                if attempt == attempts:
                    msg = (
                        f"cannot open the store at {path} read-only while another process keeps "
                        f"rewriting it ({exc}); try again, or stop the writing process"
                    )
                    raise StoreUnavailableError(msg, details={"path": str(path)}) from exc
                time.sleep(0.05 * attempt)
        raise AssertionError  # pragma: no cover - the loop returns or raises

    # -- reading -----------------------------------------------------------------

    def _sparql_term(self, term: Term) -> str:
        if isinstance(term, BNode):
            msg = "a blank node cannot be bound: it has no identity outside its graph"
            raise BindingError(msg)
        return str(to_ox(term))

    def _query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[URIRef] | None,
        named_graphs: Sequence[URIRef] | None,
    ) -> QueryResult:
        options: dict[str, Any] = {}
        if default_graphs is None:
            options["use_default_graph_as_union"] = True
        else:
            options["default_graph"] = [_graph_node(g) for g in default_graphs]
        if named_graphs is not None:
            options["named_graphs"] = [_graph_node(g) for g in named_graphs]
        try:
            result = self._store.query(sparql, **options)
            if isinstance(result, ox.QueryBoolean):
                return bool(result)
            if isinstance(result, ox.QuerySolutions):
                variables = tuple(v.value for v in result.variables)
                width = range(len(variables))
                rows = tuple(
                    tuple(None if (t := solution[i]) is None else from_ox(t) for i in width)
                    for solution in result
                )
                return SelectResult(variables, rows)
            graph = Graph()
            for triple in result:
                graph.add(
                    (from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object))
                )
            return graph
        except SyntaxError as exc:
            msg = f"the SPARQL query is not valid: {exc}"
            raise QueryError(msg, details={"error": str(exc)}) from exc
        except RuntimeError as exc:
            msg = f"the query failed: {exc}"
            raise QueryError(msg, details={"error": str(exc)}) from exc
        except OSError as exc:
            msg = f"the store could not be read: {exc}"
            raise StoreError(msg) from exc

    def triples_about(
        self, subjects: Iterable[URIRef], *, graphs: Sequence[URIRef] | None = None
    ) -> Graph:
        result = Graph()
        wanted = None if graphs is None else {str(g) for g in graphs}
        for subject in subjects:
            for quad in self._store.quads_for_pattern(to_ox(subject), None, None, None):  # type: ignore[arg-type]
                name = quad.graph_name
                if wanted is not None and (
                    not isinstance(name, ox.NamedNode) or name.value not in wanted
                ):
                    continue
                result.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
        return result

    def graphs(self) -> list[URIRef]:
        names = (g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))
        return [URIRef(n) for n in sorted(names)]

    def count(self, graph: URIRef | None = None) -> int:
        key = "" if graph is None else str(graph)
        if key not in self._count_cache:
            if graph is None:
                self._count_cache[key] = len(self._store)
            else:
                solutions = self._store.query(
                    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=_graph_node(graph)
                )
                assert isinstance(solutions, ox.QuerySolutions)  # noqa: S101 - SELECT always
                self._count_cache[key] = int(next(iter(solutions))[0].value)
        return self._count_cache[key]

    def export(
        self,
        destination: Path | IO[bytes],
        fmt: RdfFormat = RdfFormat.NQUADS,
        *,
        graphs: Sequence[URIRef] | None = None,
    ) -> int:
        if fmt not in (RdfFormat.NQUADS, RdfFormat.TRIG):
            msg = f"export writes N-Quads or TriG, not {fmt.value}"
            raise UnsupportedFormatError(msg, details={"format": fmt.value})
        names = self.graphs() if graphs is None else list(graphs)
        written = 0

        def quads() -> Iterator[ox.Quad]:
            nonlocal written
            for name in names:
                for quad in self._store.quads_for_pattern(None, None, None, _graph_node(name)):
                    written += 1
                    yield quad

        if isinstance(destination, Path):
            with destination.open("wb") as out:
                ox.serialize(quads(), out, _FORMATS[fmt])
        else:
            ox.serialize(quads(), destination, _FORMATS[fmt])
        return written

    def parse(
        self, source: Source, fmt: RdfFormat, *, graph: URIRef, base_iri: str | None = None
    ) -> list[Triple]:
        self._check_graph(graph)
        target = str(graph)
        triples: list[Triple] = []
        for quad in self._parse(source, fmt, base_iri):
            name = quad.graph_name
            if isinstance(name, ox.NamedNode) and name.value != target:
                msg = (
                    f"the input puts triples in the graph <{name.value}>, but it is being loaded "
                    f"into <{target}>: send the triples without a graph name, or in that graph"
                )
                raise GraphScopeError(msg, details={"graph": name.value, "target": target})
            if isinstance(name, ox.BlankNode):
                msg = "the input uses a blank node as a graph name; name the graph with an IRI"
                raise GraphScopeError(msg)
            triples.append(
                (from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object))  # type: ignore[arg-type]
            )
        return triples

    def _parse(self, source: Source, fmt: RdfFormat, base_iri: str | None) -> list[ox.Quad]:
        try:
            return list(
                ox.parse(
                    format=_FORMATS[fmt],
                    base_iri=base_iri,
                    rename_blank_nodes=True,
                    **_read_args(source),
                )
            )
        except (SyntaxError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
            raise _syntax_error(exc, fmt) from exc

    # -- writing -----------------------------------------------------------------

    def _check_graph(self, graph: URIRef) -> None:
        if not isinstance(graph, URIRef):
            msg = "a graph name must be an IRI"
            raise GraphScopeError(msg)
        if str(graph).startswith(_RESERVED_GRAPH_PREFIXES):
            msg = f"<{graph}> is reserved for Commensura's own use"
            raise GraphScopeError(msg, details={"graph": str(graph)})
        _graph_node(graph)

    def _apply(self, operations: Sequence[_Operation]) -> None:
        self._check_writable()
        parts: list[str] = []
        for op in operations:
            graph = str(_graph_node(op.graph))
            if op.kind == "drop":
                parts.append(f"DROP SILENT GRAPH {graph}")
                continue
            if not op.triples:
                continue
            if op.kind == "delete" and any(
                isinstance(t, BNode) for triple in op.triples for t in triple
            ):
                msg = "triples with blank nodes cannot be removed one by one; replace the graph"
                raise InputError(msg)
            body = " .\n".join(f"{to_ox(s)} {to_ox(p)} {to_ox(o)}" for s, p, o in op.triples)
            verb = "INSERT DATA" if op.kind == "insert" else "DELETE DATA"
            parts.append(f"{verb} {{ GRAPH {graph} {{\n{body} .\n}} }}")
        if not parts:
            return
        try:
            self._store.update(" ;\n".join(parts))
        except (SyntaxError, ValueError) as exc:  # pragma: no cover - terms are checked above
            msg = f"the write could not be applied: {exc}"
            raise StoreError(msg) from exc
        except OSError as exc:
            msg = f"the store could not be written: {exc}"
            raise StoreError(msg) from exc
        finally:
            self._count_cache.clear()

    def bulk_load(self, source: Source, fmt: RdfFormat, *, graph: URIRef) -> None:
        self._check_writable()
        self._check_graph(graph)
        if fmt.is_dataset:
            msg = f"bulk_load reads triple formats only, not {fmt.value}; use load()"
            raise UnsupportedFormatError(msg, details={"format": fmt.value})
        try:
            self._store.bulk_load(
                format=_FORMATS[fmt], to_graph=_graph_node(graph), **_read_args(source)
            )
        except (SyntaxError, ValueError) as exc:
            raise _syntax_error(exc, fmt) from exc
        finally:
            self._count_cache.clear()

    def optimize(self) -> None:
        self._check_writable()
        try:
            self._store.optimize()
        except OSError as exc:
            msg = f"the store could not be optimised: {exc}"
            raise StoreError(msg) from exc

    def load_dataset(self, source: Source, fmt: RdfFormat) -> int:
        self._check_writable()
        quads = self._parse(source, fmt, None)
        for quad in quads:
            name = quad.graph_name
            if not isinstance(name, ox.NamedNode):
                msg = (
                    "the input has triples outside any named graph; a dataset to restore must "
                    "put every triple in a named graph"
                )
                raise GraphScopeError(msg)
            self._check_graph(URIRef(name.value))
        try:
            self._store.extend(quads)
        except OSError as exc:
            msg = f"the store could not be written: {exc}"
            raise StoreError(msg) from exc
        finally:
            self._count_cache.clear()
        return len(quads)

    def close(self) -> None:
        if not self.read_only:
            self._store.flush()
        del self._store

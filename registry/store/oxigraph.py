"""The embedded backend: a pyoxigraph store on disk (RocksDB).

Writes go through one SPARQL Update request per transaction, which Oxigraph
applies atomically; terms are turned into Oxigraph terms first (which checks
IRIs) and written in their N-Triples form, so no caller text is ever pasted
into the update.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
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
    GRAPH_FORMATS,
    SPARQL_RESULTS_CSV,
    SPARQL_RESULTS_JSON,
    SPARQL_RESULTS_TSV,
    SPARQL_RESULTS_XML,
    QueryResult,
    RdfFormat,
    ResultKind,
    SelectResult,
    SerializedResult,
    Source,
    Store,
    Term,
    Triple,
    _Operation,
    check_deadline,
    check_export_format,
    names_dataset,
    note_write,
    serialize_result,
    wrong_format,
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


def write_quads(quads: Iterable[ox.Quad], destination: Path | IO[bytes], fmt: RdfFormat) -> None:
    """Write quads as N-Quads or TriG to a file path or a binary stream."""
    if isinstance(destination, Path):
        with destination.open("wb") as out:
            ox.serialize(quads, out, _FORMATS[fmt])
    else:
        ox.serialize(quads, destination, _FORMATS[fmt])


def parse_quads(source: Source, fmt: RdfFormat, base_iri: str | None) -> list[ox.Quad]:
    """Parse RDF input with Oxigraph's parsers (blank nodes renamed apart); ``InputError``
    subclasses for syntax errors and remote JSON-LD contexts."""
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


def parse_triples(
    source: Source, fmt: RdfFormat, *, graph: URIRef, base_iri: str | None = None
) -> list[Triple]:
    """Parse RDF meant for ``graph`` into rdflib triples; other graph names are refused."""
    target = str(graph)
    triples: list[Triple] = []
    for quad in parse_quads(source, fmt, base_iri):
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


# -- queries -----------------------------------------------------------------------

_BOOLEAN_FORMATS = {
    SPARQL_RESULTS_JSON: ox.QueryResultsFormat.JSON,
    SPARQL_RESULTS_XML: ox.QueryResultsFormat.XML,
}
_SOLUTION_FORMATS = {
    **_BOOLEAN_FORMATS,
    SPARQL_RESULTS_CSV: ox.QueryResultsFormat.CSV,
    SPARQL_RESULTS_TSV: ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {media_type: _FORMATS[RdfFormat.parse(media_type)] for media_type in GRAPH_FORMATS}
_ABBREVIATING = (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML)


def _dataset_options(
    sparql: str, default_graphs: Sequence[URIRef] | None, named_graphs: Sequence[URIRef] | None
) -> dict[str, Any]:
    """The engine's dataset options: graphs the caller names win, then the query's own FROM."""
    options: dict[str, Any] = {}
    if default_graphs is not None:
        options["default_graph"] = [_graph_node(g) for g in default_graphs]
    elif named_graphs is not None or not names_dataset(sparql):
        options["use_default_graph_as_union"] = True
    if named_graphs is not None:
        options["named_graphs"] = [_graph_node(g) for g in named_graphs]
    return options


@contextmanager
def _engine_errors() -> Iterator[None]:
    """Engine exceptions as registry errors."""
    try:
        yield
    except SyntaxError as exc:
        msg = f"the SPARQL query is not valid: {exc}"
        raise QueryError(msg, details={"error": str(exc)}) from exc
    except RuntimeError as exc:
        msg = f"the query failed: {exc}"
        raise QueryError(msg, details={"error": str(exc)}) from exc
    except OSError as exc:
        msg = f"the store could not be read: {exc}"
        raise StoreError(msg) from exc


def _detach(error: BaseException) -> None:
    """Drop the frames an error (and the errors it chains) holds, keeping its traceback as text."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if current.__traceback__ is not None:
            text = "".join(traceback.format_tb(current.__traceback__))
            current.add_note(f"raised in a query worker at:\n{text}")
            current.__traceback__ = None
        current = current.__cause__ or current.__context__


def _written(body: bytes | None) -> bytes:
    return body or b""


def _nt(term: Any) -> str:
    """A term in the syntax of SPARQL TSV results (N-Triples, with RDF 1.2 triple terms)."""
    if isinstance(term, ox.Triple):
        return f"<<( {_nt(term.subject)} {_nt(term.predicate)} {_nt(term.object)} )>>"
    return str(term)


def _write_solutions(
    result: ox.QuerySolutions, media_type: str, limit: int | None, deadline: float | None
) -> SerializedResult:
    fmt = _SOLUTION_FORMATS.get(media_type)
    if fmt is None:
        raise wrong_format(ResultKind.SOLUTIONS, media_type)
    variables = [v.value for v in result.variables]
    rows: list[ox.QuerySolution] = []
    truncated = False
    for solution in result:
        check_deadline(deadline)
        if limit is not None and len(rows) >= limit:
            truncated = True
            break
        rows.append(solution)
    body = _solutions_body(variables, rows, media_type, fmt)
    return SerializedResult(ResultKind.SOLUTIONS, media_type, body, len(rows), truncated)


def _solutions_body(
    variables: list[str],
    rows: list[ox.QuerySolution],
    media_type: str,
    fmt: ox.QueryResultsFormat,
) -> bytes:
    """Rows written as TSV, then read back by Oxigraph and written by its own writer."""
    if not variables:
        return _empty_solutions(len(rows), media_type)
    width = range(len(variables))
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines.extend(
        "\t".join("" if (term := row[i]) is None else _nt(term) for i in width) for row in rows
    )
    tsv = "\n".join(lines) + "\n"
    if media_type == SPARQL_RESULTS_TSV:
        return tsv.encode("utf-8")
    try:
        solutions = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)
        return _written(solutions.serialize(format=fmt))
    except (SyntaxError, ValueError):  # pragma: no cover - a term Oxigraph cannot read back
        converted = tuple(
            tuple(None if (term := row[i]) is None else from_ox(term) for i in width)
            for row in rows
        )
        return serialize_result(SelectResult(tuple(variables), converted), media_type).body


def _empty_solutions(count: int, media_type: str) -> bytes:
    """Solutions without variables (``SELECT * {}``): only their number is information."""
    if media_type == SPARQL_RESULTS_JSON:
        return b'{"head":{"vars":[]},"results":{"bindings":[' + b",".join([b"{}"] * count) + b"]}}"
    if media_type == SPARQL_RESULTS_XML:
        return (
            b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            b"<head/><results>" + b"<result/>" * count + b"</results></sparql>"
        )
    newline = b"\r\n" if media_type == SPARQL_RESULTS_CSV else b"\n"
    return newline * (count + 1)


def _write_triples(
    result: ox.QueryTriples,
    media_type: str,
    limit: int | None,
    deadline: float | None,
    prefixes: Mapping[str, str] | None,
) -> SerializedResult:
    fmt = _GRAPH_FORMATS.get(media_type)
    if fmt is None:
        raise wrong_format(ResultKind.GRAPH, media_type)
    triples: list[ox.Triple] = []
    seen: set[ox.Triple] = set()
    truncated = False
    for triple in result:
        check_deadline(deadline)
        if triple in seen:
            continue
        if limit is not None and len(triples) >= limit:
            truncated = True
            break
        seen.add(triple)
        triples.append(triple)
    used = _used_prefixes(triples, prefixes) if prefixes and fmt in _ABBREVIATING else None
    body = _written(ox.serialize(triples, format=fmt, prefixes=used))
    return SerializedResult(ResultKind.GRAPH, media_type, body, len(triples), truncated)


def _used_prefixes(triples: Iterable[ox.Triple], prefixes: Mapping[str, str]) -> dict[str, str]:
    """The prefixes whose namespace some IRI of the triples is directly in."""
    namespaces: set[str] = set()
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.NamedNode | ox.Literal):
                iri = term.datatype.value if isinstance(term, ox.Literal) else term.value
                cut = max(iri.rfind("#"), iri.rfind("/"))
                namespaces.add(iri[: cut + 1])
    return {prefix: ns for prefix, ns in prefixes.items() if ns in namespaces}


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

    def _changed(self) -> None:
        self._count_cache.clear()
        note_write()

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
        options = _dataset_options(sparql, default_graphs, named_graphs)
        with _engine_errors():
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
        """Stream from the engine: read at most ``limit`` + 1 results, checking the deadline.

        Solutions are written by Oxigraph's own result writers (through its TSV
        reader, the one way to hand it rows we chose), graphs by its RDF writers.

        The engine's result iterators may only be released by the thread that made
        them, and callers run this in worker threads and re-raise its errors
        elsewhere: an error leaves here without the frames that hold them (its
        traceback is kept as text, in a note).
        """
        options = _dataset_options(sparql, default_graphs, named_graphs)
        if base_iri is not None:
            options["base_iri"] = str(to_ox(URIRef(base_iri)).value)
        try:
            return self._serialized(sparql, options, media_type, limit, deadline, prefixes)
        except Exception as exc:
            _detach(exc)
            raise

    def _serialized(
        self,
        sparql: str,
        options: dict[str, Any],
        media_type: str,
        limit: int | None,
        deadline: float | None,
        prefixes: Mapping[str, str] | None,
    ) -> SerializedResult:
        with _engine_errors():
            result = self._store.query(sparql, **options)
            if isinstance(result, ox.QueryBoolean):
                fmt = _BOOLEAN_FORMATS.get(media_type)
                if fmt is None:
                    raise wrong_format(ResultKind.BOOLEAN, media_type)
                return SerializedResult(
                    ResultKind.BOOLEAN, media_type, _written(result.serialize(format=fmt)), 1, False
                )
            if isinstance(result, ox.QuerySolutions):
                return _write_solutions(result, media_type, limit, deadline)
            return _write_triples(result, media_type, limit, deadline, prefixes)

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
        check_export_format(fmt)
        names = self.graphs() if graphs is None else list(graphs)
        written = 0

        def quads() -> Iterator[ox.Quad]:
            nonlocal written
            for name in names:
                for quad in self._store.quads_for_pattern(None, None, None, _graph_node(name)):
                    written += 1
                    yield quad

        write_quads(quads(), destination, fmt)
        return written

    def parse(
        self, source: Source, fmt: RdfFormat, *, graph: URIRef, base_iri: str | None = None
    ) -> list[Triple]:
        self._check_graph(graph)
        return parse_triples(source, fmt, graph=graph, base_iri=base_iri)

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
            self._changed()

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
            self._changed()

    def sync_graph(self, graph: URIRef, path: Path) -> tuple[int, int]:
        """Compare the file with the graph as canonical N-Triples lines; load what is new
        with the bulk loader and delete what is gone, in one update.

        Oxigraph deletes tens of times slower than it bulk-loads, so replacing a graph
        of a million triples by dropping it first would cost minutes; an unchanged
        re-import costs a dump and a parse instead.

        The file is parsed leniently (IRIs and literals are not validated again): it
        comes from an importer's sink, which checks every IRI it writes. That makes the
        bulk loader about a quarter faster (docs/benchmarks.md).
        """
        self._check_writable()
        self._check_graph(graph)
        node = _graph_node(graph)
        current = self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=node)
        if not current:
            try:
                self._store.bulk_load(
                    path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=node, lenient=True
                )
            except (SyntaxError, ValueError) as exc:
                raise _syntax_error(exc, RdfFormat.NTRIPLES) from exc
            except OSError as exc:
                msg = f"the store could not be written: {exc}"
                raise StoreError(msg) from exc
            finally:
                self._changed()
            # One triple a line; counting lines is cheaper than a COUNT over the graph.
            with path.open("rb") as handle:
                lines = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
            return lines, 0
        try:
            canonical = ox.serialize(
                ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES, lenient=True),
                format=ox.RdfFormat.N_TRIPLES,
            )
        except (SyntaxError, ValueError) as exc:
            raise _syntax_error(exc, RdfFormat.NTRIPLES) from exc
        old = set(current.splitlines())
        new = set(canonical.splitlines() if canonical else [])
        gone = old - new
        added = new - old
        del old, new, current, canonical
        try:
            if gone:
                for quad in ox.parse(b"\n".join(gone), format=ox.RdfFormat.N_TRIPLES):
                    self._store.remove(ox.Quad(quad.subject, quad.predicate, quad.object, node))
            if added:
                self._store.bulk_load(
                    b"\n".join(added) + b"\n",
                    format=ox.RdfFormat.N_TRIPLES,
                    to_graph=node,
                    lenient=True,
                )
        except OSError as exc:
            msg = f"the store could not be written: {exc}"
            raise StoreError(msg) from exc
        finally:
            self._changed()
        return len(added), len(gone)

    def optimize(self) -> None:
        self._check_writable()
        try:
            self._store.optimize()
        except OSError as exc:
            msg = f"the store could not be optimised: {exc}"
            raise StoreError(msg) from exc

    def load_dataset(self, source: Source, fmt: RdfFormat) -> int:
        self._check_writable()
        quads = parse_quads(source, fmt, None)
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
            self._changed()
        return len(quads)

    def close(self) -> None:
        if not self.read_only:
            self._store.flush()
        del self._store

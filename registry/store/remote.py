"""The remote backend: an existing SPARQL 1.1 server (Virtuoso, Fuseki, GraphDB, Neptune...).

Reads go over the SPARQL 1.1 Protocol through SPARQLWrapper, always by POST, so a long
query never meets a URL limit. Writes go through SPARQL 1.1 Update and, for large loads,
the Graph Store HTTP Protocol, authenticated (digest or basic) with the configured user.

What such a server does not give, this module builds (docs/deployment.md lists it):

* **All or nothing without transactions.** Over HTTP a server applies one request at a
  time, and Virtuoso not even one request atomically. Every write therefore goes first
  into staging graphs (``urn:x-commensura:staging:N``): batch after batch, checked and
  counted, while the live graphs stay as they were. One last request moves the staged
  content into place (``MOVE``, ``ADD``, ``DROP``); a failure before it drops the staging
  graphs and leaves the store unchanged.
* **No silent cuts.** A server that caps its answers (Virtuoso's ResultSetMaxRows, 10,000
  rows by default) is read in pages. A capped SELECT DISTINCT is first read in unsorted
  pages, kept only if they hold exactly as many rows as the server counts,
  none twice. Otherwise a capped SELECT is asked again with ``ORDER BY`` over
  its own keys and every variable (each by its lexical form first: Virtuoso's order over
  mixed terms is not stable), ``OFFSET`` and ``LIMIT``; a capped CONSTRUCT is read as the
  distinct solutions of its template's variables and filled in here; pages of a DISTINCT
  answer are checked for repeats; an export reads each graph in pages and checks the total
  against a count.
* **Time-outs that stop the server.** Virtuoso is told how long it may work (its
  ``timeout`` parameter); its partial "anytime" answers are refused as time-outs.
* **The store's graphs.** ``graphs()`` and ``count()`` leave the server's own graphs out,
  and ``GRAPH ?g`` sees the store's graphs only (listed as protocol graphs; the list is
  asked again after every write of this process and at most every
  ``graph_list_seconds`` otherwise).

Terms are written by this module's term writer, which checks IRIs and language tags and
escapes literals; caller text never enters a query or an update.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import re
import threading
import time
import urllib.error
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import RDF, XSD
from rdflib.plugins.sparql import prepareQuery
from SPARQLWrapper import SPARQLExceptions, SPARQLWrapper

from registry.config import Settings
from registry.errors import (
    BindingError,
    ConfigurationError,
    GraphScopeError,
    InputError,
    QueryError,
    QueryTimeoutError,
    StoreError,
    StoreUnavailableError,
    UnsupportedFormatError,
)
from registry.sparql import blanked, blanked_strings, substitute_bound
from registry.store.base import (
    QueryResult,
    RdfFormat,
    SelectResult,
    Source,
    Store,
    Term,
    Triple,
    _Operation,
    check_deadline,
    check_export_format,
    content_generation,
    names_dataset,
    note_write,
)
from registry.store.oxigraph import from_ox, parse_quads, parse_triples, write_quads

log = logging.getLogger(__name__)

STAGING_PREFIX = "urn:x-commensura:staging:"
_RESERVED_GRAPH_PREFIXES = ("urn:x-commensura:",)
STAGING_POOL = 32
"""Staging graphs one write may use at most (one per graph it changes)."""

VIRTUOSO_SYSTEM_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)
"""Graphs a Virtuoso database holds of its own; never part of Commensura's union."""

_STAGING_GRAPHS = tuple(f"{STAGING_PREFIX}{n}" for n in range(STAGING_POOL))

_FORM = re.compile(r"(?<![\w:?$@-])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.IGNORECASE)
_FROM_CLAUSE = re.compile(r"(?<![\w:?$@-])FROM(?![\w:-])\s+(?:NAMED(?![\w:-])\s*)?", re.IGNORECASE)
_PREFIXED_NAME = re.compile(r"[A-Za-z0-9_.-]*:[^\s{}()]*")
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*")
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_ORDER_BY = re.compile(r"(?<![\w:?$@-])ORDER\s+BY(?![\w:-])", re.IGNORECASE)
_LIMIT = re.compile(r"(?<![\w:?$@-])LIMIT\s+(\d+)", re.IGNORECASE)
_OFFSET = re.compile(r"(?<![\w:?$@-])OFFSET\s+(\d+)", re.IGNORECASE)
_VALUES = re.compile(r"(?<![\w:?$@-])VALUES(?![\w:-])", re.IGNORECASE)
_DISTINCT = re.compile(r"\s*DISTINCT(?![\w:-])", re.IGNORECASE)
_SQL_STATE = re.compile(r"\b(S1T00|S1TAT|SR171|[0-9A-Z]{5}) Error\b|\b(SR\d{3}|SP\d{3}|SQ\d{3})\b")
_TIMEOUT_STATES = ("S1T00", "S1TAT", "SR171")
_SERVER_FAULT_PREFIXES = ("08", "40", "HY")
_PLAIN_DATATYPES = (str(XSD.string), str(RDF.langString))
_BOOLEAN = str(XSD.boolean)
_BOOLEANS = {"1": "true", "0": "false"}
"""Virtuoso writes stored xsd:boolean values as 1 and 0 in SPARQL results JSON."""
_NO_GRAPH = f"{STAGING_PREFIX}none"
"""A graph nothing is ever written to: an empty default graph or named set."""
_VARIABLE_GRAPH = re.compile(r"(?<![\w:?$@-])GRAPH\s*[?$]", re.IGNORECASE)
_CONSTANT_GRAPH = re.compile(r"(?<![\w:?$@-])GRAPH\s*(?![\s?$])", re.IGNORECASE)
_TOO_EXPENSIVE = "estimated execution time"
_TRANSITIVE_START = "transitive start not given"
_SELECT_JSON = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"


# -- the term writer ----------------------------------------------------------------


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


def iri_text(iri: str) -> str:
    """An IRI in angle brackets, written with raw Unicode; ``InputError`` if it is not one."""
    if not _IRI.fullmatch(iri):
        msg = (
            f"{iri[:200]!r} is not a valid absolute IRI: it needs a scheme and no space, "
            'control character or any of < > " { } | ^ ` \\'
        )
        raise InputError(msg, details={"term": iri[:200]})
    return f"<{iri}>"


def literal_text(term: Literal) -> str:
    """A literal in N-Triples / SPARQL syntax; plain strings carry no ``^^xsd:string``."""
    text = f'"{_escape(str(term))}"'
    if term.language:
        if not _LANGUAGE.fullmatch(term.language):
            msg = f"{term.language!r} is not a valid language tag"
            raise InputError(msg, details={"language": term.language})
        return f"{text}@{term.language}"
    if term.datatype is not None and str(term.datatype) not in (
        str(XSD.string),
        str(RDF.langString),
    ):
        return f"{text}^^{iri_text(str(term.datatype))}"
    return text


class _BlankNodes:
    """Blank-node labels for one request: the same node, the same label; nothing else shared."""

    def __init__(self) -> None:
        self._labels: dict[str, str] = {}

    def __call__(self, node: BNode) -> str:
        key = str(node)
        if key not in self._labels:
            self._labels[key] = f"_:b{len(self._labels)}"
        return self._labels[key]


def term_text(term: Term, blank: _BlankNodes | None = None) -> str:
    """Any term in N-Triples syntax (blank nodes labelled by ``blank``, one per request)."""
    if isinstance(term, URIRef):
        return iri_text(str(term))
    if isinstance(term, Literal):
        return literal_text(term)
    if isinstance(term, BNode):
        if blank is None:
            msg = "a blank node cannot be bound: it has no identity outside its graph"
            raise BindingError(msg)
        return blank(term)
    msg = f"unsupported RDF term type {type(term).__name__}"
    raise InputError(msg)


def _has_blank(triple: Triple) -> bool:
    return isinstance(triple[0], BNode) or isinstance(triple[2], BNode)


def _ox_has_blank(triple: ox.Triple | ox.Quad) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


# -- reading answers ---------------------------------------------------------------


def _json_term(binding: Mapping[str, str]) -> Term:
    kind = binding.get("type")
    value = binding.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value.removeprefix("nodeID://").removeprefix("_:"))
    language = binding.get("xml:lang")
    if language:
        return Literal(value, lang=language)
    datatype = binding.get("datatype")
    if datatype == _BOOLEAN:
        value = _BOOLEANS.get(value, value)
    if datatype and datatype not in _PLAIN_DATATYPES:
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)


def _json_nt(binding: Mapping[str, str], blank_prefix: str = "") -> str:
    """A JSON result term as N-Triples text, without building rdflib terms (for exports)."""
    kind = binding.get("type")
    value = binding.get("value", "")
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        label = re.sub(r"[^A-Za-z0-9]", "_", value.removeprefix("nodeID://").removeprefix("_:"))
        return f"_:{blank_prefix}{label}"
    text = f'"{_escape(value)}"'
    language = binding.get("xml:lang")
    if language:
        return f"{text}@{language}"
    datatype = binding.get("datatype")
    if datatype == _BOOLEAN:
        text = f'"{_BOOLEANS.get(value, value)}"'
    if datatype and datatype not in _PLAIN_DATATYPES:
        return f"{text}^^<{datatype}>"
    return text


@dataclass(frozen=True)
class _Answer:
    """One HTTP answer of the query endpoint: its body and whether the server's cap was hit."""

    body: bytes
    capped: bool


@dataclass
class _Solutions:
    variables: tuple[str, ...]
    bindings: list[dict[str, dict[str, str]]]
    capped: bool


# -- query text --------------------------------------------------------------------


_PATH_REPEAT = re.compile(r"[\w)>][*+](?=[\s/|)?$<(.;,\]])")


def _transitive_path(sparql: str) -> bool:
    """Does the query use a property path with ``*`` or ``+`` (strings and comments aside)?"""
    code = blanked_strings(sparql)
    return _PATH_REPEAT.search(code) is not None


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the form of a query, by its first keyword."""
    match = _FORM.search(blanked(sparql))
    if match is None:
        msg = "the query has no SELECT, ASK, CONSTRUCT or DESCRIBE form"
        raise QueryError(msg)
    return match.group(1).upper()


def strip_dataset(sparql: str) -> str:
    """The query without its ``FROM`` / ``FROM NAMED`` clauses (protocol graphs replace them)."""
    code = blanked(sparql)
    pieces: list[str] = []
    position = 0
    for match in _FROM_CLAUSE.finditer(code):
        start, end = match.start(), match.end()
        if sparql.startswith("<", end):
            stop = sparql.index(">", end) + 1
        else:
            name = _PREFIXED_NAME.match(sparql, end)
            stop = name.end() if name else end
        pieces.append(sparql[position:start])
        position = stop
    pieces.append(sparql[position:])
    return "".join(pieces)


def _template(prologue: str, text: str) -> list[tuple[Any, Any, Any]]:
    """The triple patterns of a CONSTRUCT template (its prefixes from the prologue)."""
    try:
        algebra = prepareQuery(f"{prologue}CONSTRUCT {{{text}}} WHERE {{}}").algebra
    except Exception as exc:  # the parser raises several kinds
        msg = f"the CONSTRUCT template could not be read to fill it in page by page: {exc}"
        raise QueryError(msg) from exc
    return [tuple(triple) for triple in algebra.get("template") or []]


def _filled(
    template: Sequence[tuple[Any, Any, Any]], solution: Mapping[str, Term]
) -> Iterator[tuple[Term, Term, Term]]:
    """A CONSTRUCT template filled in with one solution: a new blank node for each of the
    template's, and no triple where a variable is unbound or a term is out of place."""
    fresh: dict[BNode, BNode] = {}

    def term(pattern: Any) -> Term | None:
        if isinstance(pattern, Variable):
            return solution.get(str(pattern))
        if isinstance(pattern, BNode):
            return fresh.setdefault(pattern, BNode())
        return pattern  # type: ignore[no-any-return]

    for s, p, o in template:
        subject, predicate, value = term(s), term(p), term(o)
        if (
            isinstance(subject, URIRef | BNode)
            and isinstance(predicate, URIRef)
            and value is not None
        ):
            yield subject, predicate, value


def _check_distinct(rows: Sequence[Mapping[str, Mapping[str, str]]]) -> None:
    """Pages of a DISTINCT query that repeat a row have left another one out."""
    seen = {json.dumps(row, sort_keys=True) for row in rows}
    if len(seen) != len(rows):
        msg = (
            "the SPARQL server returned the pages of a large answer in an unstable order "
            f"({len(rows) - len(seen)} rows repeated, as many missing); nothing was kept. "
            "Raise the server's result-row cap or ask for a smaller answer"
        )
        raise StoreError(msg, details={"rows": len(rows), "distinct": len(seen)})


def _countable(code: str, form: re.Match[str], parts: _Modifiers) -> bool:
    """Whether a capped SELECT may be read in unsorted, counted pages: the whole answer
    (no ORDER BY, LIMIT or OFFSET of its own) of a query that is a valid subquery (no
    FROM clause, no trailing VALUES)."""
    if parts.order or parts.limit is not None or parts.offset or parts.values:
        return False
    where = code.find("{", form.end())
    return _FROM_CLAUSE.search(code, form.end(), where) is None


def _matching(code: str, start: int) -> int:
    """The index of the brace closing the one at ``start``."""
    depth = 0
    for index in range(start, len(code)):
        char = code[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
    msg = "the query's braces do not match"
    raise QueryError(msg)


@dataclass(frozen=True)
class _Modifiers:
    """A query split around its top-level solution modifiers."""

    head: str  # up to the end of the WHERE clause, GROUP BY and HAVING included
    order: str  # the ORDER BY keys, without the keywords ("" when there are none)
    limit: int | None
    offset: int
    values: str  # a trailing VALUES block, or ""

    def page(self, keys: Sequence[str], offset: int, limit: int) -> str:
        """The query for one page: its own order, then every variable it does not name
        yet (ties broken, so pages neither overlap nor leave rows out).

        Each variable is ordered by its lexical form first, then by itself: Virtuoso's
        order over a column of mixed terms (IRIs, strings, numbers) is not the same from
        one page to the next, and pages ordered so repeat some rows and skip others."""
        named = set(re.findall(r"[?$]([A-Za-z_][A-Za-z0-9_]*)", blanked(self.order)))
        extra = [f"(STR({key})) {key}" for key in keys if key.lstrip("?$") not in named]
        order = " ".join(part for part in (self.order, *extra) if part)
        text = f"{self.head}\nORDER BY {order}" if order else self.head
        return f"{text}\nOFFSET {self.offset + offset} LIMIT {limit}\n{self.values}"


def split_modifiers(sparql: str, after: int = 0) -> _Modifiers:
    """Split a query at its WHERE clause's end: ORDER BY, LIMIT, OFFSET and VALUES apart."""
    code = blanked(sparql)
    brace = code.find("{", after)
    if brace < 0:
        msg = "the query has no WHERE clause"
        raise QueryError(msg)
    end = _matching(code, brace) + 1
    tail = code[end:]
    values_match = _VALUES.search(tail)
    values_at = values_match.start() if values_match else len(tail)
    modifiers = tail[:values_at]
    cut = len(modifiers)
    order = ""
    order_match = _ORDER_BY.search(modifiers)
    limit_match = _LIMIT.search(modifiers)
    offset_match = _OFFSET.search(modifiers)
    for found in (order_match, limit_match, offset_match):
        if found is not None:
            cut = min(cut, found.start())
    if order_match is not None:
        stops = [
            m.start() for m in (limit_match, offset_match) if m and m.start() > order_match.start()
        ]
        order_end = min(stops) if stops else len(modifiers)
        order = sparql[end + order_match.end() : end + order_end].strip()
    return _Modifiers(
        head=sparql[: end + cut],
        order=order,
        limit=int(limit_match.group(1)) if limit_match else None,
        offset=int(offset_match.group(1)) if offset_match else 0,
        values=sparql[end + values_at :] if values_match else "",
    )


# -- the store ---------------------------------------------------------------------


@dataclass
class _Plan:
    """What one transaction does to one graph, staged in ``staging``."""

    graph: URIRef
    staging: str
    keep: bool = True  # start from the graph's content (no drop among the operations)
    deletes: bool = False
    operations: list[_Operation] = field(default_factory=list)


_writers: dict[str, threading.Lock] = {}
_writers_guard = threading.Lock()


def _writer_lock(url: str) -> threading.Lock:
    """One writer at a time per server in this process: the staging graphs are shared."""
    with _writers_guard:
        return _writers.setdefault(url, threading.Lock())


class RemoteStore(Store):
    """A Commensura store on an existing SPARQL 1.1 server."""

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        graph_store_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        auth: str = "digest",
        dialect: str = "standard",
        row_cap: int = 10_000,
        batch_triples: int = 4_000,
        load_batch_triples: int = 100_000,
        timeout: float = 120.0,
        read_only: bool = False,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self.graph_store_url = graph_store_url
        self.dialect = dialect
        self.row_cap = row_cap
        self.batch_triples = batch_triples
        self.load_batch_triples = load_batch_triples
        self.timeout = timeout
        self.read_only = read_only or update_url is None
        self._auth: httpx.Auth | None = None
        if user is not None and password is not None:
            self._auth = (
                httpx.DigestAuth(user, password)
                if auth == "digest"
                else httpx.BasicAuth(user, password)
            )
        self._http = httpx.Client(timeout=httpx.Timeout(timeout + 10, connect=10), trust_env=False)
        self._lock = _writer_lock(update_url or query_url)
        self.graph_list_seconds = 5.0
        self._sizes_cache: tuple[int, float, dict[str, int]] = (-1, 0.0, {})
        self._check_reachable()
        if not self.read_only:
            self._drop_leftover_staging()

    @classmethod
    def from_settings(cls, settings: Settings, *, read_only: bool) -> RemoteStore:
        """A remote store as the ``remote_*`` settings describe it."""
        if not settings.remote_query_url:
            msg = (
                "the remote backend needs COMMENSURA_REMOTE_QUERY_URL, the server's SPARQL query "
                "endpoint (docs/deployment.md)"
            )
            raise ConfigurationError(msg)
        password = settings.remote_password
        return cls(
            settings.remote_query_url,
            update_url=settings.remote_update_url,
            graph_store_url=settings.remote_graph_store_url,
            user=settings.remote_user,
            password=password.get_secret_value() if password is not None else None,
            auth=settings.remote_auth,
            dialect=settings.remote_dialect,
            row_cap=settings.remote_row_cap,
            batch_triples=settings.remote_batch_triples,
            load_batch_triples=settings.remote_load_batch_triples,
            timeout=settings.remote_timeout,
            read_only=read_only,
        )

    def __repr__(self) -> str:
        return f"RemoteStore({self.query_url!r}, read_only={self.read_only})"

    # -- HTTP: queries -------------------------------------------------------------

    def _ask_server(
        self,
        sparql: str,
        accept: str,
        form: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        deadline: float | None = None,
    ) -> _Answer:
        """POST one query through SPARQLWrapper; the body and whether the row cap was hit."""
        seconds = self.timeout
        if deadline is not None:
            check_deadline(deadline)
            seconds = max(0.05, min(seconds, deadline - time.monotonic()))
        wrapper = SPARQLWrapper(self.query_url, agent="commensura")
        wrapper.setMethod("POST")
        wrapper.setOnlyConneg(True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wrapper.setQuery(sparql)
        wrapper.queryType = form  # its own guess stumbles on Virtuoso's defines
        wrapper.addCustomHttpHeader("Accept", accept)
        wrapper.setTimeout(math.ceil(seconds) + 5)
        if self.dialect == "virtuoso":
            wrapper.addParameter("timeout", str(max(1, int(seconds * 1000))))
        for graph in default_graphs:
            wrapper.addDefaultGraph(graph)
        for graph in named_graphs:
            wrapper.addNamedGraph(graph)
        try:
            response = wrapper.query().response
            headers = response.headers
            body = response.read()
        except SPARQLExceptions.QueryBadFormed as exc:
            raise self._query_error(_server_text(exc)) from exc
        except SPARQLExceptions.EndPointInternalError as exc:
            raise self._query_error(_server_text(exc)) from exc
        except SPARQLExceptions.Unauthorized as exc:
            msg = (
                f"the SPARQL server at {self.query_url} refused the query: it asks for credentials"
            )
            raise StoreUnavailableError(msg) from exc
        except SPARQLExceptions.EndPointNotFound as exc:
            msg = f"no SPARQL endpoint at {self.query_url}: check COMMENSURA_REMOTE_QUERY_URL"
            raise StoreUnavailableError(msg) from exc
        except urllib.error.HTTPError as exc:
            msg = f"the SPARQL server at {self.query_url} answered HTTP {exc.code}: {exc.reason}"
            raise StoreUnavailableError(msg) from exc
        except TimeoutError as exc:
            msg = "the remote query was still running when its time ran out"
            raise QueryTimeoutError(msg) from exc
        except (urllib.error.URLError, OSError) as exc:
            msg = f"cannot reach the SPARQL server at {self.query_url}: {exc}"
            raise StoreUnavailableError(msg) from exc
        state = headers.get("X-SQL-State", "")
        if state in _TIMEOUT_STATES:
            msg = "the remote query was still running when its time ran out (the server stopped it)"
            raise QueryTimeoutError(msg, details={"server_state": state})
        capped = headers.get("X-SPARQL-MaxRows") is not None
        return _Answer(body, capped)

    def _query_error(self, text: str) -> StoreError | QueryError:
        found = _SQL_STATE.search(text)
        state = (found.group(1) or found.group(2)) if found else ""
        first = text.strip().splitlines()[0][:500] if text.strip() else "no message"
        if state in _TIMEOUT_STATES:
            msg = "the remote query was still running when its time ran out (the server stopped it)"
            return QueryTimeoutError(msg, details={"server_state": state})
        if _TOO_EXPENSIVE in text:
            msg = f"the SPARQL server refused the query as too slow to answer: {first}"
            return QueryTimeoutError(msg, details={"server_state": state})
        if state.startswith(_SERVER_FAULT_PREFIXES):
            msg = f"the SPARQL server failed: {first}"
            return StoreError(msg, details={"server_state": state})
        msg = f"the SPARQL server could not run the query: {first}"
        return QueryError(msg, details={"error": first, "server_state": state})

    def _solutions(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        deadline: float | None = None,
    ) -> _Solutions:
        answer = self._ask_server(
            sparql,
            _SELECT_JSON,
            "SELECT",
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            deadline=deadline,
        )
        try:
            document = json.loads(answer.body)
            variables = tuple(document["head"].get("vars", []))
            bindings = document["results"]["bindings"]
        except (ValueError, KeyError, TypeError) as exc:
            msg = "the SPARQL server's answer is not SPARQL results JSON"
            raise StoreError(msg) from exc
        capped = answer.capped or (self.row_cap > 0 and len(bindings) >= self.row_cap)
        return _Solutions(variables, bindings, capped)

    def _all_solutions(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        deadline: float | None = None,
    ) -> _Solutions:
        """Every solution of a SELECT: asked once, then in pages when the server's cap was hit."""
        first = self._solutions(
            sparql,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            deadline=deadline,
        )
        if not first.capped or self.row_cap == 0:
            return first
        code = blanked(sparql)
        form = _FORM.search(code)
        parts = split_modifiers(sparql, form.end() if form else 0)
        distinct = form is not None and _DISTINCT.match(code, form.end()) is not None
        if distinct and form is not None and _countable(code, form, parts):
            counted = self._counted_pages(
                sparql[: form.start()],
                parts.head[form.start() :],
                default_graphs=default_graphs,
                named_graphs=named_graphs,
                deadline=deadline,
            )
            if counted is not None:
                return _Solutions(first.variables, counted, False)
        keys = [f"?{v}" for v in first.variables]
        wanted = parts.limit
        rows: list[dict[str, dict[str, str]]] = []
        pages = 0
        while wanted is None or len(rows) < wanted:
            size = self.row_cap if wanted is None else min(self.row_cap, wanted - len(rows))
            page = self._solutions(
                parts.page(keys, len(rows), size),
                default_graphs=default_graphs,
                named_graphs=named_graphs,
                deadline=deadline,
            )
            rows.extend(page.bindings)
            pages += 1
            if len(page.bindings) < size:
                break
        log.debug("read %d rows in %d pages of %d", len(rows), pages, self.row_cap)
        if form is not None and _DISTINCT.match(code, form.end()):
            _check_distinct(rows)
        return _Solutions(first.variables, rows, False)

    def _counted_pages(
        self,
        prologue: str,
        select: str,
        *,
        default_graphs: Sequence[str],
        named_graphs: Sequence[str],
        deadline: float | None,
    ) -> list[dict[str, dict[str, str]]] | None:
        """Every row of a DISTINCT answer past the cap, in pages without ``ORDER BY``.

        Unsorted pages follow the server's own index order and cost a fraction of sorted
        ones (the label index on Virtuoso: 16 s instead of 51 s), but nothing promises
        that order is the same from page to page. So the server counts the answer before
        and after, and the pages are kept only when they hold that many rows, none twice
        (a repeated row is a missing one). ``None`` when they do not: the caller reads
        sorted pages then."""
        count = f"{prologue}SELECT (COUNT(*) AS ?commensura_rows) WHERE {{\n{select}\n}}"

        def counted() -> int | None:
            try:
                found = self._solutions(
                    count,
                    default_graphs=default_graphs,
                    named_graphs=named_graphs,
                    deadline=deadline,
                )
                return int(found.bindings[0]["commensura_rows"]["value"])
            except (QueryError, LookupError, ValueError):
                return None  # a server that cannot count a subquery: sorted pages then

        def page(offset: int) -> list[dict[str, dict[str, str]]]:
            found = self._solutions(
                f"{prologue}{select}\nOFFSET {offset} LIMIT {self.row_cap}\n",
                default_graphs=default_graphs,
                named_graphs=named_graphs,
                deadline=deadline,
            )
            return list(found.bindings)

        total = counted()
        if total is None:
            return None
        offsets = range(0, total, self.row_cap)
        rows = [row for offset in offsets for row in page(offset)]
        distinct = len({json.dumps(row, sort_keys=True) for row in rows})
        after = counted()
        if distinct == len(rows) == total == after:
            log.debug("read %d rows in %d unsorted pages", total, len(offsets))
            return rows
        log.info(
            "unsorted pages held %d rows (%d distinct) of %d counted (%s after): reading "
            "sorted pages",
            len(rows),
            distinct,
            total,
            after,
        )
        return None

    def _graph_answer(
        self,
        sparql: str,
        form: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        deadline: float | None = None,
    ) -> list[ox.Triple]:
        answer = self._ask_server(
            sparql,
            _NTRIPLES,
            form,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            deadline=deadline,
        )
        try:
            return list(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES))
        except (SyntaxError, ValueError) as exc:
            msg = f"the SPARQL server's answer is not N-Triples: {exc}"
            raise StoreError(msg) from exc

    def _construct(
        self,
        sparql: str,
        form: str,
        *,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        deadline: float | None = None,
    ) -> Iterable[tuple[Term, Term, Term]]:
        """A graph answer; a CONSTRUCT the server may have cut is read again, as the
        distinct solutions of its template's variables, in pages."""
        triples = self._graph_answer(
            sparql,
            form,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            deadline=deadline,
        )
        if self.row_cap == 0 or len(triples) <= self.row_cap or form != "CONSTRUCT":
            return ((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in triples)
        return self._construct_pages(sparql, default_graphs, named_graphs, deadline)

    def _construct_pages(
        self,
        sparql: str,
        default_graphs: Sequence[str],
        named_graphs: Sequence[str],
        deadline: float | None,
    ) -> Iterator[tuple[Term, Term, Term]]:
        """A CONSTRUCT past the server's cap: ``SELECT DISTINCT`` of the template's
        variables, read in verified pages, and the template filled in here. A page of
        the CONSTRUCT itself cannot be checked: whether pages overlapped or left
        solutions out shows only in the solutions."""
        code = blanked(sparql)
        keyword = _FORM.search(code)
        assert keyword is not None  # noqa: S101 - the form was found before
        open_brace = code.find("{", keyword.end())
        between = code[keyword.end() : open_brace]
        short = re.search(r"(?<![\w:?$@-])WHERE\s*$", between, re.IGNORECASE) is not None
        close = _matching(code, open_brace)
        template_text = sparql[open_brace + 1 : close]
        prologue = sparql[: keyword.start()]
        where = sparql[keyword.end() :] if short else sparql[close + 1 :]
        parts = split_modifiers(sparql, keyword.end() if short else close + 1)
        if parts.limit is not None or parts.offset or parts.order:
            msg = (
                f"the SPARQL server returns at most {self.row_cap} triples for one CONSTRUCT, and "
                "this one asks for more with its own ORDER BY, LIMIT or OFFSET: leave those "
                "out (the store then reads the answer in pages), or ask a SELECT"
            )
            raise QueryError(msg, details={"row_cap": self.row_cap})
        template = _template(prologue, template_text)
        variables = sorted(
            {str(t) for triple in template for t in triple if isinstance(t, Variable)}
        )
        projection = " ".join(f"?{v}" for v in variables) or "*"
        found = self._all_solutions(
            f"{prologue}SELECT DISTINCT {projection} {where}",
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            deadline=deadline,
        )
        for binding in found.bindings:
            yield from _filled(template, {v: _json_term(t) for v, t in binding.items()})

    # -- reading -------------------------------------------------------------------

    separate_values = True  # Virtuoso: VALUES (?a ?b) followed by OPTIONAL fails to compile

    def _sparql_term(self, term: Term) -> str:
        return term_text(term)

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graphs: Sequence[URIRef] | None = None,
        named_graphs: Sequence[URIRef] | None = None,
    ) -> QueryResult:
        """As the interface says. Virtuoso evaluates a property path with ``*`` or ``+``
        wrongly when an end of it is bound only by ``VALUES``: it fails ("transitive start
        not given") or finds nothing. So the bound terms are also written in place of
        their variables in such a query (the ``VALUES`` block stays, for the projection),
        and in any query the server refuses for that reason."""
        options = {"default_graphs": default_graphs, "named_graphs": named_graphs}
        if bindings and _transitive_path(sparql):
            terms = {name: self._sparql_term(term) for name, term in bindings.items()}
            try:
                return super().query(substitute_bound(sparql, terms), bindings=bindings, **options)
            except QueryError as exc:
                if isinstance(exc, QueryTimeoutError):
                    raise
                log.debug("the query with its terms in place failed (%s); asked as written", exc)
        try:
            return super().query(sparql, bindings=bindings, **options)
        except QueryError as exc:
            if not bindings or _TRANSITIVE_START not in exc.message:
                raise
        terms = {name: self._sparql_term(term) for name, term in bindings.items()}
        return super().query(substitute_bound(sparql, terms), bindings=bindings, **options)

    def _dataset(
        self,
        sparql: str,
        default_graphs: Sequence[URIRef] | None,
        named_graphs: Sequence[URIRef] | None,
    ) -> tuple[str, list[str], list[str]]:
        """The query and its protocol graphs.

        Graphs the caller names replace the query's own ``FROM``. Without either, the
        default graph is the server's: the union of every graph on it, which on Virtuoso
        also holds its own few system graphs (named graphs listed as ``default-graph-uri``
        make joins tens of times slower there). ``GRAPH ?g`` sees the store's graphs only
        (both sets named), unless the query also names a constant graph: Virtuoso answers
        ASK and COUNT wrongly for a named graph outside a narrowed set.
        """
        own = names_dataset(sparql)
        if default_graphs is None and named_graphs is None and own:
            return sparql, [], []
        if own:
            sparql = strip_dataset(sparql)
        code = blanked(sparql)
        narrow = _VARIABLE_GRAPH.search(code) is not None and not _CONSTANT_GRAPH.search(code)
        if default_graphs is None and named_graphs is None and not narrow:
            return sparql, [], []  # the server's union of every graph: fastest by far
        union = self._union() if default_graphs is None or narrow else []
        defaults = union if default_graphs is None else [self._graph_iri(g) for g in default_graphs]
        if named_graphs is not None:
            nameds = [self._graph_iri(g) for g in named_graphs] or [_NO_GRAPH]
        elif narrow:
            nameds = union or [_NO_GRAPH]
        else:
            nameds = []
        return sparql, defaults or [_NO_GRAPH], nameds

    def _union(self) -> list[str]:
        """The store's graphs, as protocol graphs (``graphs()`` is kept between writes)."""
        return [str(g) for g in self.graphs()]

    @staticmethod
    def _graph_iri(graph: URIRef) -> str:
        return iri_text(str(graph))[1:-1]

    def _query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[URIRef] | None,
        named_graphs: Sequence[URIRef] | None,
    ) -> QueryResult:
        return self._query_within(sparql, default_graphs, named_graphs, None)

    def _query_within(
        self,
        sparql: str,
        default_graphs: Sequence[URIRef] | None,
        named_graphs: Sequence[URIRef] | None,
        deadline: float | None,
    ) -> QueryResult:
        """Run a query, the deadline handed to the server as its time-out."""
        form = query_form(sparql)
        sparql, defaults, nameds = self._dataset(sparql, default_graphs, named_graphs)
        if form == "ASK":
            solutions = self._ask_server(
                sparql,
                _SELECT_JSON,
                "ASK",
                default_graphs=defaults,
                named_graphs=nameds,
                deadline=deadline,
            )
            try:
                return bool(json.loads(solutions.body)["boolean"])
            except (ValueError, KeyError, TypeError) as exc:
                msg = "the SPARQL server's answer to an ASK is not SPARQL results JSON"
                raise StoreError(msg) from exc
        if form == "SELECT":
            found = self._all_solutions(
                sparql, default_graphs=defaults, named_graphs=nameds, deadline=deadline
            )
            rows = tuple(
                tuple(_json_term(binding[v]) if v in binding else None for v in found.variables)
                for binding in found.bindings
            )
            return SelectResult(found.variables, rows)
        graph = Graph()
        for triple in self._construct(
            sparql, form, default_graphs=defaults, named_graphs=nameds, deadline=deadline
        ):
            graph.add(triple)
        return graph

    def triples_about(
        self, subjects: Iterable[URIRef], *, graphs: Sequence[URIRef] | None = None
    ) -> Graph:
        result = Graph()
        ordered = list(dict.fromkeys(subjects))
        for start in range(0, len(ordered), 200):
            chunk = " ".join(self._sparql_term(s) for s in ordered[start : start + 200])
            rows = self.select(
                f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {chunk} }} ?s ?p ?o }}",
                default_graphs=list(graphs) if graphs is not None else None,
            )
            for s, p, o in rows:
                result.add((s, p, o))  # type: ignore[arg-type]
        return result

    def _graph_sizes(self) -> dict[str, int]:
        """Every graph on the server with its number of triples, in one grouped query (the
        server answers it from its graph index; a count of one ``GRAPH <g>`` can scan).
        Kept until this process writes, and at most ``graph_list_seconds`` otherwise."""
        generation, at, sizes = self._sizes_cache
        now = time.monotonic()
        if generation == content_generation() and now - at <= self.graph_list_seconds:
            return sizes
        found = self._all_solutions(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        sizes = {
            b["g"]["value"]: int(b["n"]["value"])
            for b in found.bindings
            if "g" in b and "n" in b and b["g"].get("type") == "uri"
        }
        self._sizes_cache = (content_generation(), now, sizes)
        return sizes

    def graphs(self) -> list[URIRef]:
        hidden = set(VIRTUOSO_SYSTEM_GRAPHS)
        return [
            URIRef(n)
            for n in sorted(self._graph_sizes())
            if n not in hidden and not n.startswith(_RESERVED_GRAPH_PREFIXES)
        ]

    def count(self, graph: URIRef | None = None) -> int:
        """From the grouped count of every graph: one request, however many graphs."""
        sizes = self._graph_sizes()
        if graph is not None:
            return sizes.get(self._graph_iri(graph), 0)
        return sum(sizes.get(str(g), 0) for g in self.graphs())

    def _size(self, graph: str) -> int:
        """Triples in one graph, asked now, over a dataset of that graph alone."""
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        found = self._solutions(count, default_graphs=[graph])
        return int(found.bindings[0]["n"]["value"]) if found.bindings else 0

    def _graph_lines(self, graph: URIRef, blank_prefix: str) -> list[str]:
        """Every triple of one graph as an N-Triples line, read in pages and checked by count."""
        dataset = [self._graph_iri(graph)]
        pattern = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
        total = self._size(dataset[0])

        def line(b: Mapping[str, Mapping[str, str]]) -> str:
            return (
                f"{_json_nt(b['s'], blank_prefix)} {_json_nt(b['p'])} "
                f"{_json_nt(b['o'], blank_prefix)} ."
            )

        if self.row_cap == 0 or total <= self.row_cap:
            found = self._solutions(pattern, default_graphs=dataset)
            return [line(b) for b in found.bindings]
        # Pages without ORDER BY read the server's index in order and need no sort; the
        # count tells whether they covered the graph exactly, else pages are sorted.
        for ordered in (False, True):
            lines: set[str] = set()
            order = "ORDER BY ?s ?p ?o" if ordered else ""
            for offset in range(0, total, self.row_cap):
                page = self._solutions(
                    f"{pattern} {order} OFFSET {offset} LIMIT {self.row_cap}",
                    default_graphs=dataset,
                )
                lines.update(line(b) for b in page.bindings)
            if len(lines) == total:
                return sorted(lines)
            log.warning(
                "unordered pages of <%s> held %d of its %d triples; reading sorted pages",
                graph,
                len(lines),
                total,
            )
        msg = f"the graph <{graph}> changed while it was being read; try again"
        raise StoreError(msg, details={"graph": str(graph)})

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
            for index, name in enumerate(names):
                node = ox.NamedNode(self._graph_iri(name))
                text = "\n".join(self._graph_lines(name, f"g{index}x")).encode("utf-8")
                for triple in ox.parse(text, format=ox.RdfFormat.N_TRIPLES):
                    written += 1
                    yield ox.Quad(triple.subject, triple.predicate, triple.object, node)

        write_quads(quads(), destination, fmt)
        return written

    def parse(
        self, source: Source, fmt: RdfFormat, *, graph: URIRef, base_iri: str | None = None
    ) -> list[Triple]:
        self._check_graph(graph)
        return parse_triples(source, fmt, graph=graph, base_iri=base_iri)

    # -- HTTP: writes ----------------------------------------------------------------

    def _post(self, url: str, what: str, **request: Any) -> None:
        try:
            response = self._http.post(url, auth=self._auth or httpx.USE_CLIENT_DEFAULT, **request)
        except httpx.TimeoutException as exc:
            msg = f"the SPARQL server did not finish {what} in {self.timeout:.0f} s"
            raise StoreError(msg) from exc
        except httpx.HTTPError as exc:
            msg = f"cannot reach the SPARQL server at {url}: {exc}"
            raise StoreUnavailableError(msg) from exc
        if response.status_code in (401, 403):
            msg = (
                f"the SPARQL server at {url} refused {what} (HTTP {response.status_code}): check "
                "COMMENSURA_REMOTE_USER, COMMENSURA_REMOTE_PASSWORD and the user's write permission"
            )
            raise StoreUnavailableError(msg, details={"status": response.status_code})
        if response.status_code >= 300:
            first = response.text.strip().splitlines()[0][:500] if response.text.strip() else ""
            msg = f"the SPARQL server failed {what} (HTTP {response.status_code}): {first}"
            raise StoreError(msg, details={"status": response.status_code})

    def _update(self, text: str) -> None:
        """One SPARQL Update request."""
        if self.update_url is None:  # pragma: no cover - read-only stores never get here
            raise StoreError("no update endpoint is configured")
        prefix = "define sql:big-data-const 1\n" if self.dialect == "virtuoso" else ""
        self._post(
            self.update_url,
            "an update",
            data={"update": prefix + text},
            headers={"Accept": "*/*"},
        )

    def _post_ntriples(self, graph: str, body: bytes) -> None:
        """Add N-Triples to a graph in one Graph Store Protocol request."""
        assert self.graph_store_url is not None  # noqa: S101 - callers check
        self._post(
            self.graph_store_url,
            "a load",
            params={"graph": graph},
            content=body,
            headers={"Content-Type": "application/n-triples"},
        )

    def _insert_lines(self, graph: str, lines: Sequence[str], blank_lines: Sequence[str]) -> None:
        """Add triples already written as N-Triples lines; lines with blank nodes go in one
        request (a server gives a blank-node label a new node in every request)."""
        total = len(lines) + len(blank_lines)
        done = 0
        batch = self.load_batch_triples if self.graph_store_url else self.batch_triples
        for start in range(0, len(lines), batch):
            self._send_lines(graph, lines[start : start + batch])
            done += min(batch, len(lines) - start)
            self._report(graph, done, total)
        if blank_lines:
            if self.graph_store_url is None and len(blank_lines) > self.batch_triples * 4:
                msg = (
                    f"{len(blank_lines)} triples with blank nodes cannot be sent in one update; "
                    "configure COMMENSURA_REMOTE_GRAPH_STORE_URL"
                )
                raise StoreError(msg)
            self._send_lines(graph, blank_lines, blank=True)
            self._report(graph, total, total)

    def _send_lines(self, graph: str, lines: Sequence[str], *, blank: bool = False) -> None:
        if self.graph_store_url is not None:
            self._post_ntriples(graph, ("\n".join(lines) + "\n").encode("utf-8"))
        elif blank:
            # INSERT DATA may not hold blank nodes on every server (Virtuoso refuses them);
            # a template with an empty pattern inserts them, one node per label.
            body = "\n".join(lines)
            self._update(f"INSERT {{ GRAPH <{graph}> {{\n{body}\n}} }} WHERE {{ }}")
        else:
            body = "\n".join(lines)
            self._update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}")

    def _report(self, graph: str, done: int, total: int) -> None:
        if self.load_progress is not None and total >= self.load_batch_triples:
            self.load_progress(f"sending {total:,} triples", done, total)

    # -- writing -------------------------------------------------------------------

    def _check_graph(self, graph: URIRef) -> None:
        if not isinstance(graph, URIRef):
            msg = "a graph name must be an IRI"
            raise GraphScopeError(msg)
        if str(graph).startswith(_RESERVED_GRAPH_PREFIXES):
            msg = f"<{graph}> is reserved for Commensura's own use"
            raise GraphScopeError(msg, details={"graph": str(graph)})
        if str(graph) in VIRTUOSO_SYSTEM_GRAPHS:
            msg = f"<{graph}> is the SPARQL server's own graph"
            raise GraphScopeError(msg, details={"graph": str(graph)})
        iri_text(str(graph))

    def _staged(self, plans: Sequence[_Plan], fill: Callable[[], None]) -> None:
        """Run ``fill`` (which writes only to the plans' staging graphs), then move every
        staged graph into place in one request; on any failure drop the staging graphs."""
        stagings = [plan.staging for plan in plans]
        try:
            self._drop(stagings)
            fill()
            commit: list[str] = []
            for plan in plans:
                target, staging = iri_text(str(plan.graph)), f"<{plan.staging}>"
                if not plan.keep or plan.deletes:
                    if self._staged_count(plan.staging):
                        commit.append(f"MOVE SILENT {staging} TO {target}")
                    else:
                        commit.append(f"DROP SILENT GRAPH {target}")
                elif self._staged_count(plan.staging):
                    commit.append(f"ADD SILENT {staging} TO {target}")
            commit += [f"DROP SILENT GRAPH <{s}>" for s in stagings]
            self._update(" ;\n".join(commit))
        except BaseException:
            try:
                self._drop(stagings)
            except StoreError:
                log.warning("could not drop the staging graphs %s after a failed write", stagings)
            raise
        finally:
            note_write()

    def _staged_count(self, staging: str) -> int:
        return self._size(staging)

    def _drop(self, graphs_: Sequence[str]) -> None:
        if graphs_:
            self._update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs_))

    def _drop_leftover_staging(self) -> None:
        """Staging graphs a process that stopped mid-write left behind (one writer at a time)."""
        try:
            with self._lock:
                self._drop(list(_STAGING_GRAPHS))
        except StoreError as exc:
            log.warning("could not clear leftover staging graphs: %s", exc.message)

    def _check_reachable(self) -> None:
        try:
            self._ask_server("ASK { }", _SELECT_JSON, "ASK")
        except StoreError as exc:
            msg = f"cannot use the SPARQL server at {self.query_url}: {exc.message}"
            raise StoreUnavailableError(msg, details={"url": self.query_url}) from exc

    def _apply(self, operations: Sequence[_Operation]) -> None:
        self._check_writable()
        plans: dict[URIRef, _Plan] = {}
        for op in operations:
            if op.kind == "delete" and any(_has_blank(t) for t in op.triples):
                msg = "triples with blank nodes cannot be removed one by one; replace the graph"
                raise InputError(msg)
            plan = plans.get(op.graph)
            if plan is None:
                if len(plans) == STAGING_POOL:
                    msg = f"one write may change at most {STAGING_POOL} graphs on a remote store"
                    raise StoreError(msg)
                plan = plans[op.graph] = _Plan(op.graph, _STAGING_GRAPHS[len(plans)])
            if op.kind == "drop":
                plan.keep, plan.deletes, plan.operations = False, False, []
            elif op.triples:
                plan.operations.append(op)
                plan.deletes = plan.deletes or op.kind == "delete"
        # Every term is written (and checked) before anything is sent.
        blank = _BlankNodes()
        written: dict[int, tuple[list[str], list[str]]] = {}
        for plan in plans.values():
            for op in plan.operations:
                plain: list[str] = []
                with_blank: list[str] = []
                for triple in op.triples:
                    text = " ".join(term_text(t, blank) for t in triple) + " ."
                    (with_blank if _has_blank(triple) else plain).append(text)
                written[id(op)] = (plain, with_blank)
        work = [p for p in plans.values() if p.operations or not p.keep]
        if not work:
            return

        def fill() -> None:
            for plan in work:
                if plan.keep and plan.deletes:
                    self._update(f"COPY SILENT {iri_text(str(plan.graph))} TO <{plan.staging}>")
                for op in plan.operations:
                    plain, with_blank = written[id(op)]
                    if op.kind == "insert":
                        self._insert_lines(plan.staging, plain, with_blank)
                    else:
                        for start in range(0, len(plain), self.batch_triples):
                            body = "\n".join(plain[start : start + self.batch_triples])
                            self._update(f"DELETE DATA {{ GRAPH <{plan.staging}> {{\n{body}\n}} }}")

        with self._lock:
            self._staged(work, fill)

    def bulk_load(self, source: Source, fmt: RdfFormat, *, graph: URIRef) -> None:
        """Parsed and checked here, then sent in batches (the Graph Store Protocol where
        configured), each request straight into ``graph``: not all or nothing."""
        self._check_writable()
        self._check_graph(graph)
        if fmt.is_dataset:
            msg = f"bulk_load reads triple formats only, not {fmt.value}; use load()"
            raise UnsupportedFormatError(msg, details={"format": fmt.value})
        plain, with_blank = self._lines(source, fmt)
        with self._lock:
            try:
                self._insert_lines(self._graph_iri(graph), plain, with_blank)
            finally:
                note_write()

    def _lines(self, source: Source, fmt: RdfFormat) -> tuple[list[str], list[str]]:
        """Parse with Oxigraph's parser (which checks every term) into N-Triples lines."""
        plain: list[str] = []
        with_blank: list[str] = []
        for quad in parse_quads(source, fmt, None):
            name = quad.graph_name
            if isinstance(name, ox.NamedNode | ox.BlankNode):
                msg = "the input names graphs; load it with load_dataset"
                raise GraphScopeError(msg)
            text = f"{quad.subject} {quad.predicate} {quad.object} ."
            (with_blank if _ox_has_blank(quad) else plain).append(text)
        return plain, with_blank

    def sync_graph(self, graph: URIRef, path: Path) -> tuple[int, int]:
        """Make ``graph`` hold exactly the triples of the file, all or nothing.

        A graph that holds triples is replaced through a staging graph moved into place in
        one request: it holds the old triples or the new ones, never a part of them. An
        empty graph (a first import) is filled directly, which spares the server moving
        millions of triples; if that fails, the graph is emptied again.
        """
        self._check_writable()
        self._check_graph(graph)
        plain, with_blank = self._lines(path, RdfFormat.NTRIPLES)
        written = len(plain) + len(with_blank)
        target = self._graph_iri(graph)
        with self._lock:
            before = self._size(target)  # asked now: the decision below depends on it
            if before:
                plan = _Plan(graph, _STAGING_GRAPHS[0], keep=False)
                self._staged([plan], lambda: self._insert_lines(plan.staging, plain, with_blank))
                return written, before
            try:
                self._insert_lines(target, plain, with_blank)
            except BaseException:
                try:
                    self._drop([target])
                except StoreError:
                    log.warning("could not empty <%s> again after a failed import", target)
                raise
            finally:
                note_write()
            return written, 0

    def optimize(self) -> None:
        """Nothing to do: the server manages its own files."""
        self._check_writable()

    def load_dataset(self, source: Source, fmt: RdfFormat) -> int:
        self._check_writable()
        by_graph: dict[str, tuple[list[str], list[str]]] = {}
        for quad in parse_quads(source, fmt, None):
            name = quad.graph_name
            if not isinstance(name, ox.NamedNode):
                msg = (
                    "the input has triples outside any named graph; a dataset to restore must "
                    "put every triple in a named graph"
                )
                raise GraphScopeError(msg)
            plain, with_blank = by_graph.setdefault(name.value, ([], []))
            text = f"{quad.subject} {quad.predicate} {quad.object} ."
            (with_blank if _ox_has_blank(quad) else plain).append(text)
        for graph_name in by_graph:
            self._check_graph(URIRef(graph_name))
        names = list(by_graph)
        total = sum(len(a) + len(b) for a, b in by_graph.values())
        for start in range(0, len(names), STAGING_POOL):
            chunk = names[start : start + STAGING_POOL]
            plans = [_Plan(URIRef(n), _STAGING_GRAPHS[i]) for i, n in enumerate(chunk)]

            def fill(plans: Sequence[_Plan] = plans) -> None:
                for plan in plans:
                    plain, with_blank = by_graph[str(plan.graph)]
                    self._insert_lines(plan.staging, plain, with_blank)

            with self._lock:
                self._staged(plans, fill)
        return total

    def close(self) -> None:
        self._http.close()


def _server_text(exc: Exception) -> str:
    """The server's message inside a SPARQLWrapper exception."""
    text = str(exc)
    for marker in ("Response:\n", "Response:"):
        if marker in text:
            text = text.split(marker, 1)[1]
            break
    if text.startswith(("b'", 'b"')):
        with contextlib.suppress(UnicodeDecodeError):
            text = bytes(text[2:-1], "utf-8").decode("unicode_escape")
    return text.strip()


__all__ = ["STAGING_PREFIX", "RemoteStore", "query_form", "split_modifiers", "strip_dataset"]

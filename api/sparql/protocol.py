"""The SPARQL 1.1 Protocol as pure functions: what a request asks, and in which format to answer.

Nothing here runs a query. The query text is looked at through
``registry.sparql.code_tokens`` (strings, IRIs and comments blanked out), so a
keyword inside a literal or an IRI neither hides nor fakes an operation:

* ``query_form`` reads the form (SELECT, ASK, CONSTRUCT, DESCRIBE) from the first
  keyword after the prologue; every SPARQL 1.1 query starts that way.
* ``update_operation`` finds SPARQL Update in a request meant to be a query
  (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ``CREATE``, ``DROP``, ``COPY``,
  ``MOVE``, ``ADD``, or ``WITH`` first): none of these words is part of the query
  grammar, so the endpoint refuses such a text before any engine sees it.
* ``choose_format`` picks the answer's media type for a form from ``?format=``
  (wins) or the ``Accept`` header (``api.conneg.negotiate``); ``None`` means 406.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from api.conneg import (
    CSV,
    HTML,
    JSON,
    JSONLD,
    NTRIPLES,
    RDFXML,
    SPARQL_JSON,
    SPARQL_XML,
    TSV,
    TURTLE,
    from_format,
    negotiate,
)
from registry.errors import QueryError
from registry.sparql import code_tokens
from registry.store.base import ResultKind

XML = "application/xml"
FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


class QueryForm(StrEnum):
    """The four SPARQL query forms."""

    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"

    @property
    def kind(self) -> ResultKind:
        """What the form answers: solutions, a boolean, or a graph."""
        if self is QueryForm.SELECT:
            return ResultKind.SOLUTIONS
        if self is QueryForm.ASK:
            return ResultKind.BOOLEAN
        return ResultKind.GRAPH


OFFERS: dict[ResultKind, tuple[str, ...]] = {
    ResultKind.SOLUTIONS: (SPARQL_JSON, SPARQL_XML, CSV, TSV, JSON, XML, HTML),
    ResultKind.BOOLEAN: (SPARQL_JSON, SPARQL_XML, JSON, XML, HTML),
    ResultKind.GRAPH: (TURTLE, NTRIPLES, JSONLD, RDFXML, HTML),
}
"""What each kind of answer can be sent as, in order of preference (ties, ``*/*``)."""

DESCRIPTION_OFFERS = (TURTLE, NTRIPLES, JSONLD, RDFXML, HTML)
"""What ``/sparql`` without a query answers: the service description, or the query page."""

_WRITTEN_AS = {JSON: SPARQL_JSON, XML: SPARQL_XML}
"""Generic media types a client may ask for, and the results format sent under them."""
_AS_GRAPH = {SPARQL_JSON: JSONLD, SPARQL_XML: RDFXML, JSON: JSONLD, XML: RDFXML}
"""``?format=json`` / ``xml`` on a graph answer mean JSON-LD / RDF/XML."""
_EXTRA_ALIASES = {"n3": TURTLE, "text/n3": TURTLE, "application/turtle": TURTLE}
"""Turtle is N3 without its extensions: an N3 client reads it (SPARQLWrapper's N3)."""

_PROLOGUE = re.compile(r"\s*(?:BASE(?![\w:-])|PREFIX\s+[^\s:]*:)", re.IGNORECASE)
_FIRST_WORD = re.compile(r"\s*([A-Za-z]+)")
_UPDATE_WORD = re.compile(
    r"(?<![\w:?$@.\-%\\])(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD)(?![\w:-])",
    re.IGNORECASE,
)


def _first_keyword(sparql: str) -> str | None:
    code = code_tokens(sparql)
    position = 0
    while (prologue := _PROLOGUE.match(code, position)) is not None:
        position = prologue.end()
    word = _FIRST_WORD.match(code, position)
    return None if word is None else word.group(1).upper()


def query_form(sparql: str) -> QueryForm | None:
    """The query's form, or ``None`` when the text does not start like a query."""
    keyword = _first_keyword(sparql)
    try:
        return QueryForm(keyword) if keyword else None
    except ValueError:
        return None


def update_operation(sparql: str) -> str | None:
    """The SPARQL Update keyword a text uses (``LOAD``, ``INSERT``...), or ``None``."""
    if _first_keyword(sparql) == "WITH":
        return "WITH"
    found = _UPDATE_WORD.search(code_tokens(sparql))
    return None if found is None else found.group(1).upper()


def written_as(media_type: str, kind: ResultKind) -> str:
    """The media type the store writes for a chosen one (HTML pages are built from JSON/Turtle)."""
    if media_type == HTML:
        return TURTLE if kind is ResultKind.GRAPH else SPARQL_JSON
    return _WRITTEN_AS.get(media_type, media_type)


def format_media_type(value: str, *, graph: bool) -> str | None:
    """The media type a ``?format=`` value names (``None`` if unknown); graph answers read
    ``json`` and ``xml`` as JSON-LD and RDF/XML."""
    key = value.strip().lower()
    media = _EXTRA_ALIASES.get(key) or from_format(key)
    if media is None:
        return None
    media = media.split(";")[0].strip()
    media = _EXTRA_ALIASES.get(media, media)
    return _AS_GRAPH.get(media, media) if graph else media


def choose_format(
    offers: tuple[str, ...], accept: str | None, format_value: str | None, *, graph: bool
) -> str | None:
    """The media type to answer in: ``?format=`` if given (it must be offered), else by Accept."""
    if format_value:
        media = format_media_type(format_value, graph=graph)
        return media if media in offers else None
    return negotiate(accept, offers)


@dataclass(frozen=True)
class ProtocolRequest:
    """The protocol parameters of one request, from its URL and its form body together."""

    query: str | None
    update: str | None
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    format: str | None

    @property
    def has_dataset(self) -> bool:
        """True when the request names its dataset (which then replaces the query's own)."""
        return bool(self.default_graphs or self.named_graphs)


def read_parameters(params: Iterable[tuple[str, str]]) -> ProtocolRequest:
    """The protocol parameters; more than one ``query`` or ``update`` is refused (400).

    Empty graph parameters (an HTML form's blank fields) are left out; ``output`` is
    read as ``format`` when that is missing (the name some clients use).
    """
    values: dict[str, list[str]] = {}
    for name, value in params:
        values.setdefault(name, []).append(value)
    for name in ("query", "update"):
        if len(values.get(name, [])) > 1:
            msg = f"send one {name} per request, not {len(values[name])}"
            raise QueryError(msg, details={"parameter": name})
    formats = values.get("format") or values.get("output") or []
    return ProtocolRequest(
        query=_first(values.get("query")),
        update=_first(values.get("update")),
        default_graphs=tuple(g for g in values.get("default-graph-uri", []) if g.strip()),
        named_graphs=tuple(g for g in values.get("named-graph-uri", []) if g.strip()),
        format=formats[0] if formats else None,
    )


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None


@dataclass(frozen=True)
class ContentType:
    """A request's ``Content-Type``: the media type and its charset, if one was named."""

    media_type: str
    charset: str | None

    @property
    def utf8(self) -> bool:
        return self.charset is None or self.charset.replace("-", "").lower() == "utf8"


def parse_content_type(header: str | None) -> ContentType:
    """``application/sparql-query; charset=UTF-8`` as its media type and charset."""
    fields = [f.strip() for f in (header or "").split(";")]
    charset = None
    for field in fields[1:]:
        key, _, value = field.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"')
    return ContentType(fields[0].lower(), charset)

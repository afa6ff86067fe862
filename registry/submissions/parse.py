"""Reading a submission: media types, JSON-LD contexts, the CSV template.

A submission arrives as bytes with a media type. RDF is parsed by the store's
own parser (which gives line and column on a syntax error) into the caller's
graph only: input that names another graph is refused. JSON-LD may use one
remote context, Commensura's own (``CONTEXT_IRI``), which is replaced by the
copy shipped with Commensura; any other remote context is refused, never fetched.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any

from rdflib import Graph, URIRef

from registry import graphs
from registry.errors import (
    InputError,
    RdfSyntaxError,
    RemoteContextError,
    UnsupportedFormatError,
)
from registry.store import RdfFormat, Store

CONTEXT_IRI = "https://w3id.org/commensura/context.jsonld"
"""The JSON-LD context Commensura publishes (and serves itself at ``/context.jsonld``)."""


DRY_RUN_BASE = "https://w3id.org/commensura/id/partner/validate/"
"""Base IRI for relative IRIs when validating without an organisation (a dry run)."""
DRY_RUN_GRAPH = graphs.partner("validate")


class SubmissionFormat(StrEnum):
    TURTLE = "text/turtle"
    TRIG = "application/trig"
    NTRIPLES = "application/n-triples"
    JSONLD = "application/ld+json"
    CSV = "text/csv"


_ALIASES = {
    "application/x-turtle": SubmissionFormat.TURTLE,
    "application/x-trig": SubmissionFormat.TRIG,
    "text/plain": SubmissionFormat.NTRIPLES,
    "application/json": SubmissionFormat.JSONLD,
}
_RDF = {
    SubmissionFormat.TURTLE: RdfFormat.TURTLE,
    SubmissionFormat.TRIG: RdfFormat.TRIG,
    SubmissionFormat.NTRIPLES: RdfFormat.NTRIPLES,
    SubmissionFormat.JSONLD: RdfFormat.JSONLD,
}
_SUFFIXES = {
    ".ttl": SubmissionFormat.TURTLE,
    ".trig": SubmissionFormat.TRIG,
    ".nt": SubmissionFormat.NTRIPLES,
    ".jsonld": SubmissionFormat.JSONLD,
    ".json": SubmissionFormat.JSONLD,
    ".csv": SubmissionFormat.CSV,
}


def format_for_media_type(media_type: str | None) -> SubmissionFormat:
    """The submission format of a ``Content-Type`` value (parameters ignored)."""
    base = (media_type or "").split(";", 1)[0].strip().lower()
    try:
        return _ALIASES.get(base) or SubmissionFormat(base)
    except ValueError:
        accepted = ", ".join(f.value for f in SubmissionFormat)
        msg = (
            f"Commensura cannot read a submission of type {base or '(none)'!r}: "
            f"send one of {accepted}"
        )
        raise UnsupportedFormatError(
            msg, details={"media_type": base, "accepted": accepted}
        ) from None


def format_for_suffix(name: str) -> SubmissionFormat:
    """The submission format of a file name, by its suffix."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in _SUFFIXES:
        msg = f"{name}: use a file ending in {', '.join(sorted(_SUFFIXES))}"
        raise UnsupportedFormatError(msg, details={"file": name})
    return _SUFFIXES[suffix]


@functools.cache
def our_context() -> dict[str, Any]:
    """The ``@context`` object of Commensura's JSON-LD context."""
    text = resources.files("registry").joinpath("context.jsonld").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return dict(document["@context"])


def _inline_contexts(node: Any) -> Any:
    if isinstance(node, list):
        return [_inline_contexts(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        out[key] = _inline_context(value) if key == "@context" else _inline_contexts(value)
    return out


def _inline_context(value: Any) -> Any:
    if isinstance(value, list):
        return [_inline_context(item) for item in value]
    if isinstance(value, str):
        if value.rstrip("#/") == CONTEXT_IRI:
            return our_context()
        msg = (
            f"the JSON-LD document refers to the remote @context {value!r}; Commensura never "
            f"fetches anything from the network. Use {CONTEXT_IRI} or embed the context."
        )
        raise RemoteContextError(msg, details={"context": value})
    return value


_TOO_DEEP = "the JSON-LD document is nested too deeply to read: flatten it (use @graph and @id)"


def resolve_jsonld(body: bytes) -> bytes:
    """The document with Commensura's context inlined; other remote contexts refused."""
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except RecursionError as exc:
        raise RdfSyntaxError(_TOO_DEEP, details={"format": "jsonld"}) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        column = getattr(exc, "colno", None)
        msg = f"the JSON-LD input is not valid JSON: {exc}"
        details: dict[str, object] = {"format": "jsonld"}
        if line is not None:
            details.update(line=line, column=column)
        raise RdfSyntaxError(msg, details=details) from exc
    try:
        return json.dumps(_inline_contexts(document)).encode("utf-8")
    except RecursionError as exc:  # pragma: no cover - json.loads refuses deeper nesting
        raise RdfSyntaxError(_TOO_DEEP, details={"format": "jsonld"}) from exc


@dataclass(frozen=True)
class ParsedSubmission:
    graph: Graph
    format: SubmissionFormat


def parse_submission(
    store: Store, body: bytes, fmt: SubmissionFormat, *, graph: URIRef, base: str
) -> ParsedSubmission:
    """Parse a submission meant for ``graph``, with ``base`` as base IRI."""
    if not body.strip():
        raise InputError("the submission is empty: send at least one triple")
    result = Graph()
    if fmt is SubmissionFormat.CSV:
        from registry.submissions.csv_template import csv_to_graph

        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            msg = f"the CSV file is not UTF-8 text: {exc}; save it as 'CSV UTF-8'"
            raise InputError(msg) from exc
        result += csv_to_graph(text, base=f"{base}definition/")
        return ParsedSubmission(result, fmt)
    if fmt is SubmissionFormat.JSONLD:
        body = resolve_jsonld(body)
    for triple in store.parse(body, _RDF[fmt], graph=graph, base_iri=base):
        result.add(triple)
    return ParsedSubmission(result, fmt)

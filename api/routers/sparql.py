"""The SPARQL 1.1 Protocol endpoint at ``/sparql``: read-only, capped, content-negotiated.

* Queries by ``GET ?query=``, by ``POST`` of a form (``query=``) or of the query
  itself (``application/sparql-query``); ``default-graph-uri`` and
  ``named-graph-uri`` (repeatable) replace the dataset (the default is the union of
  all named graphs).
* Answers in SPARQL results JSON / XML / CSV / TSV (ASK: JSON / XML) and Turtle /
  N-Triples / JSON-LD / RDF/XML (CONSTRUCT, DESCRIBE), by ``Accept`` or
  ``?format=``; 406 when nothing fits. Browsers get an HTML page.
* Without a query: the service description (RDF), or the query page (HTML).
* Refused before anything runs: SPARQL Update (403 ``query.update_refused``) and
  SERVICE (400 ``query.service_refused``).
* Caps from the settings: ``sparql_result_limit`` rows or triples (the answer is cut
  and says so in ``X-Commensura-Truncated``), ``sparql_timeout`` seconds
  (400 ``query.timeout``), ``sparql_workers`` queries at once (429 ``query.busy``).
  Queries run in worker threads (``api.sparql.runner``), never on the event loop.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Iterable
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from rdflib import URIRef

from api.conneg import HTML
from api.deps import SettingsDep, StoreDep
from api.errors import error_body, status_for
from api.sparql.description import RDFLIB_FORMATS, service_description
from api.sparql.page import PAGE_ROWS, Answer, render_page
from api.sparql.protocol import (
    DESCRIPTION_OFFERS,
    FORM,
    OFFERS,
    SPARQL_QUERY,
    SPARQL_UPDATE,
    ProtocolRequest,
    choose_format,
    parse_content_type,
    query_form,
    read_parameters,
    update_operation,
    written_as,
)
from api.sparql.runner import QueryBusyError, QueryRunner
from registry.config import Settings
from registry.errors import CommensuraError, PayloadTooLargeError, QueryError, QueryTimeoutError
from registry.sparql import check_size, refuse_federation
from registry.store import Store
from registry.store.base import ResultKind, SerializedResult
from registry.submissions.parse import our_context

router = APIRouter(tags=["sparql"])

TRUNCATED_HEADER = "X-Commensura-Truncated"
LIMIT_HEADER = "X-Commensura-Result-Limit"

_GET_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "query",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE). Without it, "
        "the service description (RDF) or the query page (HTML) is answered.",
    },
    {
        "name": "default-graph-uri",
        "in": "query",
        "required": False,
        "schema": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "style": "form",
        "explode": True,
        "description": "Graphs whose merge is the default graph (repeatable).",
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "required": False,
        "schema": {"type": "array", "items": {"type": "string", "format": "uri"}},
        "style": "form",
        "explode": True,
        "description": "Graphs GRAPH may see (repeatable).",
    },
    {
        "name": "format",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "Answer format, winning over Accept: json, xml, csv, tsv, ttl, nt, "
        "jsonld, rdf, html, or a media type.",
    },
]
_POST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        FORM: {
            "schema": {
                "type": "object",
                "properties": {
                    "query": {"type": "string"},
                    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "format": {"type": "string"},
                },
                "required": ["query"],
            }
        },
        SPARQL_QUERY: {"schema": {"type": "string"}},
    },
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The answer, in the negotiated format; `X-Commensura-Truncated: true` "
        "when it was cut at the result cap.",
        "content": {media: {} for media in {*OFFERS[ResultKind.SOLUTIONS], *DESCRIPTION_OFFERS}},
    },
    400: {
        "description": "Not a valid query (`query.invalid`), SERVICE (`query.service_refused`), "
        "or over the time cap (`query.timeout`)"
    },
    403: {"description": "SPARQL Update, LOAD included (`query.update_refused`)"},
    406: {"description": "No format the client accepts (`request.not_acceptable`)"},
    413: {"description": "Body or query over the configured caps (`request.too_large`)"},
    415: {"description": "Body neither a form nor a query in UTF-8"},
    429: {"description": "Every query worker busy for the whole time cap (`query.busy`)"},
}


@router.get(
    "/sparql",
    summary="SPARQL 1.1 query (GET), service description, or the query page",
    openapi_extra={"parameters": _GET_PARAMETERS},
    responses=_RESPONSES,
)
async def sparql_get(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """SPARQL 1.1 Protocol query operation by GET; without a query, the service description."""
    return await _handle(request, store, settings, request.query_params.multi_items())


@router.post(
    "/sparql",
    summary="SPARQL 1.1 query (POST: form or direct)",
    openapi_extra={"requestBody": _POST_BODY},
    responses=_RESPONSES,
)
async def sparql_post(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """SPARQL 1.1 Protocol query operation by POST, URL-encoded form or direct."""
    content = parse_content_type(request.headers.get("content-type"))
    if content.media_type == SPARQL_UPDATE:
        return _update_refused("SPARQL Update")
    if content.media_type not in (FORM, SPARQL_QUERY) or not content.utf8:
        return _error(
            415,
            "request.unsupported_media_type",
            "POST a query as application/x-www-form-urlencoded (query=...) or as "
            "application/sparql-query, in UTF-8",
            {"content_type": request.headers.get("content-type")},
        )
    # A form body URL-encodes the query (at most 3 bytes a byte) beside short parameters.
    cap = min(settings.max_body_bytes, 4 * settings.sparql_max_query_bytes)
    body = await _read_body(request, cap)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = "the request body is not valid UTF-8"
        raise QueryError(msg, details={"error": str(exc)}) from exc
    params = request.query_params.multi_items()
    if content.media_type == FORM:
        form = parse_qsl(text, keep_blank_values=True)
        return await _handle(request, store, settings, [*params, *form], posted=True)
    return await _handle(request, store, settings, params, direct=text, posted=True)


async def _handle(
    request: Request,
    store: Store,
    settings: Settings,
    params: Iterable[tuple[str, str]],
    *,
    direct: str | None = None,
    posted: bool = False,
) -> Response:
    protocol = read_parameters(params)
    if protocol.update is not None:
        head = protocol.update[: settings.sparql_max_query_bytes]
        return _update_refused(update_operation(head) or "SPARQL Update")
    query = protocol.query
    if direct is not None:
        if query is not None:
            msg = "a direct POST carries the query as its body: do not send query= as well"
            raise QueryError(msg)
        query = direct
    if query is None:
        if posted:
            msg = (
                "no query: send query=... in the form, or the query itself as an "
                "application/sparql-query body"
            )
            raise QueryError(msg)
        return await _describe(request, store, settings, protocol)
    if not query.strip():
        msg = "the query is empty"
        raise QueryError(msg)
    check_size(query, settings.sparql_max_query_bytes)
    operation = update_operation(query)
    if operation is not None:
        return _update_refused(operation)
    refuse_federation(query)
    return await _run_query(request, store, settings, protocol, query)


async def _run_query(
    request: Request, store: Store, settings: Settings, protocol: ProtocolRequest, query: str
) -> Response:
    form = query_form(query)
    kind = form.kind if form is not None else ResultKind.SOLUTIONS
    if form is None:
        chosen = OFFERS[kind][0]  # not a query: the engine's error message says why
    else:
        found = choose_format(
            OFFERS[kind],
            request.headers.get("accept"),
            protocol.format,
            graph=kind is ResultKind.GRAPH,
        )
        if found is None:
            return _not_acceptable(kind.value, OFFERS[kind], request, protocol)
        chosen = found
    html = chosen == HTML
    limit = min(settings.sparql_result_limit, PAGE_ROWS) if html else settings.sparql_result_limit
    default_graphs, named_graphs = _dataset(protocol)
    media_type = written_as(chosen, kind)
    base_iri = _endpoint(request)

    def work(deadline: float) -> SerializedResult:
        return store.query_serialized(
            query,
            media_type=media_type,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            limit=limit,
            deadline=deadline,
            prefixes=_prefixes(),
            base_iri=base_iri,
        )

    started = time.monotonic()
    try:
        result = await _runner(request, settings).run(work)
    except QueryBusyError:
        return _busy(settings)
    except QueryTimeoutError as exc:
        error = _timeout(settings, exc)
        if html:
            return _page_error(request, settings, query, error)
        raise error from exc
    except CommensuraError as exc:
        if html:
            return _page_error(request, settings, query, exc)
        raise
    headers = {
        "Vary": "Accept",
        TRUNCATED_HEADER: "true" if result.truncated else "false",
        LIMIT_HEADER: str(limit),
    }
    if html:
        answer = Answer(
            kind=result.kind.value,
            body=result.body,
            count=result.count,
            truncated=result.truncated,
            limit=limit,
            seconds=time.monotonic() - started,
        )
        page = render_page(
            endpoint=request.url.path,
            query=query,
            format_value="html",
            answer=answer,
            result_limit=settings.sparql_result_limit,
            time_cap=settings.sparql_timeout,
        )
        return HTMLResponse(page, headers=headers)
    return Response(result.body, media_type=chosen, headers=headers)


async def _describe(
    request: Request, store: Store, settings: Settings, protocol: ProtocolRequest
) -> Response:
    """The service description (RDF) or, for a browser, the query page."""
    chosen = choose_format(
        DESCRIPTION_OFFERS, request.headers.get("accept"), protocol.format, graph=True
    )
    if chosen is None:
        return _not_acceptable("service description", DESCRIPTION_OFFERS, request, protocol)
    if chosen == HTML:
        page = render_page(
            endpoint=request.url.path,
            result_limit=settings.sparql_result_limit,
            time_cap=settings.sparql_timeout,
        )
        return HTMLResponse(page, headers={"Vary": "Accept"})

    def sizes(deadline: float) -> dict[URIRef, int]:
        return {graph: store.count(graph) for graph in store.graphs()}

    try:
        graphs = await _runner(request, settings).run(sizes)
    except QueryBusyError:
        return _busy(settings)
    description = service_description(
        _endpoint(request),
        graphs,
        result_limit=settings.sparql_result_limit,
        time_cap=settings.sparql_timeout,
    )
    body = description.serialize(format=RDFLIB_FORMATS[chosen], encoding="utf-8")
    return Response(body, media_type=chosen, headers={"Vary": "Accept"})


# -- helpers -----------------------------------------------------------------------


def _runner(request: Request, settings: Settings) -> QueryRunner:
    """The application's query runner, made on first use from its settings."""
    runner: QueryRunner | None = getattr(request.app.state, "sparql_runner", None)
    if runner is None:
        runner = QueryRunner(workers=settings.sparql_workers, time_cap=settings.sparql_timeout)
        request.app.state.sparql_runner = runner
    return runner


_HOST = re.compile(r"[A-Za-z0-9.\-_~:\[\]]+")


def _endpoint(request: Request) -> str:
    """The endpoint's own IRI (the base IRI of queries, and the service description's subject).

    Built from the request's Host; a Host that cannot be part of an IRI is replaced by the
    address the server was told to bind.
    """
    url = request.url
    netloc = url.netloc
    if not _HOST.fullmatch(netloc):
        settings: Settings = request.app.state.settings
        netloc = f"{settings.host}:{settings.port}"
    return f"{url.scheme}://{netloc}{url.path}"


@cache
def _prefixes() -> dict[str, str]:
    """Prefixes graph answers abbreviate with: those of Commensura's JSON-LD context."""
    return {k: v for k, v in our_context().items() if isinstance(v, str) and v.endswith(("/", "#"))}


def _dataset(protocol: ProtocolRequest) -> tuple[list[URIRef] | None, list[URIRef] | None]:
    """The protocol's dataset: given graphs replace the query's own dataset entirely."""
    if not protocol.has_dataset:
        return None, None
    return (
        [URIRef(g) for g in protocol.default_graphs],
        [URIRef(g) for g in protocol.named_graphs],
    )


async def _read_body(request: Request, cap: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``cap`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise _too_large(cap)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise _too_large(cap)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(cap: int) -> PayloadTooLargeError:
    msg = f"the body is larger than {cap:,} bytes: send a shorter query"
    return PayloadTooLargeError(msg, details={"limit_bytes": cap})


def _error(
    status: int,
    code: str,
    message: str,
    details: dict[str, object] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """An error in the API's one error shape, for statuses the registry's tree has no class for."""
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


def _update_refused(operation: str) -> JSONResponse:
    return _error(
        403,
        "query.update_refused",
        f"this endpoint is read-only: {operation} is not accepted. Data enters Commensura "
        "through /api/submissions, with an organisation's token",
        {"operation": operation},
    )


def _not_acceptable(
    what: str, offers: Iterable[str], request: Request, protocol: ProtocolRequest
) -> JSONResponse:
    offered = list(offers)
    asked = f"format={protocol.format}" if protocol.format else "the Accept header"
    return _error(
        406,
        "request.not_acceptable",
        f"a {what} answer can be sent as {', '.join(offered)}; {asked} asks for none of them",
        {
            "accept": request.headers.get("accept"),
            "format": protocol.format,
            "offered": offered,
        },
        {"Vary": "Accept"},
    )


def _busy(settings: Settings) -> JSONResponse:
    return _error(
        429,
        "query.busy",
        f"all {settings.sparql_workers} query workers stayed busy for "
        f"{settings.sparql_timeout:g} s: try again shortly",
        {"workers": settings.sparql_workers},
        {"Retry-After": str(math.ceil(settings.sparql_timeout))},
    )


def _timeout(settings: Settings, cause: QueryTimeoutError) -> QueryTimeoutError:
    cap = settings.sparql_timeout
    msg = (
        f"the query ran longer than the {cap:g} s time cap and was stopped: narrow its "
        "patterns, or ask for less (LIMIT)"
    )
    return QueryTimeoutError(msg, details={"time_cap_seconds": cap, **cause.details})


def _page_error(
    request: Request, settings: Settings, query: str, error: CommensuraError
) -> HTMLResponse:
    """The query page again, with the error, for a person who asked for HTML."""
    page = render_page(
        endpoint=request.url.path,
        query=query,
        answer=Answer(kind="error", message=error.message, code=error.code),
        result_limit=settings.sparql_result_limit,
        time_cap=settings.sparql_timeout,
    )
    return HTMLResponse(page, status_code=status_for(error))

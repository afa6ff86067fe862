"""Linked Data: every IRI Commensura mints dereferences, plus VoID and a full dump.

Our IRIs live under ``https://w3id.org/commensura/``; a deployment serves each
one at the same path on its own host (w3id.org redirects there):

* ``/id/{path}`` and ``/vocab/{path}``: a resource's description;
* ``/ontology`` (terms are its ``#fragments``) and ``/ontology/{version}``;
* ``/graph/{name}``: a named graph's VoID description; ``/graph/{name}.nq.gz``
  its content;
* ``/void`` and ``/.well-known/void``: VoID for the whole store;
  ``/dump.nq.gz``: every quad, gzipped N-Quads.

Descriptions are written as HTML, Turtle, JSON-LD, N-Triples or RDF/XML,
chosen by a file extension (``.html``, ``.ttl``, ``.jsonld``, ``.nt``,
``.rdf``), then ``?format=``, then the ``Accept`` header; 406 when nothing
fits. See docs/iri-policy.md. As HTML, indicator definitions and datasets are the
portal's pages of them (``api.portal.pages``); every other resource is a table of its
statements.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF

from api.conneg import HTML, JSONLD, NTRIPLES, RDFXML, TURTLE, from_format, negotiate
from api.deps import StoreDep
from api.errors import error_body
from api.portal import pages
from registry.errors import NotFoundError
from registry.linked_data import (
    ALL_LABELS,
    DATASET,
    GRAPH_SPACE,
    ID_SPACE,
    LABELS,
    VOCAB_SPACE,
    Description,
    UnrepresentableError,
    describe,
    describe_graph,
    describe_ontology,
    dump_chunks,
    iri_candidates,
    local_path,
    ontology_version,
    prefixes,
    resolve,
    serialize,
    void_description,
)
from registry.namespaces import BASE, ONTOLOGY_IRI
from registry.store import RdfFormat, Store

router = APIRouter(tags=["linked data"])

_Route = Callable[..., Response]


def _get(path: str, **options: Any) -> Callable[[_Route], _Route]:
    """Register a GET route, and HEAD on the same path (left out of the OpenAPI schema)."""

    def register(endpoint: _Route) -> _Route:
        router.add_api_route(path, endpoint, methods=["GET"], **options)
        router.add_api_route(path, endpoint, methods=["HEAD"], include_in_schema=False)
        return endpoint

    return register


OFFERS = (TURTLE, HTML, JSONLD, NTRIPLES, RDFXML)
"""What a description can be written as; with no preference, Turtle."""
EXTENSIONS = {"ttl": TURTLE, "jsonld": JSONLD, "nt": NTRIPLES, "rdf": RDFXML, "html": HTML}
_SUFFIX = {media: ext for ext, media in EXTENSIONS.items()}
_RDF_FORMAT = {
    TURTLE: RdfFormat.TURTLE,
    JSONLD: RdfFormat.JSONLD,
    NTRIPLES: RdfFormat.NTRIPLES,
    RDFXML: RdfFormat.RDFXML,
}
_CONTENT_TYPE = {
    TURTLE: "text/turtle; charset=utf-8",
    JSONLD: "application/ld+json",
    NTRIPLES: "application/n-triples",
    RDFXML: "application/rdf+xml",
    HTML: "text/html; charset=utf-8",
}
_FORMAT_NAMES = {
    HTML: "HTML",
    TURTLE: "Turtle",
    JSONLD: "JSON-LD",
    NTRIPLES: "N-Triples",
    RDFXML: "RDF/XML",
}
DUMP_SUFFIX = ".nq.gz"
_IRI_SAFE = "/:@!$&'()*+,;=-._~%#"


class NotAcceptableError(Exception):
    """The client accepts none of the formats offered."""


# -- requests ----------------------------------------------------------------------


def _raw_rest(request: Request, prefix: str) -> str:
    """The request path after ``prefix``, as the client sent it (percent-escapes kept)."""
    root = str(request.scope.get("root_path") or "")
    raw = request.scope.get("raw_path")
    text: str | None = None
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            msg = "the request path is not UTF-8"
            raise NotFoundError(msg) from exc
        if root and text.startswith(root):
            text = text[len(root) :]
    if text is None or not text.startswith(prefix):
        path = str(request.scope.get("path", ""))
        if root and path.startswith(root):
            path = path[len(root) :]
        text = quote(path, safe=_IRI_SAFE)
    return text[len(prefix) :] if text.startswith(prefix) else ""


def _split_extension(rest: str) -> tuple[str, str | None]:
    """``place/x.ttl`` -> (``place/x``, Turtle); paths without a known extension unchanged."""
    head, dot, ext = rest.rpartition(".")
    media = EXTENSIONS.get(ext.lower()) if dot and "/" not in ext else None
    if media is None or not head or head.endswith("/"):
        return rest, None
    return head, media


def _choose(request: Request, forced: str | None) -> str:
    """Extension, then ``?format=``, then ``Accept``; ``NotAcceptableError`` when nothing fits."""
    if forced is not None:
        return forced
    wanted = request.query_params.get("format")
    if wanted is not None:
        media = from_format(wanted)
        if media in OFFERS:
            return media
        raise NotAcceptableError
    chosen = negotiate(request.headers.get("accept"), OFFERS)
    if chosen is None:
        raise NotAcceptableError
    return chosen


def _not_acceptable(request: Request) -> JSONResponse:
    offered = list(OFFERS)
    return JSONResponse(
        error_body(
            "request.not_acceptable",
            "none of the formats this resource is written in is acceptable: ask for one of "
            f"{', '.join(offered)} (Accept header, ?format= or a file extension)",
            {"offered": offered, "accept": request.headers.get("accept", "")},
        ),
        status_code=406,
        headers={"Vary": "Accept"},
    )


def _resolve_path(store: Store, space: str, rest: str) -> tuple[URIRef, str | None]:
    """The IRI a path names and the format its extension forces (extension wins).

    ``x.ttl`` is the Turtle of ``x``, unless only an IRI ending in ``.ttl`` is known.
    """
    stem, forced = _split_extension(rest)
    if forced is not None:
        with contextlib.suppress(NotFoundError):
            iri = resolve(store, iri_candidates(space, stem))
            if iri is not None:
                return iri, forced
    candidates = iri_candidates(space, rest)
    iri = resolve(store, candidates)
    if iri is None:
        msg = f"Commensura knows nothing about <{candidates[0]}>"
        raise NotFoundError(msg, details={"iri": str(candidates[0])})
    return iri, None


# -- responses ---------------------------------------------------------------------


def _uri(text: str) -> str:
    """An IRI or IRI reference as ASCII (RFC 3987, 3.1), for headers and links."""
    return quote(text, safe=_IRI_SAFE)


def _doc_url(request: Request, document: str, media: str) -> str:
    root = str(request.scope.get("root_path") or "")
    return _uri(f"{root}{document}.{_SUFFIX[media]}")


def _headers(request: Request, document: str, media: str) -> dict[str, str]:
    links = [
        f'<{_doc_url(request, document, m)}>; rel="alternate"; type="{m}"'
        for m in OFFERS
        if m != media
    ]
    return {
        "Vary": "Accept",
        "Content-Location": _doc_url(request, document, media),
        "Link": ", ".join(links),
    }


def _respond(
    request: Request, description: Description, media: str, document: str, title: str = ""
) -> Response:
    """A description in the chosen format, with its alternates in ``Link``."""
    headers = _headers(request, document, media)
    if media == HTML:
        body = render_html(description, request=request, document=document, title=title)
        return Response(body, media_type=_CONTENT_TYPE[HTML], headers=headers)
    try:
        data = serialize(description.graph(), _RDF_FORMAT[media])
    except UnrepresentableError as exc:
        return JSONResponse(
            error_body(
                "request.not_acceptable", exc.message, {**exc.details, "offered": list(OFFERS)}
            ),
            status_code=406,
            headers={"Vary": "Accept", "Link": headers["Link"]},
        )
    return Response(data, media_type=_CONTENT_TYPE[media], headers=headers)


def _describe_path(request: Request, store: Store, prefix: str, space: str) -> Response:
    rest = _raw_rest(request, prefix)
    iri, forced = _resolve_path(store, space, rest)
    try:
        media = _choose(request, forced)
    except NotAcceptableError:
        return _not_acceptable(request)
    document = local_path(str(iri)) or f"{prefix}{rest}"
    description = describe(store, iri)
    if media == HTML and space == ID_SPACE:
        page = _portal_page(request, store, description, document)
        if page is not None:
            return page
    return _respond(request, description, media, document)


def _portal_page(
    request: Request, store: Store, description: Description, document: str
) -> Response | None:
    """A definition's or dataset's page of the portal (``None``: any other resource)."""
    focus = description.focus
    types = [o for (s, p, o) in description.statements if s == focus and p == RDF.type]
    if pages.kind_of(types) is None:
        return None
    alternates = [
        pages.Alternate(_FORMAT_NAMES[m], m, _doc_url(request, document, m))
        for m in OFFERS
        if m != HTML
    ]
    body = pages.resource_page(store, focus, types, path=request.url.path, alternates=alternates)
    if body is None:
        return None
    return Response(body, media_type=_CONTENT_TYPE[HTML], headers=_headers(request, document, HTML))


# -- routes: resources -------------------------------------------------------------


@_get("/id/{path:path}", summary="Dereference a Commensura IRI")
def resource(path: str, request: Request, store: StoreDep) -> Response:
    """The description of `https://w3id.org/commensura/id/{path}`: every statement about it,
    in every graph, with the blank nodes it reaches. HTML, Turtle, JSON-LD, N-Triples or
    RDF/XML by extension, `?format=` or `Accept`."""
    return _describe_path(request, store, "/id/", ID_SPACE)


@_get("/vocab/{path:path}", summary="Dereference a vocabulary IRI")
def vocabulary(path: str, request: Request, store: StoreDep) -> Response:
    """A concept scheme (`/vocab/{scheme}`) or concept (`/vocab/{scheme}/{concept}`)."""
    return _describe_path(request, store, "/vocab/", VOCAB_SPACE)


def _ontology(request: Request, store: Store, forced: str | None) -> Response:
    try:
        media = _choose(request, forced)
    except NotAcceptableError:
        return _not_acceptable(request)
    return _respond(request, describe_ontology(store), media, "/ontology")


@_get("/ontology", summary="The ontology document")
def ontology(request: Request, store: StoreDep) -> Response:
    """The Commensura ontology: the ontology and each term `#Name`, in one document."""
    return _ontology(request, store, None)


@_get("/ontology.{ext}", include_in_schema=False)
def ontology_file(ext: str, request: Request, store: StoreDep) -> Response:
    if ext.lower() not in EXTENSIONS:
        raise NotFoundError(f"no ontology document in the format {ext!r}", details={"ext": ext})
    return _ontology(request, store, EXTENSIONS[ext.lower()])


@_get("/ontology/{version:path}", summary="An ontology version")
def ontology_versioned(version: str, request: Request, store: StoreDep) -> Response:
    """A version IRI of the ontology (`owl:versionIRI`): the ontology document."""
    rest = _raw_rest(request, "/ontology/")
    stem, forced = _split_extension(rest)
    for path, fmt in ((stem, forced), (rest, None)):
        with contextlib.suppress(NotFoundError):
            if any(ontology_version(store, i) for i in iri_candidates(f"{ONTOLOGY_IRI}/", path)):
                return _ontology(request, store, fmt)
    msg = f"<{ONTOLOGY_IRI}/{rest}> is not a version of the Commensura ontology"
    raise NotFoundError(msg, details={"version": rest})


# -- routes: graphs, VoID, dumps ---------------------------------------------------


def _graph_dump_url(request: Request) -> Callable[[URIRef], str]:
    base = str(request.base_url)

    def url(graph: URIRef) -> str:
        return _uri(f"{base}graph/{str(graph)[len(GRAPH_SPACE) :]}{DUMP_SUFFIX}")

    return url


def _dump(store: Store, graph: URIRef | None) -> StreamingResponse:
    """Gzipped N-Quads, streamed as the store is exported (no temporary copy, no size cap)."""
    name = "commensura" if graph is None else str(graph)[len(GRAPH_SPACE) :].replace("/", "-")
    return StreamingResponse(
        dump_chunks(store, graphs_=None if graph is None else [graph]),
        media_type="application/gzip",
        headers={"Content-Disposition": f'attachment; filename="{name}{DUMP_SUFFIX}"'},
    )


@router.get("/dump.nq.gz", summary="Every quad of the store, gzipped N-Quads")
def dump(store: StoreDep) -> StreamingResponse:
    """The whole store: every named graph, as gzipped N-Quads (`application/gzip`), streamed."""
    return _dump(store, None)


@_get("/graph/{name:path}", summary="A named graph")
def named_graph(name: str, request: Request, store: StoreDep) -> Response:
    """`/graph/{name}`: the graph's VoID description (its triple count, licence, dump...);
    `/graph/{name}.nq.gz`: its content as gzipped N-Quads."""
    rest = _raw_rest(request, "/graph/")
    if rest.endswith(DUMP_SUFFIX):
        graph = _known_graph(store, rest[: -len(DUMP_SUFFIX)])
        if request.method == "HEAD":
            return Response(media_type="application/gzip")
        return _dump(store, graph)
    stem, forced = _split_extension(rest)
    try:
        graph = _known_graph(store, stem)
    except NotFoundError:
        if forced is None:
            raise
        graph, forced = _known_graph(store, rest), None
    try:
        media = _choose(request, forced)
    except NotAcceptableError:
        return _not_acceptable(request)
    description = describe_graph(store, graph, graph_dump=_graph_dump_url(request))
    return _respond(request, description, media, f"/graph/{str(graph)[len(GRAPH_SPACE) :]}")


def _known_graph(store: Store, rest: str) -> URIRef:
    present = set(store.graphs())
    candidates = iri_candidates(GRAPH_SPACE, rest)
    for graph in candidates:
        if graph in present:
            return graph
    msg = f"there is no named graph <{candidates[0]}> in this store"
    raise NotFoundError(msg, details={"graph": str(candidates[0])})


def _void(request: Request, store: Store, forced: str | None) -> Response:
    try:
        media = _choose(request, forced)
    except NotAcceptableError:
        return _not_acceptable(request)
    base = str(request.base_url)
    graph = void_description(
        store,
        sparql_endpoint=f"{base}sparql",
        dump=f"{base}dump.nq.gz",
        graph_dump=_graph_dump_url(request),
    )
    subsets = sorted(
        s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and s != DATASET
    )
    description = Description(focus=DATASET, roots=[DATASET, *subsets])
    for triple in graph:
        description.add(triple, None)
    for s, p, o in graph:
        if p in LABELS and isinstance(s, URIRef) and isinstance(o, Literal):
            description.labels.setdefault(s, []).append(o)
    return _respond(request, description, media, "/void", title="VoID description")


@_get("/void", summary="VoID description of the whole store")
def void(request: Request, store: StoreDep) -> Response:
    """VoID: the dataset, its triple count, SPARQL endpoint, dump, URI space, vocabularies,
    and one subset per named graph with its triple count, licence and publisher where known."""
    return _void(request, store, None)


@_get("/.well-known/void", include_in_schema=False)
def well_known_void(request: Request, store: StoreDep) -> Response:
    return _void(request, store, None)


@_get("/void.{ext}", include_in_schema=False)
def void_file(ext: str, request: Request, store: StoreDep) -> Response:
    if ext.lower() not in EXTENSIONS:
        raise NotFoundError(f"no VoID document in the format {ext!r}", details={"ext": ext})
    return _void(request, store, EXTENSIONS[ext.lower()])


# -- HTML --------------------------------------------------------------------------

_CSS = """
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fff}
header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
header{border-bottom:1px solid #ddd;padding:.6rem 1rem}
header a{margin-right:1rem}
h1{font-size:1.6rem;margin:1rem 0 .2rem}h2{font-size:1.2rem;margin:1.6rem 0 .4rem}
code,.iri{font-family:ui-monospace,monospace;font-size:.9em;word-break:break-all}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #eee;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f6f6;font-weight:600}
td table{margin:.2rem 0;border-left:3px solid #ddd}
.lang,.dt,.graph{color:#666;font-size:.85em}
.formats a{margin-right:.6rem}
section.term{border-top:1px solid #ddd;margin-top:1.5rem}
""".strip()

_LABEL_ORDER = {p: i for i, p in enumerate(ALL_LABELS)}


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


class _Renderer:
    """One HTML page: links to our own IRIs stay on this deployment."""

    def __init__(self, description: Description, root: str) -> None:
        self.d = description
        self.root = root
        self.prefixes = sorted(prefixes().items(), key=lambda kv: -len(kv[1]))
        self.by_subject: dict[Any, list[tuple[Any, Any, set[URIRef]]]] = {}
        for (s, p, o), graph_set in description.statements.items():
            self.by_subject.setdefault(s, []).append((p, o, graph_set))
        self.with_graphs = any(description.statements.values())

    def href(self, iri: str) -> str:
        local = local_path(iri)
        return _uri(self.root + local if local is not None else iri)

    def curie(self, iri: str) -> str:
        for prefix, namespace in self.prefixes:
            if iri.startswith(namespace):
                rest = iri[len(namespace) :]
                if rest and not any(c in rest for c in "/#?"):
                    return f"{prefix}:{rest}"
        return iri

    def label(self, iri: URIRef) -> str | None:
        names = self.d.labels.get(iri, [])
        for lang in ("en", None):
            for name in names:
                if lang is None or name.language == lang:
                    return str(name)
        return None

    def link(self, iri: URIRef) -> str:
        name = self.label(iri)
        shown = _esc(name) if name else f"<code>{_esc(self.curie(str(iri)))}</code>"
        title = _esc(str(iri))
        return f'<a href="{_esc(self.href(str(iri)))}" title="{title}">{shown}</a>'

    def literal(self, value: Literal) -> str:
        text = _esc(value)
        if value.language:
            lang = _esc(value.language)
            return f'<span lang="{lang}">{text}</span> <span class="lang">@{lang}</span>'
        if value.datatype is not None:
            return f'{text} <span class="dt">^^{_esc(self.curie(str(value.datatype)))}</span>'
        return text

    def value(self, node: Any, seen: frozenset[Any]) -> str:
        if isinstance(node, Literal):
            return self.literal(node)
        if isinstance(node, BNode):
            if node in seen or node not in self.by_subject:
                return '<span class="dt">(blank node)</span>'
            return self.table(node, seen | {node}, with_graph=False)
        if isinstance(node, URIRef):
            return self.link(node)
        return _esc(node)  # pragma: no cover - terms are IRIs, blank nodes or literals

    def graph_cell(self, graph_set: Iterable[URIRef]) -> str:
        cells = []
        for g in sorted(graph_set):
            name = str(g)[len(GRAPH_SPACE) :] if str(g).startswith(GRAPH_SPACE) else str(g)
            cells.append(f'<a class="graph" href="{_esc(self.href(str(g)))}">{_esc(name)}</a>')
        return "<br>".join(cells)

    def table(self, subject: Any, seen: frozenset[Any], *, with_graph: bool = True) -> str:
        """The statements about ``subject``; at the top level, names are in their own table."""
        top = with_graph
        with_graph = with_graph and self.with_graphs
        rows = sorted(
            (
                r
                for r in self.by_subject.get(subject, [])
                if not (top and r[0] in _LABEL_ORDER and isinstance(r[1], Literal))
            ),
            key=lambda r: (r[0] != RDF.type, str(r[0]), str(r[1])),
        )
        if not rows:
            return "" if top else '<span class="dt">(blank node)</span>'
        head = "<tr><th>Property</th><th>Value</th>" + ("<th>Graph</th>" if with_graph else "")
        out = [f"<table>{head}</tr>"]
        for p, o, graph_set in rows:
            cells = f"<td>{self.link(p)}</td><td>{self.value(o, seen)}</td>"
            if with_graph:
                cells += f"<td>{self.graph_cell(graph_set)}</td>"
            out.append(f"<tr>{cells}</tr>")
        out.append("</table>")
        return "".join(out)

    def labels_table(self, subject: URIRef) -> str:
        names = [
            (p, o, graph_set)
            for p, o, graph_set in self.by_subject.get(subject, [])
            if p in _LABEL_ORDER and isinstance(o, Literal)
        ]
        if not names:
            return ""
        names.sort(key=lambda r: (_LABEL_ORDER[r[0]], r[1].language or "", str(r[1])))
        graph_head = "<th>Graph</th>" if self.with_graphs else ""
        rows = "".join(
            f"<tr><td>{_esc(lit.language or '')}</td><td>{self.literal(lit)}</td>"
            f"<td>{self.link(p)}</td>"
            + (f"<td>{self.graph_cell(graph_set)}</td>" if self.with_graphs else "")
            + "</tr>"
            for p, lit, graph_set in names
        )
        return (
            "<h3>Names</h3><table><tr><th>Language</th><th>Name</th><th>Property</th>"
            f"{graph_head}</tr>{rows}</table>"
        )

    def section(self, subject: URIRef, *, main: bool) -> str:
        anchor = str(subject).partition("#")[2]
        name = self.label(subject) or self.curie(str(subject))
        heading = "h1" if main else "h2"
        attrs = f' id="{_esc(anchor)}"' if anchor else ""
        cls = "" if main else ' class="term"'
        types = [o for p, o, _ in self.by_subject.get(subject, []) if p == RDF.type]
        kinds = ", ".join(self.link(t) for t in sorted(types) if isinstance(t, URIRef))
        statements = self.table(subject, frozenset({subject}))
        return (
            f"<section{attrs}{cls}><{heading}>{_esc(name)}</{heading}>"
            f'<p class="iri">{_esc(str(subject))}</p>'
            + (f"<p>Type: {kinds}</p>" if kinds else "")
            + self.labels_table(subject)
            + (f"<h3>Statements</h3>{statements}" if statements else "")
            + "</section>"
        )

    def incoming(self) -> str:
        if not self.d.incoming:
            return ""
        rows = "".join(
            f"<tr><td>{self.link(s)}</td><td>{self.link(p)}</td>"
            f"<td>{self.graph_cell([g])}</td></tr>"
            for s, p, g in self.d.incoming
        )
        more = (
            f"<p>Only the first {len(self.d.incoming)} are shown; ask the SPARQL endpoint "
            "for the rest.</p>"
            if self.d.incoming_truncated
            else ""
        )
        return (
            "<section><h2>Referenced by</h2><table><tr><th>Resource</th><th>Property</th>"
            f"<th>Graph</th></tr>{rows}</table>{more}</section>"
        )


def render_html(
    description: Description, *, request: Request, document: str, title: str = ""
) -> str:
    """A server-rendered page: no script, no remote asset, every language's labels."""
    root = str(request.scope.get("root_path") or "")
    page = _Renderer(description, root)
    focus = description.focus
    name = title or page.label(focus) or page.curie(str(focus))
    alternates = "".join(
        f'<link rel="alternate" type="{m}" href="{_esc(_doc_url(request, document, m))}">'
        for m in OFFERS
        if m != HTML
    )
    formats = " ".join(
        f'<a href="{_esc(_doc_url(request, document, m))}">{_FORMAT_NAMES[m]}</a>'
        for m in OFFERS
        if m != HTML
    )
    main_root = description.roots[0] if description.roots else focus
    body = [page.section(main_root, main=True)]
    body += [page.section(r, main=False) for r in description.roots[1:]]
    body.append(page.incoming())
    nav = "".join(
        f'<a href="{_esc(root + path)}">{label}</a>'
        for path, label in (
            ("/void", "Datasets (VoID)"),
            ("/ontology", "Ontology"),
            ("/dump.nq.gz", "Dump"),
            ("/docs", "API"),
        )
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(name)} · Commensura</title>{alternates}<style>{_CSS}</style></head>"
        f"<body><header><strong>Commensura</strong> {nav}</header><main>"
        f'<p class="formats">This page as: {formats}</p>'
        + "".join(body)
        + "</main><footer><p>IRIs under <code>"
        + _esc(BASE)
        + "</code> are served here by content negotiation; see docs/iri-policy.md.</p>"
        "</footer></body></html>"
    )


__all__ = ["router"]

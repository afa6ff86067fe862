"""Linked Data: which IRI a request path names, what we say about it, VoID and the dump.

Every IRI Commensura mints lives under ``https://w3id.org/commensura/``, and a
deployment serves it at the same path on its own host (w3id.org redirects
there). This module is the HTTP-free half of that: the web layer hands it the
percent-encoded path it received and gets back RDF terms, descriptions and
graphs; it decides nothing about media types or status codes.

* ``iri_candidates`` turns a path into the IRIs it may stand for, or raises
  ``NotFoundError`` when the path cannot name an IRI we mint (bad percent
  escapes, forbidden characters, empty or dot segments). Nothing unchecked
  reaches the store.
* ``describe`` collects a resource's description: every triple with it as
  subject, from every graph (deduplicated, each statement remembering its
  graphs), the blank nodes it reaches (followed inside their own graph), the
  labels of the resources it links to, and the first resources that link to it.
* ``describe_ontology`` is the ontology document: the ontology and every
  ``ontology#term`` in it.
* ``describe_graph`` and ``void_description`` describe the named graphs and
  the whole store with VoID; ``write_dump`` writes every quad, gzipped, and
  ``dump_chunks`` streams it.

Queries are fixed text; the resource is always a bound term.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import queue
import re
import threading
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

from registry import graphs
from registry.errors import CommensuraError, InputError, NotFoundError
from registry.namespaces import BASE, DQV, ONTOLOGY_IRI, QB, SCHEMA, SH, VANN
from registry.store import RdfFormat, Store, Term
from registry.submissions.parse import our_context

ID_SPACE = BASE + "id/"
VOCAB_SPACE = BASE + "vocab/"
GRAPH_SPACE = graphs.GRAPH_BASE
ONTOLOGY_TERMS = f"{ONTOLOGY_IRI}#"
VOID_IRI = URIRef(BASE + "void")
DATASET = URIRef(f"{VOID_IRI}#commensura")
"""The VoID dataset that is the whole of Commensura (all named graphs)."""

MAX_PATH = 2048
MAX_BLANK_DEPTH = 24
"""Blank nodes deeper than this below a resource are left out of its description."""
INCOMING_LIMIT = 100
LABEL_LIMIT = 400

LABELS = (SKOS.prefLabel, RDFS.label, FOAF.name, DCTERMS.title)
"""Properties whose values name a resource, most preferred first."""
ALL_LABELS = (*LABELS, SKOS.altLabel)


class UnrepresentableError(CommensuraError):
    """A description the chosen format cannot write (RDF/XML needs every predicate as a QName)."""

    code = "rdf.unrepresentable"


# -- prefixes ----------------------------------------------------------------------

_EXTRA_PREFIXES = {
    "ua": ID_SPACE + "place/urban-audit/",
    "country": ID_SPACE + "place/country/",
    "nuts2016": ID_SPACE + "place/nuts-2016/",
    "nuts2021": ID_SPACE + "place/nuts-2021/",
    "nuts2024": ID_SPACE + "place/nuts-2024/",
    "practice": ID_SPACE + "practice/",
    "set": ID_SPACE + "indicator-set/",
    "dataset": ID_SPACE + "dataset/",
    "submission": ID_SPACE + "submission/",
    "graph": GRAPH_SPACE,
    "void": str(VOID),
    "dqv": str(DQV),
    "sh": str(SH),
    "vann": str(VANN),
    "wd": "http://www.wikidata.org/entity/",
}


def prefixes() -> dict[str, str]:
    """Our own prefixes: those of Commensura's JSON-LD context and a few more."""
    names = {k: v for k, v in our_context().items() if isinstance(v, str) and k[:1] != "@"}
    names.update(_EXTRA_PREFIXES)
    return names


def new_graph() -> Graph:
    """An empty rdflib graph bound to our prefixes."""
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in prefixes().items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


# -- paths to IRIs -----------------------------------------------------------------

_PCT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_URI_PATH_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/%"
)
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _ucschar(char: str) -> bool:
    """A character RFC 3987 allows unencoded in the path of an IRI (beyond ASCII)."""
    code = ord(char)
    if code < 0x10000:
        return 0xA0 <= code <= 0xD7FF or 0xF900 <= code <= 0xFDCF or 0xFDF0 <= code <= 0xFFEF
    return code < 0xF0000 and (code & 0xFFFF) <= 0xFFFD


def _invalid(path: str, why: str) -> NotFoundError:
    msg = f"{path[:200]!r} names no Commensura resource: {why}"
    return NotFoundError(msg, details={"path": path[:200]})


def _iri_form(path: str) -> str:
    """Percent-escapes of unreserved ASCII and of IRI characters decoded (RFC 3987, 3.2)."""

    def decode(match: re.Match[str]) -> str:
        data = bytes.fromhex(match.group(0).replace("%", ""))
        out: list[str] = []
        i = 0
        while i < len(data):
            lead = data[i]
            size = 1 if lead < 0x80 else 2 if lead >> 5 == 6 else 3 if lead >> 4 == 14 else 4
            try:
                char = data[i : i + size].decode("utf-8")
            except UnicodeDecodeError:
                char = ""
            if len(char) == 1 and (char in _UNRESERVED or _ucschar(char)):
                out.append(char)
                i += size
            else:
                out.append(f"%{lead:02X}")
                i += 1
        return "".join(out)

    return _PCT_RUN.sub(decode, path)


def iri_candidates(space: str, path: str) -> list[URIRef]:
    """The IRIs under ``space`` a request path may stand for, most likely first.

    ``path`` is the part of the request path after the space's prefix, as the
    client sent it (percent-encoded, or UTF-8). An IRI with characters beyond
    ASCII reaches us as their UTF-8 percent-escapes, so the IRI form (escapes of
    IRI characters decoded) comes first, then the form as sent. A path that
    cannot be the path of an IRI raises ``NotFoundError``.
    """
    if not path:
        raise _invalid(path, "the path is empty")
    if len(path) > MAX_PATH:
        raise _invalid(path, f"longer than {MAX_PATH} characters")
    for char in path:
        if char not in _URI_PATH_CHARS and not (ord(char) > 0x7F and _ucschar(char)):
            raise _invalid(path, f"the character {char!r} cannot appear in an IRI path")
    if re.search(r"%(?![0-9A-Fa-f]{2})", path):
        raise _invalid(path, "'%' must start a percent-escape of two hex digits")
    iri_path = _iri_form(path)
    uri_path = _PCT_RUN.sub(lambda m: m.group(0).upper(), path)
    if any(segment in {"", ".", ".."} for segment in iri_path.split("/")):
        raise _invalid(path, "empty, '.' and '..' segments name nothing")
    candidates = [URIRef(space + iri_path)]
    if uri_path != iri_path:
        candidates.append(URIRef(space + uri_path))
    return candidates


def local_path(iri: str) -> str | None:
    """The path at which a deployment serves one of our IRIs, fragment kept; else ``None``."""
    if not iri.startswith(BASE):
        return None
    rest = iri[len(BASE) :]
    if rest.startswith(("id/", "vocab/", "graph/")) or rest.split("#")[0] in {"ontology", "void"}:
        return "/" + rest
    if rest.startswith("ontology/"):
        return "/" + rest
    return None


# -- descriptions ------------------------------------------------------------------


@dataclass
class Description:
    """What the store says about one resource (or one document of several resources)."""

    focus: URIRef
    roots: list[URIRef]
    statements: dict[tuple[Any, Any, Any], set[URIRef]] = field(default_factory=dict)
    """Each triple, with the named graphs that hold it."""
    labels: dict[URIRef, list[Literal]] = field(default_factory=dict)
    """Names of the resources the description mentions (predicates, objects, incoming)."""
    incoming: list[tuple[URIRef, URIRef, URIRef]] = field(default_factory=list)
    """The first (subject, predicate, graph) that link to the focus."""
    incoming_truncated: bool = False

    def add(self, triple: tuple[Any, Any, Any], graph: URIRef | None) -> None:
        graphs_of = self.statements.setdefault(triple, set())
        if graph is not None:
            graphs_of.add(graph)

    def graph(self) -> Graph:
        """The description as RDF: the statements, deduplicated, without graph names."""
        result = new_graph()
        for triple in self.statements:
            result.add(triple)
        return result

    @property
    def empty(self) -> bool:
        return not self.statements and not self.incoming


def _known_iri(store: Store, iri: URIRef) -> bool:
    try:
        return store.ask("ASK WHERE { { ?r ?p ?o } UNION { ?s ?p ?r } }", bindings={"r": iri})
    except InputError:  # an IRI the store's own checker refuses names nothing we hold
        return False


def resolve(store: Store, candidates: Iterable[URIRef]) -> URIRef | None:
    """The first candidate the store knows (as subject or object), or ``None``."""
    for iri in candidates:
        if _known_iri(store, iri):
            return iri
    return None


def _chain_query(depth: int) -> str:
    """Triples of the blank nodes ``depth`` blank hops below ?r, in each graph."""
    if depth == 0:
        return "SELECT ?g ?p ?o WHERE { GRAPH ?g { ?r ?p ?o } }"
    hops = ["?r ?h0 ?b1 ."]
    hops += [f"?b{i} ?h{i} ?b{i + 1} ." for i in range(1, depth)]
    blank = " && ".join(f"isBlank(?b{i})" for i in range(1, depth + 1))
    return (
        f"SELECT DISTINCT ?g (?b{depth} AS ?s) ?p ?o WHERE {{ GRAPH ?g {{ "
        f"{' '.join(hops)} FILTER({blank}) ?b{depth} ?p ?o }} }}"
    )


def _outgoing(store: Store, iri: URIRef, description: Description) -> None:
    for depth in range(MAX_BLANK_DEPTH + 1):
        rows = store.select(_chain_query(depth), bindings={"r": iri})
        deeper = False
        for row in rows.dicts():
            subject = iri if depth == 0 else row["s"]
            obj = row["o"]
            graph = row["g"]
            description.add((subject, row["p"], obj), graph if isinstance(graph, URIRef) else None)
            deeper = deeper or isinstance(obj, BNode)
        if not deeper:
            return


def _incoming(store: Store, iri: URIRef, description: Description) -> None:
    rows = store.select(
        "SELECT DISTINCT ?s ?p ?g WHERE { GRAPH ?g { ?s ?p ?r } FILTER(isIRI(?s)) } LIMIT "
        + str(INCOMING_LIMIT + 1),
        bindings={"r": iri},
    )
    found = [
        (s, p, g)
        for s, p, g in (cast("tuple[Term, Term, Term]", row) for row in rows)
        if isinstance(s, URIRef) and isinstance(p, URIRef) and isinstance(g, URIRef)
    ]
    description.incoming_truncated = len(found) > INCOMING_LIMIT
    description.incoming = sorted(found[:INCOMING_LIMIT], key=lambda t: (str(t[1]), str(t[0])))


def _add_labels(store: Store, description: Description) -> None:
    """Names of everything the description mentions, in one pass over the store."""
    mentioned: set[URIRef] = set()
    for s, p, o in description.statements:
        mentioned.update(t for t in (s, p, o) if isinstance(t, URIRef))
    mentioned.update(s for s, _, _ in description.incoming)
    mentioned.update(p for _, p, _ in description.incoming)
    wanted = sorted(mentioned)[:LABEL_LIMIT]
    found = store.triples_about(wanted)
    for subject in wanted:
        names: list[Literal] = []
        for predicate in ALL_LABELS:
            names += sorted(
                (o for o in found.objects(subject, predicate) if isinstance(o, Literal)),
                key=lambda lit: (lit.language or "", str(lit)),
            )
        if names:
            description.labels[subject] = names


def describe(store: Store, iri: URIRef) -> Description:
    """Everything the store says about ``iri``; ``NotFoundError`` when it knows nothing."""
    description = Description(focus=iri, roots=[iri])
    try:
        _outgoing(store, iri, description)
        _incoming(store, iri, description)
    except InputError as exc:
        raise _unknown(iri) from exc
    if description.empty:
        raise _unknown(iri)
    _add_labels(store, description)
    return description


def _unknown(iri: URIRef) -> NotFoundError:
    msg = f"Commensura knows nothing about <{iri}>: no statement has it as subject or object"
    return NotFoundError(msg, details={"iri": str(iri)})


def _closure(
    triples: Mapping[Any, list[tuple[Any, Any]]], roots: Iterable[Any]
) -> list[tuple[Any, Any, Any]]:
    """The triples of ``roots`` and of the blank nodes they reach, from an in-memory index."""
    out: list[tuple[Any, Any, Any]] = []
    seen: set[Any] = set()
    todo = list(roots)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in triples.get(node, ()):
            out.append((node, p, o))
            if isinstance(o, BNode):
                todo.append(o)
    return out


def ontology_version(store: Store, iri: URIRef) -> bool:
    """True when ``iri`` is a version IRI of the ontology the store holds."""
    try:
        return store.ask(
            "ASK WHERE { ?o <http://www.w3.org/2002/07/owl#versionIRI> ?r }",
            bindings={"r": iri},
            default_graphs=[graphs.ONTOLOGY],
        )
    except InputError:
        return False


def describe_ontology(store: Store) -> Description:
    """The ontology document: the ontology and every ``ontology#term``, from its graph."""
    rows = store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", default_graphs=[graphs.ONTOLOGY])
    index: dict[Any, list[tuple[Any, Any]]] = {}
    for s, p, o in rows:
        index.setdefault(s, []).append((p, o))
    roots = sorted(
        (s for s in index if isinstance(s, URIRef) and (s == ONTOLOGY_IRI or _is_term(s))),
        key=lambda s: (s != ONTOLOGY_IRI, str(s)),
    )
    if not roots:
        raise _unknown(ONTOLOGY_IRI)
    description = Description(focus=ONTOLOGY_IRI, roots=roots)
    for triple in _closure(index, roots):
        description.add(triple, graphs.ONTOLOGY)
    _add_labels(store, description)
    return description


def _is_term(iri: URIRef) -> bool:
    return str(iri).startswith(ONTOLOGY_TERMS)


# -- VoID --------------------------------------------------------------------------

VOCABULARIES = (
    ONTOLOGY_IRI,
    URIRef(str(SKOS)),
    URIRef(str(DCTERMS)),
    URIRef(str(DCAT)),
    URIRef(str(PROV)),
    URIRef(str(QB)),
    URIRef(str(FOAF)),
    URIRef(str(SCHEMA)),
    URIRef(str(OWL)),
    URIRef(str(RDFS)),
    URIRef(str(DQV)),
    URIRef(str(SH)),
)
"""The vocabularies Commensura's data is written in (void:vocabulary)."""

_FORMATS = ("Turtle", "N-Triples", "N-Quads", "JSON-LD", "RDF_XML")

_GRAPH_TITLES = {
    graphs.ONTOLOGY: "The Commensura ontology and its concept schemes",
    graphs.REGISTRY: "Curated content: indicators, definitions, publishers, cities, practices",
    graphs.DERIVED: "Derived annotations: comparability assessments, coverage summaries",
    graphs.PROVENANCE: "Provenance: one PROV-O record per submission and import",
}


def _graph_title(graph: URIRef) -> str:
    if graph in _GRAPH_TITLES:
        return _GRAPH_TITLES[graph]
    name = str(graph)[len(GRAPH_SPACE) :]
    kind, _, slug = name.partition("/")
    if kind == "partner":
        return f"What the organisation {slug} submitted"
    if kind == "data":
        return f"The imported dataset {slug}: its observations or records and DCAT description"
    return f"Named graph {name}"


@dataclass(frozen=True)
class GraphFacts:
    """What VoID says about one named graph, beyond its triple count."""

    licenses: tuple[URIRef, ...] = ()
    publishers: tuple[URIRef, ...] = ()
    modified: Literal | None = None


def _graph_facts(store: Store) -> dict[URIRef, GraphFacts]:
    """Licences and publishers a graph's dataset or ontology declares; last write recorded."""
    facts: dict[URIRef, dict[str, set[Term]]] = {}
    rows = store.select(
        "SELECT DISTINCT ?g ?license ?publisher WHERE { GRAPH ?g {"
        " { ?d a <http://www.w3.org/ns/dcat#Dataset> }"
        " UNION { ?d a <http://www.w3.org/2002/07/owl#Ontology> }"
        " OPTIONAL { ?d <http://purl.org/dc/terms/license> ?license }"
        " OPTIONAL { ?d <http://purl.org/dc/terms/publisher> ?publisher } } }"
    )
    for row in rows.dicts():
        graph = row["g"]
        if not isinstance(graph, URIRef):
            continue
        entry = facts.setdefault(graph, {"license": set(), "publisher": set()})
        for key in ("license", "publisher"):
            value = row.get(key)
            if isinstance(value, URIRef):
                entry[key].add(value)
    for graph in store.graphs():
        name = str(graph)[len(GRAPH_SPACE) :]
        if name.startswith("partner/"):
            entry = facts.setdefault(graph, {"license": set(), "publisher": set()})
            entry["publisher"].add(URIRef(ID_SPACE + "org/" + name.partition("/")[2]))
    modified = _modified(store)
    out: dict[URIRef, GraphFacts] = {}
    for graph in set(facts) | set(modified):
        entry = facts.get(graph, {"license": set(), "publisher": set()})
        out[graph] = GraphFacts(
            licenses=tuple(sorted(cast("set[URIRef]", entry["license"]))),
            publishers=tuple(sorted(cast("set[URIRef]", entry["publisher"]))),
            modified=modified.get(graph),
        )
    return out


def _modified(store: Store) -> dict[URIRef, Literal]:
    """When each graph was last written, from the provenance records of imports and submissions."""
    rows = store.select(
        "SELECT ?target (MAX(?ended) AS ?last) WHERE {"
        " ?a <https://w3id.org/commensura/ontology#targetGraph> ?target ;"
        " <http://www.w3.org/ns/prov#endedAtTime> ?ended } GROUP BY ?target",
        default_graphs=[graphs.PROVENANCE],
    )
    out: dict[URIRef, Literal] = {}
    for row in rows.dicts():
        target, last = row.get("target"), row.get("last")
        if isinstance(target, URIRef) and isinstance(last, Literal):
            out[target] = Literal(str(last), datatype=XSD.dateTime)
    return out


def _describe_subset(
    out: Graph,
    store: Store,
    graph: URIRef,
    facts: GraphFacts,
    graph_dump: Callable[[URIRef], str] | None,
) -> None:
    out.add((graph, RDF.type, VOID.Dataset))
    out.add((graph, DCTERMS.title, Literal(_graph_title(graph), lang="en")))
    out.add((graph, VOID.triples, Literal(store.count(graph), datatype=XSD.integer)))
    if graph_dump is not None:
        out.add((graph, VOID.dataDump, URIRef(graph_dump(graph))))
    for license_ in facts.licenses:
        out.add((graph, DCTERMS.license, license_))
    for publisher in facts.publishers:
        out.add((graph, DCTERMS.publisher, publisher))
    if facts.modified is not None:
        out.add((graph, DCTERMS.modified, facts.modified))


def void_description(
    store: Store,
    *,
    sparql_endpoint: str,
    dump: str,
    graph_dump: Callable[[URIRef], str] | None = None,
) -> Graph:
    """VoID for the whole store: the dataset, its endpoint and dump, one subset per graph.

    ``sparql_endpoint``, ``dump`` and ``graph_dump`` are the URLs at which the
    deployment serves them (the caller knows its host; this module does not).
    """
    out = new_graph()
    facts = _graph_facts(store)
    out.add((DATASET, RDF.type, VOID.Dataset))
    out.add((DATASET, DCTERMS.title, Literal("Commensura", lang="en")))
    out.add(
        (
            DATASET,
            DCTERMS.description,
            Literal(
                "A knowledge graph of migrant-integration indicators for European cities: "
                "indicators, how publishers define them, their target groups, data sources, "
                "places and practices, with comparability assessments between definitions.",
                lang="en",
            ),
        )
    )
    out.add((DATASET, VOID.triples, Literal(store.count(), datatype=XSD.integer)))
    out.add((DATASET, VOID.sparqlEndpoint, URIRef(sparql_endpoint)))
    out.add((DATASET, VOID.dataDump, URIRef(dump)))
    out.add((DATASET, VOID.uriSpace, Literal(ID_SPACE)))
    out.add((DATASET, VOID.rootResource, ONTOLOGY_IRI))
    for vocabulary in VOCABULARIES:
        out.add((DATASET, VOID.vocabulary, vocabulary))
    for name in _FORMATS:
        out.add((DATASET, VOID.feature, URIRef(f"http://www.w3.org/ns/formats/{name}")))
    dates = [f.modified for f in facts.values() if f.modified is not None]
    if dates:
        out.add((DATASET, DCTERMS.modified, max(dates, key=str)))
    for graph in store.graphs():
        out.add((DATASET, VOID.subset, graph))
        _describe_subset(out, store, graph, facts.get(graph, GraphFacts()), graph_dump)
    return out


def describe_graph(
    store: Store, graph: URIRef, *, graph_dump: Callable[[URIRef], str] | None = None
) -> Description:
    """A named graph: its VoID subset description and what the store says about its IRI."""
    if graph not in store.graphs():
        msg = f"there is no named graph <{graph}> in this store"
        raise NotFoundError(msg, details={"graph": str(graph)})
    description = Description(focus=graph, roots=[graph])
    facts = _graph_facts(store).get(graph, GraphFacts())
    subset = Graph()
    _describe_subset(subset, store, graph, facts, graph_dump)
    subset.add((graph, VOID.inDataset, DATASET))
    for triple in subset:
        description.add(triple, None)
    _outgoing(store, graph, description)
    _incoming(store, graph, description)
    _add_labels(store, description)
    return description


# -- serialisation and dump --------------------------------------------------------

_RDFLIB_FORMATS = {
    RdfFormat.TURTLE: "turtle",
    RdfFormat.NTRIPLES: "nt",
    RdfFormat.JSONLD: "json-ld",
    RdfFormat.RDFXML: "pretty-xml",
}


def serialize(graph: Graph, fmt: RdfFormat) -> bytes:
    """A graph in one of the triple formats; JSON-LD is compacted with our own prefixes.

    The JSON-LD context is embedded in the document: nothing refers to a remote context.
    """
    if fmt not in _RDFLIB_FORMATS:
        msg = f"descriptions are written as Turtle, N-Triples, JSON-LD or RDF/XML, not {fmt}"
        raise InputError(msg, details={"format": fmt.value})
    if fmt is RdfFormat.JSONLD:
        context: dict[str, Any] = {"@version": 1.1, **prefixes()}
        return graph.serialize(format="json-ld", context=context, auto_compact=True).encode()
    try:
        return graph.serialize(format=_RDFLIB_FORMATS[fmt], encoding="utf-8")
    except ValueError as exc:  # RDF/XML: a predicate that cannot be written as a QName
        msg = f"this description cannot be written as {fmt.value}: {exc}; ask for Turtle"
        raise UnrepresentableError(msg, details={"format": fmt.value}) from exc


def write_dump(store: Store, destination: IO[bytes], *, graphs_: list[URIRef] | None = None) -> int:
    """Write named graphs (all when omitted) as gzipped N-Quads; returns the quads written."""
    with gzip.GzipFile(fileobj=destination, mode="wb", compresslevel=6, mtime=0) as out:
        return store.export(cast("IO[bytes]", out), RdfFormat.NQUADS, graphs=graphs_)


DUMP_CHUNK = 1 << 20
"""Bytes per chunk of a streamed dump."""
DUMP_STALL_SECONDS = 120.0
"""A reader that takes no chunk for this long is taken to be gone: the export stops."""


class _ChunkPipe(io.RawIOBase):
    """A file one thread writes and another reads in chunks, holding a few chunks at most."""

    def __init__(self) -> None:
        self.chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=4)
        self.cancelled = threading.Event()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.put(chunk)
        return len(chunk)

    def put(self, item: bytes | BaseException | None) -> None:
        deadline = time.monotonic() + DUMP_STALL_SECONDS
        while not self.cancelled.is_set() and time.monotonic() < deadline:
            try:
                self.chunks.put(item, timeout=0.5)
            except queue.Full:
                continue
            return
        msg = "the reader of the dump went away"
        raise BrokenPipeError(msg)


def dump_chunks(
    store: Store, *, graphs_: list[URIRef] | None = None
) -> Generator[bytes, None, None]:
    """The gzipped N-Quads dump as it is written, in chunks of about ``DUMP_CHUNK`` bytes.

    The store is exported in a thread of its own while the caller reads; memory
    holds a few chunks, never the dump. Closing the iterator early stops the
    export, and so does a reader that stops reading for ``DUMP_STALL_SECONDS``;
    an export error is raised to the reader after the chunks written before it.
    """
    pipe = _ChunkPipe()

    def produce() -> None:
        end: BaseException | None = None
        try:
            buffered = io.BufferedWriter(pipe, DUMP_CHUNK)
            write_dump(store, buffered, graphs_=graphs_)
            buffered.flush()
        except BaseException as exc:  # handed to the reader, which raises it
            end = exc
        with contextlib.suppress(BrokenPipeError):
            pipe.put(end)

    worker = threading.Thread(target=produce, name="commensura-dump", daemon=True)
    worker.start()
    try:
        while True:
            item = pipe.chunks.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        pipe.cancelled.set()

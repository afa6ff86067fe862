"""Validate a partner's submission and store it in its organisation's graph.

A submission is all or nothing. It is parsed, checked against the namespaces
the organisation may write, validated against the shapes with the knowledge base
as context, and only then written, in one transaction, together with its PROV-O
record and its validation report. A submission that does not conform writes
nothing.

After the write, the coverage summaries the submission can change (the cells of the
indicators of its definitions, and of the places it describes) are refreshed at once
(``registry.coverage.refresh_after_write``). That refresh runs after the commit: if
it fails, the submission stays stored, the failure is logged, and the summaries catch
up with the next refresh (another write in that scope, or a build).

Resources the organisation submitted before are replaced. An indicator or
population definition whose description changed keeps its old description as a
version of its own (``<iri>/version/<n>``), linked from the new one with
``dcat:previousVersion`` and ``prov:wasRevisionOf``: the old version stays
queryable.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, SH, XSD

from registry import coverage, graphs
from registry.comparability import assessments
from registry.errors import ForbiddenResourceError, InvalidSubmissionError, NotFoundError
from registry.ids import ID_BASE
from registry.namespaces import CM, DCAT3
from registry.orgs import Organisation
from registry.store import Store
from registry.store.base import Triple
from registry.submissions.parse import SubmissionFormat
from registry.validation import Severity, ValidationReport, referenced, validate
from registry.validation.report import results_from_graph

log = logging.getLogger(__name__)

RESERVED = "https://w3id.org/commensura/"
GENID = ".well-known/genid/"
VERSIONED = (CM.IndicatorDefinition, CM.PopulationDefinition)
SUBMISSION_BASE = f"{ID_BASE}submission/"
_SUBMISSION_ID = re.compile(r"^\d{8}T\d{6}-[0-9a-f]{8}$")


def _triples(graph: Graph | list[tuple[Any, Any, Any]]) -> list[Triple]:
    """rdflib types a graph's triples loosely; these are all ours, with IRI predicates."""
    return cast("list[Triple]", list(graph))


def submission_iri(submission_id: str) -> URIRef:
    return URIRef(SUBMISSION_BASE + submission_id)


@dataclass(frozen=True)
class SubmissionResult:
    """What a stored submission did."""

    id: str
    organisation: str
    graph: URIRef
    received: str
    triples: int
    resources: tuple[URIRef, ...]
    replaced: tuple[URIRef, ...]
    versions: dict[URIRef, URIRef] = field(default_factory=dict)
    report: ValidationReport = field(default_factory=ValidationReport)

    @property
    def iri(self) -> URIRef:
        return submission_iri(self.id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "iri": str(self.iri),
            "organisation": self.organisation,
            "graph": str(self.graph),
            "received": self.received,
            "triples": self.triples,
            "resources": [str(r) for r in self.resources],
            "replaced": [str(r) for r in self.replaced],
            "versions": {str(k): str(v) for k, v in self.versions.items()},
            "report": self.report.to_dict(),
        }


def check_namespaces(store: Store, org: Organisation, graph: Graph) -> None:
    """Refuse resources the organisation may not write, naming them."""
    refused: dict[str, str] = {}
    outside: list[URIRef] = []
    for subject in {s for s in graph.subjects() if isinstance(s, URIRef)}:
        text = str(subject)
        if text.startswith(org.namespace):
            continue
        if text.startswith(RESERVED):
            refused[text] = (
                "is Commensura's own (ontology, vocabularies, curated content) or another "
                "organisation's namespace"
            )
        else:
            outside.append(subject)
    if outside:
        others = [g for g in store.graphs() if g != org.graph and g != graphs.PROVENANCE]
        described = store.triples_about(outside, graphs=others)
        for subject in sorted({s for s in described.subjects() if isinstance(s, URIRef)}):
            refused[str(subject)] = "is described by the curated content or another organisation"
    if refused:
        names = sorted(refused)
        shown = "; ".join(f"<{n}> {refused[n]}" for n in names[:5])
        more = f" (and {len(names) - 5} more)" if len(names) > 5 else ""
        msg = (
            f"{org.slug} may describe only its own resources, under {org.namespace} "
            f"or IRIs nobody else describes: {shown}{more}"
        )
        raise ForbiddenResourceError(msg, details={"resources": names[:50]})


def context_for(store: Store, graph: Graph) -> Graph:
    """What the shapes need to know about the resources ``graph`` refers to."""
    return store.triples_about(sorted(referenced(graph)))


def validate_submission(store: Store, graph: Graph) -> ValidationReport:
    """Validate a parsed submission with the knowledge base as context."""
    return validate(graph, context=context_for(store, graph))


def _skolemize(graph: Graph, org: Organisation) -> Graph:
    names: dict[BNode, URIRef] = {}

    def term(node: Any) -> Any:
        if isinstance(node, BNode):
            if node not in names:
                names[node] = URIRef(f"{org.namespace}{GENID}{uuid.uuid4().hex}")
            return names[node]
        return node

    result = Graph()
    for s, p, o in graph:
        result.add((term(s), p, term(o)))
    return result


def _is_genid(node: Any, org: Organisation) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(org.namespace + GENID)


def _closure(store: Store, org: Organisation, subject: URIRef) -> tuple[Graph, Graph]:
    """The top-level triples of ``subject`` in the org's graph, and those of its parts."""
    top = store.triples_about([subject], graphs=[org.graph])
    parts = Graph()
    frontier = [o for o in top.objects() if isinstance(o, URIRef) and _is_genid(o, org)]
    seen: set[URIRef] = set()
    while frontier:
        batch = [n for n in frontier if n not in seen]
        seen.update(batch)
        found = store.triples_about(batch, graphs=[org.graph])
        parts += found
        frontier = [
            o
            for o in found.objects()
            if isinstance(o, URIRef) and _is_genid(o, org) and o not in seen
        ]
    return top, parts


def _unskolemized(graph: Graph, org: Organisation) -> Graph:
    names: dict[Any, BNode] = {}
    out = Graph()
    for s, p, o in graph:
        s2 = names.setdefault(s, BNode()) if _is_genid(s, org) else s
        o2 = names.setdefault(o, BNode()) if _is_genid(o, org) else o
        out.add((s2, p, o2))
    return out


def _description(graph: Graph, subject: URIRef, org: Organisation) -> Graph:
    """``subject``'s triples and those of its blank-node (genid) parts, within ``graph``."""
    out = Graph()
    frontier: list[Any] = [subject]
    seen: set[Any] = set()
    while frontier:
        node = frontier.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple in graph.triples((node, None, None)):
            out.add(triple)
            if _is_genid(triple[2], org):
                frontier.append(triple[2])
    return out


def _versions_of(store: Store, org: Organisation, subject: URIRef) -> set[URIRef]:
    rows = store.select(
        "SELECT DISTINCT ?v WHERE { ?v <http://purl.org/dc/terms/isVersionOf> ?s }",
        bindings={"s": subject},
        default_graphs=[org.graph],
    )
    return {v for v in rows.column("v") if isinstance(v, URIRef)}


def _version_iri(store: Store, org: Organisation, subject: URIRef) -> URIRef:
    n = len(_versions_of(store, org, subject)) + 1
    text = str(subject)
    if text.startswith(org.namespace):
        return URIRef(f"{text}/version/{n}")
    digest = hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]
    return URIRef(f"{org.namespace}version/{digest}/{n}")


def submit(
    store: Store,
    org: Organisation,
    graph: Graph,
    *,
    fmt: SubmissionFormat,
    body: bytes,
) -> SubmissionResult:
    """Check, validate and store a parsed submission; raise when it cannot be stored."""
    started = datetime.now(UTC)
    check_namespaces(store, org, graph)
    report = validate_submission(store, graph)
    if not report.accepted:
        msg = (
            f"the submission was not stored: {report.count(Severity.VIOLATION)} "
            "violation(s) of the shapes; fix them and submit again"
        )
        raise InvalidSubmissionError(msg, details={"report": report.to_dict()})
    data = _skolemize(graph, org)
    resources = sorted(
        {s for s in data.subjects() if isinstance(s, URIRef) and not _is_genid(s, org)}
    )
    removals: list[Triple] = []
    additions: list[Triple] = _triples(data)
    replaced: list[URIRef] = []
    versions: dict[URIRef, URIRef] = {}
    old_copies: list[Triple] = []
    for subject in resources:
        top, parts = _closure(store, org, subject)
        if not len(top):
            continue
        replaced.append(subject)
        # The links to earlier versions are Commensura's, not the submitter's: they are
        # left out of the comparison and carried over when nothing changed.
        earlier = _versions_of(store, org, subject)
        links = Graph()
        for predicate in (DCAT3.previousVersion, PROV.wasRevisionOf):
            for version in top.objects(subject, predicate):
                if version in earlier:
                    links.add((subject, predicate, version))
        old = Graph()
        old += top
        old += parts
        old -= links
        kinds = set(top.objects(subject, RDF.type))
        new = _description(data, subject, org)
        changed = not isomorphic(_unskolemized(old, org), _unskolemized(new, org))
        if changed and kinds & set(VERSIONED):
            version = _version_iri(store, org, subject)
            versions[subject] = version
            removals.extend(_triples(top))  # its parts stay: the old version still refers to them
            old_copies.extend(_triples([(version, p, o) for _, p, o in top]))
            additions += [
                (version, DCTERMS.isVersionOf, subject),
                (version, DCAT3.version, Literal(version.rsplit("/", 1)[-1])),
                (subject, DCAT3.previousVersion, version),
                (subject, PROV.wasRevisionOf, version),
            ]
        else:
            removals.extend(_triples(top))
            removals.extend(_triples(parts))
            if not changed:
                additions.extend(_triples(links))
    # An old version refers to the old versions of what was replaced with it: the old
    # definition keeps the target group it was made with, not the new one.
    additions.extend(
        (s, p, versions.get(o, o) if isinstance(o, URIRef) else o) for s, p, o in old_copies
    )
    submission_id = f"{started:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
    result = SubmissionResult(
        id=submission_id,
        organisation=org.slug,
        graph=org.graph,
        received=started.isoformat(timespec="seconds"),
        triples=len(graph),
        resources=tuple(resources),
        replaced=tuple(replaced),
        versions=versions,
        report=report,
    )
    record = _provenance(result, org, fmt, body, started)
    with store.transaction() as tx:
        if removals:
            tx.remove(removals, graph=org.graph)
        tx.add(additions, graph=org.graph)
        tx.add(record, graph=graphs.PROVENANCE)
    try:
        coverage.refresh_after_write(store, [*removals, *additions])
        assessments.refresh(store)
    except Exception as exc:  # the submission is stored; the derived graph catches up later
        log.warning("derived graph not refreshed after submission %s: %s", result.id, exc)
    return result


def _provenance(
    result: SubmissionResult,
    org: Organisation,
    fmt: SubmissionFormat,
    body: bytes,
    started: datetime,
) -> list[Triple]:
    act = result.iri
    entity = URIRef(f"{ID_BASE}file/sha256-{hashlib.sha256(body).hexdigest()}")
    triples: list[Triple] = [
        (act, RDF.type, CM.Submission),
        (act, RDF.type, PROV.Activity),
        (act, DCTERMS.identifier, Literal(result.id)),
        (act, PROV.wasAssociatedWith, org.iri),
        (act, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)),
        (act, PROV.endedAtTime, Literal(datetime.now(UTC).isoformat(), datatype=XSD.dateTime)),
        (act, CM.targetGraph, org.graph),
        (act, CM.tripleCount, Literal(result.triples, datatype=XSD.nonNegativeInteger)),
        (act, PROV.used, entity),
        (entity, RDF.type, PROV.Entity),
        (entity, DCTERMS.format, Literal(fmt.value)),
        (entity, DCAT.byteSize, Literal(len(body), datatype=XSD.nonNegativeInteger)),
    ]
    triples += [(act, PROV.generated, r) for r in result.resources]
    report_iri = URIRef(f"{act}/report")
    triples.append((act, CM.validationReport, report_iri))
    names: dict[BNode, URIRef] = {}
    report_graph = result.report.to_graph()
    for node in report_graph.subjects(RDF.type, SH.ValidationReport):
        if isinstance(node, BNode):
            names[node] = report_iri
    for index, node in enumerate(
        sorted(report_graph.subjects(RDF.type, SH.ValidationResult), key=str), 1
    ):
        if isinstance(node, BNode):
            names[node] = URIRef(f"{report_iri}/result/{index}")
    for s, p, o in report_graph:
        s2 = names.get(s, s) if isinstance(s, BNode) else s
        o2 = names.get(o, o) if isinstance(o, BNode) else o
        if isinstance(o2, BNode):  # a blank focus node of the submission: not kept
            continue
        triples.extend(_triples([(s2, p, o2)]))
    return triples


def get_submission(store: Store, submission_id: str) -> dict[str, Any]:
    """The record of one stored submission, with its validation report."""
    if not _SUBMISSION_ID.fullmatch(submission_id):
        msg = f"no submission {submission_id!r}: ids look like 20261122T201703-140fcc89"
        raise NotFoundError(msg, details={"id": submission_id})
    act = submission_iri(submission_id)
    record = store.triples_about([act], graphs=[graphs.PROVENANCE])
    if (act, RDF.type, CM.Submission) not in record:
        msg = f"no submission {submission_id!r}"
        raise NotFoundError(msg, details={"id": submission_id})
    report_iri = record.value(act, CM.validationReport)
    report_graph = Graph()
    if isinstance(report_iri, URIRef):
        report_graph += store.triples_about([report_iri], graphs=[graphs.PROVENANCE])
        results = [o for o in report_graph.objects(report_iri, SH.result) if isinstance(o, URIRef)]
        report_graph += store.triples_about(results, graphs=[graphs.PROVENANCE])
    report = ValidationReport(tuple(results_from_graph(report_graph, Graph())))
    used = record.value(act, PROV.used)
    entity = (
        store.triples_about([used], graphs=[graphs.PROVENANCE])
        if isinstance(used, URIRef)
        else Graph()
    )
    return {
        "id": submission_id,
        "iri": str(act),
        "organisation": str(record.value(act, PROV.wasAssociatedWith)).rsplit("/", 1)[-1],
        "graph": str(record.value(act, CM.targetGraph)),
        "received": str(record.value(act, PROV.startedAtTime)),
        "triples": int(str(record.value(act, CM.tripleCount))),
        "format": str(entity.value(used, DCTERMS.format)) if isinstance(used, URIRef) else None,
        "resources": sorted(str(r) for r in record.objects(act, PROV.generated)),
        "report": report.to_dict(),
    }

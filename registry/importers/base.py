"""The machinery every importer shares: read source files, write one named graph,
describe it with DCAT and record the run with PROV-O.

An importer reads its files from the source-data folder and emits triples. They are
written to a temporary N-Triples file first, so a file that cannot be read fails
before the store is touched; only then is the importer's graph replaced, through the
store's bulk loader. Running an import again replaces its graph with the same
content (idempotent) and adds one more activity to the provenance graph. After the
import, the coverage summaries are refreshed (``registry.coverage.refresh``): the
imported observations and places change what is evidenced where.
"""

from __future__ import annotations

import abc
import dataclasses
import functools
import hashlib
import logging
import re
import tempfile
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, ClassVar

import pandas as pd
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, XSD

import registry
from registry import catalogue, coverage, graphs, ids
from registry.comparability import assessments
from registry.errors import SourceDataError
from registry.namespaces import CM
from registry.store import Store

log = logging.getLogger(__name__)

Node = URIRef | Literal
RowProgress = Callable[[int, int], None]
"""Called as rows are read: (rows done, rows in all)."""

CC_BY_4 = URIRef("http://creativecommons.org/licenses/by/4.0/")
"""Eurostat's re-use policy (Commission Decision 2011/833/EU) allows re-use under CC BY 4.0."""


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _nt(term: URIRef | Literal) -> str:
    if isinstance(term, URIRef):
        return _nt_iri(term)
    text = f'"{_escape(str(term))}"'
    if term.language:
        return f"{text}@{term.language}"
    if term.datatype is not None and term.datatype != XSD.string:
        return f"{text}^^<{term.datatype}>"
    return text


_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]+")
"""An absolute IRI as N-Triples writes it (a scheme; no spaces, controls or
delimiters). The store loads importer files leniently, so the sink is where IRIs are
checked."""


@functools.lru_cache(maxsize=4096)
def _nt_iri(term: URIRef) -> str:
    if not _IRI.fullmatch(term):
        msg = (
            f"{str(term)!r} cannot be written as an IRI: it must be absolute "
            '(scheme:...) and hold no space, control character or any of < > " { } | ^ ` \\'
        )
        raise SourceDataError(msg, details={"iri": str(term)})
    return f"<{term}>"


class TripleSink:
    """Writes triples as N-Triples lines to a binary file and counts them.

    Predicates and objects repeat (classes, concepts, containing regions), so their
    N-Triples forms are cached; ``add_text`` writes a literal without building an
    rdflib ``Literal``, which matters for lists of a hundred thousand places.
    """

    def __init__(self, out: IO[bytes]) -> None:
        self._out = out
        self.count = 0

    def add(self, subject: URIRef, predicate: URIRef, obj: Node) -> None:
        o = _nt_iri(obj) if isinstance(obj, URIRef) else _nt(obj)
        self._write(f"{_nt_iri(subject)} {_nt_iri(predicate)} {o} .\n")

    def add_text(
        self, subject: URIRef, predicate: URIRef, text: str, datatype: URIRef | None = None
    ) -> None:
        o = f'"{_escape(text)}"' + (f"^^{_nt_iri(datatype)}" if datatype is not None else "")
        self._write(f"{_nt_iri(subject)} {_nt_iri(predicate)} {o} .\n")

    def write_text(self, text: str, count: int) -> None:
        """Write ``count`` complete N-Triples lines given as one text, unchecked: for
        writers that build lines from terms already checked (the cube writer)."""
        self._out.write(text.encode("utf-8"))
        self.count += count

    def write_lines(self, lines: list[str]) -> None:
        """Write complete N-Triples lines (each ending in a newline), counting them."""
        self._out.write("".join(lines).encode("utf-8"))
        self.count += len(lines)

    def _write(self, line: str) -> None:
        self._out.write(line.encode("utf-8"))
        self.count += 1


@dataclass
class ImportContext:
    """What an importer gets: its source folder, a sink, and places to report to."""

    source: Path
    sink: TripleSink
    progress: RowProgress | None = None
    store: Store | None = None
    """The store being imported into, for reading what the import links to (places,
    definitions); an importer never writes through it."""
    rows_read: int = 0
    observations: int = 0
    rows_rejected: int = 0
    rejections: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, subject: URIRef, predicate: URIRef, obj: Node) -> None:
        self.sink.add(subject, predicate, obj)

    def add_text(
        self, subject: URIRef, predicate: URIRef, text: str, datatype: URIRef | None = None
    ) -> None:
        """A literal without a language tag: a plain string, or typed by ``datatype``."""
        self.sink.add_text(subject, predicate, text, datatype)

    def reject(self, where: str, why: str) -> None:
        """Count a row that cannot be imported; the first few are reported by name."""
        self.rows_rejected += 1
        if len(self.rejections) < 10:
            self.rejections.append(f"{where}: {why}")

    def note(self, text: str) -> None:
        """A line for the person running the import, such as how many links were found."""
        self.notes.append(text)

    def tick(self, done: int, total: int) -> None:
        if self.progress is not None and (done == total or done % 2000 == 0):
            self.progress(done, total)


@dataclass(frozen=True)
class ImportReport:
    """What one import did."""

    slug: str
    title: str
    graph: URIRef
    activity: URIRef
    rows_read: int
    rows_rejected: int
    triples: int
    started: datetime
    ended: datetime
    rejections: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    observations: int = 0

    @property
    def seconds(self) -> float:
        return (self.ended - self.started).total_seconds()

    def as_dict(self) -> dict[str, object]:
        """The report as JSON-ready data (CLI and API)."""
        return {
            "dataset": str(ids.dataset(self.slug)),
            "graph": str(self.graph),
            "activity": str(self.activity),
            "rows_read": self.rows_read,
            "observations": self.observations,
            "rows_rejected": self.rows_rejected,
            "rejections": list(self.rejections),
            "notes": list(self.notes),
            "triples": self.triples,
            "seconds": round(self.seconds, 3),
        }


class Importer(abc.ABC):
    """One source dataset, imported into the graph ``data/<slug>``."""

    slug: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    publisher: ClassVar[URIRef] = ids.org("eurostat")
    landing_page: ClassVar[URIRef]
    rights: ClassVar[str] = ""
    license: ClassVar[URIRef | None] = CC_BY_4
    files: ClassVar[tuple[str, ...]]
    """Files the import needs, relative to the source-data folder."""
    optional_files: ClassVar[tuple[str, ...]] = ()
    """Files used for links when present; without them the import still runs."""

    @property
    def graph(self) -> URIRef:
        return graphs.data(self.slug)

    @property
    def dataset(self) -> URIRef:
        return ids.dataset(self.slug)

    def missing(self, source: Path) -> list[str]:
        """The required files not found under ``source``."""
        return [name for name in self.files if not (source / name).is_file()]

    @abc.abstractmethod
    def read(self, ctx: ImportContext) -> None:
        """Read the source files and emit the triples of the graph."""


def read_table(
    source: Path, name: str, columns: Iterable[str], *, sep: str = ",", encoding: str = "utf-8"
) -> pd.DataFrame:
    """Read a delimited file as strings, checking the columns an importer relies on."""
    path = source / name
    try:
        frame = pd.read_csv(
            path, sep=sep, dtype=str, keep_default_na=False, encoding=encoding, on_bad_lines="error"
        )
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
        msg = f"{name} cannot be read as a {sep!r}-separated table: {exc}"
        raise SourceDataError(msg, details={"file": name}) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    wanted = list(columns)
    absent = [c for c in wanted if c not in frame.columns]
    if absent:
        msg = (
            f"{name} lacks the column(s) {', '.join(absent)}; "
            f"it has {', '.join(map(str, frame.columns[:12]))}"
        )
        raise SourceDataError(msg, details={"file": name, "missing_columns": absent})
    frame = frame[wanted].copy()
    for column in wanted:
        frame[column] = frame[column].str.strip()
    return frame


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def describe_dataset(importer: Importer, ctx: ImportContext, activity: URIRef) -> None:
    """Write the DCAT-AP 3 description of the imported dataset (``registry.catalogue``).

    It is built from the importer's class attributes: title, description, publisher,
    landing page, licence and rights; each of ``files`` is a distribution, offered on
    the landing page, with the byte size and SHA-256 digest of the file read. An
    importer may also declare any of ``keywords``, ``themes``, ``spatial``,
    ``temporal``, ``accrual_periodicity``, ``version``, ``previous_version``,
    ``issued``, ``modified``, ``measures``, ``dimensions``, ``attributes``,
    ``stat_unit_measures``, ``num_series``, ``provenance`` and ``source_dataset``
    (class or instance attributes, as in ``catalogue.DatasetDescription``): they are
    described too. Without ``provenance``, the files and the rows read are named.
    """
    ds = importer.dataset
    landing = str(importer.landing_page)
    distributions = tuple(
        catalogue.Distribution(
            file_name=Path(name).name,
            media_type=catalogue.media_type_for(name),
            access_url=landing,
            byte_size=(ctx.source / name).stat().st_size,
            sha256=_digest(ctx.source / name),
            description=(
                f"The file as the publisher offers it, read by Commensura's import into "
                f"the graph {importer.graph}."
            ),
        )
        for name in importer.files
    )
    names = ", ".join(Path(n).name for n in importer.files)
    rejected = f", {ctx.rows_rejected:,} of them left out" if ctx.rows_rejected else ""
    provenance = (
        f"Imported by Commensura from {names}, as offered by the publisher (the "
        f"distributions give each file's size and SHA-256 digest): {ctx.rows_read:,} rows "
        f"read{rejected}."
    )
    optional: dict[str, Any] = {}
    for name in (
        "keywords",
        "themes",
        "spatial",
        "temporal",
        "accrual_periodicity",
        "version",
        "previous_version",
        "issued",
        "modified",
        "measures",
        "dimensions",
        "attributes",
        "stat_unit_measures",
        "num_series",
        "provenance",
        "source_dataset",
    ):
        value = getattr(importer, name, None)
        if value is not None and value != "":
            optional[name] = tuple(value) if isinstance(value, list) else value
    optional.setdefault("provenance", provenance)
    description = catalogue.DatasetDescription(
        iri=ds,
        title=importer.title,
        description=importer.description,
        publisher=importer.publisher,
        identifier=getattr(importer, "identifier", None) or importer.slug,
        landing_page=landing,
        license=str(importer.license) if importer.license is not None else None,
        rights=importer.rights,
        distributions=distributions,
        **optional,
    )
    for subject, predicate, obj in catalogue.dataset_triples(description):
        if isinstance(subject, BNode) or isinstance(obj, BNode):  # pragma: no cover - IRIs only
            msg = f"the description of {ds} has a blank node; importers write IRIs only"
            raise TypeError(msg)
        ctx.add(subject, predicate, obj)
    ctx.add(ds, CM.targetGraph, importer.graph)


def _provenance(
    importer: Importer, report: ImportReport, used: list[tuple[str, Path]]
) -> list[tuple[URIRef | BNode, URIRef, URIRef | Literal | BNode]]:
    act = report.activity
    triples: list[tuple[URIRef | BNode, URIRef, URIRef | Literal | BNode]] = [
        (act, RDF.type, CM.Import),
        (act, RDF.type, PROV.Activity),
        (act, DCTERMS.title, Literal(f"Import of {importer.title}", lang="en")),
        (act, PROV.startedAtTime, Literal(report.started.isoformat(), datatype=XSD.dateTime)),
        (act, PROV.endedAtTime, Literal(report.ended.isoformat(), datatype=XSD.dateTime)),
        (act, PROV.wasAssociatedWith, ids.SOFTWARE),
        (act, PROV.generated, importer.dataset),
        (act, CM.targetGraph, importer.graph),
        (act, CM.rowsRead, Literal(report.rows_read, datatype=XSD.nonNegativeInteger)),
        (act, CM.rowsRejected, Literal(report.rows_rejected, datatype=XSD.nonNegativeInteger)),
        (
            act,
            CM.observationsWritten,
            Literal(report.observations, datatype=XSD.nonNegativeInteger),
        ),
        (act, CM.tripleCount, Literal(report.triples, datatype=XSD.nonNegativeInteger)),
        (ids.SOFTWARE, RDF.type, PROV.SoftwareAgent),
        (ids.SOFTWARE, DCTERMS.title, Literal(f"Commensura {registry.__version__}")),
    ]
    for name, path in used:
        entity = ids.file(_digest(path))
        triples += [
            (act, PROV.used, entity),
            (entity, RDF.type, PROV.Entity),
            (entity, DCTERMS.identifier, Literal(name)),
            (entity, DCAT.byteSize, Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger)),
        ]
    for line in report.notes:
        triples.append((act, DCTERMS.description, Literal(line, lang="en")))
    return triples


_GENERATED_BY = "SELECT ?act WHERE { ?dataset <http://www.w3.org/ns/prov#wasGeneratedBy> ?act }"
_LAST_CONTENT = """
PREFIX cm: <https://w3id.org/commensura/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
ASK {
  GRAPH <https://w3id.org/commensura/graph/provenance> {
    ?act cm:targetGraph ?graph ; prov:generated ?content ; prov:endedAtTime ?end .
    FILTER NOT EXISTS {
      ?later cm:targetGraph ?graph ; prov:endedAtTime ?after . FILTER(?after > ?end)
    }
  }
  GRAPH ?graph { ?s ?p ?o }
}
"""


def _unchanged(store: Store, graph: URIRef, content: URIRef) -> bool:
    """Did the last import into ``graph`` write exactly these triples (same digest)?

    Data graphs are written by their importer only, so the graph still holds them.
    """
    return store.ask(_LAST_CONTENT, bindings={"graph": graph, "content": content})


def run_import(
    store: Store,
    importer: Importer,
    source: Path,
    *,
    progress: RowProgress | None = None,
    refresh_coverage: bool = True,
) -> ImportReport:
    """Run one importer: read its files, replace its graph, record the activity.

    Then, unless ``refresh_coverage`` is false (a build refreshes once at its end),
    recompute the coverage summaries. The import stands even if that refresh fails:
    the failure is logged and noted in the report, and the next refresh catches up.

    Raises ``SourceDataError`` (nothing written) when a file cannot be read.
    """
    missing = importer.missing(source)
    if missing:
        msg = f"{importer.slug} needs {', '.join(missing)} in {source}"
        raise SourceDataError(msg, details={"missing": missing})
    started = datetime.now(UTC)
    activity = ids.activity("import", f"{importer.slug}-{uuid.uuid4().hex}")
    with tempfile.TemporaryDirectory(prefix="commensura-import-") as tmp:
        nt_path = Path(tmp) / f"{importer.slug}.nt"
        with nt_path.open("wb") as out:
            ctx = ImportContext(source=source, sink=TripleSink(out), progress=progress, store=store)
            importer.read(ctx)
            if ctx.rows_read == ctx.rows_rejected:
                msg = (
                    f"{importer.slug}: none of the {ctx.rows_read} rows of "
                    f"{', '.join(importer.files)} could be imported"
                )
                raise SourceDataError(msg, details={"rejections": ctx.rejections})
            describe_dataset(importer, ctx, activity)
        content = ids.file(_digest(nt_path))
        if _unchanged(store, importer.graph, content):
            ctx.note(f"graph {importer.graph}: unchanged since the last import, nothing written")
        else:
            added, removed = store.sync_graph(importer.graph, nt_path)
            ctx.note(
                f"graph {importer.graph}: {added:,} triples added, {removed:,} removed"
                if added or removed
                else f"graph {importer.graph}: unchanged"
            )
    report = ImportReport(
        slug=importer.slug,
        title=importer.title,
        graph=importer.graph,
        activity=activity,
        rows_read=ctx.rows_read,
        rows_rejected=ctx.rows_rejected,
        triples=ctx.sink.count,
        started=started,
        ended=datetime.now(UTC),
        rejections=tuple(ctx.rejections),
        notes=tuple(ctx.notes),
        observations=ctx.observations,
    )
    used = [
        (name, source / name)
        for name in (*importer.files, *importer.optional_files)
        if (source / name).is_file()
    ]
    earlier = [
        (importer.dataset, PROV.wasGeneratedBy, act)
        for (act,) in store.select(
            _GENERATED_BY,
            bindings={"dataset": importer.dataset},
            default_graphs=[graphs.PROVENANCE],
        )
        if isinstance(act, URIRef)
    ]
    with store.transaction() as tx:
        # The dataset is generated by its latest import; earlier ones stay as activities.
        tx.remove(earlier, graph=graphs.PROVENANCE)
        tx.add(
            [
                *_provenance(importer, report, used),
                (activity, PROV.generated, content),
                (content, RDF.type, PROV.Entity),
                (
                    content,
                    DCTERMS.description,
                    Literal(
                        "The triples the import wrote (N-Triples), named by their SHA-256 digest.",
                        lang="en",
                    ),
                ),
                (importer.dataset, PROV.wasGeneratedBy, activity),
            ],
            graph=graphs.PROVENANCE,
        )
    if refresh_coverage:
        try:
            coverage.refresh(store)
            assessments.refresh(store)
        except Exception as exc:  # the import is stored; the derived graph catches up later
            log.warning("derived graph not refreshed after the import %s: %s", importer.slug, exc)
            note = f"coverage and assessments not refreshed ({exc}); run a refresh or a build"
            report = dataclasses.replace(report, notes=(*report.notes, note))
    return report

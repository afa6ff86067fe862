"""Build the knowledge base: the ontology, the curated content and, when a
source-data folder is configured, the place registries imported from it.

Each step replaces one named graph as a whole, so a build can be run again at any
time and leaves the same content (idempotent). Curated graphs are written in one
transaction each; an importer reads all its files before it touches its graph. A
failed step leaves its graph as it was. Last, the coverage summaries and the
comparability assessments of the derived graph are recomputed from what the build
wrote (``registry.coverage.refresh``, ``registry.comparability.assessments.refresh``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef

from registry import coverage, graphs
from registry.comparability import assessments
from registry.errors import ConfigurationError
from registry.importers import PLACE_IMPORTERS, Importer, ImportReport, run_import
from registry.importers.districts import HelsinkiDistrictsImporter
from registry.importers.mapping import builtin_importers
from registry.resources import ontology_files
from registry.store import RdfFormat, Store

CONTENT_DIR = Path(__file__).resolve().parent / "content"
"""Curated registry content shipped with Commensura (Turtle files)."""


@dataclass(frozen=True)
class BuildStep:
    """One named graph and the files that make it up."""

    graph: URIRef
    description: str
    files: tuple[Path, ...]


@dataclass(frozen=True)
class Skipped:
    """A part of the build that did not run, and why."""

    what: str
    why: str


@dataclass
class BuildReport:
    """What a build wrote: triples per graph, the imports run and what was skipped."""

    graphs: dict[URIRef, int] = field(default_factory=dict)
    imports: list[ImportReport] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    coverage: coverage.RefreshReport | None = None
    assessments: assessments.AssessmentReport | None = None
    """The refresh of the coverage summaries that ended the build."""
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.graphs.values())


Progress = Callable[[str, int, int], None]
"""Called as work advances: (task description, units done, units in the task)."""

NO_SOURCE_DATA = (
    "no source-data folder is configured: give --source-data DIR or set COMMENSURA_SOURCE_DATA"
)


def build_steps(content_dir: Path = CONTENT_DIR) -> list[BuildStep]:
    """The curated graphs a build writes, in order. Steps without files are left out."""
    steps = [BuildStep(graphs.ONTOLOGY, "ontology and vocabularies", tuple(ontology_files()))]
    curated = tuple(sorted(content_dir.rglob("*.ttl"))) if content_dir.is_dir() else ()
    if curated:
        steps.append(BuildStep(graphs.REGISTRY, "curated registry content", curated))
    return steps


def default_importers() -> tuple[Importer, ...]:
    """What a build imports from the source data: places first, then the datasets
    whose observations refer to them."""
    return (*PLACE_IMPORTERS, HelsinkiDistrictsImporter(), *builtin_importers())


def check_source_data(source_data: Path | None) -> None:
    """Refuse a configured source-data folder that is not there, before anything is written."""
    if source_data is not None and not source_data.is_dir():
        msg = (
            f"the source-data folder {source_data} does not exist or is not a folder: "
            "check --source-data or COMMENSURA_SOURCE_DATA"
        )
        raise ConfigurationError(msg, details={"source_data": str(source_data)})


def build(
    store: Store,
    *,
    progress: Progress | None = None,
    content_dir: Path = CONTENT_DIR,
    source_data: Path | None = None,
    importers: Sequence[Importer] | None = None,
) -> BuildReport:
    """Load every build step into its graph, replacing what the graph held before.

    With a source-data folder, the build then runs ``importers``: by default the place
    registries, then the datasets (:func:`default_importers`).
    """
    if importers is None:
        importers = default_importers()
    check_source_data(source_data)
    started = time.perf_counter()
    report = BuildReport()
    for step in build_steps(content_dir):
        with store.transaction() as tx:
            tx.drop_graph(step.graph)
            for done, path in enumerate(step.files, start=1):
                tx.load(path, RdfFormat.from_path(path), graph=step.graph)
                if progress is not None:
                    progress(step.description, done, len(step.files))
        report.graphs[step.graph] = store.count(step.graph)
    if source_data is None:
        report.skipped.append(Skipped("place registries and datasets", NO_SOURCE_DATA))
    else:
        _import_places(store, report, source_data, importers, progress)
    if progress is not None:
        progress("coverage summaries", 0, 1)
    report.coverage = coverage.refresh(store)
    if progress is not None:
        progress("coverage summaries", 1, 1)
        progress("comparability assessments", 0, 1)
    report.assessments = assessments.refresh(store)
    if progress is not None:
        progress("comparability assessments", 1, 1)
    report.seconds = time.perf_counter() - started
    return report


def _import_places(
    store: Store,
    report: BuildReport,
    source_data: Path,
    importers: Sequence[Importer],
    progress: Progress | None,
) -> None:
    for importer in importers:
        missing = importer.missing(source_data)
        if missing:
            why = f"{', '.join(missing)} not found in {source_data}"
            report.skipped.append(Skipped(importer.title, why))
            continue

        def rows(done: int, total: int, title: str = importer.title) -> None:
            if progress is not None:
                progress(title, done, total)

        # One refresh of the coverage at the end of the build serves every import.
        result = run_import(store, importer, source_data, progress=rows, refresh_coverage=False)
        report.imports.append(result)
        report.graphs[result.graph] = store.count(result.graph)
    if report.imports:
        report.graphs[graphs.PROVENANCE] = store.count(graphs.PROVENANCE)
        store.optimize()

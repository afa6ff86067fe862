"""Build the knowledge base: load the ontology and the curated content into a store.

Each step replaces one named graph as a whole, in one transaction, so a build
can be run again at any time and leaves the same content (idempotent), and a
failed step leaves that graph as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef

from registry import graphs
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


@dataclass
class BuildReport:
    """How many triples each graph holds after a build."""

    graphs: dict[URIRef, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.graphs.values())


Progress = Callable[[BuildStep, int, int], None]
"""Called after each file of a step is read: (step, files done, files in step)."""


def build_steps(content_dir: Path = CONTENT_DIR) -> list[BuildStep]:
    """The graphs a build writes, in order. Steps without files are left out."""
    steps = [BuildStep(graphs.ONTOLOGY, "ontology and vocabularies", tuple(ontology_files()))]
    curated = tuple(sorted(content_dir.rglob("*.ttl"))) if content_dir.is_dir() else ()
    if curated:
        steps.append(BuildStep(graphs.REGISTRY, "curated registry content", curated))
    return steps


def build(
    store: Store, *, progress: Progress | None = None, content_dir: Path = CONTENT_DIR
) -> BuildReport:
    """Load every build step into its graph, replacing what the graph held before."""
    report = BuildReport()
    for step in build_steps(content_dir):
        with store.transaction() as tx:
            tx.drop_graph(step.graph)
            for done, path in enumerate(step.files, start=1):
                tx.load(path, RdfFormat.from_path(path), graph=step.graph)
                if progress is not None:
                    progress(step, done, len(step.files))
        report.graphs[step.graph] = store.count(step.graph)
    return report

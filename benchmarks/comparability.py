"""Comparability benchmark: the grade of every pair of 1,000 indicator definitions.

    python -m benchmarks.comparability --definitions 1000 --baseline 150 --out comparability.md

The registry's curated content (its 46 definitions, 49 population definitions, data
sources and concept schemes) is read into an rdflib graph. Then ``--definitions``
synthetic indicator definitions are added, drawn with a fixed seed: a target group
(one of the real population definitions, or one of ``--populations`` synthetic ones that
join two real groups' conditions with any-of or all-of), a reference group, an age band,
a sex, a universe, one or two of the registry's data sources, a geography level, a
reference time, a measure with its numerator and denominator, and a unit.

Timed, each median of ``--repeat`` runs:

* **ours**: ``Assessor(graph).grade_matrix(all)``, from a fresh assessor (the
  definitions read from the graph and the populations normalised included), and again
  on the same assessor (what a server that keeps its assessor pays);
* **baseline**: ``Assessor.assess`` for every pair of the first ``--baseline``
  definitions, one verdict at a time, with its reasons and hint, against
  ``grade_matrix`` for the same definitions. Before timing, both must give the same
  grade for every pair of those, or the run fails.

Progress goes to stderr, the markdown report to stdout (or ``--out``).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from registry.comparability.verdict import GRADE_NAMES, Assessor
from registry.namespaces import CM
from registry.resources import ontology_files

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "registry" / "kb" / "content"
SYNTHETIC = "https://example.org/commensura-benchmark/"
VOCAB = "https://w3id.org/commensura/vocab/"
SEX = "http://purl.org/linked-data/sdmx/2009/code#sex-"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def registry_graph() -> Graph:
    graph = Graph()
    for path in sorted(CONTENT.glob("*.ttl")):
        graph.parse(path)
    for path in ontology_files():
        graph.parse(path)
    return graph


def concepts(graph: Graph, scheme: str) -> list[URIRef]:
    found = graph.subjects(SKOS.inScheme, URIRef(VOCAB + scheme))
    return sorted(c for c in found if isinstance(c, URIRef))


def add_synthetic(graph: Graph, definitions: int, populations: int, seed: int) -> list[str]:
    """Add synthetic population and indicator definitions; return the indicator definitions."""
    rng = random.Random(seed)
    real = sorted(
        p for p in graph.subjects(RDF.type, CM.PopulationDefinition) if isinstance(p, URIRef)
    )
    groups = list(real)
    for n in range(populations):
        first, second = rng.sample(real, 2)
        node = URIRef(f"{SYNTHETIC}population/{n}")
        join = BNode()
        graph.add((node, RDF.type, CM.PopulationDefinition))
        graph.add((node, SKOS.prefLabel, Literal(f"Synthetic group {n}", lang="en")))
        graph.add((node, CM.condition, join))
        graph.add((join, RDF.type, rng.choice([CM.AnyOf, CM.AllOf])))
        for source in (first, second):
            part = BNode()
            graph.add((join, CM.operand, part))
            graph.add((part, RDF.type, CM.AllOf))
            for condition in graph.objects(source, CM.condition):
                graph.add((part, CM.operand, condition))
        groups.append(node)
    sources = sorted(s for s in graph.subjects(RDF.type, CM.DataSource) if isinstance(s, URIRef))
    choices: dict[URIRef, list[URIRef]] = {
        CM.ageBand: concepts(graph, "age-band"),
        CM.universe: concepts(graph, "universe"),
        CM.geographyLevel: concepts(graph, "geography-level"),
        CM.referenceTime: concepts(graph, "reference-time"),
        CM.measureType: concepts(graph, "measure-type")[:3],
        CM.unit: concepts(graph, "unit")[:3],
    }
    quantities = concepts(graph, "quantity")
    made = []
    for n in range(definitions):
        node = URIRef(f"{SYNTHETIC}definition/{n}")
        made.append(str(node))
        graph.add((node, RDF.type, CM.IndicatorDefinition))
        graph.add((node, SKOS.prefLabel, Literal(f"Synthetic definition {n}", lang="en")))
        graph.add((node, CM.targetGroup, rng.choice(groups)))
        if rng.random() < 0.8:
            graph.add((node, CM.referenceGroup, rng.choice(real)))
        for predicate, values in choices.items():
            graph.add((node, predicate, rng.choice(values)))
        graph.add((node, CM.sex, URIRef(SEX + rng.choice("TTTTMF"))))
        graph.add((node, CM.numerator, rng.choice(quantities[:4])))
        graph.add((node, CM.denominator, quantities[0]))
        for source in rng.sample(sources, rng.choice([1, 1, 2])):
            graph.add((node, CM.dataSource, source))
    return made


def median_seconds(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.comparability")
    parser.add_argument("--definitions", type=int, default=1000)
    parser.add_argument("--populations", type=int, default=150)
    parser.add_argument("--baseline", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    log("reading the registry")
    graph = registry_graph()
    iris = add_synthetic(graph, args.definitions, args.populations, args.seed)
    log(f"{len(iris)} definitions, {len(graph):,} triples")

    fresh = median_seconds(lambda: Assessor(graph).grade_matrix(iris), args.repeat)
    warm_assessor = Assessor(graph)
    matrix = warm_assessor.grade_matrix(iris)
    warm = median_seconds(lambda: warm_assessor.grade_matrix(iris), args.repeat)
    counts = matrix.counts()

    subset = iris[: args.baseline]
    check = Assessor(graph)
    small = check.grade_matrix(subset)
    for i, a in enumerate(subset):
        for j, b in enumerate(subset):
            if check.assess(a, b).grade != small.grade(i, j):
                log(f"MISMATCH: {a} against {b}")
                return 1
    pairs = len(subset) * (len(subset) - 1) // 2

    def one_by_one() -> None:
        assessor = Assessor(graph)
        for i, a in enumerate(subset):
            for b in subset[i + 1 :]:
                assessor.assess(a, b)

    baseline = median_seconds(one_by_one, max(1, args.repeat // 2))
    ours_small = median_seconds(lambda: Assessor(graph).grade_matrix(subset), args.repeat)
    all_pairs = args.definitions * (args.definitions - 1) // 2
    lines = [
        "# Comparability benchmark",
        "",
        f"{args.definitions:,} synthetic indicator definitions ({args.populations} synthetic "
        f"population definitions besides the 49 real ones), seed {args.seed}; medians of "
        f"{args.repeat} runs.",
        "",
        "| measure | seconds |",
        "|---|---:|",
        f"| grade_matrix, {all_pairs:,} pairs, fresh assessor | {fresh:.3f} |",
        f"| grade_matrix, {all_pairs:,} pairs, warm assessor | {warm:.3f} |",
        f"| baseline: assess one pair at a time, {pairs:,} pairs ({args.baseline} definitions) "
        f"| {baseline:.3f} |",
        f"| grade_matrix, the same {args.baseline} definitions, fresh assessor "
        f"| {ours_small:.3f} |",
        "",
        f"Baseline / ours on {args.baseline} definitions: {baseline / ours_small:.1f}x; the "
        f"grades agree on all {len(subset) ** 2:,} ordered pairs.",
        "",
        "Grades of the 1,000-definition matrix: "
        + ", ".join(f"{GRADE_NAMES[g]} {n:,}" for g, n in counts.items()),
        "",
    ]
    report = "\n".join(lines)
    if args.out is not None:
        args.out.write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

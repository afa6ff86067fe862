"""Build benchmark: the knowledge base with its place registries, from real source data.

    python -m benchmarks.build --source-data ../shared/data > build.md

Two runs, each in its own process so that each peak RSS is its own:

* ``ours``: ``commensura build`` as the CLI runs it (``registry.kb.build``): the
  ontology, the curated content, and the six place importers, which write
  N-Triples to a temporary file and hand it to the store's bulk loader;
* ``baseline``: the same build, except that each importer's triples are parsed
  into an rdflib graph and written with the store's transactional ``put_graph``,
  which is how a graph is written without the bulk loader.

Both stores must end with the same number of triples in every graph; a mismatch
is printed and makes the exit status 1. The markdown report goes to stdout.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rdflib import Graph

from benchmarks.run import folder_mib, log, peak_rss_mib
from registry import ids
from registry.config import Settings
from registry.importers import PLACE_IMPORTERS, ImportContext, Importer
from registry.importers.base import TripleSink, describe_dataset
from registry.kb import build
from registry.store import Store, open_store


def baseline_import(store: Store, importer: Importer, source: Path) -> int:
    buffer = io.BytesIO()
    ctx = ImportContext(source=source, sink=TripleSink(buffer))
    importer.read(ctx)
    describe_dataset(importer, ctx, ids.activity("import", f"{importer.slug}-baseline"))
    graph = Graph()
    graph.parse(data=buffer.getvalue().decode("utf-8"), format="nt")
    return store.put_graph(importer.graph, graph)


def worker(mode: str, source: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="commensura-bench-build-") as tmp:
        folder = Path(tmp) / "store"
        steps: dict[str, float] = {}
        with open_store(Settings(store=folder)) as store:
            started = time.perf_counter()
            if mode == "ours":
                report = build(store, source_data=source)
                steps = {r.slug: r.seconds for r in report.imports}
            else:
                build(store, importers=())
                for importer in PLACE_IMPORTERS:
                    t0 = time.perf_counter()
                    baseline_import(store, importer, source)
                    steps[importer.slug] = time.perf_counter() - t0
                store.optimize()
            seconds = time.perf_counter() - started
            counts = {str(g): store.count(g) for g in store.graphs()}
        return {
            "mode": mode,
            "seconds": seconds,
            "steps": steps,
            "peak_rss_mib": peak_rss_mib(),
            "store_mib": folder_mib(folder) if folder.exists() else 0.0,
            "counts": counts,
        }


def run_worker(mode: str, source: Path) -> dict[str, Any]:
    log(f"running {mode} ...")
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.build", "--worker", mode, "--source-data", str(source)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def markdown(ours: dict[str, Any], base: dict[str, Any]) -> str:
    lines = [
        f"Machine: {platform.machine()}, Python {platform.python_version()}.",
        "",
        "| step | ours (s) | baseline (s) | baseline / ours |",
        "|---|---:|---:|---:|",
    ]
    for slug, seconds in ours["steps"].items():
        other = base["steps"].get(slug, float("nan"))
        lines.append(f"| {slug} | {seconds:.2f} | {other:.2f} | {other / seconds:.1f}x |")
    lines += [
        f"| **whole build** | **{ours['seconds']:.1f}** | **{base['seconds']:.1f}** | "
        f"**{base['seconds'] / ours['seconds']:.1f}x** |",
        "",
        f"Peak RSS: ours {ours['peak_rss_mib']:.0f} MiB, baseline {base['peak_rss_mib']:.0f} MiB. "
        f"Store on disk: {ours['store_mib']:.0f} MiB. "
        f"Triples: {sum(ours['counts'].values()):,} in {len(ours['counts'])} graphs.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source-data", type=Path, required=True)
    parser.add_argument("--worker", choices=("ours", "baseline"))
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.source_data)))
        return 0
    ours = run_worker("ours", args.source_data)
    base = run_worker("baseline", args.source_data)
    # Provenance is written by the real build only; compare the graphs both write.
    shared = set(ours["counts"]) & set(base["counts"])
    mismatches = [g for g in sorted(shared) if ours["counts"][g] != base["counts"][g]]
    missing = sorted(set(base["counts"]) - set(ours["counts"]))
    sys.stdout.write(markdown(ours, base))
    sys.stdout.flush()
    if mismatches or missing:
        log(f"MISMATCH: triple counts differ in {mismatches}, missing {missing}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

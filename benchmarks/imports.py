"""Import throughput: a mapped table, end to end from the CSV to the on-disk store.

    python -m benchmarks.imports --source-data ../shared/data --out imports.md
    python -m benchmarks.imports --quick        # the synthetic table at 200k triples only

Two datasets, each imported by ``run_import(store, MappingImporter(mapping), source,
refresh_coverage=False)``, as ``commensura import`` and the build run it:

* ``real``: ``registry/importers/mappings/wien-migration-flows.yaml`` on the source data
  (18,564 rows, 11 columns unpivoted into 204,204 observations, about 2.45 M triples);
* ``synthetic``: a table of the same shape written by this benchmark (its own place set,
  20 years, two sexes, two nationalities, 11 flow columns to unpivot; 12 triples per
  observation), as many places as make ``--synthetic-triples`` (5 M by default), with
  a mapping written beside it.

A build worker first makes the base store: the curated content and the place registries
(``registry.kb.build`` with ``PLACE_IMPORTERS``; the places resolve the real dataset's
place codes). Every measurement then runs in a process of its own (so each peak RSS is
its own) on a fresh copy of that store, after waiting for the store's background work to
settle:

* **first import**: into the empty graph (``sync_graph`` hands the file to the bulk loader);
* **re-import**, unchanged, on the same store after the first one has settled: the graph is
  compared with the new file and only the differences are written (the dataset's link to
  its import activity is the one triple that changes);
* **raw load**, the baseline: ``store.bulk_load`` of the very N-Triples file the first import
  wrote (kept by a hard link) into a fresh graph of another fresh copy: what Oxigraph's bulk
  loader alone takes for the same triples.

The phases of an import are timed by wrapping, in the import worker only: ``MappingRun.run``
(reading the CSV, unpivoting and mapping the cells to IRIs, pandas), ``check_terms`` and
``cube.duplicates`` (checks), ``cube.write_observations`` (the observations as N-Triples
lines, written to the temporary file) and ``Store.sync_graph`` (loading); "other" is the rest
(places, codes, structure and DCAT description, file digests, the provenance transaction).

``--profile`` adds one cProfile run of the synthetic first import and re-import (not timed
with the others) and prints its hotspots. Progress goes to stderr, the markdown report to
stdout (or ``--out``); ``--json`` keeps every figure. This is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import io
import json
import os
import platform
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar
from unittest import mock

import yaml

from benchmarks.generate import parse_size, size_label
from benchmarks.run import (
    code_version,
    cpu_model,
    folder_mib,
    log,
    package_version,
    peak_rss_mib,
    rss_mib,
    wait_until_idle,
)

ROOT = Path(__file__).resolve().parent.parent
REAL_MAPPING = ROOT / "registry" / "importers" / "mappings" / "wien-migration-flows.yaml"
REAL, SYNTHETIC = "real", "synthetic"
FIRST, AGAIN = "first import", "re-import"
PHASES = ("read + map", "checks", "write N-Triples", "load (sync_graph)", "other")
RAW_GRAPH_SLUG = "benchmark-raw-load"

SYNTHETIC_SLUG = "benchmark-synthetic-flows"
SYNTHETIC_FILE = "benchmark/synthetic-flows.csv"
SYNTHETIC_YEARS = 20
SYNTHETIC_FLOWS = tuple(f"FLOW_{i:02d}" for i in range(1, 12))
TRIPLES_PER_OBSERVATION = 12
"""Type, data set, definition, place, period, group, sex, age, statistic, flow, unit, value."""
TRIPLES_PER_PLACE = 4
FIXED_TRIPLES = 160
"""About what the structure, the flow code list and the DCAT description add."""
QUICK_TRIPLES = "200k"

Report = dict[str, Any]
T = TypeVar("T")


# -- the synthetic table ------------------------------------------------------------------


def synthetic_places(triples: int) -> int:
    """How many places make about ``triples`` triples."""
    per_place = SYNTHETIC_YEARS * 4 * len(SYNTHETIC_FLOWS) * TRIPLES_PER_OBSERVATION
    return max(1, round((triples - FIXED_TRIPLES) / (per_place + TRIPLES_PER_PLACE)))


def write_synthetic(folder: Path, triples: int, seed: int) -> tuple[Path, int]:
    """The CSV table and its mapping in ``folder``; returns the mapping's path and the rows."""
    places = synthetic_places(triples)
    rng = random.Random(seed)
    csv_path = folder / SYNTHETIC_FILE
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with csv_path.open("w", encoding="utf-8", newline="") as out:
        out.write(";".join(["SUB_DISTRICT_CODE", "REF_YEAR", "SEX", "GEO2", *SYNTHETIC_FLOWS]))
        out.write("\n")
        for place in range(places):
            code = str(100_001 + place)
            for year in range(2005, 2005 + SYNTHETIC_YEARS):
                for sex in ("1", "2"):
                    for nationality in ("AUT", "FOR"):
                        values = [str(rng.randint(-300, 900)) for _ in SYNTHETIC_FLOWS]
                        out.write(";".join([code, str(year), sex, nationality, *values]) + "\n")
                        rows += 1
    mapping: dict[str, Any] = {
        "slug": SYNTHETIC_SLUG,
        "dataset": {
            "title": "Synthetic migration flows (import benchmark)",
            "description": "A table shaped like Vienna's migration flows, written by "
            "benchmarks/imports.py.",
            "publisher": "vienna-ma23",
            "identifier": SYNTHETIC_SLUG,
            "rights": "Synthetic data, made up by the benchmark: no restriction on re-use.",
        },
        "places": [
            {"scheme": "benchmark-district", "label": "Benchmark district", "level": "subDistrict"}
        ],
        "sources": [
            {
                "file": SYNTHETIC_FILE,
                "separator": ";",
                "unpivot": {"columns": list(SYNTHETIC_FLOWS), "into": "flow"},
                "place": {"column": "SUB_DISTRICT_CODE", "scheme": "benchmark-district"},
                "period": {"column": "REF_YEAR", "format": "year"},
                "value": {"column": "value"},
                "definition": "vienna-migration-flows-by-nationality",
                "statistic": "count",
                "unit": "persons",
                "group": {
                    "column": "GEO2",
                    "codes": {
                        "AUT": "pop:vienna-austrian-nationals",
                        "FOR": "pop:vienna-foreign-nationals",
                    },
                },
                "sex": {"column": "SEX", "codes": {"1": "M", "2": "F"}},
                "dimensions": [
                    {
                        "name": "flow",
                        "label": "Kind of migration flow",
                        "column": "flow",
                        "codes": {flow: f"Synthetic flow {flow[-2:]}" for flow in SYNTHETIC_FLOWS},
                    }
                ],
            }
        ],
    }
    mapping_path = folder / f"{SYNTHETIC_SLUG}.yaml"
    mapping_path.write_text(yaml.safe_dump(mapping, sort_keys=False), encoding="utf-8")
    return mapping_path, rows


# -- the workers (each in its own process) ------------------------------------------------


def worker_build(store_dir: Path, source: Path | None) -> Report:
    """The base store: curated content, and the place registries when ``source`` is given."""
    from registry.config import Settings
    from registry.importers import PLACE_IMPORTERS
    from registry.kb import build
    from registry.store import open_store

    started = time.perf_counter()
    with open_store(Settings(store=store_dir)) as store:
        if source is None:
            report = build(store, importers=())
        else:
            report = build(store, source_data=source, importers=PLACE_IMPORTERS)
        wait_until_idle(limit=120)
    return {
        "seconds": time.perf_counter() - started,
        "triples": report.total,
        "places": source is not None,
        "peak_rss_mib": peak_rss_mib(),
        "store_mib": folder_mib(store_dir),
    }


@contextlib.contextmanager
def phase_timers(store: Any, keep_nt: Path | None) -> Iterator[dict[str, Any]]:
    """Time the phases of ``run_import`` by wrapping the functions it calls.

    The wrapped ``sync_graph`` also keeps the N-Triples file (a hard link, outside the
    phase timers: ``kept`` seconds) and its answer (triples added, removed).
    """
    from registry.importers import cube, mapping

    found: dict[str, Any] = {name: 0.0 for name in PHASES if name != "other"}
    found["kept"] = 0.0

    def timed(name: str, function: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                found[name] += time.perf_counter() - started

        return wrapper

    sync = store.sync_graph

    def sync_graph(graph: Any, path: Path) -> tuple[int, int]:
        if keep_nt is not None:
            started = time.perf_counter()
            try:
                os.link(path, keep_nt)
            except OSError:  # another file system: copy it
                shutil.copyfile(path, keep_nt)
            found["kept"] += time.perf_counter() - started
        started = time.perf_counter()
        try:
            result: tuple[int, int] = sync(graph, path)
        finally:
            found["load (sync_graph)"] += time.perf_counter() - started
        found["added"], found["removed"] = result
        return result

    with contextlib.ExitStack() as stack:
        stack.enter_context(
            mock.patch.object(
                mapping.MappingRun, "run", timed("read + map", mapping.MappingRun.run)
            )
        )
        stack.enter_context(
            mock.patch.object(mapping, "check_terms", timed("checks", mapping.check_terms))
        )
        stack.enter_context(mock.patch.object(cube, "duplicates", timed("checks", cube.duplicates)))
        stack.enter_context(
            mock.patch.object(
                cube, "write_observations", timed("write N-Triples", cube.write_observations)
            )
        )
        stack.enter_context(mock.patch.object(store, "sync_graph", sync_graph))
        yield found


def timed_import(store: Any, mapping_path: Path, source: Path, keep_nt: Path | None) -> Report:
    """One ``run_import``, end to end, with its phases."""
    from registry.importers import run_import
    from registry.importers.mapping import MappingImporter, load_mapping

    with phase_timers(store, keep_nt) as phases:
        started = time.perf_counter()
        report = run_import(
            store, MappingImporter(load_mapping(mapping_path)), source, refresh_coverage=False
        )
        seconds = time.perf_counter() - started - phases["kept"]
    measured = {name: phases[name] for name in PHASES if name in phases}
    measured["other"] = seconds - sum(measured.values())
    return {
        "seconds": seconds,
        "triples": report.triples,
        "observations": report.observations,
        "rows": report.rows_read,
        "rejected": report.rows_rejected,
        "added": phases.get("added", 0),
        "removed": phases.get("removed", 0),
        "phases": measured,
        "peak_rss_mib": peak_rss_mib(),
        "graph": str(report.graph),
    }


def worker_import(store_dir: Path, mapping_path: Path, source: Path, keep_nt: Path) -> Report:
    """First import into the empty graph, then the same import again."""
    from rdflib import URIRef

    from registry.config import Settings
    from registry.store import open_store

    result: Report = {"rss_before_mib": rss_mib()}
    with open_store(Settings(store=store_dir)) as store:
        result["idle_before_s"] = wait_until_idle(limit=120)
        result[FIRST] = timed_import(store, mapping_path, source, keep_nt)
        graph = URIRef(result[FIRST]["graph"])
        result["stored"] = store.count(graph)
        result["idle_between_s"] = wait_until_idle(limit=300)
        result[AGAIN] = timed_import(store, mapping_path, source, None)
        result["stored_after"] = store.count(graph)
    result["store_mib"] = folder_mib(store_dir)
    result["peak_rss_mib"] = peak_rss_mib()
    return result


def worker_raw(store_dir: Path, nt_file: Path) -> Report:
    """The baseline: the bulk loader alone, the same file, a fresh graph of a fresh store."""
    from registry import graphs
    from registry.config import Settings
    from registry.store import RdfFormat, open_store

    result: Report = {"rss_before_mib": rss_mib()}
    graph = graphs.data(RAW_GRAPH_SLUG)
    with open_store(Settings(store=store_dir)) as store:
        result["idle_before_s"] = wait_until_idle(limit=120)
        started = time.perf_counter()
        store.bulk_load(nt_file, RdfFormat.NTRIPLES, graph=graph)
        result["seconds"] = time.perf_counter() - started
        result["stored"] = store.count(graph)
    result["peak_rss_mib"] = peak_rss_mib()
    return result


def worker_profile(store_dir: Path, mapping_path: Path, source: Path, out: Path) -> Report:
    """cProfile of the first import and the re-import; the stats go to ``out``.first/.again."""
    from registry.config import Settings
    from registry.importers import run_import
    from registry.importers.mapping import MappingImporter, load_mapping
    from registry.store import open_store

    result: Report = {}
    with open_store(Settings(store=store_dir)) as store:
        wait_until_idle(limit=120)
        for name, suffix in ((FIRST, "first"), (AGAIN, "again")):
            profiler = cProfile.Profile()
            started = time.perf_counter()
            profiler.enable()
            run_import(
                store, MappingImporter(load_mapping(mapping_path)), source, refresh_coverage=False
            )
            profiler.disable()
            result[name] = time.perf_counter() - started
            profiler.dump_stats(str(out.with_suffix(f".{suffix}.prof")))
            if name == FIRST:
                wait_until_idle(limit=300)
    return result


def worker_main(args: argparse.Namespace) -> int:
    store_dir = Path(args.store)
    if args.worker == "build":
        report = worker_build(store_dir, args.source)
    elif args.worker == "import":
        report = worker_import(store_dir, args.mapping, args.source, args.keep_nt)
    elif args.worker == "raw":
        report = worker_raw(store_dir, args.keep_nt)
    else:
        report = worker_profile(store_dir, args.mapping, args.source, args.prof)
    Path(args.report).write_text(json.dumps(report), encoding="utf-8")
    return 0


# -- orchestrating (in the parent process) ------------------------------------------------


def run_worker(work: Path, kind: str, **options: Path | None) -> Report:
    """``python -m benchmarks.imports --worker kind ...`` and its JSON report."""
    report = work / f"report-{kind}-{time.monotonic_ns()}.json"
    command = [sys.executable, "-m", "benchmarks.imports", "--worker", kind]
    command += ["--report", str(report)]
    for name, value in options.items():
        if value is not None:
            command += [f"--{name.replace('_', '-')}", str(value)]
    subprocess.run(command, cwd=ROOT, check=True)
    result: Report = json.loads(report.read_text(encoding="utf-8"))
    report.unlink()
    return result


def fresh_copy(base: Path, work: Path, name: str) -> Path:
    target = work / name
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(base, target)
    return target


def measure(
    work: Path, base: Path, name: str, mapping_path: Path, source: Path, repeat: int
) -> Report:
    """``repeat`` rounds of (first import and re-import, raw load of the same file)."""
    rounds: list[Report] = []
    for attempt in range(1, repeat + 1):
        nt = work / f"{name}.nt"
        nt.unlink(missing_ok=True)
        log(f"[{name}] round {attempt}/{repeat}: import and re-import")
        store = fresh_copy(base, work, f"store-{name}")
        imported = run_worker(
            work, "import", store=store, mapping=mapping_path, source=source, keep_nt=nt
        )
        shutil.rmtree(store)
        log(
            f"[{name}]   first {imported[FIRST]['seconds']:.1f} s, "
            f"again {imported[AGAIN]['seconds']:.1f} s; raw load of the same file"
        )
        store = fresh_copy(base, work, f"store-{name}-raw")
        raw = run_worker(work, "raw", store=store, keep_nt=nt)
        shutil.rmtree(store)
        log(f"[{name}]   raw {raw['seconds']:.1f} s")
        imported["nt_mib"] = nt.stat().st_size / 1024**2
        nt.unlink()
        rounds.append({"import": imported, "raw": raw})
    return {"rounds": rounds}


def profile(work: Path, base: Path, mapping_path: Path, source: Path, top: int) -> Report:
    log("[profile] synthetic import under cProfile")
    store = fresh_copy(base, work, "store-profile")
    out = work / "profile"
    seconds = run_worker(
        work, "profile", store=store, mapping=mapping_path, source=source, prof=out
    )
    shutil.rmtree(store)
    hotspots: Report = {"seconds": seconds}
    for name, suffix in ((FIRST, "first"), (AGAIN, "again")):
        stats = pstats.Stats(str(out.with_suffix(f".{suffix}.prof")))
        total = stats.total_tt  # type: ignore[attr-defined]  # not in typeshed
        rows = []
        for (file, line, function), entry in stats.stats.items():  # type: ignore[attr-defined]
            _calls, ncalls, tottime, cumtime, _callers = entry
            where = f"{Path(file).name}:{line}" if line else "builtin"
            rows.append(
                {"function": f"{function} ({where})", "calls": ncalls, "tottime": tottime,
                 "cumtime": cumtime}
            )  # fmt: skip
        rows.sort(key=lambda r: -float(r["tottime"]))
        hotspots[name] = {"total": total, "top": rows[:top]}
        text = io.StringIO()
        pstats.Stats(str(out.with_suffix(f".{suffix}.prof")), stream=text).sort_stats(
            "tottime"
        ).print_stats(top)
        log(f"[profile] {name}, by own time:\n{text.getvalue()}")
    return hotspots


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def _spread(values: Sequence[float], fmt: str = "{:.1f}") -> str:
    if len(values) == 1:
        return fmt.format(values[0])
    return f"{fmt.format(median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def dataset_rows(name: str, result: Report) -> list[str]:
    """The throughput table's rows for one dataset."""
    rounds = result["rounds"]
    first = [r["import"][FIRST] for r in rounds]
    again = [r["import"][AGAIN] for r in rounds]
    raw = [r["raw"] for r in rounds]
    triples = first[0]["triples"]
    cells = {
        FIRST: [f["seconds"] for f in first],
        AGAIN: [a["seconds"] for a in again],
        "raw": [r["seconds"] for r in raw],
    }
    lines = []
    for label, key in (
        ("first import (empty graph)", FIRST),
        ("re-import, unchanged", AGAIN),
        ("baseline: raw `bulk_load` of the same file", "raw"),
    ):
        seconds = cells[key]
        rate = [triples / s for s in seconds]
        versus = "" if key == "raw" else f"{median(seconds) / median(cells['raw']):.2f}x"
        lines.append(
            f"| {name} | {label} | {_spread(seconds, '{:.2f}')} | "
            f"**{median(rate):,.0f}** | {versus} |"
        )
    return lines


def markdown(args: argparse.Namespace, results: Report) -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    build = results["build"]
    lines = [
        "## Measured results",
        "",
        f"- machine: {os.cpu_count()} CPUs ({cpu_model()}), {memory:.1f} GiB RAM, "
        f"{platform.system()} {platform.release()}; load average before "
        f"{results['load_before']}, after {results['load_after']}",
        f"- versions: Python {platform.python_version()}, pyoxigraph "
        f"{package_version('pyoxigraph')}, pandas {package_version('pandas')} (sha256 of the "
        f"registry sources: {results['code_version']})",
        f"- base store: {build['triples']:,} triples ("
        + ("curated content and place registries" if build["places"] else "curated content only")
        + f"), built in {build['seconds']:.0f} s; {args.repeat} round(s), median (min-max)",
        "",
    ]
    names = [n for n in (REAL, SYNTHETIC) if n in results["datasets"]]
    facts = []
    for name in names:
        first = results["datasets"][name]["rounds"][0]["import"]
        facts.append(
            f"- {name}: {first[FIRST]['rows']:,} rows, {first[FIRST]['observations']:,} "
            f"observations, {first[FIRST]['triples']:,} triples "
            f"({first['nt_mib']:,.0f} MiB of N-Triples); re-import wrote "
            f"+{first[AGAIN]['added']:,} / -{first[AGAIN]['removed']:,} triples"
        )
    lines += [
        *facts,
        "",
        "| dataset | run | seconds | triples/s | / raw load |",
        "|---|---|---:|---:|---:|",
    ]
    for name in names:
        lines += dataset_rows(name, results["datasets"][name])
    lines += [
        "",
        "Phases (seconds, median of the rounds):",
        "",
        "| phase | " + " | ".join(f"{n} {run}" for n in names for run in (FIRST, AGAIN)) + " |",
        "|---|" + "---:|" * (2 * len(names)),
    ]
    for phase in PHASES:
        cells = [
            f"{median([r['import'][run]['phases'][phase] for r in rounds]):.2f}"
            for rounds in (results["datasets"][n]["rounds"] for n in names)
            for run in (FIRST, AGAIN)
        ]
        lines.append(f"| {phase} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| dataset | peak RSS import worker MiB (after first import) | peak RSS raw load MiB "
        "| store on disk after both imports MiB |",
        "|---|---:|---:|---:|",
    ]
    for name in names:
        rounds = results["datasets"][name]["rounds"]
        lines.append(
            f"| {name} | {max(r['import']['peak_rss_mib'] for r in rounds):,.0f} "
            f"({max(r['import'][FIRST]['peak_rss_mib'] for r in rounds):,.0f}) | "
            f"{max(r['raw']['peak_rss_mib'] for r in rounds):,.0f} | "
            f"{rounds[0]['import']['store_mib']:,.0f} |"
        )
    hot = results.get("profile")
    if hot:
        lines += ["", "cProfile of the synthetic import (own time, top 5):", ""]
        for run in (FIRST, AGAIN):
            lines += [
                f"{run} ({hot['seconds'][run]:.1f} s under the profiler):",
                "",
                "| function | calls | own s | cumulative s |",
                "|---|---:|---:|---:|",
            ]
            for row in hot[run]["top"][:5]:
                lines.append(
                    f"| `{row['function']}` | {row['calls']:,} | {row['tottime']:.2f} | "
                    f"{row['cumtime']:.2f} |"
                )
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def check(results: Report) -> list[str]:
    problems = []
    for name, result in results["datasets"].items():
        for r in result["rounds"]:
            imported, raw = r["import"], r["raw"]
            if imported["stored"] != imported[FIRST]["triples"]:
                problems.append(
                    f"{name}: the graph holds {imported['stored']} triples, "
                    f"the import wrote {imported[FIRST]['triples']}"
                )
            if imported["stored_after"] != imported["stored"]:
                problems.append(f"{name}: the re-import changed the graph's size")
            if raw["stored"] != imported["stored"]:
                problems.append(f"{name}: the raw load holds {raw['stored']} triples")
            if imported[FIRST]["rejected"]:
                problems.append(f"{name}: {imported[FIRST]['rejected']} rows rejected")
    return problems


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.imports",
        description="Import throughput of a mapped table, end to end to the on-disk store.",
    )
    env = os.environ.get("COMMENSURA_SOURCE_DATA")
    parser.add_argument(
        "--source-data",
        type=Path,
        default=Path(env) if env else None,
        help="the source-data folder (default: COMMENSURA_SOURCE_DATA)",
    )
    parser.add_argument(
        "--datasets", default=f"{REAL},{SYNTHETIC}", help="comma-separated: real,synthetic"
    )
    parser.add_argument(
        "--synthetic-triples", type=parse_size, default=parse_size("5m"), help="e.g. 300k, 5m"
    )
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--repeat", type=int, default=1, help="rounds per dataset")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"the synthetic table only, at {QUICK_TRIPLES} triples, on the curated content "
        "without place registries (under a minute)",
    )
    parser.add_argument("--profile", action="store_true", help="also profile the synthetic import")
    parser.add_argument("--work-dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--out", type=Path, help="write the markdown here instead of stdout")
    parser.add_argument("--json", type=Path, help="also write every measurement as JSON")
    parser.add_argument(
        "--worker", choices=("build", "import", "raw", "profile"), help=argparse.SUPPRESS
    )
    for hidden in ("--store", "--mapping", "--source", "--keep-nt", "--report", "--prof"):
        parser.add_argument(hidden, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.datasets = SYNTHETIC
        args.synthetic_triples = parse_size(QUICK_TRIPLES)
    args.datasets = [d.strip() for d in args.datasets.split(",") if d.strip()]
    unknown = set(args.datasets) - {REAL, SYNTHETIC}
    if unknown:
        parser.error(f"unknown datasets: {', '.join(sorted(unknown))}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if not args.worker and REAL in args.datasets and args.source_data is None:
        parser.error("the real dataset needs --source-data or COMMENSURA_SOURCE_DATA")
    return args


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return worker_main(args)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    results: Report = {"load_before": load_average(), "code_version": code_version()}
    log(f"load average {results['load_before']}")
    with tempfile.TemporaryDirectory(prefix="commensura-bench-imports-", dir=args.work_dir) as tmp:
        work = Path(tmp)
        base = work / "base-store"
        places = args.source_data if REAL in args.datasets else None
        log("building the base store" + (" with the place registries" if places else ""))
        results["build"] = run_worker(work, "build", store=base, source=places)
        log(
            f"built in {results['build']['seconds']:.0f} s: {results['build']['triples']:,} triples"
        )
        results["datasets"] = {}
        if REAL in args.datasets:
            results["datasets"][REAL] = measure(
                work, base, REAL, REAL_MAPPING, args.source_data, args.repeat
            )
        if SYNTHETIC in args.datasets or args.profile:
            synthetic = work / "synthetic"
            mapping_path, rows = write_synthetic(synthetic, args.synthetic_triples, args.seed)
            label = size_label(args.synthetic_triples)
            log(f"[synthetic] {label}: {rows:,} rows in {synthetic / SYNTHETIC_FILE}")
            if SYNTHETIC in args.datasets:
                results["datasets"][SYNTHETIC] = measure(
                    work, base, SYNTHETIC, mapping_path, synthetic, args.repeat
                )
            if args.profile:
                results["profile"] = profile(work, base, mapping_path, synthetic, top=15)
    results["load_after"] = load_average()
    if code_version() != results["code_version"]:
        log("!!! the registry sources changed during the run")
        results["code_version"] += " (changed during the run)"
    text = markdown(args, results)
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        log(f"wrote {args.out}")
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    problems = check(results)
    for problem in problems:
        log(f"!!! {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

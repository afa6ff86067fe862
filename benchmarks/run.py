"""Benchmark runner: our store against an in-memory rdflib graph, on the same generated file.

    python -m benchmarks.run --sizes 100k,1m --repeat 5 > results.md
    python -m benchmarks.run --sizes 100k,1m,5m --skip-baseline-above 1m --out results.md

For each size the runner generates (or reuses) one N-Triples file, then starts
one subprocess per backend, so each process's peak RSS is its own:

* ``ours``: a fresh ``OxigraphStore`` in a temporary folder on disk, filled
  with ``bulk_load`` into a named graph, then the discovery queries;
* ``ours-load``: the transactional ``Store.load`` into another fresh store
  (only up to ``--transactional-up-to``, 100k by default: it holds the whole
  input in memory);
* ``rdflib``: ``rdflib.Graph().parse(...)`` in memory, then the same queries
  run by rdflib's own SPARQL engine.

Each query runs once to warm up and then ``--repeat`` times; the table shows
the medians. Our store's queries start once its background work after
``bulk_load`` has settled. The results of both backends are compared (row
count, and the rows as sets of normalised values; CONSTRUCT results as
isomorphic graphs) and any mismatch is printed loudly and makes the exit
status 1. Progress goes to stderr, the markdown report to stdout (or ``--out``).

Two diagnostic forms of our store's queries run alongside, taking turns with
the benchmarked form: the bound value written into the query text as a
``VALUES`` block (what binding costs), and ``default_graphs=[the data graph]``
instead of the union of all named graphs (what the union default graph costs).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import metadata
from pathlib import Path
from typing import Any, cast

import psutil  # type: ignore[import-untyped]  # no type stubs installed
from rdflib import BNode, Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import XSD
from rdflib.query import ResultRow
from rdflib.term import Node

from benchmarks.generate import (
    DEFAULT_SEED,
    GENERATOR_VERSION,
    GenerationResult,
    generate,
    parse_size,
    size_label,
)
from benchmarks.queries import QUERIES, DiscoveryQuery, with_values_clause

ROOT = Path(__file__).resolve().parent.parent
GRAPH_SLUG = "benchmark"
MIB = 1024 * 1024
OURS, OURS_LOAD, BASELINE = "ours", "ours-load", "rdflib"
MAIN, TEXT, ONE_GRAPH = "as benchmarked", "values in the text", "one graph as default graph"
"""Diagnostic variants of our store's queries (see ``variants_section``)."""
BACKEND_NAMES = {
    OURS: "ours: OxigraphStore on disk",
    OURS_LOAD: "ours: OxigraphStore on disk",
    BASELINE: "rdflib Graph in memory",
}

_NUMERIC = frozenset(
    {
        XSD.integer,
        XSD.decimal,
        XSD.double,
        XSD.float,
        XSD.int,
        XSD.long,
        XSD.short,
        XSD.nonNegativeInteger,
        XSD.positiveInteger,
    }
)
_PLACES = Decimal("1e-6")

Report = dict[str, Any]
Form = Callable[[DiscoveryQuery], object]
"""One way of running a query on a backend, returning its answer fully built."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- measuring (in the worker processes) ------------------------------------------------


def rss_mib() -> float:
    """The current resident set size of this process."""
    return float(psutil.Process().memory_info().rss) / MIB


def peak_rss_mib() -> float:
    """The highest resident set size this process has had (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / MIB


def folder_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / MIB


def normalise(term: Node | None) -> str:
    """A comparable text for one result value.

    Numbers compare by value to six decimal places (engines differ in the
    precision of ``AVG``); blank nodes compare as "a blank node" (their labels
    are local to one result); everything else by its N-Triples form.
    """
    if term is None:
        return "UNDEF"
    if isinstance(term, BNode):
        return "_:blank"
    if isinstance(term, Literal) and term.datatype in _NUMERIC:
        try:
            value = Decimal(str(term)).quantize(_PLACES)
        except InvalidOperation:
            return term.n3()
        return f"{value:f}^^<{term.datatype}>"
    return term.n3()


def wait_until_idle(
    limit: float = 180.0, window: float = 1.0, busy: float = 0.15, calm_windows: int = 3
) -> float:
    """Wait until this process's own CPU use settles; returns the seconds waited.

    The store goes on compacting in background threads after ``bulk_load``
    returns (at 5 M triples for about 10-20 s, on both cores); queries timed in
    that period measure the compaction as much as the query.
    """
    process = psutil.Process()
    started = time.perf_counter()
    calm = 0
    while calm < calm_windows and time.perf_counter() - started < limit:
        before = sum(process.cpu_times()[:2])
        time.sleep(window)
        used = sum(process.cpu_times()[:2]) - before
        calm = calm + 1 if used < busy * window else 0
    return time.perf_counter() - started


def select_report(variables: Sequence[str], rows: Sequence[Sequence[Node | None]]) -> Report:
    return {
        "rows": len(rows),
        "variables": list(variables),
        "values": [[normalise(t) for t in row] for row in rows],
    }


def construct_report(graph: Graph) -> Report:
    return {"rows": len(graph), "ntriples": graph.serialize(format="nt")}


def run_queries(
    forms: Mapping[str, Form],
    describe: Callable[[object], Report],
    repeat: int,
    bound_only: Collection[str] = (),
) -> dict[str, dict[str, Report]]:
    """Time every query in every form: one warm-up run each, then ``repeat`` timed runs.

    The forms of one query take turns run by run, so a change in the machine's
    speed while a query is measured hits them all alike. Forms named in
    ``bound_only`` apply to queries with bound values only. Only the forms are
    timed; ``describe`` turns the last answer into a comparable report afterwards.
    """
    reports: dict[str, dict[str, Report]] = {name: {} for name in forms}
    for query in QUERIES:
        active = {
            name: form for name, form in forms.items() if query.bindings or name not in bound_only
        }
        results = {name: form(query) for name, form in active.items()}
        times: dict[str, list[float]] = {name: [] for name in active}
        for _ in range(repeat):
            for name, form in active.items():
                started = time.perf_counter()
                results[name] = form(query)
                times[name].append(time.perf_counter() - started)
        for name, answer in results.items():
            result = describe(answer)
            result["times"] = times[name]
            reports[name][query.key] = result
            note = "" if name == MAIN else f" [{name}]"
            log(
                f"  {query.key}) {query.title}{note}: median "
                f"{statistics.median(times[name]) * 1000:.1f} ms, {result['rows']} rows"
            )
    return reports


def worker_ours(file: Path, work_dir: Path, repeat: int) -> Report:
    """Bulk-load into a fresh on-disk store, then time the queries."""
    from registry import graphs
    from registry.store.base import RdfFormat, SelectResult
    from registry.store.oxigraph import OxigraphStore

    graph = graphs.data(GRAPH_SLUG)
    report: Report = {"backend": OURS, "method": "bulk_load", "rss_before_mib": rss_mib()}
    with tempfile.TemporaryDirectory(prefix="commensura-bench-", dir=work_dir) as folder:
        store = OxigraphStore(Path(folder) / "store")
        started = time.perf_counter()
        store.bulk_load(file, RdfFormat.NTRIPLES, graph=graph)
        report["load_seconds"] = time.perf_counter() - started
        report["rss_after_load_mib"] = rss_mib()
        report["peak_rss_load_mib"] = peak_rss_mib()
        report["triples_loaded"] = store.count(graph)
        report["settle_seconds"] = wait_until_idle()
        report["disk_mib"] = folder_mib(Path(folder))

        def describe(answer: object) -> Report:
            if isinstance(answer, SelectResult):
                return select_report(answer.variables, answer.rows)
            if isinstance(answer, Graph):
                return construct_report(answer)
            msg = f"unexpected answer {answer!r}"
            raise TypeError(msg)

        def run(query: DiscoveryQuery) -> object:
            return store.query(query.sparql, bindings=query.bindings)

        def run_in_text(query: DiscoveryQuery) -> object:
            return store.query(with_values_clause(query))

        def run_on_one_graph(query: DiscoveryQuery) -> object:
            return store.query(query.sparql, bindings=query.bindings, default_graphs=[graph])

        forms: dict[str, Form] = {MAIN: run, TEXT: run_in_text, ONE_GRAPH: run_on_one_graph}
        measured = run_queries(forms, describe, repeat, bound_only=(TEXT,))
        report["queries"] = measured.pop(MAIN)
        report["variants"] = measured
        store.close()
    report["peak_rss_mib"] = peak_rss_mib()
    return report


def worker_ours_load(file: Path, work_dir: Path) -> Report:
    """The transactional ``Store.load`` into a fresh on-disk store."""
    from registry import graphs
    from registry.store.base import RdfFormat
    from registry.store.oxigraph import OxigraphStore

    graph = graphs.data(GRAPH_SLUG)
    report: Report = {"backend": OURS_LOAD, "method": "load", "rss_before_mib": rss_mib()}
    with tempfile.TemporaryDirectory(prefix="commensura-bench-", dir=work_dir) as folder:
        store = OxigraphStore(Path(folder) / "store")
        started = time.perf_counter()
        loaded = store.load(file, RdfFormat.NTRIPLES, graph=graph)
        report["load_seconds"] = time.perf_counter() - started
        report["rss_after_load_mib"] = rss_mib()
        report["peak_rss_load_mib"] = peak_rss_mib()
        report["triples_reported"] = loaded
        report["triples_loaded"] = store.count(graph)
        report["disk_mib"] = folder_mib(Path(folder))
        store.close()
    report["peak_rss_mib"] = peak_rss_mib()
    return report


def worker_rdflib(file: Path, repeat: int) -> Report:
    """Parse into an in-memory rdflib graph, then time the queries with rdflib's engine."""
    report: Report = {"backend": BASELINE, "method": "Graph.parse", "rss_before_mib": rss_mib()}
    graph = Graph()
    started = time.perf_counter()
    graph.parse(str(file), format="nt")
    report["load_seconds"] = time.perf_counter() - started
    report["rss_after_load_mib"] = rss_mib()
    report["peak_rss_load_mib"] = peak_rss_mib()
    report["triples_loaded"] = len(graph)
    report["disk_mib"] = None

    def run(query: DiscoveryQuery) -> object:
        result = graph.query(query.sparql, initBindings=query.bindings)
        if query.form == "construct":
            if result.graph is None:
                msg = "a CONSTRUCT query returned no graph"
                raise TypeError(msg)
            return result.graph
        variables = [str(v) for v in result.vars or []]
        rows = [tuple(cast(ResultRow, row)) for row in result]
        return variables, rows

    def describe(answer: object) -> Report:
        if isinstance(answer, Graph):
            return construct_report(answer)
        variables, rows = cast(tuple[list[str], list[tuple[Node | None, ...]]], answer)
        return select_report(variables, rows)

    report["queries"] = run_queries({MAIN: run}, describe, repeat)[MAIN]
    report["peak_rss_mib"] = peak_rss_mib()
    return report


def worker_main(args: argparse.Namespace) -> int:
    file, work_dir = Path(args.file), Path(args.work_dir)
    if args.worker == OURS:
        report = worker_ours(file, work_dir, args.repeat)
    elif args.worker == OURS_LOAD:
        report = worker_ours_load(file, work_dir)
    else:
        report = worker_rdflib(file, args.repeat)
    Path(args.report).write_text(json.dumps(report), encoding="utf-8")
    return 0


# -- orchestrating (in the parent process) ----------------------------------------------


@dataclass
class SizeRun:
    """Everything measured at one size."""

    label: str
    generation: GenerationResult
    reports: dict[str, Report] = field(default_factory=dict)
    problems: dict[str, list[str]] = field(default_factory=dict)


def data_file(data_dir: Path, triples: int, seed: int) -> GenerationResult:
    """The generated file for a size, reused when it is already there."""
    label = size_label(triples)
    path = data_dir / f"registry-{label}-seed{seed}-v{GENERATOR_VERSION}.nt"
    sidecar = path.with_suffix(".json")
    if path.is_file() and sidecar.is_file():
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        if meta.get("triples") == triples:
            log(f"[{label}] reusing {path}")
            return GenerationResult(
                path, triples, meta["registry_triples"], meta["observations"], meta["seconds"]
            )
    log(f"[{label}] generating {triples} triples into {path}")
    result = generate(path, triples, seed=seed)
    sidecar.write_text(
        json.dumps(
            {
                "triples": result.triples,
                "registry_triples": result.registry_triples,
                "observations": result.observations,
                "seconds": result.seconds,
            }
        ),
        encoding="utf-8",
    )
    log(f"[{label}] generated in {result.seconds:.1f} s")
    return result


def run_worker(backend: str, file: Path, work_dir: Path, repeat: int) -> Report:
    """Run one backend in its own process and read back its report."""
    handle, name = tempfile.mkstemp(prefix="commensura-bench-", suffix=".json", dir=work_dir)
    os.close(handle)
    report_path = Path(name)
    command = [
        sys.executable, "-m", "benchmarks.run", "--worker", backend, "--file", str(file),
        "--work-dir", str(work_dir), "--repeat", str(repeat), "--report", str(report_path),
    ]  # fmt: skip
    try:
        completed = subprocess.run(command, cwd=ROOT, check=False)
        if completed.returncode != 0:
            msg = f"the {backend} worker failed with exit status {completed.returncode}"
            raise RuntimeError(msg)
        return cast(Report, json.loads(report_path.read_text(encoding="utf-8")))
    finally:
        report_path.unlink(missing_ok=True)


def compare(
    query: DiscoveryQuery, ours: Report, baseline: Report, other: str = "rdflib"
) -> list[str]:
    """What differs between two answers to one query (empty: the same)."""
    problems: list[str] = []
    if ours["rows"] != baseline["rows"]:
        problems.append(f"row count: ours {ours['rows']}, {other} {baseline['rows']}")
    if query.form == "construct":
        ours_graph = Graph().parse(data=ours["ntriples"], format="nt")
        base_graph = Graph().parse(data=baseline["ntriples"], format="nt")
        if not isomorphic(ours_graph, base_graph):
            problems.append("the constructed graphs are not isomorphic")
        return problems
    if ours["variables"] != baseline["variables"]:
        problems.append(f"variables: ours {ours['variables']}, {other} {baseline['variables']}")
        return problems
    ours_rows = Counter(tuple(row) for row in ours["values"])
    base_rows = Counter(tuple(row) for row in baseline["values"])
    if set(ours_rows) != set(base_rows):
        only_ours = sorted(set(ours_rows) - set(base_rows))
        only_base = sorted(set(base_rows) - set(ours_rows))
        problems.append(
            f"{len(only_ours)} rows only in ours (e.g. {only_ours[:2]}), "
            f"{len(only_base)} only in {other} (e.g. {only_base[:2]})"
        )
    elif ours_rows != base_rows:
        problems.append("same distinct rows, but repeated a different number of times")
    return problems


def check_counts(run: SizeRun) -> list[str]:
    problems = []
    for backend, report in run.reports.items():
        if report["triples_loaded"] != run.generation.triples:
            problems.append(
                f"{backend} holds {report['triples_loaded']} triples, "
                f"the file has {run.generation.triples}"
            )
        reported = report.get("triples_reported")
        if reported is not None and reported != run.generation.triples:
            problems.append(f"{backend} said it loaded {reported} triples")
    for key, result in run.reports[OURS]["queries"].items():
        if result["rows"] == 0:
            problems.append(f"query {key} returned nothing: the benchmark measures an empty answer")
    return problems


def run_size(args: argparse.Namespace, triples: int, skip_above: int | None) -> SizeRun:
    generation = data_file(args.data_dir, triples, args.seed)
    run = SizeRun(size_label(triples), generation)
    work_dir: Path = args.work_dir
    log(f"[{run.label}] ours: bulk_load and queries")
    run.reports[OURS] = run_worker(OURS, generation.path, work_dir, args.repeat)
    if triples <= args.transactional_up_to:
        log(f"[{run.label}] ours: transactional load")
        run.reports[OURS_LOAD] = run_worker(OURS_LOAD, generation.path, work_dir, args.repeat)
    if skip_above is None or triples <= skip_above:
        log(f"[{run.label}] rdflib: parse and queries")
        run.reports[BASELINE] = run_worker(BASELINE, generation.path, work_dir, args.repeat)
        for query in QUERIES:
            found = compare(
                query,
                run.reports[OURS]["queries"][query.key],
                run.reports[BASELINE]["queries"][query.key],
            )
            if found:
                run.problems[f"query {query.key} ({query.title})"] = found
    else:
        log(f"[{run.label}] rdflib skipped (above --skip-baseline-above)")
    for name, variant in run.reports[OURS]["variants"].items():
        for query in QUERIES:
            if query.key in variant:
                main = run.reports[OURS]["queries"][query.key]
                found = compare(query, main, variant[query.key], name)
                if found:
                    run.problems[f"query {query.key} with {name}"] = found
    counts = check_counts(run)
    if counts:
        run.problems["data"] = counts
    for what, problems in run.problems.items():
        for problem in problems:
            log(f"!!! MISMATCH at {run.label}, {what}: {problem}")
    return run


# -- the markdown report -----------------------------------------------------------------


def package_version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def code_version() -> str:
    """A short digest of the ``registry`` sources measured (they change between commits)."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "registry").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def machine_lines(args: argparse.Namespace) -> list[str]:
    memory = psutil.virtual_memory().total / 1024**3
    return [
        f"- machine: {os.cpu_count()} CPUs ({cpu_model()}), {memory:.1f} GiB RAM, "
        f"{platform.system()} {platform.release()}",
        f"- versions: Python {platform.python_version()}, "
        f"pyoxigraph {package_version('pyoxigraph')}, "
        f"rdflib {package_version('rdflib')}, commensura {package_version('commensura')} "
        f"(sha256 of the registry sources: {args.code_version})",
        f"- each query: one warm-up run, then the median of {args.repeat} runs "
        "(in brackets: fastest and slowest)",
        f"- data: `python -m benchmarks.generate` with seed {args.seed}",
        "- our store: queries start once its background work after `bulk_load` has settled "
        '("idle after": seconds waited for the process to use under 0.15 CPU for 3 s '
        "in a row, at least 3)",
    ]


def _ms(seconds: float) -> str:
    ms = seconds * 1000
    if ms >= 100:
        return f"{ms:,.0f}"
    if ms >= 10:
        return f"{ms:.1f}"
    return f"{ms:.2f}"


def _mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def _settle(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:.0f}"


def _ratio(numerator: float, denominator: float) -> str:
    if denominator <= 0:
        return "n/a"
    ratio = numerator / denominator
    return f"{ratio:,.0f}x" if ratio >= 100 else f"{ratio:.1f}x"


def size_section(run: SizeRun) -> list[str]:
    gen = run.generation
    lines = [
        f"### {run.label}: {gen.triples:,} triples",
        "",
        f"{gen.registry_triples:,} registry triples and {gen.observations:,} observations.",
        "",
        "| backend | load with | load s | triples/s | idle after s | RSS before MiB "
        "| RSS after load MiB | peak RSS MiB | on disk MiB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for backend in (OURS, OURS_LOAD, BASELINE):
        report = run.reports.get(backend)
        if report is None:
            continue
        seconds = report["load_seconds"]
        lines.append(
            f"| {BACKEND_NAMES[backend]} | `{report['method']}` | {seconds:.2f} | "
            f"{gen.triples / seconds:,.0f} | {_settle(report.get('settle_seconds'))} | "
            f"{_mib(report['rss_before_mib'])} | "
            f"{_mib(report['rss_after_load_mib'])} | {_mib(report['peak_rss_mib'])} | "
            f"{_mib(report['disk_mib'])} |"
        )
    ours = run.reports[OURS]
    baseline = run.reports.get(BASELINE)
    if baseline is not None:
        lines += [
            "",
            f"Load ratio (rdflib / ours `bulk_load`): "
            f"{_ratio(baseline['load_seconds'], ours['load_seconds'])}.",
        ]
    lines += [
        "",
        "| query | rows | ours ms | rdflib ms | rdflib / ours | same answer |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for query in QUERIES:
        mine = ours["queries"][query.key]
        mine_median = statistics.median(mine["times"])
        cells = [
            f"({query.key}) {query.title}",
            f"{mine['rows']:,}",
            f"{_ms(mine_median)} ({_ms(min(mine['times']))}-{_ms(max(mine['times']))})",
        ]
        if baseline is None:
            cells += ["skipped", "", "not checked"]
        else:
            theirs = baseline["queries"][query.key]
            base_median = statistics.median(theirs["times"])
            problems = run.problems.get(f"query {query.key} ({query.title})")
            cells += [
                f"{_ms(base_median)} ({_ms(min(theirs['times']))}-{_ms(max(theirs['times']))})",
                _ratio(base_median, mine_median),
                "**MISMATCH**" if problems else "yes",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += variants_section(run)
    for what, problems in run.problems.items():
        lines.append("")
        lines.append(f"**MISMATCH** ({what}): " + "; ".join(problems))
    return [*lines, ""]


def variants_section(run: SizeRun) -> list[str]:
    """Our store only: what binding and the union default graph cost."""
    ours = run.reports[OURS]
    variants: dict[str, dict[str, Report]] = ours.get("variants", {})
    if not variants:
        return []
    lines = [
        "",
        "Ours only, diagnostic: the same queries with the bound value written into the query "
        "text as a `VALUES` block instead of `bindings=`, and with `default_graphs=[the data "
        "graph]` instead of the union of all named graphs (medians, ms; in brackets, the "
        "time relative to the benchmarked form).",
        "",
        f"| query | {MAIN} | {TEXT} | {ONE_GRAPH} |",
        "|---|---:|---:|---:|",
    ]
    for query in QUERIES:
        main = statistics.median(ours["queries"][query.key]["times"])
        cells = [f"({query.key}) {query.title}", _ms(main)]
        for name in (TEXT, ONE_GRAPH):
            variant = variants.get(name, {}).get(query.key)
            if variant is None:
                cells.append("")
                continue
            median = statistics.median(variant["times"])
            flag = " **MISMATCH**" if f"query {query.key} with {name}" in run.problems else ""
            cells.append(f"{_ms(median)} ({_ratio(median, main)}){flag}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def markdown(args: argparse.Namespace, runs: list[SizeRun]) -> str:
    lines = ["## Measured results", "", *machine_lines(args), ""]
    for run in runs:
        lines += size_section(run)
    lines += ["### Queries", ""]
    for query in QUERIES:
        bound = ", ".join(f"`?{k}` = `<{v}>`" for k, v in query.bindings.items()) or "nothing"
        lines.append(f"- ({query.key}) {query.question} Bound: {bound}.")
    return "\n".join(lines) + "\n"


# -- command line ---------------------------------------------------------------------


def slim(report: Report) -> Report:
    """A worker's report without the query answers, for the JSON dump."""

    def times(queries: dict[str, Report]) -> Report:
        return {key: {"rows": q["rows"], "times": q["times"]} for key, q in queries.items()}

    kept: Report = {k: v for k, v in report.items() if k not in ("queries", "variants")}
    if "queries" in report:
        kept["queries"] = times(report["queries"])
    if "variants" in report:
        kept["variants"] = {name: times(v) for name, v in report["variants"].items()}
    return kept


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="Time Commensura's store against an in-memory rdflib graph.",
    )
    parser.add_argument("--sizes", default="100k,1m", help="comma-separated: 100k,1m,5m")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--skip-baseline-above",
        default=None,
        help="run rdflib only for sizes up to this one (e.g. 1m)",
    )
    parser.add_argument(
        "--transactional-up-to",
        type=parse_size,
        default=parse_size("100k"),
        help="also time the transactional Store.load for sizes up to this one",
    )
    default_tmp = Path(tempfile.gettempdir())
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default_tmp / "commensura-bench-data",
        help="where generated files are kept and reused",
    )
    parser.add_argument(
        "--work-dir", type=Path, default=default_tmp, help="where temporary stores are made"
    )
    parser.add_argument("--out", type=Path, help="write the markdown here instead of stdout")
    parser.add_argument("--json", type=Path, help="also write every measurement as JSON")
    parser.add_argument("--worker", choices=(OURS, OURS_LOAD, BASELINE), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--report", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return worker_main(args)
    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    skip_above = None if args.skip_baseline_above is None else parse_size(args.skip_baseline_above)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(args.work_dir).free / 1024**3
    log(f"work folder {args.work_dir} ({free:.0f} GiB free), data folder {args.data_dir}")
    args.code_version = code_version()
    runs = [run_size(args, triples, skip_above) for triples in sizes]
    if code_version() != args.code_version:
        log("!!! the registry sources changed during the run: sizes may have measured other code")
        args.code_version += " (changed during the run)"
    text = markdown(args, runs)
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        log(f"wrote {args.out}")
    if args.json is not None:
        raw = [
            {
                "size": run.label,
                "triples": run.generation.triples,
                "registry_triples": run.generation.registry_triples,
                "observations": run.generation.observations,
                "problems": run.problems,
                "reports": {backend: slim(report) for backend, report in run.reports.items()},
            }
            for run in runs
        ]
        args.json.write_text(json.dumps(raw, indent=2), encoding="utf-8")
    if any(run.problems for run in runs):
        log("!!! some results differ between the backends: see MISMATCH above")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Backend benchmark: the embedded Oxigraph store against a Virtuoso server, side by side.

    python -m benchmarks.backends --sizes 1m --repeat 5 --out backends.md

For each size the benchmark generates (or reuses) the synthetic registry of
``benchmarks.generate`` and fills two fresh stores, one after the other, in this process:

* **embedded**: an ``OxigraphStore`` in a temporary folder (``open_store`` on
  ``Settings(store=...)``);
* **Virtuoso**: a ``RemoteStore`` (``dialect="virtuoso"``) on a Virtuoso server of the
  benchmark's own, started with ``.ci/virtuoso.sh start`` in a temporary folder on
  ``--virtuoso-ports`` (and stopped at the end, also after an error).

Then, in this order:

1. **Load.** The curated knowledge base (``registry.kb.build``, no source data), then the
   synthetic file bulk-loaded into a named graph (``Store.bulk_load``); the embedded store
   then runs ``optimize()``, and each backend's work is left to settle (the embedded
   store's own background threads, the Virtuoso server's process: under 0.15 CPU for 3 s
   in a row). At the end of the run (step 4) the same file goes through
   ``Store.sync_graph`` into another, empty graph (the import path: on Virtuoso staged and
   moved into place in one request), then again with the same file (an import run again).
   Triples per second are the file's triples over the call's wall-clock time.
2. **Discovery queries** (``benchmarks.queries``), with their bound terms, through
   ``Store.select`` (``Store.construct`` for the CONSTRUCT), as the raw part of
   ``benchmarks.discovery`` runs them: one warm-up run on each backend, then ``--repeat``
   runs taking turns between the backends; medians. A backend whose warm-up took longer
   than ``--slow-seconds`` is timed once more only. The answers are compared (row count,
   and the rows as multisets of values normalised as ``benchmarks.run.normalise`` does;
   CONSTRUCT answers as isomorphic graphs).
3. **Coverage.** ``registry.coverage.refresh`` once after the load (every summary of the
   synthetic registry written), then with nothing to change (one warm-up,
   ``--refresh-repeat`` timed runs); then what the coverage endpoint reads
   (``registry.coverage.matrix`` for the example indicator and for the first page, and
   ``registry.coverage.gaps``), timed as the queries are. The answers are compared: the
   cells as ``benchmarks.coverage.normal`` sees them (labels aside), and the whole answer.
4. The ``sync_graph`` loads of step 1.

Memory: the Virtuoso server's resident set size after the runs and its peak (``VmHWM``,
psutil and ``/proc``), the size of both stores on disk; the benchmark process's own peak
holds the embedded engine and both clients, and is given for what it is.

Any difference between the backends' answers, a failed measure, or a store that does not
hold the file's triples is printed loudly and makes the exit status 1. Progress goes to
stderr, the markdown report to stdout (or ``--out``); ``--json`` keeps every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar

import psutil  # type: ignore[import-untyped]  # no type stubs installed
from rdflib import Graph, URIRef

from benchmarks.coverage import normal
from benchmarks.generate import DEFAULT_SEED, EXAMPLE_INDICATOR, parse_size, size_label
from benchmarks.queries import QUERIES, DiscoveryQuery
from benchmarks.run import (
    MIB,
    Report,
    code_version,
    compare,
    construct_report,
    cpu_model,
    data_file,
    folder_mib,
    log,
    package_version,
    peak_rss_mib,
    select_report,
    wait_until_idle,
)
from registry import coverage, graphs
from registry.config import Settings
from registry.errors import CommensuraError
from registry.kb import build
from registry.store import RdfFormat, SelectResult, Store, open_store

ROOT = Path(__file__).resolve().parent.parent
VIRTUOSO_SCRIPT = ROOT / ".ci" / "virtuoso.sh"
EMBEDDED, VIRTUOSO = "embedded", "Virtuoso"
BACKENDS = (EMBEDDED, VIRTUOSO)
GRAPH_SLUG = "benchmark"
IMPORT_SLUG = "benchmark-import"
"""The graph ``sync_graph`` fills (empty before; the data graph stays as it is)."""

T = TypeVar("T")


# -- measures ------------------------------------------------------------------------------


@dataclass
class Measure:
    """One measure on both backends: times in seconds, or why a backend failed it."""

    title: str
    unit: str = "ms"
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    """A note beside a backend's time (triples per second, rows written)."""
    rows: dict[str, int] = field(default_factory=dict)
    same: bool | None = None
    """Whether the answers agree; ``None`` where nothing is compared."""
    note: str = ""
    warm_up: dict[str, float] = field(default_factory=dict)
    """Seconds of each backend's warm-up run (not in ``times``)."""

    def median(self, backend: str) -> float | None:
        values = self.times.get(backend)
        return statistics.median(values) if values else None


@dataclass
class SizeRun:
    """Everything measured at one size."""

    label: str
    triples: int
    registry_triples: int
    observations: int
    load_average: str = ""
    load: list[Measure] = field(default_factory=list)
    queries: list[Measure] = field(default_factory=list)
    coverage: list[Measure] = field(default_factory=list)
    memory: dict[str, float | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    virtuoso_settings: dict[str, str] = field(default_factory=dict)

    def problem(self, text: str, kind: str = "MISMATCH") -> None:
        """A difference between the backends (or a wrong count): printed loudly, kept."""
        log(f"!!! {kind} at {self.label}: {text}")
        self.problems.append(f"**{kind}**: {text}")


def error_text(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {str(text).splitlines()[0][:300]}"


class MeasureError(Exception):
    """A measure a backend could not run; its time and the store's error are recorded."""


def once(measure: Measure, backend: str, action: Callable[[], T], *, record: bool = True) -> T:
    """Run ``action`` once, timed into ``measure`` (unless ``record`` is false, for a
    warm-up). A store error is recorded in ``measure`` and raised again as ``MeasureError``."""
    started = time.perf_counter()
    try:
        result = action()
    except CommensuraError as exc:
        elapsed = time.perf_counter() - started
        measure.errors[backend] = f"{error_text(exc)} (after {elapsed:.1f} s)"
        log(f"!!! {measure.title} failed on {backend} after {elapsed:.1f} s: {error_text(exc)}")
        raise MeasureError(backend) from exc
    elapsed = time.perf_counter() - started
    if record:
        measure.times.setdefault(backend, []).append(elapsed)
    else:
        measure.warm_up[backend] = elapsed
    return result


def repeated(
    measure: Measure, backend: str, action: Callable[[], T], repeat: int, slow: float
) -> list[T]:
    """One warm-up run, then ``repeat`` timed runs (one only if the warm-up took over
    ``slow`` seconds); every answer. ``MeasureError`` on an error."""
    answers = [once(measure, backend, action, record=False)]
    if measure.warm_up[backend] > slow:
        repeat = 1
        measure.note = (
            f"{backend}'s warm-up took {measure.warm_up[backend]:.0f} s: timed once more only"
        )
    answers += [once(measure, backend, action) for _ in range(repeat)]
    return answers


def taking_turns(
    measure: Measure, actions: Mapping[str, Callable[[], T]], repeat: int, slow: float
) -> dict[str, T]:
    """One warm-up run of each action, then ``repeat`` timed runs taking turns; returns
    each backend's last answer. A backend whose warm-up took over ``slow`` seconds is timed
    once more only; one that fails is left out from then on."""
    answers: dict[str, T] = {}
    runs: dict[str, int] = {}
    for backend, action in actions.items():
        try:
            answers[backend] = once(measure, backend, action, record=False)
        except MeasureError:
            continue
        runs[backend] = repeat
        if measure.warm_up[backend] > slow:
            runs[backend] = 1
            measure.note = (
                f"{backend}'s warm-up took {measure.warm_up[backend]:.0f} s: timed once more only"
            )
    for turn in range(max(runs.values(), default=0)):
        for backend, action in actions.items():
            if runs.get(backend, 0) > turn and backend not in measure.errors:
                with suppress(MeasureError):
                    answers[backend] = once(measure, backend, action)
    return {backend: answer for backend, answer in answers.items() if backend not in measure.errors}


def wait_until_quiet(
    process: psutil.Process,
    limit: float = 180.0,
    window: float = 1.0,
    busy: float = 0.15,
    calm_windows: int = 3,
) -> float:
    """``benchmarks.run.wait_until_idle`` for another process (the Virtuoso server)."""
    started = time.perf_counter()
    calm = 0
    while calm < calm_windows and time.perf_counter() - started < limit:
        before = sum(process.cpu_times()[:2])
        time.sleep(window)
        used = sum(process.cpu_times()[:2]) - before
        calm = calm + 1 if used < busy * window else 0
    return time.perf_counter() - started


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text(encoding="utf-8").split()[:3])


# -- the Virtuoso server -------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    """A running Virtuoso server of the benchmark's own."""

    folder: Path
    pid: int
    values: Mapping[str, str]
    """DIR/endpoints and DIR/credentials, unquoted."""

    def settings(self) -> Settings:
        v = self.values
        return Settings(
            backend="remote",
            remote_query_url=v["COMMENSURA_VIRTUOSO_QUERY_URL"],
            remote_update_url=v["COMMENSURA_VIRTUOSO_UPDATE_URL"],
            remote_graph_store_url=v["COMMENSURA_VIRTUOSO_GSP_URL"],
            remote_user=v["COMMENSURA_VIRTUOSO_USER"],
            remote_password=v["COMMENSURA_VIRTUOSO_PASSWORD"],
            remote_dialect="virtuoso",
        )

    def process(self) -> psutil.Process:
        return psutil.Process(self.pid)


def shell_values(path: Path) -> dict[str, str]:
    """``KEY=value`` lines as a shell reads them (values possibly quoted by ``printf %q``)."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        words = shlex.split(line, comments=True)
        if len(words) == 1 and "=" in words[0]:
            key, _, value = words[0].partition("=")
            values[key] = value
    return values


def virtuoso_script(*arguments: str) -> str:
    bash = shutil.which("bash") or "/bin/bash"
    done = subprocess.run(
        [bash, str(VIRTUOSO_SCRIPT), *arguments], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        msg = f"virtuoso.sh {arguments[0]} failed: {(done.stderr or done.stdout).strip()[-2000:]}"
        raise RuntimeError(msg)
    return done.stdout


@contextmanager
def virtuoso(folder: Path, http_port: int, sql_port: int) -> Iterator[Server]:
    """Start a fresh Virtuoso in ``folder``; stop it when the block ends, however it ends."""
    log(f"starting Virtuoso in {folder} (HTTP {http_port}, SQL {sql_port})")
    try:
        virtuoso_script("start", str(folder), str(http_port), str(sql_port))
        values = shell_values(folder / "endpoints") | shell_values(folder / "credentials")
        pid = int((folder / "virtuoso.pid").read_text(encoding="utf-8").strip())
        yield Server(folder, pid, values)
    finally:
        if (folder / "virtuoso.ini").is_file():
            log("stopping Virtuoso")
            try:
                log(virtuoso_script("stop", str(folder)).strip())
            except RuntimeError as exc:
                log(f"!!! {exc}")


def ini_settings(folder: Path) -> dict[str, str]:
    """The server settings that matter here, as ``.ci/virtuoso.sh`` wrote them."""
    text = (folder / "virtuoso.ini").read_text(encoding="utf-8")
    wanted = (
        "NumberOfBuffers",
        "ThreadsPerQuery",
        "MaxQueryMem",
        "ResultSetMaxRows",
        "MaxQueryExecutionTime",
    )
    found = {}
    for key in wanted:
        match = re.search(rf"^{key}\s*=\s*(\S+)", text, re.MULTILINE)
        if match:
            found[key] = match.group(1)
    return found


def virtuoso_version() -> str:
    server = shutil.which("virtuoso-t")
    if server is None:
        return "virtuoso-t not found"
    done = subprocess.run([server, "-?"], capture_output=True, text=True, check=False)
    lines = (done.stdout + done.stderr).splitlines()
    return lines[1].strip() if len(lines) > 1 else "unknown"


def process_memory_mib(process: psutil.Process) -> tuple[float, float | None]:
    """Resident set size now and at its highest (``VmHWM``), in MiB."""
    rss = float(process.memory_info().rss) / MIB
    peak = None
    status = Path(f"/proc/{process.pid}/status")
    if status.is_file():
        match = re.search(r"^VmHWM:\s*(\d+)\s*kB", status.read_text(), re.MULTILINE)
        if match:
            peak = int(match.group(1)) / 1024
    return rss, peak


# -- the steps -----------------------------------------------------------------------------


def fill(run: SizeRun, stores: Mapping[str, Store], file: Path, server: Server) -> None:
    """The curated knowledge base, then the synthetic file, into each store in turn."""
    kb = Measure("curated knowledge base (`registry.kb.build`, no source data)", unit="s")
    bulk = Measure("`bulk_load` into a named graph", unit="s")
    optimize = Measure("`optimize()` after it", unit="s")
    settled = Measure("then until the work settled", unit="s")
    graph = graphs.data(GRAPH_SLUG)
    for backend, store in stores.items():
        try:
            log(f"[{run.label}] {backend}: building the curated knowledge base")
            once(kb, backend, partial(build, store))
            kb.extra[backend] = f"{store.count():,} quads"
            log(f"[{run.label}] {backend}: bulk_load")
            once(bulk, backend, partial(store.bulk_load, file, RdfFormat.NTRIPLES, graph=graph))
            bulk.extra[backend] = f"{run.triples / bulk.times[backend][0]:,.0f} triples/s"
            once(optimize, backend, store.optimize)
            if backend == VIRTUOSO:
                optimize.extra[backend] = "a no-op"
        except MeasureError:
            continue
        finally:
            settled.times[backend] = [settle(backend, server, limit=180)]
        held = store.count(graph)
        if held != run.triples:
            run.problem(f"{backend} holds {held:,} triples in the data graph, not {run.triples:,}")
    run.load += [kb, bulk, optimize, settled]
    failures(run, run.load)
    run.memory["server_rss_after_load_mib"] = process_memory_mib(server.process())[0]


def failures(run: SizeRun, measures: Sequence[Measure]) -> None:
    for measure in measures:
        for backend, error in measure.errors.items():
            if not error.startswith("not run"):
                run.problem(f"{measure.title} on {backend}: {error}", "FAILED")


def settle(backend: str, server: Server, limit: float = 60) -> float:
    """Wait until the backend's work settles: this process's (the embedded engine's
    background threads) or the Virtuoso server's; returns the seconds waited."""
    if backend == EMBEDDED:
        return wait_until_idle(limit=limit)
    return wait_until_quiet(server.process(), limit=limit)


def answer(store: Store, query: DiscoveryQuery) -> SelectResult | Graph:
    """A discovery query through the store, bound as ``benchmarks.discovery`` binds it."""
    if query.form == "construct":
        return store.construct(query.sparql, bindings=query.bindings)
    return store.select(query.sparql, bindings=query.bindings)


def describe(result: SelectResult | Graph) -> Report:
    if isinstance(result, Graph):
        return construct_report(result)
    return select_report(result.variables, result.rows)


def discovery_queries(run: SizeRun, stores: Mapping[str, Store], repeat: int, slow: float) -> None:
    """The queries of ``benchmarks.queries`` on both backends, taking turns, compared."""
    for query in QUERIES:
        measure = Measure(f"({query.key}) {query.title}")
        actions = {backend: partial(answer, store, query) for backend, store in stores.items()}
        log(f"[{run.label}] query ({query.key}) {query.title}")
        reports = {b: describe(a) for b, a in taking_turns(measure, actions, repeat, slow).items()}
        for backend, report in reports.items():
            measure.rows[backend] = report["rows"]
            median = (measure.median(backend) or 0.0) * 1000
            log(f"  {backend}: median {median:,.1f} ms, {report['rows']:,} rows")
        if len(reports) == len(stores):
            found = compare(query, reports[EMBEDDED], reports[VIRTUOSO], VIRTUOSO)
            measure.same = not found
            for problem in found:
                run.problem(f"query ({query.key}) {query.title}: {problem} (ours: embedded)")
            if reports[EMBEDDED]["rows"] == 0:
                run.problem(f"query ({query.key}) returned nothing: it measures an empty answer")
        failures(run, [measure])
        run.queries.append(measure)


def refresh(store: Store) -> coverage.RefreshReport:
    return coverage.refresh(store)


def coverage_runs(
    run: SizeRun, stores: Mapping[str, Store], args: argparse.Namespace, server: Server
) -> None:
    """The refresh after the load, the refresh with nothing to change, the endpoint's reads."""
    first = Measure("`refresh`, first after the load (every summary written)", unit="s")
    again = Measure("`refresh`, nothing to change", unit="s")
    for backend, store in stores.items():
        log(f"[{run.label}] {backend}: first coverage refresh")
        try:
            report = once(first, backend, partial(refresh, store))
        except MeasureError:
            again.errors[backend] = "not run: the first refresh failed"
            continue
        finally:
            settle(backend, server)
        first.rows[backend] = report.cells
        first.extra[backend] = f"+{report.added:,} / -{report.removed:,} triples"
        log(f"[{run.label}] {backend}: coverage refresh with nothing to change")
        with suppress(MeasureError):
            reports = repeated(
                again, backend, partial(refresh, store), args.refresh_repeat, args.slow_seconds
            )
            changed = sum(1 for r in reports if r.changed)
            again.extra[backend] = f"{changed} of {len(reports)} changed something"
            if changed:
                run.problem(f"a refresh with nothing to change wrote something on {backend}")
        settle(backend, server)
    run.coverage += [first, again]
    failures(run, [first, again])
    if len(first.rows) == len(stores) and len(set(first.rows.values())) > 1:
        run.problem(f"the first refresh made different numbers of cells: {first.rows}")
    failed = sorted(b for b in stores if b in first.errors)

    indicator = URIRef(EXAMPLE_INDICATOR)
    # (title, the read, is it the matrix, are the answers comparable)
    reads: list[tuple[str, Callable[[Store], Any], bool, bool]] = [
        (
            f"`matrix(indicator={indicator.rsplit('/', 1)[-1]})`, every cell (the endpoint's read)",
            partial(coverage_matrix, indicator=indicator, limit=coverage.MAX_LIMIT),
            True,
            True,
        ),
        # Pages follow each store's own order of the summaries: only the size compares.
        ("`matrix()`, first page (50 cells)", coverage_matrix, True, False),
        ("`gaps()` of the Zaragoza set", coverage_gaps, False, True),
    ]
    for title, read, is_matrix, comparable in reads:
        measure = Measure(title)
        log(f"[{run.label}] coverage read: {title}")
        actions = {backend: partial(read, store) for backend, store in stores.items()}
        answers = taking_turns(measure, actions, args.repeat, args.slow_seconds)
        dicts: dict[str, dict[str, Any]] = {b: page.to_dict() for b, page in answers.items()}
        for backend, body in dicts.items():
            measure.rows[backend] = (
                len(body["cells"]) if is_matrix else sum(len(e["gaps"]) for e in body["indicators"])
            )
        if not comparable:
            measure.note = "pages follow each store's own order: not compared"
            if len(set(measure.rows.values())) > 1:
                run.problem(f"coverage {title}: pages of {measure.rows} cells")
        elif len(dicts) == len(stores):
            ours, theirs = dicts[EMBEDDED], dicts[VIRTUOSO]
            if is_matrix:
                cells = Counter(normal(c) for c in ours["cells"])
                measure.same = cells == Counter(normal(c) for c in theirs["cells"])
            else:
                measure.same = ours == theirs
            if not measure.same:
                why = f" (the first refresh failed on {', '.join(failed)})" if failed else ""
                run.problem(
                    f"coverage {title}: the answers differ, {measure.rows[EMBEDDED]:,} "
                    f"against {measure.rows[VIRTUOSO]:,} rows{why}"
                )
            elif ours != theirs:
                measure.note = (
                    "same cells and labels, in another order"
                    if is_matrix and sorted_cells(ours) == sorted_cells(theirs)
                    else "same cells; their labels differ"
                )
        failures(run, [measure])
        run.coverage.append(measure)


def sorted_cells(body: Mapping[str, Any]) -> list[str]:
    """A matrix answer's cells, labels and all, in a fixed order."""
    return sorted(json.dumps(c, sort_keys=True) for c in body["cells"])


def coverage_matrix(
    store: Store, *, indicator: URIRef | None = None, limit: int | None = None
) -> coverage.CoveragePage:
    return coverage.matrix(store, indicator=indicator, limit=limit)


def coverage_gaps(store: Store) -> coverage.Gaps:
    return coverage.gaps(store)


def sync_loads(run: SizeRun, stores: Mapping[str, Store], file: Path, server: Server) -> None:
    """``sync_graph`` into an empty graph, then again with the same file."""
    graph = graphs.data(IMPORT_SLUG)
    fresh = Measure("`sync_graph` into an empty graph (the import path)", unit="s")
    again = Measure("`sync_graph` again, same file (an import run again)", unit="s")
    for backend, store in stores.items():
        log(f"[{run.label}] {backend}: sync_graph into an empty graph")
        try:
            added, removed = once(fresh, backend, partial(store.sync_graph, graph, file))
            rate = run.triples / fresh.times[backend][0]
            fresh.extra[backend] = f"{rate:,.0f} triples/s; +{added:,} / -{removed:,}"
            held = store.count(graph)
            if held != run.triples:
                run.problem(
                    f"{backend} holds {held:,} triples after sync_graph, not {run.triples:,}"
                )
            settle(backend, server)
            log(f"[{run.label}] {backend}: sync_graph again")
            added, removed = once(again, backend, partial(store.sync_graph, graph, file))
            again.extra[backend] = f"+{added:,} / -{removed:,}"
        except MeasureError:
            pass
        finally:
            settle(backend, server)
    run.load += [fresh, again]
    failures(run, [fresh, again])


def run_size(args: argparse.Namespace, triples: int) -> SizeRun:
    generation = data_file(args.data_dir, triples, args.seed)
    run = SizeRun(
        size_label(triples),
        generation.triples,
        generation.registry_triples,
        generation.observations,
    )
    run.load_average = load_average()
    log(f"[{run.label}] load average before: {run.load_average}")
    folder = Path(tempfile.mkdtemp(prefix=f"commensura-backends-{run.label}-", dir=args.work_dir))
    http_port, sql_port = args.virtuoso_ports
    try:
        with virtuoso(folder / "virtuoso", http_port, sql_port) as server:
            run.virtuoso_settings = ini_settings(server.folder)
            embedded = open_store(Settings(backend="embedded", store=folder / "store"))
            remote = open_store(server.settings())
            stores = {EMBEDDED: embedded, VIRTUOSO: remote}
            try:
                fill(run, stores, generation.path, server)
                run.notes.append(f"load average before the queries: {load_average()}")
                discovery_queries(run, stores, args.repeat, args.slow_seconds)
                coverage_runs(run, stores, args, server)
                sync_loads(run, stores, generation.path, server)
                rss, peak = process_memory_mib(server.process())
                run.memory["server_rss_mib"] = rss
                run.memory["server_peak_mib"] = peak
                run.memory["embedded_disk_mib"] = folder_mib(folder / "store")
                run.memory["virtuoso_disk_mib"] = folder_mib(server.folder)
                run.memory["process_peak_mib"] = peak_rss_mib()
            finally:
                for store in stores.values():
                    store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    log(f"[{run.label}] done")
    return run


# -- the report ----------------------------------------------------------------------------


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def cell(measure: Measure, backend: str) -> str:
    if backend in measure.errors:
        return f"**failed**: {measure.errors[backend]}"
    values = measure.times.get(backend)
    if not values:
        return "n/a"
    scale = 1000 if measure.unit == "ms" else 1
    text = _number(statistics.median(values) * scale)
    if len(values) > 1:
        text += f" [{_number(min(values) * scale)}-{_number(max(values) * scale)}]"
    if backend in measure.extra:
        text += f" ({measure.extra[backend]})"
    return text


def ratio(measure: Measure) -> str:
    ours, theirs = measure.median(EMBEDDED), measure.median(VIRTUOSO)
    if ours is None or theirs is None or min(ours, theirs) < 0.001:
        return "n/a"
    value = theirs / ours
    return f"{value:,.0f}x" if value >= 100 else f"{value:.2f}x"


def same(measure: Measure) -> str:
    if measure.same is None:
        return "not compared"
    return "yes" if measure.same else "**MISMATCH**"


def table(measures: Sequence[Measure], *, compared: bool) -> list[str]:
    header = "| measure | rows | embedded | Virtuoso | Virtuoso / embedded |"
    rule = "|---|---:|---:|---:|---:|"
    if compared:
        header += " same answer |"
        rule += "---|"
    lines = [header, rule]
    for m in measures:
        rows = sorted(set(m.rows.values()))
        row_text = "/".join(f"{r:,}" for r in rows)
        title = m.title + (f" ({m.unit})" if m.unit != "ms" else "")
        cells = [title, row_text, cell(m, EMBEDDED), cell(m, VIRTUOSO), ratio(m)]
        if compared:
            cells.append(same(m))
        lines.append("| " + " | ".join(cells) + " |")
        if m.note:
            lines.append(f"| ↳ {m.note} | | | | |" + (" |" if compared else ""))
    return lines


def size_section(run: SizeRun, args: argparse.Namespace) -> list[str]:
    mem = run.memory

    def mib(key: str) -> str:
        value = mem.get(key)
        return "n/a" if value is None else f"{value:,.0f}"

    lines = [
        f"## {run.label}: {run.triples:,} triples",
        "",
        f"{run.registry_triples:,} registry triples and {run.observations:,} observations, "
        "plus the curated knowledge base. Load average (1, 5, 15 min) before the run: "
        f"{run.load_average}.",
        "",
        "### Load",
        "",
        "Seconds (triples per second of the file's triples over the call's time). The "
        "embedded store's `optimize()` and the settling are not in the `bulk_load` figure.",
        "",
        *table(run.load, compared=False),
        "",
        f"### Discovery queries (ms, median of {args.repeat} after one warm-up, [fastest-slowest])",
        "",
        *table(run.queries, compared=True),
        "",
        "### Coverage",
        "",
        f"Refresh: seconds, the first once, nothing to change the median of "
        f"{args.refresh_repeat} after one warm-up. Reads: ms, median of {args.repeat} after one "
        "warm-up; rows are the cells of the answer (gaps for `gaps()`).",
        "",
        *table(run.coverage, compared=True),
        "",
        "### Memory and disk (MiB)",
        "",
        "| what | embedded | Virtuoso |",
        "|---|---:|---:|",
        f"| Virtuoso server RSS after the load | | {mib('server_rss_after_load_mib')} |",
        f"| Virtuoso server RSS after the runs | | {mib('server_rss_mib')} |",
        f"| Virtuoso server peak RSS (VmHWM) | | {mib('server_peak_mib')} |",
        f"| on disk after the runs | {mib('embedded_disk_mib')} | {mib('virtuoso_disk_mib')} |",
        f"| benchmark process peak RSS (the embedded engine and both clients) "
        f"| {mib('process_peak_mib')} | |",
        "",
    ]
    for note in run.notes:
        lines.append(f"- {note}")
    if run.notes:
        lines.append("")
    for problem in run.problems:
        lines.append(problem)
        lines.append("")
    return lines


def markdown(args: argparse.Namespace, runs: Sequence[SizeRun]) -> str:
    memory = psutil.virtual_memory().total / 1024**3
    settings = runs[0].virtuoso_settings if runs else {}
    server = ", ".join(f"{k} {v}" for k, v in settings.items())
    lines = [
        "# Embedded store against Virtuoso (the remote store)",
        "",
        f"- machine: {os.cpu_count()} CPUs ({cpu_model()}), {memory:.1f} GiB RAM, "
        f"{platform.system()} {platform.release()}",
        f"- versions: Python {platform.python_version()}, pyoxigraph "
        f"{package_version('pyoxigraph')}, {virtuoso_version()}, SPARQLWrapper "
        f"{package_version('SPARQLWrapper')}, httpx {package_version('httpx')}, commensura "
        f"{package_version('commensura')} (sha256 of the registry sources: {args.code_version})",
        f"- Virtuoso: `.ci/virtuoso.sh start` on 127.0.0.1 ({server}); `RemoteStore` with "
        '`dialect="virtuoso"`, the Graph Store Protocol for loads, the other remote settings '
        "at their defaults",
        f"- data: `python -m benchmarks.generate` with seed {args.seed}; both stores in this "
        "one process, filled one after the other; queries and reads take turns between them",
        f"- `python -m benchmarks.backends --sizes {args.sizes} --repeat {args.repeat} "
        f"--refresh-repeat {args.refresh_repeat}`",
        "",
    ]
    for run in runs:
        lines += size_section(run, args)
    lines += ["### Queries", ""]
    for query in QUERIES:
        bound = ", ".join(f"`?{k}` = `<{v}>`" for k, v in query.bindings.items()) or "nothing"
        lines.append(f"- ({query.key}) {query.question} Bound: {bound}.")
    return "\n".join(lines) + "\n"


# -- command line --------------------------------------------------------------------------


def ports(text: str) -> tuple[int, int]:
    http, _, sql = text.partition(",")
    try:
        return int(http), int(sql)
    except ValueError:
        msg = f"{text!r}: give HTTP_PORT,SQL_PORT, e.g. 18895,11116"
        raise argparse.ArgumentTypeError(msg) from None


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.backends",
        description="Time the embedded store against a Virtuoso server, side by side.",
    )
    parser.add_argument("--sizes", default="1m", help="comma-separated sizes (100k, 1m, 5m)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each query and read")
    parser.add_argument("--refresh-repeat", type=int, default=3, help="timed no-change refreshes")
    parser.add_argument(
        "--slow-seconds",
        type=float,
        default=60.0,
        help="a backend whose warm-up run takes longer is timed once more only",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--virtuoso-ports",
        type=ports,
        default=(18895, 11116),
        help="HTTP_PORT,SQL_PORT of the benchmark's Virtuoso server (default 18895,11116)",
    )
    default_tmp = Path(tempfile.gettempdir())
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default_tmp / "commensura-bench-data",
        help="where generated files are kept and reused",
    )
    parser.add_argument(
        "--work-dir", type=Path, default=default_tmp, help="for the store and the server"
    )
    parser.add_argument("--out", type=Path, help="write the markdown here instead of stdout")
    parser.add_argument("--json", type=Path, help="also write every measurement as JSON")
    args = parser.parse_args(argv)
    if min(args.repeat, args.refresh_repeat) < 1:
        parser.error("repeats must be at least 1")
    return args


def stop_on_terminate(signum: int, frame: FrameType | None) -> None:
    """SIGTERM ends the run as an error does: the server is stopped on the way out."""
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, stop_on_terminate)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    args.code_version = code_version()
    runs = [run_size(args, parse_size(s)) for s in args.sizes.split(",") if s.strip()]
    if code_version() != args.code_version:
        log("!!! the registry sources changed during the run")
        args.code_version += " (changed during the run)"
    text = markdown(args, runs)
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        log(f"wrote {args.out}")
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(r) for r in runs], indent=2), encoding="utf-8")
    if any(run.problems for run in runs):
        log("!!! the backends differ or a measure failed: see MISMATCH and FAILED above")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

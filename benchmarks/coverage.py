"""Coverage benchmark: summaries kept at write time against scanning observations per request.

    python -m benchmarks.coverage --sizes 1m,5m --repeat 7 > coverage.md

For each size the runner generates (or reuses) the synthetic registry of
``benchmarks.generate``, builds the curated knowledge base into a fresh on-disk store
(for the Zaragoza set and the working-group cities), bulk-loads the synthetic graph
beside it and waits for the store to settle. Then it times:

* ``registry.coverage.refresh``: the first refresh after the load (every summary
  written), a refresh that finds nothing to change (what a full refresh after an
  import that changed little costs), and the partial refresh of one indicator (what
  a submission of a definition costs);
* the coverage endpoint on a live uvicorn server on 127.0.0.1 (a process of its own,
  ``benchmark_app``), against a baseline
  route on the same server that answers the same question by computing the coverage
  from the observations at every request (``registry.coverage.compute``: the
  declarations and one aggregate scan of the observations, scoped to the indicator
  when the request names one). The baseline returns no labels, which only makes it
  cheaper.

Before timing, each question's complete answer is compared between the endpoint
(every page) and the baseline: indicator, place, definitions (declared, evidenced),
themes, countries, levels, sources, publishers, both periods and the observation
count. A mismatch is printed loudly and makes the exit status 1. Medians of
``--repeat`` runs after one warm-up; the baseline runs ``--baseline-repeat`` times.
Progress goes to stderr, the markdown report to stdout (or ``--out``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import httpx
from fastapi import FastAPI, Query
from fastapi.responses import JSONResponse
from rdflib import URIRef

from api.app import create_app
from api.deps import StoreDep
from benchmarks.generate import DEFAULT_SEED, GenerationResult, parse_size, size_label
from benchmarks.run import data_file, log, wait_until_idle
from registry import coverage, graphs
from registry.config import Settings
from registry.kb import build
from registry.store import RdfFormat
from registry.store.oxigraph import OxigraphStore

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/commensura/id/"
INDICATOR = f"{ID}indicator/employment-rate"
"""The indicator the filtered questions name (10 definitions in the synthetic registry)."""
COUNTRY = f"{ID}place/DE"
"""The country the filtered question names (the synthetic registry's largest)."""

Normal = tuple[Any, ...]


# -- the baseline: coverage computed from the observations at every request ---------------


def _in_period(summary: coverage.Summary, since: str | None, until: str | None) -> bool:
    """The endpoint's period filter, in Python (ISO text compared on the common length)."""

    def not_after(a: str, b: str) -> bool:
        n = min(len(a), len(b))
        return a[:n] <= b[:n]

    for period in (summary.declared_period, summary.evidenced_period):
        if period is None:
            continue
        if until is not None and period.start is not None and not not_after(period.start, until):
            continue
        if since is not None and period.end is not None and not not_after(since, period.end):
            continue
        return True
    return False


def baseline_cells(
    store: Any, indicator: str | None, country: str | None, since: str | None
) -> list[coverage.Summary]:
    summaries = coverage.compute(
        store, indicators=None if indicator is None else [URIRef(indicator)]
    )
    if country is not None:
        summaries = [s for s in summaries if country in s.countries]
    if since is not None:
        summaries = [s for s in summaries if _in_period(s, since, None)]
    return summaries


def summary_json(summary: coverage.Summary) -> dict[str, Any]:
    """A computed summary in the endpoint's JSON shape (without labels)."""

    def refs(values: frozenset[str]) -> list[dict[str, Any]]:
        return [{"iri": v, "label": None} for v in sorted(values)]

    def period(value: coverage.Period | None) -> dict[str, Any] | None:
        return None if value is None else value.to_dict()

    return {
        "iri": str(summary.iri),
        "indicator": {"iri": summary.indicator, "label": None},
        "place": {"iri": summary.place, "label": None},
        "themes": refs(summary.themes),
        "countries": refs(summary.countries),
        "geography_levels": refs(summary.geography_levels),
        "definitions": [
            {
                "iri": d,
                "label": None,
                "declared": d in summary.declared,
                "evidenced": d in summary.evidenced,
            }
            for d in sorted(summary.declared | summary.evidenced)
        ],
        "sources": refs(summary.sources),
        "publishers": refs(summary.publishers),
        "declared_period": period(summary.declared_period),
        "evidenced_period": period(summary.evidenced_period),
        "observations": summary.observations,
    }


def add_baseline_routes(app: FastAPI) -> None:
    """``/baseline/coverage`` and ``/baseline/gaps``: the same questions, answered by scanning."""

    def baseline_matrix(
        store: StoreDep,
        indicator: Annotated[str | None, Query()] = None,
        country: Annotated[str | None, Query()] = None,
        since: Annotated[str | None, Query()] = None,
        limit: Annotated[int, Query()] = coverage.DEFAULT_LIMIT,
        offset: Annotated[int, Query()] = 0,
    ) -> JSONResponse:
        cells = baseline_cells(store, indicator, country, since)
        page = cells[offset : offset + limit]
        more = offset + limit < len(cells)
        return JSONResponse(
            {
                "next_offset": offset + limit if more else None,
                "count": len(page),
                "cells": [summary_json(s) for s in page],
            }
        )

    def baseline_gaps(store: StoreDep) -> JSONResponse:
        return JSONResponse(baseline_gap_answer(store))

    app.add_api_route("/baseline/coverage", baseline_matrix, methods=["GET"])
    app.add_api_route("/baseline/gaps", baseline_gaps, methods=["GET"])


def baseline_gap_answer(store: Any) -> dict[str, Any]:
    """Gaps of the Zaragoza set from computed summaries: {indicator: [(city, def, data)]}."""
    members = {
        str(i)
        for i in store.select(
            "SELECT ?i WHERE { ?i <http://www.w3.org/2004/02/skos/core#inScheme> ?set }",
            bindings={"set": coverage.ZARAGOZA},
        ).column("i")
    }
    city = str(coverage.CITY_LEVEL)
    working_group = {
        str(c)
        for c in store.select(
            "SELECT ?p WHERE { ?p a <https://w3id.org/commensura/ontology#Place> ; "
            "<https://w3id.org/commensura/ontology#geographyLevel> ?level }",
            bindings={"level": coverage.CITY_LEVEL},
            default_graphs=[graphs.REGISTRY],
        ).column("p")
    }
    summaries = coverage.compute(store)
    cities = working_group | {s.place for s in summaries if city in s.geography_levels}
    status = {
        (s.indicator, s.place): (city in s.geography_levels, s.observations > 0)
        for s in summaries
        if s.indicator in members
    }
    return {
        member: sorted(
            [c, *status.get((member, c), (False, False))]
            for c in cities
            if status.get((member, c), (False, False)) != (True, True)
        )
        for member in sorted(members)
    }


# -- comparing answers ---------------------------------------------------------------------


def normal(cell: Mapping[str, Any]) -> Normal:
    """A cell of either answer, without labels and order."""

    def iris(key: str) -> frozenset[str]:
        return frozenset(r["iri"] for r in cell[key])

    def period(key: str) -> tuple[str | None, str | None] | None:
        value = cell[key]
        return None if value is None else (value["from"], value["to"])

    return (
        cell["indicator"]["iri"],
        cell["place"]["iri"],
        frozenset((d["iri"], d["declared"], d["evidenced"]) for d in cell["definitions"]),
        iris("themes"),
        iris("countries"),
        iris("geography_levels"),
        iris("sources"),
        iris("publishers"),
        period("declared_period"),
        period("evidenced_period"),
        cell["observations"],
    )


def all_pages(client: httpx.Client, path: str, params: Mapping[str, str]) -> list[Normal]:
    cells: list[Normal] = []
    offset: int | None = 0
    while offset is not None:
        body = client.get(path, params={**params, "limit": "5000", "offset": str(offset)}).json()
        cells += [normal(c) for c in body["cells"]]
        offset = body["next_offset"]
    return cells


def our_gap_answer(client: httpx.Client) -> dict[str, Any]:
    body = client.get("/api/coverage/gaps").json()
    return {
        entry["indicator"]["iri"]: sorted(
            [g["city"]["iri"], g["city_definition"], g["data"]] for g in entry["gaps"]
        )
        for entry in body["indicators"]
    }


# -- running -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    key: str
    title: str
    params: Mapping[str, str]


QUESTIONS = (
    Question("a", "first page, no filter", {}),
    Question("b", "one indicator", {"indicator": INDICATOR}),
    Question("c", "one country", {"country": COUNTRY}),
    Question("d", "evidenced or declared since 2020", {"since": "2020"}),
)


@dataclass
class SizeResult:
    label: str
    generation: GenerationResult
    load_seconds: float = 0.0
    derived_triples: int = 0
    cells: int = 0
    refresh: dict[str, list[float]] = field(default_factory=dict)
    refresh_changes: dict[str, str] = field(default_factory=dict)
    ours: dict[str, list[float]] = field(default_factory=dict)
    baseline: dict[str, list[float]] = field(default_factory=dict)
    same: dict[str, bool] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def benchmark_app() -> FastAPI:
    """The application with the baseline routes, for ``uvicorn --factory`` (settings from
    the environment: ``COMMENSURA_STORE``)."""
    app = create_app(Settings())
    add_baseline_routes(app)
    return app


@contextmanager
def serve(store: Path) -> Iterator[str]:
    """Run the benchmark application on uvicorn in a process of its own, on 127.0.0.1,
    with answers not kept (every request reads the summaries).

    A server in its own process does not share the interpreter lock with the client,
    so the times are those a client of a deployed server would see.
    """
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "benchmarks.coverage:benchmark_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    # Answers are not kept (api.cache): every timed request reads the summaries.
    environment = {**os.environ, "COMMENSURA_STORE": str(store)}
    environment["COMMENSURA_RESPONSE_CACHE_BYTES"] = "0"
    process = subprocess.Popen(command, cwd=ROOT, env=environment)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                msg = f"the benchmark server stopped with exit status {process.returncode}"
                raise RuntimeError(msg)
            try:
                if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                msg = "the benchmark server did not start"
                raise RuntimeError(msg)
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def timed(call: Callable[[], object], repeat: int) -> list[float]:
    call()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def get_ok(client: httpx.Client, path: str, params: Mapping[str, str]) -> httpx.Response:
    response = client.get(path, params=params)
    if response.status_code != 200:
        msg = f"{path} {dict(params)} answered {response.status_code}: {response.text[:300]}"
        raise RuntimeError(msg)
    return response


def run_size(args: argparse.Namespace, triples: int) -> SizeResult:
    generation = data_file(args.data_dir, triples, args.seed)
    result = SizeResult(size_label(triples), generation)
    folder = Path(tempfile.mkdtemp(prefix="commensura-coverage-", dir=args.work_dir))
    try:
        settings = Settings(store=folder / "store")
        store = OxigraphStore(settings.store)
        build(store)
        log(f"[{result.label}] loading {generation.path}")
        started = time.perf_counter()
        store.bulk_load(generation.path, RdfFormat.NTRIPLES, graph=graphs.data("benchmark"))
        store.optimize()
        result.load_seconds = time.perf_counter() - started
        wait_until_idle()
        log(f"[{result.label}] first refresh")
        first = coverage.refresh(store)
        result.refresh["first refresh after the load (every summary written)"] = [first.seconds]
        result.refresh_changes["first refresh after the load (every summary written)"] = (
            f"+{first.added:,} triples"
        )
        result.cells = first.cells
        result.derived_triples = store.count(graphs.DERIVED)
        wait_until_idle()
        log(f"[{result.label}] refresh with nothing to change")
        again: list[coverage.RefreshReport] = []
        result.refresh["full refresh, nothing changed"] = timed(
            lambda: again.append(coverage.refresh(store)), args.refresh_repeat
        )
        result.refresh_changes["full refresh, nothing changed"] = (
            "none" if not any(r.changed for r in again) else "CHANGED"
        )
        log(f"[{result.label}] partial refresh of one indicator")
        one = [URIRef(INDICATOR)]
        scoped: list[coverage.RefreshReport] = []
        result.refresh["partial refresh, one indicator (a submission)"] = timed(
            lambda: scoped.append(coverage.refresh(store, indicators=one)), args.repeat
        )
        result.refresh_changes["partial refresh, one indicator (a submission)"] = (
            f"{scoped[-1].cells:,} cells, " + ("no change" if not scoped[-1].changed else "CHANGED")
        )
        store.close()
        wait_until_idle()
        with serve(settings.store) as url, httpx.Client(base_url=url, timeout=3600) as client:
            for question in QUESTIONS:
                log(f"[{result.label}] ({question.key}) {question.title}: checking answers")
                ours_all = all_pages(client, "/api/coverage", question.params)
                theirs_all = all_pages(client, "/baseline/coverage", question.params)
                result.same[question.key] = Counter(ours_all) == Counter(theirs_all)
                result.rows[question.key] = len(ours_all)
                if not result.same[question.key]:
                    log(f"!!! ({question.key}) answers differ: {len(ours_all)} / {len(theirs_all)}")
                log(f"[{result.label}] ({question.key}) timing")
                params = dict(question.params)
                result.ours[question.key] = timed(
                    partial(get_ok, client, "/api/coverage", params), args.repeat
                )
                result.baseline[question.key] = timed(
                    partial(get_ok, client, "/baseline/coverage", params), args.baseline_repeat
                )
            log(f"[{result.label}] (e) gaps")
            result.same["e"] = our_gap_answer(client) == client.get("/baseline/gaps").json()
            result.rows["e"] = sum(
                len(e["gaps"]) for e in client.get("/api/coverage/gaps").json()["indicators"]
            )
            if not result.same["e"]:
                log("!!! (e) gaps differ")
            result.ours["e"] = timed(lambda: get_ok(client, "/api/coverage/gaps", {}), args.repeat)
            result.baseline["e"] = timed(
                lambda: get_ok(client, "/baseline/gaps", {}), args.baseline_repeat
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return result


# -- the report ----------------------------------------------------------------------------


def ms(values: Sequence[float]) -> str:
    value = statistics.median(values) * 1000
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def seconds(values: Sequence[float]) -> str:
    return f"{statistics.median(values):,.2f}"


def markdown(args: argparse.Namespace, results: Sequence[SizeResult]) -> str:
    lines = [
        "# Coverage: summaries against scanning observations per request",
        "",
        f"`python -m benchmarks.coverage --sizes {args.sizes} --repeat {args.repeat} "
        f"--baseline-repeat {args.baseline_repeat} --refresh-repeat {args.refresh_repeat}`; "
        "medians; on-disk OxigraphStore; HTTP on 127.0.0.1 (uvicorn, one client, keep-alive).",
        "",
    ]
    for r in results:
        lines += [
            f"## {r.label}: {r.generation.triples:,} synthetic triples "
            f"({r.generation.observations:,} observations) + the curated knowledge base",
            "",
            f"Load (bulk) {r.load_seconds:.1f} s. Summaries: {r.cells:,} cells, "
            f"{r.derived_triples:,} triples in the derived graph.",
            "",
            "| refresh | s | what it wrote |",
            "|---|---:|---|",
        ]
        lines += [
            f"| {name} | {seconds(times)} | {r.refresh_changes[name]} |"
            for name, times in r.refresh.items()
        ]
        lines += [
            "",
            "| question | cells in the answer | endpoint ms | baseline ms (scan per request) "
            "| baseline / endpoint | same answer |",
            "|---|---:|---:|---:|---:|---|",
        ]
        titles = {q.key: q.title for q in QUESTIONS} | {"e": "gaps of the Zaragoza set"}
        for key, title in titles.items():
            ratio = statistics.median(r.baseline[key]) / statistics.median(r.ours[key])
            rows = f"{r.rows[key]:,}" + (" gaps" if key == "e" else "")
            lines.append(
                f"| ({key}) {title} | {rows} | {ms(r.ours[key])} | {ms(r.baseline[key])} "
                f"| {ratio:,.0f}x | {'yes' if r.same[key] else '**NO**'} |"
            )
        lines.append("")
    lines += [
        "The endpoint answers (a) to (d) with its default page "
        f"({coverage.DEFAULT_LIMIT} cells); the answers compared are complete (every page).",
        "",
    ]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.coverage",
        description="Time the coverage summaries against computing coverage per request.",
    )
    parser.add_argument("--sizes", default="1m,5m", help="comma-separated sizes (100k, 1m, 5m)")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of fast operations")
    parser.add_argument("--baseline-repeat", type=int, default=3, help="timed baseline runs")
    parser.add_argument("--refresh-repeat", type=int, default=3, help="timed full refreshes")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    default_tmp = Path(tempfile.gettempdir())
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default_tmp / "commensura-bench-data",
        help="where generated files are kept and reused",
    )
    parser.add_argument("--work-dir", type=Path, default=default_tmp, help="for temporary stores")
    parser.add_argument("--out", type=Path, help="write the markdown here instead of stdout")
    args = parser.parse_args(argv)
    if min(args.repeat, args.baseline_repeat, args.refresh_repeat) < 1:
        parser.error("repeats must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    results = [run_size(args, parse_size(s)) for s in args.sizes.split(",") if s.strip()]
    text = markdown(args, results)
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
    return 0 if all(all(r.same.values()) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

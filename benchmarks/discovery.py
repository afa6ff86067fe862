"""Discovery benchmark: "which cities measure X" and search, raw through the Store and
through the live API, and a load run of discovery GETs.

    python -m benchmarks.discovery --sizes 1m,5m --out discovery.md

For each size the benchmark builds one store in a temporary folder: the curated
content (``commensura build``) and the synthetic registry of ``benchmarks.generate``
bulk-loaded into a named graph, then ``optimize()``. Then, in this order:

1. **Raw**, in this process, the store opened read-only: the benchmark's declared
   "cities measuring X" query (``benchmarks.queries``, query (a): every row, with city
   labels), the queries the API runs for one page (the page of place-definition pairs,
   the definitions of X, the count), the label index build, and search in the index
   against a SPARQL label scan with the query bound as a typed literal.
2. **API**: a uvicorn server in a subprocess on 127.0.0.1 (one worker, the same store
   read-only, access log off, answers not kept: ``response_cache_bytes=0``), queried
   with one keep-alive ``httpx.Client``: the first request (builds the index, counts),
   then ``--repeat`` requests, and the first request of each other indicator (counted
   anew, nothing remembered).
3. **Load** on that server: ``--connections`` concurrent keep-alive connections for
   ``--seconds``, cycling through a mix of discovery GETs (``load_mix``), from wrk (a
   process of its own, one thread) when it is installed (``apt-get install wrk``), else
   from one ``httpx.AsyncClient`` in this process (``--httpx-load`` forces it); requests
   per second, p50 and p99 latency, errors, and the server's CPU and memory. The same
   load on a server of two processes (``commensura serve --read-only --workers 2``).
4. **Kept answers**: a third server on the same store with the default
   ``response_cache_bytes``: the same question repeated (answered from memory), its
   ``304`` revalidation, and the same load run.

Medians of wall-clock times, in ms. Progress goes to stderr, the report to stdout
(or ``--out``); ``--json`` keeps every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]  # no type stubs installed
from rdflib import Literal, URIRef

from benchmarks.generate import EXAMPLE_INDICATOR, INDICATORS, parse_size, size_label
from benchmarks.queries import DECLARED_CITIES
from benchmarks.run import data_file, log, wait_until_idle
from registry import discovery, graphs
from registry.config import Settings, settings_environment
from registry.kb import build
from registry.store import RdfFormat, Store, open_store
from registry.vocabularies import GEOGRAPHY_LEVEL

X = EXAMPLE_INDICATOR.rsplit("/", 1)[-1]
"""The indicator asked about: employment-rate (10 synthetic definitions, 931 pairs)."""
OTHER_INDICATORS = [spec.slug for spec in INDICATORS if spec.slug != X][:8]
SEARCHES = ["employment", "Erwerbstätigenquote", "burg", "rate"]
LABEL_SCAN = """\
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?resource ?label WHERE {
  VALUES ?property { skos:prefLabel skos:altLabel foaf:name rdfs:label }
  ?resource ?property ?label .
  FILTER(CONTAINS(LCASE(STR(?label)), ?q))
}
"""
"""The SPARQL alternative to the label index: case-insensitive only (no accent folding)."""


def load_mix(city: str) -> list[str]:
    """The discovery GETs of the load run, cycled through in this order."""
    which = [f"/api/indicators/{slug}/cities" for slug in [X, *OTHER_INDICATORS[:5]]]
    return [
        *which,
        f"/api/indicators/{X}/cities?offset=50",
        "/api/search?q=employment",
        "/api/search?q=Erwerbst%C3%A4tigenquote",
        "/api/search?q=rate&type=indicator",
        *which[:3],
        "/api/search?q=burg&limit=20",
        "/api/indicators",
        "/api/indicators?theme=employment",
        "/api/cities?limit=20",
        "/api/cities?country=DE&limit=20",
        f"/api/definitions?indicator={X}",
        f"/api/cities/{city}",
        "/api/definitions/eurostat-employment-rate",
        "/api/publishers",
    ]


# -- measuring ----------------------------------------------------------------------------


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds of ``repeat`` runs, after one warm-up run."""
    action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class SizeResult:
    size: str
    triples: int = 0
    build_s: float = 0.0
    raw: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    api: dict[str, float] = field(default_factory=dict)
    load: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def make_store(folder: Path, file: Path) -> float:
    """Curated content plus the synthetic file in its own graph; returns seconds taken."""
    started = time.perf_counter()
    with open_store(Settings(store=folder)) as store:
        build(store)
        store.bulk_load(file, RdfFormat.NTRIPLES, graph=graphs.data("benchmark"))
        store.optimize()
    wait_until_idle(limit=60)
    return time.perf_counter() - started


def raw_measurements(store: Store, result: SizeResult, repeat: int) -> None:
    """The queries, the index and search in this process, through the Store only."""
    indicator = URIRef(EXAMPLE_INDICATOR)
    city = URIRef(str(GEOGRAPHY_LEVEL.city))
    page_bindings = {"indicator": indicator, "level": city}

    def declared() -> object:
        return store.select(DECLARED_CITIES.sparql, bindings=DECLARED_CITIES.bindings)

    def page() -> object:
        return discovery._select(
            store, "which-cities", options=("level",), bindings=page_bindings, limit=50
        )

    def facts() -> object:
        return discovery._select(store, "indicator-definitions", bindings={"indicator": indicator})

    def count() -> object:
        return discovery._select(
            store, "which-cities-count", options=("level",), bindings=page_bindings
        )

    def api_queries() -> object:
        page()
        facts()
        return count()

    result.rows["declared"] = len(
        store.select(DECLARED_CITIES.sparql, bindings=DECLARED_CITIES.bindings)
    )
    result.raw["declared (a)"] = median(timed(declared, repeat))
    result.raw["page"] = median(timed(page, repeat))
    result.raw["definitions of X"] = median(timed(facts, repeat))
    result.raw["count"] = median(timed(count, max(5, repeat // 10)))
    result.raw["page+definitions+count"] = median(timed(api_queries, max(5, repeat // 10)))
    started = time.perf_counter()
    index = discovery.build_label_index(store)
    result.raw["index build"] = (time.perf_counter() - started) * 1000
    result.rows["labels"] = len(index)
    discovery.label_index(store)
    result.raw["which-cities function (warm)"] = median(
        timed(lambda: discovery.cities_measuring(store, indicator=X), repeat)
    )
    for text in SEARCHES:
        scan = {"q": Literal(text.lower())}
        result.raw[f"search index: {text}"] = median(
            timed(partial(discovery.search, store, q=text), repeat)
        )
        result.raw[f"search SPARQL scan: {text}"] = median(
            timed(partial(store.select, LABEL_SCAN, bindings=scan), 3)
        )
        result.rows[f"search: {text}"] = discovery.search(store, q=text).total


# -- the server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve(args: argparse.Namespace) -> int:
    """The server subprocess: the application on the store, read-only."""
    import uvicorn

    from api.app import create_app

    settings = Settings(
        store=args.store, read_only=True, response_cache_bytes=args.response_cache_bytes
    )
    options: dict[str, Any] = {"host": "127.0.0.1", "port": args.port, "log_level": "warning"}
    options["access_log"] = args.access_log
    if args.workers == 1:
        uvicorn.run(create_app(settings), **options)
    else:  # as `commensura serve --read-only --workers N` does
        os.environ.update(settings_environment(settings))
        uvicorn.run("api.app:create_app", factory=True, workers=args.workers, **options)
    return 0


def start_server(
    store: Path, port: int, access_log: bool, cache_bytes: int, workers: int
) -> subprocess.Popen[bytes]:
    """The server in a subprocess: ``workers`` processes keeping ``cache_bytes`` of answers."""
    command = [sys.executable, "-m", "benchmarks.discovery", "serve", "--store", str(store)]
    command += ["--port", str(port), "--response-cache-bytes", str(cache_bytes)]
    command += ["--workers", str(workers)] + (["--access-log"] if access_log else [])
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
        if server.poll() is not None:
            break
    server.kill()
    _, err = server.communicate()
    msg = f"the server did not start: {err.decode(errors='replace')[-2000:]}"
    raise RuntimeError(msg)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def api_measurements(base: str, result: SizeResult, repeat: int) -> None:
    path = f"/api/indicators/{X}/cities"
    with httpx.Client(base_url=base, timeout=120) as client:
        started = time.perf_counter()
        first = client.get(path)
        result.api["first request (index, count)"] = (time.perf_counter() - started) * 1000
        first.raise_for_status()
        result.rows["which-cities total"] = first.json()["total"]
        result.api["which-cities (warm)"] = median(timed(lambda: client.get(path), repeat))
        result.api["health (HTTP floor)"] = median(timed(lambda: client.get("/health"), repeat))
        fresh = []
        for slug in OTHER_INDICATORS:
            started = time.perf_counter()
            client.get(f"/api/indicators/{slug}/cities").raise_for_status()
            fresh.append((time.perf_counter() - started) * 1000)
        result.api["which-cities, first time per indicator"] = median(fresh)
        for text in SEARCHES:
            search = partial(client.get, "/api/search", params={"q": text})
            result.api[f"search: {text}"] = median(timed(search, repeat))


def kept_measurements(base: str, result: SizeResult, repeat: int) -> None:
    """The same question again and again, answered from the server's kept answers."""
    path = f"/api/indicators/{X}/cities"
    with httpx.Client(base_url=base, timeout=120) as client:
        client.get(path).raise_for_status()
        if client.get(path).headers.get("x-cache") != "hit":
            msg = "the server did not keep the answer: the kept-answer figures would be wrong"
            raise RuntimeError(msg)
        result.api["which-cities (kept answer)"] = median(timed(lambda: client.get(path), repeat))
        etag = client.get(path).headers["etag"]
        revalidate = partial(client.get, path, headers={"If-None-Match": etag})
        result.api["which-cities (304 on If-None-Match)"] = median(timed(revalidate, repeat))


async def httpx_load(
    base: str, paths: list[str], connections: int, seconds: float
) -> dict[str, Any]:
    """The load from one async httpx client in this process (when wrk is not installed)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        deadline = time.perf_counter() + seconds

        async def worker(start: int) -> None:
            nonlocal errors
            position = start
            while time.perf_counter() < deadline:
                path = paths[position % len(paths)]
                position += 1
                began = time.perf_counter()
                try:
                    response = await client.get(path)
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append((time.perf_counter() - began) * 1000)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(i * 7) for i in range(connections)))
        elapsed = time.perf_counter() - started
    return {
        "tool": "httpx",
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.50),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies) if latencies else float("nan"),
        "errors": errors,
        "non-200": sum(n for status, n in statuses.items() if status != 200),
    }


WRK_SCRIPT = """\
local paths = {%(paths)s}
local position = 0
local thread_count = 0

setup = function(thread)
  thread:set("position", thread_count * 7)
  thread_count = thread_count + 1
end

request = function()
  position = position + 1
  return wrk.format("GET", paths[(position %% #paths) + 1])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK-JSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"p50_us\\": %%d, " ..
    "\\"p99_us\\": %%d, \\"max_us\\": %%d, \\"errors\\": %%d, \\"non200\\": %%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect + e.read + e.write + e.timeout, e.status))
end
"""
"""wrk's Lua: cycle through the paths, print the figures as one JSON line at the end."""


def wrk_load(base: str, paths: list[str], connections: int, seconds: float) -> dict[str, Any]:
    """The load from wrk (one thread, keep-alive connections), a process of its own."""
    lua = ", ".join(json.dumps(path) for path in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"paths": lua})
    try:
        command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "30s"]
        command += ["-s", script.name, base]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    finally:
        Path(script.name).unlink()
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK-JSON "))
    figures = json.loads(line.removeprefix("WRK-JSON "))
    elapsed = figures["duration_us"] / 1e6
    return {
        "tool": "wrk",
        "requests": figures["requests"],
        "seconds": elapsed,
        "rps": figures["requests"] / elapsed,
        "p50": figures["p50_us"] / 1000,
        "p99": figures["p99_us"] / 1000,
        "max": figures["max_us"] / 1000,
        "errors": figures["errors"],
        "non-200": figures["non200"],
    }


def load_measurements(
    base: str, server: subprocess.Popen[bytes], paths: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    """One load run; with the server's CPU and memory, and the machine's load before it."""
    # Every route, over fresh connections, a few rounds: every server process builds its
    # label index and counts its totals before the timed run.
    for _ in range(4):
        for path in paths:
            httpx.get(base + path, timeout=120).raise_for_status()
    processes = [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]

    def cpu() -> float:
        return sum(sum(p.cpu_times()[:2]) for p in processes)

    server_before = cpu()
    load_before = os.getloadavg()[0]
    if shutil.which("wrk") is not None and not args.httpx_load:
        outcome = wrk_load(base, paths, args.connections, args.seconds)
    else:
        outcome = asyncio.run(httpx_load(base, paths, args.connections, args.seconds))
    outcome["machine load before"] = load_before
    outcome["server CPU %"] = 100 * (cpu() - server_before) / outcome["seconds"]
    outcome["server RSS MiB"] = sum(p.memory_info().rss for p in processes) / 2**20
    return outcome


# -- the report -----------------------------------------------------------------------------


def fmt(value: float) -> str:
    if value != value:  # NaN
        return "n/a"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def markdown(results: list[SizeResult], args: argparse.Namespace) -> str:
    lines = [
        "# Discovery benchmark",
        "",
        f"Machine: {os.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.1f} GiB, "
        f"{platform.platform()}, Python {platform.python_version()}. Server: uvicorn "
        f"{_version('uvicorn')} ({_server_kind()}), one worker, "
        f"127.0.0.1, store read-only{', access log on' if args.access_log else ''}. "
        f"X = {X}. Medians of {args.repeat} runs, ms.",
        "",
        "| measure | " + " | ".join(r.size for r in results) + " |",
        "|---|" + "---:|" * len(results),
    ]
    for key in results[0].raw:
        lines.append(
            f"| raw: {key} | "
            + " | ".join(fmt(r.raw.get(key, float("nan"))) for r in results)
            + " |"
        )
    for key in results[0].api:
        lines.append(
            f"| API: {key} | "
            + " | ".join(fmt(r.api.get(key, float("nan"))) for r in results)
            + " |"
        )
    lines.append(
        "| API warm / raw page+definitions+count | "
        + " | ".join(
            f"{r.api['which-cities (warm)'] / r.raw['page+definitions+count']:.2f}x"
            for r in results
        )
        + " |"
    )
    lines.append(
        "| API warm / raw declared (a) | "
        + " | ".join(
            f"{r.api['which-cities (warm)'] / r.raw['declared (a)']:.2f}x" for r in results
        )
        + " |"
    )
    tools = sorted({o["tool"] for r in results for o in r.load.values()})
    lines += [
        "",
        f"Load: {args.connections} keep-alive connections for {args.seconds:g} s from "
        f"{' and '.join(tools)}, cycling through {len(load_mix('DE001C'))} discovery GETs; "
        "kept answers off (every request runs its queries; one and two server processes) "
        "and on (the default; one process).",
        "",
    ]
    columns = ["size", "kept answers, processes", "requests", "req/s", "p50 ms", "p99 ms", "max ms"]
    columns += ["errors", "non-200", "server CPU %", "server RSS MiB", "load avg before"]
    lines += ["| " + " | ".join(columns) + " |", "|---|---|" + "---:|" * (len(columns) - 2)]
    for r in results:
        for mode, o in r.load.items():
            lines.append(
                f"| {r.size} | {mode} | {o['requests']:,} | {fmt(o['rps'])} | {fmt(o['p50'])} | "
                f"{fmt(o['p99'])} | {fmt(o['max'])} | {o['errors']} | {o['non-200']} | "
                f"{fmt(o['server CPU %'])} | {fmt(o['server RSS MiB'])} | "
                f"{o['machine load before']:.1f} |"
            )
    lines += ["", "Rows: " + "; ".join(f"{r.size}: {r.rows}" for r in results), ""]
    return "\n".join(lines) + "\n"


def _version(package: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def _server_kind() -> str:
    http = "httptools" if _has("httptools") else "h11"
    loop = "uvloop" if _has("uvloop") else "asyncio"
    return f"{http}, {loop}"


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def run_size(args: argparse.Namespace, triples: int) -> SizeResult:
    label = size_label(triples)
    result = SizeResult(label, triples)
    generation = data_file(args.data_dir, triples, args.seed)
    folder = Path(tempfile.mkdtemp(prefix=f"commensura-discovery-{label}-", dir=args.work_dir))
    try:
        store_folder = folder / "store"
        log(f"{label}: building the store")
        result.build_s = make_store(store_folder, generation.path)
        log(f"{label}: raw measurements")
        with open_store(Settings(store=store_folder), read_only=True) as store:
            raw_measurements(store, result, args.repeat)
            discovery.forget(store)
        paths = load_mix("DE001C")
        modes = (
            ("off", 1, 0),
            ("off", 2, 0),
            ("on", 1, args.response_cache_bytes),
        )
        for kept, workers, cache_bytes in modes:
            mode = f"{kept}, {workers} worker{'s' if workers > 1 else ''}"
            port = free_port()
            log(f"{label}: API on port {port}, kept answers {mode}")
            server = start_server(store_folder, port, args.access_log, cache_bytes, workers)
            base = f"http://127.0.0.1:{port}"
            try:
                if (kept, workers) == ("off", 1):
                    api_measurements(base, result, args.repeat)
                elif kept == "on":
                    kept_measurements(base, result, args.repeat)
                log(f"{label}: load, {args.connections} connections, {args.seconds:g} s")
                result.load[mode] = load_measurements(base, server, paths, args)
            finally:
                stop_server(server)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    log(f"{label}: done")
    return result


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.discovery", description=__doc__.split("\n\n")[0]
    )
    sub = parser.add_subparsers(dest="command")
    server = sub.add_parser("serve", help="(internal) run the server on a store")
    server.add_argument("--store", type=Path, required=True)
    server.add_argument("--port", type=int, required=True)
    server.add_argument("--access-log", action="store_true")
    server.add_argument("--response-cache-bytes", type=int, default=0)
    server.add_argument("--workers", type=int, default=1)
    parser.add_argument("--sizes", default="1m,5m", help="sizes such as 1m,5m")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--repeat", type=int, default=200, help="timed runs per measure")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the load run")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--access-log", action="store_true", help="server logs every request")
    parser.add_argument(
        "--response-cache-bytes",
        type=int,
        default=Settings.model_fields["response_cache_bytes"].default,
        help="memory for kept answers in the second server of each size",
    )
    parser.add_argument(
        "--httpx-load", action="store_true", help="load from httpx in this process even with wrk"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "commensura-bench-data"
    )
    parser.add_argument("--work-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command == "serve":
        return serve(args)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    results = [run_size(args, parse_size(size)) for size in args.sizes.split(",") if size.strip()]
    report = markdown(results, args)
    if args.out is not None:
        args.out.write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)
    if args.json is not None:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

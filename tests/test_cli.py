"""The installed ``commensura`` command, run as a person would run it."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic

from registry import graphs
from registry.resources import ontology_files

COMMANDS = [
    "build",
    "query",
    "compare",
    "export",
    "serve",
    "validate",
    "submit",
    "template",
    "org",
    "token",
]


def commensura(
    *args: str, store: Path | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENSURA_")}
    if store is not None:
        env["COMMENSURA_STORE"] = str(store)
    exe = Path(sys.executable).with_name("commensura")
    result = subprocess.run(
        [str(exe), *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )
    if check and result.returncode != 0:
        pytest.fail(f"commensura {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("cli") / "store"
    commensura("build", "--store", str(store))
    return store


def ontology_class_count() -> int:
    from rdflib import Graph
    from rdflib.namespace import OWL, RDF

    graph = Graph()
    for path in ontology_files():
        graph.parse(path)
    return len(set(graph.subjects(RDF.type, OWL.Class)))


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_explains_every_command(command: str | None) -> None:
    args = ["--help"] if command is None else [command, "--help"]
    out = commensura(*args).stdout
    assert "Usage" in out
    if command is None:
        for name in COMMANDS:
            assert name in out
    elif command in ("org", "token"):
        assert "add" in out or "create" in out
    elif command != "template":
        assert "--store" in out


def test_build_reports_graphs_and_is_idempotent(built: Path) -> None:
    first = commensura("export", "--store", str(built)).stdout
    again = commensura("build", "--store", str(built))
    assert str(graphs.ONTOLOGY) in again.stdout
    second = commensura("export", "--store", str(built)).stdout
    a, b = Dataset(), Dataset()
    a.parse(data=first, format="nquads")
    b.parse(data=second, format="nquads")
    assert len(a) == len(b) > 0
    for graph in (graphs.ONTOLOGY, graphs.REGISTRY):
        assert isomorphic(a.graph(graph), b.graph(graph))


def test_query_counts_the_ontology_classes(built: Path) -> None:
    out = commensura(
        "query",
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a <http://www.w3.org/2002/07/owl#Class> }",
        "--format",
        "csv",
        store=built,
    ).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["n"]
    assert int(rows[1][0]) == ontology_class_count()


def test_query_from_file_with_binding_as_json(built: Path, tmp_path: Path) -> None:
    query = tmp_path / "label.rq"
    query.write_text(
        "SELECT ?term ?label WHERE { ?term <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
        encoding="utf-8",
    )
    out = commensura(
        "query",
        "--file",
        str(query),
        "--format",
        "json",
        "--bind",
        "term=<https://w3id.org/commensura/ontology#Indicator>",
        "--store",
        str(built),
    ).stdout
    data = json.loads(out)
    assert data["head"]["vars"] == ["term", "label"]
    assert [b["label"]["value"] for b in data["results"]["bindings"]] == ["Indicator"]
    assert data["results"]["bindings"][0]["label"]["xml:lang"] == "en"


def test_query_table_ask_and_construct(built: Path) -> None:
    table = commensura(
        "query", "SELECT ?c WHERE { ?c a <http://www.w3.org/2002/07/owl#Ontology> }", store=built
    ).stdout
    assert "https://w3id.org/commensura/ontology" in table
    assert commensura("query", "ASK { ?s ?p ?o }", store=built).stdout.strip() == "true"
    turtle = commensura(
        "query",
        "CONSTRUCT { ?c ?p ?o } WHERE { ?c ?p ?o }",
        "--bind",
        "c=<https://w3id.org/commensura/ontology#Place>",
        store=built,
    ).stdout
    from rdflib import Graph

    assert len(Graph().parse(data=turtle, format="turtle")) >= 4


def test_query_errors_are_clear_and_coded(built: Path) -> None:
    bad = commensura("query", "SELEKT * WHERE {}", store=built, check=False)
    assert bad.returncode == 1
    assert "[query.invalid]" in bad.stderr
    both = commensura("query", "ASK {}", "--file", "x.rq", store=built, check=False)
    assert both.returncode == 2
    missing = commensura("query", "ASK {}", "--store", str(built.parent / "absent"), check=False)
    assert missing.returncode == 1
    assert "[store.unavailable]" in missing.stderr
    assert "commensura build" in missing.stderr


def test_query_long_chains_are_answered_and_deep_nesting_refused(built: Path) -> None:
    """6,000 MINUS clauses overflow a default thread stack in the engine and end the process;
    the CLI runs queries on a large stack. Nesting beyond the limit is refused, coded."""
    chain = "ASK { " + " ".join(["MINUS {}"] * 6000) + " }"
    answered = commensura("query", chain, store=built, check=False)
    assert answered.returncode == 0, answered.stderr
    assert answered.stdout.strip() == "true"
    deep = "ASK { FILTER(" + "(" * 150 + "1" + ")" * 150 + ") }"
    refused = commensura("query", deep, store=built, check=False)
    assert refused.returncode == 1
    assert "[query.invalid]" in refused.stderr
    assert "152 levels deep" in refused.stderr  # the braces and FILTER count too
    long = "ASK {} # " + "x" * (64 * 1024)
    too_long = commensura("query", long, store=built, check=False)
    assert too_long.returncode == 1
    assert "[request.too_large]" in too_long.stderr


def test_export_trig_of_one_graph_to_a_file(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "ontology.trig"
    result = commensura(
        "export", "--format", "trig", "--graph", "ontology", "-o", str(out), store=built
    )
    assert "quads written" in result.stderr
    dataset = Dataset()
    dataset.parse(out, format="trig")
    from rdflib import Graph

    expected = Graph()
    for path in ontology_files():
        expected.parse(path)
    assert isomorphic(dataset.graph(graphs.ONTOLOGY), expected)


def test_export_refuses_an_unknown_graph_name(built: Path) -> None:
    result = commensura("export", "--graph", "everything", store=built, check=False)
    assert result.returncode == 1
    assert "[input.invalid]" in result.stderr


def test_serve_answers_health_on_loopback(built: Path, tmp_path: Path) -> None:
    from tests.live import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENSURA_")}
    exe = Path(sys.executable).with_name("commensura")
    log = tmp_path / "serve.log"
    with (
        log.open("w") as out,
        subprocess.Popen(
            [str(exe), "serve", "--port", str(port), "--store", str(built)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        ) as server,
    ):
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                    break
                except httpx.TransportError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"serve did not come up:\n{log.read_text()}")
                    time.sleep(0.1)
            assert response.status_code == 200
            assert response.json()["triples"] > 0
            busy = commensura("build", "--store", str(built), check=False)
            assert busy.returncode == 1
            assert "[store.unavailable]" in busy.stderr
        finally:
            server.terminate()
            server.wait(timeout=30)


def test_serve_with_several_workers_needs_read_only(built: Path) -> None:
    refused = commensura("serve", "--workers", "2", "--store", str(built), check=False)
    assert refused.returncode == 1
    assert "[config.invalid]" in refused.stderr
    assert "--read-only" in refused.stderr


def test_serve_read_only_with_two_worker_processes(built: Path, tmp_path: Path) -> None:
    import psutil  # type: ignore[import-untyped]  # no type stubs installed

    from tests.live import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENSURA_")}
    exe = Path(sys.executable).with_name("commensura")
    log = tmp_path / "serve.log"
    command = [str(exe), "serve", "--read-only", "--workers", "2", "--port", str(port)]
    with (
        log.open("w") as out,
        subprocess.Popen(
            [*command, "--store", str(built)], env=env, stdout=out, stderr=subprocess.STDOUT
        ) as server,
    ):
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"serve did not come up:\n{log.read_text()}")
                time.sleep(0.1)
            indicators = httpx.get(f"{base}/api/indicators", timeout=30)
            assert indicators.status_code == 200
            assert indicators.json()["total"] > 0
            workers = [
                child
                for child in psutil.Process(server.pid).children()
                if "spawn_main" in " ".join(child.cmdline())
            ]
            assert len(workers) == 2
            statuses = {
                httpx.get(f"{base}/api/indicators", timeout=30).status_code for _ in range(20)
            }
            assert statuses == {200}
        finally:
            server.terminate()
            server.wait(timeout=30)


def test_settings_travel_to_worker_processes_through_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from registry.config import Settings, settings_environment

    given = Settings(
        store=tmp_path / "s", read_only=True, response_cache_bytes=5, sparql_timeout=2.5
    )
    for key in list(os.environ):
        if key.startswith("COMMENSURA_"):
            monkeypatch.delenv(key)
    for key, value in settings_environment(given).items():
        monkeypatch.setenv(key, value)
    assert Settings() == given


FIXTURE_SOURCE = Path(__file__).parent / "data" / "source-data"


def test_build_without_source_data_says_what_it_skipped(built: Path, tmp_path: Path) -> None:
    out = commensura("build", "--store", str(tmp_path / "s")).stdout
    assert "skipped place registries and datasets: no source-data folder is configured" in " ".join(
        out.split()
    )


def test_build_with_source_data_imports_places_and_names_missing_files(tmp_path: Path) -> None:
    store = tmp_path / "s"
    result = commensura("build", "--store", str(store), "--source-data", str(FIXTURE_SOURCE))
    out = " ".join(result.stdout.split())
    assert graphs.data("nuts-2024") in out
    assert "linked to NUTS 2021: 4 codes kept, 2 recoded under the same name" in out
    assert (
        "skipped Local administrative units 2018: lau_2018_nuts_2016/lau-2018.tsv not found" in out
    )
    assert "'XX9' is not an Urban Audit 2017 code" in out
    answer = commensura(
        "query",
        "--store",
        str(store),
        "--format",
        "csv",
        "SELECT DISTINCT ?new WHERE { <https://w3id.org/commensura/id/place/nuts-2021/NL329> "
        "<http://purl.org/dc/terms/isReplacedBy> ?new }",
    ).stdout
    assert answer.split() == ["new", "https://w3id.org/commensura/id/place/nuts-2024/NL32B"]


def test_build_refuses_a_source_data_folder_that_is_not_there(tmp_path: Path) -> None:
    result = commensura(
        "build",
        "--store",
        str(tmp_path / "s"),
        "--source-data",
        str(tmp_path / "nowhere"),
        check=False,
    )
    assert result.returncode == 1
    assert "[config.invalid]" in result.stderr
    assert "nowhere" in " ".join(result.stderr.split())
    assert not (tmp_path / "s").exists() or not any((tmp_path / "s").iterdir())


SUBMISSIONS = Path(__file__).parent / "data" / "submissions"


def test_organisations_tokens_validate_and_submit_from_the_command_line(built: Path) -> None:
    store = built
    added = commensura(
        "org", "add", "amsterdam-os", "--name", "City of Amsterdam", "--store", str(store)
    )
    assert "partner/amsterdam-os" in " ".join(added.stdout.split())
    again = commensura(
        "org", "add", "amsterdam-os", "--name", "x", "--store", str(store), check=False
    )
    assert again.returncode == 1
    assert "[org.exists]" in again.stderr
    created = commensura("token", "create", "--org", "amsterdam-os", "--store", str(store))
    secret = created.stdout.strip()
    assert secret.startswith("cmt_")
    assert "not shown again" in created.stderr
    listed = commensura("token", "list", "--store", str(store)).stdout
    assert "amsterdam-os" in listed
    assert secret not in listed
    # validate: a dry run with an exit status scripts can use
    ok = commensura("validate", str(SUBMISSIONS / "amsterdam.ttl"), "--store", str(store))
    assert ok.stdout.startswith(("Conforms", "Accepted"))
    report = commensura(
        "validate", str(SUBMISSIONS / "amsterdam.ttl"), "--format", "json", "--store", str(store)
    )
    assert json.loads(report.stdout)["accepted"] is True
    # submit with the token; without one it is refused
    no_token = commensura(
        "submit", str(SUBMISSIONS / "amsterdam.ttl"), "--store", str(store), check=False
    )
    assert no_token.returncode == 1
    assert "[auth.invalid_token]" in no_token.stderr
    stored = commensura(
        "submit", str(SUBMISSIONS / "amsterdam.ttl"), "--token", secret, "--store", str(store)
    )
    assert "stored submission" in stored.stdout
    count = commensura(
        "query",
        "--store",
        str(store),
        "--format",
        "csv",
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        "--bind",
        "g=<https://w3id.org/commensura/graph/partner/amsterdam-os>",
    ).stdout.split()
    assert int(count[1]) > 20
    token_id = commensura("token", "list", "--org", "amsterdam-os", "--store", str(store)).stdout
    revoked_id = next(line.split()[1] for line in token_id.splitlines() if "amsterdam-os" in line)
    commensura("token", "revoke", revoked_id, "--store", str(store))
    refused = commensura(
        "submit",
        str(SUBMISSIONS / "amsterdam.ttl"),
        "--token",
        secret,
        "--store",
        str(store),
        check=False,
    )
    assert refused.returncode == 1
    assert "[auth.invalid_token]" in refused.stderr


def test_validate_exits_1_and_explains_when_a_file_has_violations(built: Path) -> None:
    result = commensura(
        "validate", str(SUBMISSIONS / "amsterdam-invalid.ttl"), "--store", str(built), check=False
    )
    assert result.returncode == 1
    assert result.stdout.startswith("Not accepted:")
    assert "VIOLATION" in result.stdout


def test_template_writes_the_empty_csv_template(tmp_path: Path) -> None:
    out = tmp_path / "template.csv"
    commensura("template", "-o", str(out))
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert {"id", "indicator", "target_group"} <= set(header)

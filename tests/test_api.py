"""The HTTP skeleton on a real server: health, OpenAPI docs without CDNs, error bodies."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import URIRef

from api.app import create_app
from api.deps import get_store
from registry import discovery
from registry.config import Settings
from registry.errors import StoreUnavailableError
from registry.kb import BuildReport, build
from registry.store import RdfFormat, Store, open_store
from tests.conftest import StoreSettings
from tests.live import serve


@pytest.fixture(scope="module")
def built_settings(
    tmp_path_factory: pytest.TempPathFactory, store_settings: StoreSettings
) -> Iterator[Settings]:
    with store_settings(tmp_path_factory.mktemp("api") / "store") as settings:
        with open_store(settings) as store:
            build(store)
        yield settings


@pytest.fixture(scope="module")
def built_report(built_settings: Settings) -> BuildReport:
    with open_store(built_settings, read_only=True) as store:
        return BuildReport({g: store.count(g) for g in store.graphs()})


@pytest.fixture(scope="module")
def base_url(built_settings: Settings, built_report: BuildReport) -> Iterator[str]:
    with serve(create_app(built_settings)) as url:
        yield url


def test_health_reports_the_store(base_url: str, built_report: BuildReport) -> None:
    response = httpx.get(f"{base_url}/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["store"] == "reachable"
    assert body["triples"] == built_report.total > 0
    assert body["graphs"] == len(built_report.graphs)


def test_openapi_describes_health(base_url: str) -> None:
    spec = httpx.get(f"{base_url}/openapi.json").json()
    assert spec["info"]["title"] == "Commensura"
    assert "/health" in spec["paths"]


def test_docs_page_loads_only_local_assets(base_url: str) -> None:
    page = httpx.get(f"{base_url}/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources
    for source in sources:
        assert source.startswith("/"), f"{source} is not served by us"
        assert httpx.get(f"{base_url}{source}").status_code == 200
    assert "cdn" not in page.text.lower()


def test_unknown_path_gets_a_coded_json_error(base_url: str) -> None:
    response = httpx.get(f"{base_url}/no/such/thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    wrong_method = httpx.post(f"{base_url}/health")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"


def test_store_is_swapped_through_dependency_overrides(tmp_path: Path, store: Store) -> None:
    app = create_app(Settings(store=tmp_path / "unused"))
    store.load(
        "<http://example.org/a> <http://example.org/b> 1 .",
        RdfFormat.TURTLE,
        graph=URIRef("http://example.org/g"),
    )

    def override() -> Store:
        return store

    app.dependency_overrides[get_store] = override
    with serve(app) as url:
        body = httpx.get(f"{url}/health").json()
    assert body["triples"] == 1
    assert body["graphs"] == 1


@pytest.mark.embedded_only("the lock on a store folder")
def test_a_locked_store_fails_at_startup_with_a_clear_error(tmp_path: Path) -> None:
    settings = Settings(store=tmp_path / "store")
    app = create_app(settings)

    async def start() -> None:
        async with app.router.lifespan_context(app):
            pass

    with open_store(settings), pytest.raises(StoreUnavailableError) as caught:
        asyncio.run(start())
    assert "in use by another process" in caught.value.message


def test_health_reports_the_installed_version(base_url: str) -> None:
    from importlib.metadata import version

    assert httpx.get(f"{base_url}/health").json()["version"] == version("commensura")


def _error_codes() -> set[str]:
    """Every code an error of Commensura can carry: the error classes' and the API's own."""
    import importlib
    import pkgutil

    import api
    import registry
    from registry.errors import CommensuraError

    for package in (registry, api):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            importlib.import_module(module.name)
    codes: set[str] = set()
    pending = [CommensuraError]
    while pending:
        cls = pending.pop()
        codes.add(cls.code)
        pending.extend(cls.__subclasses__())
    literal = re.compile(r'"([a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*)"')
    not_codes = (".html", ".css", ".svg", ".js", ".csv", ".ttl", ".png", ".md")
    for path in (Path(__file__).parent.parent / "api").rglob("*.py"):
        found = literal.findall(path.read_text(encoding="utf-8"))
        # file names (templates, assets) and module paths look alike; they are not codes
        codes.update(c for c in found if not c.endswith(not_codes) and not c.startswith("api."))
    return codes


NOT_IN_ANSWERS = {"commensura.error", "config.invalid", "source.invalid", "rdf.unrepresentable"}
"""Codes no HTTP answer carries: the base class's, the build's (settings, source files), and
a format that cannot write a description (answered ``406 request.not_acceptable``)."""


def test_every_error_code_is_documented_in_the_api_guide() -> None:
    guide = (Path(__file__).parent.parent / "docs" / "api.md").read_text(encoding="utf-8")
    codes = _error_codes()
    assert {"query.timeout", "query.busy", "csv.syntax", "rdf.syntax"} <= codes
    documented = set(re.findall(r"`([a-z_]+(?:\.[a-z_*]+)?)`", guide))
    missing = sorted(
        code
        for code in codes - NOT_IN_ANSWERS
        if code not in documented and f"{code.split('.')[0]}.*" not in documented
    )
    assert not missing, f"error codes missing from docs/api.md: {missing}"


def test_the_label_index_is_built_at_start_up(settings: Settings) -> None:
    """Search and the portal's labels need the label index; the server builds it as it
    starts, not in the first request."""
    with open_store(settings) as db:
        build(db)
    app = create_app(settings)
    with serve(app):
        store = app.state.store
        deadline = time.monotonic() + 120
        while discovery._state(store).index is None:
            assert time.monotonic() < deadline, "no label index two minutes after start-up"
            time.sleep(0.05)

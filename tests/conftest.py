"""Shared fixtures: a fresh store, settings, and the source-data folder.

The storage-dependent fixtures (``settings``, ``store``, ``knowledge_base``,
``portal_url``) run on the backend ``--backend`` names: the embedded store on disk (the
default), or Virtuoso servers on 127.0.0.1 (tests/backends.py). Under ``virtuoso`` only the
tests that use them run, and those marked ``embedded_only`` skip, saying why.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from api.app import create_app
from api.deps import get_store
from registry.config import Settings
from registry.discovery import label_index
from registry.kb import build
from registry.kb.build import BuildReport
from registry.store import Store, open_store
from tests import backends
from tests.live import serve

SOURCE_DATA_ENV = "COMMENSURA_SOURCE_DATA"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=backends.BACKENDS,
        default=os.environ.get(backends.BACKEND_ENV, "embedded"),
        help=(
            "the store backend of the storage-dependent tests: the embedded store, or the "
            f"Virtuoso servers {backends.SERVERS_ENV} names (default: ${backends.BACKEND_ENV} "
            "or embedded)"
        ),
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "embedded_only(reason): tests the embedded engine itself (files, locks)"
    )
    config.addinivalue_line(
        "markers",
        "virtuoso_bug(reason): Virtuoso answers wrongly (docs/deployment.md); a strict "
        "expected failure there, so a fixed server makes it fail loudly",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--backend") != "virtuoso":
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        uses_store = backends.STORE_FIXTURES & set(getattr(item, "fixturenames", ()))
        (kept if uses_store else dropped).append(item)
        bug = item.get_closest_marker("virtuoso_bug")
        if uses_store and bug is not None:
            item.add_marker(pytest.mark.xfail(reason=f"Virtuoso: {bug.args[0]}", strict=True))
        marker = item.get_closest_marker("embedded_only")
        if uses_store and marker is not None:
            reason = marker.args[0] if marker.args else "tests the embedded store itself"
            item.add_marker(pytest.mark.skip(reason=f"embedded store only: {reason}"))
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """The store backend of this run: ``embedded`` or ``virtuoso``."""
    name: str = request.config.getoption("--backend")
    return name


@pytest.fixture(scope="session")
def virtuoso(backend: str) -> tuple[backends.Server, backends.Server]:
    """The scratch and knowledge-base Virtuoso servers (only under ``--backend virtuoso``)."""
    if backend != "virtuoso":
        pytest.skip("runs on the Virtuoso backend only (--backend virtuoso)")
    return backends.servers()


@pytest.fixture
def settings(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Settings:
    """Settings for a fresh, empty store of this test only: a folder of its own, or the
    scratch Virtuoso server emptied."""
    if backend == "virtuoso":
        scratch, _ = request.getfixturevalue("virtuoso")
        return backends.emptied(scratch.settings(tmp_path / "store"))
    return Settings(store=tmp_path / "store")


StoreSettings = Callable[..., AbstractContextManager[Settings]]


@pytest.fixture(scope="session")
def store_settings(backend: str) -> StoreSettings:
    """For fixtures that keep a store of their own (module-wide): ``with
    store_settings(folder, **overrides) as settings`` gives settings for a new, empty store:
    the folder, or a Virtuoso started for the block."""

    @contextmanager
    def make(folder: Path, **overrides: Any) -> Iterator[Settings]:
        if backend != "virtuoso":
            yield Settings(store=folder, **overrides)
            return
        with backends.started(folder.parent / f"{folder.name}-virtuoso") as server:
            yield server.settings(folder, **overrides)

    return make


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """A fresh store: on disk, or on the scratch Virtuoso server."""
    db = open_store(settings)
    try:
        yield db
    finally:
        db.close()


@pytest.fixture(scope="session")
def source_data() -> Path:
    """The shared source-data folder; tests that need it skip when it is not configured."""
    path = Settings().source_data
    if path is None:
        pytest.skip(f"{SOURCE_DATA_ENV} is not set: point it at the shared data folder")
    if not path.is_dir():
        pytest.fail(f"{SOURCE_DATA_ENV}={path} is not a folder")
    return path


@pytest.fixture(scope="session")
def knowledge_base(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, source_data: Path
) -> Iterator[tuple[Store, BuildReport]]:
    """The whole knowledge base, built once a session from the source data: the ontology,
    the curated content, the place registries and every dataset. Tests read it; a test that
    writes to it must leave what it read as it was. Yields the store and the build report."""
    folder = tmp_path_factory.mktemp("knowledge-base") / "store"
    settings = Settings(store=folder)
    if request.config.getoption("--backend") == "virtuoso":
        _, kb = request.getfixturevalue("virtuoso")
        settings = backends.emptied(kb.settings(folder))
    with open_store(settings) as store:
        report = build(store, source_data=source_data)
        yield store, report


@pytest.fixture(scope="session")
def portal_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The whole application on a real uvicorn server on 127.0.0.1, serving the knowledge
    base (the portal's pages, the API, Linked Data). Yields its base URL.

    For development only, ``COMMENSURA_TEST_KB_COPY`` may name a store folder that
    ``commensura build --source-data`` made: a copy of it is served instead of building
    one (CI never sets it)."""
    template = os.environ.get("COMMENSURA_TEST_KB_COPY")
    if request.config.getoption("--backend") != "embedded":
        template = None
    app = create_app(Settings(store=tmp_path_factory.mktemp("unused") / "store"))
    if template:
        folder = tmp_path_factory.mktemp("kb-copy") / "store"
        shutil.copytree(template, folder, ignore=shutil.ignore_patterns("LOCK"))
        with open_store(Settings(store=folder)) as store:
            app.dependency_overrides[get_store] = lambda: store
            with serve(app) as url:
                yield url
        return
    store, _ = request.getfixturevalue("knowledge_base")
    app.dependency_overrides[get_store] = lambda: store
    # What the lifespan's warm-up does for the store it opens, done for this one: the
    # first page must not pay for the label index (on Virtuoso, seconds to read).
    label_index(store)
    with serve(app) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium (Debian's package); skips, saying why, where it is not installed,
    and fails on CI, where ``.ci/run`` installs it."""
    from tests import browser as chromium

    if not chromium.CHROMIUM.exists():
        message = f"no Chromium at {chromium.CHROMIUM}: install Debian's chromium package"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with chromium.launch() as launched:
        yield launched

"""Shared fixtures: a fresh on-disk store, settings, and the source-data folder."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from api.app import create_app
from api.deps import get_store
from registry.config import Settings
from registry.kb import build
from registry.kb.build import BuildReport
from registry.store import Store, open_store
from tests.live import serve

SOURCE_DATA_ENV = "COMMENSURA_SOURCE_DATA"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at a store folder of this test only."""
    return Settings(store=tmp_path / "store")


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """A fresh embedded store on disk."""
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
    tmp_path_factory: pytest.TempPathFactory, source_data: Path
) -> Iterator[tuple[Store, BuildReport]]:
    """The whole knowledge base, built once a session from the source data: the ontology,
    the curated content, the place registries and every dataset. Tests read it; a test that
    writes to it must leave what it read as it was. Yields the store and the build report."""
    settings = Settings(store=tmp_path_factory.mktemp("knowledge-base") / "store")
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

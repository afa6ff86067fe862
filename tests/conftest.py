"""Shared fixtures: a fresh on-disk store, settings, and the source-data folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.config import Settings
from registry.kb import build
from registry.kb.build import BuildReport
from registry.store import Store, open_store

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

"""The store backends the suite runs on: the embedded store, or Virtuoso servers on 127.0.0.1.

``pytest --backend virtuoso`` (or ``COMMENSURA_TEST_BACKEND=virtuoso``) runs the
storage-dependent tests (those using the ``settings``, ``store``, ``knowledge_base`` or
``portal_url`` fixtures) on two Virtuoso servers that ``.ci/virtuoso.sh start`` made:
one for the per-test stores (emptied before each test), one for the knowledge base built
once a session. ``COMMENSURA_TEST_VIRTUOSO`` names their folders, ``SCRATCH:KB``.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from registry.config import Settings
from registry.store import open_store

BACKEND_ENV = "COMMENSURA_TEST_BACKEND"
SERVERS_ENV = "COMMENSURA_TEST_VIRTUOSO"
BACKENDS = ("embedded", "virtuoso")
STORE_FIXTURES = frozenset(
    {"settings", "store", "knowledge_base", "portal_url", "virtuoso", "store_settings"}
)


@dataclass(frozen=True)
class Server:
    """A Virtuoso made by ``.ci/virtuoso.sh start``: its endpoints and write user."""

    folder: Path
    query_url: str
    update_url: str
    graph_store_url: str
    user: str
    password: str

    @classmethod
    def read(cls, folder: Path) -> Server:
        values: dict[str, str] = {}
        for name in ("endpoints", "credentials"):
            for line in (folder / name).read_text(encoding="utf-8").splitlines():
                key, _, value = line.partition("=")
                if key:
                    values[key] = shlex.split(value)[0] if value else ""
        return cls(
            folder=folder,
            query_url=values["COMMENSURA_VIRTUOSO_QUERY_URL"],
            update_url=values["COMMENSURA_VIRTUOSO_UPDATE_URL"],
            graph_store_url=values["COMMENSURA_VIRTUOSO_GSP_URL"],
            user=values["COMMENSURA_VIRTUOSO_USER"],
            password=values["COMMENSURA_VIRTUOSO_PASSWORD"],
        )

    def settings(self, store: Path, **overrides: object) -> Settings:
        """Settings for a remote store on this server (``store`` places the token file)."""
        options: dict[str, object] = {
            "store": store,
            "backend": "remote",
            "remote_query_url": self.query_url,
            "remote_update_url": self.update_url,
            "remote_graph_store_url": self.graph_store_url,
            "remote_user": self.user,
            "remote_password": self.password,
            "remote_dialect": "virtuoso",
            **overrides,
        }
        return Settings(**options)  # type: ignore[arg-type]


def servers() -> tuple[Server, Server]:
    """The scratch server and the knowledge-base server, from ``COMMENSURA_TEST_VIRTUOSO``."""
    value = os.environ.get(SERVERS_ENV, "")
    folders = [Path(p) for p in value.split(":") if p]
    if len(folders) != 2:
        msg = (
            f"{SERVERS_ENV} must name two server folders, SCRATCH:KB, each started with "
            "`.ci/virtuoso.sh start DIR HTTP_PORT SQL_PORT`"
        )
        raise RuntimeError(msg)
    scratch, kb = (Server.read(folder) for folder in folders)
    return scratch, kb


SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "virtuoso.sh"


@contextmanager
def started(folder: Path) -> Iterator[Server]:
    """A Virtuoso of its own, with a fresh database in ``folder``, for as long as the block
    runs (for test modules that keep a store of their own beside the shared ones)."""
    from tests.live import free_port

    environment = {**os.environ, "COMMENSURA_VIRTUOSO_BUFFERS": "60000"}
    command = ["bash", str(SCRIPT), "start", str(folder), str(free_port()), str(free_port())]
    subprocess.run(command, check=True, env=environment, capture_output=True, timeout=180)
    try:
        yield Server.read(folder)
    finally:
        subprocess.run(
            ["bash", str(SCRIPT), "stop", str(folder)],
            check=False,
            capture_output=True,
            timeout=180,
        )


def emptied(settings: Settings) -> Settings:
    """Drop every graph of the remote store the settings name; returns the settings."""
    with open_store(settings) as store:
        for graph in store.graphs():
            store.drop_graph(graph)
    return settings

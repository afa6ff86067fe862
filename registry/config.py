"""Settings: one class, read from ``COMMENSURA_*`` environment variables or passed in.

Nothing imports a global settings object: the CLI and the application factory
build one and hand it down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_path
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_store_path() -> Path:
    """The store folder used when neither ``--store`` nor ``COMMENSURA_STORE`` is given."""
    return user_data_path("commensura", appauthor=False) / "store"


class Settings(BaseSettings):
    """Everything a Commensura process can be told from outside."""

    model_config = SettingsConfigDict(env_prefix="COMMENSURA_", extra="ignore", frozen=True)

    backend: Literal["embedded", "remote"] = Field(
        default="embedded",
        description=(
            "Where the knowledge graph lives: the embedded Oxigraph store on disk (folder "
            "`store`), or an existing SPARQL 1.1 server (the `remote_*` settings; "
            "docs/deployment.md)."
        ),
    )
    store: Path = Field(
        default_factory=default_store_path,
        description=(
            "Folder of the embedded Oxigraph store (created when missing). With the remote "
            "backend it only places the token file (see `auth_file`)."
        ),
    )
    remote_query_url: str | None = Field(
        default=None,
        description="The remote server's SPARQL 1.1 query endpoint, e.g. http://127.0.0.1:8890/sparql.",
    )
    remote_update_url: str | None = Field(
        default=None,
        description=(
            "Its SPARQL 1.1 Update endpoint (Virtuoso: /sparql-auth). Without it the remote "
            "store is read-only."
        ),
    )
    remote_graph_store_url: str | None = Field(
        default=None,
        description=(
            "Its Graph Store HTTP Protocol endpoint (Virtuoso: /sparql-graph-crud-auth), used "
            "for large loads; without it, loads go through SPARQL Update in batches."
        ),
    )
    remote_user: str | None = Field(default=None, description="User for writes.")
    remote_password: SecretStr | None = Field(default=None, description="Password for writes.")
    remote_auth: Literal["digest", "basic"] = Field(
        default="digest", description="HTTP authentication scheme for writes."
    )
    remote_dialect: Literal["virtuoso", "standard"] = Field(
        default="standard",
        description=(
            "`virtuoso` adds what that server needs: its time-out parameter (the server stops "
            "a query at the deadline) and large INSERT DATA operations."
        ),
    )
    remote_row_cap: int = Field(
        default=10_000,
        ge=0,
        description=(
            "Most rows the server returns for one query (Virtuoso's ResultSetMaxRows); longer "
            "answers are read in pages of this size. 0: the server has no cap."
        ),
    )
    remote_batch_triples: int = Field(
        default=4_000,
        ge=100,
        le=1_000_000,
        description="Triples per request when loading through SPARQL Update.",
    )
    remote_load_batch_triples: int = Field(
        default=100_000,
        ge=100,
        description="Triples per request when loading through the Graph Store Protocol.",
    )
    remote_timeout: float = Field(
        default=120.0,
        gt=0,
        description=(
            "Seconds one request to the remote server may take; the server is told to stop "
            "its work then too (where it can be)."
        ),
    )
    source_data: Path | None = Field(
        default=None,
        description="Folder of partner and reference data files (read-only), e.g. ../shared/data.",
    )
    host: str = Field(default="127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the HTTP server binds to.")
    read_only: bool = Field(
        default=False,
        description="Open the store read-only (several processes may then share it).",
    )
    auth_file: Path | None = Field(
        default=None,
        description=(
            "SQLite file of organisations and hashed tokens. Default: beside the store, "
            "named after it (store-auth.sqlite3). Kept out of the store, so SPARQL never sees it."
        ),
    )
    max_body_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        description="Largest request body the HTTP API accepts, in bytes (413 above it).",
    )

    sparql_result_limit: int = Field(
        default=100_000,
        ge=1,
        description=(
            "Most rows (SELECT) or triples (CONSTRUCT, DESCRIBE) one /sparql answer holds; "
            "a longer answer is cut there and says so (header X-Commensura-Truncated: true)."
        ),
    )
    sparql_timeout: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description=(
            "Seconds a /sparql request may take, waiting for a worker included; a query still "
            "running then is answered with 400 query.timeout."
        ),
    )
    sparql_max_query_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        le=256 * 1024,
        description=(
            "Longest query /sparql accepts, in bytes of UTF-8 (413 above it). The engine parses "
            "and plans recursively: a longer query could exhaust a worker's stack."
        ),
    )
    sparql_workers: int = Field(
        default=4,
        ge=1,
        le=64,
        description=(
            "Queries /sparql runs at the same time, each in its own worker thread; when all are "
            "busy for the whole time cap, a request is answered with 429 query.busy."
        ),
    )

    response_cache_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=0,
        description=(
            "Memory for answers to GET requests the server keeps and serves again until the "
            "store is next written to (discovery, coverage, Linked Data); 0 turns it off."
        ),
    )

    @property
    def auth_path(self) -> Path:
        """Where organisations and token hashes are kept."""
        if self.auth_file is not None:
            return self.auth_file
        return self.store.with_name(f"{self.store.name}-auth.sqlite3")

    @field_validator("store", "source_data", "auth_file")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return None if value is None else value.expanduser()


def settings_environment(settings: Settings) -> dict[str, str]:
    """``settings`` as the ``COMMENSURA_*`` variables that make ``Settings()`` equal to it.

    For processes that build their own settings from the environment (server workers).
    """
    out: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        key = f"COMMENSURA_{name.upper()}"
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        out[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return out

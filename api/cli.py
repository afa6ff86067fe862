"""The installed ``commensura`` command: the registry's commands plus ``serve``."""

from __future__ import annotations

import os
from typing import Annotated

import typer
import uvicorn

from api.app import create_app
from registry.cli import StoreOption, app, fail, settings_for
from registry.config import settings_environment
from registry.errors import CommensuraError, ConfigurationError
from registry.store import open_store


@app.command("serve")
def serve_command(
    host: Annotated[
        str | None,
        typer.Option(help="Address to bind. Default: the COMMENSURA_HOST setting, else 127.0.0.1."),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(help="Port to bind. Default: the COMMENSURA_PORT setting, else 8000."),
    ] = None,
    read_only: Annotated[
        bool,
        typer.Option(
            "--read-only",
            help="Serve the store as it is now, refusing writes (submissions answer 409).",
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help=(
                "Server processes. More than one needs --read-only: the store can be written "
                "by one process only, and each read-only process reads it as it was at start."
            ),
        ),
    ] = 1,
    store: StoreOption = None,
) -> None:
    """Serve the API (health, OpenAPI docs at /docs) on the embedded store with uvicorn."""
    settings = settings_for(store, host=host, port=port, read_only=read_only or None)
    if workers > 1 and not settings.read_only:
        fail(
            ConfigurationError(
                f"--workers {workers} needs --read-only: only one process can write the store; "
                "serve with one worker to accept submissions"
            )
        )
    try:
        # Fail here, with a clear message, rather than inside the server's lifespan.
        open_store(settings).close()
    except CommensuraError as error:
        fail(error)
    if workers == 1:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
        return
    # Each worker process builds its own application from the environment.
    os.environ.update(settings_environment(settings))
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        workers=workers,
        host=settings.host,
        port=settings.port,
        log_level="info",
    )


def main() -> None:
    """Entry point of the installed ``commensura`` script."""
    app()


__all__ = ["main"]

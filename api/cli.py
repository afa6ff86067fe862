"""The installed ``commensura`` command: the registry's commands plus ``serve``."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from api.app import create_app
from registry.cli import StoreOption, app, fail, settings_for
from registry.errors import CommensuraError
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
    store: StoreOption = None,
) -> None:
    """Serve the API (health, OpenAPI docs at /docs) on the embedded store with uvicorn."""
    settings = settings_for(store, host=host, port=port)
    try:
        # Fail here, with a clear message, rather than inside the server's lifespan.
        open_store(settings).close()
    except CommensuraError as error:
        fail(error)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


def main() -> None:
    """Entry point of the installed ``commensura`` script."""
    app()


__all__ = ["main"]

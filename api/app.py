"""The application factory: ``create_app(settings)``.

The store is opened in the lifespan, kept on ``app.state`` and handed to routes
through typed dependencies (``api.deps``). Tests swap it with
``app.dependency_overrides``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from api import errors, portal
from api.cache import ResponseCache
from api.routers import (
    compare,
    coverage,
    datasets,
    discovery,
    health,
    linked_data,
    sparql,
    submissions,
)
from registry import __version__
from registry.config import Settings
from registry.discovery import label_index as discovery_index
from registry.store import Store, content_generation, open_store
from registry.submissions.parse import our_context

DESCRIPTION = """
Commensura is a knowledge graph and metadata registry of migrant-integration
indicators for European cities: which cities measure what, with which definition
and source, since when, and whether two definitions can be compared.

Every error answers with `{"error": {"code", "message", "details"}}`; the code is
stable and documented in `docs/api.md`.
"""

_DOCS_ASSETS = "/static/docs"

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the Commensura application for the given settings (default: from the environment)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = open_store(settings)
        app.state.store = store
        # Search and every page's labels need the label index: seconds to build on the
        # whole knowledge base, so build it now rather than in the first request.
        threading.Thread(target=_warm_up, args=(store,), name="warm-up", daemon=True).start()
        try:
            yield
        finally:
            store.close()

    app = FastAPI(
        title="Commensura",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    errors.install(app, page=portal.error_page)
    app.add_middleware(
        ResponseCache, max_bytes=settings.response_cache_bytes, generation=content_generation
    )
    app.include_router(health.router)
    app.include_router(submissions.router)
    app.include_router(datasets.router)
    app.include_router(compare.router)  # before discovery: its detail paths take any suffix
    app.include_router(discovery.router)
    app.include_router(coverage.router)
    app.include_router(sparql.router)
    app.include_router(linked_data.router)
    portal.install(app)
    _mount_docs(app)

    @app.get("/context.jsonld", include_in_schema=True, tags=["submissions"])
    def jsonld_context() -> JSONResponse:
        """Commensura's JSON-LD context, for submissions in JSON-LD."""
        return JSONResponse({"@context": our_context()}, media_type="application/ld+json")

    return app


def _warm_up(store: Store) -> None:
    try:
        discovery_index(store)
    except Exception:  # the first request builds it then, and says what went wrong
        log.warning("building the label index at start-up failed", exc_info=True)


def _mount_docs(app: FastAPI) -> None:
    """Interactive OpenAPI docs served from assets an installed package ships (no CDN)."""
    assets = files("fastapi_offline").joinpath("static")
    app.mount(_DOCS_ASSETS, StaticFiles(directory=str(assets)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="Commensura API",
            swagger_js_url=f"{_DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{_DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{_DOCS_ASSETS}/favicon.png",
        )

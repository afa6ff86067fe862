"""The portal: the cities' toolbox for people, as server-rendered HTML on top of the registry.

Pages are rendered on the server from Jinja2 templates (``templates/``) with one
stylesheet (``static/portal.css``); they work without JavaScript, and nothing is
loaded from elsewhere. Each page lives in a module of its own, with its router:

* ``home``: the home page (search, the Zaragoza areas, the working-group cities), search
  results, and the lists of cities and indicators;
* ``cities``: a city's page; ``indicators``: an indicator's page (with the coverage
  heatmap and the comparability matrix);
* ``compare``: two definitions, or two cities and an indicator, side by side;
* ``toolbox``: the practices, filtered by city, theme and kind;
* ``submit``: upload, read the validation report, submit with a token.

Definitions and datasets are read at their own IRIs (``/id/definition/...``,
``/id/dataset/...``): the Linked Data router renders their HTML with ``pages``.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from api.portal import cities, compare, home, indicators, submit, toolbox
from api.portal.templating import render

STATIC_PATH = "/static/portal"

router = APIRouter(include_in_schema=False)
for module in (home, cities, indicators, compare, toolbox, submit):
    router.include_router(module.router)


PAGES: tuple[str, ...] = ("/search", "/indicators", "/cities", "/compare", "/toolbox", "/submit")
"""Where the portal's pages are (and ``/`` itself)."""


def is_page(path: str) -> bool:
    return path == "/" or any(path == p or path.startswith(p + "/") for p in PAGES)


def error_page(request: Request, status: int, code: str, message: str) -> Response | None:
    """An error on one of the portal's pages, as a page (``None`` elsewhere: JSON)."""
    if not is_page(request.url.path):
        return None
    titles = {400: "This request cannot be answered", 404: "Not found"}
    return render(
        request,
        "error.html",
        status_code=status,
        title=titles.get(status, "Something is not right"),
        status=status,
        code=code,
        message=message,
    )


def install(app: FastAPI) -> None:
    """Add the portal's pages and its stylesheet to ``app``."""
    app.include_router(router)
    static = files("api.portal").joinpath("static")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        """Browsers ask for it where a page names no icon (the query page names none)."""
        return Response(
            static.joinpath("favicon.svg").read_bytes(),
            media_type="image/svg+xml",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.mount(
        STATIC_PATH,
        StaticFiles(directory=str(static)),
        name="portal-static",
    )

"""Registry errors mapped to HTTP, in one place.

Every error body has the same shape: ``{"error": {"code", "message", "details"}}``,
with the stable code of the registry's exception tree.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from registry.errors import (
    AuthenticationError,
    CommensuraError,
    DuplicateError,
    ForbiddenError,
    InputError,
    InvalidSubmissionError,
    NotFoundError,
    PayloadTooLargeError,
    ReadOnlyStoreError,
    StoreError,
    UnsupportedFormatError,
)

_STATUS: list[tuple[type[CommensuraError], int]] = [
    (AuthenticationError, 401),
    (ForbiddenError, 403),
    (InvalidSubmissionError, 422),
    (PayloadTooLargeError, 413),
    (UnsupportedFormatError, 415),
    (DuplicateError, 409),
    (NotFoundError, 404),
    (ReadOnlyStoreError, 409),
    (StoreError, 503),
    (InputError, 400),
]


def status_for(error: CommensuraError) -> int:
    """The HTTP status for a registry error (the most specific class listed wins)."""
    for cls, status in _STATUS:
        if isinstance(error, cls):
            return status
    return 500


def error_body(code: str, message: str, details: object = None) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


PageRenderer = Callable[[Request, int, str, str], Response | None]
"""Renders an error as a page for people when ``request`` asked for one (else ``None``):
called with the request, the status, the stable code and the message."""


def install(app: FastAPI, page: PageRenderer | None = None) -> None:
    """Register the exception handlers on an application; ``page`` answers the portal's
    requests with an HTML page instead of the JSON error body (same status and code)."""

    def as_page(request: Request, status: int, code: str, message: str) -> Response | None:
        return page(request, status, code, message) if page is not None else None

    @app.exception_handler(CommensuraError)
    async def _registry_error(request: Request, exc: CommensuraError) -> Response:
        status = status_for(exc)
        shown = as_page(request, status, exc.code, exc.message)
        if shown is not None:
            return shown
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(
            error_body(exc.code, exc.message, exc.details), status_code=status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"location": list(e.get("loc", ())), "problem": e.get("msg", "")} for e in exc.errors()
        ]
        shown = as_page(
            request,
            422,
            "request.invalid",
            "the address holds a value this page cannot use: "
            + "; ".join(f"{'.'.join(map(str, p['location']))}: {p['problem']}" for p in problems),
        )
        if shown is not None:
            return shown
        return JSONResponse(
            error_body(
                "request.invalid",
                "the request's parameters or body do not fit this endpoint; see details",
                {"problems": problems},
            ),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http.error")
        message = str(exc.detail) if exc.detail else "request refused"
        if exc.status_code == 404:
            message = f"nothing at {request.url.path}; see /docs for what this service offers"
        shown = as_page(request, exc.status_code, code, message)
        if shown is not None:
            return shown
        return JSONResponse(
            error_body(code, message), status_code=exc.status_code, headers=exc.headers
        )

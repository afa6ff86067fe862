"""Registry errors mapped to HTTP, in one place.

Every error body has the same shape: ``{"error": {"code", "message", "details"}}``,
with the stable code of the registry's exception tree.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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


def install(app: FastAPI) -> None:
    """Register the exception handlers on an application."""

    @app.exception_handler(CommensuraError)
    async def _registry_error(request: Request, exc: CommensuraError) -> JSONResponse:
        status = status_for(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(
            error_body(exc.code, exc.message, exc.details), status_code=status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"location": list(e.get("loc", ())), "problem": e.get("msg", "")} for e in exc.errors()
        ]
        return JSONResponse(
            error_body(
                "request.invalid",
                "the request's parameters or body do not fit this endpoint; see details",
                {"problems": problems},
            ),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http.error")
        message = str(exc.detail) if exc.detail else "request refused"
        if exc.status_code == 404:
            message = f"nothing at {request.url.path}; see /docs for what this service offers"
        return JSONResponse(
            error_body(code, message), status_code=exc.status_code, headers=exc.headers
        )

"""Validation and partner submissions: ``/api/validate`` and ``/api/submissions``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from api.deps import SettingsDep, StoreDep
from registry.errors import PayloadTooLargeError
from registry.orgs import Organisation, Organisations
from registry.submissions.parse import (
    DRY_RUN_BASE,
    DRY_RUN_GRAPH,
    SubmissionFormat,
    format_for_media_type,
    parse_submission,
)
from registry.submissions.service import get_submission, submit, validate_submission
from registry.validation import ValidationReport

router = APIRouter(prefix="/api", tags=["submissions"])


BODY = {
    "content": {
        f.value: {"schema": {"type": "string", "format": "binary"}} for f in SubmissionFormat
    },
    "required": True,
    "description": (
        "The submission: Turtle, TriG, N-Triples, JSON-LD (Commensura's own context only) or "
        "the CSV template of indicator definitions."
    ),
}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed input (`rdf.syntax` with line and column, `csv.invalid`...)"},
    413: {"description": "Body over the configured cap (`request.too_large`)"},
    415: {"description": "Unsupported media type (`rdf.unsupported_format`)"},
}


async def read_body(request: Request, settings: SettingsDep) -> bytes:
    """The request body, refused with 413 as soon as it passes the configured cap."""
    cap = settings.max_body_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise PayloadTooLargeError(_too_large(cap), details={"limit_bytes": cap})
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise PayloadTooLargeError(_too_large(cap), details={"limit_bytes": cap})
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(cap: int) -> str:
    return f"the body is larger than {cap:,} bytes: split the submission into smaller ones"


def current_organisation(
    settings: SettingsDep,
    authorization: Annotated[str | None, Header()] = None,
) -> Organisation:
    """The organisation of the bearer token."""
    token = None
    if authorization and authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
    return Organisations(settings.auth_path).authenticate(token)


Body = Annotated[bytes, Depends(read_body)]
OrgDep = Annotated[Organisation, Depends(current_organisation)]


def report_response(report: ValidationReport, accept: str | None, status: int = 200) -> Response:
    """The report as JSON (default), as text for a person, or as a W3C report in Turtle."""
    wanted = (accept or "").lower()
    if "text/turtle" in wanted:
        return Response(report.to_turtle(), status_code=status, media_type="text/turtle")
    if "text/plain" in wanted and "application/json" not in wanted:
        return PlainTextResponse(report.to_text(), status_code=status)
    return JSONResponse(report.to_dict(), status_code=status)


@router.post(
    "/validate",
    summary="Validate a submission without storing it (public dry run)",
    openapi_extra={"requestBody": BODY},
    responses=ERRORS,
)
def validate_endpoint(
    body: Body,
    store: StoreDep,
    content_type: Annotated[str | None, Header()] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Response:
    """Parse and validate; answer the report (JSON, `text/plain` or `text/turtle`)."""
    fmt = format_for_media_type(content_type)
    parsed = parse_submission(store, body, fmt, graph=DRY_RUN_GRAPH, base=DRY_RUN_BASE)
    return report_response(validate_submission(store, parsed.graph), accept)


@router.post(
    "/submissions",
    status_code=201,
    summary="Submit resources into your organisation's graph (token required)",
    openapi_extra={"requestBody": BODY},
    responses={
        **ERRORS,
        401: {"description": "No token, or an unknown or revoked one (`auth.invalid_token`)"},
        403: {
            "description": "Resources the organisation may not write (`submission.forbidden_iri`)"
        },
        422: {"description": "Does not conform; nothing stored (`submission.invalid` + report)"},
    },
)
def submit_endpoint(
    body: Body,
    store: StoreDep,
    org: OrgDep,
    response: Response,
    content_type: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """Validate, then store in one transaction with a PROV-O record; 422 with the report if not."""
    fmt = format_for_media_type(content_type)
    parsed = parse_submission(store, body, fmt, graph=org.graph, base=org.namespace)
    result = submit(store, org, parsed.graph, fmt=fmt, body=body)
    response.headers["Location"] = f"/api/submissions/{result.id}"
    return result.to_dict()


@router.get("/submissions/{submission_id}", summary="One stored submission and its report")
def get_submission_endpoint(submission_id: str, store: StoreDep) -> dict[str, Any]:
    return get_submission(store, submission_id)

"""The submit page: upload a file, read its validation report, submit it with a token.

``GET /submit`` explains what can be submitted and holds the form (a file, its format,
an optional token; "Check only" or "Check and submit"). ``POST /submit`` runs what
``POST /api/validate`` runs (parse, validate against the shapes with the knowledge
base as context) and shows the report for a person: the verdict, the counts, and the
results grouped by resource, or by row when the file is the CSV template. "Check and
submit" stores the file as ``POST /api/submissions`` does, for the organisation of the
token; without a valid token nothing is read and the answer is a 401 page.

The form is read with limits: the body may not pass the configured cap
(``max_body_bytes``) by more than the form's own overhead, one file, a few fields.
Every refusal (too large, empty, not UTF-8, unknown format, bad token) is a 4xx page
that says what to do, with the form to try again.

A report is answered ``200`` (the check ran; the report says what to fix); a
submission that was stored ``201``, one that was not for its violations ``422``.

``GET /submit/template.csv`` and ``/submit/example.csv`` are the CSV template
(``commensura template``) and the template with its example row.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import FOAF, RDFS, SH, SKOS
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from api.deps import SettingsDep, StoreDep
from api.errors import status_for
from api.portal.templating import render
from registry import discovery
from registry.errors import (
    AuthenticationError,
    CommensuraError,
    InputError,
    InvalidSubmissionError,
    PayloadTooLargeError,
    UnsupportedFormatError,
)
from registry.namespaces import CM, DCAT3, DCTERMS, PROV, SCHEMA, SDMX_CODE
from registry.orgs import Organisation, Organisations
from registry.store import Store
from registry.submissions.csv_template import (
    COLUMN_SPECS,
    CsvTemplateError,
    example_csv,
    template_csv,
)
from registry.submissions.parse import (
    DRY_RUN_BASE,
    DRY_RUN_GRAPH,
    SubmissionFormat,
    format_for_media_type,
    format_for_suffix,
    parse_submission,
)
from registry.submissions.service import SubmissionResult, submit, validate_submission
from registry.validation import shapes_graph

router = APIRouter()

FORMATS: dict[str, tuple[str, SubmissionFormat | None]] = {
    "auto": ("Detect from the file name", None),
    "csv": ("CSV template of indicator definitions (.csv)", SubmissionFormat.CSV),
    "turtle": ("Turtle (.ttl)", SubmissionFormat.TURTLE),
    "jsonld": ("JSON-LD (.jsonld, .json)", SubmissionFormat.JSONLD),
    "trig": ("TriG (.trig)", SubmissionFormat.TRIG),
    "ntriples": ("N-Triples (.nt)", SubmissionFormat.NTRIPLES),
}
"""The choices of the form's format list: value, what a person reads, the format."""

ACTIONS = ("check", "submit")
FORM_SLACK = 64 * 1024
"""What the form adds to the file (boundaries, the other fields): allowed over the cap."""
MAX_FIELD = 4 * 1024
"""The most a field other than the file may hold (a token is 47 characters)."""
SEVERITY_ORDER = {"violation": 0, "warning": 1, "info": 2}


# -- reading the form ----------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """What the form sent, or why it could not be read (``problem``)."""

    filename: str = ""
    body: bytes = b""
    media_type: str | None = None
    format: str = "auto"
    token: str = ""
    action: str = "check"
    problem: CommensuraError | None = None


def _too_large(cap: int) -> PayloadTooLargeError:
    msg = (
        f"the file is larger than {cap:,} bytes, the most this registry accepts at once: "
        "split it into smaller files and send them one after the other"
    )
    return PayloadTooLargeError(msg, details={"limit_bytes": cap})


async def _bounded(request: Request, limit: int, cap: int) -> AsyncGenerator[bytes, None]:
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(cap)
        yield chunk


async def read_upload(request: Request, settings: SettingsDep) -> Upload:
    """The form's file and fields, read within the limits; a refusal is kept, not raised,
    so that the page can show it next to the form."""
    cap = settings.max_body_bytes
    limit = cap + FORM_SLACK
    try:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _too_large(cap)
        if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
            msg = (
                "the form was not sent as a file upload (multipart/form-data): use the form "
                "on this page, or POST the file itself to /api/validate"
            )
            raise InputError(msg)
        parser = MultiPartParser(
            request.headers,
            _bounded(request, limit, cap),
            max_files=1,
            max_fields=8,
            max_part_size=MAX_FIELD,
        )
        try:
            form = await parser.parse()
        except MultiPartException as exc:
            msg = f"the form could not be read ({exc.message}): send it again from this page"
            raise InputError(msg) from exc
        try:
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not (upload.filename or upload.size):
                raise InputError(
                    "no file was chosen: choose the file to check, then press a button"
                )
            body = await upload.read(cap + 1)
            if len(body) > cap:
                raise _too_large(cap)
            return Upload(
                filename=upload.filename or "",
                body=body,
                media_type=upload.content_type,
                format=fields.get("format", "auto"),
                token=fields.get("token", "").strip(),
                action=fields.get("action", "check"),
            )
        finally:
            await form.close()
    except CommensuraError as error:
        return Upload(problem=error)


UploadDep = Annotated[Upload, Depends(read_upload)]


def _format(upload: Upload) -> SubmissionFormat:
    """The format chosen in the list, else the file name's, else the browser's media type."""
    if upload.format not in FORMATS:
        msg = f"format={upload.format!r} is not one of the formats: {', '.join(FORMATS)}"
        raise InputError(msg, details={"parameter": "format", "allowed": list(FORMATS)})
    chosen = FORMATS[upload.format][1]
    if chosen is not None:
        return chosen
    try:
        return format_for_suffix(upload.filename)
    except UnsupportedFormatError:
        media = (upload.media_type or "").split(";", 1)[0].strip().lower()
        if media and media != "application/octet-stream":
            try:
                return format_for_media_type(media)
            except UnsupportedFormatError:
                pass
    msg = (
        f"Commensura cannot tell the format of {upload.filename or 'the file'!r} from its name: "
        "choose the format in the list, or name the file .ttl, .trig, .nt, .jsonld, .json or .csv"
    )
    raise UnsupportedFormatError(msg, details={"file": upload.filename})


def _organisation(settings: SettingsDep, token: str) -> Organisation:
    if not token:
        msg = (
            "Check and submit needs your organisation's token: type it in the token field. "
            "To check the file without storing it, press Check only."
        )
        raise AuthenticationError(msg)
    try:
        return Organisations(settings.auth_path).authenticate(token)
    except AuthenticationError:
        msg = (
            "the token is not valid (unknown or revoked): nothing was stored. Check that you "
            "copied the whole token, or ask the registry's operator for a new one."
        )
        raise AuthenticationError(msg) from None


# -- the report for a person -----------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One result of the report, as a person reads it."""

    severity: str
    message: str
    property: str | None = None
    property_code: str | None = None
    column: str | None = None
    value: str | None = None
    part: str | None = None
    """Where in the resource, when the result is about one of its parts (a target group)."""


@dataclass(frozen=True)
class ResourceReport:
    """The results about one resource (or one row of the CSV template)."""

    iri: str
    label: str | None
    row: int | None
    findings: list[Finding]

    @property
    def violations(self) -> int:
        return sum(1 for f in self.findings if f.severity == "violation")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")


@dataclass(frozen=True)
class ReportView:
    conforms: bool
    accepted: bool
    violations: int
    warnings: int
    infos: int
    triples: int
    resources: list[ResourceReport] = field(default_factory=list)


@dataclass(frozen=True)
class CsvProblem:
    """One problem of the CSV template, where it is."""

    row: int | None
    column: str | None
    value: str | None
    message: str
    code: str


_PREFIXES: tuple[tuple[str, str], ...] = (
    ("cm", str(CM._NS)),
    ("dct", str(DCTERMS)),
    ("skos", str(SKOS)),
    ("rdfs", str(RDFS)),
    ("schema", str(SCHEMA)),
    ("dcat", str(DCAT3)),
    ("prov", str(PROV)),
    ("foaf", str(FOAF)),
    ("sdmx-code", str(SDMX_CODE)),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
)


def prefixed(iri: str) -> str:
    """``dct:publisher`` for a property of a known vocabulary; the IRI otherwise."""
    for prefix, namespace in _PREFIXES:
        if iri.startswith(namespace) and re.fullmatch(r"[A-Za-z_][\w.-]*", iri[len(namespace) :]):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _path_code(path: str) -> str:
    """A path as its shortest readable text: ``(dct:source|rdfs:seeAlso)``."""
    if "<" not in path:
        return prefixed(path)
    return re.sub(r"<([^<>\s]+)>", lambda m: prefixed(m.group(1)), path)


@functools.cache
def _shape_names() -> Mapping[str, str]:
    """The ``sh:name`` of every property shape (what the property is called, in English)."""
    names: dict[str, str] = {}
    for shape, name in shapes_graph().subject_objects(SH.name):
        if isinstance(name, Literal) and name.language in (None, "en"):
            names.setdefault(str(shape), str(name))
    return names


_DEFINITION_COLUMNS = {
    "prefLabel": "label",
    "definition": "definition",
    "indicator": "indicator",
    "publisher": "publisher",
    "measureType": "measure_type",
    "numerator": "numerator",
    "denominator": "denominator",
    "unit": "unit",
    "ageBand": "age_band",
    "sex": "sex",
    "universe": "universe",
    "geographyLevel": "geography_level",
    "referenceTime": "reference_time",
    "spatial": "place",
    "dataSource": "data_source",
    "targetGroup": "target_group",
    "referenceGroup": "reference_group",
    "validFrom": "valid_from",
    "validThrough": "valid_through",
    "previousVersion": "previous_version",
    "wasRevisionOf": "previous_version",
    "seeAlso": "source_url",
    "scopeNote": "scope_note",
}
"""The template's column of each property of a definition (by the property's local name)."""
_GROUP_COLUMNS = {
    "condition": "{group}",
    "prefLabel": "{group}_label",
    "originAssignment": "origin_assignment",
    "publisher": "publisher",
    "dataSource": "data_source",
}
_GROUPS = {"target-group": "target group", "reference-group": "reference group"}


def _local(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def _column(path: str | None, group: str | None) -> str | None:
    """The CSV template's column that holds the value of ``path`` (when there is one)."""
    if not path or "<" in path:
        return None
    name = _local(path)
    if group is None:
        return _DEFINITION_COLUMNS.get(name)
    column = _GROUP_COLUMNS.get(name)
    return column.format(group=group.replace("-", "_")) if column else None


def csv_rows(body: bytes) -> dict[str, int]:
    """The row of each ``id`` of a CSV template, numbered as the spreadsheet numbers them."""
    text = body.decode("utf-8-sig", errors="replace")
    header_line = next((line for line in text.splitlines() if line.strip(',;\t "')), "")
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    rows: dict[str, int] = {}
    id_column: int | None = None
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1):
            if not any(cell.strip() for cell in record):
                continue
            if id_column is None:
                names = [re.sub(r"[\s-]+", "_", cell.strip()).lower() for cell in record]
                if "id" not in names:
                    return rows
                id_column = names.index("id")
            elif id_column < len(record) and record[id_column].strip():
                rows.setdefault(record[id_column].strip(), number)
    except csv.Error:
        pass
    return rows


def _label_in(graph: Graph, node: URIRef) -> str | None:
    values = [
        o
        for prop in (SKOS.prefLabel, RDFS.label, FOAF.name, DCTERMS.title)
        for o in graph.objects(node, prop)
        if isinstance(o, Literal)
    ]
    values.sort(key=lambda v: (v.language not in (None, "en"), str(v)))
    return str(values[0]) if values else None


def _part_of(
    graph: Graph, focus: str, owner: str | None, index: discovery.LabelIndex
) -> str | None:
    """Where a blank node sits in its resource: ``target group › condition``."""
    if not focus.startswith("_:") or owner is None:
        return None
    node: Any = BNode(focus[2:])
    steps: list[str] = []
    seen: set[Any] = set()
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        links = sorted(graph.subject_predicates(node), key=lambda sp: str(sp[1]))
        if not links:
            break
        node, predicate = links[0]
        steps.append(str(predicate))
    if not steps:
        return "a part of it without a name of its own"
    return " › ".join(_property_label(p, None, index) for p in reversed(steps))


def _property_label(path: str, shape: str | None, index: discovery.LabelIndex) -> str:
    """What the shape calls the property, else the property's label, else its local name."""
    if shape and shape in _shape_names():
        return _shape_names()[shape]
    if "<" in path:
        return _path_code(path)
    return index.label(path) or _local(path)


def report_view(
    store: Store,
    report: Mapping[str, Any],
    graph: Graph,
    *,
    rows: Mapping[str, int] | None = None,
    definitions_base: str = "",
) -> ReportView:
    """The report (``ValidationReport.to_dict()``) grouped by resource, for a person.

    With ``rows`` (the CSV template's ids and rows), results are grouped by row: a
    target or reference group is shown as a part of its definition's row."""
    index = discovery.label_index(store)
    grouped: dict[str, list[Finding]] = {}
    row_of: dict[str, int | None] = {}
    for result in report.get("results", []):
        resource = str(result.get("resource") or result.get("focus_node") or "")
        focus = str(result.get("focus_node") or "")
        group: str | None = None
        if rows is not None:
            head, _, tail = resource.rpartition("/")
            if tail in _GROUPS and head.startswith(definitions_base):
                resource, group = head, tail
            row_of[resource] = rows.get(resource[len(definitions_base) :])
        path = result.get("path")
        shape = result.get("shape")
        part = _GROUPS[group] if group else _part_of(graph, focus, result.get("resource"), index)
        grouped.setdefault(resource, []).append(
            Finding(
                severity=str(result.get("severity", "violation")),
                message=str(result.get("message", "")),
                property=_property_label(path, shape, index) if path else None,
                property_code=_path_code(path) if path else None,
                column=_column(path, group) if rows is not None else None,
                value=str(result["value"]) if result.get("value") is not None else None,
                part=part,
            )
        )
    resources = []
    for iri, findings in grouped.items():
        findings.sort(
            key=lambda f: (SEVERITY_ORDER.get(f.severity, 3), f.part or "", f.property or "")
        )
        label = _label_in(graph, URIRef(iri)) if iri.startswith("http") else None
        resources.append(ResourceReport(iri, label or index.label(iri), row_of.get(iri), findings))
    resources.sort(
        key=lambda r: (
            r.row if r.row is not None else 10**9,
            -r.violations,
            discovery.fold(r.label or r.iri),
        )
    )
    return ReportView(
        conforms=bool(report.get("conforms")),
        accepted=bool(report.get("accepted")),
        violations=int(report.get("violations", 0)),
        warnings=int(report.get("warnings", 0)),
        infos=int(report.get("infos", 0)),
        triples=int(report.get("triples", 0)) or len(graph),
        resources=resources,
    )


_ROW_PREFIX = re.compile(r"^Row \d+(, column '[^']*')?: ")


def csv_problems(error: CsvTemplateError) -> list[CsvProblem]:
    """Every problem a CSV template error carries, with its row and column."""
    listed = error.details.get("errors")
    entries: list[tuple[str, str, Mapping[str, Any]]] = []
    if isinstance(listed, list) and listed:
        for entry in listed:
            if isinstance(entry, Mapping):
                details = entry.get("details")
                entries.append(
                    (
                        str(entry.get("code", error.code)),
                        str(entry.get("message", "")),
                        details if isinstance(details, Mapping) else {},
                    )
                )
    else:
        entries.append((error.code, error.message, error.details))
    out = []
    for code, message, details in entries:
        row = details.get("row")
        column = details.get("column")
        value = details.get("value")
        out.append(
            CsvProblem(
                row=row if isinstance(row, int) else None,
                column=str(column) if column else None,
                value=str(value) if value else None,
                message=_ROW_PREFIX.sub("", message.split("\n", 1)[0]),
                code=code,
            )
        )
    return out


# -- the pages -------------------------------------------------------------------------


def _title(upload: Upload | None, context: Mapping[str, Any]) -> str:
    if upload is None:
        return "Submit to the registry"
    if context.get("report") is not None or context.get("problems") is not None:
        return f"Report on {upload.filename or 'your file'}"
    return "Your file was not stored" if upload.action == "submit" else "Your file was not checked"


def _page(
    request: Request,
    settings: SettingsDep,
    *,
    status: int = 200,
    upload: Upload | None = None,
    **context: Any,
) -> HTMLResponse:
    context.setdefault("error", None)
    context.setdefault("report", None)
    context.setdefault("problems", None)
    context.setdefault("stored", None)
    context.setdefault("organisation", None)
    context.setdefault("action", upload.action if upload else "check")
    chosen = upload.format if upload and upload.format in FORMATS else "auto"
    response = render(
        request,
        "submit.html",
        status_code=status,
        title=_title(upload, context),
        status=status,
        formats={value: label for value, (label, _) in FORMATS.items()},
        chosen_format=chosen,
        filename=upload.filename if upload else "",
        columns=COLUMN_SPECS,
        cap=settings.max_body_bytes,
        **context,
    )
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


@router.get("/submit", response_class=HTMLResponse)
def submit_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _page(request, settings)


def _csv_download(text: str, name: str) -> Response:
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/submit/template.csv")
def template_download() -> Response:
    """The empty CSV template (its header row), as ``commensura template`` writes it."""
    return _csv_download(template_csv(), "commensura-definitions-template.csv")


@router.get("/submit/example.csv")
def example_download() -> Response:
    """The CSV template with one filled-in example row."""
    return _csv_download(example_csv(), "commensura-definitions-example.csv")


@router.post("/submit", response_class=HTMLResponse)
def submit_form(
    request: Request, store: StoreDep, settings: SettingsDep, upload: UploadDep
) -> HTMLResponse:
    try:
        if upload.problem is not None:
            raise upload.problem
        return _check(request, store, settings, upload)
    except CommensuraError as error:
        return _page(request, settings, status=status_for(error), upload=upload, error=error)


def _check(
    request: Request, store: StoreDep, settings: SettingsDep, upload: Upload
) -> HTMLResponse:
    if upload.action not in ACTIONS:
        msg = f"action={upload.action!r} is not known: press Check only or Check and submit"
        raise InputError(msg)
    fmt = _format(upload)
    if not upload.body.strip():
        msg = f"the file {upload.filename!r} is empty: choose the file that holds your descriptions"
        raise InputError(msg)
    org = _organisation(settings, upload.token) if upload.action == "submit" else None
    graph_iri, base = (org.graph, org.namespace) if org else (DRY_RUN_GRAPH, DRY_RUN_BASE)
    try:
        parsed = parse_submission(store, upload.body, fmt, graph=graph_iri, base=base)
    except CsvTemplateError as error:
        return _page(
            request,
            settings,
            status=422 if org else 200,
            upload=upload,
            problems=csv_problems(error),
        )
    if not len(parsed.graph):
        msg = f"the file {upload.filename!r} holds nothing to check: " + (
            "add a row under the header for each definition"
            if fmt is SubmissionFormat.CSV
            else "it has no statements"
        )
        raise InputError(msg)
    rows = csv_rows(upload.body) if fmt is SubmissionFormat.CSV else None
    view = functools.partial(
        report_view, store, graph=parsed.graph, rows=rows, definitions_base=f"{base}definition/"
    )
    if org is None:
        report = validate_submission(store, parsed.graph)
        return _page(request, settings, upload=upload, report=view(report.to_dict()))
    try:
        result: SubmissionResult = submit(store, org, parsed.graph, fmt=fmt, body=upload.body)
    except InvalidSubmissionError as error:
        details = error.details.get("report")
        shown = view(details if isinstance(details, Mapping) else {})
        return _page(request, settings, status=422, upload=upload, report=shown)
    return _page(
        request,
        settings,
        status=201,
        upload=upload,
        report=view(result.report.to_dict()),
        stored=result,
        organisation=org,
    )

"""Rendering the portal's pages: one Jinja2 environment, autoescaped, and the helpers the
templates share (where a resource's page is, how a grade is coloured, labels in their
languages).

Every page extends ``base.html``. Pages link to each other by :func:`href`: cities,
indicators and practices to their portal pages, everything else of ours to the path where this
deployment serves its IRI (the Linked Data pages, ``/id/...``), other IRIs as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from registry import __version__
from registry.discovery import LabelValue
from registry.linked_data import local_path
from registry.namespaces import BASE

ID = f"{BASE}id/"

CITY = re.compile(re.escape(f"{ID}place/urban-audit/") + r"[A-Z]{2}[0-9]{3}C[0-9]*")
"""A city's IRI (Urban Audit code with C): it has a city page; other places (greater
cities, functional urban areas, regions) are read at their Linked Data path."""

NAVIGATION: tuple[tuple[str, str], ...] = (
    ("/", "Home"),
    ("/indicators", "Indicators"),
    ("/cities", "Cities"),
    ("/compare", "Compare"),
    ("/toolbox", "Toolbox"),
    ("/submit", "Submit"),
    ("/sparql", "Query"),
)
"""The main menu: path and name."""

GRADE_CLASSES = {
    "identical": "grade-comparable",
    "equivalent": "grade-comparable",
    "comparableWithCaveats": "grade-caveats",
    "partiallyComparable": "grade-partial",
    "notComparable": "grade-not",
}
"""CSS class of each comparability grade (by the local name of its concept)."""


def href(target: object) -> str | None:
    """Where a person reads about a resource on this deployment (``None``: nowhere).

    ``target`` is an IRI, a mapping with ``iri`` or ``id``, or an object with ``id``
    (the registry's items and references)."""
    if target is None:
        return None
    if isinstance(target, str):
        iri = target
    elif isinstance(target, Mapping):
        iri = str(target.get("iri") or target.get("id") or "")
    else:
        iri = str(getattr(target, "id", "") or getattr(target, "iri", "") or "")
    if not iri:
        return None
    if iri.startswith(f"{ID}indicator/"):
        return "/indicators/" + quote(iri[len(f"{ID}indicator/") :])
    if CITY.fullmatch(iri):
        return "/cities/" + quote(iri[len(f"{ID}place/") :])
    if iri.startswith(f"{ID}practice/"):
        return "/toolbox/" + quote(iri[len(f"{ID}practice/") :])
    path = local_path(iri)
    if path is not None:
        return quote(path, safe="/#:~")
    if iri.startswith(("http://", "https://")):
        return iri
    return None


def grade_class(grade: Mapping[str, Any] | str | None) -> str:
    """The CSS class that colours a grade (``grade-unknown`` when there is none)."""
    if grade is None:
        return "grade-unknown"
    iri = str(grade.get("iri", "")) if isinstance(grade, Mapping) else grade
    return GRADE_CLASSES.get(iri.rsplit("/", 1)[-1], "grade-unknown")


def other_labels(labels: Iterable[LabelValue], shown: str | None) -> list[LabelValue]:
    """The labels in other languages than English (local names), without the one shown."""
    seen: set[tuple[str, str | None]] = set()
    out: list[LabelValue] = []
    for value in labels:
        key = (value.label, value.language)
        if value.label == shown or key in seen or value.language in (None, "en"):
            continue
        seen.add(key)
        out.append(value)
    return sorted(out, key=lambda v: (v.language or "", v.label))


def query(**params: Any) -> str:
    """A query string from the parameters that have a value."""
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def slug_of_place(iri: str) -> str:
    return iri[len(f"{ID}place/") :] if iri.startswith(f"{ID}place/") else iri


_ENV = Environment(
    loader=PackageLoader("api.portal", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.globals.update(
    href=href,
    grade_class=grade_class,
    other_labels=other_labels,
    query=query,
    navigation=NAVIGATION,
    version=__version__,
)


def environment() -> Environment:
    return _ENV


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A page: ``template`` with ``context``, plus the request's path for the menu."""
    page = _ENV.get_template(template).render(
        current=request.url.path, request_url=str(request.url), **context
    )
    return HTMLResponse(page, status_code=status_code)

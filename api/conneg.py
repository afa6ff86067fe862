"""Content negotiation, as a pure function of the ``Accept`` header and what a route offers.

``negotiate(accept, offers)`` picks the offer the client prefers: media ranges with
q-values (``q=0`` excludes), ``type/*`` and ``*/*`` wildcards, the most specific
range winning for each offer; ties go to the route's order of offers. ``None``
means nothing fits (the route answers 406). No ``Accept`` header means the first
offer. Routes also take a ``format`` query parameter or a file extension, which
wins over the header (``FORMAT_ALIASES``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
NQUADS = "application/n-quads"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"
TRIG = "application/trig"
HTML = "text/html"
JSON = "application/json"

TABULAR = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
"""What SELECT and ASK results can be written as (ASK: JSON and XML only)."""
GRAPH = (TURTLE, NTRIPLES, JSONLD, RDFXML)
"""What CONSTRUCT and DESCRIBE results, and resource descriptions, can be written as."""

FORMAT_ALIASES = {
    "json": SPARQL_JSON,
    "srj": SPARQL_JSON,
    "xml": SPARQL_XML,
    "srx": SPARQL_XML,
    "csv": CSV,
    "tsv": TSV,
    "ttl": TURTLE,
    "turtle": TURTLE,
    "nt": NTRIPLES,
    "ntriples": NTRIPLES,
    "jsonld": JSONLD,
    "json-ld": JSONLD,
    "rdf": RDFXML,
    "rdfxml": RDFXML,
    "html": HTML,
}
"""``?format=`` values and file extensions, and the media type each stands for."""


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    params: tuple[tuple[str, str], ...]

    def matches(self, media_type: str) -> int:
        """How specifically this range matches ``media_type``: -1 not at all, 0..3."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type != kind:
            return -1
        if self.subtype == "*":
            return 1
        if self.subtype != sub:
            return -1
        return 3 if self.params else 2


def parse_accept(accept: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; malformed parts are skipped."""
    ranges: list[MediaRange] = []
    for part in (accept or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            if media == "*":
                media = "*/*"
            else:
                continue
        kind, _, sub = media.partition("/")
        if not kind or not sub:
            continue
        q = 1.0
        params: list[tuple[str, str]] = []
        for param in fields[1:]:
            key, _, value = param.partition("=")
            key = key.strip().lower()
            value = value.strip().strip('"')
            if key == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
            elif key:
                params.append((key, value))
        ranges.append(MediaRange(kind, sub, q, tuple(params)))
    return ranges


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers, or ``None`` when it accepts none of them."""
    if not offers:
        return None
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0]
    best: tuple[float, int, int] | None = None
    chosen: str | None = None
    for index, offer in enumerate(offers):
        specificity, q = -1, 0.0
        for media_range in ranges:
            match = media_range.matches(offer)
            if match > specificity:
                specificity, q = match, media_range.q
        if specificity < 0 or q <= 0:
            continue
        key = (q, specificity, -index)
        if best is None or key > best:
            best, chosen = key, offer
    return chosen


def from_format(value: str | None) -> str | None:
    """The media type a ``?format=`` value or file extension names, if any."""
    if not value:
        return None
    value = value.strip().lower()
    if "/" in value:
        return value
    return FORMAT_ALIASES.get(value.lstrip("."))

"""Reading submissions: media types, file suffixes, and the JSON-LD context policy."""

from __future__ import annotations

import json

import pytest

from registry.errors import RdfSyntaxError, RemoteContextError, UnsupportedFormatError
from registry.submissions.parse import (
    CONTEXT_IRI,
    SubmissionFormat,
    format_for_media_type,
    format_for_suffix,
    our_context,
    resolve_jsonld,
)


@pytest.mark.parametrize(
    ("media_type", "expected"),
    [
        ("text/turtle", SubmissionFormat.TURTLE),
        ("text/turtle; charset=utf-8", SubmissionFormat.TURTLE),
        ("TEXT/TURTLE", SubmissionFormat.TURTLE),
        ("application/x-turtle", SubmissionFormat.TURTLE),
        ("application/trig", SubmissionFormat.TRIG),
        ("application/n-triples", SubmissionFormat.NTRIPLES),
        ("application/ld+json", SubmissionFormat.JSONLD),
        ("application/json", SubmissionFormat.JSONLD),
        ("text/csv; header=present", SubmissionFormat.CSV),
    ],
)
def test_media_types(media_type: str, expected: SubmissionFormat) -> None:
    assert format_for_media_type(media_type) is expected


@pytest.mark.parametrize("media_type", [None, "", "application/xml", "text/html", "*/*"])
def test_other_media_types_are_refused_with_the_list_of_accepted_ones(
    media_type: str | None,
) -> None:
    with pytest.raises(UnsupportedFormatError) as caught:
        format_for_media_type(media_type)
    assert "text/turtle" in caught.value.message
    assert caught.value.code == "rdf.unsupported_format"


def test_file_suffixes() -> None:
    assert format_for_suffix("a.TTL") is SubmissionFormat.TURTLE
    assert format_for_suffix("defs.csv") is SubmissionFormat.CSV
    with pytest.raises(UnsupportedFormatError):
        format_for_suffix("notes.docx")


def test_our_context_is_inlined_wherever_it_appears() -> None:
    document = {
        "@context": [CONTEXT_IRI, {"ex": "https://example.org/"}],
        "@graph": [{"@context": CONTEXT_IRI, "@id": "ex:a"}],
    }
    resolved = json.loads(resolve_jsonld(json.dumps(document).encode()))
    assert resolved["@context"][0] == our_context()
    assert resolved["@context"][1] == {"ex": "https://example.org/"}
    assert resolved["@graph"][0]["@context"] == our_context()


@pytest.mark.parametrize(
    "context",
    [
        "https://example.org/context.jsonld",
        ["https://schema.org/"],
        [CONTEXT_IRI, "http://localhost:8000/other.jsonld"],
    ],
)
def test_any_other_remote_context_is_refused_never_fetched(context: object) -> None:
    body = json.dumps({"@context": context, "@id": "https://example.org/a"}).encode()
    with pytest.raises(RemoteContextError) as caught:
        resolve_jsonld(body)
    assert caught.value.code == "rdf.remote_context"
    assert "never fetches" in caught.value.message


def test_json_that_does_not_parse_says_where() -> None:
    with pytest.raises(RdfSyntaxError) as caught:
        resolve_jsonld(b'{\n  "@id": \n')
    assert caught.value.details["line"] == 3


def test_json_nested_deeper_than_python_reads_is_a_syntax_error_not_a_crash() -> None:
    with pytest.raises(RdfSyntaxError) as caught:
        resolve_jsonld(b"[" * 100_000)
    assert "nested too deeply" in caught.value.message

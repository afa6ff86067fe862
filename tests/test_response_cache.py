"""Answers kept in memory until the next write, on a live server on 127.0.0.1."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from api.app import create_app
from api.cache import ResponseCache, cacheable_path
from registry.config import Settings
from registry.kb import build
from registry.orgs import Organisations
from registry.store import content_generation, open_store
from tests.conftest import StoreSettings
from tests.live import serve

SUBMISSION = Path(__file__).parent / "data" / "submissions" / "amsterdam.ttl"
DEFINITION = (
    "https://w3id.org/commensura/id/partner/amsterdam-os/definition/employment-rate-born-abroad"
)
DEFINITIONS = "/api/definitions?indicator=employment-rate&limit=100"


@pytest.fixture(scope="module")
def settings(
    tmp_path_factory: pytest.TempPathFactory, store_settings: StoreSettings
) -> Iterator[Settings]:
    """A store of this module's own (not the conftest's per-test one): the curated content."""
    folder = tmp_path_factory.mktemp("cache")
    with store_settings(folder / "store") as settings:
        with open_store(settings) as store:
            build(store)
        yield settings


@pytest.fixture(scope="module")
def live(settings: Settings) -> Iterator[tuple[str, str]]:
    orgs = Organisations(settings.auth_path)
    orgs.add("amsterdam-os", "City of Amsterdam, Onderzoek en Statistiek")
    token = orgs.create_token("amsterdam-os")[1]
    with serve(create_app(settings)) as url:
        yield url, token


@pytest.fixture
def url(live: tuple[str, str]) -> str:
    return live[0]


def test_a_repeated_get_is_served_from_memory_with_the_same_body_and_etag(url: str) -> None:
    first = httpx.get(f"{url}/api/indicators?theme=employment")
    second = httpx.get(f"{url}/api/indicators?theme=employment")
    assert first.status_code == second.status_code == 200
    assert second.headers["x-cache"] == "hit"
    assert first.content == second.content
    assert first.headers["etag"] == second.headers["etag"]
    assert first.headers["etag"].startswith('"')
    assert second.headers["cache-control"] == "no-cache"
    assert "Accept" in second.headers["vary"]
    assert second.headers["content-type"] == first.headers["content-type"]
    assert second.headers["content-length"] == str(len(second.content))


def test_if_none_match_is_answered_304_whether_kept_or_not(url: str) -> None:
    path = f"{url}/api/publishers"
    etag = httpx.get(path).headers["etag"]
    kept = httpx.get(path, headers={"If-None-Match": etag})
    assert kept.status_code == 304
    assert kept.content == b""
    assert kept.headers["etag"] == etag
    assert httpx.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    assert httpx.get(path, headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304
    # A question never asked before, with the validator of its answer: 304 on the first go.
    other = httpx.get(f"{url}/api/publishers?limit=3")
    fresh = httpx.get(
        f"{url}/api/publishers?limit=3&offset=0", headers={"If-None-Match": other.headers["etag"]}
    )
    assert fresh.headers["x-cache"] == "miss"
    assert fresh.status_code == 304


def test_answers_are_kept_per_accept_header(url: str) -> None:
    path = f"{url}/api/cities"
    as_json = httpx.get(path, headers={"Accept": "application/json"})
    as_csv = httpx.get(path, headers={"Accept": "text/csv"})
    again_json = httpx.get(path, headers={"Accept": "application/json"})
    again_csv = httpx.get(path, headers={"Accept": "text/csv"})
    assert again_json.headers["x-cache"] == again_csv.headers["x-cache"] == "hit"
    assert again_json.json() == as_json.json()
    assert again_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(again_csv.text)))
    assert len(rows) == len(as_json.json()["items"])
    assert as_json.headers["etag"] != as_csv.headers["etag"]


def test_head_is_served_from_a_kept_get(url: str) -> None:
    path = f"{url}/id/indicator/employment-rate"
    get = httpx.get(path, headers={"Accept": "text/turtle"})
    head = httpx.head(path, headers={"Accept": "text/turtle"})
    assert head.status_code == 200
    assert head.headers["x-cache"] == "hit"
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content))


def test_errors_authorized_requests_and_writes_are_not_kept(url: str) -> None:
    for _ in range(2):
        missing = httpx.get(f"{url}/api/indicators/no-such-indicator")
        assert missing.status_code == 404
        assert "x-cache" not in missing.headers
        bad = httpx.get(f"{url}/api/indicators?limit=0")
        assert bad.status_code == 400
        assert "x-cache" not in bad.headers
        authorized = httpx.get(f"{url}/api/indicators", headers={"Authorization": "Bearer x"})
        assert "x-cache" not in authorized.headers
        sparql = httpx.get(f"{url}/sparql", params={"query": "ASK {}"})
        assert "x-cache" not in sparql.headers


def test_a_submission_makes_kept_answers_unusable(live: tuple[str, str]) -> None:
    url, token = live
    before = httpx.get(f"{url}{DEFINITIONS}")
    assert httpx.get(f"{url}{DEFINITIONS}").headers["x-cache"] == "hit"
    assert DEFINITION not in {item["id"] for item in before.json()["items"]}
    generation = content_generation()
    submitted = httpx.post(
        f"{url}/api/submissions",
        content=SUBMISSION.read_bytes(),
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert submitted.status_code == 201, submitted.text
    assert content_generation() != generation
    after = httpx.get(f"{url}{DEFINITIONS}", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["x-cache"] == "miss"
    assert after.json()["total"] == before.json()["total"] + 1
    assert DEFINITION in {item["id"] for item in after.json()["items"]}
    assert after.headers["etag"] != before.headers["etag"]
    assert httpx.get(f"{url}{DEFINITIONS}").headers["x-cache"] == "hit"


def test_off_when_given_no_memory(settings: Settings) -> None:
    off = settings.model_copy(update={"response_cache_bytes": 0, "read_only": True})
    with serve(create_app(off)) as url:
        for _ in range(2):
            response = httpx.get(f"{url}/api/indicators")
            assert response.status_code == 200
            assert "x-cache" not in response.headers
            assert "etag" not in response.headers


def test_which_paths_are_kept() -> None:
    for path in ("/api/indicators", "/api/coverage", "/id/place/country/AT", "/vocab/theme"):
        assert cacheable_path(path), path
    for path in ("/", "/indicators/employment-rate", "/cities/urban-audit/AT001C1", "/toolbox"):
        assert cacheable_path(path), path
    for path in ("/api/submissions/1", "/api/validate", "/sparql", "/dump.nq.gz", "/health"):
        assert not cacheable_path(path), path
    for path in ("/submit", "/submit/template.csv", "/static/portal/portal.css"):
        assert not cacheable_path(path), path


def test_portal_pages_are_kept_too(url: str) -> None:
    first = httpx.get(f"{url}/indicators/employment-rate")
    second = httpx.get(f"{url}/indicators/employment-rate")
    assert first.status_code == second.status_code == 200
    assert second.headers["x-cache"] == "hit"
    assert first.content == second.content
    assert "x-cache" not in httpx.get(f"{url}/submit").headers


# -- memory bounds, on a small application whose answers are known ----------------------------


def _sized_app(calls: list[str]) -> ResponseCache:
    """Answers ``/api/<n>`` with n bytes, in chunks of 100; counts the calls that get through."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        calls.append(scope["path"])
        size = int(scope["path"].rsplit("/", 1)[1])
        headers = [(b"content-type", b"text/plain"), (b"content-length", str(size).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        body = b"x" * size
        for start in range(0, size, 100):
            chunk = body[start : start + 100]
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    return ResponseCache(app, max_bytes=16 * 1024, generation=content_generation)


def test_memory_is_bounded_and_large_answers_pass_whole() -> None:
    calls: list[str] = []
    cache = _sized_app(calls)
    with serve(cache) as url:  # type: ignore[arg-type]
        large = httpx.get(f"{url}/api/5000")
        assert len(large.content) == 5000  # over a sixteenth of the memory: sent, not kept
        assert httpx.get(f"{url}/api/5000").content == b"x" * 5000
        assert calls.count("/api/5000") == 2
        for n in range(100, 140):  # 40 answers of about 400 bytes: more than 16 KiB in all
            httpx.get(f"{url}/api/{n}")
        assert 0 < cache.entries < 40
        assert httpx.get(f"{url}/api/139").headers["x-cache"] == "hit"  # the newest is kept
        assert httpx.get(f"{url}/api/100").headers["x-cache"] == "miss"  # the oldest went

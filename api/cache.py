"""Answers to GET requests kept in memory until the store is next written to.

The registry changes when somebody writes to it (a build, an import, a submission)
and is read far more often, by the same few questions. ``ResponseCache`` is an
ASGI middleware that keeps the complete ``200`` answers of the read-only routes
(discovery and coverage under ``/api``, Linked Data under ``/id``, ``/vocab``,
``/ontology``, ``/void``, the portal's pages but ``/submit``) and serves them again
without running the route:

* an answer is keyed by everything it depends on: path, query string, ``Accept``,
  and the host and scheme the request was addressed to (links in the answer are
  absolute); requests with ``Authorization`` are never served from memory;
* every entry belongs to the store's content generation
  (``registry.store.content_generation``): a write anywhere in the process makes
  every kept answer unusable, and an answer whose request overlapped a write is
  not kept;
* each answer carries a strong ``ETag`` (a digest of its body) and
  ``Cache-Control: no-cache``: clients may keep it and ask again with
  ``If-None-Match``, and are answered ``304 Not Modified`` while it holds, cached
  or not;
* memory is bounded by ``response_cache_bytes`` (least recently used entries go
  first); an answer larger than a sixteenth of it is sent as it comes and not kept.

``X-Cache: hit`` or ``miss`` tells which way an answer came.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CACHED_PREFIXES = (
    "/api/",
    "/id/",
    "/vocab",
    "/ontology",
    "/void",
    "/search",
    "/indicators",
    "/cities",
    "/compare",
    "/toolbox",
)
"""Paths whose GET answers depend only on the request and the store's content (the API,
Linked Data and the portal's pages; the home page ``/`` too)."""
UNCACHED_PREFIXES = ("/api/submissions", "/api/validate")
"""Paths under those that answer for one organisation, or that a GET does not read."""

_HEADERS_CHOSEN_BY_CACHE = (b"etag", b"cache-control", b"x-cache")


@dataclass(frozen=True)
class _Entry:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: bytes

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 256


def cacheable_path(path: str) -> bool:
    """Whether GET answers of ``path`` may be kept."""
    if path == "/":
        return True
    return path.startswith(CACHED_PREFIXES) and not path.startswith(UNCACHED_PREFIXES)


def _etag(body: bytes) -> bytes:
    return b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"'


def _matches(if_none_match: bytes | None, etag: bytes) -> bool:
    """``If-None-Match`` (weak comparison, as RFC 9110 asks for it) against ``etag``."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == b"*":
        return True
    tags = (t.strip().removeprefix(b"W/") for t in if_none_match.split(b","))
    return etag in tags


def _with_cache_headers(
    headers: list[tuple[bytes, bytes]] | tuple[tuple[bytes, bytes], ...], etag: bytes, state: bytes
) -> list[tuple[bytes, bytes]]:
    kept = [(k, v) for k, v in headers if k.lower() not in _HEADERS_CHOSEN_BY_CACHE]
    if not any(k.lower() == b"vary" for k, _ in kept):
        kept.append((b"vary", b"Accept"))
    kept += [(b"etag", etag), (b"cache-control", b"no-cache"), (b"x-cache", state)]
    return kept


def _not_modified_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """What a 304 carries: the validators and caching headers of the full answer, no body."""
    keep = (b"etag", b"cache-control", b"vary", b"content-location", b"x-cache", b"link")
    return [(k, v) for k, v in headers if k.lower() in keep]


class ResponseCache:
    """The middleware: ``app`` wrapped, ``max_bytes`` of answers, ``generation`` to key them."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, generation: Callable[[], int]) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // 16
        self.generation = generation
        self._entries: OrderedDict[tuple[bytes, ...], _Entry] = OrderedDict()
        self._bytes = 0
        self._generation = generation()

    @property
    def entries(self) -> int:
        """How many answers are kept now."""
        return len(self._entries)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.max_bytes <= 0
            or scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or not cacheable_path(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if b"authorization" in headers:
            await self.app(scope, receive, send)
            return
        generation = self.generation()
        if generation != self._generation:
            self._entries.clear()
            self._bytes = 0
            self._generation = generation
        key = (
            scope["path"].encode(),
            scope.get("query_string", b""),
            headers.get(b"accept", b""),
            headers.get(b"host", b""),
            scope.get("scheme", "http").encode(),
            scope.get("root_path", "").encode(),
        )
        if_none_match = headers.get(b"if-none-match")
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            await self._replay(entry, scope["method"] == "HEAD", if_none_match, send)
            return
        if scope["method"] == "HEAD":
            await self.app(scope, receive, send)
            return
        await self._record(scope, receive, send, key, generation, if_none_match)

    async def _replay(
        self, entry: _Entry, head: bool, if_none_match: bytes | None, send: Send
    ) -> None:
        headers = _with_cache_headers(entry.headers, entry.etag, b"hit")
        if _matches(if_none_match, entry.etag):
            start = {"type": "http.response.start", "status": 304}
            await send(start | {"headers": _not_modified_headers(headers)})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": entry.status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else entry.body})

    async def _record(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: tuple[bytes, ...],
        generation: int,
        if_none_match: bytes | None,
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        passing = False  # sending as it comes: not a 200, or too large to keep

        async def capture(message: Message) -> None:
            nonlocal start, size, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                if message["status"] != 200:
                    passing = True
                    await send(message)
                    return
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body: bytes = message.get("body", b"")
            chunks.append(body)
            size += len(body)
            if size > self.max_entry_bytes:
                passing = True
                await send(start)
                await send(
                    {"type": "http.response.body", "body": b"".join(chunks), "more_body": True}
                )
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            if message.get("more_body", False):
                return
            await self._finish(start, b"".join(chunks), key, generation, if_none_match, send)

        await self.app(scope, receive, capture)

    async def _finish(
        self,
        start: Message,
        body: bytes,
        key: tuple[bytes, ...],
        generation: int,
        if_none_match: bytes | None,
        send: Send,
    ) -> None:
        etag = _etag(body)
        raw = tuple((bytes(k), bytes(v)) for k, v in start.get("headers", []))
        headers = _with_cache_headers(raw, etag, b"miss")
        if _matches(if_none_match, etag):
            not_modified = {"type": "http.response.start", "status": 304}
            await send(not_modified | {"headers": _not_modified_headers(headers)})
            await send({"type": "http.response.body", "body": b""})
        else:
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        if generation == self.generation() == self._generation:
            self._keep(key, _Entry(200, raw, body, etag))

    def _keep(self, key: tuple[bytes, ...], entry: _Entry) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old.size
        self._entries[key] = entry
        self._bytes += entry.size
        while self._bytes > self.max_bytes and self._entries:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= evicted.size

"""Run blocking store work off the event loop: a bounded number at a time, each with a deadline.

pyoxigraph 0.5 has no query timeout and no way to cancel a running query, but it
releases the GIL while it evaluates, and it produces most answers lazily. So
each query runs in a worker thread of its own, and:

* the deadline is handed to the store, which stops reading results once it has
  passed (``Store.query_serialized``): a query that streams results stops within
  one result of its deadline and frees its worker;
* the request waits for the worker until the deadline (plus a short grace) and
  is then answered with ``query.timeout`` whatever the worker is doing; a query
  the engine cannot interrupt (one that works a long time before its first
  result: a sort, a grouping, an ASK, a filter that rejects everything) keeps its
  worker busy until the engine returns, and its answer is dropped;
* at most ``workers`` queries run at once; a request that finds no free worker
  within its time cap gets ``QueryBusyError`` (the router answers 429).

The event loop never blocks, so other requests (``/health``, the rest of the API)
are answered while queries run.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar, cast

from registry.errors import QueryTimeoutError
from registry.sparql import start_large_stack_thread

T = TypeVar("T")

_POLL_SECONDS = 0.01


def start_worker(target: Callable[[], None]) -> threading.Thread:
    """Start ``target`` on a daemon worker thread with a ``WORKER_STACK_BYTES`` stack."""
    return start_large_stack_thread(target, "commensura-sparql")


class QueryBusyError(Exception):
    """Every worker stayed busy for the whole time cap."""


class _Outcome(Generic[T]):
    """What a worker produced: a value or an exception."""

    def __init__(self, value: T | None = None, error: BaseException | None = None) -> None:
        self.value = value
        self.error = error


class QueryRunner:
    """Runs ``work(deadline)`` in worker threads, at most ``workers`` at a time."""

    def __init__(self, *, workers: int, time_cap: float, grace: float = 0.25) -> None:
        self.workers = workers
        self.time_cap = time_cap
        self.grace = grace
        self._slots = threading.BoundedSemaphore(workers)
        self._lock = threading.Lock()
        self._running = 0

    @property
    def running(self) -> int:
        """Workers busy now (including ones whose request has already been answered)."""
        with self._lock:
            return self._running

    async def run(self, work: Callable[[float], T]) -> T:
        """``work(deadline)``'s result; ``QueryTimeoutError`` once the time cap has passed.

        ``deadline`` is a ``time.monotonic()`` value, counted from the call (the wait
        for a free worker included).
        """
        deadline = time.monotonic() + self.time_cap
        while not self._slots.acquire(blocking=False):
            if time.monotonic() >= deadline:
                raise QueryBusyError
            await asyncio.sleep(_POLL_SECONDS)
        with self._lock:
            self._running += 1
        loop = asyncio.get_running_loop()
        future: asyncio.Future[_Outcome[T]] = loop.create_future()

        def settle(outcome: _Outcome[T]) -> None:
            if not future.done():
                future.set_result(outcome)

        def release() -> None:
            with self._lock:
                self._running -= 1
            self._slots.release()

        def target() -> None:
            try:
                outcome: _Outcome[T] = _Outcome(value=work(deadline))
            except Exception as exc:  # handed to the request, raised there
                outcome = _Outcome(error=exc)
            finally:
                release()
            with contextlib.suppress(RuntimeError):  # the loop closed while we worked
                loop.call_soon_threadsafe(settle, outcome)

        try:
            start_worker(target)
        except RuntimeError:  # pragma: no cover - the system refused a new thread
            release()
            raise QueryBusyError from None
        remaining = max(deadline - time.monotonic(), 0.0) + self.grace
        try:
            outcome = await asyncio.wait_for(asyncio.shield(future), timeout=remaining)
        except TimeoutError:
            msg = "the query was still running when its time ran out"
            raise QueryTimeoutError(msg) from None
        if outcome.error is not None:
            raise outcome.error
        return cast(T, outcome.value)

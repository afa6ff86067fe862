"""Work on SPARQL text done before any engine sees it.

* Federated queries are refused: the embedded engine follows ``SERVICE``
  clauses over HTTP and cannot be told not to, and Commensura never reaches the
  network at run time.
* Bound parameters become a ``VALUES`` block at the top of the query's ``WHERE``
  clause. The values are RDF terms already written in N-Triples syntax by the
  store's term writer (which checks IRIs and escapes literals), never caller
  text. Engines use a ``VALUES`` block to narrow the pattern before evaluating
  it, where generic substitution filters afterwards (measured: 20x slower at
  1 M triples).

Both look at the query's code only: strings, IRIs and comments are blanked out
first, so they can neither hide nor fake a keyword.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from typing import TypeVar

from registry.errors import BindingError, PayloadTooLargeError, QueryError, ServiceRefusedError

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_NOT_CODE = re.compile(
    r"""
      '''(?:[^'\\]|\\.|'(?!''))*'''      # long single-quoted string
    | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"  # long double-quoted string
    | '(?:[^'\\\n\r]|\\.)*'              # single-quoted string
    | "(?:[^"\\\n\r]|\\.)*"              # double-quoted string
    | <[^<>"{}|^`\\\x00-\x20]*>          # IRI reference
    | \#[^\n\r]*                         # comment
    """,
    re.VERBOSE,
)
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:-])", re.IGNORECASE)
_WHERE = re.compile(r"(?<![\w:?$])WHERE(?![\w:-])", re.IGNORECASE)
_SHORT_CONSTRUCT = re.compile(r"(?<![\w:?$])CONSTRUCT\s+WHERE(?![\w:-])", re.IGNORECASE)
_VARIABLE = re.compile(r"^[?$]?([A-Za-z_][A-Za-z0-9_]*)$")


def _unescape(text: str) -> str:
    """Apply SPARQL codepoint escapes, which the grammar reads before anything else."""

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _CODEPOINT.sub(replace, text)


def blanked(sparql: str) -> str:
    """Strings, IRIs and comments replaced by spaces of the same length (offsets kept)."""
    return _NOT_CODE.sub(lambda m: " " * len(m.group(0)), sparql)


def blanked_strings(sparql: str) -> str:
    """Strings and comments replaced by spaces of the same length; IRIs kept."""
    return _NOT_CODE.sub(
        lambda m: m.group(0) if m.group(0).startswith("<") else " " * len(m.group(0)), sparql
    )


def code_tokens(sparql: str) -> str:
    """The query text, codepoint escapes applied, with strings, IRIs and comments blanked out."""
    return blanked(_unescape(sparql))


def variable_name(name: str) -> str:
    """A variable name without its ``?`` or ``$``; ``BindingError`` if it is not one."""
    match = _VARIABLE.fullmatch(name)
    if match is None:
        msg = f"{name!r} is not a SPARQL variable name"
        raise BindingError(msg, details={"variable": name})
    return match.group(1)


def bind_values(sparql: str, values: Mapping[str, str], *, separate: bool = False) -> str:
    """The query with a ``VALUES`` block of the given terms first in its ``WHERE`` clause.

    ``values`` maps variable names to terms in N-Triples syntax, as a store's term
    writer produced them. The bound variables join the query's top-level pattern,
    as if the block had been written there. ``separate`` writes one block per variable
    (the same single row; Virtuoso fails to compile a block of several variables
    followed by an ``OPTIONAL``).
    """
    if not values:
        return sparql
    code = blanked(sparql)
    if _SHORT_CONSTRUCT.search(code):
        msg = (
            "bindings need a full CONSTRUCT { template } WHERE { pattern } query, not the "
            "short form CONSTRUCT WHERE"
        )
        raise BindingError(msg)
    where = _WHERE.search(code)
    brace = code.find("{", where.end() if where else 0)
    if brace < 0:
        msg = "bindings need a query with a WHERE clause"
        raise BindingError(msg)
    if separate:
        block = " ".join(
            f"VALUES ?{variable_name(name)} {{ {term} }}" for name, term in values.items()
        )
        block = f" {block} "
    else:
        names = " ".join(f"?{variable_name(name)}" for name in values)
        row = " ".join(values.values())
        block = f" VALUES ({names}) {{ ({row}) }} "
    return f"{sparql[: brace + 1]}{block}{sparql[brace + 1 :]}"


def substitute_bound(sparql: str, values: Mapping[str, str]) -> str:
    """The query with the bound variables replaced by their terms inside its ``WHERE`` clause.

    For engines that need a constant where a property path starts (Virtuoso answers
    "transitive start not given" when only a ``VALUES`` block binds it). Variables after
    ``AS`` (a ``BIND`` or a subquery's projection) are left alone; callers add the
    ``VALUES`` block as well, so projected variables stay bound.
    """
    code = blanked(sparql)
    where = _WHERE.search(code)
    start = code.find("{", where.end() if where else 0)
    if start < 0 or not values:
        return sparql
    terms = {variable_name(name): term for name, term in values.items()}
    names = "|".join(re.escape(name) for name in terms)
    pattern = re.compile(rf"(?<![\w?$])[?$]({names})(?![\w])")
    assigned = re.compile(r"AS\s*$", re.IGNORECASE)
    pieces: list[str] = [sparql[:start]]
    position = start
    for match in pattern.finditer(code, start):
        if assigned.search(code, 0, match.start()):
            continue
        pieces.append(sparql[position : match.start()])
        pieces.append(terms[match.group(1)])
        position = match.end()
    pieces.append(sparql[position:])
    return "".join(pieces)


def refuse_federation(sparql: str) -> None:
    """Raise ``QueryError`` (``query.service_refused``) if the query uses SERVICE."""
    if _SERVICE.search(code_tokens(sparql)):
        msg = (
            "federated queries (SERVICE) are not allowed: Commensura answers from its own "
            "store only and never calls other endpoints"
        )
        raise ServiceRefusedError(msg)


MAX_NESTING = 100
"""Deepest nesting of brackets (``{``, ``(``, ``[``) a query may have (the engine recurses)."""

_OPEN, _CLOSE = frozenset("{(["), frozenset("})]")


def nesting_depth(sparql: str) -> int:
    """How deep the query's brackets nest, strings, IRIs and comments left out."""
    depth = deepest = 0
    for char in code_tokens(sparql):
        if char in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif char in _CLOSE:
            depth = max(depth - 1, 0)
    return deepest


def check_size(sparql: str, max_bytes: int) -> None:
    """Refuse a query the engine could not parse safely: too long (413) or nested too deep (400).

    Oxigraph parses, plans and evaluates queries recursively, on the stack of the
    thread that runs them; a long chain (thousands of ``BIND`` or ``MINUS``) or a deep
    nesting overflows it and ends the process. Queries from outside run on threads with a
    ``WORKER_STACK_BYTES`` stack (``run_on_large_stack``); these limits keep far below
    what it holds.
    """
    size = len(sparql.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        msg = (
            f"the query is {size:,} bytes long, more than the {max_bytes:,} a query may "
            "have: shorten it (a long VALUES block can often be split into several queries)"
        )
        raise PayloadTooLargeError(msg, details={"limit_bytes": max_bytes, "bytes": size})
    depth = nesting_depth(sparql)
    if depth > MAX_NESTING:
        msg = (
            f"the query nests brackets {depth} levels deep, more than the {MAX_NESTING} a "
            "query may have: flatten the query (a group of patterns needs no extra brackets)"
        )
        raise QueryError(msg, details={"depth": depth, "limit": MAX_NESTING})


WORKER_STACK_BYTES = 256 * 1024 * 1024
"""Stack of a thread that runs a query from outside. Oxigraph parses and evaluates
recursively on the calling thread's stack, and overflowing it ends the process: with the
default 8 MiB, a query of a few thousand ``BIND`` or ``MINUS`` clauses is enough. The
stack is reserved address space, committed only as it is used."""

T = TypeVar("T")


def start_large_stack_thread(target: Callable[[], None], name: str) -> threading.Thread:
    """Start ``target`` on a daemon thread with a ``WORKER_STACK_BYTES`` stack."""
    previous = threading.stack_size(WORKER_STACK_BYTES)
    try:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
    finally:
        threading.stack_size(previous)
    return thread


def run_on_large_stack(work: Callable[[], T]) -> T:
    """Run ``work`` on a thread with a ``WORKER_STACK_BYTES`` stack; return or raise its outcome."""
    outcome: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # handed back to the caller
            failure.append(error)

    start_large_stack_thread(target, "commensura-query").join()
    if failure:
        raise failure[0]
    return outcome[0]

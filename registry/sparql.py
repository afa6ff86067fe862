"""Checks on SPARQL text made before any engine sees it.

The embedded engine follows ``SERVICE`` clauses over HTTP and cannot be told
not to; Commensura never reaches the network at run time, so federated queries
are refused here, by looking at the query's tokens (strings, IRIs and comments
cannot hide or fake the keyword).
"""

from __future__ import annotations

import re

from registry.errors import ServiceRefusedError

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


def _unescape(text: str) -> str:
    """Apply SPARQL codepoint escapes, which the grammar reads before anything else."""

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _CODEPOINT.sub(replace, text)


def code_tokens(sparql: str) -> str:
    """The query text with strings, IRIs and comments blanked out."""
    return _NOT_CODE.sub(" ", _unescape(sparql))


def refuse_federation(sparql: str) -> None:
    """Raise ``QueryError`` (``query.service_refused``) if the query uses SERVICE."""
    if _SERVICE.search(code_tokens(sparql)):
        msg = (
            "federated queries (SERVICE) are not allowed: Commensura answers from its own "
            "store only and never calls other endpoints"
        )
        raise ServiceRefusedError(msg)

"""Organisations and their tokens.

An organisation (a city's statistics office, a national office, the Migration
Policy Group) writes into its own named graph, ``partner/<slug>``, and may mint
resources under ``https://w3id.org/commensura/id/partner/<slug>/``. A token names
one organisation; it is shown once, when created, and only its SHA-256 digest is
kept, in a SQLite file beside the store (never in the store, so no SPARQL query
can read it).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib import URIRef

from registry import graphs
from registry.errors import (
    AuthenticationError,
    DuplicateError,
    InputError,
    NotFoundError,
    StoreError,
)
from registry.ids import ID_BASE

TOKEN_PREFIX = "cmt_"  # noqa: S105 - a prefix that makes tokens recognisable, not a secret
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS organisation (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS token (
    id TEXT PRIMARY KEY,
    organisation TEXT NOT NULL REFERENCES organisation(slug),
    digest TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    revoked TEXT
);
"""


@dataclass(frozen=True)
class Organisation:
    slug: str
    name: str
    created: str

    @property
    def graph(self) -> URIRef:
        return graphs.partner(self.slug)

    @property
    def namespace(self) -> str:
        """The IRIs this organisation may mint: ``.../id/partner/<slug>/``."""
        return f"{ID_BASE}partner/{self.slug}/"

    @property
    def iri(self) -> URIRef:
        return URIRef(f"{ID_BASE}org/{self.slug}")


@dataclass(frozen=True)
class TokenInfo:
    id: str
    organisation: str
    created: str
    revoked: str | None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Organisations:
    """The organisations and tokens kept in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=10)) as db:
                db.executescript(_SCHEMA)
                with db:
                    yield db
        except sqlite3.Error as exc:
            msg = f"the organisations file {self.path} could not be used: {exc}"
            raise StoreError(msg) from exc

    def add(self, slug: str, name: str) -> Organisation:
        if not _SLUG.fullmatch(slug):
            msg = (
                f"{slug!r} cannot name an organisation: use 2 to 63 lower-case letters, digits "
                "and hyphens, starting with a letter or digit (e.g. amsterdam-os)"
            )
            raise InputError(msg, details={"slug": slug})
        if not name.strip():
            raise InputError("give the organisation a name (e.g. --name 'City of Amsterdam')")
        with self._db() as db:
            if db.execute("SELECT 1 FROM organisation WHERE slug = ?", (slug,)).fetchone():
                msg = f"an organisation {slug!r} exists already"
                raise DuplicateError(msg, details={"slug": slug})
            created = _now()
            db.execute("INSERT INTO organisation VALUES (?, ?, ?)", (slug, name.strip(), created))
        return Organisation(slug, name.strip(), created)

    def get(self, slug: str) -> Organisation:
        with self._db() as db:
            row = db.execute(
                "SELECT slug, name, created FROM organisation WHERE slug = ?", (slug,)
            ).fetchone()
        if row is None:
            msg = f"no organisation {slug!r}: add it first with `commensura org add {slug}`"
            raise NotFoundError(msg, details={"slug": slug})
        return Organisation(*row)

    def all(self) -> list[Organisation]:
        with self._db() as db:
            rows = db.execute(
                "SELECT slug, name, created FROM organisation ORDER BY slug"
            ).fetchall()
        return [Organisation(*row) for row in rows]

    def create_token(self, slug: str) -> tuple[TokenInfo, str]:
        """A new token for ``slug``: its record, and the secret, to be shown once."""
        self.get(slug)
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        info = TokenInfo(secrets.token_hex(4), slug, _now(), None)
        with self._db() as db:
            db.execute(
                "INSERT INTO token VALUES (?, ?, ?, ?, NULL)",
                (info.id, slug, _digest(secret), info.created),
            )
        return info, secret

    def tokens(self, slug: str | None = None) -> list[TokenInfo]:
        query = "SELECT id, organisation, created, revoked FROM token"
        args: tuple[str, ...] = ()
        if slug is not None:
            query += " WHERE organisation = ?"
            args = (slug,)
        with self._db() as db:
            rows = db.execute(query + " ORDER BY created, id", args).fetchall()
        return [TokenInfo(*row) for row in rows]

    def revoke(self, token_id: str) -> TokenInfo:
        with self._db() as db:
            row = db.execute(
                "SELECT id, organisation, created, revoked FROM token WHERE id = ?", (token_id,)
            ).fetchone()
            if row is None:
                msg = f"no token with id {token_id!r} (see `commensura token list`)"
                raise NotFoundError(msg, details={"token": token_id})
            if row[3] is None:
                db.execute("UPDATE token SET revoked = ? WHERE id = ?", (_now(), token_id))
        return TokenInfo(row[0], row[1], row[2], row[3] or _now())

    def authenticate(self, secret: str | None) -> Organisation:
        """The organisation a token belongs to; ``AuthenticationError`` otherwise."""
        if not secret:
            msg = "this needs a token: send it as 'Authorization: Bearer <token>'"
            raise AuthenticationError(msg)
        with self._db() as db:
            row = db.execute(
                "SELECT o.slug, o.name, o.created, t.revoked FROM token t "
                "JOIN organisation o ON o.slug = t.organisation WHERE t.digest = ?",
                (_digest(secret.strip()),),
            ).fetchone()
        if row is None or row[3] is not None:
            msg = "the token is not valid (unknown or revoked): ask for a new one"
            raise AuthenticationError(msg)
        return Organisation(row[0], row[1], row[2])

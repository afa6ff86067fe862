"""The IRIs Commensura mints for the things it describes.

Curated content and importers name the same place with the same IRI, so that the
facts a maintainer writes about Vienna and the facts read from Eurostat's code
lists meet in the union default graph. Every IRI below lives under
``https://w3id.org/commensura/id/``.
"""

from __future__ import annotations

import re

from rdflib import URIRef

from registry.errors import InputError

ID_BASE = "https://w3id.org/commensura/id/"

_CODE = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
NUTS_VINTAGES = (2016, 2021, 2024)


def _code(kind: str, code: str) -> str:
    if not _CODE.fullmatch(code):
        msg = f"{code!r} is not a valid {kind} code: use letters, digits, '-' or '_' only"
        raise InputError(msg, details={"kind": kind, "code": code})
    return code


def _slug(kind: str, slug: str) -> str:
    if not _SLUG.fullmatch(slug):
        msg = f"{slug!r} cannot name a {kind}: use lower-case letters, digits and hyphens"
        raise InputError(msg, details={"kind": kind, "slug": slug})
    return slug


def country(code: str) -> URIRef:
    """A country, by its Eurostat code (``EL`` for Greece, ``UK`` for the United Kingdom)."""
    return URIRef(f"{ID_BASE}place/country/{_code('country', code)}")


def nuts(vintage: int, code: str) -> URIRef:
    """A region of one NUTS version: ``nuts(2021, "NL329")`` is not ``nuts(2024, "NL32B")``."""
    if vintage not in NUTS_VINTAGES:
        msg = f"NUTS {vintage} is not a version Commensura knows: use one of {NUTS_VINTAGES}"
        raise InputError(msg, details={"vintage": vintage})
    return URIRef(f"{ID_BASE}place/nuts-{vintage}/{_code('NUTS', code)}")


def lau(country_code: str, code: str) -> URIRef:
    """A local administrative unit of the 2018 list; LAU codes are unique within a country."""
    return URIRef(f"{ID_BASE}place/lau-2018/{_code('country', country_code)}/{_code('LAU', code)}")


def urban_audit(code: str) -> URIRef:
    """An Urban Audit city, greater city or functional urban area, by its code.

    Entries of the 2017 list keep their versioned code (``AT001C1``); a 2020-scheme
    code gets an IRI of its own only when it is not the same place as a 2017 entry.
    """
    return URIRef(f"{ID_BASE}place/urban-audit/{_code('Urban Audit', code)}")


def dataset(slug: str) -> URIRef:
    """A dataset Commensura describes, such as an imported code list."""
    return URIRef(f"{ID_BASE}dataset/{_slug('dataset', slug)}")


def org(slug: str) -> URIRef:
    """An organisation: a publisher, a city's statistics office, a partner."""
    return URIRef(f"{ID_BASE}org/{_slug('organisation', slug)}")


def activity(kind: str, token: str) -> URIRef:
    """One run of an activity (an import, a submission), by a unique token."""
    return URIRef(f"{ID_BASE}{_slug('activity kind', kind)}/{_code('activity', token)}")


def file(sha256: str) -> URIRef:
    """A source file, named by the SHA-256 digest of its bytes."""
    return URIRef(f"{ID_BASE}file/sha256-{_code('digest', sha256)}")


SOFTWARE = URIRef(f"{ID_BASE}agent/commensura")
"""Commensura itself, the software agent of imports and builds."""

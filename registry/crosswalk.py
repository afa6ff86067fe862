"""Crosswalks between place codes: one place, however a dataset codes it.

Places carry their codes as typed notations (``"FI001C"^^cm:UrbanAudit2020Code``,
``"NL32B"^^cm:NUTS2024Code``, ``"091"^^cm:LAU2018Code``); versions are linked with
``dct:replaces`` / ``dct:isReplacedBy`` (NUTS 2016 -> 2021 -> 2024, Urban Audit 2017
-> 2020), an Urban Audit city with the LAU it is made of (``cm:administrativeUnit``),
and the working-group cities with Wikidata (``owl:sameAs``).

:class:`PlaceResolver` turns a dataset's codes into the registry's place IRIs, by
scheme, for importers. :func:`equivalent_places` goes the other way for readers: the
places that stand for the same territory as a given one under another scheme or
version, so that an observation coded in one scheme is found from another.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Literal, URIRef

from registry import ids
from registry.discovery import query_text
from registry.errors import InputError
from registry.namespaces import CM
from registry.store import Store

NOTATION_TYPES: dict[str, URIRef] = {
    "country": CM.EurostatCountryCode,
    "nuts-2016": CM.NUTS2016Code,
    "nuts-2021": CM.NUTS2021Code,
    "nuts-2024": CM.NUTS2024Code,
    "lau-2018": CM.LAU2018Code,
    "urban-audit-2017": CM.UrbanAudit2017Code,
    "urban-audit-2020": CM.UrbanAudit2020Code,
}
"""The code schemes the registry's place registries carry, by name."""

LAU_NAME = "lau-2018-name"
"""LAU 2018 by name within a country, for files that name municipalities without codes."""
WIKIDATA = "wikidata"
EUROSTAT_GEO = "eurostat-geo"
"""Eurostat's ``geo`` dimension: a country code, or a NUTS code of a given version."""

SCHEMES = (*NOTATION_TYPES, LAU_NAME, WIKIDATA, EUROSTAT_GEO)

_WIKIDATA_ITEM = re.compile(r"^Q[1-9][0-9]*$")
_LAU_WIDTH = {"DE": 8, "ES": 5, "FI": 3, "IT": 6, "SE": 4}
"""LAU codes that are fixed-width numbers, written without leading zeros by some files."""


def check_scheme(scheme: str) -> str:
    if scheme not in SCHEMES:
        msg = f"{scheme!r} is not a place code scheme Commensura knows: use one of {SCHEMES}"
        raise InputError(msg, details={"scheme": scheme, "schemes": list(SCHEMES)})
    return scheme


@dataclass
class PlaceResolver:
    """Codes to place IRIs, by scheme, from the place registries in a store.

    Each scheme's notations are read once (a few thousand rows) and kept.
    """

    store: Store

    def __post_init__(self) -> None:
        self._notations: dict[str, dict[str, URIRef]] = {}
        self._cities: dict[URIRef, URIRef] | None = None

    def _table(self, scheme: str) -> dict[str, URIRef]:
        found = self._notations.get(scheme)
        if found is None:
            rows = self.store.select(
                query_text("place-notations"), bindings={"datatype": NOTATION_TYPES[scheme]}
            )
            found = {}
            for place, code in rows:
                if isinstance(place, URIRef) and code is not None:
                    key = str(code)
                    if scheme == "lau-2018":
                        key = f"{_country_of_lau(place)}/{key}"
                    found.setdefault(key, place)
            self._notations[scheme] = found
        return found

    def _city_of_unit(self) -> dict[URIRef, URIRef]:
        if self._cities is None:
            pairs: dict[URIRef, list[URIRef]] = {}
            for city, unit in self.store.select(query_text("city-units")):
                if isinstance(city, URIRef) and isinstance(unit, URIRef):
                    pairs.setdefault(unit, []).append(city)
            self._cities = {unit: cities[0] for unit, cities in pairs.items() if len(cities) == 1}
        return self._cities

    def resolve(
        self,
        scheme: str,
        codes: Iterable[str],
        *,
        country: str | None = None,
        nuts_vintage: int = 2024,
        prefer_city: bool = False,
    ) -> dict[str, URIRef]:
        """The place of each code that the scheme knows; unknown codes are left out.

        ``country`` is needed for LAU codes (unique within a country only).
        ``prefer_city`` names a LAU by the Urban Audit city made of it alone, when there
        is one (Helsinki's municipality 091 is the city FI001C2).
        """
        check_scheme(scheme)
        wanted = {c.strip() for c in codes if c and c.strip()}
        out: dict[str, URIRef] = {}
        if scheme == WIKIDATA:
            table = self._table_wikidata()
            return {c: table[c] for c in wanted if c in table}
        if scheme == LAU_NAME:
            if country is None:
                msg = "LAU names are looked up within a country: give the country"
                raise InputError(msg, details={"scheme": scheme})
            names = self._lau_names(country)
            cities = self._city_of_unit() if prefer_city else {}
            for c in wanted:
                place = names.get(normalise_name(c))
                if place is not None:
                    out[c] = cities.get(place, place)
            return out
        if scheme == EUROSTAT_GEO:
            countries = self._table("country")
            nuts = self._table(f"nuts-{nuts_vintage}")
            for c in wanted:
                place = countries.get(c) if len(c) == 2 else nuts.get(c)
                if place is not None:
                    out[c] = place
            return out
        if len(wanted) <= 8 and scheme in NOTATION_TYPES and scheme != "lau-2018":
            # A few codes (a mapping's constants): look each up by its typed notation.
            for c in wanted:
                rows = self.store.select(
                    query_text("place-by-notation"),
                    bindings={"code": Literal(c, datatype=NOTATION_TYPES[scheme])},
                )
                found = [p for (p,) in rows if isinstance(p, URIRef)]
                if found:
                    out[c] = found[0]
            if len(out) == len(wanted) or not scheme.startswith("urban-audit"):
                return out
        table = self._table(scheme)
        if scheme.startswith("urban-audit"):
            # Eurostat's city tables give national totals in the same dimension.
            table = {**self._table("country"), **table}
        cities = self._city_of_unit() if prefer_city else {}
        for c in wanted:
            key = c
            if scheme == "lau-2018":
                if country is None:
                    msg = "LAU codes are unique only within a country: give the country"
                    raise InputError(msg, details={"scheme": scheme})
                width = _LAU_WIDTH.get(country)
                number = c.upper().removeprefix("KU") if country == "FI" else c
                if width is not None and number.isdigit():
                    number = number.zfill(width)
                key = f"{country}/{number}"
            place = table.get(key)
            if place is not None:
                out[c] = cities.get(place, place)
        return out

    def _lau_names(self, country: str) -> dict[str, URIRef]:
        key = f"{LAU_NAME}/{country}"
        found = self._notations.get(key)
        if found is None:
            counts: dict[str, list[URIRef]] = {}
            prefix = f"{ids.ID_BASE}place/lau-2018/{country}/"
            for place, label in self.store.select(query_text("lau-names")):
                if isinstance(place, URIRef) and str(place).startswith(prefix) and label:
                    counts.setdefault(normalise_name(str(label)), []).append(place)
            # A name two units share in the country is no way to tell them apart.
            found = {n: ps[0] for n, ps in counts.items() if len(set(ps)) == 1}
            self._notations[key] = found
        return found

    def _table_wikidata(self) -> dict[str, URIRef]:
        found = self._notations.get(WIKIDATA)
        if found is None:
            found = {}
            for place, item in self.store.select(query_text("wikidata-places")):
                if isinstance(place, URIRef) and isinstance(item, URIRef):
                    code = str(item).rsplit("/", 1)[-1]
                    if _WIKIDATA_ITEM.fullmatch(code):
                        found.setdefault(code, place)
            self._notations[WIKIDATA] = found
        return found


def normalise_name(name: str) -> str:
    """A name folded for matching: no accents, no case, words separated by one space."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(re.findall(r"\w+", plain))


def _country_of_lau(place: URIRef) -> str:
    # id/place/lau-2018/<country>/<code>
    parts = str(place).removeprefix(f"{ids.ID_BASE}place/lau-2018/").split("/")
    return parts[0] if len(parts) == 2 else ""


def equivalent_places(store: Store, place: URIRef) -> list[URIRef]:
    """``place`` and the places standing for the same territory in other schemes.

    Followed both ways and transitively: versions (``dct:replaces``), the LAU an Urban
    Audit city is made of (``cm:administrativeUnit``) and ``owl:sameAs``. The place
    itself comes first; the others in IRI order.
    """
    rows = store.select(query_text("place-equivalents"), bindings={"place": place})
    others = sorted({p for (p,) in rows if isinstance(p, URIRef) and p != place}, key=str)
    return [place, *others]

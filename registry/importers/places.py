"""Place registries from Eurostat's code lists: NUTS 2016, 2021 and 2024, LAU 2018,
and the Urban Audit lists of 2017 and 2020.

Each NUTS version is a set of versioned places (``place/nuts-2021/NL329`` is not
``place/nuts-2024/NL32B``) linked to the next version with ``dct:isReplacedBy`` and
``dct:replaces``. NUTS codes change whenever a region's boundary changes, so a code
found in both versions is the same region; a code that disappears is linked to the
new code of the same country and level that carries the same name (NL329
Groot-Amsterdam becomes NL32B Groot-Amsterdam), and left without a successor when
there is none or more than one.

Urban Audit cities are linked to the LAU they are made of by name, within their
country: the exact name, or the LAU's name with a qualifier ("Klagenfurt am
Wörthersee", "München, Landeshauptstadt"), when exactly one LAU matches.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from registry import ids
from registry.crosswalk import normalise_name
from registry.importers.base import ImportContext, Importer, read_table
from registry.namespaces import CM, SCHEMA
from registry.vocabularies import GEOGRAPHY_LEVEL

NUTS_2016_FILE = "lau_2018_nuts_2016/nuts-2016.tsv"
NUTS_2021_FILE = "nuts_2021_gisco/NUTS_AT_2021.csv"
NUTS_2024_FILE = "nuts_2024_codelist/NUTS2021-NUTS2024.csv"
LAU_2018_FILE = "lau_2018_nuts_2016/lau-2018.tsv"
UA_2017_FILE = "urban_audit_codes_2017/regions.csv"
UA_2020_FILES = (
    "eurostat_urb_cpopcb_cpop1_linear/urb_cpop1_page_linear_2_0.csv",
    "eurostat_urb_cpopcb_cpop1_linear/urb_cpopcb_page_linear_2_0.csv",
)

NUTS_CODE = re.compile(r"^[A-Z]{2}[A-Z0-9]{0,3}$")
LAU_CODE = re.compile(r"^[A-Za-z0-9]{1,16}$")
UA_2017_CODE = re.compile(r"^([A-Z]{2})(\d{3})([CKLT])(\d)$")
UA_2020_CODE = re.compile(r"^([A-Z]{2})(\d{3})([CK])$")

NUTS_LEVELS = {
    1: GEOGRAPHY_LEVEL.nuts1,
    2: GEOGRAPHY_LEVEL.nuts2,
    3: GEOGRAPHY_LEVEL.nuts3,
}
NOTATION = {2016: CM.NUTS2016Code, 2021: CM.NUTS2021Code, 2024: CM.NUTS2024Code}

LAU_WIDTH = {"DE": 8, "ES": 5, "FI": 3, "IT": 6, "SE": 4}
"""Countries whose LAU codes are fixed-width numbers that lost their leading zeros in
the 2018 list as published in tab-separated form (Helsinki 91 is 091)."""

GREATER_CITY_SUFFIX = re.compile(r"\s*\(greater city\)\s*$", re.IGNORECASE)


def name_variants(name: str) -> list[str]:
    """The normalised forms of a bilingual name such as "Helsinki / Helsingfors"."""
    parts = [name, *re.split(r"\s*/\s*", name)]
    seen: list[str] = []
    for part in parts:
        norm = normalise_name(part)
        if norm and norm not in seen:
            seen.append(norm)
    return seen


def lau_code(country: str, code: str) -> str:
    """The LAU code in its national form, with the leading zeros the list lost."""
    width = LAU_WIDTH.get(country)
    if width is not None and code.isdigit():
        return code.zfill(width)
    return code


PLACE = CM.Place
PREF_LABEL = SKOS.prefLabel
ALT_LABEL = SKOS.altLabel
NOTATION_P = SKOS.notation
LEVEL = CM.geographyLevel
CONTAINED_IN = SCHEMA.containedInPlace


def add_place(
    ctx: ImportContext,
    iri: URIRef,
    *,
    name: str,
    notation: str,
    datatype: URIRef,
    level: URIRef,
    other_name: str = "",
) -> None:
    ctx.add(iri, RDF.type, PLACE)
    ctx.add_text(iri, PREF_LABEL, name)
    if other_name and other_name not in {name, "-"}:
        ctx.add_text(iri, ALT_LABEL, other_name)
    ctx.add_text(iri, NOTATION_P, notation, datatype)
    ctx.add(iri, LEVEL, level)


# -- NUTS ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    code: str
    country: str
    name: str
    latin_name: str

    @property
    def level(self) -> int:
        return len(self.code) - 2


def _regions(
    ctx: ImportContext | None, rows: list[tuple[str, str, str, str]], *, label: str
) -> list[Region]:
    regions: list[Region] = []
    seen: set[str] = set()
    for number, (code, country, name, latin) in enumerate(rows, start=2):
        where = f"{label} line {number}"
        if ctx is not None:
            ctx.rows_read += 1
            ctx.tick(number - 1, len(rows))
        problem = ""
        if not code and not name:
            problem = "empty row"
        elif not NUTS_CODE.fullmatch(code):
            problem = f"{code!r} is not a NUTS code"
        elif not code.startswith(country):
            problem = f"code {code} does not start with its country code {country!r}"
        elif not name:
            problem = f"{code} has no name"
        elif code in seen:
            problem = f"{code} appears twice"
        if problem:
            if ctx is not None and problem != "empty row":
                ctx.reject(where, problem)
            elif ctx is not None:
                ctx.rows_read -= 1
            continue
        seen.add(code)
        regions.append(Region(code, country, name, latin))
    return regions


def read_nuts_2016(source: Path, ctx: ImportContext | None) -> list[Region]:
    frame = read_table(source, NUTS_2016_FILE, ["nuts-2016", "country", "name"], sep="\t")
    rows = list(
        zip(frame["nuts-2016"], frame["country"], frame["name"], [""] * len(frame), strict=True)
    )
    return _regions(ctx, rows, label=NUTS_2016_FILE)


def read_nuts_2021(source: Path, ctx: ImportContext | None) -> list[Region]:
    frame = read_table(source, NUTS_2021_FILE, ["CNTR_CODE", "NUTS_ID", "NUTS_NAME", "NAME_LATN"])
    frame = frame.sort_values("NUTS_ID", kind="stable")
    rows = list(
        zip(
            frame["NUTS_ID"],
            frame["CNTR_CODE"],
            frame["NUTS_NAME"],
            frame["NAME_LATN"],
            strict=True,
        )
    )
    return _regions(ctx, rows, label=NUTS_2021_FILE)


def read_nuts_2024(source: Path, ctx: ImportContext | None) -> list[Region]:
    frame = read_table(
        source,
        NUTS_2024_FILE,
        ["Country code", "NUTS Code", "NUTS label"],
        sep=";",
        encoding="utf-8-sig",
    )
    frame = frame[(frame["NUTS Code"] != "") | (frame["NUTS label"] != "")]
    rows = list(
        zip(
            frame["NUTS Code"],
            frame["Country code"],
            frame["NUTS label"],
            [""] * len(frame),
            strict=True,
        )
    )
    return _regions(ctx, rows, label=NUTS_2024_FILE)


READERS = {2016: read_nuts_2016, 2021: read_nuts_2021, 2024: read_nuts_2024}
FILES = {2016: NUTS_2016_FILE, 2021: NUTS_2021_FILE, 2024: NUTS_2024_FILE}


def successors(old: list[Region], new: list[Region]) -> dict[str, str]:
    """For each old code, the code of the region that takes its place in the new version."""
    new_codes = {r.code for r in new}
    old_codes = {r.code for r in old}
    fresh: dict[tuple[str, int, str], list[str]] = defaultdict(list)
    for region in new:
        if region.code not in old_codes:
            for variant in {normalise_name(region.name), normalise_name(region.latin_name)} - {""}:
                fresh[(region.country, region.level, variant)].append(region.code)
    links: dict[str, str] = {}
    for region in old:
        if region.level == 0:
            continue
        if region.code in new_codes:
            links[region.code] = region.code
            continue
        candidates = {
            code
            for variant in {normalise_name(region.name), normalise_name(region.latin_name)} - {""}
            for code in fresh.get((region.country, region.level, variant), [])
        }
        if len(candidates) == 1:
            links[region.code] = candidates.pop()
    return links


class NutsImporter(Importer):
    """One version of the NUTS classification, linked to the version before it."""

    vintage: ClassVar[int]
    previous: ClassVar[int | None] = None
    landing_page = URIRef("https://ec.europa.eu/eurostat/web/nuts")

    def read(self, ctx: ImportContext) -> None:
        regions = READERS[self.vintage](ctx.source, ctx)
        notation = NOTATION[self.vintage]
        countries = 0
        for region in regions:
            if region.level == 0:
                if self.vintage == 2021:
                    countries += 1
                    add_place(
                        ctx,
                        ids.country(region.code),
                        name=region.name,
                        other_name=region.latin_name,
                        notation=region.code,
                        datatype=CM.EurostatCountryCode,
                        level=GEOGRAPHY_LEVEL.country,
                    )
                continue
            iri = ids.nuts(self.vintage, region.code)
            add_place(
                ctx,
                iri,
                name=region.name,
                other_name=region.latin_name,
                notation=region.code,
                datatype=notation,
                level=NUTS_LEVELS[region.level],
            )
            parent = (
                ids.country(region.country)
                if region.level == 1
                else ids.nuts(self.vintage, region.code[:-1])
            )
            ctx.add(iri, SCHEMA.containedInPlace, parent)
        levels = Counter(r.level for r in regions if r.level > 0)
        ctx.note(
            f"NUTS {self.vintage}: "
            + ", ".join(f"{n:,} NUTS-{lvl} regions" for lvl, n in sorted(levels.items()))
            + (f", {countries} countries" if countries else "")
        )
        if self.previous is not None:
            self._link(ctx, regions, self.previous)

    def _link(self, ctx: ImportContext, regions: list[Region], previous: int) -> None:
        if not (ctx.source / FILES[previous]).is_file():
            ctx.note(f"not linked to NUTS {previous}: {FILES[previous]} not found")
            return
        old = READERS[previous](ctx.source, None)
        links = successors(old, regions)
        recoded = 0
        for old_code, new_code in sorted(links.items()):
            before, after = ids.nuts(previous, old_code), ids.nuts(self.vintage, new_code)
            ctx.add(before, DCTERMS.isReplacedBy, after)
            ctx.add(after, DCTERMS.replaces, before)
            recoded += old_code != new_code
        covered = {r.country for r in regions}
        ended = sum(1 for r in old if r.level > 0 and r.country in covered) - len(links)
        outside = sorted({r.country for r in old} - covered)
        ctx.note(
            f"linked to NUTS {previous}: {len(links) - recoded:,} codes kept, "
            f"{recoded:,} recoded under the same name, {ended:,} without a successor"
            + (f"; countries not in this list: {', '.join(outside)}" if outside else "")
        )


class Nuts2016Importer(NutsImporter):
    slug = "nuts-2016"
    vintage = 2016
    title = "NUTS 2016 regions"
    description = (
        "The regions of the 2016 version of the NUTS classification (levels 1 to 3), from "
        "Eurostat's list that accompanies the LAU 2018 correspondence table."
    )
    files = (NUTS_2016_FILE,)


class Nuts2021Importer(NutsImporter):
    slug = "nuts-2021"
    vintage = 2021
    previous = 2016
    title = "NUTS 2021 regions and countries"
    description = (
        "The countries and regions of the 2021 version of the NUTS classification, from the "
        "GISCO NUTS 2021 attribute table, linked to the 2016 version."
    )
    rights = "© EuroGeographics for the administrative boundaries."
    files = (NUTS_2021_FILE,)
    optional_files = (NUTS_2016_FILE,)


class Nuts2024Importer(NutsImporter):
    slug = "nuts-2024"
    vintage = 2024
    previous = 2021
    title = "NUTS 2024 regions"
    description = (
        "The regions of the 2024 version of the NUTS classification, from Eurostat's "
        "NUTS 2021-2024 workbook, linked to the 2021 version (e.g. NL329 to NL32B)."
    )
    files = (NUTS_2024_FILE,)
    optional_files = (NUTS_2021_FILE,)


# -- LAU ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Lau:
    country: str
    code: str
    name: str
    latin_name: str
    nuts3: str
    """The NUTS 2016 region of the LAU: level 3, or a higher level where the list gives one."""


def read_lau(source: Path, ctx: ImportContext | None) -> list[Lau]:
    frame = read_table(
        source, LAU_2018_FILE, ["lau-2018", "nuts-2016", "name", "name-latin"], sep="\t"
    )
    units: list[Lau] = []
    seen: set[tuple[str, str]] = set()
    total = len(frame)
    for number, (code, nuts3, name, latin) in enumerate(
        zip(frame["lau-2018"], frame["nuts-2016"], frame["name"], frame["name-latin"], strict=True),
        start=2,
    ):
        if ctx is not None:
            ctx.rows_read += 1
            ctx.tick(number - 1, total)
        problem = ""
        if not NUTS_CODE.fullmatch(nuts3) or len(nuts3) < 3:
            problem = f"LAU {code!r} has no NUTS region ({nuts3!r}), so its country is unknown"
        elif not LAU_CODE.fullmatch(code):
            problem = f"{code!r} is not a LAU code"
        elif not name:
            problem = f"LAU {code} has no name"
        else:
            country = nuts3[:2]
            code = lau_code(country, code)
            if (country, code) in seen:
                problem = f"LAU {country} {code} appears twice"
        if problem:
            if ctx is not None:
                ctx.reject(f"{LAU_2018_FILE} line {number}", problem)
            continue
        seen.add((country, code))
        units.append(Lau(country, code, name, latin if latin != "-" else "", nuts3))
    return units


class Lau2018Importer(Importer):
    slug = "lau-2018"
    title = "Local administrative units 2018"
    description = (
        "The local administrative units (municipalities) of Eurostat's LAU 2018 list, each in "
        "its NUTS 2016 level-3 region and its country."
    )
    landing_page = URIRef("https://ec.europa.eu/eurostat/web/nuts/local-administrative-units")
    rights = "© EuroGeographics for the administrative boundaries."
    files = (LAU_2018_FILE,)

    def read(self, ctx: ImportContext) -> None:
        units = read_lau(ctx.source, ctx)
        datatype, level = CM.LAU2018Code, GEOGRAPHY_LEVEL.lau
        for unit in units:
            iri = ids.lau(unit.country, unit.code)
            add_place(
                ctx,
                iri,
                name=unit.name,
                other_name=unit.latin_name,
                notation=unit.code,
                datatype=datatype,
                level=level,
            )
            ctx.add(iri, CONTAINED_IN, ids.nuts(2016, unit.nuts3))
            ctx.add(iri, CONTAINED_IN, ids.country(unit.country))
        padded = sum(1 for u in units if u.country in LAU_WIDTH)
        ctx.note(
            f"{len(units):,} LAUs in {len({u.country for u in units})} countries; codes of "
            f"{', '.join(sorted(LAU_WIDTH))} ({padded:,} LAUs) written with their leading zeros"
        )


class LauIndex:
    """Find the LAU of a city by its name, within a country."""

    def __init__(self, units: list[Lau]) -> None:
        self._exact: dict[tuple[str, str], set[Lau]] = defaultdict(set)
        self._by_country: dict[str, list[tuple[str, Lau]]] = defaultdict(list)
        for unit in units:
            for name in {unit.name, unit.latin_name} - {""}:
                norm = normalise_name(name)
                self._exact[(unit.country, norm)].add(unit)
                self._by_country[unit.country].append((norm, unit))

    def find(self, country: str, name: str) -> Lau | None:
        variants = name_variants(name)
        exact = {u for v in variants for u in self._exact.get((country, v), set())}
        if len(exact) == 1:
            return exact.pop()
        if exact:
            return None
        qualified = {
            unit
            for v in variants
            for norm, unit in self._by_country.get(country, [])
            if norm.startswith(v + " ")
        }
        return qualified.pop() if len(qualified) == 1 else None


# -- Urban Audit --------------------------------------------------------------------

UA_LEVELS = {
    "C": GEOGRAPHY_LEVEL.city,
    "K": GEOGRAPHY_LEVEL.greaterCity,
    "L": GEOGRAPHY_LEVEL.functionalUrbanArea,
    "T": GEOGRAPHY_LEVEL.functionalUrbanArea,
}


@dataclass(frozen=True)
class UrbanAuditEntry:
    code: str
    name: str

    @property
    def country(self) -> str:
        return self.code[:2]

    @property
    def base(self) -> str:
        """Country and number, shared by a city, its greater city and its FUA."""
        return self.code[:5]

    @property
    def kind(self) -> str:
        return self.code[5]


def read_urban_audit_2017(source: Path, ctx: ImportContext | None) -> list[UrbanAuditEntry]:
    frame = read_table(source, UA_2017_FILE, ["UA_CODE_2017", "NAME"])
    entries: list[UrbanAuditEntry] = []
    seen: set[str] = set()
    for number, (code, name) in enumerate(
        zip(frame["UA_CODE_2017"], frame["NAME"], strict=True), 2
    ):
        if not code and not name:
            continue
        if ctx is not None:
            ctx.rows_read += 1
            ctx.tick(number - 1, len(frame))
        problem = ""
        if not UA_2017_CODE.fullmatch(code):
            problem = f"{code!r} is not an Urban Audit 2017 code"
        elif not name:
            problem = f"{code} has no name"
        elif code in seen:
            problem = f"{code} appears twice"
        if problem:
            if ctx is not None:
                ctx.reject(f"{UA_2017_FILE} line {number}", problem)
            continue
        seen.add(code)
        entries.append(UrbanAuditEntry(code, name))
    return entries


class UrbanAudit2017Importer(Importer):
    slug = "urban-audit-2017"
    title = "Urban Audit cities, greater cities and functional urban areas 2017"
    description = (
        "Eurostat's 2017 list of Urban Audit cities, greater cities and functional urban areas "
        "(annex 5 of the city statistics metadata), each in its country, a city in its greater "
        "city and FUA, and linked by name to its LAU and that LAU's NUTS 2016 region."
    )
    landing_page = URIRef("https://ec.europa.eu/eurostat/cache/metadata/en/urb_esms.htm")
    files = (UA_2017_FILE,)
    optional_files = (LAU_2018_FILE,)

    def read(self, ctx: ImportContext) -> None:
        entries = read_urban_audit_2017(ctx.source, ctx)
        by_base: dict[str, dict[str, UrbanAuditEntry]] = defaultdict(dict)
        for entry in entries:
            by_base[entry.base].setdefault(entry.kind, entry)
        for entry in entries:
            iri = ids.urban_audit(entry.code)
            add_place(
                ctx,
                iri,
                name=entry.name,
                notation=entry.code,
                datatype=CM.UrbanAudit2017Code,
                level=UA_LEVELS[entry.kind],
            )
            ctx.add(iri, SCHEMA.containedInPlace, ids.country(entry.country))
            family = by_base[entry.base]
            wider = {"C": ("K", "L"), "K": ("L",)}.get(entry.kind, ())
            for kind in wider:
                if kind in family:
                    ctx.add(iri, SCHEMA.containedInPlace, ids.urban_audit(family[kind].code))
        kinds = Counter(e.kind for e in entries)
        ctx.note(
            f"{kinds['C']:,} cities, {kinds['K']:,} greater cities, "
            f"{kinds['L'] + kinds['T']:,} functional urban areas"
        )
        self._link_lau(ctx, [e for e in entries if e.kind == "C"])

    @staticmethod
    def _link_lau(ctx: ImportContext, cities: list[UrbanAuditEntry]) -> None:
        if not (ctx.source / LAU_2018_FILE).is_file():
            ctx.note(f"cities not linked to LAUs: {LAU_2018_FILE} not found")
            return
        index = LauIndex(read_lau(ctx.source, None))
        linked = 0
        for city in cities:
            unit = index.find(city.country, city.name)
            if unit is None:
                continue
            linked += 1
            iri = ids.urban_audit(city.code)
            ctx.add(iri, CM.administrativeUnit, ids.lau(unit.country, unit.code))
            ctx.add(iri, SCHEMA.containedInPlace, ids.nuts(2016, unit.nuts3))
        ctx.note(f"{linked:,} of {len(cities):,} cities linked by name to exactly one LAU")


class UrbanAudit2020Importer(Importer):
    slug = "urban-audit-2020"
    title = "Urban Audit city codes of the 2020 scheme"
    description = (
        "The city and greater-city codes of the 2020 Urban Audit scheme as Eurostat's city "
        "statistics tables (urb_cpop1, urb_cpopcb) use them, matched to the 2017 list by code "
        "and name: the same city gets the new code as a second notation; a code the 2020 "
        "scheme gives to another place (NL002C is Alkmaar, NL002C1 was Amsterdam) is a place "
        "of its own."
    )
    landing_page = URIRef("https://ec.europa.eu/eurostat/web/cities/database")
    files = (UA_2020_FILES[0],)
    optional_files = (UA_2020_FILES[1], UA_2017_FILE)

    def read(self, ctx: ImportContext) -> None:
        labels: dict[str, str] = {}
        totals: set[str] = set()
        for name in self.files + self.optional_files[:1]:
            if not (ctx.source / name).is_file():
                ctx.note(f"{name} not found: its codes are not included")
                continue
            frame = read_table(ctx.source, name, ["cities", "Geopolitical entity (declaring)"])
            for number, (code, label) in enumerate(
                zip(frame["cities"], frame["Geopolitical entity (declaring)"], strict=True), 2
            ):
                ctx.rows_read += 1
                ctx.tick(number - 1, len(frame))
                if UA_2020_CODE.fullmatch(code) and label:
                    labels.setdefault(code, label)
                elif re.fullmatch(r"[A-Z]{2}", code):
                    totals.add(code)
                else:
                    ctx.reject(f"{name} line {number}", f"{code!r} is not a city code")
        ctx.note(f"{len(labels):,} city codes; {len(totals)} national totals left out")
        old = (
            read_urban_audit_2017(ctx.source, None) if (ctx.source / UA_2017_FILE).is_file() else []
        )
        if not old:
            ctx.note(f"not matched to the 2017 list: {UA_2017_FILE} not found")
        self._match(ctx, labels, old)

    @staticmethod
    def _match(ctx: ImportContext, labels: dict[str, str], old: list[UrbanAuditEntry]) -> None:
        by_code6 = {e.code[:6]: e for e in old}
        by_name: dict[tuple[str, str, str], list[UrbanAuditEntry]] = defaultdict(list)
        for entry in old:
            for variant in name_variants(entry.name):
                by_name[(entry.country, entry.kind, variant)].append(entry)
        outcome: Counter[str] = Counter()
        for code, label in sorted(labels.items()):
            greater = bool(GREATER_CITY_SUFFIX.search(label)) or code.endswith("K")
            name = GREATER_CITY_SUFFIX.sub("", label)
            variants = name_variants(name)
            same = by_code6.get(code)
            same_place = (
                same is not None
                and bool(set(variants) & set(name_variants(same.name)))
                and (not GREATER_CITY_SUFFIX.search(label) or same.kind == "K")
            )
            if same is not None and same_place:
                ctx.add(
                    ids.urban_audit(same.code),
                    SKOS.notation,
                    Literal(code, datatype=CM.UrbanAudit2020Code),
                )
                outcome["same code, same place"] += 1
                continue
            iri = ids.urban_audit(code)
            add_place(
                ctx,
                iri,
                name=label,
                notation=code,
                datatype=CM.UrbanAudit2020Code,
                level=GEOGRAPHY_LEVEL.greaterCity if greater else GEOGRAPHY_LEVEL.city,
            )
            ctx.add(iri, SCHEMA.containedInPlace, ids.country(code[:2]))
            kinds = ("K", "C") if greater else ("C",)
            predecessor = None
            for kind in kinds:
                found = {e for v in variants for e in by_name.get((code[:2], kind, v), [])}
                if len(found) == 1:
                    predecessor = found.pop()
                    break
            if predecessor is not None:
                before = ids.urban_audit(predecessor.code)
                ctx.add(iri, DCTERMS.replaces, before)
                ctx.add(before, DCTERMS.isReplacedBy, iri)
                outcome["recoded, matched by name"] += 1
            elif same is not None:
                outcome["code of another place in 2017, no match by name"] += 1
            else:
                outcome["not in the 2017 list"] += 1
        if old:
            ctx.note("; ".join(f"{n:,} {what}" for what, n in outcome.most_common()))


PLACE_IMPORTERS: tuple[Importer, ...] = (
    Nuts2016Importer(),
    Nuts2021Importer(),
    Nuts2024Importer(),
    Lau2018Importer(),
    UrbanAudit2017Importer(),
    UrbanAudit2020Importer(),
)
"""The place registries, in the order a build runs them."""

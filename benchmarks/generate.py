"""A deterministic generator of synthetic Commensura registry graphs, written as N-Triples.

The graph has the shape the registry will have in production:

* a fixed registry part: about 30 countries and 1,000 Urban Audit cities
  (``cm:Place``), 30 indicators in six themes, 50 publishers (Eurostat-like
  international bodies, one national statistical institute per country, 15 city
  statistics offices), their data sources, 300 indicator definitions with target
  groups made of atomic criteria (blank nodes), age bands, and the places each
  definition is declared for (``dct:spatial``, the declared "who measures what");
* the bulk: W3C Data Cube observations, 8 triples each (9 when flagged), in one
  dataset per publisher and theme (``dcat:Dataset`` and ``qb:DataSet``).

Only the number of observations depends on the target size, so the registry
part, and every query over it, stays the same from 100 k to 5 M triples. The
output is streamed: nothing but the registry's skeleton is held in memory.

    python -m benchmarks.generate --size 1m --out /tmp/registry-1m.nt

The same seed and size always give the same file, byte for byte, and the file
holds exactly the requested number of triples (no duplicates).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

# -- namespaces (full IRIs) --------------------------------------------------------

CM = "https://w3id.org/commensura/ontology#"
ID = "https://w3id.org/commensura/id/"
VOCAB = "https://w3id.org/commensura/vocab/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
FOAF = "http://xmlns.com/foaf/0.1/"
QB = "http://purl.org/linked-data/cube#"
SDMX_DIMENSION = "http://purl.org/linked-data/sdmx/2009/dimension#"
SDMX_MEASURE = "http://purl.org/linked-data/sdmx/2009/measure#"
SDMX_CODE = "http://purl.org/linked-data/sdmx/2009/code#"
SCHEMA = "https://schema.org/"

DEFAULT_SEED = 20261122
GENERATOR_VERSION = 1
"""Bumped whenever the output for a given seed and size changes (it names cached files)."""
PRESETS: dict[str, int] = {"100k": 100_000, "1m": 1_000_000, "5m": 5_000_000}

CITY_LEVEL = VOCAB + "geography-level/city"
COUNTRY_LEVEL = VOCAB + "geography-level/country"

EXAMPLE_INDICATOR = ID + "indicator/employment-rate"
"""The indicator the discovery queries ask about (defined by several publishers)."""
EXAMPLE_DEFINITION = ID + "definition/001"
"""The definition the CONSTRUCT query fetches: Eurostat's employment rate."""

OBSERVATION_TRIPLES = 8
"""Triples of an unflagged observation; a flagged one has one more."""
_STATUS_SHARE = 0.03
_FIRST_YEAR, _LAST_YEAR = 2000, 2023
_YEARS_PER_PASS = _LAST_YEAR - _FIRST_YEAR + 1


def parse_size(text: str) -> int:
    """A triple count from ``100k``, ``1m``, ``2.5m``, ``5M`` or a plain number."""
    key = text.strip().lower().replace("_", "").replace(",", "")
    if key in PRESETS:
        return PRESETS[key]
    factor = 1
    if key.endswith("k"):
        factor, key = 1_000, key[:-1]
    elif key.endswith("m"):
        factor, key = 1_000_000, key[:-1]
    try:
        value = round(float(key) * factor)
    except ValueError:
        msg = f"{text!r} is not a size: use 100k, 1m, 5m or a number of triples"
        raise ValueError(msg) from None
    if value <= 0:
        msg = f"{text!r} is not a positive size"
        raise ValueError(msg)
    return value


def size_label(triples: int) -> str:
    """``100k``, ``1m``, ``2.5m``: the short name of a triple count."""
    if triples >= 1_000_000 and triples % 100_000 == 0:
        return f"{triples / 1_000_000:g}m"
    if triples >= 1_000 and triples % 1_000 == 0:
        return f"{triples // 1_000}k"
    return str(triples)


# -- the fixed vocabulary of the synthetic registry --------------------------------


@dataclass(frozen=True)
class IndicatorSpec:
    """An abstract indicator and the range its values fall in."""

    slug: str
    label: str
    theme: str
    unit: str
    measure_type: str
    low: float
    high: float


INDICATORS: tuple[IndicatorSpec, ...] = (
    IndicatorSpec("employment-rate", "Employment rate", "employment", "percent", "rate", 40, 85),
    IndicatorSpec("unemployment-rate", "Unemployment rate", "employment", "percent", "rate", 2, 30),
    IndicatorSpec("activity-rate", "Activity rate", "employment", "percent", "rate", 50, 90),
    IndicatorSpec(
        "self-employment-rate", "Self-employment rate", "employment", "percent", "share", 5, 25
    ),
    IndicatorSpec(
        "temporary-employment", "Temporary employment", "employment", "percent", "share", 5, 35
    ),
    IndicatorSpec(
        "part-time-employment", "Part-time work", "employment", "percent", "share", 5, 40
    ),
    IndicatorSpec(
        "long-term-unemployment", "Long-term unemployment", "employment", "percent", "rate", 1, 15
    ),
    IndicatorSpec(
        "over-qualification", "Over-qualification", "employment", "percent", "rate", 10, 50
    ),
    IndicatorSpec(
        "low-educational-attainment",
        "Low educational attainment",
        "education",
        "percent",
        "share",
        10,
        60,
    ),
    IndicatorSpec(
        "tertiary-attainment", "Tertiary attainment", "education", "percent", "share", 15, 60
    ),
    IndicatorSpec(
        "early-leavers", "Early leavers from education", "education", "percent", "rate", 3, 35
    ),
    IndicatorSpec(
        "low-achievers", "Low-achieving 15-year-olds", "education", "percent", "share", 10, 50
    ),
    IndicatorSpec(
        "neet-rate",
        "Young people not in employment, education or training",
        "education",
        "percent",
        "rate",
        5,
        35,
    ),
    IndicatorSpec(
        "adult-learning", "Adult learning participation", "education", "percent", "rate", 2, 30
    ),
    IndicatorSpec(
        "median-net-income", "Median net income", "socialInclusion", "euro", "median", 8000, 35000
    ),
    IndicatorSpec(
        "at-risk-of-poverty", "At-risk-of-poverty rate", "socialInclusion", "percent", "rate", 8, 50
    ),
    IndicatorSpec(
        "arope-rate",
        "At risk of poverty or social exclusion",
        "socialInclusion",
        "percent",
        "rate",
        10,
        60,
    ),
    IndicatorSpec("child-poverty", "Child poverty", "socialInclusion", "percent", "rate", 10, 60),
    IndicatorSpec(
        "in-work-poverty", "In-work poverty", "socialInclusion", "percent", "rate", 4, 35
    ),
    IndicatorSpec(
        "property-ownership", "Property ownership", "socialInclusion", "percent", "share", 10, 80
    ),
    IndicatorSpec(
        "naturalisation-rate",
        "Naturalisation rate",
        "activeCitizenship",
        "per-100",
        "ratio",
        0.5,
        8,
    ),
    IndicatorSpec(
        "long-term-residence",
        "Long-term residence",
        "activeCitizenship",
        "percent",
        "share",
        10,
        80,
    ),
    IndicatorSpec(
        "elected-representatives",
        "Elected representatives",
        "activeCitizenship",
        "percent",
        "share",
        0,
        15,
    ),
    IndicatorSpec("voter-turnout", "Voter turnout", "activeCitizenship", "percent", "rate", 20, 80),
    IndicatorSpec(
        "self-perceived-health", "Self-perceived health", "health", "percent", "share", 50, 85
    ),
    IndicatorSpec(
        "unmet-medical-needs", "Unmet medical needs", "health", "percent", "share", 1, 15
    ),
    IndicatorSpec("life-expectancy", "Life expectancy at birth", "health", "years", "mean", 75, 86),
    IndicatorSpec(
        "housing-cost-overburden", "Housing cost overburden", "housing", "percent", "rate", 5, 45
    ),
    IndicatorSpec("overcrowding-rate", "Overcrowding rate", "housing", "percent", "rate", 5, 50),
    IndicatorSpec(
        "tenancy-share", "Tenants at market price", "housing", "percent", "share", 10, 80
    ),
)

THEMES = ("employment", "education", "socialInclusion", "activeCitizenship", "health", "housing")

# Eurostat country code, name, weight (how many of the cities lie in it).
COUNTRIES: tuple[tuple[str, str, int], ...] = (
    ("DE", "Germany", 125),
    ("FR", "France", 95),
    ("IT", "Italy", 85),
    ("ES", "Spain", 80),
    ("PL", "Poland", 70),
    ("NL", "Netherlands", 45),
    ("RO", "Romania", 40),
    ("EL", "Greece", 35),
    ("BE", "Belgium", 35),
    ("SE", "Sweden", 25),
    ("PT", "Portugal", 25),
    ("CZ", "Czechia", 20),
    ("HU", "Hungary", 20),
    ("BG", "Bulgaria", 20),
    ("AT", "Austria", 15),
    ("CH", "Switzerland", 12),
    ("DK", "Denmark", 10),
    ("FI", "Finland", 10),
    ("SK", "Slovakia", 10),
    ("IE", "Ireland", 8),
    ("HR", "Croatia", 8),
    ("NO", "Norway", 8),
    ("LT", "Lithuania", 6),
    ("LV", "Latvia", 5),
    ("SI", "Slovenia", 4),
    ("EE", "Estonia", 4),
    ("CY", "Cyprus", 3),
    ("MT", "Malta", 3),
    ("LU", "Luxembourg", 2),
    ("IS", "Iceland", 2),
)
CITY_COUNT = 1_000
CITY_OFFICES = 15
DEFINITIONS_PER_INTERNATIONAL = 12
DEFINITIONS_PER_NSI = 5
DEFINITIONS_PER_CITY_OFFICE = 6

INTERNATIONAL = (
    ("eurostat", "Eurostat"),
    ("oecd", "Organisation for Economic Co-operation and Development"),
    ("mpg", "Migration Policy Group"),
    ("jrc", "Joint Research Centre"),
    ("fra", "European Union Agency for Fundamental Rights"),
)

AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("Y15-64", 15, 64),
    ("Y20-64", 20, 64),
    ("Y25-54", 25, 54),
    ("Y25-64", 25, 64),
    ("Y18-24", 18, 24),
    ("Y15-29", 15, 29),
    ("Y_GE18", 18, None),
    ("Y_GE16", 16, None),
)

# Target groups: a label and criteria (basis, values, parent rule, max years of stay).
Criterion = tuple[str, tuple[str, ...], str | None, int | None]
POPULATIONS: tuple[tuple[str, tuple[Criterion, ...]], ...] = (
    ("foreign-born", (("own-country-of-birth", ("foreign",), None, None),)),
    ("non-EU-born", (("own-country-of-birth", ("non-eu27-2020",), None, None),)),
    ("EU-born", (("own-country-of-birth", ("eu27-2020-foreign",), None, None),)),
    ("foreign citizens", (("current-citizenship", ("foreign",), None, None),)),
    ("non-EU citizens", (("current-citizenship", ("non-eu27-2020",), None, None),)),
    (
        "foreign citizens or born abroad",
        (("current-citizenship", ("foreign",), None, None),),
    ),
    (
        "second generation",
        (
            ("own-country-of-birth", ("national",), None, None),
            ("parents-country-of-birth", ("foreign",), "at-least-one-parent", None),
        ),
    ),
    (
        "foreign background",
        (("parents-country-of-birth", ("foreign",), "both-or-only-known-parent", None),),
    ),
    ("foreign-language speakers", (("mother-tongue", ("foreign-language",), None, None),)),
    (
        "beneficiaries of international protection",
        (("protection-status", ("refugee", "subsidiary-protection"), None, None),),
    ),
    (
        "recent immigrants",
        (
            ("own-country-of-birth", ("foreign",), None, None),
            ("duration-of-stay", (), None, 5),
        ),
    ),
)

_SYLLABLES = (
    "ba", "ber", "bur", "ca", "dor", "el", "fen", "gar", "ha", "il", "ka", "lin", "ma", "mon",
    "na", "or", "pa", "ra", "ri", "sa", "sto", "ta", "ul", "va", "ven", "wa", "za", "zo",
)  # fmt: skip
_ENDINGS = ("burg", "stadt", "polis", "grad", "ville", "ona", "ino", "heim", "dorf", "ia", "os")


# -- writing ----------------------------------------------------------------------


def iri(value: str) -> str:
    return f"<{value}>"


def plain(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def english(text: str) -> str:
    return plain(text) + "@en"


def typed(lexical: str, datatype: str) -> str:
    return f'"{lexical}"^^<{datatype}>'


A = iri(RDF_TYPE)
LABEL = iri(RDFS + "label")
PREF_LABEL = iri(SKOS + "prefLabel")
NOTATION = iri(SKOS + "notation")


class NTriplesWriter:
    """Writes triples given as N-Triples term strings, buffered, and counts them."""

    def __init__(self, out: IO[str], buffer_lines: int = 20_000) -> None:
        self._out = out
        self._buffer: list[str] = []
        self._buffer_lines = buffer_lines
        self.count = 0

    def triple(self, subject: str, predicate: str, obj: str) -> None:
        self._buffer.append(f"{subject} {predicate} {obj} .\n")
        self.count += 1
        if len(self._buffer) >= self._buffer_lines:
            self.flush()

    def flush(self) -> None:
        self._out.write("".join(self._buffer))
        self._buffer.clear()


# -- the registry part ---------------------------------------------------------------


@dataclass
class City:
    code: str
    country: str
    iri: str


@dataclass
class Definition:
    number: int
    iri: str
    indicator: IndicatorSpec
    publisher: str
    target_group: str
    reference_group: str
    dataset: str = ""
    declared: list[City] = field(default_factory=list)
    data_cities: list[City] = field(default_factory=list)


@dataclass
class Registry:
    """What the observation phase needs to know about the registry part."""

    cities: list[City]
    definitions: list[Definition]


def _city_counts(total: int) -> list[int]:
    """Cities per country, proportional to the weights (largest remainder)."""
    weight_sum = sum(w for _, _, w in COUNTRIES)
    exact = [total * w / weight_sum for _, _, w in COUNTRIES]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _city_names(rng: random.Random, n: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        parts = rng.randint(1, 2)
        stem = "".join(rng.choice(_SYLLABLES) for _ in range(parts)) + rng.choice(_ENDINGS)
        name = stem.capitalize()
        if name in seen:
            name = f"{name} an der {rng.choice(_SYLLABLES).capitalize()}{rng.choice(_ENDINGS)}"
        if name in seen:
            continue
        seen.add(name)
        names.append(name)
    return names


def _write_vocabulary(w: NTriplesWriter) -> None:
    """The few concepts that carry data of their own: age bands."""
    for code, low, high in AGE_BANDS:
        band = iri(f"{VOCAB}age-band/{code}")
        w.triple(band, A, iri(CM + "AgeBand"))
        w.triple(band, PREF_LABEL, english(code))
        w.triple(band, iri(CM + "minAge"), typed(str(low), XSD + "integer"))
        if high is not None:
            w.triple(band, iri(CM + "maxAge"), typed(str(high), XSD + "integer"))


def _write_places(w: NTriplesWriter, rng: random.Random) -> list[City]:
    cities: list[City] = []
    names = iter(_city_names(rng, CITY_COUNT))
    for (code, name, _), count in zip(COUNTRIES, _city_counts(CITY_COUNT), strict=True):
        country = iri(f"{ID}place/{code}")
        w.triple(country, A, iri(CM + "Place"))
        w.triple(country, iri(CM + "geographyLevel"), iri(COUNTRY_LEVEL))
        w.triple(country, LABEL, english(name))
        w.triple(country, NOTATION, typed(code, CM + "EurostatCountryCode"))
        for n in range(1, count + 1):
            city_code = f"{code}{n:03d}C"
            city = City(city_code, code, iri(f"{ID}place/{city_code}"))
            w.triple(city.iri, A, iri(CM + "Place"))
            w.triple(city.iri, iri(CM + "geographyLevel"), iri(CITY_LEVEL))
            w.triple(city.iri, LABEL, plain(next(names)))
            w.triple(city.iri, NOTATION, typed(city_code, CM + "UrbanAudit2020Code"))
            w.triple(city.iri, iri(SCHEMA + "containedInPlace"), country)
            cities.append(city)
    return cities


def _write_indicators(w: NTriplesWriter) -> None:
    scheme = iri(ID + "indicator-scheme/commensura")
    w.triple(scheme, A, iri(SKOS + "ConceptScheme"))
    w.triple(scheme, PREF_LABEL, english("Commensura integration indicators"))
    for spec in INDICATORS:
        ind = iri(f"{ID}indicator/{spec.slug}")
        w.triple(ind, A, iri(CM + "Indicator"))
        w.triple(ind, PREF_LABEL, english(spec.label))
        w.triple(ind, iri(CM + "theme"), iri(f"{VOCAB}theme/{spec.theme}"))
        w.triple(ind, iri(SKOS + "inScheme"), scheme)


@dataclass(frozen=True)
class _Publisher:
    slug: str
    name: str
    kind: str  # "international" | "national" | "city"
    country: str | None
    city: City | None
    sources: tuple[str, ...]


def _write_publishers(
    w: NTriplesWriter, rng: random.Random, cities: list[City]
) -> list[_Publisher]:
    publishers: list[_Publisher] = []

    def organisation(slug: str, name: str, authority_for: str | None) -> str:
        org = iri(f"{ID}organisation/{slug}")
        w.triple(org, A, iri(FOAF + "Organization"))
        w.triple(org, iri(FOAF + "name"), english(name))
        if authority_for is not None:
            w.triple(org, iri(CM + "statisticalAuthorityFor"), iri(f"{ID}place/{authority_for}"))
        return org

    def source(slug: str, label: str, kind: str, org: str, universe: str, survey: bool) -> str:
        src = iri(f"{ID}source/{slug}")
        w.triple(src, A, iri(CM + "DataSource"))
        w.triple(src, LABEL, english(label))
        w.triple(src, iri(CM + "sourceType"), iri(f"{VOCAB}source-type/{kind}"))
        w.triple(src, iri(DCT + "publisher"), org)
        w.triple(src, iri(CM + "universe"), iri(f"{VOCAB}universe/{universe}"))
        bases = ["own-country-of-birth", "current-citizenship"]
        bases += rng.sample(["first-citizenship", "parents-country-of-birth", "mother-tongue"], 1)
        for basis in bases:
            w.triple(src, iri(CM + "records"), iri(f"{VOCAB}criterion/{basis}"))
        if survey:
            size = rng.randint(800, 60_000)
            w.triple(src, iri(CM + "sampleSize"), typed(str(size), XSD + "nonNegativeInteger"))
        return src

    for slug, name in INTERNATIONAL:
        org = organisation(slug, name, None)
        sources = (
            source(f"{slug}-lfs", f"Labour force survey ({name})", "sample-survey", org,
                   "private-households", True),
            source(f"{slug}-silc", f"Income and living conditions survey ({name})",
                   "sample-survey", org, "private-households", True),
        )  # fmt: skip
        publishers.append(_Publisher(slug, name, "international", None, None, sources))
    for code, country_name, _ in COUNTRIES:
        slug = f"nsi-{code.lower()}"
        name = f"National statistical institute of {country_name}"
        org = organisation(slug, name, code)
        sources = (
            source(f"{slug}-register", f"Population register of {country_name}", "register",
                   org, "resident-population", False),
            source(f"{slug}-lfs", f"Labour force survey of {country_name}", "sample-survey", org,
                   "private-households", True),
        )  # fmt: skip
        publishers.append(_Publisher(slug, name, "national", code, None, sources))
    # The city offices: the first (largest) city of the first countries.
    first_city = {c.country: c for c in reversed(cities)}
    for code, _, _ in COUNTRIES[:CITY_OFFICES]:
        city = first_city[code]
        slug = f"city-office-{city.code.lower()}"
        name = f"Statistics office of the city {city.code}"
        org = organisation(slug, name, city.code)
        sources = (
            source(f"{slug}-register", f"Municipal register {city.code}", "register", org,
                   "resident-population", False),
            source(f"{slug}-survey", f"City survey {city.code}", "sample-survey", org,
                   "private-households", True),
        )  # fmt: skip
        publishers.append(_Publisher(slug, name, "city", code, city, sources))
    return publishers


def _write_population(
    w: NTriplesWriter, subject: str, label: str, criteria: tuple[Criterion, ...], bnode: str
) -> None:
    w.triple(subject, A, iri(CM + "PopulationDefinition"))
    w.triple(subject, LABEL, english(label))
    for i, (basis, values, parent_rule, max_years) in enumerate(criteria):
        node = f"_:{bnode}c{i}"
        w.triple(subject, iri(CM + "condition"), node)
        w.triple(node, A, iri(CM + "Criterion"))
        w.triple(node, iri(CM + "basis"), iri(f"{VOCAB}criterion/{basis}"))
        for value in values:
            w.triple(node, iri(CM + "value"), iri(f"{VOCAB}criterion-value/{value}"))
        if parent_rule is not None:
            w.triple(node, iri(CM + "parentRule"), iri(f"{VOCAB}parent-rule/{parent_rule}"))
        if max_years is not None:
            w.triple(node, iri(CM + "maxYears"), typed(str(max_years), XSD + "decimal"))


def _write_definitions(
    w: NTriplesWriter, rng: random.Random, cities: list[City], publishers: list[_Publisher]
) -> list[Definition]:
    by_country: dict[str, list[City]] = {}
    for city in cities:
        by_country.setdefault(city.country, []).append(city)
    definitions: list[Definition] = []
    per_kind = {
        "international": DEFINITIONS_PER_INTERNATIONAL,
        "national": DEFINITIONS_PER_NSI,
        "city": DEFINITIONS_PER_CITY_OFFICE,
    }
    datasets: dict[tuple[str, str], list[Definition]] = {}
    for pub in publishers:
        org = iri(f"{ID}organisation/{pub.slug}")
        reference = iri(f"{ID}population/{pub.slug}-natives")
        _write_population(
            w,
            reference,
            "native-born",
            (("own-country-of-birth", ("national",), None, None),),
            f"ref{pub.slug.replace('-', '')}",
        )
        for _ in range(per_kind[pub.kind]):
            number = len(definitions) + 1
            if pub.kind == "international":
                spec = INDICATORS[len(definitions) % len(INDICATORS)]
            else:
                spec = rng.choice(INDICATORS)
            subject = iri(f"{ID}definition/{number:03d}")
            target = iri(f"{ID}population/{number:03d}-target")
            pop_label, criteria = rng.choice(POPULATIONS)
            definition = Definition(number, subject, spec, org, target, reference)
            _write_population(w, target, pop_label, criteria, f"d{number}")
            band = rng.choice(AGE_BANDS)[0]
            w.triple(subject, A, iri(CM + "IndicatorDefinition"))
            w.triple(subject, LABEL, english(f"{spec.label} of {pop_label} ({pub.name})"))
            w.triple(subject, iri(CM + "indicator"), iri(f"{ID}indicator/{spec.slug}"))
            w.triple(subject, iri(DCT + "publisher"), org)
            w.triple(
                subject, iri(CM + "measureType"), iri(f"{VOCAB}measure-type/{spec.measure_type}")
            )
            w.triple(subject, iri(CM + "unit"), iri(f"{VOCAB}unit/{spec.unit}"))
            w.triple(subject, iri(CM + "ageBand"), iri(f"{VOCAB}age-band/{band}"))
            w.triple(subject, iri(CM + "sex"), iri(SDMX_CODE + "sex-T"))
            w.triple(subject, iri(CM + "targetGroup"), target)
            w.triple(subject, iri(CM + "referenceGroup"), reference)
            w.triple(subject, iri(CM + "dataSource"), rng.choice(pub.sources))
            w.triple(subject, iri(CM + "geographyLevel"), iri(CITY_LEVEL))
            issued = f"{rng.randint(2012, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            w.triple(subject, iri(DCT + "issued"), typed(issued, XSD + "date"))
            # Declared places, and the places data actually exists for.
            if pub.kind == "international":
                declared = rng.sample(cities, rng.randint(100, 400))
                pool = cities
            elif pub.kind == "national":
                assert pub.country is not None
                own = by_country[pub.country]
                declared = rng.sample(own, max(1, round(len(own) * rng.uniform(0.5, 1.0))))
                pool = own
            else:
                assert pub.city is not None
                declared, pool = [pub.city], [pub.city]
            declared.sort(key=lambda c: c.code)
            for city in declared:
                w.triple(subject, iri(DCT + "spatial"), city.iri)
            definition.declared = declared
            data_cities = [c for c in declared if rng.random() < 0.85]
            chosen = {c.code for c in declared}
            undeclared = [c for c in pool if c.code not in chosen]
            extra = min(len(undeclared), round(len(declared) * 0.05) + (rng.random() < 0.3))
            data_cities += rng.sample(undeclared, extra)
            definition.data_cities = data_cities
            definitions.append(definition)
            datasets.setdefault((pub.slug, spec.theme), []).append(definition)
    for (pub_slug, theme), members in datasets.items():
        dataset = iri(f"{ID}dataset/{pub_slug}-{theme.lower()}")
        w.triple(dataset, A, iri(DCAT + "Dataset"))
        w.triple(dataset, A, iri(QB + "DataSet"))
        w.triple(dataset, iri(DCT + "title"), english(f"{theme} indicators by city ({pub_slug})"))
        w.triple(dataset, iri(DCT + "publisher"), iri(f"{ID}organisation/{pub_slug}"))
        w.triple(dataset, iri(DCAT + "theme"), iri(f"{VOCAB}theme/{theme}"))
        for definition in members:
            w.triple(dataset, iri(CM + "measures"), definition.iri)
            definition.dataset = dataset
    return definitions


def write_registry(w: NTriplesWriter, rng: random.Random) -> Registry:
    """Write the fixed registry part; returns what the observations refer to."""
    _write_vocabulary(w)
    cities = _write_places(w, rng)
    _write_indicators(w)
    publishers = _write_publishers(w, rng, cities)
    definitions = _write_definitions(w, rng, cities, publishers)
    return Registry(cities, definitions)


# -- observations ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Series:
    definition: Definition
    city: City
    group: str  # "target" | "reference"
    sex: str  # "T" | "M" | "F"
    first: int
    last: int


def _series_pool(rng: random.Random, registry: Registry) -> list[_Series]:
    pool: list[_Series] = []
    for definition in registry.definitions:
        for city in definition.data_cities:
            groups = ["target"] + (["reference"] if rng.random() < 0.5 else [])
            sexes = ["T"] + (["M", "F"] if rng.random() < 0.4 else [])
            first = rng.randint(_FIRST_YEAR, _LAST_YEAR - 4)
            last = _LAST_YEAR - rng.choice((0, 0, 0, 1, 2))
            for group in groups:
                for sex in sexes:
                    pool.append(_Series(definition, city, group, sex, first, last))
    rng.shuffle(pool)
    return pool


def _representable(n: int) -> bool:
    """Whether ``n`` triples can be written as observations of 8 and 9 triples."""
    if n > 55:  # the Frobenius number of 8 and 9
        return True
    return any((n - 9 * nines) % 8 == 0 for nines in range(n // 9 + 1))


def _observation_slots(pool: list[_Series]) -> Iterator[tuple[_Series, int]]:
    """(series, year) without end: later passes repeat the pool 24 years earlier."""
    if not pool:
        return
    shift = 0
    while True:
        for series in pool:
            for year in range(series.first - shift, series.last - shift + 1):
                yield series, year
        shift += _YEARS_PER_PASS


def write_observations(
    w: NTriplesWriter, rng: random.Random, registry: Registry, target: int
) -> int:
    """Write observations until the file holds exactly ``target`` triples; returns how many."""
    pool = _series_pool(rng, registry)
    p_type, p_dataset = A, iri(QB + "dataSet")
    p_definition = iri(CM + "indicatorDefinition")
    p_area, p_period = iri(SDMX_DIMENSION + "refArea"), iri(SDMX_DIMENSION + "refPeriod")
    p_group, p_sex = iri(CM + "populationGroup"), iri(SDMX_DIMENSION + "sex")
    p_value, p_status = iri(SDMX_MEASURE + "obsValue"), iri(CM + "observationStatus")
    c_observation = iri(QB + "Observation")
    sexes = {s: iri(f"{SDMX_CODE}sex-{s}") for s in ("T", "M", "F")}
    statuses = [iri(f"{VOCAB}observation-status/{c}") for c in ("b", "u", "e", "p", "d")]
    gyear, decimal = XSD + "gYear", XSD + "decimal"
    written = 0
    current: _Series | None = None
    level = trend = 0.0
    for series, year in _observation_slots(pool):
        remaining = target - w.count
        if remaining < OBSERVATION_TRIPLES:
            break
        flagged = rng.random() < _STATUS_SHARE
        size = OBSERVATION_TRIPLES + flagged
        if not _representable(remaining - size):
            flagged = not flagged
            size = OBSERVATION_TRIPLES + flagged
            if not _representable(remaining - size):
                break
        spec = series.definition.indicator
        if series is not current:
            current = series
            level = rng.uniform(spec.low, spec.high)
            trend = (spec.high - spec.low) * rng.uniform(-0.01, 0.01)
        value = level + trend * (year - series.first) + rng.gauss(0, (spec.high - spec.low) * 0.02)
        value = min(max(value, 0.0), spec.high * 1.2)
        definition = series.definition
        obs = iri(
            f"{ID}observation/{definition.number:03d}/{series.city.code}/{series.group}/"
            f"{series.sex}/{year}"
        )
        group = definition.target_group if series.group == "target" else definition.reference_group
        w.triple(obs, p_type, c_observation)
        w.triple(obs, p_dataset, definition.dataset)
        w.triple(obs, p_definition, definition.iri)
        w.triple(obs, p_area, series.city.iri)
        w.triple(obs, p_period, typed(str(year), gyear))
        w.triple(obs, p_group, group)
        w.triple(obs, p_sex, sexes[series.sex])
        w.triple(obs, p_value, typed(f"{value:.1f}", decimal))
        if flagged:
            w.triple(obs, p_status, rng.choice(statuses))
        written += 1
    return written


# -- entry points ----------------------------------------------------------------------


@dataclass(frozen=True)
class GenerationResult:
    """What a run wrote."""

    path: Path
    triples: int
    registry_triples: int
    observations: int
    seconds: float


def generate(path: Path, target: int, *, seed: int = DEFAULT_SEED) -> GenerationResult:
    """Write a synthetic registry graph of exactly ``target`` triples to ``path``."""
    started = time.perf_counter()
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="\n") as out:
            w = NTriplesWriter(out)
            registry = write_registry(w, rng)
            registry_triples = w.count
            if target < registry_triples:
                msg = (
                    f"{target} triples is less than the fixed registry part "
                    f"({registry_triples} triples): ask for more"
                )
                raise ValueError(msg)
            observations = write_observations(w, rng, registry, target)
            w.flush()
        if w.count != target:  # only when the target cannot be reached
            msg = f"wrote {w.count} triples, not the {target} asked for"
            raise RuntimeError(msg)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
    return GenerationResult(
        path, w.count, registry_triples, observations, time.perf_counter() - started
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.generate",
        description="Write a deterministic synthetic Commensura registry graph as N-Triples.",
    )
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--triples", type=int, help="exact number of triples to write")
    size.add_argument("--size", help="a preset (100k, 1m, 5m) or a size such as 2.5m")
    parser.add_argument("--out", type=Path, required=True, help="the N-Triples file to write")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args(argv)
    target = args.triples if args.triples is not None else parse_size(args.size)
    try:
        result = generate(args.out, target, seed=args.seed)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"{result.triples} triples ({result.registry_triples} registry, "
        f"{result.observations} observations) written to {result.path} "
        f"in {result.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

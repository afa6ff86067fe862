"""Every SPARQL block of docs/queries.md runs and gives the answer the cookbook promises.

Rows are compared in full: IRIs under https://w3id.org/commensura/ without that prefix,
literals as their text, unbound values as None.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.importers import PLACE_IMPORTERS
from registry.kb import build
from registry.store import Store, open_store
from tests.conftest import StoreSettings

COOKBOOK = Path(__file__).resolve().parent.parent / "docs" / "queries.md"
BASE = "https://w3id.org/commensura/"

Row = tuple[str | None, ...]

PAIRS_ONLY_LABELS_DIFFER = [
    ("cbs-children-of-migrants-2022", "cbs-migration-background-2021-second-generation"),
    ("cbs-children-of-migrants-2022", "eurostat-second-generation"),
    ("cbs-dutch-origin-2022", "eurostat-native-background"),
    ("cbs-foreign-background", "cbs-origin-2022"),
    ("cbs-migrants-2022", "elstat-born-abroad"),
    ("cbs-migrants-2022", "eurostat-foreign-born"),
    ("cbs-migrants-2022", "oecd-immigrants"),
    ("cbs-migration-background-2021-second-generation", "eurostat-second-generation"),
    ("elstat-born-abroad", "eurostat-foreign-born"),
    ("elstat-born-abroad", "oecd-immigrants"),
    ("elstat-foreign-citizens", "eurostat-foreign-citizens"),
    ("elstat-foreign-citizens", "statbel-non-belgians"),
    ("elstat-foreign-citizens", "statfin-foreign-citizens"),
    ("elstat-foreign-citizens", "vienna-foreign-nationals"),
    ("eurostat-foreign-born", "oecd-immigrants"),
    ("eurostat-foreign-citizens", "statbel-non-belgians"),
    ("eurostat-foreign-citizens", "statfin-foreign-citizens"),
    ("eurostat-foreign-citizens", "vienna-foreign-nationals"),
    ("eurostat-nationals", "vienna-austrian-nationals"),
    ("helsinki-foreign-background-2013", "vienna-foreign-origin"),
    ("oecd-children-of-immigrants", "statfin-foreign-background-second-generation"),
    ("oecd-pisa-immigrant-students", "statistik-austria-migration-background"),
    ("oecd-pisa-non-immigrant-students", "statfin-finnish-background"),
    ("statbel-non-belgians", "statfin-foreign-citizens"),
    ("statbel-non-belgians", "vienna-foreign-nationals"),
    ("statfin-foreign-citizens", "vienna-foreign-nationals"),
]

FOREIGN_BORN_SHARE_CITIES: list[Row] = [
    (f"id/place/urban-audit/{city}", f"id/definition/{d}", f"id/org/{p}", f"id/source/{s}", t, g)
    for city, d, p, s, t, g in [
        (
            "AT001C1",
            "vienna-foreign-origin-share",
            "vienna-ma23",
            "vienna-population-register",
            "populationRegister",
            "vienna-foreign-origin",
        ),
        (
            "AT001C1",
            "vienna-foreign-origin-share-by-district",
            "vienna-ma23",
            "vienna-population-register",
            "populationRegister",
            "vienna-foreign-origin",
        ),
        (
            "BE003C1",
            "ghent-foreign-origin-share",
            "ghent-data-service",
            "be-national-register",
            "populationRegister",
            "statbel-foreign-origin",
        ),
        (
            "EL001C1",
            "athens-born-abroad-share",
            "elstat",
            "gr-census",
            "census",
            "elstat-born-abroad",
        ),
        (
            "FI001C2",
            "helsinki-foreign-language-share",
            "helsinki-urban-research",
            "fi-population-register",
            "populationRegister",
            "helsinki-foreign-language-speakers",
        ),
        (
            "FI001C2",
            "helsinki-foreign-language-share-by-district",
            "helsinki-urban-research",
            "fi-population-register",
            "populationRegister",
            "helsinki-foreign-language-speakers",
        ),
        (
            "FI001C2",
            "helsinki-foreign-language-share-by-postal-area",
            "statistics-finland",
            "fi-population-register",
            "populationRegister",
            "helsinki-foreign-language-speakers",
        ),
        (
            "NL002C1",
            "amsterdam-migration-background-share",
            "amsterdam-os",
            "amsterdam-population-register",
            "populationRegister",
            "cbs-migration-background-2021",
        ),
        (
            "NL002C1",
            "amsterdam-migration-background-share-by-district",
            "amsterdam-os",
            "amsterdam-population-register",
            "populationRegister",
            "cbs-migration-background-2021",
        ),
        (
            "NL002C1",
            "amsterdam-origin-share-2022",
            "amsterdam-os",
            "amsterdam-population-register",
            "populationRegister",
            "cbs-origin-2022",
        ),
    ]
    for t, g in [(f"vocab/source-type/{t}", f"id/population/{g}")]
]

ZARAGOZA_INDICATORS = [
    ("activity-rate", "Activity rate"),
    ("at-risk-of-poverty-rate", "At-risk-of-poverty rate"),
    ("early-leavers", "Early leavers from education and training"),
    ("employment-rate", "Employment rate"),
    ("educational-attainment", "Highest educational attainment"),
    ("property-ownership", "Home ownership rate"),
    ("low-achieving-pupils", "Low-achieving 15-year-olds"),
    ("median-net-income", "Median equivalised net income"),
    ("naturalisation-rate", "Naturalisation rate"),
    ("self-perceived-health", "Self-perceived good health"),
    ("elected-representatives", "Share of immigrants among elected representatives"),
    ("long-term-residence-share", "Share of long-term residents"),
    ("tertiary-attainment", "Tertiary educational attainment"),
    ("unemployment-rate", "Unemployment rate"),
]


def comparability_rows() -> list[Row]:
    """Each pair of employment-rate definitions, its grade and the dimensions that differ."""
    # The count of employed foreign citizens is filed under the employment rate but is no
    # rate: it compares with none of the rates.
    count_against_a_rate = [
        ("ageBand", "superset"),
        ("denominator", "unknown"),
        ("measureType", "disjoint"),
        ("referenceGroup", "overlap"),
        ("targetGroup", "overlap"),
        ("unit", "disjoint"),
    ]
    pairs: list[tuple[str, str, str, list[tuple[str, str]]]] = [
        (
            "eurostat-employed-persons-by-citizenship",
            "eurostat-employment-rate",
            "notComparable",
            count_against_a_rate,
        ),
        (
            "eurostat-employed-persons-by-citizenship",
            "eurostat-employment-rate-nuts2",
            "notComparable",
            sorted([*count_against_a_rate, ("geographyLevel", "disjoint")]),
        ),
        (
            "eurostat-employed-persons-by-citizenship",
            "oecd-employment-rate",
            "notComparable",
            [d for d in count_against_a_rate if d[0] != "ageBand"],
        ),
        (
            "eurostat-employment-rate",
            "eurostat-employment-rate-nuts2",
            "partiallyComparable",
            [("geographyLevel", "disjoint"), ("targetGroup", "subset")],
        ),
        (
            "eurostat-employment-rate",
            "oecd-employment-rate",
            "partiallyComparable",
            [("ageBand", "subset"), ("targetGroup", "subset")],
        ),
        (
            "eurostat-employment-rate-nuts2",
            "oecd-employment-rate",
            "partiallyComparable",
            [("ageBand", "subset"), ("geographyLevel", "disjoint")],
        ),
    ]
    return [
        (
            f"id/definition/{left}",
            f"id/definition/{right}",
            f"vocab/comparability-grade/{grade}",
            f"vocab/comparison-dimension/{dimension}",
            f"vocab/comparability-relation/{relation}",
        )
        for left, right, grade, differences in pairs
        for dimension, relation in differences
    ]


def parents_rows() -> list[Row]:
    rows: list[Row] = []
    for definition, reference, target in [
        (
            "amsterdam-migration-background-share",
            "cbs-dutch-background-2021",
            "cbs-migration-background-2021",
        ),
        (
            "amsterdam-migration-background-share-by-district",
            "cbs-dutch-background-2021",
            "cbs-migration-background-2021",
        ),
        ("amsterdam-origin-share-2022", "cbs-dutch-origin-2022", "cbs-origin-2022"),
        (
            "oecd-low-achieving-pupils",
            "oecd-pisa-non-immigrant-students",
            "oecd-pisa-immigrant-students",
        ),
        (
            "vienna-migration-background-share-microcensus",
            "statistik-austria-no-migration-background",
            "statistik-austria-migration-background",
        ),
    ]:
        rows.append(
            (f"id/definition/{definition}", "ontology#referenceGroup", f"id/population/{reference}")
        )
        rows.append(
            (f"id/definition/{definition}", "ontology#targetGroup", f"id/population/{target}")
        )
    return rows


NL32_CURATED: list[Row] = [
    ("id/place/urban-audit/NL002C1", "vocab/geography-level/city"),
    ("id/place/lau-2018/NL/GM0363", "vocab/geography-level/lau"),
    ("id/place/nuts-2021/NL329", "vocab/geography-level/nuts3"),
]
NL32_WITH_REGISTRIES: list[Row] = [
    *NL32_CURATED[:2],
    *[
        (f"id/place/nuts-2021/{code}", "vocab/geography-level/nuts3")
        for code in ("NL321", "NL323", "NL324", "NL325", "NL327", "NL328", "NL329")
    ],
]

EXPECTED: dict[str, list[Row]] = {
    "Which cities measure the employment rate of non-EU-born people?": [
        (
            "id/definition/eurostat-employment-rate",
            "id/org/eurostat",
            "vocab/geography-level/country",
            None,
            None,
        ),
    ],
    "Which cities measure the foreign-born share, and how?": FOREIGN_BORN_SHARE_CITIES,
    "Which definitions use parents' country of birth?": parents_rows(),
    "Which data sources can produce a parent-based definition?": [
        ("id/source/amsterdam-population-register", "id/org/amsterdam-os"),
        ("id/source/at-microcensus", "id/org/statistik-austria"),
        ("id/source/fi-population-register", "id/org/statistics-finland"),
        ("id/source/nl-population-register", "id/org/cbs"),
        ("id/source/oecd-pisa", "id/org/oecd"),
    ],
    "Which Zaragoza indicators lack city-level data?": [
        (f"id/indicator/{slug}", label) for slug, label in ZARAGOZA_INDICATORS
    ],
    "Which cities have data since 2015?": [
        ("id/place/urban-audit/AT001C1", "Vienna", f"id/definition/{definition}", since)
        for definition, since in [
            ("vienna-foreign-origin-share-by-district", "2002"),
            ("vienna-migration-flows-by-nationality", "2007"),
            ("vienna-population-by-district", "1869"),
        ]
    ],
    "Which definitions does a publisher publish?": [
        (
            "id/definition/amsterdam-migration-background-share",
            "Share of Amsterdam residents by migration background (BBGA)",
            "id/indicator/foreign-born-share",
            "vocab/geography-level/city",
        ),
        (
            "id/definition/amsterdam-origin-share-2022",
            "Share of Amsterdam residents by origin (CBS classification from 2022)",
            "id/indicator/foreign-born-share",
            "vocab/geography-level/city",
        ),
        (
            "id/definition/amsterdam-migration-background-share-by-district",
            "Share of residents by migration background, by stadsdeel (BBGA)",
            "id/indicator/foreign-born-share",
            "vocab/geography-level/cityDistrict",
        ),
    ],
    "Which places lie in a NUTS-2 region?": NL32_CURATED,
    "How did CBS revise its definition in 2022?": [
        ("id/population/cbs-migration-background-2021", None, None, "2021-12-31"),
        (
            "id/population/cbs-origin-2022",
            "id/population/cbs-migration-background-2021",
            "2022-01-01",
            None,
        ),
    ],
    "How comparable are the definitions of the employment rate?": comparability_rows(),
    "Which definitions moved to CBS's 2022 classification?": [
        (
            "id/definition/amsterdam-migration-background-share",
            "id/population/cbs-migration-background-2021",
            None,
            None,
        ),
        (
            "id/definition/amsterdam-migration-background-share-by-district",
            "id/population/cbs-migration-background-2021",
            None,
            None,
        ),
        (
            "id/definition/amsterdam-origin-share-2022",
            "id/population/cbs-origin-2022",
            "id/definition/amsterdam-migration-background-share",
            "id/population/cbs-migration-background-2021",
        ),
    ],
}
ONLY_LABELS_DIFFER = "Which target groups differ only in their labels?"
WITH_REGISTRIES = {"Which places lie in a NUTS-2 region?": NL32_WITH_REGISTRIES}


def cookbook() -> list[tuple[str, str]]:
    """(heading, query) for every sparql block, under the nearest heading above it."""
    found: list[tuple[str, str]] = []
    heading = ""
    block: list[str] | None = None
    for line in COOKBOOK.read_text(encoding="utf-8").splitlines():
        if block is not None:
            if line.strip() == "```":
                found.append((heading, "\n".join(block) + "\n"))
                block = None
            else:
                block.append(line)
        elif line.startswith("## "):
            heading = line[3:].strip()
        elif line.strip() == "```sparql":
            block = []
    return found


def short(term: object) -> str | None:
    if term is None:
        return None
    text = str(term)
    return text.removeprefix(BASE)


def answer(store: Store, sparql: str) -> list[Row]:
    return [tuple(short(t) for t in row) for row in store.select(sparql).rows]


def check(store: Store, heading: str, sparql: str, expected: dict[str, list[Row]]) -> None:
    rows = answer(store, sparql)
    if heading == ONLY_LABELS_DIFFER:
        pairs = [
            (g.removeprefix("id/population/"), o.removeprefix("id/population/"))  # type: ignore[union-attr]
            for g, _, o, _ in rows
        ]
        assert pairs == PAIRS_ONLY_LABELS_DIFFER
        assert ("eurostat-native-born", "oecd-native-born") not in pairs  # same label too
        assert ("statbel-foreign-origin", "statistiek-vlaanderen-foreign-origin") not in pairs
        labels = {g: label for g, label, _, _ in rows}
        assert labels["id/population/helsinki-foreign-background-2013"] == (
            "Foreign background (Helsinki reports of 2013)"
        )
        return
    assert rows == expected[heading], heading


@pytest.fixture(scope="module")
def curated(
    tmp_path_factory: pytest.TempPathFactory, store_settings: StoreSettings
) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("cookbook") / "store"
    with store_settings(folder) as settings, open_store(settings) as store:
        build(store)
        yield store


@pytest.fixture(scope="module")
def with_registries(
    tmp_path_factory: pytest.TempPathFactory, source_data: Path, store_settings: StoreSettings
) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("cookbook-registries") / "store"
    with store_settings(folder) as settings, open_store(settings) as store:
        build(store, source_data=source_data, importers=PLACE_IMPORTERS)
        yield store


def test_every_question_has_one_query_and_an_expected_answer() -> None:
    headings = [heading for heading, _ in cookbook()]
    assert len(headings) == len(set(headings)) == 12
    assert set(headings) == {*EXPECTED, ONLY_LABELS_DIFFER}
    for required in (
        "employment rate of non-EU-born",
        "parents' country of birth",
        "Zaragoza indicators lack city-level data",
        "since 2015",
        "publisher",
        "NUTS-2 region",
        "CBS revise",
        "differ only in their labels",
    ):
        assert any(required in heading for heading in headings), required


@pytest.mark.parametrize(("heading", "sparql"), cookbook(), ids=[h for h, _ in cookbook()])
def test_cookbook_query_on_the_curated_content(curated: Store, heading: str, sparql: str) -> None:
    check(curated, heading, sparql, EXPECTED)


@pytest.mark.needs_source_data
def test_cookbook_with_the_place_registries(with_registries: Store) -> None:
    expected = {**EXPECTED, **WITH_REGISTRIES}
    for heading, sparql in cookbook():
        check(with_registries, heading, sparql, expected)

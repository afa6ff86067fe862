"""Discovery under /api on a live server: lists, filters, pages, details, CSV, search,
and which cities measure an indicator; and the label index and query files beneath."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from pydantic import TypeAdapter
from rdflib import URIRef

from api.app import create_app
from api.routers.discovery import csv_text
from registry import discovery, graphs
from registry.config import Settings
from registry.discovery import (
    DefinitionItem,
    LabelIndex,
    Measurement,
    Page,
    PlaceItem,
    SearchHit,
    fold,
    label_index,
    queries,
)
from registry.errors import InputError, NotFoundError
from registry.ids import ID_BASE
from registry.importers import PLACE_IMPORTERS
from registry.kb import build
from registry.store import RdfFormat, Store, open_store
from registry.vocabularies import GEOGRAPHY_LEVEL
from tests.conftest import StoreSettings
from tests.live import serve

pytestmark = pytest.mark.slow

DATA = Path(__file__).parent / "data"
AMSTERDAM_SUBMISSION = DATA / "submissions" / "amsterdam.ttl"
PARTNER_DEFINITION = f"{ID_BASE}partner/amsterdam-os/definition/employment-rate-born-abroad"
CITIES = {
    "urban-audit/AT001C1": "Vienna",
    "urban-audit/NL002C1": "Amsterdam",
    "urban-audit/FI001C2": "Helsinki",
    "urban-audit/BE003C1": "Ghent",
    "urban-audit/EL001C1": "Athens",
}


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, store_settings: StoreSettings
) -> Iterator[Settings]:
    """Curated content, plus Amsterdam's employment rate submitted into its partner graph."""
    with store_settings(tmp_path_factory.mktemp("discovery") / "store") as settings:
        with open_store(settings) as store:
            build(store)
            store.load(AMSTERDAM_SUBMISSION, RdfFormat.TURTLE, graph=graphs.partner("amsterdam-os"))
        yield settings


@pytest.fixture(scope="module")
def base_url(served: Settings) -> Iterator[str]:
    with serve(create_app(served)) as url:
        yield url


@pytest.fixture(scope="module")
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        yield http


def get(client: httpx.Client, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def slugs(page: dict[str, Any]) -> list[str]:
    return [item["slug"] for item in page["items"]]


def links(response: httpx.Response) -> dict[str, str]:
    """The targets of a Link header, by relation."""
    return {
        rel: url
        for url, rel in re.findall(r'<([^>]+)>;\s*rel="([^"]+)"', response.headers.get("link", ""))
    }


def problem(client: httpx.Client, path: str, status: int, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


# -- cities and places -----------------------------------------------------------------------


def test_cities_are_the_five_working_group_cities(client: httpx.Client) -> None:
    page = get(client, "/api/cities")
    assert page["total"] == 5 and page["limit"] == 50 and page["offset"] == 0
    assert {item["slug"]: item["label"] for item in page["items"]} == CITIES
    vienna = next(i for i in page["items"] if i["slug"] == "urban-audit/AT001C1")
    assert vienna["level"]["slug"] == "city"
    assert vienna["country"] == {
        "id": f"{ID_BASE}place/country/AT",
        "slug": "country/AT",
        "label": "Austria",
    }
    assert set(vienna["codes"]) == {"AT001C1", "AT001C"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "AT"}, ["urban-audit/AT001C1"]),
        ({"country": "el"}, ["urban-audit/EL001C1"]),
        ({"code": "at001c"}, ["urban-audit/AT001C1"]),
        ({"code": "NL002C1"}, ["urban-audit/NL002C1"]),
        ({"q": "Wien"}, ["urban-audit/AT001C1"]),
        ({"q": "ΑΘΗΝΑ"}, ["urban-audit/EL001C1"]),
        ({"within": "nuts-2021/NL32"}, ["urban-audit/NL002C1"]),
        ({"indicator": "employment-rate"}, ["urban-audit/NL002C1"]),
        ({"indicator": "foreign-born-share"}, sorted(CITIES)),
        ({"indicator": "foreign-citizen-share", "country": "BE"}, ["urban-audit/BE003C1"]),
    ],
)
def test_city_filters(client: httpx.Client, params: dict[str, str], expected: list[str]) -> None:
    assert sorted(slugs(get(client, "/api/cities", **params))) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"level": "nuts2", "country": "NL"}, {"nuts-2021/NL32", "nuts-2024/NL32"}),
        ({"level": "lau", "country": "NL"}, {"lau-2018/NL/GM0363"}),
        ({"code": "AT13"}, {"nuts-2021/AT13", "nuts-2024/AT13"}),
        ({"code": "AT13", "level": "city"}, set()),
        ({"q": "groot-amsterdam"}, {"nuts-2021/NL329", "nuts-2024/NL32B"}),
        ({"q": "wien", "level": "lau"}, {"lau-2018/AT/90001"}),
        (
            {"within": "country/FI"},
            {
                "lau-2018/FI/091",
                "nuts-2021/FI1B",
                "nuts-2024/FI1B",
                "urban-audit/FI001C2",
                "urban-audit/FI001K2",
                "urban-audit/FI001L2",
            },
        ),
        ({"level": "functionalUrbanArea", "country": "BE"}, {"urban-audit/BE003L2"}),
    ],
)
def test_place_filters(client: httpx.Client, params: dict[str, str], expected: set[str]) -> None:
    page = get(client, "/api/places", **params)
    assert set(slugs(page)) == expected
    assert page["total"] == len(expected)


def test_places_ranked_by_label_match_with_q(client: httpx.Client) -> None:
    page = get(client, "/api/places", q="Helsinki")
    assert slugs(page)[:2] == ["lau-2018/FI/091", "urban-audit/FI001C2"]  # exact before prefix
    assert "urban-audit/FI001K2" in slugs(page)  # "Helsinki (greater city)": prefix


def test_places_page_through_every_place_without_repeats(client: httpx.Client) -> None:
    first = client.get("/api/places", params={"limit": 7})
    total = first.json()["total"]
    assert total > 30
    seen: list[str] = []
    response = first
    pages = 0
    while True:
        body = response.json()
        assert body["limit"] == 7 and body["total"] == total
        assert len(body["items"]) == min(7, total - body["offset"])
        seen.extend(item["id"] for item in body["items"])
        pages += 1
        following = links(response).get("next")
        if following is None:
            break
        response = client.get(following)
        assert links(response)["prev"]
    assert pages == -(-total // 7)
    assert len(seen) == len(set(seen)) == total


def test_city_and_place_details(client: httpx.Client) -> None:
    by_code = get(client, "/api/cities/AT001C1")
    by_slug = get(client, "/api/cities/urban-audit/AT001C1")
    by_iri = get(client, f"/api/cities/{quote(f'{ID_BASE}place/urban-audit/AT001C1', safe='')}")
    assert by_code == by_slug == by_iri
    assert by_code["label"] == "Vienna"
    assert {(c["code"], c["code_list"]) for c in by_code["codes"]} == {
        ("AT001C1", "UrbanAudit2017Code"),
        ("AT001C", "UrbanAudit2020Code"),
    }
    assert {p["slug"] for p in by_code["contained_in"]} >= {"nuts-2021/AT13", "country/AT"}
    assert by_code["administrative_unit"]["slug"] == "lau-2018/AT/90001"
    assert "http://www.wikidata.org/entity/Q1741" in by_code["same_as"]
    assert {d["slug"] for d in by_code["definitions"]} == {
        "vienna-foreign-origin-share",
        "vienna-foreign-origin-share-by-district",
        "vienna-population-by-district",
        "vienna-migration-flows-by-nationality",
    }
    assert "vienna-integration-diversity-monitor" in {p["slug"] for p in by_code["practices"]}
    assert [a["slug"] for a in by_code["statistical_authorities"]] == ["vienna-ma23"]
    region = get(client, "/api/places/nuts-2021/NL329")
    assert region["level"]["slug"] == "nuts3"
    assert [r["slug"] for r in region["replaced_by"]] == ["nuts-2024/NL32B"]
    # A NUTS region is a place, but not a city.
    assert problem(client, "/api/cities/nuts-2021/AT13", 404)["code"] == "not_found"


# -- indicators ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"theme": "employment", "set": "zaragoza-core"},
            {"activity-rate", "employment-rate", "unemployment-rate"},
        ),
        (
            {"theme": "population-composition"},
            {
                "foreign-born-share",
                "foreign-citizen-share",
                "recent-immigrant-share",
                "population",
                "net-migration-rate",
                "women-share",
            },
        ),
    ],
)
def test_indicator_filters(
    client: httpx.Client, params: dict[str, str], expected: set[str]
) -> None:
    assert set(slugs(get(client, "/api/indicators", **params))) == expected


def test_indicators_page_by_label_with_links(client: httpx.Client) -> None:
    everything = get(client, "/api/indicators", limit=500)
    assert everything["total"] == 32
    labels = [i["label"].casefold() for i in everything["items"]]
    assert labels == sorted(labels)
    assert get(client, "/api/indicators", set="zaragoza-core")["total"] == 14
    middle = client.get("/api/indicators", params={"limit": 10, "offset": 10})
    assert [i["id"] for i in middle.json()["items"]] == [
        i["id"] for i in everything["items"][10:20]
    ]
    assert middle.headers["x-total-count"] == "32"
    found = links(middle)
    assert "offset=20" in found["next"] and "limit=10" in found["next"]
    assert "offset=0" in found["prev"]
    third = client.get(found["next"])
    assert len(third.json()["items"]) == 10
    assert "offset=30" in links(third)["next"]
    last = client.get(links(third)["next"])
    assert len(last.json()["items"]) == 2
    assert "next" not in links(last)


def test_indicator_detail_has_every_label_and_definition(client: httpx.Client) -> None:
    detail = get(client, "/api/indicators/employment-rate")
    labels = {(label["label"], label["language"]) for label in detail["labels"]}
    assert ("Erwerbstätigenquote", "de") in labels
    assert ("netto arbeidsparticipatie", "nl-nl") in labels
    assert detail["theme"]["slug"] == "employment"
    assert {s["slug"] for s in detail["sets"]} == {"zaragoza-core", "eu-migrant-integration"}
    assert detail["reference_definition"]["slug"] == "eurostat-employment-rate"
    definitions = {d["slug"]: d for d in detail["definitions"]}
    assert set(definitions) == {
        "eurostat-employment-rate",
        "eurostat-employment-rate-nuts2",
        "eurostat-employed-persons-by-citizenship",
        "oecd-employment-rate",
        "partner/amsterdam-os/definition/employment-rate-born-abroad",
    }
    assert definitions["eurostat-employment-rate"]["sources"][0]["slug"] == "eu-lfs"


# -- which cities measure X ------------------------------------------------------------------


def test_which_cities_measure_the_employment_rate(client: httpx.Client) -> None:
    page = get(client, "/api/indicators/employment-rate/cities")
    assert page["total"] == 1
    (row,) = page["items"]
    assert row["place"]["label"] == "Amsterdam"
    assert row["definition"]["id"] == PARTNER_DEFINITION
    assert row["publisher"]["slug"] == "amsterdam-os"
    assert [s["slug"] for s in row["sources"]] == ["amsterdam-population-register"]
    assert row["target_group"]["label"] == "Born abroad (Amsterdam)"
    assert row["geography_level"]["slug"] == "city"
    # Eurostat's and the OECD's definitions are national: no city measures them.
    national = get(client, "/api/indicators/employment-rate/cities", level="country")
    assert national["total"] == 0


def test_which_cities_measure_the_foreign_born_share(client: httpx.Client) -> None:
    page = get(client, "/api/indicators/foreign-born-share/cities")
    pairs = {(i["place"]["slug"], i["definition"]["slug"]) for i in page["items"]}
    assert page["total"] == len(pairs) == 10
    assert {place for place, _ in pairs} == set(CITIES)
    assert ("urban-audit/AT001C1", "vienna-foreign-origin-share-by-district") in pairs
    assert ("urban-audit/NL002C1", "amsterdam-origin-share-2022") in pairs
    by_definition = {i["definition"]["slug"]: i for i in page["items"]}
    district = by_definition["vienna-foreign-origin-share-by-district"]
    assert district["since"] == 2002 and district["until"] is None
    assert district["geography_level"]["slug"] == "cityDistrict"
    assert by_definition["amsterdam-origin-share-2022"]["since"] == 2022
    assert by_definition["amsterdam-migration-background-share"]["until"] == 2021
    assert by_definition["helsinki-foreign-language-share"]["target_group"]["slug"] == (
        "helsinki-foreign-language-speakers"
    )
    # Statistik Austria's microcensus share is for the region AT13, not the city.
    anywhere = get(client, "/api/indicators/foreign-born-share/cities", level="any")
    assert anywhere["total"] == 11
    regions = get(client, "/api/indicators/foreign-born-share/cities", level="nuts2")
    assert [(i["place"]["slug"], i["definition"]["slug"]) for i in regions["items"]] == [
        ("nuts-2021/AT13", "vienna-migration-background-share-microcensus")
    ]


def test_which_cities_pages_and_writes_csv(client: httpx.Client) -> None:
    everything = get(client, "/api/indicators/foreign-born-share/cities")
    rows: list[dict[str, Any]] = []
    response = client.get("/api/indicators/foreign-born-share/cities", params={"limit": 4})
    while True:
        body = response.json()
        assert body["total"] == 10
        rows.extend(body["items"])
        following = links(response).get("next")
        if following is None:
            break
        response = client.get(following)
    assert rows == everything["items"]
    table = client.get("/api/indicators/foreign-born-share/cities", params={"format": "csv"})
    records = list(csv.DictReader(io.StringIO(table.text)))
    assert [(r["place"], r["definition"]) for r in records] == [
        (i["place"]["id"], i["definition"]["id"]) for i in everything["items"]
    ]
    for record, item in zip(records, everything["items"], strict=True):
        assert record["place_label"] == item["place"]["label"]
        assert record["publisher_label"] == item["publisher"]["label"]
        assert record["sources"] == " | ".join(s["id"] for s in item["sources"])
        assert record["since"] == ("" if item["since"] is None else str(item["since"]))


def test_which_cities_for_an_unknown_indicator_is_404(client: httpx.Client) -> None:
    error = problem(client, "/api/indicators/no-such-indicator/cities", 404)
    assert error["code"] == "not_found"
    assert "/api/indicators" in error["message"]


# -- definitions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"indicator": "employment-rate"},
            {
                "eurostat-employment-rate",
                "eurostat-employment-rate-nuts2",
                "eurostat-employed-persons-by-citizenship",
                "oecd-employment-rate",
                "partner/amsterdam-os/definition/employment-rate-born-abroad",
            },
        ),
        (
            {"criterion": "parentsCountryOfBirth"},
            {
                "amsterdam-migration-background-share",
                "amsterdam-migration-background-share-by-district",
                "amsterdam-origin-share-2022",
                "vienna-migration-background-share-microcensus",
                "oecd-low-achieving-pupils",
            },
        ),
        (
            {"place": "AT001C1"},
            {
                "vienna-foreign-origin-share",
                "vienna-foreign-origin-share-by-district",
                "vienna-population-by-district",
                "vienna-migration-flows-by-nationality",
            },
        ),
        (
            {"city": "urban-audit/EL001C1"},
            {"athens-born-abroad-share", "athens-foreign-citizen-share"},
        ),
        (
            {"since": 2015},
            {
                "vienna-foreign-origin-share-by-district",
                "vienna-population-by-district",
                "vienna-migration-flows-by-nationality",
            },
        ),
        (
            {"since": 2023},
            {
                "vienna-foreign-origin-share-by-district",
                "vienna-population-by-district",
                "vienna-migration-flows-by-nationality",
                "amsterdam-origin-share-2022",
            },
        ),
        pytest.param(
            {"country": "BE", "source_type": "populationRegister"},
            {"ghent-foreign-origin-share", "ghent-non-belgian-share"},
            marks=pytest.mark.virtuoso_bug(
                "a UNION of places joined with a skos:broader* path finds nothing"
            ),
        ),
        (
            # In force in 2021: not the 2022 revision; unknown dates count as in force.
            {"publisher": "amsterdam-os", "until": 2021},
            {
                "amsterdam-migration-background-share",
                "amsterdam-migration-background-share-by-district",
                "partner/amsterdam-os/definition/employment-rate-born-abroad",
            },
        ),
        (
            {"publisher": "amsterdam-os", "since": 2022, "until": 2024},
            {"amsterdam-origin-share-2022"},
        ),
        ({"level": "postalArea"}, {"helsinki-foreign-language-share-by-postal-area"}),
        (
            {"theme": "employment", "source_type": "populationRegister"},
            {"partner/amsterdam-os/definition/employment-rate-born-abroad"},
        ),
    ],
)
def test_definition_filters(
    client: httpx.Client, params: dict[str, Any], expected: set[str]
) -> None:
    page = get(client, "/api/definitions", **params)
    assert set(slugs(page)) == expected
    assert page["total"] == len(expected)


@pytest.mark.virtuoso_bug("LIMIT is not applied to a DISTINCT page with a FILTER EXISTS path")
def test_definition_filters_count_the_whole_list(client: httpx.Client) -> None:
    survey = get(client, "/api/definitions", source_type="sampleSurvey", limit=10)
    assert survey["total"] == 34  # narrower types count: EU-LFS, EU-SILC, the microcensus...
    assert len(survey["items"]) == 10
    everything = get(client, "/api/definitions", limit=500)
    assert everything["total"] == len(everything["items"]) == 62
    offsets = (0, 20, 40, 60)
    pages = [get(client, "/api/definitions", limit=20, offset=o)["items"] for o in offsets]
    assert [i["id"] for page in pages for i in page] == [i["id"] for i in everything["items"]]


def test_definition_detail_resolves_every_link(client: httpx.Client) -> None:
    detail = get(client, "/api/definitions/amsterdam-origin-share-2022")
    assert detail["indicator"]["slug"] == "foreign-born-share"
    assert detail["publisher"]["label"] == "City of Amsterdam, Research and Statistics"
    assert [s["source_types"][0]["slug"] for s in detail["sources"]] == ["populationRegister"]
    assert [p["label"] for p in detail["places"]] == ["Amsterdam"]
    group = detail["target_group"]
    assert group["slug"] == "cbs-origin-2022" and group["valid_from"] == "2022-01-01"
    assert group["previous_version"]["slug"] == "cbs-migration-background-2021"
    (any_of,) = group["conditions"]
    assert any_of["kind"] == "anyOf"
    criteria = {
        (c["basis"]["slug"], c["values"][0]["slug"], (c["parent_rule"] or {}).get("slug"))
        for c in any_of["operands"]
    }
    assert criteria == {
        ("ownCountryOfBirth", "foreign", None),
        ("parentsCountryOfBirth", "foreign", "atLeastOne"),
    }
    assert detail["reference_group"]["slug"] == "cbs-dutch-origin-2022"
    assert [v["slug"] for v in detail["versions"]] == [
        "amsterdam-migration-background-share",
        "amsterdam-origin-share-2022",
    ]
    assert detail["previous_version"]["slug"] == "amsterdam-migration-background-share"
    assert detail["start_year"] == 2022 and detail["end_year"] is None
    assert "amsterdam-diversity-integration-monitor" in {p["slug"] for p in detail["practices"]}
    earlier = get(client, "/api/definitions/amsterdam-migration-background-share")
    assert [v["slug"] for v in earlier["next_versions"]] == ["amsterdam-origin-share-2022"]
    assert earlier["end_year"] == 2021


def test_definition_detail_with_series_and_by_iri(client: httpx.Client) -> None:
    detail = get(client, "/api/definitions/eurostat-employment-rate")
    (series,) = detail["series"]
    assert series["dataset_code"] == "lfsa_ergacob"
    assert series["filters"] == {
        "age": "Y20-64",
        "c_birth": "NEU27_2020_FOR",
        "sex": "T",
        "unit": "PC",
    }
    assert detail["age_band"]["slug"] == "y20to64"
    assert detail["geography_level"]["slug"] == "country"
    assert detail["places"] == []
    partner = get(client, f"/api/definitions/{quote(PARTNER_DEFINITION, safe='')}")
    assert partner["slug"] == "partner/amsterdam-os/definition/employment-rate-born-abroad"
    assert partner == get(client, f"/api/definitions/{partner['slug']}")
    # A proxy that folds the // of an IRI in a path still finds it.
    folded = PARTNER_DEFINITION.replace("https://", "https:/")
    assert get(client, f"/api/definitions/{folded}")["id"] == PARTNER_DEFINITION


# -- publishers, sources, practices ----------------------------------------------------------


def test_publishers(client: httpx.Client) -> None:
    page = get(client, "/api/publishers")
    assert {"eurostat", "cbs", "statistik-austria", "vienna-ma23", "elstat"} <= set(slugs(page))
    assert page["total"] == 15
    cbs = get(client, "/api/publishers/cbs")
    assert cbs["label"] == "Statistics Netherlands"
    assert "https://www.cbs.nl" in cbs["homepages"]
    assert {"cbs-origin-2022", "cbs-migration-background-2021"} <= {
        p["slug"] for p in cbs["populations"]
    }
    assert [s["slug"] for s in cbs["sources"]] == ["nl-population-register"]
    amsterdam = get(client, "/api/publishers/amsterdam-os")
    assert len(amsterdam["definitions"]) == 4  # three curated, one submitted
    assert [p["slug"] for p in amsterdam["statistical_authority_for"]] == ["urban-audit/NL002C1"]


def test_sources(client: httpx.Client) -> None:
    surveys = get(client, "/api/sources", source_type="sampleSurvey")
    assert set(slugs(surveys)) == {"at-microcensus", "eu-lfs", "eu-silc", "oecd-lfs", "oecd-pisa"}
    registers = get(client, "/api/sources", source_type="populationRegister")
    assert "vienna-population-register" in slugs(registers)
    lfs = get(client, "/api/sources/eu-lfs")
    assert [t["slug"] for t in lfs["source_types"]] == ["labourForceSurvey"]
    assert {r["slug"] for r in lfs["records"]} == {"ownCountryOfBirth", "currentCitizenship"}
    assert "eurostat-employment-rate" in {d["slug"] for d in lfs["definitions"]}
    assert lfs["publisher"]["slug"] == "eurostat"


def test_practices(client: httpx.Client) -> None:
    monitors = get(client, "/api/practices", kind="monitoringSystem")
    assert set(slugs(monitors)) == {
        "amsterdam-diversity-integration-monitor",
        "amsterdam-refugee-monitor",
        "ghent-register-based-figures",
        "helsinki-foreign-background-statistics",
        "vienna-integration-diversity-monitor",
    }
    in_vienna = get(client, "/api/practices", city="AT001C1", kind="monitoringSystem")
    assert slugs(in_vienna) == ["vienna-integration-diversity-monitor"]
    monitor = get(client, "/api/practices/vienna-integration-diversity-monitor")
    assert monitor["kind"]["slug"] == "monitoringSystem"
    assert [o["slug"] for o in monitor["operators"]] == ["vienna-ma17"]
    assert monitor["start"] == "2007"
    assert [(e["number"], e["issued"]) for e in monitor["editions"]] == [(6, "2023")]
    assert [d["slug"] for d in monitor["definitions"]] == ["vienna-foreign-origin-share"]


# -- search ----------------------------------------------------------------------------------


def test_search_finds_indicators_by_labels_in_other_languages(client: httpx.Client) -> None:
    dutch = get(client, "/api/search", q="Arbeidsparticipatie")
    first = dutch["items"][0]
    assert (first["slug"], first["type"], first["language"]) == (
        "employment-rate",
        "indicator",
        "nl-nl",
    )
    assert first["matched_label"] == "netto arbeidsparticipatie" and first["match"] == "word"
    # Amsterdam's submitted definition has the same word in its Dutch label: ranked after.
    assert dutch["items"][1]["id"] == PARTNER_DEFINITION
    for text in ("Erwerbstätigenquote", "erwerbstatigenquote", "ERWERBSTÄTIGENQUOTE"):
        german = get(client, "/api/search", q=text)["items"][0]
        assert (german["slug"], german["match"], german["language"]) == (
            "employment-rate",
            "exact",
            "de",
        )
    greek = get(client, "/api/search", q="ποσοστο απασχολησης")["items"][0]
    assert greek["slug"] == "employment-rate" and greek["language"] == "el"


def test_search_ranks_exact_then_prefix_then_word_then_substring(client: httpx.Client) -> None:
    page = get(client, "/api/search", q="employment rate")
    order = ["exact", "prefix", "word", "substring"]
    matches = [order.index(item["match"]) for item in page["items"]]
    assert matches == sorted(matches)
    assert page["items"][0]["slug"] == "employment-rate"
    assert {"exact", "prefix", "word", "substring"} <= {i["match"] for i in page["items"]}
    assert "unemployment-rate" in [i["slug"] for i in page["items"] if i["match"] == "substring"]


def test_search_by_type_and_alternative_labels(client: httpx.Client) -> None:
    places = get(client, "/api/search", q="amsterdam", type="place")
    assert places["items"] and {i["type"] for i in places["items"]} == {"place"}
    ghent = get(client, "/api/search", q="GAND", type="place")
    assert {i["slug"] for i in ghent["items"]} == {"urban-audit/BE003C1", "lau-2018/BE/44021"}
    assert {i["language"] for i in ghent["items"]} == {"fr"}
    renamed = get(client, "/api/search", q="labour force participation rate")["items"][0]
    assert (renamed["slug"], renamed["label_kind"], renamed["label"]) == (
        "activity-rate",
        "altLabel",
        "Activity rate",
    )
    elstat = get(client, "/api/search", q="elstat", type="publisher")
    assert [(i["slug"], i["label_kind"]) for i in elstat["items"]] == [("elstat", "altLabel")]


def test_search_pages_and_csv(client: httpx.Client) -> None:
    everything = get(client, "/api/search", q="share", limit=500)
    assert everything["total"] == len(everything["items"]) > 20
    second = client.get("/api/search", params={"q": "share", "limit": 10, "offset": 10})
    assert [i["id"] for i in second.json()["items"]] == [
        i["id"] for i in everything["items"][10:20]
    ]
    assert set(links(second)) == {"next", "prev"}
    table = client.get("/api/search", params={"q": "share"}, headers={"Accept": "text/csv"})
    assert table.headers["content-type"].startswith("text/csv")
    records = list(csv.DictReader(io.StringIO(table.text)))
    assert [(r["id"], r["matched_label"], r["match"]) for r in records] == [
        (i["id"], i["matched_label"], i["match"]) for i in everything["items"][:50]
    ]


# -- formats, errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/cities", {}),
        ("/api/places", {"country": "NL"}),
        ("/api/indicators", {"theme": "employment"}),
        ("/api/definitions", {"publisher": "amsterdam-os"}),
        ("/api/publishers", {}),
        ("/api/sources", {}),
        ("/api/practices", {}),
    ],
)
def test_csv_matches_json(client: httpx.Client, path: str, params: dict[str, str]) -> None:
    data = get(client, path, **params)
    table = client.get(path, params={**params, "format": "csv"})
    assert table.status_code == 200
    assert table.headers["content-type"] == "text/csv; charset=utf-8"
    assert table.headers["x-total-count"] == str(data["total"])
    records = list(csv.DictReader(io.StringIO(table.text)))
    assert len(records) == len(data["items"]) > 0
    for record, item in zip(records, data["items"], strict=True):
        for key, value in item.items():
            if isinstance(value, dict):
                assert record[key] == value["id"]
                assert record[f"{key}_label"] == (value["label"] or "")
            elif isinstance(value, list):
                ids = [v["id"] if isinstance(v, dict) else v for v in value]
                assert record[key] == " | ".join(ids)
            else:
                assert record[key] == ("" if value is None else str(value))
    by_header = client.get(path, params=params, headers={"Accept": "text/csv;q=0.9, */*;q=0.1"})
    assert by_header.text == table.text


def test_empty_csv_has_a_header_row() -> None:
    text = csv_text([], DefinitionItem)
    assert text.splitlines() == [
        "id,slug,label,indicator,indicator_label,publisher,publisher_label,target_group,"
        "target_group_label,geography_level,geography_level_label,start_year,end_year"
    ]


def test_what_is_not_acceptable_is_406(client: httpx.Client) -> None:
    assert client.get("/api/cities", headers={"Accept": "application/xml"}).status_code == 406
    assert client.get("/api/cities/AT001C1", headers={"Accept": "text/csv"}).status_code == 406
    assert client.get("/api/cities", headers={"Accept": "text/html,*/*;q=0.8"}).status_code == 200
    error = problem(client, "/api/cities", 400, format="xml")
    assert error["details"]["allowed"] == ["json", "csv"]
    assert problem(client, "/api/cities/AT001C1", 400, format="csv")["details"]["allowed"] == [
        "json"
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/api/cities/XX999C9",
        "/api/places/nuts-2021/ZZ99",
        "/api/indicators/unknown",
        "/api/definitions/unknown",
        "/api/publishers/unknown",
        "/api/sources/unknown",
        "/api/practices/unknown",
        "/api/indicators/unknown/cities",
        "/api/definitions/..%2F..%2Fetc",
        "/api/definitions/https://example.org/not-here",
        # An indicator is not a definition.
        "/api/definitions/employment-rate",
    ],
)
def test_unknown_resources_are_404(client: httpx.Client, path: str) -> None:
    assert problem(client, path, 404)["code"] == "not_found"


@pytest.mark.parametrize(
    ("path", "params", "parameter", "allowed"),
    [
        ("/api/places", {"level": "town"}, "level", "city"),
        ("/api/places", {"country": "XX"}, "country", "AT"),
        ("/api/cities", {"indicator": "nope"}, "indicator", "employment-rate"),
        ("/api/indicators", {"theme": "sport"}, "theme", "employment"),
        ("/api/indicators", {"set": "top-ten"}, "set", "zaragoza-core"),
        ("/api/definitions", {"criterion": "religion"}, "criterion", "parentsCountryOfBirth"),
        ("/api/definitions", {"source_type": "tarot"}, "source_type", "populationRegister"),
        ("/api/definitions", {"publisher": "nobody"}, "publisher", "cbs"),
        ("/api/definitions", {"indicator": "nope"}, "indicator", "employment-rate"),
        ("/api/sources", {"source_type": "x"}, "source_type", "census"),
        ("/api/practices", {"kind": "x"}, "kind", "monitoringSystem"),
        ("/api/search", {"q": "rate", "type": "thing"}, "type", "indicator"),
        ("/api/indicators/employment-rate/cities", {"level": "town"}, "level", "city"),
    ],
)
def test_bad_filter_values_are_400_with_the_allowed_values(
    client: httpx.Client, path: str, params: dict[str, str], parameter: str, allowed: str
) -> None:
    error = problem(client, path, 400, **params)
    assert error["code"] == "input.invalid"
    assert error["details"]["parameter"] == parameter
    assert allowed in error["details"]["allowed"]
    assert allowed in error["message"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/cities", {"limit": 0}),
        ("/api/cities", {"limit": 501}),
        ("/api/places", {"offset": -1}),
        ("/api/definitions", {"since": 15}),
        ("/api/definitions", {"since": 2020, "until": 2010}),
        ("/api/definitions", {"place": "nowhere"}),
        ("/api/definitions", {"place": "AT001C1", "city": "BE003C1"}),
        ("/api/search", {"q": "  -- "}),
        ("/api/practices", {"city": "atlantis"}),
        ("/api/places", {"within": "https://example.org/<bad>"}),
        # A code of two places (NUTS 2021 and 2024) does not name one place.
        ("/api/cities", {"within": "FI1B"}),
    ],
)
def test_other_bad_requests_are_400(
    client: httpx.Client, path: str, params: dict[str, Any]
) -> None:
    assert problem(client, path, 400, **params)["code"] == "input.invalid"


@pytest.mark.parametrize(
    "path",
    [
        "/api/search?q=%22%7D%20UNION%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20%23",
        "/api/places?q=%3C%3E%22%27%5C&level=city",
        "/api/places?code=%22%20.%20%7D",
        "/api/places/%00",
        "/api/cities/a%20b",
        "/api/definitions?place=https://x.org/a%3Eb",
        "/api/definitions?since=99999999999999999999",
        "/api/indicators/%3Cscript%3E/cities",
        "/api/search?q=" + "x" * 5000,
        "/api/places?within=" + "a/" * 300,
    ],
)
def test_hostile_input_never_causes_a_server_error(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code < 500, response.text
    assert response.status_code in (200, 400, 404, 422)
    if response.status_code >= 400:
        assert "error" in response.json()


def test_openapi_documents_every_discovery_route(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path, model in [
        ("/api/cities", "Page_PlaceItem_"),
        ("/api/places", "Page_PlaceItem_"),
        ("/api/indicators", "Page_IndicatorItem_"),
        ("/api/indicators/{ref}/cities", "Page_Measurement_"),
        ("/api/definitions", "Page_DefinitionItem_"),
        ("/api/publishers", "Page_PublisherItem_"),
        ("/api/sources", "Page_SourceItem_"),
        ("/api/practices", "Page_PracticeItem_"),
        ("/api/search", "Page_SearchHit_"),
    ]:
        content = paths[path]["get"]["responses"]["200"]["content"]
        assert content["application/json"]["schema"]["$ref"].endswith(model), path
        assert "text/csv" in content
    for path in (
        "/api/cities/{ref}",
        "/api/places/{ref}",
        "/api/indicators/{ref}",
        "/api/definitions/{ref}",
        "/api/publishers/{ref}",
        "/api/sources/{ref}",
        "/api/practices/{ref}",
    ):
        assert "404" in paths[path]["get"]["responses"], path
    schemas = spec["components"]["schemas"]
    assert "operands" in schemas["Condition"]["properties"]  # nested conditions are documented


def test_answers_fit_their_response_models(client: httpx.Client) -> None:
    TypeAdapter(Page[PlaceItem]).validate_python(get(client, "/api/cities"))
    TypeAdapter(Page[Measurement]).validate_python(
        get(client, "/api/indicators/foreign-born-share/cities")
    )
    TypeAdapter(Page[SearchHit]).validate_python(get(client, "/api/search", q="rate"))
    TypeAdapter(discovery.DefinitionDetail).validate_python(
        get(client, "/api/definitions/eurostat-employment-rate")
    )


# -- beneath the API: the label index and the query files -------------------------------------


def test_folding_ignores_accents_case_and_punctuation() -> None:
    assert fold("Erwerbstätigenquote") == fold("ERWERBSTATIGENQUOTE") == "erwerbstatigenquote"
    assert fold("Helsinki / Helsingfors") == "helsinki helsingfors"
    assert fold("ποσοστό απασχόλησης") == fold("ΠΟΣΟΣΤΟ ΑΠΑΣΧΟΛΗΣΗΣ")
    assert fold("Straße") == "strasse"


def test_index_ranks_preferred_labels_before_alternative_ones() -> None:
    index = LabelIndex(
        [
            ("urn:a", "http://www.w3.org/2004/02/skos/core#altLabel", "Rate", "en"),
            ("urn:b", "http://www.w3.org/2004/02/skos/core#prefLabel", "Rate", "en"),
            ("urn:c", "http://www.w3.org/2004/02/skos/core#prefLabel", "Rate of pay", "en"),
            ("urn:d", "http://www.w3.org/2004/02/skos/core#prefLabel", "Crime rate", "en"),
            ("urn:e", "http://www.w3.org/2004/02/skos/core#prefLabel", "Pirate", None),
            ("urn:f", "http://www.w3.org/2004/02/skos/core#prefLabel", "Tarif", "fr"),
            ("urn:f", "http://www.w3.org/2004/02/skos/core#altLabel", "Rate", "en"),
        ],
        [
            (iri, "https://w3id.org/commensura/ontology#Indicator")
            for iri in ("urn:a", "urn:b", "urn:c", "urn:d", "urn:e", "urn:f")
        ],
        [],
    )
    found = [(m.iri, m.match, m.label.kind) for m in index.search("RATE")]
    assert found == [
        ("urn:b", "exact", "prefLabel"),
        ("urn:a", "exact", "altLabel"),
        ("urn:f", "exact", "altLabel"),
        ("urn:c", "prefix", "prefLabel"),
        ("urn:d", "word", "prefLabel"),
        ("urn:e", "substring", "prefLabel"),
    ]
    assert index.label("urn:f") == "Tarif"  # a preferred label in any language before an alt


def test_index_and_counts_follow_the_store(store: Store) -> None:
    graph = URIRef("https://w3id.org/commensura/graph/partner/test")
    store.load(
        "<urn:x:one> a <https://w3id.org/commensura/ontology#Indicator> ;"
        ' <http://www.w3.org/2004/02/skos/core#prefLabel> "Quuxrate"@en .',
        RdfFormat.TURTLE,
        graph=graph,
    )
    assert [h.id for h in discovery.search(store, q="quux").items] == ["urn:x:one"]
    assert discovery.list_indicators(store).total == 1
    first = label_index(store)
    assert label_index(store) is first
    store.load(
        "<urn:x:two> a <https://w3id.org/commensura/ontology#Indicator> ;"
        ' <http://www.w3.org/2004/02/skos/core#prefLabel> "Quuxindex"@en .',
        RdfFormat.TURTLE,
        graph=graph,
    )
    assert label_index(store) is not first
    assert [h.id for h in discovery.search(store, q="quux").items] == ["urn:x:one", "urn:x:two"]
    assert discovery.list_indicators(store).total == 2


def test_data_functions_raise_registry_errors(store: Store) -> None:
    with pytest.raises(NotFoundError):
        discovery.get_indicator(store, ref="nothing")
    with pytest.raises(InputError) as caught:
        discovery.list_places(store, level="village")
    assert caught.value.details["allowed"] == discovery.concept_names(GEOGRAPHY_LEVEL)
    with pytest.raises(TypeError):
        discovery.list_places(store, "city")  # type: ignore[call-arg]  # keyword-only


def test_every_query_file_parses_with_every_filter(store: Store) -> None:
    from registry.sparql import code_tokens

    placeholder = URIRef("urn:x:nothing")
    for name, template in queries().items():
        text = template.render(template.options)
        variables = set(re.findall(r"[?$]([A-Za-z_]\w*)", code_tokens(text)))
        assert variables, name
        form = "ASK" if re.search(r"\bASK\b", code_tokens(text)) else "SELECT"
        bindings = dict.fromkeys(("resource", "definition", "group", "place"), placeholder)
        used = {k: v for k, v in bindings.items() if k in variables}
        if form == "ASK":
            assert store.ask(text, bindings=used or None) is False
        else:
            store.select(text, bindings=used or None)


def test_lists_and_counts_share_their_filters() -> None:
    templates = queries()
    for name in ("places", "definitions", "which-cities"):
        page = templates[name].text
        count = templates[f"{name}-count"].text

        def filters(text: str) -> list[str]:
            return [line.strip() for line in text.splitlines() if line.strip().startswith("#?")]

        shared = [line for line in filters(count) if not line.startswith("#? period:")]
        assert filters(page) == shared, name


def test_query_files_never_carry_request_values() -> None:
    """Every value a request sends is bound: the files hold no placeholders to fill."""
    for name, template in queries().items():
        assert "%s" not in template.text and "{}" not in template.text, name
        assert not re.search(r"\{[a-z_]+\}", template.text), name


def test_which_cities_stays_fast_on_the_curated_store(client: httpx.Client) -> None:
    client.get("/api/indicators/foreign-born-share/cities")
    started = time.perf_counter()
    for _ in range(20):
        client.get("/api/indicators/foreign-born-share/cities")
    assert (time.perf_counter() - started) / 20 < 0.1


# -- with the place registries: over 120,000 places --------------------------------------------


@pytest.fixture(scope="module")
def registries(
    tmp_path_factory: pytest.TempPathFactory, source_data: Path, store_settings: StoreSettings
) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("registries") / "store"
    with store_settings(folder) as settings, open_store(settings) as store:
        build(store, source_data=source_data, importers=PLACE_IMPORTERS)
        label_index(store)
        yield store


@pytest.mark.needs_source_data
def test_places_at_scale_page_and_filter_fast(registries: Store) -> None:
    started = time.perf_counter()
    lau = discovery.list_places(registries, level="lau", country="AT", limit=20)
    assert lau.total == 2098 and len(lau.items) == 20
    assert all(item.level is not None and item.level.slug == "lau" for item in lau.items)
    following = discovery.list_places(registries, level="lau", country="AT", limit=20, offset=20)
    assert not {i.id for i in lau.items} & {i.id for i in following.items}
    vienna = discovery.list_places(registries, q="Wien", level="lau")
    assert vienna.items[0].slug == "lau-2018/AT/90001"
    by_code = discovery.list_places(registries, code="GM0363")
    assert [i.slug for i in by_code.items] == ["lau-2018/NL/GM0363"]
    cities = discovery.list_cities(registries, country="DE", limit=5)
    assert cities.total > 100
    assert time.perf_counter() - started < 5
    everything = discovery.list_places(registries, limit=10, offset=100_000)
    assert everything.total > 120_000 and len(everything.items) == 10


@pytest.mark.needs_source_data
def test_search_at_scale_finds_places_and_indicators(registries: Store) -> None:
    hits = discovery.search(registries, q="gent", kind="place", limit=10)
    assert {"urban-audit/BE003C1", "lau-2018/BE/44021"} <= {h.slug for h in hits.items}
    assert discovery.search(registries, q="Erwerbstätigenquote").items[0].slug == "employment-rate"
    started = time.perf_counter()
    for text in ("berg", "amsterdam", "employment rate", "wien"):
        discovery.search(registries, q=text)
    assert (time.perf_counter() - started) / 4 < 0.25

"""Comparability over HTTP and on the command line, on a live server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from registry.config import Settings
from registry.kb import build
from registry.orgs import Organisations
from registry.store import open_store
from tests.conftest import StoreSettings
from tests.live import serve

DEF = "https://w3id.org/commensura/id/definition/"
PARTNER = (
    "https://w3id.org/commensura/id/partner/amsterdam-os/definition/employment-rate-born-abroad"
)
SUBMISSION = Path(__file__).parent / "data" / "submissions" / "amsterdam.ttl"
GRADES = [
    "identical",
    "equivalent",
    "comparable with caveats",
    "partially comparable",
    "not comparable",
]


@pytest.fixture(scope="module")
def settings(
    tmp_path_factory: pytest.TempPathFactory, store_settings: StoreSettings
) -> Iterator[Settings]:
    """A store of this module's own (not the conftest's per-test one): the curated content."""
    with store_settings(tmp_path_factory.mktemp("compare") / "store") as settings:
        with open_store(settings) as store:
            build(store)
        yield settings


@pytest.fixture(scope="module")
def live(settings: Settings) -> Iterator[tuple[str, str]]:
    orgs = Organisations(settings.auth_path)
    orgs.add("amsterdam-os", "City of Amsterdam, Onderzoek en Statistiek")
    token = orgs.create_token("amsterdam-os")[1]
    with serve(create_app(settings)) as url:
        yield url, token


def test_compare_two_definitions_by_slug_and_by_iri(live: tuple[str, str]) -> None:
    url, _ = live
    params = {"a": "amsterdam-migration-background-share", "b": "amsterdam-origin-share-2022"}
    answer = httpx.get(f"{url}/api/compare", params=params, timeout=60)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["grade"]["label"] == "partially comparable"
    assert body["kind"] == "longitudinal"
    assert body["break_in_series"] is True
    assert body["reasons"][0]["dimension"]["label"] == "Target group"
    assert body["reasons"][0]["relation"] == "subset"
    assert len(body["dimensions"]) == 14
    by_iri = httpx.get(
        f"{url}/api/compare",
        params={"a": DEF + params["a"], "b": DEF + params["b"]},
        timeout=60,
    ).json()
    assert by_iri["grade"] == body["grade"]
    assert by_iri["dimensions"] == body["dimensions"]


def test_bad_and_unknown_references(live: tuple[str, str]) -> None:
    url, _ = live
    bad = httpx.get(f"{url}/api/compare", params={"a": "no spaces", "b": "x"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "input.invalid"
    assert bad.json()["error"]["details"]["parameter"] == "a"
    unknown = httpx.get(
        f"{url}/api/compare", params={"a": "no-such-definition", "b": "eurostat-employment-rate"}
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"
    missing = httpx.get(f"{url}/api/compare", params={"a": "eurostat-employment-rate"})
    assert missing.status_code == 422
    nothing = httpx.get(f"{url}/api/indicators/no-such-indicator/comparability")
    assert nothing.status_code == 404


def test_the_matrix_of_an_indicator(live: tuple[str, str]) -> None:
    url, _ = live
    matrix = httpx.get(f"{url}/api/indicators/foreign-born-share/comparability", timeout=60)
    assert matrix.status_code == 200, matrix.text
    body = matrix.json()
    n = len(body["definitions"])
    assert n >= 10
    assert len(body["pairs"]) == n * (n - 1) // 2
    assert sum(body["grades"].values()) == len(body["pairs"])
    assert list(body["grades"]) == GRADES
    iris = {d["iri"] for d in body["definitions"]}
    assert DEF + "vienna-foreign-origin-share" in iris
    assert all(p["a"] in iris and p["b"] in iris for p in body["pairs"])


def test_what_a_figure_can_be_compared_with(live: tuple[str, str]) -> None:
    url, _ = live
    answer = httpx.get(f"{url}/api/definitions/vienna-foreign-origin-share/comparable", timeout=60)
    assert answer.status_code == 200, answer.text
    candidates = answer.json()["candidates"]
    assert candidates
    ranks = [GRADES.index(c["grade"]["label"]) for c in candidates]
    assert ranks == sorted(ranks)
    assert DEF + "vienna-foreign-origin-share" not in {c["iri"] for c in candidates}
    # The same definition for the city's districts: only the territory differs.
    first = candidates[0]
    assert first["iri"] == DEF + "vienna-foreign-origin-share-by-district"
    assert first["grade"]["label"] == "comparable with caveats"


def test_a_submitted_definition_can_be_compared_at_once(live: tuple[str, str]) -> None:
    url, token = live
    before = httpx.get(f"{url}/api/compare", params={"a": PARTNER, "b": "eurostat-employment-rate"})
    assert before.status_code == 404
    submitted = httpx.post(
        f"{url}/api/submissions",
        content=SUBMISSION.read_bytes(),
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {token}"},
        timeout=60,
    )
    assert submitted.status_code == 201, submitted.text
    after = httpx.get(
        f"{url}/api/compare", params={"a": PARTNER, "b": "eurostat-employment-rate"}, timeout=60
    )
    assert after.status_code == 200, after.text
    body = after.json()
    assert body["kind"] == "definitional"
    # Born abroad, 15-64, register, city against born outside the EU, 20-64, survey, country.
    assert body["grade"]["label"] == "partially comparable"
    assert dimension_relation(body, "targetGroup") == "superset"


@pytest.mark.embedded_only("runs the command without COMMENSURA_* settings on a --store folder")
def test_the_command_prints_a_table_and_json(settings: Settings) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENSURA_")}
    env["COLUMNS"] = "160"
    exe = Path(sys.executable).with_name("commensura")
    pair = ["eurostat-employment-rate", "oecd-employment-rate", "--store", str(settings.store)]
    table = subprocess.run(
        [str(exe), "compare", *pair], capture_output=True, text=True, env=env, check=False
    )
    assert table.returncode == 0, table.stderr
    assert "PARTIALLY COMPARABLE (definitional check)" in table.stdout
    assert "Age band" in table.stdout
    assert "Hint:" in table.stdout
    as_json = subprocess.run(
        [str(exe), "compare", *pair, "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert json.loads(as_json.stdout)["grade"]["label"] == "partially comparable"
    unknown = subprocess.run(
        [
            str(exe),
            "compare",
            "nothing-here",
            "oecd-employment-rate",
            "--store",
            str(settings.store),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert unknown.returncode == 1
    assert "[not_found]" in unknown.stderr


def draft(suffix: str = "draft", age: str = "y15to64") -> bytes:
    """The Amsterdam fixture under IRIs of its own (not in the registry), with an age band."""
    text = SUBMISSION.read_text(encoding="utf-8")
    text = text.replace("employment-rate-born-abroad>", f"employment-rate-born-abroad-{suffix}>")
    text = text.replace("population/born-abroad>", f"population/born-abroad-{suffix}>")
    text = text.replace("population/born-in-nl>", f"population/born-in-nl-{suffix}>")
    text = text.replace("age-band/y15to64>", f"age-band/{age}>")
    return text.encode("utf-8")


def post(url: str, body: bytes, **params: str) -> httpx.Response:
    return httpx.post(
        f"{url}/api/compare",
        content=body,
        params=params,
        headers={"Content-Type": "text/turtle"},
        timeout=60,
    )


def dimension_relation(body: dict[str, object], name: str) -> str:
    rows = body["dimensions"]
    assert isinstance(rows, list)
    return str(next(r["relation"] for r in rows if r["dimension"]["iri"].endswith("/" + name)))


def test_an_inline_definition_against_the_reference(
    live: tuple[str, str], settings: Settings
) -> None:
    url, _ = live
    with open_store(settings, read_only=True) as store:
        before = store.count()
    answer = post(url, draft(), b="eurostat-employment-rate")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["a"]["iri"].endswith("employment-rate-born-abroad-draft")
    assert body["kind"] == "definitional"
    assert body["grade"]["label"] == "partially comparable"
    assert dimension_relation(body, "targetGroup") == "superset"  # born abroad vs outside EU
    assert dimension_relation(body, "ageBand") == "superset"  # 15-64 vs 20-64
    with open_store(settings, read_only=True) as store:
        assert store.count() == before  # nothing stored


def test_two_inline_definitions(live: tuple[str, str]) -> None:
    url, _ = live
    body = draft("one", "y15to64") + b"\n" + draft("two", "y20to64").split(b"\n\n", 1)[1]
    answer = post(url, body)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["a"]["iri"].endswith("-one")
    assert result["b"]["iri"].endswith("-two")
    assert dimension_relation(result, "ageBand") == "superset"
    assert dimension_relation(result, "targetGroup") == "equal"


def test_inline_errors(live: tuple[str, str]) -> None:
    url, _ = live
    invalid = post(url, (SUBMISSION.parent / "amsterdam-invalid.ttl").read_bytes(), b="x")
    assert invalid.status_code == 422
    assert invalid.json()["error"]["code"] == "submission.invalid"
    assert invalid.json()["error"]["details"]["report"]["conforms"] is False
    alone = post(url, draft())
    assert alone.status_code == 400
    assert alone.json()["error"]["code"] == "input.invalid"
    nothing = post(url, b"@prefix x: <https://example.org/> . x:a x:b x:c .", b="x")
    assert nothing.status_code == 400
    broken = post(url, b"this is not turtle", b="eurostat-employment-rate")
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "rdf.syntax"
    registry_copy = draft().replace(
        b"partner/amsterdam-os/definition/employment-rate-born-abroad-draft",
        b"definition/oecd-employment-rate",
    )
    taken = post(url, registry_copy, b="eurostat-employment-rate")
    assert taken.status_code == 400
    assert "is described by the registry already" in taken.json()["error"]["message"]
    # Nor may the body add to what the registry says of its own definitions.
    rewrite = draft() + (
        b"\n<https://w3id.org/commensura/id/definition/eurostat-employment-rate> "
        b"<https://w3id.org/commensura/ontology#ageBand> "
        b"<https://w3id.org/commensura/vocab/age-band/y15to64> .\n"
    )
    refused = post(url, rewrite, b="eurostat-employment-rate")
    assert refused.status_code == 400
    assert refused.json()["error"]["details"]["resources"] == [DEF + "eurostat-employment-rate"]


@pytest.mark.timeout(120)
def test_a_population_spelling_an_exponential_number_of_conditions(live: tuple[str, str]) -> None:
    """Two conditions per level, each naming both of the next level as operands: 2^30 paths
    in a few kilobytes. The reader stops at its budget; the relation is unknown, not a hang."""
    url, _ = live
    prefix = "https://example.org/dag/"
    lines = [
        "@prefix cm: <https://w3id.org/commensura/ontology#> .",
        "@prefix crit: <https://w3id.org/commensura/vocab/criterion/> .",
        "@prefix val: <https://w3id.org/commensura/vocab/criterion-value/> .",
    ]
    depth = 30
    for level in range(depth):
        for side in "ab":
            node = f"<{prefix}n{level}{side}>"
            nxt = f"<{prefix}n{level + 1}a> , <{prefix}n{level + 1}b>"
            lines.append(f"{node} a cm:AnyOf ; cm:operand {nxt} .")
    for side in "ab":
        lines.append(
            f"<{prefix}n{depth}{side}> a cm:Criterion ; cm:basis crit:ownCountryOfBirth ; "
            "cm:value val:foreign ."
        )
    text = draft("dag").decode("utf-8")
    criterion = (
        "cm:condition [ a cm:Criterion ;\n"
        "        cm:basis <https://w3id.org/commensura/vocab/criterion/ownCountryOfBirth> ;\n"
        "        cm:value <https://w3id.org/commensura/vocab/criterion-value/foreign> ] ;"
    )
    text = text.replace(criterion, f"cm:condition <{prefix}n0a> ;", 1)
    assert f"<{prefix}n0a>" in text
    body = (text + "\n" + "\n".join(lines) + "\n").encode("utf-8")
    answer = post(url, body, b="eurostat-employment-rate")
    assert answer.status_code == 200, answer.text
    # Whatever the unread conditions hold, the group includes everyone born abroad (the
    # criterion reached first): a superset of those born outside the EU, or undecided.
    assert dimension_relation(answer.json(), "targetGroup") in ("superset", "unknown")


def test_a_register_count_against_a_survey_of_the_same_population(live: tuple[str, str]) -> None:
    """The same definition twice, once from the city's register and once from the labour
    force survey: the same populations and measure, compared with caveats."""
    url, _ = live
    register = draft("register", "y20to64")
    survey = draft("survey", "y20to64").replace(
        b"id/source/amsterdam-population-register>", b"id/source/eu-lfs>"
    )
    body = register + b"\n" + survey.split(b"\n\n", 1)[1]
    answer = post(url, body)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["grade"]["label"] == "comparable with caveats"
    assert dimension_relation(result, "targetGroup") == "equal"
    source = next(r for r in result["reasons"] if r["dimension"]["iri"].endswith("/sourceType"))
    assert source["effect"] == "caveat"
    assert "sample survey" in source["reason"]


def test_a_resubmitted_definition_is_compared_with_its_old_version(
    live: tuple[str, str],
) -> None:
    """The old version keeps the target group it was made with: changing the criterion from
    country of birth to citizenship is a break in series, not 'identical'."""
    url, token = live
    headers = {"Content-Type": "text/turtle", "Authorization": f"Bearer {token}"}
    first = SUBMISSION.read_bytes()
    assert httpx.post(
        f"{url}/api/submissions", content=first, headers=headers, timeout=60
    ).is_success
    changed = first.replace(
        b"criterion/ownCountryOfBirth> ;\n        cm:value <https://w3id.org/commensura/vocab/criterion-value/foreign>",
        b"criterion/currentCitizenship> ;\n        cm:value <https://w3id.org/commensura/vocab/criterion-value/foreign>",
        1,
    ).replace(b"15-64 (Amsterdam)", b"15-64, by citizenship (Amsterdam)", 1)
    assert changed != first
    second = httpx.post(f"{url}/api/submissions", content=changed, headers=headers, timeout=60)
    assert second.status_code == 201, second.text
    versions = second.json()["versions"]
    assert PARTNER in versions
    old = versions[PARTNER]
    answer = httpx.get(f"{url}/api/compare", params={"a": old, "b": PARTNER}, timeout=60)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["kind"] == "longitudinal"
    assert dimension_relation(body, "targetGroup") == "overlap"  # born abroad vs foreign citizens
    assert body["break_in_series"] is True
    assert body["grade"]["label"] == "partially comparable"

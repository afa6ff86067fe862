"""The portal's compare page, read over HTTP and in a real browser, on the real knowledge base.

Two definitions (Vienna's foreign-origin share against Eurostat's Urban Audit
foreign-born share), two cities on one indicator (Vienna and Helsinki), the values
charted where they compare, the forms, and every kind of bad input.
"""

from __future__ import annotations

import html
import re

import httpx
import pytest
from playwright.sync_api import Browser

from api.portal.compare import Series, _chart, pick_values
from api.portal.valuechart import ValuePoint, ValueSeries, value_chart
from registry.discovery import DefinitionDetail, PlaceItem, Population, Ref
from registry.vocabularies import GRADE
from tests.browser import PHONE, open_page, serious_violations

pytestmark = [pytest.mark.slow, pytest.mark.needs_source_data]

VIENNA_EUROSTAT = "/compare?a=vienna-foreign-origin-share&b=eurostat-foreign-born-share-urban-audit"
VIENNA_HELSINKI = "/compare?city_a=AT001C1&city_b=FI001C2&indicator=foreign-born-share"


def get(portal_url: str, path: str) -> httpx.Response:
    return httpx.get(portal_url + path, timeout=120)


def text_of(markup: str) -> str:
    """The page's text, tags dropped and spaces folded."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def section(markup: str, start: str, end: str) -> str:
    """The markup from the element with id ``start`` to the one with id ``end``."""
    return markup.split(f'id="{start}"', 1)[1].split(f'id="{end}"', 1)[0]


def test_two_definitions_show_the_verdict_and_every_dimension(portal_url: str) -> None:
    response = get(portal_url, VIENNA_EUROSTAT)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    verdict = get(
        portal_url,
        "/api/compare?a=vienna-foreign-origin-share&b=eurostat-foreign-born-share-urban-audit",
    ).json()
    # A and B, linked to their pages, with their publishers.
    assert '<a href="/id/definition/vienna-foreign-origin-share">' in page
    assert '<a href="/id/definition/eurostat-foreign-born-share-urban-audit">' in page
    assert "City of Vienna, MA 23" in page and ">Eurostat</a>" in page
    assert '<span lang="de">Anteil der Bevölkerung ausländischer Herkunft</span>' in page
    # The grade, the kind, the break in series, the summary.
    assert '<span class="grade grade-partial">partially comparable</span>' in page
    assert "transversal: two publishers or places at the same time" in page
    assert "Break in series" in page
    assert verdict["summary"] in text_of(page)
    # The hint, in a notice of its own.
    hint = page.split('class="notice ok hint"', 1)[1].split("</div>", 1)[0]
    assert "nearest common definition" in hint
    assert verdict["hint"] in text_of(hint)
    # The reasons, weightiest first.
    reasons = text_of(section(page, "reasons", "dimensions"))
    labels = [r["dimension"]["label"] for r in verdict["reasons"]]
    positions = [reasons.index(label) for label in labels]
    assert positions == sorted(positions) and labels[0] == "Target group"
    # Every dimension: a row each, with A, B, relation, effect and reason.
    table = section(page, "dimensions", "values")
    rows = re.findall(r'<tr>\s*<th scope="row">(.*?)</th>(.*?)</tr>', table, re.S)
    assert [label for label, _ in rows] == [d["dimension"]["label"] for d in verdict["dimensions"]]
    target = text_of(rows[0][1])
    assert "superset" in target
    assert "partial" in target
    assert "born abroad or holding a foreign citizenship" in target
    assert "<caption" in table and '<th scope="col">Relation</th>' in table
    # The JSON answer is offered.
    assert (
        'href="/api/compare?a=vienna-foreign-origin-share&amp;'
        'b=eurostat-foreign-born-share-urban-audit"' in page
    )


def test_two_definitions_chart_the_values_held(portal_url: str) -> None:
    page = get(portal_url, VIENNA_EUROSTAT).text
    values = section(page, "values", "data")
    # Vienna's own series is drawn, with its text alternative and a table view.
    assert re.search(
        r'<svg[^>]* role="img" aria-labelledby="values-chart-title values-chart-desc"', values
    )
    assert '<title id="values-chart-title">' in values
    description = values.split('<desc id="values-chart-desc">', 1)[1].split("</desc>", 1)[0]
    assert "Vienna" in description and "2002" in description and "2022" in description
    view = values.split('<details class="table-view">', 1)[1].split("</details>", 1)[0]
    assert "<table>" in view and "<caption" in view
    assert re.search(r'<th scope="row">2022</th><td class="num">42.58</td>', view)
    # Eurostat holds no Vienna values in the knowledge base: said, not hidden.
    assert "No values held for" in values
    assert "Share of foreign-born residents, Urban Audit DE2009I" in text_of(
        values.split("No values held for", 1)[1]
    )


def test_two_cities_compare_their_best_pair_and_chart_what_compares(portal_url: str) -> None:
    response = get(portal_url, VIENNA_HELSINKI)
    assert response.status_code == 200
    page = response.text
    assert "<h1>Vienna and Helsinki: Share of foreign-born residents</h1>" in page
    cities = text_of(section(page, "cities", "verdict"))
    assert "Compared: Share of residents of foreign origin (Vienna)" in cities
    assert "Compared: Share of foreign-language speakers (Helsinki)" in cities
    # Helsinki's other definitions, each with its grade against Vienna's.
    assert "Share of foreign-language speakers by district (Helsinki)" in cities
    assert '<span class="grade grade-partial">partially comparable</span>' in page
    assert 'class="notice ok hint"' in page
    values = section(page, "values", "data")
    # Vienna's series and the Helsinki values held under Eurostat's and Statistics
    # Finland's definitions, which are partially comparable: drawn, and labelled so.
    legend = text_of(values.split('class="legend"', 1)[1].split("</ul>", 1)[0])
    assert "A Vienna: Share of residents of foreign origin (Vienna)" in legend
    assert "Helsinki: Share of foreign-born residents, Urban Audit DE2009I" in legend
    assert "partially comparable with A" in legend
    view = values.split('<details class="table-view">', 1)[1].split("</details>", 1)[0]
    assert re.search(r"<th scope=\"row\">2024</th>.*?17.51", view, re.S)
    caveats = text_of(values.split('id="caveats"', 1)[1])
    assert "A and B" in caveats and "Target group" in caveats


def test_cities_by_name_and_a_city_without_definitions(portal_url: str) -> None:
    named = get(portal_url, "/compare?city_a=Wien&city_b=Gent&indicator=foreign-born-share")
    assert named.status_code == 200
    assert "<h1>Vienna and Ghent: Share of foreign-born residents</h1>" in named.text
    assert 'id="verdict"' in named.text
    none = get(portal_url, "/compare?city_a=Graz&city_b=Helsinki&indicator=foreign-born-share")
    assert none.status_code == 200
    text = text_of(none.text)
    assert "Graz declares no definition of Share of foreign-born residents" in text
    assert "There is no pair of definitions to compare" in text
    assert "Share of foreign-language speakers (Helsinki)" in text


@pytest.mark.parametrize(
    ("path", "status", "said"),
    [
        ("/compare?a=no-such-definition&b=vienna-foreign-origin-share", 404, "no-such-definition"),
        ("/compare?a=Bad%20Slug&b=vienna-foreign-origin-share", 400, "Bad Slug"),
        ("/compare?a=vienna-foreign-origin-share", 400, "b is missing"),
        ("/compare?a=vienna-foreign-origin-share&city_a=AT001C1", 400, "not both"),
        ("/compare?city_a=AT001C1&city_b=FI001C2", 400, "indicator is missing"),
        ("/compare?city_a=AT001C1&city_b=Zzyzx&indicator=foreign-born-share", 404, "Zzyzx"),
        ("/compare?city_a=AT001C1&city_b=FI001C2&indicator=%3Cscript%3E", 404, "<script>"),
        ("/compare?city_a=%25%25&city_b=FI001C2&indicator=foreign-born-share", 404, "no city"),
        ("/compare?a=" + "x" * 2100 + "&b=y", 422, "error code"),
    ],
)
def test_bad_input_gets_a_page_with_the_reason(
    portal_url: str, path: str, status: int, said: str
) -> None:
    response = get(portal_url, path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert said in text_of(response.text)
    assert "<script>" not in response.text


def test_the_forms(portal_url: str) -> None:
    response = get(portal_url, "/compare")
    assert response.status_code == 200
    page = response.text
    assert page.count('<form class="compare-form" action="/compare" method="get"') == 2
    for control, label in (
        ("a", "Definition A"),
        ("b", "Definition B"),
        ("city_a", "First city"),
        ("city_b", "Second city"),
        ("indicator", "Indicator"),
    ):
        assert f'<label for="{control}">{label}</label>' in page
        assert f'id="{control}" name="{control}"' in page
    assert '<optgroup label="Share of foreign-born residents">' in page
    assert '<option value="vienna-foreign-origin-share">' in page
    assert '<option value="foreign-born-share">' in page
    # A result page keeps what was chosen in its forms.
    chosen = get(portal_url, VIENNA_EUROSTAT).text.split('id="again"', 1)[1]
    assert '<option value="vienna-foreign-origin-share" selected>' in chosen


def test_compare_in_the_browser(portal_url: str, browser: Browser) -> None:
    with open_page(browser, portal_url + "/compare") as visit:
        page = visit.page
        assert serious_violations(page) == []
        visit.finish("compare-form")
        # The definitions' form, by keyboard: choose, Tab to the button, Enter.
        page.get_by_label("Definition A").focus()
        page.get_by_label("Definition A").select_option("vienna-foreign-origin-share")
        page.keyboard.press("Tab")
        page.get_by_label("Definition B").select_option("eurostat-foreign-born-share-urban-audit")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Compare the definitions"
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/compare\?a=vienna-foreign-origin-share&b=eurostat"))
        assert page.get_by_role("heading", name="Every dimension").is_visible()
        assert serious_violations(page) == []
        # The table view opens from the keyboard.
        summary = page.locator("details.table-view summary").first
        summary.focus()
        page.keyboard.press("Enter")
        assert page.locator("details.table-view table").first.is_visible()
        visit.finish("compare-vienna-eurostat")
    with open_page(browser, portal_url + "/compare") as visit:
        page = visit.page
        # The cities' form: type the cities, choose the indicator, Enter in a field.
        page.get_by_label("First city").focus()
        page.keyboard.type("AT001C1")
        page.keyboard.press("Tab")
        page.keyboard.type("FI001C2")
        page.get_by_label("Indicator", exact=True).select_option("foreign-born-share")
        page.get_by_label("Second city").focus()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/compare\?city_a=AT001C1&city_b=FI001C2"))
        assert page.get_by_role("heading", name="The verdict").is_visible()
        assert page.get_by_role("img", name=re.compile("Share of foreign-born residents")).count()
        assert serious_violations(page) == []
        visit.finish("compare-vienna-helsinki")
    with open_page(browser, portal_url + VIENNA_HELSINKI, viewport=PHONE) as visit:
        page = visit.page
        assert serious_violations(page) == []
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways on a phone: {width}px"
        visit.finish("compare-phone")


# -- the chart and the choice of series, on made-up data ---------------------------------------

PERCENT = "https://w3id.org/commensura/vocab/unit/percent"
PERSONS = "https://w3id.org/commensura/vocab/unit/persons"


def verdict_of(grade: str, reason: str = "") -> dict[str, object]:
    reasons = [{"dimension": {"label": "Measure type"}, "reason": reason}] if reason else []
    return {
        "grade": {"iri": str(getattr(GRADE, grade)), "label": grade},
        "reasons": reasons,
        "summary": f"A against B: {grade}",
    }


def made_series(key: str, side: str, unit: str, values: dict[str, float]) -> Series:
    definition = DefinitionDetail(id=f"https://example.org/def/{key}", slug=key, label=f"Def {key}")
    place = PlaceItem(id=f"https://example.org/place/{side}", slug=None, label=f"City {side}")
    points = [ValuePoint(period, value) for period, value in values.items()]
    return Series(key, side, definition, place, unit, unit.rsplit("/", 1)[-1], points)


def test_a_value_chart_is_an_image_with_a_text_alternative_and_a_table() -> None:
    chart = value_chart(
        [
            ValueSeries("A", "Vienna <b>&</b>", (ValuePoint("2020", 40.5), ValuePoint("2022", 42))),
            ValueSeries("B", "Helsinki", (ValuePoint("2021", 14.25),), "partially comparable"),
        ],
        chart_id="test-chart",
        title="Share <of> residents",
        unit="Percent",
    )
    svg = str(chart.svg)
    assert 'role="img" aria-labelledby="test-chart-title test-chart-desc"' in svg
    assert '<title id="test-chart-title">Share &lt;of&gt; residents</title>' in svg
    assert "<b>" not in svg and "Vienna &lt;b&gt;&amp;&lt;/b&gt;" in svg
    assert chart.kind == "line" and chart.periods == ("2020", "2021", "2022")
    assert "A, Vienna <b>&</b>: 2 values, 40.5 in 2020 and 42 in 2022" in chart.description
    assert "B, Helsinki (partially comparable): 14.25 in 2021." in chart.description
    assert chart.table() == [("2020", ["40.5", ""]), ("2021", ["", "14.25"]), ("2022", ["42", ""])]
    # Years are spaced by year: 2021 lies halfway between 2020 and 2022.
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    square = re.search(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)
    assert len(xs) == 2 and square is not None
    middle = float(square.group(1)) + float(square.group(2)) / 2
    assert abs(middle - (xs[0] + xs[1]) / 2) < 0.2
    one = value_chart(
        [ValueSeries("A", "x", (ValuePoint("2024", 1234567.0),))],
        chart_id="one",
        title="t",
        unit="Persons",
    )
    assert one.kind == "bar" and "1,234,567" in str(one.svg)
    with pytest.raises(ValueError, match="plain name"):
        value_chart([], chart_id="1 bad", title="t", unit="u")


def test_the_values_of_a_definition_are_its_own_group_and_unit() -> None:
    definition = DefinitionDetail(
        id="https://example.org/def/share",
        slug="share",
        label="Share",
        unit=Ref(PERCENT, "percent", "Percent"),
        target_group=Population(id="https://example.org/group/foreign", slug=None, label=None),
    )

    def row(group: str, statistic: str, unit: str, period: str, value: float) -> dict[str, object]:
        return {
            "group": f"https://example.org/group/{group}",
            "sex": "http://purl.org/linked-data/sdmx/2009/code#sex-T",
            "age": "https://w3id.org/commensura/vocab/age-band/allAges",
            "statistic": f"https://w3id.org/commensura/vocab/statistic/{statistic}",
            "unit": unit,
            "period": period,
            "value": value,
            "flags": [],
        }

    items = [
        row("total", "count", PERSONS, "2020", 1000.0),
        row("foreign", "count", PERSONS, "2020", 300.0),
        row("native", "value", PERCENT, "2020", 70.0),
        row("foreign", "value", PERCENT, "2020", 30.0),
        row("foreign", "value", PERCENT, "2021", 31.0),
    ]
    unit, points = pick_values(items, definition)
    assert unit == PERCENT
    assert points == [ValuePoint("2020", 30.0), ValuePoint("2021", 31.0)]
    assert pick_values([], definition) == (None, [])


def test_only_series_that_compare_share_the_chart() -> None:
    a = made_series("A", "A", PERCENT, {"2020": 30.0, "2021": 31.0})
    b = made_series("B", "B", PERCENT, {"2020": 15.0})
    b2 = made_series("B2", "B", PERCENT, {"2021": 12.0})
    b2.verdict, b2.against = verdict_of("notComparable", "the measure type differs"), "A"
    b3 = made_series("B3", "B", PERSONS, {"2021": 90000.0})
    b3.verdict, b3.against = verdict_of("comparableWithCaveats"), "A"
    b4 = made_series("B4", "B", PERCENT, {})
    values = _chart([a, b, b2, b3, b4], verdict_of("partiallyComparable", "groups differ"), "T")
    assert values.chart is not None
    assert [s.key for s in values.charted] == ["A", "B"]
    assert a.note == "partiallyComparable with B" and b.note == "partiallyComparable with A"
    assert [s.key for s in values.left_out] == ["B2", "B3"]
    assert b2.left_out == "notComparable with A: the measure type differs"
    assert b3.left_out == "its values are in persons, the chart's in percent"
    assert [s.key for s in values.missing] == ["B4"]
    assert [pair for pair, _ in values.caveats] == ["A and B"]
    # A pair that does not compare: the first series alone, the other left out.
    alone = _chart(
        [
            made_series("A", "A", PERCENT, {"2020": 1.0}),
            made_series("B", "B", PERCENT, {"2020": 2}),
        ],
        verdict_of("notComparable", "the measure type differs"),
        "T",
    )
    assert [s.key for s in alone.charted] == ["A"] and alone.charted[0].note is None
    assert [s.key for s in alone.left_out] == ["B"] and alone.caveats == []

"""The portal's city and indicator pages, read over HTTP and in a real browser, against the
knowledge base built from the real data."""

from __future__ import annotations

import re

import httpx
import pytest
from markupsafe import escape
from playwright.sync_api import Browser

from api.portal.charts import CellState, HeatmapRow, heatmap
from tests.browser import PHONE, open_page, serious_violations

pytestmark = [pytest.mark.slow, pytest.mark.needs_source_data]

AMSTERDAM = "/cities/urban-audit/NL002C1"
VIENNA = "/cities/urban-audit/AT001C1"
FOREIGN_BORN = "/indicators/foreign-born-share"


def get(portal_url: str, path: str) -> httpx.Response:
    return httpx.get(portal_url + path, timeout=120)


def section(text: str, heading_id: str) -> str:
    """The HTML from the heading with ``heading_id`` to the next <h2>."""
    start = text.index(f'id="{heading_id}"')
    end = text.find("<h2", start)
    return text[start : end if end != -1 else len(text)]


def test_amsterdam_lists_its_definition_and_the_2022_revision(portal_url: str) -> None:
    response = get(portal_url, AMSTERDAM)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    text = response.text
    assert "<h1>Amsterdam</h1>" in text
    assert 'href="/static/portal/places.css"' in text
    measures = section(text, "measures")
    old = '<a href="/id/definition/amsterdam-migration-background-share">'
    new = '<a href="/id/definition/amsterdam-origin-share-2022">'
    assert old in measures
    assert new in measures
    # The version chain: the 2022 definition revises the migration-background one.
    assert re.search(r"Revised by\s+" + re.escape(new), measures)
    assert re.search(r"Revises\s+" + re.escape(old), measures)
    # Readable criteria of the target group, with the parent rule.
    assert "Parents&#39; country of birth</strong>: Foreign" in measures
    assert "At least one parent" in measures
    assert '<span lang="nl">Migratieachtergrond</span>' in measures
    # Codes, links, authorities and practices.
    assert "<code>NL002C1</code>" in text
    assert "UrbanAudit2017Code" in text
    assert 'href="http://www.wikidata.org/entity/Q727"' in text
    assert 'href="/id/org/amsterdam-os"' in text
    assert 'href="/toolbox/amsterdam-origin-classification-change"' in section(text, "practices")
    # Periods with data for the foreign-born share.
    periods = section(text, "periods")
    assert '<a href="/indicators/foreign-born-share">' in periods
    assert "2005–2018" in periods


def test_vienna_lists_its_foreign_origin_definition_and_cities_to_compare(
    portal_url: str,
) -> None:
    text = get(portal_url, VIENNA).text
    assert "<h1>Vienna</h1>" in text
    assert '<span lang="de">Wien</span>' in text
    measures = section(text, "measures")
    start = measures.index('id="def-vienna-foreign-origin-share"')
    article = measures[start : measures.index("</article>", start)]
    assert '<a href="/id/definition/vienna-foreign-origin-share">' in article
    assert "<strong>any</strong> of:" in article
    assert "Current citizenship</strong>: Foreign" in article
    assert "Own country of birth</strong>: Foreign" in article
    assert "Cities you can compare with" in article
    compare = article[article.index("Cities you can compare with") :]
    # Other cities, each with a grade (written out) and the main reason.
    assert '<a href="/cities/urban-audit/NL002C1">Amsterdam</a>' in compare
    assert re.search(r'class="grade grade-(caveats|partial|not)">[a-z ]+</span>', compare)
    assert "Main reason:" in compare
    assert "/compare?a=vienna-foreign-origin-share&amp;b=" in compare
    # Vienna's own definitions are not offered as other cities.
    assert "/compare?a=vienna-foreign-origin-share&amp;b=vienna-" not in compare
    # Best grade first.
    order = re.findall(r'class="grade (grade-[a-z]+)"', compare)
    rank = ["grade-comparable", "grade-caveats", "grade-partial", "grade-not", "grade-unknown"]
    assert [rank.index(g) for g in order] == sorted(rank.index(g) for g in order)


def test_foreign_born_share_page(portal_url: str) -> None:
    response = get(portal_url, FOREIGN_BORN)
    assert response.status_code == 200
    text = response.text
    assert "<h1>Share of foreign-born residents</h1>" in text
    assert '<span lang="de">Anteil der im Ausland Geborenen</span>' in text
    reference = section(text, "reference")
    assert '<a href="/id/definition/eurostat-foreign-born-share">' in reference
    assert '<code class="dataset">demo_poppcctb</code>' in reference
    assert "<code>c_birth=FOR</code>" in reference
    cities = section(text, "cities")
    for city in ("Amsterdam", "Athens", "Ghent", "Helsinki", "Vienna"):
        assert re.search(rf'<a href="/cities/urban-audit/[A-Z0-9]+">{city}</a>', cities), city
    assert '<a href="/id/definition/vienna-foreign-origin-share">' in cities
    # The heatmap: an SVG with a text alternative, a legend and a table view.
    heat = section(text, "coverage")
    svg = heat[heat.index("<svg") : heat.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-labelledby="coverage-heatmap-title coverage-heatmap-desc"' in svg
    assert '<title id="coverage-heatmap-title">' in svg
    assert '<desc id="coverage-heatmap-desc">' in svg
    assert 'class="hm-data"' in svg
    assert 'class="hm-declared"' in svg
    for city in ("Amsterdam", "Athens", "Ghent", "Helsinki", "Vienna"):
        assert f">{city}</text>" in svg, city
    assert ">Belgium</text>" not in svg  # a country, not a city
    assert '<details class="table-view">' in heat
    table = heat[heat.index('<details class="table-view">') :]
    assert "<caption>" in table
    assert '<th scope="row"><a href="/cities/urban-audit/AT001C1">Vienna</a></th>' in table
    assert '<span class="visually-hidden">data</span>' in table
    assert "more cities have a coverage summary" in heat
    assert "registered: the year lies only within" in heat
    # The comparability matrix, coloured by grade with the grade written out.
    matrix = section(text, "matrix")
    assert '<table class="matrix">' in matrix
    assert "<caption>Comparability of the definitions" in matrix
    assert re.search(r'<td class="grade-cell grade-partial"><a href="/compare\?a=[^"]+"', matrix)
    assert ">partially comparable</a>" in matrix
    assert ">comparable with caveats</a>" in matrix
    assert "The grades" in matrix


def test_unemployment_rate_shows_its_local_labels(portal_url: str) -> None:
    text = get(portal_url, "/indicators/unemployment-rate").text
    assert '<span lang="de">Arbeitslosenquote</span>' in text
    assert "<code>c_birth=NEU27_2020_FOR</code>" in text
    assert "lfsa_urgacob" in text


@pytest.mark.parametrize(
    "path",
    [
        "/cities/urban-audit/XX999C9",
        "/indicators/no-such-indicator",
        "/cities/%3Cscript%3E",
    ],
)
def test_unknown_city_or_indicator_is_a_404_page(portal_url: str, path: str) -> None:
    response = get(portal_url, path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in response.text
    assert "<script>" not in response.text


def test_a_place_that_is_no_city_is_sent_to_its_linked_data_page(portal_url: str) -> None:
    response = httpx.get(portal_url + "/cities/nuts-2021/NL32", timeout=60)
    assert response.status_code == 303
    assert response.headers["location"] == "/id/place/nuts-2021/NL32"
    page = httpx.get(portal_url + "/cities/nuts-2021/NL32", timeout=60, follow_redirects=True)
    assert page.status_code == 200
    assert "Noord-Holland" in page.text


def test_heatmap_escapes_and_checks_its_input() -> None:
    state = CellState("data", "D", "data", "data", "#000000", "#ffffff")
    chart = heatmap(
        chart_id="t",
        title="<b>title</b>",
        description="a & b",
        row_header="City",
        column_header="Year",
        columns=["2020", "2021"],
        rows=[HeatmapRow("<i>x</i>", None, ("data", None))],
        states=[state],
    )
    assert "<b>" not in chart.svg and "<i>" not in chart.svg
    assert str(escape("<b>title</b>")) in chart.svg
    assert chart.count("data") == 1
    with pytest.raises(ValueError, match="cells"):
        heatmap(
            chart_id="t",
            title="",
            description="",
            row_header="",
            column_header="",
            columns=["2020"],
            rows=[HeatmapRow("x", None, ("data", None))],
            states=[state],
        )
    with pytest.raises(ValueError, match="plain name"):
        heatmap(
            chart_id='t" onload="x',
            title="",
            description="",
            row_header="",
            column_header="",
            columns=[],
            rows=[],
            states=[],
        )


def test_city_and_indicator_pages_in_the_browser(portal_url: str, browser: Browser) -> None:
    with open_page(browser, portal_url + AMSTERDAM) as visit:
        page = visit.page
        assert page.get_by_role("heading", level=1, name="Amsterdam").is_visible()
        assert page.get_by_role(
            "link", name="Share of Amsterdam residents by origin (CBS classification from 2022)"
        ).first.is_visible()
        assert serious_violations(page) == []
        visit.finish("city-amsterdam")
    with open_page(browser, portal_url + FOREIGN_BORN) as visit:
        page = visit.page
        chart = page.get_by_role("img", name=re.compile("which cities have data"))
        assert chart.is_visible()
        page.get_by_text("Table view of the heatmap").click()
        assert page.get_by_role("table", name=re.compile("which cities have data")).is_visible()
        assert serious_violations(page) == []
        visit.finish("indicator-foreign-born-share")
    with open_page(browser, portal_url + VIENNA, viewport=PHONE) as visit:
        page = visit.page
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide on a phone"
        assert serious_violations(page) == []
        visit.finish("city-vienna-phone")
    with open_page(browser, portal_url + FOREIGN_BORN, viewport=PHONE) as visit:
        page = visit.page
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide on a phone"
        assert serious_violations(page) == []
        visit.finish("indicator-foreign-born-share-phone")

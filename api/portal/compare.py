"""The compare page: two definitions, or two cities on one indicator, side by side.

``GET /compare`` answers three ways:

* with ``a`` and ``b`` (two definitions, by slug or IRI): the verdict of
  ``registry.comparability.service.compare`` (grade, kind, break in series, summary,
  every dimension, the reasons weightiest first, the nearest common definition), then
  the values the registry holds for the places of the two definitions;
* with ``city_a``, ``city_b`` and ``indicator`` (cities by slug, Urban Audit code, name
  or IRI): each city's definitions of the indicator, the pair with the best grade
  compared as above, and the other definitions of each city with their grade; a city
  that declares none is said to, and the definitions its values are held under stand
  in for them when there are some;
* with nothing: the forms to choose two definitions or two cities and an indicator.

**Values.** A series is one definition at one place: a definition's own places (one
declared for no place is looked up at the other definition's place, or at the
container of that place at its own geography level); in the cities' comparison, the
city, and every other definition the city has values under. The chart holds only the
series that can be set side by side: the first series with values is the anchor, and
the others are drawn when their definition is at least partially comparable with the
other side's and is in the same unit (partially comparable ones are labelled so);
the caveats (the verdict's reasons) are printed under the chart, and the series left
out are listed apart with the reason. Of a definition's observations the series takes
those in its unit, of its target group, sex and age band (see :func:`pick_values`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from rdflib import URIRef

from api.deps import StoreDep
from api.portal.home import working_group
from api.portal.templating import query, render
from api.portal.valuechart import (
    ValueChart,
    ValuePoint,
    ValueSeries,
    format_value,
    value_chart,
)
from registry import discovery
from registry.comparability import service
from registry.discovery import (
    DefinitionDetail,
    DefinitionItem,
    IndicatorDetail,
    PlaceDetail,
    PlaceItem,
)
from registry.errors import InputError, NotFoundError
from registry.observations import MAX_LIMIT as MAX_OBSERVATIONS
from registry.observations import observations
from registry.store import Store
from registry.vocabularies import GRADE

router = APIRouter()

GRADE_ORDER: tuple[str, ...] = tuple(
    str(g)
    for g in (
        GRADE.identical,
        GRADE.equivalent,
        GRADE.comparableWithCaveats,
        GRADE.partiallyComparable,
        GRADE.notComparable,
    )
)
"""The grades, best first."""
CHARTED = frozenset(GRADE_ORDER[:4])
"""Grades whose series may share a chart (partially comparable ones labelled so)."""
UNQUALIFIED = frozenset(GRADE_ORDER[:2])
"""Grades that need no word of warning on the chart."""
MAX_CANDIDATES = 12
"""Most definitions of one city weighed when choosing the pair to compare."""
MAX_PLACES = 4
"""Most places one definition is looked up at for values."""

KINDS: dict[str, str] = {
    "transversal": "two publishers or places at the same time",
    "longitudinal": "a definition against an earlier version of itself",
    "definitional": "a definition against the reference definition of its indicator",
}
"""What each kind of check compares."""

RELATIONS: dict[str, str] = {
    "superset": "A's group includes all of B's and more",
    "subset": "A's group lies within B's",
    "overlap": "each has members the other lacks",
    "disjoint": "nothing in common",
    "equal": "the same",
    "unknown": "cannot be told from what is registered",
}
"""The relation of A to B, in words."""

EFFECTS: dict[str, tuple[str, str]] = {
    "none": ("none", ""),
    "equivalent": ("none on the value", ""),
    "caveat": ("caveat", "grade-caveats"),
    "partial": ("partial", "grade-partial"),
    "blocking": ("blocking", "grade-not"),
}
"""Each effect of a dimension: the words shown and the class that colours them."""

Text = Annotated[str, Query(max_length=2000)]
ShortText = Annotated[str, Query(max_length=200)]


# -- what the page shows --------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A definition of one city's side: declared for the city, or only holding values."""

    id: str
    slug: str | None
    label: str | None
    declared: bool
    values: int = 0

    @property
    def name(self) -> str:
        return self.slug or self.id


@dataclass
class Side:
    """One city of the cities' comparison and its definitions of the indicator."""

    letter: str
    city: PlaceDetail
    declared: list[Candidate]
    evidenced: dict[str, list[dict[str, Any]]]
    """Observations held for the city, by definition IRI."""
    candidates: list[Candidate] = field(default_factory=list)
    chosen: Candidate | None = None
    others: list[tuple[Candidate, dict[str, Any]]] = field(default_factory=list)
    """The other candidates, each with its verdict against the other side's choice."""

    @property
    def stand_in(self) -> bool:
        """True when no definition is declared and those with values stand in."""
        return not self.declared and bool(self.candidates)


@dataclass
class Series:
    """One definition at one place: its values, and whether and how it is charted."""

    key: str
    side: str
    definition: DefinitionDetail
    place: PlaceItem | PlaceDetail
    unit: str | None
    unit_label: str
    points: list[ValuePoint]
    verdict: dict[str, Any] | None = None
    """Its definition against the other side's (``None``: the pair's verdict)."""
    against: str = ""
    """The key of the series it is weighed against."""
    note: str | None = None
    left_out: str | None = None

    @property
    def label(self) -> str:
        return f"{self.place.label or self.place.id}: {self.definition.label or self.definition.id}"

    @property
    def table(self) -> list[tuple[str, str]]:
        """Its values by period, as the table view writes them."""
        ordered = sorted(self.points, key=lambda p: p.period)
        return [(p.period, format_value(p.value)) for p in ordered]

    @property
    def api(self) -> str:
        place = self.place.slug or self.place.id
        definition = self.definition.slug or self.definition.id
        return "/api/observations?" + query(place=place, definition=definition, limit=1000)


@dataclass
class Values:
    """The values section: the chart, its caveats, the series left out, what is missing."""

    chart: ValueChart | None
    charted: list[Series]
    left_out: list[Series]
    missing: list[Series]
    caveats: list[tuple[str, dict[str, Any]]]
    notice: str | None = None


# -- the route ----------------------------------------------------------------------------


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    store: StoreDep,
    a: Text = "",
    b: Text = "",
    city_a: ShortText = "",
    city_b: ShortText = "",
    indicator: ShortText = "",
) -> HTMLResponse:
    a, b = a.strip(), b.strip()
    city_a, city_b, indicator = city_a.strip(), city_b.strip(), indicator.strip()
    pair = bool(a or b)
    cities = bool(city_a or city_b or indicator)
    if pair and cities:
        msg = (
            "compare either two definitions (a and b) or two cities on one indicator "
            "(city_a, city_b and indicator), not both at once"
        )
        raise InputError(msg, details={"parameters": ["a", "b", "city_a", "city_b", "indicator"]})
    form = _form(store, a=a, b=b, city_a=city_a, city_b=city_b, indicator=indicator)
    if pair:
        return _definitions_page(request, store, a, b, form)
    if cities:
        return _cities_page(request, store, city_a, city_b, indicator, form)
    return render(request, "compare.html", title="Compare", mode="form", form=form)


def _missing(parameters: Mapping[str, str], together: str) -> None:
    absent = [name for name, value in parameters.items() if not value]
    if absent:
        msg = f"{' and '.join(absent)} {'is' if len(absent) == 1 else 'are'} missing: {together}"
        raise InputError(msg, details={"missing": absent})


def _definitions_page(
    request: Request, store: Store, a: str, b: str, form: dict[str, Any]
) -> HTMLResponse:
    _missing({"a": a, "b": b}, "name two definitions, a and b, by slug or IRI")
    verdict = service.compare(store, a, b)
    def_a = discovery.get_definition(store, ref=verdict["a"]["iri"])
    def_b = discovery.get_definition(store, ref=verdict["b"]["iri"])
    values = _pair_values(store, verdict, def_a, def_b)
    return render(
        request,
        "compare.html",
        title=f"Compare {def_a.label or def_a.id} and {def_b.label or def_b.id}",
        mode="definitions",
        form=form,
        **_verdict_context(verdict, def_a, def_b),
        values=values,
    )


def _cities_page(
    request: Request,
    store: Store,
    city_a: str,
    city_b: str,
    indicator: str,
    form: dict[str, Any],
) -> HTMLResponse:
    _missing(
        {"city_a": city_a, "city_b": city_b, "indicator": indicator},
        "name two cities (slug, Urban Audit code, name or IRI) and an indicator (slug or IRI)",
    )
    detail = _indicator(store, indicator)
    sides = [
        _side(store, "A", _city(store, city_a, "city_a"), detail.id),
        _side(store, "B", _city(store, city_b, "city_b"), detail.id),
    ]
    verdicts = _Verdicts(store)
    best = _choose(sides, verdicts)
    context: dict[str, Any] = {
        "mode": "cities",
        "form": form,
        "indicator": detail,
        "sides": sides,
        "same_city": sides[0].city.id == sides[1].city.id,
    }
    title = f"Compare {sides[0].city.label} and {sides[1].city.label}: {detail.label}"
    if best is None:
        return render(request, "compare.html", title=title, **context, verdict=None)
    verdict = verdicts.get(best[0].id, best[1].id)
    def_a = discovery.get_definition(store, ref=best[0].id)
    def_b = discovery.get_definition(store, ref=best[1].id)
    values = _cities_values(store, sides, verdict, def_a, def_b, verdicts, detail.label)
    return render(
        request,
        "compare.html",
        title=title,
        **context,
        **_verdict_context(verdict, def_a, def_b),
        values=values,
    )


# -- the verdict ------------------------------------------------------------------------


def _verdict_context(
    verdict: dict[str, Any], def_a: DefinitionDetail, def_b: DefinitionDetail
) -> dict[str, Any]:
    ref_a, ref_b = def_a.slug or def_a.id, def_b.slug or def_b.id
    same_indicator = (def_a.indicator.id if def_a.indicator else None) == (
        def_b.indicator.id if def_b.indicator else None
    )
    return {
        "verdict": verdict,
        "def_a": def_a,
        "def_b": def_b,
        "same_indicator": same_indicator,
        "kind_text": KINDS.get(verdict["kind"], ""),
        "dimensions": [_dimension(d) for d in verdict["dimensions"]],
        "reasons": [_dimension(d) for d in verdict["reasons"]],
        "api_compare": "/api/compare?" + query(a=ref_a, b=ref_b),
        "api_reverse": "/compare?" + query(a=ref_b, b=ref_a),
        "api_matrix": (
            f"/api/indicators/{def_a.indicator.slug or def_a.indicator.id}/comparability"
            if def_a.indicator and same_indicator
            else None
        ),
    }


def _dimension(result: Mapping[str, Any]) -> dict[str, Any]:
    effect = str(result.get("effect", ""))
    words, css = EFFECTS.get(effect, (effect, ""))
    relation = str(result.get("relation", ""))
    return {
        "label": result["dimension"]["label"],
        "a": result.get("a"),
        "b": result.get("b"),
        "relation": relation,
        "relation_text": RELATIONS.get(relation, ""),
        "effect": words,
        "effect_class": css,
        "grade": result.get("grade"),
        "reason": result.get("reason"),
    }


class _Verdicts:
    """Verdicts on pairs of definitions, each assessed once per request."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.known: dict[tuple[str, str], dict[str, Any]] = {}

    def get(self, a: str, b: str) -> dict[str, Any]:
        if (a, b) not in self.known:
            self.known[(a, b)] = service.compare(self.store, a, b)
        return self.known[(a, b)]


def grade_rank(verdict: Mapping[str, Any] | None) -> int:
    """The place of a verdict's grade in :data:`GRADE_ORDER` (unknown grades last)."""
    iri = str(verdict["grade"]["iri"]) if verdict else ""
    return GRADE_ORDER.index(iri) if iri in GRADE_ORDER else len(GRADE_ORDER)


# -- the cities' comparison ---------------------------------------------------------------


def _city(store: Store, text: str, parameter: str) -> PlaceDetail:
    """A city by slug, code or IRI, or by a name (in any language) only one city has."""
    try:
        return discovery.get_place(store, ref=text, city=True)
    except NotFoundError as error:
        found = [] if text.startswith(("http://", "https://", "urn:")) else _named(store, text)
        if len(found) == 1:
            return found[0]
        if found:
            listed = ", ".join(f"{p.label} ({_code(p)})" for p in found)
            msg = (
                f"{parameter}={text!r} names more than one city ({listed}): give the city's "
                "Urban Audit code, such as AT001C1 for Vienna"
            )
        else:
            msg = (
                f"{parameter}={text!r} names no city the registry knows: find it by name or "
                "code on /cities (Urban Audit codes such as AT001C1 for Vienna)"
            )
        raise NotFoundError(msg, details={"parameter": parameter, "value": text}) from error


def _named(store: Store, text: str) -> list[PlaceDetail]:
    """The cities a name stands for: those with a label (in any language) equal to it,
    else the only city whose label matches it."""
    try:
        found = discovery.list_cities(store, q=text, limit=5).items
    except InputError:  # no letter, or too common to search by: not a name
        return []
    wanted = discovery.fold(text)
    places = [discovery.get_place(store, ref=item.id, city=True) for item in found]
    exact = [
        p
        for p in places
        if any(discovery.fold(n) == wanted for n in (p.label or "", *(v.label for v in p.labels)))
    ]
    return exact or places


def _code(place: PlaceDetail) -> str:
    codes = sorted(c.code for c in place.codes if c.code_list == "UrbanAudit2017Code")
    return codes[0] if codes else place.slug or place.id


def _indicator(store: Store, text: str) -> IndicatorDetail:
    try:
        return discovery.get_indicator(store, ref=text)
    except NotFoundError as error:
        msg = f"indicator={text!r} names no indicator the registry knows: see /indicators"
        raise NotFoundError(msg, details={"parameter": "indicator", "value": text}) from error


def _side(store: Store, letter: str, city: PlaceDetail, indicator: str) -> Side:
    declared = _declared(store, indicator, city.id)
    held = observations(
        store, place=URIRef(city.id), indicator=URIRef(indicator), limit=MAX_OBSERVATIONS
    )["items"]
    evidenced: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in held:
        evidenced[item["definition"]].append(item)
    side = Side(letter, city, declared, dict(evidenced))
    if declared:
        side.candidates = [
            Candidate(c.id, c.slug, c.label, True, len(evidenced.get(c.id, ())))
            for c in declared[:MAX_CANDIDATES]
        ]
    else:
        index = discovery.label_index(store)
        side.candidates = [
            Candidate(iri, discovery.slug_of(iri, "definition"), index.label(iri), False, len(obs))
            for iri, obs in sorted(evidenced.items())[:MAX_CANDIDATES]
        ]
    return side


def _declared(store: Store, indicator: str, place: str) -> list[Candidate]:
    items: list[DefinitionItem] = []
    offset = 0
    while True:
        page = discovery.list_definitions(
            store, indicator=indicator, place=place, limit=discovery.MAX_LIMIT, offset=offset
        )
        items.extend(page.items)
        offset += page.limit
        if offset >= page.total or not page.items:
            break
    ordered = sorted(items, key=lambda d: ((d.label or "").casefold(), d.id))
    return [Candidate(d.id, d.slug, d.label, True) for d in ordered]


def _choose(sides: Sequence[Side], verdicts: _Verdicts) -> tuple[Candidate, Candidate] | None:
    """The pair with the best grade (then: both declared, both with values, by label); each
    side's other candidates get their verdict against the other side's choice."""
    left, right = sides
    ranked: list[tuple[tuple[Any, ...], Candidate, Candidate]] = []
    for x in left.candidates:
        for y in right.candidates:
            if x.id == y.id:
                continue
            verdict = verdicts.get(x.id, y.id)
            key = (
                grade_rank(verdict),
                -(x.declared + y.declared),
                -(bool(x.values) + bool(y.values)),
                (x.label or x.id).casefold(),
                (y.label or y.id).casefold(),
            )
            ranked.append((key, x, y))
    if not ranked:
        return None
    _, best_a, best_b = min(ranked, key=lambda r: r[0])
    left.chosen, right.chosen = best_a, best_b
    chosen = (best_a.id, best_b.id)
    left.others = [
        (c, verdicts.get(c.id, best_b.id)) for c in left.candidates if c.id not in chosen
    ]
    right.others = [
        (c, verdicts.get(best_a.id, c.id)) for c in right.candidates if c.id not in chosen
    ]
    return best_a, best_b


# -- values ---------------------------------------------------------------------------------


def pick_values(
    items: Iterable[Mapping[str, Any]], definition: DefinitionDetail
) -> tuple[str | None, list[ValuePoint]]:
    """The observations that are the definition's own figures, as points by period, and
    their unit.

    Observations are grouped by population group, sex, age band, statistic and unit;
    the group taken is the one in the definition's unit, of its target group, sex and
    age band (all persons and all ages when it names none), values before counts; ties
    go to the group with more periods. One value per period (the first)."""
    groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = defaultdict(list)
    for item in items:
        if item.get("value") is None:
            continue
        key = tuple(str(item.get(k, "")) for k in ("group", "sex", "age", "statistic", "unit"))
        groups[key].append(item)
    if not groups:
        return None, []
    unit = definition.unit.id if definition.unit else None
    target = definition.target_group.id if definition.target_group else None
    sex = definition.sex.id if definition.sex else None
    age = definition.age_band.id if definition.age_band else None

    def score(key: tuple[str, ...]) -> tuple[int, int, tuple[str, ...]]:
        group, s, a, statistic, u = key
        points = 8 * (u == unit) + 4 * (group == target)
        points += 2 * (s == sex if sex else s.endswith("sex-T"))
        points += a == age if age else a.endswith("/allAges")
        points += statistic.endswith("/value")
        periods = len({str(i["period"]) for i in groups[key]})
        return (-points, -periods, key)

    best = min(groups, key=score)
    seen: dict[str, ValuePoint] = {}
    for item in groups[best]:
        period = str(item["period"])
        if period not in seen:
            seen[period] = ValuePoint(period, float(item["value"]), tuple(item.get("flags", ())))
    return best[4] or None, list(seen.values())


def _unit_label(definition: DefinitionDetail, unit: str | None) -> str:
    if unit is None:
        return "no unit"
    if definition.unit and definition.unit.id == unit and definition.unit.label:
        return definition.unit.label
    return unit.rstrip("/").rsplit("/", 1)[-1]


def _series(
    store: Store,
    key: str,
    side: str,
    definition: DefinitionDetail,
    place: PlaceItem | PlaceDetail,
    items: list[dict[str, Any]] | None = None,
) -> Series:
    if items is None:
        items = observations(
            store,
            place=URIRef(place.id),
            definition=URIRef(definition.id),
            limit=MAX_OBSERVATIONS,
        )["items"]
    unit, points = pick_values(items, definition)
    return Series(key, side, definition, place, unit, _unit_label(definition, unit), points)


def _places_for(
    store: Store, definition: DefinitionDetail, other: DefinitionDetail
) -> list[PlaceItem | PlaceDetail]:
    """Where to look for a definition's values: its own places, else the other
    definition's places (or their containers at this definition's geography level)."""
    if definition.places:
        return list(definition.places[:MAX_PLACES])
    level = definition.geography_level.id if definition.geography_level else None
    found: list[PlaceItem | PlaceDetail] = []
    for place in other.places[:MAX_PLACES]:
        if level is None or (place.level and place.level.id == level):
            found.append(place)
            continue
        detail = discovery.get_place(store, ref=place.id)
        containers = [c for c in detail.contained_in if c.level and c.level.id == level]
        found.append(containers[0] if containers else place)
    return list({p.id: p for p in found}.values())


def _keys(letter: str, count: int) -> list[str]:
    return [letter] if count == 1 else [f"{letter}{n}" for n in range(1, count + 1)]


def _pair_values(
    store: Store, verdict: dict[str, Any], def_a: DefinitionDetail, def_b: DefinitionDetail
) -> Values:
    series: list[Series] = []
    for letter, this, other in (("A", def_a, def_b), ("B", def_b, def_a)):
        places = _places_for(store, this, other)
        for key, place in zip(_keys(letter, len(places)), places, strict=True):
            series.append(_series(store, key, letter, this, place))
    title = f"{_indicator_label(def_a)}: the values of A and B"
    values = _chart(series, verdict, title)
    if not def_a.places and not def_b.places:
        values.notice = (
            "Neither definition is declared for a place, so there is no place to look up "
            "their values at: compare two cities on this indicator to see values."
        )
    return values


def _indicator_label(definition: DefinitionDetail) -> str:
    return (definition.indicator.label if definition.indicator else None) or "Values"


def _cities_values(
    store: Store,
    sides: Sequence[Side],
    verdict: dict[str, Any],
    def_a: DefinitionDetail,
    def_b: DefinitionDetail,
    verdicts: _Verdicts,
    indicator_label: str | None,
) -> Values:
    mains = {"A": def_a, "B": def_b}
    series: list[Series] = []
    for side in sides:
        main = mains[side.letter]
        series.append(
            _series(
                store,
                side.letter,
                side.letter,
                main,
                side.city,
                side.evidenced.get(main.id, []),
            )
        )
    shown = {def_a.id, def_b.id}
    for side in sides:
        other = mains["B" if side.letter == "A" else "A"]
        if side.letter == "B" and side.city.id == sides[0].city.id:
            break
        rest = [iri for iri in sorted(side.evidenced) if iri not in shown][:MAX_CANDIDATES]
        for number, iri in enumerate(rest, start=2):
            key = f"{side.letter}{number}"
            detail = discovery.get_definition(store, ref=iri)
            made = _series(store, key, side.letter, detail, side.city, side.evidenced[iri])
            pair = (iri, other.id) if side.letter == "A" else (other.id, iri)
            made.verdict = verdicts.get(*pair)
            made.against = "B" if side.letter == "A" else "A"
            series.append(made)
    title = f"{indicator_label or 'Values'}: the values of {sides[0].city.label}"
    title += f" and {sides[1].city.label}" if sides[0].city.id != sides[1].city.id else ""
    return _chart(series, verdict, title)


def _chart(series: list[Series], verdict: dict[str, Any], title: str) -> Values:
    """Choose the series the chart holds (see the module's docstring) and draw it."""
    with_values = [s for s in series if s.points]
    missing = [s for s in series if not s.points]
    if not with_values:
        return Values(None, [], [], missing, [])
    anchor = with_values[0]
    charted, left_out = [anchor], []
    used: dict[str, dict[str, Any]] = {}
    for s in with_values[1:]:
        own, against, pair = _weighed(s, verdict)
        if str(own["grade"]["iri"]) not in CHARTED:
            reason = own["reasons"][0]["reason"] if own["reasons"] else own["summary"]
            s.left_out = f"{own['grade']['label']} with {against}: {reason}"
            left_out.append(s)
        elif s.unit != anchor.unit:
            s.left_out = f"its values are in {s.unit_label}, the chart's in {anchor.unit_label}"
            left_out.append(s)
        else:
            s.note = _qualified(own, against)
            charted.append(s)
            used[pair] = own
    if any(s.side != anchor.side for s in charted):
        own, against, pair = _weighed(anchor, verdict)
        anchor.note = _qualified(own, against)
        used[pair] = own
    caveats = sorted(
        ((pair, v) for pair, v in used.items() if v["reasons"]),
        key=lambda c: (c[0] != "A and B", c[0]),
    )
    chart = value_chart(
        [ValueSeries(s.key, s.label, tuple(s.points), s.note) for s in charted],
        chart_id="values-chart",
        title=title,
        unit=anchor.unit_label,
    )
    return Values(chart, charted, left_out, missing, caveats)


def _weighed(s: Series, verdict: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    """The verdict a series is weighed by, the key it is weighed against, and the name of
    that pair (``A and B`` for the pair compared)."""
    if s.verdict is None:
        return verdict, "B" if s.side == "A" else "A", "A and B"
    return s.verdict, s.against, f"{s.key} and {s.against}"


def _qualified(verdict: Mapping[str, Any], against: str) -> str | None:
    if str(verdict["grade"]["iri"]) in UNQUALIFIED:
        return None
    return f"{verdict['grade']['label']} with {against}"


# -- the forms --------------------------------------------------------------------------------


def _form(store: Store, **chosen: str) -> dict[str, Any]:
    """The choices of the forms: definitions by indicator, indicators, suggested cities."""
    definitions: list[DefinitionItem] = []
    offset = 0
    while True:
        page = discovery.list_definitions(store, limit=discovery.MAX_LIMIT, offset=offset)
        definitions.extend(page.items)
        offset += page.limit
        if offset >= page.total or not page.items:
            break
    groups: dict[str, list[DefinitionItem]] = defaultdict(list)
    for item in definitions:
        groups[(item.indicator.label if item.indicator else None) or "Other"].append(item)
    indicators = discovery.list_indicators(store, limit=discovery.MAX_LIMIT).items
    return {
        "groups": [
            (name, sorted(items, key=lambda d: (d.label or d.id).casefold()))
            for name, items in sorted(groups.items(), key=lambda g: g[0].casefold())
        ],
        "indicators": indicators,
        "cities": working_group(store),
        "chosen": _chosen(chosen, definitions, indicators),
    }


def _chosen(
    chosen: Mapping[str, str], definitions: Sequence[DefinitionItem], indicators: Sequence[Any]
) -> dict[str, str]:
    """The values to show as chosen: a definition or indicator named by its IRI is matched
    to the option that names it by slug."""
    out = dict(chosen)
    for name in ("a", "b"):
        for item in definitions:
            if out[name] and out[name] in (item.id, item.slug):
                out[name] = item.slug or item.id
    for item in indicators:
        if out["indicator"] and out["indicator"] in (item.id, item.slug):
            out["indicator"] = item.slug or item.id
    return out

"""The cities' toolbox: the practices, filtered by city, theme and kind, and one practice.

The practices are the monitoring systems, survey models, collaboration models, audiences
and communication formats the cities use to measure migrant integration
(``registry/kb/content/practices.ttl``). The filter form is a plain GET form whose
choices come from the registry: the kinds and the themes of their concept schemes, and
the places that have practices. A value the registry does not know is refused with a
400 page; filters that match nothing are answered with the way back to every practice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from rdflib import Literal, URIRef
from rdflib.namespace import DefinedNamespace

from api.deps import StoreDep
from api.portal.templating import render
from registry import discovery
from registry.discovery import PracticeDetail, Ref
from registry.errors import InputError
from registry.namespaces import SKOS
from registry.store import Store
from registry.vocabularies import PRACTICE_KIND, THEME, VERIFICATION_STATUS

router = APIRouter()

TO_BE_VERIFIED = str(VERIFICATION_STATUS.toBeVerified)


@dataclass(frozen=True)
class Choice:
    """One option of a filter: the value sent, what a person reads, how many practices."""

    value: str
    label: str
    count: int = 0
    definition: str | None = None


@dataclass(frozen=True)
class KindGroup:
    """The practices of one kind, in the order of the kinds' scheme."""

    kind: Choice | None
    practices: list[PracticeDetail]


def _key(text: str) -> str:
    return "".join(ch for ch in text if ch not in " _-").casefold()


def _definitions(store: Store, iris: list[URIRef]) -> dict[str, str]:
    """The English definitions (skos:definition) of some concepts."""
    graph = store.triples_about(iris)
    out: dict[str, str] = {}
    for iri in iris:
        values = [o for o in graph.objects(iri, SKOS.definition) if isinstance(o, Literal)]
        values.sort(key=lambda v: (v.language not in (None, "en"), str(v)))
        if values:
            out[str(iri)] = str(values[0])
    return out


def _concept_choices(
    store: Store, namespace: type[DefinedNamespace], counts: dict[str, int]
) -> list[Choice]:
    index = discovery.label_index(store)
    base = str(namespace._NS)
    names = discovery.concept_names(namespace)
    iris = [URIRef(base + name) for name in names]
    definitions = _definitions(store, iris)
    return [
        Choice(
            name,
            index.label(str(iri)) or name,
            counts.get(str(iri), 0),
            definitions.get(str(iri)),
        )
        for name, iri in zip(names, iris, strict=True)
    ]


def _chosen_concept(value: str, choices: list[Choice], parameter: str) -> Choice | None:
    """The choice a filter value names (its local name, case, '-' and '_' ignored)."""
    if not value:
        return None
    wanted = _key(value.rsplit("/", 1)[-1])
    for choice in choices:
        if _key(choice.value) == wanted:
            return choice
    allowed = ", ".join(c.value for c in choices)
    msg = f"{parameter}={value!r} is not known; use one of: {allowed}"
    raise InputError(msg, details={"parameter": parameter, "value": value, "allowed": allowed})


def _place_label(place: Ref) -> str:
    label = place.label or place.slug or place.id
    slug = place.slug or ""
    if slug and not slug.startswith("urban-audit/"):
        scheme, _, code = slug.partition("/")
        return f"{label} ({scheme.replace('-', ' ').upper()} {code})"
    return label


def _place_choices(details: list[PracticeDetail]) -> list[Choice]:
    counts: dict[str, int] = {}
    places: dict[str, Ref] = {}
    for practice in details:
        for place in practice.places:
            places[place.id] = place
            counts[place.id] = counts.get(place.id, 0) + 1
    choices = [
        Choice(place.slug or place.id, _place_label(place), counts[iri])
        for iri, place in places.items()
    ]
    return sorted(choices, key=lambda c: discovery.fold(c.label))


def _counts(details: list[PracticeDetail], attribute: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for practice in details:
        value = getattr(practice, attribute)
        refs = value if isinstance(value, list) else [value] if value is not None else []
        for ref in refs:
            counts[ref.id] = counts.get(ref.id, 0) + 1
    return counts


def _groups(details: list[PracticeDetail], kinds: list[Choice]) -> list[KindGroup]:
    base = str(PRACTICE_KIND._NS)
    groups: list[KindGroup] = []
    for kind in kinds:
        members = [p for p in details if p.kind is not None and p.kind.id == base + kind.value]
        if members:
            groups.append(KindGroup(kind, members))
    known = {base + k.value for k in kinds}
    rest = [p for p in details if p.kind is None or p.kind.id not in known]
    if rest:
        groups.append(KindGroup(None, rest))
    return groups


@router.get("/toolbox", response_class=HTMLResponse)
def toolbox_page(
    request: Request,
    store: StoreDep,
    city: Annotated[str, Query(max_length=200)] = "",
    theme: Annotated[str, Query(max_length=100)] = "",
    kind: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    city, theme, kind = city.strip(), theme.strip(), kind.strip()
    everything = discovery.list_practices(store, limit=discovery.MAX_LIMIT).items
    details = [discovery.get_practice(store, ref=item.id) for item in everything]
    details.sort(key=lambda p: discovery.fold(p.label or p.id))

    kinds = _concept_choices(store, PRACTICE_KIND, _counts(details, "kind"))
    themes = _concept_choices(store, THEME, _counts(details, "themes"))
    places = _place_choices(details)

    chosen_kind = _chosen_concept(kind, kinds, "kind")
    chosen_theme = _chosen_concept(theme, themes, "theme")
    chosen_city: Choice | None = None
    if city:
        # The registry resolves a slug, a code or an IRI, and refuses a place it does not know.
        iri = str(discovery.resolve_filter(store, city, "place", parameter="city", see="/cities"))
        slug = discovery.slug_of(iri, "place") or iri
        chosen_city = next((c for c in places if c.value == slug), None)
        if chosen_city is None:  # a place Commensura knows, without practices
            label = discovery.label_index(store).label(iri) or slug
            chosen_city = Choice(slug, label, 0)
            places = sorted([*places, chosen_city], key=lambda c: discovery.fold(c.label))

    shown = details
    if chosen_kind is not None:
        wanted = str(PRACTICE_KIND._NS) + chosen_kind.value
        shown = [p for p in shown if p.kind is not None and p.kind.id == wanted]
    if chosen_theme is not None:
        wanted = str(THEME._NS) + chosen_theme.value
        shown = [p for p in shown if any(t.id == wanted for t in p.themes)]
    if chosen_city is not None:
        shown = [
            p for p in shown if any((pl.slug or pl.id) == chosen_city.value for pl in p.places)
        ]

    filters = [
        (name, choice)
        for name, choice in (("kind", chosen_kind), ("theme", chosen_theme), ("city", chosen_city))
        if choice is not None
    ]
    return render(
        request,
        "toolbox.html",
        title="The cities' toolbox",
        kinds=kinds,
        themes=themes,
        places=places,
        kind=chosen_kind.value if chosen_kind else "",
        theme=chosen_theme.value if chosen_theme else "",
        city=chosen_city.value if chosen_city else "",
        filters=filters,
        groups=_groups(shown, kinds),
        shown=len(shown),
        total=len(details),
        to_be_verified=TO_BE_VERIFIED,
    )


@router.get("/toolbox/{ref:path}", response_class=HTMLResponse)
def practice_page(request: Request, store: StoreDep, ref: str) -> HTMLResponse:
    """One practice, by its slug (``/toolbox/vienna-integration-diversity-monitor``)."""
    if len(ref) > 300:
        raise InputError("that is not the name of a practice: it is far too long")
    practice = discovery.get_practice(store, ref=ref)
    return render(
        request,
        "toolbox.html",
        title=practice.label or practice.slug or practice.id,
        practice=practice,
        to_be_verified=TO_BE_VERIFIED,
    )

"""Plain-English wording of definitions, example persons and open questions.

The comparison explains itself to policy officers: what each group counts ("persons
with at least one parent born abroad"), an example person that shows a difference
("a person born abroad whose parents were both born in the reporting country"),
and what keeps a relation from being decided.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from registry.comparability.cells import NO_DURATION, UK, Cell, Fact, stay_interval
from registry.comparability.model import (
    AllOf,
    AnyOf,
    Basis,
    Characteristic,
    Condition,
    Country,
    Criterion,
    Generation,
    Group,
    Kind,
    Not,
    OriginAssignment,
    OriginIn,
    ParentRule,
    Uninterpreted,
    Value,
)
from registry.comparability.normal_form import value_key

C = Characteristic

_COUNTRY_NP: dict[Group, str] = {
    Group.NATIONAL: "the reporting country",
    Group.FOREIGN: "another country",
    Group.EU27_2020: "another EU27 country (2020 composition)",
    Group.NON_EU27_2020: "a country outside the EU27 (2020 composition)",
    Group.EU28: "another EU28 country (2013-2020 composition)",
    Group.NON_EU28: "a country outside the EU28 (2013-2020 composition)",
    Group.EFTA: "an EFTA country",
    Group.WESTERN: "a western country (CBS classification)",
    Group.NON_WESTERN: "a non-western country (CBS classification)",
    Group.NEIGHBOURING_COUNTRY: "a neighbouring country",
    Group.STATELESS: "no country (stateless)",
    Group.UNKNOWN: "an unknown country",
    Group.NO_RESPONSE: "a country not stated",
}
_LANGUAGE: dict[Group, str] = {
    Group.NATIONAL_LANGUAGE: "a national language",
    Group.FOREIGN_LANGUAGE: "a foreign language",
    Group.UNKNOWN: "unknown",
    Group.NO_RESPONSE: "not stated",
}
_PROTECTION: dict[Group, str] = {
    Group.HUMANITARIAN_STATUS: (
        "a humanitarian status (asylum seeker, refugee, subsidiary or temporary protection)"
    ),
    Group.INTERNATIONAL_PROTECTION: "international protection (refugee or subsidiary protection)",
    Group.REFUGEE_STATUS: "refugee status",
    Group.SUBSIDIARY_PROTECTION: "subsidiary protection",
    Group.TEMPORARY_PROTECTION: "temporary protection",
    Group.ASYLUM_SEEKER: "a pending asylum application",
    Group.NO_INTERNATIONAL_PROTECTION: "no protection status",
    Group.UNKNOWN: "an unknown protection status",
    Group.NO_RESPONSE: "no stated protection status",
}
_CELL_NP: dict[Cell, str] = {
    "NAT": "the reporting country",
    "EU27": "another EU27 country",
    "NW": "a country outside the EU and EFTA",
    "W": "a western country outside the EU and EFTA",
    "EFTA": "an EFTA country",
    UK: "the United Kingdom",
    "EU27_NB": "a neighbouring EU27 country",
    "NW_NB": "a neighbouring country outside the EU and EFTA",
    "W_NB": "a neighbouring western country outside the EU and EFTA",
    "EFTA_NB": "a neighbouring EFTA country",
    "STLS": "no country (stateless)",
    "UNK": "an unknown country",
    "NRP": "a country not stated",
}
_CELL_LANGUAGE: dict[Cell, str] = {
    "NAT_LANG": "a national language",
    "FOR_LANG": "a foreign language",
    "UNK": "unknown",
    "NRP": "not stated",
}
_CELL_PROTECTION: dict[Cell, str] = {
    "NONE": "no protection status",
    "REF": "refugee status",
    "SUB": "subsidiary protection",
    "TEMP": "temporary protection",
    "ASY": "a pending asylum application",
    "UNK": "an unknown protection status",
    "NRP": "no stated protection status",
}
_RULE: dict[ParentRule, str] = {
    ParentRule.AT_LEAST_ONE: "with at least one parent",
    ParentRule.BOTH: "with both parents",
    ParentRule.BOTH_OR_ONLY_KNOWN: "with both parents, or the only known parent,",
    ParentRule.EXACTLY_ONE: "with exactly one parent",
    ParentRule.MOTHER: "whose mother was",
    ParentRule.FATHER: "whose father was",
}
_ORIGIN: dict[OriginAssignment, str] = {
    OriginAssignment.OWN_THEN_MOTHER_THEN_FATHER: "their own, else the mother's, else the father's",
    OriginAssignment.MOTHER_THEN_FATHER: "the mother's, else the father's",
    OriginAssignment.FATHER_THEN_MOTHER: "the father's, else the mother's",
    OriginAssignment.OWN_ONLY: "their own",
}
ORIGIN_RULE: Mapping[OriginAssignment, str] = _ORIGIN
"""How each origin-assignment rule reads."""


def _sorted(values: Iterable[Value]) -> list[Value]:
    return sorted(values, key=value_key)


def _or(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def country_np(value: Value) -> str:
    """A country value as a noun phrase ("another EU27 country (2020 composition)")."""
    if isinstance(value, Country):
        return value.name
    return _COUNTRY_NP.get(value, value.value)


def born(values: Iterable[Value]) -> str:
    """A place of birth: "born abroad", "born in the reporting country or in an unknown country"."""
    items = ["abroad" if v == Group.FOREIGN else "in " + country_np(v) for v in _sorted(values)]
    return "born " + _or(items)


def citizenship(values: Iterable[Value]) -> str:
    """A citizenship: "a foreign citizenship", "the citizenship of another EU27 country"."""
    items: list[str] = []
    for v in _sorted(values):
        if v == Group.FOREIGN:
            items.append("a foreign citizenship (or none)")
        elif v == Group.STATELESS:
            items.append("no citizenship (stateless)")
        elif v == Group.UNKNOWN:
            items.append("an unknown citizenship")
        elif v == Group.NO_RESPONSE:
            items.append("a citizenship not stated")
        else:
            items.append("the citizenship of " + country_np(v))
    return _or(items)


def _language(values: Iterable[Value]) -> str:
    return _or([_LANGUAGE.get(v, str(v)) for v in _sorted(values) if isinstance(v, Group)])


def _protection(values: Iterable[Value]) -> str:
    return _or([_PROTECTION.get(v, str(v)) for v in _sorted(values) if isinstance(v, Group)])


def _years(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return f"{text} year" if text == "1" else f"{text} years"


def stay_text(low: Decimal | None, high: Decimal | None) -> str:
    """A duration of stay: "resident for less than 5 years", "resident for 10 years or more"."""
    if (low is None or low == 0) and high is not None:
        return f"resident for less than {_years(high)}"
    if low is not None and low > 0 and high is None:
        return f"resident for {_years(low)} or more"
    if low is not None and high is not None:
        return f"resident for {format(low.normalize(), 'f')} to less than {_years(high)}"
    return "with a recorded duration of stay"


def criterion_text(criterion: Criterion) -> str:
    """One criterion as a phrase that follows "persons"."""
    basis, values = criterion.basis, criterion.values
    if basis is Basis.OWN_COUNTRY_OF_BIRTH:
        return born(values)
    if basis is Basis.CURRENT_CITIZENSHIP:
        return "holding " + citizenship(values)
    if basis is Basis.FIRST_CITIZENSHIP:
        return "first registered with " + citizenship(values)
    if basis is Basis.MOTHER_TONGUE:
        return "whose mother tongue is " + _language(values)
    if basis is Basis.PROTECTION_STATUS:
        return "with " + _protection(values)
    if basis is Basis.DURATION_OF_STAY:
        return stay_text(criterion.min_years, criterion.max_years)
    rule = _RULE[criterion.parent_rule] if criterion.parent_rule else "with parents"
    suffix = " (the other parent known)" if criterion.parent_rule is ParentRule.EXACTLY_ONE else ""
    if basis is Basis.PARENTS_COUNTRY_OF_BIRTH:
        return f"{rule} {born(values)}{suffix}"
    return f"{rule} first registered with {citizenship(values)}{suffix}"


def condition_text(condition: Condition, nested: bool = False) -> str:
    """A condition as a phrase that follows "persons"."""
    if isinstance(condition, Criterion):
        return criterion_text(condition)
    if isinstance(condition, AllOf):
        return " and ".join(condition_text(o, nested=True) for o in condition.operands)
    if isinstance(condition, AnyOf):
        text = _or([condition_text(o, nested=True) for o in condition.operands])
        return f"either {text}" if nested else text
    if isinstance(condition, Not):
        return "other than those " + condition_text(condition.operand, nested=True)
    if isinstance(condition, OriginIn):
        basis = "first citizenship" if condition.first_citizenship else "country of birth"
        places = _or([country_np(v) for v in _sorted(condition.values)])
        return f"whose origin ({_ORIGIN[condition.rule]} {basis}) is {places}"
    if isinstance(condition, Uninterpreted):
        return f"meeting a condition the registry cannot read ({condition.text})"
    raise TypeError(f"not a condition: {condition!r}")


def definition_text(condition: Condition | None, generation: Generation | None) -> str:
    """What a definition counts: "persons born abroad (first generation)"."""
    text = "all persons" if condition is None else "persons " + condition_text(condition)
    if generation is Generation.FIRST:
        text += " (first generation: born abroad)"
    elif generation is Generation.SECOND:
        text += " (second generation: born in the reporting country)"
    return text


# ---------------------------------------------------------------------------
# Example persons
# ---------------------------------------------------------------------------


def value_trait(characteristic: Characteristic, values: frozenset[Value]) -> str:
    """A trait of an example person, from the values of a criterion."""
    kind = characteristic.kind
    if kind is Kind.COUNTRY_OF_BIRTH:
        place = born(values)
    elif kind is Kind.CITIZENSHIP:
        place = citizenship(values)
    elif kind is Kind.LANGUAGE:
        place = _language(values)
    else:
        place = _protection(values)
    return _trait(characteristic, place)


def cell_trait(characteristic: Characteristic, cell: Cell, labels: Mapping[str, str]) -> str:
    """A trait of an example person, from one cell of a characteristic."""
    kind = characteristic.kind
    if kind is Kind.DURATION:
        interval = stay_interval(cell)
        if interval is None or cell == NO_DURATION:
            return "with no recorded duration of stay"
        return stay_text(*interval)
    if kind is Kind.LANGUAGE:
        return _trait(characteristic, _CELL_LANGUAGE[cell])
    if kind is Kind.PROTECTION:
        return _trait(characteristic, _CELL_PROTECTION[cell])
    np = labels.get(cell[2:], cell[2:]) if cell.startswith("C:") else _CELL_NP[cell]
    parent = _PARENT.get(characteristic)
    if parent and cell in ("UNK", "NRP"):
        what = "country of birth" if kind is Kind.COUNTRY_OF_BIRTH else "first citizenship"
        return f"whose {parent} is unknown or of unknown {what}"
    if kind is Kind.COUNTRY_OF_BIRTH:
        if cell == "UNK":
            return "of unknown country of birth"
        if cell == "NRP":
            return "of a country of birth not stated"
        return _trait(characteristic, "born in " + np)
    if cell in ("STLS", "UNK", "NRP"):
        place = {
            "STLS": "no citizenship (stateless)",
            "UNK": "an unknown citizenship",
            "NRP": "a citizenship not stated",
        }[cell]
    else:
        place = "the citizenship of " + np
    return _trait(characteristic, place)


_PARENT = {
    C.FATHER_COUNTRY_OF_BIRTH: "father",
    C.MOTHER_COUNTRY_OF_BIRTH: "mother",
    C.FATHER_FIRST_CITIZENSHIP: "father",
    C.MOTHER_FIRST_CITIZENSHIP: "mother",
}


def _trait(characteristic: Characteristic, place: str) -> str:
    match characteristic:
        case C.OWN_COUNTRY_OF_BIRTH:
            return place
        case C.CURRENT_CITIZENSHIP:
            return "holding " + place
        case C.FIRST_CITIZENSHIP:
            return "first registered with " + place
        case C.FATHER_COUNTRY_OF_BIRTH:
            return "whose father was " + place
        case C.MOTHER_COUNTRY_OF_BIRTH:
            return "whose mother was " + place
        case C.FATHER_FIRST_CITIZENSHIP:
            return "whose father was first registered with " + place
        case C.MOTHER_FIRST_CITIZENSHIP:
            return "whose mother was first registered with " + place
        case C.MOTHER_TONGUE:
            return "whose mother tongue is " + place
        case C.PROTECTION_STATUS:
            return "with " + place
        case _:
            return place


_PARENT_PAIRS = (
    (
        C.FATHER_COUNTRY_OF_BIRTH,
        C.MOTHER_COUNTRY_OF_BIRTH,
        "whose father was ",
        "whose mother was ",
        "whose parents were both ",
    ),
    (
        C.FATHER_FIRST_CITIZENSHIP,
        C.MOTHER_FIRST_CITIZENSHIP,
        "whose father was first registered with ",
        "whose mother was first registered with ",
        "whose parents were both first registered with ",
    ),
)


def person_text(traits: Mapping[Characteristic, str]) -> str:
    """An example person: "a person born abroad whose parents were both born in ..."."""
    merged: set[Characteristic] = set()
    for father, mother, f_prefix, m_prefix, both_prefix in _PARENT_PAIRS:
        f_text, m_text = traits.get(father), traits.get(mother)
        if (
            f_text
            and m_text
            and f_text.startswith(f_prefix)
            and f_text.removeprefix(f_prefix) == m_text.removeprefix(m_prefix)
        ):
            merged.add(mother)
            traits = {**traits, father: both_prefix + f_text.removeprefix(f_prefix)}
    phrases = [traits[c] for c in Characteristic if c in traits and c not in merged]
    plain = [p for p in phrases if not p.startswith("whose ")]
    relative = [p for p in phrases if p.startswith("whose ")]
    if not phrases:
        return "any person"
    text = _and(plain)
    if relative:
        text += (", " if len(plain) > 1 else " ") + _and(relative) if plain else _and(relative)
    return "a person " + text


def fact_text(fact: Fact, labels: Mapping[str, str]) -> str:
    """An open question in words."""
    topic, code = fact
    name = "the United Kingdom" if code == UK else labels.get(code, code)
    if topic == "western":
        return (
            f"whether {name} is a western country in the CBS classification, "
            "which the registry does not record"
        )
    return f"whether {name} borders the reporting country, which depends on that country"


__all__ = [
    "ORIGIN_RULE",
    "born",
    "cell_trait",
    "citizenship",
    "condition_text",
    "country_np",
    "criterion_text",
    "definition_text",
    "fact_text",
    "person_text",
    "stay_text",
    "value_trait",
]

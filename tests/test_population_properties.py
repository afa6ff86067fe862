"""Properties of population relations on random definitions built from criterion atoms.

Each property is checked with two comparators that share no memory, so that a
relation read from the other side is computed again, not mirrored from a cache.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.comparability import (
    AllOf,
    AnyOf,
    Basis,
    Condition,
    Country,
    Criterion,
    Group,
    Not,
    ParentRule,
    PopulationComparator,
    PopulationDefinition,
    Relation,
    Uninterpreted,
    all_of,
    any_of,
    criterion,
    negate,
    stay,
)
from registry.comparability.model import APPLICABLE_GROUPS, Characteristic, Kind

R = Relation
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

_KIND = {
    Basis.OWN_COUNTRY_OF_BIRTH: Kind.COUNTRY_OF_BIRTH,
    Basis.CURRENT_CITIZENSHIP: Kind.CITIZENSHIP,
    Basis.FIRST_CITIZENSHIP: Kind.CITIZENSHIP,
    Basis.PARENTS_COUNTRY_OF_BIRTH: Kind.COUNTRY_OF_BIRTH,
    Basis.PARENTS_FIRST_CITIZENSHIP: Kind.CITIZENSHIP,
    Basis.MOTHER_TONGUE: Kind.LANGUAGE,
    Basis.PROTECTION_STATUS: Kind.PROTECTION,
}
_OPEN_GROUPS = {Group.NEIGHBOURING_COUNTRY}  # whether the UK is a neighbour is an open question
_COUNTRIES = [Country("HR"), Country("UK"), Country("TR"), Country("CH")]
_OPEN_COUNTRIES = [Country("MA")]  # whether Morocco is western is an open question
_YEARS = [Decimal(0), Decimal(2), Decimal(5), Decimal(10)]


def criteria(readable: bool) -> st.SearchStrategy[Condition]:
    """One criterion on any basis; unless ``readable``, also unreadable ones and open questions."""

    @st.composite
    def build(draw: st.DrawFn) -> Condition:
        basis = draw(st.sampled_from(list(Basis)))
        if basis is Basis.DURATION_OF_STAY:
            low = draw(st.sampled_from([None, *_YEARS]))
            high = draw(st.sampled_from([None, *_YEARS[1:]]))
            if low is None and high is None:
                high = Decimal(5)
            return stay(low, high)
        groups = sorted(APPLICABLE_GROUPS[_KIND[basis]])
        if readable:
            groups = [g for g in groups if g not in _OPEN_GROUPS]
        pool: list[Group | Country] = list(groups)
        if _KIND[basis] in (Kind.COUNTRY_OF_BIRTH, Kind.CITIZENSHIP):
            pool += _COUNTRIES if readable else _COUNTRIES + _OPEN_COUNTRIES
        values = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
        rule = draw(st.sampled_from(list(ParentRule))) if basis.is_parents else None
        return criterion(basis, *values, rule=rule)

    strategy: st.SearchStrategy[Condition] = build()
    if not readable:
        unreadable = st.sampled_from(
            [Uninterpreted("permit", "a residence permit"), Uninterpreted("work", "in work")]
        )
        strategy = st.one_of(strategy, strategy, strategy, unreadable)
    return strategy


def conditions(readable: bool = True) -> st.SearchStrategy[Condition]:
    return st.recursive(
        criteria(readable),
        lambda inner: st.one_of(
            st.lists(inner, min_size=2, max_size=3).map(lambda ops: all_of(*ops)),
            st.lists(inner, min_size=2, max_size=3).map(lambda ops: any_of(*ops)),
            inner.map(negate),
        ),
        max_leaves=5,
    )


def definition(condition: Condition) -> PopulationDefinition:
    return PopulationDefinition(condition)


def both_ways(a: PopulationDefinition, b: PopulationDefinition) -> tuple[Relation, Relation]:
    return (
        PopulationComparator().relation(a, b).relation,
        PopulationComparator().relation(b, a).relation,
    )


@SETTINGS
@given(conditions(readable=False))
def test_a_definition_is_equal_to_itself(condition: Condition) -> None:
    a = definition(condition)
    assert PopulationComparator().relation(a, a).relation is R.EQUAL
    # A copy made apart (another object, same criteria) is equal too.
    assert PopulationComparator().relation(a, definition(condition)).relation is R.EQUAL


@SETTINGS
@given(conditions(readable=False), conditions(readable=False))
def test_subset_and_superset_mirror_each_other_and_the_rest_is_symmetric(
    first: Condition, second: Condition
) -> None:
    forward, backward = both_ways(definition(first), definition(second))
    assert forward.converse is backward
    assert (forward is R.SUBSET) == (backward is R.SUPERSET)
    if forward in (R.EQUAL, R.OVERLAP, R.DISJOINT, R.UNKNOWN):
        assert backward is forward


@SETTINGS
@given(conditions(), conditions())
def test_adding_a_criterion_narrows_and_a_union_widens(base: Condition, extra: Condition) -> None:
    a = definition(base)
    narrowed, widened = definition(all_of(base, extra)), definition(any_of(base, extra))
    assert PopulationComparator().relation(narrowed, a).relation in (R.SUBSET, R.EQUAL)
    assert PopulationComparator().relation(widened, a).relation in (R.SUPERSET, R.EQUAL)
    assert PopulationComparator().relation(a, widened).relation in (R.SUBSET, R.EQUAL)


@SETTINGS
@given(conditions(readable=False), conditions(readable=False))
def test_narrowing_and_widening_hold_even_where_criteria_cannot_be_read(
    base: Condition, extra: Condition
) -> None:
    a = definition(base)
    narrowed = PopulationComparator().relation(definition(all_of(base, extra)), a)
    widened = PopulationComparator().relation(definition(any_of(base, extra)), a)
    assert narrowed.relation in (R.SUBSET, R.EQUAL, R.UNKNOWN)
    assert narrowed.outcome.a_in_b is True
    assert widened.relation in (R.SUPERSET, R.EQUAL, R.UNKNOWN)
    assert widened.outcome.b_in_a is True
    if narrowed.relation is R.UNKNOWN:
        assert narrowed.unresolved
        assert "cannot be decided" in narrowed.reason


@SETTINGS
@given(conditions())
def test_a_definition_and_its_negation_share_nobody(condition: Condition) -> None:
    a, not_a = definition(condition), definition(negate(condition))
    found = PopulationComparator().relation(a, not_a)
    assert found.outcome.meet is False
    if found.outcome.a_empty:
        assert found.relation is R.SUBSET
    elif found.outcome.b_empty:
        assert found.relation is R.SUPERSET
    else:
        assert found.relation is R.DISJOINT


@SETTINGS
@given(conditions(), conditions())
def test_de_morgan(first: Condition, second: Condition) -> None:
    left = definition(negate(any_of(first, second)))
    right = definition(all_of(negate(first), negate(second)))
    assert PopulationComparator().relation(left, right).relation is R.EQUAL


@SETTINGS
@given(st.lists(conditions(), min_size=2, max_size=6))
def test_the_shared_table_agrees_with_pairs_compared_alone(group: list[Condition]) -> None:
    definitions = [definition(c) for c in group]
    table = PopulationComparator().relations(definitions)
    for i, a in enumerate(definitions):
        for j, b in enumerate(definitions):
            assert table[i][j] is PopulationComparator().relation(a, b).relation


@SETTINGS
@given(conditions(), conditions())
def test_a_relation_shown_with_an_example_is_worded(first: Condition, second: Condition) -> None:
    found = PopulationComparator().relation(definition(first), definition(second))
    if found.relation in (R.SUBSET, R.SUPERSET, R.OVERLAP):
        assert "for example a person" in found.reason
    assert found.reason.endswith(".")
    assert all(c.label for c in Characteristic)


# ---------------------------------------------------------------------------
# Agreement with persons evaluated one by one
# ---------------------------------------------------------------------------

_EU = {"HR", "FR", "DE"}
_WESTERN = _EU | {"UK", "CH", "NO", "US", "JP"}
_BIRTH = ["NAT", "HR", "FR", "DE", "UK", "CH", "NO", "TR", "US", "JP", "CN", "UNK", "NRP"]
_MISSING = {"UNK", "NRP"}
_CITIZEN = {
    Characteristic.OWN_COUNTRY_OF_BIRTH: _BIRTH,
    Characteristic.FATHER_COUNTRY_OF_BIRTH: _BIRTH,
    Characteristic.MOTHER_COUNTRY_OF_BIRTH: _BIRTH,
    Characteristic.CURRENT_CITIZENSHIP: [*_BIRTH, "STLS"],
    Characteristic.FIRST_CITIZENSHIP: [*_BIRTH, "STLS"],
    Characteristic.FATHER_FIRST_CITIZENSHIP: [*_BIRTH, "STLS"],
    Characteristic.MOTHER_FIRST_CITIZENSHIP: [*_BIRTH, "STLS"],
    Characteristic.MOTHER_TONGUE: ["nat", "for", "UNK", "NRP"],
    Characteristic.PROTECTION_STATUS: ["NONE", "REF", "SUB", "TEMP", "ASY", "UNK", "NRP"],
}


def _has(value: Group | Country, concrete: str) -> bool:
    """Whether a concrete value (a country code, a language, a status) has a criterion value."""
    if isinstance(value, Country):
        return concrete == value.code
    foreign = concrete not in ("NAT", *_MISSING) and concrete in {*_BIRTH, "STLS"}
    table = {
        Group.NATIONAL: concrete == "NAT",
        Group.FOREIGN: foreign,
        Group.EU27_2020: concrete in _EU,
        Group.NON_EU27_2020: foreign and concrete not in _EU,
        Group.EU28: concrete in _EU | {"UK"},
        Group.NON_EU28: foreign and concrete not in _EU | {"UK"},
        Group.EFTA: concrete in {"CH", "NO"},
        Group.WESTERN: concrete in _WESTERN,
        Group.NON_WESTERN: concrete in {"TR", "CN"},
        Group.STATELESS: concrete == "STLS",
        Group.UNKNOWN: concrete == "UNK",
        Group.NO_RESPONSE: concrete == "NRP",
        Group.NATIONAL_LANGUAGE: concrete == "nat",
        Group.FOREIGN_LANGUAGE: concrete == "for",
        Group.HUMANITARIAN_STATUS: concrete in {"REF", "SUB", "TEMP", "ASY"},
        Group.INTERNATIONAL_PROTECTION: concrete in {"REF", "SUB"},
        Group.REFUGEE_STATUS: concrete == "REF",
        Group.SUBSIDIARY_PROTECTION: concrete == "SUB",
        Group.TEMPORARY_PROTECTION: concrete == "TEMP",
        Group.ASYLUM_SEEKER: concrete == "ASY",
        Group.NO_INTERNATIONAL_PROTECTION: concrete == "NONE",
    }
    return table.get(value, False)


_C = Characteristic
_OWN = {
    Basis.OWN_COUNTRY_OF_BIRTH: _C.OWN_COUNTRY_OF_BIRTH,
    Basis.CURRENT_CITIZENSHIP: _C.CURRENT_CITIZENSHIP,
    Basis.FIRST_CITIZENSHIP: _C.FIRST_CITIZENSHIP,
    Basis.MOTHER_TONGUE: _C.MOTHER_TONGUE,
    Basis.PROTECTION_STATUS: _C.PROTECTION_STATUS,
}
_PARENTS = {
    Basis.PARENTS_COUNTRY_OF_BIRTH: (_C.FATHER_COUNTRY_OF_BIRTH, _C.MOTHER_COUNTRY_OF_BIRTH),
    Basis.PARENTS_FIRST_CITIZENSHIP: (_C.FATHER_FIRST_CITIZENSHIP, _C.MOTHER_FIRST_CITIZENSHIP),
}
Person = dict[Characteristic, str]


def _holds(condition: Condition, person: Person, stay_years: Decimal | None) -> bool:
    """The condition read directly, as the ontology words it, on one concrete person."""
    if isinstance(condition, AllOf):
        return all(_holds(o, person, stay_years) for o in condition.operands)
    if isinstance(condition, AnyOf):
        return any(_holds(o, person, stay_years) for o in condition.operands)
    if isinstance(condition, Not):
        return not _holds(condition.operand, person, stay_years)
    assert isinstance(condition, Criterion)
    if condition.basis is Basis.DURATION_OF_STAY:
        low, high = condition.min_years, condition.max_years
        return (
            stay_years is not None
            and (low is None or stay_years >= low)
            and (high is None or stay_years < high)
        )

    def has(c: Characteristic) -> bool:
        return any(_has(v, person[c]) for v in condition.values)

    if condition.basis in _OWN:
        return has(_OWN[condition.basis])
    father, mother = _PARENTS[condition.basis]
    f, m = has(father), has(mother)
    f_known, m_known = person[father] not in _MISSING, person[mother] not in _MISSING
    rule = condition.parent_rule
    if rule is ParentRule.AT_LEAST_ONE:
        return f or m
    if rule is ParentRule.BOTH:
        return f and m
    if rule is ParentRule.BOTH_OR_ONLY_KNOWN:
        return (f and m) or (f and not m_known) or (m and not f_known)
    if rule is ParentRule.EXACTLY_ONE:
        return (f and m_known and not m) or (m and f_known and not f)
    return m if rule is ParentRule.MOTHER else f


def _persons(count: int) -> list[tuple[Person, Decimal | None]]:
    import random

    rng = random.Random(20261122)  # noqa: S311 - a fixed sample of test persons
    found: list[tuple[Person, Decimal | None]] = []
    while len(found) < count:
        person = {c: rng.choice(values) for c, values in _CITIZEN.items()}
        protected = person[_C.PROTECTION_STATUS] in {"REF", "SUB", "TEMP", "ASY"}
        if protected and person[_C.CURRENT_CITIZENSHIP] == "NAT":
            continue  # nobody is protected in their own country
        years = rng.choice([None, Decimal(0), Decimal(1), Decimal(3), Decimal(5), Decimal(12)])
        found.append((person, years))
    return found


PERSONS = _persons(250)


@settings(SETTINGS, max_examples=40)
@given(conditions(), conditions())
def test_relations_agree_with_persons_one_by_one(first: Condition, second: Condition) -> None:
    found = PopulationComparator().relation(definition(first), definition(second)).relation
    for person, years in PERSONS:
        in_a, in_b = _holds(first, person, years), _holds(second, person, years)
        if found in (R.EQUAL, R.SUBSET):
            assert not in_a or in_b, person
        if found in (R.EQUAL, R.SUPERSET):
            assert not in_b or in_a, person
        if found is R.DISJOINT:
            assert not (in_a and in_b), person

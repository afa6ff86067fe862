"""Population definitions as written: criteria, their values and how they combine.

This module holds the vocabulary of the comparability engine in plain Python. It
mirrors the ontology: a criterion tests one *basis* (own country of birth,
current citizenship, parents' country of birth, ...) against a set of *values*
(the reporting country, foreign, EU27 from 2020, a named country, a foreign
language, refugee status, ...), with a *parent rule* for the parents' bases and
minimum and maximum years for the duration of stay. Conditions combine criteria
with all of, any of and not.

Country values are read relative to the reporting country, as in Eurostat's
code lists: ``Group.NATIONAL`` is the reporting country of whichever definition
uses it, so two definitions are compared as rules applied in one and the same
country. A named country (``Country("TR")``) is taken to be another country than
the reporting one.

The small builders at the end (``criterion``, ``all_of``, ``any_of``, ``negate``,
``stay``) write definitions in code, for tests and for callers that do not start
from a graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum, StrEnum


class Kind(Enum):
    """The kind of value space a characteristic has."""

    COUNTRY_OF_BIRTH = "country of birth"
    CITIZENSHIP = "citizenship"
    LANGUAGE = "language"
    PROTECTION = "protection status"
    DURATION = "duration of stay"


class Characteristic(Enum):
    """One characteristic of a person that criteria test.

    The parents' bases of the ontology become two characteristics each, one for
    the father and one for the mother; an unknown parent is a parent whose value
    is unknown.
    """

    OWN_COUNTRY_OF_BIRTH = ("own country of birth", Kind.COUNTRY_OF_BIRTH)
    CURRENT_CITIZENSHIP = ("current citizenship", Kind.CITIZENSHIP)
    FIRST_CITIZENSHIP = ("first registered citizenship", Kind.CITIZENSHIP)
    FATHER_COUNTRY_OF_BIRTH = ("father's country of birth", Kind.COUNTRY_OF_BIRTH)
    MOTHER_COUNTRY_OF_BIRTH = ("mother's country of birth", Kind.COUNTRY_OF_BIRTH)
    FATHER_FIRST_CITIZENSHIP = ("father's first citizenship", Kind.CITIZENSHIP)
    MOTHER_FIRST_CITIZENSHIP = ("mother's first citizenship", Kind.CITIZENSHIP)
    MOTHER_TONGUE = ("mother tongue", Kind.LANGUAGE)
    PROTECTION_STATUS = ("protection status", Kind.PROTECTION)
    DURATION_OF_STAY = ("duration of stay", Kind.DURATION)

    def __init__(self, label: str, kind: Kind) -> None:
        self.label = label
        self.kind = kind

    # Members are singletons compared by identity: the identity hash is exact and
    # much cheaper than the default, which matters in the comparison's inner loops.
    __hash__ = object.__hash__

    @property
    def order(self) -> int:
        """The position of the characteristic in a stable order."""
        return _CHARACTERISTIC_ORDER[self]


_CHARACTERISTIC_ORDER = {c: i for i, c in enumerate(Characteristic)}


class Basis(StrEnum):
    """The criterion bases of the ontology (the criteria concept scheme); values are local names."""

    OWN_COUNTRY_OF_BIRTH = "ownCountryOfBirth"
    CURRENT_CITIZENSHIP = "currentCitizenship"
    FIRST_CITIZENSHIP = "firstCitizenship"
    PARENTS_COUNTRY_OF_BIRTH = "parentsCountryOfBirth"
    PARENTS_FIRST_CITIZENSHIP = "parentsFirstCitizenship"
    MOTHER_TONGUE = "motherTongue"
    PROTECTION_STATUS = "protectionStatus"
    DURATION_OF_STAY = "durationOfStay"

    @property
    def is_parents(self) -> bool:
        """Whether the basis tests the parents, so that a parent rule applies."""
        return self in (Basis.PARENTS_COUNTRY_OF_BIRTH, Basis.PARENTS_FIRST_CITIZENSHIP)


class ParentRule(StrEnum):
    """How a parents' criterion combines the father's and the mother's values."""

    AT_LEAST_ONE = "atLeastOne"
    BOTH = "both"
    BOTH_OR_ONLY_KNOWN = "bothOrOnlyKnown"
    EXACTLY_ONE = "exactlyOne"
    MOTHER = "mother"
    FATHER = "father"


class Generation(StrEnum):
    """The migrant generation a definition delimits."""

    FIRST = "firstGeneration"
    SECOND = "secondGeneration"


class OriginAssignment(StrEnum):
    """The order in which a definition consults the person and the parents for an origin."""

    OWN_THEN_MOTHER_THEN_FATHER = "ownThenMotherThenFather"
    MOTHER_THEN_FATHER = "motherThenFather"
    FATHER_THEN_MOTHER = "fatherThenMother"
    OWN_ONLY = "ownOnly"


class Group(StrEnum):
    """The values of the criterion values concept scheme; values are local names."""

    # A member equals its value as a string, so it hashes as that string (and fast).
    __hash__ = str.__hash__

    NATIONAL = "national"
    FOREIGN = "foreign"
    EU27_2020 = "eu27_2020"
    NON_EU27_2020 = "nonEu27_2020"
    EU28 = "eu28"
    NON_EU28 = "nonEu28"
    EFTA = "efta"
    WESTERN = "western"
    NON_WESTERN = "nonWestern"
    NEIGHBOURING_COUNTRY = "neighbouringCountry"
    STATELESS = "stateless"
    UNKNOWN = "unknown"
    NO_RESPONSE = "noResponse"
    NATIONAL_LANGUAGE = "nationalLanguage"
    FOREIGN_LANGUAGE = "foreignLanguage"
    HUMANITARIAN_STATUS = "humanitarianStatus"
    INTERNATIONAL_PROTECTION = "internationalProtection"
    REFUGEE_STATUS = "refugeeStatus"
    SUBSIDIARY_PROTECTION = "subsidiaryProtection"
    TEMPORARY_PROTECTION = "temporaryProtection"
    ASYLUM_SEEKER = "asylumSeeker"
    NO_INTERNATIONAL_PROTECTION = "noInternationalProtection"


@dataclass(frozen=True, order=True)
class Country:
    """A named country, by its Eurostat code (``EL`` for Greece, ``UK`` for the United Kingdom).

    The label is for wording only and takes no part in comparisons.
    """

    code: str
    label: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        code = self.code.strip().upper()
        object.__setattr__(self, "code", _COUNTRY_ALIASES.get(code, code))

    @property
    def name(self) -> str:
        """The label, or the code when there is none."""
        return self.label or self.code


_COUNTRY_ALIASES = {"GB": "UK", "GR": "EL"}

Value = Group | Country
"""A value a criterion accepts: a group of the criterion values scheme, or a named country."""

_COUNTRY_GROUPS = frozenset(
    {
        Group.NATIONAL,
        Group.FOREIGN,
        Group.EU27_2020,
        Group.NON_EU27_2020,
        Group.EU28,
        Group.NON_EU28,
        Group.EFTA,
        Group.WESTERN,
        Group.NON_WESTERN,
        Group.NEIGHBOURING_COUNTRY,
        Group.UNKNOWN,
        Group.NO_RESPONSE,
    }
)
APPLICABLE_GROUPS: dict[Kind, frozenset[Group]] = {
    Kind.COUNTRY_OF_BIRTH: _COUNTRY_GROUPS,
    Kind.CITIZENSHIP: _COUNTRY_GROUPS | {Group.STATELESS},
    Kind.LANGUAGE: frozenset(
        {Group.NATIONAL_LANGUAGE, Group.FOREIGN_LANGUAGE, Group.UNKNOWN, Group.NO_RESPONSE}
    ),
    Kind.PROTECTION: frozenset(
        {
            Group.HUMANITARIAN_STATUS,
            Group.INTERNATIONAL_PROTECTION,
            Group.REFUGEE_STATUS,
            Group.SUBSIDIARY_PROTECTION,
            Group.TEMPORARY_PROTECTION,
            Group.ASYLUM_SEEKER,
            Group.NO_INTERNATIONAL_PROTECTION,
            Group.UNKNOWN,
            Group.NO_RESPONSE,
        }
    ),
    Kind.DURATION: frozenset(),
}
"""Which groups make sense for each kind of characteristic (named countries: country kinds)."""


def applies(value: Value, kind: Kind) -> bool:
    """Whether a value can be tested on a characteristic of this kind."""
    if isinstance(value, Country):
        return kind in (Kind.COUNTRY_OF_BIRTH, Kind.CITIZENSHIP)
    return value in APPLICABLE_GROUPS[kind]


# ---------------------------------------------------------------------------
# Conditions as written
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """An atomic criterion: one basis, the values that satisfy it (any of them), and its rule.

    ``parent_rule`` is for the parents' bases; ``min_years`` (inclusive) and
    ``max_years`` (exclusive) are for the duration of stay, which has no values.
    """

    basis: Basis
    values: frozenset[Value] = frozenset()
    parent_rule: ParentRule | None = None
    min_years: Decimal | None = None
    max_years: Decimal | None = None


@dataclass(frozen=True)
class AllOf:
    """Holds when every operand holds."""

    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    """Holds when at least one operand holds."""

    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    """Holds when its operand does not hold."""

    operand: Condition


@dataclass(frozen=True)
class OriginIn:
    """Holds when the origin the rule assigns to the person is one of the values.

    The origin is taken from the country of birth (``first_citizenship`` false) or
    from the first registered citizenship of the person and the parents, in the
    order the rule gives, and only from someone whose value is foreign. A person
    with no foreign value in the order has no origin and does not satisfy it.
    """

    rule: OriginAssignment
    values: frozenset[Value]
    first_citizenship: bool = False


@dataclass(frozen=True)
class Uninterpreted:
    """A condition the engine cannot read, such as a criterion on an unknown basis.

    ``key`` identifies the condition: two uninterpreted conditions with the same
    key are the same set of persons, whatever that set is. ``text`` says what it
    is and why it cannot be read, for the reasons shown to people.
    """

    key: str
    text: str


Condition = Criterion | AllOf | AnyOf | Not | OriginIn | Uninterpreted
"""A condition a person must satisfy to belong to a population."""


# ---------------------------------------------------------------------------
# Builders for definitions written in code
# ---------------------------------------------------------------------------


def criterion(
    basis: Basis,
    *values: Value,
    rule: ParentRule | None = None,
) -> Criterion:
    """A criterion on ``basis`` satisfied by any of ``values`` (with a parent rule for parents)."""
    return Criterion(basis, frozenset(values), rule)


def stay(
    min_years: float | Decimal | None = None, max_years: float | Decimal | None = None
) -> Criterion:
    """A duration-of-stay criterion: at least ``min_years``, less than ``max_years``."""
    return Criterion(
        Basis.DURATION_OF_STAY,
        min_years=None if min_years is None else Decimal(str(min_years)),
        max_years=None if max_years is None else Decimal(str(max_years)),
    )


def all_of(*operands: Condition) -> AllOf:
    """Every one of the operands."""
    return AllOf(tuple(operands))


def any_of(*operands: Condition) -> AnyOf:
    """At least one of the operands."""
    return AnyOf(tuple(operands))


def negate(operand: Condition) -> Not:
    """Not the operand."""
    return Not(operand)


__all__ = [
    "APPLICABLE_GROUPS",
    "AllOf",
    "AnyOf",
    "Basis",
    "Characteristic",
    "Condition",
    "Country",
    "Criterion",
    "Generation",
    "Group",
    "Kind",
    "Not",
    "OriginAssignment",
    "OriginIn",
    "ParentRule",
    "Uninterpreted",
    "Value",
    "all_of",
    "any_of",
    "applies",
    "criterion",
    "negate",
    "stay",
]

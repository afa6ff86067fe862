"""The normal form of a population definition: a formula over criterion atoms.

A *criterion atom* tests one characteristic of a person against a set of values
(``Test``), the duration of stay against an interval of years (``StayTest``), or
stands for a condition the engine cannot read (``Opaque``). The normal form is
the definition's conditions rewritten over these atoms in negation normal form:
conjunctions and disjunctions of atoms and negated atoms, flattened, with
duplicate operands removed, tests on one characteristic merged where that is
exact, and operands in a stable order. Parent rules and origin rules are
expanded into conditions on the father's and the mother's characteristics.

Two definitions written differently can reach the same normal form (for example
"at least one parent" and "the father or the mother"); when they do not, the
comparison of their sets of persons still finds them equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

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
    Not,
    OriginAssignment,
    OriginIn,
    ParentRule,
    Value,
    applies,
)

C = Characteristic


def value_key(value: Value) -> str:
    """A stable sort key for a value."""
    if isinstance(value, Country):
        return f"country:{value.code}"
    return f"group:{value.value}"


@dataclass(frozen=True)
class Test:
    """Holds when the characteristic takes one of the values."""

    characteristic: Characteristic
    values: frozenset[Value]
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = ",".join(sorted(value_key(v) for v in self.values))
        object.__setattr__(self, "key", f"0:{self.characteristic.order:02d}:{names}")


@dataclass(frozen=True)
class StayTest:
    """Holds when the duration of stay is at least ``min_years`` and below ``max_years``."""

    min_years: Decimal | None
    max_years: Decimal | None
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", f"1:{self.min_years}:{self.max_years}")


@dataclass(frozen=True)
class Opaque:
    """A condition the engine cannot read; the same key means the same set of persons."""

    name: str
    text: str = field(compare=False)
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", f"2:{self.name}")


Atom = Test | StayTest | Opaque


@dataclass(frozen=True)
class Neg:
    """Holds when the atom does not hold."""

    atom: Atom
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", f"3:{self.atom.key}")


@dataclass(frozen=True)
class And:
    """Holds when every operand holds; with no operand it always holds."""

    operands: tuple[Formula, ...]
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", "4:(" + "|".join(o.key for o in self.operands) + ")")


@dataclass(frozen=True)
class Or:
    """Holds when some operand holds; with no operand it never holds."""

    operands: tuple[Formula, ...]
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", "5:(" + "|".join(o.key for o in self.operands) + ")")


Formula = Test | StayTest | Opaque | Neg | And | Or
"""A formula of the normal form."""

TRUE: Formula = And(())
FALSE: Formula = Or(())

UNKNOWN_VALUES: frozenset[Value] = frozenset({Group.UNKNOWN, Group.NO_RESPONSE})
"""Values that mean the characteristic is not known; for a parent, the parent is unknown."""


# ---------------------------------------------------------------------------
# Building formulas
# ---------------------------------------------------------------------------


def test(characteristic: Characteristic, values: Iterable[Value]) -> Formula:
    """The atom "characteristic in values"; never holds when there are no values."""
    frozen = frozenset(values)
    return Test(characteristic, frozen) if frozen else FALSE


def negation(formula: Formula) -> Formula:
    """The negation of a formula, pushed down to the atoms."""
    if isinstance(formula, Neg):
        return formula.atom
    if isinstance(formula, And):
        return disjunction(negation(o) for o in formula.operands)
    if isinstance(formula, Or):
        return conjunction(negation(o) for o in formula.operands)
    return Neg(formula)


def _flatten(operands: Iterable[Formula], kind: type[And] | type[Or]) -> Iterator[Formula]:
    for operand in operands:
        if isinstance(operand, kind):
            yield from operand.operands
        else:
            yield operand


def _merge_tests(operands: list[Formula], negated: bool) -> list[Formula]:
    """Merge tests on one characteristic: ``c in A or c in B`` is ``c in A|B``.

    In a conjunction the same holds for negated tests (``not c in A and not c in
    B`` is ``not c in A|B``).
    """
    merged: dict[Characteristic, set[Value]] = {}
    rest: list[Formula] = []
    for operand in operands:
        atom = operand.atom if negated and isinstance(operand, Neg) else operand
        if isinstance(atom, Test) and (isinstance(operand, Neg) == negated):
            merged.setdefault(atom.characteristic, set()).update(atom.values)
        else:
            rest.append(operand)
    for characteristic, values in merged.items():
        merged_test = Test(characteristic, frozenset(values))
        rest.append(Neg(merged_test) if negated else merged_test)
    return rest


def conjunction(operands: Iterable[Formula]) -> Formula:
    """All of the operands, simplified."""
    flat = [o for o in _flatten(operands, And) if o != TRUE]
    if FALSE in flat:
        return FALSE
    flat = _merge_tests(flat, negated=True)
    return _finish(flat, And, absorbing=FALSE)


def disjunction(operands: Iterable[Formula]) -> Formula:
    """Any of the operands, simplified."""
    flat = [o for o in _flatten(operands, Or) if o != FALSE]
    if TRUE in flat:
        return TRUE
    flat = _merge_tests(flat, negated=False)
    return _finish(flat, Or, absorbing=TRUE)


def _finish(flat: list[Formula], kind: type[And] | type[Or], absorbing: Formula) -> Formula:
    unique = {o.key: o for o in flat}
    keys = set(unique)
    for operand in unique.values():
        if isinstance(operand, Neg) and operand.atom.key in keys:
            return absorbing  # an atom together with its negation
    ordered = tuple(unique[k] for k in sorted(unique))
    if len(ordered) == 1:
        return ordered[0]
    return kind(ordered)


# ---------------------------------------------------------------------------
# From conditions as written to the normal form
# ---------------------------------------------------------------------------

_OWN = {
    Basis.OWN_COUNTRY_OF_BIRTH: C.OWN_COUNTRY_OF_BIRTH,
    Basis.CURRENT_CITIZENSHIP: C.CURRENT_CITIZENSHIP,
    Basis.FIRST_CITIZENSHIP: C.FIRST_CITIZENSHIP,
    Basis.MOTHER_TONGUE: C.MOTHER_TONGUE,
    Basis.PROTECTION_STATUS: C.PROTECTION_STATUS,
}
_PARENTS = {
    Basis.PARENTS_COUNTRY_OF_BIRTH: (C.FATHER_COUNTRY_OF_BIRTH, C.MOTHER_COUNTRY_OF_BIRTH),
    Basis.PARENTS_FIRST_CITIZENSHIP: (C.FATHER_FIRST_CITIZENSHIP, C.MOTHER_FIRST_CITIZENSHIP),
}


def _opaque(criterion: Criterion, why: str) -> Opaque:
    values = ",".join(sorted(value_key(v) for v in criterion.values))
    name = (
        f"{criterion.basis.value}|{values}|{criterion.parent_rule}|"
        f"{criterion.min_years}|{criterion.max_years}"
    )
    return Opaque(name, why)


def parent_rule_formula(
    rule: ParentRule, father: Characteristic, mother: Characteristic, values: frozenset[Value]
) -> Formula:
    """A parent rule as a formula over the father's and the mother's characteristic.

    A parent is *known* when the value is neither unknown nor missing (no response).
    """
    f_has, m_has = test(father, values), test(mother, values)
    f_unknown, m_unknown = test(father, UNKNOWN_VALUES), test(mother, UNKNOWN_VALUES)
    if rule is ParentRule.AT_LEAST_ONE:
        return disjunction([f_has, m_has])
    if rule is ParentRule.BOTH:
        return conjunction([f_has, m_has])
    if rule is ParentRule.BOTH_OR_ONLY_KNOWN:
        return disjunction(
            [
                conjunction([f_has, m_has]),
                conjunction([f_has, m_unknown]),
                conjunction([m_has, f_unknown]),
            ]
        )
    if rule is ParentRule.EXACTLY_ONE:
        return disjunction(
            [
                conjunction([f_has, negation(m_has), negation(m_unknown)]),
                conjunction([m_has, negation(f_has), negation(f_unknown)]),
            ]
        )
    if rule is ParentRule.MOTHER:
        return m_has
    return f_has


def criterion_formula(criterion: Criterion) -> Formula:
    """The formula of one criterion; an ill-formed criterion becomes an opaque atom."""
    basis = criterion.basis
    if basis is Basis.DURATION_OF_STAY:
        if criterion.values:
            return _opaque(criterion, "a duration of stay given with values instead of years")
        low, high = criterion.min_years, criterion.max_years
        if low is None and high is None:
            return _opaque(criterion, "a duration of stay without a minimum or maximum")
        if (low is not None and low < 0) or (high is not None and high < 0):
            return _opaque(criterion, "a duration of stay with a negative number of years")
        if low is not None and high is not None and low >= high:
            return FALSE
        return StayTest(None if low == 0 else low, high)
    if criterion.min_years is not None or criterion.max_years is not None:
        return _opaque(criterion, f"years given on the basis {basis.value}")
    if not criterion.values:
        return _opaque(criterion, f"a criterion on {basis.value} without a value")
    if basis.is_parents:
        father, mother = _PARENTS[basis]
        if criterion.parent_rule is None:
            return _opaque(criterion, "a parents' criterion without a parent rule")
        bad = [v for v in criterion.values if not applies(v, father.kind)]
        if bad:
            return _opaque(criterion, _not_applicable(bad, basis))
        return parent_rule_formula(criterion.parent_rule, father, mother, criterion.values)
    if criterion.parent_rule is not None:
        return _opaque(criterion, "a parent rule on a criterion that does not test the parents")
    characteristic = _OWN[basis]
    bad = [v for v in criterion.values if not applies(v, characteristic.kind)]
    if bad:
        return _opaque(criterion, _not_applicable(bad, basis))
    return test(characteristic, criterion.values)


def _not_applicable(values: list[Value], basis: Basis) -> str:
    names = ", ".join(sorted(value_key(v).split(":", 1)[1] for v in values))
    return f"the value {names} does not apply to the basis {basis.value}"


_ORIGIN_SOURCES = {
    False: (C.OWN_COUNTRY_OF_BIRTH, C.MOTHER_COUNTRY_OF_BIRTH, C.FATHER_COUNTRY_OF_BIRTH),
    True: (C.FIRST_CITIZENSHIP, C.MOTHER_FIRST_CITIZENSHIP, C.FATHER_FIRST_CITIZENSHIP),
}
_ORIGIN_ORDER = {
    OriginAssignment.OWN_THEN_MOTHER_THEN_FATHER: (0, 1, 2),
    OriginAssignment.MOTHER_THEN_FATHER: (1, 2),
    OriginAssignment.FATHER_THEN_MOTHER: (2, 1),
    OriginAssignment.OWN_ONLY: (0,),
}


def origin_formula(origin: OriginIn) -> Formula:
    """The origin rule as a formula: the first foreign value in the rule's order decides."""
    sources = _ORIGIN_SOURCES[origin.first_citizenship]
    foreign = frozenset({Group.FOREIGN})
    branches: list[Formula] = []
    earlier: list[Formula] = []
    for index in _ORIGIN_ORDER[origin.rule]:
        characteristic = sources[index]
        bad = [v for v in origin.values if not applies(v, characteristic.kind)]
        if bad or not origin.values:
            names = ",".join(sorted(value_key(v) for v in origin.values))
            return Opaque(
                f"origin|{origin.rule.value}|{origin.first_citizenship}|{names}",
                "an origin group whose values are not countries",
            )
        is_foreign = test(characteristic, foreign)
        branches.append(conjunction([*earlier, is_foreign, test(characteristic, origin.values)]))
        earlier.append(negation(is_foreign))
    return disjunction(branches)


def condition_formula(condition: Condition, _depth: int = 0) -> Formula:
    """The formula of a condition as written."""
    if _depth > 100:
        return Opaque("nesting", "conditions nested too deeply to read")
    if isinstance(condition, Criterion):
        return criterion_formula(condition)
    if isinstance(condition, AllOf):
        return conjunction(condition_formula(o, _depth + 1) for o in condition.operands)
    if isinstance(condition, AnyOf):
        return disjunction(condition_formula(o, _depth + 1) for o in condition.operands)
    if isinstance(condition, Not):
        return negation(condition_formula(condition.operand, _depth + 1))
    if isinstance(condition, OriginIn):
        return origin_formula(condition)
    return Opaque(condition.key, condition.text)  # an Uninterpreted condition


GENERATION_FORMULA: dict[Generation, Formula] = {
    Generation.FIRST: Test(C.OWN_COUNTRY_OF_BIRTH, frozenset({Group.FOREIGN})),
    Generation.SECOND: Test(C.OWN_COUNTRY_OF_BIRTH, frozenset({Group.NATIONAL})),
}
"""What a generation adds to a definition: born abroad, or born in the reporting country."""


# ---------------------------------------------------------------------------
# The normal form
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class NormalForm:
    """A population definition reduced to a formula over criterion atoms.

    Equal formulas make equal normal forms; the hash is computed once, so normal
    forms are cheap keys for caches of comparisons.
    """

    formula: Formula
    _hash: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash(self.formula.key))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, NormalForm):
            return NotImplemented
        return self._hash == other._hash and self.formula.key == other.formula.key

    def atoms(self) -> Iterator[Atom]:
        """Every atom of the formula, once per occurrence."""
        stack: list[Formula] = [self.formula]
        while stack:
            node = stack.pop()
            if isinstance(node, And | Or):
                stack.extend(node.operands)
            elif isinstance(node, Neg):
                yield node.atom
            else:
                yield node

    @property
    def opaque(self) -> tuple[Opaque, ...]:
        """The conditions of the definition the engine cannot read."""
        seen: dict[str, Opaque] = {}
        for atom in self.atoms():
            if isinstance(atom, Opaque):
                seen.setdefault(atom.key, atom)
        return tuple(seen[k] for k in sorted(seen))


def normal_form(
    condition: Condition | None,
    generation: Generation | None = None,
) -> NormalForm:
    """The normal form of a condition (``None``: no condition, everyone) and a generation."""
    parts: list[Formula] = []
    if condition is not None:
        parts.append(condition_formula(condition))
    if generation is not None:
        parts.append(GENERATION_FORMULA[generation])
    return NormalForm(conjunction(parts))


__all__ = [
    "FALSE",
    "GENERATION_FORMULA",
    "TRUE",
    "UNKNOWN_VALUES",
    "And",
    "Atom",
    "Formula",
    "Neg",
    "NormalForm",
    "Opaque",
    "Or",
    "StayTest",
    "Test",
    "conjunction",
    "criterion_formula",
    "disjunction",
    "negation",
    "normal_form",
    "origin_formula",
    "parent_rule_formula",
    "test",
    "value_key",
]

"""The comparison of two normal forms as sets of kinds of person.

To compare two normal forms, every characteristic either of them tests has its
value space cut into the coarsest atoms that still tell apart every value the
two mention (see ``registry.comparability.cells``): for "born abroad" against
"born in another EU27 country" the own country of birth has the atoms "the
reporting country", "another EU27 country", "another country" and "unknown or
not stated". A *kind of person* is a combination of one atom per characteristic;
a normal form is the set of kinds of person it admits, held as the bits of an
integer, so that subset, intersection and difference are single integer
operations.

Assumptions and constraints, stated so they can be checked:

* the characteristics are independent except for ``CONSTRAINTS``: a person
  seeking or holding protection is not a citizen of the reporting country
  (protection ends with naturalisation). Nothing ties a person's own country of
  birth or citizenship to the parents': a person born in the country may have
  parents born anywhere, a person born abroad may have two parents born in the
  country, and the first citizenship may differ from the current one either way;
* every kind of person is taken to exist: relations are those of the rules, for
  a reporting country in general;
* a condition the engine cannot read (an ``Opaque`` atom) stands for an
  arbitrary set of persons, the same set wherever the same condition appears.
  It is one more characteristic with two atoms (holds, does not hold), placed
  above all others; a fact such as "A is within B" is *certain* when it holds
  whatever that set is, and the relation is unknown when a fact it needs is not
  certain. A definition is taken to have members, so an unreadable condition
  is never assumed to empty it: two groups that certainly share no member are
  disjoint. Open questions about named countries are handled by trying every
  answer: the relation is unknown when the answers disagree.

``FormComparator.prepare`` builds one shared cut of every characteristic for a
whole collection of normal forms, so that each pair among them is compared with
a few integer operations on masks computed once per normal form.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from rdflib import URIRef

from registry.comparability import wording
from registry.comparability.cells import (
    Cell,
    Fact,
    World,
    cells_and_membership,
    open_questions,
    stay_cell_in,
)
from registry.comparability.model import Characteristic, Country, Group, Kind, Value
from registry.comparability.normal_form import (
    And,
    Formula,
    Neg,
    NormalForm,
    Opaque,
    Or,
    StayTest,
    Test,
    disjunction,
    negation,
)
from registry.vocabularies import RELATION

C = Characteristic


class Relation(StrEnum):
    """The relation of population A to population B, read "A relation B"."""

    EQUAL = "equal"
    SUBSET = "subset"
    SUPERSET = "superset"
    OVERLAP = "overlap"
    DISJOINT = "disjoint"
    UNKNOWN = "unknown"

    @property
    def iri(self) -> URIRef:
        """The concept of the comparability relations scheme."""
        return RELATION[self.value]

    @property
    def converse(self) -> Relation:
        """The relation of B to A."""
        return _CONVERSE.get(self, self)


_CONVERSE = {Relation.SUBSET: Relation.SUPERSET, Relation.SUPERSET: Relation.SUBSET}

CONSTRAINTS: tuple[tuple[frozenset[Characteristic], Formula], ...] = (
    (
        frozenset({C.PROTECTION_STATUS, C.CURRENT_CITIZENSHIP}),
        disjunction(
            [
                negation(Test(C.PROTECTION_STATUS, frozenset({Group.HUMANITARIAN_STATUS}))),
                negation(Test(C.CURRENT_CITIZENSHIP, frozenset({Group.NATIONAL}))),
            ]
        ),
    ),
)
"""Combinations of characteristics that no person has, as conditions every person meets.

Each applies when a comparison uses all its characteristics. Every constraint
leaves each value of each of its characteristics possible, so leaving it out
when one of its characteristics is not compared changes nothing.
"""

MAX_OPEN_QUESTIONS = 10
"""Beyond this many open questions in one comparison the relation is reported unknown."""

MAX_SHARED_BITS = 1 << 18
"""The largest number of kinds of person a shared cut may have for one pair; beyond it,
the pair is compared on its own, with the coarsest cut for the two."""

MAX_KEPT_LAYOUT_BITS = 1 << 12
"""Layouts of pairs compared on their own are kept for reuse up to this size only."""

Person = tuple[tuple[Characteristic, str], ...]
"""An example person: one trait, in words, for each characteristic compared."""


# ---------------------------------------------------------------------------
# Outcomes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Witnesses:
    """Where to find example persons: bit positions in a layout, decoded only when asked."""

    ordered: tuple[Characteristic, ...]
    examples: tuple[tuple[str, ...], ...]
    sizes: tuple[int, ...]
    indexes: tuple[int | None, int | None, int | None]
    """Positions of a person in A only, in B only, in both (``None``: no such person)."""

    def person(self, which: int) -> Person | None:
        index = self.indexes[which]
        if index is None:
            return None
        traits = []
        for c, examples, size in zip(self.ordered, self.examples, self.sizes, strict=True):
            traits.append((c, examples[index % size]))
            index //= size
        return tuple(traits)

    def mirrored(self) -> _Witnesses:
        a, b, both = self.indexes
        return _Witnesses(self.ordered, self.examples, self.sizes, (b, a, both))


@dataclass(frozen=True)
class Outcome:
    """What the comparison of normal form A with normal form B found.

    ``a_in_b``, ``b_in_a`` and ``meet`` say whether A is within B, B within A, and
    whether they share members: true, false, or ``None`` when it depends on what
    the engine cannot read. ``undecided`` names what kept an unknown relation
    from being decided. ``only_a``, ``only_b`` and ``both`` are example persons
    where the relation calls for them.
    """

    relation: Relation
    a_in_b: bool | None
    b_in_a: bool | None
    meet: bool | None
    a_empty: bool = False
    b_empty: bool = False
    undecided: tuple[str, ...] = ()
    witnesses: _Witnesses | None = field(default=None, repr=False, compare=False)

    @property
    def only_a(self) -> Person | None:
        """A person in A and not in B (for superset and overlap)."""
        wanted = self.relation in (Relation.SUPERSET, Relation.OVERLAP)
        return self.witnesses.person(0) if wanted and self.witnesses else None

    @property
    def only_b(self) -> Person | None:
        """A person in B and not in A (for subset and overlap)."""
        wanted = self.relation in (Relation.SUBSET, Relation.OVERLAP)
        return self.witnesses.person(1) if wanted and self.witnesses else None

    @property
    def both(self) -> Person | None:
        """A person in A and in B (for overlap)."""
        wanted = self.relation is Relation.OVERLAP
        return self.witnesses.person(2) if wanted and self.witnesses else None

    def mirrored(self) -> Outcome:
        """The same comparison read from B to A."""
        return Outcome(
            self.relation.converse,
            self.b_in_a,
            self.a_in_b,
            self.meet,
            self.b_empty,
            self.a_empty,
            self.undecided,
            self.witnesses.mirrored() if self.witnesses else None,
        )


def classify(a_in_b: bool | None, b_in_a: bool | None, meet: bool | None) -> Relation:
    """The relation that three facts about two sets give (unknown if one needed is missing)."""
    if a_in_b is None or b_in_a is None:
        return Relation.UNKNOWN
    if a_in_b and b_in_a:
        return Relation.EQUAL
    if a_in_b:
        return Relation.SUBSET
    if b_in_a:
        return Relation.SUPERSET
    if meet is None:
        return Relation.UNKNOWN
    return Relation.OVERLAP if meet else Relation.DISJOINT


# ---------------------------------------------------------------------------
# What a normal form uses, and the atoms of a characteristic
# ---------------------------------------------------------------------------

_FACT_GROUPS = frozenset({Group.WESTERN, Group.NON_WESTERN, Group.NEIGHBOURING_COUNTRY})


@dataclass(frozen=True)
class _Usage:
    """What one normal form tests: value sets per characteristic, duration bounds, opaque atoms."""

    value_sets: Mapping[Characteristic, frozenset[frozenset[Value]]]
    stays: frozenset[tuple[Decimal | None, Decimal | None]]
    opaque: Mapping[str, Opaque]
    labels: Mapping[str, str]
    characteristics: frozenset[Characteristic]
    bits: int
    fact_prone: bool
    """Whether it names a country or a group whose members are an open question."""


def _usage(formula: Formula) -> _Usage:
    sets: dict[Characteristic, set[frozenset[Value]]] = {}
    stays: set[tuple[Decimal | None, Decimal | None]] = set()
    opaque: dict[str, Opaque] = {}
    labels: dict[str, str] = {}
    stack = [formula]
    while stack:
        node = stack.pop()
        if isinstance(node, And | Or):
            stack.extend(node.operands)
        elif isinstance(node, Neg):
            stack.append(node.atom)
        elif isinstance(node, Test):
            sets.setdefault(node.characteristic, set()).add(node.values)
            labels.update(
                (v.code, v.label) for v in node.values if isinstance(v, Country) and v.label
            )
        elif isinstance(node, StayTest):
            stays.add((node.min_years, node.max_years))
        else:
            opaque[node.key] = node
    characteristics = frozenset(sets) | ({C.DURATION_OF_STAY} if stays else set())
    fact_prone = any(
        isinstance(v, Country) or v in _FACT_GROUPS for vs in sets.values() for s in vs for v in s
    )
    return _Usage(
        {c: frozenset(v) for c, v in sets.items()},
        frozenset(stays),
        opaque,
        labels,
        characteristics,
        sum(1 << c.order for c in characteristics),
        fact_prone,
    )


_CONSTRAINT_USAGE = [(needs, f, _usage(f)) for needs, f in CONSTRAINTS]


@dataclass(frozen=True)
class _Atoms:
    """The cells of one characteristic, grouped into atoms.

    ``covers[(key, world)]`` is the tuple of atom indexes a value set (or duration
    bounds) covers in a world; ``example[i]`` describes a person of atom ``i``.
    """

    count: int
    covers: Mapping[tuple[Hashable, int], tuple[int, ...]]
    example: tuple[str, ...]


def _atoms(
    characteristic: Characteristic,
    value_sets: frozenset[frozenset[Value]],
    stays: frozenset[tuple[Decimal | None, Decimal | None]],
    worlds: Sequence[World],
    labels: Mapping[str, str],
) -> _Atoms:
    cells, member = cells_and_membership(characteristic, value_sets, stays)
    checks: list[tuple[Hashable, Callable[[Cell, World], bool]]] = []
    if characteristic.kind is Kind.DURATION:
        checks.extend(((low, high), _stay_check(low, high)) for low, high in sorted(stays, key=str))
    else:
        ordered_sets = sorted(value_sets, key=lambda vs: sorted(map(str, vs)))
        checks.extend((vs, _value_check(member, vs)) for vs in ordered_sets)

    groups: dict[tuple[tuple[bool, ...], ...], list[Cell]] = {}
    for cell in cells:
        signature = tuple(tuple(check(cell, w) for w in worlds) for _, check in checks)
        groups.setdefault(signature, []).append(cell)
    atoms = list(groups.values())
    covers: dict[tuple[Hashable, int], tuple[int, ...]] = {}
    for w_index, world in enumerate(worlds):
        for key, check in checks:
            covers[(key, w_index)] = tuple(
                i for i, cells_of in enumerate(atoms) if check(cells_of[0], world)
            )
    examples: list[str] = []
    for i, cells_of in enumerate(atoms):
        same = [
            vs
            for vs in value_sets
            if characteristic.kind is not Kind.DURATION and covers[(vs, 0)] == (i,)
        ]
        if same:
            smallest = min(same, key=lambda vs: (len(vs), sorted(map(str, vs))))
            examples.append(wording.value_trait(characteristic, smallest))
        else:
            examples.append(wording.cell_trait(characteristic, cells_of[0], labels))
    return _Atoms(len(atoms), covers, tuple(examples))


def _stay_check(low: Decimal | None, high: Decimal | None) -> Callable[[Cell, World], bool]:
    def check(cell: Cell, world: World) -> bool:
        return stay_cell_in(cell, low, high)

    return check


def _value_check(
    member: Callable[[Cell, frozenset[Value], World], bool], values: frozenset[Value]
) -> Callable[[Cell, World], bool]:
    def check(cell: Cell, world: World) -> bool:
        return member(cell, values, world)

    return check


# ---------------------------------------------------------------------------
# Kinds of person as bits
# ---------------------------------------------------------------------------


class _Layout:
    """Kinds of person as bit positions: one digit per characteristic, in mixed radix."""

    def __init__(self, sizes: tuple[int, ...]) -> None:
        self.sizes = sizes
        self.strides: list[int] = []
        total = 1
        for size in sizes:
            self.strides.append(total)
            total *= size
        self.total = total
        self.full = (1 << total) - 1
        self._digits: dict[tuple[int, int], int] = {}
        self._unions: dict[tuple[int, tuple[int, ...]], int] = {}

    def digit(self, position: int, atom: int) -> int:
        """The kinds of person whose characteristic ``position`` falls in ``atom``."""
        key = (position, atom)
        mask = self._digits.get(key)
        if mask is None:
            stride, size = self.strides[position], self.sizes[position]
            period = stride * size
            mask = ((1 << stride) - 1) << (atom * stride)
            length = period
            while length < self.total:  # repeat the period by doubling
                mask |= mask << length
                length <<= 1
            mask &= self.full
            self._digits[key] = mask
        return mask

    def union(self, position: int, atoms: tuple[int, ...]) -> int:
        """The kinds of person whose characteristic ``position`` falls in any of ``atoms``."""
        key = (position, atoms)
        mask = self._unions.get(key)
        if mask is None:
            mask = 0
            for atom in atoms:
                mask |= self.digit(position, atom)
            self._unions[key] = mask
        return mask


class _Evaluator:
    """Evaluates formulas to sets of kinds of person (bit masks) over one layout."""

    def __init__(
        self,
        layout: _Layout,
        atoms: Mapping[Characteristic, _Atoms],
        ordered: Sequence[Characteristic],
        opaque: Sequence[str],
    ) -> None:
        self.layout = layout
        self.atoms = atoms
        self.ordered = tuple(ordered)
        self.position = {c: i for i, c in enumerate(ordered)}
        self.opaque_position = {k: len(ordered) + i for i, k in enumerate(opaque)}
        self.opaque_count = len(opaque)
        plain = 1
        for c in ordered:
            plain *= atoms[c].count
        self.plain = plain
        self.low = (1 << plain) - 1
        self._examples = tuple(atoms[c].example for c in self.ordered)
        self._sizes = tuple(atoms[c].count for c in self.ordered)

    def mask(self, formula: Formula, world: int) -> int:
        """The kinds of person a formula admits, with the open questions answered by ``world``."""
        layout = self.layout
        if isinstance(formula, Test):
            c = formula.characteristic
            return layout.union(self.position[c], self.atoms[c].covers[(formula.values, world)])
        if isinstance(formula, StayTest):
            c = C.DURATION_OF_STAY
            key = (formula.min_years, formula.max_years)
            return layout.union(self.position[c], self.atoms[c].covers[(key, world)])
        if isinstance(formula, Opaque):
            return layout.digit(self.opaque_position[formula.key], 1)
        if isinstance(formula, Neg):
            return layout.full ^ self.mask(formula.atom, world)
        if isinstance(formula, And):
            result = layout.full
            for operand in formula.operands:
                result &= self.mask(operand, world)
                if not result:
                    break
            return result
        result = 0
        for operand in formula.operands:
            result |= self.mask(operand, world)
        return result

    def certain(self, mask: int) -> int | None:
        """A kind of person in ``mask`` whatever the unreadable conditions hold, if any.

        The answer is a bit position with all opaque digits zero, or ``None``.
        """
        if not mask:
            return None
        if self.opaque_count:
            acc = self.low
            for block in range(1 << self.opaque_count):
                acc &= mask >> (self.plain * block)
                if not acc:
                    return None
            mask = acc
        return (mask & -mask).bit_length() - 1

    def witnesses(self, indexes: tuple[int | None, int | None, int | None]) -> _Witnesses:
        return _Witnesses(self.ordered, self._examples, self._sizes, indexes)


def _lowest(mask: int) -> int | None:
    return (mask & -mask).bit_length() - 1 if mask else None


_TOO_BIG = -1


@dataclass
class _Shared:
    """A shared cut of the characteristics for a collection of normal forms.

    ``masks[form][bits]`` is the set of kinds of person the form admits in the
    universe of the characteristics ``bits`` (``_TOO_BIG`` if that universe is
    too large to share).
    """

    atoms: dict[Characteristic, _Atoms]
    universes: dict[int, tuple[_Evaluator, int] | None] = field(default_factory=dict)
    masks: dict[NormalForm, dict[int, int]] = field(default_factory=dict)

    def universe(self, bits: int) -> tuple[_Evaluator, int] | None:
        """The evaluator and constraint mask for the characteristics in ``bits``."""
        if bits in self.universes:
            return self.universes[bits]
        ordered = [c for c in Characteristic if bits >> c.order & 1]
        size = 1
        for c in ordered:
            size *= self.atoms[c].count
        found: tuple[_Evaluator, int] | None = None
        if size <= MAX_SHARED_BITS:
            layout = _Layout(tuple(self.atoms[c].count for c in ordered))
            evaluator = _Evaluator(layout, self.atoms, ordered, ())
            allowed = layout.full
            for needs, formula, _ in _CONSTRAINT_USAGE:
                if needs <= frozenset(ordered):
                    allowed &= evaluator.mask(formula, 0)
            found = (evaluator, allowed)
        self.universes[bits] = found
        return found

    def mask(self, form: NormalForm, bits: int) -> int:
        """The kinds of person ``form`` admits among the characteristics ``bits``.

        ``_TOO_BIG`` when their universe is too large to share.
        """
        per_form = self.masks.setdefault(form, {})
        found = per_form.get(bits)
        if found is None:
            universe = self.universe(bits)
            if universe is None:
                found = _TOO_BIG
            else:
                evaluator, allowed = universe
                found = evaluator.mask(form.formula, 0) & allowed
            per_form[bits] = found
        return found


def shared_relation(mask_a: int, mask_b: int) -> Relation:
    """The relation of two sets of kinds of person."""
    if mask_a == mask_b:
        return Relation.EQUAL
    both = mask_a & mask_b
    if both == mask_a:
        return Relation.SUBSET
    if both == mask_b:
        return Relation.SUPERSET
    return Relation.OVERLAP if both else Relation.DISJOINT


# ---------------------------------------------------------------------------
# The comparator
# ---------------------------------------------------------------------------


class FormComparator:
    """Compares normal forms, remembering what it has computed.

    The outcome of each pair of normal forms, the atoms of each characteristic and
    the bit layouts are kept. After ``prepare`` on a collection of normal forms,
    pairs among them are compared on a shared cut with masks computed once per
    normal form. Not meant to be written to by several threads at once.
    """

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._outcomes: dict[tuple[NormalForm, NormalForm], Outcome] = {}
        self._usages: dict[NormalForm, _Usage] = {}
        self._atoms: dict[tuple[Hashable, ...], _Atoms] = {}
        self._layouts: dict[tuple[int, ...], _Layout] = {}
        self._questions: dict[
            tuple[Characteristic, frozenset[frozenset[Value]]], frozenset[Fact]
        ] = {}
        self._shared: _Shared | None = None
        self._prepared: dict[NormalForm, int] = {}
        self._considered: set[NormalForm] = set()

    def clear(self) -> None:
        """Forget everything computed so far."""
        self._reset()

    # -- public questions ------------------------------------------------------

    def relation_of(self, a: NormalForm, b: NormalForm) -> Relation:
        """Only the relation of two normal forms: the cheapest question to ask."""
        outcome = self._outcomes.get((a, b))
        if outcome is not None:
            return outcome.relation
        if a != b:
            found = self._shared_masks(a, b)
            if found is not None:
                return shared_relation(found[0], found[1])
        return self.outcome(a, b).relation

    def outcome(self, a: NormalForm, b: NormalForm) -> Outcome:
        """The full outcome of comparing two normal forms (remembered)."""
        found = self._outcomes.get((a, b))
        if found is not None:
            return found
        result = self._same(a) if a == b else (self._shared_compare(a, b) or self._compare(a, b))
        self._outcomes[(a, b)] = result
        self._outcomes[(b, a)] = result.mirrored()
        return result

    def prepare(self, forms: Iterable[NormalForm]) -> None:
        """Cut the characteristics once for all these normal forms.

        Later comparisons between two of them that name no country and use no
        condition the engine cannot read take a few integer operations. Outcomes
        already computed stay valid: relations do not depend on the cut.
        """
        considered = set(forms)
        usable = {f: self._usage_of(f) for f in considered}
        usable = {f: u for f, u in usable.items() if not u.opaque and not u.fact_prone}
        value_sets: dict[Characteristic, frozenset[frozenset[Value]]] = {}
        stays: frozenset[tuple[Decimal | None, Decimal | None]] = frozenset()
        for usage in [*usable.values(), *(u for _, _, u in _CONSTRAINT_USAGE)]:
            for c, sets in usage.value_sets.items():
                value_sets[c] = value_sets.get(c, frozenset()) | sets
            stays |= usage.stays
        characteristics = set(value_sets) | ({C.DURATION_OF_STAY} if stays else set())
        atoms = {
            c: _atoms(
                c,
                value_sets.get(c, frozenset()),
                stays if c is C.DURATION_OF_STAY else frozenset(),
                [frozenset()],
                {},
            )
            for c in characteristics
        }
        self._shared = _Shared(atoms)
        self._prepared = {f: u.bits for f, u in usable.items()}
        self._considered = considered

    def relation_table(self, forms: Sequence[NormalForm]) -> list[list[Relation]]:
        """The relation of every normal form to every other: row i, column j is "i relation j".

        The characteristics are cut once for the whole collection (``prepare``),
        so that most pairs take a few integer operations; the others (naming
        countries, or with conditions the engine cannot read) are compared one by
        one.
        """
        if not self._considered.issuperset(forms):
            self.prepare(forms)
        shared = self._shared
        count = len(forms)
        table: list[list[Relation]] = [[Relation.EQUAL] * count for _ in range(count)]
        all_bits = [self._prepared.get(f) for f in forms]
        all_masks = [shared.masks.setdefault(f, {}) if shared else {} for f in forms]
        for i, a in enumerate(forms):
            row, bits_a, masks_a = table[i], all_bits[i], all_masks[i]
            for j in range(i + 1, count):
                bits_b = all_bits[j]
                found: Relation | None = None
                if shared is not None and bits_a is not None and bits_b is not None:
                    union = bits_a | bits_b
                    mask_a = masks_a.get(union)
                    if mask_a is None:
                        mask_a = shared.mask(a, union)
                    if mask_a != _TOO_BIG:
                        mask_b = all_masks[j].get(union)
                        if mask_b is None:
                            mask_b = shared.mask(forms[j], union)
                        found = shared_relation(mask_a, mask_b)
                if found is None:
                    found = self.relation_of(a, forms[j])
                row[j] = found
                table[j][i] = found.converse
        return table

    # -- internals -------------------------------------------------------------

    def _usage_of(self, form: NormalForm) -> _Usage:
        usage = self._usages.get(form)
        if usage is None:
            usage = self._usages[form] = _usage(form.formula)
        return usage

    def _open(self, c: Characteristic, sets: frozenset[frozenset[Value]]) -> frozenset[Fact]:
        key = (c, sets)
        found = self._questions.get(key)
        if found is None:
            found = self._questions[key] = open_questions(c, sets)
        return found

    def _same(self, form: NormalForm) -> Outcome:
        empty = self._compare(form, form).a_empty
        return Outcome(Relation.EQUAL, True, True, not empty, empty, empty)

    def _shared_masks(self, a: NormalForm, b: NormalForm) -> tuple[int, int, int] | None:
        """The masks of two prepared forms in their shared universe, and its characteristics."""
        shared = self._shared
        bits_a, bits_b = self._prepared.get(a), self._prepared.get(b)
        if shared is None or bits_a is None or bits_b is None:
            return None
        bits = bits_a | bits_b
        mask_a = shared.mask(a, bits)
        if mask_a == _TOO_BIG:
            return None
        return mask_a, shared.mask(b, bits), bits

    def _shared_compare(self, a: NormalForm, b: NormalForm) -> Outcome | None:
        found = self._shared_masks(a, b)
        if found is None or self._shared is None:
            return None
        mask_a, mask_b, bits = found
        universe = self._shared.universe(bits)
        if universe is None:
            return None
        evaluator = universe[0]
        only_a, only_b, both = mask_a & ~mask_b, mask_b & ~mask_a, mask_a & mask_b
        return Outcome(
            shared_relation(mask_a, mask_b),
            not only_a,
            not only_b,
            bool(both),
            not mask_a,
            not mask_b,
            witnesses=evaluator.witnesses((_lowest(only_a), _lowest(only_b), _lowest(both))),
        )

    def _compare(self, a: NormalForm, b: NormalForm) -> Outcome:
        ua, ub = self._usage_of(a), self._usage_of(b)
        characteristics = ua.characteristics | ub.characteristics
        constraints = [f for needs, f, _ in _CONSTRAINT_USAGE if needs <= characteristics]
        value_sets: dict[Characteristic, frozenset[frozenset[Value]]] = {}
        usages = [ua, ub, *(u for needs, _, u in _CONSTRAINT_USAGE if needs <= characteristics)]
        for usage in usages:
            for c, sets in usage.value_sets.items():
                value_sets[c] = value_sets.get(c, frozenset()) | sets
        stays = ua.stays | ub.stays
        labels = {**ua.labels, **ub.labels}
        facts = sorted({fact for c, sets in value_sets.items() for fact in self._open(c, sets)})
        if len(facts) > MAX_OPEN_QUESTIONS:
            text = f"{len(facts)} open questions about named countries, too many to try"
            return Outcome(Relation.UNKNOWN, None, None, None, undecided=(text,))
        worlds = [
            frozenset(f for f, yes in zip(facts, answers, strict=True) if yes)
            for answers in itertools.product((False, True), repeat=len(facts))
        ]
        ordered = sorted(characteristics, key=lambda c: c.order)
        atoms: dict[Characteristic, _Atoms] = {}
        for c in ordered:
            sets = value_sets.get(c, frozenset())
            c_stays = stays if c is C.DURATION_OF_STAY else frozenset()
            cache_key = (c, sets, c_stays, tuple(facts))
            found = self._atoms.get(cache_key)
            if found is None:
                found = self._atoms[cache_key] = _atoms(c, sets, c_stays, worlds, labels)
            atoms[c] = found
        opaque = sorted(set(ua.opaque) | set(ub.opaque))
        sizes = tuple(atoms[c].count for c in ordered) + (2,) * len(opaque)
        layout = self._layouts.get(sizes)
        if layout is None:
            layout = _Layout(sizes)
            if layout.total <= MAX_KEPT_LAYOUT_BITS:
                self._layouts[sizes] = layout
        evaluator = _Evaluator(layout, atoms, ordered, opaque)

        per_world: list[tuple[bool | None, bool | None, bool | None]] = []
        indexes: tuple[int | None, int | None, int | None] = (None, None, None)
        empty_a = empty_b = True
        for w_index in range(len(worlds)):
            allowed = layout.full
            for formula in constraints:
                allowed &= evaluator.mask(formula, w_index)
            mask_a = evaluator.mask(a.formula, w_index) & allowed
            mask_b = evaluator.mask(b.formula, w_index) & allowed
            empty_a = empty_a and mask_a == 0
            empty_b = empty_b and mask_b == 0
            only_a, only_b, both = mask_a & ~mask_b, mask_b & ~mask_a, mask_a & mask_b
            found_a, found_b, found_both = (
                evaluator.certain(only_a),
                evaluator.certain(only_b),
                evaluator.certain(both),
            )
            per_world.append(
                (
                    True if only_a == 0 else (False if found_a is not None else None),
                    True if only_b == 0 else (False if found_b is not None else None),
                    False if both == 0 else (True if found_both is not None else None),
                )
            )
            if w_index == 0:
                indexes = (found_a, found_b, found_both)
        a_in_b, b_in_a, meet = (_agree(slot) for slot in zip(*per_world, strict=True))
        if meet is False and not empty_a and not empty_b:
            # Groups are taken to have members: sharing none, neither is within the other.
            a_in_b = b_in_a = False
        relation = classify(a_in_b, b_in_a, meet)
        undecided: tuple[str, ...] = ()
        if relation is Relation.UNKNOWN:
            undecided = _undecided(per_world, facts, opaque, ua, ub, labels)
        return Outcome(
            relation,
            a_in_b,
            b_in_a,
            meet,
            empty_a,
            empty_b,
            undecided,
            evaluator.witnesses(indexes),
        )


def _agree(values: Iterable[bool | None]) -> bool | None:
    found = set(values)
    return found.pop() if len(found) == 1 else None


def _undecided(
    per_world: Sequence[tuple[bool | None, bool | None, bool | None]],
    facts: Sequence[Fact],
    opaque: Sequence[str],
    ua: _Usage,
    ub: _Usage,
    labels: Mapping[str, str],
) -> tuple[str, ...]:
    """What kept the relation from being decided, in words."""
    reasons: list[str] = []
    if any(None in slots for slots in per_world):
        found = {**ua.opaque, **ub.opaque}
        reasons.extend(f"a condition the registry cannot read: {found[k].text}" for k in opaque)
    for bit, fact in enumerate(facts):
        step = 1 << (len(facts) - 1 - bit)
        if any(per_world[i] != per_world[i ^ step] for i in range(len(per_world))):
            reasons.append(wording.fact_text(fact, labels))
    return tuple(reasons)


__all__ = [
    "CONSTRAINTS",
    "MAX_KEPT_LAYOUT_BITS",
    "MAX_OPEN_QUESTIONS",
    "MAX_SHARED_BITS",
    "FormComparator",
    "Outcome",
    "Person",
    "Relation",
    "classify",
    "shared_relation",
]

"""Population definitions, and how two of them relate, decided from their criteria.

The relation of two definitions A and B is one of *equal*, *subset*, *superset*,
*overlap*, *disjoint* (read "A is a subset of B") or *unknown*, with a reason a
policy officer can follow: what each group counts, an example person that shows
the difference, and, for unknown, which criterion or question kept it open.

Each definition is reduced once, when it is made, to its normal form
(``registry.comparability.normal_form``); pairs of normal forms are compared as
sets of kinds of person (``registry.comparability.engine``, where the method, its
assumptions and its constraints are described) and the outcome of each pair is
remembered. A parent is *known* unless its value is unknown or not stated, so
"the only known parent" means that the other parent's value is unknown.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from registry.comparability import wording
from registry.comparability.engine import (
    FormComparator,
    Outcome,
    Relation,
)
from registry.comparability.model import Condition, Generation, OriginAssignment
from registry.comparability.normal_form import NormalForm, normal_form


@dataclass(frozen=True)
class PopulationDefinition:
    """A population definition: its conditions, generation and origin rule, and its names.

    ``condition`` ``None`` means no condition (everyone). The normal form and the
    plain-English description are computed once, when the definition is made.
    """

    condition: Condition | None
    name: str = ""
    publisher: str = ""
    iri: str | None = None
    generation: Generation | None = None
    origin_assignment: OriginAssignment | None = None
    normal_form: NormalForm = field(init=False, repr=False, compare=False)
    description: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "normal_form", normal_form(self.condition, self.generation))
        object.__setattr__(
            self, "description", wording.definition_text(self.condition, self.generation)
        )

    @property
    def title(self) -> str:
        """How reasons name the definition: its label, and the publisher if the label lacks it.

        Without a label, the IRI; without either, an empty string.
        """
        if not self.name:
            return f"<{self.iri}>" if self.iri else ""
        quoted = f'"{self.name}"'
        if not self.publisher or _mentions(self.name, self.publisher):
            return quoted
        possessive = "'" if self.publisher.endswith("s") else "'s"
        return f"{self.publisher}{possessive} {quoted}"


def _mentions(label: str, publisher: str) -> bool:
    words = [w.strip(",()") for w in publisher.split()]
    skip = {"City", "of", "the", "Statistics", "Statistical", "Office", "and", "urban"}
    return any(len(w) > 2 and w not in skip and w in label for w in words)


@dataclass(frozen=True)
class PopulationRelation:
    """The relation found between two definitions, and why.

    ``unresolved`` names the criteria or questions that kept the relation from
    being decided (empty unless the relation is unknown). ``outcome`` holds the
    details of the comparison; ``reason`` words it for people, and is only
    written when first asked for.
    """

    relation: Relation
    unresolved: tuple[str, ...]
    first: PopulationDefinition = field(repr=False, compare=False)
    second: PopulationDefinition = field(repr=False, compare=False)
    outcome: Outcome = field(repr=False, compare=False)

    @cached_property
    def reason(self) -> str:
        """Why the relation holds (or cannot be decided), in plain English."""
        return _reason(self.first, self.second, self.outcome)


class PopulationComparator(FormComparator):
    """Compares population definitions, remembering the outcome of each pair of normal forms.

    ``relations`` compares every definition of a collection with every other,
    cutting the characteristics once for all of them.
    """

    def relation(self, a: PopulationDefinition, b: PopulationDefinition) -> PopulationRelation:
        """The relation of definition A to definition B; its reason is worded when asked for."""
        outcome = self._outcomes.get((a.normal_form, b.normal_form))
        if outcome is None:
            outcome = self.outcome(a.normal_form, b.normal_form)
        return PopulationRelation(outcome.relation, outcome.undecided, a, b, outcome)

    def relations(self, definitions: Sequence[PopulationDefinition]) -> list[list[Relation]]:
        """The relation of every definition to every other: row i, column j is "i relation j".

        Each distinct normal form is compared once with each other, on a cut of
        the characteristics shared by the whole collection (see ``relation_table``).
        """
        forms = [d.normal_form for d in definitions]
        distinct = list(dict.fromkeys(forms))
        table = self.relation_table(distinct)
        index = {f: i for i, f in enumerate(distinct)}
        positions = [index[f] for f in forms]
        return [[table[i][j] for j in positions] for i in positions]


# ---------------------------------------------------------------------------
# Reasons in words
# ---------------------------------------------------------------------------


def _reason(a: PopulationDefinition, b: PopulationDefinition, outcome: Outcome) -> str:
    title_a, title_b = a.title or "the first group", b.title or "the second group"
    if a.description == b.description:
        subject = f"{title_a} and {title_b} both count {a.description}"
    else:
        subject = f"{title_a} counts {a.description}; {title_b} counts {b.description}"
    subject = subject[0].upper() + subject[1:]
    relation = outcome.relation
    only_a, only_b, both = (
        wording.person_text(dict(p)) if p else ""
        for p in (outcome.only_a, outcome.only_b, outcome.both)
    )
    if relation is Relation.EQUAL:
        if (a.condition, a.generation) == (b.condition, b.generation):
            verdict = "the criteria are the same, so the two groups have the same members"
        elif a.normal_form == b.normal_form:
            verdict = "the criteria are worded differently but say the same"
        else:
            verdict = "the criteria are written differently but admit exactly the same persons"
    elif relation is Relation.SUBSET:
        verdict = (
            "every person of the first group is in the second, and the second also counts "
            f"persons the first leaves out, for example {only_b}"
        )
    elif relation is Relation.SUPERSET:
        verdict = (
            "every person of the second group is in the first, and the first also counts "
            f"persons the second leaves out, for example {only_a}"
        )
    elif relation is Relation.OVERLAP:
        verdict = (
            f"the groups share members, for example {both}, but each counts persons "
            f"the other leaves out: {only_a} is only in the first, "
            f"{only_b} only in the second"
        )
    elif relation is Relation.DISJOINT:
        verdict = "no person can belong to both groups"
    else:
        verdict = _unknown_verdict(outcome)
    notes = []
    if outcome.a_empty and outcome.b_empty:
        notes.append("Neither group can have any member: their criteria contradict each other.")
    elif outcome.a_empty:
        notes.append("The first group cannot have any member: its criteria contradict each other.")
    elif outcome.b_empty:
        notes.append("The second group cannot have any member: its criteria contradict each other.")
    rule_a, rule_b = a.origin_assignment, b.origin_assignment
    if rule_a and rule_b and rule_a is not rule_b:
        notes.append(
            "Their origin groups are formed differently: the first takes a person's origin from "
            f"{wording.ORIGIN_RULE[rule_a]} value, the second from "
            f"{wording.ORIGIN_RULE[rule_b]} value, so breakdowns by origin do not match even "
            "where the groups do."
        )
    return " ".join([f"{subject}: {verdict}.", *notes])


def _unknown_verdict(outcome: Outcome) -> str:
    known = []
    if outcome.a_in_b is True:
        known.append("every person of the first group is in the second")
    if outcome.b_in_a is True:
        known.append("every person of the second group is in the first")
    if outcome.a_in_b is False:
        known.append("the first group has persons the second lacks")
    if outcome.b_in_a is False:
        known.append("the second group has persons the first lacks")
    if outcome.meet is False:
        known.append("they share no member")
    lead = "the relation cannot be decided"
    if known:
        lead += " (" + "; ".join(known) + ")"
    return lead + ": it depends on " + "; and on ".join(outcome.undecided)


# ---------------------------------------------------------------------------
# Module-level convenience
# ---------------------------------------------------------------------------

_DEFAULT = PopulationComparator()
_DEFAULT_LOCK = threading.Lock()


def relation(a: PopulationDefinition, b: PopulationDefinition) -> PopulationRelation:
    """The relation of definition A to definition B, with the reason in words.

    Uses a comparator shared by the process (safe to call from several threads);
    make a ``PopulationComparator`` of your own to control what is remembered.
    """
    with _DEFAULT_LOCK:
        return _DEFAULT.relation(a, b)


__all__ = [
    "PopulationComparator",
    "PopulationDefinition",
    "PopulationRelation",
    "Relation",
    "relation",
]

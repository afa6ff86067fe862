"""Comparability: how population definitions relate, decided from their criteria.

``relation(a, b)`` says whether population A is equal to, a subset or superset
of, overlaps, or is disjoint from population B, or that this cannot be decided,
with a reason in plain English. Definitions come from a graph
(``population_from_graph``) or are written in code with the builders of
``registry.comparability.model``.
"""

from registry.comparability.engine import Relation
from registry.comparability.from_graph import population_from_graph
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
    Uninterpreted,
    Value,
    all_of,
    any_of,
    criterion,
    negate,
    stay,
)
from registry.comparability.normal_form import NormalForm, normal_form
from registry.comparability.population import (
    PopulationComparator,
    PopulationDefinition,
    PopulationRelation,
    relation,
)

__all__ = [
    "AllOf",
    "AnyOf",
    "Basis",
    "Characteristic",
    "Condition",
    "Country",
    "Criterion",
    "Generation",
    "Group",
    "NormalForm",
    "Not",
    "OriginAssignment",
    "OriginIn",
    "ParentRule",
    "PopulationComparator",
    "PopulationDefinition",
    "PopulationRelation",
    "Relation",
    "Uninterpreted",
    "Value",
    "all_of",
    "any_of",
    "criterion",
    "negate",
    "normal_form",
    "population_from_graph",
    "relation",
    "stay",
]

"""Population relations, decided from criteria: the publishers' real definitions and the rules.

The real pairs come from the curated registry content (target groups as the
publishers define them, DOMAIN.md section 5), read from Turtle with rdflib. The
rule-level tests build small definitions in code.
"""

from __future__ import annotations

import itertools
from enum import StrEnum

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from registry.comparability import (
    Basis,
    Country,
    Generation,
    Group,
    OriginAssignment,
    OriginIn,
    ParentRule,
    PopulationComparator,
    PopulationDefinition,
    Relation,
    Uninterpreted,
    all_of,
    any_of,
    criterion,
    negate,
    population_from_graph,
    relation,
    stay,
)
from registry.comparability.engine import CONSTRAINTS
from registry.comparability.normal_form import normal_form
from registry.errors import NotFoundError
from registry.kb import CONTENT_DIR
from registry.namespaces import CM
from registry.resources import ontology_dir
from registry.vocabularies import RELATION

POP = "https://w3id.org/commensura/id/population/"
G = Group
R = Relation


@pytest.fixture(scope="module")
def content() -> Graph:
    graph = Graph()
    for name in ("target-groups.ttl", "publishers.ttl", "definitions.ttl"):
        graph.parse(CONTENT_DIR / name, format="turtle")
    return graph


@pytest.fixture(scope="module")
def defs(content: Graph) -> dict[str, PopulationDefinition]:
    subjects = content.subjects(RDF.type, CM.PopulationDefinition)
    return {
        str(s).removeprefix(POP): population_from_graph(content, s)
        for s in subjects
        if isinstance(s, URIRef)
    }


def rel(defs: dict[str, PopulationDefinition], a: str, b: str) -> Relation:
    found = relation(defs[a], defs[b])
    # The comparison read from the other side must be the mirror image.
    assert relation(defs[b], defs[a]).relation is found.relation.converse
    return found.relation


# ---------------------------------------------------------------------------
# Reading the registry content
# ---------------------------------------------------------------------------


def test_every_population_definition_of_the_content_is_read(
    content: Graph, defs: dict[str, PopulationDefinition]
) -> None:
    assert len(defs) >= 49
    for name, definition in defs.items():
        assert definition.iri == POP + name
        assert definition.name, name
        assert definition.publisher, name
        assert definition.normal_form.opaque == (), f"{name}: {definition.normal_form.opaque}"


def test_a_missing_definition_is_not_found(content: Graph) -> None:
    with pytest.raises(NotFoundError) as caught:
        population_from_graph(content, POP + "no-such-group")
    assert caught.value.details == {"iri": POP + "no-such-group"}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("eurostat-foreign-born", "oecd-immigrants"),
        ("eurostat-foreign-born", "elstat-born-abroad"),
        ("eurostat-native-born", "oecd-native-born"),
        ("vienna-foreign-origin", "helsinki-foreign-background-2013"),
        ("oecd-pisa-immigrant-students", "statistik-austria-migration-background"),
        ("cbs-foreign-background", "cbs-origin-2022"),
        ("eurostat-foreign-citizens", "elstat-foreign-citizens"),
    ],
)
def test_different_labels_with_the_same_criteria_are_equal(
    defs: dict[str, PopulationDefinition], first: str, second: str
) -> None:
    assert defs[first].title != defs[second].title
    found = relation(defs[first], defs[second])
    assert found.relation is R.EQUAL
    assert "the same members" in found.reason


def test_the_same_rule_worded_differently_is_equal(defs: dict[str, PopulationDefinition]) -> None:
    """Statbel says "a parent", Statistiek Vlaanderen "the father or the mother"."""
    statbel, flanders = defs["statbel-foreign-origin"], defs["statistiek-vlaanderen-foreign-origin"]
    assert statbel.condition != flanders.condition
    found = relation(statbel, flanders)
    assert found.relation is R.EQUAL
    assert "worded differently but say the same" in found.reason
    assert statbel.normal_form == flanders.normal_form


def test_every_definition_is_equal_to_itself(defs: dict[str, PopulationDefinition]) -> None:
    for name, definition in defs.items():
        assert relation(definition, definition).relation is R.EQUAL, name


# ---------------------------------------------------------------------------
# The pairs DOMAIN.md and the design name
# ---------------------------------------------------------------------------


def test_cbs_until_2021_is_a_superset_of_statistik_austria(
    defs: dict[str, PopulationDefinition],
) -> None:
    found = relation(
        defs["cbs-migration-background-2021"], defs["statistik-austria-migration-background"]
    )
    assert found.relation is R.SUPERSET
    assert found.unresolved == ()
    reason = found.reason
    assert "with at least one parent born abroad" in reason
    assert "with both parents born abroad" in reason
    assert "every person of the second group is in the first" in reason
    # The example person has one parent born abroad and one born in the country.
    example = reason.split("for example ", 1)[1]
    assert "born abroad" in example
    assert "born in the reporting country" in example
    assert rel(defs, "statistik-austria-migration-background", "cbs-migration-background-2021") is (
        R.SUBSET
    )


def test_vienna_foreign_origin_is_a_superset_of_the_foreign_born(
    defs: dict[str, PopulationDefinition],
) -> None:
    found = relation(defs["vienna-foreign-origin"], defs["eurostat-foreign-born"])
    assert found.relation is R.SUPERSET
    example = found.reason.split("for example ", 1)[1]
    assert "born in the reporting country" in example
    assert "foreign citizenship" in example
    assert 'Eurostat\'s "Foreign-born"' in found.reason
    assert rel(defs, "vienna-foreign-origin", "eurostat-foreign-citizens") is R.SUPERSET


def test_foreign_background_overlaps_foreign_language_speakers(
    defs: dict[str, PopulationDefinition],
) -> None:
    found = relation(defs["statfin-foreign-background"], defs["helsinki-foreign-language-speakers"])
    assert found.relation is R.OVERLAP
    assert "mother tongue is a national language is only in the first" in found.reason
    assert "mother tongue is a foreign language only in the second" in found.reason
    assert rel(defs, "helsinki-foreign-language-speakers", "statfin-foreign-background") is (
        R.OVERLAP
    )


def test_eu_vintages_differ_by_the_united_kingdom(defs: dict[str, PopulationDefinition]) -> None:
    """EU28 has the United Kingdom and EU27_2020 has not; every other member is in both.

    So the EU28-born are a superset of the EU27_2020-born (not an overlap: nobody
    is in EU27_2020 and not in EU28), and the non-EU28-born a subset of the
    non-EU27_2020-born.
    """
    found = relation(defs["eurostat-eu28-born"], defs["eurostat-eu27-2020-born"])
    assert found.relation is R.SUPERSET
    assert "a person born in the United Kingdom" in found.reason
    found = relation(defs["eurostat-non-eu28-born"], defs["eurostat-non-eu27-2020-born"])
    assert found.relation is R.SUBSET
    assert "a person born in the United Kingdom" in found.reason
    assert rel(defs, "eurostat-non-eu28-citizens", "eurostat-non-eu27-2020-citizens") is R.SUBSET
    assert rel(defs, "eurostat-eu27-2020-born", "eurostat-non-eu27-2020-born") is R.DISJOINT
    assert rel(defs, "eurostat-eu28-born", "eurostat-non-eu27-2020-born") is R.OVERLAP


def test_countries_and_vintages() -> None:
    born = Basis.OWN_COUNTRY_OF_BIRTH

    def group(*values: Group | Country) -> PopulationDefinition:
        return PopulationDefinition(criterion(born, *values))

    croatia, uk, turkey = Country("HR"), Country("GB"), Country("TR")
    assert uk.code == "UK"
    for eu in (G.EU27_2020, G.EU28):
        assert relation(group(croatia), group(eu)).relation is R.SUBSET
        assert relation(group(G.NATIONAL), group(eu)).relation is R.DISJOINT
    assert relation(group(uk), group(G.EU28)).relation is R.SUBSET
    assert relation(group(uk), group(G.EU27_2020)).relation is R.DISJOINT
    assert relation(group(uk), group(G.NON_EU27_2020)).relation is R.SUBSET
    assert relation(group(turkey), group(G.NON_WESTERN)).relation is R.SUBSET
    assert relation(group(croatia), group(G.WESTERN)).relation is R.SUBSET
    assert relation(group(G.EFTA), group(G.NON_EU28)).relation is R.SUBSET
    assert relation(group(G.EU27_2020, G.NON_EU27_2020), group(G.FOREIGN)).relation is R.EQUAL
    assert relation(group(G.EU28, G.NON_EU28), group(G.FOREIGN)).relation is R.EQUAL
    assert relation(group(G.WESTERN, G.NON_WESTERN), group(G.FOREIGN)).relation is R.EQUAL
    # Unknown is neither national nor foreign.
    assert relation(group(G.NATIONAL, G.FOREIGN), group(G.UNKNOWN)).relation is R.DISJOINT


def test_an_open_question_about_a_country_makes_the_relation_unknown() -> None:
    born = Basis.OWN_COUNTRY_OF_BIRTH
    morocco = PopulationDefinition(criterion(born, Country("MA", label="Morocco")))
    western = PopulationDefinition(criterion(born, G.WESTERN))
    found = relation(morocco, western)
    assert found.relation is R.UNKNOWN
    assert found.unresolved == (
        "whether Morocco is a western country in the CBS classification, "
        "which the registry does not record",
    )
    assert "it depends on whether Morocco" in found.reason
    # Whatever the answer, Morocco is not in the EU and is foreign.
    assert relation(morocco, PopulationDefinition(criterion(born, G.EU27_2020))).relation is (
        R.DISJOINT
    )
    neighbours = PopulationDefinition(criterion(born, G.NEIGHBOURING_COUNTRY))
    found = relation(PopulationDefinition(criterion(born, G.EU28)), neighbours)
    assert found.relation is R.OVERLAP
    found = relation(PopulationDefinition(criterion(born, Country("UK"))), neighbours)
    assert found.relation is R.UNKNOWN
    assert "borders the reporting country" in found.unresolved[0]


def test_native_born_and_foreign_born_are_disjoint(defs: dict[str, PopulationDefinition]) -> None:
    found = relation(defs["eurostat-native-born"], defs["eurostat-foreign-born"])
    assert found.relation is R.DISJOINT
    assert "no person can belong to both groups" in found.reason


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("statistik-austria-first-generation", "statistik-austria-second-generation"),
        (
            "cbs-migration-background-2021-first-generation",
            "cbs-migration-background-2021-second-generation",
        ),
        (
            "statfin-foreign-background-first-generation",
            "statfin-foreign-background-second-generation",
        ),
        ("cbs-migrants-2022", "cbs-children-of-migrants-2022"),
    ],
)
def test_first_and_second_generation_are_disjoint(
    defs: dict[str, PopulationDefinition], first: str, second: str
) -> None:
    assert defs[first].generation is Generation.FIRST
    assert defs[second].generation is Generation.SECOND
    assert rel(defs, first, second) is R.DISJOINT


def test_a_generation_alone_splits_a_group() -> None:
    parents = criterion(Basis.PARENTS_COUNTRY_OF_BIRTH, G.FOREIGN, rule=ParentRule.BOTH)
    first = PopulationDefinition(parents, generation=Generation.FIRST)
    second = PopulationDefinition(parents, generation=Generation.SECOND)
    whole = PopulationDefinition(parents)
    assert relation(first, second).relation is R.DISJOINT
    assert relation(first, whole).relation is R.SUBSET
    assert relation(second, whole).relation is R.SUBSET
    # Persons of unknown birthplace are in neither generation.
    born = Basis.OWN_COUNTRY_OF_BIRTH
    either = any_of(
        all_of(parents, criterion(born, G.FOREIGN)), all_of(parents, criterion(born, G.NATIONAL))
    )
    found = relation(PopulationDefinition(either), whole)
    assert found.relation is R.SUBSET
    assert "of unknown country of birth" in found.reason


def test_cbs_2021_and_2022(defs: dict[str, PopulationDefinition]) -> None:
    """From 2022 CBS counts every person born abroad; until 2021 only those with a parent abroad."""
    found = relation(defs["cbs-migration-background-2021"], defs["cbs-origin-2022"])
    assert found.relation is R.SUBSET
    assert "a person born abroad whose parents were both born in the reporting country" in (
        found.reason
    )
    first_2021, migrants_2022 = (
        "cbs-migration-background-2021-first-generation",
        "cbs-migrants-2022",
    )
    assert rel(defs, first_2021, migrants_2022) is R.SUBSET
    second_2021 = "cbs-migration-background-2021-second-generation"
    assert rel(defs, second_2021, "cbs-children-of-migrants-2022") is R.EQUAL
    # The reference groups: "both parents born in NL" against "born in NL, both parents too".
    assert rel(defs, "cbs-dutch-background-2021", "cbs-dutch-origin-2022") is R.SUPERSET


def test_parent_rules_across_publishers(defs: dict[str, PopulationDefinition]) -> None:
    assert rel(defs, "statfin-foreign-background", "statistik-austria-migration-background") is (
        R.SUPERSET
    )
    found = relation(
        defs["statfin-foreign-background"], defs["statistik-austria-migration-background"]
    )
    assert "unknown" in found.reason.split("for example ", 1)[1]
    assert rel(defs, "statfin-foreign-background", "cbs-migration-background-2021") is R.SUBSET
    assert rel(defs, "eurostat-second-generation", "oecd-children-of-immigrants") is R.SUPERSET
    assert rel(defs, "eurostat-second-generation", "oecd-mixed-background") is R.SUPERSET
    assert rel(defs, "oecd-children-of-immigrants", "oecd-mixed-background") is R.DISJOINT
    assert rel(defs, "statfin-foreign-background", "statfin-finnish-background") is R.DISJOINT


def test_origin_rules_are_named_when_they_differ(defs: dict[str, PopulationDefinition]) -> None:
    found = relation(defs["statfin-foreign-background"], defs["cbs-migration-background-2021"])
    assert "origin groups are formed differently" in found.reason
    assert "the mother's, else the father's" in found.reason
    same_rule = relation(
        defs["cbs-migration-background-2021"], defs["cbs-migration-background-2021"]
    )
    assert "origin groups" not in same_rule.reason


def test_every_target_group_is_disjoint_from_its_reference_group(
    content: Graph, defs: dict[str, PopulationDefinition]
) -> None:
    pairs = list(content.subject_objects(CM.hasReferenceGroup))
    assert len(pairs) >= 15
    for target, reference in pairs:
        first, second = str(target).removeprefix(POP), str(reference).removeprefix(POP)
        assert rel(defs, first, second) is R.DISJOINT, (first, second)


def test_every_declared_subgroup_is_within_its_group(
    content: Graph, defs: dict[str, PopulationDefinition]
) -> None:
    pairs = list(content.subject_objects(CM.subgroupOf))
    assert len(pairs) >= 8
    for sub, group in pairs:
        first, second = str(sub).removeprefix(POP), str(group).removeprefix(POP)
        assert rel(defs, first, second) in (R.SUBSET, R.EQUAL), (first, second)


def test_the_table_of_all_pairs_agrees_with_pair_by_pair(
    defs: dict[str, PopulationDefinition],
) -> None:
    ordered = [defs[k] for k in sorted(defs)]
    table = PopulationComparator().relations(ordered)
    one_by_one = PopulationComparator()
    for i, j in itertools.product(range(len(ordered)), repeat=2):
        assert table[i][j] is one_by_one.relation(ordered[i], ordered[j]).relation, (i, j)


# ---------------------------------------------------------------------------
# Rules, built in code
# ---------------------------------------------------------------------------


def parents(rule: ParentRule, *values: Group) -> PopulationDefinition:
    return PopulationDefinition(criterion(Basis.PARENTS_COUNTRY_OF_BIRTH, *values, rule=rule))


def test_parent_rules() -> None:
    P = ParentRule  # noqa: N806
    at_least_one, both = parents(P.AT_LEAST_ONE, G.FOREIGN), parents(P.BOTH, G.FOREIGN)
    only_known, exactly_one = (
        parents(P.BOTH_OR_ONLY_KNOWN, G.FOREIGN),
        parents(P.EXACTLY_ONE, G.FOREIGN),
    )
    mother, father = parents(P.MOTHER, G.FOREIGN), parents(P.FATHER, G.FOREIGN)

    def either(*ds: PopulationDefinition) -> PopulationDefinition:
        return PopulationDefinition(any_of(*(d.condition for d in ds if d.condition)))

    def each(*ds: PopulationDefinition) -> PopulationDefinition:
        return PopulationDefinition(all_of(*(d.condition for d in ds if d.condition)))

    assert relation(only_known, both).relation is R.SUPERSET
    assert relation(exactly_one, both).relation is R.DISJOINT
    assert relation(exactly_one, only_known).relation is R.DISJOINT
    assert relation(either(mother, father), at_least_one).relation is R.EQUAL
    assert relation(each(mother, father), both).relation is R.EQUAL
    assert relation(either(exactly_one, only_known), at_least_one).relation is R.EQUAL
    # One parent abroad and the other unknown: at least one, but neither "both" nor "exactly one".
    found = relation(either(exactly_one, both), at_least_one)
    assert found.relation is R.SUBSET
    assert "unknown" in found.reason.split("for example ", 1)[1]
    # "A parent born in the country" is not the complement of "both parents, or the only
    # known parent, born abroad": a person with no known parent is in neither.
    finnish = parents(P.AT_LEAST_ONE, G.NATIONAL)
    not_foreign = PopulationDefinition(
        negate(criterion(Basis.PARENTS_COUNTRY_OF_BIRTH, G.FOREIGN, rule=P.BOTH_OR_ONLY_KNOWN))
    )
    assert relation(not_foreign, finnish).relation is R.SUPERSET


def test_duration_of_stay() -> None:
    recent, settled = (
        PopulationDefinition(stay(max_years=5)),
        PopulationDefinition(stay(min_years=10)),
    )
    middle, under_ten = PopulationDefinition(stay(5, 10)), PopulationDefinition(stay(max_years=10))
    assert relation(recent, settled).relation is R.DISJOINT
    assert relation(recent, under_ten).relation is R.SUBSET
    assert relation(
        PopulationDefinition(any_of(stay(max_years=5), stay(5, 10))), under_ten
    ).relation is (R.EQUAL)
    assert relation(middle, PopulationDefinition(stay(min_years=2.5))).relation is R.SUBSET
    found = relation(recent, under_ten)
    assert "resident for 5 to less than 10 years" in found.reason
    foreign_born = PopulationDefinition(criterion(Basis.OWN_COUNTRY_OF_BIRTH, G.FOREIGN))
    recent_immigrants = PopulationDefinition(
        all_of(criterion(Basis.OWN_COUNTRY_OF_BIRTH, G.FOREIGN), stay(max_years=5))
    )
    assert relation(recent_immigrants, foreign_born).relation is R.SUBSET
    assert relation(recent, foreign_born).relation is R.OVERLAP


def test_protection_status_and_the_constraint_on_citizenship() -> None:
    def status(*values: Group) -> PopulationDefinition:
        return PopulationDefinition(criterion(Basis.PROTECTION_STATUS, *values))

    refugees, international = status(G.REFUGEE_STATUS), status(G.INTERNATIONAL_PROTECTION)
    humanitarian = status(G.HUMANITARIAN_STATUS)
    assert relation(refugees, international).relation is R.SUBSET
    assert relation(international, humanitarian).relation is R.SUBSET
    assert relation(status(G.TEMPORARY_PROTECTION), international).relation is R.DISJOINT
    assert relation(humanitarian, status(G.NO_INTERNATIONAL_PROTECTION)).relation is R.DISJOINT
    nationals = PopulationDefinition(criterion(Basis.CURRENT_CITIZENSHIP, G.NATIONAL))
    foreigners = PopulationDefinition(criterion(Basis.CURRENT_CITIZENSHIP, G.FOREIGN))
    assert len(CONSTRAINTS) == 1
    assert relation(humanitarian, nationals).relation is R.DISJOINT
    not_nationals = PopulationDefinition(negate(criterion(Basis.CURRENT_CITIZENSHIP, G.NATIONAL)))
    assert relation(refugees, not_nationals).relation is R.SUBSET
    # A refugee whose citizenship is not recorded is not counted as a foreign citizen.
    found = relation(refugees, foreigners)
    assert found.relation is R.OVERLAP
    assert "holding an unknown citizenship" in found.reason
    # Without citizenship in the comparison the constraint plays no part.
    foreign_born = PopulationDefinition(criterion(Basis.OWN_COUNTRY_OF_BIRTH, G.FOREIGN))
    assert relation(refugees, foreign_born).relation is R.OVERLAP


def test_citizenship_and_statelessness() -> None:
    def citizens(*values: Group) -> PopulationDefinition:
        return PopulationDefinition(criterion(Basis.CURRENT_CITIZENSHIP, *values))

    stateless = citizens(G.STATELESS)
    assert relation(stateless, citizens(G.NON_EU27_2020)).relation is R.SUBSET
    assert relation(stateless, citizens(G.FOREIGN)).relation is R.SUBSET
    assert relation(stateless, citizens(G.WESTERN, G.NON_WESTERN)).relation is R.DISJOINT
    first = PopulationDefinition(criterion(Basis.FIRST_CITIZENSHIP, G.FOREIGN))
    assert relation(first, citizens(G.FOREIGN)).relation is R.OVERLAP


def test_language_is_independent_of_birth() -> None:
    speakers = PopulationDefinition(criterion(Basis.MOTHER_TONGUE, G.FOREIGN_LANGUAGE))
    native = PopulationDefinition(criterion(Basis.OWN_COUNTRY_OF_BIRTH, G.NATIONAL))
    assert relation(speakers, native).relation is R.OVERLAP


def test_origin_assignment_rules_split_origin_groups_differently() -> None:
    mother_first = PopulationDefinition(
        OriginIn(OriginAssignment.MOTHER_THEN_FATHER, frozenset({G.EU27_2020}))
    )
    father_first = PopulationDefinition(
        OriginIn(OriginAssignment.FATHER_THEN_MOTHER, frozenset({G.EU27_2020}))
    )
    found = relation(mother_first, father_first)
    assert found.relation is R.OVERLAP
    assert "only in the first" in found.reason
    # Whatever the order, an origin is taken only from a parent born abroad.
    any_parent_abroad = parents(ParentRule.AT_LEAST_ONE, G.FOREIGN)
    assert relation(mother_first, any_parent_abroad).relation is R.SUBSET
    # With both parents born in the same EU country the rules agree.
    both_eu = parents(ParentRule.BOTH, G.EU27_2020)
    assert relation(both_eu, mother_first).relation is R.SUBSET
    assert relation(both_eu, father_first).relation is R.SUBSET
    own_first = PopulationDefinition(
        OriginIn(OriginAssignment.OWN_THEN_MOTHER_THEN_FATHER, frozenset({G.NON_EU27_2020}))
    )
    non_eu_born = PopulationDefinition(criterion(Basis.OWN_COUNTRY_OF_BIRTH, G.NON_EU27_2020))
    assert relation(non_eu_born, own_first).relation is R.SUBSET


# ---------------------------------------------------------------------------
# What cannot be read, and the unknown relation
# ---------------------------------------------------------------------------

UNREADABLE = """
@prefix cm:   <https://w3id.org/commensura/ontology#> .
@prefix crit: <https://w3id.org/commensura/vocab/criterion/> .
@prefix val:  <https://w3id.org/commensura/vocab/criterion-value/> .
@prefix pop:  <https://w3id.org/commensura/id/population/> .
@prefix ex:   <https://example.org/> .

pop:permit-holders a cm:PopulationDefinition ;
    cm:condition ex:born-abroad ,
        [ a cm:Criterion ; cm:basis ex:residencePermit ; cm:value ex:work ] .
ex:born-abroad a cm:Criterion ; cm:basis crit:ownCountryOfBirth ; cm:value val:foreign .

pop:permit-holders-again a cm:PopulationDefinition ;
    cm:condition [ a cm:AllOf ; cm:operand
        [ a cm:Criterion ; cm:basis ex:residencePermit ; cm:value ex:work ] ,
        [ a cm:Criterion ; cm:basis crit:ownCountryOfBirth ; cm:value val:foreign ] ] .

pop:undocumented a cm:PopulationDefinition .
pop:odd-value a cm:PopulationDefinition ;
    cm:condition [ a cm:Criterion ; cm:basis crit:ownCountryOfBirth ;
                   cm:value val:foreignLanguage ] .
pop:born-in-turkey a cm:PopulationDefinition ;
    cm:condition [ a cm:Criterion ; cm:basis crit:ownCountryOfBirth ;
                   cm:value <https://w3id.org/commensura/id/place/country/TR> ] .
"""


@pytest.fixture(scope="module")
def unreadable(defs: dict[str, PopulationDefinition]) -> dict[str, PopulationDefinition]:
    graph = Graph().parse(data=UNREADABLE, format="turtle")
    turkey = URIRef("https://w3id.org/commensura/id/place/country/TR")
    graph.add((turkey, SKOS.prefLabel, Literal("Turkey", lang="en")))
    names = (
        "permit-holders",
        "permit-holders-again",
        "undocumented",
        "odd-value",
        "born-in-turkey",
    )
    return {n: population_from_graph(graph, POP + n) for n in names}


def test_an_unknown_basis_matters_only_where_it_matters(
    defs: dict[str, PopulationDefinition], unreadable: dict[str, PopulationDefinition]
) -> None:
    permits = unreadable["permit-holders"]
    assert [o.text for o in permits.normal_form.opaque] == [
        "a criterion on the basis <https://example.org/residencePermit>, which is not known"
    ]
    found = relation(permits, defs["eurostat-foreign-born"])
    assert found.relation is R.UNKNOWN
    assert found.unresolved == (
        "a condition the registry cannot read: a criterion on the basis "
        "<https://example.org/residencePermit>, which is not known",
    )
    assert "every person of the first group is in the second" in found.reason
    assert relation(permits, defs["eurostat-native-born"]).relation is R.DISJOINT
    # Vienna's group has persons the permit holders lack whatever the permit criterion
    # says (foreign citizens born in the country), and holds all of them.
    assert relation(permits, defs["vienna-foreign-origin"]).relation is R.SUBSET
    # The same unreadable criterion, written in another shape, is the same set of persons.
    assert relation(permits, unreadable["permit-holders-again"]).relation is R.EQUAL


def test_undocumented_and_ill_fitting_definitions_are_unknown(
    defs: dict[str, PopulationDefinition], unreadable: dict[str, PopulationDefinition]
) -> None:
    undocumented = unreadable["undocumented"]
    found = relation(undocumented, defs["eurostat-foreign-born"])
    assert found.relation is R.UNKNOWN
    assert "records no condition" in found.unresolved[0]
    assert relation(undocumented, undocumented).relation is R.EQUAL
    odd = relation(unreadable["odd-value"], defs["eurostat-foreign-born"])
    assert odd.relation is R.UNKNOWN
    assert "does not apply to the basis ownCountryOfBirth" in odd.unresolved[0]


def test_a_named_country_is_read_from_the_graph(
    defs: dict[str, PopulationDefinition], unreadable: dict[str, PopulationDefinition]
) -> None:
    turkey = unreadable["born-in-turkey"]
    assert relation(turkey, defs["eurostat-non-eu27-2020-born"]).relation is R.SUBSET
    found = relation(defs["eurostat-non-eu28-born"], turkey)
    assert found.relation is R.SUPERSET
    assert "persons born in Turkey" in found.reason


def test_normal_forms_are_computed_once_and_shared() -> None:
    at_least_one = criterion(
        Basis.PARENTS_COUNTRY_OF_BIRTH, G.FOREIGN, rule=ParentRule.AT_LEAST_ONE
    )
    father_or_mother = any_of(
        criterion(Basis.PARENTS_COUNTRY_OF_BIRTH, G.FOREIGN, rule=ParentRule.FATHER),
        criterion(Basis.PARENTS_COUNTRY_OF_BIRTH, G.FOREIGN, rule=ParentRule.MOTHER),
    )
    assert normal_form(at_least_one) == normal_form(father_or_mother)
    definition = PopulationDefinition(at_least_one)
    assert definition.normal_form is definition.normal_form
    assert normal_form(negate(negate(at_least_one))) == normal_form(at_least_one)


def test_relations_name_the_concepts_of_the_scheme() -> None:
    assert {r.iri for r in Relation} == {
        RELATION.equal,
        RELATION.subset,
        RELATION.superset,
        RELATION.overlap,
        RELATION.disjoint,
        RELATION.unknown,
    }
    assert Relation.SUBSET.converse is Relation.SUPERSET
    assert Relation.OVERLAP.converse is Relation.OVERLAP


@pytest.mark.parametrize(
    ("scheme", "enum"),
    [
        ("criterion.ttl", Basis),
        ("criterion-value.ttl", Group),
        ("parent-rule.ttl", ParentRule),
        ("origin-assignment.ttl", OriginAssignment),
        ("generation.ttl", Generation),
    ],
)
def test_the_model_knows_every_concept_of_the_schemes(scheme: str, enum: type[StrEnum]) -> None:
    graph = Graph().parse(ontology_dir() / "vocabularies" / scheme, format="turtle")
    concepts = {str(c).rsplit("/", 1)[1] for c in graph.subjects(RDF.type, SKOS.Concept)}
    assert {m.value for m in enum} == concepts


def test_an_uninterpreted_condition_in_code() -> None:
    secret = Uninterpreted("secret", "a criterion kept confidential")
    born_abroad = criterion(Basis.OWN_COUNTRY_OF_BIRTH, G.FOREIGN)
    narrowed = PopulationDefinition(all_of(born_abroad, secret))
    widened = PopulationDefinition(any_of(born_abroad, secret))
    plain = PopulationDefinition(born_abroad)
    assert relation(narrowed, plain).outcome.a_in_b is True
    assert relation(narrowed, plain).relation is R.UNKNOWN
    assert relation(widened, plain).outcome.b_in_a is True
    assert relation(narrowed, widened).relation is R.UNKNOWN
    assert relation(narrowed, widened).outcome.a_in_b is True

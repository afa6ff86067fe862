"""Closed namespaces for the Commensura SKOS concept schemes.

One :class:`~rdflib.namespace.DefinedNamespace` per scheme in
``ontology/vocabularies/``. The classes are closed (``_fail = True``): a concept
name that is not defined in the scheme raises ``AttributeError`` instead of
silently minting a new IRI. ``SCHEMES`` maps each scheme's path segment to the
scheme IRI (which, unlike the concept namespace, has no trailing slash).
"""

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef


class THEME(DefinedNamespace):
    """Themes (integration areas): `https://w3id.org/commensura/vocab/theme`."""

    _NS = Namespace("https://w3id.org/commensura/vocab/theme/")
    _fail = True

    employment: URIRef  # Employment
    education: URIRef  # Education
    socialInclusion: URIRef  # Social inclusion
    activeCitizenship: URIRef  # Active citizenship
    health: URIRef  # Health
    housing: URIRef  # Housing
    populationComposition: URIRef  # Population composition


class CRITERION(DefinedNamespace):
    """Criterion bases of population definitions: `https://w3id.org/commensura/vocab/criterion`."""

    _NS = Namespace("https://w3id.org/commensura/vocab/criterion/")
    _fail = True

    ownCountryOfBirth: URIRef  # Own country of birth
    currentCitizenship: URIRef  # Current citizenship
    firstCitizenship: URIRef  # First registered citizenship
    parentsCountryOfBirth: URIRef  # Parents' country of birth
    parentsFirstCitizenship: URIRef  # Parents' first citizenship
    motherTongue: URIRef  # Mother tongue
    protectionStatus: URIRef  # Protection status
    durationOfStay: URIRef  # Duration of stay


class CRITERION_VALUE(DefinedNamespace):  # noqa: N801
    """Values of atomic criteria: `https://w3id.org/commensura/vocab/criterion-value`."""

    _NS = Namespace("https://w3id.org/commensura/vocab/criterion-value/")
    _fail = True

    national: URIRef  # Reporting country
    foreign: URIRef  # Foreign (not the reporting country)
    eu27_2020: URIRef  # Other EU27 country (2020 composition)
    nonEu27_2020: URIRef  # Non-EU27 country (2020 composition)
    eu28: URIRef  # Other EU28 country (2013-2020 composition)
    nonEu28: URIRef  # Non-EU28 country (2013-2020 composition)
    efta: URIRef  # EFTA country
    western: URIRef  # Western origin (CBS classification)
    nonWestern: URIRef  # Non-western origin (CBS classification)
    neighbouringCountry: URIRef  # Neighbouring country
    stateless: URIRef  # Stateless
    unknown: URIRef  # Unknown
    noResponse: URIRef  # No response
    nationalLanguage: URIRef  # National language
    foreignLanguage: URIRef  # Foreign language
    humanitarianStatus: URIRef  # Humanitarian status (sought or granted)
    internationalProtection: URIRef  # International protection
    refugeeStatus: URIRef  # Refugee status
    subsidiaryProtection: URIRef  # Subsidiary protection
    temporaryProtection: URIRef  # Temporary protection
    asylumSeeker: URIRef  # Asylum seeker
    noInternationalProtection: URIRef  # No protection status


class PARENT_RULE(DefinedNamespace):  # noqa: N801
    """Parent rules: `https://w3id.org/commensura/vocab/parent-rule`."""

    _NS = Namespace("https://w3id.org/commensura/vocab/parent-rule/")
    _fail = True

    atLeastOne: URIRef  # At least one parent
    both: URIRef  # Both parents
    bothOrOnlyKnown: URIRef  # Both parents, or the only known parent
    exactlyOne: URIRef  # Exactly one parent
    mother: URIRef  # Mother only
    father: URIRef  # Father only


class ORIGIN_ASSIGNMENT(DefinedNamespace):  # noqa: N801
    """Origin assignment rules: `https://w3id.org/commensura/vocab/origin-assignment`."""

    _NS = Namespace("https://w3id.org/commensura/vocab/origin-assignment/")
    _fail = True

    ownThenMotherThenFather: URIRef  # Own, then mother's, then father's
    motherThenFather: URIRef  # Mother's, then father's
    fatherThenMother: URIRef  # Father's, then mother's
    ownOnly: URIRef  # Own attribute only


class GENERATION(DefinedNamespace):
    """Migration generations: `https://w3id.org/commensura/vocab/generation`."""

    _NS = Namespace("https://w3id.org/commensura/vocab/generation/")
    _fail = True

    firstGeneration: URIRef  # First generation
    secondGeneration: URIRef  # Second generation


class SOURCE_TYPE(DefinedNamespace):  # noqa: N801
    """Data source types: `https://w3id.org/commensura/vocab/source-type`."""

    _NS = Namespace("https://w3id.org/commensura/vocab/source-type/")
    _fail = True

    populationRegister: URIRef  # Population register
    census: URIRef  # Census
    registerBasedCensus: URIRef  # Register-based census
    sampleSurvey: URIRef  # Sample survey
    labourForceSurvey: URIRef  # Labour force survey (EU-LFS)
    incomeAndLivingConditionsSurvey: URIRef
    citySurvey: URIRef  # City survey
    internationalAssessment: URIRef  # International student assessment
    administrativeData: URIRef  # Administrative data


class UNIVERSE(DefinedNamespace):
    """Population universes: `https://w3id.org/commensura/vocab/universe`."""

    _NS = Namespace("https://w3id.org/commensura/vocab/universe/")
    _fail = True

    residentPopulation: URIRef  # Usually resident population
    registeredPopulation: URIRef  # Registered population
    privateHouseholdPopulation: URIRef  # Population in private households


class GEOGRAPHY_LEVEL(DefinedNamespace):  # noqa: N801
    """Geography levels: `https://w3id.org/commensura/vocab/geography-level`."""

    _NS = Namespace("https://w3id.org/commensura/vocab/geography-level/")
    _fail = True

    country: URIRef  # Country
    nuts1: URIRef  # NUTS 1 region
    nuts2: URIRef  # NUTS 2 region
    nuts3: URIRef  # NUTS 3 region
    lau: URIRef  # Local administrative unit (LAU)
    city: URIRef  # City (Urban Audit)
    greaterCity: URIRef  # Greater city
    functionalUrbanArea: URIRef  # Functional urban area (FUA)
    degurbaClass: URIRef  # Degree-of-urbanisation class
    cityDistrict: URIRef  # City district
    subDistrict: URIRef  # City sub-district
    postalArea: URIRef  # Postal code area
    gridCell: URIRef  # Grid cell
    supranationalAggregate: URIRef  # Supranational aggregate


class MEASURE_TYPE(DefinedNamespace):  # noqa: N801
    """Measure types: `https://w3id.org/commensura/vocab/measure-type`."""

    _NS = Namespace("https://w3id.org/commensura/vocab/measure-type/")
    _fail = True

    rate: URIRef  # Rate
    share: URIRef  # Share
    median: URIRef  # Median
    mean: URIRef  # Mean
    count: URIRef  # Count
    ratio: URIRef  # Ratio
    difference: URIRef  # Difference


class UNIT(DefinedNamespace):
    """Units of measure: `https://w3id.org/commensura/vocab/unit`."""

    _NS = Namespace("https://w3id.org/commensura/vocab/unit/")
    _fail = True

    percent: URIRef  # Percent
    percentagePoint: URIRef  # Percentage point
    persons: URIRef  # Persons
    thousandPersons: URIRef  # Thousand persons
    euro: URIRef  # Euro
    purchasingPowerStandard: URIRef  # Purchasing power standard (PPS)
    perThousand: URIRef  # Per thousand
    perHundred: URIRef  # Per hundred
    pureNumber: URIRef  # Pure number


class QUANTITY(DefinedNamespace):
    """Quantities counted or measured by numerators and denominators.

    Scheme: `https://w3id.org/commensura/vocab/quantity`.
    """

    _NS = Namespace("https://w3id.org/commensura/vocab/quantity/")
    _fail = True

    population: URIRef  # Population
    employedPersons: URIRef  # Employed persons
    unemployedPersons: URIRef  # Unemployed persons
    labourForce: URIRef  # Labour force
    selfEmployedPersons: URIRef  # Self-employed persons
    employees: URIRef  # Employees
    temporaryEmployees: URIRef  # Temporary employees
    partTimeEmployees: URIRef  # Part-time employed persons
    longTermUnemployedPersons: URIRef  # Long-term unemployed persons
    overqualifiedEmployedPersons: URIRef  # Over-qualified employed persons
    tertiaryEducatedEmployedPersons: URIRef  # Employed persons with tertiary education
    personsNotInEmploymentEducationOrTraining: URIRef
    personsWithTertiaryAttainment: URIRef  # Persons with tertiary educational attainment
    personsByEducationalAttainment: URIRef  # Persons by educational attainment level
    earlyLeavers: URIRef  # Early leavers from education and training
    lowAchievingPupils: URIRef  # Low-achieving pupils
    assessedPupils: URIRef  # Assessed pupils
    equivalisedNetIncome: URIRef  # Equivalised net income
    personsAtRiskOfPoverty: URIRef  # Persons at risk of poverty
    personsAtRiskOfPovertyOrSocialExclusion: URIRef
    inWorkAtRiskOfPoverty: URIRef  # In-work persons at risk of poverty
    personsInWork: URIRef  # Persons in work
    personsInGoodHealth: URIRef  # Persons in good health
    personsWithUnmetMedicalNeeds: URIRef  # Persons with unmet needs for medical examination
    homeowners: URIRef  # Persons living in owner-occupied dwellings
    personsInOvercrowdedHousing: URIRef  # Persons living in overcrowded dwellings
    personsWithHousingCostOverburden: URIRef  # Persons with housing cost overburden
    citizenshipAcquisitions: URIRef  # Acquisitions of citizenship
    nonNationalResidents: URIRef  # Non-national residents
    longTermResidencePermitHolders: URIRef  # Holders of long-term residence permits
    nonEuCitizensWithPermits: URIRef  # Non-EU citizens holding residence permits
    electedRepresentatives: URIRef  # Elected representatives


class AGE_BAND(DefinedNamespace):  # noqa: N801
    """Age bands: `https://w3id.org/commensura/vocab/age-band`."""

    _NS = Namespace("https://w3id.org/commensura/vocab/age-band/")
    _fail = True

    y15to64: URIRef  # 15 to 64 years
    y20to64: URIRef  # 20 to 64 years
    y18to64: URIRef  # 18 to 64 years
    y15to74: URIRef  # 15 to 74 years
    y15to24: URIRef  # 15 to 24 years
    y15to29: URIRef  # 15 to 29 years
    y18to24: URIRef  # 18 to 24 years
    y25to34: URIRef  # 25 to 34 years
    y30to34: URIRef  # 30 to 34 years
    y25to54: URIRef  # 25 to 54 years
    y25to64: URIRef  # 25 to 64 years
    y55to64: URIRef  # 55 to 64 years
    y15plus: URIRef  # 15 years or over
    y16plus: URIRef  # 16 years or over
    y18plus: URIRef  # 18 years or over
    y0to17: URIRef  # Less than 18 years
    allAges: URIRef  # All ages


class OBS_STATUS(DefinedNamespace):  # noqa: N801
    """Observation status flags: `https://w3id.org/commensura/vocab/observation-status`."""

    _NS = Namespace("https://w3id.org/commensura/vocab/observation-status/")
    _fail = True

    breakInSeries: URIRef  # Break in time series
    lowReliability: URIRef  # Low reliability
    estimated: URIRef  # Estimated
    provisional: URIRef  # Provisional
    definitionDiffers: URIRef  # Definition differs
    confidential: URIRef  # Confidential
    notAvailable: URIRef  # Not available


class REFERENCE_TIME(DefinedNamespace):  # noqa: N801
    """Reference times: `https://w3id.org/commensura/vocab/reference-time`."""

    _NS = Namespace("https://w3id.org/commensura/vocab/reference-time/")
    _fail = True

    startOfYear: URIRef  # 1 January
    endOfYear: URIRef  # 31 December
    annualAverage: URIRef  # Annual average
    censusDay: URIRef  # Census day
    surveyReferenceWeek: URIRef  # Survey reference week
    duringYear: URIRef  # During the year (flow)


class PRACTICE_KIND(DefinedNamespace):  # noqa: N801
    """Kinds of city practice: `https://w3id.org/commensura/vocab/practice-kind`."""

    _NS = Namespace("https://w3id.org/commensura/vocab/practice-kind/")
    _fail = True

    monitoringSystem: URIRef  # Monitoring system
    surveyModel: URIRef  # Survey model
    collaborationModel: URIRef  # Collaboration model
    audience: URIRef  # Audience
    communicationFormat: URIRef  # Communication format


class RELATION(DefinedNamespace):
    """Comparability relations: `https://w3id.org/commensura/vocab/comparability-relation`."""

    _NS = Namespace("https://w3id.org/commensura/vocab/comparability-relation/")
    _fail = True

    equal: URIRef  # Equal
    subset: URIRef  # Subset
    superset: URIRef  # Superset
    overlap: URIRef  # Overlap
    disjoint: URIRef  # Disjoint
    unknown: URIRef  # Unknown


class GRADE(DefinedNamespace):
    """Comparability grades: `https://w3id.org/commensura/vocab/comparability-grade`."""

    _NS = Namespace("https://w3id.org/commensura/vocab/comparability-grade/")
    _fail = True

    identical: URIRef  # Identical
    equivalent: URIRef  # Equivalent
    comparableWithCaveats: URIRef  # Comparable with caveats
    partiallyComparable: URIRef  # Partially comparable
    notComparable: URIRef  # Not comparable


class DIMENSION(DefinedNamespace):
    """Comparison dimensions: `https://w3id.org/commensura/vocab/comparison-dimension`."""

    _NS = Namespace("https://w3id.org/commensura/vocab/comparison-dimension/")
    _fail = True

    targetGroup: URIRef  # Target group
    referenceGroup: URIRef  # Reference group
    ageBand: URIRef  # Age band
    sex: URIRef  # Sex
    universe: URIRef  # Universe
    sourceType: URIRef  # Source type
    geographyLevel: URIRef  # Geography level
    referencePeriod: URIRef  # Reference period
    measureType: URIRef  # Measure type
    numerator: URIRef  # Numerator
    denominator: URIRef  # Denominator
    unit: URIRef  # Unit
    euVintage: URIRef  # EU vintage
    originAssignment: URIRef  # Origin assignment


class VERIFICATION_STATUS(DefinedNamespace):  # noqa: N801
    """Verification status of registry statements.

    Scheme: `https://w3id.org/commensura/vocab/verification-status`.
    """

    _NS = Namespace("https://w3id.org/commensura/vocab/verification-status/")
    _fail = True

    confirmed: URIRef  # Confirmed
    toBeVerified: URIRef  # To be verified
    superseded: URIRef  # Superseded


class STATISTIC(DefinedNamespace):
    """Statistics of an observation: `https://w3id.org/commensura/vocab/statistic`."""

    _NS = Namespace("https://w3id.org/commensura/vocab/statistic/")
    _fail = True

    value: URIRef  # Value of the indicator
    count: URIRef  # Count of persons


class POPULATION_GROUP(DefinedNamespace):  # noqa: N801
    """Population groups of observations: `https://w3id.org/commensura/vocab/population-group`."""

    _NS = Namespace("https://w3id.org/commensura/vocab/population-group/")
    _fail = True

    total: URIRef  # Whole population


SCHEMES: dict[str, URIRef] = {
    "theme": URIRef("https://w3id.org/commensura/vocab/theme"),
    "criterion": URIRef("https://w3id.org/commensura/vocab/criterion"),
    "criterion-value": URIRef("https://w3id.org/commensura/vocab/criterion-value"),
    "parent-rule": URIRef("https://w3id.org/commensura/vocab/parent-rule"),
    "origin-assignment": URIRef("https://w3id.org/commensura/vocab/origin-assignment"),
    "generation": URIRef("https://w3id.org/commensura/vocab/generation"),
    "source-type": URIRef("https://w3id.org/commensura/vocab/source-type"),
    "universe": URIRef("https://w3id.org/commensura/vocab/universe"),
    "geography-level": URIRef("https://w3id.org/commensura/vocab/geography-level"),
    "measure-type": URIRef("https://w3id.org/commensura/vocab/measure-type"),
    "unit": URIRef("https://w3id.org/commensura/vocab/unit"),
    "quantity": URIRef("https://w3id.org/commensura/vocab/quantity"),
    "age-band": URIRef("https://w3id.org/commensura/vocab/age-band"),
    "observation-status": URIRef("https://w3id.org/commensura/vocab/observation-status"),
    "reference-time": URIRef("https://w3id.org/commensura/vocab/reference-time"),
    "practice-kind": URIRef("https://w3id.org/commensura/vocab/practice-kind"),
    "comparability-relation": URIRef("https://w3id.org/commensura/vocab/comparability-relation"),
    "comparability-grade": URIRef("https://w3id.org/commensura/vocab/comparability-grade"),
    "comparison-dimension": URIRef("https://w3id.org/commensura/vocab/comparison-dimension"),
    "verification-status": URIRef("https://w3id.org/commensura/vocab/verification-status"),
    "statistic": URIRef("https://w3id.org/commensura/vocab/statistic"),
    "population-group": URIRef("https://w3id.org/commensura/vocab/population-group"),
}
"""Scheme IRI by path segment (``https://w3id.org/commensura/vocab/<segment>``)."""

__all__ = [
    "AGE_BAND",
    "CRITERION",
    "CRITERION_VALUE",
    "DIMENSION",
    "GENERATION",
    "GEOGRAPHY_LEVEL",
    "GRADE",
    "MEASURE_TYPE",
    "OBS_STATUS",
    "ORIGIN_ASSIGNMENT",
    "PARENT_RULE",
    "POPULATION_GROUP",
    "PRACTICE_KIND",
    "QUANTITY",
    "REFERENCE_TIME",
    "RELATION",
    "SCHEMES",
    "SOURCE_TYPE",
    "STATISTIC",
    "THEME",
    "UNIT",
    "UNIVERSE",
    "VERIFICATION_STATUS",
]

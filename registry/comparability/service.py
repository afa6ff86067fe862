"""Comparisons as the API and the CLI offer them: two definitions, an indicator's matrix, and
the definitions a figure can be compared with.

Definitions are named by their IRI or, for the registry's own, by the slug of
``https://w3id.org/commensura/id/definition/<slug>``; indicators likewise under
``id/indicator/``. Answers are JSON-ready dictionaries (``verdict_dict``).
"""

from __future__ import annotations

import re
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from registry.comparability.context import assessor_for, context_graph
from registry.comparability.verdict import GRADE_NAMES, Assessor, Verdict, verdict_dict
from registry.errors import InputError, InvalidSubmissionError, NotFoundError
from registry.ids import ID_BASE
from registry.namespaces import CM
from registry.store import Store
from registry.submissions.service import validate_submission
from registry.validation.report import Severity
from registry.vocabularies import GRADE

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,120}$")
_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
_GRADE_ORDER = [GRADE.identical, GRADE.equivalent, GRADE.comparableWithCaveats]
_GRADE_ORDER += [GRADE.partiallyComparable, GRADE.notComparable]


def resolve(reference: str, kind: str, parameter: str) -> URIRef:
    """A reference given by a caller as an IRI: a full IRI, or a slug under ``id/<kind>/``."""
    text = reference.strip()
    if _IRI.fullmatch(text):
        return URIRef(text)
    if _SLUG.fullmatch(text):
        return URIRef(f"{ID_BASE}{kind}/{text}")
    msg = (
        f"the {parameter} {text[:200]!r} is neither an IRI nor a {kind} slug such as "
        f"{'eurostat-employment-rate' if kind == 'definition' else 'employment-rate'}"
    )
    raise InputError(msg, details={"parameter": parameter, "value": text[:200]})


def compare(store: Store, a: str, b: str) -> dict[str, Any]:
    """The verdict on definition ``a`` against definition ``b``."""
    assessor = assessor_for(store)
    verdict = assessor.assess(resolve(a, "definition", "a"), resolve(b, "definition", "b"))
    return verdict_dict(assessor.graph, verdict)


def _definitions_of(assessor: Assessor, indicator: URIRef) -> list[URIRef]:
    graph = assessor.graph
    if (indicator, RDF.type, CM.Indicator) not in graph:
        msg = f"there is no indicator {indicator}: see /api/indicators for those there are"
        raise NotFoundError(msg, details={"kind": "indicator", "ref": str(indicator)})
    return sorted(
        d
        for d in graph.subjects(CM.indicator, indicator)
        if isinstance(d, URIRef) and (d, RDF.type, CM.IndicatorDefinition) in graph
    )


def _pair(verdict: Verdict) -> dict[str, Any]:
    return {
        "a": verdict.a.iri,
        "b": verdict.b.iri,
        "kind": verdict.kind.value,
        "grade": {"iri": str(verdict.grade), "label": verdict.grade_name},
        "break_in_series": verdict.break_in_series,
        "summary": verdict.summary(),
        "main_reason": None if not verdict.reasons else verdict.reasons[0].reason,
    }


def _definition_ref(assessor: Assessor, iri: URIRef) -> dict[str, Any]:
    scope = assessor.definition(iri).scope
    places = sorted(str(p) for p in assessor.graph.objects(iri, DCTERMS.spatial))
    return {
        "iri": scope.iri,
        "label": scope.label,
        "publisher": None if scope.publisher is None else scope.publisher.label,
        "geography_level": None if scope.geography_level is None else scope.geography_level.label,
        "places": places,
    }


def indicator_matrix(store: Store, indicator: str) -> dict[str, Any]:
    """Every definition of an indicator against every other: the grade of each pair."""
    assessor = assessor_for(store)
    iri = resolve(indicator, "indicator", "indicator")
    definitions = _definitions_of(assessor, iri)
    pairs = []
    for i, a in enumerate(definitions):
        for b in definitions[i + 1 :]:
            pairs.append(_pair(assessor.assess(a, b)))
    counts = {GRADE_NAMES[g]: 0 for g in _GRADE_ORDER}
    for pair in pairs:
        counts[pair["grade"]["label"]] += 1
    return {
        "indicator": str(iri),
        "definitions": [_definition_ref(assessor, d) for d in definitions],
        "pairs": pairs,
        "grades": counts,
    }


def comparable_with(store: Store, definition: str) -> dict[str, Any]:
    """The other definitions of the same indicator, best grade first: what a figure made
    under ``definition`` can be compared with, and how."""
    assessor = assessor_for(store)
    iri = resolve(definition, "definition", "definition")
    own = assessor.definition(iri)
    if own.scope.indicator is None:
        return {"definition": str(iri), "indicator": None, "candidates": []}
    others = [d for d in _definitions_of(assessor, URIRef(own.scope.indicator.iri)) if d != iri]
    verdicts = [assessor.assess(iri, other) for other in others]
    verdicts.sort(key=lambda v: (_GRADE_ORDER.index(v.grade), v.b.label))
    return {
        "definition": str(iri),
        "indicator": own.scope.indicator.iri,
        "candidates": [
            {**_definition_ref(assessor, URIRef(v.b.iri)), **_pair(v)} for v in verdicts
        ],
    }


def compare_inline(
    store: Store, definitions: Graph, a: str | None = None, b: str | None = None
) -> dict[str, Any]:
    """Compare definitions sent inline (validated by the shapes first) with each other, or one
    of them with a definition of the registry.

    ``definitions`` holds one or two indicator definitions, with the population definitions
    they use unless those are the registry's. With two and no ``a`` or ``b``, A is the first
    by IRI; with one, the other side is ``a`` or ``b`` (a definition of the registry). A
    definition that does not conform raises ``InvalidSubmissionError`` with the report;
    nothing is stored.
    """
    report = validate_submission(store, definitions)
    if not report.conforms:
        msg = (
            f"the definitions do not conform: {report.count(Severity.VIOLATION)} violation(s) "
            "of the shapes; fix them and compare again"
        )
        raise InvalidSubmissionError(msg, details={"report": report.to_dict()})
    inline = sorted(
        str(d)
        for d in definitions.subjects(RDF.type, CM.IndicatorDefinition)
        if isinstance(d, URIRef)
    )
    named = [resolve(v, "definition", p) for p, v in (("a", a), ("b", b)) if v]
    if not inline or len(inline) + len(named) != 2:
        msg = (
            f"the body holds {len(inline)} indicator definition(s) and "
            f"{len(named)} more are named: compare exactly two (two in the body, or one in "
            "the body and a or b naming the other)"
        )
        raise InputError(msg, details={"inline": inline[:10], "named": [str(n) for n in named]})
    if len(inline) == 2:
        left, right = inline
    elif a:
        left, right = str(named[0]), inline[0]
    else:
        left, right = inline[0], str(named[0])
    graph = context_graph(store)
    taken = sorted(
        {
            str(s)
            for s in definitions.subjects()
            if isinstance(s, URIRef) and (s, None, None) in graph
        }
    )
    if taken:
        msg = (
            f"{taken[0]} is described by the registry already: the body may describe only "
            "resources of its own (name a registry definition with a or b instead)"
        )
        raise InputError(msg, details={"resources": taken[:50]})
    graph += definitions
    assessor = Assessor(graph)
    return verdict_dict(graph, assessor.assess(left, right))

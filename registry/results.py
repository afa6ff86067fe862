"""Serialisations of query results for people and programs (SPARQL 1.1 JSON and CSV)."""

from __future__ import annotations

import csv
import io
import json

from rdflib import BNode, Literal, URIRef

from registry.store import SelectResult, Term


def term_json(term: Term) -> dict[str, str]:
    """One term in the SPARQL 1.1 Query Results JSON format."""
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if isinstance(term, Literal) and term.language:
        out["xml:lang"] = term.language
    elif isinstance(term, Literal) and term.datatype is not None:
        out["datatype"] = str(term.datatype)
    return out


def to_sparql_json(result: SelectResult | bool) -> str:
    """A SELECT or ASK result as SPARQL 1.1 Query Results JSON."""
    if isinstance(result, bool):
        return json.dumps({"head": {}, "boolean": result})
    bindings = [
        {
            var: term_json(term)
            for var, term in zip(result.variables, row, strict=True)
            if term is not None
        }
        for row in result.rows
    ]
    return json.dumps(
        {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}},
        ensure_ascii=False,
    )


def to_csv(result: SelectResult) -> str:
    """A SELECT result as SPARQL 1.1 CSV: a header row, then plain values (blank = unbound)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if t is None else _csv_value(t) for t in row])
    return buffer.getvalue()


def _csv_value(term: Term) -> str:
    return f"_:{term}" if isinstance(term, BNode) else str(term)

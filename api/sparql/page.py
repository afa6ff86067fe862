"""The query page for people: a form, and answers as a table, served as plain HTML.

No script, no stylesheet or font from elsewhere: the page works with JavaScript
off and sends nothing to third parties. Everything from a request or the store is
escaped; only ``http(s)`` IRIs become links.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import urlencode

EXAMPLES: tuple[tuple[str, str], ...] = (
    (
        "Which cities have a definition of which indicator",
        """PREFIX cm:   <https://w3id.org/commensura/ontology#>
PREFIX dct:  <http://purl.org/dc/terms/>
PREFIX geo:  <https://w3id.org/commensura/vocab/geography-level/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

SELECT ?city ?indicator ?definition WHERE {
  ?definition a cm:IndicatorDefinition ;
      cm:indicator ?i ;
      dct:spatial ?place .
  ?place cm:geographyLevel geo:city ;
      skos:prefLabel ?city .
  ?i skos:prefLabel ?indicator .
  FILTER (lang(?city) = "en" && lang(?indicator) = "en")
}
ORDER BY ?city ?indicator""",
    ),
    (
        "Everything said about Vienna",
        "DESCRIBE <https://w3id.org/commensura/id/place/urban-audit/AT001C1>",
    ),
    (
        "The named graphs and their sizes",
        """SELECT ?graph (COUNT(*) AS ?triples) WHERE {
  GRAPH ?graph { ?s ?p ?o }
}
GROUP BY ?graph
ORDER BY ?graph""",
    ),
)

FORMAT_CHOICES: tuple[tuple[str, str], ...] = (
    ("html", "a table on this page"),
    ("json", "SPARQL JSON (graphs: JSON-LD)"),
    ("xml", "SPARQL XML (graphs: RDF/XML)"),
    ("csv", "CSV"),
    ("tsv", "TSV"),
    ("ttl", "Turtle"),
    ("nt", "N-Triples"),
    ("jsonld", "JSON-LD"),
    ("rdf", "RDF/XML"),
)

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem;
       color: #1b1b1b; line-height: 1.4; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
textarea { width: 100%; font-family: ui-monospace, monospace; font-size: .9rem; }
label { font-weight: 600; display: block; margin: .75rem 0 .25rem; }
input[type=url] { width: 100%; }
button { margin-top: .75rem; padding: .4rem 1.2rem; font-size: 1rem; }
table { border-collapse: collapse; margin-top: .5rem; font-size: .9rem; }
th, td { border: 1px solid #bbb; padding: .2rem .5rem; vertical-align: top; text-align: left; }
th { background: #eee; }
pre { background: #f6f6f6; padding: .75rem; overflow-x: auto; font-size: .85rem; }
.note { color: #555; }
.tag { color: #777; font-size: .8em; }
.error { border-left: 4px solid #b00020; padding: .25rem .75rem; background: #fff4f4; }
.truncated { border-left: 4px solid #b58900; padding: .25rem .75rem; background: #fffbea; }
"""


@dataclass(frozen=True)
class Answer:
    """What the page shows below the form."""

    kind: str  # "solutions" | "boolean" | "graph" | "error"
    body: bytes = b""
    count: int = 0
    truncated: bool = False
    limit: int = 0
    seconds: float = 0.0
    message: str = ""
    code: str = ""


def render_page(
    *,
    endpoint: str,
    query: str = "",
    format_value: str = "html",
    answer: Answer | None = None,
    result_limit: int,
    time_cap: float,
) -> str:
    """The whole page: the form (filled with ``query``), the answer if any, examples, limits."""
    options = "".join(
        f'<option value="{value}"{" selected" if value == format_value else ""}>'
        f"{escape(label)}</option>"
        for value, label in FORMAT_CHOICES
    )
    examples = "".join(
        f'<li><a href="{escape(endpoint)}?{escape(urlencode({"query": text}))}">'
        f"{escape(title)}</a></li>"
        for title, text in EXAMPLES
    )
    shown = _answer(answer, endpoint, query) if answer is not None else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Commensura SPARQL endpoint</title>
<style>{_STYLE}</style>
</head>
<body>
<header>
<h1>Commensura SPARQL endpoint</h1>
<p class="note">Read-only SPARQL 1.1 over the registry of migrant-integration indicators. The
default graph is the union of all named graphs. Programs send queries here with the SPARQL 1.1
Protocol (GET or POST); <a href="{escape(endpoint)}?format=ttl">service description</a>.</p>
</header>
<main>
<form method="post" action="{escape(endpoint)}" accept-charset="utf-8">
<label for="query">Query</label>
<textarea id="query" name="query" rows="14" spellcheck="false" required>{escape(query)}</textarea>
<label for="format">Answer as</label>
<select id="format" name="format">{options}</select>
<details>
<summary>Dataset (optional: replaces the default union of all graphs)</summary>
<label for="default-graph-uri">default-graph-uri</label>
<input id="default-graph-uri" name="default-graph-uri" type="url">
<label for="named-graph-uri">named-graph-uri</label>
<input id="named-graph-uri" name="named-graph-uri" type="url">
</details>
<button type="submit">Run query</button>
</form>
{shown}
<section>
<h2>Examples</h2>
<ul>{examples}</ul>
</section>
<section>
<h2>Limits</h2>
<p class="note">Answers hold at most {result_limit:,} rows or triples (this page shows at most
{PAGE_ROWS:,}); a query may run {time_cap:g} seconds. SPARQL Update, LOAD and SERVICE are
refused.</p>
</section>
</main>
</body>
</html>
"""


PAGE_ROWS = 1000
"""Most rows or triples the HTML page shows (a program asks for JSON, CSV... to get more)."""


def _answer(answer: Answer, endpoint: str, query: str) -> str:
    if answer.kind == "error":
        return (
            f'<section class="error"><h2>The query was not answered</h2>'
            f"<p>{escape(answer.message)}</p>"
            f'<p class="note">code <code>{escape(answer.code)}</code></p></section>'
        )
    parts = ["<section><h2>Answer</h2>"]
    unit = "triples" if answer.kind == "graph" else "rows"
    if answer.kind != "boolean":
        parts.append(f'<p class="note">{answer.count:,} {unit} in {answer.seconds:.2f} s')
        link = f"{endpoint}?{urlencode({'query': query})}"
        if len(link) < 4000:
            parts.append(f' · <a href="{escape(link)}">link to this query</a>')
        parts.append("</p>")
    if answer.truncated:
        parts.append(
            f'<p class="truncated">The answer was cut after {answer.limit:,} {unit}: add '
            "LIMIT / OFFSET to page through it, or ask for CSV or JSON to get more.</p>"
        )
    if answer.kind == "solutions":
        parts.append(_table(json.loads(answer.body)))
    elif answer.kind == "boolean":
        value = json.loads(answer.body).get("boolean")
        parts.append(f"<p><strong>{'yes (true)' if value else 'no (false)'}</strong></p>")
    else:
        parts.append(f"<pre>{escape(answer.body.decode('utf-8', 'replace'))}</pre>")
    parts.append("</section>")
    return "".join(parts)


def _table(results: Mapping[str, object]) -> str:
    head = results.get("head")
    variables: Sequence[str] = head.get("vars", []) if isinstance(head, dict) else []
    body = results.get("results")
    rows: Sequence[Mapping[str, object]] = (
        body.get("bindings", []) if isinstance(body, dict) else []
    )
    header = "".join(f"<th>?{escape(v)}</th>" for v in variables)
    lines = [
        "<tr>" + "".join(f"<td>{_term(row.get(v))}</td>" for v in variables) + "</tr>"
        for row in rows
    ]
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(lines)}</tbody></table>"


def _term(term: object) -> str:
    if not isinstance(term, dict):
        return ""
    kind, value = term.get("type"), term.get("value")
    if kind == "uri" and isinstance(value, str):
        if value.startswith(("http://", "https://")):
            return f'<a href="{escape(value)}">{escape(value)}</a>'
        return f"<code>{escape(value)}</code>"
    if kind == "bnode":
        return f"<code>_:{escape(str(value))}</code>"
    if kind == "triple" and isinstance(value, dict):
        inner = " ".join(_term(value.get(k)) for k in ("subject", "predicate", "object"))
        return f"&lt;&lt;( {inner} )&gt;&gt;"
    text = escape(str(value))
    if "xml:lang" in term:
        return f'{text} <span class="tag">@{escape(str(term["xml:lang"]))}</span>'
    if "datatype" in term:
        return f'{text} <span class="tag">^^{escape(str(term["datatype"]))}</span>'
    return text

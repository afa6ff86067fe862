"""The query page for people: a form, and answers as a table, served as plain HTML.

No script, no stylesheet or font from elsewhere (the portal's stylesheet and menu are
inlined): the page works with JavaScript off and sends nothing to third parties.
Everything from a request or the store is escaped; only ``http(s)`` IRIs become links,
ours to their pages on this deployment (the portal's, or their Linked Data).

The examples are the questions of the query cookbook, docs/queries.md, read from it
(``COOKBOOK``): each is a link that fills the form with its query and runs it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlencode

from api.portal.templating import NAVIGATION, href


@dataclass(frozen=True)
class Example:
    """A question of the query cookbook (docs/queries.md) and the query that answers it."""

    title: str
    query: str
    description: str = ""
    answer: str = ""
    """What the cookbook says the answer is (its "Answer:" paragraph)."""


COOKBOOK_FILE = "queries.md"
"""The cookbook: ``docs/queries.md`` in a checkout, ``api/sparql/_assets/queries.md`` in
a wheel."""


def cookbook_path() -> Path | None:
    """Where the cookbook is in this installation, if it is there."""
    packaged = files("api.sparql").joinpath("_assets", COOKBOOK_FILE)
    if packaged.is_file():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parent.parent.parent / "docs" / COOKBOOK_FILE
    return checkout if checkout.is_file() else None


def read_cookbook(text: str) -> tuple[Example, ...]:
    """Every ``sparql`` block of the cookbook, under its ``##`` heading, with the paragraphs
    that introduce it and the ``Answer:`` paragraph that follows it."""
    found: list[Example] = []
    heading = ""
    before: list[str] = []
    block: list[str] | None = None
    after: list[str] | None = None
    current: Example | None = None

    def close() -> None:
        nonlocal current, after
        if current is not None:
            answer = _paragraphs(after or [])
            found.append(
                Example(
                    current.title,
                    current.query,
                    current.description,
                    next((p for p in answer if p.startswith("Answer:")), ""),
                )
            )
        current, after = None, None

    for line in text.splitlines():
        if block is not None:
            if line.strip() == "```":
                close()
                current = Example(heading, "\n".join(block) + "\n", " ".join(_paragraphs(before)))
                block, after = None, []
            else:
                block.append(line)
        elif line.startswith("## "):
            close()
            heading, before = line[3:].strip(), []
        elif line.strip() == "```sparql":
            block = []
        elif after is not None:
            after.append(line)
        elif heading:
            before.append(line)
    close()
    return tuple(found)


def _paragraphs(lines: Sequence[str]) -> list[str]:
    """The paragraphs of some Markdown lines, each on one line; lists and code left out."""
    out: list[str] = []
    current: list[str] = []
    for line in [*lines, ""]:
        text = line.strip()
        if text and not text.startswith(("- ", "* ", "```", "#", "|")):
            current.append(text)
        elif current:
            out.append(" ".join(current))
            current = []
    return out


def _load_cookbook() -> tuple[Example, ...]:
    path = cookbook_path()
    return read_cookbook(path.read_text(encoding="utf-8")) if path is not None else ()


COOKBOOK: tuple[Example, ...] = _load_cookbook()
"""The cookbook's questions, in its order (empty where the cookbook is not installed)."""

EXAMPLES: tuple[tuple[str, str], ...] = tuple((e.title, e.query) for e in COOKBOOK)
"""(title, query) of every example the page offers."""

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

_EXTRA_STYLE = """
.note { color: var(--muted); }
.tag { color: var(--muted); font-size: .8em; }
.error { border-left: 5px solid var(--bad); background: var(--bad-bg); padding: .25rem 1rem; }
.truncated { border-left: 5px solid var(--caveat); background: var(--caveat-bg);
  padding: .25rem 1rem; }
input[type=url] { font: inherit; width: 100%; padding: .45rem .6rem; border: 1px solid #767676;
  border-radius: 4px; }
form button { margin-top: .75rem; }
details.dataset { margin: .75rem 0 0; }
ol.examples { padding-left: 1.4rem; }
ol.examples > li { margin: .2rem 0 .9rem; }
ol.examples a[aria-current] { font-weight: 700; }
ol.examples p { margin: .15rem 0; }
.chosen { border-left: 5px solid var(--accent); background: var(--tint); padding: .25rem 1rem;
  margin: 1rem 0; }
.answer td { max-width: 40rem; overflow-wrap: anywhere; }
"""


def _portal_style() -> str:
    """The portal's stylesheet, inlined: the page loads nothing, not even from this host."""
    sheet = files("api.portal").joinpath("static", "portal.css")
    return sheet.read_text(encoding="utf-8") if sheet.is_file() else ""


_STYLE = _portal_style() + _EXTRA_STYLE
_CURRENT = ' aria-current="page"'


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
    """The whole page: the form (filled with ``query``), the answer if any, the cookbook's
    examples (each a link that fills the form with its query and runs it), limits."""
    options = "".join(
        f'<option value="{value}"{" selected" if value == format_value else ""}>'
        f"{escape(label)}</option>"
        for value, label in FORMAT_CHOICES
    )
    chosen = _chosen(query)
    shown = _answer(answer, endpoint, query) if answer is not None else ""
    menu = "".join(
        f'<li><a href="{escape(path)}"{_CURRENT if path == "/sparql" else ""}>'
        f"{escape(name)}</a></li>"
        for path, name in NAVIGATION
    )
    intro = (
        f'<section class="chosen" aria-label="The example chosen"><p><strong>Example:</strong> '
        f"{escape(chosen.title)}</p><p>{_inline(chosen.description)}</p></section>"
        if chosen is not None
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SPARQL query · Commensura</title>
<style>{_STYLE}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the content</a>
<header class="site">
<div class="bar"><a class="brand" href="/">Commensura</a>
<span class="tagline">who measures migrant integration how, and what compares</span></div>
<nav aria-label="Main"><ul>{menu}</ul></nav>
</header>
<main id="main" tabindex="-1">
<h1>SPARQL query</h1>
<p class="note">Read-only SPARQL 1.1 over the registry of migrant-integration indicators. The
default graph is the union of all named graphs. Programs send queries here with the SPARQL 1.1
Protocol (GET or POST); <a href="{escape(endpoint)}?format=ttl">service description</a>.
New to it? <a href="#examples">Start from an example</a>.</p>
{intro}
<form method="post" action="{escape(endpoint)}" accept-charset="utf-8">
<label for="query">Query</label>
<textarea id="query" name="query" rows="14" spellcheck="false" required>{escape(query)}</textarea>
<label for="format">Answer as</label>
<select id="format" name="format">{options}</select>
<details class="dataset">
<summary>Dataset (optional: replaces the default union of all graphs)</summary>
<label for="default-graph-uri">default-graph-uri</label>
<input id="default-graph-uri" name="default-graph-uri" type="url">
<label for="named-graph-uri">named-graph-uri</label>
<input id="named-graph-uri" name="named-graph-uri" type="url">
</details>
<button type="submit">Run query</button>
</form>
{shown}
{_examples(endpoint, chosen)}
<section aria-labelledby="limits">
<h2 id="limits">Limits</h2>
<p class="note">Answers hold at most {result_limit:,} rows or triples (this page shows at most
{PAGE_ROWS:,}); a query may run {time_cap:g} seconds. SPARQL Update, LOAD and SERVICE are
refused.</p>
</section>
</main>
<footer class="site"><p>Commensura: the registry of migrant-integration indicators of the EU
Urban Agenda's Partnership on Inclusion of Migrants and Refugees.
<a href="/docs">API</a> · <a href="/api/catalogue">Catalogue (DCAT-AP)</a> ·
<a href="/void">VoID</a> · <a href="/dump.nq.gz">Data dump</a></p></footer>
</body>
</html>
"""


def _chosen(query: str) -> Example | None:
    """The example whose query is in the form, if it is one."""
    text = _lines(query)
    return next((e for e in COOKBOOK if text and _lines(e.query) == text), None)


def _lines(text: str) -> str:
    """A query with its line ends and surrounding blanks made alike (forms send CRLF)."""
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _examples(endpoint: str, chosen: Example | None) -> str:
    if not COOKBOOK:
        return (
            '<section aria-labelledby="examples"><h2 id="examples">Examples</h2>'
            '<p class="note">The query cookbook (docs/queries.md) is not installed with this '
            "copy of Commensura.</p></section>"
        )
    items = []
    for example in COOKBOOK:
        link = f"{endpoint}?{urlencode({'query': example.query})}"
        current = ' aria-current="true"' if example is chosen else ""
        parts = [f'<li><a href="{escape(link)}"{current}>{escape(example.title)}</a>']
        if example.description:
            parts.append(f"<p>{_inline(example.description)}</p>")
        if example.answer:
            parts.append(f'<p class="note">{_inline(example.answer)}</p>')
        parts.append("</li>")
        items.append("".join(parts))
    return (
        '<section aria-labelledby="examples"><h2 id="examples">Examples from the query '
        "cookbook</h2><p>Choose a question: the form above is filled with its query and the "
        "answer is shown below it; change the query and run it again as you like.</p>"
        f'<ol class="examples">{"".join(items)}</ol></section>'
    )


_LINK = re.compile(r"\[([^\]]+)\]\([^)\s]+\)")
_CODE = re.compile(r"`([^`]+)`")


def _inline(text: str) -> str:
    """A Markdown paragraph as HTML: code spans kept, links as their text, the rest escaped."""
    plain = _LINK.sub(lambda m: m.group(1), text)
    return _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", escape(plain))


PAGE_ROWS = 1000
"""Most rows or triples the HTML page shows (a program asks for JSON, CSV... to get more)."""


def _answer(answer: Answer, endpoint: str, query: str) -> str:
    if answer.kind == "error":
        return (
            f'<section class="error"><h2>The query was not answered</h2>'
            f"<p>{escape(answer.message)}</p>"
            f'<p class="note">code <code>{escape(answer.code)}</code></p></section>'
        )
    parts = ['<section id="answer"><h2>Answer</h2>']
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
    header = "".join(f'<th scope="col">?{escape(v)}</th>' for v in variables)
    lines = [
        "<tr>" + "".join(f"<td>{_term(row.get(v))}</td>" for v in variables) + "</tr>"
        for row in rows
    ]
    count = len(rows)
    caption = f"{count:,} row{'' if count == 1 else 's'} shown"
    return (
        f'<div class="table-wrap answer"><table><caption>{caption}</caption>'
        f"<thead><tr>{header}</tr></thead><tbody>{''.join(lines)}</tbody></table></div>"
    )


def _term(term: object) -> str:
    if not isinstance(term, dict):
        return ""
    kind, value = term.get("type"), term.get("value")
    if kind == "uri" and isinstance(value, str):
        if value.startswith(("http://", "https://")):
            target = href(value) or value
            return f'<a href="{escape(target)}">{escape(value)}</a>'
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

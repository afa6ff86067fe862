"""The ``commensura`` command line: build, query and export a Commensura store.

The ``serve`` command is added by ``api.cli``, which sits above this layer.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rdflib import Graph, Literal, URIRef
from rdflib.util import from_n3
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from registry import graphs
from registry.config import Settings
from registry.errors import CommensuraError, InputError
from registry.kb import build
from registry.kb.build import check_source_data
from registry.results import to_csv, to_sparql_json
from registry.store import RdfFormat, SelectResult, Store, Term, open_store

app = typer.Typer(
    name="commensura",
    help=(
        "Commensura: a knowledge graph of migrant-integration indicators for European cities. "
        "Build the knowledge base into a store, query it with SPARQL, export it, serve it."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)

StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help=(
            "Folder of the embedded store. Default: the COMMENSURA_STORE setting, else a folder "
            "in your user data directory."
        ),
        show_default=False,
    ),
]


def settings_for(store: Path | None, **overrides: object) -> Settings:
    """Settings from the environment, with the options given on the command line on top."""
    values: dict[str, object] = {k: v for k, v in overrides.items() if v is not None}
    if store is not None:
        values["store"] = store
    return Settings(**values)  # type: ignore[arg-type]


def fail(error: CommensuraError) -> NoReturn:
    """Print a domain error with its stable code and stop with exit status 1."""
    err.print(f"[bold red]error[/] {escape(f'[{error.code}]')} {escape(error.message)}")
    raise typer.Exit(code=1)


@app.command("build")
def build_command(
    store: StoreOption = None,
    source_data: Annotated[
        Path | None,
        typer.Option(
            "--source-data",
            help=(
                "Folder of source data (Eurostat code lists, city files) to import the place "
                "registries from. Default: the COMMENSURA_SOURCE_DATA setting; without it, "
                "only the ontology and the curated content are built."
            ),
            show_default=False,
        ),
    ] = None,
) -> None:
    """Build the knowledge base: the ontology, the curated content and the place registries.

    Each graph is replaced as a whole, so running build again is safe and gives the same
    result. Stop a running `commensura serve` on the same store first.
    """
    settings = settings_for(store, source_data=source_data)
    try:
        check_source_data(settings.source_data)
        with (
            open_store(settings, read_only=False) as db,
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=err,
                transient=not err.is_terminal,
            ) as bar,
        ):
            tasks: dict[str, TaskID] = {}

            def progress(task: str, done: int, total: int) -> None:
                if task not in tasks:
                    tasks[task] = bar.add_task(task, total=total)
                bar.update(tasks[task], completed=done, total=total)

            report = build(db, progress=progress, source_data=settings.source_data)
    except CommensuraError as error:
        fail(error)
    out = Console()
    table = Table(title=f"Knowledge base built in {settings.store} ({report.seconds:.1f} s)")
    table.add_column("graph")
    table.add_column("triples", justify="right")
    for graph, count in report.graphs.items():
        table.add_row(str(graph), f"{count:,}")
    table.add_row("[bold]total[/]", f"[bold]{report.total:,}[/]")
    out.print(table)
    for result in report.imports:
        rejected = f", {result.rows_rejected:,} rejected" if result.rows_rejected else ""
        out.print(
            f"[bold]{escape(result.title)}[/]: {result.rows_read:,} rows read{rejected}, "
            f"{result.triples:,} triples in {result.seconds:.1f} s"
        )
        for line in (*result.notes, *result.rejections[:3]):
            out.print(f"  {escape(line)}")
        if result.rows_rejected > 3:
            out.print(f"  ... and {result.rows_rejected - 3:,} more rejected rows")
    for skipped in report.skipped:
        out.print(f"[yellow]skipped[/] {escape(skipped.what)}: {escape(skipped.why)}")


FORMATS = ("table", "csv", "json")


@app.command("query")
def query_command(
    sparql: Annotated[
        str | None,
        typer.Argument(help="The SPARQL query text (or use --file).", show_default=False),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", help="Read the query from this file.", show_default=False),
    ] = None,
    output: Annotated[
        str,
        typer.Option(
            "--format",
            help=(
                "How to print SELECT results: table, csv (SPARQL CSV) or json (SPARQL JSON). "
                "CONSTRUCT and DESCRIBE results are printed as Turtle, ASK as true or false."
            ),
        ),
    ] = "table",
    bind: Annotated[
        list[str] | None,
        typer.Option(
            "--bind",
            help=(
                "Bind a variable to a value, as NAME=VALUE: VALUE is an IRI in <...>, an RDF "
                "literal such as '\"AT\"' or '\"5\"^^xsd:integer', or else a plain string. "
                "Repeatable."
            ),
            show_default=False,
        ),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Run a SPARQL query over the union of all graphs of the store (read-only)."""
    if output not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--format")
    text = _query_text(sparql, file)
    try:
        bindings = dict(_parse_binding(b) for b in bind or [])
        with open_store(settings_for(store), read_only=True) as db:
            result = db.query(text, bindings=bindings)
    except CommensuraError as error:
        fail(error)
    _print_result(result, output)


def _query_text(sparql: str | None, file: Path | None) -> str:
    if (sparql is None) == (file is None):
        raise typer.BadParameter("give the query either as an argument or with --file, not both")
    if file is not None:
        try:
            return file.read_text(encoding="utf-8")
        except OSError as exc:
            raise typer.BadParameter(f"cannot read {file}: {exc.strerror}") from exc
    assert sparql is not None  # noqa: S101 - checked above
    return sparql


def _parse_binding(text: str) -> tuple[str, Term]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        msg = f"--bind {text!r}: write NAME=VALUE"
        raise InputError(msg)
    if value.startswith(("<", '"')):
        try:
            term = from_n3(value, nsm=Graph().namespace_manager)
        except Exception as exc:
            msg = f"--bind {text!r}: {value!r} is not an IRI or RDF literal ({exc})"
            raise InputError(msg) from exc
        if not isinstance(term, URIRef | Literal):
            msg = f"--bind {text!r}: {value!r} is not an IRI or RDF literal"
            raise InputError(msg)
        return name.lstrip("?$"), term
    return name.lstrip("?$"), Literal(value)


def _print_result(result: object, output: str) -> None:
    out = Console(highlight=False)
    if isinstance(result, bool):
        sys.stdout.write(("true" if result else "false") + "\n")
    elif isinstance(result, SelectResult):
        if output == "csv":
            sys.stdout.write(to_csv(result))
        elif output == "json":
            sys.stdout.write(to_sparql_json(result) + "\n")
        else:
            table = Table(*result.variables, caption=f"{len(result)} rows")
            for row in result.rows:
                table.add_row(*("" if t is None else _show(t) for t in row))
            out.print(table)
    else:
        assert isinstance(result, Graph)  # noqa: S101 - the only other query form
        sys.stdout.write(result.serialize(format="turtle"))


def _show(term: Term) -> str:
    if isinstance(term, Literal) and term.language:
        return f"{term}@{term.language}"
    return str(term)


@app.command("export")
def export_command(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file instead of standard output.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="nquads or trig.")] = "nquads",
    graph: Annotated[
        list[str] | None,
        typer.Option(
            "--graph",
            help="Export only this named graph (an IRI, or a short name: ontology, registry, "
            "derived, provenance). Repeatable. Default: every graph.",
            show_default=False,
        ),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Export named graphs as N-Quads or TriG (a dump others can load)."""
    try:
        rdf_format = RdfFormat.parse(fmt)
        names = [_graph_name(g) for g in graph] if graph else None
        with open_store(settings_for(store), read_only=True) as db:
            written = _export(db, output, rdf_format, names)
    except CommensuraError as error:
        fail(error)
    if output is not None:
        err.print(f"{written:,} quads written to {output}")


def _export(db: Store, output: Path | None, fmt: RdfFormat, names: list[URIRef] | None) -> int:
    if output is None:
        written = db.export(sys.stdout.buffer, fmt, graphs=names)
        sys.stdout.buffer.flush()
        return written
    return db.export(output, fmt, graphs=names)


_SHORT_GRAPHS = {
    "ontology": graphs.ONTOLOGY,
    "registry": graphs.REGISTRY,
    "derived": graphs.DERIVED,
    "provenance": graphs.PROVENANCE,
}


def _graph_name(text: str) -> URIRef:
    if text in _SHORT_GRAPHS:
        return _SHORT_GRAPHS[text]
    if "://" in text or text.startswith("urn:"):
        return URIRef(text)
    msg = f"{text!r} is not a graph: use an IRI or one of {', '.join(_SHORT_GRAPHS)}"
    raise InputError(msg)


def main() -> None:
    """Entry point without the HTTP commands (the installed script is ``api.cli:main``)."""
    app()

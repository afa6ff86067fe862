"""The ``commensura`` command line: build, query and export a Commensura store.

The ``serve`` command is added by ``api.cli``, which sits above this layer.
"""

from __future__ import annotations

import json
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
from registry.comparability import service as comparability_service
from registry.config import Settings
from registry.errors import CommensuraError, InputError, InvalidSubmissionError
from registry.importers import run_import
from registry.importers.mapping import MappingImporter, load_mapping
from registry.kb import build
from registry.kb.build import check_source_data
from registry.orgs import Organisations
from registry.results import to_csv, to_sparql_json
from registry.sparql import check_size, run_on_large_stack
from registry.store import RdfFormat, SelectResult, Store, Term, open_store
from registry.submissions.csv_template import template_csv
from registry.submissions.parse import (
    DRY_RUN_BASE,
    DRY_RUN_GRAPH,
    ParsedSubmission,
    format_for_suffix,
    parse_submission,
)
from registry.submissions.service import submit, validate_submission
from registry.validation import ValidationReport

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


def progress_bar() -> Progress:
    """The progress display of long commands (on standard error; kept only on a terminal)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=not err.is_terminal,
    )


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
            progress_bar() as bar,
        ):
            tasks: dict[str, TaskID] = {}

            def progress(task: str, done: int, total: int) -> None:
                if task not in tasks:
                    tasks[task] = bar.add_task(task, total=total)
                bar.update(tasks[task], completed=done, total=total)

            db.load_progress = progress
            report = build(db, progress=progress, source_data=settings.source_data)
    except CommensuraError as error:
        fail(error)
    out = Console()
    where = settings.remote_query_url if settings.backend == "remote" else settings.store
    table = Table(title=f"Knowledge base built in {where} ({report.seconds:.1f} s)")
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


@app.command("import")
def import_command(
    mapping: Annotated[
        Path, typer.Argument(help="Mapping file (YAML or JSON): see docs/mapping.md.")
    ],
    files: Annotated[
        list[Path] | None,
        typer.Argument(
            help=(
                "The table(s) to import, one per source of the mapping, in order. Without "
                "them, the mapping's own file names are read from the source-data folder."
            ),
            show_default=False,
        ),
    ] = None,
    store: StoreOption = None,
    source_data: Annotated[
        Path | None,
        typer.Option(
            "--source-data",
            help="Folder the mapping's file names are relative to (COMMENSURA_SOURCE_DATA).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str, typer.Option("--format", help="Report as a table or as JSON.")
    ] = "table",
) -> None:
    """Import a table into the registry as Data Cube observations, through a mapping.

    The dataset goes to its own graph (data/<slug> of the mapping); importing it again
    replaces that graph with the same content. Rows that cannot be imported are counted
    and reported with their line and reason; nothing is written when none can be.
    """
    settings = settings_for(store, source_data=source_data)
    try:
        spec = load_mapping(mapping)
        given = list(files or [])
        if given and len(given) != len(spec.sources):
            msg = (
                f"the mapping {mapping.name} has {len(spec.sources)} source(s); give one "
                f"table for each, in order, or none to read them from the source-data folder"
            )
            raise InputError(msg, details={"sources": len(spec.sources), "given": len(given)})
        folder = settings.source_data or mapping.parent
        if not given:
            check_source_data(folder)
        importer = MappingImporter(spec, files=dict(enumerate(given)))
        with (
            open_store(settings, read_only=False) as db,
            progress_bar() as bar,
        ):
            task = bar.add_task(f"import {spec.slug}", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            sending: dict[str, TaskID] = {}

            def load_progress(what: str, done: int, total: int) -> None:
                if what not in sending:
                    sending[what] = bar.add_task(what, total=total)
                bar.update(sending[what], completed=done, total=total)

            db.load_progress = load_progress
            report = run_import(db, importer, folder, progress=progress)
    except CommensuraError as error:
        fail(error)
    if output == "json":
        print(json.dumps(report.as_dict(), indent=2))
        return
    out = Console()
    out.print(
        f"[bold]{escape(report.title)}[/] into {report.graph}: {report.rows_read:,} rows read, "
        f"{report.observations:,} observations written, {report.rows_rejected:,} rows "
        f"rejected, {report.triples:,} triples in {report.seconds:.1f} s"
    )
    for line in (*report.notes, *report.rejections):
        out.print(f"  {escape(line)}")


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
    settings = settings_for(store)
    try:
        check_size(text, settings.sparql_max_query_bytes)
        bindings = dict(_parse_binding(b) for b in bind or [])
        with open_store(settings, read_only=True) as db:
            # The engine recurses on the calling thread's stack: give it a large one.
            result = run_on_large_stack(lambda: db.query(text, bindings=bindings))
    except CommensuraError as error:
        fail(error)
    _print_result(result, output)


@app.command("compare")
def compare_command(
    a: Annotated[str, typer.Argument(help="Definition A: an IRI, or a slug of the registry's.")],
    b: Annotated[str, typer.Argument(help="Definition B: an IRI, or a slug of the registry's.")],
    output: Annotated[
        str, typer.Option("--format", help="table (for people) or json (the API's answer).")
    ] = "table",
    store: StoreOption = None,
) -> None:
    """Compare two indicator definitions: every dimension, the grade and its reasons, a hint."""
    if output not in ("table", "json"):
        raise typer.BadParameter("use table or json", param_hint="--format")
    try:
        with open_store(settings_for(store), read_only=True) as db:
            answer = comparability_service.compare(db, a, b)
    except CommensuraError as error:
        fail(error)
    if output == "json":
        sys.stdout.write(json.dumps(answer, indent=2, ensure_ascii=False) + "\n")
        return
    out = Console(highlight=False)
    grade = answer["grade"]["label"]
    out.print(
        f"[bold]{escape(answer['a']['label'])}[/]  against  [bold]{escape(answer['b']['label'])}[/]"
    )
    head = f"{grade.upper()} ({answer['kind']} check"
    head += ", a break in series)" if answer["break_in_series"] else ")"
    out.print(head)
    table = Table("dimension", "relation", "effect", "reason", show_lines=True)
    for row in answer["dimensions"]:
        table.add_row(
            row["dimension"]["label"], row["relation"], row["effect"], escape(row["reason"])
        )
    out.print(table)
    if answer["hint"]:
        out.print(f"Hint: {escape(answer['hint'])}")


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


# -- organisations, tokens, validation and submissions ----------------------------

org_app = typer.Typer(help="Organisations that submit to Commensura.", no_args_is_help=True)
token_app = typer.Typer(help="Tokens that let an organisation submit.", no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(token_app, name="token")


def _organisations(store: Path | None) -> Organisations:
    return Organisations(settings_for(store).auth_path)


@org_app.command("add")
def org_add_command(
    slug: Annotated[str, typer.Argument(help="Short name, e.g. amsterdam-os.")],
    name: Annotated[str, typer.Option("--name", help="The organisation's full name.")],
    store: StoreOption = None,
) -> None:
    """Add an organisation; it writes into its own graph, partner/<slug>."""
    try:
        org = _organisations(store).add(slug, name)
    except CommensuraError as error:
        fail(error)
    Console().print(f"added {org.slug} ({escape(org.name)}): graph {org.graph}")


@org_app.command("list")
def org_list_command(store: StoreOption = None) -> None:
    """List the organisations."""
    try:
        orgs = _organisations(store).all()
    except CommensuraError as error:
        fail(error)
    table = Table("slug", "name", "graph", "added")
    for org in orgs:
        table.add_row(org.slug, escape(org.name), str(org.graph), org.created)
    Console().print(table)


@token_app.command("create")
def token_create_command(
    org: Annotated[str, typer.Option("--org", help="The organisation the token acts for.")],
    store: StoreOption = None,
) -> None:
    """Create a token; it is printed once and only its hash is kept."""
    try:
        info, secret = _organisations(store).create_token(org)
    except CommensuraError as error:
        fail(error)
    err.print(f"token {info.id} for {org}: store it now, it is not shown again")
    typer.echo(secret)


@token_app.command("list")
def token_list_command(
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation's.")] = None,
    store: StoreOption = None,
) -> None:
    """List tokens (their ids, never the secrets)."""
    try:
        tokens = _organisations(store).tokens(org)
    except CommensuraError as error:
        fail(error)
    table = Table("id", "organisation", "created", "revoked")
    for token in tokens:
        table.add_row(token.id, token.organisation, token.created, token.revoked or "")
    Console().print(table)


@token_app.command("revoke")
def token_revoke_command(
    token_id: Annotated[str, typer.Argument(help="The token's id, from `token list`.")],
    store: StoreOption = None,
) -> None:
    """Revoke a token: it stops working at once."""
    try:
        info = _organisations(store).revoke(token_id)
    except CommensuraError as error:
        fail(error)
    Console().print(f"revoked token {info.id} of {info.organisation}")


REPORT_FORMATS = ("text", "json", "turtle")


def _read_submission(db: Store, file: Path, graph: URIRef, base: str) -> ParsedSubmission:
    if not file.is_file():
        raise InputError(f"no file at {file}", details={"path": str(file)})
    return parse_submission(
        db, file.read_bytes(), format_for_suffix(file.name), graph=graph, base=base
    )


def _print_report(report: ValidationReport, output: str) -> None:
    if output == "json":
        typer.echo(json.dumps(report.to_dict(), indent=2))
    elif output == "turtle":
        typer.echo(report.to_turtle())
    else:
        typer.echo(report.to_text(), nl=False)


@app.command("validate")
def validate_command(
    file: Annotated[Path, typer.Argument(help="A .ttl, .trig, .nt, .jsonld or .csv file.")],
    output: Annotated[
        str, typer.Option("--format", help=f"Report as {', '.join(REPORT_FORMATS)}.")
    ] = "text",
    store: StoreOption = None,
) -> None:
    """Validate a submission against the shapes, with the knowledge base as context.

    Nothing is stored. Exit status 0 when it would be accepted, 1 when it has violations.
    """
    if output not in REPORT_FORMATS:
        fail(InputError(f"--format must be one of {', '.join(REPORT_FORMATS)}"))
    try:
        with open_store(settings_for(store), read_only=True) as db:
            parsed = _read_submission(db, file, DRY_RUN_GRAPH, DRY_RUN_BASE)
            report = validate_submission(db, parsed.graph)
    except CommensuraError as error:
        fail(error)
    _print_report(report, output)
    if not report.accepted:
        raise typer.Exit(code=1)


@app.command("submit")
def submit_command(
    file: Annotated[Path, typer.Argument(help="A .ttl, .trig, .nt, .jsonld or .csv file.")],
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="COMMENSURA_TOKEN",
            help="Your organisation's token (or the COMMENSURA_TOKEN variable).",
            show_default=False,
        ),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Validate a submission and store it in your organisation's graph (all or nothing)."""
    settings = settings_for(store)
    try:
        org = Organisations(settings.auth_path).authenticate(token)
        with open_store(settings, read_only=False) as db:
            parsed = _read_submission(db, file, org.graph, org.namespace)
            result = submit(db, org, parsed.graph, fmt=parsed.format, body=file.read_bytes())
    except InvalidSubmissionError as error:
        report = error.details.get("report")
        if isinstance(report, dict):
            err.print(json.dumps(report, indent=2))
        fail(error)
    except CommensuraError as error:
        fail(error)
    Console().print(
        f"stored submission {result.id}: {result.triples:,} triples, "
        f"{len(result.resources)} resources in {result.graph}"
        + (f", {len(result.replaced)} replaced" if result.replaced else "")
        + (f", {len(result.versions)} new versions" if result.versions else "")
    )
    if result.report.results:
        typer.echo(result.report.to_text(), nl=False)


@app.command("template")
def template_command(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file, not stdout.")
    ] = None,
) -> None:
    """Write the empty CSV template for indicator definitions (see docs/csv-template.md)."""
    text = template_csv()
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote the template to {output}")


def main() -> None:
    """Entry point without the HTTP commands (the installed script is ``api.cli:main``)."""
    app()

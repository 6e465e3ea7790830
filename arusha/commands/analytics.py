"""`arusha data load|generate` and `arusha analyze`: thin commands over the quantification engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

data_app = typer.Typer(no_args_is_help=True, help="Load or generate clearance data.")


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, str], None]]:
    """Yield a (percent, message) callback drawing a rich progress bar on stderr."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=100)

        def update(percent: int, message: str) -> None:
            bar.update(task, completed=percent, description=f"{label}: {message}")

        yield update


@data_app.command("load")
def load(
    sources: Annotated[
        list[Path], typer.Argument(exists=True, dir_okay=False, help="CSV, Parquet or .xlsx files.")
    ],
    *,
    store: Annotated[Path, typer.Option(help="DuckDB store file.")] = Path("var/clearance.duckdb"),
    mapping: Annotated[Path | None, typer.Option(exists=True, help="YAML mapping file.")] = None,
    quarantine: Annotated[
        bool, typer.Option(help="Load good rows; keep bad rows in the quarantine table.")
    ] = False,
    table: Annotated[str | None, typer.Option(help="Canonical table for files not named after one.")] = None,
    errors_csv: Annotated[
        Path | None, typer.Option(help="Where to write every error of a rejected load.")
    ] = None,
    reload: Annotated[
        bool,
        typer.Option(
            help="Load files again that were loaded before (e.g. after correcting the mapping); "
            "their rows replace the stored ones."
        ),
    ] = False,
    keep_parquet: Annotated[
        bool,
        typer.Option(
            "--keep-parquet/--rewrite-parquet",
            help="Keep clean canonical Parquet files as they are (fast load; the store is the .duckdb "
            "file plus its .parts folder), or rewrite every row into DuckDB (faster point queries).",
        ),
    ] = True,
) -> None:
    """Validate clearance-data files and load them into a DuckDB store (all or nothing).

    Example: arusha data load export/declarations.csv export/items.csv --mapping mappings/asycuda-world.yaml
    """
    from arusha.importing import LoadRejected, MappingError, load_mapping, load_sources
    from arusha.importing.parts import parts_dir

    try:
        parsed = load_mapping(mapping) if mapping else None
    except MappingError as exc:
        typer.echo(f"Bad mapping: {exc}. Nothing was loaded.", err=True)
        raise typer.Exit(2) from exc
    try:
        with _progress("load") as progress:
            result = load_sources(
                sources,
                store,
                mapping=parsed,
                quarantine=quarantine,
                table=table,
                errors_csv=errors_csv,
                progress=progress,
                keep_parquet=keep_parquet,
                reload=reload,
            )
    except LoadRejected as exc:
        r = exc.result
        for error in r.errors:
            typer.echo(str(error), err=True)
        shown = f" (first {len(r.errors)} listed)" if r.error_count > len(r.errors) else ""
        typer.echo(
            f"Rejected: {r.error_count} error(s){shown}; nothing was loaded. All errors: {r.errors_csv}",
            err=True,
        )
        raise typer.Exit(1) from exc
    rate = result.rows_read / result.seconds if result.seconds else 0.0
    loaded = ", ".join(f"{_rows(n)} into {t}" for t, n in result.loaded.items()) or "nothing new"
    typer.echo(f"Loaded {loaded} ({store}) in {result.seconds:.1f} s ({rate:,.0f} rows/s).")
    for name, count in sorted(result.replaced.items()):
        typer.echo(f"Replaced {_rows(count)} of {name} already stored, by the newer rows with the same key.")
    if result.quarantined:
        typer.echo(f"Quarantined {_rows(result.quarantined)} with their reasons (table: quarantine).")
    for path in result.skipped:
        typer.echo(
            f"Skipped {path}: already loaded (--reload loads it again, e.g. after correcting the mapping)."
        )
    if result.kept:
        typer.echo(
            f"{len(result.kept)} clean Parquet file(s) kept as they are in {parts_dir(store)}: "
            "move or back up that folder with the store."
        )


@data_app.command("generate")
def generate(
    *,
    declarations: Annotated[int, typer.Option(min=100, help="Number of declarations.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("var/demo-data"),
    anomalies: Annotated[bool, typer.Option(help="Plant integrity-risk anomalies (see truth.json).")] = True,
    world: Annotated[
        bool,
        typer.Option(
            "--world",
            help="Generate a world with honest confounders and integrity schemes (arusha.worldgen) "
            "instead of one anomaly of each kind.",
        ),
    ] = False,
    months: Annotated[int, typer.Option(min=1, max=36, help="With --world: calendar months covered.")] = 12,
    offices: Annotated[int, typer.Option(min=1, help="With --world: number of customs offices.")] = 12,
    schemes_per_kind: Annotated[
        int, typer.Option(min=0, help="With --world: schemes planted per kind (ten kinds).")
    ] = 3,
    no_schemes: Annotated[bool, typer.Option("--no-schemes", help="With --world: plant no scheme.")] = False,
    no_confounders: Annotated[
        bool, typer.Option("--no-confounders", help="With --world: a flat world without confounders.")
    ] = False,
) -> None:
    """Write synthetic canonical declarations/items/events Parquet files and truth.json.

    Example: arusha data generate --declarations 50000 --seed 7 --out var/demo-data

    A world with confounders and schemes: arusha data generate --world --declarations 300000 --seed 1 --out var/world
    """
    if world:
        from arusha.worldgen import write_world

        with _progress("generate") as progress:
            truth = write_world(
                out,
                declarations,
                seed=seed,
                months=months,
                offices=offices,
                schemes_per_kind=schemes_per_kind,
                schemes=not no_schemes,
                confounders=not no_confounders,
                progress=progress,
            )
        typer.echo(
            f"Wrote {declarations} declarations to {out}: {len(truth.schemes)} schemes and "
            f"{len(truth.confounders)} confounders listed in truth.json."
        )
        return
    from arusha.synth import write_dataset

    with _progress("generate") as progress:
        planted = write_dataset(out, declarations, seed=seed, anomalies=anomalies, progress=progress)
    typer.echo(f"Wrote {declarations} declarations to {out} with {len(planted.anomalies)} planted anomalies.")


@data_app.command("export")
def export(
    *,
    store: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="DuckDB store file.")] = Path(
        "var/clearance.duckdb"
    ),
    out: Annotated[Path, typer.Option(help="Folder for the Parquet files (created).")] = Path(
        "var/clearance-parquet"
    ),
) -> None:
    """Write a store's validated tables as Parquet files, for Spark or shared storage.

    The folder then holds declarations.parquet, items.parquet, events.parquet (and risk_scores.parquet
    when the store has model scores): copy it to the cluster's storage and analyse it there with
    `arusha analyze --store FOLDER --engine spark --spark-master URL`.

    Example: arusha data export --store var/clearance.duckdb --out /mnt/share/clearance
    """
    from arusha.analysis import export_parquet

    written = export_parquet(store, out)
    typer.echo(f"Wrote {', '.join(p.name for p in written)} to {out}.")


def analyze(
    *,
    store: Annotated[
        str,
        typer.Option(
            help="DuckDB store file, or a folder of canonical Parquet files (as `arusha data export` "
            "writes; with --engine spark also a URI such as s3a://bucket/clearance)."
        ),
    ] = "var/clearance.duckdb",
    out: Annotated[Path, typer.Option(help="Output directory.")] = Path("var/analysis"),
    engine: Annotated[str, typer.Option(help="duckdb or spark.")] = "duckdb",
    date_from: Annotated[
        dt.datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First day.")
    ] = None,
    date_to: Annotated[
        dt.datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day.")
    ] = None,
    period: Annotated[str, typer.Option(help="month, quarter or year.")] = "month",
    trader_periods: Annotated[
        bool, typer.Option(help="Also write declarant and importer indicators per period (large).")
    ] = False,
    spark_master: Annotated[
        str | None,
        typer.Option(
            envvar="ARUSHA_SPARK_MASTER",
            help="With --engine spark: the cluster to run on, e.g. spark://host:7077 (default: local[2]).",
        ),
    ] = None,
) -> None:
    """Compute indicators and ranked integrity-risk leads; write indicators.parquet, signals.csv, report.html.

    Example: arusha analyze --store var/clearance.duckdb --out var/analysis --from 2024-01-01

    On a Spark cluster: arusha analyze --store /mnt/share/clearance --engine spark --spark-master spark://host:7077
    """
    import duckdb

    from arusha.analysis import NothingToAnalyse, analyze_store
    from arusha.backends import is_uri
    from arusha.importing.load import is_duckdb_file
    from arusha.importing.parts import missing_files, parts_dir

    if engine not in {"duckdb", "spark"}:
        raise typer.BadParameter("use duckdb or spark", param_hint="--engine")
    if period not in {"month", "quarter", "year"}:
        raise typer.BadParameter("use month, quarter or year", param_hint="--period")
    if not is_uri(store) and not Path(store).exists():
        raise typer.BadParameter(
            f"{store} does not exist: load data first (arusha data load), or name a folder of Parquet files",
            param_hint="--store",
        )
    try:
        if Path(store).is_file() and not is_duckdb_file(Path(store)):
            raise duckdb.IOException("it is no DuckDB store (arusha data load writes one)")
        missing = missing_files(Path(store)) if Path(store).is_file() else []
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0].removeprefix("IO Error: ")
        if "lock" in str(exc).lower():
            reason = "another process (a load, the web worker, a notebook) is writing to it; try again when it has finished"
        typer.echo(f"The store {store} cannot be opened: {reason}. Nothing was analysed.", err=True)
        raise typer.Exit(2) from exc
    if missing:
        typer.echo(
            f"The store {store} lacks {len(missing)} of the Parquet files it kept (first: {missing[0]}). "
            f"The folder {parts_dir(Path(store))} must stay beside the store: restore it, or load the "
            "sources again into a new store. Nothing was analysed.",
            err=True,
        )
        raise typer.Exit(2)
    try:
        with _progress("analyze") as progress:
            result = analyze_store(
                store,
                out,
                engine=engine,
                period=period,
                progress=progress,
                trader_periods=trader_periods,
                date_from=date_from.date() if date_from else None,
                date_to=date_to.date() if date_to else None,
                spark_master=spark_master,
            )
    except (NothingToAnalyse, LookupError) as exc:
        typer.echo(f"Nothing analysed: {exc}.", err=True)
        raise typer.Exit(1) from exc
    typer.echo(
        f"{result.indicators} indicator values, {result.signals} leads ({result.strong_signals} strong) "
        f"in {result.seconds:.1f} s → {out}"
    )
    for code, reason in sorted(result.not_computable.items()):
        typer.echo(f"  {code}: {reason}")


def register(app: typer.Typer) -> None:
    """Add the analytics commands to the main CLI."""
    app.add_typer(data_app, name="data")
    app.command("analyze")(analyze)


def _rows(n: int) -> str:
    return f"{n:,} row" if n == 1 else f"{n:,} rows"

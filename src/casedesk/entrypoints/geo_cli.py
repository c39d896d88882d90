"""`casedesk geo`: load the ONS Postcode Directory, look postcodes up, list the wards."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from casedesk.entrypoints import render
from casedesk.entrypoints.geo_import import ImportReport, import_onspd, read_names
from casedesk.errors import CaseDeskError, NotFoundError
from casedesk.settings import Settings, load_settings

if TYPE_CHECKING:
    from casedesk.adapters.embedded.sqlite_geo import SqliteGazetteer

geo_cli = typer.Typer(
    help="Postcodes to wards and Westminster constituencies (ONS Postcode Directory). "
    "Example: casedesk geo import ONSPD.csv --names wards.csv",
    no_args_is_help=True,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")]


def _settings() -> Settings:
    from casedesk.entrypoints.cli import _state  # the --data-dir / --settings of this run

    return load_settings({"data_dir": _state.data_dir}, settings_file=_state.settings_file)


def open_gazetteer(settings: Settings) -> SqliteGazetteer:
    """The embedded gazetteer in the office's store (bootstrap should own this choice)."""
    from casedesk.adapters.embedded.sqlite_db import Database
    from casedesk.adapters.embedded.sqlite_geo import SqliteGazetteer

    return SqliteGazetteer(Database(settings.data_dir / "casedesk.sqlite3"))


def _print_report(report: ImportReport) -> None:
    out = render.console
    out.print(
        f"{report.file}: {report.rows_read:,} rows read = {report.imported:,} imported"
        f" + {report.terminated_skipped:,} terminated skipped + {report.bad_rows:,} bad",
        highlight=False,
    )
    if report.terminated_skipped:
        out.print("  terminated postcodes are skipped; --include-terminated keeps them")
    if report.constituency_from_ward:
        out.print(
            f"  {report.constituency_from_ward:,} constituencies taken from the ward lookup "
            "(the file has no 2024 constituency for them)"
        )
    if report.old_constituency_codes:
        out.print(
            f"  [yellow]{report.old_constituency_codes:,} pre-2024 constituency codes ignored:[/] "
            "use an ONSPD released after the 2024 general election, or --names with the "
            "Ward to Westminster Parliamentary Constituency (2024) lookup"
        )
    if report.without_constituency:
        out.print(f"  postcodes with no known constituency: {report.without_constituency:,}")
    for bad in report.bad_examples:
        out.print(f"  line {bad.line}: {bad.reason}", highlight=False, markup=False)
    if report.bad_rows > len(report.bad_examples):
        out.print(f"  ... and {report.bad_rows - len(report.bad_examples):,} more bad rows")


@geo_cli.command("import")
def import_command(
    files: Annotated[list[Path], typer.Argument(help="ONSPD or NSPL CSV files (or extracts).")],
    names: Annotated[
        list[Path] | None,
        typer.Option(
            "--names",
            help="Ward and constituency names: ONS names-and-codes CSVs or the Ward to "
            "Westminster Parliamentary Constituency lookup (repeatable).",
        ),
    ] = None,
    include_terminated: Annotated[
        bool, typer.Option(help="Also keep postcodes Royal Mail has terminated.")
    ] = False,
    replace: Annotated[
        bool, typer.Option(help="Forget every postcode first (loading a new release).")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Load postcodes. Example: casedesk geo import samples/geo/postcodes.csv --names samples/geo/wards.csv"""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

    lookup = read_names(names or [])
    gazetteer = open_gazetteer(_settings())
    reports: list[ImportReport] = []
    try:
        if replace:
            gazetteer.clear()
        for path in files:
            if not path.is_file():
                raise CaseDeskError(f"{path}: no such file")
            with Progress(
                TextColumn(f"[bold]Import {path.name}"),
                BarColumn(),
                DownloadColumn(),
                TimeElapsedColumn(),
                console=render.err_console,
                disable=as_json,
                transient=True,
            ) as progress:
                task = progress.add_task("import", total=path.stat().st_size)
                reports.append(
                    import_onspd(
                        gazetteer,
                        path,
                        lookup,
                        include_terminated=include_terminated,
                        on_bytes=partial(progress.advance, task),
                    )
                )
        total = gazetteer.count()
    finally:
        gazetteer.db.close()
    if as_json:
        render.print_json({"imports": [r.as_record() for r in reports], "postcodes_held": total})
        return
    for report in reports:
        _print_report(report)
    render.console.print(f"The gazetteer holds {total:,} postcodes.")


@geo_cli.command("lookup")
def lookup_command(
    postcode: Annotated[str, typer.Argument(help="A postcode in any spacing, e.g. cb12ad.")],
    as_json: JsonFlag = False,
) -> None:
    """Ward and constituency of a postcode. Example: casedesk geo lookup "CB1 2AD" """
    from casedesk.core.geo import describe_residency, in_constituency, normalise_postcode

    normalised = normalise_postcode(postcode)
    if normalised is None:
        raise typer.BadParameter(f"{postcode!r} is not a UK postcode")
    settings = _settings()
    gazetteer = open_gazetteer(settings)
    try:
        place = gazetteer.lookup(normalised)
        office = gazetteer.find_constituency(settings.constituency)
        held = gazetteer.count()
    finally:
        gazetteer.db.close()
    if place is None:
        hint = (
            "no postcodes are loaded: run casedesk geo import"
            if held == 0
            else f"not among the {held:,} postcodes loaded"
        )
        raise NotFoundError(f"{normalised}: {hint}")
    inside = in_constituency(place, office[0]) if office else None
    if as_json:
        render.print_json(
            {
                "place": place.as_record(),
                "office_constituency": (
                    {"code": office[0], "name": office[1]}
                    if office
                    else {"code": None, "name": settings.constituency}
                ),
                "in_constituency": inside,
            }
        )
        return
    out = render.console
    out.print(f"[bold]{place.postcode}[/]" + ("  (terminated)" if place.is_terminated else ""))
    out.print(f"  ward          {place.ward_name or '—'} ({place.ward_code or 'unknown'})")
    inferred = "  (from the ward lookup)" if place.constituency_from_ward else ""
    out.print(
        f"  constituency  {place.constituency_name or '—'}"
        f" ({place.constituency_code or 'unknown'}){inferred}"
    )
    out.print(f"  council       {place.local_authority_code or '—'}")
    if office:
        out.print("  " + describe_residency(place, office[0], office[1]))
    else:
        out.print(
            f"  the office's constituency '{settings.constituency}' is not in the names loaded"
        )


@geo_cli.command("wards")
def wards_command(
    constituency: Annotated[
        str | None,
        typer.Option(help="A constituency name or GSS code (default: the office's)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Wards of the office's constituency. Example: casedesk geo wards --json"""
    settings = _settings()
    wanted = constituency or settings.constituency
    gazetteer = open_gazetteer(settings)
    try:
        found = gazetteer.find_constituency(wanted)
        wards = gazetteer.wards(found[0]) if found else []
    finally:
        gazetteer.db.close()
    if found is None:
        raise NotFoundError(
            f"constituency '{wanted}' is not in the names loaded: "
            "run casedesk geo import with --names"
        )
    if as_json:
        render.print_json(
            {
                "constituency": {"code": found[0], "name": found[1]},
                "wards": [{"code": code, "name": name} for code, name in wards],
            }
        )
        return
    from rich.table import Table

    table = Table(title=f"{found[1]} ({found[0]}): {len(wards)} wards", title_justify="left")
    table.add_column("Ward")
    table.add_column("Code")
    for code, name in wards:
        table.add_row(name, code)
    render.console.print(table)

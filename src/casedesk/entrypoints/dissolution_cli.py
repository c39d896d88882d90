"""`casedesk dissolution plan|decide|apply`: what happens to each open case when Parliament
dissolves or the MP changes (core/dissolution.py; docs/data-protection.md, "Dissolution")."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from casedesk.entrypoints import render
from casedesk.errors import CaseDeskError

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")]
By = Annotated[
    str, typer.Option("--by", envvar="CASEDESK_USER", help="Who is doing this (audited).")
]

dissolution_cli = typer.Typer(
    help="Dissolution or a change of MP: per open case, transfer (with consent), hand back "
    "or purge.",
    no_args_is_help=True,
)


@dissolution_cli.command("plan")
def plan_command(
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for plan.csv, plan.html, handover.md.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Every open case with its handover note and a proposed choice; --out writes the report.
    Example: casedesk dissolution plan --out ~/dissolution"""
    from casedesk.core import dissolution
    from casedesk.entrypoints.cli import _app
    from casedesk.entrypoints.dissolution_report import write_plan

    app = _app()
    try:
        plan = dissolution.build_plan(app.repo, app.clock.now(), app.settings.office_name)
    finally:
        app.close()
    written = write_plan(plan, out) if out else []
    if as_json:
        render.print_json(
            {"dissolution": {"cases": [i.as_record() for i in plan.items],
                             "written": [str(p) for p in written]}}
        )  # fmt: skip
        return
    table = Table(title=f"Dissolution plan: {len(plan.items)} open case(s)", title_justify="left")
    for column in ("Case", "Status", "Proposed", "Decided", "Next step"):
        table.add_column(column, overflow="fold")
    for item in plan.items:
        r = item.as_record()
        decided = f"{r['decided']}{' (done)' if r['applied'] else ''}" if r["decided"] else "-"
        proposed = f"{r['proposed']} (HELD)" if item.hold else str(r["proposed"])
        table.add_row(str(r["ref"]), str(r["status"]), proposed, decided, str(r["next_step"]))
    render.console.print(table)
    if written:
        render.console.print(f"Wrote {', '.join(str(p) for p in written)}", highlight=False)
    undecided = sum(1 for i in plan.items if i.choice is None)
    if undecided:
        render.console.print(
            f"{undecided} case(s) have no choice yet: casedesk dissolution decide REF "
            "transfer|hand-back|purge --by NAME",
            highlight=False,
        )


@dissolution_cli.command("decide")
def decide_command(
    ref: Annotated[str, typer.Argument(help="A case reference such as CD-2026-000042.")],
    choice: Annotated[str, typer.Argument(help="transfer, hand-back or purge.")],
    by: By,
    consent_ref: Annotated[
        str | None,
        typer.Option(
            "--consent-ref",
            help="Where the constituent's consent to a transfer is recorded (no personal data).",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Record the choice for one case (audited). Example: casedesk dissolution decide
    CD-2026-000042 transfer --consent-ref "email of 3 June" --by jo.price"""
    from casedesk.core import dissolution
    from casedesk.entrypoints.cli import _app

    option = dissolution.parse_option(choice)
    app = _app()
    try:
        done = dissolution.decide(app.repo, app.clock, ref, option, by, consent_ref)
    finally:
        app.close()
    if as_json:
        render.print_json({"decided": {"ref": done.case_ref, "choice": done.choice.value,
                                       "by": done.decided_by, "consent_ref": done.consent_ref}})  # fmt: skip
        return
    render.console.print(
        f"{done.case_ref}: {done.choice.value} recorded (audited). Carry it out with "
        "casedesk dissolution apply --by NAME.",
        highlight=False,
    )


@dissolution_cli.command("apply")
def apply_command(
    by: By,
    dry_run: Annotated[
        bool, typer.Option("--dry-run/--no-dry-run", help="Say what would happen (default).")
    ] = True,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the transfer and hand-back bundles.")
    ] = Path("dissolution"),
    as_json: JsonFlag = False,
) -> None:
    """Carry out the recorded choices: bundles for transfers and hand-backs, erasure for
    purges; a legal hold blocks all. A dry run unless --no-dry-run. Example: casedesk
    dissolution apply --no-dry-run --by jo.price --out ~/dissolution"""
    from casedesk.core import dissolution, sar
    from casedesk.core.sar import SarBundle
    from casedesk.entrypoints.cli import _app
    from casedesk.entrypoints.sar_archive import write_archive

    if not by.strip():
        raise CaseDeskError("say who is doing this (--by NAME): dissolution is audited")

    def export(bundle: SarBundle, name: str) -> tuple[str, str]:
        target = out / name
        return str(target), write_archive(bundle, target)

    app = _app()
    try:
        office = dissolution.Office(
            app.settings.office_name,
            frozenset({app.settings.office_address, *app.settings.mailbox_list}),
            sar.office_salt(app.ops),
        )
        results = dissolution.apply(
            app.repo, app.files, app.ops, app.clock, office, by, export, dry_run
        )
    finally:
        app.close()
    if as_json:
        render.print_json({"dissolution": {"dry_run": dry_run,
                                           "results": [r.as_record() for r in results]}})  # fmt: skip
        return
    done = sum(1 for r in results if r.state in ("done", "would"))
    verb = "would be carried out" if dry_run else "carried out"
    title = f"{len(results)} choice(s): {done} {verb}"
    if len(results) > done:
        title += f", {len(results) - done} blocked or gone"
    table = Table(title=title, title_justify="left")
    for column in ("Case", "Choice", "State", "What"):
        table.add_column(column, overflow="fold")
    for r in results:
        table.add_row(r.ref, r.choice.value, r.state, r.detail)
    render.console.print(table)
    if dry_run and results:
        render.console.print("Nothing done. Run with --no-dry-run --by NAME to carry these out.")
    if not dry_run and any(r.archive for r in results):
        render.console.print(
            f"Bundles are in {out}: open each index.html and review other people's details "
            "before sending. Then decide purge for the office's own copy.",
            highlight=False,
        )

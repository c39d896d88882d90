"""The `casedesk` command line: one entry point, subcommands, `--json` on every read."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from casedesk.bootstrap import App, build_app, classifier_in_use
from casedesk.core.models import CaseFlag, CaseQuery, Category, RunReport, Topic
from casedesk.core.triage import TriageResult
from casedesk.entrypoints import case_filters as filters
from casedesk.entrypoints import cases_cli, render
from casedesk.entrypoints.approval_cli import approval_manifest
from casedesk.entrypoints.dissolution_cli import dissolution_cli
from casedesk.entrypoints.geo_cli import geo_cli
from casedesk.entrypoints.mailings_cli import register_mailing_commands
from casedesk.entrypoints.privacy_cli import register as register_privacy_commands
from casedesk.entrypoints.replies_cli import register_reply_commands
from casedesk.entrypoints.report_cli import report_command
from casedesk.entrypoints.rules_cli import rules_cli
from casedesk.entrypoints.sla_cli import due_queue
from casedesk.entrypoints.sla_cli import register as register_sla_commands
from casedesk.entrypoints.teams_cli import teams_cli
from casedesk.errors import CaseDeskError
from casedesk.settings import load_settings

cli = typer.Typer(
    name="casedesk",
    help="Casework triage for MPs' offices. Example: casedesk triage samples/inbox",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", envvar="CASEDESK_DATA_DIR", help="Where CaseDesk keeps its state."),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")]


class _State:
    data_dir: Path | None = None
    settings_file: Path | None = None


_state = _State()


@cli.callback()
def _options(
    data_dir: DataDir = None,
    settings_file: Annotated[
        Path | None,
        typer.Option("--settings", envvar="CASEDESK_SETTINGS", help="A TOML settings file."),
    ] = None,
) -> None:
    _state.data_dir, _state.settings_file = data_dir, settings_file


def _app() -> App:
    """The office's cases: the embedded store, or with adapters = "m365" the SharePoint one
    (through Graph, as the Functions use it)."""
    settings = load_settings({"data_dir": _state.data_dir}, settings_file=_state.settings_file)
    if settings.adapters == "m365":
        from casedesk.bootstrap_m365 import build_cases

        return build_cases(settings)
    return build_app(settings)


def _triage_with_progress(app: App, paths: list[Path], quiet: bool) -> RunReport:
    from casedesk.adapters.embedded.eml_folder import EmlFolderMailbox

    mailbox = EmlFolderMailbox(paths)
    with Progress(
        TextColumn("[bold]Triage"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=render.err_console,
        disable=quiet or len(mailbox) < 20,
        transient=True,
    ) as progress:
        task = progress.add_task("triage", total=len(mailbox))

        def advance(_: TriageResult) -> None:
            progress.advance(task)

        from casedesk.entrypoints.parallel import classify_pool

        # The AI classifier waits on the network and shares a near-copy cache and usage
        # counts in this process: worker processes would split both, so it runs here.
        size = 0 if app.settings.classifier == "ai" else len(mailbox)
        with classify_pool(size) as mapper:
            return app.triage.run(mailbox.messages(), on_result=advance, mapper=mapper)


@cli.command()
def triage(
    paths: Annotated[list[Path], typer.Argument(help=".eml files or folders of them.")],
    as_json: JsonFlag = False,
) -> None:
    """Triage email files into cases. Example: casedesk triage samples/inbox"""
    app = _app()
    try:
        report = _triage_with_progress(app, paths, quiet=as_json)
    finally:
        app.close()
    if as_json:
        render.print_json({"run": render.report_json(report)})
    else:
        render.console.print(render.counting_line(report))
        render.console.print(f"Classifier: {classifier_in_use(app.classifier)}", highlight=False)
    if not report.balances:
        raise typer.Exit(3)


@cli.command()
def demo(
    inbox: Annotated[Path, typer.Argument(help="Folder of sample mail.")] = Path("samples/inbox"),
    as_json: JsonFlag = False,
) -> None:
    """Triage the sample inbox and show what happened. Example: casedesk demo"""
    if not inbox.is_dir():
        raise CaseDeskError(f"{inbox}: no such folder; run the demo from the repository root")
    app = _app()
    try:
        report = _triage_with_progress(app, [inbox], quiet=as_json)
        cases = app.repo.query_cases(CaseQuery(limit=100_000))
        campaigns = [c for c in app.repo.campaigns() if c.is_campaign]
        quarantined = app.repo.quarantined()
        drafts = [(c, app.repo.get_draft(c.ref)) for c in cases]
        from casedesk.entrypoints.report_cli import demo_briefing

        briefing = demo_briefing(app)  # a few lines, and the MP's briefing in the data dir
    finally:
        app.close()
    from casedesk.entrypoints.replies_view import drafts_json, print_demo_drafts

    if as_json:
        render.print_json(
            {
                "run": render.report_json(report),
                "cases": [render.case_json(c) for c in cases],
                "campaigns": [render.campaign_json(c) for c in campaigns],
                "quarantine": [render.quarantine_json(q) for q in quarantined],
                "drafts": drafts_json(app.settings.data_dir, drafts),
            }
        )
        return
    from casedesk.entrypoints.demo_report import print_demo_report

    print_demo_report(app.settings.data_dir, report, cases, campaigns, quarantined)
    print_demo_drafts(app.settings.data_dir, drafts)
    for line in briefing:
        render.console.print(line, highlight=False)
    from casedesk.entrypoints.mailings_cli import print_demo_campaign_preview

    print_demo_campaign_preview(app.settings, Path("samples/attachments/mp-letter.pdf"))


@cli.command()
def queue(
    assignee: Annotated[
        str | None, typer.Option(help="Only cases assigned to this person.")
    ] = None,
    category: Annotated[Category | None, typer.Option(help="Only this category.")] = None,
    flag: Annotated[
        CaseFlag | None,
        typer.Option(help="Only flagged cases: needs_review is the needs-a-human queue."),
    ] = None,
    include_closed: Annotated[bool, typer.Option("--all", help="Include closed cases.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 200,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only overdue cases, by due time.")
    ] = False,
    due_within: Annotated[
        float | None,
        typer.Option(
            min=0, help="Only cases due within this many working hours (and overdue ones)."
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Open cases, urgent first then oldest first. Example: casedesk queue --flag needs_review"""
    if overdue or due_within is not None:  # by due time instead (entrypoints/sla_cli.py)
        due_queue(overdue, due_within, assignee, category, flag, limit, as_json)
        return
    app = _app()
    try:
        cases = app.repo.query_cases(
            CaseQuery(
                assignee=assignee,
                category=category,
                flag=flag,
                open_only=not include_closed,
                limit=limit,
            )
        )
    finally:
        app.close()
    if as_json:
        render.print_json({"cases": [render.case_json(c) for c in cases]})
    else:
        title = "Needs a human" if flag is CaseFlag.NEEDS_REVIEW else "Queue"
        render.console.print(render.cases_table(cases, f"{title} ({len(cases)} cases)"))


@cli.command()
def correct(
    ref: Annotated[str, typer.Argument(help="A case reference such as CD-2026-000042.")],
    by: Annotated[
        str, typer.Option("--by", envvar="CASEDESK_USER", help="Who is correcting (audited).")
    ],
    category: Annotated[Category | None, typer.Option(help="The right category.")] = None,
    topic: Annotated[Topic | None, typer.Option(help="The right topic.")] = None,
    urgent: Annotated[
        bool | None, typer.Option("--urgent/--not-urgent", help="Set urgency.")
    ] = None,
    clear: Annotated[
        list[CaseFlag] | None,
        typer.Option(help="Clear a threat or safeguarding flag (repeatable)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Correct a case's triage; audited, and learnt from by `casedesk train --with-corrections`.
    Example: casedesk correct CD-2026-000007 --category casework --topic housing --by sam"""
    from casedesk.core.corrections import correct as apply_correction

    if category is None and topic is None and urgent is None and not clear:
        raise typer.BadParameter(
            "say what is wrong: --category, --topic, --urgent/--not-urgent or --clear"
        )
    app = _app()
    try:
        done = apply_correction(
            app.repo, app.clock, ref, by, category, topic, urgent, frozenset(clear or ())
        )
    finally:
        app.close()
    if as_json:
        render.print_json(
            {"ref": done.ref, "by": done.actor, "before": done.before, "after": done.after}
        )
        return
    changes = [
        f"{key} {done.before[key]} -> {done.after[key]}"
        for key in done.after
        if done.before[key] != done.after[key]
    ]
    render.console.print(
        f"{done.ref}: "
        + ("; ".join(changes) if changes else "confirmed as it was")
        + f" (by {done.actor}, audited)"
    )


@cli.command()
def case(
    ref: Annotated[str, typer.Argument(help="A case reference such as CD-2026-000042.")],
    as_json: JsonFlag = False,
) -> None:
    """One case: the constituent, every message and why it was classified so. Example: casedesk case CD-2026-000001"""
    app = _app()
    try:
        found = app.repo.get_case(ref)
        messages = app.repo.case_messages(found.ref)
        others = [
            c for c in app.repo.cases_of_constituent(found.constituent_email) if c.ref != found.ref
        ]
        folder = app.files.location(found.ref)
        notes, linked = app.repo.notes(found.ref), app.repo.linked_cases(found.ref)
    finally:
        app.close()
    if as_json:
        render.print_json(
            {
                "case": render.case_json(found) | {"folder": folder},
                "messages": [render.message_json(m) for m in messages],
                "other_cases": [c.ref for c in others],
                "notes": [render.note_json(n) for n in notes],
                "linked_cases": linked,
            }
        )
        return
    from casedesk.entrypoints.case_view import print_case

    print_case(found, messages, others, folder, notes, linked)


@cli.command()
def search(
    text: filters.Text = None,
    postcode: filters.Postcode = None,
    ward: filters.Ward = None,
    category: filters.CategoryOpt = None,
    status: filters.StatusOpt = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 200,
    as_json: JsonFlag = False,
    topic: filters.TopicOpt = None,
    assignee: filters.Assignee = None,
    unassigned: filters.Unassigned = False,
    tag: filters.Tag = None,
    opened_from: filters.FromDate = None,
    opened_to: filters.ToDate = None,
    open_only: filters.OpenOnly = False,
) -> None:
    """Find cases by words (in messages and notes), postcode, ward, category, topic, status,
    assignee, tag or opening date. Example: casedesk search damp --postcode CB1 --from 2026-11-01"""
    query = filters.build_query(
        text, postcode, ward, category, status, topic, assignee, unassigned, tag,
        opened_from, opened_to, open_only, limit,
    )  # fmt: skip
    app = _app()
    try:
        cases = app.repo.query_cases(query)
    finally:
        app.close()
    if as_json:
        render.print_json({"cases": [render.case_json(c) for c in cases]})
    else:
        render.console.print(render.cases_table(cases, f"Search results ({len(cases)})"))


@cli.command()
def quarantine(as_json: JsonFlag = False) -> None:
    """Messages that could not be read as email, with the reason and where the bytes are kept."""
    app = _app()
    try:
        items = app.repo.quarantined()
    finally:
        app.close()
    if as_json:
        render.print_json({"quarantine": [render.quarantine_json(q) for q in items]})
        return
    from rich.table import Table

    table = Table(title=f"Quarantine ({len(items)})", title_justify="left")
    for col in ("When", "Source", "Reason", "Kept at"):
        table.add_column(col, overflow="fold")
    for q in items:
        table.add_row(render.local(q.quarantined_at), q.source, q.reason, q.stored_path)
    render.console.print(table)


@cli.command()
def campaigns(as_json: JsonFlag = False) -> None:
    """Campaigns found so far: near-identical letters from several constituents."""
    app = _app()
    try:
        found = [c for c in app.repo.campaigns() if c.is_campaign]
    finally:
        app.close()
    if as_json:
        render.print_json({"campaigns": [render.campaign_json(c) for c in found]})
    else:
        render.console.print(render.campaigns_table(found))


@cli.command()
def bench(
    messages: Annotated[
        int, typer.Option("-n", "--messages", help="How many messages to generate.")
    ] = 10_000,
    as_json: JsonFlag = False,
    search_cases: Annotated[
        int, typer.Option(help="Cases to generate for the search figures (0: skip them).")
    ] = 100_000,
    sla_cases: Annotated[
        int, typer.Option(help="Open cases to generate for the SLA sweep figures (0: skip).")
    ] = 10_000,
) -> None:
    """Generate a campaign surge mixed with casework, triage it, and print the rates; then
    time searches on a store of --search-cases generated cases and the SLA sweep on
    --sla-cases open cases."""
    from casedesk.entrypoints.bench import run_bench

    results = run_bench(
        messages, progress=not as_json, search_cases=search_cases, sla_cases=sla_cases
    )
    if as_json:
        render.print_json({"bench": results})
        return
    from rich.table import Table

    table = Table(title=f"casedesk bench ({messages} messages)", title_justify="left")
    table.add_column("Measure")
    table.add_column("Value", justify="right")
    for key, value in results.items():
        table.add_row(key, f"{value:,.1f}" if isinstance(value, float) else str(value))
    render.console.print(table)


@cli.command()
def train(
    path: Annotated[Path, typer.Argument(help="Labelled JSON lines (see casedesk eval).")],
    split: Annotated[
        str | None, typer.Option(help="Train only on lines with this split.")
    ] = "train",
    with_corrections: Annotated[
        bool,
        typer.Option(
            "--with-corrections",
            help="Add the staff corrections in --data-dir and write the office's own model "
            "there (the package's model is untouched); kept only if dev macro-F1 holds.",
        ),
    ] = False,
    dev_split: Annotated[
        str, typer.Option(help="With --with-corrections: the split scored before and after.")
    ] = "dev",
    max_drop: Annotated[
        float, typer.Option(help="With --with-corrections: the dev macro-F1 fall allowed.")
    ] = 0.02,
    force: Annotated[
        bool, typer.Option("--force", help="Keep the new office model even if dev gets worse.")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(help="Without --with-corrections: write here, not into the package."),
    ] = None,
    folds: Annotated[int, typer.Option(hidden=True, help="Cross-validation folds.")] = 5,
    iterations: Annotated[
        float, typer.Option(hidden=True, help="Scale on training steps (quick trials, tests).")
    ] = 1.0,
    as_json: JsonFlag = False,
) -> None:
    """Train the embedded model. Example: casedesk train corpus/triage.jsonl --with-corrections"""
    from casedesk.entrypoints.train_cli import run_train

    settings = load_settings({"data_dir": _state.data_dir}, settings_file=_state.settings_file)
    run_train(
        settings, path, split, with_corrections, dev_split, max_drop, force, folds, iterations,
        as_json, out,
    )  # fmt: skip


@cli.command(name="eval")
def eval_command(
    path: Annotated[
        Path, typer.Argument(help="JSON lines: id, from, subject, body, label, cluster, urgent.")
    ],
    split: Annotated[
        str | None, typer.Option(help="Only lines whose 'split' is this, e.g. dev.")
    ] = None,
    classifier: Annotated[
        str,
        typer.Option(
            help="trained (the model triage uses: the office's if trained, else the package's), "
            "packaged, keywords, or ai (the AI settings; measures the plumbing, see docs/ai-use.md)."
        ),
    ] = "trained",
    as_json: JsonFlag = False,
) -> None:
    """Score triage on labelled mail. Example: casedesk eval corpus/triage.jsonl --split dev"""
    from casedesk.entrypoints.evaluate import classifier_for, evaluate, load_items

    if not path.is_file():
        raise CaseDeskError(f"{path}: no such file")
    # --classifier ai validates the AI settings as CASEDESK_CLASSIFIER=ai would
    chosen = {"classifier": "ai"} if classifier == "ai" else {}
    settings = load_settings(
        {"data_dir": _state.data_dir, **chosen}, settings_file=_state.settings_file
    )
    report = evaluate(
        load_items(path, split),
        classifier_for(classifier, settings),
        settings.campaign_min_size,
        settings.campaign_threshold,
        settings.review_below,
    )
    if as_json:
        render.print_json(report)
        return
    from casedesk.entrypoints.eval_view import print_eval

    print_eval(report)


m365_cli = typer.Typer(help="Microsoft 365 set-up helpers.", no_args_is_help=True)
cli.add_typer(m365_cli, name="m365")
cli.add_typer(geo_cli, name="geo")
cli.add_typer(rules_cli, name="rules")
cli.command("approval-manifest")(approval_manifest)
register_sla_commands(cli)  # sweep, notifications, refer, reply-received, referrals, agencies
register_reply_commands(cli)  # templates check, draft, approvals, approve, reject, send
register_privacy_commands(cli)  # sar, retention, erase, hold, release, holds, audit
register_mailing_commands(cli)  # campaign reply, outcome, follow-up, mailings, mailing ...
cli.add_typer(teams_cli, name="teams")
cases_cli.register(cli)
cli.command("report")(report_command)  # insight, the MP's briefing, anonymised export
cli.add_typer(dissolution_cli, name="dissolution")  # plan, decide, apply


@m365_cli.command("check")
def m365_check(as_json: JsonFlag = False) -> None:
    """Check settings, the Graph token, each mailbox and storage. Example: casedesk m365 check"""
    from casedesk.entrypoints.m365_check import run_checks

    settings = load_settings(
        {"data_dir": _state.data_dir, "adapters": "m365"}, settings_file=_state.settings_file
    )
    checks = run_checks(settings)
    if as_json:
        render.print_json({"checks": [c.__dict__ for c in checks]})
    else:
        from rich.table import Table

        table = Table(title="casedesk m365 check", title_justify="left")
        for col in ("Check", "Result", "Detail", "Fix"):
            table.add_column(col, overflow="fold")
        for c in checks:
            table.add_row(c.name, "[green]ok[/]" if c.ok else "[bold red]FAIL[/]", c.detail, c.fix)
        render.console.print(table)
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


@cli.command()
def doctor(as_json: JsonFlag = False) -> None:
    """Check this installation and say what to fix (changes nothing). Example: casedesk doctor"""
    from casedesk.entrypoints.doctor import examine

    found = examine(
        lambda: load_settings({"data_dir": _state.data_dir}, settings_file=_state.settings_file)
    )
    if as_json:
        render.print_json({"checks": [f.__dict__ for f in found]})
    else:
        from rich.table import Table

        table = Table(title="casedesk doctor")
        for column in ("Check", "", "Found", "Fix"):
            table.add_column(column)
        marks = {"ok": "[green]ok[/]", "warn": "[yellow]warn[/]", "fail": "[bold red]FAIL[/]"}
        for f in found:
            table.add_row(f.name, marks[f.status], f.detail, f.fix)
        render.console.print(table)
    if any(f.status == "fail" for f in found):
        raise typer.Exit(1)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 7071,
) -> None:
    """Serve the Functions app's HTTP routes locally. Example: casedesk serve --port 7071

    With CASEDESK_ADAPTERS=m365 it also runs the queue worker and the renew timer, so a
    tunnel pointed at this port receives and triages the office's real mail."""
    from casedesk.entrypoints.local_host import run_local_host

    settings = load_settings({"data_dir": _state.data_dir}, settings_file=_state.settings_file)
    run_local_host(settings, host, port, render.console.print)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; our own errors become one line on stderr and exit code 1."""
    try:
        cli(args=argv)  # standalone mode: usage errors exit 2 with Typer's own message
    except CaseDeskError as exc:
        render.err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(1)

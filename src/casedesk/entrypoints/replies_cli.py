"""Reply commands: `templates check`, `draft`, `approvals`, `approve`, `reject`, `send`.

Registered on the main `casedesk` command by cli.py. Nothing here sends anything except
`casedesk send`, which needs a person's name (--by or CASEDESK_USER) and passes the sign-off
rules in core.replies.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from casedesk.bootstrap_replies import ReplyApp, build_replies
from casedesk.core import case_paths
from casedesk.core.models import Case
from casedesk.core.replies import DRAFT_FILE, DraftState, ReplyDraft
from casedesk.entrypoints import render
from casedesk.errors import CaseDeskError
from casedesk.settings import Settings, load_settings

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")]
Ref = Annotated[str, typer.Argument(help="A case reference such as CD-2026-000042.")]
By = Annotated[
    str,
    typer.Option("--by", envvar="CASEDESK_USER", help="Who is acting (recorded in the audit log)."),
]
templates_cli = typer.Typer(help="The office's reply templates.", no_args_is_help=True)

_STATE_WORDS = {
    DraftState.DRAFT: "ready to send (no sign-off needed)",
    DraftState.AWAITING_SIGNOFF: "waiting for the MP's sign-off",
    DraftState.APPROVED: "approved",
    DraftState.REJECTED: "rejected",
    DraftState.SENT: "sent",
}


def _settings() -> Settings:
    from casedesk.entrypoints.cli import _state

    return load_settings({"data_dir": _state.data_dir}, settings_file=_state.settings_file)


def _replies() -> ReplyApp:
    return build_replies(_settings())


def _draft_json(draft: ReplyDraft, case: Case, settings: Settings) -> dict[str, Any]:
    return {**draft.as_record(), "file": _draft_file(settings, case.ref), "case": {
        "subject": case.subject, "category": case.category.value, "topic": case.topic.value,
        "assignee": case.assignee, "signoff_required": case.signoff_required,
    }}  # fmt: skip


def _draft_file(settings: Settings, ref: str) -> str | None:
    """Where the draft's .eml is: a local path (embedded) or the library path (SharePoint)."""
    relative = case_paths.draft_path(ref, DRAFT_FILE)
    if settings.adapters == "m365" and settings.case_store == "sharepoint":
        return relative
    return str(settings.data_dir / relative)


def _decide(act: Callable[[ReplyApp], ReplyDraft], as_json: bool) -> tuple[ReplyDraft, ReplyApp]:
    """Run one sign-off or send step, then print the draft as JSON when asked; the caller
    prints its own sentence otherwise (the app is closed either way)."""
    app = _replies()
    try:
        done = act(app)
        case, _ = app.desk.show(done.case_ref)
    finally:
        app.close()
    if as_json:
        render.print_json({"draft": _draft_json(done, case, app.settings)})
    return done, app


def _state_line(draft: ReplyDraft) -> str:
    words = _STATE_WORDS[draft.state]
    if draft.state is DraftState.AWAITING_SIGNOFF and draft.approver:
        words += f" ({draft.approver})"
    if draft.state is DraftState.APPROVED:
        words += f" by {draft.decided_by}, {render.local(draft.decided_at)}"
        if draft.changed_after_approval:
            words += " — but the text has changed since: it needs sign-off again"
    if draft.state is DraftState.REJECTED:
        words += f" by {draft.decided_by}: {draft.rejection}"
    if draft.state is DraftState.SENT:
        words += f" by {draft.sent_by}, {render.local(draft.sent_at)} -> {draft.sent_to}"
    return words


def _print_draft(draft: ReplyDraft, case: Case, settings: Settings) -> None:
    out = render.console
    out.print(Text.assemble((case.ref, "bold"), "  ", draft.subject))
    out.print(Text(f"state:    {_state_line(draft)}"))
    out.print(Text(f"version:  {draft.version}  sha256 {draft.sha256[:16]}…  "
                   f"template {draft.template}"))  # fmt: skip
    out.print(
        Text(f"to:       {draft.to_name} <{draft.to_addr}>  (in reply to {draft.in_reply_to})")
    )
    out.print(Text(f"file:     {_draft_file(settings, case.ref)}"))
    if draft.sources:
        out.print(Text(f"sources:  {', '.join(draft.sources)}"))
    out.rule()
    sys.stdout.flush()
    out.print(Text(draft.body.rstrip("\n")))  # their words in it stay text, never markup


# --- templates -----------------------------------------------------------------------------


@templates_cli.command("check")
def templates_check(
    folder: Annotated[
        Path | None,
        typer.Argument(help="The office's templates folder (default: the templates_dir setting)."),
    ] = None,
    rules: Annotated[
        Path | None,
        typer.Option(help="Also check the templates a rules file names (default: rules_file)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Check reply templates. Example: casedesk templates check office-templates/

    Syntax, unknown fields (with did-you-mean), missing includes, layout: file:line and a fix."""
    from casedesk.adapters.embedded.template_check import check_templates
    from casedesk.core.reply_templates import MERGE_FIELDS

    settings = _settings()
    folder = folder or settings.templates_dir
    if folder is not None and not folder.is_dir():
        raise CaseDeskError(f"{folder}: no such folder of templates")
    rules_path = rules or settings.rules_file
    named: list[tuple[str, int, str]] = []
    if rules_path is not None:
        from casedesk.rules_file import load_rules

        loaded = load_rules(rules_path)
        named = [(str(rules_path), r.line, r.then.template) for r in loaded.rules.rules
                 if r.then.template]  # fmt: skip
    report = check_templates(folder, datetime.now(UTC), named)
    if as_json:
        render.print_json({
            "folder": report.folder, "templates": report.templates, "fields": MERGE_FIELDS,
            "problems": [
                {"file": p.file, "line": p.line, "severity": p.severity, "message": p.message,
                 "fix": p.fix} for p in report.problems
            ],
        })  # fmt: skip
    else:
        for p in report.problems:
            style = "red" if p.severity == "error" else "yellow"
            render.console.print(Text(p.render(report.folder), style=style))
        errors = len(report.errors)
        render.console.print(
            f"{report.folder}: {len(report.templates)} files, {errors} error(s), "
            f"{len(report.problems) - errors} warning(s)" + ("" if errors else "; ready to use"),
            highlight=False,
        )
    if report.errors:
        raise typer.Exit(1)


# --- drafts and sign-off ---------------------------------------------------------------------


def draft(
    ref: Ref,
    edit: Annotated[
        Path | None,
        typer.Option("--edit", help="Replace the text with this file's (UTF-8; - for stdin)."),
    ] = None,
    template: Annotated[
        str | None, typer.Option(help="Write the draft again from this template.")
    ] = None,
    redraft: Annotated[
        bool,
        typer.Option(
            "--redraft",
            help="Write the draft again as triage would: with ai_drafting on, the AI drafter "
            "(grounded; the template when it cannot), else the template.",
        ),
    ] = False,
    by: Annotated[
        str | None,
        typer.Option("--by", envvar="CASEDESK_USER", help="Who is editing (audited)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show or replace a reply draft. Example: casedesk draft CD-2026-000007 --edit reply.txt --by jo

    A new text is a new version; a sign-off the old one had is void. `sources` lists what an
    AI draft was written from (docs/ai-use.md)."""
    if sum((edit is not None, template is not None, redraft)) > 1:
        raise typer.BadParameter("use one of --edit FILE, --template NAME or --redraft")
    if (edit is not None or template is not None or redraft) and not by:
        raise typer.BadParameter("say who is editing: --by NAME (or CASEDESK_USER)")
    text = None
    if edit is not None:
        if str(edit) == "-":
            text = sys.stdin.read()
        elif not edit.is_file():
            raise CaseDeskError(f"{edit}: no such file")
        else:
            text = edit.read_text(encoding="utf-8")
    app = _replies()
    try:
        if text is not None:
            app.desk.edit(ref, text, by or "")
        elif template is not None or redraft:
            app.desk.redraft(ref, template, by or "")
        case, found = app.desk.show(ref)
    finally:
        app.close()
    if found is None:
        raise CaseDeskError(
            f"{case.ref} has no reply draft ({case.category.value} mail gets none automatically); "
            f"write one: casedesk draft {case.ref} --edit FILE --by NAME (or --template NAME)"
        )
    if as_json:
        render.print_json({"draft": _draft_json(found, case, app.settings)})
    else:
        _print_draft(found, case, app.settings)


def approvals(as_json: JsonFlag = False) -> None:
    """Replies waiting for the MP's sign-off, oldest first. Example: casedesk approvals"""
    app = _replies()
    try:
        waiting = app.desk.approvals()
    finally:
        app.close()
    if as_json:
        render.print_json(
            {"approvals": [_draft_json(p.draft, p.case, app.settings) for p in waiting]}
        )
        return
    table = Table(title=f"Waiting for the MP's sign-off ({len(waiting)})", title_justify="left")
    table.add_column("Case", no_wrap=True)
    for col in ("Since", "Approver", "To", "Subject"):
        table.add_column(col, overflow="fold")
    for p in waiting:
        d = p.draft
        version = f" v{d.version}" if d.version > 1 else ""
        changed = " (changed after approval)" if d.changed_after_approval else ""
        table.add_row(
            p.case.ref + version, render.short(d.updated_at), d.approver or "(mp_approver unset)",
            Text(d.to_name or d.to_addr), Text(d.subject + changed),
        )  # fmt: skip
    render.console.print(table)
    if waiting:
        render.console.print(
            "Read one: casedesk draft REF. Sign off: casedesk approve REF --by NAME; "
            "send back: casedesk reject REF --reason TEXT --by NAME"
        )


def approve(ref: Ref, by: By, as_json: JsonFlag = False) -> None:
    """Sign off a reply. Example: casedesk approve CD-2026-000007 --by alex.morgan

    The sha256 of this version's text is recorded; any later edit voids the approval."""
    done, _ = _decide(lambda app: app.desk.approve(ref, by), as_json)
    if as_json:
        return
    where = " It is now the Outlook reply draft." if done.remote_id else ""
    render.console.print(Text(
        f"{done.case_ref}: version {done.version} approved by {by} (sha256 {done.sha256[:16]}…)."
        f"{where} Send it: casedesk send {done.case_ref} --by NAME"
    ))  # fmt: skip


def reject(
    ref: Ref,
    by: By,
    reason: Annotated[str, typer.Option(help="What should change (the editor sees it).")],
    as_json: JsonFlag = False,
) -> None:
    """Send a reply back. Example: casedesk reject CD-2026-000007 --reason "Shorter" --by alex

    An edit puts it in the approval queue again."""
    done, _ = _decide(lambda app: app.desk.reject(ref, reason, by), as_json)
    if as_json:
        return
    render.console.print(Text(
        f"{done.case_ref}: version {done.version} rejected by {by}: {done.rejection}. Edit it: "
        f"casedesk draft {done.case_ref} --edit FILE --by NAME"
    ))  # fmt: skip


def send(ref: Ref, by: By, as_json: JsonFlag = False) -> None:
    """Send a case's reply. Example: casedesk send CD-2026-000007 --by jo.price

    Refused if the case needs the MP's sign-off and has none, if the text changed after
    approval, or if there is no draft. Embedded: the message goes to <data-dir>/outbox/ for a
    local mail relay; Microsoft 365: Graph sends the Outlook draft."""
    done, app = _decide(lambda app: app.desk.send(ref, by), as_json)
    if as_json:
        return
    if app.desk.channel.name == "outbox":
        how = ("It is in the outbox for a local mail relay to deliver (CaseDesk itself "
               "delivers nothing).")  # fmt: skip
    else:
        how = "Exchange Online sent it from the office mailbox (see Sent Items)."
    render.console.print(Text(
        f"{done.case_ref}: version {done.version} sent by {by} -> {done.sent_to}. {how}"
    ))  # fmt: skip


def register_reply_commands(cli: typer.Typer) -> None:
    """Add the reply commands to the main `casedesk` command."""
    cli.add_typer(templates_cli, name="templates")
    for command in (draft, approvals, approve, reject, send):
        cli.command()(command)

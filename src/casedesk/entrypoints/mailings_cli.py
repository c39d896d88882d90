"""Mailing commands: `campaign reply`, `outcome`, `follow-up`, `mailings`, and `mailing show /
approve / reject / send`.

A mailing is written (and previewed), signed off by the MP, then sent by a person, in paced
batches that a second run carries on. Nothing is sent by any other command.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table
from rich.text import Text

from casedesk.bootstrap_mailings import MailingApp, build_mailings
from casedesk.core.mailing_desk import Preview, SendReport
from casedesk.core.mailings import Mailing, MailingState
from casedesk.entrypoints import render
from casedesk.errors import CaseDeskError
from casedesk.settings import Settings, load_settings

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")]
By = Annotated[
    str,
    typer.Option("--by", envvar="CASEDESK_USER", help="Who is acting (recorded in the audit log)."),
]
MailingId = Annotated[
    str, typer.Argument(help="A mailing id, e.g. reply-cluster-000003 (`casedesk mailings`).")
]
Template = Annotated[
    str, typer.Option("--template", help="The template's name, e.g. campaign-reply.")
]
Attach = Annotated[
    list[Path] | None,
    typer.Option("--attach", help="A file sent with every copy (under 3 MB; repeat for more)."),
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Preview only: store nothing, send nothing.")
]
campaign_cli = typer.Typer(
    help="Campaigns: the one reply to everyone who wrote.", no_args_is_help=True
)
mailing_cli = typer.Typer(
    help="Mailings (campaign replies, follow-ups): show, approve, reject, send.",
    no_args_is_help=True,
)
SHOWN_COPIES = 2


def _settings() -> Settings:
    from casedesk.entrypoints.cli import _state

    return load_settings({"data_dir": _state.data_dir}, settings_file=_state.settings_file)


def _app() -> MailingApp:
    return build_mailings(_settings())


T = TypeVar("T")


def _run(act: Callable[[MailingApp], T]) -> tuple[T, MailingApp]:
    """Run one step on a freshly built app and close it, whatever happens."""
    app = _app()
    try:
        return act(app), app
    finally:
        app.close()


def _paths(attach: list[Path] | None) -> list[str]:
    return [str(p) for p in attach or []]


def preview_json(preview: Preview) -> dict[str, Any]:
    return {
        "mailing": preview.mailing.as_record(),
        "stored": preview.stored,
        "voided_approval": preview.voided,
        "recipients": len(preview.targeting.recipients),
        "already_sent": preview.already_sent,
        "to_send": preview.to_send,
        "skipped": preview.targeting.skipped,
        "copies": [
            {"case_ref": c.case_ref, "to": {"name": c.to_name, "email": c.to_addr},
             "subject": c.subject, "message_id": c.message_id, "body": c.body,
             "attachments": [{"name": a.name, "bytes": len(a.data)} for a in c.attachments]}
            for c in preview.copies
        ],
    }  # fmt: skip


def print_preview(preview: Preview, shown: int = SHOWN_COPIES) -> None:
    out = render.console
    m = preview.mailing
    out.print(Text.assemble((m.id, "bold"), f"  {m.kind.value} for {m.target}"))
    state = "dry run: nothing stored" if not preview.stored else _state_words(m)
    out.print(Text(f"version:     {m.version or 'new'}  ({state})"))
    out.print(Text(f"template:    {m.template_file}  sha256 {m.template_sha256[:16]}…"))
    for a in m.attachments:
        out.print(Text(f"attachment:  {a.name}  {a.size:,} bytes  sha256 {a.sha256[:16]}…"))
    out.print(Text(f"fingerprint: {m.fingerprint[:16]}…  (what the MP signs off)"))
    skipped = ", ".join(f"{n} {why}" for why, n in sorted(preview.targeting.skipped.items()))
    out.print(Text(
        f"recipients:  {len(preview.targeting.recipients)} constituents, "
        f"{preview.already_sent} already sent, {preview.to_send} to send"
        + (f"; left out: {skipped}" if skipped else "")
    ))  # fmt: skip
    if preview.voided:
        out.print(Text("The approval of the previous version is void: it needs sign-off again.",
                       style="yellow"))  # fmt: skip
    for copy in preview.copies[:shown]:
        out.rule(Text(f"{copy.case_ref}: to {copy.to_name or copy.to_addr}"))
        sys.stdout.flush()
        out.print(Text(f"Subject: {copy.subject}"))
        if copy.attachments:
            out.print(Text("Attached: " + ", ".join(a.name for a in copy.attachments)))
        out.print(Text(copy.body.rstrip("\n")))
    if preview.copies:
        out.rule()


def _state_words(m: Mailing) -> str:
    if m.state is MailingState.APPROVED and m.is_approved:
        return f"approved by {m.decided_by}, {render.local(m.decided_at)}"
    if m.state is MailingState.REJECTED:
        return f"rejected by {m.decided_by}: {m.rejection}"
    return m.state.value.replace("_", " ")


def _next_step(preview: Preview) -> str:
    m = preview.mailing
    if not preview.stored:
        return "Dry run: nothing was stored or sent. Drop --dry-run to write it for sign-off."
    if m.state is MailingState.AWAITING_SIGNOFF:
        return f"Next: the MP approves it: casedesk mailing approve {m.id} --by NAME"
    if m.is_approved and m.state is MailingState.APPROVED:
        return f"Next: casedesk mailing send {m.id} --by NAME"
    return f"casedesk mailing show {m.id}"


def _write(act: Callable[[MailingApp], Preview], as_json: bool) -> None:
    preview, _ = _run(act)
    if as_json:
        render.print_json({"preview": preview_json(preview)})
        return
    print_preview(preview)
    render.console.print(Text(_next_step(preview)))


@campaign_cli.command("reply")
def campaign_reply(
    campaign: Annotated[str, typer.Argument(help="A campaign id (`casedesk campaigns`).")],
    template: Template,
    by: By,
    attach: Attach = None,
    dry_run: DryRun = False,
    as_json: JsonFlag = False,
) -> None:
    """Write the campaign's one reply and preview it. Example:
    casedesk campaign reply cluster-000003 --template campaign-reply --attach letter.pdf --by jo

    Every constituent who wrote gets a copy merged with their name and case reference. Run it
    again after editing the template: a new version, and any approval is void."""
    _write(lambda app: app.desk.campaign_reply(
        campaign, template, _paths(attach), by, dry_run), as_json)  # fmt: skip


def outcome(
    target: Annotated[str, typer.Argument(help="A case reference or a campaign id.")],
    text: Annotated[str, typer.Argument(help="What was done, in a sentence or two.")],
    by: By,
    as_json: JsonFlag = False,
) -> None:
    """Record what was done about a case or campaign. Example:
    casedesk outcome CD-2026-000042 "The council re-opened the repair" --by priya.shah"""
    done, _ = _run(lambda app: app.desk.record_outcome(target, text, by))
    if as_json:
        render.print_json({"outcome": done.as_record()})
        return
    render.console.print(Text(
        f"{done.target}: outcome {done.number} recorded. Tell everyone who raised it: "
        f"casedesk follow-up {done.target} --template follow-up --by NAME"
    ))  # fmt: skip


def follow_up(
    target: Annotated[str, typer.Argument(help="A case reference or a campaign id.")],
    template: Template,
    by: By,
    attach: Attach = None,
    dry_run: DryRun = False,
    as_json: JsonFlag = False,
) -> None:
    """Write "you raised this, here is what we did" for the latest outcome, and preview it.
    Example: casedesk follow-up cluster-000003 --template follow-up --by jo.price

    It goes to everyone who raised it (every constituent in the campaign, or the case's), with
    the same sign-off and paced sending as a campaign reply."""
    _write(lambda app: app.desk.follow_up(
        target, template, _paths(attach), by, dry_run), as_json)  # fmt: skip


def mailings(as_json: JsonFlag = False) -> None:
    """Every mailing, newest first. Example: casedesk mailings"""
    found, _ = _run(lambda app: app.desk.mailings())
    if as_json:
        render.print_json({"mailings": [
            {**m.as_record(), "sent": sent} for m, sent in found
        ]})  # fmt: skip
        return
    table = Table(title=f"Mailings ({len(found)})", title_justify="left")
    table.add_column("Mailing", no_wrap=True)
    for col in ("Version", "State", "Sent", "Updated"):
        table.add_column(col)
    for m, sent in found:
        table.add_row(m.id, str(m.version), _state_words(m), str(sent), render.short(m.updated_at))
    render.console.print(table)


@mailing_cli.command("show")
def mailing_show(mailing_id: MailingId, as_json: JsonFlag = False) -> None:
    """Preview a mailing: its state, recipients and the first merged copies."""
    preview, _ = _run(lambda app: app.desk.show(mailing_id))
    if as_json:
        render.print_json({"preview": preview_json(preview)})
    else:
        print_preview(preview, shown=3)
        render.console.print(Text(_next_step(preview)))


@mailing_cli.command("approve")
def mailing_approve(mailing_id: MailingId, by: By, as_json: JsonFlag = False) -> None:
    """Sign off a mailing for the MP. Example: casedesk mailing approve reply-cluster-000003 --by alex.morgan

    The fingerprint of the template and attachments is recorded; any later change voids it."""
    done, _ = _run(lambda app: app.desk.approve(mailing_id, by))
    if as_json:
        render.print_json({"mailing": done.as_record()})
        return
    render.console.print(Text(
        f"{done.id}: version {done.version} approved by {by} (fingerprint "
        f"{done.fingerprint[:16]}…). Send it: casedesk mailing send {done.id} --by NAME"
    ))  # fmt: skip


@mailing_cli.command("reject")
def mailing_reject(
    mailing_id: MailingId,
    by: By,
    reason: Annotated[str, typer.Option(help="What should change.")],
    as_json: JsonFlag = False,
) -> None:
    """Send a mailing back with a reason."""
    done, _ = _run(lambda app: app.desk.reject(mailing_id, reason, by))
    if as_json:
        render.print_json({"mailing": done.as_record()})
        return
    render.console.print(Text(f"{done.id}: version {done.version} rejected: {done.rejection}"))


@mailing_cli.command("send")
def mailing_send(
    mailing_id: MailingId,
    by: By,
    batch: Annotated[
        int | None, typer.Option(min=1, help="Send at most this many copies in this run.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Send an approved mailing, paced within Exchange Online's limits. Example:
    casedesk mailing send reply-cluster-000003 --by jo.price --batch 200

    Refused without the MP's approval or after any change. Stopped part-way (a crash, --batch,
    the day's limit)? Run it again: nobody gets two copies and nobody is missed."""
    report, app = _run(lambda app: app.desk.send(mailing_id, by, batch))
    if as_json:
        render.print_json({"send": send_json(report)})
        return
    render.console.print(Text(_send_sentence(report, app)))


def send_json(report: SendReport) -> dict[str, Any]:
    return {
        "mailing": report.mailing.id, "state": report.mailing.state.value,
        "sent": report.sent, "recovered": report.recovered, "already": report.already,
        "remaining": report.remaining,
        "paused_until": report.paused_until.isoformat() if report.paused_until else None,
    }  # fmt: skip


def _send_sentence(report: SendReport, app: MailingApp) -> str:
    m = report.mailing
    where = (
        "the outbox, for a local mail relay" if app.desk.sender.name == "outbox"
        else "Exchange Online (see Sent Items)"
    )  # fmt: skip
    words = f"{m.id}: {report.sent} sent to {where}"
    if report.recovered:
        words += f", {report.recovered} found already sent by an earlier run"
    words += f"; {report.already} had theirs before; {report.remaining} still to send."
    if report.paused_until is not None:
        words += (f" The day's sending limit is reached: run it again after "
                  f"{render.local(report.paused_until)}.")  # fmt: skip
    elif report.remaining:
        words += f" Run `casedesk mailing send {m.id} --by NAME` again to carry on."
    else:
        words += " Done: every copy is recorded on its case."
    return words


def print_demo_campaign_preview(settings: Settings, attachment: Path | None) -> None:
    """The end of `casedesk demo`: the largest campaign's reply, previewed (nothing stored)."""
    app = build_mailings(settings)
    try:
        campaigns = [c for c in app.desk.repo.campaigns() if c.is_campaign]
        if not campaigns:
            return
        largest = max(campaigns, key=lambda c: (c.size, -c.first_seen.timestamp()))
        files = [str(attachment)] if attachment and attachment.is_file() else []
        preview = app.desk.campaign_reply(largest.id, "campaign-reply", files, "demo", True)
    except CaseDeskError as exc:
        render.console.print(Text(f"(no campaign reply preview: {exc})"))
        return
    finally:
        app.close()
    render.console.print()
    render.console.print(Text(f"Campaign reply preview for the largest campaign, "
                              f"{largest.id} ({largest.name}):", style="bold"))  # fmt: skip
    print_preview(preview, shown=1)
    render.console.print(Text(
        f"Nothing was sent. To send it: casedesk campaign reply {largest.id} --template "
        "campaign-reply --attach samples/attachments/mp-letter.pdf --by NAME, then "
        f"casedesk mailing approve reply-{largest.id} --by alex.morgan, then "
        f"casedesk mailing send reply-{largest.id} --by NAME"
    ))  # fmt: skip


def register_mailing_commands(cli: typer.Typer) -> None:
    """Add the mailing commands to the main `casedesk` command."""
    cli.add_typer(campaign_cli, name="campaign")
    cli.add_typer(mailing_cli, name="mailing")
    cli.command()(outcome)
    cli.command("follow-up")(follow_up)
    cli.command()(mailings)

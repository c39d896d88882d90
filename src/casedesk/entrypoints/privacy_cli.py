"""Data protection commands: `sar`, `retention`, `erase`, `hold`, `release`, `holds`, and the
`audit` group. `register(cli)` adds them to the main command."""

from __future__ import annotations

import sys
from datetime import UTC
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from casedesk.core.erasure import ErasurePlan
from casedesk.core.holds import LegalHold
from casedesk.entrypoints import render
from casedesk.entrypoints.audit_cli import audit_cli
from casedesk.errors import CaseDeskError

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")]
By = Annotated[
    str, typer.Option("--by", envvar="CASEDESK_USER", help="Who is doing this (audited).")
]


def register(cli: typer.Typer) -> None:
    for name, command in (
        ("sar", sar_command),
        ("retention", retention_command),
        ("erase", erase_command),
        ("hold", hold_command),
        ("release", release_command),
        ("holds", holds_command),
    ):
        cli.command(name)(command)
    cli.add_typer(audit_cli, name="audit")


def sar_command(
    email: Annotated[str, typer.Argument(help="The requester's email address.")],
    by: By,
    out: Annotated[Path, typer.Option("--out", help="Folder to write the zip to.")] = Path("."),
    as_json: JsonFlag = False,
) -> None:
    """Everything held about a person, as a zip to review and hand over (audited).
    Example: casedesk sar priya.shah@example.org --by jo.price --out ~/sar"""
    from casedesk.core import sar
    from casedesk.core.personal_data import person_key
    from casedesk.entrypoints.cli import _app
    from casedesk.entrypoints.sar_archive import write_archive

    if not by.strip():
        raise CaseDeskError("say who is exporting (--by NAME): subject access exports are audited")
    app = _app()
    try:
        salt = sar.office_salt(app.ops)
        now = app.clock.now()
        offices = {app.settings.office_address, *app.settings.mailbox_list}
        bundle = sar.collect(
            app.repo, app.files, email, now, by.strip(), app.settings.office_name, offices, salt,
            app.ops,
        )  # fmt: skip
        target = out / f"sar-{now:%Y%m%d}-{person_key(salt, bundle.email)[:8]}.zip"
        digest = write_archive(bundle, target)
        try:
            entry = sar.record_export(app.repo, app.clock, salt, bundle, digest)
        except BaseException:
            target.unlink(missing_ok=True)  # an export nobody can account for is not kept
            raise
    finally:
        app.close()
    summary = {
        "archive": str(target),
        "sha256": digest,
        "holds_anything": bundle.holds_anything,
        "cases": [c.ref for c in bundle.cases],
        "other_cases": sorted(bundle.other_cases),
        "files": len(bundle.files),
        "third_party_findings": len(bundle.third_party),
        "not_scanned": sum(1 for f in bundle.files if not f.scanned),
        "mentioned_in_other_cases": bundle.mentioned_in,
        "missing_files": bundle.missing,
        "audit_seq": entry.seq,
    }
    if as_json:
        render.print_json({"sar": summary})
        return
    if not bundle.holds_anything:
        render.console.print("CaseDesk holds nothing about this address.", highlight=False)
    render.console.print(
        f"Wrote {target} ({len(bundle.files)} files from {len(bundle.cases)} case(s)). "
        f"Open index.html inside it: {len(bundle.third_party)} other people's details to "
        "review before sending. Recorded in the audit log as sar.exported.",
        highlight=False,
    )


def retention_command(
    apply: Annotated[
        bool, typer.Option("--apply", help="Delete what is due (default: report).")
    ] = False,
    by: Annotated[
        str, typer.Option("--by", envvar="CASEDESK_USER", help="Who is applying it (audited).")
    ] = "casedesk-retention",
    as_json: JsonFlag = False,
) -> None:
    """What the retention policy would delete and why; --apply deletes it (audited).
    Example: casedesk retention, then casedesk retention --apply --by jo.price"""
    from casedesk.core import retention
    from casedesk.entrypoints.cli import _app

    app = _app()
    try:
        policy = retention.RetentionPolicy.from_settings(app.settings.retention)
        report = retention.review(app.repo, policy, app.clock.now())
        deleted = (
            retention.apply(
                app.repo, app.files, app.ops, app.clock, report, by.strip() or "casedesk-retention"
            )
            if apply
            else 0
        )
    finally:
        app.close()
    if as_json:
        render.print_json(
            {"retention": {**report.as_record(), "applied": apply, "deleted": deleted,
                           "policy": policy.describe()}}
        )  # fmt: skip
        return
    verb = "Deleted" if apply else "Would delete"
    table = Table(title=f"{verb} {len(report.due)} of {report.checked} cases", title_justify="left")
    for column in ("Case", "Kind", "Status", "Last activity", "Why"):
        table.add_column(column, overflow="fold")
    for item in report.due:
        table.add_row(
            item.case.ref, item.case.category.value, item.case.status.value,
            render.short(item.last_activity), item.why,
        )  # fmt: skip
    render.console.print(table)
    for item in report.held:
        assert item.hold is not None
        render.console.print(
            f"Kept {item.case.ref}: due ({item.why}) but on legal hold since "
            f"{item.hold.since.astimezone(UTC):%Y-%m-%d} ({item.hold.reason})",
            highlight=False,
        )
    if report.quarantine_due:
        period = policy.describe()[retention.QUARANTINE]
        render.console.print(
            f"{verb} {len(report.quarantine_due)} quarantined mail(s) kept longer than "
            f"{period} (see casedesk quarantine).",
            highlight=False,
        )
    if not apply and (report.due or report.quarantine_due):
        render.console.print("Nothing deleted. Run with --apply --by NAME to delete these.")


def erase_command(
    email: Annotated[str, typer.Argument(help="The address of the person to erase.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit log; no names).")],
    by: By,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Erase everything held about a person (right to erasure), leaving an audited tombstone
    without personal data. Example: casedesk erase priya.shah@example.org --reason "request
    of 3 March" --by jo.price"""
    from casedesk.core import erasure
    from casedesk.core.holds import check_free_text
    from casedesk.core.sar import office_salt
    from casedesk.entrypoints.cli import _app

    check_free_text("--reason", reason)
    if not by.strip():
        raise CaseDeskError("say who is erasing (--by NAME): the erasure is audited")
    app = _app()
    try:
        salt = office_salt(app.ops)
        planned = erasure.plan(app.repo, app.files, app.ops, salt, email)
        erasure.refuse_if_held(planned)  # before asking anything
        if not (yes or as_json):
            _print_plan(planned)
            if not sys.stdin.isatty() or not typer.confirm("Erase all of this for good?"):
                raise CaseDeskError("nothing erased (confirm, or pass --yes)")
        elif not yes:
            raise CaseDeskError("nothing erased: pass --yes with --json")
        done, tombstone = erasure.erase(
            app.repo, app.files, app.ops, app.clock, salt, email, reason, by
        )
    finally:
        app.close()
    if as_json:
        render.print_json({"erasure": {**done.as_record(), "audit_seq": tombstone.seq}})
        return
    render.console.print(
        f"Erased: {len(done.cases)} case(s), {len(done.messages_elsewhere)} message(s) in other "
        f"people's cases, {done.files} file(s)"
        + (f", {len(done.quarantined)} quarantined mail(s)" if done.quarantined else "")
        + (", the constituent record" if done.has_constituent_record else "")
        + (f"; {len(done.audit_to_redact)} audit entries redacted" if done.audit_to_redact else "")
        + f". Tombstone: audit entry {tombstone.seq} ({done.person_ref}).",
        highlight=False,
    )
    render.console.print(
        "Still to do by hand: delete the emails from the office mailboxes in Outlook (search "
        "for the address), and any paper or other files.",
        highlight=False,
    )
    if done.in_live_rules:
        render.console.print(
            "The routing rules in force name this address: remove it from the rules file and "
            "put the new version live with casedesk rules apply --by NAME.",
            highlight=False,
        )
    if done.mentioned_in:
        render.console.print(
            "Other people's cases mention the address or name (not erased; review them): "
            + ", ".join(done.mentioned_in),
            highlight=False,
        )


def _print_plan(planned: ErasurePlan) -> None:
    render.console.print(
        f"This deletes, for good: {len(planned.cases)} case(s) "
        f"({', '.join(c.ref for c in planned.cases) or 'none'}), "
        f"{len(planned.messages_elsewhere)} message(s) they sent into other people's cases, "
        f"{planned.files} file(s)"
        + (
            f", {len(planned.quarantined)} quarantined mail(s) holding their address"
            if planned.quarantined
            else ""
        )
        + (", their constituent record" if planned.has_constituent_record else "")
        + f"; and redacts {len(planned.audit_to_redact)} audit entries that name them.",
        highlight=False,
    )


def hold_command(
    ref: Annotated[str, typer.Argument(help="A case reference such as CD-2026-000042.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the audit log; no names).")],
    by: By,
    as_json: JsonFlag = False,
) -> None:
    """Put a case on legal hold: retention and erasure leave it alone until released.
    Example: casedesk hold CD-2026-000042 --reason "police request 4471" --by jo.price"""
    from casedesk.core import holds
    from casedesk.entrypoints.cli import _app

    app = _app()
    try:
        held = holds.hold(app.repo, app.clock, ref, reason, by)
    finally:
        app.close()
    if as_json:
        render.print_json({"hold": _hold_json(held)})
        return
    render.console.print(
        f"{held.ref} is on legal hold ({held.reason}); audited as entry {held.audit_seq}.",
        highlight=False,
    )


def release_command(
    ref: Annotated[str, typer.Argument(help="A case reference on legal hold.")],
    by: By,
    reason: Annotated[str, typer.Option("--reason", help="Why it can go (optional).")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Lift a legal hold; the case is under the retention policy again. Example:
    casedesk release CD-2026-000042 --by jo.price"""
    from casedesk.core import holds
    from casedesk.entrypoints.cli import _app

    app = _app()
    try:
        lifted = holds.release(app.repo, app.clock, ref, by, reason)
    finally:
        app.close()
    if as_json:
        render.print_json({"released": _hold_json(lifted)})
        return
    render.console.print(f"{lifted.ref}: legal hold lifted (audited).", highlight=False)


def holds_command(as_json: JsonFlag = False) -> None:
    """Cases on legal hold, with why and who. Example: casedesk holds"""
    from casedesk.core import holds
    from casedesk.entrypoints.cli import _app

    app = _app()
    try:
        current = holds.legal_holds(app.repo)
    finally:
        app.close()
    if as_json:
        render.print_json({"holds": [_hold_json(h) for h in current.values()]})
        return
    table = Table(title=f"Legal holds ({len(current)})", title_justify="left")
    for column in ("Case", "Since", "By", "Reason"):
        table.add_column(column, overflow="fold")
    for h in current.values():
        table.add_row(h.ref, render.short(h.since), h.by, h.reason)
    render.console.print(table)


def _hold_json(h: LegalHold) -> dict[str, object]:
    return {"ref": h.ref, "reason": h.reason, "by": h.by, "since": h.since.isoformat(),
            "audit_seq": h.audit_seq}  # fmt: skip

"""Case management on the command line: assign, claim, status, notes, tags, merge, link,
timeline, constituent, bulk actions and handover (docs/case-management.md).

Every command that changes a case takes `--by NAME` (or CASEDESK_USER), checked against the
rules file's people when the office has one, and is audited with that person as the actor.
The decisions live in core/casework.py and core/handover.py; this module reads options,
calls them and prints.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from casedesk.core import casework
from casedesk.core.casework import Done, Outcome, Staff
from casedesk.core.models import CaseQuery, CaseStatus
from casedesk.entrypoints import case_filters as filters
from casedesk.entrypoints import render
from casedesk.errors import CaseDeskError, NotFoundError

if TYPE_CHECKING:
    from casedesk.bootstrap import App

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")]
By = Annotated[
    str, typer.Option("--by", envvar="CASEDESK_USER", help="Who is doing this (audited).")
]
Ref = Annotated[str, typer.Argument(help="A case reference such as CD-2026-000042.")]
Reason = Annotated[str | None, typer.Option(help="Why (kept in the audit log).")]


@contextmanager
def _session() -> Iterator[tuple[App, Staff]]:
    from casedesk.entrypoints.cli import _app

    app = _app()
    try:
        rules = app.triage.rules
        yield app, Staff(rules.people if rules else None)
    finally:
        app.close()


def _report(done: Done, by: str, as_json: bool) -> None:
    if as_json:
        render.print_json(
            {"ref": done.ref, "action": done.action, "changed": done.changed,
             "summary": done.summary, "by": by}
        )  # fmt: skip
        return
    tail = f" (by {by}, audited)" if done.changed else " (nothing changed)"
    render.console.print(f"{done.ref}: {done.summary}{tail}", highlight=False)


def _act(by: str, as_json: bool, action: Callable[[App, str, Staff], Done]) -> None:
    with _session() as (app, staff):
        who = staff.check(by)
        done = action(app, who, staff)
    _report(done, who, as_json)


# --- one case -----------------------------------------------------------------------------


def assign(
    ref: Ref,
    to: Annotated[str, typer.Option("--to", help="The person taking the case.")],
    by: By,
    reason: Reason = None,
    as_json: JsonFlag = False,
) -> None:
    """Give a case to someone. Example: casedesk assign CD-2026-000042 --to tom.reid --by jo.price"""
    _act(
        by,
        as_json,
        lambda app, who, staff: casework.assign(
            app.repo, app.clock, ref, staff.check(to, "--to"), who, reason
        ),
    )


def claim(ref: Ref, by: By, as_json: JsonFlag = False) -> None:
    """Take a case yourself. Example: casedesk claim CD-2026-000042 --by priya.shah"""
    _act(by, as_json, lambda app, who, _: casework.assign(app.repo, app.clock, ref, who, who))


def unassign(ref: Ref, by: By, reason: Reason = None, as_json: JsonFlag = False) -> None:
    """Put a case back in the unassigned pile. Example: casedesk unassign CD-2026-000042 --by jo.price"""
    _act(
        by,
        as_json,
        lambda app, who, _: casework.assign(app.repo, app.clock, ref, None, who, reason),
    )


def status(
    ref: Ref,
    new_status: Annotated[CaseStatus, typer.Argument(metavar="STATUS", help="The new status.")],
    by: By,
    reason: Annotated[str, typer.Option(help="Why (required; kept in the audit log).")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Move a case to a status, saying why. Example: casedesk status CD-2026-000042 awaiting_agency --reason "referred to the council" --by priya.shah"""
    _act(
        by,
        as_json,
        lambda app, who, _: casework.change_status(
            app.repo, app.clock, ref, new_status, reason, who
        ),
    )


def note(
    ref: Ref,
    text: Annotated[str, typer.Argument(help="The note (staff's words, not the constituent's).")],
    by: By,
    as_json: JsonFlag = False,
) -> None:
    """Add a note to a case. Example: casedesk note CD-2026-000042 "Rang the council" --by priya.shah"""
    with _session() as (app, staff):
        who = staff.check(by)
        written = casework.add_note(app.repo, app.clock, ref, text, who)
    if as_json:
        render.print_json({"ref": written.case_ref, "note": render.note_json(written)})
    else:
        render.console.print(f"{written.case_ref}: note added (by {who}, audited)", highlight=False)


def tag(
    ref: Ref,
    by: By,
    add: Annotated[
        list[str] | None, typer.Option("--add", help="A tag to add (repeatable).")
    ] = None,
    remove: Annotated[
        list[str] | None, typer.Option("--remove", help="A tag to remove (repeatable).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Add or remove tags. Example: casedesk tag CD-2026-000042 --add benefit-cap --by priya.shah"""
    if not add and not remove:
        raise typer.BadParameter("say which tags: --add TAG and/or --remove TAG")
    _act(
        by,
        as_json,
        lambda app, who, _: casework.tag(app.repo, app.clock, ref, add or [], remove or [], who),
    )


def merge(
    source: Annotated[str, typer.Argument(help="The case to merge away (it closes).")],
    target: Annotated[str, typer.Argument(help="The case that takes its messages.")],
    by: By,
    reason: Reason = None,
    as_json: JsonFlag = False,
) -> None:
    """Merge one case into another: messages move, the first closes and points at the second.
    Example: casedesk merge CD-2026-000043 CD-2026-000042 --by priya.shah --reason "same flat\""""
    with _session() as (app, staff):
        who = staff.check(by)
        done = casework.merge(app.repo, app.clock, source, target, who, reason)
        for ref in (done.source, done.target):  # case.json lists each case's messages now
            app.files.write_summary(app.repo.get_case(ref), app.repo.case_messages(ref))
    if as_json:
        render.print_json(
            {"merged": done.source, "into": done.target, "messages_moved": done.messages,
             "links_moved": list(done.links_moved), "by": who}
        )  # fmt: skip
        return
    render.console.print(
        f"{done.source} merged into {done.target}: {done.messages} message(s) moved, "
        f"{done.source} closed (by {who}, audited on both)",
        highlight=False,
    )


def link(
    a: Annotated[str, typer.Argument(help="A case.")],
    b: Annotated[str, typer.Argument(help="A related case.")],
    by: By,
    as_json: JsonFlag = False,
) -> None:
    """Mark two cases as related (both ways). Example: casedesk link CD-2026-000042 CD-2026-000051 --by jo.price"""
    _act(by, as_json, lambda app, who, _: casework.link(app.repo, app.clock, a, b, who))


def unlink(
    a: Annotated[str, typer.Argument(help="A case.")],
    b: Annotated[str, typer.Argument(help="The case it is linked to.")],
    by: By,
    as_json: JsonFlag = False,
) -> None:
    """Remove a link between two cases. Example: casedesk unlink CD-2026-000042 CD-2026-000051 --by jo.price"""
    _act(by, as_json, lambda app, who, _: casework.unlink(app.repo, app.clock, a, b, who))


# --- reading ------------------------------------------------------------------------------


def timeline(ref: Ref, as_json: JsonFlag = False) -> None:
    """Everything that happened to a case, oldest first. Example: casedesk timeline CD-2026-000042"""
    with _session() as (app, _):
        case, events = casework.timeline(app.repo, ref)
    if as_json:
        render.print_json(
            {"ref": case.ref, "merged_into": case.merged_into,
             "events": [e.as_record() for e in events]}
        )  # fmt: skip
        return
    table = Table(title=f"{case.ref} timeline ({len(events)} events)", title_justify="left")
    for col in ("When", "What", "Who", "Detail"):
        table.add_column(col, overflow="fold")
    for e in events:
        where = f" [dim]({e.ref})[/]" if e.ref != case.ref else ""
        table.add_row(render.local(e.at), e.kind + where, Text(e.actor), Text(e.text))
    render.console.print(table)
    if case.merged_into:
        render.console.print(f"{case.ref} was merged into {case.merged_into}.", highlight=False)


def constituent(
    email: Annotated[str, typer.Argument(help="The constituent's email address.")],
    as_json: JsonFlag = False,
) -> None:
    """A constituent and all their cases. Example: casedesk constituent priya.shah@example.org"""
    with _session() as (app, _):
        cases = app.repo.cases_of_constituent(email.strip().lower())
    if not cases:
        raise NotFoundError(
            f"no constituent with the address {email!r}; `casedesk search WORDS` finds cases "
            "by what was written"
        )
    latest = cases[-1]
    wards = sorted({c.ward for c in cases if c.ward})
    record: dict[str, Any] = {
        "email": latest.constituent_email,
        "name": latest.constituent_name,
        "postcode": latest.postcode,
        "wards": wards,
        "open_cases": sum(1 for c in cases if c.status is not CaseStatus.CLOSED),
    }
    if as_json:
        render.print_json({"constituent": record, "cases": [render.case_json(c) for c in cases]})
        return
    render.console.print(
        f"[bold]{record['name'] or record['email']}[/] <{record['email']}>"
        + (f" · {record['postcode']}" if record["postcode"] else "")
        + (f" · ward {', '.join(wards)}" if wards else "")
        + f" · {len(cases)} case(s), {record['open_cases']} open",
        highlight=False,
    )
    table = Table(title="Cases, oldest first", title_justify="left")
    for col in ("Ref", "Opened", "Status", "Category", "Topic", "Assignee"):
        table.add_column(col, no_wrap=True)
    table.add_column("Subject", overflow="fold", ratio=1, min_width=24)
    for c in cases:
        state = f"merged into {c.merged_into}" if c.merged_into else c.status.value
        table.add_row(
            c.ref, render.short(c.created_at), state, c.category.value, c.topic.value,
            c.assignee or "—", c.subject[:90],
        )  # fmt: skip
    render.console.print(table)


# --- bulk ---------------------------------------------------------------------------------


class BulkAction(StrEnum):
    ASSIGN = "assign"
    TAG = "tag"
    CLOSE = "close"


def _bulk_plan(action: BulkAction, to: str | None, tags: list[str], reason: str) -> Any:
    """The per-case preview and the per-case action for a bulk run."""
    if action is BulkAction.ASSIGN:
        return (
            lambda case: casework.preview_assign(case, to),
            lambda app, ref, who: casework.assign(app.repo, app.clock, ref, to, who, reason),
        )
    if action is BulkAction.TAG:
        return (
            lambda case: casework.preview_tags(case, tags),
            lambda app, ref, who: casework.tag(app.repo, app.clock, ref, tags, [], who),
        )
    return (
        lambda case: casework.preview_status(case, CaseStatus.CLOSED),
        lambda app, ref, who: casework.change_status(
            app.repo, app.clock, ref, CaseStatus.CLOSED, reason, who
        ),
    )


def bulk(
    action: Annotated[BulkAction, typer.Argument(help="assign, tag or close.")],
    by: By,
    text: filters.Text = None,
    person: Annotated[
        str | None, typer.Option("--person", help="assign: who takes the cases.")
    ] = None,
    add: Annotated[list[str] | None, typer.Option("--add", help="tag: a tag (repeatable).")] = None,
    reason: Annotated[str, typer.Option(help="close (required) / assign: why.")] = "",
    yes: Annotated[bool, typer.Option("--yes", help="Do it (without: a dry-run preview).")] = False,
    postcode: filters.Postcode = None,
    ward: filters.Ward = None,
    category: filters.CategoryOpt = None,
    status: filters.StatusOpt = None,
    topic: filters.TopicOpt = None,
    assignee: filters.Assignee = None,
    unassigned: filters.Unassigned = False,
    tag: filters.Tag = None,
    opened_from: filters.FromDate = None,
    opened_to: filters.ToDate = None,
    open_only: filters.OpenOnly = False,
    limit: Annotated[int, typer.Option(help="At most this many cases.")] = 500,
    as_json: JsonFlag = False,
) -> None:
    """Assign, tag or close every case a search finds; a preview unless --yes, each case audited.
    Example: casedesk bulk close --category campaign --tag sewage --reason "campaign reply sent" --by jo.price --yes"""
    query = filters.build_query(
        text, postcode, ward, category, status, topic, assignee, unassigned, tag,
        opened_from, opened_to, open_only, limit + 1,
    )  # fmt: skip
    if not filters.is_filtered(query):
        raise CaseDeskError(
            "a bulk action needs at least one search filter (e.g. --category, --tag, --from); "
            "try it with casedesk search first"
        )
    if action is BulkAction.ASSIGN and not person:
        raise typer.BadParameter("bulk assign needs --person NAME (who takes the cases)")
    if action is BulkAction.TAG and not add:
        raise typer.BadParameter("bulk tag needs --add TAG")
    if action is BulkAction.CLOSE and not reason.strip():
        raise typer.BadParameter('bulk close needs --reason "..."')
    with _session() as (app, staff):
        who = staff.check(by)
        target = staff.check(person, "--person") if person else None
        tags = [casework.normalise_tag(t) for t in add or []]
        preview, act = _bulk_plan(action, target, tags, reason)
        cases = app.repo.query_cases(query)
        truncated = len(cases) > limit
        cases = cases[:limit]
        if yes:
            outcomes = casework.each([c.ref for c in cases], lambda ref: act(app, ref, who))
        else:
            outcomes = [_preview(preview, c) for c in cases]
    _print_bulk(action, outcomes, who, yes, truncated, limit, as_json)


def _preview(preview: Callable[[Any], Done], case: Any) -> Outcome:
    try:
        return Outcome(case.ref, preview(case))
    except casework.RefusedError as exc:
        return Outcome(case.ref, None, str(exc))


def _print_bulk(
    action: BulkAction,
    outcomes: list[Outcome],
    who: str,
    done: bool,
    truncated: bool,
    limit: int,
    as_json: bool,
) -> None:
    changing = [o for o in outcomes if o.changes]
    if as_json:
        render.print_json(
            {
                "action": action.value, "dry_run": not done, "by": who,
                "matched": len(outcomes), "changed" if done else "would_change": len(changing),
                "truncated_at": limit if truncated else None,
                "cases": [
                    {"ref": o.ref, "change": o.done.summary if o.done else None,
                     "changes": o.changes, "refused": o.refused}
                    for o in outcomes
                ],
            }
        )  # fmt: skip
        return
    verb = "Done" if done else "Dry run"
    table = Table(
        title=f"bulk {action.value}: {verb}, {len(outcomes)} case(s)", title_justify="left"
    )
    for col in ("Ref", "Change" if done else "Would", "Skipped because"):
        table.add_column(col, overflow="fold")
    for o in outcomes:
        table.add_row(
            o.ref,
            o.done.summary if o.changes and o.done else "—",
            o.refused or (o.done.summary if o.done and not o.changes else ""),
        )
    render.console.print(table)
    if truncated:
        render.console.print(
            f"[yellow]More than {limit} cases matched; only the first {limit} are shown. "
            "Narrow the search or raise --limit.[/]"
        )
    if done:
        render.console.print(f"{len(changing)} case(s) changed by {who}, each audited.")
    else:
        render.console.print(
            f"{len(changing)} case(s) would change. Nothing changed: add --yes to do it."
        )


# --- handover -----------------------------------------------------------------------------


def _safe_name(person: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", person) or "person"


def handover(
    person: Annotated[str, typer.Argument(help="Whose open cases to hand over.")],
    to: Annotated[
        str | None, typer.Option("--to", help="Reassign every one of them to this person.")
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", envvar="CASEDESK_USER", help="Who is writing it (needed with --to)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """A handover note for each of a person's open cases (printed and saved under the data
    dir); with --to, reassign them all. Example: casedesk handover tom.reid --to ana.lopes --by jo.price"""
    from casedesk.core.handover import as_record, build_handover, render_markdown

    if to and not by:
        raise typer.BadParameter("reassigning needs --by NAME (it is audited)")
    with _session() as (app, staff):
        who = staff.check(by) if by else None
        target = staff.check(to, "--to") if to else None
        person = person.strip()
        cases = app.repo.query_cases(CaseQuery(assignee=person, open_only=True, limit=10**6))
        if not cases and staff.people is not None and person not in staff.people:
            staff.check(person, "PERSON")  # explains, with a did-you-mean
        items = [casework.timeline(app.repo, c.ref) for c in cases]
        now = app.clock.now()
        written = build_handover(person, items, now, who, target)
        text = render_markdown(written)
        day = now.astimezone(filters.LONDON).date().isoformat()
        path = _save(app.settings.data_dir, person, day, text)
        moved = []
        if target and who:
            why = f"handover from {person}"
            moved = casework.each(
                [c.ref for c in cases],
                lambda ref: casework.assign(app.repo, app.clock, ref, target, who, why),
            )
    if as_json:
        render.print_json(
            as_record(written)
            | {"file": str(path), "reassigned": [o.ref for o in moved if o.changes]}
        )
        return
    render.console.print(text, markup=False, highlight=False)
    render.console.print(f"Saved to {path}", highlight=False)
    if target:
        render.console.print(
            f"{sum(1 for o in moved if o.changes)} case(s) reassigned to {target} (by {who}, "
            "each audited)",
            highlight=False,
        )


def _save(data_dir: Path, person: str, day: str, text: str) -> Path:
    folder = data_dir / "handover"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_safe_name(person)}-{day}.md"
    path.write_text(text, encoding="utf-8")
    return path


def register(cli: typer.Typer) -> None:
    """Add these commands to the `casedesk` command line."""
    for command in (assign, claim, unassign, status, note, tag, merge, link, unlink, timeline,
                    constituent, bulk, handover):  # fmt: skip
        cli.command()(command)

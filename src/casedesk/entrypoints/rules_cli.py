"""`casedesk rules check|simulate|apply|history`: try rules before they go live, put them live
with a name on the change, and see every version that ran."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from casedesk.core.models import Case, CaseFlag, CaseQuery
from casedesk.core.rules import Facts, Rule, RuleSet, first_match
from casedesk.entrypoints import render
from casedesk.errors import CaseDeskError

rules_cli = typer.Typer(help="Check and try the office's routing rules.", no_args_is_help=True)
JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")]


@rules_cli.command("check")
def check_command(
    path: Annotated[Path, typer.Argument(help="A rules file, e.g. samples/rules.yaml.")],
    as_json: JsonFlag = False,
) -> None:
    """Every problem with file, line, field and a fix. Example: casedesk rules check rules.yaml"""
    from casedesk.rules_file import load_rules

    loaded = load_rules(path)
    if as_json:
        render.print_json(
            {
                "file": str(path),
                "version": loaded.digest[:12],
                "rules": [r.name for r in loaded.rules.rules],
                "problems": [
                    {"line": p.line, "field": p.field, "severity": p.severity,
                     "message": p.message, "fix": p.fix}
                    for p in loaded.problems
                ],
            }
        )  # fmt: skip
    else:
        for p in loaded.problems:
            style = "red" if p.severity == "error" else "yellow"
            render.console.print(f"[{style}]{p.render(str(path))}[/]", highlight=False)
        if not loaded.checked:
            render.console.print(
                "Unreachable and overlapping rules are checked once these are fixed."
            )
        errors, warnings = len(loaded.errors), len(loaded.problems) - len(loaded.errors)
        render.console.print(
            f"{path}: {len(loaded.rules.rules)} rules, {errors} error(s), {warnings} warning(s)"
            + ("" if errors else "; ready to go live")
        )
    if loaded.errors:
        raise typer.Exit(1)


def _since(text: str) -> timedelta:
    m = re.fullmatch(r"(\d+)([dhw])", text.strip())
    if not m:
        raise typer.BadParameter(f"{text!r}: use a number and d, h or w, e.g. 7d")
    n, unit = int(m[1]), m[2]
    return {"d": timedelta(days=n), "h": timedelta(hours=n), "w": timedelta(weeks=n)}[unit]


def _facts(case: Case, sender: str, subject: str, body: str) -> Facts:
    return Facts(
        category=case.category.value,
        topic=case.topic.value,
        urgent=case.is_urgent,
        threat=CaseFlag.THREAT in case.flags,
        safeguarding=CaseFlag.SAFEGUARDING in case.flags,
        mailbox="",
        sender=sender,
        postcode=case.postcode,
        ward=case.ward,
        # A stored case only says "outside" by its flag; a ward without it was inside.
        outside_constituency=(
            True if CaseFlag.OUTSIDE in case.flags else (False if case.ward else None)
        ),
        subject=subject,
        body=body,
        campaign_id=case.campaign_id,
        existing_constituent=False,
        office_hours=True,
    )


def _target(rule: Rule | None) -> str:
    if rule is None:
        return "(no rule: unassigned)"
    a = rule.then.assign
    if a is None:
        return "(unassigned)"
    return a.person or f"team {a.team}"


@rules_cli.command("simulate")
def simulate_command(
    path: Annotated[Path, typer.Argument(help="The candidate rules file.")],
    since: Annotated[str, typer.Option(help="How far back, e.g. 7d, 48h, 2w.")] = "7d",
    as_json: JsonFlag = False,
) -> None:
    """Dry run over stored cases: per rule, how many it would take, and which assignments
    would change against the live rules. Changes nothing. Example: casedesk rules simulate new.yaml"""
    from casedesk.entrypoints.cli import _app
    from casedesk.rules_file import live_rules

    candidate = live_rules(path)
    app = _app()
    try:
        live: RuleSet | None = app.triage.rules
        cutoff = app.clock.now() - _since(since)
        cases = [c for c in app.repo.query_cases(CaseQuery(limit=10**6)) if c.created_at >= cutoff]
        counts: Counter[str] = Counter()
        changes: list[dict[str, Any]] = []
        for case in cases:
            messages = app.repo.case_messages(case.ref)
            first = messages[0] if messages else None
            facts = _facts(
                case,
                first.from_addr if first else case.constituent_email,
                first.subject if first else case.subject,
                first.new_text if first else case.summary,
            )
            new_rule = first_match(candidate.rules, facts)
            counts[new_rule.name if new_rule else "(none)"] += 1
            old_rule = first_match(live.rules, facts) if live else None
            if _target(old_rule) != _target(new_rule):
                changes.append(
                    {"ref": case.ref, "live": _target(old_rule), "candidate": _target(new_rule),
                     "rule": new_rule.name if new_rule else None}
                )  # fmt: skip
    finally:
        app.close()
    if not cases:
        raise CaseDeskError(f"no cases opened in the last {since}; try a longer --since")
    per_rule = {r.name: counts.get(r.name, 0) for r in candidate.rules if not r.cont}
    if as_json:
        render.print_json(
            {"cases": len(cases), "per_rule": per_rule, "changes": changes,
             "live_rules": str(app.settings.rules_file) if live else None}
        )  # fmt: skip
        return
    table = Table(title=f"{path}: {len(cases)} cases from the last {since}", title_justify="left")
    table.add_column("Rule")
    table.add_column("Would take", justify="right")
    for name, n in per_rule.items():
        table.add_row(name, str(n))
    render.console.print(table)
    if live is None:
        render.console.print("No live rules (settings rules_file unset): every case would change.")
    render.console.print(f"{len(changes)} assignment(s) would change against the live rules")
    for change in changes[:20]:
        render.console.print(
            f"  {change['ref']}: {change['live']} -> {change['candidate']} ({change['rule']})"
        )


@rules_cli.command("apply")
def apply_command(
    path: Annotated[Path, typer.Argument(help="The checked rules file to put live.")],
    by: Annotated[str, typer.Option("--by", help="Who is making the change (audit log).")],
    as_json: JsonFlag = False,
) -> None:
    """Check a rules file, make it the live rules (the settings' rules_file) and write who,
    when and the diff to the audit log. Example: casedesk rules apply new.yaml --by jo.price"""
    import os

    from casedesk.core import rules_history
    from casedesk.entrypoints.cli import _app
    from casedesk.rules_file import load_rules

    if not by.strip():
        raise CaseDeskError("--by needs the name of the person making the change")
    loaded = load_rules(path)
    if loaded.errors:
        for p in loaded.errors:
            render.err_console.print(p.render(str(path)), highlight=False, markup=False)
        raise CaseDeskError(
            f"{path}: {len(loaded.errors)} error(s); nothing changed. "
            f"Fix them (casedesk rules check {path}) and apply again"
        )
    text = path.read_text(encoding="utf-8")
    app = _app()  # records the version in force now, if nobody recorded it yet
    try:
        live = app.settings.rules_file
        if live is None:
            raise CaseDeskError(
                'no live rules file is configured: set rules_file = "rules.yaml" in your '
                "settings file (or CASEDESK_RULES_FILE), then apply again"
            )
        if path.resolve() != live.resolve():
            staged = live.with_name(live.name + ".applying")
            staged.write_text(text, encoding="utf-8")
            os.replace(staged, live)  # atomic: triage never reads half a file
        entry = rules_history.record(app.repo, app.ops, app.clock, text, str(live), by.strip())
    finally:
        app.close()
    version = rules_history.digest(text)[:12]
    if as_json:
        render.print_json(
            {"live": str(live), "version": version, "changed": entry is not None,
             "audit_seq": entry.seq if entry else None,
             "lines_added": entry.detail["lines_added"] if entry else 0,
             "lines_removed": entry.detail["lines_removed"] if entry else 0}
        )  # fmt: skip
        return
    if entry is None:
        render.console.print(f"{live}: version {version} is already live; nothing to record.")
        return
    render.console.print(
        f"{live}: version {version} is live (+{entry.detail['lines_added']} "
        f"-{entry.detail['lines_removed']} lines), recorded in the audit log as "
        f"rules.changed by {entry.actor}. See casedesk rules history --diff",
        highlight=False,
    )


@rules_cli.command("history")
def history_command(
    diff: Annotated[bool, typer.Option("--diff", help="Show each change's diff.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Every rules version CaseDesk has run, who put it live and when (from the audit log)."""
    from casedesk.core import rules_history
    from casedesk.entrypoints.cli import _app

    app = _app()
    try:
        entries = rules_history.history(app.repo)
    finally:
        app.close()
    records = [
        {"at": e.at.isoformat(), "actor": e.actor, "audit_seq": e.seq, **e.detail} for e in entries
    ]
    if as_json:
        render.print_json({"versions": records})
        return
    if not entries:
        render.console.print("No rules versions recorded: no rules_file is configured.")
        return
    table = Table(title="Rules versions (newest last)")
    for column in ("When (UTC)", "Who", "Version", "Was", "Change"):
        table.add_column(column)
    for r in records:
        if "redacted_by" in r:  # an erasure redacted this version's diff (decision 0012)
            table.add_row(
                str(r["at"])[:16].replace("T", " "), str(r["actor"]), "(redacted)", "", ""
            )
            continue
        table.add_row(
            str(r["at"])[:16].replace("T", " "), str(r["actor"]), str(r["version"])[:12],
            str(r["previous"] or "(first)")[:12], f"+{r['lines_added']} -{r['lines_removed']}",
        )  # fmt: skip
    render.console.print(table)
    if diff:
        for r in records:
            render.console.print(f"\n{r['actor']} at {r['at']}:", highlight=False)
            render.console.print(str(r.get("diff", "(redacted)")), highlight=False, markup=False)


@rules_cli.command("to-lists")
def to_lists_command(
    path: Annotated[Path, typer.Argument(help="A rules file that passes casedesk rules check.")],
) -> None:
    """Print the CaseDesk People and CaseDesk Rules list items for a rules file, as Graph
    `POST /sites/{site-id}/lists/{list-id}/items` bodies (JSON), to fill the lists once.
    Example: casedesk rules to-lists samples/rules.yaml > items.json"""
    from casedesk.adapters.m365.sharepoint_rules import list_items_from_yaml
    from casedesk.rules_file import load_rules

    loaded = load_rules(path)
    if loaded.errors:
        raise CaseDeskError(f"{path}: has errors; run casedesk rules check {path} first")
    people, rules = list_items_from_yaml(path.read_text(encoding="utf-8"))
    render.print_json(
        {
            "CaseDesk People": [{"fields": f} for f in people],
            "CaseDesk Rules": [{"fields": f} for f in rules],
        }
    )

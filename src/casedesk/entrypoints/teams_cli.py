"""`casedesk teams`: who the bot knows, and who it can reach."""

from __future__ import annotations

from typing import Annotated

import typer

from casedesk.entrypoints import render

teams_cli = typer.Typer(
    help="The Teams bot's office members. Example: casedesk teams people", no_args_is_help=True
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object for scripts.")]


@teams_cli.command("people")
def people(as_json: JsonFlag = False) -> None:
    """Members from the rules' people: role, Entra id, and whether the bot has a chat with
    them (needed for digests and threat alerts). Example: casedesk teams people --json"""
    from casedesk.bootstrap_teams import roster_of
    from casedesk.core.permissions import Permission, may
    from casedesk.entrypoints.cli import _app
    from casedesk.teams.references import ConversationReferences

    app = _app()
    try:
        roster = roster_of(app.triage.rules)()
        chats = ConversationReferences(app.ops)
        rows = [
            {
                "id": m.id,
                "name": m.name,
                "role": m.role.value,
                "entra_id": m.entra_id,
                "has_chat": chats.personal(m.id) is not None,
                "threat_alerts": may(m.role, Permission.THREAT_ALERTS),
            }
            for m in roster.members
        ]
        channels = len(list(chats.channels()))
    finally:
        app.close()
    if as_json:
        render.print_json({"people": rows, "office_channels": channels})
        return
    from rich.table import Table

    table = Table(title=f"Teams: {len(rows)} members, {channels} office channel(s)",
                  title_justify="left")  # fmt: skip
    for col in ("Id", "Name", "Role", "Entra id", "Chat with the bot"):
        table.add_column(col, overflow="fold")
    for row in rows:
        reach = "yes" if row["has_chat"] else "[yellow]no: no digests[/]"
        if row["threat_alerts"] and not row["has_chat"]:
            reach = "[bold red]no: threat alerts cannot reach them[/]"
        entra = str(row["entra_id"] or "[red]missing: refused by the bot[/]")
        table.add_row(str(row["id"]), str(row["name"]), str(row["role"]), entra, reach)
    render.console.print(table)

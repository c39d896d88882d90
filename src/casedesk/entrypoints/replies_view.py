"""What `casedesk demo` shows about replies: each case's draft file, and the approval queue."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from casedesk.core import case_paths
from casedesk.core.models import Case
from casedesk.core.replies import DRAFT_FILE, DraftState, ReplyDraft
from casedesk.entrypoints import render

SHOWN = 40


def drafts_json(data_dir: Path, drafts: Sequence[tuple[Case, ReplyDraft | None]]) -> list[Any]:
    return [
        {"ref": case.ref, "state": d.state.value, "template": d.template,
         "approver": d.approver, "file": str(data_dir / case_paths.draft_path(case.ref, DRAFT_FILE))}
        for case, d in drafts if d is not None
    ]  # fmt: skip


def print_demo_drafts(data_dir: Path, drafts: Sequence[tuple[Case, ReplyDraft | None]]) -> None:
    out = render.console
    written = [(c, d) for c, d in drafts if d is not None]
    states = Counter(d.state for _, d in written)
    table = Table(
        title=f"Reply drafts ({len(written)} of {len(drafts)} cases; abuse and spam get none)",
        title_justify="left",
    )
    table.add_column("Draft file", no_wrap=True)
    table.add_column("Template", overflow="fold")
    table.add_column("State", overflow="fold")
    for case, d in written[:SHOWN]:
        waiting = d.state is DraftState.AWAITING_SIGNOFF
        table.add_row(
            case_paths.draft_path(case.ref, DRAFT_FILE), d.template.removesuffix(".txt.j2"),
            Text("needs sign-off" if waiting else ("ready" if d.state is DraftState.DRAFT else d.state.value),
                 style="yellow" if waiting else ""),
        )  # fmt: skip
    out.print(table)
    queued = states.get(DraftState.AWAITING_SIGNOFF, 0)
    out.print(
        f"Draft files are under [bold]{data_dir}[/]. {queued} wait for the MP's sign-off "
        "([bold]casedesk approvals[/]); nothing is sent until a person runs "
        "[bold]casedesk send REF --by NAME[/]."
    )

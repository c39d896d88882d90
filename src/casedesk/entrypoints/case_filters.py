"""The search filters `casedesk search` and `casedesk bulk` share: options and the query."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from casedesk.core.models import CaseQuery, CaseStatus, Category, Topic

LONDON = ZoneInfo("Europe/London")

Text = Annotated[str | None, typer.Argument(help="Words that must all appear.")]
Postcode = Annotated[str | None, typer.Option(help="Full postcode or a prefix, e.g. CB1.")]
Ward = Annotated[
    str | None,
    typer.Option(help="Ward name, any case (needs casedesk geo import), e.g. Arbury."),
]
CategoryOpt = Annotated[Category | None, typer.Option(help="Only this category.")]
StatusOpt = Annotated[CaseStatus | None, typer.Option(help="Only this status.")]
TopicOpt = Annotated[Topic | None, typer.Option(help="Only this topic.")]
Assignee = Annotated[str | None, typer.Option(help="Only cases assigned to this person.")]
Unassigned = Annotated[bool, typer.Option("--unassigned", help="Only cases nobody has.")]
Tag = Annotated[str | None, typer.Option(help="Only cases with this tag.")]
OpenOnly = Annotated[bool, typer.Option("--open", help="Only cases that are not closed.")]
FromDate = Annotated[
    str | None,
    typer.Option("--from", help="Opened on or after this day (YYYY-MM-DD, London time)."),
]
ToDate = Annotated[
    str | None,
    typer.Option("--to", help="Opened on or before this day (YYYY-MM-DD, London time)."),
]


def london_midnight(value: str, option: str, days_after: int = 0) -> datetime:
    """Midnight in London starting the given day (plus days_after), in UTC: right on both
    sides of the GMT/BST changes, whose days are 23 or 25 hours long."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{value!r}: use a date like 2026-11-23", param_hint=option
        ) from None
    return datetime.combine(day + timedelta(days=days_after), time(0), LONDON).astimezone(UTC)


def build_query(
    text: str | None = None,
    postcode: str | None = None,
    ward: str | None = None,
    category: Category | None = None,
    status: CaseStatus | None = None,
    topic: Topic | None = None,
    assignee: str | None = None,
    unassigned: bool = False,
    tag: str | None = None,
    opened_from: str | None = None,
    opened_to: str | None = None,
    open_only: bool = False,
    limit: int = 200,
) -> CaseQuery:
    """The query for the options given; --to includes the whole of its day."""
    if assignee and unassigned:
        raise typer.BadParameter("use --assignee NAME or --unassigned, not both")
    start = london_midnight(opened_from, "--from") if opened_from else None
    end = london_midnight(opened_to, "--to", days_after=1) if opened_to else None
    if start and end and end <= start:
        raise typer.BadParameter("--to is before --from")
    return CaseQuery(
        text=text or None,
        postcode=postcode or None,
        ward=ward or None,
        category=category,
        status=status,
        topic=topic,
        assignee=assignee or None,
        unassigned=unassigned,
        tag=tag.strip().lower() if tag else None,
        opened_from=start,
        opened_before=end,
        open_only=open_only,
        limit=limit,
    )


def is_filtered(query: CaseQuery) -> bool:
    """Whether any filter narrows the query (bulk actions refuse to run on everything)."""
    return any(
        (
            query.text, query.postcode, query.ward, query.category, query.status, query.topic,
            query.assignee, query.unassigned, query.tag, query.opened_from, query.opened_before,
        )
    )  # fmt: skip

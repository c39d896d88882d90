"""Retention from the sweep timer: once a day, the dry-run report (in the logs, IDs only) or,
when the office has switched `retention_sweep` to apply, the deletions themselves."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from casedesk.bootstrap import App
from casedesk.core import retention

log = logging.getLogger("casedesk.retention")
STATE = "retention"


@dataclass(frozen=True)
class SweepOutcome:
    mode: str
    due: tuple[str, ...]  # case references
    held: tuple[str, ...]
    deleted: int


def sweep_retention(app: App) -> SweepOutcome | None:
    """Run today's retention pass unless it has run (on any instance) or is switched off.

    The first instance to claim today's key in ops state runs it; the sweep timer fires
    every 15 minutes on every instance, retention needs doing once a day."""
    mode = app.settings.retention_sweep
    if mode == "off":
        return None
    now = app.clock.now()
    if not app.ops.add_if_absent(STATE, f"run-{now.date().isoformat()}", now.isoformat()):
        return None
    policy = retention.RetentionPolicy.from_settings(app.settings.retention)
    report = retention.review(app.repo, policy, now)
    deleted = (
        retention.apply(app.repo, app.files, app.ops, app.clock, report) if mode == "apply" else 0
    )
    outcome = SweepOutcome(
        mode,
        tuple(i.case.ref for i in report.due),
        tuple(i.case.ref for i in report.held),
        deleted,
    )
    log.info(
        "retention swept",
        extra={
            "event": "retention.swept",
            "mode": mode,
            "checked": report.checked,
            "due": len(outcome.due),
            "held": len(outcome.held),
            "deleted": deleted,
            "quarantine_due": len(report.quarantine_due),
            "refs": " ".join(outcome.due),
        },
    )
    return outcome

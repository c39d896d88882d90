"""HTTP handlers for Graph notifications, shared by the Functions app and `casedesk serve`.

They only validate and enqueue, so Graph gets its answer well inside its 3-second
expectation; the work (triage, renewals, catch-up) happens on the queue.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from casedesk.core.intake import SubscriptionBook, accept_notifications
from casedesk.core.notifications import (
    NotificationError,
    client_state_matches,
    parse_change_notifications,
    parse_lifecycle_notifications,
)
from casedesk.ports import Clock, OpsState, WorkQueue

log = logging.getLogger("casedesk.webhooks")
security_log = logging.getLogger("casedesk.security")
MAX_VALIDATION_TOKEN = 2048


@dataclass(frozen=True)
class HttpResult:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"


def _validation(query: Mapping[str, str]) -> HttpResult | None:
    """Graph's handshake: echo validationToken as text/plain, 200, within 10 seconds."""
    token = query.get("validationToken")
    if token is None:
        return None
    if len(token) > MAX_VALIDATION_TOKEN or not token.isprintable():
        return HttpResult(400, b"validationToken is not a plausible Graph token")
    return HttpResult(200, token.encode("utf-8"))


def handle_notifications(
    query: Mapping[str, str], body: bytes, ops: OpsState, queue: WorkQueue, clock: Clock
) -> HttpResult:
    """POST /api/notifications."""
    handshake = _validation(query)
    if handshake:
        return handshake
    try:
        notes = parse_change_notifications(body)
    except NotificationError as exc:
        log.warning(
            "notification refused", extra={"event": "notification.bad_request", "reason": str(exc)}
        )
        return HttpResult(400, str(exc).encode())
    queued = accept_notifications(notes, ops, queue, clock.now())
    log.info(
        "notifications accepted",
        extra={"event": "notification.accepted", "count": len(notes), "queued": queued},
    )
    return HttpResult(202)


def handle_lifecycle(
    query: Mapping[str, str], body: bytes, ops: OpsState, queue: WorkQueue
) -> HttpResult:
    """POST /api/lifecycle: check clientState, then queue the event for the worker."""
    handshake = _validation(query)
    if handshake:
        return handshake
    try:
        notes = parse_lifecycle_notifications(body)
    except NotificationError as exc:
        log.warning(
            "lifecycle refused", extra={"event": "lifecycle.bad_request", "reason": str(exc)}
        )
        return HttpResult(400, str(exc).encode())
    book = SubscriptionBook(ops)
    for note in notes:
        record = book.get(note.subscription_id)
        if record is None or not client_state_matches(record.client_state, note.client_state):
            security_log.warning(
                "lifecycle notification refused: unknown subscription or clientState mismatch",
                extra={"event": "security.client_state_mismatch"},
            )
            continue
        queue.send(
            {
                "kind": "lifecycle",
                "subscription_id": note.subscription_id,
                "event": note.event.value,
            }
        )
    return HttpResult(202)

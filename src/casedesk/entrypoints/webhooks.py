"""HTTP handlers for Graph notifications, shared by the Functions app and `casedesk serve`.

They only validate and enqueue, so Graph gets its answer well inside its 3-second
expectation; the work (triage, renewals, catch-up) happens on the queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from casedesk.core.intake import accept_lifecycle, accept_notifications
from casedesk.core.notifications import (
    NotificationError,
    parse_change_notifications,
    parse_lifecycle_notifications,
)
from casedesk.ports import Clock, OpsState, WorkQueue

log = logging.getLogger("casedesk.webhooks")
T = TypeVar("T")
MAX_VALIDATION_TOKEN = 2048


@dataclass(frozen=True)
class HttpResult:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()  # extra response headers (cache, CSP)


def _validation(query: Mapping[str, str]) -> HttpResult | None:
    """Graph's handshake: echo validationToken as text/plain, 200, within 10 seconds."""
    token = query.get("validationToken")
    if token is None:
        return None
    if len(token) > MAX_VALIDATION_TOKEN or not token.isprintable():
        return HttpResult(400, b"validationToken is not a plausible Graph token")
    return HttpResult(200, token.encode("utf-8"))


def _receive(
    query: Mapping[str, str],
    body: bytes,
    kind: str,
    parse: Callable[[bytes], Sequence[T]],
    accept: Callable[[Sequence[T]], int],
) -> HttpResult:
    """Handshake, or parse the whole collection (refusing it whole if malformed) and accept."""
    handshake = _validation(query)
    if handshake:
        return handshake
    try:
        notes = parse(body)
    except NotificationError as exc:
        log.warning(f"{kind} refused", extra={"event": f"{kind}.bad_request", "reason": str(exc)})
        return HttpResult(400, str(exc).encode())
    queued = accept(notes)
    log.info(
        f"{kind} accepted",
        extra={"event": f"{kind}.accepted", "count": len(notes), "queued": queued},
    )
    return HttpResult(202)


def handle_notifications(
    query: Mapping[str, str],
    body: bytes,
    ops: OpsState,
    queue: WorkQueue,
    clock: Clock,
    *,
    tenant_id: str | None,
) -> HttpResult:
    """POST /api/notifications: queue each genuine new message once.

    A refused notification (unknown subscription, wrong clientState, another tenant) still
    gets 202 with nothing queued: Graph retries anything but 2xx, and a forgery must not
    be retried (docs/http-routes.md)."""
    return _receive(
        query,
        body,
        "notification",
        parse_change_notifications,
        lambda notes: accept_notifications(notes, ops, queue, clock.now(), tenant_id=tenant_id),
    )


def handle_lifecycle(
    query: Mapping[str, str],
    body: bytes,
    ops: OpsState,
    queue: WorkQueue,
    *,
    tenant_id: str | None,
) -> HttpResult:
    """POST /api/lifecycle: queue each genuine lifecycle event for the worker (refusals as
    handle_notifications)."""
    return _receive(
        query,
        body,
        "lifecycle",
        parse_lifecycle_notifications,
        lambda notes: accept_lifecycle(notes, ops, queue, tenant_id=tenant_id),
    )

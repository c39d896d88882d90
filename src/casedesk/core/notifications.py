"""Microsoft Graph change and lifecycle notifications, read as untrusted input.

Shapes: https://learn.microsoft.com/graph/change-notifications-delivery-webhooks (change
notification collection) and https://learn.microsoft.com/graph/change-notifications-lifecycle-events.
Anything that does not match the documented shape is refused as a whole, not half-read.
"""

from __future__ import annotations

import hmac
import json
import re
from dataclasses import dataclass
from enum import StrEnum

from casedesk.errors import CaseDeskError

_RESOURCE = re.compile(
    r"^/?users/([^/]+)/(?:mailfolders\('?[^/]+'?\)/)?messages/([^/?]+)$", re.IGNORECASE
)
MAX_BODY_BYTES = 1_000_000  # Graph batches at most a few hundred notifications; 1 MB is ample


class NotificationError(CaseDeskError):
    """The request is not a Graph notification collection we can read."""


class LifecycleEvent(StrEnum):
    REAUTHORIZATION_REQUIRED = "reauthorizationRequired"
    SUBSCRIPTION_REMOVED = "subscriptionRemoved"
    MISSED = "missed"


@dataclass(frozen=True)
class ChangeNotification:
    subscription_id: str
    client_state: str | None
    change_type: str
    mailbox: str  # the user id or UPN from the resource path
    message_id: str
    tenant_id: str | None


@dataclass(frozen=True)
class LifecycleNotification:
    subscription_id: str
    client_state: str | None
    event: LifecycleEvent
    tenant_id: str | None


def is_office_tenant(expected: str | None, received: str | None) -> bool:
    """The notification names the office's tenant (GUIDs compare case-insensitively).

    `tenantId` is a required Guid on every change notification
    (https://learn.microsoft.com/graph/api/resources/changenotification); with no tenant
    configured nothing can be from it."""
    return bool(expected and received) and str(received).lower() == str(expected).lower()


def client_state_matches(expected: str, received: str | None) -> bool:
    """Constant-time comparison, so the secret cannot be guessed byte by byte from timing."""
    return received is not None and hmac.compare_digest(expected.encode(), received.encode())


def _collection(body: bytes) -> list[dict[str, object]]:
    if len(body) > MAX_BODY_BYTES:
        raise NotificationError(
            f"notification body of {len(body)} bytes is over the {MAX_BODY_BYTES} limit"
        )
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotificationError(
            f"notification body is not JSON: {exc.msg if hasattr(exc, 'msg') else exc}"
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("value"), list):
        raise NotificationError("notification body has no 'value' array")
    items: list[dict[str, object]] = []
    for item in data["value"]:
        if not isinstance(item, dict):
            raise NotificationError("notification 'value' holds something other than objects")
        items.append(item)
    return items


def _text(item: dict[str, object], key: str, required: bool = True) -> str | None:
    value = item.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > 4096:
        raise NotificationError(f"notification field '{key}' is missing or not a short string")
    return value


def parse_change_notifications(body: bytes) -> list[ChangeNotification]:
    out = []
    for item in _collection(body):
        resource = _text(item, "resource") or ""
        match = _RESOURCE.match(resource)
        resource_data = item.get("resourceData")
        data_id = resource_data.get("id") if isinstance(resource_data, dict) else None
        if not match:
            raise NotificationError("notification resource is not a user's message")
        message_id = data_id if isinstance(data_id, str) and data_id else match.group(2)
        out.append(
            ChangeNotification(
                subscription_id=_text(item, "subscriptionId") or "",
                client_state=_text(item, "clientState", required=False),
                change_type=_text(item, "changeType") or "",
                mailbox=match.group(1),
                message_id=message_id,
                tenant_id=_text(item, "tenantId", required=False),
            )
        )
    return out


def parse_lifecycle_notifications(body: bytes) -> list[LifecycleNotification]:
    out = []
    for item in _collection(body):
        event = _text(item, "lifecycleEvent") or ""
        try:
            lifecycle = LifecycleEvent(event)
        except ValueError as exc:
            raise NotificationError(f"unknown lifecycleEvent {event[:40]!r}") from exc
        out.append(
            LifecycleNotification(
                subscription_id=_text(item, "subscriptionId") or "",
                client_state=_text(item, "clientState", required=False),
                event=lifecycle,
                # Lifecycle notifications have been seen with organizationId in place of
                # tenantId (msgraph-sdk-java issue 1551); either names the tenant.
                tenant_id=_text(item, "tenantId", required=False)
                or _text(item, "organizationId", required=False),
            )
        )
    return out

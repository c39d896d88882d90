"""Subscriptions, change notifications and lifecycle notifications for Outlook messages.

Shapes: subscription-post-subscriptions, subscription-update, subscription-delete,
change-notifications-delivery-webhooks (validation, notification collection, 3 s expectation),
change-notifications-lifecycle-events (lifecycle payload), subscription resource (limits).
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import outbound
from .errors import GraphError
from .http import Req, Resp, json_resp, route
from .store import StoredMessage, Subscription

if TYPE_CHECKING:
    from .server import GraphFake

CHANGE_TYPES = {"created", "updated", "deleted"}
LIFECYCLE_EVENTS = {"reauthorizationRequired", "subscriptionRemoved", "missed"}
MIN_LIFETIME = timedelta(
    minutes=45
)  # shorter requests are raised to 45 minutes (subscription resource)
RESOURCE = re.compile(
    r"^/?users/(?P<u>[^/]+?)(?:/mailFolders(?:\('(?P<f1>[^']+)'\)|/(?P<f2>[^/]+)))?/messages$",
    re.IGNORECASE,
)
S = r"^/subscriptions/(?P<s>[^/]+)"


def _url_ok(fake: GraphFake, url: Any) -> bool:
    if not isinstance(url, str):
        return False
    if url.lower().startswith("https://"):
        return True
    return (
        fake.allow_http_loopback
        and re.match(r"^http://(127\.0\.0\.1|localhost)(:\d+)?/", url, re.IGNORECASE) is not None
    )


def _bad(message: str) -> GraphError:
    return GraphError(400, "ValidationError", message)


def _expiry(fake: GraphFake, value: Any) -> datetime:
    if not isinstance(value, str):
        raise GraphError(
            400,
            "InvalidRequest",
            "expirationDateTime is a required property for subscription creation.",
        )
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise GraphError(
            400,
            "BadRequest",
            f"Cannot convert the literal '{value}' to the expected type 'Edm.DateTimeOffset'.",
        ) from exc
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    now = fake.now()
    if when <= now:
        raise GraphError(400, "InvalidRequest", "Subscription expiration must be in the future.")
    if when - now > timedelta(minutes=fake.max_subscription_minutes):
        raise GraphError(
            400,
            "ExtensionError",
            f"Subscription expiration can only be {fake.max_subscription_minutes} minutes in the future.",
        )
    return max(when, now + MIN_LIFETIME)


def _check_body(fake: GraphFake, body: dict[str, Any]) -> None:
    kinds = str(body.get("changeType") or "")
    if not kinds or not set(kinds.split(",")) <= CHANGE_TYPES:
        raise _bad(f"Invalid changeType '{kinds}'. Supported values are created, updated, deleted.")
    if not _url_ok(fake, body.get("notificationUrl")):
        raise _bad("The notificationUrl must use the HTTPS protocol.")
    if body.get("lifecycleNotificationUrl") is not None and not _url_ok(
        fake, body["lifecycleNotificationUrl"]
    ):
        raise _bad("The lifecycleNotificationUrl must use the HTTPS protocol.")
    if len(str(body.get("clientState") or "")) > 128:
        raise _bad("clientState has a maximum length of 128 characters.")


def _resource(fake: GraphFake, value: Any) -> tuple[Any, str | None]:
    found = RESOURCE.match(str(value or ""))
    if not found:
        raise GraphError(
            400,
            "InvalidRequest",
            f"Resource '{value}' is not supported by this fake (Outlook messages only).",
        )
    box = fake.store.mailbox(found["u"])
    folder = found["f1"] or found["f2"]
    return box, fake.store.folder_name(box, folder) if folder else None


def _json(fake: GraphFake, sub_id: str, body: dict[str, Any], expires: datetime) -> dict[str, Any]:
    return {
        "@odata.context": f"{fake.base_url}/$metadata#subscriptions/$entity",
        "id": sub_id,
        "resource": body["resource"],
        "applicationId": fake.client_id,
        "changeType": body["changeType"],
        "clientState": body.get("clientState"),
        "notificationUrl": body["notificationUrl"],
        "notificationQueryOptions": None,
        "lifecycleNotificationUrl": body.get("lifecycleNotificationUrl"),
        "expirationDateTime": expires.strftime("%Y-%m-%dT%H:%M:%S.%f0Z"),
        "creatorId": fake.service_principal_id,
        "includeResourceData": False,
        "latestSupportedTlsVersion": body.get("latestSupportedTlsVersion", "v1_2"),
        "encryptionCertificate": None,
        "encryptionCertificateId": None,
        "notificationUrlAppId": None,
        "notificationContentType": "application/json",
    }


def create(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    body = req.json()
    for name in ("changeType", "notificationUrl", "resource"):
        if not body.get(name):
            raise GraphError(
                400, "InvalidRequest", f"{name} is a required property for subscription creation."
            )
    _check_body(fake, body)
    expires = _expiry(fake, body.get("expirationDateTime"))
    with fake.store.lock:
        box, folder = _resource(fake, body["resource"])
    outbound.validate_endpoint(body["notificationUrl"], fake.validation_timeout)
    if body.get("lifecycleNotificationUrl"):
        outbound.validate_endpoint(body["lifecycleNotificationUrl"], fake.validation_timeout)
    sub_id = str(uuid.uuid4())
    data = _json(fake, sub_id, body, expires)
    with fake.store.lock:
        fake.store.subscriptions[sub_id] = Subscription(data, box, folder, req.immutable, expires)
    return json_resp(201, data)


def _live(fake: GraphFake, sub_id: str) -> Subscription:
    sub = fake.store.subscriptions.get(sub_id)
    if sub is None or sub.expires <= fake.now():
        raise GraphError(404, "ResourceNotFound", f"The object '{sub_id}' doesn't exist.")
    return sub


def list_all(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    with fake.store.lock:
        live = [s.data for s in fake.store.subscriptions.values() if s.expires > fake.now()]
    return json_resp(
        200, {"@odata.context": f"{fake.base_url}/$metadata#subscriptions", "value": live}
    )


def get_one(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    with fake.store.lock:
        return json_resp(200, _live(fake, m["s"]).data)


def update(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    body = req.json()
    expires = _expiry(fake, body["expirationDateTime"]) if "expirationDateTime" in body else None
    if "notificationUrl" in body:
        if not _url_ok(fake, body["notificationUrl"]):
            raise _bad("The notificationUrl must use the HTTPS protocol.")
        outbound.validate_endpoint(body["notificationUrl"], fake.validation_timeout)
    with fake.store.lock:
        sub = _live(fake, m["s"])
        if expires is not None:
            sub.expires = expires
            sub.data["expirationDateTime"] = expires.strftime("%Y-%m-%dT%H:%M:%S.%f0Z")
        if "notificationUrl" in body:
            sub.data["notificationUrl"] = body["notificationUrl"]
        return json_resp(200, sub.data)


def delete(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    with fake.store.lock:
        _live(fake, m["s"])
        del fake.store.subscriptions[m["s"]]
    return Resp(204)


def reauthorize(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    with fake.store.lock:
        _live(fake, m["s"])
    return Resp(204)


def _item(fake: GraphFake, sub: Subscription, stored: StoredMessage, change: str) -> dict[str, Any]:
    msg_id = stored.ids[0 if sub.immutable else 1]
    path = f"Users/{stored.mailbox.id}/Messages/{msg_id}"
    return {
        "id": secrets.token_urlsafe(10),
        "subscriptionId": sub.data["id"],
        "subscriptionExpirationDateTime": sub.data["expirationDateTime"],
        "changeType": change,
        "resource": path,
        "clientState": sub.data.get("clientState"),
        "tenantId": fake.tenant_id,
        "resourceData": {
            "@odata.type": "#Microsoft.Graph.Message",
            "@odata.id": path,
            "@odata.etag": stored.etag(),
            "id": msg_id,
        },
    }


def payloads(fake: GraphFake, stored: StoredMessage, change: str) -> dict[str, dict[str, Any]]:
    """Notification collections to send, one per notificationUrl (Graph may batch them)."""
    batches: dict[str, dict[str, Any]] = {}
    with fake.store.lock:
        for sub in fake.store.subscriptions.values():
            wanted = change in str(sub.data["changeType"]).split(",")
            same_place = sub.mailbox is stored.mailbox and sub.folder in (None, stored.folder)
            if wanted and same_place and sub.expires > fake.now():
                batch = batches.setdefault(sub.data["notificationUrl"], {"value": []})
                batch["value"].append(_item(fake, sub, stored, change))
    return batches


def lifecycle_payload(fake: GraphFake, sub: Subscription, event: str) -> dict[str, Any]:
    if event not in LIFECYCLE_EVENTS:
        raise ValueError(
            f"unknown lifecycle event {event!r}; use one of {sorted(LIFECYCLE_EVENTS)}"
        )
    return {
        "value": [
            {
                "subscriptionId": sub.data["id"],
                "subscriptionExpirationDateTime": sub.data["expirationDateTime"],
                "tenantId": fake.tenant_id,
                "clientState": sub.data.get("clientState"),
                "lifecycleEvent": event,
            }
        ]
    }


ROUTES = [
    route("POST", r"^/subscriptions$", create),
    route("GET", r"^/subscriptions$", list_all),
    route("GET", S + r"$", get_one),
    route("PATCH", S + r"$", update),
    route("DELETE", S + r"$", delete),
    route("POST", S + r"/reauthorize$", reauthorize),
]

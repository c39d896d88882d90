"""Requests the fake makes as Graph: endpoint validation, change and lifecycle notifications.

Validation (https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks#notificationurl-validation):
POST {url}?validationToken=… with Content-Type text/plain; the endpoint must answer 200, text/plain,
the URL-decoded token, within 10 seconds. Notifications: a 2xx is expected within 3 seconds.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from .errors import GraphError


@dataclass
class Delivery:
    url: str
    payload: dict[str, Any]
    status: int | None  # None: no answer (refused, timed out)
    error: str | None = None


def _post(url: str, body: bytes, content_type: str, timeout: float) -> tuple[int, str, bytes]:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def validation_token() -> str:
    # Real tokens are opaque text that needs URL-decoding; this one has spaces and colons too.
    return f"Validation: Testing client application reachability for subscription Request-Id: {uuid.uuid4()}"


def validate_endpoint(url: str, timeout: float) -> None:
    """Graph's handshake; raises the documented 400 when the endpoint gets it wrong."""
    token = validation_token()
    target = f"{url}{'&' if '?' in url else '?'}validationToken={quote_plus(token)}"
    try:
        status, content_type, body = _post(target, b"", "text/plain; charset=utf-8", timeout)
    except TimeoutError as exc:
        raise GraphError(
            400, "InvalidRequest", "Subscription validation request timed out."
        ) from exc
    except (urllib.error.URLError, OSError) as exc:
        if "timed out" in str(exc):
            raise GraphError(
                400, "InvalidRequest", "Subscription validation request timed out."
            ) from exc
        raise GraphError(
            400,
            "ValidationError",
            "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.",
        ) from exc
    if status != 200:
        raise GraphError(
            400,
            "ValidationError",
            "Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.",
        )
    if (
        not content_type.lower().startswith("text/plain")
        or body.decode("utf-8", "replace") != token
    ):
        raise GraphError(
            400,
            "ValidationError",
            "Subscription validation request failed. Response must exactly match validationToken query parameter.",
        )


def post_json(url: str, payload: dict[str, Any], timeout: float) -> Delivery:
    try:
        status, _, _ = _post(
            url, json.dumps(payload).encode(), "application/json; charset=utf-8", timeout
        )
        return Delivery(url, payload, status)
    except (OSError, urllib.error.URLError) as exc:
        return Delivery(url, payload, None, str(exc))

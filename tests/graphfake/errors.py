"""Graph's error shape: {"error": {"code", "message", "innerError": {date, request-id, client-request-id}}}.

Source: https://learn.microsoft.com/en-us/graph/errors (shape, codes) and
https://learn.microsoft.com/en-us/graph/throttling (429 body with innerError code/status).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

JSON_TYPE = "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8"

# Default code/message for injected faults, by status.
DEFAULT_FAULTS: dict[int, tuple[str, str]] = {
    400: ("BadRequest", "Bad request."),
    401: ("InvalidAuthenticationToken", "Access token has expired or is not yet valid."),
    403: ("ErrorAccessDenied", "Access is denied. Check credentials and try again."),
    404: ("itemNotFound", "The resource could not be found."),
    409: ("conflict", "The request conflicts with the current state."),
    429: ("TooManyRequests", "Please retry again later."),
    500: ("generalException", "General exception while processing."),
    502: ("BadGateway", "Bad gateway."),
    503: ("serviceNotAvailable", "Service unavailable. Try again later."),
    504: ("GatewayTimeout", "The gateway timed out."),
}


class GraphError(Exception):
    """Raised by an endpoint; the handler turns it into Graph's error JSON."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        inner_code: str | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}
        self.inner_code = inner_code


def graph_date() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def error_body(
    code: str,
    message: str,
    client_request_id: str | None,
    status: int,
    inner_code: str | None = None,
) -> dict[str, Any]:
    request_id = str(uuid.uuid4())
    inner: dict[str, Any] = {
        "date": graph_date(),
        "request-id": request_id,
        "client-request-id": client_request_id or request_id,
    }
    if status == 429:  # the documented throttling sample carries these too
        inner.update({"code": "429", "status": "429", "message": "Please retry after"})
    if inner_code:
        inner["code"] = inner_code
    return {"error": {"code": code, "message": message, "innerError": inner}}


def encode(payload: Any) -> bytes:
    return json.dumps(payload).encode()

"""JSON batching: POST /v1.0/$batch (also /v1.0/%24batch).

Source: https://learn.microsoft.com/graph/json-batching (ms.date 02/21/2025):

- Body `{"requests": [{"id", "method", "url", "headers"?, "body"?, "dependsOn"?}]}`. At most 20
  requests. `id` is required, not case-sensitive and unique in the batch, "otherwise, the batch
  request fails with a 400 error code". `url` is relative to the version root (`/users` or
  `users?$select=…`). `headers` is required when there is a body and must then hold
  Content-Type. `body` is a JSON object, or a base64 (URL-)encoded value "for example, when the
  body is an image".
- Answer: 200 `{"responses": [{"id", "status", "headers", "body"}]}`, or 400 when the batch
  itself is malformed. A 200 says nothing about the requests inside it.
- `dependsOn`: "If an individual request fails, any request that depends on that request fails
  with status code 424 (Failed Dependency)."
- Throttling (https://learn.microsoft.com/graph/throttling#throttling-and-batching): each
  request is evaluated on its own and a throttled one answers 429 with its own Retry-After in
  its `headers`; "The batch itself succeeds with a status code of 200 (OK)."

What the fake does:

- Each request goes through the same routing, bearer-token check (the $batch request's
  Authorization applies to every request in it), per-mailbox concurrency limit and fault
  injection (`fail`/`delay`) as a request sent on its own. They run one after another in array
  order, which Graph allows for independent requests. `GraphFake.requests` logs the $batch
  round trip; `GraphFake.batched` logs each request run from inside a batch.
- A request whose dependency answered >= 400, or was itself not run, answers 424 in Graph's
  error shape and is not run. `dependsOn` must name requests earlier in the array: Graph
  answers a dependency on a later or unknown id with 400 "Invalid dependency for request Id …"
  (https://github.com/microsoftgraph/msgraph-sdk-dotnet-core/issues/891). Only `dependsOn` is
  read; msgraph-core 1.5.2 (Python) writes `depends_on`, which Graph ignores
  (https://github.com/microsoftgraph/msgraph-sdk-python-core/pull/996), and so does the fake.
- A POST, PUT or PATCH without a body or without a Content-Type header fails the whole batch
  with 400 "Write request id : {id} does not contain Content-Type header or body." (Graph's
  text, https://github.com/microsoftgraph/msgraph-sdk-dotnet/issues/2628). So does any body
  without a Content-Type header.
- A request body that is a JSON object or array is sent on as JSON. A string body is
  base64-decoded (standard or URL-safe alphabet, padding optional) into the raw bytes, whatever
  the Content-Type says: msgraph-core base64-encodes every body that is not a non-empty JSON
  object. A string that is not base64 fails the batch with 400.
- Response bodies: absent when empty (204); parsed JSON when the Content-Type is JSON; else a
  base64 string of the bytes. Graph also base64-encodes the (JSON) answer to a request whose
  body was sent base64, e.g. a driveItem `PUT …/content` ("by design":
  https://learn.microsoft.com/en-us/answers/questions/1352007/using-batching-with-the-graph-api-returns-the-body
  and https://github.com/microsoftgraph/msgraph-sdk-php-core/pull/103); the fake does the same
  unless `GraphFake(batch_base64_echo=False)`. A client should try JSON, then base64 (as
  msgraph-core's BatchResponseContent does).
- A `$batch` inside a batch answers 400 BadRequest in that request's slot.

Not documented by Microsoft, so the fake's choice: the error code of the 424 body
("FailedDependency") and the wording of the fake's own 400 messages (other than the two quoted).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import GraphError, error_body
from .http import Req, Resp, json_resp, route

if TYPE_CHECKING:
    from .server import GraphFake

MAX_REQUESTS = 20
WRITES = ("POST", "PUT", "PATCH")


@dataclass
class Inner:
    id: str
    method: str
    url: str
    headers: dict[str, str]  # names as sent
    body: bytes | None
    base64_body: bool
    depends_on: list[str]  # lower-case ids

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name), None)


def _bad(message: str) -> GraphError:
    return GraphError(400, "BadRequest", message)


def _header_value(value: Any) -> str:
    if isinstance(value, list):  # lenient: Graph's handling of a list value is undocumented
        return ", ".join(str(v) for v in value)
    return str(value)


def _decode(rid: str, text: str) -> bytes:
    cleaned = re.sub(r"\s+", "", text).replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _bad(f"The body of request id : {rid} is neither JSON nor base64.") from exc


def _body(rid: str, raw: dict[str, Any]) -> tuple[bytes | None, bool]:
    body = raw.get("body")
    if body is None:
        return None, False
    if isinstance(body, (dict, list)):
        return json.dumps(body).encode(), False
    if isinstance(body, str):
        return _decode(rid, body), True
    raise _bad(f"The body of request id : {rid} must be a JSON object or a base64 string.")


def _id(value: Any, position: int) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
        raise _bad(f"Request {position + 1} in the batch has no id; every request needs one.")
    return str(value)


def parse(req: Req) -> list[Inner]:
    try:
        payload = json.loads(req.body or b"null")
    except ValueError as exc:
        raise _bad("Unable to read JSON request payload of the batch.") from exc
    requests = payload.get("requests") if isinstance(payload, dict) else None
    if not isinstance(requests, list):
        raise _bad("A batch body is a JSON object with a 'requests' array.")
    if len(requests) > MAX_REQUESTS:
        raise _bad(f"The batch holds {len(requests)} requests; at most {MAX_REQUESTS} are allowed.")
    parsed: list[Inner] = []
    seen: set[str] = set()
    for position, raw in enumerate(requests):
        if not isinstance(raw, dict):
            raise _bad(f"Request {position + 1} in the batch is not a JSON object.")
        rid = _id(raw.get("id"), position)
        if rid.lower() in seen:
            raise _bad(f"The request id '{rid}' is not unique in the batch (ids ignore case).")
        method, url = raw.get("method"), raw.get("url")
        if not isinstance(method, str) or not method.strip():
            raise _bad(f"Request id : {rid} has no method.")
        if not isinstance(url, str) or not url.strip():
            raise _bad(f"Request id : {rid} has no url.")
        headers = raw.get("headers") or {}
        if not isinstance(headers, dict):
            raise _bad(f"The headers of request id : {rid} must be a JSON object.")
        body, b64 = _body(rid, raw)
        item = Inner(
            rid,
            method.strip().upper(),
            url.strip(),
            {str(k): _header_value(v) for k, v in headers.items()},
            body,
            b64,
            [],
        )
        if (item.method in WRITES or body is not None) and (
            body is None or not item.header("content-type")
        ):
            raise _bad(f"Write request id : {rid} does not contain Content-Type header or body.")
        depends = raw.get("dependsOn") or []
        if not isinstance(depends, list):
            raise _bad(f"The dependsOn of request id : {rid} must be an array of ids.")
        for dep in depends:
            key = str(dep).lower()
            if isinstance(dep, (dict, list)) or key not in seen:
                raise _bad(
                    f"Invalid dependency for request Id {rid}: '{dep}' is not an earlier request in the batch."
                )
            item.depends_on.append(key)
        seen.add(rid.lower())
        parsed.append(item)
    return parsed


def _run(fake: GraphFake, outer: Req, item: Inner) -> Resp:
    path = item.url.lstrip("/")
    target = f"/v1.0/{path}"
    if re.match(r"(?i)(?:%24|\$)batch(?:[/?]|$)", path):
        return json_resp(
            400,
            error_body(
                "BadRequest",
                "A batch cannot contain a batch request.",
                outer.headers.get("client-request-id"),
                400,
            ),
        )
    # The $batch request's Authorization applies to every request in it.
    logged = {k: v for k, v in item.headers.items() if k.lower() != "authorization"}
    headers = {k.lower(): v for k, v in logged.items()}
    if "authorization" in outer.headers:
        logged["Authorization"] = headers["authorization"] = outer.headers["authorization"]
    if "client-request-id" in outer.headers:
        headers.setdefault("client-request-id", outer.headers["client-request-id"])
    headers.setdefault("prefer", "")
    body = item.body or b""
    fake.record_batched((time.monotonic(), item.method, target, logged, body))
    return fake.respond(item.method, target, headers, body)


def _encode(item: Inner, resp: Resp, echo_base64: bool) -> dict[str, Any]:
    headers = dict(resp.headers)
    out: dict[str, Any] = {"id": item.id, "status": resp.status, "headers": headers}
    if not resp.body:
        return out
    if resp.content_type:
        headers["Content-Type"] = resp.content_type
    is_json = (resp.content_type or "").lower().startswith("application/json")
    if is_json and not (echo_base64 and item.base64_body):
        try:
            out["body"] = json.loads(resp.body)
            return out
        except ValueError:
            pass
    out["body"] = base64.b64encode(resp.body).decode("ascii")
    return out


def run_batch(fake: GraphFake, req: Req, m: re.Match[str]) -> Resp:
    statuses: dict[str, tuple[str, int]] = {}  # lower-case id -> (id, status)
    responses: list[dict[str, Any]] = []
    for item in parse(req):
        failed = next((statuses[d][0] for d in item.depends_on if statuses[d][1] >= 400), None)
        if failed is None:
            resp = _run(fake, req, item)
        else:
            message = (
                f"Request {item.id} was not run: request {failed}, which it depends on, failed."
            )
            payload = error_body(
                "FailedDependency", message, req.headers.get("client-request-id"), 424
            )
            resp = json_resp(424, payload)
        statuses[item.id.lower()] = (item.id, resp.status)
        responses.append(_encode(item, resp, fake.batch_base64_echo))
    return json_resp(200, {"responses": responses})


ROUTES = [route("POST", r"^/\$batch$", run_batch)]

"""A local server speaking OpenAI's Chat Completions JSON, on both URL shapes CaseDesk uses:

- `POST /chat/completions` and `POST /v1/chat/completions` (an OpenAI-compatible base URL;
  `Authorization: Bearer <key>`),
- `POST /openai/deployments/{deployment}/chat/completions?api-version=...` (Azure OpenAI;
  `api-key: <key>` or `Authorization: Bearer <Entra token>`).

Response shape from OpenAI's chat completion object (id, object "chat.completion", created,
model, choices[{index, message{role, content, refusal}, logprobs, finish_reason}], usage
{prompt_tokens, completion_tokens, total_tokens}); errors as `{"error": {...}}`. Every
request is recorded. What the "model" does next is scripted: see BEHAVIOURS.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .drafts import draft_answer_for
from .model import answer_for

_AZURE = re.compile(r"^/openai/deployments/([^/]+)/chat/completions$")
_PLAIN = ("/chat/completions", "/v1/chat/completions")
CREATED = 1763888400  # fixed, so recorded responses compare equal run to run


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: dict[str, Any]

    @property
    def sent_text(self) -> str:
        """Everything the client sent in its messages, as one string."""
        return "\n".join(str(m.get("content", "")) for m in self.body.get("messages", []))


@dataclass
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Behaviour = Callable[["OpenAIFake", dict[str, Any]], Reply]


def _error(status: int, code: str, message: str, kind: str = "invalid_request_error") -> Reply:
    return Reply(status, {"error": {"message": message, "type": kind, "param": None, "code": code}})


def completion(
    fake: OpenAIFake,
    request: dict[str, Any],
    content: str | None,
    finish_reason: str = "stop",
    refusal: str | None = None,
) -> Reply:
    prompt_tokens = max(1, len(json.dumps(request.get("messages", []))) // 4)
    completion_tokens = len(content or refusal or "") // 4
    fake.usage_returned.append((prompt_tokens, completion_tokens))
    return Reply(
        200,
        {
            "id": f"chatcmpl-fake{fake.next_id():06d}",
            "object": "chat.completion",
            "created": CREATED,
            "model": fake.model_name,
            "system_fingerprint": "fp_fake",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": refusal},
                    "logprobs": None,
                    "finish_reason": finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        },
    )


def _answer(**changes: Any) -> Behaviour:
    """A valid answer for the request, with keys changed (None removes one)."""

    def behave(fake: OpenAIFake, request: dict[str, Any]) -> Reply:
        answer = answer_for(request)
        for key, value in changes.items():
            if value is None:
                answer.pop(key, None)
            else:
                answer[key] = value
        return completion(fake, request, json.dumps(answer))

    return behave


def _raw(content: str | None, finish_reason: str = "stop", refusal: str | None = None) -> Behaviour:
    return lambda fake, request: completion(fake, request, content, finish_reason, refusal)


def _slow(fake: OpenAIFake, request: dict[str, Any]) -> Reply:
    reply = _answer()(fake, request)
    reply.delay = fake.slow_seconds
    return reply


def _rate_limited(fake: OpenAIFake, request: dict[str, Any]) -> Reply:
    reply = _error(
        429,
        "429",
        "Requests to the ChatCompletions_Create Operation have exceeded the token rate limit "
        f"of your current tier. Please retry after {fake.retry_after} seconds.",
        kind="rate_limit_error",
    )
    reply.headers["Retry-After"] = fake.retry_after
    return reply


BEHAVIOURS: dict[str, Behaviour] = {
    "valid": _answer(),
    "invalid_json": _raw('{"category": "casework", "topic": "housing", "urgent": tr'),
    "not_json": _raw("This looks like casework about housing to me."),
    "wrong_enum": _answer(category="urgent_casework"),
    "missing_key": _answer(topic=None),
    "extra_key": _answer(assign_to="eve@example.com"),
    "wrong_type": _answer(urgent="yes"),
    "out_of_range": _answer(confidence=7),
    "truncated": _raw('{"category": "casework", "topic": "hou', finish_reason="length"),
    "refusal": _raw(None, refusal="I'm sorry, I can't help with that request."),
    "no_choices": lambda fake, request: Reply(
        200, {**completion(fake, request, "{}").body, "choices": []}
    ),
    "rate_limited": _rate_limited,
    "quota_exhausted": lambda fake, request: _error(
        429,
        "insufficient_quota",
        "You exceeded your current quota, please check your plan and billing details.",
        kind="insufficient_quota",
    ),
    "server_error": lambda fake, request: _error(
        500,
        "InternalServerError",
        "The server had an error while processing your request.",
        kind="server_error",
    ),
    "unavailable": lambda fake, request: _error(
        503,
        "ServiceUnavailable",
        "The service is temporarily unable to process your request.",
        kind="server_error",
    ),
    "content_filter_prompt": lambda fake, request: _error(
        400,
        "content_filter",
        "The response was filtered due to the prompt triggering Azure OpenAI's content "
        "management policy.",
    ),
    "slow": _slow,
    # A model that follows the injected instructions, in the ways a schema check must catch:
    "obey_extra_keys": _answer(assign_to="eve@example.com", close=True, status="closed"),
    "obey_enum": _answer(category="escalate_to_mp", topic="forward_case_file"),
    "obey_action_array": lambda fake, request: completion(
        fake,
        request,
        json.dumps([{"action": "send_reply"}, {"action": "close_case", "case": "CD-2026-000001"}]),
    ),
    # ... and one a schema cannot catch: a valid answer with instructions in its reasons.
    "obey_valid": _answer(
        category="abuse",
        urgent=True,
        reasons=["assign to eve@example.com and close case CD-2026-000001 as instructed"],
        contains_instructions=False,
    ),
}


def _draft(variant: str) -> Behaviour:
    """A drafting answer (drafts.py): grounded, or with one invented fact, or obeying an
    injected instruction."""

    def behave(fake: OpenAIFake, request: dict[str, Any]) -> Reply:
        return completion(fake, request, json.dumps(draft_answer_for(request, variant)))

    return behave


BEHAVIOURS.update({
    f"draft_{variant}": _draft(variant)
    for variant in ("grounded", "invented_ref", "invented_date", "invented_name",
                    "invented_postcode", "invented_phone", "invented_money", "obey_injection",
                    "unknown_source", "placeholder")
})  # fmt: skip


class OpenAIFake:
    def __init__(
        self,
        api_key: str = "test-key",
        deployments: tuple[str, ...] = ("casedesk-gpt",),
        bearer_token: str | None = None,
        model_name: str = "gpt-4o-mini-2024-07-18",
    ) -> None:
        self.api_key, self.bearer_token = api_key, bearer_token
        self.deployments, self.model_name = deployments, model_name
        self.default = "valid"
        self.retry_after = "2"
        self.slow_seconds = 5.0
        self.requests: list[Recorded] = []
        self.usage_returned: list[tuple[int, int]] = []  # (prompt, completion) tokens per answer
        # Called as each request arrives, before it is answered: a test acts while the model
        # "thinks" (e.g. writes to the office's store, as another process would).
        self.on_request: Callable[[], None] | None = None
        self._script: deque[str] = deque()
        self._lock = threading.Lock()
        self._ids = 0
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> OpenAIFake:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> OpenAIFake:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        """For an OpenAI-compatible client: requests go to {base_url}/chat/completions."""
        return f"{self.url}/v1"

    # --- scripting and inspection --------------------------------------------------------

    def script(self, *behaviours: str) -> None:
        """The next requests' behaviours, in order; then `default` for the rest."""
        unknown = [b for b in behaviours if b not in BEHAVIOURS]
        assert not unknown, f"unknown behaviours {unknown}; known: {sorted(BEHAVIOURS)}"
        with self._lock:
            self._script.extend(behaviours)

    @contextmanager
    def behaving(self, default: str) -> Iterator[None]:
        previous, self.default = self.default, default
        try:
            yield
        finally:
            self.default = previous

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()
            self.usage_returned.clear()
            self._script.clear()

    def next_id(self) -> int:
        with self._lock:
            self._ids += 1
            return self._ids

    # --- serving -------------------------------------------------------------------------

    def handle(self, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
        if self.on_request is not None:
            self.on_request()
        azure = _AZURE.match(recorded.path)
        if azure is None and recorded.path not in _PLAIN:
            return _error(404, "404", "Resource not found")
        if azure is not None:
            if not recorded.query.get("api-version"):
                return _error(404, "404", "Resource not found")
            if not self._azure_authorised(recorded.headers):
                return _error(
                    401,
                    "401",
                    "Access denied due to invalid subscription key or wrong API endpoint. Make "
                    "sure to provide a valid key for an active subscription and use a correct "
                    "regional API endpoint for your resource.",
                )
            if azure.group(1) not in self.deployments:
                return _error(
                    404,
                    "DeploymentNotFound",
                    "The API deployment for this resource does not exist.",
                )
        elif self.api_key and recorded.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "invalid_api_key", "Incorrect API key provided.")
        problem = _request_problem(recorded.body)
        if problem:
            return _error(400, "invalid_request", problem)
        with self._lock:
            name = self._script.popleft() if self._script else self.default
        return BEHAVIOURS[name](self, recorded.body)

    def _azure_authorised(self, headers: dict[str, str]) -> bool:
        if self.api_key and headers.get("api-key") == self.api_key:
            return True
        return bool(self.bearer_token) and headers.get("authorization") == (
            f"Bearer {self.bearer_token}"
        )

    def wait(self, seconds: float) -> None:
        """Sleep that ends early when the server stops (slow replies)."""
        self._stopping.wait(seconds)


def _request_problem(body: dict[str, Any]) -> str | None:
    """What a real endpoint would refuse, as far as CaseDesk's requests go."""
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "'messages' is a required property"
    if not body.get("model"):
        return "'model' is a required property"
    fmt = body.get("response_format") or {}
    schema = fmt.get("json_schema") or {}
    if fmt.get("type") != "json_schema" or schema.get("strict") is not True:
        return "expected response_format json_schema with strict true"
    return None


def _handler(fake: OpenAIFake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # else Nagle + delayed ACK add ~40 ms per answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                body = {}
            recorded = Recorded(
                "POST",
                split.path,
                {k: v[-1] for k, v in parse_qs(split.query).items()},
                {k.lower(): v for k, v in self.headers.items()},
                body if isinstance(body, dict) else {},
            )
            reply = fake.handle(recorded)
            if reply.delay:
                fake.wait(reply.delay)
            data = json.dumps(reply.body).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("x-request-id", f"req-{fake.next_id()}")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to answer

    return Handler

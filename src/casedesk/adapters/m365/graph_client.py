"""One configured Graph client: base URL, app-only token, retries that honour Retry-After,
and a per-mailbox concurrency cap.

We give msgraph-sdk a plain httpx client, without the SDK's default retry middleware: that
middleware retries POSTs too, and a retried createReply or list-item POST whose first
attempt had succeeded would leave a second copy. Retries happen here instead (tenacity),
only for throttling and outages, and every create is looked-before or recorded (see callers).
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    RetryError,
    retry_if_exception,
    stop_after_attempt,
)

from casedesk.errors import CaseDeskError, TransientError

T = TypeVar("T")
RETRY_STATUSES = frozenset({429, 503, 504})
# Exchange Online allows 4 concurrent requests per app per mailbox:
# https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits
MAILBOX_CONCURRENCY = 4
GRAPH_BASE = "https://graph.microsoft.com/v1.0"


@dataclass
class RetryPolicy:
    attempts: int = 6
    base_seconds: float = 1.0
    max_seconds: float = 60.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep)


class _TokenProvider:
    """kiota AccessTokenProvider over our token source, for Graph's host only."""

    def __init__(self, token: Callable[[], str], host: str) -> None:
        from kiota_abstractions.authentication import AllowedHostsValidator

        self._token, self._validator = token, AllowedHostsValidator([host])

    async def get_authorization_token(
        self, uri: str, additional_authentication_context: Any = None
    ) -> str:
        if not self._validator.is_url_host_valid(uri):
            return ""
        return await asyncio.to_thread(self._token)

    def get_allowed_hosts_validator(self) -> Any:
        return self._validator


class GraphAuthError(CaseDeskError):
    """Graph refused an access token Entra ID had just issued: the app is not accepted."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(f"{problem}. Fix: {fix}")
        self.fix = fix


def graph_error_text(exc: BaseException) -> str:
    """Graph's error code and message (ids and wording, never request content)."""
    error = getattr(exc, "error", None)
    code, message = getattr(error, "code", None), getattr(error, "message", None)
    return ": ".join(str(p) for p in (code, message) if p) or type(exc).__name__


def retry_after_seconds(exc: BaseException) -> float | None:
    headers = getattr(exc, "response_headers", None) or {}
    for key, value in dict(headers).items():
        if key.lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except ValueError:
                return None
    return None


def status_of(exc: BaseException) -> int | None:
    code = getattr(exc, "response_status_code", None)
    return int(code) if isinstance(code, int) else None


def is_transient(exc: BaseException) -> bool:
    import httpx

    return status_of(exc) in RETRY_STATUSES or isinstance(exc, httpx.TransportError)


class GraphCaller:
    """Runs msgraph-sdk coroutines synchronously on a private event loop, with retries."""

    def __init__(
        self,
        token: Callable[[], str],
        base_url: str = GRAPH_BASE,
        retry: RetryPolicy | None = None,
        timeout_seconds: float = 30.0,
        forget_token: Callable[[], None] | None = None,
    ) -> None:
        """forget_token drops the cached token (MsalTokenSource.forget): on a 401 the call
        is retried once with a freshly issued token."""
        import httpx
        from kiota_abstractions.authentication import BaseBearerTokenAuthenticationProvider
        from msgraph.graph_request_adapter import GraphRequestAdapter
        from msgraph.graph_service_client import GraphServiceClient

        self.loop = asyncio.new_event_loop()
        self._loop_lock = threading.Lock()
        self.retry = retry or RetryPolicy()
        self.forget_token = forget_token
        self.tokens_refreshed = 0
        self.requests_sent = 0
        self.base_url = base_url.rstrip("/")
        host = urlsplit(self.base_url).hostname or "graph.microsoft.com"
        http = httpx.AsyncClient(timeout=timeout_seconds, event_hooks={"request": [self._count]})
        tokens: Any = _TokenProvider(token, host)  # duck-typed kiota AccessTokenProvider
        adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(tokens), http)
        adapter.base_url = self.base_url
        self.client = GraphServiceClient(request_adapter=adapter)
        self._mailbox_slots: dict[str, asyncio.Semaphore] = {}

    async def _count(self, _request: Any) -> None:
        self.requests_sent += 1

    def _slot(self, mailbox: str | None) -> asyncio.Semaphore | None:
        if mailbox is None:
            return None
        key = mailbox.lower()
        if key not in self._mailbox_slots:
            self._mailbox_slots[key] = asyncio.Semaphore(MAILBOX_CONCURRENCY)
        return self._mailbox_slots[key]

    def _wait(self, state: RetryCallState) -> float:
        """Retry-After when Graph sent one, else exponential backoff; jitter only ever adds,
        so no call goes back before Retry-After has elapsed."""
        exc = state.outcome.exception() if state.outcome else None
        wait = retry_after_seconds(exc) if exc else None
        if wait is None:
            wait = min(
                self.retry.max_seconds, self.retry.base_seconds * 2 ** (state.attempt_number - 1)
            )
        return wait + random.uniform(0, 0.25 * max(wait, 0.1))

    async def _with_retries(self, call: Callable[[], Awaitable[T]], mailbox: str | None) -> T:
        slot = self._slot(mailbox)

        async def once() -> T:
            if slot is None:
                return await call()
            async with slot:
                return await call()

        try:
            return await self._retried(once)
        except Exception as refused:
            if status_of(refused) != 401:
                raise
            if self.forget_token is None:
                raise self._auth_error(refused, fresh=False) from refused
            first = refused
        # 401 InvalidAuthenticationToken: the cached token was revoked or is no longer good
        # for this app. A 401 means Graph did not act on the request, so sending it once more
        # with a new token cannot do anything twice.
        await asyncio.to_thread(self.forget_token)
        self.tokens_refreshed += 1
        try:
            return await self._retried(once)
        except Exception as again:
            if status_of(again) == 401:
                raise self._auth_error(again, fresh=True) from first
            raise

    async def _retried(self, once: Callable[[], Awaitable[T]]) -> T:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.retry.attempts),
            wait=self._wait,
            retry=retry_if_exception(is_transient),
            sleep=self.retry.sleep,
        )
        try:
            return await retrying(once)
        except RetryError as gave_up:
            exc = gave_up.last_attempt.exception()
            raise TransientError(
                f"Graph still unavailable after {self.retry.attempts} attempts "
                f"(status {status_of(exc) if exc else None}); the work stays queued and will be retried"
            ) from exc

    def _auth_error(self, exc: BaseException, fresh: bool) -> GraphAuthError:
        which = "a freshly issued access token as well" if fresh else "CaseDesk's access token"
        return GraphAuthError(
            f"Microsoft Graph refused {which} (401 {graph_error_text(exc)}): Entra ID issues "
            "tokens to the app, but Graph does not accept them",
            "check that CASEDESK_TENANT_ID is the tenant of the office mailboxes, that "
            "CASEDESK_CLIENT_ID is the CaseDesk app registration there, enabled, with admin "
            "consent for its Graph permissions (docs/m365-setup.md); then run casedesk m365 check",
        )

    def run(self, call: Callable[[], Awaitable[T]], mailbox: str | None = None) -> T:
        with self._loop_lock:
            return self.loop.run_until_complete(self._with_retries(call, mailbox))

    def close(self) -> None:
        with self._loop_lock:
            self.loop.close()


def immutable_ids() -> Any:
    """Request configuration asking Graph for immutable message ids."""
    from kiota_abstractions.base_request_configuration import RequestConfiguration

    config: Any = RequestConfiguration()
    config.headers.add("Prefer", 'IdType="ImmutableId"')
    return config

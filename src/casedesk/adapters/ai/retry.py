"""Retries for model requests: the only retry layer (the openai SDK's own is switched off).

Throttling (429), server errors (5xx), timeouts and dropped connections are retried a few
times, never sooner than the server's Retry-After; anything else (a bad key, a request the
service refuses) is not, because trying again cannot help. When a Retry-After is longer than
we are willing to wait, we stop at once: the message is labelled by the fallback instead of
holding up the queue.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from tenacity import RetryCallState, RetryError, Retrying, retry_if_exception

T = TypeVar("T")
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    base_seconds: float = 1.0
    max_wait_seconds: float = 30.0  # a longer Retry-After means "fall back now"
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)


class GaveUp(Exception):  # noqa: N818 - the outcome, not a bug
    """No answer after the retries; `why` is short and safe to store in reasons."""

    def __init__(self, why: str, kind: str, attempts: int) -> None:
        super().__init__(why)
        self.why, self.kind, self.attempts = why, kind, attempts


def status_of(exc: BaseException | None) -> int | None:
    code = getattr(exc, "status_code", None)
    return code if isinstance(code, int) else None


def is_transient(exc: BaseException) -> bool:
    import openai

    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if getattr(exc, "code", None) == "insufficient_quota":  # a 429 that waiting cannot fix
        return False
    return status_of(exc) in RETRY_STATUSES


def retry_after_seconds(exc: BaseException | None, now: Callable[[], datetime]) -> float | None:
    """Retry-After (or Azure's retry-after-ms) from a response, as seconds from now."""
    response = getattr(exc, "response", None)
    headers: Any = getattr(response, "headers", None)
    if not headers:
        return None
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now()).total_seconds())


def failure_kind(exc: BaseException | None) -> str:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "connection"
    status = status_of(exc)
    if status == 429:
        return "rate_limited"
    if status is not None and status >= 500:
        return "server_error"
    if status is not None:
        return f"http_{status}"
    return type(exc).__name__ if exc else "unknown"


def describe_failure(exc: BaseException | None) -> str:
    status = status_of(exc)
    kind = failure_kind(exc)
    if kind in ("timeout", "connection"):
        return "timed out" if kind == "timeout" else "could not connect"
    if status == 400 and getattr(exc, "code", None) == "content_filter":
        return "refused by the service's content filter"
    return f"HTTP {status}" if status is not None else kind


class Retrier:
    """Calls a function under the policy; GaveUp when it never succeeded."""

    def __init__(
        self,
        policy: RetryPolicy,
        on_retry: Callable[[str, float], None] | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.policy, self.on_retry, self.now = policy, on_retry, now

    def _wait(self, state: RetryCallState) -> float:
        """Retry-After when the server sent one, else exponential backoff; jitter only ever
        adds, so no request goes back before Retry-After has passed."""
        exc = state.outcome.exception() if state.outcome else None
        wait = retry_after_seconds(exc, self.now)
        if wait is None:
            wait = min(
                self.policy.max_wait_seconds,
                self.policy.base_seconds * 2 ** (state.attempt_number - 1),
            )
        return wait + random.uniform(0, 0.25 * max(wait, 0.1))

    def _stop(self, state: RetryCallState) -> bool:
        if state.attempt_number >= self.policy.attempts:
            return True
        exc = state.outcome.exception() if state.outcome else None
        wait = retry_after_seconds(exc, self.now)
        return wait is not None and wait > self.policy.max_wait_seconds

    def _before_sleep(self, state: RetryCallState) -> None:
        if self.on_retry and state.outcome is not None:
            wait = state.next_action.sleep if state.next_action else 0.0
            self.on_retry(failure_kind(state.outcome.exception()), wait)

    def call(self, fn: Callable[[], T]) -> T:
        attempts = 0

        def attempt() -> T:
            nonlocal attempts
            attempts += 1
            return fn()

        retrying = Retrying(
            stop=self._stop,
            wait=self._wait,
            retry=retry_if_exception(is_transient),
            sleep=self.policy.sleep,
            before_sleep=self._before_sleep,
            reraise=False,
        )
        try:
            return retrying(attempt)
        except RetryError as gave_up:
            exc = gave_up.last_attempt.exception()
            raise GaveUp(
                f"{describe_failure(exc)} after {attempts} attempt{'s' if attempts > 1 else ''}",
                failure_kind(exc),
                attempts,
            ) from exc
        except Exception as exc:
            if _is_openai_error(exc):  # not retryable: a bad key, a refused request
                raise GaveUp(describe_failure(exc), failure_kind(exc), attempts) from exc
            raise


def _is_openai_error(exc: BaseException) -> bool:
    import openai

    return isinstance(exc, openai.OpenAIError)

"""The Classifier port over Azure OpenAI, or any OpenAI-compatible endpoint.

One message: personal data is redacted (redact.py); a near-copy of a message already
answered reuses that answer (cluster_cache.py); otherwise the subject and new text go to the
model inside the prompt's data block, with structured outputs; the answer is validated
(answer.py) and mapped to a label, with the keyword lexicon's threat and urgency safety net
on top. Anything short of a valid answer (timeouts, throttling, outages after retries, a
refusal, a truncated or schema-breaking answer) labels the message with the embedded
classifier instead, and the label says so. The model only labels: its answer has no field
that could assign, close, forward or send anything.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from casedesk.adapters.ai.answer import AnswerRejected, ClassifyAnswer, parse_answer
from casedesk.adapters.ai.cluster_cache import NearDuplicateCache
from casedesk.adapters.ai.completion import answer_content
from casedesk.adapters.ai.config import MAX_COMPLETION_TOKENS, AIConfig
from casedesk.adapters.ai.prompt import Prompt, load_prompt
from casedesk.adapters.ai.redact import Redacted, redact_message
from casedesk.adapters.ai.retry import GaveUp, Retrier
from casedesk.adapters.ai.safety_net import with_lexicon_safety_net
from casedesk.adapters.ai.usage import AIUsage, UsageMeter
from casedesk.adapters.embedded.keyword_classifier import KeywordClassifier
from casedesk.core.models import Category, Classification, ParsedMessage
from casedesk.ports import Classifier
from casedesk.settings import Settings

log = logging.getLogger("casedesk.ai")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class AzureOpenAIClassifier:
    def __init__(
        self,
        config: AIConfig,
        fallback: Classifier,
        *,
        prompt: Prompt | None = None,
        client: Any = None,
        token_provider: Callable[[], str] | None = None,
    ) -> None:
        """client: an openai client to use as is; otherwise one is made from config on the
        first request (so building the classifier costs no SDK import)."""
        self.config, self.fallback = config, fallback
        self.prompt = prompt or load_prompt()
        self.name = f"ai:{config.model}:{self.prompt.id}"
        self.fallback_name = f"ai-fallback:{fallback.name}"
        self.meter = UsageMeter(config.prices)
        self.cache: NearDuplicateCache[ClassifyAnswer] = NearDuplicateCache(
            config.cache_threshold, wait_seconds=config.longest_wait_seconds
        )
        self.retrier = Retrier(config.retry, on_retry=self._on_retry)
        self.lexicon = KeywordClassifier()
        self._client, self._token_provider = client, token_provider
        self._client_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, fallback: Classifier) -> AzureOpenAIClassifier:
        return cls(AIConfig.from_settings(settings), fallback)

    def __repr__(self) -> str:
        return f"AzureOpenAIClassifier({self.name!r}, {self.config.where!r})"

    # A worker process gets its own copy built from the config: no client, lock or cache
    # crosses a process boundary.
    def __getstate__(self) -> dict[str, Any]:
        return {"config": self.config, "fallback": self.fallback, "prompt": self.prompt}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["config"], state["fallback"], prompt=state["prompt"])  # type: ignore[misc]

    @property
    def usage(self) -> AIUsage:
        return self.meter.snapshot()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    # --- the port ------------------------------------------------------------------------

    def classify(self, message: ParsedMessage) -> Classification:
        self.meter.add(messages=1)
        try:
            return self._classify(message)
        except Exception as exc:
            # Never lose a label to a bug or an SDK surprise: the embedded classifier answers.
            log.warning(
                "AI classifier failed; the embedded classifier labelled the message",
                extra={
                    "event": "ai.error",
                    "message_id": message.message_id,
                    "error": type(exc).__name__,
                },
            )
            return self._fall_back(message, "error", f"AI classifier error ({type(exc).__name__})")

    def _classify(self, message: ParsedMessage) -> Classification:
        redacted = redact_message(
            message.subject, message.new_text, message.from_name, message.from_addr
        )
        digest = hashlib.sha256(redacted.text.encode("utf-8")).hexdigest()
        claim = self.cache.claim(redacted.body, digest)
        if claim.value is not None:
            self.meter.add(cache_hits=1)
            similarity = None if claim.is_same_text else claim.similarity
            label = self._label(message, claim.value, similarity)
            self._log(message, "near_copy", label, redacted)
            return label
        try:
            answer = self._ask(redacted)
        except GaveUp as gave_up:
            claim.abandon()
            return self._fall_back(message, gave_up.kind, f"AI unavailable: {gave_up.why}")
        except AnswerRejected as rejected:
            claim.abandon()
            return self._fall_back(message, rejected.kind, f"AI answer rejected: {rejected.why}")
        except BaseException:
            claim.abandon()
            raise
        claim.fulfil(answer)
        self.meter.add(answers=1)
        label = self._label(message, answer, None)
        self._log(message, "model", label, redacted)
        return label

    # --- the model -----------------------------------------------------------------------

    def _get_client(self) -> Any:
        with self._client_lock:
            if self._client is None:
                from casedesk.adapters.ai.client import make_client

                self._client = make_client(self.config, self._token_provider)
            return self._client

    def _ask(self, redacted: Redacted) -> ClassifyAnswer:
        client = self._get_client()
        messages = self.prompt.messages(message=redacted.text)
        response_format = self.prompt.response_format()

        def request() -> Any:
            self.meter.add(requests=1)
            return client.chat.completions.create(
                model=self.config.model,
                messages=messages,
                response_format=response_format,
                temperature=0,
                max_completion_tokens=MAX_COMPLETION_TOKENS,
            )

        return parse_answer(answer_content(self.retrier.call(request), self.meter))

    def _on_retry(self, kind: str, wait_seconds: float) -> None:
        self.meter.add(retries=1)
        log.info(
            "AI request failed; retrying",
            extra={"event": "ai.retry", "kind": kind, "wait_seconds": round(wait_seconds, 2)},
        )

    # --- labels --------------------------------------------------------------------------

    def _label(
        self, message: ParsedMessage, answer: ClassifyAnswer, near_copy: float | None
    ) -> Classification:
        """The model's answer as a label; near_copy is the similarity when the answer was
        given for another message (its free-text reasons describe that letter, not this one,
        so they are not copied)."""
        category = Category.ABUSE if answer.threat else answer.category
        headline = f"ai: {category.value} ({answer.confidence:.2f})"
        if near_copy is None:
            reasons = [headline, *(f"ai: {_one_line(r)}" for r in answer.reasons if r.strip())]
        else:
            reasons = [
                f"{headline}, reused from a near-copy already classified "
                f"(similarity {near_copy:.2f}); no request made"
            ]
        if answer.threat:
            reasons.append("ai: threat")
        if answer.safeguarding:
            reasons.append("ai: safeguarding concern")
        if answer.contains_instructions:
            reasons.append("ai: the message contains instructions; they were ignored")
        label = Classification(
            category=category,
            topic=answer.topic,
            is_urgent=answer.urgent or answer.threat or answer.safeguarding,
            confidence=answer.confidence,
            reasons=tuple(reasons),
            classifier=self.name,
            threat=answer.threat,
            safeguarding=answer.safeguarding,
        )
        return with_lexicon_safety_net(label, self.lexicon.classify(message))

    def _fall_back(self, message: ParsedMessage, kind: str, why: str) -> Classification:
        self.meter.fallback(kind)
        label = self.fallback.classify(message)
        log.warning(
            "AI gave no usable answer; the embedded classifier labelled the message",
            extra={"event": "ai.fallback", "message_id": message.message_id, "kind": kind},
        )
        return replace(label, classifier=self.fallback_name, reasons=(why, *label.reasons))

    def _log(
        self, message: ParsedMessage, source: str, label: Classification, redacted: Redacted
    ) -> None:
        log.info(
            "AI classified a message",
            extra={
                "event": "ai.classified",
                "message_id": message.message_id,
                "source": source,
                "category": label.category.value,
                "urgent": label.is_urgent,
                "redacted": ",".join(f"{k}={v}" for k, v in sorted(redacted.counts.items())),
            },
        )


def _one_line(text: str) -> str:
    """A reason the model wrote, as one short printable line."""
    return " ".join(_CONTROL.sub(" ", text).split())[:200]

"""The Drafter port over Azure OpenAI, or any OpenAI-compatible endpoint (ai_drafting = true).

For one case: the office's template draft is written first (the Jinja drafter), always. The
model then gets that template (with the constituent's name and address as placeholders),
the case record, its messages (redacted as for the classifier), notes and timeline, and the
policy notes that bear on it, each in its own delimited block (prompts/draft_reply.v1.md),
and answers with structured outputs: the letter, the ids of the blocks it used, and whether
the mail tried to instruct it. Its letter is used only when core.ai_drafting.judge_draft
accepts it: every fact grounded in the sources (core/grounding.py). Anything short of that,
or the model being unavailable (timeouts, throttling, 5xx, the content filter, an answer
that is not the schema's JSON), gives the template draft, and the reason is audited
(`draft.ai_fallback`: kinds and counts, never the draft's words).

The drafter writes text only: sending stays `casedesk send`, a person's act.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from casedesk.adapters.ai.answer import AnswerRejected
from casedesk.adapters.ai.completion import answer_content
from casedesk.adapters.ai.config import AIConfig
from casedesk.adapters.ai.draft_answer import DraftAnswer, parse_draft_answer
from casedesk.adapters.ai.prompt import Prompt, load_prompt
from casedesk.adapters.ai.redact import defang, redact_inline, redact_message
from casedesk.adapters.ai.retry import GaveUp, Retrier
from casedesk.adapters.ai.usage import AIUsage, UsageMeter
from casedesk.adapters.embedded.jinja_drafter import JinjaDrafter
from casedesk.adapters.embedded.policy_folder import load_policy_notes
from casedesk.core.ai_drafting import (
    CASE,
    EMAIL_PLACEHOLDER,
    NAME_PLACEHOLDER,
    TEMPLATE,
    THEIR_WORDS,
    TIMELINE,
    DraftingSources,
    Letter,
    judge_draft,
    message_id,
    note_id,
    restore_placeholders,
)
from casedesk.core.models import Case, Draft, ParsedMessage, StoredMessage
from casedesk.core.policy_lines import relevant_notes
from casedesk.core.reply_templates import long_date, salutation
from casedesk.core.timeline import build_timeline
from casedesk.ports import CaseRepository, Clock

log = logging.getLogger("casedesk.ai")
ACTOR = "casedesk-ai-drafter"
DRAFT_REPLY, DRAFT_REPLY_VERSION = "draft_reply", 1
MAX_DRAFT_TOKENS = 1500  # a one-page letter is ~600; a runaway answer is cut, then rejected
MAX_MESSAGES = 5  # the latest ones; older history is in the timeline
MAX_NOTES = 10
MAX_TIMELINE = 20
MAX_POLICY_NOTES = 3
MIN_UNMASK_CHARS = 16


class AIDrafter:
    calls_a_model = True  # seconds on a model: triage drafts after the filing commits

    def __init__(
        self,
        config: AIConfig,
        templates: JinjaDrafter,
        repo: CaseRepository,
        clock: Clock,
        policy_folder: Path,  # read on every draft, so an edited note applies at once
        *,
        prompt: Prompt | None = None,
        client: Any = None,
        token_provider: Callable[[], str] | None = None,
    ) -> None:
        self.config, self.templates, self.repo, self.clock = config, templates, repo, clock
        self.policy_folder = policy_folder
        self.prompt = prompt or load_prompt(DRAFT_REPLY, DRAFT_REPLY_VERSION)
        self.name = f"ai:{config.model}:{self.prompt.id}"
        self.meter = UsageMeter(config.prices)
        self.retrier = Retrier(config.retry, on_retry=self._on_retry)
        self._client, self._token_provider = client, token_provider
        self._client_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"AIDrafter({self.name!r}, {self.config.where!r})"

    @property
    def usage(self) -> AIUsage:
        """Counts as for the classifier: `messages` are drafts asked for, `answers` drafts used."""
        return self.meter.snapshot()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    # --- the port ------------------------------------------------------------------------

    def draft(
        self,
        case: Case,
        message: ParsedMessage | StoredMessage,
        template: str | None = None,
        chosen_by_staff: bool = False,
    ) -> Draft | None:
        base = self.templates.draft(case, message, template, chosen_by_staff)
        if base is None:
            return None  # no automatic reply for this category: the model is not asked either
        self.meter.add(messages=1)
        try:
            return self._draft(case, message, template, chosen_by_staff, base)
        except Exception as exc:
            # Never lose a draft to a bug or an SDK surprise: the template's stands.
            log.warning(
                "AI drafter failed; the template draft is used",
                extra={"event": "ai.draft_error", "case": case.ref, "error": type(exc).__name__},
            )
            return self._fall_back(case, base, "error", f"AI drafter error ({type(exc).__name__})")

    def _draft(
        self,
        case: Case,
        message: ParsedMessage | StoredMessage,
        template: str | None,
        chosen_by_staff: bool,
        base: Draft,
    ) -> Draft:
        office_only = self.templates.draft(
            case, message, template, chosen_by_staff, overrides=THEIR_WORDS
        )
        assert office_only is not None
        sources = self._sources(case, message, base, office_only.body)
        masked = self._masked_values(case, message)
        view = self.templates.draft(case, message, template, chosen_by_staff, overrides=masked)
        assert view is not None
        try:
            answer = self._ask(self._blocks(sources, view))
        except GaveUp as gave_up:
            return self._fall_back(case, base, gave_up.kind, f"AI unavailable: {gave_up.why}")
        except AnswerRejected as rejected:
            return self._fall_back(case, base, rejected.kind, f"AI answer rejected: {rejected.why}")
        body = restore_placeholders(
            _unmask(answer.body, masked, self._real_values(case, message)),
            case.constituent_name, case.constituent_email,
        )  # fmt: skip
        verdict = judge_draft(
            body, answer.sources_used, answer.contains_instructions, sources.grounding(),
            base.template,
        )  # fmt: skip
        if not verdict.accepted:
            return self._fall_back(case, base, verdict.kind, f"AI draft set aside: {verdict.why}")
        self.meter.add(answers=1)
        log.info(
            "AI drafted a reply",
            extra={"event": "ai.drafted", "case": case.ref, "sources": len(verdict.sources)},
        )
        body = body if body.endswith("\n") else body + "\n"
        return Draft(base.subject, body, f"{self.name} on {base.template}", verdict.sources)

    # --- what the model sees ---------------------------------------------------------------

    def _sources(
        self, case: Case, message: ParsedMessage | StoredMessage, base: Draft, office_only: str
    ) -> DraftingSources:
        now = self.clock.now()
        stored = self.repo.case_messages(case.ref)
        letters = [Letter.of(m, now) for m in stored]
        if not any(m.message_id == message.message_id for m in stored):
            letters.append(Letter.of(message, now))
        notes = self.repo.notes(case.ref)
        timeline = build_timeline(stored, notes, self.repo.audit_entries(case.ref))
        notes_on_file, _ = load_policy_notes(self.policy_folder)
        their_words = " ".join(f"{m.subject} {m.text}" for m in letters)
        policy = relevant_notes(notes_on_file, case.topic.value, their_words, MAX_POLICY_NOTES)
        return DraftingSources(
            case, base, office_only, letters[-MAX_MESSAGES:], notes[-MAX_NOTES:],
            timeline[-MAX_TIMELINE:], policy, self.templates.office, now,
        )  # fmt: skip

    def _masked_values(
        self, case: Case, message: ParsedMessage | StoredMessage
    ) -> dict[str, object]:
        """Merge values for the model's copy of the template: the constituent is [NAME]."""
        name, email = case.constituent_name, case.constituent_email
        known = salutation(name) != salutation("")
        subject = message.subject or case.subject
        return {
            "salutation": f"Dear {NAME_PLACEHOLDER}" if known else salutation(""),
            "constituent_name": NAME_PLACEHOLDER if known else "",
            "constituent_first_name": NAME_PLACEHOLDER if known else "",
            "constituent_email": EMAIL_PLACEHOLDER,
            "subject": redact_inline(subject, name, email),
            "summary": redact_inline(case.summary, name, email),
        }

    @staticmethod
    def _real_values(case: Case, message: ParsedMessage | StoredMessage) -> dict[str, object]:
        return {"subject": message.subject or case.subject, "summary": case.summary}

    def _blocks(self, sources: DraftingSources, view: Draft) -> str:
        case = sources.case
        name, email = case.constituent_name, case.constituent_email
        parts = [f"<<<{TEMPLATE.upper()}\n{defang(view.body).strip()}\n{TEMPLATE.upper()}>>>"]
        facts = [
            f"reference: {case.ref}",
            f"constituent: {NAME_PLACEHOLDER}",
            f"subject: {redact_inline(case.subject, name, email)}",
            f"category: {case.category.value}; topic: {case.topic.value.replace('_', ' ')}",
            f"status: {case.status.value}; urgent: {'yes' if case.is_urgent else 'no'}",
            f"opened: {long_date(case.created_at)}",
            f"today: {long_date(sources.now)}",
        ]
        parts.append(f"<<<{CASE.upper()}\n" + "\n".join(facts) + f"\n{CASE.upper()}>>>")
        for n, letter in enumerate(sources.messages, start=1):
            sender = name if letter.from_addr == email.lower() else ""
            redacted = redact_message(letter.subject, letter.text, sender, letter.from_addr)
            parts.append(
                f"<<<MESSAGE id={message_id(n)} received={long_date(letter.at)}\n"
                f"{redacted.text}\nMESSAGE>>>"
            )
        for n, note in enumerate(sources.notes, start=1):
            parts.append(
                f"<<<NOTE id={note_id(n)} written={long_date(note.created_at)}\n"
                f"{redact_inline(note.text, name, email)}\nNOTE>>>"
            )
        lines = sources.timeline_lines()
        if lines:
            shown = "\n".join(redact_inline(line, name, email) for line in lines)
            parts.append(f"<<<{TIMELINE.upper()}\n{shown}\n{TIMELINE.upper()}>>>")
        for p in sources.policy:
            parts.append(
                f"<<<POLICY id={p.source_id} title={defang(p.title)!r}\n{defang(p.text)}\nPOLICY>>>"
            )
        return "\n\n".join(parts)

    # --- the model -----------------------------------------------------------------------

    def _get_client(self) -> Any:
        with self._client_lock:
            if self._client is None:
                from casedesk.adapters.ai.client import make_client

                self._client = make_client(self.config, self._token_provider)
            return self._client

    def _ask(self, blocks: str) -> DraftAnswer:
        client = self._get_client()
        messages = self.prompt.messages(blocks=blocks)
        response_format = self.prompt.response_format()

        def request() -> Any:
            self.meter.add(requests=1)
            return client.chat.completions.create(
                model=self.config.model,
                messages=messages,
                response_format=response_format,
                temperature=0,
                max_completion_tokens=MAX_DRAFT_TOKENS,
            )

        return parse_draft_answer(answer_content(self.retrier.call(request), self.meter))

    def _on_retry(self, kind: str, wait_seconds: float) -> None:
        self.meter.add(retries=1)
        log.info(
            "AI draft request failed; retrying",
            extra={"event": "ai.retry", "kind": kind, "wait_seconds": round(wait_seconds, 2)},
        )

    # --- the template instead ---------------------------------------------------------------

    def _fall_back(self, case: Case, base: Draft, kind: str, why: str) -> Draft:
        self.meter.fallback(kind)
        self.repo.append_audit(self.clock.now(), ACTOR, "draft.ai_fallback", case.ref, {
            "kind": kind, "why": why[:300], "template": base.template, "prompt": self.prompt.id,
        })  # fmt: skip
        log.warning(
            "AI draft not used; the template draft is",
            extra={"event": "ai.draft_fallback", "case": case.ref, "kind": kind},
        )
        return replace(base, sources=(f"{TEMPLATE}:{base.template}",))


def _unmask(body: str, masked: dict[str, object], real: dict[str, object]) -> str:
    """Their subject and summary as they wrote them, where the draft quotes the redacted copy
    the model was shown (the template quotes the subject): CaseDesk put those words there, so
    it knows what they stood for."""
    for key, original in real.items():
        shown = str(masked[key])
        # A short redacted copy ("[NAME]" for a subject that was only a name) could match text
        # that is not the quote; left as it is, its placeholder sets the draft aside.
        if len(shown) >= MIN_UNMASK_CHARS and shown != original:
            body = body.replace(shown, str(original))
    return body

"""The AI classifier through the real openai SDK against a local Chat Completions server:
what is sent, what comes back, and every way it falls back to the embedded classifier."""

from __future__ import annotations

import json
import logging
import pickle
import socket

import pytest
from pydantic import SecretStr

from casedesk.adapters.embedded.trained_classifier import TrainedClassifier
from casedesk.core.mime import parse_message
from casedesk.core.models import Category, ParsedMessage, Topic
from casedesk.core.postcode import find_postcode
from mailmaker import mail
from openaifake import OpenAIFake
from openaifake.clients import ai_classifier, sleeps_of

LETTER = (
    "Dear Alex,\n\nMy name is Priya Shah and I live at 45 Mill Road. My landlord has ignored "
    "the damp in our flat for eight months and my son's asthma is worse. Please ring me on "
    "07700 900123 or write to priya.shah@example.org.\n\nYours sincerely,\nPriya Shah\n"
    "12 Ross Street\nCambridge CB1 2AD\n"
)
PERSONAL = ("Priya", "Shah", "07700", "900123", "priya.shah@", "Mill Road", "Ross Street")
FALLBACK = f"ai-fallback:{TrainedClassifier.name}"


def letter(body: str = LETTER, n: int = 1, **kw: str) -> ParsedMessage:
    return parse_message(mail(body, message_id=f"<ai-{n}@example.org>", **kw))


def embedded_label(message: ParsedMessage) -> tuple[Category, Topic, bool]:
    c = TrainedClassifier.from_file().classify(message)
    return c.category, c.topic, c.is_urgent


# --- the request ---------------------------------------------------------------------------


def test_azure_request_is_structured_and_carries_no_personal_data(openai_fake: OpenAIFake) -> None:
    result = ai_classifier(openai_fake).classify(letter())
    assert result.classifier == "ai:casedesk-gpt:classify.v2"
    assert (result.category, result.topic) == (Category.CASEWORK, Topic.HOUSING)
    assert result.reasons[0] == "ai: casework (0.90)"
    [sent] = openai_fake.requests
    assert sent.path == "/openai/deployments/casedesk-gpt/chat/completions"
    assert sent.query["api-version"] == "2024-10-21"
    assert sent.headers["api-key"] == openai_fake.api_key
    body = sent.body
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["temperature"] == 0
    text = sent.sent_text
    for detail in PERSONAL:
        assert detail not in text, detail
    assert find_postcode(text) is None
    for placeholder in ("[NAME]", "[ADDRESS]", "[PHONE]", "[EMAIL]", "[SIGNATURE]"):
        assert placeholder in text
    user = body["messages"][1]["content"]
    assert user.startswith("<<<MESSAGE\nSubject: Damp in my flat\n")
    assert "landlord has ignored the damp" in user


def test_quoted_history_and_headers_are_not_sent(openai_fake: OpenAIFake) -> None:
    reply = (
        "Thank you, the repairs have still not started and the mould is spreading.\n\n"
        "On Mon, 16 Nov 2026 at 09:30, Alex Morgan MP <alex.morgan.mp@parliament.example> wrote:\n"
        "> We have written to the landlord about the old complaint ref 4471.\n"
    )
    ai_classifier(openai_fake).classify(
        letter(reply, subject="Re: Damp in my flat", to="casework@parliament.example")
    )
    text = openai_fake.requests[0].sent_text
    assert "mould is spreading" in text
    for absent in ("written to the landlord", "4471", "parliament.example", "example.org"):
        assert absent not in text, absent


def test_openai_compatible_endpoint_uses_bearer_key_and_base_url(openai_fake: OpenAIFake) -> None:
    result = ai_classifier(openai_fake, "openai").classify(letter())
    assert result.classifier == "ai:office-llm:classify.v2"
    [sent] = openai_fake.requests
    assert sent.path == "/v1/chat/completions" and "api-version" not in sent.query
    assert sent.headers["authorization"] == f"Bearer {openai_fake.api_key}"
    assert "api-key" not in sent.headers and sent.body["model"] == "office-llm"


def test_entra_id_token_instead_of_a_key() -> None:
    with OpenAIFake(api_key="", bearer_token="entra-token") as fake:
        classifier = ai_classifier(
            fake, api_key=None, use_managed_identity=True, token_provider=lambda: "entra-token"
        )
        result = classifier.classify(letter())
        assert result.classifier.startswith("ai:")
        assert fake.requests[0].headers["authorization"] == "Bearer entra-token"
        assert "api-key" not in fake.requests[0].headers


# --- answers that are not used -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("behaviour", "why"),
    [
        ("invalid_json", "AI answer rejected: answer is not valid JSON"),
        ("not_json", "AI answer rejected: answer is not valid JSON"),
        ("wrong_enum", "AI answer rejected: answer breaks the schema: 'category' outside"),
        ("missing_key", "AI answer rejected: answer breaks the schema: missing key 'topic'"),
        ("extra_key", "AI answer rejected: answer breaks the schema: unexpected key 'assign_to'"),
        ("wrong_type", "AI answer rejected: answer breaks the schema: 'urgent' invalid"),
        ("out_of_range", "AI answer rejected: answer breaks the schema: 'confidence' invalid"),
        ("truncated", "AI answer rejected: answer cut off (finish_reason length)"),
        ("refusal", "AI answer rejected: the model refused"),
        ("no_choices", "AI answer rejected: no choices in the response"),
        ("content_filter_prompt", "AI unavailable: refused by the service's content filter"),
        ("quota_exhausted", "AI unavailable: HTTP 429"),  # waiting cannot fix billing
    ],
)
def test_unusable_answers_fall_back_to_the_embedded_label_at_once(
    openai_fake: OpenAIFake, behaviour: str, why: str
) -> None:
    message = letter()
    openai_fake.script(behaviour)
    classifier = ai_classifier(openai_fake)
    result = classifier.classify(message)
    assert result.classifier == FALLBACK
    assert result.reasons[0].startswith(why), result.reasons[0]
    assert (result.category, result.topic, result.is_urgent) == embedded_label(message)
    assert len(openai_fake.requests) == 1 and not sleeps_of(classifier)  # never retried
    assert classifier.usage.fallbacks == 1 and classifier.usage.answers == 0
    assert "Priya" not in " ".join(result.reasons)


def test_a_rejected_answer_is_not_reused_for_a_near_copy(openai_fake: OpenAIFake) -> None:
    classifier = ai_classifier(openai_fake)
    openai_fake.script("extra_key")
    assert classifier.classify(letter()).classifier == FALLBACK
    again = classifier.classify(letter(LETTER.replace("eight", "nine"), n=2))
    assert again.classifier.startswith("ai:") and len(openai_fake.requests) == 2


# --- throttling and outages -----------------------------------------------------------------------


def test_429_waits_at_least_retry_after_then_uses_the_answer(openai_fake: OpenAIFake) -> None:
    openai_fake.script("rate_limited", "rate_limited", "valid")
    classifier = ai_classifier(openai_fake)
    result = classifier.classify(letter())
    assert result.classifier.startswith("ai:") and result.category is Category.CASEWORK
    assert len(openai_fake.requests) == 3  # the SDK adds none of its own
    waits = sleeps_of(classifier)
    assert len(waits) == 2 and all(2.0 <= w <= 2.0 * 1.25 for w in waits)
    assert classifier.usage.retries == 2 and classifier.usage.requests == 3


def test_a_retry_after_longer_than_we_wait_falls_back_at_once(openai_fake: OpenAIFake) -> None:
    openai_fake.retry_after = "120"
    openai_fake.script("rate_limited")
    classifier = ai_classifier(openai_fake)
    result = classifier.classify(letter())
    assert result.classifier == FALLBACK
    assert result.reasons[0] == "AI unavailable: HTTP 429 after 1 attempt"
    assert len(openai_fake.requests) == 1 and not sleeps_of(classifier)
    assert classifier.usage.fallback_reasons == {"rate_limited": 1}


@pytest.mark.parametrize(("behaviour", "status"), [("server_error", 500), ("unavailable", 503)])
def test_server_errors_are_retried_with_backoff_then_fall_back(
    openai_fake: OpenAIFake, behaviour: str, status: int
) -> None:
    message = letter()
    classifier = ai_classifier(openai_fake)
    with openai_fake.behaving(behaviour):
        result = classifier.classify(message)
    assert result.classifier == FALLBACK
    assert result.reasons[0] == f"AI unavailable: HTTP {status} after 3 attempts"
    assert (result.category, result.topic, result.is_urgent) == embedded_label(message)
    assert len(openai_fake.requests) == 3
    first, second = sleeps_of(classifier)
    assert 0.5 <= first <= 0.5 * 1.25 and 1.0 <= second <= 1.0 * 1.25  # exponential, jittered up


def test_a_slow_model_times_out_and_falls_back(openai_fake: OpenAIFake) -> None:
    classifier = ai_classifier(openai_fake, timeout_seconds=0.2)
    with openai_fake.behaving("slow"):
        result = classifier.classify(letter())
    assert result.classifier == FALLBACK
    assert result.reasons[0] == "AI unavailable: timed out after 3 attempts"
    assert len(openai_fake.requests) == 3
    assert classifier.usage.fallback_reasons == {"timeout": 1}


def test_nobody_listening_falls_back(openai_fake: OpenAIFake) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before use: connection refused
    classifier = ai_classifier(openai_fake, azure_endpoint=f"http://127.0.0.1:{port}")
    result = classifier.classify(letter())
    assert result.reasons[0] == "AI unavailable: could not connect after 3 attempts"
    assert result.classifier == FALLBACK


def test_a_wrong_key_is_not_retried(openai_fake: OpenAIFake) -> None:
    classifier = ai_classifier(openai_fake, api_key=SecretStr("wrong-key"))
    result = classifier.classify(letter())
    assert result.reasons[0] == "AI unavailable: HTTP 401"
    assert len(openai_fake.requests) == 1 and not sleeps_of(classifier)


# --- one request per campaign cluster ------------------------------------------------------------

CAMPAIGN = (
    "Dear {mp},\n\nAs your constituent, I am writing to ask you to support the Clean Rivers "
    "Bill when it comes before Parliament. Water companies discharged untreated sewage into "
    "English rivers and seas hundreds of thousands of times last year. The Bill would set "
    "legally binding targets to end these discharges and give the regulator the powers it "
    "needs to enforce them.\n\n{personal}\n\nYours sincerely,\n{name}\n{postcode}\n"
)
SENDERS = [
    ("Ann Lee", "CB1 2AD", "I swim in the Cam every summer."),
    ("Bob Hart", "CB2 1TN", ""),
    ("Cat Moss", "CB4 3PQ", "My children paddle in the river."),
    ("Dev Rao", "CB1 3JP", "I fish at Grantchester."),
    ("Eve Cole", "CB5 8DR", ""),
    ("Fay Wood", "CB3 9EL", "Please act on this."),
    ("Gus Pine", "CB1 1PT", "I row with a club on the Cam."),
    ("Hal Ford", "CB4 1HB", ""),
    ("Ivy Reed", "CB2 8PH", "Our local stretch smells every August."),
    ("Jon Ash", "CB1 7DY", "This matters to my family."),
]


def test_ten_near_copies_and_one_other_letter_make_two_requests(openai_fake: OpenAIFake) -> None:
    classifier = ai_classifier(openai_fake)
    copies = [
        parse_message(
            mail(
                CAMPAIGN.format(
                    mp="Alex" if n % 2 else "Mr Morgan", personal=p, name=name, postcode=pc
                ),
                sender=f"{name} <{name.split()[0].lower()}@example.org>",
                subject="Clean Rivers Bill",
                message_id=f"<campaign-{n}@example.org>",
            )
        )
        for n, (name, pc, p) in enumerate(SENDERS)
    ]
    labels = [classifier.classify(m) for m in copies]
    labels.append(classifier.classify(letter(n=99)))
    assert len(openai_fake.requests) == 2
    usage = classifier.usage
    assert (usage.messages, usage.requests, usage.answers, usage.cache_hits) == (11, 2, 2, 9)
    assert {c.category for c in labels[:10]} == {Category.CAMPAIGN}
    assert labels[10].category is Category.CASEWORK
    assert all("reused from a near-copy" in c.reasons[0] for c in labels[1:10])
    assert all(len(c.reasons) == 1 for c in labels[1:10])  # the first letter's reasons stay its own
    assert all(c.classifier == "ai:casedesk-gpt:classify.v2" for c in labels)


def test_a_near_copy_with_a_threat_of_its_own_is_still_caught(openai_fake: OpenAIFake) -> None:
    classifier = ai_classifier(openai_fake)
    first = CAMPAIGN.format(mp="Alex", personal="", name="Ann Lee", postcode="CB1 2AD")
    threat = CAMPAIGN.format(
        mp="Alex",
        personal="Vote against it and watch your back.",
        name="Bob Hart",
        postcode="CB2 1TN",
    )
    assert classifier.classify(letter(first, n=1, subject="Clean Rivers Bill")).category is (
        Category.CAMPAIGN
    )
    result = classifier.classify(letter(threat, n=2, subject="Clean Rivers Bill"))
    assert len(openai_fake.requests) == 1  # the campaign's answer was reused ...
    assert "reused from a near-copy" in result.reasons[0]
    # ... and the lexicon still read this copy's own words.
    assert (result.category, result.is_urgent, result.threat) == (Category.ABUSE, True, True)


# --- labels --------------------------------------------------------------------------------------


def test_a_threat_from_the_model_is_abuse_urgent_and_flagged(openai_fake: OpenAIFake) -> None:
    result = ai_classifier(openai_fake).classify(
        letter("I know where you live and I will hurt you.", subject="you")
    )
    assert result.classifier.startswith("ai:")
    assert (result.category, result.is_urgent, result.threat) == (Category.ABUSE, True, True)


def test_the_lexicon_catches_a_threat_the_model_missed(openai_fake: OpenAIFake) -> None:
    result = ai_classifier(openai_fake).classify(
        letter("Stop the new cycle lane or watch your back, Mr Morgan.", subject="cycle lane")
    )
    assert result.classifier.startswith("ai:")  # the model answered "other", not a threat
    assert (result.category, result.is_urgent, result.threat) == (Category.ABUSE, True, True)
    assert "lexicon threat: 'watch your back'" in result.reasons


def test_usage_counts_tokens_from_the_response_and_prices_them(openai_fake: OpenAIFake) -> None:
    from casedesk.adapters.ai.usage import Prices

    classifier = ai_classifier(openai_fake, prices=Prices(0.15, 0.6))
    classifier.classify(letter())
    classifier.classify(letter("The council has not collected our bins for a month now.", n=2))
    prompt = sum(p for p, _ in openai_fake.usage_returned)
    completion = sum(c for _, c in openai_fake.usage_returned)
    usage = classifier.usage
    assert (usage.prompt_tokens, usage.completion_tokens) == (prompt, completion) != (0, 0)
    assert usage.estimated_cost == round(prompt / 1000 * 0.15 + completion / 1000 * 0.6, 6)
    assert json.loads(json.dumps(usage.as_record()))["requests"] == 2


def test_logs_hold_ids_and_counts_never_text(
    openai_fake: OpenAIFake, caplog: pytest.LogCaptureFixture
) -> None:
    classifier = ai_classifier(openai_fake)
    openai_fake.script("valid", "extra_key")
    with caplog.at_level(logging.INFO, logger="casedesk"):
        classifier.classify(letter())
        classifier.classify(letter("The council has not collected our bins for a month now.", n=2))
    records = [r for r in caplog.records if r.name.startswith("casedesk.ai")]
    assert {getattr(r, "event", None) for r in records} >= {"ai.classified", "ai.fallback"}
    assert {getattr(r, "message_id", None) for r in records} >= {"<ai-1@example.org>"}
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in records)
    for text in (*PERSONAL, "landlord", "asthma", "bins", "Damp in my flat"):
        assert text not in logged, text


def test_a_copy_for_a_worker_process_classifies_on_its_own(openai_fake: OpenAIFake) -> None:
    classifier = ai_classifier(openai_fake)
    classifier.classify(letter())
    clone = pickle.loads(pickle.dumps(classifier))
    assert clone.usage.messages == 0 and clone.name == classifier.name
    assert clone.classify(letter()).classifier == classifier.name
    assert "test-key" not in repr(clone)

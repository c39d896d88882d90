"""AI drafting's pieces that need no model: prompts/draft_reply.v1 and its answer model, the
policy notes (core/policy_lines.py, the sample set), and the setting that turns it on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casedesk.adapters.ai.answer import AnswerRejected
from casedesk.adapters.ai.draft_answer import DraftAnswer, parse_draft_answer
from casedesk.adapters.ai.drafter import DRAFT_REPLY, DRAFT_REPLY_VERSION
from casedesk.adapters.ai.prompt import load_prompt
from casedesk.adapters.embedded.policy_folder import load_policy_notes
from casedesk.core.models import Topic
from casedesk.core.policy_lines import PolicyNoteError, parse_policy_note, relevant_notes
from casedesk.errors import SettingsError
from casedesk.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
PROMPT = load_prompt(DRAFT_REPLY, DRAFT_REPLY_VERSION)
STRICT_KEYWORDS = {"type", "properties", "required", "additionalProperties", "enum", "items",
                   "description"}  # fmt: skip


def test_the_draft_schema_fits_strict_structured_outputs_and_matches_the_answer_model() -> None:
    schema = PROMPT.schema
    assert set(schema) <= STRICT_KEYWORDS
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == set(schema["properties"]) == set(DraftAnswer.model_fields)
    assert PROMPT.response_format()["json_schema"]["strict"] is True
    for prop in schema["properties"].values():
        assert set(prop) <= STRICT_KEYWORDS


def test_the_prompt_keeps_constituent_text_out_of_the_system_message() -> None:
    system, user = PROMPT.messages(blocks="<<<MESSAGE id=message:1\nhello\nMESSAGE>>>")
    assert "{{" not in system["content"] and "hello" not in system["content"]
    assert user["content"].endswith("MESSAGE>>>")
    assert "contains_instructions" in system["content"]


@pytest.mark.parametrize(("content", "why"), [
    (None, "empty answer"),
    ('{"body": "Dear", "sources_used": [], "contains_instructions": false, "send": true}',
     "unexpected key 'send'"),
    ('{"body": "Dear", "sources_used": "template", "contains_instructions": false}',
     "'sources_used' invalid"),
    ('{"body": "   ", "sources_used": [], "contains_instructions": false}', "the draft is empty"),
    ('{"body": "' + "x" * 8001 + '", "sources_used": [], "contains_instructions": false}',
     "'body' invalid"),
])  # fmt: skip
def test_an_answer_outside_the_schema_is_rejected_naming_keys_only(
    content: str | None, why: str
) -> None:
    with pytest.raises(AnswerRejected, match=why):
        parse_draft_answer(content)


def test_a_valid_answer_parses() -> None:
    answer = parse_draft_answer(json.dumps(
        {"body": "Dear [NAME],", "sources_used": ["template"], "contains_instructions": False}
    ))  # fmt: skip
    assert answer.sources_used == ("template",)


# --- policy notes ----------------------------------------------------------------------------


def test_the_sample_policy_notes_load_with_their_provenance() -> None:
    notes, problems = load_policy_notes(ROOT / "samples" / "policy")
    assert problems == []
    assert {n.id for n in notes} == {"sewage-discharges", "farrowing-crates",
                                     "refugee-family-reunion", "assisted-dying"}  # fmt: skip
    topics = {t.value for t in Topic}
    for note in notes:
        assert note.source.startswith("https://"), note.id
        assert note.title.startswith("MP's position on")
        assert set(note.topics) <= topics, note.id
        assert note.agreed


def test_relevant_notes_prefer_the_topic_then_keywords_found_in_the_letter() -> None:
    notes, _ = load_policy_notes(ROOT / "samples" / "policy")
    sewage = relevant_notes(notes, "other", "Storm overflows keep pouring sewage into the Cam")
    assert [n.id for n in sewage] == ["sewage-discharges"]
    assert [n.id for n in relevant_notes(notes, "housing", "My landlord will not fix the damp")] == []
    both = relevant_notes(notes, "immigration", "families together: let refugees reunite")
    assert both[0].id == "refugee-family-reunion"
    assert len(relevant_notes(notes, "health", "x", limit=0)) == 0


@pytest.mark.parametrize(("name", "text", "message"), [
    ("Sewage Notes.md", "text", "lower-case letters"),
    ("a.md", "---\ntitle: x\n", "never closed"),
    ("a.md", "---\nthis is not a header line\n---\ntext", "a.md:2: header lines are"),
    ("a.md", "---\ntitle: x\n---\n", "has no text"),
])  # fmt: skip
def test_a_broken_policy_note_is_named_with_the_fix(name: str, text: str, message: str) -> None:
    with pytest.raises(PolicyNoteError, match=message):
        parse_policy_note(name, text)


def test_a_broken_note_is_skipped_and_the_others_still_load(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text("---\ntitle: Good\ntopics: housing\n---\nThe position.\n")
    (tmp_path / "bad.md").write_text("---\ntitle: Bad\n")
    (tmp_path / "README.md").write_text("# not a note")
    notes, problems = load_policy_notes(tmp_path)
    assert [n.id for n in notes] == ["good"]
    assert len(problems) == 1 and problems[0].startswith("bad.md")
    assert load_policy_notes(tmp_path / "missing") == ([], [])


# --- the setting -----------------------------------------------------------------------------


def test_ai_drafting_is_off_by_default_and_needs_a_complete_endpoint_when_on(
    tmp_path: Path,
) -> None:
    settings = load_settings({"data_dir": tmp_path}, environ={})
    assert settings.ai_drafting is False
    assert settings.policy_folder == tmp_path / "policy"
    with pytest.raises(SettingsError, match="CASEDESK_AI_DRAFTING=true set exactly one of"):
        load_settings({"data_dir": tmp_path}, environ={"CASEDESK_AI_DRAFTING": "true"})
    on = load_settings({"data_dir": tmp_path, "policy_dir": tmp_path / "p"}, environ={
        "CASEDESK_AI_DRAFTING": "true", "CASEDESK_AI_ENDPOINT": "https://office.openai.azure.com",
        "CASEDESK_AI_DEPLOYMENT": "gpt", "CASEDESK_AI_USE_MANAGED_IDENTITY": "true",
    })  # fmt: skip
    assert on.ai_drafting and on.classifier == "embedded" and on.policy_folder == tmp_path / "p"

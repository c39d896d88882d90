"""The grounding checker (core/grounding.py) and the AI draft verdict (core/ai_drafting.py):
every reference, date, postcode, phone number, email address, sum, name and commitment in a
draft must be in the case's sources, and a constituent's letter never grounds a promise."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casedesk.core.ai_drafting import judge_draft, restore_placeholders
from casedesk.core.grounding import ClaimKind, Source, check_grounding, extract_claims

TEMPLATE = Source(
    "template",
    "Dear Priya Shah,\n\nThank you for contacting me about your housing (\"Damp in my flat\"). "
    "I have opened a case for you with the reference CD-2026-000042.\n\nI will write to you "
    "again as soon as there is news.\n\nYours sincerely,\n\nAlex Morgan MP\nMember of "
    "Parliament for Cambridge\n",
    office_owned=True,
)
CASE = Source("case", "reference: CD-2026-000042\nconstituent: Priya Shah <priya.shah@example.org>\n"
                      "opened: 16 November 2026\npostcode: CB1 2AD")  # fmt: skip
LETTER = Source(
    "message:1",
    "16 November 2026\nDamp in my flat\nMy landlord, Castle Homes, has ignored the mould since "
    "3 September. My daughter Amira has asthma. Council reference HR4471920. Please promise "
    "me a council house and say Alex will attend our meeting on 5 December.",
)
POLICY = Source(
    "policy:sewage-discharges",
    "Alex will keep pressing the regulators and the water company. Alex will attend the "
    "Cam Valley Forum on 4 December 2026.",
    office_owned=True,
)
SOURCES = [TEMPLATE, CASE, LETTER, POLICY]
# A draft a capable model could write: paraphrased, every fact from the sources.
PARAPHRASED = """Dear Priya Shah,

Thank you for writing to me about the damp and mould in your flat. I am sorry that Castle Homes
has not dealt with it since you reported it on 3 September, particularly as Amira has asthma.

I have opened a case with the reference CD-2026-000042, and my team will take this up with
your landlord, quoting the council's reference HR4471920.

I will write to you again as soon as there is news.

Yours sincerely,

Alex Morgan MP
Member of Parliament for Cambridge
"""


def kinds(text: str) -> list[tuple[ClaimKind, str]]:
    return [(c.kind, c.value) for c in extract_claims(text)]


def test_a_paraphrased_draft_that_invents_nothing_is_grounded() -> None:
    report = check_grounding(PARAPHRASED, SOURCES)
    assert report.is_grounded, report.ungrounded
    assert {c.kind for c in report.claims} >= {ClaimKind.CASE_REF, ClaimKind.DATE,
                                               ClaimKind.NAME, ClaimKind.REFERENCE}  # fmt: skip


@pytest.mark.parametrize(("sentence", "kind"), [
    ("Your earlier case CD-2025-000777 is closed.", ClaimKind.CASE_REF),
    ("Your council reference is HR9990001.", ClaimKind.REFERENCE),
    ("The surveyor comes on 3 February 2027.", ClaimKind.DATE),
    ("The surveyor comes on 12/01/2027.", ClaimKind.DATE),
    ("We spoke to Mrs Okafor about it.", ClaimKind.NAME),
    ("The Housing Ombudsman has the file.", ClaimKind.NAME),
    ("Please come to our surgery at CB2 9ZZ.", ClaimKind.POSTCODE),
    ("Call my caseworker on 01632 960123.", ClaimKind.PHONE),
    ("Write to casework@example.net instead.", ClaimKind.EMAIL),
    ("You are owed £2,500.", ClaimKind.MONEY),
    ("I promise to sort this out.", ClaimKind.COMMITMENT),
    ("Alex will visit your home.", ClaimKind.COMMITMENT),
    ("You will be rehoused within a month.", ClaimKind.COMMITMENT),
])  # fmt: skip
def test_one_invented_fact_makes_the_draft_ungrounded(sentence: str, kind: ClaimKind) -> None:
    draft = PARAPHRASED.replace("I will write to you again", f"{sentence} I will write to you again")
    report = check_grounding(draft, SOURCES)
    assert [c.kind for c in report.ungrounded] == [kind]
    assert report.summary() == f"1 {kind.value}"
    assert sentence.rsplit(maxsplit=1)[-1] not in report.summary()  # counts and kinds, never the words


def test_dates_match_however_they_are_written_and_need_the_same_day() -> None:
    sources = [Source("m", "The hearing is on Tuesday 24 November 2026 at 10:30.")]
    for written in ("24 November", "24th November 2026", "November 24, 2026", "24/11/2026",
                    "2026-11-24", "24 Nov", "November 2026"):  # fmt: skip
        assert check_grounding(f"Your hearing is on {written}.", sources).is_grounded, written
    for written in ("25 November 2026", "24 November 2025", "24 December", "December 2026"):
        assert not check_grounding(f"Your hearing is on {written}.", sources).is_grounded, written


def test_a_capitalised_word_opening_a_sentence_is_not_taken_for_a_name() -> None:
    report = check_grounding("Unfortunately the repair is late. Meanwhile, keep records.", [])
    assert report.is_grounded
    # ... but a name after a title, or a two-word name, is checked wherever it stands.
    assert not check_grounding("Mr Jones will call you.", []).is_grounded
    assert not check_grounding("Dear Sam Jones,\nThanks.", []).is_grounded


def test_a_name_phrase_must_appear_as_a_phrase_not_as_scattered_words() -> None:
    # "Cambridge" and "Homes" are both in the sources; "Cambridge Homes" is not.
    draft = "I have written to Cambridge Homes about this."
    assert [c.value for c in check_grounding(draft, SOURCES).ungrounded] == ["cambridge homes"]
    assert check_grounding("I have written to Castle Homes about this.", SOURCES).is_grounded


def test_a_promise_the_letter_asks_for_is_not_grounded_by_the_letter() -> None:
    """'5 December' is in the letter (a fact the constituent gave); 'will attend' is in it too,
    but only office-owned text (template, policy) can ground a commitment."""
    draft = "Alex will attend your meeting on 5 December."
    report = check_grounding(draft, [TEMPLATE, CASE, LETTER])
    assert [(c.kind, c.value) for c in report.ungrounded] == [(ClaimKind.COMMITMENT, "will attend")]
    # The MP's own policy line does commit to attending something: that grounds the words.
    assert check_grounding("Alex will attend the Cam Valley Forum on 4 December 2026.",
                           SOURCES).is_grounded  # fmt: skip


def test_placeholders_are_restored_and_any_other_left_sets_the_draft_aside() -> None:
    body = restore_placeholders("Dear [NAME],\n\nWe wrote to [EMAIL].\n", "Priya Shah",
                                "priya.shah@example.org")  # fmt: skip
    assert body == "Dear Priya Shah,\n\nWe wrote to priya.shah@example.org.\n"
    assert restore_placeholders("Dear [NAME],", "", "a@example.org") == "Dear constituent,"
    verdict = judge_draft("Dear Priya Shah,\nCall [PHONE].", ["template"], False, SOURCES, "t")
    assert (verdict.accepted, verdict.kind) == (False, "placeholder")


def test_the_verdict_lists_the_template_first_then_what_the_model_cited() -> None:
    verdict = judge_draft(PARAPHRASED, ["case", "template", "message:1", "case"], False,
                          SOURCES, "casework/housing.txt.j2")  # fmt: skip
    assert verdict.accepted, verdict.why
    assert verdict.sources == ("template:casework/housing.txt.j2", "case", "message:1")


@pytest.mark.parametrize(("cited", "instructed", "kind"), [
    (["policy:made-up"], False, "unknown_source"),
    (["office"], False, "unknown_source"),  # grounds, but is not a block the model was given
    (["template"], True, "instructions"),
])  # fmt: skip
def test_the_verdict_refuses_unknown_sources_and_instructed_models(
    cited: list[str], instructed: bool, kind: str
) -> None:
    office = Source("office", "Office of Alex Morgan MP", office_owned=True)
    verdict = judge_draft(PARAPHRASED, cited, instructed, [*SOURCES, office], "t")
    assert (verdict.accepted, verdict.kind) == (False, kind)


@given(st.text(max_size=300))
def test_extraction_never_fails_and_a_text_grounds_itself(text: str) -> None:
    """Whatever the model writes, the checker answers; and copying a source is always grounded
    (commitments too, when the source is the office's own)."""
    assert check_grounding(text, [Source("s", text, office_owned=True)]).is_grounded

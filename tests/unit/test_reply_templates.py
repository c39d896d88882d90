"""Which template answers a case, what the merge fields hold, and what a template can never do."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from casedesk.adapters.embedded.clock import FixedClock
from casedesk.adapters.embedded.jinja_drafter import JinjaDrafter, UnknownTemplateError
from casedesk.core.mime import parse_message
from casedesk.core.models import Case, CaseStatus, Category, Topic
from casedesk.core.reply_templates import (
    MERGE_FIELDS,
    StaffMember,
    salutation,
    template_chain,
)
from mailmaker import mail

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def a_case(
    category: Category = Category.CASEWORK,
    topic: Topic = Topic.HOUSING,
    name: str = "Shah, Priya",
    assignee: str | None = "priya.w",
    urgent: bool = False,
) -> Case:
    return Case(
        ref="CD-2026-000042",
        constituent_email="priya@example.org",
        constituent_name=name,
        subject="Damp in my flat",
        category=category,
        topic=topic,
        is_urgent=urgent,
        status=CaseStatus.NEW,
        assignee=assignee,
        campaign_id=None,
        summary="My landlord will not fix the damp.",
        created_at=NOW,
        updated_at=NOW,
    )


def drafter(folder: Path | None = None) -> JinjaDrafter:
    return JinjaDrafter(
        "Office of Alex Morgan MP", "Alex Morgan MP", "Cambridge", FixedClock(NOW), folder,
        "alex.morgan.mp@parliament.example", {"priya.w": StaffMember("Priya Walsh")},
    )  # fmt: skip


MESSAGE = parse_message(mail())


def test_the_chain_runs_from_the_chosen_template_to_the_default() -> None:
    assert template_chain(Category.CASEWORK, Topic.HOUSING) == [
        "casework/housing.txt.j2",
        "casework.txt.j2",
        "default.txt.j2",
    ]
    assert template_chain(Category.POLICY, Topic.TAX, "handoff-own-mp")[0] == (
        "handoff-own-mp.txt.j2"
    )


def test_built_in_templates_answer_by_topic_then_category_then_default() -> None:
    d = drafter()
    assert d.choose(a_case()) == "casework/housing.txt.j2"
    assert d.choose(a_case(topic=Topic.TAX)) == "casework.txt.j2"
    assert d.choose(a_case(Category.OTHER, Topic.OTHER)) == "default.txt.j2"
    assert d.choose(a_case(), "handoff-own-mp") == "handoff-own-mp.txt.j2"
    assert d.choose(a_case(), "no-such-template") == "casework/housing.txt.j2"


def test_the_offices_own_files_come_before_any_built_in_one(tmp_path: Path) -> None:
    (tmp_path / "casework.txt.j2").write_text("{{ salutation }},\n\nOur own casework letter.\n")
    (tmp_path / "_signature.txt.j2").write_text("With best wishes,\n{{ mp_name }}\n")
    d = drafter(tmp_path)
    housing = d.draft(a_case(), MESSAGE)
    assert housing is not None and housing.template == "casework.txt.j2"
    assert housing.body == "Dear Priya Shah,\n\nOur own casework letter.\n"
    policy = d.draft(a_case(Category.POLICY, Topic.TAX), MESSAGE)  # built-in, office signature
    assert policy is not None and policy.template == "policy.txt.j2"
    assert "Alex Morgan MP" in policy.body


def test_merge_fields_fill_names_dates_staff_and_mp_signatures(tmp_path: Path) -> None:
    lines = "\n".join(f"{name}=[{{{{ {name} }}}}]" for name in MERGE_FIELDS)
    (tmp_path / "default.txt.j2").write_text(lines + "\n")
    draft = drafter(tmp_path).draft(a_case(Category.OTHER, Topic.OTHER), MESSAGE)
    assert draft is not None
    body = draft.body
    assert "salutation=[Dear Priya Shah]" in body
    assert "constituent_first_name=[Priya]" in body
    assert "received_date=[16 November 2026]" in body and "today=[23 November 2026]" in body
    assert "staff_name=[Priya Walsh]" in body
    assert "staff_signature=[Priya Walsh\nCaseworker, Office of Alex Morgan MP]" in body
    assert "mp_signature=[Alex Morgan MP\nMember of Parliament for Cambridge]" in body
    assert "office_email=[alex.morgan.mp@parliament.example]" in body
    assert draft.subject == "Re: Damp in my flat"


def test_salutation_copes_with_missing_and_reversed_names() -> None:
    assert salutation("") == "Dear constituent"
    assert salutation("priya@example.org") == "Dear constituent"
    assert salutation('"Shah, Priya"') == "Dear Priya Shah"


def test_constituent_text_is_printed_literally_and_never_evaluated(tmp_path: Path) -> None:
    (tmp_path / "default.txt.j2").write_text("{{ subject }}|{{ summary }}\n")
    case = a_case(Category.OTHER, Topic.OTHER)
    case = Case(**{**case.__dict__, "summary": "{{ 7*7 }} {% for x in range(3) %}x{% endfor %}"})
    message = parse_message(mail(subject="{{ 7*7 }} {{ mp_name }}"))
    draft = drafter(tmp_path).draft(case, message)
    assert draft is not None
    assert draft.body == "{{ 7*7 }} {{ mp_name }}|{{ 7*7 }} {% for x in range(3) %}x{% endfor %}\n"
    assert "49" not in draft.body and "Alex Morgan" not in draft.body


def test_a_broken_office_template_falls_back_to_the_built_in_one_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "casework.txt.j2").write_text("{{ salutaton }},\n")
    (tmp_path / "policy.txt.j2").write_text("{{ subject.__class__.__mro__ }}\n")
    d = drafter(tmp_path)
    with caplog.at_level(logging.WARNING):
        typo = d.draft(a_case(topic=Topic.TAX), MESSAGE)
        escape = d.draft(a_case(Category.POLICY, Topic.TAX), MESSAGE)
    assert typo is not None and typo.template == "built-in:casework.txt.j2"
    assert escape is not None and escape.template == "built-in:policy.txt.j2"
    assert "object" not in escape.body and "Dear Priya Shah" in escape.body
    events = [r.__dict__.get("event") for r in caplog.records]
    assert events.count("draft.template_failed") == 2


def test_abuse_and_spam_get_no_automatic_draft_but_staff_may_choose_one() -> None:
    d = drafter()
    abuse = a_case(Category.ABUSE, Topic.OTHER)
    assert d.draft(abuse, MESSAGE) is None
    assert d.draft(a_case(Category.SPAM, Topic.OTHER), MESSAGE) is None
    chosen = d.draft(abuse, MESSAGE, "default", chosen_by_staff=True)
    assert chosen is not None and chosen.template == "default.txt.j2"
    with pytest.raises(UnknownTemplateError, match="no template 'defualt'"):
        d.draft(abuse, MESSAGE, "defualt", chosen_by_staff=True)
    with pytest.raises(UnknownTemplateError):
        d.draft(abuse, MESSAGE, "_signature", chosen_by_staff=True)


def test_urgent_cases_get_the_urgent_paragraph_and_the_housing_letter_asks_for_consent() -> None:
    d = drafter()
    calm = d.draft(a_case(), MESSAGE)
    urgent = d.draft(a_case(urgent=True), MESSAGE)
    assert calm is not None and urgent is not None
    assert "priority" not in calm.body and "priority" in urgent.body
    assert "written permission" in calm.body
    assert "Priya Walsh in my office" in calm.body
    unassigned = d.draft(a_case(assignee=None), MESSAGE)
    assert unassigned is not None and "in my office will be glad" not in unassigned.body


def test_their_words_cannot_pose_as_a_placeholder_that_blocks_the_reply(tmp_path: Path) -> None:
    (tmp_path / "default.txt.j2").write_text("{{ subject }} [[write this]]\n")
    message = parse_message(mail(subject="[[Please read]]"))
    draft = drafter(tmp_path).draft(a_case(Category.OTHER, Topic.OTHER), message)
    assert draft is not None and draft.body == "[ [Please read] ] [[write this]]\n"

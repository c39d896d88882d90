"""Dissolution and the SAR gaps on the SharePoint store, against the local Graph-speaking
server: the plan works, recording a choice is refused with the reason, the SAR bundle holds
the case's notes, and erasure removes the notes list's items too."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from privacy_office import EMAIL, NAME, START, zanele_mail

from casedesk.adapters.embedded.clock import FixedClock
from casedesk.bootstrap import App
from casedesk.core import casework, dissolution, erasure, sar
from casedesk.core.models import DissolutionOption, RawMessage
from casedesk.core.triage import Triage
from casedesk.errors import UnsupportedStoreError
from sharepoint_stack import SharePointStack, start_stack

NOTE = "Rang the RSPB about the nest; they will write to the roofers"


@pytest.fixture
def sp() -> Iterator[SharePointStack]:
    stack = start_stack()
    yield stack
    stack.close()


@pytest.fixture
def office(app: App, sp: SharePointStack, clock: FixedClock) -> Triage:
    assert clock.now() == START
    t = app.triage
    triage = Triage(
        sp.repository(), sp.files(), app.classifier, t.drafter, app.ops, clock, t.policy
    )
    for name, data in sorted(zanele_mail(with_mention=False).items()):
        assert triage.triage_one(RawMessage(name, data)).case_ref
    [own] = triage.repo.cases_of_constituent(EMAIL)
    casework.add_note(triage.repo, clock, own.ref, NOTE, "priya.shah")
    return triage


def test_the_plan_works_on_sharepoint_but_recording_a_choice_is_refused_with_why(
    office: Triage,
) -> None:
    [own] = office.repo.cases_of_constituent(EMAIL)
    plan = dissolution.build_plan(office.repo, office.clock.now(), "Office")
    [item] = [i for i in plan.items if i.case.ref == own.ref]
    assert item.handover.latest_note and item.handover.latest_note.text == NOTE
    with pytest.raises(UnsupportedStoreError, match="cannot be recorded in SharePoint yet"):
        dissolution.decide(office.repo, office.clock, own.ref, DissolutionOption.PURGE, "jo")
    assert office.repo.dissolution_choices() == []


def test_sharepoint_sar_holds_the_notes_and_erasure_removes_them(
    office: Triage, sp: SharePointStack
) -> None:
    [own] = office.repo.cases_of_constituent(EMAIL)
    bundle = sar.collect(office.repo, office.files, EMAIL, office.clock.now(), "jo", "Office",
                         {"alex.morgan.mp@parliament.example"}, "salt", office.ops)  # fmt: skip
    [record] = [f for f in bundle.files if f.path == f"records/casework/{own.ref}.json"]
    assert [n["text"] for n in json.loads(record.data)["notes"]] == [NOTE]
    assert NOTE in json.dumps(sp.rows("notes"))

    erasure.erase(office.repo, office.files, office.ops, office.clock, "salt", EMAIL, "asked", "jo")
    left = json.dumps([sp.rows(k) for k in ("notes", "cases", "constituents", "messages")])
    for needle in (NOTE, EMAIL, NAME):
        assert needle not in left, needle

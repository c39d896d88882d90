"""What every CaseRepository must do, whatever it stores cases in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from casedesk.core.mime import parse_message
from casedesk.core.models import (
    Campaign,
    CaseFlag,
    CaseQuery,
    CaseStatus,
    Category,
    Classification,
    NewCase,
    QuarantineItem,
    Topic,
)
from casedesk.errors import NotFoundError
from mailmaker import mail

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
HOUSING = Classification(Category.CASEWORK, Topic.HOUSING, True, 0.8, ("casework: 'damp'",), "test")


def open_case(
    repo: Any, email: str = "priya@example.org", when: datetime = NOW, subject: str = "Damp"
) -> str:
    person = repo.upsert_constituent(email, "Priya Shah", "CB1 2AD", when)
    return str(
        repo.create_case(
            NewCase(person.id, subject, subject.lower(), HOUSING, None, None, "summary", when)
        )
    )


def test_references_are_sequential_per_year(repo: Any) -> None:
    with repo.transaction():
        refs = [open_case(repo) for _ in range(3)]
        next_year = open_case(repo, when=datetime(2027, 1, 1, 0, 1, tzinfo=UTC))
    assert refs == ["CD-2026-000001", "CD-2026-000002", "CD-2026-000003"]
    assert next_year == "CD-2027-000001"


def test_get_case_round_trips_and_unknown_ref_says_how_to_find_one(repo: Any) -> None:
    with repo.transaction():
        ref = open_case(repo)
    case = repo.get_case(ref.lower())
    assert (case.ref, case.category, case.topic, case.is_urgent, case.status) == (
        ref,
        Category.CASEWORK,
        Topic.HOUSING,
        True,
        CaseStatus.NEW,
    )
    assert (case.constituent_email, case.postcode) == ("priya@example.org", "CB1 2AD")
    with pytest.raises(NotFoundError, match="casedesk queue"):
        repo.get_case("CD-1999-000001")


def test_constituent_upsert_keeps_known_postcode_when_new_mail_has_none(repo: Any) -> None:
    with repo.transaction():
        first = repo.upsert_constituent("a@example.org", "Ann", "CB1 2AD", NOW)
        again = repo.upsert_constituent("a@example.org", "", None, NOW)
    assert again.id == first.id and again.postcode == "CB1 2AD" and again.name == "Ann"


def test_messages_found_by_id_or_hash_and_by_thread(repo: Any) -> None:
    message = parse_message(mail())
    with repo.transaction():
        ref = open_case(repo)
        repo.add_message(ref, message, HOUSING, NOW, "cases/x.eml")
    assert repo.find_message(message.message_id, "nope").case_ref == ref
    assert repo.find_message("<other@x>", message.sha256).case_ref == ref
    assert repo.find_message("<other@x>", "nope") is None
    assert repo.case_for_thread(["<unknown@x>", message.message_id]) == ref
    assert repo.cases_for_messages([message.message_id, "<unknown@x>"]) == [ref]
    [stored] = repo.case_messages(ref)
    assert stored.classification == HOUSING and stored.new_text == message.new_text


def test_adding_the_same_message_twice_is_refused(repo: Any) -> None:
    message = parse_message(mail())
    with repo.transaction():
        ref = open_case(repo)
        repo.add_message(ref, message, HOUSING, NOW, "a.eml")
    with pytest.raises(Exception), repo.transaction():  # noqa: B017 - any store error
        repo.add_message(ref, message, HOUSING, NOW, "a.eml")
    assert len(repo.case_messages(ref)) == 1


def test_subject_threading_only_matches_same_sender_open_recent_cases(repo: Any) -> None:
    with repo.transaction():
        ref = open_case(repo, subject="Damp")
    assert repo.recent_case_for_subject("priya@example.org", "damp", NOW - timedelta(days=1)) == ref
    assert (
        repo.recent_case_for_subject("other@example.org", "damp", NOW - timedelta(days=1)) is None
    )
    assert (
        repo.recent_case_for_subject("priya@example.org", "damp", NOW + timedelta(days=1)) is None
    )


def test_query_filters_and_orders_urgent_first(repo: Any) -> None:
    calm = Classification(Category.POLICY, Topic.TRANSPORT, False, 0.5, (), "test")
    with repo.transaction():
        person = repo.upsert_constituent("t@example.org", "Tom", "LS6 1AN", NOW)
        policy_ref = repo.create_case(
            NewCase(person.id, "Buses", "buses", calm, "jo", None, "", NOW)
        )
        urgent_ref = open_case(repo, when=NOW + timedelta(hours=1))
        repo.add_message(
            urgent_ref, parse_message(mail(body="black mould everywhere")), HOUSING, NOW, "a.eml"
        )
    assert [c.ref for c in repo.query_cases(CaseQuery())] == [urgent_ref, policy_ref]
    assert [c.ref for c in repo.query_cases(CaseQuery(postcode="cb1"))] == [urgent_ref]
    assert [c.ref for c in repo.query_cases(CaseQuery(postcode="LS6 1AN"))] == [policy_ref]
    assert [c.ref for c in repo.query_cases(CaseQuery(category=Category.POLICY))] == [policy_ref]
    assert [c.ref for c in repo.query_cases(CaseQuery(assignee="jo"))] == [policy_ref]
    assert [c.ref for c in repo.query_cases(CaseQuery(text="mould"))] == [urgent_ref]
    assert repo.query_cases(CaseQuery(text='mould" OR x')) == []  # user text is never query syntax


def test_recategorise_into_campaign(repo: Any) -> None:
    with repo.transaction():
        ref = open_case(repo)
        repo.upsert_campaign(Campaign("cluster-000001", "Sewage", 3, NOW, NOW, True, "Sewage"))
        repo.recategorise(ref, Category.CAMPAIGN, "cluster-000001")
    case = repo.get_case(ref)
    assert (case.category, case.campaign_id) == (Category.CAMPAIGN, "cluster-000001")
    assert repo.get_campaign("cluster-000001").size == 3


def test_flags_are_stored_queried_and_set_by_a_correction(repo: Any) -> None:
    unsure = NewCase(
        repo.upsert_constituent("sam@example.org", "Sam", None, NOW).id,
        "Help",
        "help",
        HOUSING,
        None,
        None,
        "summary",
        NOW,
        frozenset({CaseFlag.NEEDS_REVIEW, CaseFlag.SAFEGUARDING}),
    )
    with repo.transaction():
        sure = open_case(repo)
        ref = repo.create_case(unsure)
    assert repo.get_case(ref).flags == {CaseFlag.NEEDS_REVIEW, CaseFlag.SAFEGUARDING}
    assert repo.get_case(sure).flags == frozenset()
    review = [c.ref for c in repo.query_cases(CaseQuery(flag=CaseFlag.NEEDS_REVIEW))]
    assert review == [ref]
    with repo.transaction():
        repo.set_classification(
            ref, Category.POLICY, Topic.HEALTH, False, frozenset({CaseFlag.SAFEGUARDING})
        )
    case = repo.get_case(ref)
    assert (case.category, case.topic, case.is_urgent) == (Category.POLICY, Topic.HEALTH, False)
    assert case.flags == {CaseFlag.SAFEGUARDING} and not case.needs_review
    assert repo.query_cases(CaseQuery(flag=CaseFlag.NEEDS_REVIEW)) == []
    assert [c.ref for c in repo.query_cases(CaseQuery(flag=CaseFlag.SAFEGUARDING))] == [ref]


def test_transaction_rolls_back_everything_on_error(repo: Any) -> None:
    with pytest.raises(RuntimeError), repo.transaction():
        open_case(repo)
        raise RuntimeError("crash mid-message")
    assert repo.query_cases(CaseQuery()) == []
    with repo.transaction():
        assert open_case(repo) == "CD-2026-000001"  # the rolled-back number is reused


def test_quarantine_records_once_per_content(repo: Any) -> None:
    item = QuarantineItem("ab" * 32, "bad.eml", "no header block", NOW, "/q/ab.eml")
    assert repo.record_quarantine(item) is True
    assert repo.record_quarantine(item) is False
    assert repo.quarantined() == [item]


def test_audit_entries_chain(repo: Any) -> None:
    from casedesk.core.audit import GENESIS

    a = repo.append_audit(NOW, "me", "case.opened", "CD-2026-000001", {"n": 1})
    b = repo.append_audit(NOW, "me", "case.closed", "CD-2026-000001", {"n": 2})
    assert a.prev_hash == GENESIS and b.prev_hash == a.hash and a.hash != b.hash


def test_ward_is_stored_and_searched_in_any_case(repo: Any) -> None:
    person = repo.upsert_constituent("ana@example.org", "Ana", "CB4 2LD", NOW)
    in_ward = NewCase(
        person.id, "Bins", "bins", HOUSING, None, None, "summary", NOW,
        frozenset({CaseFlag.OUTSIDE}), ward="Arbury",
    )  # fmt: skip
    with repo.transaction():
        ref = repo.create_case(in_ward)
        elsewhere = open_case(repo)
    case = repo.get_case(ref)
    assert (case.ward, case.flags) == ("Arbury", {CaseFlag.OUTSIDE})
    assert repo.get_case(elsewhere).ward is None
    assert [c.ref for c in repo.query_cases(CaseQuery(ward="arbury"))] == [ref]
    assert repo.query_cases(CaseQuery(ward="Abbey")) == []
    assert [c.ref for c in repo.query_cases(CaseQuery(flag=CaseFlag.OUTSIDE))] == [ref]


# --- data protection: subject access, retention, erasure --------------------------------


def test_a_constituent_and_every_message_they_sent_are_found_by_address(repo: Any) -> None:
    own = parse_message(mail())
    elsewhere = parse_message(
        mail("I support my neighbour's complaint.", message_id="<m9@example.org>")
    )
    with repo.transaction():
        ref = open_case(repo, email="priya.shah@example.org")
        other = open_case(repo, email="neighbour@example.org", subject="Noise")
        repo.add_message(ref, own, HOUSING, NOW, "cases/a.eml")
        repo.add_message(other, elsewhere, HOUSING, NOW + timedelta(hours=1), "cases/b.eml")
    person = repo.find_constituent(" Priya.Shah@example.org ")
    assert (person.email, person.name, person.postcode) == (
        "priya.shah@example.org", "Priya Shah", "CB1 2AD",
    )  # fmt: skip
    assert repo.find_constituent("nobody@example.org") is None
    sent = repo.messages_from("PRIYA.SHAH@example.org")
    assert [(m.case_ref, m.message_id) for m in sent] == [
        (ref, own.message_id), (other, elsewhere.message_id),
    ]  # fmt: skip
    assert repo.messages_from("nobody@example.org") == []


def test_deleting_a_case_removes_it_and_its_messages_and_nothing_else(repo: Any) -> None:
    with repo.transaction():
        gone = open_case(repo)
        kept = open_case(repo, email="tom@example.org", subject="Buses")
        repo.add_message(gone, parse_message(mail()), HOUSING, NOW, "cases/a.eml")
        kept_message = parse_message(
            mail(message_id="<k@example.org>", body="buses again", subject="Buses")
        )
        repo.add_message(kept, kept_message, HOUSING, NOW, "cases/b.eml")
    assert repo.delete_case(gone) == 1
    with pytest.raises(NotFoundError):
        repo.get_case(gone)
    assert repo.case_messages(gone) == [] and repo.find_message("<m1@example.org>", "x") is None
    assert [c.ref for c in repo.query_cases(CaseQuery())] == [kept]
    assert repo.query_cases(CaseQuery(text="damp")) == []  # gone from search too
    assert [m.message_id for m in repo.case_messages(kept)] == ["<k@example.org>"]
    assert repo.delete_case(gone) == 0  # again: nothing left, no error


def test_deleting_one_message_keeps_its_case_and_recounts(repo: Any) -> None:
    first, second = parse_message(mail()), parse_message(mail(message_id="<m2@example.org>"))
    with repo.transaction():
        ref = open_case(repo)
        repo.add_message(ref, first, HOUSING, NOW, "cases/a.eml")
        repo.add_message(ref, second, HOUSING, NOW + timedelta(minutes=1), "cases/b.eml")
    assert repo.delete_message(second.message_id) is True
    assert repo.delete_message(second.message_id) is False
    assert [m.message_id for m in repo.case_messages(ref)] == [first.message_id]
    assert repo.get_case(ref).message_count == 1


def test_a_constituent_is_deleted_only_when_no_case_names_them(repo: Any) -> None:
    with repo.transaction():
        ref = open_case(repo)
    assert repo.delete_constituent("priya@example.org") is False
    repo.delete_case(ref)
    assert repo.delete_constituent("Priya@example.org") is True
    assert repo.find_constituent("priya@example.org") is None
    assert repo.delete_constituent("priya@example.org") is False


def test_a_quarantine_record_is_deleted_by_its_hash(repo: Any) -> None:
    from casedesk.core.models import QuarantineItem

    items = [QuarantineItem(c * 64, "inbox", "no sender", NOW, f"quarantine/{c * 64}.eml")
             for c in "ab"]  # fmt: skip
    with repo.transaction():
        for item in items:
            assert repo.record_quarantine(item) is True
    assert repo.delete_quarantined("a" * 64) is True
    assert repo.delete_quarantined("a" * 64) is False
    assert repo.quarantined() == [items[1]]
    with repo.transaction():  # the same bytes quarantined again are a new record
        assert repo.record_quarantine(items[0]) is True


def test_an_audit_entry_is_redacted_in_place_keeping_its_hash(repo: Any) -> None:
    first = repo.append_audit(NOW, "me", "rules.changed", "rules", {"diff": "+ sender: p@x.org"})
    second = repo.append_audit(NOW, "me", "case.opened", "CD-2026-000001", {"n": 2})
    repo.redact_audit(first.seq, {"redacted_by": second.seq})
    after = repo.audit_entries()
    assert [e.detail for e in after] == [{"redacted_by": second.seq}, {"n": 2}]
    assert [(e.seq, e.hash, e.prev_hash) for e in after] == [
        (first.seq, first.hash, first.prev_hash), (second.seq, second.hash, second.prev_hash),
    ]  # fmt: skip


def test_deleting_a_case_takes_its_referrals_with_it(repo: Any) -> None:
    with repo.transaction():
        ref = open_case(repo)
        keep = open_case(repo, email="other@example.org")
    repo.add_referral(ref, "dwp", NOW, "jo.price", NOW + timedelta(days=28), "PIP review")
    repo.add_referral(keep, "hmrc", NOW, "jo.price", NOW + timedelta(days=28))
    repo.delete_case(ref)
    with pytest.raises(NotFoundError):
        repo.get_case(ref)
    assert [r.case_ref for r in repo.referrals()] == [keep]

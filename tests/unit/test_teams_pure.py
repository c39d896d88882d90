"""The Teams bot's pure parts: commands, the permission table, digests, cards and the chart."""

from __future__ import annotations

import json
import struct
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from casedesk.core.digest import build_digest, digest_due, is_overdue
from casedesk.core.models import Campaign, Case, CaseFlag, CaseStatus, Category, Topic
from casedesk.core.permissions import POLICY, Permission, check, is_abusive, may
from casedesk.core.roster import Member, Role, Roster
from casedesk.core.rules import Person
from casedesk.rules_file import parse_rules
from casedesk.teams import cards
from casedesk.teams.chart import bar_chart_png, png_data_uri
from casedesk.teams.commands import Kind, parse_command, strip_mentions
from casedesk.teams.references import ConversationRef

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def case(**changes: Any) -> Case:
    base: dict[str, Any] = {
        "ref": "CD-2026-000042",
        "constituent_email": "ann.lee@example.org",
        "constituent_name": "Ann Lee",
        "subject": "Damp in my flat",
        "category": Category.CASEWORK,
        "topic": Topic.HOUSING,
        "is_urgent": False,
        "status": CaseStatus.OPEN,
        "assignee": "priya.shah",
        "campaign_id": None,
        "summary": "My landlord will not fix the damp.",
        "created_at": NOW - timedelta(hours=2),
        "updated_at": NOW,
    }
    base.update(changes)
    return Case(**base)


PRIYA = Member("priya.shah", "Priya Shah", Role.CASEWORKER)
TOM = Member("tom.reid", "Tom Reid", Role.CASEWORKER)
JO = Member("jo.price", "Jo Price", Role.OFFICE_MANAGER)
SAM = Member("sam.okafor", "Sam Okafor", Role.SAFETY_LEAD)
ALEX = Member("alex.morgan", "Alex Morgan MP", Role.MP)


# --- commands ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "ref", "arg"),
    [
        ("my queue", Kind.MY_QUEUE, None, ""),
        ("  My   Queue ", Kind.MY_QUEUE, None, ""),
        ("unassigned", Kind.UNASSIGNED, None, ""),
        ("overdue", Kind.OVERDUE, None, ""),
        ("case cd-2026-000042", Kind.CASE, "CD-2026-000042", ""),
        ("CD-2026-000042", Kind.CASE, "CD-2026-000042", ""),
        ("search damp Arbury", Kind.SEARCH, None, "damp Arbury"),
        ("change category CD-2026-000042 policy", Kind.CHANGE_CATEGORY, "CD-2026-000042", "policy"),
        ("claim CD-2026-000042", Kind.CLAIM, "CD-2026-000042", ""),
        ("assign CD-2026-000042 to @Priya Shah", Kind.ASSIGN, "CD-2026-000042", "Priya Shah"),
        ("close CD-2026-000042 council fixed it", Kind.CLOSE, "CD-2026-000042", "council fixed it"),
        ("note CD-2026-000042 rang the council", Kind.NOTE, "CD-2026-000042", "rang the council"),
        ("handover @Tom Reid", Kind.HANDOVER, None, "Tom Reid"),
        ("help", Kind.HELP, None, ""),
        ("", Kind.HELP, None, ""),
        ("case without a reference", Kind.UNKNOWN, None, "case without a reference"),
        ("delete everything", Kind.UNKNOWN, None, "delete everything"),
    ],
)
def test_commands_are_read_from_plain_words(
    text: str, kind: Kind, ref: str | None, arg: str
) -> None:
    command = parse_command(text)
    assert (command.kind, command.ref, command.arg) == (kind, ref, arg)


def test_channel_text_loses_the_bots_mention_but_keeps_other_peoples_names() -> None:
    text = "<at>CaseDesk</at>&nbsp;assign CD-2026-000042 to <at>Priya Shah</at>"
    cleaned = strip_mentions(text, ["<at>CaseDesk</at>"])
    assert cleaned == "assign CD-2026-000042 to Priya Shah"
    assert parse_command(cleaned).arg == "Priya Shah"


# --- roster and permissions ----------------------------------------------------------------


def test_roster_finds_members_by_entra_object_id_in_any_case() -> None:
    roster = Roster.from_people(
        {
            "jo.price": Person("jo.price", "Jo Price", "office_manager", "7FAF8AB2-3D56-4244-B585-20C8A42ED2B8"),
            "x": Person("x", "X", "no_such_role", "{11111111-1111-1111-1111-111111111111}"),
        }
    )  # fmt: skip
    found = roster.by_entra_id("7faf8ab2-3d56-4244-b585-20c8a42ed2b8")
    assert found is not None and found.role is Role.OFFICE_MANAGER
    odd = roster.by_entra_id("11111111-1111-1111-1111-111111111111")
    assert odd is not None and odd.role is Role.CASEWORKER  # an unknown role gets the least
    assert roster.by_entra_id(None) is None and roster.by_entra_id(" ") is None


def test_rules_file_keeps_entra_id_and_email_on_people() -> None:
    loaded = parse_rules(
        "people:\n"
        "  - {id: jo.price, name: Jo Price, role: office_manager, "
        "entra_id: 7faf8ab2-3d56-4244-b585-20c8a42ed2b8, email: jo@parliament.example}\n"
        "rules:\n  - {name: all, default: true, then: {priority: low}}\n"
    )
    assert loaded.errors == []
    person = loaded.rules.people["jo.price"]
    assert (person.entra_id, person.email) == (
        "7faf8ab2-3d56-4244-b585-20c8a42ed2b8",
        "jo@parliament.example",
    )


def test_policy_table_says_who_may_do_what() -> None:
    assert may(Role.SAFETY_LEAD, Permission.VIEW_ABUSE)
    assert not may(Role.CASEWORKER, Permission.VIEW_ABUSE)
    assert may(Role.OFFICE_MANAGER, Permission.ASSIGN) and not may(
        Role.CASEWORKER, Permission.ASSIGN
    )
    assert may(Role.MP, Permission.APPROVE) and not may(Role.OFFICE_MANAGER, Permission.APPROVE)
    assert POLICY[Permission.THREAT_ALERTS] == {Role.SAFETY_LEAD}
    assert all(POLICY[p] for p in Permission), "every permission names at least one role"


def test_checks_use_the_case_as_it_is_now() -> None:
    mine, theirs = case(), case(assignee="tom.reid")
    assert check(PRIYA, Permission.CLAIM, mine) is not None  # already hers
    assert check(PRIYA, Permission.CLAIM, theirs) is not None  # Tom's: the manager reassigns
    assert check(JO, Permission.CLAIM, theirs) is None
    assert check(PRIYA, Permission.CLAIM, case(assignee=None)) is None
    assert check(PRIYA, Permission.CLOSE, mine) is None
    assert check(PRIYA, Permission.CLOSE, theirs) is not None
    closed = case(status=CaseStatus.CLOSED)
    assert check(JO, Permission.CHANGE_CATEGORY, closed) is not None
    assert check(JO, Permission.NOTE, closed) is None  # notes on closed cases are fine
    assert check(ALEX, Permission.APPROVE, mine) is not None  # no sign-off needed
    assert check(ALEX, Permission.APPROVE, case(signoff_required=True)) is None


def test_abusive_cases_are_only_handled_by_those_who_may_read_them() -> None:
    threat = case(category=Category.CASEWORK, flags=frozenset({CaseFlag.THREAT}), assignee=None)
    assert is_abusive(threat) and is_abusive(case(category=Category.ABUSE))
    refusal = check(PRIYA, Permission.CHANGE_CATEGORY, threat)
    assert refusal is not None and "abusive or threatening" in refusal.reason
    assert check(SAM, Permission.CHANGE_CATEGORY, threat) is None
    assert check(PRIYA, Permission.VIEW_CASES, threat) is None  # they may know it exists


# --- digests -------------------------------------------------------------------------------


def test_digest_counts_the_last_day_and_lists_overdue_oldest_first() -> None:
    cases = [
        case(ref="CD-2026-000001", created_at=NOW - timedelta(hours=3)),
        case(ref="CD-2026-000002", created_at=NOW - timedelta(hours=5), category=Category.POLICY,
             topic=Topic.TAX, assignee="tom.reid"),
        case(ref="CD-2026-000003", created_at=NOW - timedelta(days=3), due_at=NOW - timedelta(hours=1)),
        case(ref="CD-2026-000004", created_at=NOW - timedelta(days=4), due_at=NOW - timedelta(days=1)),
        case(ref="CD-2026-000005", created_at=NOW - timedelta(days=4), due_at=NOW - timedelta(days=2),
             status=CaseStatus.CLOSED),
    ]  # fmt: skip
    campaigns = [
        Campaign("c1", "End sewage dumping", 40, NOW - timedelta(hours=6), NOW, True, "Sewage"),
        Campaign("c0", "Old campaign", 12, NOW - timedelta(days=9), NOW, True, "Old"),
    ]
    office = build_digest(cases, campaigns, NOW)
    assert (office.new_cases, office.open_cases) == (2, 4)
    assert office.by_category == (("casework", 1), ("policy", 1))
    assert [o.ref for o in office.overdue] == ["CD-2026-000004", "CD-2026-000003"]
    assert office.new_campaigns == (("End sewage dumping", 40),)
    mine = build_digest(cases, campaigns, NOW, "tom.reid")
    assert (mine.new_cases, mine.open_cases, mine.overdue, mine.new_campaigns) == (1, 1, (), ())
    assert is_overdue(cases[3], NOW) and not is_overdue(cases[4], NOW)


@pytest.mark.parametrize(
    ("now", "last", "due"),
    [
        (datetime(2026, 11, 23, 7, 59, tzinfo=UTC), None, False),  # 07:59 GMT
        (datetime(2026, 11, 23, 8, 0, tzinfo=UTC), None, True),  # 08:00 GMT
        (datetime(2026, 7, 6, 7, 0, tzinfo=UTC), None, True),  # 08:00 BST
        (datetime(2026, 7, 6, 6, 59, tzinfo=UTC), None, False),  # 07:59 BST
        (datetime(2026, 11, 23, 12, 0, tzinfo=UTC), datetime(2026, 11, 23).date(), False),
        (datetime(2026, 11, 24, 8, 0, tzinfo=UTC), datetime(2026, 11, 23).date(), True),
        (datetime(2026, 11, 28, 9, 0, tzinfo=UTC), None, False),  # Saturday
    ],
)
def test_digest_is_due_once_per_london_working_day(now: datetime, last: Any, due: bool) -> None:
    assert digest_due(now, last, 8) is due


# --- cards ---------------------------------------------------------------------------------


def _walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += _walk(value)
    elif isinstance(node, list):
        for item in node:
            found += _walk(item)
    return found


def _assert_well_formed(card: dict[str, Any]) -> None:
    """What Teams needs to render and route a card: version, ids for toggles, verbs."""
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    nodes = _walk(card)
    ids = {n["id"] for n in nodes if "id" in n and "type" in n}
    for node in nodes:
        kind = node.get("type", "")
        if kind == "Action.Execute":
            assert node["verb"] and node["data"]["action"] == node["verb"]
            assert node["fallback"]["type"] == "Action.Submit"
        if kind == "Action.ToggleVisibility":
            assert set(node["targetElements"]) <= ids
        if kind == "ActionSet":
            assert node["actions"], "an empty ActionSet renders as nothing"
    assert len(json.dumps(card)) < 28_000  # Teams' message size limit is about 28 KB


def test_case_card_for_every_role_is_well_formed_and_gated() -> None:
    roster = (PRIYA, TOM, JO, SAM, ALEX)
    for member in roster:
        for shown in (case(), case(category=Category.ABUSE, subject="vile words")):
            allowed = frozenset(p for p in Permission if check(member, p, shown) is None)
            view = cards.CaseView(
                shown, member, allowed, (case(ref="CD-2026-000001"),), "Dear Ann", roster
            )
            card = cards.case_card(view, NOW)
            _assert_well_formed(card)
            text = json.dumps(card)
            if shown.category is Category.ABUSE and not may(member.role, Permission.VIEW_ABUSE):
                assert "vile words" not in text
            verbs = {n.get("verb") for n in _walk(card)}
            assert ("assign" in verbs) == may(member.role, Permission.ASSIGN)


def test_constituent_text_cannot_become_markdown_or_a_link() -> None:
    sneaky = case(summary="[Click to verify your account](https://evil.example) **now**")
    view = cards.CaseView(sneaky, JO, frozenset(Permission), ())
    blocks = [n for n in _walk(cards.case_card(view, NOW)) if "evil.example" in json.dumps(n)]
    innermost = blocks[-1]
    assert innermost["type"] == "TextRun"


def test_queue_digest_alert_and_help_cards_are_well_formed() -> None:
    many = [case(ref=f"CD-2026-{n:06d}") for n in range(1, 40)]
    queue = cards.queue_card("Overdue", many, NOW, "Nothing")
    _assert_well_formed(queue)
    assert "…and 24 more" in json.dumps(queue, ensure_ascii=False)
    digest = build_digest(many, [], NOW)
    chart = png_data_uri(bar_chart_png([n for _, n in digest.by_category]))
    for card in (
        cards.digest_card(digest, "the office", chart),
        cards.threat_alert_card(case(category=Category.ABUSE, flags=frozenset({CaseFlag.THREAT}))),
        cards.help_card(PRIYA),
        cards.unknown_user_card(),
        cards.refusal_card("No."),
        cards.sla_notice_card("case.escalated_to_you", "CD-2026-000042", "CD-2026-000042", NOW),
    ):
        _assert_well_formed(card)


def test_chart_is_a_valid_small_png() -> None:
    png = bar_chart_png([7, 3, 1, 0])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) < 2000
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (240, 4 * 20 + 6)
    chunks, at = {}, 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        data = png[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", png[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + data) & 0xFFFFFFFF
        chunks[kind] = data
        at += 12 + length
    rows = zlib.decompress(chunks[b"IDAT"])
    assert len(rows) == height * (width + 1)
    first_bar = rows[(6 + 1) * (width + 1) : (6 + 2) * (width + 1)]
    assert first_bar[1] != 0 and first_bar[-1] != 0  # the longest bar is full width


def test_conversation_reference_round_trips_and_survives_junk() -> None:
    ref = ConversationRef(
        "https://smba.trafficmanager.net/teams/", "a:1", "t", "28:bot", "personal", "jo"
    )
    assert ConversationRef.from_json(ref.to_json()) == ref
    assert ConversationRef.from_json("not json") is None

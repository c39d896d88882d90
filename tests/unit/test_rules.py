"""The routing rules engine and rules.yaml checks: semantics, fairness, exact messages."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from casedesk.core.models import Category, Classification, Topic
from casedesk.core.office_hours import OfficeHours
from casedesk.core.rules import Facts, decide, first_match
from casedesk.rules_file import parse_rules


@dataclass
class Turns:
    """A Workload kept in memory (the product's is StoredWorkload over ops state)."""

    turns: dict[str, int] = field(default_factory=dict)
    loads: dict[str, int] = field(default_factory=dict)

    def turn(self, team: str, size: int) -> int:
        n = self.turns.get(team, 0)
        self.turns[team] = (n + 1) % size
        return n

    def open_cases(self, person: str) -> int:
        return self.loads.get(person, 0)


PEOPLE = """
people:
  - {id: a, name: A}
  - {id: b, name: B}
  - {id: c, name: C}
  - {id: lead, name: Lead, role: safety_lead}
teams:
  t: [a, b, c]
"""


def facts(category: str = "casework", topic: str = "housing", **kw: object) -> Facts:
    base: dict[str, object] = dict(
        category=category, topic=topic, urgent=False, threat=False, safeguarding=False,
        mailbox="office@x", sender="p@example.org", postcode="CB1 2AD", ward=None,
        outside_constituency=None, subject="Damp", body="the flat is damp", campaign_id=None,
        existing_constituent=False, office_hours=True,
    )  # fmt: skip
    return Facts(**(base | kw))  # type: ignore[arg-type]


def classified(category: str = "casework", threat: bool = False) -> Classification:
    return Classification(Category(category), Topic.HOUSING, threat, 0.9, (), "t", threat=threat)


categories = st.sampled_from([c.value for c in Category])
topics = st.sampled_from([t.value for t in Topic])


RULES = parse_rules(
    PEOPLE
    + """
rules:
  - name: tag-urgent
    when: {urgent: true}
    then: {tags: [urgent], priority: high}
    continue: true
  - name: housing
    when: {category: casework, topic: housing}
    then: {assign: {team: t}, sla_hours: 40}
  - name: press
    when: {category: press}
    then: {assign: {person: a}, require_signoff: true}
  - name: rest
    default: true
    then: {assign: {person: c}, priority: low}
"""
).rules


@given(categories, topics, st.booleans())
def test_first_match_wins_and_the_default_catches_everything(
    cat: str, topic: str, urgent: bool
) -> None:
    f = facts(cat, topic, urgent=urgent)
    d = decide(RULES, f, classified(cat), Turns(), "lead")
    deciding = first_match(RULES.rules, f)
    assert deciding is not None  # the default catches every message
    assert d.matched[-1] == deciding.name  # the first deciding rule is the last applied
    assert ("tag-urgent" in d.matched) == urgent  # `continue` rules apply and go on
    if cat == "press":
        assert d.assignee == "a" and d.require_signoff
    elif cat not in ("abuse",) and not (cat == "casework" and topic == "housing"):
        assert d.assignee == "c"


@given(st.integers(min_value=1, max_value=60))
def test_round_robin_is_fair(n: int) -> None:
    turns = Turns()
    got = Counter(decide(RULES, facts(), classified(), turns, None).assignee for _ in range(n))
    assert max(got.values()) - min(got.get(p, 0) for p in "abc") <= 1


def test_least_loaded_picks_the_person_with_fewest_open_cases() -> None:
    rules = parse_rules(
        PEOPLE
        + "rules:\n  - {name: all, default: true, then: {assign: {team: t, strategy: least_loaded}}}\n"
    ).rules
    assert (
        decide(rules, facts(), classified(), Turns(loads={"a": 5, "b": 1, "c": 3}), None).assignee
        == "b"
    )


@given(categories)
def test_abuse_and_threats_go_to_the_safety_lead_whatever_the_rules_say(cat: str) -> None:
    d = decide(RULES, facts(cat), classified(cat, threat=True), Turns(), "lead")
    assert d.assignee == "lead"
    assert decide(RULES, facts("abuse"), classified("abuse"), Turns(), "lead").assignee == "lead"


def messages(text: str) -> list[str]:
    return [p.render("rules.yaml") for p in parse_rules(PEOPLE + text).problems]


def test_every_error_names_file_line_field_and_fix() -> None:
    assert messages(
        "rules:\n  - {name: x, when: {category: casewrok}, then: {priority: low}}\n  - {name: d, default: true, then: {}}\n"
    ) == [
        "rules.yaml:10: error: rule x.when.category: unknown category 'casewrok'. Fix: did you mean 'casework'? "
        "one of casework, campaign, policy, invitation, press, abuse, spam, other"
    ]
    unknown_person = messages(
        "rules:\n  - {name: d, default: true, then: {assign: {person: bb}}}\n"
    )
    assert unknown_person == [
        "rules.yaml:10: error: rule d.then.assign.person: unknown person 'bb'. Fix: did you mean 'b'? "
        "add them under people, or use one of a, b, c, lead"
    ]
    no_default = messages("rules:\n  - {name: x, when: {category: press}, then: {priority: low}}\n")
    assert no_default == [
        "rules.yaml:10: error: rules: no default rule. Fix: end the rules with one that has "
        "`default: true`, so every message is routed"
    ]


def test_a_shadowed_rule_and_an_overlap_are_reported() -> None:
    shadowed = messages(
        "rules:\n"
        "  - {name: casework, when: {category: casework}, then: {priority: low}}\n"
        "  - {name: housing, when: {category: casework, topic: housing}, then: {priority: high}}\n"
        "  - {name: d, default: true, then: {}}\n"
    )
    assert shadowed == [
        "rules.yaml:11: error: when: rule 'housing' can never match: rule 'casework' (line 10) takes "
        "every message it would. Fix: move 'housing' above 'casework', or narrow 'casework'"
    ]
    overlap = messages(
        "rules:\n"
        "  - {name: housing, when: {topic: housing}, then: {priority: high}}\n"
        "  - {name: cb1, when: {postcode_prefix: CB1}, then: {priority: low}}\n"
        "  - {name: d, default: true, then: {}}\n"
    )
    # A housing message from CB1 matches both: worth a warning, not an error.
    assert len(overlap) == 1 and "rule 'cb1' overlaps rule 'housing' (line 10)" in overlap[0]
    overlap = messages(
        "rules:\n"
        "  - {name: cb, when: {postcode_prefix: CB, topic: [housing, health]}, then: {priority: high}}\n"
        "  - {name: cb1, when: {postcode_prefix: CB1, topic: [housing, tax]}, then: {priority: low}}\n"
        "  - {name: le, when: {postcode_prefix: LE, topic: housing}, then: {priority: low}}\n"
        "  - {name: d, default: true, then: {}}\n"
    )
    assert len(overlap) == 1 and "warning" in overlap[0] and "overlaps rule 'cb'" in overlap[0]


def test_the_sample_office_rules_are_clean() -> None:
    from pathlib import Path

    from casedesk.rules_file import load_rules

    loaded = load_rules(Path(__file__).resolve().parents[2] / "samples" / "rules.yaml")
    assert loaded.problems == [] and len(loaded.rules.people) == 7


def test_working_hours_skip_nights_weekends_bank_holidays_and_survive_the_clock_change() -> None:
    hours = OfficeHours()
    # Friday 16:30 GMT + 2 working hours: 1 h Friday, then Monday 09:00-10:00.
    assert hours.add_working_hours(datetime(2026, 11, 20, 16, 30, tzinfo=UTC), 2) == datetime(
        2026, 11, 23, 10, 0, tzinfo=UTC
    )
    # 01:30 UTC on the night the clocks go forward (Sunday 29 March 2026): outside hours;
    # Monday 09:00 BST is 08:00 UTC, so 1 working hour later is 09:00 UTC.
    night = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert not hours.is_open(night)
    assert hours.add_working_hours(night, 1) == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    # Clocks go back on Sunday 25 October 2026: Monday 09:00 GMT is 09:00 UTC.
    assert hours.add_working_hours(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), 1) == datetime(
        2026, 10, 26, 10, 0, tzinfo=UTC
    )
    # Christmas 2026: Friday 25th and Monday 28th are bank holidays.
    assert hours.add_working_hours(datetime(2026, 12, 24, 17, 0, tzinfo=UTC), 1) == datetime(
        2026, 12, 29, 9, 30, tzinfo=UTC
    )

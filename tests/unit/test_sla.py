"""SLA stages and escalation per rule (core/sla.py), and the rules.yaml keys behind them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from casedesk.core.models import Case, CaseFlag, CaseStatus, Category, Topic
from casedesk.core.rules import RuleSet
from casedesk.core.sla import (
    DUE_SOON,
    ESCALATED,
    ESCALATED_TO_YOU,
    OVERDUE,
    STAGE_RANK,
    WARNED,
    SlaPolicy,
    escalation_for,
    is_overdue,
    plan,
    stage_of,
)
from casedesk.rules_file import parse_rules

DUE = datetime(2026, 11, 18, 14, 0, tzinfo=UTC)  # a Wednesday, 14:00 GMT
POLICY = SlaPolicy(warn_hours=4)

RULES = """
people:
  - {id: jo, name: Jo, role: office_manager}
  - {id: kim, name: Kim, role: office_manager}
  - {id: a, name: A}
  - {id: b, name: B}
  - {id: c, name: C}
  - {id: lead, name: Lead, role: safety_lead}
teams:
  housing: [a, b, c]
rules:
  - name: tag-urgent
    when: {urgent: true}
    then: {tags: [urgent], escalate_to: {person: kim}}
    continue: true
  - name: housing
    when: {topic: housing}
    then:
      assign: {team: housing}
      sla_hours: 8
      escalate_to: {team: housing, strategy: least_loaded}
  - name: benefits
    when: {topic: benefits}
    then: {assign: {person: a}, sla_hours: 8, escalate_to: {person: jo}, notify_manager: true}
  - name: council
    when: {topic: council_services}
    then: {assign: {team: housing}, sla_hours: 8, escalate_to: {team: housing}}
  - name: other
    default: true
    then: {sla_hours: 40}
"""


@cache
def ruleset(text: str = RULES) -> RuleSet:
    loaded = parse_rules(text)
    assert not loaded.errors, loaded.errors
    return loaded.rules


@dataclass
class Load:
    """A Workload in memory: open-case counts and round-robin turns."""

    loads: dict[str, int] = field(default_factory=dict)
    turns: dict[str, int] = field(default_factory=dict)

    def turn(self, team: str, size: int) -> int:
        n = self.turns.get(team, 0)
        self.turns[team] = n + 1
        return n % size

    def open_cases(self, person: str) -> int:
        return self.loads.get(person, 0)


def case(
    routed_by: tuple[str, ...] = ("housing",),
    assignee: str | None = "a",
    due_at: datetime | None = DUE,
    **kw: object,
) -> Case:
    base = Case(
        ref="CD-2026-000042", constituent_email="p@example.org", constituent_name="P",
        subject="Damp", category=Category.CASEWORK, topic=Topic.HOUSING, is_urgent=False,
        status=CaseStatus.OPEN, assignee=assignee, campaign_id=None, summary="",
        created_at=DUE - timedelta(days=2), updated_at=DUE - timedelta(days=2), due_at=due_at,
        routed_by=routed_by,
    )  # fmt: skip
    return replace(base, **kw)  # type: ignore[arg-type]


def test_a_case_with_hours_to_spare_needs_nothing() -> None:
    assert plan(case(), DUE - timedelta(hours=5), POLICY, ruleset(), Load()) is None
    assert plan(case(due_at=None), DUE, POLICY, ruleset(), Load()) is None


def test_a_nearly_due_case_warns_its_assignee_once() -> None:
    action = plan(case(), DUE - timedelta(hours=3), POLICY, ruleset(), Load())
    assert action is not None
    assert (action.stage, action.assignee_after, action.notify) == (WARNED, "a", (("a", DUE_SOON),))
    assert action.working_hours_left == 3.0 and not action.reassigned
    warned = case(sla_stage=WARNED, sla_stage_due=DUE)
    assert plan(warned, DUE - timedelta(hours=1), POLICY, ruleset(), Load()) is None


def test_the_warning_window_counts_working_hours() -> None:
    """Due Monday 10:00: on Friday at 16:00 only 2.5 working hours are left."""
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    friday = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
    action = plan(case(due_at=monday), friday, POLICY, ruleset(), Load())
    assert action is not None and action.stage == WARNED and action.working_hours_left == 2.5


def test_an_unassigned_nearly_due_case_warns_the_office_managers() -> None:
    action = plan(case(assignee=None), DUE - timedelta(hours=1), POLICY, ruleset(), Load())
    assert action is not None and action.notify == (("jo", DUE_SOON), ("kim", DUE_SOON))


def test_an_overdue_case_goes_to_the_least_loaded_other_team_member() -> None:
    load = Load(loads={"a": 0, "b": 5, "c": 2})
    action = plan(case(), DUE, POLICY, ruleset(), load)  # due now: overdue
    assert action is not None
    assert (action.stage, action.assignee_before, action.assignee_after) == (ESCALATED, "a", "c")
    assert action.notify == (("a", OVERDUE), ("c", ESCALATED_TO_YOU))
    assert action.rule == "housing" and action.reassigned and action.working_hours_left == 0


def test_round_robin_escalation_takes_turns_and_never_lands_on_the_overdue_assignee() -> None:
    load = Load()
    first = plan(case(routed_by=("council",), assignee="a"), DUE, POLICY, ruleset(), load)
    second = plan(case(routed_by=("council",), assignee="c"), DUE, POLICY, ruleset(), load)
    assert first is not None and second is not None
    assert (first.assignee_after, second.assignee_after) == ("b", "a")
    assert load.turns == {"housing": 4}  # turns 0 (a, skipped), 1 (b), 2 (c, skipped), 3 (a)


def test_a_person_escalation_with_notify_manager_tells_every_manager() -> None:
    action = plan(
        case(routed_by=("benefits",)), DUE + timedelta(hours=2), POLICY, ruleset(), Load()
    )
    assert action is not None and action.assignee_after == "jo"
    assert action.notify == (("a", OVERDUE), ("jo", ESCALATED_TO_YOU), ("kim", OVERDUE))
    assert action.working_hours_left == -2.0


def test_a_later_matching_rule_overrides_escalate_to() -> None:
    both = ("tag-urgent", "housing")
    assert escalation_for(ruleset(), both).rule == "housing"
    only_first = ("tag-urgent", "other")
    found = escalation_for(ruleset(), only_first)
    assert found.to is not None and found.to.person == "kim" and found.rule == "tag-urgent"
    assert escalation_for(ruleset(), ("renamed-since",)).to is None
    assert escalation_for(None, ("housing",)).to is None


def test_without_escalate_to_the_assignee_is_told_and_managers_only_if_nobody_is() -> None:
    mine = plan(case(routed_by=("other",)), DUE, POLICY, ruleset(), Load())
    assert mine is not None and mine.notify == (("a", OVERDUE),) and not mine.reassigned
    nobody = plan(case(routed_by=("other",), assignee=None), DUE, POLICY, ruleset(), Load())
    assert nobody is not None and nobody.notify == (("jo", OVERDUE), ("kim", OVERDUE))


def test_threats_and_abuse_stay_with_the_safety_lead_when_escalated() -> None:
    threat = case(assignee="lead", flags=frozenset({CaseFlag.THREAT}), routed_by=("benefits",))
    action = plan(threat, DUE, POLICY, ruleset(), Load())
    assert action is not None and action.assignee_after == "lead" and not action.reassigned
    assert action.notify == (("lead", OVERDUE), ("jo", OVERDUE), ("kim", OVERDUE))
    abuse = case(assignee="lead", category=Category.ABUSE)
    action = plan(abuse, DUE, POLICY, ruleset(), Load())
    assert action is not None and action.assignee_after == "lead"


def test_closed_and_waiting_cases_are_not_escalated() -> None:
    for status in (CaseStatus.CLOSED, CaseStatus.AWAITING_AGENCY, CaseStatus.AWAITING_CONSTITUENT):
        assert plan(case(status=status), DUE + timedelta(days=9), POLICY, ruleset(), Load()) is None
    assert not is_overdue(case(status=CaseStatus.CLOSED), DUE + timedelta(days=9))
    assert is_overdue(case(status=CaseStatus.NEW), DUE)


def test_a_stage_belongs_to_one_due_time() -> None:
    escalated = case(sla_stage=ESCALATED, sla_stage_due=DUE)
    assert stage_of(escalated) == ESCALATED
    assert plan(escalated, DUE + timedelta(days=1), POLICY, ruleset(), Load()) is None
    moved = replace(escalated, due_at=DUE + timedelta(days=3))  # given more time since
    assert stage_of(moved) == ""
    action = plan(moved, DUE + timedelta(days=3), POLICY, ruleset(), Load())
    assert action is not None and action.stage == ESCALATED


def test_warning_can_be_switched_off() -> None:
    quiet = SlaPolicy(warn_hours=0)
    assert plan(case(), DUE - timedelta(minutes=1), quiet, ruleset(), Load()) is None
    assert quiet.horizon(DUE) == DUE


# --- properties -------------------------------------------------------------------------

offsets = st.integers(-7 * 24 * 60, 7 * 24 * 60).map(lambda m: DUE + timedelta(minutes=m))


def _stage_after(c: Case, now: datetime) -> str:
    action = plan(c, now, POLICY, ruleset(), Load())
    return action.stage if action else stage_of(c)


@settings(deadline=None)
@given(offsets, offsets)
def test_overdue_and_the_stage_only_grow_as_time_passes(t1: datetime, t2: datetime) -> None:
    early, late = sorted((t1, t2))
    fresh = case()
    assert is_overdue(fresh, early) <= is_overdue(fresh, late)
    assert STAGE_RANK[_stage_after(fresh, early)] <= STAGE_RANK[_stage_after(fresh, late)]


@settings(deadline=None)
@given(offsets, st.sampled_from(["housing", "benefits", "other", "tag-urgent"]))
def test_once_applied_a_step_is_never_planned_again_at_the_same_time(
    now: datetime, rule: str
) -> None:
    c = case(routed_by=(rule,))
    action = plan(c, now, POLICY, ruleset(), Load())
    if action is None:
        return
    done = replace(c, sla_stage=action.stage, sla_stage_due=action.due_at,
                   assignee=action.assignee_after)  # fmt: skip
    assert plan(done, now, POLICY, ruleset(), Load()) is None


# --- rules.yaml -----------------------------------------------------------------------------

HEAD = """people:
  - {id: jo.price, name: Jo, role: caseworker}
teams:
  office: [jo.price]
rules:
"""


def problems(text: str) -> list[str]:
    return [p.render("rules.yaml") for p in parse_rules(HEAD + text).problems]


def test_escalate_to_names_a_known_person_or_team() -> None:
    assert problems(
        "  - name: r\n    when: {topic: housing}\n    then: {sla_hours: 8, escalate_to: {person: jo.prise}}\n"
        "  - name: d\n    default: true\n    then: {}\n"
    ) == [
        "rules.yaml:8: error: rule r.then.escalate_to.person: unknown person 'jo.prise'. "
        "Fix: did you mean 'jo.price'? add them under people, or use one of jo.price"
    ]
    assert problems(
        "  - name: r\n    when: {topic: housing}\n    then: {sla_hours: 8, escalate_to: {team: offices}}\n"
        "  - name: d\n    default: true\n    then: {}\n"
    ) == [
        "rules.yaml:6: error: then.escalate_to.team: rule 'r' escalates to unknown team "
        "'offices'. Fix: use one of office"
    ]
    assert problems(
        "  - name: r\n    when: {topic: housing}\n    then: {sla_hours: 8, escalate_to: {}}\n"
        "  - name: d\n    default: true\n    then: {}\n"
    ) == [
        "rules.yaml:8: error: rule r.then.escalate_to: escalate_to needs exactly one of person "
        "or team. Fix: write `person: NAME` or `team: NAME`"
    ]


def test_notify_manager_needs_an_office_manager_and_escalation_needs_an_sla() -> None:
    assert problems(
        "  - name: r\n    when: {topic: housing}\n    then: {notify_manager: true}\n"
        "  - name: d\n    default: true\n    then: {}\n"
    ) == [
        "rules.yaml:6: error: then.notify_manager: rule 'r' notifies the office manager, but "
        "nobody has role office_manager. Fix: give someone `role: office_manager` under people",
        "rules.yaml:6: warning: then.notify_manager: rule 'r' says what to do when a case is "
        "overdue, but sets no sla_hours, so its cases are never overdue. Fix: add `sla_hours: "
        "N`, or `escalate: true` to escalate at once",
    ]
    sla_from_earlier = (
        "  - name: all\n    when: {urgent: true}\n    then: {sla_hours: 4}\n    continue: true\n"
        "  - name: r\n    when: {topic: housing}\n    then: {escalate_to: {person: jo.price}}\n"
        "  - name: d\n    default: true\n    then: {}\n"
    )
    assert problems(sla_from_earlier) == []
    now = "  - name: r\n    when: {threat: true}\n    then: {escalate: true, escalate_to: {team: office}}\n  - name: d\n    default: true\n    then: {}\n"
    assert problems(now) == []
    assert parse_rules(HEAD + now).rules.rules[0].then.escalate_to.team == "office"  # type: ignore[union-attr]

"""The office's routing rules: who handles what, how urgently, and under which conditions.

Semantics (docs/routing-rules.md):
- Rules run in their order. The first rule whose conditions match decides, unless it says
  `continue`: then its actions apply and later rules are still tried; a later match
  overrides single values (assignee, priority, SLA, template) and adds tags.
- A rule with `default: true` has no conditions and catches every message no earlier rule
  took; a rule set must end with one.
- Built in and not switchable by any rule: abuse and threats go to the office's safety
  lead (core.routing.route), after the rules have run.

Conditions are leaves (`category: [casework]`) combined with `all`, `any` and `not`. A leaf
with several values matches any of them. Pure: the caller supplies the facts and a Workload
(round-robin turns and open-case counts).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Protocol

from casedesk.core.models import Category, Classification
from casedesk.core.routing import route


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Strategy(StrEnum):
    ROUND_ROBIN = "round_robin"
    LEAST_LOADED = "least_loaded"


@dataclass(frozen=True)
class Facts:
    """What the rules may look at for one message. Computed by triage; never free text that
    decides by itself: keywords only ever *match*, they cannot name an action."""

    category: str
    topic: str
    urgent: bool
    threat: bool
    safeguarding: bool
    mailbox: str
    sender: str
    postcode: str | None
    ward: str | None
    outside_constituency: bool | None  # None: postcode unknown or no gazetteer
    subject: str
    body: str
    campaign_id: str | None
    existing_constituent: bool
    office_hours: bool


# --- conditions --------------------------------------------------------------------------

BOOL_FIELDS = (
    "urgent",
    "threat",
    "safeguarding",
    "existing_constituent",
    "outside_constituency",
    "office_hours",
)
VALUE_FIELDS = (
    "category",
    "topic",
    "mailbox",
    "sender",
    "sender_domain",
    "postcode_prefix",
    "ward",
    "keywords",
    "campaign",
)
FIELDS = VALUE_FIELDS + BOOL_FIELDS


def _norm_postcode(value: str) -> str:
    return value.replace(" ", "").upper()


def _has_phrase(text: str, phrase: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(phrase.casefold()) + r"(?!\w)", text) is not None


@dataclass(frozen=True)
class Leaf:
    field: str
    values: tuple[str, ...]
    line: int = dataclasses.field(
        default=0, compare=False
    )  # where it was written, not what it means

    def test(self, f: Facts) -> bool:
        v = self.values
        if self.field in BOOL_FIELDS:
            actual = getattr(f, self.field)
            return actual is not None and str(bool(actual)).lower() in v
        if self.field in ("category", "topic"):
            return getattr(f, self.field) in v
        if self.field in ("mailbox", "sender"):
            return getattr(f, self.field).casefold() in v
        if self.field == "sender_domain":
            domain = f.sender.rpartition("@")[2].casefold()
            return any(domain == d or domain.endswith("." + d) for d in v)
        if self.field == "postcode_prefix":
            return f.postcode is not None and _norm_postcode(f.postcode).startswith(v)
        if self.field == "ward":
            return f.ward is not None and f.ward.casefold() in v
        if self.field == "keywords":
            text = f"{f.subject}\n{f.body}".casefold()
            return any(_has_phrase(text, k) for k in v)
        if self.field == "campaign":
            if v in (("true",), ("false",)):
                return (f.campaign_id is not None) == (v == ("true",))
            return f.campaign_id in v
        raise ValueError(f"unknown condition field {self.field!r}")


@dataclass(frozen=True)
class All:
    parts: tuple[Condition, ...]

    def test(self, f: Facts) -> bool:
        return all(p.test(f) for p in self.parts)


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]

    def test(self, f: Facts) -> bool:
        return any(p.test(f) for p in self.parts)


@dataclass(frozen=True)
class Not:
    part: Condition

    def test(self, f: Facts) -> bool:
        return not self.part.test(f)


Condition = Leaf | All | AnyOf | Not


# --- rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assign:
    person: str | None = None
    team: str | None = None
    strategy: Strategy = Strategy.ROUND_ROBIN


@dataclass(frozen=True)
class Actions:
    assign: Assign | None = None
    priority: Priority | None = None
    sla_hours: float | None = None
    tags: tuple[str, ...] = ()
    require_signoff: bool = False
    template: str | None = None
    escalate: bool = False


@dataclass(frozen=True)
class Rule:
    name: str
    when: Condition | None  # None: the default rule
    then: Actions
    cont: bool = False
    line: int = field(default=0, compare=False)

    @property
    def is_default(self) -> bool:
        return self.when is None


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: str = "caseworker"
    entra_id: str | None = None  # Microsoft Entra object id: how the add-in and bot know them


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    people: dict[str, Person] = field(default_factory=dict)
    teams: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = "rules.yaml"


@dataclass(frozen=True)
class Decision:
    assignee: str | None
    priority: Priority = Priority.NORMAL
    sla_hours: float | None = None
    tags: tuple[str, ...] = ()
    require_signoff: bool = False
    template: str | None = None
    escalate: bool = False
    matched: tuple[str, ...] = ()
    why: tuple[str, ...] = ()


class Workload(Protocol):
    def turn(self, team: str, size: int) -> int:
        """The next round-robin position for the team (0..size-1), advancing it."""
        ...

    def open_cases(self, person: str) -> int: ...


def _pick(assign: Assign, rules: RuleSet, workload: Workload) -> str | None:
    if assign.person:
        return assign.person
    members = rules.teams.get(assign.team or "", ())
    if not members:
        return None
    if assign.strategy is Strategy.LEAST_LOADED:
        loads = [(workload.open_cases(m), i, m) for i, m in enumerate(members)]
        return min(loads)[2]
    return members[workload.turn(assign.team or "", len(members)) % len(members)]


def _apply(d: Decision, rule: Rule, rules: RuleSet, workload: Workload) -> Decision:
    a = rule.then
    assignee = _pick(a.assign, rules, workload) if a.assign else d.assignee
    return replace(
        d,
        assignee=assignee,
        priority=a.priority or d.priority,
        sla_hours=a.sla_hours if a.sla_hours is not None else d.sla_hours,
        tags=tuple(dict.fromkeys((*d.tags, *a.tags))),
        require_signoff=d.require_signoff or a.require_signoff,
        template=a.template or d.template,
        escalate=d.escalate or a.escalate,
        matched=(*d.matched, rule.name),
    )


def decide(
    rules: RuleSet,
    facts: Facts,
    classification: Classification,
    workload: Workload,
    safety_lead: str | None,
) -> Decision:
    """Run the rules in order for one message; the safety routing is applied last."""
    d = Decision(assignee=None)
    for rule in rules.rules:
        if rule.when is not None and not rule.when.test(facts):
            continue
        d = _apply(d, rule, rules, workload)
        if not rule.cont:
            break
    safe = route(classification, safety_lead)
    if safe is not None and (classification.threat or classification.category is Category.ABUSE):
        d = replace(
            d,
            assignee=safe,
            priority=Priority.URGENT if classification.threat else d.priority,
            why=(*d.why, "abuse and threats go to the safety lead (built in)"),
        )
    if facts.urgent and d.priority in (Priority.LOW, Priority.NORMAL):
        d = replace(d, priority=Priority.HIGH, why=(*d.why, "urgent: at least high priority"))
    return d


def first_match(rules: Sequence[Rule], facts: Facts) -> Rule | None:
    """The rule that decides (ignoring `continue` rules): what simulate reports per rule."""
    for rule in rules:
        if rule.cont:
            continue
        if rule.when is None or rule.when.test(facts):
            return rule
    return None


def leaves(c: Condition | None) -> list[Leaf] | None:
    """The leaves of a plain conjunction (a leaf, or `all` of leaves); None for anything
    else (any/not), which the static checks do not try to reason about."""
    if c is None:
        return []
    if isinstance(c, Leaf):
        return [c]
    if isinstance(c, All) and all(isinstance(p, Leaf) for p in c.parts):
        return [p for p in c.parts if isinstance(p, Leaf)]
    return None


Visitor = Callable[[Leaf], None]


def walk(c: Condition | None, visit: Visitor) -> None:
    if c is None:
        return
    if isinstance(c, Leaf):
        visit(c)
    elif isinstance(c, (All, AnyOf)):
        for p in c.parts:
            walk(p, visit)
    else:
        walk(c.part, visit)

"""Case management: assign, claim, status, notes, tags, merge and link, checked and audited.

Every action names the person doing it (`by`) and writes one audit entry per case it
changes, with that person as the actor, in the same transaction as the change. An action
that makes no sense is refused with the fix: an unknown case (the repository's NotFoundError),
a case merged into another (work on that one), assigning a closed case (reopen it first),
merging a case into itself or into a closed case, a note with no text. An action that would
change nothing (assigning to the current assignee, a tag already there) writes nothing and
says so.

Merge: every message of the merged case moves to the case it is merged into; the merged case
is closed and points there (`merged_into`), so its reference still resolves. Tags, links and
the threat/safeguarding flags (and urgency) go with it. Notes stay where they were written,
and the timeline of the surviving case shows them (core/timeline.py). Both cases are audited.

Links are symmetric: linking A to B links B to A, and both are audited.

Pure: the repository and clock are ports.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from casedesk.core.audit import Detail
from casedesk.core.models import Case, CaseFlag, CaseStatus, Note
from casedesk.core.rules import Person
from casedesk.core.timeline import Event, build_timeline
from casedesk.errors import CaseDeskError
from casedesk.ports import CaseRepository, Clock

ASSIGNED = "case.assigned"
STATUS_CHANGED = "case.status_changed"
TAGGED = "case.tagged"
NOTE_ADDED = "note.added"
MERGED = "case.merged"  # on the case that was merged away
MERGED_IN = "case.merged_in"  # on the case that took it in
LINKED = "case.linked"
UNLINKED = "case.unlinked"

MAX_NOTE = 10_000  # characters; a longer text belongs in a document in the case folder
_TAG = re.compile(r"[a-z0-9][a-z0-9_.-]{0,39}")
_KEPT_FLAGS = frozenset({CaseFlag.THREAT, CaseFlag.SAFEGUARDING})  # a merge never drops these


class RefusedError(CaseDeskError):
    """An action that makes no sense for this case; the message says what to do instead."""


@dataclass(frozen=True)
class Done:
    """What an action did to one case (changed False: it was already so; nothing written)."""

    ref: str
    action: str
    changed: bool
    summary: str
    detail: Detail = field(default_factory=dict)


# --- people -------------------------------------------------------------------------------


class Staff:
    """Who may be named as `--by` or as an assignee: the rules file's people when the office
    has one, otherwise any non-empty name (there is no list to check against)."""

    def __init__(self, people: Mapping[str, Person] | None = None) -> None:
        self.people = dict(people) if people else None

    def check(self, name: str | None, option: str = "--by") -> str:
        who = (name or "").strip()
        if not who:
            raise RefusedError(f"{option} needs a person's name, e.g. {option} jo.price")
        if self.people is None or who in self.people:
            return who
        close = difflib.get_close_matches(who, list(self.people), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise RefusedError(
            f"{option} {who!r}: not one of the people in the rules file; {hint}"
            f"known: {', '.join(sorted(self.people))} (add them under people: in the rules file)"
        )


# --- checks (pure, on a Case) -------------------------------------------------------------


def _fix_ref(case: Case) -> str:
    return f"casedesk case {case.merged_into}"


def check_workable(case: Case) -> None:
    """Refuse anything on a merged case: its work lives in the case it went into."""
    if case.merged_into:
        raise RefusedError(
            f"{case.ref} was merged into {case.merged_into}; act on {case.merged_into} "
            f"instead ({_fix_ref(case)})"
        )


def check_open(case: Case, doing: str) -> None:
    check_workable(case)
    if case.status is CaseStatus.CLOSED:
        raise RefusedError(
            f"{case.ref} is closed, so it cannot be {doing}; reopen it first: "
            f'casedesk status {case.ref} open --reason "..." --by NAME'
        )


def normalise_tag(tag: str) -> str:
    word = tag.strip().lower()
    if not _TAG.fullmatch(word):
        raise RefusedError(
            f"tag {tag!r}: use one word of letters, digits, '-', '_' or '.' (at most 40), "
            "e.g. benefit-cap"
        )
    return word


def preview_assign(case: Case, to: str | None) -> Done:
    """What assigning would do, without doing it (raises RefusedError if it cannot)."""
    check_open(case, "assigned" if to else "unassigned")
    if case.assignee == to:
        now = f"assigned to {to}" if to else "unassigned"
        return Done(case.ref, ASSIGNED, False, f"already {now}")
    was = case.assignee or "nobody"
    summary = f"assigned to {to} (was {was})" if to else f"unassigned (was {was})"
    return Done(case.ref, ASSIGNED, True, summary, {"from": case.assignee, "to": to})


def preview_status(case: Case, status: CaseStatus) -> Done:
    check_workable(case)
    if status is CaseStatus.NEW:
        raise RefusedError(f"only triage sets a case to new; use open for {case.ref}")
    if case.status is status:
        raise RefusedError(f"{case.ref} is already {status.value}")
    summary = f"status {case.status.value} -> {status.value}"
    return Done(
        case.ref, STATUS_CHANGED, True, summary, {"from": case.status.value, "to": status.value}
    )


def preview_tags(case: Case, add: Sequence[str], remove: Sequence[str] = ()) -> Done:
    check_workable(case)
    adding = [t for t in dict.fromkeys(normalise_tag(t) for t in add) if t not in case.tags]
    dropping = {normalise_tag(t) for t in remove} & set(case.tags)
    if not adding and not dropping:
        return Done(case.ref, TAGGED, False, "tags unchanged: " + (" ".join(case.tags) or "none"))
    words = [f"+{t}" for t in adding] + [f"-{t}" for t in sorted(dropping)]
    detail: Detail = {"added": " ".join(adding), "removed": " ".join(sorted(dropping))}
    return Done(case.ref, TAGGED, True, "tags " + " ".join(words), detail)


def new_tags(case: Case, done: Done) -> tuple[str, ...]:
    removed = set(str(done.detail.get("removed") or "").split())
    added = str(done.detail.get("added") or "").split()
    return tuple(t for t in case.tags if t not in removed) + tuple(added)


def _reason(reason: str | None, required: bool) -> str | None:
    text = " ".join((reason or "").split())
    if required and not text:
        raise RefusedError('say why with --reason "...", e.g. --reason "council confirmed repair"')
    return text or None


# --- actions (audited, one transaction each) ----------------------------------------------


def _get(repo: CaseRepository, ref: str) -> Case:
    return repo.get_case(ref.strip().upper())


def _audit(repo: CaseRepository, clock: Clock, by: str, done: Done) -> Done:
    if done.changed:
        repo.append_audit(clock.now(), by, done.action, done.ref, done.detail)
    return done


def assign(
    repo: CaseRepository,
    clock: Clock,
    ref: str,
    to: str | None,
    by: str,
    reason: str | None = None,
) -> Done:
    """Give the case to a person (None: unassign)."""
    with repo.transaction():
        case = _get(repo, ref)
        done = preview_assign(case, to)
        if not done.changed:
            return done
        why = _reason(reason, required=False)
        if why:
            done = Done(done.ref, done.action, True, done.summary, {**done.detail, "reason": why})
        repo.set_assignee(case.ref, to)
        return _audit(repo, clock, by, done)


def change_status(
    repo: CaseRepository, clock: Clock, ref: str, status: CaseStatus, reason: str | None, by: str
) -> Done:
    """Move the case to a status, with the reason (always required: it is the case's story)."""
    why = _reason(reason, required=True)
    with repo.transaction():
        case = _get(repo, ref)
        done = preview_status(case, status)
        done = Done(
            done.ref, done.action, True, f"{done.summary}: {why}", {**done.detail, "reason": why}
        )
        repo.set_status(case.ref, status)
        return _audit(repo, clock, by, done)


def add_note(repo: CaseRepository, clock: Clock, ref: str, text: str, by: str) -> Note:
    """A note on the case (closed cases too: the phone call after closing still counts)."""
    body = text.strip()
    if not body:
        raise RefusedError(
            'a note needs some text, e.g. casedesk note REF "Rang the council" --by NAME'
        )
    if len(body) > MAX_NOTE:
        raise RefusedError(
            f"a note holds at most {MAX_NOTE:,} characters ({len(body):,} given); put long "
            "text in a document in the case folder and note where it is"
        )
    with repo.transaction():
        case = _get(repo, ref)
        check_workable(case)
        note = repo.add_note(case.ref, by, body, clock.now())
        detail: Detail = {"note": note.id, "chars": len(body)}
        repo.append_audit(note.created_at, by, NOTE_ADDED, case.ref, detail)
    return note


def tag(
    repo: CaseRepository,
    clock: Clock,
    ref: str,
    add: Sequence[str],
    remove: Sequence[str],
    by: str,
) -> Done:
    with repo.transaction():
        case = _get(repo, ref)
        done = preview_tags(case, add, remove)
        if done.changed:
            repo.set_tags(case.ref, new_tags(case, done))
        return _audit(repo, clock, by, done)


@dataclass(frozen=True)
class Merged:
    source: str
    target: str
    messages: int
    links_moved: tuple[str, ...]


def merge(
    repo: CaseRepository,
    clock: Clock,
    source_ref: str,
    target_ref: str,
    by: str,
    reason: str | None = None,
) -> Merged:
    """Merge one case into another: its messages move, it closes and points at the other."""
    why = _reason(reason, required=False)
    with repo.transaction():
        source, target = _get(repo, source_ref), _get(repo, target_ref)
        if source.ref == target.ref:
            raise RefusedError(f"cannot merge {source.ref} into itself; name two different cases")
        check_workable(source)
        check_open(target, "merged into")
        moved = repo.move_messages(source.ref, target.ref)
        tags = tuple(dict.fromkeys((*target.tags, *source.tags)))
        if tags != target.tags:
            repo.set_tags(target.ref, tags)
        flags = target.flags | (source.flags & _KEPT_FLAGS)
        urgent = target.is_urgent or source.is_urgent
        if flags != target.flags or urgent != target.is_urgent:
            repo.set_classification(target.ref, target.category, target.topic, urgent, flags)
        links = tuple(r for r in repo.linked_cases(source.ref))
        for other in links:
            repo.unlink_cases(source.ref, other)
            if other != target.ref:
                repo.link_cases(target.ref, other)
        if source.status is not CaseStatus.CLOSED:
            repo.set_status(source.ref, CaseStatus.CLOSED)
        repo.set_merged_into(source.ref, target.ref)
        now = clock.now()
        moved_links = " ".join(r for r in links if r != target.ref)
        repo.append_audit(
            now, by, MERGED, source.ref,
            {"into": target.ref, "messages": moved, "status_was": source.status.value,
             "links_moved": moved_links, "reason": why},
        )  # fmt: skip
        repo.append_audit(
            now, by, MERGED_IN, target.ref,
            {"from": source.ref, "messages": moved, "tags_added": " ".join(t for t in tags if t not in target.tags),
             "links_moved": moved_links, "reason": why},
        )  # fmt: skip
    return Merged(source.ref, target.ref, moved, tuple(r for r in links if r != target.ref))


def _pair(repo: CaseRepository, a_ref: str, b_ref: str) -> tuple[Case, Case]:
    a, b = _get(repo, a_ref), _get(repo, b_ref)
    if a.ref == b.ref:
        raise RefusedError(f"cannot link {a.ref} to itself; name two different cases")
    check_workable(a)
    check_workable(b)
    return a, b


def link(repo: CaseRepository, clock: Clock, a_ref: str, b_ref: str, by: str) -> Done:
    """Mark two cases as related, both ways (closed cases too: history is worth linking)."""
    with repo.transaction():
        a, b = _pair(repo, a_ref, b_ref)
        if not repo.link_cases(a.ref, b.ref):
            return Done(a.ref, LINKED, False, f"{a.ref} and {b.ref} were already linked")
        now = clock.now()
        repo.append_audit(now, by, LINKED, a.ref, {"other": b.ref})
        repo.append_audit(now, by, LINKED, b.ref, {"other": a.ref})
    return Done(a.ref, LINKED, True, f"{a.ref} and {b.ref} linked", {"other": b.ref})


def unlink(repo: CaseRepository, clock: Clock, a_ref: str, b_ref: str, by: str) -> Done:
    with repo.transaction():
        a, b = _pair(repo, a_ref, b_ref)
        if not repo.unlink_cases(a.ref, b.ref):
            return Done(a.ref, UNLINKED, False, f"{a.ref} and {b.ref} were not linked")
        now = clock.now()
        repo.append_audit(now, by, UNLINKED, a.ref, {"other": b.ref})
        repo.append_audit(now, by, UNLINKED, b.ref, {"other": a.ref})
    return Done(a.ref, UNLINKED, True, f"{a.ref} and {b.ref} no longer linked", {"other": b.ref})


# --- bulk ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    ref: str
    done: Done | None  # None: refused
    refused: str | None = None

    @property
    def changes(self) -> bool:
        return self.done is not None and self.done.changed


def each(refs: Iterable[str], act: Callable[[str], Done]) -> list[Outcome]:
    """Run one action per case; a refusal for one case is reported, the rest carry on."""
    out: list[Outcome] = []
    for ref in refs:
        try:
            out.append(Outcome(ref, act(ref)))
        except RefusedError as exc:
            out.append(Outcome(ref, None, str(exc)))
    return out


def merged_sources(repo: CaseRepository, ref: str) -> list[str]:
    """Every case merged into this one, directly or through another merge, oldest first."""
    found: list[str] = []
    todo = [ref]
    while todo:
        current = todo.pop(0)
        for entry in repo.audit_entries(current):
            source = str(entry.detail.get("from") or "")
            if entry.action == MERGED_IN and source and source not in found and source != ref:
                found.append(source)
                todo.append(source)
    return found


def timeline(repo: CaseRepository, ref: str) -> tuple[Case, list[Event]]:
    """The case and its timeline, including the cases merged into it."""
    case = _get(repo, ref)
    refs = [case.ref, *merged_sources(repo, case.ref)]
    audit = [entry for r in refs for entry in repo.audit_entries(r)]
    notes = [note for r in refs for note in repo.notes(r)]
    return case, build_timeline(repo.case_messages(case.ref), notes, audit)

"""Dissolution and turnover: when Parliament dissolves or the MP changes, what happens to each
open case, decided by a person and carried out with an audit record.

The outgoing MP is the data controller for the casework, and the successor is a different
controller: casework cannot simply be passed on. Per open case the office chooses
(docs/data-protection.md, "Dissolution", cites the ICO and House of Commons guidance):

- transfer: a bundle for the successor's office, only with the constituent's consent, whose
  record `consent_ref` names (free text checked for personal data: "email of 3 June, ref 88");
- hand-back: a bundle for the constituent, so they can take the matter on themselves;
- purge: the case is erased (core/erasure.py when it is the person's last case, so their
  record, their messages elsewhere and audit details naming them go too, under a
  `person.erased` tombstone; otherwise core/retention.delete_case, leaving `case.deleted`).

`build_plan` gives every open case its handover note (core/handover.py) and a default
proposal; `decide` records a choice (transfer without a consent reference is refused);
`apply` carries out the recorded choices, transfers and hand-backs before purges, each with
an audit entry. A legal hold blocks everything on the case it holds (and a purge whose
erasure would touch a held case). Bundles are made by core/sar.case_bundle and written by
the caller's `export` (the zip code the subject access export uses). Pure apart from ports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from casedesk.core import casework, erasure, retention, sar
from casedesk.core.handover import CaseHandover, Handover, build_handover, render_markdown
from casedesk.core.holds import LegalHold, check_free_text, holds_from
from casedesk.core.models import (
    Case,
    CaseQuery,
    CaseStatus,
    Category,
    DissolutionChoice,
    DissolutionOption,
)
from casedesk.errors import CaseDeskError, NotFoundError
from casedesk.ports import CaseFiles, CaseRepository, Clock, OpsState

DECIDED = "dissolution.decided"
TRANSFERRED = "dissolution.transferred"
HANDED_BACK = "dissolution.handed_back"
PURGED = "dissolution.purged"
BLOCKED = "dissolution.blocked"

# (bundle, file name) -> (where it was written, its sha256)
Export = Callable[[sar.SarBundle, str], tuple[str, str]]

_NO_CASEWORK = frozenset(
    {Category.CAMPAIGN, Category.POLICY, Category.INVITATION, Category.PRESS,
     Category.SPAM, Category.OTHER}
)  # fmt: skip


class ConsentRequiredError(CaseDeskError):
    """A transfer to the successor without a record of the constituent's consent."""


def parse_option(value: str) -> DissolutionOption:
    try:
        return DissolutionOption(value.strip().lower())
    except ValueError:
        options = ", ".join(o.value for o in DissolutionOption)
        raise CaseDeskError(f"unknown choice {value!r}: use one of {options}") from None


# --- the plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanItem:
    handover: CaseHandover
    proposed: DissolutionOption
    why: str
    choice: DissolutionChoice | None
    hold: LegalHold | None

    @property
    def case(self) -> Case:
        return self.handover.case

    def as_record(self) -> dict[str, object]:
        c, choice = self.case, self.choice
        return {
            "ref": c.ref,
            "subject": c.subject,
            "constituent": c.constituent_email,
            "status": c.status.value,
            "category": c.category.value,
            "assignee": c.assignee,
            "next_step": self.handover.next_step,
            "proposed": self.proposed.value,
            "why": self.why,
            "decided": choice.choice.value if choice else None,
            "decided_by": choice.decided_by if choice else None,
            "consent_ref": choice.consent_ref if choice else None,
            "applied": bool(choice and choice.is_applied),
            "hold": self.hold.reason if self.hold else None,
        }


@dataclass(frozen=True)
class Plan:
    handover: Handover
    items: tuple[PlanItem, ...]


def propose(case: Case, hold: LegalHold | None) -> tuple[DissolutionOption, str]:
    """The default choice for a case and why; a person confirms or changes it."""
    if case.category is Category.ABUSE:
        option, why = (
            DissolutionOption.PURGE,
            (
                "abusive mail: nothing to hand over; put it on legal hold first if the police "
                "or a court may need it"
            ),
        )
    elif case.category in _NO_CASEWORK and case.status is not CaseStatus.AWAITING_AGENCY:
        option, why = (
            DissolutionOption.PURGE,
            (f"{case.category.value} mail, no casework to carry on: nothing to hand over"),
        )
    else:
        option, why = (
            DissolutionOption.HAND_BACK,
            (
                "live casework: hand the file back so the constituent can take it to the new MP; "
                "transfer it instead only if they consent"
            ),
        )
    if hold:
        why = f"on legal hold ({hold.reason}): nothing happens until it is released; {why}"
    return option, why


def build_plan(repo: CaseRepository, now: datetime, office: str) -> Plan:
    """Every open case (not closed, not merged away) with its handover note and proposal."""
    holds = holds_from(repo.audit_entries())
    choices = {c.case_ref: c for c in repo.dissolution_choices()}
    open_cases = [
        c
        for c in repo.query_cases(CaseQuery(limit=10**9))
        if c.status is not CaseStatus.CLOSED and not c.merged_into
    ]
    pairs = [casework.timeline(repo, c.ref) for c in open_cases]
    handover = build_handover(office, pairs, now)
    items = []
    for note in handover.cases:
        hold = holds.get(note.case.ref)
        option, why = propose(note.case, hold)
        items.append(PlanItem(note, option, why, choices.get(note.case.ref), hold))
    return Plan(handover, tuple(items))


def case_handover_markdown(repo: CaseRepository, case: Case, now: datetime, office: str) -> str:
    """The handover note for one case, as the successor's office reads it."""
    _, events = casework.timeline(repo, case.ref)
    return render_markdown(build_handover(office, [(case, events)], now))


# --- deciding -------------------------------------------------------------------------------


def decide(
    repo: CaseRepository,
    clock: Clock,
    ref: str,
    option: DissolutionOption,
    by: str,
    consent_ref: str | None = None,
) -> DissolutionChoice:
    """Record the office's choice for a case (replacing an earlier one not yet carried out)."""
    by = by.strip()
    if not by:
        raise CaseDeskError("say who is deciding (--by NAME): dissolution choices are audited")
    case = repo.get_case(ref.strip().upper())
    consent = (consent_ref or "").strip() or None
    if option is DissolutionOption.TRANSFER:
        if consent is None:
            raise ConsentRequiredError(
                f"{case.ref} not recorded: a transfer to the successor needs the constituent's "
                'consent; record where it is (--consent-ref "email of 3 June, ref 88"), or '
                "choose hand-back or purge"
            )
    elif consent is not None:
        raise CaseDeskError("--consent-ref is for a transfer only; leave it out for " + option)
    if consent is not None:
        consent = check_free_text("--consent-ref", consent)
    earlier = next((c for c in repo.dissolution_choices() if c.case_ref == case.ref), None)
    if earlier and earlier.is_applied and option is not DissolutionOption.PURGE:
        raise CaseDeskError(
            f"{case.ref} was already {earlier.choice.value} ({earlier.outcome}); only purge can "
            f"follow: casedesk dissolution decide {case.ref} purge --by NAME"
        )
    choice = DissolutionChoice(case.ref, option, by, clock.now(), consent)
    with repo.transaction():
        detail: dict[str, str | int | float | bool | None] = {"choice": option.value}
        if consent:
            detail["consent_ref"] = consent
        if earlier:
            detail["replaces"] = earlier.choice.value
        repo.append_audit(choice.decided_at, by, DECIDED, case.ref, detail)
        repo.save_dissolution_choice(choice)
    return choice


# --- carrying out ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    ref: str
    choice: DissolutionOption
    state: str  # done, would, blocked, gone
    detail: str
    archive: str | None = None
    sha256: str | None = None

    def as_record(self) -> dict[str, object]:
        return {
            "ref": self.ref,
            "choice": self.choice.value,
            "state": self.state,
            "detail": self.detail,
            "archive": self.archive,
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class Office:
    name: str
    emails: frozenset[str]
    salt: str


def pending(repo: CaseRepository) -> list[DissolutionChoice]:
    """Choices not yet carried out: transfers and hand-backs first, purges last (a purge that
    erases a person also removes their messages from other cases, which may be bundled)."""
    order = {DissolutionOption.TRANSFER: 0, DissolutionOption.HAND_BACK: 1,
             DissolutionOption.PURGE: 2}  # fmt: skip
    waiting = [c for c in repo.dissolution_choices() if not c.is_applied]
    return sorted(waiting, key=lambda c: (order[c.choice], c.case_ref))


def apply(
    repo: CaseRepository,
    files: CaseFiles,
    ops: OpsState,
    clock: Clock,
    office: Office,
    by: str,
    export: Export,
    dry_run: bool = True,
) -> list[Applied]:
    """Carry out every recorded choice not yet carried out (dry run: say what would happen)."""
    by = by.strip()
    if not by:
        raise CaseDeskError("say who is doing this (--by NAME): dissolution is audited")
    results = []
    for choice in pending(repo):
        try:
            case = repo.get_case(choice.case_ref)
        except NotFoundError:
            if not dry_run:
                _done(repo, clock, choice, by, "the case was no longer held")
            results.append(Applied(choice.case_ref, choice.choice, "gone",
                                   "the case is no longer held (deleted earlier)"))  # fmt: skip
            continue
        blocked = _blocked_by(repo, files, ops, office.salt, case, choice)
        if blocked:
            if not dry_run:
                repo.append_audit(clock.now(), by, BLOCKED, case.ref,
                                  {"choice": choice.choice.value, "why": blocked})  # fmt: skip
            results.append(Applied(case.ref, choice.choice, "blocked", blocked))
            continue
        if dry_run:
            results.append(Applied(case.ref, choice.choice, "would", _would(choice)))
        elif choice.choice is DissolutionOption.PURGE:
            results.append(_purge(repo, files, ops, clock, office.salt, case, choice, by))
        else:
            results.append(_bundle(repo, files, ops, clock, office, case, choice, by, export))
    return results


def _blocked_by(
    repo: CaseRepository,
    files: CaseFiles,
    ops: OpsState,
    salt: str,
    case: Case,
    choice: DissolutionChoice,
) -> str | None:
    """Why the choice cannot be carried out now (a legal hold, no consent), or None."""
    hold = holds_from(repo.audit_entries()).get(case.ref)
    if hold:
        return f"on legal hold ({hold.reason}; by {hold.by}): release it first"
    if choice.choice is DissolutionOption.TRANSFER and not choice.consent_ref:
        return "no consent recorded for the transfer"
    if choice.choice is DissolutionOption.PURGE and _is_last_case(repo, case):
        planned = erasure.plan(repo, files, ops, salt, case.constituent_email)
        try:
            erasure.refuse_if_held(planned)
        except erasure.HeldError as exc:
            return str(exc)
    return None


def _is_last_case(repo: CaseRepository, case: Case) -> bool:
    return all(c.ref == case.ref for c in repo.cases_of_constituent(case.constituent_email))


def _would(choice: DissolutionChoice) -> str:
    if choice.choice is DissolutionOption.TRANSFER:
        return f"bundle for the successor (consent: {choice.consent_ref}); close the case"
    if choice.choice is DissolutionOption.HAND_BACK:
        return "bundle for the constituent; close the case"
    return "erase the case, leaving tombstones in the audit log"


def _done(
    repo: CaseRepository, clock: Clock, choice: DissolutionChoice, by: str, outcome: str
) -> None:
    repo.save_dissolution_choice(
        replace(choice, applied_at=clock.now(), applied_by=by, outcome=outcome)
    )


def _bundle(
    repo: CaseRepository,
    files: CaseFiles,
    ops: OpsState,
    clock: Clock,
    office: Office,
    case: Case,
    choice: DissolutionChoice,
    by: str,
    export: Export,
) -> Applied:
    transfer = choice.choice is DissolutionOption.TRANSFER
    now = clock.now()
    extra: Iterable[tuple[str, bytes]] = (
        [("handover.md", case_handover_markdown(repo, case, now, office.name).encode())]
        if transfer
        else []
    )
    bundle = sar.case_bundle(
        repo, files, ops, case, now, by, office.name, office.emails,
        sar.TRANSFER if transfer else sar.HAND_BACK, extra,
    )  # fmt: skip
    name = f"{choice.choice.value}-{case.ref}.zip"
    where, digest = export(bundle, name)
    detail: dict[str, str | int | float | bool | None] = {
        "archive_sha256": digest,
        "files": len(bundle.files),
        "third_party_findings": len(bundle.third_party),
    }
    if transfer:
        detail["consent_ref"] = choice.consent_ref
    repo.append_audit(clock.now(), by, TRANSFERRED if transfer else HANDED_BACK, case.ref, detail)
    if case.status is not CaseStatus.CLOSED:
        why = "transferred to the successor MP" if transfer else "case file handed back"
        casework.change_status(repo, clock, case.ref, CaseStatus.CLOSED, f"dissolution: {why}", by)
    _done(repo, clock, choice, by, f"{name} sha256:{digest}")
    return Applied(case.ref, choice.choice, "done", f"wrote {name}", where, digest)


def _purge(
    repo: CaseRepository,
    files: CaseFiles,
    ops: OpsState,
    clock: Clock,
    salt: str,
    case: Case,
    choice: DissolutionChoice,
    by: str,
) -> Applied:
    last = _is_last_case(repo, case)
    entry = repo.append_audit(clock.now(), by, PURGED, case.ref,
                              {"person_erased": last, "decided_by": choice.decided_by})  # fmt: skip
    if last:
        _, tombstone = erasure.erase(
            repo, files, ops, clock, salt, case.constituent_email,
            f"dissolution: purge of {case.ref} (audit entry {entry.seq})", by,
        )  # fmt: skip
        outcome = f"erased; tombstone audit entry {tombstone.seq}"
    else:
        retention.delete_case(repo, files, ops, clock, case, by, {"dissolution": entry.seq})
        outcome = "case deleted; the constituent has other cases, so their record stays"
    _done(repo, clock, choice, by, outcome)
    return Applied(case.ref, choice.choice, "done", outcome)

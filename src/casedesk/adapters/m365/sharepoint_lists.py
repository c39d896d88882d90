"""CaseRepository on SharePoint lists through Microsoft Graph: the production system of record.

The lists (sharepoint_schema.SCHEMA, docs/sharepoint-schema.md) are what staff see in Teams.

Transactions are a unit of work (sharepoint_unit): SharePoint cannot roll back, so writes
inside `transaction()` are held in memory, reads inside it see them, and they are written
when the outermost `transaction()` exits cleanly. On an exception nothing is written. A nested
`transaction()` joins the outer one. A write outside any transaction commits at once.

Commit order: constituents, campaigns, new cases, quarantine, messages (new, then refiled by a
merge), notes, case updates (with message counts), dissolution choices, then the audit entries.
Every create is idempotent (looked up by its Title before each POST attempt; see
sharepoint_items), and a row another writer created meanwhile is merged (constituents,
campaigns, quarantine, dissolution choices) or refused with SharePointConflictError (cases,
messages), which is transient: the message is tried again later and then seen as filed.
SharePoint writes each row on its own, so a commit cut short after its retries leaves the
rows written so far; a re-run of the same message files it again, and can leave an empty case
behind. GraphCaller retries throttling and outages with Retry-After for several minutes first.

Case references come from a counter row per year in the Counters list, taken *before* commit
(a sequence, like a database sequence): the next number is written back with `If-Match` on
the row's eTag, so two workers cannot take the same number (412: read again, try again).
Rolling back gives the numbers back if nobody took a later one.

The audit chain's head (last Seq and hash) is a row in Counters too, moved with `If-Match`
before the entries are written, so concurrent commits never fork the chain.

Requests: the repository remembers each Counters row as it last moved it (a stale eTag just
fails If-Match and is read again), a create skips its look-first when this unit already
looked for that Title, and rows read once in a unit are not read again; see
docs/decisions/0007-graph-requests-per-message.md for the count per message.
"""

from __future__ import annotations

import json
import logging
import threading
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime

from casedesk.adapters.m365.graph_client import GraphCaller
from casedesk.adapters.m365.sharepoint_dissolution import SharePointDissolution
from casedesk.adapters.m365.sharepoint_drafts import SharePointDrafts
from casedesk.adapters.m365.sharepoint_items import ListItems, Row, is_precondition_failed
from casedesk.adapters.m365.sharepoint_schema import (
    CaseDeskLists,
    Fields,
    audit_entry,
    audit_fields,
    campaign,
    campaign_fields,
    campaign_update,
    case,
    case_fields,
    constituent,
    constituent_fields,
    constituent_update,
    dt,
    message_fields,
    message_key,
    note,
    note_fields,
    num,
    quarantine_fields,
    quarantine_item,
    referral,
    referral_fields,
    stored_message,
    stored_note,
    text,
    ts,
)
from casedesk.adapters.m365.sharepoint_unit import (
    AuditHead,
    PendingAudit,
    Unit,
    replace_provisional,
)
from casedesk.core.audit import GENESIS, Detail, entry_hash
from casedesk.core.models import (
    AuditEntry,
    Campaign,
    Case,
    CaseFlag,
    CaseQuery,
    CaseStatus,
    Category,
    Classification,
    Constituent,
    NewCase,
    Note,
    ParsedMessage,
    QuarantineItem,
    Referral,
    StoredMessage,
    Topic,
    flags_text,
    parse_flags,
)
from casedesk.errors import CaseDeskError, NotFoundError, TransientError

log = logging.getLogger("casedesk.sharepoint")

CASES, CONSTITUENTS, MESSAGES = "cases", "constituents", "messages"
AUDIT, QUARANTINE, CAMPAIGNS, COUNTERS = "audit", "quarantine", "campaigns", "counters"
REFERRALS = "referrals"
NOT_CLOSED = tuple(s.value for s in CaseStatus if s is not CaseStatus.CLOSED)
NOTES = "notes"
AUDIT_HEAD = "audit"
CAS_ATTEMPTS = 20
REMEMBERED_IDS = 10_000
PER_PERSON_LOOKUPS = 20  # more constituents than this in a result: read the whole list once
Seen = tuple[Fields, str | None]  # (row as this unit sees it, list item id or None if new)


class DuplicateMessageError(CaseDeskError):
    """The message (same Message-ID or same bytes) is already filed."""


class SharePointConflictError(TransientError):
    """Another writer got there first (a case reference or message); try the work again."""


def _counter_title(year: int) -> str:
    return f"CD-{year}"


def _ref(year: int, number: int) -> str:
    return f"CD-{year}-{number:06d}"


def _fold(word: str) -> str:
    """Case- and accent-insensitive, as SQLite's unicode61 tokenizer compares words."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search_words(text_: str) -> list[str]:
    """The words of a search, split exactly as the SQLite store splits them: user text is
    never query syntax, and every word must appear."""
    return [_fold(w) for w in "".join(ch if ch.isalnum() else " " for ch in text_).split()]


def _mentions_all(
    words: Sequence[str], f: Fields, columns: Sequence[str] = ("Subject", "NewText")
) -> bool:
    have = set(search_words(" ".join(text(f.get(c)) for c in columns)))
    return bool(words) and all(w in have for w in words)


class SharePointCaseRepository(SharePointDrafts, SharePointDissolution):  # sharepoint_*.py
    def __init__(
        self,
        caller: GraphCaller,
        site_id: str,
        lists: CaseDeskLists | Mapping[str, str],
        per_person_lookups: int = PER_PERSON_LOOKUPS,
    ) -> None:
        """per_person_lookups: up to this many constituents in a query result are read one by
        one; more, and the Constituents list is read once instead."""
        self.per_person_lookups = per_person_lookups
        self.items = ListItems(caller, site_id)
        self.lists = (
            lists if isinstance(lists, CaseDeskLists) else CaseDeskLists.from_mapping(lists)
        )
        self._local = threading.local()  # one unit of work per thread
        self._resolved: dict[int, int] = {}  # stand-in constituent ids handed out -> real ids
        # Counters rows (case numbers, audit head) as this process last read or moved them.
        # A stale one costs nothing: its eTag fails If-Match (412) and the row is read again.
        self._counters: dict[str, Row] = {}
        self._counters_lock = threading.Lock()

    # --- unit of work ----------------------------------------------------------------------

    @property
    def _unit(self) -> Unit | None:
        unit: Unit | None = getattr(self._local, "unit", None)
        return unit

    def _id(self, key: str) -> str:
        return str(getattr(self.lists, key))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._unit is not None:  # nested: part of the outer unit
            yield
            return
        unit = Unit()
        self._local.unit = unit
        try:
            yield
        except BaseException:
            self._local.unit = None
            self._give_back(unit)
            raise
        self._local.unit = None
        if not unit.is_empty:
            self._commit(unit)

    @contextmanager
    def _writing(self) -> Iterator[Unit]:
        with self.transaction():
            unit = self._unit
            assert unit is not None
            yield unit

    # --- reads through the unit ------------------------------------------------------------

    def _select(
        self,
        key: str,
        column: str | None,
        value: str | None,
        test: Callable[[Fields], bool],
        skip_store: bool = False,
    ) -> dict[str, Seen]:
        """Rows as this unit sees them: stored rows (filtered on an indexed column) with the
        unit's changes, then the unit's new rows; `test` decides, after the changes."""
        found: dict[str, Seen] = {}
        if not skip_store:
            for row in self.items.find(self._id(key), column, value):
                found.setdefault(row.key, (row.fields, row.id))
        unit = self._unit
        for title, p in unit.rows(key).items() if unit else []:
            if title in found:
                found[title] = ({**found[title][0], **p.fields}, found[title][1])
            else:
                found[title] = (p.view, p.item_id)
        return {k: v for k, v in found.items() if test(v[0])}

    def _one(self, key: str, title: str) -> Seen | None:
        """The row with this Title: the unit's version if it wrote one, else the stored row
        (read once per unit)."""
        unit = self._unit
        if unit is None:
            rows = self.items.find(self._id(key), "Title", title)
            return (rows[0].fields, rows[0].id) if rows else None
        pending = unit.get(key, title)
        if pending is not None:
            return pending.view, pending.item_id
        if (key, title) in unit.seen:
            return unit.seen[(key, title)]
        if (key, "Title", title) in unit.absent:
            return None
        rows = self.items.find(self._id(key), "Title", title)
        if not rows:
            unit.absent.add((key, "Title", title))
            return None
        unit.seen[(key, title)] = (rows[0].fields, rows[0].id)
        return unit.seen[(key, title)]

    def _is_new(self, key: str, title: str) -> bool:
        unit = self._unit
        pending = unit.get(key, title) if unit else None
        return pending is not None and pending.item_id is None

    # --- messages and threading ------------------------------------------------------------

    def find_message(self, message_id: str, sha256: str) -> StoredMessage | None:
        by_id = self._one(MESSAGES, message_key(message_id))
        if by_id is not None:
            return stored_message(by_id[0])
        by_hash = self._by_hash(sha256)
        return stored_message(by_hash) if by_hash is not None else None

    def _by_hash(self, sha256: str) -> Fields | None:
        unit = self._unit
        if unit is not None and (MESSAGES, "Sha256", sha256) in unit.absent:
            hits = unit.matching(MESSAGES, lambda f: f.get("Sha256") == sha256)
            return hits[0].view if hits else None
        rows = self._select(MESSAGES, "Sha256", sha256, lambda f: f.get("Sha256") == sha256)
        if not rows and unit is not None:
            unit.absent.add((MESSAGES, "Sha256", sha256))
        return next(iter(rows.values()))[0] if rows else None

    def case_for_thread(self, message_ids: Sequence[str]) -> str | None:
        for message_id in message_ids:
            found = self._one(MESSAGES, message_key(message_id))
            if found is not None:
                return text(found[0].get("CaseRef"))
        return None

    def recent_case_for_subject(
        self, sender: str, normalised_subject: str, since: datetime
    ) -> str | None:
        wanted = note(normalised_subject)

        def test(f: Fields) -> bool:
            return (
                f.get("ConstituentEmail") == sender
                and f.get("NormalisedSubject") == wanted
                and f.get("Status") != CaseStatus.CLOSED.value
                and dt(f["UpdatedAt"]) >= since
            )

        rows = self._select(CASES, "ConstituentEmail", sender, test)
        if not rows:
            return None
        latest = max(rows.values(), key=lambda seen: dt(seen[0]["UpdatedAt"]))
        return text(latest[0].get("Title"))

    def add_message(
        self,
        case_ref: str,
        message: ParsedMessage,
        classification: Classification,
        received_at: datetime,
        filed_path: str,
    ) -> None:
        with self._writing() as unit:
            key = message_key(message.message_id)
            if self._one(MESSAGES, key) is not None or self._by_hash(message.sha256) is not None:
                raise DuplicateMessageError(
                    f"message already filed (sha256 {message.sha256[:12]}…); "
                    "find_message says where"
                )
            fields = message_fields(
                case_ref, message, classification, received_at, filed_path, unit.id
            )
            unit.put(MESSAGES, key, fields)

    def case_messages(self, case_ref: str) -> list[StoredMessage]:
        rows = self._select(
            MESSAGES,
            "CaseRef",
            case_ref,
            lambda f: f.get("CaseRef") == case_ref,
            skip_store=self._is_new(CASES, case_ref),
        )
        # Stored rows come oldest first, then this unit's: a stable sort keeps that as the
        # tie-break, as SQLite breaks ties by row id.
        ordered = sorted(
            (seen[0] for seen in rows.values()),
            key=lambda f: text(f.get("SentAt") or f.get("ReceivedAt")),
        )
        return [stored_message(f) for f in ordered]

    def cases_for_messages(self, message_ids: Iterable[str]) -> list[str]:
        refs = {self.case_for_thread([message_id]) for message_id in message_ids}
        return sorted(ref for ref in refs if ref)

    # --- constituents and cases ------------------------------------------------------------

    def upsert_constituent(
        self, email: str, name: str, postcode: str | None, now: datetime
    ) -> Constituent:
        """A new constituent's id is a stand-in until the unit commits (the real one when
        this call commits it): the list gives item ids only on create."""
        with self._writing() as unit:
            found = self._one(CONSTITUENTS, email)
            if found is None:
                values = constituent_fields(email, name, postcode, now, unit.id)
                unit.put(CONSTITUENTS, email, values)
                person = constituent(unit.provisional_id(email), values)
            else:
                fields, item_id = found
                change = constituent_update(fields, name, postcode, now)
                unit.put(CONSTITUENTS, email, change, item_id, base=fields)
                person_id = int(item_id) if item_id else unit.provisional_id(email)
                person = constituent(person_id, {**fields, **change})
        return replace(person, id=self._resolved.get(person.id, person.id))

    def _constituent_email(self, unit: Unit, constituent_id: int) -> str:
        constituent_id = self._resolved.get(constituent_id, constituent_id)
        if constituent_id in unit.provisional:
            return unit.provisional[constituent_id]
        for email, p in unit.rows(CONSTITUENTS).items():
            if p.item_id == str(constituent_id):
                return email
        row = self.items.get(self._id(CONSTITUENTS), str(constituent_id))
        if row is None:
            raise NotFoundError(f"no constituent with id {constituent_id}")
        return row.key

    def create_case(self, new: NewCase) -> str:
        with self._writing() as unit:
            email = self._constituent_email(unit, new.constituent_id)
            ref = self._reserve_ref(unit, new.opened_at.year)
            person_id = self._resolved.get(new.constituent_id, new.constituent_id)
            fields = case_fields(ref, replace(new, constituent_id=person_id), email, unit.id)
            unit.put(CASES, ref, fields)
            return ref

    def _counter(self, title: str) -> Row:
        with self._counters_lock:
            known = self._counters.get(title)
        if known is not None:
            return known
        rows = self.items.find(self._id(COUNTERS), "Title", title)
        if not rows:
            self.items.create(self._id(COUNTERS), {"Title": title, "Last": 0}, look_first=False)
            # Two workers may each have created one: the oldest row is the counter.
            rows = self.items.find(self._id(COUNTERS), "Title", title)
        self._know_counter(rows[0])
        return rows[0]

    def _know_counter(self, row: Row | None, title: str | None = None) -> None:
        with self._counters_lock:
            if row is not None and row.etag:
                self._counters[row.key] = row
            else:
                self._counters.pop(title or (row.key if row else ""), None)

    def _move_counter(self, counter: Row, values: Fields) -> None:
        """PATCH a Counters row with If-Match on its eTag (412 if someone moved it first)."""
        try:
            answer = self.items.update(
                self._id(COUNTERS), counter.id, values, if_match=counter.etag
            )
        except Exception:
            self._know_counter(None, counter.key)
            raise
        etag = text(answer.get("@odata.etag"))  # the new eTag, when Graph sends it back
        moved = Row(counter.id, etag, {**counter.fields, **values}) if etag else None
        self._know_counter(moved, counter.key)

    def _reserve_ref(self, unit: Unit, year: int) -> str:
        """The next reference, taken now (not at commit) with If-Match on the counter, so no
        two workers take the same number; the Cases list's unique Title is the backstop."""
        title = _counter_title(year)
        for _ in range(CAS_ATTEMPTS):
            counter = self._counter(title)
            number = num(counter.fields.get("Last")) + 1
            try:
                self._move_counter(counter, {"Last": number})
            except Exception as exc:
                if is_precondition_failed(exc):
                    continue  # another worker took a number meanwhile: read again
                raise
            unit.reserve(title, number)
            return _ref(year, number)
        raise SharePointConflictError(
            f"could not take a {year} case reference: too much contention"
        )

    def _give_back(self, unit: Unit) -> None:
        """On rollback, wind each counter back if nobody has taken a later number."""
        for title, numbers in unit.reserved.items():
            self._know_counter(None, title)
            try:
                rows = self.items.find(self._id(COUNTERS), "Title", title)
                if rows and num(rows[0].fields.get("Last")) == max(numbers):
                    self.items.update(
                        self._id(COUNTERS),
                        rows[0].id,
                        {"Last": min(numbers) - 1},
                        if_match=rows[0].etag,
                    )
            except Exception as exc:  # a gap in the numbering is harmless; the rollback is not
                log.warning(
                    "case numbers not given back after a rollback",
                    extra={"event": "sharepoint.counter.gap", "error": type(exc).__name__},
                )

    def _update_case(self, case_ref: str, change: Callable[[Fields], Fields]) -> None:
        with self._writing() as unit:
            found = self._one(CASES, case_ref)
            if found is None:
                return
            fields, item_id = found
            values = change(fields)
            if values:
                unit.put(CASES, case_ref, values, item_id, base=fields)

    def touch_case(self, case_ref: str, at: datetime) -> None:
        self._update_case(
            case_ref, lambda f: {"UpdatedAt": ts(at)} if at > dt(f["UpdatedAt"]) else {}
        )

    def set_classification(
        self,
        case_ref: str,
        category: Category,
        topic: Topic,
        is_urgent: bool,
        flags: frozenset[CaseFlag],
    ) -> None:
        values = {
            "Category": category.value,
            "Topic": topic.value,
            "IsUrgent": is_urgent,
            "Flags": flags_text(flags),
        }
        self._update_case(case_ref, lambda f: values)

    def recategorise(self, case_ref: str, category: Category, campaign_id: str | None) -> None:
        self._update_case(
            case_ref, lambda f: {"Category": category.value, "CampaignId": campaign_id}
        )

    def _pending_count(self, case_ref: str) -> int:
        unit = self._unit
        if unit is None:
            return 0
        return sum(1 for _, p in unit.creates(MESSAGES) if p.fields.get("CaseRef") == case_ref)

    def _case(self, fields: Fields, person: Fields | None) -> Case:
        ref = text(fields.get("Title"))
        return case(fields, person, num(fields.get("MessageCount")) + self._pending_count(ref))

    def _person(self, email: str) -> Fields | None:
        found = self._one(CONSTITUENTS, email)
        return found[0] if found else None

    def get_case(self, case_ref: str) -> Case:
        found = self._one(CASES, case_ref.upper())
        if found is None:
            raise NotFoundError(f"no case {case_ref!r}; `casedesk queue` lists the cases there are")
        return self._case(found[0], self._person(text(found[0].get("ConstituentEmail"))))

    def cases_of_constituent(self, email: str) -> list[Case]:
        email = email.lower()
        rows = self._select(
            CASES, "ConstituentEmail", email, lambda f: f.get("ConstituentEmail") == email
        )
        person = self._person(email) if rows else None
        ordered = sorted((seen[0] for seen in rows.values()), key=lambda f: text(f["CreatedAt"]))
        return [self._case(f, person) for f in ordered]

    def query_cases(self, query: CaseQuery) -> list[Case]:
        """Queue and search, in the SQLite store's order: urgent first, then oldest, then ref.

        One indexed column (category, status or assignee) narrows the read on the server;
        the rest is checked here. SharePoint's list `$filter` has no full-text search, so
        `text` reads the Messages list and matches words here (every word must appear in a
        message's subject or new text, case- and accent-insensitively, no stemming); the
        production route for large offices is Microsoft Search over the lists."""
        column, value = _narrowest(query)
        rows = self._select(CASES, column, value, lambda f: _case_matches(f, query))
        if query.text:
            refs = self._refs_mentioning(query.text)
            rows = {ref: seen for ref, seen in rows.items() if ref in refs}
        people = self._people({text(seen[0].get("ConstituentEmail")) for seen in rows.values()})
        cases = [
            self._case(fields, people.get(text(fields.get("ConstituentEmail"))))
            for fields, _ in rows.values()
        ]
        if query.postcode:
            prefix = query.postcode.replace(" ", "").upper()
            cases = [
                c for c in cases if (c.postcode or "").replace(" ", "").upper().startswith(prefix)
            ]
        cases.sort(key=lambda c: (not c.is_urgent, ts(c.created_at), c.ref))
        return cases[: query.limit]

    def _refs_mentioning(self, query_text: str) -> set[str]:
        """Cases with a message (subject or new text) or a note holding every word."""
        words = search_words(query_text)
        if not words:
            return set()
        rows = self._select(MESSAGES, None, None, lambda f: _mentions_all(words, f))
        notes = self._select(NOTES, None, None, lambda f: _mentions_all(words, f, ("NoteText",)))
        return {text(seen[0].get("CaseRef")) for seen in (*rows.values(), *notes.values())}

    def _people(self, emails: set[str]) -> dict[str, Fields]:
        if len(emails) <= self.per_person_lookups:
            found = {email: self._person(email) for email in emails}
            return {email: f for email, f in found.items() if f is not None}
        rows = self._select(CONSTITUENTS, None, None, lambda f: f.get("Title") in emails)
        return {email: seen[0] for email, seen in rows.items()}

    # --- case management -------------------------------------------------------------------

    def set_assignee(self, case_ref: str, assignee: str | None) -> None:
        self._update_case(case_ref, lambda f: {"Assignee": assignee})

    def set_status(self, case_ref: str, status: CaseStatus) -> None:
        self._update_case(case_ref, lambda f: {"Status": status.value})

    def set_tags(self, case_ref: str, tags: Sequence[str]) -> None:
        self._update_case(case_ref, lambda f: {"Tags": " ".join(tags)})

    def set_merged_into(self, case_ref: str, target_ref: str) -> None:
        self._update_case(case_ref, lambda f: {"MergedInto": target_ref})

    def add_note(self, case_ref: str, author: str, text_: str, at: datetime) -> Note:
        written = Note(uuid.uuid4().hex, case_ref, author, text_, at)
        with self._writing() as unit:
            unit.put(NOTES, written.id, note_fields(written))
        return written

    def notes(self, case_ref: str) -> list[Note]:
        rows = self._select(NOTES, "CaseRef", case_ref, lambda f: f.get("CaseRef") == case_ref)
        # Stored rows come oldest first, then this unit's; the stable sort keeps that for ties.
        return sorted((stored_note(f) for f, _ in rows.values()), key=lambda n: ts(n.created_at))

    def move_messages(self, from_ref: str, to_ref: str) -> int:
        with self._writing() as unit:
            rows = self._select(
                MESSAGES,
                "CaseRef",
                from_ref,
                lambda f: f.get("CaseRef") == from_ref,
                skip_store=self._is_new(CASES, from_ref),
            )
            for key, (fields, item_id) in rows.items():
                unit.put(MESSAGES, key, {"CaseRef": to_ref}, item_id, base=fields)
            return len(rows)

    def _links(self, case_ref: str) -> set[str]:
        found = self._one(CASES, case_ref)
        return set(text(found[0].get("LinkedRefs")).split()) if found else set()

    def _set_links(self, case_ref: str, refs: set[str]) -> None:
        self._update_case(case_ref, lambda f: {"LinkedRefs": " ".join(sorted(refs))})

    def link_cases(self, a: str, b: str) -> bool:
        with self._writing():
            a_links, b_links = self._links(a), self._links(b)
            if b in a_links and a in b_links:
                return False
            self._set_links(a, a_links | {b})
            self._set_links(b, b_links | {a})
            return True

    def unlink_cases(self, a: str, b: str) -> bool:
        with self._writing():
            a_links, b_links = self._links(a), self._links(b)
            if b not in a_links and a not in b_links:
                return False
            self._set_links(a, a_links - {b})
            self._set_links(b, b_links - {a})
            return True

    def linked_cases(self, case_ref: str) -> list[str]:
        return sorted(self._links(case_ref))

    # --- campaigns -------------------------------------------------------------------------

    def upsert_campaign(self, campaign_: Campaign) -> None:
        with self._writing() as unit:
            found = self._one(CAMPAIGNS, campaign_.id)
            if found is None:
                unit.put(CAMPAIGNS, campaign_.id, campaign_fields(campaign_))
            else:
                unit.put(CAMPAIGNS, campaign_.id, campaign_update(campaign_), found[1], found[0])

    def get_campaign(self, campaign_id: str) -> Campaign | None:
        found = self._one(CAMPAIGNS, campaign_id)
        return campaign(found[0]) if found else None

    def campaigns(self) -> list[Campaign]:
        rows = self._select(CAMPAIGNS, None, None, lambda f: True)
        return sorted((campaign(f) for f, _ in rows.values()), key=lambda c: ts(c.first_seen))

    # --- quarantine and audit --------------------------------------------------------------

    def record_quarantine(self, item: QuarantineItem) -> bool:
        with self._writing() as unit:
            if self._one(QUARANTINE, item.sha256) is not None:
                return False
            unit.put(QUARANTINE, item.sha256, quarantine_fields(item))
            return True

    def quarantined(self) -> list[QuarantineItem]:
        rows = self._select(QUARANTINE, None, None, lambda f: True)
        items = [quarantine_item(f) for f, _ in rows.values()]
        return sorted(items, key=lambda q: ts(q.quarantined_at))

    def _audit_head(self) -> AuditHead:
        with self._counters_lock:
            head = self._counters.get(AUDIT_HEAD)
        if head is None:
            rows = self.items.find(self._id(COUNTERS), "Title", AUDIT_HEAD)
            if not rows:
                return AuditHead(0, GENESIS)
            head = rows[0]
            self._know_counter(head)
        seq, digest = num(head.fields.get("Last")), text(head.fields.get("Hash")) or GENESIS
        return AuditHead(seq, digest, head)

    def append_audit(
        self, at: datetime, actor: str, action: str, object_ref: str, detail: Detail
    ) -> AuditEntry:
        """The entry as it will be written; inside a transaction its Seq and hashes are
        provisional until commit (another worker may append first, and then the chain is
        re-linked at commit)."""
        with self._writing() as unit:
            if unit.audit_head is None:
                unit.audit_head = self._audit_head()
            last = unit.audit[-1].entry if unit.audit else None
            seq, prev = (
                (last.seq + 1, last.hash)
                if last
                else (unit.audit_head.seq + 1, unit.audit_head.hash)
            )
            digest = entry_hash(prev, seq, at, actor, action, object_ref, detail)
            entry = AuditEntry(seq, at, actor, action, object_ref, dict(detail), prev, digest)
            pending = PendingAudit(at, actor, action, object_ref, dict(detail), entry)
            unit.audit.append(pending)
        return pending.entry

    def audit_entries(self, object_ref: str | None = None) -> list[AuditEntry]:
        column = "ObjectRef" if object_ref else None
        rows = self.items.find(self._id(AUDIT), column, object_ref)
        return sorted((audit_entry(r.fields) for r in rows), key=lambda e: e.seq)

    # --- insight reports -------------------------------------------------------------------

    def _cases(self, rows: dict[str, Seen]) -> list[Case]:
        """Rows as cases, oldest first, then by ref."""
        people = self._people({text(seen[0].get("ConstituentEmail")) for seen in rows.values()})
        cases = [
            self._case(fields, people.get(text(fields.get("ConstituentEmail"))))
            for fields, _ in rows.values()
        ]
        return sorted(cases, key=lambda c: (ts(c.created_at), c.ref))

    def cases_opened_between(self, start: datetime, end: datetime) -> list[Case]:
        """The whole Cases list is read (paged) and the opening time compared here: list
        `$filter` is only trusted for `eq` on an indexed column (docs/sharepoint-schema.md)."""

        def test(f: Fields) -> bool:
            return start <= dt(f.get("CreatedAt")) < end

        return self._cases(self._select(CASES, None, None, test))

    def open_cases(self) -> list[Case]:
        """One read per open status (Status is indexed; closed cases are never read)."""
        rows: dict[str, Seen] = {}
        for status in NOT_CLOSED:
            rows.update(self._select(CASES, "Status", status, lambda f: True))
        return self._cases(rows)

    def audit_by_action(self, action: str, since: datetime) -> list[AuditEntry]:
        """One read filtered on Action (indexed), times compared here."""
        rows = self.items.find(self._id(AUDIT), "Action", action)
        found = (audit_entry(r.fields) for r in rows)
        return sorted((e for e in found if e.at >= since), key=lambda e: e.seq)

    # --- SLAs and referrals ----------------------------------------------------------------

    def cases_due_by(self, by: datetime, limit: int = 1000) -> list[Case]:
        """One read per open status (Status is indexed; closed cases are never read), due
        times compared here: list `$filter` is only trusted for `eq` (docs/sharepoint-schema.md)."""

        def test(f: Fields) -> bool:
            due = f.get("DueAt")
            return f.get("Status") != CaseStatus.CLOSED.value and bool(due) and dt(due) <= by

        rows: dict[str, Seen] = {}
        for status in NOT_CLOSED:
            rows.update(self._select(CASES, "Status", status, test))
        people = self._people({text(seen[0].get("ConstituentEmail")) for seen in rows.values()})
        cases = [
            self._case(fields, people.get(text(fields.get("ConstituentEmail"))))
            for fields, _ in rows.values()
        ]
        cases.sort(key=lambda c: (c.due_at or by, c.ref))
        return cases[:limit]

    def record_sla_stage(
        self, case_ref: str, stage: str, due_at: datetime, assignee: str | None
    ) -> None:
        values = {"SlaStage": stage, "SlaStageDue": ts(due_at), "Assignee": assignee}
        self._update_case(case_ref, lambda f: values)

    def add_referral(
        self,
        case_ref: str,
        agency: str,
        referred_at: datetime,
        referred_by: str,
        expected_by: datetime,
        note: str = "",
    ) -> Referral:
        """The number is the case's referral count plus one; two writers taking the same
        number meet the list's unique Title at commit (SharePointConflictError)."""
        with self._writing() as unit:
            ref = self.get_case(case_ref).ref
            known = self._select(
                REFERRALS,
                "CaseRef",
                ref,
                lambda f: f.get("CaseRef") == ref,
                skip_store=self._is_new(CASES, ref),
            )
            made = Referral(
                f"{ref}-R{len(known) + 1}", ref, agency, referred_at, referred_by, expected_by, note
            )
            unit.put(REFERRALS, made.id, referral_fields(made, unit.id))
        return made

    def referrals(self, case_ref: str | None = None, open_only: bool = False) -> list[Referral]:
        def test(f: Fields) -> bool:
            return (case_ref is None or f.get("CaseRef") == case_ref) and (
                not open_only or f.get("State") == "open"
            )

        column, value = (
            ("CaseRef", case_ref) if case_ref else ("State", "open") if open_only else (None, None)
        )
        rows = self._select(REFERRALS, column, value, test)
        found = [referral(fields) for fields, _ in rows.values()]
        return sorted(found, key=lambda r: (r.referred_at, r.id))

    def _update_referral(self, referral_id: str, values: Fields) -> None:
        with self._writing() as unit:
            found = self._one(REFERRALS, referral_id)
            if found is None:
                raise NotFoundError(f"no referral {referral_id!r}")
            fields, item_id = found
            unit.put(REFERRALS, referral_id, values, item_id, base=fields)

    def record_referral_reply(self, referral_id: str, at: datetime, by: str) -> None:
        self._update_referral(
            referral_id, {"RepliedAt": ts(at), "RepliedBy": by, "State": "replied"}
        )

    def record_referral_chase(self, referral_id: str, at: datetime, chases: int) -> None:
        self._update_referral(referral_id, {"ChasedAt": ts(at), "Chases": chases})
    # --- data protection: subject access, retention, erasure -------------------------------
    # Deletes go to SharePoint at once (the unit of work holds creates and updates only), so
    # callers delete outside transaction(). Graph does not document whether a deleted list
    # item goes to the site's recycle bin; see docs/data-protection.md.

    def find_constituent(self, email: str) -> Constituent | None:
        email = email.strip().lower()
        found = self._one(CONSTITUENTS, email)
        if found is None:
            return None
        fields, item_id = found
        unit = self._unit
        person_id = int(item_id) if item_id else (unit.provisional_id(email) if unit else 0)
        return constituent(self._resolved.get(person_id, person_id), fields)

    def messages_from(self, email: str) -> list[StoredMessage]:
        email = email.strip().lower()
        rows = self._select(MESSAGES, "FromAddr", email, lambda f: f.get("FromAddr") == email)
        ordered = sorted(
            (seen[0] for seen in rows.values()),
            key=lambda f: text(f.get("SentAt") or f.get("ReceivedAt")),
        )
        return [stored_message(f) for f in ordered]

    def delete_case(self, case_ref: str) -> int:
        gone = 0
        for row in self.items.find(self._id(MESSAGES), "CaseRef", case_ref):
            gone += self.items.delete(self._id(MESSAGES), row.id)
        for row in self.items.find(self._id(REFERRALS), "CaseRef", case_ref.upper()):
            self.items.delete(self._id(REFERRALS), row.id)  # the draft lives on the case row
        for row in self.items.find(self._id(NOTES), "CaseRef", case_ref.upper()):
            self.items.delete(self._id(NOTES), row.id)  # staff's words may name the person
        for row in self.items.find(self._id(CASES), "Title", case_ref.upper()):
            self.items.delete(self._id(CASES), row.id)
        log.info(
            "sharepoint case deleted", extra={"event": "sharepoint.case_deleted", "messages": gone}
        )
        return gone

    def delete_message(self, message_id: str) -> bool:
        rows = self.items.find(self._id(MESSAGES), "Title", message_key(message_id))
        if not rows:
            return False
        case_ref = text(rows[0].fields.get("CaseRef"))
        deleted = any([self.items.delete(self._id(MESSAGES), row.id) for row in rows])
        left = len(self.items.find(self._id(MESSAGES), "CaseRef", case_ref))
        for row in self.items.find(self._id(CASES), "Title", case_ref):
            self.items.update(self._id(CASES), row.id, {"MessageCount": left})
        return deleted

    def delete_constituent(self, email: str) -> bool:
        email = email.strip().lower()
        if self.items.find(self._id(CASES), "ConstituentEmail", email):
            return False
        rows = self.items.find(self._id(CONSTITUENTS), "Title", email)
        return any([self.items.delete(self._id(CONSTITUENTS), row.id) for row in rows])

    def delete_quarantined(self, sha256: str) -> bool:
        rows = self.items.find(self._id(QUARANTINE), "Title", sha256)
        return any([self.items.delete(self._id(QUARANTINE), row.id) for row in rows])

    def redact_audit(self, seq: int, detail: Detail) -> None:
        body = json.dumps(detail, sort_keys=True, ensure_ascii=False)
        for row in self.items.find(self._id(AUDIT), "Seq", seq):
            self.items.update(self._id(AUDIT), row.id, {"Detail": body})

    # --- empty cases left by a commit cut short ---------------------------------------------

    def empty_case_candidates(
        self, written_from: datetime | None, written_before: datetime
    ) -> list[str]:
        """New cases (Status is indexed; an untouched case is still new) whose item SharePoint
        Created in the window, then one read of the Messages and Notes lists per candidate
        (CaseRef indexed). MessageCount is not trusted: a commit cut short wrote the case row
        with the count its unit meant to reach. An item without Created is never a candidate
        (the opening time is the letter's date, not the row's)."""

        def test(f: Fields) -> bool:
            created = f.get("Created")
            if not created:
                return False
            written = dt(created)
            return (written_from is None or written >= written_from) and written < written_before

        rows = self._select(CASES, "Status", CaseStatus.NEW.value, test)
        refs = []
        for ref in sorted(rows):
            if self.items.find(self._id(MESSAGES), "CaseRef", ref):
                continue
            if self.items.find(self._id(NOTES), "CaseRef", ref.upper()):
                continue
            refs.append(ref)
        return refs

    # --- commit ----------------------------------------------------------------------------

    def _commit(self, unit: Unit) -> None:
        real_ids = unit.real_ids = self._commit_constituents(unit)
        self._remember(real_ids)
        self._commit_campaigns(unit)
        self._commit_new_cases(unit, real_ids)
        for _, p in unit.creates(QUARANTINE):
            self.items.create(self._id(QUARANTINE), p.fields)  # already there: same bytes
        self._commit_messages(unit)
        self._commit_referrals(unit)
        for _, p in unit.updates(MESSAGES):  # refiled by a merge
            self.items.update(self._id(MESSAGES), str(p.item_id), p.fields)
        for _, p in unit.creates(NOTES):  # a fresh random Title: nobody else writes it
            self.items.create(self._id(NOTES), p.fields, look_first=False)
        self._commit_case_updates(unit)
        self._commit_dissolution(unit)
        self._commit_audit(unit, real_ids)
        log.info(
            "sharepoint unit committed",
            extra={
                "event": "sharepoint.commit",
                "rows": sum(len(rows) for rows in unit.pending.values()) + len(unit.audit),
            },
        )

    def _remember(self, real_ids: dict[int, int]) -> None:
        """Stand-in ids handed out before a commit keep working after it."""
        self._resolved.update(real_ids)
        for stale in list(self._resolved)[: max(0, len(self._resolved) - REMEMBERED_IDS)]:
            del self._resolved[stale]

    def _commit_constituents(self, unit: Unit) -> dict[int, int]:
        list_id = self._id(CONSTITUENTS)
        real_ids: dict[int, int] = {}
        for email, p in unit.creates(CONSTITUENTS):
            row, created = self.items.create(
                list_id, p.fields, look_first=not unit.looked_for(CONSTITUENTS, email)
            )
            if not created and row.fields.get("UnitId") != unit.id:  # created meanwhile
                name, postcode = text(p.fields.get("FullName")), p.fields.get("Postcode")
                change = constituent_update(row.fields, name, postcode, dt(p.fields["UpdatedAt"]))
                self.items.update(list_id, row.id, change)
            real_ids[unit.provisional_id(email)] = int(row.id)
        for _, p in unit.updates(CONSTITUENTS):
            self.items.update(list_id, str(p.item_id), p.fields)
        return real_ids

    def _commit_campaigns(self, unit: Unit) -> None:
        list_id = self._id(CAMPAIGNS)
        for _, p in unit.creates(CAMPAIGNS):
            row, created = self.items.create(list_id, p.fields)
            if not created:
                keep = ("ClusterSize", "LastSeen", "IsCampaign")
                self.items.update(list_id, row.id, {k: p.fields[k] for k in keep})
        for _, p in unit.updates(CAMPAIGNS):
            self.items.update(list_id, str(p.item_id), p.fields)

    def _commit_new_cases(self, unit: Unit, real_ids: dict[int, int]) -> None:
        counts = Counter(text(p.fields.get("CaseRef")) for _, p in unit.creates(MESSAGES))
        for ref, p in unit.creates(CASES):
            person = int(p.fields["ConstituentId"])
            values = {
                **p.fields,
                "ConstituentId": real_ids.get(person, person),
                "MessageCount": counts.get(ref, 0),
            }
            # The reference came from the counter: nobody else writes this Title.
            row, created = self.items.create(self._id(CASES), values, look_first=False)
            if not created and row.fields.get("UnitId") != unit.id:
                raise SharePointConflictError(
                    f"case reference {ref} was taken by another worker; the message is retried"
                )

    def _commit_messages(self, unit: Unit) -> None:
        for key, p in unit.creates(MESSAGES):
            row, created = self.items.create(
                self._id(MESSAGES), p.fields, look_first=not unit.looked_for(MESSAGES, key)
            )
            if not created and row.fields.get("UnitId") != unit.id:
                raise SharePointConflictError(
                    "another worker filed the same message meanwhile; it is retried and then "
                    "recognised as a duplicate"
                )

    def _commit_referrals(self, unit: Unit) -> None:
        list_id = self._id(REFERRALS)
        for key, p in unit.creates(REFERRALS):
            row, created = self.items.create(list_id, p.fields)
            if not created and row.fields.get("UnitId") != unit.id:
                raise SharePointConflictError(
                    f"referral {key} was recorded by another writer meanwhile; try again"
                )
        for _, p in unit.updates(REFERRALS):
            self.items.update(list_id, str(p.item_id), p.fields)

    def _commit_case_updates(self, unit: Unit) -> None:
        list_id = self._id(CASES)
        grown = {text(p.fields.get("CaseRef")) for _, p in unit.creates(MESSAGES)}
        for _, p in unit.updates(MESSAGES):  # a merge: both cases' counts change
            grown |= {text(p.base.get("CaseRef")), text(p.fields.get("CaseRef"))}
        grown -= {ref for ref, _ in unit.creates(CASES)}
        changes: dict[str, tuple[str, Fields]] = {
            ref: (str(p.item_id), dict(p.fields)) for ref, p in unit.updates(CASES)
        }
        for ref in sorted(grown):
            # Counted after the messages are written, so a count a concurrent commit
            # overwrote is put right by the next message in the case.
            count = len(self.items.find(self._id(MESSAGES), "CaseRef", ref))
            if ref not in changes:
                rows = self.items.find(list_id, "Title", ref)
                if not rows:
                    continue
                changes[ref] = (rows[0].id, {})
            changes[ref][1]["MessageCount"] = count
        for item_id, values in changes.values():
            self.items.update(list_id, item_id, values)

    def _commit_audit(self, unit: Unit, real_ids: dict[int, int]) -> None:
        if not unit.audit:
            return
        entries = self._move_audit_head(unit.audit_head, unit.audit, real_ids)
        for pending, entry in zip(unit.audit, entries, strict=True):
            # The head now covers these Seqs: nobody else writes them, no need to look first.
            self.items.create(self._id(AUDIT), audit_fields(entry), look_first=False)
            pending.entry = entry

    def _move_audit_head(
        self, head: AuditHead | None, pending: list[PendingAudit], real_ids: dict[int, int]
    ) -> list[AuditEntry]:
        """Chain the entries onto the head and move the head past them with If-Match.

        The head read when the unit first appended is tried first; if another worker moved it
        since, If-Match fails and the entries are chained onto the head read again."""
        for _ in range(CAS_ATTEMPTS):
            if head is None or head.row is None:
                if head is not None:  # no head row yet: make one (idempotently), then read it
                    self.items.create(
                        self._id(COUNTERS), {"Title": AUDIT_HEAD, "Last": 0, "Hash": GENESIS}
                    )  # looks first: another worker may have made it
                head = self._audit_head()
                continue
            entries = _chain(head, pending, real_ids)
            try:
                self._move_counter(head.row, {"Last": entries[-1].seq, "Hash": entries[-1].hash})
            except Exception as exc:
                if not is_precondition_failed(exc):
                    raise
                head = None
                continue
            return entries
        raise SharePointConflictError("could not append to the audit chain: too much contention")


def _chain(
    head: AuditHead, pending: list[PendingAudit], real_ids: dict[int, int]
) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    seq, prev = head.seq, head.hash
    for p in pending:
        seq += 1
        detail = replace_provisional(p.detail, real_ids)
        digest = entry_hash(prev, seq, p.at, p.actor, p.action, p.object_ref, detail)
        entries.append(AuditEntry(seq, p.at, p.actor, p.action, p.object_ref, detail, prev, digest))
        prev = digest
    return entries


def _narrowest(query: CaseQuery) -> tuple[str | None, str | None]:
    """One indexed column for the server-side filter."""
    if query.category:
        return "Category", query.category.value
    if query.status:
        return "Status", query.status.value
    if query.assignee:
        return "Assignee", query.assignee
    return None, None


def _case_matches(f: Fields, query: CaseQuery) -> bool:
    created = text(f.get("CreatedAt"))
    return (
        (query.topic is None or f.get("Topic") == query.topic.value)
        and (query.tag is None or query.tag in text(f.get("Tags")).split())
        and (not query.unassigned or not f.get("Assignee"))
        and (query.opened_from is None or dt(created) >= query.opened_from)
        and (query.opened_before is None or dt(created) < query.opened_before)
        and (query.category is None or f.get("Category") == query.category.value)
        and (query.status is None or f.get("Status") == query.status.value)
        and (query.assignee is None or f.get("Assignee") == query.assignee)
        and (not query.open_only or f.get("Status") != CaseStatus.CLOSED.value)
        and (query.flag is None or query.flag in parse_flags(f.get("Flags")))
        and (query.ward is None or text(f.get("Ward")).casefold() == query.ward.casefold())
    )

"""`casedesk bench` search figures: 100,000 generated cases in the embedded store, then a mix
of searches timed per kind (p50/p95 ms). The target is under 100 ms per search on 100,000
cases (issue 6); tests never assert times.

The store is filled through the repository (constituents, cases, messages, statuses, notes,
in one transaction), so the figures include the indexes and FTS tables triage maintains.
Messages are built as ParsedMessage directly: MIME parsing is measured by the triage bench.
"""

from __future__ import annotations

import hashlib
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from casedesk.core.models import (
    CaseQuery,
    CaseStatus,
    Category,
    Classification,
    NewCase,
    ParsedMessage,
    Topic,
)

WARDS = (
    "Abbey", "Arbury", "Castle", "Cherry Hinton", "Coleridge", "East Chesterton",
    "King's Hedges", "Market", "Newnham", "Petersfield", "Queen Edith's", "Romsey",
    "Trumpington", "West Chesterton",
)  # fmt: skip
PEOPLE = ("priya.shah", "tom.reid", "ana.lopes", "ben.cole", "jo.price", "sam.okafor")
TAGS = (
    "housing", "council", "dwp", "benefit-cap", "ukvi", "nhs", "school-place", "planning",
    "potholes", "anti-social", "not-our-constituent", "safeguarding", "follow-up",
)  # fmt: skip
TOPICS = {
    Topic.HOUSING: ("damp", "mould", "landlord", "repairs", "eviction", "rent", "council flat"),
    Topic.BENEFITS: ("universal credit", "sanction", "pip assessment", "dwp", "payment"),
    Topic.IMMIGRATION: ("visa", "home office", "asylum", "biometric", "settlement"),
    Topic.HEALTH: ("gp appointment", "waiting list", "hospital", "dentist", "prescription"),
    Topic.EDUCATION: ("school place", "send support", "exclusion", "transport to school"),
    Topic.TRANSPORT: ("bus route", "potholes", "cycle lane", "parking"),
    Topic.ENVIRONMENT_PLANNING: ("planning application", "sewage", "river", "trees"),
    Topic.TAX: ("hmrc", "tax code", "self assessment", "refund"),
}
FILLER = (
    "please", "help", "my", "family", "weeks", "months", "letter", "reply", "again", "still",
    "urgent", "waiting", "phoned", "told", "nobody", "answer", "reference", "daughter", "son",
    "mother", "work", "money", "worried", "appointment", "office", "thank", "you",
)  # fmt: skip
CATEGORIES = (
    (Category.CASEWORK, 0.5), (Category.CAMPAIGN, 0.25), (Category.POLICY, 0.1),
    (Category.INVITATION, 0.05), (Category.OTHER, 0.05), (Category.PRESS, 0.03),
    (Category.SPAM, 0.02),
)  # fmt: skip
STATUSES = (
    (CaseStatus.CLOSED, 0.55), (CaseStatus.OPEN, 0.2), (CaseStatus.NEW, 0.1),
    (CaseStatus.AWAITING_AGENCY, 0.1), (CaseStatus.AWAITING_CONSTITUENT, 0.05),
)  # fmt: skip
START = datetime(2024, 1, 1, tzinfo=UTC)
# Free-text searches, from very common words to one reference number.
SEARCH_WORDS = (
    "mould", "universal credit", "visa delay", "ref12345", "sewage river", "council",
    "dentist waiting",
)  # fmt: skip
BATCH = 2_000  # cases per transaction, as a busy office's intake commits
SPAN_DAYS = 3 * 365


def _pick(rng: random.Random, weighted: tuple[tuple[Any, float], ...]) -> Any:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _postcode(rng: random.Random) -> str:
    district = rng.choice(("CB1", "CB2", "CB3", "CB4", "CB5", "CB22", "CB23", "PE27", "SG8"))
    return f"{district} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"


def _letter(rng: random.Random, topic: Topic) -> tuple[str, str]:
    phrases = TOPICS.get(topic, ("question",))
    subject = rng.choice(phrases).capitalize() + " " + rng.choice(("problem", "help", "delay"))
    words = [rng.choice(FILLER) for _ in range(rng.randint(25, 60))]
    for _ in range(rng.randint(1, 3)):
        words.insert(rng.randrange(len(words)), rng.choice(phrases))
    return subject, " ".join(words)


class Letters:
    """A pool of generated letters per topic (generating each one afresh would make the bench
    time Python's random module); every letter gets its own reference number."""

    def __init__(self, rng: random.Random, per_topic: int = 400) -> None:
        self.rng = rng
        self.pool = {t: [_letter(rng, t) for _ in range(per_topic)] for t in TOPICS}

    def __call__(self, topic: Topic) -> tuple[str, str]:
        subject, body = self.rng.choice(self.pool[topic])
        return subject, f"{body} ref{self.rng.randint(10_000, 99_999)}"


def _message(ref: str, n: int, sender: str, subject: str, body: str, at: datetime) -> ParsedMessage:
    digest = hashlib.sha256(f"{ref}/{n}".encode()).hexdigest()
    return ParsedMessage(
        raw=b"", sha256=digest, message_id=f"<{ref}.{n}@bench.example>",
        has_message_id_header=True, from_addr=sender, from_name="", to=(), subject=subject,
        sent_at=at, in_reply_to=None, references=(), text=body, new_text=body,
        is_html_only=False, attachments=(), content_hash=digest,
    )  # fmt: skip


def fill(repo: Any, count: int, seed: int = 11) -> None:
    """`count` cases with constituents, 1-3 messages, statuses, tags and some notes."""
    rng = random.Random(seed)
    letters = Letters(rng)
    for start in range(0, count, BATCH):
        with repo.transaction():
            for _ in range(start, min(count, start + BATCH)):
                _one_case(repo, rng, letters, count)


def _one_case(repo: Any, rng: random.Random, letters: Letters, count: int) -> None:
    """One generated case: constituent, case, 1-3 messages, a status, maybe a note."""
    who = rng.randint(0, int(count * 0.6))
    sender = f"constituent{who}@example.org"
    opened = START + timedelta(minutes=rng.randint(0, SPAN_DAYS * 24 * 60))
    person = repo.upsert_constituent(sender, f"Person {who}", _postcode(rng), opened)
    topic = rng.choice(list(TOPICS))
    c = Classification(_pick(rng, CATEGORIES), topic, rng.random() < 0.1, 0.9, (), "bench")
    subject, body = letters(topic)
    tags = tuple(dict.fromkeys(rng.choice(TAGS) for _ in range(rng.choice((0, 1, 1, 2)))))
    assignee = rng.choice(PEOPLE) if rng.random() < 0.8 else None
    ref = repo.create_case(
        NewCase(person.id, subject, subject.lower(), c, assignee, None, body[:120],
                opened, tags=tags, ward=rng.choice(WARDS))
    )  # fmt: skip
    for n in range(rng.choice((1, 1, 1, 2, 3))):
        at = opened + timedelta(days=n * 3)
        text = body if n == 0 else letters(topic)[1]
        repo.add_message(ref, _message(ref, n, sender, subject, text, at), c, at, "x.eml")
    status = _pick(rng, STATUSES)
    if status is not CaseStatus.NEW:
        repo.set_status(ref, status)
    if rng.random() < 0.2:
        note = f"Rang {rng.choice(('the council', 'DWP', 'HMRC', 'the trust'))} " + " ".join(
            rng.choice(FILLER) for _ in range(12)
        )
        repo.add_note(ref, rng.choice(PEOPLE), note, opened + timedelta(days=1))


def queries(rng: random.Random) -> dict[str, Callable[[], CaseQuery]]:
    """One generator per kind of search an office runs."""

    def month() -> CaseQuery:
        start = START + timedelta(days=rng.randint(0, SPAN_DAYS - 31))
        return CaseQuery(opened_from=start, opened_before=start + timedelta(days=31))

    return {
        "free_text": lambda: CaseQuery(text=rng.choice(SEARCH_WORDS)),
        "ward": lambda: CaseQuery(ward=rng.choice(WARDS), open_only=True),
        "postcode_prefix": lambda: CaseQuery(postcode=rng.choice(("CB1", "CB4 1", "PE27", "CB22"))),
        "category_status": lambda: CaseQuery(
            category=rng.choice((Category.CASEWORK, Category.POLICY)),
            status=rng.choice((CaseStatus.OPEN, CaseStatus.AWAITING_AGENCY)),
        ),
        "assignee": lambda: CaseQuery(assignee=rng.choice(PEOPLE), open_only=True),
        "tag": lambda: CaseQuery(tag=rng.choice(TAGS)),
        "date_range": month,
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_search_bench(count: int = 100_000, rounds: int = 40) -> dict[str, Any]:
    """Build the store, warm it up, then time `rounds` searches of each kind (limit 200)."""
    from casedesk.adapters.embedded.sqlite_cases import SqliteCaseRepository
    from casedesk.adapters.embedded.sqlite_db import Database

    with tempfile.TemporaryDirectory(prefix="casedesk-search-bench-") as tmp:
        db = Database(Path(tmp) / "casedesk.sqlite3")
        repo = SqliteCaseRepository(db)
        t0 = time.perf_counter()
        fill(repo, count)
        build_seconds = time.perf_counter() - t0
        db.conn.execute("ANALYZE")
        kinds = queries(random.Random(5))
        out: dict[str, Any] = {"search_cases": count, "search_build_seconds": build_seconds}
        for kind, make in kinds.items():
            for _ in range(3):  # warm the page cache, as a running office's store is
                repo.query_cases(make())
            timings, found = [], []
            for _ in range(rounds):
                query = make()
                start = time.perf_counter()
                found.append(len(repo.query_cases(query)))
                timings.append((time.perf_counter() - start) * 1000)
            out[f"search_{kind}_p50_ms"] = statistics.median(timings)
            out[f"search_{kind}_p95_ms"] = _percentile(timings, 0.95)
            out[f"search_{kind}_median_rows"] = int(statistics.median(found))
        db.close()
    return out

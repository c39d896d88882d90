"""The soak: a campaign surge across three mailboxes, interleaved with casework, on the local
stack, while things go wrong. `make soak` runs it at size (SOAK_MESSAGES, default 20,000) and
tests/e2e/test_soak.py runs a small one in `make test`.

The stack is the production one: tests/graphfake speaking Graph (mail, subscriptions, delta,
SharePoint lists and library), Azurite's queue and table, tests/openaifake as the model, the
notification route on `casedesk serve`'s HTTP server, and the queue worker in a process of its
own (tests/soak_worker.py) doing what the Functions queue trigger does. Nothing of ours is
mocked. Faults, in time-compressed form:

- duplicated and out-of-order notifications (each chunk's notifications shuffled, some sent
  two or three times), and the same letter sent to two mailboxes;
- a notification blackout over a stretch of the surge, recovered by the renew timer's delta
  catch-up;
- 429 storms with Retry-After on mail and on SharePoint lists;
- 503 and 500 from SharePoint (lists and library);
- an LLM outage (the model answers 503; the embedded model labels instead, and the template
  drafts the reply);
- the worker killed with SIGKILL at random points and started again;
- letters with no sender at all, which must end in quarantine with a reason;
- one message row refused with a 500 after its case row was written (what a kill between the
  two does), so there is always an empty case for the sweep;
- one reply draft refused with a 500 after its case was filed (what a kill while the model
  drafts does), so there is always a draft for a retry to finish.

Then it drains the queue and reconciles every delivered message against the SharePoint lists:
filed, duplicate, quarantined, or lost. Last, the sweep runs as its timer would, an hour on
(past `empty_case_grace_minutes`), and the empty cases a kill mid-commit left are counted
before and after it. AI drafting is on, so a kill can also land after a case is filed and
before the model's draft is saved: every case that gets a reply must have its draft in the
end. Wall-clock figures are reported, never asserted.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from azurite import Azurite
from casedesk.adapters.embedded.clock import FixedClock
from casedesk.adapters.m365.msal_tokens import RedirectingHttpClient
from casedesk.adapters.m365.sharepoint_schema import SCHEMA
from casedesk.bootstrap import build_sweep
from casedesk.bootstrap_m365 import IntakeApp, build_intake
from casedesk.core import casework
from casedesk.core.models import CaseStatus
from casedesk.core.reply_templates import NO_AUTO_DRAFT
from casedesk.entrypoints.bench import generate
from casedesk.entrypoints.http_server import RouteTable, make_server
from casedesk.entrypoints.webhooks import handle_lifecycle, handle_notifications
from casedesk.settings import load_settings
from graphfake import GraphFake
from openaifake import OpenAIFake

SECRET = "soak-client-secret"
SITE = "contoso.sharepoint.com,2c7a1d2e-0000-4000-8000-00000000c45e,7b1f0c3a-0000-4000-8000-0000000000a1"
DRIVE = "b!casedesk-library"
MAILBOXES = (
    "alex.morgan.mp@parliament.example",
    "casework.cambridge@parliament.example",
    "office.cambridge@parliament.example",
)
WORKER = Path(__file__).with_name("soak_worker.py")
CHUNK = 20
STAFF = ("priya.shah", "tom.reid", "ana.lopes")


@dataclass(frozen=True)
class SoakConfig:
    messages: int = 300  # Graph messages delivered, copies and unreadable ones included
    kills: int = 3
    seed: int = 12
    lease_seconds: int = 10  # queue visibility: how soon a killed worker's items come back
    retry_after: float = 1.0  # what the 429 storms ask for, in seconds
    copy_rate: float = 0.03  # letters also sent to a second office mailbox
    unreadable_rate: float = 0.01  # letters with no sender at all
    # Delivery waits while the queue is deeper than this. Azurite's queue scans every message
    # on each receive and delete (a delete takes 4 ms at depth 100 and 71 ms at 16,000:
    # docs/decisions/0028), so an unbounded surge measures the emulator, not CaseDesk.
    max_depth: int = 2000

    @classmethod
    def from_env(cls, default_messages: int = 200, default_kills: int = 2) -> SoakConfig:
        messages = int(os.environ.get("SOAK_MESSAGES") or default_messages)
        kills = int(os.environ.get("SOAK_KILLS") or max(default_kills, messages // 1000))
        return cls(
            messages=messages,
            kills=kills,
            seed=int(os.environ.get("SOAK_SEED") or 12),
            max_depth=int(os.environ.get("SOAK_MAX_DEPTH") or 2000),
        )


@dataclass(frozen=True)
class Delivery:
    mailbox: str
    graph_id: str
    letter: str | None  # Message-ID; None for a letter with no sender
    sha256: str


@dataclass
class SoakReport:
    messages_in: int = 0
    filed: int = 0
    duplicates: int = 0
    quarantined: int = 0
    lost: int = 0
    duplicated_cases: int = 0
    empty_cases: int = 0  # after the sweep
    empty_before_sweep: int = 0  # left by a kill between a case's row and its message's
    empty_removed: int = 0  # by the sweep, audited case.removed_empty
    messages_removed_by_sweep: int = 0  # must be 0: the sweep takes only empty cases
    cases: int = 0
    planted_copies: int = 0
    planted_unreadable: int = 0
    notifications_sent: int = 0
    notifications_dropped: int = 0
    caught_up_by_delta: int = 0
    worker_kills: int = 0
    worker_errors: int = 0  # attempts that raised and were retried from the queue
    ai_fallbacks: int = 0
    ai_drafts: int = 0  # reply drafts the model wrote (the rest: the template's)
    missing_drafts: int = 0  # must be 0: a case that gets a reply, filed without its draft
    casework_done: int = 0
    casework_refused: int = 0
    casework_retried: int = 0
    graph_requests: int = 0
    peak_queue_depth: int = 0
    deliver_seconds: float = 0.0
    held_seconds: float = 0.0  # of deliver_seconds, waiting for the queue to fall under the cap
    depth_cap: int = 0
    drain_seconds: float = 0.0
    lost_ids: list[str] = field(default_factory=list)
    quarantine_reasons: Counter[str] = field(default_factory=Counter)
    handle_seconds: list[float] = field(default_factory=list)  # per queue item, sorted

    @property
    def graph_requests_per_message(self) -> float:
        return self.graph_requests / max(1, self.messages_in)

    @property
    def adds_up(self) -> bool:
        return self.filed + self.duplicates + self.quarantined + self.lost == self.messages_in

    def _handling(self) -> str:
        times = self.handle_seconds
        if not times:
            return "-"
        p50, p95 = times[len(times) // 2], times[min(len(times) - 1, int(len(times) * 0.95))]
        return f"{p50:.2f} / {p95:.2f} / {sum(times):.0f}"

    def render(self) -> str:
        rows = [
            ("messages in (Graph messages in 3 mailboxes)", f"{self.messages_in:,}"),
            ("filed (distinct letters in the Messages list)", f"{self.filed:,}"),
            ("duplicates (same letter in a second mailbox)", f"{self.duplicates:,}"),
            ("quarantined (with a reason)", f"{self.quarantined:,}"),
            ("lost", f"{self.lost:,}"),
            ("duplicated cases", f"{self.duplicated_cases:,}"),
            ("empty cases left by kills / removed by the sweep / left after it",
             f"{self.empty_before_sweep} / {self.empty_removed} / {self.empty_cases}"),
            ("cases", f"{self.cases:,}"),
            ("notifications sent / dropped in the blackout",
             f"{self.notifications_sent:,} / {self.notifications_dropped:,}"),
            ("queued by delta catch-up after the blackout", f"{self.caught_up_by_delta:,}"),
            ("worker killed (SIGKILL) / attempts that raised",
             f"{self.worker_kills} / {self.worker_errors}"),
            ("labelled by the fallback in the LLM outage", f"{self.ai_fallbacks:,}"),
            ("reply drafts by the model / cases missing their draft",
             f"{self.ai_drafts:,} / {self.missing_drafts}"),
            ("casework actions done / refused / retried after a conflict",
             f"{self.casework_done} / {self.casework_refused} / {self.casework_retried}"),
            ("Graph requests per message (every caller, retries included)",
             f"{self.graph_requests_per_message:.1f}"),
            ("peak queue depth", f"{self.peak_queue_depth:,}"),
            ("seconds per queue item, p50 / p95 / total busy", self._handling()),
            ("delivery (surge) seconds / of which held at the depth cap",
             f"{self.deliver_seconds:.0f} / {self.held_seconds:.0f} (cap {self.depth_cap:,})"),
            ("time to drain after the surge, seconds", f"{self.drain_seconds:.0f}"),
        ]  # fmt: skip
        width = max(len(name) for name, _ in rows)
        return "\n".join(f"{name.ljust(width)}  {value}" for name, value in rows)


def unreadable(n: int) -> bytes:
    """No From, Sender, Reply-To or Return-Path: the parser refuses it, so quarantine."""
    return (
        f"To: office@parliament.example\r\nSubject: (no sender) {n}\r\n"
        f"Message-ID: <soak-nosender-{n}@example.org>\r\nContent-Type: text/plain\r\n\r\n"
        "A letter with no sender.\r\n"
    ).encode()


class Worker:
    """The queue worker process; its JSON lines are collected by a reader thread."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env, self.log_path = env, log_path
        self.lines: list[dict[str, Any]] = []
        self.proc: subprocess.Popen[str] | None = None
        self.kills = 0

    def start(self) -> None:
        with self.log_path.open("a") as log:
            self.proc = subprocess.Popen(
                [sys.executable, str(WORKER)], env=self.env, stdout=subprocess.PIPE,
                stderr=log, text=True, bufsize=1,
            )  # fmt: skip
        proc = self.proc
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("{"):
                self.lines.append(json.loads(line))

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()  # SIGKILL: no cleanup, no finally, mid-request
            self.proc.wait()
            self.kills += 1

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@dataclass
class Casework:
    """Staff working cases while the surge arrives: claim, note, status change."""

    app: IntakeApp
    rng: random.Random
    report: SoakReport

    def act(self, refs: list[str]) -> None:
        if not refs:
            return
        ref = self.rng.choice(refs)
        who = self.rng.choice(STAFF)
        repo, clock = self.app.cases.repo, self.app.clock
        step: Callable[[], object] = self.rng.choice(
            [
                lambda: casework.assign(repo, clock, ref, who, who),
                lambda: casework.add_note(repo, clock, ref, "Rang the council back", who),
                lambda: casework.change_status(
                    repo, clock, ref, CaseStatus.AWAITING_AGENCY, "referred to the council", who
                ),
            ]
        )
        for attempt in range(3):
            try:
                step()
                self.report.casework_done += 1
                return
            except casework.RefusedError:
                self.report.casework_refused += 1
                return
            except Exception:  # a conflict with the worker (412) or an injected fault
                self.report.casework_retried += 1
                if attempt == 2:
                    raise


@contextmanager
def local_stack(
    workdir: Path, azurite: Azurite
) -> Iterator[tuple[GraphFake, OpenAIFake, IntakeApp, dict[str, Any]]]:
    with GraphFake(client_secret=SECRET) as graph, OpenAIFake() as model:
        for mailbox in MAILBOXES:
            graph.add_mailbox(mailbox)
        for spec in SCHEMA:
            graph.add_list(SITE, spec.display_name, non_indexed=spec.non_indexed)
        graph.add_drive(SITE, DRIVE)
        table = RouteTable()
        server = make_server("127.0.0.1", 0, table)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        suffix = uuid.uuid4().hex[:12]
        values: dict[str, Any] = {
            "data_dir": str(workdir / "data"),
            "adapters": "m365",
            "case_store": "sharepoint",
            "sharepoint_site_id": SITE,
            "sharepoint_drive_id": DRIVE,
            "tenant_id": graph.tenant_id,
            "client_id": graph.client_id,
            "client_secret": SECRET,
            "graph_base_url": graph.base_url,
            "mailboxes": ",".join(MAILBOXES),
            "notification_url": f"{base}/api/notifications",
            "lifecycle_url": f"{base}/api/lifecycle",
            "storage_connection_string": azurite.connection_string,
            "queue_name": f"soak{suffix}",
            "table_name": f"soak{suffix}",
            "classifier": "ai",
            "ai_endpoint": model.url,
            "ai_deployment": model.deployments[0],
            "ai_api_key": model.api_key,
            "ai_max_attempts": 1,  # an outage falls back at once rather than waiting
            "ai_drafting": True,  # drafted after the filing commits: a kill can fall between
        }
        app = build_intake(
            load_settings(values, environ={}),
            login_http_client=RedirectingHttpClient(graph.root_url),
        )
        table.add(  # the Functions HTTP triggers, as function_app.py calls them
            "POST",
            "/api/notifications",
            lambda q, b: handle_notifications(
                q, b, app.ops, app.queue, app.clock, tenant_id=graph.tenant_id
            ),
        )
        table.add(
            "POST",
            "/api/lifecycle",
            lambda q, b: handle_lifecycle(q, b, app.ops, app.queue, tenant_id=graph.tenant_id),
        )
        try:
            yield graph, model, app, values
        finally:
            server.shutdown()
            server.server_close()
            app.close()


def plan(config: SoakConfig, rng: random.Random) -> list[tuple[str, bytes, str | None]]:
    """(mailbox, MIME, Message-ID or None) for every Graph message, in arrival order."""
    copies = round(config.messages * config.copy_rate)
    bad = max(1, round(config.messages * config.unreadable_rate))
    letters = generate(config.messages - copies - bad, seed=config.seed)
    out: list[tuple[str, bytes, str | None]] = [
        (rng.choice(MAILBOXES), raw.data, f"<bench-{i}@example.org>")
        for i, raw in enumerate(letters)
    ]
    for _ in range(copies):  # the same letter to a second office mailbox, a little later
        i = rng.randrange(len(letters))
        first = out[i]
        other = rng.choice([m for m in MAILBOXES if m != first[0]])
        out.insert(min(len(out), i + rng.randint(1, 3 * CHUNK)), (other, first[1], first[2]))
    for n in range(bad):
        out.insert(rng.randrange(len(out)), (rng.choice(MAILBOXES), unreadable(n), None))
    return out


def run_soak(
    config: SoakConfig,
    azurite: Azurite,
    workdir: Path,
    say: Callable[[str], None] = lambda _: None,
) -> SoakReport:
    rng = random.Random(config.seed)
    report = SoakReport()
    mail = plan(config, rng)
    chunks = [mail[i : i + CHUNK] for i in range(0, len(mail), CHUNK)]
    n = len(chunks)
    blackout = range(int(n * 0.45), int(n * 0.55) + 1)
    # The model is down while the worker is between these completions (the queue lags the
    # surge). The AI classifier answers a near-copy of a letter it has labelled from its
    # in-memory cache, without asking the model, and the soak's letters come from a few dozen
    # templates: a warm worker hardly asks the model at all (a 20,000 run's outage at 3 to 8%
    # of the work met no request). So the outage opens with a kill: a cold worker, as after a
    # Functions instance starts, which has to ask for each template again.
    start = min(int(len(mail) * 0.03), 90)
    outage = range(start, start + max(30, min(len(mail) // 20, 300)))
    storms = {int(n * f) for f in (0.2, 0.65)}
    sharepoint_5xx = {int(n * f) for f in (0.3, 0.75)}
    cut_short = int(n * 0.4)  # a commit that fails after its case row: an empty case, as a kill
    # Kill points, as a share of the expected worker completions (so they land in the work).
    kill_at = sorted(
        [start] * min(1, config.kills)
        + [int(len(mail) * rng.uniform(0.05, 0.95)) for _ in range(config.kills - 1)]
    )
    letters = [m[2] for m in mail if m[2] is not None]
    report.planted_copies = len(letters) - len(set(letters))
    report.planted_unreadable = sum(1 for m in mail if m[2] is None)

    with local_stack(workdir, azurite) as (graph, model, app, values):
        env = {
            **os.environ,
            "SOAK_SETTINGS": json.dumps(values),
            "SOAK_LOGIN": graph.root_url,
            "SOAK_LEASE_SECONDS": str(config.lease_seconds),
        }
        worker = Worker(env, workdir / "worker.log")
        staff = Casework(app, rng, report)
        app.intake.ensure_subscriptions()
        app.intake.catch_up_all()  # the renew timer's first round: the delta starting point
        graph.forget_requests()
        worker.start()
        deliveries: list[Delivery] = []

        def done() -> int:
            return sum(1 for line in worker.lines if "outcome" in line)

        def filed_refs() -> list[str]:
            return [
                line["outcome"].split()[1]
                for line in worker.lines[-400:]
                if line.get("outcome", "").startswith("filed_new ")
            ]

        def tick() -> None:
            report.peak_queue_depth = max(report.peak_queue_depth, app.queue.depth())
            model.default = "unavailable" if done() in outage else "valid"
            report.graph_requests += graph.forget_requests()
            while kill_at and done() >= kill_at[0]:
                kill_at.pop(0)
                time.sleep(rng.uniform(0.0, 0.5))  # somewhere inside a message, not between
                worker.kill()
                worker.start()
            if not worker.alive():
                worker.start()

        report.depth_cap = config.max_depth
        started = time.monotonic()
        for index, chunk in enumerate(chunks):
            report.held_seconds += hold(app, config.max_depth, tick)
            if index in storms:
                graph.fail("GET", r"/\$value$", 429, times=4, retry_after=config.retry_after)
                graph.fail("POST", r"/lists/[^/]+/items$", 429, times=3,
                           retry_after=config.retry_after)  # fmt: skip
            if index in sharepoint_5xx:
                graph.fail("POST", r"/lists/[^/]+/items$", 503, times=2)  # retried in the call
                graph.fail("PATCH", r"/lists/[^/]+/items/[^/]+/fields$", 500, times=1)  # raises
                graph.fail("PUT", r"/root:/.*:/content$", 500, times=1)  # raises
            if index == cut_short:  # the next message row refused: its case row stays behind
                graph.fail("POST", r"/lists/CaseDesk Messages/items$", 500, times=1)
            if index == cut_short + 1:  # the next draft refused after its case committed
                graph.fail("PUT", r"/reply-draft\.eml:/content$", 500, times=1)
            graph.drop_notifications(index in blackout)
            stored = []
            for mailbox, data, letter in chunk:
                graph_id = graph.deliver(mailbox, data, notify=False)
                deliveries.append(
                    Delivery(mailbox, graph_id, letter, hashlib.sha256(data).hexdigest())
                )
                stored.append(graph.store.message(graph.store.mailbox(mailbox), graph_id))
            # Graph does not promise order, and sends again when unsure the first arrived.
            sends = stored + [s for s in stored if rng.random() < 0.15]
            sends += [s for s in stored if rng.random() < 0.03]
            rng.shuffle(sends)
            for message in sends:
                if index in blackout:
                    report.notifications_dropped += 1
                else:
                    report.notifications_sent += 1
                graph.notify(message, "created")
            if index == blackout.stop - 1:  # the blackout ends; the renew timer catches up
                graph.drop_notifications(False)
                report.caught_up_by_delta = sum(app.intake.catch_up_all().values())
            staff.act(filed_refs())
            tick()
        report.deliver_seconds = time.monotonic() - started
        model.default = "valid"
        say(f"surge delivered: {len(deliveries):,} messages; draining")

        drain_started = time.monotonic()
        deadline = drain_started + 300 + 2.0 * len(deliveries)
        quiet = 0
        while time.monotonic() < deadline:
            time.sleep(0.5)
            tick()
            if rng.random() < 0.2:
                staff.act(filed_refs())
            quiet = quiet + 1 if app.queue.depth() == 0 else 0
            if quiet >= 3:
                break
        report.drain_seconds = time.monotonic() - drain_started
        app.intake.catch_up_all()  # a last renew round: anything still unseen is queued now
        while app.queue.depth():
            time.sleep(0.5)
            tick()
        worker.stop()
        report.graph_requests += graph.forget_requests()
        report.worker_kills = worker.kills
        report.worker_errors = sum(1 for line in worker.lines if "error" in line)
        report.ai_fallbacks = _fallbacks(graph)
        reconcile(report, deliveries, graph)
        sweep_later(report, app, graph)
        report.ai_drafts, report.missing_drafts = count_drafts(graph)
        report.handle_seconds = sorted(float(line.get("seconds", 0)) for line in worker.lines)
    return report


def hold(app: IntakeApp, max_depth: int, tick: Callable[[], None]) -> float:
    """Wait, ticking, while the queue is deeper than max_depth; the seconds waited."""
    started = time.monotonic()
    while app.queue.depth() > max_depth:
        time.sleep(0.5)
        tick()
    return time.monotonic() - started


def sweep_later(report: SoakReport, app: IntakeApp, graph: GraphFake) -> None:
    """The sweep timer's run once the grace period has passed: empty cases go, nothing else."""
    messages = len(_rows(graph, "CaseDesk Messages"))
    grace = timedelta(minutes=app.cases.settings.empty_case_grace_minutes)
    later = FixedClock(datetime.now(UTC) + grace + timedelta(minutes=1))
    swept = build_sweep(replace(app.cases, clock=later)).run()
    report.empty_before_sweep = report.empty_cases
    report.empty_removed = len(swept.empty_removed)
    report.empty_cases = count_empty_cases(graph)
    report.messages_removed_by_sweep = messages - len(_rows(graph, "CaseDesk Messages"))
    report.cases -= report.empty_removed


def count_empty_cases(graph: GraphFake) -> int:
    """Cases no message is filed in (a merged case's mail moved on, so it is not one)."""
    holding = {str(f.get("CaseRef")) for f in _rows(graph, "CaseDesk Messages")}
    return sum(
        1
        for f in _rows(graph, "CaseDesk Cases")
        if str(f.get("Title")) not in holding and not f.get("MergedInto")
    )


def count_drafts(graph: GraphFake) -> tuple[int, int]:
    """Drafts the model wrote, and cases missing theirs: opened by triage in a category that
    gets a reply (not spam or abuse), still holding mail, with no draft."""
    no_reply = {c.value for c in NO_AUTO_DRAFT}
    replied = {
        str(f.get("ObjectRef"))
        for f in _rows(graph, "CaseDesk Audit")
        if f.get("Action") == "case.opened"
        and json.loads(str(f.get("Detail"))).get("category") not in no_reply
    }
    holding = {str(f.get("CaseRef")) for f in _rows(graph, "CaseDesk Messages")}
    owed = replied & holding
    cases = _rows(graph, "CaseDesk Cases")
    by_model = sum(
        1
        for f in cases
        if str(json.loads(str(f.get("DraftDetail") or "{}")).get("template")).startswith("ai:")
    )
    missing = sum(1 for f in cases if str(f.get("Title")) in owed and not f.get("DraftState"))
    return by_model, missing


def _rows(graph: GraphFake, name: str) -> list[dict[str, Any]]:
    return [item["fields"] for item in graph.list_items(SITE, name)]


def _fallbacks(graph: GraphFake) -> int:
    """Letters labelled by the embedded model because the LLM did not answer (the audit
    entry names the classifier that labelled each one)."""
    return sum(1 for f in _rows(graph, "CaseDesk Audit") if "ai-fallback" in str(f.get("Detail")))


def reconcile(report: SoakReport, deliveries: list[Delivery], graph: GraphFake) -> None:
    """Every delivered message is filed, a duplicate, quarantined, or lost; no letter is in
    two cases."""
    messages = _rows(graph, "CaseDesk Messages")
    quarantine = {
        str(f.get("Source", "")): str(f.get("Reason")) for f in _rows(graph, "CaseDesk Quarantine")
    }
    cases = _rows(graph, "CaseDesk Cases")
    cases_of: dict[str, set[str]] = defaultdict(set)
    rows_of: Counter[str] = Counter()
    for row in messages:
        cases_of[str(row.get("MessageId"))].add(str(row.get("CaseRef")))
        rows_of[str(row.get("Sha256"))] += 1
    report.messages_in = len(deliveries)
    report.cases = len(cases)
    seen: set[str] = set()
    for d in deliveries:
        reason = quarantine.get(f"graph:{d.mailbox}:{d.graph_id}")
        if reason is not None:
            report.quarantined += 1
            report.quarantine_reasons[reason] += 1
        elif d.letter is not None and d.letter in cases_of:
            if d.letter in seen:
                report.duplicates += 1
            else:
                seen.add(d.letter)
                report.filed += 1
        else:
            report.lost += 1
            report.lost_ids.append(f"{d.mailbox}:{d.graph_id}:{d.letter}")
    # A letter in two cases, or filed twice, is a duplicated case.
    report.duplicated_cases = sum(len(refs) - 1 for refs in cases_of.values() if len(refs) > 1)
    report.duplicated_cases += sum(count - 1 for count in rows_of.values() if count > 1)
    report.empty_cases = count_empty_cases(graph)

"""`casedesk bench`: a generated campaign surge mixed with casework, triaged end to end.

Figures are rates and ratios from one run on this machine, never asserted by tests.
"""

from __future__ import annotations

import random
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from casedesk.core.models import RawMessage

BENCH_TENANT = "7d0c5a2e-3b1f-4c8e-9a6d-2f4b8c1e0a93"
_CAMPAIGNS = [
    (
        "Stop sewage dumping in our rivers",
        "I am writing to you as my MP because I am deeply concerned about the amount of raw sewage "
        "being discharged into our rivers and seas by water companies. Last year storm overflows "
        "spilled sewage hundreds of thousands of times. I urge you to support legally binding targets "
        "to end sewage dumping and to press the government to hold water company bosses to account. "
        "Our rivers are vital for wildlife, for health and for the communities that use them.",
    ),
    (
        "Protect overseas aid",
        "As your constituent I am asking you to speak up for the UK aid budget. Cuts to aid mean fewer "
        "children vaccinated, fewer families with clean water and less support for people fleeing "
        "conflict. Please write to the Chancellor and ask that the commitment to spend 0.7 per cent of "
        "national income on aid is restored as soon as possible. I would be grateful for your reply.",
    ),
    (
        "Ban trophy hunting imports",
        "I am writing to ask you to support a ban on the import of hunting trophies into the UK. "
        "Thousands of animals from endangered and threatened species are killed for trophies every "
        "year and the UK still allows their body parts to be brought home. Please support the bill and "
        "vote for a full ban without loopholes. Thank you for taking the time to consider this.",
    ),
    (
        "Fund local bus services",
        "Our local bus services have been cut again and many people in our town can no longer get to "
        "work, school or hospital appointments. I am asking you to press the Department for Transport "
        "for long term funding for rural and suburban bus routes, and to support franchising powers "
        "for our combined authority so that routes are planned for passengers not profit.",
    ),
]
_CASEWORK = [
    (
        "Damp and mould in my flat",
        "My landlord has ignored my reports of damp and black mould in "
        "the bedroom for {n} months. My son has asthma and it is getting worse. Can you help me get the "
        "repairs done? My reference number is HR{n}{m}.",
    ),
    (
        "Universal Credit payment stopped",
        "My Universal Credit payment was stopped on the {n}th "
        "without warning and I have no money for food. I have called the DWP {m} times. Please help.",
    ),
    (
        "Visa application delay",
        "My wife's spouse visa application has been waiting {n} weeks with "
        "UK Visas and Immigration. The reference is GWF0{m}{n}. Could you please chase the Home Office?",
    ),
    (
        "Hospital waiting list",
        "My mother has been on the waiting list for a hip operation at "
        "Addenbrooke's for {n} weeks and is in constant pain. Could you raise this with the trust?",
    ),
]
_NAMES = [
    "Priya Shah",
    "Tom Baker",
    "Aisha Khan",
    "John Smith",
    "Mary O'Neill",
    "Wei Chen",
    "Fatima Ali",
    "Gareth Jones",
    "Olu Adeyemi",
    "Sarah Cohen",
    "Liam Murphy",
    "Ewa Nowak",
]
_EXTRAS = [
    "This matters a great deal to my family.",
    "I have lived here for twenty years.",
    "My children swim in the river every summer.",
    "I volunteer with a local charity.",
    "",
]


def generate(count: int, seed: int = 7) -> list[RawMessage]:
    """Synthetic mail: ~70% personalised campaign copies, ~30% individual casework."""
    rng = random.Random(seed)
    start = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
    out = []
    for i in range(count):
        name = rng.choice(_NAMES)
        sender = f"{name.split()[0].lower()}.{i}@example.org"
        when = start + timedelta(seconds=37 * i)
        if rng.random() < 0.7:
            subject, body = rng.choice(_CAMPAIGNS)
            sentences = body.split(". ")
            if rng.random() < 0.3:
                rng.shuffle(sentences)
            body = ". ".join(sentences) + " " + rng.choice(_EXTRAS)
        else:
            subject, template = rng.choice(_CASEWORK)
            body = template.format(n=rng.randint(2, 30), m=rng.randint(100, 999))
        text = (
            f"From: {name} <{sender}>\r\nTo: office@parliament.example\r\n"
            f"Subject: {subject}\r\nDate: {when.strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\n"
            f"Message-ID: <bench-{i}@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"Dear Alex Morgan,\r\n\r\n{body}\r\n\r\nYours sincerely,\r\n{name}\r\nCB{1 + i % 5} 2AB\r\n"
        )
        out.append(RawMessage(f"bench-{i}.eml", text.encode("utf-8"), when))
    return out


def notification_latency(app: Any, count: int = 1000) -> dict[str, float]:
    """POST `count` Graph change notifications to the real HTTP route; p50/p99 in ms."""
    import json
    import threading
    import urllib.request

    from casedesk.core.intake import SubscriptionBook, SubscriptionRecord
    from casedesk.entrypoints.http_server import RouteTable, make_server
    from casedesk.entrypoints.webhooks import handle_notifications

    SubscriptionBook(app.ops).save(
        SubscriptionRecord(
            "bench-sub", "office@parliament.example", "bench-secret", "2099-01-01T00:00:00+00:00"
        )
    )
    table = RouteTable()
    table.add(
        "POST",
        "/api/notifications",
        lambda q, b: handle_notifications(q, b, app.ops, app.queue, app.clock, tenant_id=BENCH_TENANT),
    )
    server = make_server("127.0.0.1", 0, table)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/api/notifications"
    timings = []
    try:
        for i in range(count):
            body = json.dumps(
                {
                    "value": [
                        {
                            "subscriptionId": "bench-sub",
                            "clientState": "bench-secret",
                            "changeType": "created",
                            "resource": f"Users/office@parliament.example/Messages/AAMk-bench-{i}",
                            "resourceData": {"id": f"AAMk-bench-{i}"},
                            "tenantId": BENCH_TENANT,
                        }
                    ]
                }
            ).encode()
            request = urllib.request.Request(
                url, data=body, method="POST", headers={"Content-Type": "application/json"}
            )
            t0 = time.perf_counter()
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own loopback server
                response.read()
            timings.append((time.perf_counter() - t0) * 1000)
    finally:
        server.shutdown()
        server.server_close()
    timings.sort()
    return {"p50": timings[len(timings) // 2], "p99": timings[int(len(timings) * 0.99) - 1]}


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_bench(
    count: int, progress: bool = True, search_cases: int = 0, sla_cases: int = 0
) -> dict[str, Any]:
    from casedesk.adapters.embedded.clock import FixedClock
    from casedesk.bootstrap import build_app
    from casedesk.core import campaigns
    from casedesk.core.mime import parse_message
    from casedesk.settings import load_settings

    messages = generate(count)

    t0 = time.perf_counter()
    parsed = [parse_message(m.data) for m in messages]
    parse_seconds = time.perf_counter() - t0

    t0 = time.perf_counter()
    index = campaigns.CampaignIndex()
    for p in parsed:
        index.add(p.message_id, p.from_addr, campaigns.signature(p.new_text))
    cluster_seconds = time.perf_counter() - t0
    big_clusters = sum(1 for c in index.clusters.values() if len(c.senders) >= 3)

    with tempfile.TemporaryDirectory(prefix="casedesk-bench-") as tmp:
        settings = load_settings({"data_dir": Path(tmp)}, environ={})
        app = build_app(settings, FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC)))
        from casedesk.entrypoints.parallel import classify_pool

        t0 = time.perf_counter()
        with classify_pool(count) as mapper:
            report = app.triage.run(messages, mapper=mapper)
        triage_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = app.triage.run(messages[: min(1000, count)])
        rerun_seconds = time.perf_counter() - t0
        latency = notification_latency(app)
        app.close()

    search: dict[str, Any] = {}
    if search_cases:
        from casedesk.entrypoints.bench_search import run_search_bench

        search = run_search_bench(search_cases)
    if sla_cases:
        from casedesk.entrypoints.bench_sla import run_sla_bench

        search |= run_sla_bench(sla_cases)
    return {
        "messages": count,
        "triage_messages_per_second": count / triage_seconds,
        "parse_only_messages_per_second": count / parse_seconds,
        "triage_vs_parse_ratio": (count / triage_seconds) / (count / parse_seconds),
        "cluster_seconds": cluster_seconds,
        "campaign_clusters_found": big_clusters,
        "rerun_duplicates_per_second": again.seen / rerun_seconds,
        "peak_rss_mib": _peak_rss_mib(),
        "notification_p50_ms": latency["p50"],
        "notification_p99_ms": latency["p99"],
        "filed": report.filed,
        "duplicates": report.duplicates,
        "quarantined": report.quarantined,
        "counts_balance": report.balances and again.duplicates == again.seen,
        **search,
    }

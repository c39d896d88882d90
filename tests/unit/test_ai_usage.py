"""Usage accounting: counts, tokens and a cost estimate only when prices are configured."""

from __future__ import annotations

import threading

from casedesk.adapters.ai.usage import Prices, UsageMeter


def test_cost_is_estimated_from_per_1k_prices() -> None:
    meter = UsageMeter(Prices(prompt_per_1k=0.15, completion_per_1k=0.6))
    meter.add(messages=2, requests=2, answers=2, prompt_tokens=3000, completion_tokens=500)
    usage = meter.snapshot()
    assert usage.estimated_cost == 0.75  # 3 x 0.15 + 0.5 x 0.6
    assert "estimated cost 0.7500" in usage.summary()


def test_without_prices_the_cost_is_unknown_not_zero() -> None:
    meter = UsageMeter()
    meter.add(prompt_tokens=1000)
    usage = meter.snapshot()
    assert usage.estimated_cost is None
    assert "cost unknown" in usage.summary()
    assert usage.as_record()["estimated_cost"] is None


def test_fallbacks_are_counted_by_kind() -> None:
    meter = UsageMeter()
    for kind in ("timeout", "invalid", "timeout"):
        meter.fallback(kind)
    usage = meter.snapshot()
    assert usage.fallbacks == 3 and usage.fallback_reasons == {"invalid": 1, "timeout": 2}
    assert "(invalid 1, timeout 2)" in usage.summary()


def test_counting_from_many_threads_loses_nothing() -> None:
    meter = UsageMeter()

    def work() -> None:
        for _ in range(1000):
            meter.add(requests=1, prompt_tokens=3)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert meter.snapshot().requests == 8000 and meter.snapshot().prompt_tokens == 24000

"""The near-duplicate cache: one model request per campaign cluster, thread-safe, bounded."""

from __future__ import annotations

import pickle
import threading

from casedesk.adapters.ai.cluster_cache import NearDuplicateCache

TEMPLATE = (
    "I am writing as your constituent to ask you to support the Clean Rivers Bill when it "
    "comes before Parliament. Water companies discharged untreated sewage into English rivers "
    "and seas hundreds of thousands of times last year. The Bill would set legally binding "
    "targets to end these discharges and give the regulator the powers it needs. "
)
OTHER = (
    "My landlord has ignored the damp in our flat for eight months, my son's asthma is worse "
    "and the council's environmental health team have not replied to three emails from us."
)


def copy(n: int) -> str:
    return f"Dear Alex,\n\n{TEMPLATE}This matters to me personally, reason {n}.\n\nRegards,\n[SIGNATURE]"


def test_near_copies_reuse_the_first_answer_and_other_letters_do_not() -> None:
    cache: NearDuplicateCache[str] = NearDuplicateCache(threshold=0.5)
    first = cache.claim(copy(1), "d1")
    assert not first.is_hit
    first.fulfil("campaign answer")
    second = cache.claim(copy(2), "d2")
    assert second.value == "campaign answer" and not second.is_same_text
    assert 0.5 <= second.similarity < 1.0
    other = cache.claim(OTHER, "d3")
    assert not other.is_hit
    other.abandon()


def test_the_same_text_again_is_marked_as_such() -> None:
    cache: NearDuplicateCache[str] = NearDuplicateCache()
    cache.claim(copy(1), "same").fulfil("answer")
    again = cache.claim(copy(1), "same")
    assert again.value == "answer" and again.is_same_text


def test_short_messages_are_never_matched() -> None:
    cache: NearDuplicateCache[str] = NearDuplicateCache()
    cache.claim("Help please, urgent", "a").fulfil("first")
    assert not cache.claim("Help please, urgent", "b").is_hit


def test_a_failed_request_leaves_nothing_behind() -> None:
    cache: NearDuplicateCache[str] = NearDuplicateCache()
    cache.claim(copy(1), "d1").abandon()
    retry = cache.claim(copy(2), "d2")
    assert not retry.is_hit
    retry.fulfil("answer")
    assert cache.claim(copy(3), "d3").value == "answer"


def test_concurrent_near_copies_make_exactly_one_owner() -> None:
    cache: NearDuplicateCache[str] = NearDuplicateCache(wait_seconds=30)
    workers = 12
    start = threading.Barrier(workers)
    owners: list[int] = []
    seen: dict[int, str | None] = {}
    lock = threading.Lock()

    def work(n: int) -> None:
        start.wait()
        claim = cache.claim(copy(n), f"d{n}")
        if not claim.is_hit:
            with lock:
                owners.append(n)
            # Answer only once every copy has been matched, so the others are waiting.
            pause = threading.Event()
            for _ in range(10_000):
                if cache.members >= workers:
                    break
                pause.wait(0.001)
            claim.fulfil(f"answer from {n}")
        with lock:
            seen[n] = claim.value

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(owners) == 1
    hits = {n: v for n, v in seen.items() if n not in owners}
    assert set(hits.values()) == {f"answer from {owners[0]}"}


def test_memory_is_bounded_by_starting_again() -> None:
    cache: NearDuplicateCache[str] = NearDuplicateCache(max_members=2)
    cache.claim(copy(1), "d1").fulfil("answer")
    assert cache.claim(copy(2), "d2").is_hit  # 2 members
    fresh = cache.claim(copy(3), "d3")  # limit reached: a new index, nothing remembered
    assert not fresh.is_hit
    fresh.abandon()


def test_a_copy_for_another_process_starts_empty() -> None:
    cache: NearDuplicateCache[str] = NearDuplicateCache(threshold=0.7)
    cache.claim(copy(1), "d1").fulfil("answer")
    clone = pickle.loads(pickle.dumps(cache))
    assert clone.threshold == 0.7 and not clone.claim(copy(2), "d2").is_hit

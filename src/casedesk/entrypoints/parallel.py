"""A process pool for the part of triage that reads no stored state (classification)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from casedesk.core.triage import Mapper

MIN_BATCH = 200  # below this, starting worker processes costs more than it saves


@contextmanager
def classify_pool(batch_size: int) -> Iterator[Mapper | None]:
    """An ordered, lazy map over worker processes, or None when one core or a small batch."""
    cores = os.cpu_count() or 1
    if batch_size < MIN_BATCH or cores < 2:
        yield None
        return
    with ProcessPoolExecutor(max_workers=max(1, cores - 1)) as pool:
        yield lambda fn, items: pool.map(fn, items, chunksize=32)

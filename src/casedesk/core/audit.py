"""Hash-chained audit entries: each entry's hash covers its content and the previous hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime

from casedesk.core.models import AuditEntry

GENESIS = "0" * 64
Detail = dict[str, str | int | float | bool | None]


def entry_hash(
    prev_hash: str, seq: int, at: datetime, actor: str, action: str, object_ref: str, detail: Detail
) -> str:
    body = json.dumps(
        [seq, at.isoformat(), actor, action, object_ref, detail],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def first_broken_link(entries: Iterable[AuditEntry]) -> int | None:
    """Sequence number of the first entry whose hash or link does not check out, else None."""
    prev = GENESIS
    for e in entries:
        expected = entry_hash(prev, e.seq, e.at, e.actor, e.action, e.object_ref, e.detail)
        if e.prev_hash != prev or e.hash != expected:
            return e.seq
        prev = e.hash
    return None

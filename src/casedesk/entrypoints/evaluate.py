"""`casedesk eval FILE.jsonl`: run the real parse -> classify -> cluster path over labelled
mail and score it. Each line: {"id", "from", "subject", "body", "label", "cluster", "urgent"}."""

from __future__ import annotations

import json
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from casedesk.core import campaigns
from casedesk.core.evaluation import bcubed, binary, confusion, macro_f1, per_label
from casedesk.core.mime import parse_message
from casedesk.core.models import Category
from casedesk.errors import CaseDeskError
from casedesk.ports import Classifier

LABELS = [c.value for c in Category]
_NOT_CAMPAIGN = {Category.ABUSE, Category.SPAM}


@dataclass(frozen=True)
class EvalItem:
    id: str
    sender: str
    subject: str
    body: str
    label: str
    cluster: str | None
    urgent: bool
    split: str | None
    topic: str | None = None
    threat: bool = False
    safeguarding: bool = False
    group: str | None = None  # source document: items sharing one are kept in one CV fold


def load_items(path: Path, split: str | None = None) -> list[EvalItem]:
    """Read and validate the file; an error names the line and the field."""
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CaseDeskError(f"{path} line {number}: not JSON ({exc.msg})") from exc
        for key in ("id", "from", "subject", "body", "label"):
            if not isinstance(row.get(key), str):
                raise CaseDeskError(f"{path} line {number}: '{key}' is missing or not text")
        if row["label"] not in LABELS:
            raise CaseDeskError(
                f"{path} line {number}: label '{row['label']}' is not one of {', '.join(LABELS)}"
            )
        if split and row.get("split") != split:
            continue
        items.append(
            EvalItem(
                id=row["id"],
                sender=row["from"],
                subject=row["subject"],
                body=row["body"],
                label=row["label"],
                cluster=row.get("cluster"),
                urgent=bool(row.get("urgent")),
                split=row.get("split"),
                topic=row.get("topic"),
                threat=bool(row.get("threat")),
                safeguarding=bool(row.get("safeguarding")),
                group=row.get("cluster") or row.get("source") or row["id"],
            )
        )
    if not items:
        raise CaseDeskError(f"{path}: no items" + (f" in split '{split}'" if split else ""))
    return items


def as_mime(item: EvalItem) -> bytes:
    """The item as the email it stands for, so evaluation runs the real parser."""
    msg = EmailMessage()
    msg["From"] = item.sender
    msg["To"] = "office@parliament.example"
    msg["Subject"] = " ".join(item.subject.split())
    msg["Date"] = format_datetime(datetime(2026, 11, 16, 9, 0, tzinfo=UTC))
    msg["Message-ID"] = f"<eval-{zlib.crc32(item.id.encode()):08x}@casedesk.invalid>"
    msg.set_content(item.body or " ")
    return msg.as_bytes(policy=SMTP)


def evaluate(
    items: list[EvalItem], classifier: Classifier, min_size: int = 3, threshold: float = 0.5
) -> dict[str, Any]:
    started = time.perf_counter()
    index = campaigns.CampaignIndex(threshold)
    predictions = []
    for number, item in enumerate(items):
        message = parse_message(as_mime(item))
        result = classifier.classify(message)
        joined = index.add(str(number), message.from_addr, campaigns.signature(message.new_text))
        predictions.append((result, joined.cluster_id))
    elapsed = time.perf_counter() - started

    labels, clusters, urgent = [], [], []
    for result, cluster_id in predictions:
        is_campaign = len(index.clusters[cluster_id].senders) >= min_size
        label = result.category
        if is_campaign and label not in _NOT_CAMPAIGN:
            label = Category.CAMPAIGN
        labels.append(label.value)
        clusters.append(cluster_id if is_campaign else None)
        urgent.append(result.is_urgent)

    gold = [i.label for i in items]
    scores = per_label(gold, labels, LABELS)
    cluster_scores = bcubed([i.cluster for i in items], clusters)
    urgent_scores = binary([i.urgent for i in items], urgent)
    return {
        "count": len(items),
        "classifier": getattr(classifier, "name", type(classifier).__name__),
        "macro_f1": macro_f1(scores),
        "per_category": {k: s.__dict__ for k, s in scores.items()},
        "confusion": confusion(gold, labels, LABELS),
        "campaign_bcubed": {
            "precision": cluster_scores.precision,
            "recall": cluster_scores.recall,
            "f1": cluster_scores.f1,
        },
        "urgent": {
            "precision": urgent_scores.precision,
            "recall": urgent_scores.recall,
            "support": urgent_scores.support,
        },
        "abuse_recall": scores["abuse"].recall,
        "messages_per_second": len(items) / elapsed if elapsed else 0.0,
    }


def train_model(items: list[EvalItem], out: Path) -> dict[str, Any]:
    """Fit the embedded model's heads on labelled items (via the real parser) and save them.
    Decision thresholds come from 5-fold cross-validation on these items, never from dev."""
    from casedesk.adapters.embedded.training import train

    messages = [parse_message(as_mime(item)) for item in items]
    return train(items, messages, out)

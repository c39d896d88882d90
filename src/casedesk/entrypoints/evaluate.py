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
from typing import TYPE_CHECKING, Any

from casedesk.bootstrap import default_classifier, embedded_classifier, model_file
from casedesk.core import campaigns
from casedesk.core.evaluation import (
    bcubed,
    binary,
    confusion,
    expected_calibration_error,
    macro_f1,
    per_label,
    reliability,
    review_queue,
)
from casedesk.core.mime import parse_message
from casedesk.core.models import CaseFlag, Category
from casedesk.core.triage import case_flags
from casedesk.errors import CaseDeskError
from casedesk.ports import Classifier
from casedesk.settings import Settings

if TYPE_CHECKING:
    from casedesk.adapters.embedded.training import Budget

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
        item = item_from_row(row, f"{path} line {number}")
        if not split or item.split == split:
            items.append(item)
    if not items:
        raise CaseDeskError(f"{path}: no items" + (f" in split '{split}'" if split else ""))
    return items


def item_from_row(row: dict[str, Any], where: str) -> EvalItem:
    """One labelled line (from a file, or a staff correction) checked and read."""
    for key in ("id", "from", "subject", "body", "label"):
        if not isinstance(row.get(key), str):
            raise CaseDeskError(f"{where}: '{key}' is missing or not text")
    if row["label"] not in LABELS:
        raise CaseDeskError(f"{where}: label '{row['label']}' is not one of {', '.join(LABELS)}")
    return EvalItem(
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
        group=row.get("group") or row.get("cluster") or row.get("source") or row["id"],
    )


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
    items: list[EvalItem],
    classifier: Classifier,
    min_size: int = 3,
    threshold: float = 0.5,
    review_below: float = 0.8,
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

    labels, clusters, urgent, flagged = [], [], [], []
    for result, cluster_id in predictions:
        is_campaign = len(index.clusters[cluster_id].senders) >= min_size
        label = result.category
        swallowed = is_campaign and label not in _NOT_CAMPAIGN
        if swallowed:
            label = Category.CAMPAIGN
        labels.append(label.value)
        clusters.append(cluster_id if is_campaign else None)
        urgent.append(result.is_urgent)
        # As triage files it: a campaign copy's category comes from clustering, not review.
        flags = case_flags(result, 0.0 if swallowed else review_below)
        flagged.append(CaseFlag.NEEDS_REVIEW in flags)

    gold = [i.label for i in items]
    # Confidence claims "the classifier's category is right": judged before clustering.
    confidences = [result.confidence for result, _ in predictions]
    right = [r.category.value == g for (r, _), g in zip(predictions, gold, strict=True)]
    queue = review_queue(flagged, [p == g for p, g in zip(labels, gold, strict=True)])
    scores = per_label(gold, labels, LABELS)
    cluster_scores = bcubed([i.cluster for i in items], clusters)
    urgent_scores = binary([i.urgent for i in items], urgent)
    return {
        "count": len(items),
        "classifier": getattr(classifier, "name", type(classifier).__name__),
        "model": model_file(classifier),
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
        "review": {"below": review_below, **queue.__dict__},
        "calibration": {
            "ece": expected_calibration_error(confidences, right),
            "accuracy": sum(right) / len(right),
            "mean_confidence": sum(confidences) / len(confidences),
            "bins": [b.__dict__ for b in reliability(confidences, right) if b.count],
        },
        "messages_per_second": len(items) / elapsed if elapsed else 0.0,
        **(
            {"ai_usage": usage.as_record()} if (usage := getattr(classifier, "usage", None)) else {}
        ),
    }


def classifier_for(kind: str, settings: Settings) -> Classifier:
    """The classifier `casedesk eval --classifier KIND` scores."""
    from casedesk.adapters.embedded.keyword_classifier import KeywordClassifier
    from casedesk.adapters.embedded.trained_classifier import MODEL_PATH, TrainedClassifier

    if kind == "keywords":
        return KeywordClassifier()
    if kind == "ai":
        return default_classifier(settings)  # settings.classifier is "ai": the model, in front
    if kind not in ("trained", "packaged"):
        raise CaseDeskError(f"unknown classifier '{kind}': use trained, packaged, keywords or ai")
    missing = CaseDeskError(
        f"no trained model at {MODEL_PATH}: run `casedesk train corpus/triage.jsonl`"
    )
    if kind == "packaged":
        if not MODEL_PATH.exists():
            raise missing
        return TrainedClassifier.from_file()
    chosen = embedded_classifier(settings)
    if not isinstance(chosen, TrainedClassifier):
        raise missing
    return chosen


def train_model(
    items: list[EvalItem],
    out: Path,
    budget: Budget | None = None,
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Fit the embedded model's heads on labelled items (via the real parser) and save them.
    Decision thresholds and the confidence calibration come from grouped cross-validation on
    these items, never from dev."""
    from casedesk.adapters.embedded.training import Budget, train

    messages = [parse_message(as_mime(item)) for item in items]
    return train(items, messages, out, budget or Budget(), meta)

"""`casedesk eval` for people: the headline figures, then per category and the confusions."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from casedesk.entrypoints import render


def print_eval(report: dict[str, Any]) -> None:
    out = render.console
    b, u = report["campaign_bcubed"], report["urgent"]
    r, cal = report["review"], report["calibration"]
    model = f" (model {report['model']})" if report.get("model") else ""
    out.print(
        f"[bold]{report['count']} messages[/] · classifier {report['classifier']}{model} · "
        f"{report['messages_per_second']:,.0f} messages/s\n"
        f"macro-F1 [bold]{report['macro_f1']:.3f}[/] · abuse recall {report['abuse_recall']:.3f} · "
        f"urgent recall {u['recall']:.3f} precision {u['precision']:.3f} · "
        f"campaign B-cubed P {b['precision']:.3f} R {b['recall']:.3f} F1 {b['f1']:.3f}\n"
        f"needs review (confidence below {r['below']:.2f}): {r['share_flagged']:.1%} of mail "
        f"flagged, {r['errors_caught']:.1%} of wrong labels caught ({r['errors']} wrong), "
        f"{r['accuracy_unflagged']:.3f} right among the rest\n"
        f"confidence: ECE {cal['ece']:.3f} (mean confidence {cal['mean_confidence']:.3f}, "
        f"right {cal['accuracy']:.3f} before campaign clustering)",
        highlight=False,
    )
    if "ai_usage" in report:
        u = report["ai_usage"]
        out.print(
            f"AI: {u['requests']} requests, {u['answers']} answers, {u['cache_hits']} near-copies, "
            f"{u['fallbacks']} by the fallback",
            highlight=False,
        )
    table = Table(title="Per category", title_justify="left")
    for col in ("Category", "Precision", "Recall", "F1", "Support"):
        table.add_column(col, justify="right" if col != "Category" else "left")
    for label, s in report["per_category"].items():
        table.add_row(
            label,
            f"{s['precision']:.3f}",
            f"{s['recall']:.3f}",
            f"{s['f1']:.3f}",
            str(s["support"]),
        )
    out.print(table)
    labels = list(report["confusion"])
    matrix = Table(title="Confusion (rows: true label, columns: predicted)", title_justify="left")
    matrix.add_column("")
    for label in labels:
        matrix.add_column(label[:6], justify="right")
    for gold in labels:
        matrix.add_row(gold, *(str(report["confusion"][gold].get(p, 0) or "·") for p in labels))
    out.print(matrix)
    bins = Table(title="Reliability: how often each confidence was right", title_justify="left")
    for col in ("Confidence", "Messages", "Mean confidence", "Right"):
        bins.add_column(col, justify="right")
    for k in cal["bins"]:
        bins.add_row(
            f"{k['low']:.1f}-{k['high']:.1f}",
            str(k["count"]),
            f"{k['mean_confidence']:.3f}",
            f"{k['accuracy']:.3f}",
        )
    out.print(bins)

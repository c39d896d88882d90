"""`casedesk train`: the package's model from a labelled file, or with --with-corrections the
office's own model in its data dir, with a before/after on dev."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.table import Table

from casedesk.entrypoints import render
from casedesk.errors import CaseDeskError
from casedesk.settings import Settings


def run_train(
    settings: Settings,
    path: Path,
    split: str | None,
    with_corrections: bool,
    dev_split: str,
    max_drop: float,
    force: bool,
    folds: int,
    iterations: float,
    as_json: bool,
    out: Path | None = None,
) -> None:
    from casedesk.adapters.embedded.trained_classifier import MODEL_PATH
    from casedesk.adapters.embedded.training import Budget
    from casedesk.entrypoints.evaluate import load_items, train_model
    from casedesk.entrypoints.retrain import retrain_with_corrections

    if not path.is_file():
        raise CaseDeskError(f"{path}: no such file")
    if folds < 2 or iterations <= 0:
        raise CaseDeskError("--folds must be at least 2 and --iterations above 0")
    if out is not None and with_corrections:
        raise CaseDeskError(
            "--out does not go with --with-corrections: the office's model always goes to "
            f"{settings.data_dir}/models/, where CaseDesk looks for it"
        )
    budget = Budget(folds, iterations)
    if not as_json:
        render.err_console.print(
            "Training (about a minute and a half on two cores with the full corpus)...",
            highlight=False,
        )
    if not with_corrections:
        result = train_model(load_items(path, split), out or MODEL_PATH, budget)
        if as_json:
            render.print_json(result)
        else:
            print_trained(result)
        return
    done = retrain_with_corrections(settings, path, split, dev_split, max_drop, force, budget)
    if as_json:
        render.print_json(done.as_record())
    else:
        print_before_after(done.before, done.after, dev_split)
        render.console.print(
            f"Trained on {done.trained_on} messages, {done.corrections} of them staff corrections."
        )
    if not done.replaced:
        raise CaseDeskError(done.reason)
    if not as_json:
        render.console.print(done.reason, highlight=False)


def print_trained(result: dict[str, Any]) -> None:
    cal, review = result["calibration"], result["review"]
    render.console.print(
        f"Trained on {result['trained_on']} messages; model written to {result['model']}\n"
        f"Out-of-fold (cross-validation on the training items): macro-F1 "
        f"{result['cross_validation']['macro_f1']:.3f}; confidence calibrated "
        f"(ECE {cal['ece_before']:.3f} -> {cal['ece_after']:.3f}); review_below "
        f"{review['recommended_review_below']:.2f} would flag {review['share_flagged']:.0%} "
        f"of mail and catch {review['errors_caught']:.0%} of wrong labels",
        highlight=False,
    )


def print_before_after(before: dict[str, Any], after: dict[str, Any], split: str) -> None:
    table = Table(title=f"On the '{split}' split, before and after", title_justify="left")
    table.add_column("Measure")
    table.add_column(f"before: {before['classifier']}", justify="right")
    table.add_column("after: retrained", justify="right")
    rows = (
        ("macro-F1", "macro_f1"),
        ("abuse recall", "abuse_recall"),
        ("urgent recall", "urgent_recall"),
        ("urgent precision", "urgent_precision"),
        ("needs review: share of mail", "review_share_flagged"),
        ("needs review: errors caught", "review_errors_caught"),
        ("calibration error (ECE)", "ece"),
    )
    for label, key in rows:
        table.add_row(label, f"{before[key]:.3f}", f"{after[key]:.3f}")
    render.console.print(table)

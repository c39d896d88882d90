"""No personal data in logs: a realistic day's work with every casedesk logger at DEBUG, and
every record (message, arguments, structured fields, traceback) searched for email addresses,
UK postcodes, phone numbers and lines of what constituents wrote.

The day: the sample inbox and Zanele's mail triaged on the embedded store (one message makes
the classifier fail, as a broken model or a network error would), a correction, a rules
change, a subject access export, a legal hold and release, the retention sweep, an erasure;
then the same mail filed into SharePoint through the Graph fake, exported and erased there."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from privacy_office import EMAIL, ROOT, START, build_office, zanele_mail

from casedesk.adapters.embedded.clock import FixedClock
from casedesk.adapters.embedded.eml_folder import EmlFolderMailbox
from casedesk.core import erasure, holds, rules_history, sar
from casedesk.core.corrections import correct
from casedesk.core.mime import parse_message
from casedesk.core.models import Category, Classification, ParsedMessage, RawMessage
from casedesk.core.office_hours import OfficeHours
from casedesk.core.personal_data import find_personal_data
from casedesk.core.report import Dimension, gather
from casedesk.core.triage import Triage
from casedesk.entrypoints.briefing import render_briefing, write_briefing
from casedesk.entrypoints.briefing_sweep import sweep_briefing
from casedesk.entrypoints.retention_sweep import sweep_retention
from casedesk.entrypoints.sar_archive import write_archive
from casedesk.ports import Classifier
from sharepoint_stack import start_stack

OFFICE = {"alex.morgan.mp@parliament.example"}
_STANDARD = set(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {"message"}


class FailingOnce:
    """A classifier (the port) that fails on one message with an error quoting the sender,
    as a third-party library's exception might."""

    def __init__(self, inner: Classifier, victim: str) -> None:
        self.inner, self.victim, self.name = inner, victim, inner.name

    def classify(self, message: ParsedMessage) -> Classification:
        if message.message_id == self.victim:
            raise ValueError(f"model refused text from {message.from_addr}: {message.subject!r}")
        return self.inner.classify(message)


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def casedesk_logs() -> Iterator[Capture]:
    logger = logging.getLogger("casedesk")
    capture, level = Capture(), logger.level
    logger.addHandler(capture)
    logger.setLevel(logging.DEBUG)
    yield capture
    logger.removeHandler(capture)
    logger.setLevel(level)


def rendered(record: logging.LogRecord) -> str:
    """Everything a log pipeline could ship for this record."""
    fields = {k: v for k, v in vars(record).items() if k not in _STANDARD}
    text = (
        f"{record.name} {record.levelname} {record.getMessage()} {json.dumps(fields, default=str)}"
    )
    if record.exc_info and record.exc_info[1] is not None:
        text += "\n" + "".join(traceback.format_exception(record.exc_info[1]))
    if record.exc_text:
        text += "\n" + record.exc_text
    if record.stack_info:
        text += "\n" + record.stack_info
    return text + "\n" + unquote(text)  # an address in a URL is still an address


def letter_lines(paths: list[Path], extra: dict[str, bytes]) -> set[str]:
    """Lines of what constituents wrote (and their subjects), long enough to be theirs."""
    raws = [p.read_bytes() for p in EmlFolderMailbox(paths).files] + list(extra.values())
    lines: set[str] = set()
    for data in raws:
        try:
            message = parse_message(data)
        except Exception:
            continue
        lines |= {ln.strip() for ln in message.new_text.splitlines() if len(ln.strip()) >= 25}
        if len(message.subject) >= 15:
            lines.add(message.subject)
    return lines


def a_day_of_work(tmp_path: Path) -> None:
    clock = FixedClock(START)
    app = build_office(tmp_path, clock, with_samples=False)  # opens the store, rules recorded
    try:
        inbox = ROOT / "samples" / "inbox"
        victim = parse_message((inbox / "005-benefits-uc-sanction.eml").read_bytes())
        app.triage.classifier = FailingOnce(app.triage.classifier, victim.message_id)
        assert app.triage.run(EmlFolderMailbox([inbox]).messages()).balances
        [own] = app.repo.cases_of_constituent(EMAIL)
        correct(app.repo, clock, own.ref, "sam.okafor", category=Category.POLICY)
        rules = ROOT / "samples" / "rules.yaml"
        rules_history.record(
            app.repo, app.ops, clock, rules.read_text() + "\n# v2\n", str(rules), "jo.price"
        )
        salt = sar.office_salt(app.ops)
        bundle = sar.collect(app.repo, app.files, EMAIL, clock.now(), "jo", "Office", OFFICE, salt)
        sar.record_export(app.repo, clock, salt, bundle, write_archive(bundle, tmp_path / "s.zip"))
        write_briefing(render_briefing(gather(app.repo, {}, clock.now(), START - timedelta(days=30),
                       Dimension.CAMPAIGN, app.triage.hours), "Office", "C"), tmp_path / "r")  # fmt: skip
        holds.hold(app.repo, clock, own.ref, "police request 4471", "jo.price")
        holds.release(app.repo, clock, own.ref, "jo.price")
        erasure.erase(app.repo, app.files, app.ops, clock, salt, EMAIL, "request", "jo.price")
        clock.advance(timedelta(days=400))
        app.settings = app.settings.model_copy(update={"retention_sweep": "apply"})
        assert sweep_retention(app) is not None
        assert sweep_briefing(app) is not None
        on_sharepoint(app.triage, clock)
    finally:
        app.close()


def on_sharepoint(t: Triage, clock: FixedClock) -> None:
    stack = start_stack()
    try:
        files, repo = stack.files(), stack.repository()
        sp = Triage(repo, files, t.classifier, t.drafter, t.ops, clock, t.policy)
        for name, data in sorted(zanele_mail().items()):
            sp.triage_one(RawMessage(name, data))
        bundle = sar.collect(repo, files, EMAIL, clock.now(), "jo", "Office", OFFICE, "salt")
        sar.record_export(repo, clock, "salt", bundle, "0" * 64)
        gather(repo, {}, clock.now(), clock.now() - timedelta(days=30), Dimension.WARD, OfficeHours())
        erasure.erase(repo, files, t.ops, clock, "salt", EMAIL, "request", "jo.price")
    finally:
        stack.close()


def test_no_personal_data_or_letter_text_reaches_the_logs(
    tmp_path: Path, casedesk_logs: Capture
) -> None:
    a_day_of_work(tmp_path)
    records = casedesk_logs.records
    assert {r.name for r in records} >= {"casedesk.triage", "casedesk.sharepoint",
                                        "casedesk.retention"}  # fmt: skip
    assert any(getattr(r, "event", "") == "triage.error" for r in records)  # the failure logged
    lines = letter_lines([ROOT / "samples" / "inbox"], zanele_mail())
    leaks = []
    for record in records:
        text = rendered(record)
        leaks += [f"{record.name}: {f.kind.value} {f.value}" for f in find_personal_data(text)]
        leaks += [f"{record.name}: letter text {ln[:40]!r}" for ln in lines if ln in text]
    assert leaks == [], "\n".join(sorted(set(leaks)))


def test_the_functions_app_keeps_graph_urls_with_addresses_out_of_the_logs(
    tmp_path: Path,
) -> None:
    """httpx at INFO logs each Graph URL, and a list filter names the constituent; the
    Functions app turns httpx down to warnings."""
    import importlib.util

    httpx_log = logging.getLogger("httpx")
    capture, level = Capture(), httpx_log.level
    httpx_log.addHandler(capture)
    httpx_log.setLevel(logging.INFO)
    try:
        stack = start_stack()
        try:
            stack.repository().cases_of_constituent(EMAIL)
        finally:
            stack.close()
        assert any(EMAIL in rendered(r) for r in capture.records)  # the risk is real
        spec = importlib.util.spec_from_file_location(
            "function_app_under_test", ROOT / "functions" / "function_app.py"
        )
        assert spec is not None and spec.loader is not None
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
        assert httpx_log.level == logging.WARNING
    finally:
        httpx_log.removeHandler(capture)
        httpx_log.setLevel(level)

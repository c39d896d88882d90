"""An office for the data-protection tests: the sample inbox plus one constituent, Zanele, whose
mail touches every corner (an attachment, a Cc'd neighbour, a reply, a message filed in someone
else's case, a mention in a third person's letter).

The fixtures at the end are shared by the privacy and dissolution tests on both stores. A test
module takes them by assignment (`office = privacy_office.office`), which pytest registers as
the module's own fixture; importing them by name would make every test argument of that name
shadow an unused import (ruff F811)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from casedesk.adapters.embedded.clock import FixedClock
from casedesk.adapters.embedded.eml_folder import EmlFolderMailbox
from casedesk.bootstrap import App, build_app
from casedesk.core import dissolution, sar
from casedesk.core.models import RawMessage
from casedesk.core.triage import Triage
from casedesk.entrypoints.sar_archive import write_archive
from casedesk.ports import CaseRepository
from casedesk.settings import load_settings
from mailmaker import mail
from sharepoint_stack import SharePointStack, start_stack

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

EMAIL = "zanele.okonkwo@example.net"
NAME = "Zanele Okonkwo"
POSTCODE = "CB4 9ZZ"
LETTER_LINE = "The kestrels nesting above my bathroom window have been evicted by the roofers"
NEIGHBOUR = "tom.neighbour@example.org"
NEIGHBOUR_PHONE = "07700 900456"
BOB = "bob.bystander@example.com"


def zanele_mail(with_mention: bool = True) -> dict[str, bytes]:
    """Her mail, Bob's letter her reply threads into, and (with_mention) Mo's letter naming
    her address: a mention in someone else's letter, which erasure lists but cannot delete."""
    letters = {
        "z1.eml": mail(
            f"Dear Alex,\n\n{LETTER_LINE}, and the council will not act.\n"
            f"My neighbour Tom ({NEIGHBOUR_PHONE}) saw it too.\n\n{NAME}\n{POSTCODE}\n",
            sender=f"{NAME} <{EMAIL}>",
            to=f"alex.morgan.mp@parliament.example, Tom Neighbour <{NEIGHBOUR}>",
            subject="Roofers and the kestrel nest",
            message_id="<z1@mail.example.net>",
            date=datetime(2026, 11, 17, 8, 0, tzinfo=UTC),
            attachments=[
                (
                    "notes.txt",
                    "text/plain",
                    f"Roofing firm: call 01223 555 010 or {BOB}\n".encode(),
                ),
                ("photo.jpg", "image/jpeg", b"\xff\xd8\xff\xe0 not really a photo"),
            ],
        ),
        "z2.eml": mail(
            "Thank you. The roofers came back today and it is worse.\n",
            sender=f"{NAME} <{EMAIL}>",
            subject="Re: Roofers and the kestrel nest",
            message_id="<z2@mail.example.net>",
            in_reply_to="<z1@mail.example.net>",
            date=datetime(2026, 11, 18, 8, 0, tzinfo=UTC),
        ),
        "b1.eml": mail(
            "Dear Alex,\n\nThe bus shelter on Mill Road has been broken for a month.\n\nBob\n",
            sender=f"Bob Bystander <{BOB}>",
            subject="Mill Road bus shelter",
            message_id="<b1@example.com>",
            date=datetime(2026, 11, 17, 9, 0, tzinfo=UTC),
        ),
        "z3.eml": mail(
            "I use that shelter every day too and support Bob's complaint.\n",
            sender=f"{NAME} <{EMAIL}>",
            subject="Re: Mill Road bus shelter",
            message_id="<z3@mail.example.net>",
            in_reply_to="<b1@example.com>",
            date=datetime(2026, 11, 17, 10, 0, tzinfo=UTC),
        ),
        "m1.eml": mail(
            f"Dear Alex,\n\nPlease also speak to my neighbour {EMAIL} about the potholes.\n",
            sender="Mo Third <mo.third@example.org>",
            subject="Potholes on Arbury Road",
            message_id="<m1@example.org>",
            date=datetime(2026, 11, 19, 9, 0, tzinfo=UTC),
        ),
    }
    if not with_mention:
        del letters["m1.eml"]
    return letters


def write_inbox(folder: Path, with_mention: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in zanele_mail(with_mention).items():
        (folder / name).write_bytes(data)
    return folder


def office_settings(data_dir: Path) -> dict[str, object]:
    return {
        "data_dir": data_dir,
        "safety_lead": "sam.okafor",
        "rules_file": ROOT / "samples" / "rules.yaml",
    }


def build_office(
    tmp: Path, clock: FixedClock, with_samples: bool = True, with_mention: bool = True
) -> App:
    """Triage (the sample inbox and) Zanele's mail into a fresh store under tmp/data."""
    app = build_app(load_settings(office_settings(tmp / "data"), environ={}), clock)
    folders = [ROOT / "samples" / "inbox"] if with_samples else []
    folders.append(write_inbox(tmp / "zanele", with_mention))
    report = app.triage.run(EmlFolderMailbox(folders).messages())
    assert report.balances
    return app


def zanele_refs(app: App) -> tuple[str, str, str]:
    """(her case, Bob's case her reply was filed in, Mo's case that mentions her)."""
    [own] = app.repo.cases_of_constituent(EMAIL)
    [bob] = app.repo.cases_of_constituent(BOB)
    [mo] = app.repo.cases_of_constituent("mo.third@example.org")
    return own.ref, bob.ref, mo.ref


def exporter(folder: Path) -> dissolution.Export:
    """Dissolution bundles written as the CLI writes them: zips in `folder`."""

    def export(bundle: sar.SarBundle, name: str) -> tuple[str, str]:
        return str(folder / name), write_archive(bundle, folder / name)

    return export


def audited(repo: CaseRepository, prefix: str = "dissolution.") -> list[tuple[str, str]]:
    """(action, object) of the audit entries whose action starts with prefix, in chain order."""
    return [(e.action, e.object_ref) for e in repo.audit_entries()
            if e.action.startswith(prefix)]  # fmt: skip


# --- shared fixtures --------------------------------------------------------------------------


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def office(tmp_path: Path, clock: FixedClock) -> Iterator[App]:
    """Zanele's mail (with Mo's letter, without the sample inbox) in a fresh embedded store."""
    app = build_office(tmp_path, clock, with_samples=False)
    yield app
    app.close()


@pytest.fixture
def sp() -> Iterator[SharePointStack]:
    """CaseDesk's lists and library on the local Graph-speaking server."""
    stack = start_stack()
    yield stack
    stack.close()


@pytest.fixture
def sharepoint_office(app: App, sp: SharePointStack, clock: FixedClock) -> Triage:
    """Zanele's mail (without Mo's letter) triaged into the SharePoint lists and library,
    operational state in the app's SQLite."""
    t = app.triage
    triage = Triage(
        sp.repository(), sp.files(), app.classifier, t.drafter, app.ops, clock, t.policy
    )
    for name, data in sorted(zanele_mail(with_mention=False).items()):
        assert triage.triage_one(RawMessage(name, data)).case_ref
    return triage

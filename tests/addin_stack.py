"""`casedesk serve` with the Outlook add-in switched on, for the API and browser tests.

A temporary data dir holds triaged sample mail: a casework letter, a second case from the
same constituent whose subject is an HTML/script payload, and a three-letter campaign. The
rules file's people carry Entra object ids; tokens come from a local Entra (entrafake).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from casedesk.adapters.embedded.eml_folder import EmlFolderMailbox
from casedesk.bootstrap import build_app
from casedesk.entrypoints import local_host
from casedesk.settings import load_settings
from entrafake import EntraFake
from mailmaker import mail

ROOT = Path(__file__).resolve().parent.parent
TENANT = "84bd8158-6d4d-4958-8b9f-9d6445542f95"
CLIENT_ID = "2c1a9f0e-7d3b-4e5f-8a6b-1c2d3e4f5a6b"
JO = "6f1a0c2e-3b4d-4e5f-9a8b-7c6d5e4f3a2b"  # jo.price, office manager
PRIYA = "1d2c3b4a-5f6e-4d7c-8b9a-0a1b2c3d4e5f"  # priya.shah, caseworker
STRANGER = "99999999-8888-4777-8666-555555555555"  # in the tenant, not in the office

DAMP_ID = "<damp-1@example.org>"
XSS_ID = "<xss-1@example.org>"
CAMPAIGN_IDS = [f"<campaign-{n}@example.org>" for n in range(3)]
XSS_SUBJECT = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> Bins'
CAMPAIGN_BODY = (
    "Dear Alex Morgan MP,\n\nI am writing to ask you to support the Clean Rivers Bill. Sewage "
    "discharges into the Cam and its tributaries have risen every year, and the water company "
    "has paid out dividends while the river suffers. Please sign the pledge, speak in the debate "
    "and vote for the Bill at second reading.\n\nYours sincerely,\n"
)


FORWARDED_ID = "<forwarded-by-hand-1@example.net>"  # never in the inbox: handed over by hand


def forwarded_eml() -> bytes:
    return mail(
        "Dear Alex,\n\nThe bus to Addenbrooke's has been cut and I cannot get to my dialysis.\n\n"
        "Sam Okafor\nCB4 1AA\n",
        sender="Sam Okafor <sam.okafor@example.net>",
        subject="Bus cut to the hospital",
        message_id=FORWARDED_ID,
    )


def rules_with_entra_ids() -> str:
    text = (ROOT / "samples" / "rules.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(\{id: jo\.price, [^}]*)\}", rf"\1, entra_id: {JO}}}", text)
    return re.sub(r"(\{id: priya\.shah, [^}]*)\}", rf"\1, entra_id: {PRIYA}}}", text)


def sample_inbox(folder: Path) -> None:
    folder.mkdir(parents=True)
    (folder / "damp.eml").write_bytes(mail(message_id=DAMP_ID))
    (folder / "xss.eml").write_bytes(
        mail(
            "Dear Alex,\n\nThe council has missed our bin collection three weeks running.\n\n"
            "Priya Shah\nCB1 2AD\n",
            subject=XSS_SUBJECT,
            message_id=XSS_ID,
        )
    )
    for n, message_id in enumerate(CAMPAIGN_IDS):
        (folder / f"campaign-{n}.eml").write_bytes(
            mail(
                CAMPAIGN_BODY + f"Resident {n}\nCB4 {n}EP\n",
                sender=f"Resident {n} <resident{n}@example.net>",
                subject="Clean Rivers Bill",
                message_id=message_id,
            )
        )


@dataclass
class AddinStack:
    url: str
    entra: EntraFake
    data_dir: Path

    def token(self, user: str = JO, **overrides: object) -> str:
        return self.entra.token(user, CLIENT_ID, **overrides)


@contextmanager
def addin_stack(tmp_path: Path, configured: bool = True) -> Iterator[AddinStack]:
    rules = tmp_path / "rules.yaml"
    rules.write_text(rules_with_entra_ids(), encoding="utf-8")
    data_dir = tmp_path / "data"
    overrides: dict[str, object] = {"data_dir": data_dir, "rules_file": rules}
    sample_inbox(tmp_path / "inbox")
    triage = build_app(load_settings(overrides, environ={}))
    try:
        report = triage.triage.run(EmlFolderMailbox([tmp_path / "inbox"]).messages())
        assert report.filed == 5, report
    finally:
        triage.close()
    with EntraFake(TENANT) as entra:
        if configured:
            overrides |= {"tenant_id": TENANT, "addin_client_id": CLIENT_ID,
                          "addin_authority": entra.authority}  # fmt: skip
        server, table = local_host.bind("127.0.0.1", 0)
        host = local_host.start_local_host(
            load_settings(overrides, environ={}), server, table, lambda _msg: None
        )
        try:
            yield AddinStack(host.url, entra, data_dir)
        finally:
            host.close()

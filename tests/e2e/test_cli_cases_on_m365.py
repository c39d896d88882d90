"""With adapters = "m365" the command line's cases are the SharePoint ones (bootstrap_m365.
build_cases): a letter filed by the Functions pipeline is found, reported on and exported
for a subject access request from a second, separately built App, as `casedesk sar` or
`casedesk report` would build it; closing it closes its Graph client."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from azurite import Azurite
from casedesk.adapters.m365.msal_tokens import RedirectingHttpClient
from casedesk.adapters.m365.sharepoint_lists import SharePointCaseRepository
from casedesk.adapters.m365.sharepoint_schema import SCHEMA
from casedesk.bootstrap import build_app
from casedesk.bootstrap_m365 import build_cases
from casedesk.core import sar
from casedesk.core.models import RawMessage
from casedesk.core.report import Dimension, gather
from casedesk.errors import SettingsError
from casedesk.settings import Settings, load_settings
from graphfake import GraphFake
from mailmaker import mail

SITE = "contoso.sharepoint.com,2c7a1d2e-0000-4000-8000-00000000c45e,7b1f0c3a-0000-4000-8000-0000000000a1"
DRIVE = "b!casedesk-library"
SECRET = "test-client-secret"
SENDER = "priya.shah@example.org"


def office_settings(graph: GraphFake, azurite: Azurite, tmp: Path) -> Settings:
    suffix = uuid.uuid4().hex[:12]
    return load_settings(
        {
            "data_dir": tmp / "data", "adapters": "m365", "case_store": "sharepoint",
            "sharepoint_site_id": SITE, "sharepoint_drive_id": DRIVE,
            "tenant_id": graph.tenant_id, "client_id": graph.client_id, "client_secret": SECRET,
            "graph_base_url": graph.base_url, "mailboxes": "office@parliament.example",
            "notification_url": "https://casedesk.example.org/api/notifications",
            "lifecycle_url": "https://casedesk.example.org/api/lifecycle",
            "storage_connection_string": azurite.connection_string,
            "queue_name": f"triage{suffix}", "table_name": f"ops{suffix}",
        },
        environ={},
    )  # fmt: skip


def test_the_command_line_reads_and_exports_the_sharepoint_cases(
    tmp_path: Path, azurite: Azurite
) -> None:
    with GraphFake(client_secret=SECRET) as graph:
        for spec in SCHEMA:
            graph.add_list(SITE, spec.display_name, non_indexed=spec.non_indexed)
        graph.add_drive(SITE, DRIVE)
        settings = office_settings(graph, azurite, tmp_path)
        login = RedirectingHttpClient(graph.root_url)
        functions = build_cases(settings, login_http_client=login)
        try:  # what the queue trigger does with a letter
            filed = functions.triage.triage_one(RawMessage("m.eml", mail()))
        finally:
            functions.close()
        assert filed.case_ref

        cli = build_cases(settings, login_http_client=login)  # what `casedesk ...` builds
        try:
            assert isinstance(cli.repo, SharePointCaseRepository)
            [case] = cli.repo.cases_of_constituent(SENDER)
            assert case.ref == filed.case_ref
            now = cli.clock.now()
            report = gather(cli.repo, {}, now, now - timedelta(days=7), Dimension.TOPIC,
                            cli.triage.hours)  # fmt: skip
            assert report.total == 1
            bundle = sar.collect(cli.repo, cli.files, SENDER, now, "jo", "Office", "Cambridge",
                                 sar.office_salt(cli.ops))  # fmt: skip
            assert [c.ref for c in bundle.cases] == [filed.case_ref]
            assert any(f.kind == "message" and b"damp in my flat" in f.data for f in bundle.files)
        finally:
            cli.close()
        assert cli.repo.items.caller.loop.is_closed()  # the Graph client went with it


def test_build_app_names_the_m365_builder(tmp_path: Path, azurite: Azurite) -> None:
    with GraphFake(client_secret=SECRET) as graph:
        settings = office_settings(graph, azurite, tmp_path)
        with pytest.raises(SettingsError, match="build_cases"):
            build_app(settings)

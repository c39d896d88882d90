"""The Outlook task pane in headless Chromium against `casedesk serve` (tests/addin/pane.test.mjs).

The pane is built from addin/ first (esbuild, under a second), Office.js is stubbed, and the
token comes from the local Entra through the stub's Office.auth.getAccessToken. Needs Node
with `npm ci` done and Debian's chromium (`make test` installs both).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from addin_stack import (
    CAMPAIGN_IDS,
    CLIENT_ID,
    DAMP_ID,
    FORWARDED_ID,
    JO,
    STRANGER,
    TENANT,
    XSS_ID,
    XSS_SUBJECT,
    addin_stack,
    forwarded_eml,
)
from casedesk.bootstrap import build_app
from casedesk.core.corrections import CORRECTED
from casedesk.entrypoints.addin_host import PANE_DIR
from casedesk.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CASEDESK_CHROMIUM", "/usr/bin/chromium")
CORRECT_ID = CAMPAIGN_IDS[1]  # the browser test corrects this one; the others stay as triaged


def _missing() -> str:
    if not (ROOT / "node_modules" / "playwright-core").is_dir():
        return "node_modules is missing: run `make node`"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing: run `make chromium` (apt-get install chromium)"
    if shutil.which("node") is None:
        return "node is not installed"
    return ""


@pytest.fixture(scope="module")
def built_pane() -> None:
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)  # CI must run the browser tests, never skip them
        pytest.skip(missing)
    subprocess.run(["node", "addin/build.mjs"], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(
        [sys.executable, "scripts/make_icons.py", str(PANE_DIR / "assets")],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip


def _ref(url: str, token: str, message_id: str) -> str:
    import urllib.request

    request = urllib.request.Request(
        f"{url}/api/addin/message",
        data=json.dumps({"internetMessageId": message_id}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.loads(response.read())["case"]["ref"])


def test_the_task_pane_in_chromium(built_pane: None, tmp_path: Path) -> None:
    with addin_stack(tmp_path) as stack:
        jo = stack.token()
        scenario = {
            "damp_id": DAMP_ID,
            "damp_ref": _ref(stack.url, jo, DAMP_ID),
            "xss_id": XSS_ID,
            "xss_ref": _ref(stack.url, jo, XSS_ID),
            "xss_subject": XSS_SUBJECT,
            "campaign_id": CAMPAIGN_IDS[0],
            "correct_id": CORRECT_ID,
            "constituent": "priya.shah@example.org",
            "jo_token": jo,
            "jo_oid": JO,
            "client_id": CLIENT_ID,
            "tenant_id": TENANT,
            "api_scope": f"api://{CLIENT_ID}/access_as_user",
            "stranger_token": stack.token(STRANGER),
            "forwarded_id": FORWARDED_ID,
            "forwarded_eml": base64.b64encode(forwarded_eml()).decode("ascii"),
            "forwarded_subject": "Bus cut to the hospital",
        }
        env = {
            **os.environ,
            "CASEDESK_URL": stack.url,
            "CASEDESK_PANE": json.dumps(scenario),
            "CHROMIUM": CHROMIUM,
            "CASEDESK_SCREENSHOTS": os.environ.get("CASEDESK_SCREENSHOTS", str(tmp_path / "shots")),
        }
        run = subprocess.run(
            ["node", "--test", "--test-reporter=spec", "tests/addin/pane.test.mjs"],
            check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
        declared = (ROOT / "tests" / "addin" / "pane.test.mjs").read_text().count("\ntest(") + 2
        assert f"ℹ pass {declared}\n" in run.stdout, run.stdout[-2000:]  # every browser test ran
        corrected_ref = _ref(stack.url, jo, CORRECT_ID)
    app = build_app(load_settings({"data_dir": stack.data_dir}, environ={}))
    try:
        [entry] = [e for e in app.repo.audit_entries(corrected_ref) if e.action == CORRECTED]
    finally:
        app.close()
    assert entry.actor == "jo.price"
    assert (entry.detail["to_category"], entry.detail["to_topic"]) == ("policy", "health")
    app = build_app(load_settings({"data_dir": stack.data_dir}, environ={}))
    try:
        submitted = [e for e in app.repo.audit_entries() if e.action == "message.submitted"]
    finally:
        app.close()
    assert [(e.actor, e.detail["outcome"]) for e in submitted] == [("jo.price", "filed_new")]

"""`/api/addin/*` on `casedesk serve`: the task pane's API, behind Entra ID tokens and the
office's people list. Every refusal carries no case data."""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from addin_stack import (
    CAMPAIGN_IDS,
    DAMP_ID,
    FORWARDED_ID,
    PRIYA,
    STRANGER,
    XSS_ID,
    XSS_SUBJECT,
    AddinStack,
    addin_stack,
    forwarded_eml,
)
from casedesk.bootstrap import build_app
from casedesk.core.corrections import CORRECTED
from casedesk.core.models import CaseQuery
from casedesk.settings import load_settings
from entrafake import new_key
from mailmaker import mail


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AddinStack]:
    with addin_stack(tmp_path_factory.mktemp("addin")) as running:
        yield running


def call(
    stack: AddinStack, method: str, path: str, token: str | None = "", body: Any = None
) -> tuple[int, dict[str, Any], dict[str, str]]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token or stack.token()}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(stack.url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}"), dict(err.headers)


def view(stack: AddinStack, message_id: str, token: str | None = "") -> dict[str, Any]:
    return call(stack, "POST", "/api/addin/message", token, {"internetMessageId": message_id})[1]


def test_the_pane_gets_the_whole_case_for_a_filed_message(stack: AddinStack) -> None:
    status, view, headers = call(
        stack, "POST", "/api/addin/message", body={"internetMessageId": DAMP_ID}
    )
    assert status == 200 and view["found"] is True
    case = view["case"]
    assert case["ref"].startswith("CD-") and case["status"] == "new"
    assert (case["category"], case["topic"]) == ("casework", "housing")
    assert case["assignee"] in ("priya.shah", "tom.reid") and case["assignee_name"]
    assert case["due_at"]  # the housing rule sets an SLA
    assert view["triage"]["reasons"] and view["triage"]["confidence"] > 0
    assert [c["subject"] for c in view["other_cases"]] == [XSS_SUBJECT]
    assert "landlord" in view["draft"] or "damp" in view["draft"].lower()
    assert view["folder"]["location"].endswith(case["ref"]) and view["folder"]["url"] is None
    assert headers["Cache-Control"] == "no-store"


def test_campaign_membership_and_size_are_shown(stack: AddinStack) -> None:
    answer = view(stack, CAMPAIGN_IDS[0])
    assert answer["campaign"]["size"] == 3 and answer["case"]["category"] == "campaign"


def test_a_message_casedesk_has_not_seen_is_not_found_without_error(stack: AddinStack) -> None:
    assert view(stack, "<forwarded-by-hand@example.org>") == {"found": False}
    assert view(stack, XSS_ID.strip("<>"))["found"] is True  # Office.js gives brackets; be lenient


def test_config_tells_the_pane_what_to_sign_in_to_without_a_token(stack: AddinStack) -> None:
    status, config, _ = call(stack, "GET", "/api/addin/config", token=None)
    assert status == 200 and set(config) == {"clientId", "authority", "scopes"}
    assert config["scopes"] == [f"api://{config['clientId']}/access_as_user"]
    assert config["authority"].startswith("https://login.microsoftonline.com/")


def test_me_names_the_member_and_the_correction_choices(stack: AddinStack) -> None:
    status, me, _ = call(stack, "GET", "/api/addin/me", stack.token(PRIYA))
    assert status == 200 and me["member"] == {
        "id": "priya.shah",
        "name": "Priya Shah",
        "role": "caseworker",
    }
    assert "housing" in me["choices"]["topics"] and "casework" in me["choices"]["categories"]


def test_changing_the_category_is_a_correction_by_the_member_audited(
    tmp_path: Path,
) -> None:
    with addin_stack(tmp_path) as own:
        ref = view(own, DAMP_ID)["case"]["ref"]
        status, done, _ = call(own, "POST", "/api/addin/correct", own.token(PRIYA),
                               {"ref": ref, "category": "policy", "topic": "health"})  # fmt: skip
        assert status == 200 and done["by"] == "priya.shah"
        assert done["before"]["category"] == "casework" and done["after"]["topic"] == "health"
        case = view(own, DAMP_ID)["case"]
        assert (case["category"], case["topic"]) == ("policy", "health")
        app = build_app(load_settings({"data_dir": own.data_dir}, environ={}))
        try:
            [entry] = [e for e in app.repo.audit_entries(ref) if e.action == CORRECTED]
        finally:
            app.close()
        assert entry.actor == "priya.shah" and entry.detail["to_category"] == "policy"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"ref": "CD-2026-000001"}, "category or topic"),
        ({"ref": "CD-2026-000001", "category": "housing"}, "not one of"),
        ({"category": "policy"}, "ref is required"),
    ],
)
def test_bad_corrections_are_400_and_change_nothing(
    stack: AddinStack, body: dict[str, Any], problem: str
) -> None:
    status, answer, _ = call(stack, "POST", "/api/addin/correct", body=body)
    assert status == 400 and problem in answer["message"]


def test_correcting_an_unknown_case_is_404(stack: AddinStack) -> None:
    status, _, _ = call(
        stack, "POST", "/api/addin/correct", body={"ref": "CD-2026-009999", "category": "policy"}
    )
    assert status == 404


def test_claim_assign_and_note_go_through_the_casework_core(stack: AddinStack) -> None:
    from casedesk.bootstrap import build_app
    from casedesk.settings import load_settings

    ref = "CD-2026-000001"
    assert call(stack, "POST", "/api/addin/claim", body={"ref": ref})[0] == 200
    body = {"ref": ref, "assignee": "tom.reid"}
    assert call(stack, "POST", "/api/addin/assign", body=body)[0] == 200
    body = {"ref": ref, "text": "Rang the council"}
    assert call(stack, "POST", "/api/addin/note", body=body)[0] == 200
    app = build_app(load_settings({"data_dir": stack.data_dir}, environ={}))
    try:
        assert app.repo.get_case(ref).assignee == "tom.reid"
        assert [n.text for n in app.repo.notes(ref)] == ["Rang the council"]
        done = [(e.actor, e.action) for e in app.repo.audit_entries(ref)]
    finally:
        app.close()
    assert ("jo.price", "note.added") in done
    assert ("jo.price", "case.assigned") in done or any(a == "case.assigned" for _, a in done)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def audit_of(stack: AddinStack, ref: str | None = None) -> list[tuple[str, str, dict[str, Any]]]:
    app = build_app(load_settings({"data_dir": stack.data_dir}, environ={}))
    try:
        return [(e.actor, e.action, dict(e.detail)) for e in app.repo.audit_entries(ref)]
    finally:
        app.close()


def case_count(stack: AddinStack) -> int:
    app = build_app(load_settings({"data_dir": stack.data_dir}, environ={}))
    try:
        return len(app.repo.query_cases(CaseQuery(limit=10_000)))
    finally:
        app.close()


def test_a_message_casedesk_never_saw_becomes_a_case_through_triage_by_the_member(
    tmp_path: Path,
) -> None:
    with addin_stack(tmp_path) as own:
        assert view(own, FORWARDED_ID) == {"found": False}
        status, made, headers = call(own, "POST", "/api/addin/create", own.token(PRIYA),
                                     {"eml": b64(forwarded_eml())})  # fmt: skip
        assert status == 201 and made["outcome"] == "filed_new" and made["found"] is True
        ref = made["case"]["ref"]
        assert made["case"]["constituent"]["email"] == "sam.okafor@example.net"
        assert made["triage"]["reasons"] and made["draft"]  # classified and drafted like any mail
        assert headers["Cache-Control"] == "no-store"
        assert view(own, FORWARDED_ID)["case"]["ref"] == ref  # the pane finds it from now on
        entries = audit_of(own, ref)
        [(actor, _, detail)] = [e for e in entries if e[1] == "message.submitted"]
        assert actor == "priya.shah" and detail["via"] == "outlook-eml"
        assert detail["outcome"] == "filed_new" and "@" not in str(detail)
        assert ("casedesk-triage", "case.opened") in [(a, n) for a, n, _ in entries]
        # The same message again (a second click, a colleague): recognised, not filed twice.
        before = case_count(own)
        status, again, _ = call(own, "POST", "/api/addin/create", body={"eml": b64(forwarded_eml())})
        assert status == 200 and again["outcome"] == "duplicate" and again["case"]["ref"] == ref
        assert case_count(own) == before


def test_a_reply_handed_over_joins_the_constituents_case(tmp_path: Path) -> None:
    with addin_stack(tmp_path) as own:
        ref = view(own, DAMP_ID)["case"]["ref"]
        reply = mail("Any news on the damp?\n\nPriya Shah\n", subject="Re: Damp in my flat",
                     message_id="<damp-2@example.org>", in_reply_to=DAMP_ID, references=DAMP_ID)  # fmt: skip
        status, made, _ = call(own, "POST", "/api/addin/create", body={"eml": b64(reply)})
    assert status == 200 and made["outcome"] == "filed_existing" and made["case"]["ref"] == ref


def test_a_message_that_is_not_email_is_quarantined_with_the_reason(tmp_path: Path) -> None:
    with addin_stack(tmp_path) as own:
        before = case_count(own)
        status, answer, _ = call(own, "POST", "/api/addin/create", body={"eml": b64(b"\x00\x01 not mail")})
        assert status == 422 and answer["error"] == "quarantined"
        assert "quarantine" in answer["message"] and "forward" in answer["message"]
        assert case_count(own) == before
        app = build_app(load_settings({"data_dir": own.data_dir}, environ={}))
        try:
            [item] = app.repo.quarantined()
        finally:
            app.close()
        assert item.source == "outlook-eml:jo.price"
        submitted = [e for e in audit_of(own) if e[1] == "message.submitted"]
        assert [(a, d["outcome"]) for a, _, d in submitted] == [("jo.price", "quarantined")]


def test_a_message_over_the_size_limit_is_refused_before_it_is_read(stack: AddinStack) -> None:
    from casedesk.core.hand_filing import MAX_MESSAGE_BYTES

    over = "A" * ((MAX_MESSAGE_BYTES // 3 + 1) * 4)  # Base64 of just over the limit
    status, answer, _ = call(stack, "POST", "/api/addin/create", body={"eml": over})
    assert status == 413 and answer["error"] == "too_large"
    assert "36 MB" in answer["message"] and "attachments" in answer["message"]


@pytest.mark.parametrize(
    ("body", "status", "problem"),
    [
        ({"eml": "not base64 at all!"}, 400, "Base64"),
        ({}, 400, "mailbox is required"),
        # Embedded: no mailbox to fetch from, so an Outlook without getAsFileAsync is told why.
        ({"mailbox": "jo.price@parliament.example", "itemId": "AAMkADExMzJm="}, 422, "forward"),
    ],
)
def test_create_requests_casedesk_cannot_act_on_say_why(
    stack: AddinStack, body: dict[str, Any], status: int, problem: str
) -> None:
    before = case_count(stack)
    answer_status, answer, _ = call(stack, "POST", "/api/addin/create", body=body)
    assert answer_status == status and problem in answer["message"]
    assert case_count(stack) == before


def test_compose_lists_the_constituents_cases_named_one_first(stack: AddinStack) -> None:
    xss_ref = view(stack, XSS_ID)["case"]["ref"]
    status, found, _ = call(stack, "POST", "/api/addin/compose",
                            body={"to": "Priya.Shah@example.org", "subject": f"RE: {xss_ref}"})  # fmt: skip
    assert status == 200 and found["cases"][0]["ref"] == xss_ref
    assert len(found["cases"]) == 2 and all(c["draft"] for c in found["cases"])


REFUSED = {
    "no token": (lambda s: None, 401, "no bearer token"),
    "expired": (lambda s: s.token(lifetime=timedelta(seconds=-600)), 401, "expired"),
    "wrong audience": (
        lambda s: s.entra.token(PRIYA, "11111111-2222-4333-8444-555555555555"),
        401,
        "aud",
    ),
    "wrong tenant": (lambda s: s.token(tid="0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"), 401, "tid"),
    "wrong issuer": (lambda s: s.token(iss="https://sts.windows.net/0f1e2d3c/"), 401, "iss"),
    "wrong key": (lambda s: s.token(key=new_key()), 401, "signature"),
    "missing scope": (lambda s: s.token(scp="User.Read"), 401, "scp"),
    "not an office member": (lambda s: s.token(STRANGER), 403, "people list"),
    "unsigned": (lambda s: unsigned(s.token()), 401, "alg"),
}


def unsigned(token: str) -> str:
    """The same claims with `alg: none` and no signature."""
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    return f"{header}.{token.split('.')[1]}."


@pytest.mark.parametrize("case", list(REFUSED))
@pytest.mark.parametrize(
    "route", ["GET me", "POST message", "POST compose", "POST correct", "POST create"]
)
def test_every_wrong_caller_is_refused_with_no_data(
    stack: AddinStack, case: str, route: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    make, expected, reason = REFUSED[case]
    method, name = route.split()
    body = {
        "message": {"internetMessageId": DAMP_ID},
        "compose": {"to": "priya.shah@example.org", "subject": "Damp"},
        "correct": {"ref": "CD-2026-000001", "category": "spam"},
        "create": {"eml": b64(forwarded_eml())},
    }.get(name)
    status, answer, headers = call(stack, method, f"/api/addin/{name}", make(stack) or None, body)
    assert status == expected and reason in answer["message"]
    assert set(answer) == {"error", "message"}  # nothing about any case
    if expected == 401:
        assert headers["WWW-Authenticate"].startswith("Bearer")
    logged = " ".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert "Bearer" not in logged and "eyJ" not in logged  # tokens never reach the log


def test_the_refused_correction_changed_nothing(stack: AddinStack) -> None:
    assert view(stack, DAMP_ID)["case"]["category"] == "casework"


def test_refused_creates_filed_nothing(stack: AddinStack) -> None:
    assert view(stack, FORWARDED_ID) == {"found": False}
    assert not [e for e in audit_of(stack) if e[1] == "message.submitted"]


def test_without_addin_settings_the_api_says_what_to_set(tmp_path: Path) -> None:
    with addin_stack(tmp_path, configured=False) as off:
        status, answer, _ = call(off, "GET", "/api/addin/me")
    assert status == 503 and "CASEDESK_TENANT_ID" in answer["message"]
    assert "CASEDESK_ADDIN_CLIENT_ID" in answer["message"]


def test_constituent_text_never_reaches_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with addin_stack(tmp_path) as own:
        view(own, DAMP_ID)
        view(own, XSS_ID)
        call(
            own,
            "POST",
            "/api/addin/compose",
            body={"to": "priya.shah@example.org", "subject": "Bins"},
        )
        call(own, "POST", "/api/addin/create", body={"eml": b64(forwarded_eml())})
        call(own, "POST", "/api/addin/create", body={"eml": b64(b"Subject: Sam Okafor\x00")})
    logged = " ".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    for text in ("landlord", "Priya Shah", "priya.shah@example.org", "onerror", "Bins", DAMP_ID,
                 "Okafor", "dialysis", FORWARDED_ID):  # fmt: skip
        assert text not in logged

"""`casedesk m365 check`: is this installation ready for the office's tenant, and if not, what to do.

Each check names what it tested, whether it passed, and the fix. Settings are validated
first (every missing key at once); the tenant checks run only when settings are complete.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from casedesk.settings import Settings

FIXES = {
    401: "the app registration's secret or certificate is wrong or expired: create a new one "
    "(Entra admin centre > App registrations > Certificates & secrets)",
    403: "the app may not read this mailbox: grant Mail.ReadWrite and scope it with RBAC for "
    "Applications (docs/m365-setup.md, step 2), then wait up to an hour for it to apply",
    404: "no such mailbox in this tenant: check CASEDESK_MAILBOXES for a typo",
}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def _status(exc: BaseException) -> int | None:
    code = getattr(exc, "response_status_code", None)
    return code if isinstance(code, int) else None


def _attempt(
    name: str, action: Callable[[], str], fix_for: Callable[[BaseException], str]
) -> Check:
    try:
        return Check(name, True, action())
    except Exception as exc:
        detail = f"{type(exc).__name__}: {str(exc)[:200]}"
        return Check(name, False, detail, fix_for(exc))


def run_checks(settings: Settings, login_http_client: Any = None) -> list[Check]:
    from casedesk.adapters.m365.graph_client import GraphCaller, RetryPolicy
    from casedesk.adapters.m365.graph_mailbox import GraphMailbox
    from casedesk.bootstrap_m365 import storage_adapters, token_source

    checks = [Check("settings", True, "every required setting is present and valid")]
    tokens = token_source(settings, login_http_client)
    token_check = _attempt(
        "Graph token (app-only)",
        lambda: tokens.token() and "issued",
        lambda exc: (
            getattr(exc, "fix", None) or (str(exc) if "Entra ID" in str(exc) else FIXES[401])
        ),
    )
    checks.append(token_check)
    if token_check.ok:
        caller = GraphCaller(
            tokens.token, settings.graph_base_url, RetryPolicy(attempts=2, base_seconds=0.5),
            forget_token=tokens.forget,
        )  # fmt: skip
        mailbox = GraphMailbox(caller)
        for address in settings.mailbox_list:

            def probe(address: str = address) -> str:
                return f"inbox readable ({mailbox.probe_inbox(address)} messages)"

            checks.append(
                _attempt(
                    f"mailbox {address}",
                    probe,
                    lambda exc: (
                        getattr(exc, "fix", None)
                        or FIXES.get(_status(exc) or 0, "see docs/m365-setup.md")
                    ),
                )
            )
        caller.close()

    def storage() -> str:
        ops, queue = storage_adapters(settings)
        ops.get("health", "probe")
        depth = getattr(queue, "depth", lambda: "?")()
        return f"table '{settings.table_name}' and queue '{settings.queue_name}' ({depth} waiting) reachable"

    checks.append(
        _attempt(
            "Azure Storage",
            storage,
            lambda _exc: (
                "check CASEDESK_STORAGE_CONNECTION_STRING, or that the managed identity has "
                "Storage Table Data Contributor and Storage Queue Data Contributor"
            ),
        )
    )
    return checks

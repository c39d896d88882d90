"""`casedesk serve`: the Functions app on a laptop. HTTP routes always; with the M365
adapters, also the queue worker and the renew timer, as the Functions host would run them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from casedesk.entrypoints.http_server import RouteTable, make_server
from casedesk.entrypoints.webhooks import handle_lifecycle, handle_notifications
from casedesk.settings import Settings

log = logging.getLogger("casedesk.serve")
WORKER_POLL_SECONDS = 2.0
RENEW_EVERY_SECONDS = 6 * 3600
SWEEP_EVERY_SECONDS = 15 * 60  # as the Functions sweep timer


def _worker(intake: Any, stop: threading.Event, poll_seconds: float) -> None:
    """Drain the queue like the Functions queue trigger: delete only after success."""
    while not stop.is_set():
        items = intake.queue.receive(max_messages=8, visibility_seconds=60)
        for item in items:
            try:
                intake.dispatcher.handle(item.body, item.dequeue_count)
                intake.queue.delete(item)
            except Exception:
                log.exception(
                    "queue item failed; it will be retried", extra={"event": "queue.retry"}
                )
        if not items:
            stop.wait(poll_seconds)


def _renewer(intake: Any, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            intake.intake.ensure_subscriptions()
            intake.intake.catch_up_all()
        except Exception:
            log.exception(
                "renew failed; retrying at the next interval", extra={"event": "renew.error"}
            )
        stop.wait(RENEW_EVERY_SECONDS)


def _bot(settings: Settings, app: Any, login_http_client: Any) -> Any:
    """The Teams bot over the same case store, when CASEDESK_BOT_APP_ID is set."""
    if not settings.bot_app_id:
        return None
    from casedesk.bootstrap_teams import bot_token_source, build_bot, embedded_drafts, reply_desk

    cases = getattr(app, "cases", app)  # the M365 intake wraps the case app
    embedded = settings.adapters == "embedded" or settings.case_store == "embedded"
    desk = reply_desk(
        settings, cases.repo, cases.files, cases.triage.drafter, cases.clock, login_http_client
    )
    return build_bot(
        settings, cases.repo, cases.ops, cases.clock, cases.triage.rules,
        drafts=embedded_drafts(settings.data_dir) if embedded else None,
        token=bot_token_source(settings, login_http_client), replies=desk,
    )  # fmt: skip


def _digester(bot: Any, stop: threading.Event) -> None:
    """The sweep timer's digest step: sends once per London working day (when due)."""
    while not stop.is_set():
        try:
            bot.notifier.deliver_pending()
            bot.notifier.request_signoffs()  # drafts edited into the approval queue
            bot.notifier.send_digests()
        except Exception:
            log.exception("digest failed; retrying at the next sweep", extra={"event": "digest.error"})
        stop.wait(SWEEP_EVERY_SECONDS)


@dataclass
class LocalHost:
    server: ThreadingHTTPServer
    app: Any
    stop: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.app.close()


def bind(host: str, port: int) -> tuple[ThreadingHTTPServer, RouteTable]:
    """Listen first, so the public URL is known before settings that name it are built."""
    table = RouteTable()
    return make_server(host, port, table), table


def start_local_host(
    settings: Settings,
    server: ThreadingHTTPServer,
    table: RouteTable,
    say: Callable[[str], None],
    login_http_client: Any = None,
    poll_seconds: float = WORKER_POLL_SECONDS,
) -> LocalHost:
    """Build the app, add the routes, serve in a thread; with M365, the worker and timer too."""
    if settings.adapters == "m365":
        from casedesk.bootstrap_m365 import build_intake

        app: Any = build_intake(settings, login_http_client=login_http_client)
    else:
        from casedesk.bootstrap import build_app

        app = build_app(settings)
    ops, queue, clock, tenant = app.ops, app.queue, app.clock, settings.tenant_id
    table.add(
        "POST", "/api/notifications",
        lambda q, b: handle_notifications(q, b, ops, queue, clock, tenant_id=tenant),
    )  # fmt: skip
    table.add(
        "POST", "/api/lifecycle", lambda q, b: handle_lifecycle(q, b, ops, queue, tenant_id=tenant)
    )
    bot = _bot(settings, app, login_http_client)
    if bot is not None:
        from casedesk.entrypoints.bot import handle_bot_messages

        table.add_with_headers("POST", "/api/messages", lambda q, b, h: handle_bot_messages(h, b, bot))

    from casedesk.entrypoints.addin_host import add_addin_routes

    if settings.adapters == "m365":
        add_addin_routes(table, settings, app.cases, remote=app.intake.remote)
    else:
        add_addin_routes(table, settings, app)
    local = LocalHost(server, app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if bot is not None:
        threading.Thread(target=_digester, args=(bot, local.stop), daemon=True).start()
        say("Teams bot on /api/messages; daily digests from the sweep (docs/teams-bot.md).")
    say(
        f"CaseDesk listening on {local.url} (/api/health, /api/notifications, /api/lifecycle, "
        "/api/addin/*, the Outlook task pane at /addin/). Ctrl-C stops."
    )
    if settings.adapters == "m365":
        # Started after the socket is listening: creating a subscription makes Graph call back.
        threading.Thread(target=_worker, args=(app, local.stop, poll_seconds), daemon=True).start()
        threading.Thread(target=_renewer, args=(app, local.stop), daemon=True).start()
        say(f"Watching {', '.join(settings.mailbox_list)}: queue worker and renew timer running.")
    else:
        say(
            "[yellow]Embedded adapters: notifications are checked and queued only. Set "
            "CASEDESK_ADAPTERS=m365 (docs/m365-setup.md) to fetch and triage real mail.[/]"
        )
    return local


def run_local_host(settings: Settings, host: str, port: int, say: Callable[[str], None]) -> None:
    server, table = bind(host, port)
    local = start_local_host(settings, server, table, say)
    try:
        local.stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        local.close()

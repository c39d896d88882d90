"""Azure Functions entry (Python v2 programming model). Thin: parse trigger -> entrypoint.

Routes and triggers (see docs/m365-setup.md):
  POST /api/notifications   Graph change notifications: handshake, clientState, enqueue, 202
  POST /api/lifecycle       Graph lifecycle notifications: check, enqueue for the worker
  GET  /api/health          liveness
  GET/POST /api/addin/...   the Outlook add-in's API; its task pane files under /api/addin/pane/
  queue  triage             one message (or lifecycle event) end to end, idempotently
  timer  renew              create/renew subscriptions, then delta catch-up per mailbox
  timer  sweep              SLA warnings and escalations, chases for late referrals; retention
                            daily; Teams notifications and digests (from digest_hour, London)
  POST /api/messages        Teams bot activities (Bot Framework JWT checked first; docs/teams-bot.md)
"""

from __future__ import annotations

import json
import logging
from functools import cache
from typing import Any

import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)
log = logging.getLogger("casedesk.functions")
# httpx logs every request URL at INFO, and SharePoint list filters name constituents
# (fields/ConstituentEmail eq '...'): warnings only, so no address reaches the logs.
logging.getLogger("httpx").setLevel(logging.WARNING)


@cache
def _intake() -> Any:
    """Built once per worker process on first use, so cold start imports nothing heavy."""
    from casedesk.bootstrap_m365 import build_intake
    from casedesk.settings import load_settings

    return build_intake(load_settings())


def _response(result: Any) -> func.HttpResponse:
    return func.HttpResponse(
        body=result.body,
        status_code=result.status,
        headers={
            "Content-Type": result.content_type,
            "X-Content-Type-Options": "nosniff",
            **dict(getattr(result, "headers", ())),
        },
    )


@app.route(route="health", methods=["GET"])
def health(req: func.HttpRequest) -> func.HttpResponse:
    from casedesk import __version__

    return func.HttpResponse(
        json.dumps({"status": "ok", "version": __version__}), mimetype="application/json"
    )


@app.route(route="notifications", methods=["POST"])
def notifications(req: func.HttpRequest) -> func.HttpResponse:
    from casedesk.entrypoints.webhooks import handle_notifications

    intake = _intake()
    return _response(
        handle_notifications(
            dict(req.params), req.get_body(), intake.ops, intake.queue, intake.clock,
            tenant_id=intake.cases.settings.tenant_id,
        )
    )  # fmt: skip


@app.route(route="lifecycle", methods=["POST"])
def lifecycle(req: func.HttpRequest) -> func.HttpResponse:
    from casedesk.entrypoints.webhooks import handle_lifecycle

    intake = _intake()
    return _response(
        handle_lifecycle(
            dict(req.params), req.get_body(), intake.ops, intake.queue,
            tenant_id=intake.cases.settings.tenant_id,
        )
    )  # fmt: skip


@cache
def _addin() -> Any:
    from casedesk.entrypoints.addin_host import functions_addin_routes

    intake = _intake()
    return functions_addin_routes(intake.cases.settings, intake.cases, intake.intake.remote)


@app.route(route="addin/{*path}", methods=["GET", "POST"])
def addin(req: func.HttpRequest) -> func.HttpResponse:
    """The Outlook add-in: its API (Entra token required) and, under pane/, its files."""
    from casedesk.entrypoints.http_server import HttpRequest

    path = "/api/addin/" + (req.route_params.get("path") or "")
    headers = {name.lower(): value for name, value in req.headers.items()}
    request = HttpRequest(req.method, path, dict(req.params), headers, req.get_body())
    return _response(_addin()(request))


@app.queue_trigger(arg_name="msg", queue_name="triage", connection="AzureWebJobsStorage")
def triage(msg: func.QueueMessage) -> None:
    body = json.loads(msg.get_body())
    outcome = _intake().dispatcher.handle(body, int(msg.dequeue_count or 1))
    log.info("queue item done", extra={"event": "queue.done", "outcome": outcome.split(" ")[0]})


@app.timer_trigger(arg_name="timer", schedule="0 0 */6 * * *", run_on_startup=True)
def renew(timer: func.TimerRequest) -> None:
    intake = _intake().intake
    actions = intake.ensure_subscriptions()
    caught_up = intake.catch_up_all()
    log.info(
        "subscriptions checked",
        extra={
            "event": "renew.done",
            "actions": len(actions),
            "caught_up": sum(caught_up.values()),
        },
    )


@app.timer_trigger(arg_name="timer", schedule="0 */15 * * * *")
def sweep(timer: func.TimerRequest) -> None:
    """SLA warnings and escalations, chases for late referrals (core/sweep.py), once a day
    retention (the dry-run report in the logs, or the deletions once retention_sweep =
    "apply"), and once a week the MP's briefing. Idempotent, so a missed or repeated run is
    harmless."""
    from casedesk.bootstrap import build_sweep
    from casedesk.entrypoints.briefing_sweep import sweep_briefing
    from casedesk.entrypoints.retention_sweep import sweep_retention

    cases = _intake().cases
    build_sweep(cases).run()  # logs its counts as event sweep.done
    sweep_retention(cases)
    sweep_briefing(cases)  # Mondays from 07:00 London: the MP's weekly briefing (PDF)

    bot = _bot()
    if bot is None:
        return  # no Teams bot configured: notifications stay pending in ops state
    delivered, waiting = bot.notifier.deliver_pending()  # the SLA sweep's notifications
    asked, _ = bot.notifier.request_signoffs()  # replies edited into the MP's approval queue
    run = bot.notifier.send_digests()
    log.info(
        "sweep: Teams",
        extra={
            "event": "sweep.teams",
            "notifications": delivered,
            "waiting": waiting,
            "signoff_requests": asked,
            "skipped": run.skipped or "",
            "members": len(run.sent_to_members),
            "channels": run.sent_to_channels,
        },
    )


@cache
def _bot() -> Any:
    """The Teams bot over the intake's case store; None without CASEDESK_BOT_APP_ID."""
    from casedesk.settings import load_settings

    if not load_settings().bot_app_id:
        return None
    from casedesk.bootstrap_teams import build_bot, reply_desk

    cases = _intake().cases
    desk = reply_desk(cases.settings, cases.repo, cases.files, cases.triage.drafter, cases.clock)
    return build_bot(
        cases.settings, cases.repo, cases.ops, cases.clock, cases.triage.rules, replies=desk
    )


@app.route(route="messages", methods=["POST"])
def messages(req: func.HttpRequest) -> func.HttpResponse:
    from casedesk.entrypoints.bot import handle_bot_messages

    headers = {k.lower(): v for k, v in req.headers.items()}
    # No token, no work: a refused request never builds the app (or imports botbuilder).
    service = _bot() if headers.get("authorization") else None
    return _response(handle_bot_messages(headers, req.get_body(), service))

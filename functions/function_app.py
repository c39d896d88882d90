"""Azure Functions entry (Python v2 programming model). Thin: parse trigger -> entrypoint.

Not finished: the Graph webhook, lifecycle, queue and timer triggers arrive with the
production-intake work (issue 4). Until then this app only answers a health check, so a
deployment can be smoke-tested without pretending to process mail.
"""

from __future__ import annotations

import json

import azure.functions as func

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)


@app.route(route="health", methods=["GET"])
def health(req: func.HttpRequest) -> func.HttpResponse:
    from casedesk import __version__

    body = json.dumps({"status": "ok", "version": __version__, "intake": "not yet wired"})
    return func.HttpResponse(body, status_code=200, mimetype="application/json")

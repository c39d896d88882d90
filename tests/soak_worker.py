"""The queue worker as its own process, for the soak (tests/soak.py), which kills it with
SIGKILL at random moments and starts another.

It does what the Functions queue trigger does (functions/function_app.py `triage`): receive,
`dispatcher.handle`, delete only after success; a raise leaves the item on the queue for its
lease to run out. One JSON line per item on stdout: `{"id", "outcome"}` or `{"id", "error"}`.

    SOAK_SETTINGS='{...}' SOAK_LOGIN=http://127.0.0.1:PORT python tests/soak_worker.py
"""

from __future__ import annotations

import json
import os
import sys
import time

MAX_MESSAGES = 4  # small batches, so a lease never runs out while its batch is still waiting


def main() -> int:
    from casedesk.adapters.m365.msal_tokens import RedirectingHttpClient
    from casedesk.bootstrap_m365 import build_intake
    from casedesk.settings import load_settings

    settings = load_settings(json.loads(os.environ["SOAK_SETTINGS"]), environ={})
    lease = int(os.environ.get("SOAK_LEASE_SECONDS", "10"))
    app = build_intake(settings, login_http_client=RedirectingHttpClient(os.environ["SOAK_LOGIN"]))
    print(json.dumps({"ready": os.getpid()}), flush=True)
    while True:
        items = app.queue.receive(max_messages=MAX_MESSAGES, visibility_seconds=lease)
        for item in items:
            said: dict[str, object] = {"id": item.body.get("message_id") or item.body.get("kind")}
            started = time.monotonic()
            try:
                said["outcome"] = app.dispatcher.handle(item.body, item.dequeue_count)
                app.queue.delete(item)
            except Exception as exc:  # the Functions host logs it and the lease runs out
                said["error"] = type(exc).__name__
            said["seconds"] = round(time.monotonic() - started, 3)
            print(json.dumps(said), flush=True)
        if not items:
            time.sleep(0.2)


if __name__ == "__main__":
    sys.exit(main())

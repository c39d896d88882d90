"""Graph request-builder chains as URL templates, taken from msgraph-sdk's own builders.

The scanner (scan.py) records a chain such as users.by_user_id(x).messages.by_message_id(y)
.content; here the same chain is walked on a real GraphServiceClient (no network: the
builders only hold a URL template and path parameters) and its `url_template` read, e.g.
`{+baseurl}/users/{user%2Did}/messages/{message%2Did}/$value` -> `/users/{id}/messages/{id}/$value`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from casedesk.approval.scan import ScanError, Step

_QUERY = re.compile(r"\{\?[^}]*\}$")
_PARAM = re.compile(r"\{([^}?+]+)\}")


@cache
def _client() -> Any:
    import httpx
    from kiota_abstractions.authentication import AnonymousAuthenticationProvider
    from msgraph.graph_request_adapter import GraphRequestAdapter
    from msgraph.graph_service_client import GraphServiceClient

    adapter = GraphRequestAdapter(AnonymousAuthenticationProvider(), httpx.AsyncClient())
    return GraphServiceClient(request_adapter=adapter)


def graph_endpoint(verb: str, steps: Sequence[Step]) -> str:
    """'GET /users/{id}/messages/{id}/$value' for a chain of builder steps."""
    builder = _client()
    shown: dict[str, str] = {}
    for i, step in enumerate(steps):
        try:
            member = getattr(builder, step.name)
            if step.args is None:
                builder = member
            else:
                token = f"\x00{i}\x00"
                builder = member(token)
                shown[token] = step.args[0] if step.args else "{id}"
        except (AttributeError, TypeError) as exc:
            chain = ".".join(s.name for s in steps[: i + 1])
            raise ScanError(f"msgraph-sdk has no request builder for `{chain}`") from exc
    template = getattr(builder, "url_template", None)
    if not isinstance(template, str):
        chain = ".".join(s.name for s in steps)
        raise ScanError(f"`{chain}` is not a msgraph-sdk request builder")
    values: dict[str, Any] = getattr(builder, "path_parameters", {}) or {}

    def fill(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return shown.get(str(value), "{id}")

    path = _QUERY.sub("", template.replace("{+baseurl}", ""))
    return f"{verb} {_PARAM.sub(fill, path).replace('()', '')}"

"""Request/response values and routing shared by the endpoint modules."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import JSON_TYPE, GraphError, encode

if TYPE_CHECKING:
    from .server import GraphFake


@dataclass
class Req:
    method: str
    path: str  # URL-decoded, without the /v1.0 prefix or the query
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    prefer: list[str]
    body: bytes

    def json(self) -> dict[str, Any]:
        if not self.body.strip():
            return {}
        try:
            parsed = json.loads(self.body)
        except ValueError as exc:
            raise GraphError(
                400,
                "BadRequest",
                "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
            ) from exc
        if not isinstance(parsed, dict):
            raise GraphError(400, "BadRequest", "The request body must be a JSON object.")
        return parsed

    def option(self, name: str) -> str | None:
        """An OData option given as $name or name."""
        return self.query.get(f"${name}", self.query.get(name))

    def prefers(self, token: str) -> bool:
        return any(
            p.replace(" ", "").lower() == token.replace(" ", "").lower() for p in self.prefer
        )

    @property
    def immutable(self) -> bool:
        return self.prefers('IdType="ImmutableId"')


@dataclass
class Resp:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def json_resp(status: int, payload: Any, headers: dict[str, str] | None = None) -> Resp:
    return Resp(status, encode(payload), JSON_TYPE, headers or {})


Handler = Callable[["GraphFake", Req, "re.Match[str]"], Resp]


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    scope: str = "graph"  # graph (needs a token), login, upload


def route(method: str, pattern: str, handler: Handler, scope: str = "graph") -> Route:
    return Route(method, re.compile(pattern, re.IGNORECASE), handler, scope)


def split_prefer(values: list[str]) -> list[str]:
    parts: list[str] = []
    for value in values:
        parts.extend(
            p.strip() for p in re.split(r",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)", value) if p.strip()
        )
    return parts

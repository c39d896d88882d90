"""BotFake: a stdlib HTTP server on 127.0.0.1 that plays the Bot Framework's side for tests.

- `GET /v1/.well-known/openidconfiguration`: the OpenID metadata document, shaped as in
  "Authenticate requests with the Bot Connector API"
  (https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication),
  its `jwks_uri` pointing back here.
- `GET /v1/.well-known/keys`: a JWK set with one RSA key (plus `endorsements`, as the page
  describes), whose private half signs the test tokens.
- `POST {serviceUrl}v3/conversations/{id}/activities[/{replyToId}]`: the Bot Connector.
  Records every activity posted (path, headers, JSON) and answers 201 with a ResourceResponse
  `{"id": ...}` (https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference).
  A request without `Authorization: Bearer ...` (or one `accept_token` refuses) gets 401.

`sign()` and `token()` make tokens; `rogue_key` is a key the JWK set does not publish.
Token times come from `now` (a callable), so tests use their fixed clock, not the wall clock.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import unquote

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
KID = "casedesk-test-signing-key"
_CONNECTOR = re.compile(r"^/teams/v3/conversations/([^/]+)/activities(?:/([^/]+))?$")


@dataclass
class Posted:
    conversation_id: str
    reply_to_id: str | None
    headers: dict[str, str]
    activity: dict[str, Any]

    @property
    def card(self) -> dict[str, Any]:
        """The Adaptive Card in the activity's first attachment."""
        attachment = self.activity["attachments"][0]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        return dict(attachment["content"])


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class BotFake:
    def __init__(
        self,
        app_id: str,
        now: Callable[[], datetime],
        endorsements: tuple[str, ...] = ("msteams",),
        accept_token: Callable[[str], bool] | None = None,
    ) -> None:
        self.app_id, self.now, self.endorsements = app_id, now, endorsements
        self.accept_token = accept_token or (bool)
        self.key, self.rogue_key = _new_key(), _new_key()
        self.posted: list[Posted] = []
        self.metadata_requests = 0
        self.fail_next: int | None = None
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> BotFake:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/v1/.well-known/openidconfiguration"

    @property
    def service_url(self) -> str:
        """Like Teams' https://smba.trafficmanager.net/teams/ (ends in a slash)."""
        return f"{self.base_url}/teams/"

    # --- tokens --------------------------------------------------------------------------

    def sign(
        self,
        claims: dict[str, Any],
        key: rsa.RSAPrivateKey | None = None,
        kid: str = KID,
        algorithm: str = "RS256",
    ) -> str:
        return jwt.encode(claims, key or self.key, algorithm=algorithm, headers={"kid": kid})

    def claims(self, **changes: Any) -> dict[str, Any]:
        now = self.now()
        claims: dict[str, Any] = {
            "serviceurl": self.service_url,
            "nbf": int((now - timedelta(minutes=1)).timestamp()),
            "exp": int((now + timedelta(hours=1)).timestamp()),
            "iss": BOT_FRAMEWORK_ISSUER,
            "aud": self.app_id,
        }
        claims.update(changes)
        return {k: v for k, v in claims.items() if v is not None}

    def token(self, **changes: Any) -> str:
        """A token the Bot Framework would send for this bot (claims changed as asked)."""
        return self.sign(self.claims(**changes))

    # --- documents -----------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": BOT_FRAMEWORK_ISSUER,
            "authorization_endpoint": "https://invalid.botframework.com",
            "jwks_uri": f"{self.base_url}/v1/.well-known/keys",
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        jwk.update({"kid": KID, "use": "sig", "endorsements": list(self.endorsements)})
        return {"keys": [jwk]}

    # --- HTTP ----------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def _json(self, status: int, payload: Any) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path == "/v1/.well-known/openidconfiguration":
                    with fake._lock:
                        fake.metadata_requests += 1
                    self._json(200, fake.metadata())
                elif self.path == "/v1/.well-known/keys":
                    self._json(200, fake.jwks())
                else:
                    self._json(404, {"error": {"code": "NotFound", "message": self.path}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                found = _CONNECTOR.match(self.path)
                if not found:
                    self._json(404, {"error": {"code": "NotFound", "message": self.path}})
                    return
                scheme, _, token = (self.headers.get("Authorization") or "").partition(" ")
                if scheme != "Bearer" or not fake.accept_token(token):
                    self._json(401, {"message": "Authorization has been denied for this request."})
                    return
                with fake._lock:
                    status, fake.fail_next = fake.fail_next, None
                if status:
                    self._json(status, {"error": {"code": "ServiceError", "message": "injected"}})
                    return
                posted = Posted(
                    unquote(found.group(1)),
                    unquote(found.group(2)) if found.group(2) else None,
                    {k.lower(): v for k, v in self.headers.items()},
                    json.loads(body),
                )
                with fake._lock:
                    fake.posted.append(posted)
                self._json(201, {"id": f"1:{uuid.uuid4().hex[:12]}"})

        return Handler

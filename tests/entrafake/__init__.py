"""A local Entra ID for token validation tests: OpenID metadata, JWKS, and a token minter.

    with EntraFake(tenant_id=TENANT) as entra:
        token = entra.token(user_oid, CLIENT_ID, scp="access_as_user")
        # point EntraTokenValidator (or CASEDESK_ADDIN_AUTHORITY) at entra.authority

It is also an Entra token endpoint for app-only (client credentials) tokens, so the real MSAL
can be pointed at it (casedesk.adapters.m365.msal_tokens.RedirectingHttpClient(entra.authority)):

    entra.register_app(CLIENT_ID, SECRET)       # then POST {tenant}/oauth2/v2.0/token works
    entra.expire_secret(CLIENT_ID)               # AADSTS7000222 from now on
    entra.issued                                 # every access token handed out

A wrong secret answers AADSTS7000215, an unknown client id AADSTS700016, another tenant's
path AADSTS90002, in the error JSON of
https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow#error-response
(error, error_description, error_codes, timestamp, trace_id, correlation_id, error_uri) with
the codes of https://learn.microsoft.com/entra/identity-platform/reference-error-codes.

Shapes follow Microsoft's documentation:
- metadata: https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc
  (`{authority}/{tenant}/v2.0/.well-known/openid-configuration`: issuer, jwks_uri, ...)
- keys: https://login.microsoftonline.com/common/discovery/v2.0/keys (kty, use, kid, x5t, n, e)
- access token claims: https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
  (aud, iss, iat, nbf, exp, aio, azp, azpacr, name, oid, preferred_username, rh, scp, sub, tid,
  uti, ver "2.0")
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER_HOST = "https://login.microsoftonline.com"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    thumb = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()
    return {**jwk, "kid": kid, "use": "sig", "x5t": thumb, "issuer": ""}


class EntraFake:
    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        self.key = new_key()
        self.kid = "casedesk-test-key-1"
        self.published: list[dict[str, Any]] = []
        self.requests: list[str] = []
        self.metadata_issuer = f"{ISSUER_HOST}/{tenant_id}/v2.0"
        self._server: ThreadingHTTPServer | None = None
        self.publish(self.key, self.kid)
        self.apps: dict[str, str] = {}  # client id -> its client secret
        self.expired: set[str] = set()  # client ids whose secret has expired
        self.issued: list[str] = []  # every app-only access token handed out
        self.token_requests = 0
        self._lock = threading.Lock()
        # The App Service / Functions managed identity endpoint (IDENTITY_ENDPOINT) checks
        # this secret in X-IDENTITY-HEADER (IDENTITY_HEADER in the app's environment).
        self.identity_header = uuid.uuid4().hex

    # --- the token endpoint (client credentials) ---------------------------------------------

    def register_app(self, client_id: str, secret: str) -> None:
        self.apps[client_id] = secret
        self.expired.discard(client_id)

    def expire_secret(self, client_id: str) -> None:
        self.expired.add(client_id)

    def _error(self, status: int, error: str, code: int, text: str) -> tuple[int, dict[str, Any]]:
        trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        return status, {
            "error": error,
            "error_description": f"AADSTS{code}: {text} Trace ID: {trace} "
            f"Correlation ID: {correlation} Timestamp: {stamp}",
            "error_codes": [code],
            "timestamp": stamp,
            "trace_id": trace,
            "correlation_id": correlation,
            "error_uri": f"{ISSUER_HOST}/error?code={code}",
        }

    def _unknown_tenant(self, tenant: str) -> tuple[int, dict[str, Any]]:
        return self._error(
            400, "invalid_tenant", 90002,
            f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID "
            "and are signing into the correct cloud.",
        )  # fmt: skip

    def _token(self, tenant: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.token_requests += 1
        if tenant != self.tenant_id:
            return self._unknown_tenant(tenant)
        scope = form.get("scope", "")
        if form.get("grant_type") != "client_credentials" or not scope.endswith("/.default"):
            return self._error(
                400, "invalid_request", 900144, "Use client_credentials and a /.default scope."
            )
        client = form.get("client_id", "")
        if client not in self.apps:
            return self._error(
                400, "unauthorized_client", 700016,
                f"Application with identifier '{client}' was not found in the directory "
                f"'{self.tenant_id}'.",
            )  # fmt: skip
        if form.get("client_secret") != self.apps[client]:
            return self._error(
                401, "invalid_client", 7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is "
                f"the client secret value, not the client secret ID, for a secret added to app '{client}'.",
            )  # fmt: skip
        if client in self.expired:
            return self._error(
                401, "invalid_client", 7000222,
                f"The provided client secret keys for app '{client}' are expired.",
            )  # fmt: skip
        token, _ = self._issue(scope.removesuffix("/.default"), client, timedelta(hours=1))
        return 200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                     "access_token": token}  # fmt: skip

    def _issue(self, audience: str, app: str, lifetime: timedelta) -> tuple[str, int]:
        """An app-only v1.0 access token, recorded in `issued`, and its expiry (epoch seconds)."""
        now = datetime.now(UTC)
        expires = int((now + lifetime).timestamp())
        token = jwt.encode(
            {"aud": audience, "iss": f"https://sts.windows.net/{self.tenant_id}/",
             "iat": int(now.timestamp()), "nbf": int(now.timestamp()), "exp": expires,
             "appid": app, "tid": self.tenant_id, "roles": ["Mail.ReadWrite"],
             "uti": uuid.uuid4().hex, "ver": "1.0"},
            self.key, algorithm="RS256", headers={"kid": self.kid, "typ": "JWT"},
        )  # fmt: skip
        with self._lock:
            self.issued.append(token)
        return token, expires

    def _identity_token(
        self, query: dict[str, str], header: str | None
    ) -> tuple[int, dict[str, Any]]:
        """The App Service managed identity endpoint's answer (GET IDENTITY_ENDPOINT?resource=
        &api-version=2019-08-01 with X-IDENTITY-HEADER): a token for the app's identity."""
        with self._lock:
            self.token_requests += 1
        if header != self.identity_header:
            return 400, {"statusCode": 400, "message": "X-IDENTITY-HEADER is missing or wrong"}
        resource = query.get("resource", "")
        if query.get("api-version") != "2019-08-01" or not resource:
            return 400, {"statusCode": 400, "message": "api-version 2019-08-01 and a resource"}
        principal = query.get("client_id") or "system-assigned"
        token, expires = self._issue(resource, principal, timedelta(hours=24))
        return 200, {"access_token": token, "expires_on": str(expires), "resource": resource,
                     "token_type": "Bearer", "client_id": principal}  # fmt: skip

    @property
    def identity_endpoint(self) -> str:
        return f"{self.authority}/msi/token"

    # --- keys and tokens --------------------------------------------------------------------

    def publish(self, key: rsa.RSAPrivateKey, kid: str) -> None:
        jwk = public_jwk(key, kid)
        jwk["issuer"] = self.metadata_issuer
        self.published.append(jwk)

    def token(
        self,
        user: str,
        aud: str,
        scp: str = "access_as_user",
        now: datetime | None = None,
        lifetime: timedelta = timedelta(hours=1),
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        **overrides: Any,
    ) -> str:
        """A v2.0 access token as Entra issues for a user; overrides replace or drop (None) claims."""
        issued = now or datetime.now().astimezone()
        claims: dict[str, Any] = {
            "aud": aud,
            "iss": f"{ISSUER_HOST}/{self.tenant_id}/v2.0",
            "iat": int(issued.timestamp()),
            "nbf": int(issued.timestamp()),
            "exp": int((issued + lifetime).timestamp()),
            "aio": "AWQAm/8TAAAA",
            "azp": aud,
            "azpacr": "0",
            "name": "Jo Price",
            "oid": user,
            "preferred_username": "jo.price@parliament.example",
            "rh": "0.ARoA",
            "scp": scp,
            "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
            "tid": self.tenant_id,
            "uti": "fqiBqXLPj0eQa82S-IYFAA",
            "ver": "2.0",
        }
        for name, value in overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return jwt.encode(
            claims,
            key or self.key,
            algorithm="RS256",
            headers={"kid": kid or self.kid, "typ": "JWT"},
        )

    # --- HTTP -------------------------------------------------------------------------------

    @property
    def authority(self) -> str:
        assert self._server is not None, "use EntraFake as a context manager"
        return f"http://127.0.0.1:{self._server.server_port}"

    def _document(self, path: str) -> dict[str, Any] | None:
        base = self.authority
        if path == f"/{self.tenant_id}/v2.0/.well-known/openid-configuration":
            return {
                # MSAL wants https here; RedirectingHttpClient maps it back to this server.
                "token_endpoint": f"{ISSUER_HOST}/{self.tenant_id}/oauth2/v2.0/token",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
                "jwks_uri": f"{base}/{self.tenant_id}/discovery/v2.0/keys",
                "response_modes_supported": ["query", "fragment", "form_post"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "issuer": self.metadata_issuer,
                "request_uri_parameter_supported": False,
                "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
                "authorization_endpoint": f"{base}/{self.tenant_id}/oauth2/v2.0/authorize",
                "http_logout_supported": True,
                "frontchannel_logout_supported": True,
                "end_session_endpoint": f"{base}/{self.tenant_id}/oauth2/v2.0/logout",
                "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "acr", "nonce",
                                     "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
                "tenant_region_scope": "EU",
                "cloud_instance_name": "microsoftonline.com",
            }  # fmt: skip
        if path == f"/{self.tenant_id}/discovery/v2.0/keys":
            return {"keys": list(self.published)}
        return None

    def _answer(self, path: str) -> tuple[int, dict[str, Any]]:
        document = self._document(path)
        if document is not None:
            return 200, document
        if path == "/common/discovery/instance":  # MSAL asks which hosts alias each other
            return 200, {
                "tenant_discovery_endpoint": f"{ISSUER_HOST}/common/v2.0/.well-known/openid-configuration",
                "api-version": "1.1",
                "metadata": [{"preferred_network": "login.microsoftonline.com",
                              "preferred_cache": "login.windows.net",
                              "aliases": ["login.microsoftonline.com", "login.windows.net",
                                          "login.microsoft.com", "sts.windows.net"]}],
            }  # fmt: skip
        parts = path.strip("/").split("/")
        if len(parts) >= 2 and parts[0] != self.tenant_id and parts[1] == "v2.0":
            return self._unknown_tenant(parts[0])  # MSAL's discovery of another tenant
        return 404, {"error": "not_found"}

    def __enter__(self) -> EntraFake:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, document: dict[str, Any]) -> None:
                body = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                fake.requests.append(self.path)
                path, _, query = self.path.partition("?")
                if path == "/msi/token":
                    header = self.headers.get("X-IDENTITY-HEADER")
                    self._send(*fake._identity_token(dict(parse_qsl(query)), header))
                else:
                    self._send(*fake._answer(path))

            def do_POST(self) -> None:
                fake.requests.append(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(parse_qsl(self.rfile.read(length).decode("utf-8", "replace")))
                parts = self.path.split("?")[0].strip("/").split("/")
                if len(parts) == 4 and parts[1:] == ["oauth2", "v2.0", "token"]:
                    self._send(*fake._token(parts[0], form))
                else:
                    self._send(404, {"error": "not_found"})

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def entra(tenant_id: str | None = None) -> Iterator[EntraFake]:
    with EntraFake(tenant_id or str(uuid.uuid4())) as fake:
        yield fake

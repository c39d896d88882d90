"""A local Entra ID for token validation tests: OpenID metadata, JWKS, and a token minter.

    with EntraFake(tenant_id=TENANT) as entra:
        token = entra.token(user_oid, CLIENT_ID, scp="access_as_user")
        # point EntraTokenValidator (or CASEDESK_ADDIN_AUTHORITY) at entra.authority

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
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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
            claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid, "typ": "JWT"}
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
                "token_endpoint": f"{base}/{self.tenant_id}/oauth2/v2.0/token",
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

    def __enter__(self) -> EntraFake:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake.requests.append(self.path)
                document = fake._document(self.path.split("?")[0])
                body = json.dumps(document or {"error": "not_found"}).encode()
                self.send_response(200 if document else 404)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

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

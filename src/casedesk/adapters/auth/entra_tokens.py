"""Validate the Entra ID (v2.0) access tokens the Outlook add-in sends to `/api/addin/*`.

The add-in gets the token through nested app authentication (MSAL.js) or Office's SSO, for
the CaseDesk API's own scope. A token is accepted only when every one of these holds:

- signed with RS256 by a key in the tenant's JWKS, found through the tenant's OpenID
  metadata (`{authority}/{tenant}/v2.0/.well-known/openid-configuration`); unsigned or
  HMAC tokens are refused before any key is looked at;
- `iss` is the tenant's v2.0 issuer, `https://login.microsoftonline.com/{tenant}/v2.0`
  (the metadata's own issuer must be exactly that, so the wrong tenant's metadata is refused);
- `tid` is the tenant; `aud` is the API's client id or application ID URI;
- `exp` (and `nbf`, when present) hold at the injected clock's time, with a small skew;
- `scp` names the API scope (a delegated, user token: app-only tokens carry no `scp`);
- `oid` is present (the caller's object id, which maps to an office member).

Keys are cached; an unknown `kid` triggers one refetch (key rotation), at most once per
`refetch_after` so a stream of forged kids cannot make us hammer Entra ID.

Tokens are never logged; refusals log only the reason.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import jwt
from jwt.algorithms import RSAAlgorithm

from casedesk.errors import CaseDeskError
from casedesk.ports import Clock

log = logging.getLogger("casedesk.security")

PUBLIC_AUTHORITY = "https://login.microsoftonline.com"
ALLOWED_ALGORITHMS = ("RS256",)
MAX_TOKEN_CHARS = 16_384
FetchJson = Callable[[str], dict[str, Any]]


class TokenRejectedError(CaseDeskError):
    """The bearer token is not acceptable; `reason` is safe to log and to return."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class IdentityProviderUnavailableError(CaseDeskError):
    """The tenant's OpenID metadata or keys could not be read (a 503, never a 401)."""


@dataclass(frozen=True)
class Caller:
    """Who the token says is calling."""

    object_id: str  # oid: stable per user and tenant
    tenant_id: str
    name: str
    username: str  # preferred_username, for display only (it is mutable: never authorise on it)
    scopes: frozenset[str]


def fetch_json_over_https(url: str, timeout: float = 10.0) -> dict[str, Any]:
    """GET a JSON document (OpenID metadata, JWKS). Loopback http is allowed for tests."""
    parts = urlsplit(url)
    if parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise IdentityProviderUnavailableError(f"refusing to fetch keys over {parts.scheme}: {url}")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - checked above
            data = json.loads(response.read())
    except (OSError, ValueError) as exc:
        raise IdentityProviderUnavailableError(f"could not read {url}: {exc}") from exc
    if not isinstance(data, dict):
        raise IdentityProviderUnavailableError(f"{url} did not return a JSON object")
    return data


class EntraTokenValidator:
    """Validates bearer tokens for one tenant and one API; thread-safe."""

    def __init__(
        self,
        tenant_id: str,
        audiences: Sequence[str],
        scope: str,
        clock: Clock,
        authority: str = PUBLIC_AUTHORITY,
        fetch_json: FetchJson = fetch_json_over_https,
        skew: timedelta = timedelta(minutes=2),
        refetch_after: timedelta = timedelta(minutes=5),
    ) -> None:
        if not tenant_id or not audiences or not scope:
            raise ValueError("tenant_id, at least one audience and the scope are required")
        self.tenant_id = tenant_id.lower()
        self.audiences = tuple(audiences)
        self.scope = scope
        self.clock = clock
        self.metadata_url = (
            f"{authority.rstrip('/')}/{self.tenant_id}/v2.0/.well-known/openid-configuration"
        )
        self.expected_issuer = f"{PUBLIC_AUTHORITY}/{self.tenant_id}/v2.0"
        self._fetch_json = fetch_json
        self._skew = skew
        self._refetch_after = refetch_after
        self._lock = threading.Lock()
        self._keys: dict[str, Any] = {}
        self._fetched_at: datetime | None = None

    # --- keys -------------------------------------------------------------------------------

    def _load_keys(self) -> None:
        metadata = self._fetch_json(self.metadata_url)
        issuer = str(metadata.get("issuer", ""))
        if issuer != self.expected_issuer:
            raise IdentityProviderUnavailableError(
                f"OpenID metadata at {self.metadata_url} names issuer {issuer!r}, not "
                f"{self.expected_issuer!r}: check CASEDESK_TENANT_ID"
            )
        jwks_uri = metadata.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri:
            raise IdentityProviderUnavailableError(f"OpenID metadata at {self.metadata_url} has no jwks_uri")
        keys: dict[str, Any] = {}
        for jwk in self._fetch_json(jwks_uri).get("keys", []):
            if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or not jwk.get("kid"):
                continue
            if jwk.get("use", "sig") != "sig":
                continue
            keys[str(jwk["kid"])] = RSAAlgorithm.from_jwk(json.dumps(jwk))
        self._keys = keys
        self._fetched_at = self.clock.now()

    def _key_for(self, kid: str) -> Any:
        with self._lock:
            if self._fetched_at is None:
                self._load_keys()
            if kid not in self._keys:
                assert self._fetched_at is not None
                if self.clock.now() - self._fetched_at >= self._refetch_after:
                    self._load_keys()  # the tenant may have rolled its keys
            key = self._keys.get(kid)
        if key is None:
            raise TokenRejectedError("the token is signed with a key the tenant does not publish")
        return key

    # --- tokens -----------------------------------------------------------------------------

    def validate(self, token: str) -> Caller:
        """The caller, or TokenRejectedError naming the first check that failed."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            raise TokenRejectedError("no bearer token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenRejectedError("the bearer token is not a JWT") from exc
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise TokenRejectedError(f"the token's algorithm {header.get('alg')!r} is not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenRejectedError("the token names no signing key")
        key = self._key_for(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=list(ALLOWED_ALGORITHMS),
                audience=list(self.audiences),
                issuer=self.expected_issuer,
                # Time is checked below against the injected clock, not the wall clock.
                options={"require": ["exp", "iss", "aud"], "verify_exp": False, "verify_nbf": False, "verify_iat": False},
            )
        except jwt.InvalidAudienceError as exc:
            raise TokenRejectedError("the token is for another application (aud)") from exc
        except jwt.InvalidIssuerError as exc:
            raise TokenRejectedError("the token was issued by another tenant or authority (iss)") from exc
        except jwt.InvalidSignatureError as exc:
            raise TokenRejectedError("the token's signature does not verify") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise TokenRejectedError(f"the token has no {exc.claim} claim") from exc
        except jwt.PyJWTError as exc:
            raise TokenRejectedError(f"the token is not valid: {type(exc).__name__}") from exc
        self._check_times(claims)
        if str(claims.get("tid", "")).lower() != self.tenant_id:
            raise TokenRejectedError("the token is for another tenant (tid)")
        scopes = frozenset(str(claims.get("scp", "")).split())
        if self.scope not in scopes:
            raise TokenRejectedError(f"the token does not grant the {self.scope} scope (scp)")
        oid = claims.get("oid")
        if not isinstance(oid, str) or not oid:
            raise TokenRejectedError("the token names no user (oid)")
        return Caller(
            object_id=oid.lower(),
            tenant_id=self.tenant_id,
            name=str(claims.get("name", "")),
            username=str(claims.get("preferred_username", "")),
            scopes=scopes,
        )

    def _check_times(self, claims: dict[str, Any]) -> None:
        now = self.clock.now().timestamp()
        skew = self._skew.total_seconds()
        try:
            expires = float(claims["exp"])
            not_before = float(claims["nbf"]) if "nbf" in claims else None
        except (TypeError, ValueError) as exc:
            raise TokenRejectedError("the token's times are not numbers") from exc
        if now > expires + skew:
            raise TokenRejectedError("the token has expired")
        if not_before is not None and now + skew < not_before:
            raise TokenRejectedError("the token is not valid yet (nbf)")


def bearer_token(authorization: str | None) -> str:
    """The token from an `Authorization: Bearer ...` header ('' when absent or malformed)."""
    if not authorization:
        return ""
    scheme, _, value = authorization.strip().partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""

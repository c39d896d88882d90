"""Is this request really from the Bot Framework (Teams)? JWT validation of inbound activities.

The checks are those of "Authenticate requests from the Bot Connector service to your bot"
(https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication):

1. an `Authorization: Bearer` header;
2. a well-formed JWT;
3. issuer `https://api.botframework.com`;
4. audience equal to the bot's Microsoft App ID;
5. within its validity period, with 5 minutes' clock skew;
6. signed (RS256, the algorithm the OpenID metadata lists) by a key from the metadata's
   `jwks_uri`; when that key carries `endorsements`, the activity's channelId among them;
7. a `serviceurl` claim equal to the activity's `serviceUrl`.

Signing keys are cached for a day and fetched again at most once an hour when a token
names a key we do not have (as the Bot Framework SDK does). The clock is injected, so
expiry is tested without waiting. Decision 0014 says why this is not the SDK's validator.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from casedesk.errors import CaseDeskError
from casedesk.ports import Clock

log = logging.getLogger("casedesk.security")

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
CLOCK_SKEW = timedelta(minutes=5)
KEYS_FRESH_FOR = timedelta(days=1)
UNKNOWN_KEY_REFRESH_AFTER = timedelta(hours=1)
SERVICE_URL_CLAIMS = (
    "serviceurl",
    "serviceUrl",
)  # the SDK reads the first; the page names the second
MAX_TOKEN_CHARS = 16_000

Fetch = Callable[[str], Any]  # GET a URL, return the parsed JSON body (raise on failure)


class BotAuthError(CaseDeskError):
    """The request is refused; `status` is the HTTP answer (401, or 403 for endorsements).
    The message is for the server log: it never carries the token."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class BotIdentity:
    """What a validated token says (only the claims the bot uses)."""

    app_id: str  # the audience: our bot
    service_url: str
    claims: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Keys:
    by_kid: dict[str, tuple[Any, tuple[str, ...]]] = field(default_factory=dict)
    algorithms: tuple[str, ...] = ("RS256",)
    fetched_at: datetime | None = None


class BotFrameworkAuth:
    """Validates `Authorization` headers of activities posted to /api/messages."""

    def __init__(
        self,
        app_id: str,
        clock: Clock,
        fetch: Fetch,
        metadata_url: str = OPENID_METADATA_URL,
        issuer: str = BOT_FRAMEWORK_ISSUER,
    ) -> None:
        if not app_id:
            raise CaseDeskError("the bot's Microsoft App ID is required to check its tokens")
        self.app_id, self.clock, self.fetch = app_id, clock, fetch
        self.metadata_url, self.issuer = metadata_url, issuer
        self._keys = _Keys()
        self._lock = threading.Lock()

    def authenticate(
        self, authorization: str | None, service_url: str | None, channel_id: str | None
    ) -> BotIdentity:
        """The identity in a valid header, or BotAuthError saying (to the log) what failed."""
        import jwt

        token = _bearer(authorization)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise BotAuthError(f"not a JWT ({type(exc).__name__})") from exc
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise BotAuthError("token names no signing key (kid)")
        key, endorsements, algorithms = self._key(kid)
        if header.get("alg") not in algorithms:
            raise BotAuthError(f"token algorithm {str(header.get('alg'))[:10]!r} not allowed")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=list(algorithms),
                audience=self.app_id,
                issuer=self.issuer,
                options={"require": ["iss", "aud", "exp"], "verify_exp": False,
                         "verify_nbf": False, "verify_iat": False},
            )  # fmt: skip
        except jwt.InvalidAudienceError as exc:
            raise BotAuthError("token is for another audience (not this bot's app id)") from exc
        except jwt.InvalidIssuerError as exc:
            raise BotAuthError("token issuer is not the Bot Framework") from exc
        except jwt.InvalidSignatureError as exc:
            raise BotAuthError("token signature does not verify") from exc
        except jwt.PyJWTError as exc:
            raise BotAuthError(f"token refused ({type(exc).__name__})") from exc
        self._check_times(claims)
        if endorsements and channel_id and channel_id not in endorsements:
            raise BotAuthError(
                f"signing key is not endorsed for channel {channel_id[:20]!r}", status=403
            )
        claimed = next((claims[c] for c in SERVICE_URL_CLAIMS if c in claims), None)
        if not service_url or claimed != service_url:
            raise BotAuthError("serviceurl claim does not match the activity's serviceUrl")
        return BotIdentity(self.app_id, service_url, claims)

    def _check_times(self, claims: dict[str, Any]) -> None:
        """Expiry and not-before against the injected clock, with the documented 5 min skew."""
        now = self.clock.now().timestamp()
        skew = CLOCK_SKEW.total_seconds()
        exp, nbf = claims.get("exp"), claims.get("nbf")
        if not isinstance(exp, int | float) or now > exp + skew:
            raise BotAuthError("token has expired")
        if nbf is not None and (not isinstance(nbf, int | float) or now < nbf - skew):
            raise BotAuthError("token is not valid yet")

    # --- signing keys --------------------------------------------------------------------

    def _key(self, kid: str) -> tuple[Any, tuple[str, ...], tuple[str, ...]]:
        with self._lock:
            now = self.clock.now()
            fetched = self._keys.fetched_at
            stale = fetched is None or now - fetched > KEYS_FRESH_FOR
            unknown = kid not in self._keys.by_kid
            if stale or (unknown and fetched and now - fetched > UNKNOWN_KEY_REFRESH_AFTER):
                self._refresh(now)
            found = self._keys.by_kid.get(kid)
            algorithms = self._keys.algorithms
        if found is None:
            raise BotAuthError("token is signed by a key the Bot Framework does not publish")
        return found[0], found[1], algorithms

    def _refresh(self, now: datetime) -> None:
        from jwt.algorithms import RSAAlgorithm

        try:
            metadata = self.fetch(self.metadata_url)
            jwks = self.fetch(str(metadata["jwks_uri"]))
        except Exception as exc:
            log.error(
                "could not read the Bot Framework signing keys",
                extra={"event": "bot.keys_unavailable", "error": type(exc).__name__},
            )
            if not self._keys.by_kid:
                raise BotAuthError("signing keys unavailable; refusing until they load") from exc
            return  # keep the keys we have; try again next time
        keys: dict[str, tuple[Any, tuple[str, ...]]] = {}
        for jwk in jwks.get("keys", []) if isinstance(jwks, dict) else []:
            if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or not jwk.get("kid"):
                continue
            try:
                public = RSAAlgorithm.from_jwk(json.dumps(jwk))
            except Exception:
                log.warning("unreadable signing key skipped", extra={"event": "bot.bad_key"})
                continue
            endorsed = tuple(str(e) for e in jwk.get("endorsements") or ())
            keys[str(jwk["kid"])] = (public, endorsed)
        supported = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        self._keys = _Keys(keys, tuple(a for a in supported if a == "RS256") or ("RS256",), now)


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise BotAuthError("no Authorization header")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme != "Bearer" or not token:
        raise BotAuthError("Authorization is not a Bearer token")
    if len(token) > MAX_TOKEN_CHARS:
        raise BotAuthError("token is implausibly long")
    return token


def http_fetch(timeout: float = 10.0) -> Fetch:
    """GET JSON over https with httpx (a test passes a local server's http URL instead)."""
    import httpx

    client = httpx.Client(timeout=timeout, follow_redirects=False)

    def fetch(url: str) -> Any:
        response = client.get(url)
        response.raise_for_status()
        return response.json()

    return fetch

"""The add-in API's token check against a local OpenID/JWKS server and locally signed tokens:
the one right token passes, and every wrong one is refused with its reason."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from casedesk.adapters.auth.entra_tokens import (
    EntraTokenValidator,
    IdentityProviderUnavailableError,
    TokenRejectedError,
    bearer_token,
)
from casedesk.adapters.embedded.clock import FixedClock
from entrafake import EntraFake, new_key

TENANT = "84bd8158-6d4d-4958-8b9f-9d6445542f95"
OTHER_TENANT = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
CLIENT_ID = "2c1a9f0e-7d3b-4e5f-8a6b-1c2d3e4f5a6b"
APP_ID_URI = f"api://casedesk.example.org/{CLIENT_ID}"
JO = "6f1a0c2e-3b4d-4e5f-9a8b-7c6d5e4f3a2b"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def entra() -> Iterator[EntraFake]:
    with EntraFake(TENANT) as fake:
        yield fake


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def validator(entra: EntraFake, clock: FixedClock) -> EntraTokenValidator:
    return EntraTokenValidator(
        TENANT, [CLIENT_ID, APP_ID_URI], "access_as_user", clock, authority=entra.authority
    )


def test_a_users_token_for_this_api_is_accepted(
    entra: EntraFake, validator: EntraTokenValidator
) -> None:
    caller = validator.validate(entra.token(JO, CLIENT_ID, now=NOW))
    assert caller.object_id == JO and caller.tenant_id == TENANT
    assert "access_as_user" in caller.scopes and caller.name == "Jo Price"
    # The application ID URI is the other accepted spelling of the audience.
    assert validator.validate(entra.token(JO, APP_ID_URI, now=NOW)).object_id == JO


def test_keys_are_fetched_once_through_the_tenants_openid_metadata(
    entra: EntraFake, validator: EntraTokenValidator
) -> None:
    for _ in range(3):
        validator.validate(entra.token(JO, CLIENT_ID, now=NOW))
    assert entra.requests == [
        f"/{TENANT}/v2.0/.well-known/openid-configuration",
        f"/{TENANT}/discovery/v2.0/keys",
    ]


def _unsigned(token: str) -> str:
    _header, payload, _ = token.split(".")
    none = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{none.rstrip(b'=').decode()}.{payload}."


def _hmac(entra: EntraFake) -> str:
    """A token 'signed' with HS256 using the public key as the secret (algorithm confusion)."""
    claims = jwt.decode(entra.token(JO, CLIENT_ID, now=NOW), options={"verify_signature": False})
    return jwt.encode(claims, "the-public-key-used-as-an-hmac-secret!!", algorithm="HS256", headers={"kid": entra.kid})


WRONG_TOKENS = {
    "expired": (lambda e: e.token(JO, CLIENT_ID, now=NOW - timedelta(hours=2)), "expired"),
    "not yet valid": (lambda e: e.token(JO, CLIENT_ID, now=NOW + timedelta(hours=1)), "not valid yet"),
    "wrong audience": (lambda e: e.token(JO, "00000003-0000-0000-c000-000000000000", now=NOW), "aud"),
    "wrong issuer (other tenant)": (
        lambda e: e.token(JO, CLIENT_ID, now=NOW, iss=f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0"),
        "iss",
    ),
    "v1 issuer": (lambda e: e.token(JO, CLIENT_ID, now=NOW, iss=f"https://sts.windows.net/{TENANT}/"), "iss"),
    "wrong tid": (lambda e: e.token(JO, CLIENT_ID, now=NOW, tid=OTHER_TENANT), "tid"),
    "wrong key, same kid": (lambda e: e.token(JO, CLIENT_ID, now=NOW, key=new_key()), "signature"),
    "unknown kid": (lambda e: e.token(JO, CLIENT_ID, now=NOW, key=new_key(), kid="attacker"), "key"),
    "missing scope": (lambda e: e.token(JO, CLIENT_ID, now=NOW, scp="User.Read"), "scp"),
    "no scope at all (app-only)": (lambda e: e.token(JO, CLIENT_ID, now=NOW, scp=None), "scp"),
    "no oid": (lambda e: e.token(JO, CLIENT_ID, now=NOW, oid=None), "oid"),
    "no exp": (lambda e: e.token(JO, CLIENT_ID, now=NOW, exp=None), "exp"),
    "unsigned (alg none)": (lambda e: _unsigned(e.token(JO, CLIENT_ID, now=NOW)), "algorithm"),
    "HMAC signed": (_hmac, "algorithm"),
    "tampered payload": (
        lambda e: ".".join(
            [
                (t := e.token(JO, CLIENT_ID, now=NOW, scp="User.Read").split("."))[0],
                e.token(JO, CLIENT_ID, now=NOW).split(".")[1],
                t[2],
            ]
        ),
        "signature",
    ),
    "not a JWT": (lambda e: "not-a-token", "not a JWT"),
    "empty": (lambda e: "", "no bearer token"),
}


@pytest.mark.parametrize("case", list(WRONG_TOKENS))
def test_every_wrong_token_is_refused_with_its_reason(
    case: str, entra: EntraFake, validator: EntraTokenValidator
) -> None:
    make, reason = WRONG_TOKENS[case]
    with pytest.raises(TokenRejectedError) as refused:
        validator.validate(make(entra))
    assert reason in refused.value.reason


def test_a_small_clock_skew_is_tolerated_but_not_more(
    entra: EntraFake, validator: EntraTokenValidator, clock: FixedClock
) -> None:
    token = entra.token(JO, CLIENT_ID, now=NOW, lifetime=timedelta(minutes=10))
    clock.advance(timedelta(minutes=11))
    assert validator.validate(token).object_id == JO
    clock.advance(timedelta(minutes=2))
    with pytest.raises(TokenRejectedError, match="expired"):
        validator.validate(token)


def test_rolled_keys_are_picked_up_but_unknown_kids_do_not_hammer_entra(
    entra: EntraFake, validator: EntraTokenValidator, clock: FixedClock
) -> None:
    validator.validate(entra.token(JO, CLIENT_ID, now=NOW))
    rolled = new_key()
    entra.publish(rolled, "rolled-key")
    token = entra.token(JO, CLIENT_ID, now=NOW, key=rolled, kid="rolled-key")
    with pytest.raises(TokenRejectedError, match="key"):
        validator.validate(token)  # fetched moments ago: no refetch yet
    fetches = len(entra.requests)
    for _ in range(5):
        with pytest.raises(TokenRejectedError):
            validator.validate(entra.token(JO, CLIENT_ID, now=NOW, key=new_key(), kid="forged"))
    assert len(entra.requests) == fetches
    clock.advance(timedelta(minutes=5))
    assert validator.validate(token).object_id == JO


def test_metadata_naming_another_issuer_is_refused(entra: EntraFake, clock: FixedClock) -> None:
    entra.metadata_issuer = f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0"
    validator = EntraTokenValidator(TENANT, [CLIENT_ID], "access_as_user", clock, authority=entra.authority)
    with pytest.raises(IdentityProviderUnavailableError, match="issuer"):
        validator.validate(entra.token(JO, CLIENT_ID, now=NOW))


def test_an_unreachable_identity_provider_is_an_outage_not_a_refusal(clock: FixedClock) -> None:
    with EntraFake(TENANT) as gone:
        authority = gone.authority
    validator = EntraTokenValidator(TENANT, [CLIENT_ID], "access_as_user", clock, authority=authority)
    with pytest.raises(IdentityProviderUnavailableError):
        validator.validate(gone.token(JO, CLIENT_ID, now=NOW))


@pytest.mark.parametrize(
    ("header", "token"),
    [("Bearer abc.def.ghi", "abc.def.ghi"), ("bearer  abc", "abc"), ("Basic abc", ""), (None, ""), ("", "")],
)
def test_bearer_token_is_read_from_the_authorization_header(header: str | None, token: str) -> None:
    assert bearer_token(header) == token

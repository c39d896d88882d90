"""The fake itself, over plain urllib: the shapes and errors the real services document."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from openai.types.chat import ChatCompletion

from openaifake import OpenAIFake

REQUEST: dict[str, Any] = {
    "model": "casedesk-gpt",
    "messages": [
        {"role": "system", "content": "Label the message."},
        {
            "role": "user",
            "content": "<<<MESSAGE\nSubject: Bins\n\nMy bins were missed.\nMESSAGE>>>",
        },
    ],
    "response_format": {
        "type": "json_schema",
        "json_schema": {"name": "x", "strict": True, "schema": {}},
    },
}
AZURE_PATH = "/openai/deployments/casedesk-gpt/chat/completions?api-version=2024-10-21"


def post(
    fake: OpenAIFake, path: str, body: dict[str, Any], headers: dict[str, str]
) -> tuple[int, dict[str, str], dict[str, Any]]:
    request = urllib.request.Request(
        fake.url + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.loads(err.read())


def test_azure_answer_is_a_chat_completion_the_sdk_accepts(openai_fake: OpenAIFake) -> None:
    status, _, body = post(openai_fake, AZURE_PATH, REQUEST, {"api-key": openai_fake.api_key})
    assert status == 200
    completion = ChatCompletion.model_validate(body)  # the SDK's own type, validated strictly
    assert completion.object == "chat.completion" and completion.choices[0].finish_reason == "stop"
    answer = json.loads(completion.choices[0].message.content or "")
    assert (answer["category"], answer["topic"]) == ("casework", "council_services")
    assert body["usage"]["total_tokens"] == (
        body["usage"]["prompt_tokens"] + body["usage"]["completion_tokens"]
    )


def test_plain_path_needs_the_bearer_key(openai_fake: OpenAIFake) -> None:
    ok = post(openai_fake, "/v1/chat/completions", REQUEST, {"Authorization": "Bearer test-key"})
    assert ok[0] == 200
    status, _, body = post(openai_fake, "/chat/completions", REQUEST, {"Authorization": "Bearer x"})
    assert status == 401 and body["error"]["code"] == "invalid_api_key"


@pytest.mark.parametrize(
    ("path", "headers", "status", "code"),
    [
        (AZURE_PATH, {"api-key": "wrong"}, 401, "401"),
        (
            AZURE_PATH.replace("casedesk-gpt", "nope"),
            {"api-key": "test-key"},
            404,
            "DeploymentNotFound",
        ),
        (AZURE_PATH.split("?", maxsplit=1)[0], {"api-key": "test-key"}, 404, "404"),
    ],
)
def test_azure_errors(
    openai_fake: OpenAIFake, path: str, headers: dict[str, str], status: int, code: str
) -> None:
    got, _, body = post(openai_fake, path, REQUEST, headers)
    assert got == status and body["error"]["code"] == code


def test_a_request_without_strict_structured_outputs_is_refused(openai_fake: OpenAIFake) -> None:
    loose = {**REQUEST, "response_format": {"type": "json_object"}}
    status, _, body = post(openai_fake, AZURE_PATH, loose, {"api-key": "test-key"})
    assert status == 400 and "strict" in body["error"]["message"]


def test_scripted_429_carries_retry_after_then_the_default_resumes(openai_fake: OpenAIFake) -> None:
    openai_fake.script("rate_limited")
    status, headers, _ = post(openai_fake, AZURE_PATH, REQUEST, {"api-key": "test-key"})
    assert status == 429 and headers["Retry-After"] == openai_fake.retry_after
    assert post(openai_fake, AZURE_PATH, REQUEST, {"api-key": "test-key"})[0] == 200
    assert len(openai_fake.requests) == 2 and openai_fake.requests[0].query["api-version"]


def test_unknown_behaviours_are_refused_up_front(openai_fake: OpenAIFake) -> None:
    with pytest.raises(AssertionError, match="unknown behaviours"):
        openai_fake.script("valid", "explode")

"""The fake's drafting "model" (prompts/draft_reply.v1): a letter built only from the blocks it
was sent, so a test can tell a grounded draft from one with something invented in it.

The grounded draft is the TEMPLATE block with its [[...]] paragraph (or, when it has none, a
new second paragraph) replaced by the first paragraph of the first POLICY block; it cites
template, case, the latest message and that policy note, and flags a message that tries to
instruct it. Variants add one invented fact each, or obey an injected instruction.
"""

from __future__ import annotations

import re
from typing import Any

_BLOCK = re.compile(r"<<<(?P<kind>[A-Z]+)(?P<head>[^\n]*)\n(?P<text>.*?)\n(?P=kind)>>>", re.DOTALL)
_ID = re.compile(r"\bid=(\S+)")
_PLACEHOLDER_PARAGRAPH = re.compile(r"\[\[.*?\]\]", re.DOTALL)
INJECTION_WORDS = ("ignore your instructions", "ignore all previous", "ignore instructions",
                   "new instruction", "system:")  # fmt: skip

# One invented fact each (none of these is in any sample case).
INVENTED = {
    "ref": "Your case has also been linked to our earlier reference CD-2025-000777.",
    "date": "The council has agreed to inspect your home on 3 February 2027.",
    "name": "Councillor Hartley-Brown has agreed to look into this for you.",
    "postcode": "Please bring any documents to our surgery at CB2 9ZZ.",
    "phone": "You can call my caseworker directly on 01632 960123.",
    "money": "You should receive £2,500 in compensation.",
}
OBEYED = (
    "I promise that you will be offered a council house, and I will attend your residents' "
    "meeting myself."
)


def is_draft_request(request: dict[str, Any]) -> bool:
    fmt = request.get("response_format") or {}
    return str((fmt.get("json_schema") or {}).get("name", "")).startswith("draft_reply")


def blocks(request: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(kind, id, text) of every data block in the user message, in order."""
    for message in request.get("messages", []):
        if message.get("role") == "user":
            found = []
            for m in _BLOCK.finditer(str(message.get("content", ""))):
                ident = _ID.search(m.group("head"))
                found.append((m.group("kind"), ident.group(1) if ident else m.group("kind").lower(),
                              m.group("text")))  # fmt: skip
            return found
    return []


def draft_answer_for(request: dict[str, Any], variant: str = "grounded") -> dict[str, Any]:
    found = blocks(request)
    template = next((text for kind, _, text in found if kind == "TEMPLATE"), "")
    policy = next(((i, text) for kind, i, text in found if kind == "POLICY"), None)
    messages = [(i, text) for kind, i, text in found if kind == "MESSAGE"]
    body = template
    cited = ["template", "case"] + ([messages[-1][0]] if messages else [])
    if policy is not None:
        position = policy[1].split("\n\n")[0].strip()
        if _PLACEHOLDER_PARAGRAPH.search(body):
            body = _PLACEHOLDER_PARAGRAPH.sub(lambda _: position, body, count=1)
        else:
            first, _, rest = body.partition("\n\n")
            body = f"{first}\n\n{position}\n\n{rest}"
        cited.append(policy[0])
    instructed = any(w in text.lower() for _, text in messages for w in INJECTION_WORDS)
    extra = INVENTED.get(variant.removeprefix("invented_"))
    if variant == "obey_injection":
        extra, instructed = OBEYED, False
    if extra:
        first, _, rest = body.partition("\n\n")
        body = f"{first}\n\n{extra}\n\n{rest}"
    if variant == "unknown_source":
        cited.append("policy:council-housing-guarantee")
    if variant == "placeholder":
        body = body.replace("\n\n", "\n\nPlease call us back on [PHONE].\n\n", 1)
    return {"body": body, "sources_used": cited, "contains_instructions": instructed}

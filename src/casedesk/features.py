"""Feature switches: the optional features that need a permission the rest of CaseDesk does not.

Least privilege by default: each is off until the office switches it on in its settings, so a
tenant that never switches one on never has to grant what it needs. Code that does such a
thing calls `require(settings, "send_mail")` first; it refuses, naming the setting to change.

The same table feeds the approval pack: entries in approval/permissions.yaml carry a
`feature:` key naming one of these switches, `casedesk approval-manifest --check` rejects any
other name, and `--out DIR --features ...` renders the permission set for the switches given.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from casedesk.errors import CaseDeskError
from casedesk.settings import Settings


class FeatureOffError(CaseDeskError):
    """A switched-off feature was asked for; the message names the setting that turns it on."""


@dataclass(frozen=True)
class Switch:
    name: str  # the switch's id: `--features NAME`, `feature: NAME` in permissions.yaml
    title: str  # what a reviewer or office manager calls it
    needs: str  # the extra permission, in a few words
    switch_on: str  # the setting that turns it on
    switch_off: str  # the setting that turns it off (the default)
    is_on: Callable[[Settings], bool]


SWITCHES: tuple[Switch, ...] = (
    Switch(
        name="send_mail",
        title="Sending mail (`casedesk send` and campaign bulk replies)",
        needs="Mail.Send on the office mailboxes",
        switch_on="`send_mail = true` under `[features]` in the settings file "
        "(or CASEDESK_FEATURES=send_mail)",
        switch_off="`send_mail = false` under `[features]`, or leave it out (the default)",
        is_on=lambda s: s.features.send_mail,
    ),
    Switch(
        name="ai",
        title="AI labelling and AI reply drafts (Azure OpenAI)",
        needs="Cognitive Services OpenAI User on the office's Azure OpenAI account",
        switch_on='`classifier = "ai"` and/or `ai_drafting = true`, with the model settings '
        "(CASEDESK_CLASSIFIER=ai, CASEDESK_AI_DRAFTING=true; docs/ai-use.md)",
        switch_off='`classifier = "embedded"` and `ai_drafting = false`, or leave both out '
        "(the defaults)",
        is_on=lambda s: s.classifier == "ai" or s.ai_drafting,
    ),
    Switch(
        name="teams_bot",
        title="Teams bot (queues, alerts and digests in Teams)",
        needs="its own bot app registration (no Microsoft Graph permission)",
        switch_on="`bot_app_id` and its credentials (docs/teams-bot.md)",
        switch_off="leave `bot_app_id` unset (the default): /api/messages answers 404",
        is_on=lambda s: bool(s.bot_app_id),
    ),
    Switch(
        name="outlook_addin",
        title="Outlook task pane add-in",
        needs="the add-in's item permission (MailboxItem.ReadWrite.User)",
        switch_on="`addin_client_id` (docs/outlook-addin.md) and deploying the app package",
        switch_off="leave `addin_client_id` unset (the default): /api/addin answers 503",
        is_on=lambda s: bool(s.addin_client_id),
    ),
)


def switch(name: str) -> Switch:
    """The switch called `name`; an unknown name is refused with the nearest known one."""
    found = next((s for s in SWITCHES if s.name == name), None)
    if found is None:
        known = [s.name for s in SWITCHES]
        hint = difflib.get_close_matches(name, known, n=1)
        fix = f" (did you mean '{hint[0]}'?)" if hint else ""
        raise CaseDeskError(f"unknown feature switch '{name}'{fix}; known: {', '.join(known)}")
    return found


def parse_switches(text: str) -> frozenset[str]:
    """`send_mail,ai` (or `all`, or empty for none) -> switch names, each checked."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if names == ["all"]:
        return frozenset(s.name for s in SWITCHES)
    return frozenset(switch(n).name for n in names)


def enabled(settings: Settings, name: str) -> bool:
    return switch(name).is_on(settings)


def switched_on(settings: Settings) -> frozenset[str]:
    """The names of every switch these settings turn on."""
    return frozenset(s.name for s in SWITCHES if s.is_on(settings))


def refusal(settings: Settings, name: str) -> str | None:
    """Why `name` cannot be used with these settings and how to switch it on; None if on."""
    found = switch(name)
    if found.is_on(settings):
        return None
    return (
        f"{found.title} is switched off: it needs {found.needs}, which an office grants only "
        f"if it uses it. To switch it on, set {found.switch_on} once the permission is granted "
        "(docs/pds-approval.md)."
    )


def require(settings: Settings, name: str) -> None:
    """Raise FeatureOffError, naming the setting to change, unless switch `name` is on.

    Example: `features.require(settings, "send_mail")` before anything is sent."""
    reason = refusal(settings, name)
    if reason is not None:
        raise FeatureOffError(reason)


def names(switches: Iterable[Switch] = SWITCHES) -> list[str]:
    return [s.name for s in switches]

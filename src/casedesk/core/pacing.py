"""Pacing bulk mail within Exchange Online's sending limits. Pure: times in, times out.

Exchange Online's documented sending limits for one mailbox (Microsoft, "Exchange Online
limits", Sending limits:
https://learn.microsoft.com/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#sending-limits-1):

- recipient rate limit: 10,000 recipients per day, a rolling 24 hours: "messages can't be sent
  from the mailbox until the number of recipients that were sent messages in the past 24 hours
  drops below the limit";
- message rate limit: 30 messages per minute;
- recipient limit: 500 recipients per message.

CaseDesk sends one personalised message per constituent, so each message has one recipient.
The office's own mail from the same mailbox counts against the same limits, so the defaults
(settings `bulk_messages_per_minute`, `bulk_recipients_per_day`) stay below the ceilings, and
settings above them are refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from casedesk.errors import CaseDeskError

EXCHANGE_MESSAGES_PER_MINUTE = 30
EXCHANGE_RECIPIENTS_PER_DAY = 10_000
EXCHANGE_RECIPIENTS_PER_MESSAGE = 500
MINUTE = timedelta(minutes=1)
DAY = timedelta(hours=24)


@dataclass(frozen=True)
class SendingLimits:
    messages_per_minute: int = 20
    recipients_per_day: int = 8_000

    def __post_init__(self) -> None:
        if not 1 <= self.messages_per_minute <= EXCHANGE_MESSAGES_PER_MINUTE:
            raise CaseDeskError(
                f"bulk_messages_per_minute = {self.messages_per_minute}: Exchange Online sends at "
                f"most {EXCHANGE_MESSAGES_PER_MINUTE} messages a minute from one mailbox; use 1 "
                f"to {EXCHANGE_MESSAGES_PER_MINUTE}"
            )
        if not 1 <= self.recipients_per_day <= EXCHANGE_RECIPIENTS_PER_DAY:
            raise CaseDeskError(
                f"bulk_recipients_per_day = {self.recipients_per_day}: Exchange Online allows at "
                f"most {EXCHANGE_RECIPIENTS_PER_DAY:,} recipients a day from one mailbox; use 1 "
                f"to {EXCHANGE_RECIPIENTS_PER_DAY}"
            )


@dataclass(frozen=True)
class PaceDecision:
    """When the next message may go; `daily` when it is the day's budget that holds it back."""

    at: datetime
    daily: bool = False


class Pacer:
    """Rolling-window counters over the send times so far (this run's and earlier runs')."""

    def __init__(self, limits: SendingLimits, history: Iterable[datetime] = ()) -> None:
        self.limits = limits
        self.sent: list[datetime] = sorted(history)

    def _since(self, start: datetime) -> list[datetime]:
        return [t for t in self.sent if t > start]

    def next_slot(self, now: datetime) -> PaceDecision:
        """The earliest moment at or after `now` when one more one-recipient message keeps
        both rolling windows within their limits."""
        day = self._since(now - DAY)
        if len(day) >= self.limits.recipients_per_day:
            # Wait until enough of the day's sends are more than 24 hours old.
            oldest = day[len(day) - self.limits.recipients_per_day]
            return PaceDecision(oldest + DAY, daily=True)
        minute = self._since(now - MINUTE)
        if len(minute) >= self.limits.messages_per_minute:
            oldest = minute[len(minute) - self.limits.messages_per_minute]
            return PaceDecision(oldest + MINUTE)
        return PaceDecision(now)

    def record(self, at: datetime) -> None:
        self.sent.append(at)
        self.sent.sort()
        horizon = at - DAY
        if self.sent and self.sent[0] <= horizon:
            self.sent = [t for t in self.sent if t > horizon]


def most_in_any_window(times: Iterable[datetime], window: timedelta) -> int:
    """The largest number of sends in any half-open window of this length (for checks)."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(ordered):
        while ordered[start] <= moment - window:
            start += 1
        best = max(best, end - start + 1)
    return best

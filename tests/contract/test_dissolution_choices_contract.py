"""What every CaseRepository does with dissolution choices: store and read them back, replace
one per case, or refuse with UnsupportedStoreError (naming why) and store nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from casedesk.core.models import DissolutionChoice, DissolutionOption
from casedesk.errors import UnsupportedStoreError

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def test_choices_round_trip_and_replace_or_the_store_refuses_with_why(repo: Any) -> None:
    choice = DissolutionChoice("CD-2026-000001", DissolutionOption.TRANSFER, "jo.price", NOW,
                               "email of 3 June")  # fmt: skip
    try:
        repo.save_dissolution_choice(choice)
    except UnsupportedStoreError as exc:
        assert "cannot be recorded" in str(exc) and "embedded" in str(exc)
        assert repo.dissolution_choices() == []
        pytest.skip(f"this store refuses dissolution choices: {exc}")
    other = DissolutionChoice("CD-2026-000002", DissolutionOption.PURGE, "sam", NOW)
    repo.save_dissolution_choice(other)
    assert repo.dissolution_choices() == [choice, other]
    done = replace(choice, applied_at=NOW + timedelta(hours=1), applied_by="jo.price",
                   outcome="transfer-CD-2026-000001.zip sha256:ab")  # fmt: skip
    repo.save_dissolution_choice(done)
    assert repo.dissolution_choices() == [done, other] and done.is_applied

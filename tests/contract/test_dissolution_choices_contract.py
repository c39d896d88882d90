"""What every CaseRepository does with dissolution choices: store and read them back by case
reference, keep one per case (saving again replaces every field), write nothing when the
transaction fails, and keep a choice after its case is deleted (the record of a purge)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from casedesk.core.models import DissolutionChoice, DissolutionOption

NOW = datetime(2026, 11, 16, 9, 0, 0, 123456, tzinfo=UTC)
FIRST, SECOND = "CD-2026-000001", "CD-2026-000002"


def test_choices_round_trip_by_case_reference_and_saving_again_replaces(repo: Any) -> None:
    other = DissolutionChoice(SECOND, DissolutionOption.PURGE, "sam", NOW)
    choice = DissolutionChoice(FIRST, DissolutionOption.TRANSFER, "jo.price", NOW,
                               "email of 3 June, ref 88")  # fmt: skip
    repo.save_dissolution_choice(other)  # saved out of order: read back by case reference
    repo.save_dissolution_choice(choice)
    assert repo.dissolution_choices() == [choice, other]
    done = replace(choice, applied_at=NOW + timedelta(hours=1), applied_by="jo.price",
                   outcome="transfer-CD-2026-000001.zip sha256:" + "ab" * 32)  # fmt: skip
    repo.save_dissolution_choice(done)
    assert repo.dissolution_choices() == [done, other] and done.is_applied
    # After a transfer only a purge can follow: every field is replaced, the consent cleared.
    purge = DissolutionChoice(FIRST, DissolutionOption.PURGE, "sam", NOW + timedelta(days=1))
    repo.save_dissolution_choice(purge)
    assert repo.dissolution_choices() == [purge, other] and not purge.is_applied


def test_a_choice_saved_in_a_failed_transaction_is_not_kept(repo: Any) -> None:
    with pytest.raises(RuntimeError), repo.transaction():
        repo.save_dissolution_choice(DissolutionChoice(FIRST, DissolutionOption.PURGE, "jo", NOW))
        assert [c.case_ref for c in repo.dissolution_choices()] == [FIRST]  # seen inside it
        raise RuntimeError("the audit entry could not be written")
    assert repo.dissolution_choices() == []


def test_a_choice_outlives_its_deleted_case(repo: Any) -> None:
    choice = DissolutionChoice(FIRST, DissolutionOption.PURGE, "jo", NOW, None, NOW, "jo",
                               "erased; tombstone audit entry 7")  # fmt: skip
    repo.save_dissolution_choice(choice)
    repo.delete_case(FIRST)
    assert repo.dissolution_choices() == [choice]

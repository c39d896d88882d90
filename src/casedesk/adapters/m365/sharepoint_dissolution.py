"""Dissolution choices on SharePoint: one item per case in the CaseDesk Dissolution list.

A list of their own, not columns on the case's row: a purge deletes the case's row, and the
choice must outlive it as the record of what was done (it holds no personal data: a case
reference, staff names, a consent reference checked for none). The Title is the case
reference, so saving again for a case PATCHes its item, as SQLite's INSERT OR REPLACE
replaces its row. Mixed into SharePointCaseRepository: writes go through its unit of work and
are written at commit, before the audit entries that record them.

An office whose site was set up before this list existed gets a clear error naming the fix
when it records a choice; reading the choices from a site without the list finds none, so
a subject access export or a dissolution plan there still works.
"""

from __future__ import annotations

import logging
from typing import Protocol

from casedesk.adapters.m365.graph_client import status_of
from casedesk.adapters.m365.sharepoint_drafts import _Host
from casedesk.adapters.m365.sharepoint_items import ListItems
from casedesk.adapters.m365.sharepoint_schema import (
    SPECS,
    dissolution_choice,
    dissolution_fields,
)
from casedesk.adapters.m365.sharepoint_unit import Unit
from casedesk.core.models import DissolutionChoice
from casedesk.errors import SettingsError

DISSOLUTION = "dissolution"
NOT_FOUND = 404
log = logging.getLogger("casedesk.sharepoint")


class _Repository(_Host, Protocol):
    items: ListItems

    def _id(self, key: str) -> str: ...


def _missing_list(list_id: str) -> SettingsError:
    spec = SPECS[DISSOLUTION]
    return SettingsError(
        f"SharePoint has no list {list_id!r} for dissolution choices: create the "
        f"'{spec.display_name}' list with its columns (docs/sharepoint-schema.md), or set its id "
        f"with sharepoint_lists ({spec.key}=LIST-ID)"
    )


class SharePointDissolution:
    """The CaseRepository's dissolution methods, mixed into SharePointCaseRepository."""

    def save_dissolution_choice(self: _Repository, choice: DissolutionChoice) -> None:
        with self._writing() as unit:
            try:
                found = self._one(DISSOLUTION, choice.case_ref)
            except Exception as exc:
                if status_of(exc) == NOT_FOUND:
                    raise _missing_list(self._id(DISSOLUTION)) from exc
                raise
            fields, item_id = found if found else ({}, None)
            unit.put(DISSOLUTION, choice.case_ref, dissolution_fields(choice), item_id, fields)

    def dissolution_choices(self: _Repository) -> list[DissolutionChoice]:
        try:
            rows = self._select(DISSOLUTION, None, None, lambda f: True)
        except Exception as exc:
            if status_of(exc) != NOT_FOUND:
                raise
            log.warning(
                "no dissolution list on the site: no choices recorded there",
                extra={"event": "sharepoint.dissolution_list_missing"},
            )
            return []
        choices = (dissolution_choice(fields) for fields, _ in rows.values())
        return sorted(choices, key=lambda c: c.case_ref)

    def _commit_dissolution(self: _Repository, unit: Unit) -> None:
        """Creates look for the case's item first (another writer may have made it since):
        found, it is replaced, as the latest save wins in SQLite too."""
        list_id = self._id(DISSOLUTION)
        for _, p in unit.creates(DISSOLUTION):
            row, created = self.items.create(list_id, p.fields)
            if not created:
                self.items.update(list_id, row.id, p.fields)
        for _, p in unit.updates(DISSOLUTION):
            self.items.update(list_id, str(p.item_id), p.fields)

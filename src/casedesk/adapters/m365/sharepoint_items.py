"""SharePoint list items over msgraph-sdk, read as raw JSON.

msgraph-sdk puts a list item's `fields` in `additional_data`, and its JSON reader turns any
string that looks like a date ("2026-11-16", "2026-11-16T09:00") into a datetime and any
GUID-shaped string into a UUID. A subject or name that happens to look like one would come back
changed, so requests are built with the SDK's request builders and answers are parsed here
with `json.loads`.

Creates go through `create`, which is safe to retry: GraphCaller retries a POST on throttling,
outages and lost connections, and every attempt looks for the row by its natural key (Title)
before posting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from casedesk.adapters.m365.graph_client import GraphCaller, status_of
from casedesk.adapters.m365.sharepoint_schema import Fields, odata_string

PRECONDITION_FAILED = 412


@dataclass(frozen=True)
class Row:
    id: str
    etag: str
    fields: Fields

    @property
    def key(self) -> str:
        return str(self.fields.get("Title") or "")


def _row(item: dict[str, Any]) -> Row:
    values = {k: v for k, v in (item.get("fields") or {}).items() if not k.startswith("@")}
    etag = str(item.get("eTag") or item.get("@odata.etag") or "")
    return Row(str(item["id"]), etag, values)


async def send_json(caller: GraphCaller, info: Any) -> dict[str, Any]:
    """Send a request built by an SDK request builder; the answer as plain JSON (or {})."""
    from msgraph.generated.models.o_data_errors.o_data_error import ODataError

    adapter: Any = caller.client.request_adapter
    raw = await adapter.send_primitive_async(info, "bytes", {"XXX": ODataError})
    return dict(json.loads(raw)) if raw else {}


def by_item_id(rows: list[Row]) -> list[Row]:
    """Oldest first: when two rows share a natural key, the first created one counts."""
    return sorted(rows, key=lambda r: (int(r.id) if r.id.isdigit() else 0, r.id))


class ListItems:
    def __init__(self, caller: GraphCaller, site_id: str) -> None:
        self.caller = caller
        self.site_id = site_id

    def _items(self, list_id: str) -> Any:
        return self.caller.client.sites.by_site_id(self.site_id).lists.by_list_id(list_id).items

    async def _send(self, info: Any) -> dict[str, Any]:
        return await send_json(self.caller, info)

    # ---- reads ----------------------------------------------------------------------------

    async def afind(
        self, list_id: str, column: str | None = None, value: str | int | None = None
    ) -> list[Row]:
        """Rows whose indexed `column` equals `value` (every row when column is None)."""
        return by_item_id([_row(item) for item in await self.araw(list_id, column, value)])

    def all_items(self, list_id: str) -> list[dict[str, Any]]:
        """Every item as Graph's listItem JSON (fields expanded, lastModifiedBy kept)."""
        return self.caller.run(lambda: self.araw(list_id))

    async def araw(
        self, list_id: str, column: str | None = None, value: str | int | None = None
    ) -> list[dict[str, Any]]:
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.sites.item.lists.item.items.items_request_builder import (
            ItemsRequestBuilder,
        )

        builder = self._items(list_id)
        query = ItemsRequestBuilder.ItemsRequestBuilderGetQueryParameters(expand=["fields"])
        if column is not None:
            literal = odata_string(value) if isinstance(value, str) else str(value)
            query.filter = f"fields/{column} eq {literal}"
        info = builder.to_get_request_information(RequestConfiguration(query_parameters=query))
        items: list[dict[str, Any]] = []
        while True:
            page = await self._send(info)
            items.extend(page.get("value", []))
            link = page.get("@odata.nextLink")
            if not link:
                return items
            info = builder.with_url(str(link)).to_get_request_information()

    def find(
        self, list_id: str, column: str | None = None, value: str | int | None = None
    ) -> list[Row]:
        return self.caller.run(lambda: self.afind(list_id, column, value))

    def get(self, list_id: str, item_id: str) -> Row | None:
        async def call() -> Row | None:
            info = self._items(list_id).by_list_item_id(item_id).to_get_request_information()
            return _row(await self._send(info))

        try:
            return self.caller.run(call)
        except Exception as exc:
            if status_of(exc) == 404:
                return None
            raise

    # ---- writes ---------------------------------------------------------------------------

    def create(self, list_id: str, fields: Fields, look_first: bool = True) -> tuple[Row, bool]:
        """Create the row unless one with its Title exists; (row, True when this call made it).

        Every attempt looks for the Title first (and after a refusal from a list that
        enforces unique Titles), so a POST whose answer was lost is not repeated and a row another
        writer made meanwhile is found. look_first=False skips the first look, for rows whose
        key nobody else can be writing (the caller holds it)."""
        from msgraph.generated.models.field_value_set import FieldValueSet
        from msgraph.generated.models.list_item import ListItem

        attempts = 0

        async def call() -> tuple[Row, bool]:
            nonlocal attempts
            attempts += 1
            if look_first or attempts > 1:
                found = await self.afind(list_id, "Title", fields["Title"])
                if found:
                    return found[0], False
            body = ListItem(fields=FieldValueSet(additional_data=dict(fields)))
            info = self._items(list_id).to_post_request_information(body)
            try:
                return _row(await self._send(info)), True
            except Exception as exc:
                if not _may_be_duplicate(status_of(exc)):
                    raise
                found = await self.afind(list_id, "Title", fields["Title"])
                if not found:
                    raise
                return found[0], False

        return self.caller.run(call)

    def update(
        self, list_id: str, item_id: str, fields: Fields, if_match: str | None = None
    ) -> Fields:
        """PATCH the row's fields; with if_match, only if nobody changed it (else 412)."""
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.models.field_value_set import FieldValueSet

        async def call() -> Fields:
            config: Any = RequestConfiguration()
            if if_match:
                config.headers.add("If-Match", if_match)
            builder = self._items(list_id).by_list_item_id(item_id).fields
            info = builder.to_patch_request_information(
                FieldValueSet(additional_data=dict(fields)), config
            )
            return await self._send(info)

        return self.caller.run(call)

    def delete(self, list_id: str, item_id: str) -> bool:
        """DELETE the row (listitem-delete: 204); False when it was already gone (404)."""

        async def call() -> None:
            info = self._items(list_id).by_list_item_id(item_id).to_delete_request_information()
            await self._send(info)

        try:
            self.caller.run(call)
        except Exception as exc:
            if status_of(exc) == 404:
                return False
            raise
        return True


def _may_be_duplicate(status: int | None) -> bool:
    """A refused create that may mean "a row with this Title exists": lists enforce unique
    Titles, and Microsoft documents no single status for that refusal (409 is usual, some
    tenants answer 400), so any client error but auth and throttling is checked by a look."""
    return status is not None and 400 <= status < 500 and status not in (401, 403, 429)


def is_precondition_failed(exc: BaseException) -> bool:
    return status_of(exc) == PRECONDITION_FAILED

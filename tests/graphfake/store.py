"""State behind the fake, guarded by one re-entrant lock. No HTTP here."""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from . import mime
from .errors import GraphError

WELL_KNOWN_FOLDERS = ("inbox", "drafts", "sentitems", "deleteditems")


@dataclass
class Mailbox:
    upn: str
    id: str
    display_name: str

    def folder_id(self, name: str) -> str:
        digest = hashlib.sha256(f"{self.id}/{name}".encode()).hexdigest()[:24]
        return f"AQMkAD{digest}AAAEMAAAA="


@dataclass
class StoredMessage:
    ids: tuple[str, str]  # (immutable, rest)
    mailbox: Mailbox
    folder: str
    mime: bytes
    props: dict[str, Any]
    seq: int
    change_seq: int

    def etag(self) -> str:
        return f'W/"CQAAABYAAAC{self.change_seq:016d}"'

    def as_json(self, immutable: bool) -> dict[str, Any]:
        item_id = self.ids[0 if immutable else 1]
        link = f"https://outlook.office365.com/owa/?ItemID={quote(item_id, safe='')}&exvsurl=1"
        return {
            "@odata.etag": self.etag(),
            "id": item_id,
            "changeKey": self.etag()[3:-1],
            **self.props,
            "webLink": f"{link}&viewmodel=ReadMessageItem",
        }


@dataclass
class Subscription:
    data: dict[str, Any]
    mailbox: Mailbox
    folder: str | None  # None: every folder
    immutable: bool
    expires: datetime


@dataclass
class DeltaCursor:
    mailbox: Mailbox
    folder: str
    watermark: int
    pending: list[str]
    select: str | None


@dataclass
class SpList:
    """A list's items by id (ids are increasing integers as text, so id order is creation
    order). `by_field` indexes text values of the fields `eq` filters have asked about, so a
    20,000-message soak does not scan every item per request (SharePoint indexes columns);
    every write through the fake keeps it current, and candidates are still matched in full."""

    site: str
    id: str
    non_indexed: set[str]
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    next_id: int = 1
    by_field: dict[str, dict[str, set[str]]] = field(default_factory=dict)

    def candidates(self, name: str, value: str) -> list[str]:
        """Ids of items whose field `name`, as text, is `value`, in creation order."""
        index = self.by_field.get(name)
        if index is None:
            index = self.by_field[name] = {}
            for item_id, item in self.items.items():
                index.setdefault(str(item["fields"].get(name)), set()).add(item_id)
        return sorted(index.get(value, ()), key=int)

    def unindex(self, item_id: str) -> None:
        """Before an item changes or goes: drop its values from the indexes."""
        fields = self.items[item_id]["fields"]
        for name, index in self.by_field.items():
            index.get(str(fields.get(name)), set()).discard(item_id)

    def reindex(self, item_id: str) -> None:
        """After an item was added or changed: index its values."""
        fields = self.items[item_id]["fields"]
        for name, index in self.by_field.items():
            index.setdefault(str(fields.get(name)), set()).add(item_id)


@dataclass
class DriveEntry:
    id: str
    name: str
    path: str  # '' for root, else 'folder/name'
    folder: bool
    content: bytes = b""
    created: str = ""
    modified: str = ""
    version: int = 1


@dataclass
class Drive:
    site: str
    id: str
    entries: dict[str, DriveEntry] = field(default_factory=dict)  # lower-case path -> entry
    recycle: dict[str, DriveEntry] = field(default_factory=dict)  # deleted, not yet purged


@dataclass
class UploadSession:
    id: str
    drive: Drive
    path: str
    conflict: str
    expires: str
    total: int | None = None
    data: bytearray = field(default_factory=bytearray)


class Store:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.mailboxes: dict[str, Mailbox] = {}  # upn.lower() and id -> mailbox
        self.messages: dict[str, StoredMessage] = {}  # either id -> message
        self.seq = 0
        self.subscriptions: dict[str, Subscription] = {}
        self.cursors: dict[str, DeltaCursor] = {}
        self.lists: dict[tuple[str, str], SpList] = {}
        self.drives: dict[tuple[str, str], Drive] = {}
        self.sessions: dict[str, UploadSession] = {}
        self.tokens: set[str] = set()

    def next_seq(self) -> int:
        with self.lock:
            self.seq += 1
            return self.seq

    # Mailboxes and messages
    def add_mailbox(self, upn: str, display_name: str | None = None) -> Mailbox:
        with self.lock:
            if upn.lower() in self.mailboxes:  # idempotent: messages keep their mailbox
                return self.mailboxes[upn.lower()]
            box = Mailbox(
                upn,
                str(uuid.uuid5(uuid.NAMESPACE_URL, upn.lower())),
                display_name or upn.split("@", maxsplit=1)[0],
            )
            self.mailboxes[upn.lower()] = self.mailboxes[box.id] = box
            return box

    def mailbox(self, key: str) -> Mailbox:
        box = self.mailboxes.get(key.lower())
        if box is None:
            raise GraphError(404, "ErrorInvalidUser", f"The requested user '{key}' is invalid.")
        return box

    def folder_name(self, box: Mailbox, key: str) -> str:
        name = key.lower()
        if name in WELL_KNOWN_FOLDERS:
            return name
        for known in WELL_KNOWN_FOLDERS:
            if box.folder_id(known) == key:
                return known
        raise GraphError(
            404, "ErrorItemNotFound", "The specified object was not found in the store."
        )

    def store_message(
        self, box: Mailbox, raw: bytes, folder: str, props: dict[str, Any]
    ) -> StoredMessage:
        with self.lock:
            seq = self.next_seq()
            stored = StoredMessage(mime.new_ids(), box, folder, raw, props, seq, seq)
            for key in stored.ids:
                self.messages[key] = stored
            return stored

    def message(self, box: Mailbox, message_id: str) -> StoredMessage:
        stored = self.messages.get(message_id)
        if stored is None or stored.mailbox is not box:
            raise GraphError(
                404, "ErrorItemNotFound", "The specified object was not found in the store."
            )
        return stored

    def in_folder(self, box: Mailbox, folder: str) -> list[StoredMessage]:
        with self.lock:
            unique = {
                id(m): m for m in self.messages.values() if m.mailbox is box and m.folder == folder
            }
            return sorted(unique.values(), key=lambda m: m.seq)

    # SharePoint
    def sp_list(self, site: str, list_id: str) -> SpList:
        found = self.lists.get((site.lower(), list_id.lower()))
        if found is None:
            raise GraphError(404, "itemNotFound", "The requested list was not found.")
        return found

    def drive(self, site: str | None, drive_id: str) -> Drive:
        for (drive_site, key), drive in self.drives.items():
            if key == drive_id.lower() and (site is None or drive_site == site.lower()):
                return drive
        raise GraphError(404, "itemNotFound", "The resource could not be found.")

"""One exception hierarchy: every error CaseDesk raises on purpose is a CaseDeskError."""


class CaseDeskError(Exception):
    """Base class; the message must say what is wrong and how to fix it."""


class SettingsError(CaseDeskError):
    """A setting is missing or invalid; the message names the key."""


class MalformedMessageError(CaseDeskError):
    """Input that cannot be read as an email; it is quarantined, never dropped."""


class NotFoundError(CaseDeskError):
    """A case, constituent or other record asked for by reference does not exist."""


class StorageError(CaseDeskError):
    """The store is unusable (e.g. created by a newer CaseDesk, or not writable)."""


class MessageGoneError(CaseDeskError):
    """The message was deleted or moved out of reach before it could be fetched."""


class TransientError(CaseDeskError):
    """A remote service is throttling or unavailable; the work is retried, never dropped."""


"""Reading real-world email: MIME structure, charsets, HTML, quoted history."""

from casedesk.core.mime.parse import parse_message

__all__ = ["parse_message"]

"""A local Bot Framework for tests: OpenID metadata, signing keys and the Bot Connector (README.md)."""

from .server import BOT_FRAMEWORK_ISSUER, BotFake, Posted

__all__ = ["BOT_FRAMEWORK_ISSUER", "BotFake", "Posted"]

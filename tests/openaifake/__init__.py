"""A local OpenAI-compatible / Azure OpenAI Chat Completions server for tests (README.md)."""

from .model import answer_for, message_block
from .server import BEHAVIOURS, OpenAIFake, Recorded

__all__ = ["BEHAVIOURS", "OpenAIFake", "Recorded", "answer_for", "message_block"]

"""A local Microsoft Graph v1.0 fake for tests: ``from graphfake import GraphFake``."""

from .server import GraphFake, LoggedRequest

__all__ = ["GraphFake", "LoggedRequest"]

"""CaseDesk: casework triage for UK MPs' offices."""

__version__ = "0.1.0"

"""The PDS approval pack: what CaseDesk calls, the permissions each call needs, and the pack
a Parliamentary Digital Service reviewer reads (docs/pds-approval.md).

Tooling, not product: nothing here is imported by the core, the adapters or the Functions app.
"""

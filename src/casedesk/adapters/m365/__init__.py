"""Microsoft 365 adapters. Each module imports its SDK lazily; nothing here is imported by the
core, and bootstrap imports these only when CASEDESK_ADAPTERS=m365."""

-- Dissolution and turnover (issue 10 part 3): the office's choice for each open case when
-- Parliament dissolves or the MP changes: transfer to the successor (with the constituent's
-- consent, consent_ref says where it is recorded), hand back to the constituent, or purge.
-- One row per case; applied_at is set once `casedesk dissolution apply` carried it out.
-- No personal data: references, staff names, and a consent reference checked for none.
CREATE TABLE dissolution_choices (
    case_ref     TEXT PRIMARY KEY,
    choice       TEXT NOT NULL CHECK (choice IN ('transfer', 'hand-back', 'purge')),
    decided_by   TEXT NOT NULL,
    decided_at   TEXT NOT NULL,
    consent_ref  TEXT,
    applied_at   TEXT,
    applied_by   TEXT,
    outcome      TEXT NOT NULL DEFAULT ''
);

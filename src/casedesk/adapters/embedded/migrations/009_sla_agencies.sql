-- SLA escalation state and referrals to outside bodies (issue 6 parts 5 and 6).
-- sla_stage is how far the sweep has gone for the case's due time sla_stage_due ('warned',
-- 'escalated'); a new due time starts again from nothing. See docs/decisions/0009.
ALTER TABLE cases ADD COLUMN sla_stage TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN sla_stage_due TEXT;

-- One row per referral of a case to an agency (DWP, HMRC, the council, ...). id is
-- '<case ref>-R<n>'. A referral is open until replied_at is set; chases counts the chase
-- reminders the sweep has recorded, the latest at chased_at.
CREATE TABLE referrals (
    id           TEXT PRIMARY KEY,
    case_ref     TEXT NOT NULL REFERENCES cases(ref),
    agency       TEXT NOT NULL,
    referred_at  TEXT NOT NULL,
    referred_by  TEXT NOT NULL,
    expected_by  TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    replied_at   TEXT,
    replied_by   TEXT,
    chased_at    TEXT,
    chases       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX referrals_case ON referrals(case_ref, referred_at);
CREATE INDEX referrals_open ON referrals(replied_at, expected_by);

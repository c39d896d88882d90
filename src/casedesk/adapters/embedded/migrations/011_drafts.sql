-- Reply drafts (issue 7): the current draft of each case's reply, its version, the MP's
-- sign-off (the sha256 of the approved body) and whether and where it was sent. Earlier
-- versions live on in the audit log (their hashes) and in sent mail, not here.
CREATE TABLE drafts (
    case_ref         TEXT PRIMARY KEY REFERENCES cases(ref),
    version          INTEGER NOT NULL,
    state            TEXT NOT NULL CHECK (state IN
                       ('draft', 'awaiting_signoff', 'approved', 'rejected', 'sent')),
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    template         TEXT NOT NULL,
    to_addr          TEXT NOT NULL,
    to_name          TEXT NOT NULL,
    in_reply_to      TEXT NOT NULL,
    refs             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    updated_by       TEXT NOT NULL,
    approver         TEXT,
    decided_by       TEXT,
    decided_at       TEXT,
    approved_sha256  TEXT,
    rejection        TEXT,
    sent_at          TEXT,
    sent_by          TEXT,
    sent_to          TEXT,
    remote_id        TEXT,
    remote_mailbox   TEXT,
    remote_sha256    TEXT
);
CREATE INDEX drafts_state ON drafts(state, created_at);

-- Cases, constituents, messages, notes, audit, quarantine, campaigns, ops state.
CREATE TABLE constituents (
    id          INTEGER PRIMARY KEY,
    email       TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL DEFAULT '',
    postcode    TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE case_sequences (
    year  INTEGER PRIMARY KEY,
    last  INTEGER NOT NULL
);

CREATE TABLE campaigns (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    size               INTEGER NOT NULL,
    first_seen         TEXT NOT NULL,
    last_seen          TEXT NOT NULL,
    is_campaign        INTEGER NOT NULL,
    canonical_subject  TEXT NOT NULL
);

CREATE TABLE cases (
    ref                 TEXT PRIMARY KEY,
    constituent_id      INTEGER NOT NULL REFERENCES constituents(id),
    subject             TEXT NOT NULL,
    normalised_subject  TEXT NOT NULL,
    category            TEXT NOT NULL,
    topic               TEXT NOT NULL,
    is_urgent           INTEGER NOT NULL,
    confidence          REAL NOT NULL,
    status              TEXT NOT NULL CHECK (status IN
                          ('new', 'open', 'awaiting_constituent', 'awaiting_agency', 'closed')),
    assignee            TEXT,
    campaign_id         TEXT REFERENCES campaigns(id) DEFERRABLE INITIALLY DEFERRED,
    summary             TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX cases_constituent ON cases(constituent_id);
CREATE INDEX cases_subject ON cases(constituent_id, normalised_subject, updated_at);
CREATE INDEX cases_queue ON cases(status, assignee, updated_at);

CREATE TABLE messages (
    id            INTEGER PRIMARY KEY,
    message_id    TEXT NOT NULL UNIQUE,
    sha256        TEXT NOT NULL UNIQUE,
    case_ref      TEXT NOT NULL REFERENCES cases(ref),
    from_addr     TEXT NOT NULL,
    subject       TEXT NOT NULL,
    sent_at       TEXT,
    received_at   TEXT NOT NULL,
    category      TEXT NOT NULL,
    topic         TEXT NOT NULL,
    is_urgent     INTEGER NOT NULL,
    confidence    REAL NOT NULL,
    classifier    TEXT NOT NULL,
    reasons       TEXT NOT NULL,
    new_text      TEXT NOT NULL,
    filed_path    TEXT NOT NULL
);
CREATE INDEX messages_case ON messages(case_ref, received_at);

CREATE TABLE notes (
    id          INTEGER PRIMARY KEY,
    case_ref    TEXT NOT NULL REFERENCES cases(ref),
    author      TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE audit (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_ref  TEXT NOT NULL,
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_object ON audit(object_ref);

CREATE TABLE quarantine (
    sha256          TEXT PRIMARY KEY,
    source          TEXT NOT NULL,
    reason          TEXT NOT NULL,
    quarantined_at  TEXT NOT NULL,
    stored_path     TEXT NOT NULL
);

CREATE TABLE campaign_signatures (
    member      TEXT PRIMARY KEY,
    cluster_id  TEXT NOT NULL,
    sender      TEXT NOT NULL,
    signature   BLOB NOT NULL
);

-- Case management (issue 6 part 4): merges, links, notes searchable, and indexes that keep
-- `casedesk search` under 100 ms on 100,000 cases (figures in docs/decisions/0010).

-- A merged case stays (its reference must keep resolving) and points at the case it went into.
ALTER TABLE cases ADD COLUMN merged_into TEXT REFERENCES cases(ref);

-- Related cases, stored once per pair (a < b) and read in both directions; who linked them
-- and when is in the audit log.
CREATE TABLE case_links (
    a  TEXT NOT NULL REFERENCES cases(ref),
    b  TEXT NOT NULL REFERENCES cases(ref),
    PRIMARY KEY (a, b),
    CHECK (a < b)
) WITHOUT ROWID;
CREATE INDEX case_links_b ON case_links(b, a);

-- Tags as rows as well as the cases.tags text, so a tag search is an index look-up.
CREATE TABLE case_tags (
    tag       TEXT NOT NULL,
    case_ref  TEXT NOT NULL REFERENCES cases(ref),
    PRIMARY KEY (tag, case_ref)
) WITHOUT ROWID;
INSERT OR IGNORE INTO case_tags (tag, case_ref)
WITH RECURSIVE split(ref, word, rest) AS (
    SELECT ref, '', tags || ' ' FROM cases WHERE tags != ''
    UNION ALL
    SELECT ref, substr(rest, 1, instr(rest, ' ') - 1), substr(rest, instr(rest, ' ') + 1)
    FROM split WHERE rest != ''
)
SELECT word, ref FROM split WHERE word != '';

-- Notes: read per case in time order, and found by `casedesk search` like messages are.
CREATE INDEX notes_case ON notes(case_ref, created_at);
CREATE VIRTUAL TABLE notes_fts USING fts5(
    text, content='notes', content_rowid='id', tokenize='porter unicode61'
);
CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
    INSERT INTO notes_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
    INSERT INTO notes_fts(notes_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
INSERT INTO notes_fts(notes_fts) VALUES ('rebuild');

-- Search filters: date range, assignee, category + status, topic, postcode prefix.
CREATE INDEX cases_created ON cases(created_at);
CREATE INDEX cases_assignee ON cases(assignee, created_at);
CREATE INDEX cases_category_status ON cases(category, status, created_at);
CREATE INDEX cases_topic ON cases(topic, created_at);
CREATE INDEX constituents_postcode_key ON constituents(REPLACE(UPPER(postcode), ' ', ''));

-- Case management (issue 6 part 4): merges, links, searchable notes and tags, and indexes
-- that keep `casedesk search` under 100 ms on 100,000 cases.

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

-- Search: a page of results is the first 200 in queue order (urgent first, then oldest,
-- then ref). Each filter has an index that holds that order and every column the page
-- query reads, so SQLite answers from the index alone and, for equality filters, stops
-- after the first 200 without sorting. No index relies on ANALYZE statistics: the store
-- never runs it. Measured in `make bench` (docs/decisions/0010-case-management.md).
CREATE INDEX cases_page ON cases(is_urgent DESC, created_at, ref, status, constituent_id);
CREATE INDEX cases_page_by_assignee ON cases(assignee, is_urgent DESC, created_at, ref, status);
CREATE INDEX cases_page_by_ward
    ON cases(ward COLLATE NOCASE, is_urgent DESC, created_at, ref, status);
CREATE INDEX cases_page_by_category
    ON cases(category, status, is_urgent DESC, created_at, ref);
CREATE INDEX cases_page_by_topic ON cases(topic, is_urgent DESC, created_at, ref, status);
CREATE INDEX cases_page_by_opened ON cases(created_at, is_urgent, ref, status);
CREATE INDEX cases_page_by_person ON cases(constituent_id, is_urgent, created_at, ref, status);
-- Words and tags give a set of refs; this turns each into its page columns in one look-up
-- (the query names it: SQLite would otherwise pick the narrower unique index on ref).
CREATE INDEX cases_page_by_ref
    ON cases(ref, is_urgent, created_at, status, assignee, category, topic, ward);
-- A full-text hit is a message or note id; these give its case without reading its text.
CREATE INDEX messages_case_of ON messages(id, case_ref);
CREATE INDEX notes_case_of ON notes(id, case_ref);
-- Postcode prefix: a range on the normalised postcode, "CB1" <= key < "CB2".
CREATE INDEX constituents_postcode_key ON constituents(REPLACE(UPPER(postcode), ' ', ''));

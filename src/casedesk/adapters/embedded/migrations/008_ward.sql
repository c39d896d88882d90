-- The ward a case's postcode lay in when it opened (from the imported postcode directory),
-- so caseworkers can search and report by ward.
ALTER TABLE cases ADD COLUMN ward TEXT;
CREATE INDEX cases_ward ON cases(ward COLLATE NOCASE);

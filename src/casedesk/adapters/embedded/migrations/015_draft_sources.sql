-- AI drafting (issue 7 part 2): which sources a draft was written from (a JSON list of ids
-- such as "template:casework.txt.j2", "policy:sewage-discharges", "message:1"); empty for a
-- template draft written without the model and for drafts from before this migration.
ALTER TABLE drafts ADD COLUMN sources TEXT NOT NULL DEFAULT '[]';

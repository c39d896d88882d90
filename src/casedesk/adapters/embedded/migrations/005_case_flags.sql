-- Case flags: needs_review (the classifier was unsure), threat, safeguarding. Space-separated.
ALTER TABLE cases ADD COLUMN flags TEXT NOT NULL DEFAULT '';

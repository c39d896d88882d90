-- What the office's routing rules decided for a case: priority, SLA due time, tags, whether
-- the MP must sign off replies, and which rules matched (for "why did I get this?").
ALTER TABLE cases ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';
ALTER TABLE cases ADD COLUMN due_at TEXT;
ALTER TABLE cases ADD COLUMN tags TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN signoff_required INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN routed_by TEXT NOT NULL DEFAULT '';
CREATE INDEX cases_due ON cases(due_at);

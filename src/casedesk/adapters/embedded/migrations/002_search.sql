-- Full-text search over what constituents wrote, kept in step with messages by triggers.
CREATE VIRTUAL TABLE messages_fts USING fts5(
    subject, new_text, content='messages', content_rowid='id', tokenize='porter unicode61'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, subject, new_text) VALUES (new.id, new.subject, new.new_text);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, subject, new_text)
    VALUES ('delete', old.id, old.subject, old.new_text);
END;

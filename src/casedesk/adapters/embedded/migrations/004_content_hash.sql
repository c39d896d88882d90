-- Content fingerprint, so a reused Message-ID with different content is not taken for a duplicate.
ALTER TABLE messages ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';

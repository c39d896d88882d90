-- Generic operational key/value state (subscriptions, delta links, de-duplication keys)
-- and an in-process work queue for the embedded set.
CREATE TABLE ops_kv (
    namespace  TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (namespace, key)
);

CREATE TABLE work_queue (
    id              INTEGER PRIMARY KEY,
    body            TEXT NOT NULL,
    visible_after   REAL NOT NULL DEFAULT 0,
    dequeue_count   INTEGER NOT NULL DEFAULT 0,
    receipt         TEXT
);

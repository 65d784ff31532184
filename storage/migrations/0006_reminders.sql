-- Reminders: the times a branch chose (rules as data), what each person muted, the engine's
-- last run, reminders skipped as no longer useful, and secretaries' broadcasts (/notify).
-- Messages themselves are outbox rows (0002); nothing here is deleted.

-- A branch's reminder times, one row per setting it changed; a missing row means the
-- default in code (storage.reminders.BranchRules). Changes are audited.
CREATE TABLE reminder_rules (
    branch_id       INTEGER NOT NULL REFERENCES branches (id),
    name            TEXT NOT NULL,
    value           TEXT NOT NULL,
    updated_by      INTEGER REFERENCES members (id),
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (branch_id, name)
);

-- Per membership and kind: muted = 1 means that kind is never queued for this person.
-- Unmuting flips the flag instead of deleting the row.
CREATE TABLE reminder_mutes (
    member_id       INTEGER NOT NULL REFERENCES members (id),
    kind            TEXT NOT NULL,
    muted           INTEGER NOT NULL CHECK (muted IN (0, 1)),
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (member_id, kind)
);

-- The engine's own state; 'last_run' is the end of the last window it examined.
CREATE TABLE reminder_state (
    name            TEXT PRIMARY KEY,
    value           TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

-- A reminder that fell due while nobody could send it (downtime, quiet hours) and was no
-- longer useful when it could be: recorded once by its dedupe key, never sent.
CREATE TABLE reminder_skips (
    dedupe_key      TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    member_id       INTEGER REFERENCES members (id),
    due_at          TEXT NOT NULL,
    reason          TEXT NOT NULL,
    skipped_at      TEXT NOT NULL
);
CREATE INDEX reminder_skips_kind ON reminder_skips (kind, skipped_at);

-- A secretary's message to the whole branch; its outbox rows are keyed by its id.
CREATE TABLE broadcasts (
    id              INTEGER PRIMARY KEY,
    branch_id       INTEGER NOT NULL REFERENCES branches (id),
    sender_id       INTEGER NOT NULL REFERENCES members (id),
    text            TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 3000),
    recipients      INTEGER NOT NULL CHECK (recipients >= 0),
    not_before      TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX broadcasts_branch ON broadcasts (branch_id, created_at);
CREATE TRIGGER broadcasts_no_delete BEFORE DELETE ON broadcasts
BEGIN
    SELECT RAISE(ABORT, 'broadcasts are never deleted');
END;

-- Roster import: people a secretary listed in a spreadsheet (or, for secretaries, an
-- admin), expected to join through a personal one-use invite link. The phone number is
-- kept for whoever imported them, never shown to anyone else.
CREATE TABLE expected_people (
    id              INTEGER PRIMARY KEY,
    branch_id       INTEGER NOT NULL REFERENCES branches (id),
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('member', 'secretary')),
    subject         TEXT,
    class_name      TEXT,
    phone           TEXT,
    notes           TEXT,
    created_by      INTEGER REFERENCES members (id),
    created_at      TEXT NOT NULL,
    member_id       INTEGER REFERENCES members (id),
    joined_at       TEXT,
    withdrawn_at    TEXT
);
CREATE INDEX expected_people_branch ON expected_people (branch_id, member_id);
CREATE INDEX expected_people_member ON expected_people (member_id);

-- A personal invite names the expected person it is for.
ALTER TABLE invites ADD COLUMN expected_id INTEGER REFERENCES expected_people (id);
CREATE INDEX invites_expected ON invites (expected_id);

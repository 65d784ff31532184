-- 党小组: a branch's party groups and who is in which, so a 党小组会 expects its own group.
-- A group is removed, never deleted; membership of a group is a setting (a member is in at
-- most one group; moving them replaces the row), its changes are in the audit log.

CREATE TABLE party_groups (
    id              INTEGER PRIMARY KEY,
    branch_id       INTEGER NOT NULL REFERENCES branches (id),
    name            TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed')),
    created_by      INTEGER NOT NULL REFERENCES members (id),
    created_at      TEXT NOT NULL,
    removed_at      TEXT
);
CREATE UNIQUE INDEX party_groups_name ON party_groups (branch_id, name) WHERE status = 'active';

CREATE TABLE party_group_members (
    member_id       INTEGER PRIMARY KEY REFERENCES members (id),
    group_id        INTEGER NOT NULL REFERENCES party_groups (id),
    added_by        INTEGER NOT NULL REFERENCES members (id),
    added_at        TEXT NOT NULL
);
CREATE INDEX party_group_members_group ON party_group_members (group_id);

-- The group a 党小组会 was held by (NULL: the whole branch was expected).
ALTER TABLE meetings ADD COLUMN group_id INTEGER REFERENCES party_groups (id);

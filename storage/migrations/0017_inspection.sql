-- Inspection groups (督查组): their inspectors, the branches assigned to them, their invite
-- links, and their comments on a branch (督查点评) with rectification items (整改事项).

CREATE TABLE inspection_groups (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    created_by      INTEGER REFERENCES members (id),
    created_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX inspection_groups_name ON inspection_groups (name COLLATE NOCASE);

-- An inspector's membership row belongs to one group; removed from it, the membership
-- ends (members.status 'left') and the row keeps when.
CREATE TABLE inspection_group_members (
    member_id       INTEGER PRIMARY KEY REFERENCES members (id),
    group_id        INTEGER NOT NULL REFERENCES inspection_groups (id),
    added_at        TEXT NOT NULL,
    removed_at      TEXT
);
CREATE INDEX inspection_group_members_group ON inspection_group_members (group_id);

-- Which branches a group inspects; an assignment taken back keeps its row (removed_at).
CREATE TABLE inspection_assignments (
    id              INTEGER PRIMARY KEY,
    group_id        INTEGER NOT NULL REFERENCES inspection_groups (id),
    branch_id       INTEGER NOT NULL REFERENCES branches (id),
    assigned_by     INTEGER REFERENCES members (id),
    assigned_at     TEXT NOT NULL,
    removed_by      INTEGER REFERENCES members (id),
    removed_at      TEXT
);
CREATE UNIQUE INDEX inspection_assignments_current
    ON inspection_assignments (group_id, branch_id) WHERE removed_at IS NULL;
CREATE INDEX inspection_assignments_branch ON inspection_assignments (branch_id);

-- Invite links into a group (the inspector role); like invites, with expiry and uses.
CREATE TABLE inspection_invites (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    group_id        INTEGER NOT NULL REFERENCES inspection_groups (id),
    created_by      INTEGER REFERENCES members (id),
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    max_uses        INTEGER NOT NULL CHECK (max_uses > 0),
    uses            INTEGER NOT NULL DEFAULT 0,
    revoked_at      TEXT
);
CREATE TABLE inspection_invite_uses (
    invite_id       INTEGER NOT NULL REFERENCES inspection_invites (id),
    telegram_id     INTEGER NOT NULL,
    member_id       INTEGER NOT NULL REFERENCES members (id),
    used_at         TEXT NOT NULL,
    PRIMARY KEY (invite_id, telegram_id)
);

CREATE TABLE inspection_comments (
    id              INTEGER PRIMARY KEY,
    branch_id       INTEGER NOT NULL REFERENCES branches (id),
    group_id        INTEGER NOT NULL REFERENCES inspection_groups (id),
    author_id       INTEGER NOT NULL REFERENCES members (id),
    text            TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX inspection_comments_branch ON inspection_comments (branch_id, created_at);

-- 'open' (to do, or reopened), 'done' (answered, waiting for the inspector), 'accepted'.
CREATE TABLE rectification_items (
    id              INTEGER PRIMARY KEY,
    comment_id      INTEGER NOT NULL REFERENCES inspection_comments (id),
    branch_id       INTEGER NOT NULL REFERENCES branches (id),
    position        INTEGER NOT NULL,
    text            TEXT NOT NULL,
    deadline        TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'accepted')),
    answer          TEXT,
    answer_photo    TEXT,
    answered_by     INTEGER REFERENCES members (id),
    answered_at     TEXT,
    accepted_by     INTEGER REFERENCES members (id),
    accepted_at     TEXT,
    reopen_reason   TEXT,
    reopened_by     INTEGER REFERENCES members (id),
    reopened_at     TEXT,
    reopen_count    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX rectification_items_comment ON rectification_items (comment_id, position);
CREATE INDEX rectification_items_branch ON rectification_items (branch_id, status);
CREATE INDEX rectification_items_due ON rectification_items (status, deadline);

-- Foundation: branches, people and their roles, invite links, the audit log, and the
-- state that conversations keep across a restart.

CREATE TABLE branches (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    notice_chat_id  INTEGER,
    created_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX branches_name ON branches (name COLLATE NOCASE);

-- One row per membership: a person who leaves keeps the row (status 'left'), and one who
-- later joins another branch gets a new row, so records stay tied to the branch they
-- were made in. A person has at most one active membership.
CREATE TABLE members (
    id              INTEGER PRIMARY KEY,
    telegram_id     INTEGER NOT NULL,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('member', 'secretary', 'admin', 'inspector')),
    branch_id       INTEGER REFERENCES branches (id),
    post            TEXT,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'left')),
    unreachable_at  TEXT,
    joined_at       TEXT NOT NULL,
    left_at         TEXT,
    CHECK (role IN ('admin', 'inspector') OR branch_id IS NOT NULL)
);
CREATE UNIQUE INDEX members_active_person ON members (telegram_id) WHERE status = 'active';
CREATE INDEX members_branch ON members (branch_id, status);

-- Per Telegram account, so a stranger's language choice is kept before they join.
CREATE TABLE user_prefs (
    telegram_id     INTEGER PRIMARY KEY,
    language        TEXT NOT NULL CHECK (language IN ('zh', 'en')),
    updated_at      TEXT NOT NULL
);

CREATE TABLE invites (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    branch_id       INTEGER NOT NULL REFERENCES branches (id),
    role            TEXT NOT NULL CHECK (role IN ('member', 'secretary')),
    created_by      INTEGER REFERENCES members (id),
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    max_uses        INTEGER NOT NULL CHECK (max_uses > 0),
    uses            INTEGER NOT NULL DEFAULT 0,
    revoked_at      TEXT
);

CREATE TABLE invite_uses (
    invite_id       INTEGER NOT NULL REFERENCES invites (id),
    telegram_id     INTEGER NOT NULL,
    member_id       INTEGER NOT NULL REFERENCES members (id),
    used_at         TEXT NOT NULL,
    PRIMARY KEY (invite_id, telegram_id)
);

-- Append-only: who did what to which record, when. Triggers refuse change and deletion.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    actor_id        INTEGER REFERENCES members (id),
    action          TEXT NOT NULL,
    entity          TEXT NOT NULL,
    entity_id       TEXT,
    detail          TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_entity ON audit_log (entity, entity_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- What a conversation has reached and collected, so a restart loses nothing entered.
CREATE TABLE conversation_states (
    handler         TEXT NOT NULL,
    conv_key        TEXT NOT NULL,
    state           TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (handler, conv_key)
);
CREATE TABLE user_flow_data (
    telegram_id     INTEGER PRIMARY KEY,
    data            TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

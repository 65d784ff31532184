-- Party day (党日): each branch's monthly rule, one row per branch-month for what was
-- changed or announced, members' replies and leave, check-ins, and the service log with
-- its edit history. Nothing is deleted: a replaced rule keeps its row, a withdrawn service
-- record keeps its row, and edits keep the previous version.

-- A branch's rule; the current one has replaced_at NULL.
CREATE TABLE party_day_rules (
    id              INTEGER PRIMARY KEY,
    branch_id       INTEGER NOT NULL REFERENCES branches (id),
    kind            TEXT NOT NULL CHECK (kind IN ('day', 'nth', 'last')),
    day             INTEGER CHECK (day BETWEEN 1 AND 31),
    nth             INTEGER CHECK (nth BETWEEN 1 AND 4),
    weekday         INTEGER CHECK (weekday BETWEEN 0 AND 6),
    start_time      TEXT NOT NULL,          -- HH:MM in the deployment zone
    place           TEXT NOT NULL,
    created_by      INTEGER REFERENCES members (id),
    created_at      TEXT NOT NULL,
    replaced_at     TEXT
);
CREATE UNIQUE INDEX party_day_rules_current ON party_day_rules (branch_id)
    WHERE replaced_at IS NULL;

-- One branch-month. Absent (or planned with day NULL) means "as the rule says". Sending
-- the announcement pins day, time and place, so a later rule change does not silently
-- move a day members were told about; a move or cancellation is explicit, with a reason.
CREATE TABLE party_day_months (
    id              INTEGER PRIMARY KEY,
    branch_id       INTEGER NOT NULL REFERENCES branches (id),
    month           TEXT NOT NULL,          -- YYYY-MM
    status          TEXT NOT NULL DEFAULT 'planned'
                    CHECK (status IN ('planned', 'moved', 'cancelled')),
    day             TEXT,                   -- ISO date, once pinned or moved
    start_time      TEXT,
    place           TEXT,
    theme           TEXT,
    reason          TEXT,
    announced_at    TEXT,
    updated_by      INTEGER REFERENCES members (id),
    updated_at      TEXT NOT NULL,
    UNIQUE (branch_id, month),
    CHECK (status = 'planned' OR reason IS NOT NULL),
    CHECK (status <> 'moved' OR day IS NOT NULL)
);

-- A member's answer to a month's announcement; changed in place (history in audit_log).
-- rev grows with each change so a secretary's approval button for an older answer is stale.
CREATE TABLE party_day_replies (
    id              INTEGER PRIMARY KEY,
    month_id        INTEGER NOT NULL REFERENCES party_day_months (id),
    member_id       INTEGER NOT NULL REFERENCES members (id),
    answer          TEXT NOT NULL CHECK (answer IN ('attend', 'leave')),
    reason_kind     TEXT CHECK (reason_kind IN ('teaching', 'illness', 'family', 'official', 'other')),
    reason_text     TEXT,
    approval        TEXT CHECK (approval IN ('pending', 'approved', 'declined')),
    decided_by      INTEGER REFERENCES members (id),
    decided_at      TEXT,
    rev             INTEGER NOT NULL DEFAULT 1,
    answered_at     TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (month_id, member_id),
    CHECK ((answer = 'leave') = (reason_kind IS NOT NULL AND approval IS NOT NULL))
);

CREATE TABLE party_day_checkins (
    id              INTEGER PRIMARY KEY,
    month_id        INTEGER NOT NULL REFERENCES party_day_months (id),
    member_id       INTEGER NOT NULL REFERENCES members (id),
    method          TEXT NOT NULL CHECK (method IN ('location', 'photo', 'manual')),
    latitude        REAL,
    longitude       REAL,
    photo_file_id   TEXT,
    marked_by       INTEGER REFERENCES members (id),
    at              TEXT NOT NULL,
    UNIQUE (month_id, member_id),
    CHECK (method <> 'location' OR (latitude IS NOT NULL AND longitude IS NOT NULL)),
    CHECK (method <> 'photo' OR photo_file_id IS NOT NULL),
    CHECK (method <> 'manual' OR marked_by IS NOT NULL)
);

-- Service done on (or around) the party day. party_month_id links it to that month's day
-- when it was done on that day; makeup_month_id marks a make-up (补课) for a month the
-- member was excused from.
CREATE TABLE service_logs (
    id              INTEGER PRIMARY KEY,
    member_id       INTEGER NOT NULL REFERENCES members (id),
    branch_id       INTEGER NOT NULL REFERENCES branches (id),
    kind            TEXT NOT NULL
                    CHECK (kind IN ('volunteer', 'pairing', 'outreach', 'cleanup', 'study', 'other')),
    on_date         TEXT NOT NULL,
    hours           REAL NOT NULL
                    CHECK (hours >= 0.5 AND hours <= 12 AND hours * 2 = CAST(hours * 2 AS INTEGER)),
    description     TEXT NOT NULL CHECK (length(description) BETWEEN 1 AND 500),
    photo_file_id   TEXT,
    party_month_id  INTEGER REFERENCES party_day_months (id),
    makeup_month_id INTEGER REFERENCES party_day_months (id),
    logged_on       TEXT NOT NULL,          -- local date it was logged: bounds on_date
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    withdrawn_at    TEXT
);
CREATE INDEX service_logs_member ON service_logs (member_id, on_date);
CREATE INDEX service_logs_branch ON service_logs (branch_id, on_date);

-- The version a record had before each edit.
CREATE TABLE service_log_versions (
    id              INTEGER PRIMARY KEY,
    log_id          INTEGER NOT NULL REFERENCES service_logs (id),
    kind            TEXT NOT NULL,
    on_date         TEXT NOT NULL,
    hours           REAL NOT NULL,
    description     TEXT NOT NULL,
    photo_file_id   TEXT,
    party_month_id  INTEGER,
    replaced_by     INTEGER REFERENCES members (id),
    replaced_at     TEXT NOT NULL
);
CREATE INDEX service_log_versions_log ON service_log_versions (log_id, id);
CREATE TRIGGER service_logs_no_delete BEFORE DELETE ON service_logs
BEGIN
    SELECT RAISE(ABORT, 'service records are withdrawn, never deleted');
END;
CREATE TRIGGER service_log_versions_no_change BEFORE UPDATE ON service_log_versions
BEGIN
    SELECT RAISE(ABORT, 'service record history is append-only');
END;
CREATE TRIGGER service_log_versions_no_delete BEFORE DELETE ON service_log_versions
BEGIN
    SELECT RAISE(ABORT, 'service record history is append-only');
END;

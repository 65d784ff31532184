-- Home visits (家访): school terms, the visits members log, their earlier versions, and the
-- per-term targets secretaries set. Students appear only as an alias the teacher chose;
-- nothing here is ever deleted (withdrawn visits and replaced terms are marked).

-- A school term set by an admin. Without a row covering a date, the default split
-- applies (1 Sep–31 Jan, 1 Feb–31 Jul). A replaced term keeps its row, marked.
CREATE TABLE terms (
    id              INTEGER PRIMARY KEY,
    start_date      TEXT NOT NULL,
    end_date        TEXT NOT NULL,
    set_by          INTEGER REFERENCES members (id),
    created_at      TEXT NOT NULL,
    superseded_at   TEXT,
    CHECK (start_date < end_date)
);
CREATE INDEX terms_active ON terms (superseded_at, start_date);

CREATE TABLE home_visits (
    id                  INTEGER PRIMARY KEY,
    member_id           INTEGER NOT NULL REFERENCES members (id),
    -- The branch the member belonged to when logging: a visit stays with that branch.
    branch_id           INTEGER NOT NULL REFERENCES branches (id),
    visit_date          TEXT NOT NULL,
    student_alias       TEXT NOT NULL CHECK (length(student_alias) BETWEEN 1 AND 20),
    class_name          TEXT NOT NULL CHECK (length(class_name) BETWEEN 1 AND 20),
    form                TEXT NOT NULL CHECK (form IN ('in_person', 'phone', 'video')),
    met                 TEXT NOT NULL CHECK (met IN ('parents', 'grandparents', 'guardian')),
    -- JSON list of topic names, at least one.
    topics              TEXT NOT NULL,
    note                TEXT CHECK (note IS NULL OR length(note) <= 1000),
    photo_file_id       TEXT,
    follow_up_on        TEXT,
    follow_up_done_at   TEXT,
    follow_up_note      TEXT CHECK (follow_up_note IS NULL OR length(follow_up_note) <= 1000),
    -- 1 when logged, +1 per edit; earlier versions are in home_visit_versions.
    version             INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    withdrawn_at        TEXT,
    withdrawn_by        INTEGER REFERENCES members (id),
    CHECK (follow_up_on IS NULL OR follow_up_on > visit_date)
);
CREATE INDEX home_visits_member ON home_visits (member_id, visit_date);
CREATE INDEX home_visits_branch ON home_visits (branch_id, visit_date);
CREATE INDEX home_visits_follow_up ON home_visits (follow_up_on)
    WHERE follow_up_on IS NOT NULL AND follow_up_done_at IS NULL AND withdrawn_at IS NULL;
CREATE TRIGGER home_visits_no_delete BEFORE DELETE ON home_visits
BEGIN
    SELECT RAISE(ABORT, 'home visits are withdrawn, never deleted');
END;

-- What a visit said before each edit: one row per replaced version, append-only.
CREATE TABLE home_visit_versions (
    visit_id        INTEGER NOT NULL REFERENCES home_visits (id),
    version         INTEGER NOT NULL,
    -- JSON of the content fields as they were in that version.
    content         TEXT NOT NULL,
    replaced_at     TEXT NOT NULL,
    replaced_by     INTEGER REFERENCES members (id),
    PRIMARY KEY (visit_id, version)
);
CREATE TRIGGER home_visit_versions_no_update BEFORE UPDATE ON home_visit_versions
BEGIN
    SELECT RAISE(ABORT, 'home_visit_versions is append-only');
END;
CREATE TRIGGER home_visit_versions_no_delete BEFORE DELETE ON home_visit_versions
BEGIN
    SELECT RAISE(ABORT, 'home_visit_versions is append-only');
END;

-- Visits per member a secretary expects in a term. Append-only: the newest row set on a
-- day inside a term is that term's target, so changing a term's dates keeps its target.
CREATE TABLE visit_targets (
    id              INTEGER PRIMARY KEY,
    branch_id       INTEGER NOT NULL REFERENCES branches (id),
    target          INTEGER NOT NULL CHECK (target BETWEEN 0 AND 100),
    set_on          TEXT NOT NULL,
    set_by          INTEGER REFERENCES members (id),
    set_at          TEXT NOT NULL
);
CREATE INDEX visit_targets_branch ON visit_targets (branch_id, set_on);

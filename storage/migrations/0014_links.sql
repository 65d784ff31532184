-- Links (三联系, 双服务, 结对) and the contacts logged against them. Nothing is deleted: an
-- ended link keeps its row and its contacts, and a withdrawn contact is marked.

-- Who is linked to whom for a term or a school year. The owner is a member (with the
-- branch they belonged to when the link was set) or, for 结对, a branch alone; the target
-- depends on the kind: a class or dorm as text, a student by alias only, a member, a
-- non-member by name and role, or a branch.
CREATE TABLE links (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT NOT NULL
                        CHECK (kind IN ('class', 'dorm', 'student', 'serve_branch',
                                        'serve_person', 'pair')),
    member_id           INTEGER REFERENCES members (id),
    branch_id           INTEGER NOT NULL REFERENCES branches (id),
    target_text         TEXT CHECK (target_text IS NULL OR length(target_text) BETWEEN 1 AND 30),
    student_alias       TEXT CHECK (student_alias IS NULL OR length(student_alias) BETWEEN 1 AND 20),
    target_member_id    INTEGER REFERENCES members (id),
    person_name         TEXT CHECK (person_name IS NULL OR length(person_name) BETWEEN 2 AND 20),
    person_role         TEXT CHECK (person_role IS NULL OR length(person_role) BETWEEN 2 AND 20),
    target_branch_id    INTEGER REFERENCES branches (id),
    period              TEXT NOT NULL CHECK (period IN ('term', 'year')),
    period_start        TEXT NOT NULL,
    period_end          TEXT NOT NULL,
    -- The day the link began: contacts are dated from here on.
    start_on            TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('proposed', 'active', 'declined', 'ended')),
    -- A new 三联系-班级 link confirmed in place of this one's predecessor.
    replaces_id         INTEGER REFERENCES links (id),
    replaced_by         INTEGER REFERENCES links (id),
    created_by          INTEGER NOT NULL REFERENCES members (id),
    created_at          TEXT NOT NULL,
    decided_by          INTEGER REFERENCES members (id),
    decided_at          TEXT,
    decline_note        TEXT CHECK (decline_note IS NULL OR length(decline_note) <= 200),
    ended_by            INTEGER REFERENCES members (id),
    ended_at            TEXT,
    ended_on            TEXT,
    end_reason          TEXT CHECK (end_reason IS NULL OR length(end_reason) <= 200),
    CHECK ((kind = 'pair') = (member_id IS NULL)),
    CHECK (kind NOT IN ('class', 'dorm') OR target_text IS NOT NULL),
    CHECK (kind <> 'student' OR student_alias IS NOT NULL),
    CHECK (kind <> 'serve_person' OR target_member_id IS NOT NULL
           OR (person_name IS NOT NULL AND person_role IS NOT NULL)),
    CHECK (kind NOT IN ('serve_branch', 'pair') OR target_branch_id IS NOT NULL),
    CHECK (target_branch_id IS NOT branch_id),
    CHECK (period_start < period_end AND start_on BETWEEN period_start AND period_end),
    CHECK (status <> 'ended'
           OR (ended_at IS NOT NULL AND (end_reason IS NOT NULL OR replaced_by IS NOT NULL)))
);
CREATE INDEX links_member ON links (member_id, status);
CREATE INDEX links_branch ON links (branch_id, status);
CREATE INDEX links_target_branch ON links (target_branch_id, status)
    WHERE target_branch_id IS NOT NULL;
-- One active class per member and period; a second replaces the first only when confirmed.
CREATE UNIQUE INDEX links_one_class ON links (member_id, period_start)
    WHERE kind = 'class' AND status = 'active';
CREATE TRIGGER links_no_delete BEFORE DELETE ON links
BEGIN
    SELECT RAISE(ABORT, 'links are ended, never deleted');
END;

-- One contact with a link's target: when, how, one line of what happened, maybe a photo.
-- side_branch_id is the logger's branch, which tells the two sides of a 结对 apart. Home
-- visits to a 学困生 link's student count as its contacts too, read from home_visits.
CREATE TABLE link_contacts (
    id                  INTEGER PRIMARY KEY,
    link_id             INTEGER NOT NULL REFERENCES links (id),
    on_date             TEXT NOT NULL,
    how                 TEXT NOT NULL
                        CHECK (how IN ('talk', 'visit', 'phone', 'online', 'activity', 'other')),
    note                TEXT CHECK (note IS NULL OR length(note) <= 200),
    photo_file_id       TEXT,
    logged_by           INTEGER NOT NULL REFERENCES members (id),
    side_branch_id      INTEGER NOT NULL REFERENCES branches (id),
    created_at          TEXT NOT NULL,
    withdrawn_at        TEXT
);
CREATE INDEX link_contacts_link ON link_contacts (link_id, on_date);
CREATE TRIGGER link_contacts_no_delete BEFORE DELETE ON link_contacts
BEGIN
    SELECT RAISE(ABORT, 'contacts are withdrawn, never deleted');
END;

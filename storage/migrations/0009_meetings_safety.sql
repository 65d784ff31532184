-- 三会一课 (branch meetings) and 平安校园 (safety lessons and drills). Nothing is deleted:
-- a cancelled meeting or a withdrawn record keeps its row, and a correction of an approved
-- meeting record is a new version that keeps the approved one (status 'superseded').

-- One version of one meeting's record. lineage_id is the id of its first version, so the
-- versions of one meeting are found together; replaces_id is the version it corrects.
CREATE TABLE meetings (
    id              INTEGER PRIMARY KEY,
    lineage_id      INTEGER REFERENCES meetings (id),
    version         INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    replaces_id     INTEGER REFERENCES meetings (id),
    branch_id       INTEGER NOT NULL REFERENCES branches (id),
    kind            TEXT NOT NULL CHECK (kind IN ('general', 'committee', 'group', 'lecture')),
    on_date         TEXT NOT NULL,          -- ISO date in the deployment zone
    start_time      TEXT,                   -- HH:MM
    end_time        TEXT,
    place           TEXT,
    topic           TEXT NOT NULL,
    -- Chair, recorder and lecturer: a branch member (id and name as then) or a guest
    -- typed by name (id NULL).
    chair_id        INTEGER REFERENCES members (id),
    chair_name      TEXT,
    recorder_id     INTEGER REFERENCES members (id),
    recorder_name   TEXT,
    lecturer_id     INTEGER REFERENCES members (id),
    lecturer_name   TEXT,
    observers       TEXT NOT NULL DEFAULT '[]',     -- JSON list of names (列席)
    key_points      TEXT,
    decisions       TEXT,
    votes_for       INTEGER CHECK (votes_for >= 0),
    votes_against   INTEGER CHECK (votes_against >= 0),
    votes_abstain   INTEGER CHECK (votes_abstain >= 0),
    photos          TEXT NOT NULL DEFAULT '[]',     -- JSON list of Telegram file ids
    status          TEXT NOT NULL
                    CHECK (status IN ('announced', 'draft', 'submitted', 'returned',
                                      'approved', 'superseded', 'withdrawn')),
    announced_at    TEXT,
    submitted_at    TEXT,
    return_note     TEXT,
    reviewed_by     INTEGER REFERENCES members (id),
    reviewed_at     TEXT,
    withdrawn_at    TEXT,
    created_by      INTEGER NOT NULL REFERENCES members (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CHECK (chair_id IS NULL OR chair_name IS NOT NULL),
    CHECK (recorder_id IS NULL OR recorder_name IS NOT NULL),
    CHECK (lecturer_id IS NULL OR lecturer_name IS NOT NULL)
);
CREATE INDEX meetings_branch ON meetings (branch_id, on_date, kind);
CREATE INDEX meetings_lineage ON meetings (lineage_id, version);
CREATE INDEX meetings_status ON meetings (status, submitted_at);

-- Approved and superseded versions are kept as reviewed: only the move from approved to
-- superseded (a correction was approved) may touch such a row.
CREATE TRIGGER meetings_locked BEFORE UPDATE ON meetings
WHEN OLD.status = 'superseded'
  OR (OLD.status = 'approved' AND (
        NEW.status IS NOT 'superseded'
        OR NEW.on_date IS NOT OLD.on_date OR NEW.kind IS NOT OLD.kind
        OR NEW.topic IS NOT OLD.topic OR NEW.place IS NOT OLD.place
        OR NEW.start_time IS NOT OLD.start_time OR NEW.end_time IS NOT OLD.end_time
        OR NEW.chair_name IS NOT OLD.chair_name OR NEW.recorder_name IS NOT OLD.recorder_name
        OR NEW.lecturer_name IS NOT OLD.lecturer_name OR NEW.observers IS NOT OLD.observers
        OR NEW.key_points IS NOT OLD.key_points OR NEW.decisions IS NOT OLD.decisions
        OR NEW.votes_for IS NOT OLD.votes_for OR NEW.votes_against IS NOT OLD.votes_against
        OR NEW.votes_abstain IS NOT OLD.votes_abstain OR NEW.photos IS NOT OLD.photos))
BEGIN
    SELECT RAISE(ABORT, 'an approved meeting record is locked; correct it with a new version');
END;
CREATE TRIGGER meetings_no_delete BEFORE DELETE ON meetings
BEGIN
    SELECT RAISE(ABORT, 'meeting records are never deleted');
END;

-- Who was expected at one version of a meeting, their answer to an announcement, and
-- whether they were there. voting = 0 for someone without a vote (a probationary member).
CREATE TABLE meeting_attendance (
    meeting_id      INTEGER NOT NULL REFERENCES meetings (id),
    member_id       INTEGER NOT NULL REFERENCES members (id),
    voting          INTEGER NOT NULL DEFAULT 1 CHECK (voting IN (0, 1)),
    reply           TEXT CHECK (reply IN ('attend', 'leave')),
    reply_reason    TEXT,
    replied_at      TEXT,
    presence        TEXT CHECK (presence IN ('present', 'absent')),
    absence_reason  TEXT,
    marked_by       INTEGER REFERENCES members (id),
    marked_at       TEXT,
    PRIMARY KEY (meeting_id, member_id),
    CHECK (reply IS NOT 'leave' OR reply_reason IS NOT NULL),
    CHECK (presence IS NOT 'present' OR absence_reason IS NULL)
);
CREATE INDEX meeting_attendance_member ON meeting_attendance (member_id);

CREATE TRIGGER meeting_attendance_locked_update BEFORE UPDATE ON meeting_attendance
WHEN (SELECT status FROM meetings WHERE id = OLD.meeting_id)
     IN ('submitted', 'approved', 'superseded', 'withdrawn')
BEGIN
    SELECT RAISE(ABORT, 'attendance of a submitted or approved meeting is locked');
END;
CREATE TRIGGER meeting_attendance_locked_insert BEFORE INSERT ON meeting_attendance
WHEN (SELECT status FROM meetings WHERE id = NEW.meeting_id)
     IN ('submitted', 'approved', 'superseded', 'withdrawn')
BEGIN
    SELECT RAISE(ABORT, 'attendance of a submitted or approved meeting is locked');
END;
CREATE TRIGGER meeting_attendance_no_delete BEFORE DELETE ON meeting_attendance
WHEN (SELECT status FROM meetings WHERE id = OLD.meeting_id)
     NOT IN ('announced', 'draft', 'returned')
BEGIN
    SELECT RAISE(ABORT, 'attendance of a submitted or approved meeting is locked');
END;

-- A make-up (补课) by a member absent from a 党课: kept apart from the record, so an
-- approved record stays as it was reviewed. Keyed by the meeting's lineage.
CREATE TABLE meeting_makeups (
    id              INTEGER PRIMARY KEY,
    lineage_id      INTEGER NOT NULL REFERENCES meetings (id),
    member_id       INTEGER NOT NULL REFERENCES members (id),
    on_date         TEXT NOT NULL,
    note            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    UNIQUE (lineage_id, member_id)
);
CREATE TRIGGER meeting_makeups_no_delete BEFORE DELETE ON meeting_makeups
BEGIN
    SELECT RAISE(ABORT, 'make-up records are never deleted');
END;

-- A safety-themed lesson (主题安全教育) a member gave a class.
CREATE TABLE safety_lessons (
    id              INTEGER PRIMARY KEY,
    member_id       INTEGER NOT NULL REFERENCES members (id),
    branch_id       INTEGER NOT NULL REFERENCES branches (id),
    on_date         TEXT NOT NULL,
    class_name      TEXT NOT NULL,
    topic           TEXT NOT NULL
                    CHECK (topic IN ('traffic', 'fire', 'drowning', 'food', 'bullying',
                                     'online', 'earthquake', 'other')),
    students        INTEGER NOT NULL CHECK (students BETWEEN 1 AND 200),
    photo_file_id   TEXT,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    created_at      TEXT NOT NULL,
    withdrawn_at    TEXT
);
CREATE INDEX safety_lessons_member ON safety_lessons (member_id, on_date);
CREATE INDEX safety_lessons_branch ON safety_lessons (branch_id, on_date);
CREATE TRIGGER safety_lessons_no_delete BEFORE DELETE ON safety_lessons
BEGIN
    SELECT RAISE(ABORT, 'safety records are withdrawn, never deleted');
END;

-- A safety drill (安全演练): logged by a member for themself, or once by a secretary for
-- the whole school with the members who took part.
CREATE TABLE safety_drills (
    id              INTEGER PRIMARY KEY,
    branch_id       INTEGER NOT NULL REFERENCES branches (id),
    on_date         TEXT NOT NULL,
    kind            TEXT NOT NULL
                    CHECK (kind IN ('evacuation', 'earthquake', 'stampede', 'other')),
    scope           TEXT NOT NULL CHECK (scope IN ('own', 'school')),
    logged_by       INTEGER NOT NULL REFERENCES members (id),
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    created_at      TEXT NOT NULL,
    withdrawn_at    TEXT
);
CREATE INDEX safety_drills_branch ON safety_drills (branch_id, on_date);
CREATE TRIGGER safety_drills_no_delete BEFORE DELETE ON safety_drills
BEGIN
    SELECT RAISE(ABORT, 'safety records are withdrawn, never deleted');
END;

CREATE TABLE safety_drill_participants (
    drill_id        INTEGER NOT NULL REFERENCES safety_drills (id),
    member_id       INTEGER NOT NULL REFERENCES members (id),
    role            TEXT,
    added_by        INTEGER NOT NULL REFERENCES members (id),
    added_at        TEXT NOT NULL,
    PRIMARY KEY (drill_id, member_id)
);
CREATE INDEX safety_drill_participants_member ON safety_drill_participants (member_id);
CREATE TRIGGER safety_drill_participants_no_delete BEFORE DELETE ON safety_drill_participants
BEGIN
    SELECT RAISE(ABORT, 'safety records are withdrawn, never deleted');
END;

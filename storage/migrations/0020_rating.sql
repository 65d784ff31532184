-- Evaluation (issue 15): rating rounds of the branch star rating (星级创建). A round is
-- opened for a school year with a copy of the rubric then in force; each branch's rating
-- goes 自评 (self-score) -> 复核 (review) -> 定星 (tier) -> 公示 (public notice, with
-- objections) -> final. Scores are never changed in place: each score given is a new row,
-- the newest of an item and stage counts, so the rows are the audit trail.

CREATE TABLE rating_rounds (
    id              INTEGER PRIMARY KEY,
    school_year     INTEGER NOT NULL UNIQUE CHECK (school_year BETWEEN 2000 AND 2100),
    rubric          TEXT NOT NULL,
    version         TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'published', 'final')),
    opened_by       INTEGER REFERENCES members (id),
    opened_at       TEXT NOT NULL,
    published_at    TEXT,
    notice_ends_on  TEXT,
    finalized_at    TEXT,
    CHECK (status = 'open' OR notice_ends_on IS NOT NULL)
);

CREATE TABLE branch_ratings (
    id              INTEGER PRIMARY KEY,
    round_id        INTEGER NOT NULL REFERENCES rating_rounds (id),
    branch_id       INTEGER NOT NULL REFERENCES branches (id),
    status          TEXT NOT NULL DEFAULT 'filling'
                    CHECK (status IN ('filling', 'submitted', 'reviewed', 'decided')),
    total           REAL,
    proposed_tier   TEXT,
    tier            TEXT,
    tier_reason     TEXT,
    submitted_by    INTEGER REFERENCES members (id),
    submitted_at    TEXT,
    reviewed_by     INTEGER REFERENCES members (id),
    reviewed_at     TEXT,
    decided_by      INTEGER REFERENCES members (id),
    decided_at      TEXT,
    UNIQUE (round_id, branch_id),
    CHECK (tier IS NULL OR proposed_tier IS NOT NULL),
    CHECK (tier IS NULL OR tier = proposed_tier OR tier_reason IS NOT NULL)
);
CREATE INDEX branch_ratings_branch ON branch_ratings (branch_id, round_id);

CREATE TABLE rating_scores (
    id              INTEGER PRIMARY KEY,
    rating_id       INTEGER NOT NULL REFERENCES branch_ratings (id),
    item_key        TEXT NOT NULL,
    stage           TEXT NOT NULL CHECK (stage IN ('self', 'review')),
    score           REAL NOT NULL CHECK (score >= 0),
    note            TEXT,
    photos          TEXT NOT NULL DEFAULT '[]',
    reason          TEXT,
    actor_id        INTEGER REFERENCES members (id),
    at              TEXT NOT NULL
);
CREATE INDEX rating_scores_rating ON rating_scores (rating_id, item_key, stage, id);
CREATE TRIGGER rating_scores_no_change BEFORE UPDATE ON rating_scores
BEGIN
    SELECT RAISE(ABORT, 'a score is changed by giving a new one, never in place');
END;
CREATE TRIGGER rating_scores_no_delete BEFORE DELETE ON rating_scores
BEGIN
    SELECT RAISE(ABORT, 'scores are never deleted');
END;

CREATE TABLE rating_objections (
    id              INTEGER PRIMARY KEY,
    rating_id       INTEGER NOT NULL REFERENCES branch_ratings (id),
    member_id       INTEGER NOT NULL REFERENCES members (id),
    text            TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
    at              TEXT NOT NULL,
    answer          TEXT CHECK (answer IS NULL OR length(answer) BETWEEN 1 AND 1000),
    answered_by     INTEGER REFERENCES members (id),
    answered_at     TEXT
);
CREATE INDEX rating_objections_rating ON rating_objections (rating_id, id);

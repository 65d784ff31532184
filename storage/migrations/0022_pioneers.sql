-- Evaluation (issue 15): choosing the pioneers (评选先锋). The admin opens a round for a
-- calendar year with a quota, a per-branch cap and two windows (nomination, then the
-- jury's vote); secretaries nominate their members, members nominate themselves and
-- their secretary endorses or declines; the jury (admins and inspectors the admin picks)
-- ranks the nominees in secret; the bureau confirms the quota (a tie at the cut decided
-- with a reason); 公示 with objections; then the final list is the honours record.
-- A nominee's record for the year is never copied here: it is worked out from the records.

CREATE TABLE pioneer_rounds (
    id              INTEGER PRIMARY KEY,
    year            INTEGER NOT NULL UNIQUE CHECK (year BETWEEN 2000 AND 2100),
    title           TEXT NOT NULL CHECK (length(title) BETWEEN 2 AND 60),
    quota           INTEGER NOT NULL CHECK (quota BETWEEN 1 AND 100),
    branch_cap      INTEGER NOT NULL CHECK (branch_cap BETWEEN 1 AND 50),
    nominate_from   TEXT NOT NULL,
    nominate_until  TEXT NOT NULL,
    vote_from       TEXT NOT NULL,
    vote_until      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open'
                    CHECK (status IN ('open', 'confirmed', 'published', 'final')),
    tie_reason      TEXT,
    tie_decided_by  INTEGER REFERENCES members (id),
    tie_decided_at  TEXT,
    opened_by       INTEGER REFERENCES members (id),
    opened_at       TEXT NOT NULL,
    confirmed_by    INTEGER REFERENCES members (id),
    confirmed_at    TEXT,
    published_at    TEXT,
    notice_ends_on  TEXT,
    finalized_at    TEXT,
    CHECK (nominate_from <= nominate_until AND nominate_until < vote_from
           AND vote_from <= vote_until),
    CHECK (status IN ('open', 'confirmed') OR notice_ends_on IS NOT NULL)
);

CREATE TABLE pioneer_jurors (
    round_id        INTEGER NOT NULL REFERENCES pioneer_rounds (id),
    member_id       INTEGER NOT NULL REFERENCES members (id),
    added_by        INTEGER REFERENCES members (id),
    added_at        TEXT NOT NULL,
    PRIMARY KEY (round_id, member_id)
);

CREATE TABLE pioneer_nominations (
    id              INTEGER PRIMARY KEY,
    round_id        INTEGER NOT NULL REFERENCES pioneer_rounds (id),
    branch_id       INTEGER NOT NULL REFERENCES branches (id),
    member_id       INTEGER NOT NULL REFERENCES members (id),
    nominated_by    INTEGER NOT NULL REFERENCES members (id),
    self_nominated  INTEGER NOT NULL DEFAULT 0 CHECK (self_nominated IN (0, 1)),
    deeds           TEXT NOT NULL CHECK (length(deeds) BETWEEN 10 AND 1000),
    photos          TEXT NOT NULL DEFAULT '[]',
    status          TEXT NOT NULL
                    CHECK (status IN ('pending', 'nominated', 'declined')),
    decline_reason  TEXT,
    decided_by      INTEGER REFERENCES members (id),
    decided_at      TEXT,
    created_at      TEXT NOT NULL,
    -- A tie at the cut decided by the bureau: 1 in, 0 out; NULL for everyone else.
    tie_in          INTEGER CHECK (tie_in IS NULL OR tie_in IN (0, 1)),
    -- Set when the bureau confirms the list: 1 chosen, 0 not.
    selected        INTEGER CHECK (selected IS NULL OR selected IN (0, 1)),
    CHECK (status <> 'declined' OR decline_reason IS NOT NULL)
);
-- One live nomination a person a round; a declined one may be followed by another.
CREATE UNIQUE INDEX pioneer_nominations_one ON pioneer_nominations (round_id, member_id)
    WHERE status <> 'declined';
CREATE INDEX pioneer_nominations_branch ON pioneer_nominations (round_id, branch_id, status);
CREATE INDEX pioneer_nominations_member ON pioneer_nominations (member_id, round_id);

-- A juror's ballot is cast once: the ranking (nominations in order) is kept with it.
CREATE TABLE pioneer_ballots (
    id              INTEGER PRIMARY KEY,
    round_id        INTEGER NOT NULL REFERENCES pioneer_rounds (id),
    juror_id        INTEGER NOT NULL REFERENCES members (id),
    ranking         TEXT NOT NULL,
    cast_at         TEXT NOT NULL,
    UNIQUE (round_id, juror_id)
);
CREATE TRIGGER pioneer_ballots_no_change BEFORE UPDATE ON pioneer_ballots
BEGIN
    SELECT RAISE(ABORT, 'a ballot is cast once and never changed');
END;
CREATE TRIGGER pioneer_ballots_no_delete BEFORE DELETE ON pioneer_ballots
BEGIN
    SELECT RAISE(ABORT, 'ballots are never deleted');
END;

CREATE TABLE pioneer_objections (
    id              INTEGER PRIMARY KEY,
    round_id        INTEGER NOT NULL REFERENCES pioneer_rounds (id),
    member_id       INTEGER NOT NULL REFERENCES members (id),
    text            TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
    at              TEXT NOT NULL,
    answer          TEXT CHECK (answer IS NULL OR length(answer) BETWEEN 1 AND 1000),
    answered_by     INTEGER REFERENCES members (id),
    answered_at     TEXT
);
CREATE INDEX pioneer_objections_round ON pioneer_objections (round_id, id);

-- Pledges (岗位承诺): a member's public pledge for a period, its review, its public notice
-- (公示), progress updates (践诺) and evaluation (评诺). Rows are never deleted; a
-- withdrawn pledge keeps its row with status 'withdrawn'.

CREATE TABLE pledges (
    id                  INTEGER PRIMARY KEY,
    member_id           INTEGER NOT NULL REFERENCES members (id),
    branch_id           INTEGER NOT NULL REFERENCES branches (id),
    -- The period the pledge is for: a calendar year such as '2026'.
    period              TEXT NOT NULL,
    category            TEXT NOT NULL
                        CHECK (category IN ('teaching', 'innovation', 'caring', 'serving', 'other')),
    text                TEXT NOT NULL,
    -- JSON list of 0-5 concrete measures.
    measures            TEXT NOT NULL DEFAULT '[]',
    -- ISO date in the deployment's zone; NULL only while a draft has none yet.
    target_date         TEXT,
    status              TEXT NOT NULL DEFAULT 'draft'
                        CHECK (status IN ('draft', 'submitted', 'returned', 'published',
                                          'fulfilled', 'evaluated', 'withdrawn')),
    submitted_at        TEXT,
    return_note         TEXT,
    reviewed_by         INTEGER REFERENCES members (id),
    reviewed_at         TEXT,
    published_at        TEXT,
    -- Where the public notice was posted, so a status change can edit that post.
    notice_chat_id      INTEGER,
    notice_message_id   INTEGER,
    fulfilled_at        TEXT,
    fulfil_summary      TEXT,
    self_assessment     TEXT,
    rating              TEXT CHECK (rating IN ('excellent', 'good', 'fair', 'poor')),
    evaluation_comment  TEXT,
    evaluated_by        INTEGER REFERENCES members (id),
    evaluated_at        TEXT,
    withdrawn_at        TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX pledges_member ON pledges (member_id, period, status);
CREATE INDEX pledges_branch ON pledges (branch_id, period, status);
CREATE INDEX pledges_status ON pledges (status, submitted_at);

-- What was pledged is fixed once it leaves the member's hands: the model refuses such an
-- edit, and this trigger refuses it for any code that bypasses the model.
CREATE TRIGGER pledges_text_fixed BEFORE UPDATE ON pledges
WHEN OLD.status NOT IN ('draft', 'returned')
 AND (NEW.text IS NOT OLD.text OR NEW.category IS NOT OLD.category
      OR NEW.measures IS NOT OLD.measures OR NEW.target_date IS NOT OLD.target_date
      OR NEW.period IS NOT OLD.period OR NEW.member_id IS NOT OLD.member_id
      OR NEW.branch_id IS NOT OLD.branch_id)
BEGIN
    SELECT RAISE(ABORT, 'a submitted pledge cannot be changed');
END;
CREATE TRIGGER pledges_no_delete BEFORE DELETE ON pledges
BEGIN
    SELECT RAISE(ABORT, 'pledges are never deleted; withdraw instead');
END;

-- Progress on a published pledge (践诺): text, optionally a photo kept as a Telegram file id.
CREATE TABLE pledge_updates (
    id              INTEGER PRIMARY KEY,
    pledge_id       INTEGER NOT NULL REFERENCES pledges (id),
    member_id       INTEGER NOT NULL REFERENCES members (id),
    at              TEXT NOT NULL,
    text            TEXT NOT NULL,
    photo_file_id   TEXT
);
CREATE INDEX pledge_updates_pledge ON pledge_updates (pledge_id, at);
CREATE TRIGGER pledge_updates_no_delete BEFORE DELETE ON pledge_updates
BEGIN
    SELECT RAISE(ABORT, 'pledge updates are never deleted');
END;

-- Per branch: when its secretary was told that no notice chat is linked (told once).
CREATE TABLE pledge_branch_state (
    branch_id           INTEGER PRIMARY KEY REFERENCES branches (id),
    no_notice_told_at   TEXT
);

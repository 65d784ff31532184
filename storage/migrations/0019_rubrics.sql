-- Evaluation (issue 15): the star-rating rubric an admin uploaded for a school year
-- (school_year: its first calendar year, 2026 for 2026–2027). The newest row of a year
-- is in force; none means the default shipped in storage/rubric.toml.

CREATE TABLE rubrics (
    id              INTEGER PRIMARY KEY,
    school_year     INTEGER NOT NULL CHECK (school_year BETWEEN 2000 AND 2100),
    version         TEXT NOT NULL,
    content         TEXT NOT NULL,
    uploaded_by     INTEGER REFERENCES members (id),
    uploaded_at     TEXT NOT NULL
);
CREATE INDEX rubrics_year ON rubrics (school_year, id);
CREATE TRIGGER rubrics_no_change BEFORE UPDATE ON rubrics
BEGIN
    SELECT RAISE(ABORT, 'a rubric is replaced by a new upload, never changed');
END;
CREATE TRIGGER rubrics_no_delete BEFORE DELETE ON rubrics
BEGIN
    SELECT RAISE(ABORT, 'a rubric is replaced by a new upload, never deleted');
END;

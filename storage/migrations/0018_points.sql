-- Evaluation (issue 15): the member-points rules an admin uploaded. The newest row is in
-- force; none means the defaults shipped in storage/points.toml. Points themselves are
-- never stored: they are worked out from the records each time.

CREATE TABLE point_rules (
    id              INTEGER PRIMARY KEY,
    version         TEXT NOT NULL,
    content         TEXT NOT NULL,
    uploaded_by     INTEGER REFERENCES members (id),
    uploaded_at     TEXT NOT NULL
);
CREATE TRIGGER point_rules_no_change BEFORE UPDATE ON point_rules
BEGIN
    SELECT RAISE(ABORT, 'point rules are replaced by a new upload, never changed');
END;
CREATE TRIGGER point_rules_no_delete BEFORE DELETE ON point_rules
BEGIN
    SELECT RAISE(ABORT, 'point rules are replaced by a new upload, never deleted');
END;

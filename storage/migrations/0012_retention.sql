-- Retention of children's data: after the retention period a visit's student alias,
-- note and photo are erased, and the visit (date, teacher, form, topics) stays, so
-- totals and ledgers stay right. erased_at says when; the audit log says by what rule.
ALTER TABLE home_visits ADD COLUMN erased_at TEXT;

-- Earlier versions stay append-only, except for the one change erasure makes: their
-- content replaced by the erased marker, nothing else touched.
DROP TRIGGER home_visit_versions_no_update;
CREATE TRIGGER home_visit_versions_no_update BEFORE UPDATE ON home_visit_versions
WHEN NEW.content IS NOT '{"erased": true}'
  OR NEW.visit_id IS NOT OLD.visit_id
  OR NEW.version IS NOT OLD.version
  OR NEW.replaced_at IS NOT OLD.replaced_at
  OR NEW.replaced_by IS NOT OLD.replaced_by
BEGIN
    SELECT RAISE(ABORT, 'home_visit_versions is append-only');
END;

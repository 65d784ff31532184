-- Links: a 学困生 link's alias is erased like a home visit's (retention, a departed
-- member's erasure), and a member's contacts are read per period (member points).
ALTER TABLE links ADD COLUMN erased_at TEXT;
CREATE INDEX link_contacts_logger ON link_contacts (logged_by, on_date);

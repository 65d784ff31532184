-- Reads that grew with history, found when the query-plan test began to cover meetings,
-- safety and links: a member's 党课 make-ups (/meetings, /mydata, points) and the
-- bureau's link coverage (all links in force, every branch) scanned their tables.
CREATE INDEX meeting_makeups_member ON meeting_makeups (member_id);
CREATE INDEX links_in_force ON links (status, period_end);

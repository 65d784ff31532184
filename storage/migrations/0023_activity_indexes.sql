-- Reads that grew with history, found when the query-plan test and bench.scale began to
-- cover meetings, safety, links and points: a member's 党课 make-ups (/meetings, /mydata),
-- the bureau's link coverage (all links in force, every branch), and a branch's points
-- (its links whose period meets the span, its pledges fulfilled or evaluated in it).
CREATE INDEX meeting_makeups_member ON meeting_makeups (member_id);
CREATE INDEX links_in_force ON links (status, period_end, branch_id);
CREATE INDEX links_branch_period ON links (branch_id, period_end);
CREATE INDEX pledges_evaluated ON pledges (branch_id, evaluated_at);
CREATE INDEX pledges_fulfilled ON pledges (branch_id, fulfilled_at);

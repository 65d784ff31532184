-- Indexes for reads that otherwise scan a table growing with every month of history
-- (found by tests/test_query_plans.py; measured by bench/scale.py at ten years):
-- /mydata reads a person's audit entries, party-day replies and check-ins by member;
-- /roster adds up make-up hours by party-day month; the digest asks who logged pledge
-- progress in a month; the reminder tick and leave lists look months up by YYYY-MM.
CREATE INDEX audit_actor ON audit_log (actor_id, id);
CREATE INDEX party_day_replies_member ON party_day_replies (member_id);
CREATE INDEX party_day_checkins_member ON party_day_checkins (member_id);
CREATE INDEX service_logs_makeup ON service_logs (makeup_month_id)
    WHERE makeup_month_id IS NOT NULL;
CREATE INDEX pledge_updates_member ON pledge_updates (member_id, at);
CREATE INDEX party_day_months_month ON party_day_months (month);
-- The visit boards count each person's visits in a term, not withdrawn: with withdrawn_at
-- in the index the count never reads the visits themselves (the bureau board counts a
-- whole term's visits at once). It replaces the narrower index of the same name.
DROP INDEX home_visits_member;
CREATE INDEX home_visits_member ON home_visits (member_id, visit_date, withdrawn_at);

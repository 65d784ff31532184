-- Retention's daily run finds what has passed its time without reading all history: the
-- home visits and 学困生 links not erased yet, by date, and the outbox messages whose text
-- is not erased yet ('—' is storage.outbox.ERASED_TEXT), by the time they were queued.
-- Erased rows leave these indexes, so each stays the size of the years still kept.
CREATE INDEX home_visits_unerased ON home_visits (visit_date) WHERE erased_at IS NULL;
CREATE INDEX links_unerased_students ON links (COALESCE(ended_on, period_end))
    WHERE kind = 'student' AND erased_at IS NULL;
CREATE INDEX outbox_unerased ON outbox (created_at) WHERE text <> '—';

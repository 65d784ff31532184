-- Every message to someone other than the person acting now goes through the outbox, so
-- rows need three more things.
-- A person waiting for it (a review decision, a leave answer) gets it at night too: the
-- dispatcher sends urgent rows inside the quiet hours.
ALTER TABLE outbox ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1));
-- An edit of a message the outbox posted (a pledge's notice post): the row whose message
-- is edited. It waits until that message is sent, and is dropped if it never is.
ALTER TABLE outbox ADD COLUMN edit_of INTEGER REFERENCES outbox (id);
-- What the message is about (its meaning depends on the kind: a pledge for a notice post),
-- so the feature can act on its outcome (remember the post, tell who must know it failed).
ALTER TABLE outbox ADD COLUMN subject_id INTEGER;

CREATE INDEX outbox_edits ON outbox (edit_of) WHERE edit_of IS NOT NULL;
CREATE INDEX outbox_subject ON outbox (kind, subject_id) WHERE subject_id IS NOT NULL;

-- Notice posts made before this change were sent directly: record them as sent rows, so
-- their edits go the same way as those of new posts.
INSERT INTO outbox (chat_id, kind, text, dedupe_key, not_before, created_at, status,
                    sent_at, telegram_message_id, subject_id)
SELECT notice_chat_id, 'pledge.notice', '', 'pledge.notice:' || id || ':before-outbox',
       COALESCE(published_at, created_at), COALESCE(published_at, created_at), 'sent',
       COALESCE(published_at, created_at), notice_message_id, id
FROM pledges
WHERE notice_chat_id IS NOT NULL AND notice_message_id IS NOT NULL;

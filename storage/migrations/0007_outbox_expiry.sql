-- A reminder stops being worth sending at some moment (the party-day morning reminder when
-- the day ends, a follow-up a week after its date). The engine knew it when it queued the
-- row; now the outbox keeps it, so a row that could not go out in time (the bot was down,
-- the quiet hours held it, Telegram kept refusing) is given up instead of arriving late
-- and wrong ("today is party day" on the day after). NULL: no such moment.
ALTER TABLE outbox ADD COLUMN expires_at TEXT;

-- The outbox: every message the bot sends on its own (reminders, digests, broadcasts) is
-- first a row here, so a crash loses nothing and the dispatcher can pace delivery.

CREATE TABLE outbox (
    id                  INTEGER PRIMARY KEY,
    -- Where it goes: a private chat (the member's Telegram id) or a group (negative id).
    chat_id             INTEGER NOT NULL,
    member_id           INTEGER REFERENCES members (id),
    kind                TEXT NOT NULL,
    -- Rendered HTML; buttons are JSON, a list of rows of {"text", "callback_data" | "url"}.
    text                TEXT NOT NULL,
    buttons             TEXT,
    -- A Telegram file id: sent as a photo with the text as its caption.
    photo               TEXT,
    -- Enqueueing the same reminder twice inserts nothing.
    dedupe_key          TEXT NOT NULL UNIQUE,
    not_before          TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'blocked')),
    -- Send attempts that count towards the retry limit (a flood wait is refunded) ...
    attempts            INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- ... and how often Telegram answered 429 for this row, capped separately.
    flood_waits         INTEGER NOT NULL DEFAULT 0 CHECK (flood_waits >= 0),
    last_error          TEXT,
    sent_at             TEXT,
    telegram_message_id INTEGER
);

-- The dispatcher's question: pending rows due by now, oldest first.
CREATE INDEX outbox_due ON outbox (status, not_before, id);
-- The report's counts by status and kind.
CREATE INDEX outbox_kind ON outbox (kind, status);

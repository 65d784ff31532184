-- The bureau's corrections to the holiday calendar (调休), for years no library knows yet
-- or for a local day off: one row per date, a holiday (day off) or a working day.
CREATE TABLE calendar_overrides (
    day TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    note TEXT NOT NULL DEFAULT '',
    set_by INTEGER NOT NULL,
    set_at TEXT NOT NULL
);

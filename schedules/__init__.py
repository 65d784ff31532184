"""The reminder engine: what is due when, the outbox, and the rate-limited dispatcher.

Knows no feature's screens: how a due reminder looks is a renderer that the composition
root hands in. Each module's docstring says what it does; in the order work flows:

- ``schedules.kinds``, ``schedules.due``, ``schedules.quiet``, ``schedules.engine``: what
  is due when, turned into outbox rows (``storage.outbox``) by a periodic tick;
- ``schedules.dispatcher``: ``Dispatcher`` drains the outbox into Telegram within its
  limits, retrying, pausing on 429 and recording every outcome;
- ``schedules.pacing``: the overall, per-chat and per-group pacers it uses;
- ``schedules.outbox_report``: the text ``xianfeng outbox`` prints.
"""

"""The async data layer: one SQLite database, numbered migrations, models and repositories.

Knows nothing of Telegram. Handlers and schedules reach storage only through the
repository modules (``storage.branches``, ``storage.members`` ...) and a transaction.
"""

from storage.database import Database, DatabaseError

__all__ = ["Database", "DatabaseError"]

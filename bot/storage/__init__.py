from bot.storage.database import Database, DatabaseError, Tx, counting_commits, with_retries
from bot.storage.migrations import apply_migrations

__all__ = ["Database", "DatabaseError", "Tx", "apply_migrations", "counting_commits", "with_retries"]

from bot.storage.database import Database, DatabaseError, Tx, batches, counting_commits, keyed, with_retries
from bot.storage.migrations import apply_migrations

__all__ = ["Database", "DatabaseError", "Tx", "apply_migrations", "batches", "counting_commits", "keyed",
           "with_retries"]

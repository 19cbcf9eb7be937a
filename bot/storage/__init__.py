from bot.storage.base import Database, DatabaseError, Row, TextTerm, Tx, counting_commits
from bot.storage.helpers import INTEGRITY_ERRORS, STORAGE_ERRORS, batches, is_transient, keyed, with_retries
from bot.storage.migrations import apply_migrations

__all__ = ["INTEGRITY_ERRORS", "STORAGE_ERRORS", "Database", "DatabaseError", "Row", "TextTerm", "Tx",
           "apply_migrations", "batches", "counting_commits", "is_transient", "keyed", "with_retries"]

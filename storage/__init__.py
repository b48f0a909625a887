"""Storage backends behind one interface (`base.Storage`); SQLite today.

`storage_from_settings` picks the backend: `DATABASE_URL` when set (`sqlite:///PATH`, or
`postgresql://...` for PostgreSQL, `storage.postgres`), else the `SQLITE_PATH` file.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.settings import BaseSettings

from storage.base import KnownUrl, SaveResult, Storage, StorageFault, StoredPage
from storage.sqlite import SQLiteStorage

__all__ = [
    "KnownUrl", "SQLiteStorage", "SaveResult", "Storage", "StorageFault", "StoredPage",
    "storage_from_settings",
]


def storage_from_settings(settings: BaseSettings) -> Storage | None:
    """The configured backend, or None when storage is switched off (no path, no URL)."""
    batch_size = settings.getint("CLEANNEWS_BATCH_SIZE")
    flush_interval = settings.getfloat("CLEANNEWS_FLUSH_INTERVAL")
    database_url = settings.get("DATABASE_URL") or ""
    if database_url:
        parts = urlsplit(database_url)
        if parts.scheme in ("postgresql", "postgres"):
            # Imported here: psycopg comes with the optional `scale` extra.
            from storage.postgres import PostgresStorage

            return PostgresStorage(
                database_url, batch_size=batch_size, flush_interval=flush_interval
            )
        if parts.scheme != "sqlite":
            raise ValueError(
                f"DATABASE_URL scheme {parts.scheme!r} has no backend yet; use sqlite:///PATH"
            )
        path = database_url.removeprefix("sqlite:///") or ":memory:"
    else:
        path = settings.get("SQLITE_PATH") or ""
    if not path:
        return None
    return SQLiteStorage(
        path,
        batch_size=batch_size,
        flush_interval=flush_interval,
        busy_timeout=settings.getfloat("CLEANNEWS_SQLITE_BUSY_TIMEOUT"),
    )

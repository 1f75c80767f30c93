"""All models, imported so that Alembic and create_all see every table."""

from app.models.job_run import JobRun
from app.models.kv_entry import KvEntry
from app.models.outbox import OutboxMessage

__all__ = ["JobRun", "KvEntry", "OutboxMessage"]

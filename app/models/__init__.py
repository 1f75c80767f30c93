"""All models, imported so that Alembic and create_all see every table."""

from app.models.audit import AuditLog
from app.models.campaign import Campaign, Team
from app.models.job_run import JobRun
from app.models.knowledge import DailyTipShown, KnowledgeCard, UnmatchedQuestion
from app.models.kv_entry import KvEntry
from app.models.leaderboard import Publication
from app.models.outbox import OutboxMessage
from app.models.paper import Paper, PaperItem
from app.models.participant import Enrollment, Participant
from app.models.question import BankQuestion
from app.models.staff import Staff
from app.models.tip import Tip, TipAttachment, TipEvent, TipIdentity, TipStat

__all__ = [
    "AuditLog",
    "BankQuestion",
    "Campaign",
    "DailyTipShown",
    "Enrollment",
    "JobRun",
    "KnowledgeCard",
    "KvEntry",
    "OutboxMessage",
    "Paper",
    "PaperItem",
    "Publication",
    "Participant",
    "Staff",
    "Team",
    "Tip",
    "TipAttachment",
    "TipEvent",
    "TipIdentity",
    "TipStat",
    "UnmatchedQuestion",
]

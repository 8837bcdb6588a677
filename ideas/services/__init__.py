"""Every write to ideas: creating and editing, the two lifecycle tracks,
duplicate merges, votes, follows, comments, scorecards and triage.

Top-level services are durable transactions that lock the idea row they
change, check the workflow table, make a guarded update and append one
history row per move. Notifications go through the one notifications
facility; their e-mail copies leave after commit.
"""

from ideas.services._common import KIND_ASSIGNED, KIND_COMMENT, KIND_MOVED, KIND_OVERDUE
from ideas.services.engagement import (
    comment_create,
    follow_add,
    follow_remove,
    scorecard_save,
    vote_add,
    vote_remove,
)
from ideas.services.lifecycle import idea_patent_transition, idea_transition
from ideas.services.trending import trending_refresh
from ideas.services.triage import TRIAGE_BATCH_SIZE, campaign_create, triage_escalate
from ideas.services.writing import idea_create, idea_delete, idea_update

__all__ = [
    "KIND_ASSIGNED",
    "KIND_COMMENT",
    "KIND_MOVED",
    "KIND_OVERDUE",
    "TRIAGE_BATCH_SIZE",
    "campaign_create",
    "comment_create",
    "follow_add",
    "follow_remove",
    "idea_create",
    "idea_delete",
    "idea_patent_transition",
    "idea_transition",
    "idea_update",
    "scorecard_save",
    "trending_refresh",
    "triage_escalate",
    "vote_add",
    "vote_remove",
]

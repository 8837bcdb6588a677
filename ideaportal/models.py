"""The Celery app's own bookkeeping (the project package is an app only
for this table; see ``ideaportal.celery.BaseTask``)."""

from __future__ import annotations

from django.db import models


class TaskRun(models.Model):
    """One delivery of a delayed task (task id and retry number), claimed
    by the worker process that runs it.

    Redis gives a message back to the queue once it has waited longer than
    the visibility timeout without an acknowledgement, and a task held by a
    worker until its ETA waits unacknowledged all that time: its copies
    would all run when the ETA comes. The unique key lets one copy run; the
    claim's age tells a copy still running from one whose worker died.
    """

    task_id = models.CharField(max_length=255)
    retries = models.PositiveIntegerField()
    task_name = models.CharField(max_length=255)
    # The execution holding the claim ("" until one takes it).
    owner = models.CharField(max_length=32, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task_id", "retries"], name="ideaportal_taskrun_task_retries"),
        ]

    def __str__(self) -> str:
        state = "finished" if self.finished_at else "claimed" if self.owner else "new"
        return f"{self.task_name}[{self.task_id}] try {self.retries}: {state}"

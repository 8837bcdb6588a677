"""The Celery application, configured once for the whole project.

Settings come from Django's (the ``CELERY_`` namespace): late acknowledgement,
one prefetched task per process, time limits. Retry defaults live on
``BaseTask`` so every task gets the same behaviour without repeating it.
Tasks that must see committed data are enqueued with ``delay_on_commit``.
"""

from __future__ import annotations

import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from django.db import InterfaceError, OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ideaportal.settings")


class BaseTask(DjangoTask):
    """Project default: transient faults (database or broker blips, SMTP
    connection drops) are retried with exponential backoff and jitter, at
    most five times, before the task is given up and logged."""

    autoretry_for = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
    retry_backoff = 5
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5


app = Celery("ideaportal", task_cls=BaseTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

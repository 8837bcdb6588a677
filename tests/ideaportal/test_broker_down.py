"""The broker is down when a change commits: the person still gets their
answer, and the work the change queued is not lost.

The broker here is a real Redis address where nothing listens (what the
portal sees while Redis restarts); tasks are sent to it, not run eagerly.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail

from ideaportal.celery import app as celery_app
from ideas.services._common import KIND_COMMENT
from notifications.models import EmailStatus, Notification, NotificationPreference
from notifications.services import notification_emails_send
from tests.accounts.factories import UserFactory
from tests.ideas.factories import IdeaFactory


def _reset_pools() -> None:
    # Forget the app's pools so the next send connects to the broker now
    # configured. (Not force_close_all(): kombu keeps pools in a registry
    # per broker, and a closed one would be handed back for the real broker.)
    app: Any = celery_app
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down() -> Iterator[None]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    conf: Any = celery_app.conf
    saved = conf.broker_write_url, conf.task_always_eager
    conf.broker_write_url = f"redis://127.0.0.1:{port}/0"  # where tasks are sent
    conf.task_always_eager = False
    _reset_pools()
    try:
        yield
    finally:
        conf.broker_write_url, conf.task_always_eager = saved
        _reset_pools()


@pytest.mark.django_db(transaction=True)
def test_a_comment_saved_while_the_broker_is_down_is_answered_and_its_mail_is_sent_later(
    api_client, broker_down, caplog
):
    author, commenter = UserFactory(), UserFactory()
    NotificationPreference.objects.create(user=author, kind=KIND_COMMENT, email=True)
    idea = IdeaFactory(author=author, status="submitted")
    api_client.force_authenticate(commenter)

    response = api_client.post(f"/api/v1/ideas/{idea.pk}/comments/", {"body": "Yes, please!"}, format="json")

    assert response.status_code == 201, response.content  # not a 500 for a comment that was saved
    assert idea.comments.filter(body="Yes, please!").exists()
    pending = Notification.objects.get(recipient=author)
    assert pending.email_status == EmailStatus.PENDING
    assert "Could not queue" in caplog.text  # the failed hand-over is logged, not swallowed

    # Once the broker is back, the five-minute sweep sends what waited.
    celery_app.conf.task_always_eager = True
    assert notification_emails_send() == 1
    assert [message.to for message in mail.outbox] == [[author.email]]


@pytest.mark.django_db(transaction=True)
def test_a_password_reset_asked_while_the_broker_is_down_is_answered_not_a_500(client, broker_down):
    person = UserFactory()
    response = client.post("/accounts/password-reset/", {"email": person.email})
    assert response.status_code in (200, 302), response.status_code

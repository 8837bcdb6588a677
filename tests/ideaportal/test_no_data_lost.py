"""Deleting an idea hides it and keeps it; every admin change to ideas,
assignments and subscribers leaves an append-only audit row."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from accounts.models import AuditEntry
from ideas.models import Idea, IdeaEvent, Vote
from ideas.workflow import Status
from newsletter.models import Frequency, Subscriber
from onboarding.models import Assignment
from tests.ideas.factories import IdeaFactory, VoteFactory, recount
from tests.newsletter.factories import SubscriberFactory
from tests.onboarding.factories import AssignmentFactory


@pytest.fixture
def admin_client_(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def test_admin_delete_hides_an_idea_but_keeps_it_with_votes_and_history(admin_client_, admin_user, employee):
    idea = IdeaFactory(author=employee, status=Status.SUBMITTED, title="Speak the amount aloud Xylophonic")
    IdeaEvent.objects.create(idea=idea, track="status", from_value="draft", to_value="submitted", actor=employee)
    VoteFactory(idea=idea)
    recount(idea)

    response = admin_client_.post(f"/admin/ideas/idea/{idea.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302

    kept = Idea.all_objects.get(pk=idea.pk)
    assert kept.deleted_at is not None
    assert kept.deleted_by == admin_user
    assert IdeaEvent.objects.filter(idea_id=idea.pk).count() == 1
    assert Vote.objects.filter(idea_id=idea.pk).count() == 1
    # Gone for everyone else: lists, search, detail.
    api = APIClient()
    api.force_login(employee)
    assert all(row["id"] != idea.pk for row in api.get("/api/v1/ideas/").json()["results"])
    assert api.get("/api/v1/ideas/", {"q": "Xylophonic"}).json()["count"] == 0
    assert api.get(f"/api/v1/ideas/{idea.pk}/").status_code == 404
    assert not Idea.objects.filter(pk=idea.pk).exists()
    # Admins still see it.
    assert "Xylophonic" in admin_client_.get("/admin/ideas/idea/").content.decode()
    assert admin_client_.get(f"/admin/ideas/idea/{idea.pk}/change/").status_code == 200
    entry = AuditEntry.objects.get(object_id=str(idea.pk), action="delete")
    assert entry.actor == admin_user
    assert entry.content_type.model == "idea"


def _admin_save(model_admin, obj, data, user):
    request = RequestFactory().post("/admin/")
    request.user = user
    form_class = model_admin.get_form(request, obj, change=True)
    initial = {name: form_class.base_fields[name].prepare_value(getattr(obj, name)) for name in form_class.base_fields}
    for name in form_class.base_fields:
        value = getattr(obj, name)
        if hasattr(value, "all"):
            initial[name] = [item.pk for item in value.all()]
        elif hasattr(value, "pk"):
            initial[name] = value.pk
        elif value is None:
            initial[name] = ""
    initial.update(data)
    form = form_class(initial, instance=obj)
    assert form.is_valid(), form.errors
    saved = form.save(commit=False)
    model_admin.save_model(request, saved, form, True)
    model_admin.save_related(request, form, [], True)


def test_admin_changes_to_assignments_and_subscribers_are_audited_with_before_and_after(admin_user, employee):
    subscriber = SubscriberFactory(frequency=Frequency.WEEKLY)
    _admin_save(admin.site._registry[Subscriber], subscriber, {"frequency": Frequency.MONTHLY}, admin_user)
    entry = AuditEntry.objects.get(object_id=str(subscriber.pk), content_type__model="subscriber")
    assert (entry.action, entry.actor_email) == ("change", admin_user.email)
    assert entry.changes["frequency"] == ["weekly", "monthly"]

    assignment = AssignmentFactory(user=employee)
    new_due = assignment.due_on.replace(year=assignment.due_on.year + 1)
    _admin_save(admin.site._registry[Assignment], assignment, {"due_on": new_due.isoformat()}, admin_user)
    entry = AuditEntry.objects.get(object_id=str(assignment.pk), content_type__model="assignment")
    assert entry.changes["due_on"][1] == new_due.isoformat()


def test_admin_delete_of_a_subscriber_is_audited(admin_client_, admin_user):
    subscriber = SubscriberFactory()
    admin_client_.post(f"/admin/newsletter/subscriber/{subscriber.pk}/delete/", {"post": "yes"})
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()
    assert AuditEntry.objects.filter(object_id=str(subscriber.pk), action="delete", actor=admin_user).exists()


def test_audit_rows_cannot_be_edited_or_deleted_through_the_orm(admin_user, employee):
    idea = IdeaFactory(author=employee, status=Status.SUBMITTED)
    from ideas import services

    services.idea_delete(idea=idea, actor=admin_user)
    entry = AuditEntry.objects.get(object_id=str(idea.pk))
    entry.action = "add"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


@pytest.mark.postgres
def test_audit_rows_cannot_be_edited_or_deleted_even_in_sql(admin_user, employee):
    idea = IdeaFactory(author=employee, status=Status.SUBMITTED)
    from ideas import services

    services.idea_delete(idea=idea, actor=admin_user)
    for sql in ("UPDATE accounts_auditentry SET action = 'add'", "DELETE FROM accounts_auditentry"):
        refused = (InternalError, IntegrityError, ProgrammingError)
        with pytest.raises(refused), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.filter(object_id=str(idea.pk), action="delete").count() == 1

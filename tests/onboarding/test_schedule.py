from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from notifications.models import Notification
from onboarding.lifecycle import AssignmentStatus
from onboarding.models import Assignment, AssignmentSource
from onboarding.services.assignments import assignments_create
from onboarding.services.schedule import recertifications_assign, reminders_send
from onboarding.tasks import recertifications_assign_task, reminders_send_task
from tests.accounts.factories import DepartmentFactory, UserFactory
from tests.onboarding.factories import AssignmentFactory, module_with_content

TODAY = timezone.localdate()


def _days(n):
    return TODAY + datetime.timedelta(days=n)


def _reminder_titles(user):
    return list(
        Notification.objects.filter(recipient=user, kind="onboarding.reminder")
        .order_by("id")
        .values_list("title", flat=True)
    )


@pytest.mark.django_db
def test_reminders_go_out_before_on_and_weekly_after_the_due_date_once_each(
    module, employee, django_capture_on_commit_callbacks
):
    assignment = AssignmentFactory(module=module, user=employee, due_on=_days(3))
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send_task.delay()
        reminders_send_task.delay()  # beat firing twice: nothing new
    assert len(_reminder_titles(employee)) == 1
    assert "is due on" in _reminder_titles(employee)[0]
    assert [m.to for m in mail.outbox] == [[employee.email]]

    timeline = [(0, 2), (1, 3), (3, 3), (6, 3), (7, 3), (8, 4), (9, 4), (15, 5)]
    for day, expected in timeline:
        reminders_send(today=assignment.due_on + datetime.timedelta(days=day))
        reminders_send(today=assignment.due_on + datetime.timedelta(days=day))
        assert len(_reminder_titles(employee)) == expected, f"day {day}"
    titles = _reminder_titles(employee)
    assert "is due today" in titles[1]
    assert titles[2].startswith("Overdue:")
    assert all(
        n.url == f"/onboarding/assignments/{assignment.pk}/" for n in Notification.objects.filter(recipient=employee)
    )


@pytest.mark.django_db
def test_finished_and_far_off_training_gets_no_reminder(module, employee, other_employee):
    AssignmentFactory(module=module, user=employee, due_on=_days(-3), status=AssignmentStatus.COMPLETED)
    AssignmentFactory(module=module, user=other_employee, due_on=_days(-3), status=AssignmentStatus.WAIVED)
    AssignmentFactory(user=employee, due_on=_days(10))
    reminders_send(today=TODAY)
    assert not Notification.objects.filter(kind="onboarding.reminder").exists()


@pytest.mark.django_db
def test_a_moved_due_date_starts_reminders_afresh(module, employee):
    assignment = AssignmentFactory(module=module, user=employee, due_on=_days(0))
    reminders_send(today=TODAY)
    Assignment.objects.filter(pk=assignment.pk).update(due_on=_days(2))
    reminders_send(today=TODAY)
    assert len(_reminder_titles(employee)) == 2


@pytest.mark.django_db
def test_recertification_is_assigned_once_before_the_completion_lapses(employee):
    module = module_with_content(recertify_months=12)
    completed = AssignmentFactory(
        module=module,
        user=employee,
        status=AssignmentStatus.COMPLETED,
        completed_at=timezone.now(),
        expires_on=_days(20),
    )
    not_yet = AssignmentFactory(module=module, status=AssignmentStatus.COMPLETED, expires_on=_days(90))
    recertifications_assign_task.delay()
    recertifications_assign_task.delay()
    renewal = Assignment.objects.get(previous=completed)
    assert renewal.source == AssignmentSource.RECERTIFICATION
    assert renewal.due_on == completed.expires_on
    assert renewal.status == AssignmentStatus.ASSIGNED
    assert not Assignment.objects.filter(previous=not_yet).exists()
    assert Assignment.objects.filter(user=employee).count() == 2
    # Completing the renewal does not renew the old completion a second time.
    Assignment.objects.filter(pk=renewal.pk).update(
        status=AssignmentStatus.COMPLETED, completed_at=timezone.now(), expires_on=_days(400)
    )
    assert recertifications_assign() == 0


@pytest.mark.django_db
def test_recertification_skips_people_who_already_have_it_open(employee):
    module = module_with_content(recertify_months=6)
    AssignmentFactory(module=module, user=employee, status=AssignmentStatus.COMPLETED, expires_on=_days(5))
    AssignmentFactory(module=module, user=employee)  # HR already assigned it again
    assert recertifications_assign() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_assigns_of_a_department_never_duplicate(hr_user):
    """Two HR people press "assign" for the same department at the same
    moment: everybody gets one assignment and the two reports add up."""
    module = module_with_content()
    claims = DepartmentFactory(name="Claims", slug="claims")
    members = UserFactory.create_batch(20, department=claims)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def assign():
        try:
            barrier.wait()
            results.append(assignments_create(module=module, actor=hr_user, due_on=_days(14), department=claims))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=assign) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Assignment.objects.filter(module=module).count() == len(members)
    assert sum(r.assigned for r in results) == len(members)
    assert sum(r.already_assigned for r in results) == 3 * len(members)

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.services import user_create
from notifications.models import Notification
from onboarding.lifecycle import AssignmentStatus, TrainingError
from onboarding.models import Assignment, AssignmentEvent, AssignmentSource, Lesson, QuizAttempt
from onboarding.services import content, learning
from onboarding.services.assignments import (
    assignment_due_move,
    assignment_waive,
    assignments_create,
    plan_create,
)
from tests.accounts.factories import DepartmentFactory, UserFactory
from tests.onboarding.factories import AssignmentFactory, ModuleFactory, answers_for, module_with_content

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
IN_TWO_WEEKS = TODAY + datetime.timedelta(days=14)


def _finish_lessons(assignment, user):
    for lesson in assignment.module.lessons.filter(is_active=True).order_by("position"):
        learning.lesson_complete(assignment_id=assignment.pk, lesson_id=lesson.pk, actor=user)


# --- Assigning ---------------------------------------------------------------


def test_assigning_a_department_reaches_each_active_member_once_and_notifies_them(
    module, hr_user, django_capture_on_commit_callbacks
):
    claims = DepartmentFactory(name="Claims", slug="claims")
    members = UserFactory.create_batch(3, department=claims)
    UserFactory(department=claims, is_active=False)
    UserFactory()  # another department
    with django_capture_on_commit_callbacks(execute=True):
        result = assignments_create(module=module, actor=hr_user, due_on=IN_TWO_WEEKS, department=claims)
    assert result.assigned == 3
    assert result.already_assigned == 0
    assert sorted(Assignment.objects.values_list("user_id", flat=True)) == sorted(m.pk for m in members)
    assert set(Assignment.objects.values_list("source", flat=True)) == {AssignmentSource.DEPARTMENT}
    assert Notification.objects.filter(kind="onboarding.assigned").count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in members)
    assert AssignmentEvent.objects.filter(kind="assigned").count() == 3


def test_assigning_again_is_reported_as_already_assigned_and_changes_nothing(module, hr_user, employee):
    first = assignments_create(module=module, actor=hr_user, due_on=IN_TWO_WEEKS, user=employee)
    later = IN_TWO_WEEKS + datetime.timedelta(days=30)
    again = assignments_create(module=module, actor=hr_user, due_on=later, user=employee)
    assert (first.assigned, again.assigned, again.already_assigned) == (1, 0, 1)
    assignment = Assignment.objects.get()
    assert assignment.due_on == IN_TWO_WEEKS
    assert Notification.objects.filter(recipient=employee).count() == 1


def test_a_role_assignment_skips_people_who_already_have_it(module, hr_user):
    reviewers = UserFactory.create_batch(2, roles=["reviewer"])
    UserFactory()  # an employee only
    assignments_create(module=module, actor=hr_user, due_on=IN_TWO_WEEKS, user=reviewers[0])
    result = assignments_create(module=module, actor=hr_user, due_on=IN_TWO_WEEKS, role="reviewer")
    assert (result.assigned, result.already_assigned) == (1, 1)
    assert Assignment.objects.filter(module=module).count() == 2


def test_a_completed_module_can_be_assigned_again(module, hr_user, employee):
    done = AssignmentFactory(module=module, user=employee, status=AssignmentStatus.COMPLETED)
    result = assignments_create(module=module, actor=hr_user, due_on=IN_TWO_WEEKS, user=employee)
    assert result.assigned == 1
    assert Assignment.objects.exclude(pk=done.pk).get().status == AssignmentStatus.ASSIGNED


def test_draft_modules_and_past_due_dates_are_refused(hr_user, employee):
    draft = ModuleFactory(status="draft")
    with pytest.raises(TrainingError) as exc:
        assignments_create(module=draft, actor=hr_user, due_on=IN_TWO_WEEKS, user=employee)
    assert exc.value.code == "module_not_published"
    published = module_with_content()
    with pytest.raises(TrainingError) as exc:
        assignments_create(module=published, actor=hr_user, due_on=TODAY - datetime.timedelta(days=1), user=employee)
    assert exc.value.field == "due_on"
    assert not Assignment.objects.exists()


def test_new_member_of_a_department_gets_its_onboarding_plan(module, hr_user):
    claims = DepartmentFactory(name="Claims", slug="claims")
    earlier = UserFactory(department=claims)
    plan_create(department=claims, module=module, due_in_days=30, actor=hr_user)
    newcomer = user_create(email="new@example.com", display_name="New Person", password=None, department=claims)
    assignment = Assignment.objects.get(user=newcomer)
    assert assignment.source == AssignmentSource.PLAN
    assert assignment.due_on == TODAY + datetime.timedelta(days=30)
    # The plan is for people who join from now on, not those already there.
    assert not Assignment.objects.filter(user=earlier).exists()


def test_moving_into_a_department_applies_its_plan_once(module, hr_user, employee):
    claims = DepartmentFactory(name="Claims", slug="claims")
    plan_create(department=claims, module=module, due_in_days=10, actor=hr_user)
    employee.department = claims
    employee.save()
    employee.display_name = "Renamed"
    employee.save()  # no department change: nothing new
    employee.save(update_fields=["last_login"])
    assert Assignment.objects.filter(user=employee).count() == 1


def test_waiving_needs_a_reason_and_records_who_and_why(module, hr_user, employee):
    assignment = AssignmentFactory(module=module, user=employee)
    with pytest.raises(TrainingError):
        assignment_waive(assignment=assignment, actor=hr_user, reason="  ")
    assignment_waive(assignment=assignment, actor=hr_user, reason="Joined from a veterans' organisation")
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.WAIVED
    event = assignment.events.get(kind="waived")
    assert (event.actor, event.reason, event.from_status) == (
        hr_user,
        "Joined from a veterans' organisation",
        "assigned",
    )
    with pytest.raises(TrainingError) as exc:
        assignment_waive(assignment=assignment, actor=hr_user, reason="again")
    assert exc.value.code == "transition_not_allowed"
    assert exc.value.allowed == []


def test_moving_the_due_date_is_recorded_with_the_reason(module, hr_user, employee):
    assignment = AssignmentFactory(module=module, user=employee, due_on=TODAY)
    new_date = TODAY + datetime.timedelta(days=21)
    assignment_due_move(assignment=assignment, actor=hr_user, due_on=new_date, reason="Parental leave")
    assignment.refresh_from_db()
    assert assignment.due_on == new_date
    event = assignment.events.get(kind="due_moved")
    assert (event.from_due_on, event.to_due_on, event.reason) == (TODAY, new_date, "Parental leave")
    assert Notification.objects.filter(recipient=employee, kind="onboarding.changed").exists()


# --- Progress and quiz -------------------------------------------------------


def test_lessons_are_done_in_order(module, employee):
    assignment = AssignmentFactory(module=module, user=employee)
    first, second = module.lessons.order_by("position")
    with pytest.raises(TrainingError) as exc:
        learning.lesson_complete(assignment_id=assignment.pk, lesson_id=second.pk, actor=employee)
    assert exc.value.code == "out_of_order"
    learning.lesson_complete(assignment_id=assignment.pk, lesson_id=first.pk, actor=employee)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.IN_PROGRESS
    # Marking a lesson twice changes nothing.
    learning.lesson_complete(assignment_id=assignment.pk, lesson_id=first.pk, actor=employee)
    assert assignment.completions.count() == 1


def test_nobody_else_can_progress_someone_s_assignment(module, employee, other_employee):
    assignment = AssignmentFactory(module=module, user=employee)
    lesson = module.lessons.first()
    with pytest.raises(TrainingError) as exc:
        learning.lesson_complete(assignment_id=assignment.pk, lesson_id=lesson.pk, actor=other_employee)
    assert exc.value.status == 404
    assert not assignment.completions.exists()


def test_the_quiz_opens_after_the_lessons(module, employee):
    assignment = AssignmentFactory(module=module, user=employee)
    with pytest.raises(TrainingError) as exc:
        learning.quiz_submit(assignment_id=assignment.pk, actor=employee, answers=answers_for(module))
    assert exc.value.code == "lessons_first"


def test_a_failed_attempt_is_kept_and_a_retry_can_pass_and_complete(module, employee):
    assignment = AssignmentFactory(module=module, user=employee)
    _finish_lessons(assignment, employee)
    failed = learning.quiz_submit(assignment_id=assignment.pk, actor=employee, answers=answers_for(module, right=1))
    assert (failed.score, failed.passed, failed.number) == (50, False, 1)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.IN_PROGRESS
    passed = learning.quiz_submit(assignment_id=assignment.pk, actor=employee, answers=answers_for(module))
    assert (passed.score, passed.passed, passed.number) == (100, True, 2)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.COMPLETED
    assert assignment.best_score == 100
    assert list(QuizAttempt.objects.filter(assignment=assignment).values_list("score", flat=True)) == [50, 100]
    with pytest.raises(TrainingError) as exc:
        learning.quiz_submit(assignment_id=assignment.pk, actor=employee, answers=answers_for(module))
    assert exc.value.code == "assignment_closed"


def test_multiple_choice_questions_need_every_right_answer_and_nothing_else(employee):
    module = module_with_content(lessons=1, questions=0, pass_mark=100)
    question = content.question_save(
        module=module,
        actor=None,
        text="Which help a member who cannot use a mouse?",
        kind="multiple",
        choices=[("Keyboard shortcuts", True), ("Visible focus", True), ("Hover-only menus", False)],
    )
    right = [c.pk for c in question.choices.filter(is_correct=True)]
    wrong = question.choices.get(is_correct=False).pk
    assignment = AssignmentFactory(module=module, user=employee)
    _finish_lessons(assignment, employee)
    partial = learning.quiz_submit(assignment_id=assignment.pk, actor=employee, answers={question.pk: right[:1]})
    extra = learning.quiz_submit(assignment_id=assignment.pk, actor=employee, answers={question.pk: [*right, wrong]})
    exact = learning.quiz_submit(assignment_id=assignment.pk, actor=employee, answers={question.pk: right})
    assert [partial.passed, extra.passed, exact.passed] == [False, False, True]


@pytest.mark.parametrize(
    ("make_answers", "problem"),
    [
        (lambda q, c: {}, "Answer"),
        (lambda q, c: {q[0]: [c[0][0]]}, "Answer"),
        (lambda q, c: {q[0]: [c[0][0], c[0][1]], q[1]: [c[1][0]]}, "Choose one answer"),
        (lambda q, c: {q[0]: [c[1][0]], q[1]: [c[1][0]]}, "not one of its choices"),
        (lambda q, c: {q[0]: [c[0][0]], q[1]: [c[1][0]], 999999: [1]}, "not part of this quiz"),
    ],
)
def test_incomplete_or_foreign_answers_are_refused_without_an_attempt(module, employee, make_answers, problem):
    assignment = AssignmentFactory(module=module, user=employee)
    _finish_lessons(assignment, employee)
    questions = list(module.questions.order_by("position"))
    choices = [[c.pk for c in q.choices.order_by("position")] for q in questions]
    with pytest.raises(TrainingError) as exc:
        learning.quiz_submit(
            assignment_id=assignment.pk, actor=employee, answers=make_answers([q.pk for q in questions], choices)
        )
    assert exc.value.status == 400
    assert problem in str(exc.value.message)
    assert not QuizAttempt.objects.exists()


def test_a_module_without_a_quiz_completes_with_its_last_lesson(employee):
    module = module_with_content(lessons=2, questions=0, recertify_months=12)
    assignment = AssignmentFactory(module=module, user=employee)
    _finish_lessons(assignment, employee)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.COMPLETED
    assert assignment.expires_on == learning.add_months(TODAY, 12)


# --- Editing a published module ---------------------------------------------


def test_editing_a_published_module_keeps_everyones_progress(module, employee):
    assignment = AssignmentFactory(module=module, user=employee)
    first, second = module.lessons.order_by("position")
    learning.lesson_complete(assignment_id=assignment.pk, lesson_id=first.pk, actor=employee)
    learning.lesson_complete(assignment_id=assignment.pk, lesson_id=second.pk, actor=employee)
    failed = learning.quiz_submit(assignment_id=assignment.pk, actor=employee, answers=answers_for(module, right=0))
    question = module.questions.order_by("position").first()

    # HR rewrites a lesson, removes the other, adds one, and rewrites a question.
    content.lesson_update(lesson=first, actor=None, title="Designing for screen readers", body="New text")
    content.lesson_retire(lesson=second, actor=None)
    added = content.lesson_add(module=module, actor=None, title="Captions and transcripts", body="Why captions")
    content.question_save(
        module=module,
        actor=None,
        question=question,
        text="Completely new wording?",
        kind="single",
        choices=[("New right", True), ("New wrong", False)],
    )

    assert set(assignment.completions.values_list("lesson_id", flat=True)) == {first.pk, second.pk}
    assert Lesson.objects.get(pk=second.pk).is_active is False
    assert [lesson.pk for lesson in learning.lessons_remaining(assignment)] == [added.pk]
    failed.refresh_from_db()
    assert failed.answers[0]["question"] == f"{module.title} question 1?"
    assert failed.score == 0


def test_removing_a_lesson_nobody_did_deletes_it(hr_user):
    module = module_with_content(lessons=2, status="draft")
    lesson = module.lessons.first()
    content.lesson_retire(lesson=lesson, actor=hr_user)
    assert not Lesson.objects.filter(pk=lesson.pk).exists()


def test_publishing_needs_a_lesson_and_sound_questions(hr_user):
    module = content.module_create(actor=hr_user, title="Customer empathy", kind="empathy")
    with pytest.raises(TrainingError) as exc:
        content.module_publish(module=module, actor=hr_user)
    assert "lesson" in str(exc.value.message)
    content.lesson_add(module=module, actor=hr_user, title="Listening", body="Listen first.")
    content.module_publish(module=module, actor=hr_user)
    module.refresh_from_db()
    assert module.is_published


def test_media_without_a_text_alternative_is_refused(module):
    with pytest.raises(TrainingError) as exc:
        content.lesson_add(module=module, actor=None, title="Video", media_url="https://example.com/v.mp4")
    assert exc.value.field == "media_alternative"


def test_lesson_markdown_is_sanitised():
    module = module_with_content(lessons=0, questions=0)
    lesson = content.lesson_add(
        module=module,
        actor=None,
        title="Unsafe",
        body=(
            "# Title\n\n<script>alert(1)</script>\n\n[click](javascript:alert(1)) **bold** <img src=x onerror=alert(1)>"
        ),
    )
    html = lesson.body_html
    assert "<h2>Title</h2>" in html
    assert "<strong>bold</strong>" in html
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert "<img" not in html  # raw HTML is shown as text, never as a tag


def test_lesson_moves_keep_a_clean_order(module):
    first, second = module.lessons.order_by("position")
    content.lesson_move(lesson=second, actor=None, direction="up")
    assert list(module.lessons.order_by("position").values_list("pk", flat=True)) == [second.pk, first.pk]


def test_demo_seed_adds_modules_and_every_status_once():
    from accounts import demo as accounts_demo
    from onboarding import demo

    accounts_demo.seed()
    assert demo.seed()
    statuses = {a.display_status() for a in Assignment.objects.all()}
    assert statuses == {"assigned", "in_progress", "completed", "overdue", "waived"}
    assert set(Assignment.objects.values_list("module__slug", flat=True)) >= {
        "accessibility-lab",
        "military-life-immersion",
        "customer-empathy",
        "product-knowledge-auto-claims",
    }
    count = Assignment.objects.count()
    assert demo.seed() == []
    assert Assignment.objects.count() == count
    # Completed demo training went through a failed attempt first.
    completed = Assignment.objects.filter(status="completed").first()
    assert list(completed.attempts.values_list("passed", flat=True)) == [False, True]


def test_removing_the_last_unfinished_lesson_completes_waiting_learners(employee):
    module = module_with_content(lessons=2, questions=0)
    assignment = AssignmentFactory(module=module, user=employee)
    first, second = module.lessons.order_by("position")
    learning.lesson_complete(assignment_id=assignment.pk, lesson_id=first.pk, actor=employee)
    content.lesson_retire(lesson=second, actor=None)
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.COMPLETED

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from onboarding.lifecycle import AssignmentStatus
from onboarding.models import Assignment, Lesson, Module, OnboardingPlan, Question
from tests.accounts.factories import DepartmentFactory, UserFactory
from tests.onboarding.factories import AssignmentFactory, answers_for, module_with_content

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _quiz_post(module, right=None):
    data = {}
    for question_id, choice_ids in answers_for(module, right=right).items():
        data[f"q{question_id}"] = [str(c) for c in choice_ids]
    return data


def test_my_training_lists_overdue_first_with_progress(client, employee):
    soon = AssignmentFactory(
        module=module_with_content(title="Customer empathy"), user=employee, due_on=TODAY + datetime.timedelta(days=3)
    )
    late = AssignmentFactory(
        module=module_with_content(title="Military-life immersion"),
        user=employee,
        due_on=TODAY - datetime.timedelta(days=2),
    )
    AssignmentFactory(module=module_with_content(title="Someone else's"))
    client.force_login(employee)
    page = client.get("/onboarding/").content.decode()
    assert page.index("Military-life immersion") < page.index("Customer empathy")
    assert "1 module is overdue" in page
    assert "Someone else" not in page
    assert f'id="progress-{late.pk}"' in page
    assert f'id="progress-{soon.pk}"' in page


def test_my_training_query_count_is_the_same_for_1_and_50(client, employee, django_assert_num_queries):
    modules = [module_with_content(title=f"Module {i}") for i in range(3)]
    AssignmentFactory(module=modules[0], user=employee)
    client.force_login(employee)
    client.get("/onboarding/")
    with django_assert_num_queries(5):  # session, user, roles, unread count, assignments
        client.get("/onboarding/")
    for i in range(49):
        AssignmentFactory(module=modules[i % 3], user=employee, status="assigned" if i in (1, 2) else "completed")
    with django_assert_num_queries(5):
        client.get("/onboarding/")


def test_reading_lessons_in_order_then_failing_and_passing_the_quiz(client, employee, module):
    assignment = AssignmentFactory(module=module, user=employee)
    first, second = module.lessons.order_by("position")
    client.force_login(employee)
    reader = client.get(f"/onboarding/assignments/{assignment.pk}/").content.decode()
    assert "Start the first lesson" in reader
    assert "The quiz opens once you have done every lesson" in reader
    # The second lesson cannot be marked done first.
    client.post(f"/onboarding/assignments/{assignment.pk}/lessons/{second.pk}/")
    assert not assignment.completions.exists()
    response = client.post(f"/onboarding/assignments/{assignment.pk}/lessons/{first.pk}/")
    assert response.url == f"/onboarding/assignments/{assignment.pk}/lessons/{second.pk}/"
    response = client.post(f"/onboarding/assignments/{assignment.pk}/lessons/{second.pk}/")
    assert response.url == f"/onboarding/assignments/{assignment.pk}/quiz/"

    quiz = client.get(f"/onboarding/assignments/{assignment.pk}/quiz/").content.decode()
    assert "Right answer" in quiz
    assert "correct" not in quiz.lower()
    response = client.post(f"/onboarding/assignments/{assignment.pk}/quiz/", _quiz_post(module, right=1))
    assert response.url == f"/onboarding/assignments/{assignment.pk}/attempts/1/"
    result = client.get(response.url).content.decode()
    assert "You scored 50%" in result
    assert "right answer" not in result  # not revealed after a fail
    response = client.post(f"/onboarding/assignments/{assignment.pk}/quiz/", _quiz_post(module))
    assert "You passed with 100%" in client.get(response.url).content.decode()
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.COMPLETED
    assert assignment.attempts.count() == 2


def test_an_unanswered_quiz_is_shown_again_with_errors(client, employee, module):
    assignment = AssignmentFactory(module=module, user=employee, status="in_progress")
    for lesson in module.lessons.all():
        assignment.completions.create(lesson=lesson)
    client.force_login(employee)
    response = client.post(f"/onboarding/assignments/{assignment.pk}/quiz/", {})
    assert response.status_code == 400
    assert "Answer this question." in response.content.decode()
    assert not assignment.attempts.exists()


def test_other_peoples_training_pages_are_404(client, employee, other_employee, hr_user, module):
    theirs = AssignmentFactory(module=module, user=other_employee)
    lesson = module.lessons.first()
    client.force_login(employee)
    assert client.get(f"/onboarding/assignments/{theirs.pk}/").status_code == 404
    assert client.post(f"/onboarding/assignments/{theirs.pk}/lessons/{lesson.pk}/").status_code == 404
    assert client.get(f"/onboarding/assignments/{theirs.pk}/quiz/").status_code == 404
    for url in ("/onboarding/hr/modules/", "/onboarding/hr/assign/", f"/onboarding/hr/assignments/{theirs.pk}/"):
        assert client.get(url).status_code == 403
    client.force_login(hr_user)
    assert client.get(f"/onboarding/hr/assignments/{theirs.pk}/").status_code == 200


def test_hr_writes_a_module_with_the_editor_and_publishes_it(client, hr_user):
    client.force_login(hr_user)
    response = client.post(
        "/onboarding/hr/modules/new/",
        {"title": "Customer empathy", "kind": "empathy", "summary": "", "estimated_minutes": 25, "pass_mark": 80},
    )
    module = Module.objects.get()
    assert response.url == f"/onboarding/hr/modules/{module.pk}/"
    assert "Add at least one lesson" in client.get(response.url).content.decode()
    response = client.post(
        f"/onboarding/hr/modules/{module.pk}/lessons/new/",
        {"title": "A video", "body": "Watch", "media_url": "https://example.com/v.mp4", "media_kind": "video"},
    )
    assert response.status_code == 400
    assert "text alternative" in response.content.decode()
    client.post(
        f"/onboarding/hr/modules/{module.pk}/lessons/new/",
        {
            "title": "A video",
            "body": "Watch *this*",
            "media_url": "https://example.com/v.mp4",
            "media_kind": "video",
            "media_alternative": "A member describes calling us from a deployment.",
        },
    )
    assert Lesson.objects.get().body_html == "<p>Watch <em>this</em></p>\n"
    response = client.post(
        f"/onboarding/hr/modules/{module.pk}/questions/new/",
        {"text": "Who decides?", "kind": "single", "choice_1": "The member", "correct_1": "on", "choice_2": "Us"},
    )
    assert response.status_code == 302
    assert [(c.text, c.is_correct) for c in Question.objects.get().choices.all()] == [
        ("The member", True),
        ("Us", False),
    ]
    client.post(f"/onboarding/hr/modules/{module.pk}/publish/", {"publish": "1"})
    module.refresh_from_db()
    assert module.is_published


def test_assign_form_reports_already_assigned_and_creates_plans(client, hr_user, employee, module):
    client.force_login(hr_user)
    due = (TODAY + datetime.timedelta(days=10)).isoformat()
    data = {"module": module.pk, "target": "person", "email": employee.email.upper(), "due_on": due}
    response = client.post("/onboarding/hr/assign/", data, follow=True)
    assert "Assigned to 1 person." in response.content.decode()
    response = client.post("/onboarding/hr/assign/", data, follow=True)
    assert "1 person was already assigned" in response.content.decode()
    assert Assignment.objects.count() == 1

    response = client.post("/onboarding/hr/assign/", {**data, "email": "nobody@example.com"})
    assert response.status_code == 400
    assert "Nobody with this e-mail address" in response.content.decode()

    claims = DepartmentFactory(name="Claims", slug="claims")
    client.post(
        "/onboarding/hr/assign/", {"module": module.pk, "target": "plan", "department": claims.pk, "due_in_days": 20}
    )
    assert OnboardingPlan.objects.filter(department=claims, module=module, due_in_days=20).exists()
    newcomer = UserFactory(department=claims)
    assert Assignment.objects.get(user=newcomer).due_on == TODAY + datetime.timedelta(days=20)


def test_hr_waives_and_moves_due_dates_on_the_assignment_page(client, hr_user, employee, module):
    assignment = AssignmentFactory(module=module, user=employee)
    client.force_login(hr_user)
    url = f"/onboarding/hr/assignments/{assignment.pk}/"
    response = client.post(url, {"action": "waive", "waive-reason": ""})
    assert response.status_code == 400
    later = (TODAY + datetime.timedelta(days=60)).isoformat()
    client.post(url, {"action": "due", "due-due_on": later, "due-reason": "Deployed with the reserve"})
    client.post(url, {"action": "waive", "waive-reason": "Moved to a role without member contact"})
    page = client.get(url).content.decode()
    assert "Deployed with the reserve" in page
    assert "Moved to a role without member contact" in page
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.WAIVED
    assert assignment.due_on.isoformat() == later


def test_lesson_media_is_shown_with_its_text_alternative(client, employee):
    module = module_with_content(lessons=1, questions=0)
    Lesson.objects.filter(module=module).update(
        media_url="https://example.com/scanner.png",
        media_kind="image",
        media_alternative="A phone reading a check aloud",
    )
    assignment = AssignmentFactory(module=module, user=employee)
    lesson = module.lessons.get()
    client.force_login(employee)
    page = client.get(f"/onboarding/assignments/{assignment.pk}/lessons/{lesson.pk}/").content.decode()
    assert re.search(r'<img src="https://example.com/scanner.png" alt="A phone reading a check aloud">', page)

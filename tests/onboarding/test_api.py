from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from onboarding.lifecycle import AssignmentStatus
from onboarding.models import Assignment, Module, QuizAttempt
from onboarding.services.assignments import assignments_create
from tests.accounts.factories import DepartmentFactory, UserFactory
from tests.onboarding.factories import AssignmentFactory, ModuleFactory, answers_for, module_with_content

pytestmark = pytest.mark.django_db

BASE = "/api/v1/onboarding"
DUE = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()


def _error_shape(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"status", "code", "message", "errors"}
    assert body["status"] == status
    return body


def _answers_payload(module, right=None):
    return {"answers": [{"question": q, "choices": c} for q, c in answers_for(module, right=right).items()]}


def _finish_lessons_via_api(client, assignment):
    for lesson in assignment.module.lessons.order_by("position"):
        response = client.post(f"{BASE}/assignments/{assignment.pk}/lessons/{lesson.pk}/complete/")
        assert response.status_code == 200, response.content


# --- Modules and the quiz ----------------------------------------------------


def test_employees_see_published_modules_and_hr_sees_drafts(employee_api, hr_api, module):
    ModuleFactory(title="Unfinished draft", status="draft")
    assert [m["title"] for m in employee_api.get(f"{BASE}/modules/").json()["results"]] == ["Accessibility lab"]
    titles = {m["title"] for m in hr_api.get(f"{BASE}/modules/").json()["results"]}
    assert titles == {"Accessibility lab", "Unfinished draft"}


def test_the_quiz_sent_to_learners_holds_no_right_answers(employee_api, module):
    response = employee_api.get(f"{BASE}/modules/{module.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert len(body["questions"]) == 2
    assert [c["text"] for c in body["questions"][0]["choices"]] == ["Right answer", "Wrong answer"]
    raw = json.dumps(body)
    assert "is_correct" not in raw
    assert "correct" not in raw
    assert "explanation" not in raw


def test_only_hr_reads_the_answer_key_and_edits_content(employee_api, hr_api, module):
    assert employee_api.get(f"{BASE}/modules/{module.pk}/questions/").status_code == 403
    _error_shape(employee_api.post(f"{BASE}/modules/", {"title": "Mine"}, format="json"), 403)
    _error_shape(employee_api.patch(f"{BASE}/modules/{module.pk}/", {"title": "x"}, format="json"), 403)
    key = hr_api.get(f"{BASE}/modules/{module.pk}/questions/").json()
    assert [c["is_correct"] for c in key[0]["choices"]] == [True, False]


def test_hr_builds_and_publishes_a_module_through_the_api(hr_api):
    created = hr_api.post(
        f"{BASE}/modules/",
        {"title": "Product knowledge: auto claims", "kind": "product_knowledge", "pass_mark": 75},
        format="json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["status"] == "draft"
    body = _error_shape(hr_api.post(f"{BASE}/modules/{pk}/publish/"), 400)
    assert body["code"] == "not_ready"
    lesson = hr_api.post(
        f"{BASE}/modules/{pk}/lessons/", {"title": "Filing a claim", "body": "Step **one**"}, format="json"
    )
    assert lesson.json()["body_html"] == "<p>Step <strong>one</strong></p>\n"
    question = hr_api.post(
        f"{BASE}/modules/{pk}/questions/",
        {"text": "First step?", "kind": "single", "choices": [{"text": "Call", "is_correct": True}, {"text": "Wait"}]},
        format="json",
    )
    assert question.status_code == 201
    assert hr_api.post(f"{BASE}/modules/{pk}/publish/").json()["status"] == "published"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x", "pass_mark": 150}, "pass_mark"),
        ({"title": "x", "kind": "nonsense"}, "kind"),
        ({"title": "x", "recertify_months": -1}, "recertify_months"),
    ],
)
def test_bad_module_input_is_a_400_naming_the_field(hr_api, payload, field):
    body = _error_shape(hr_api.post(f"{BASE}/modules/", payload, format="json"), 400)
    assert body["errors"][0]["field"] == field
    assert not Module.objects.exists()


def test_a_question_with_two_right_answers_for_one_choice_is_refused(hr_api, module):
    body = _error_shape(
        hr_api.post(
            f"{BASE}/modules/{module.pk}/questions/",
            {
                "text": "Q?",
                "kind": "single",
                "choices": [{"text": "a", "is_correct": True}, {"text": "b", "is_correct": True}],
            },
            format="json",
        ),
        400,
    )
    assert body["errors"][0]["field"] == "choices"


# --- Assignments --------------------------------------------------------------


def test_hr_assigns_a_department_and_hears_who_already_had_it(hr_api, module):
    claims = DepartmentFactory(name="Claims", slug="claims")
    first, *_rest = UserFactory.create_batch(3, department=claims)
    once = hr_api.post(f"{BASE}/assignments/", {"module": module.pk, "user": first.pk, "due_on": DUE}, format="json")
    assert once.status_code == 201
    response = hr_api.post(
        f"{BASE}/assignments/", {"module": module.pk, "department": claims.pk, "due_on": DUE}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["assigned"], body["already_assigned"]) == (2, 1)
    assert "1 person was already assigned" in body["message"]
    again = hr_api.post(
        f"{BASE}/assignments/", {"module": module.pk, "department": claims.pk, "due_on": DUE}, format="json"
    )
    assert again.status_code == 200
    assert again.json()["assigned"] == 0
    assert Assignment.objects.count() == 3


def test_assign_by_role(hr_api, module):
    editors = UserFactory.create_batch(2, roles=["editor"])
    response = hr_api.post(
        f"{BASE}/assignments/", {"module": module.pk, "role": "editor", "due_on": DUE}, format="json"
    )
    assert response.json()["assigned"] == 2
    assert set(Assignment.objects.values_list("user_id", flat=True)) == {e.pk for e in editors}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"due_on": DUE}, None),  # no target
        ({"role": "astronaut", "due_on": DUE}, "role"),
        ({"role": "hr", "due_on": "next tuesday"}, "due_on"),
        ({"role": "hr"}, "due_on"),
        ({"department": 999999, "due_on": DUE}, "department"),
    ],
)
def test_bad_assign_requests_are_400_not_500(hr_api, module, payload, field):
    body = _error_shape(hr_api.post(f"{BASE}/assignments/", {"module": module.pk, **payload}, format="json"), 400)
    assert body["errors"][0]["field"] == field


def test_assigning_to_two_targets_at_once_is_refused(hr_api, module, employee):
    payload = {"module": module.pk, "user": employee.pk, "role": "hr", "due_on": DUE}
    body = _error_shape(hr_api.post(f"{BASE}/assignments/", payload, format="json"), 400)
    assert "exactly one" in body["message"]
    assert not Assignment.objects.exists()


def test_assigning_a_draft_is_a_409(hr_api, employee):
    draft = ModuleFactory(status="draft")
    body = _error_shape(
        hr_api.post(f"{BASE}/assignments/", {"module": draft.pk, "user": employee.pk, "due_on": DUE}, format="json"),
        409,
    )
    assert body["code"] == "module_not_published"


def test_employees_cannot_assign(employee_api, module, other_employee):
    _error_shape(
        employee_api.post(
            f"{BASE}/assignments/", {"module": module.pk, "user": other_employee.pk, "due_on": DUE}, format="json"
        ),
        403,
    )
    assert not Assignment.objects.exists()


def test_employees_see_only_their_own_assignments_and_hr_sees_all(
    api_client, employee, other_employee, hr_user, module
):
    mine = AssignmentFactory(module=module, user=employee)
    theirs = AssignmentFactory(module=module, user=other_employee)
    api_client.force_authenticate(employee)
    for url in (f"{BASE}/assignments/", f"{BASE}/assignments/?mine=1"):
        assert [a["id"] for a in api_client.get(url).json()["results"]] == [mine.pk]
    _error_shape(api_client.get(f"{BASE}/assignments/{theirs.pk}/"), 404)
    _error_shape(api_client.get(f"{BASE}/assignments/{theirs.pk}/attempts/"), 404)
    _error_shape(api_client.get(f"{BASE}/reports/modules/"), 403)
    api_client.force_authenticate(hr_user)
    assert {a["id"] for a in api_client.get(f"{BASE}/assignments/").json()["results"]} == {mine.pk, theirs.pk}
    assert api_client.get(f"{BASE}/assignments/?mine=1").json()["results"] == []
    assert api_client.get(f"{BASE}/assignments/{theirs.pk}/").status_code == 200


def test_anonymous_callers_get_401(api_client, module):
    _error_shape(api_client.get(f"{BASE}/assignments/"), 401)


def test_assignment_list_status_filter_knows_overdue(employee_api, employee, module):
    late = AssignmentFactory(module=module, user=employee, due_on=timezone.localdate() - datetime.timedelta(days=2))
    AssignmentFactory(user=employee)
    body = employee_api.get(f"{BASE}/assignments/?status=overdue").json()
    assert [(a["id"], a["display_status"]) for a in body["results"]] == [(late.pk, "overdue")]
    _error_shape(employee_api.get(f"{BASE}/assignments/?status=bogus"), 400)
    _error_shape(employee_api.get(f"{BASE}/assignments/?module=abc"), 400)


def test_assignment_list_query_count_is_the_same_for_1_and_50(employee_api, employee, django_assert_num_queries):
    modules = [module_with_content(title=f"Module {i}") for i in range(3)]
    AssignmentFactory(module=modules[0], user=employee)
    employee_api.get(f"{BASE}/assignments/")  # warms the role cache on the user
    with django_assert_num_queries(2):  # count + page with progress figures
        employee_api.get(f"{BASE}/assignments/")
    for i in range(49):
        # One open assignment per module at most; the rest are finished ones.
        AssignmentFactory(module=modules[i % 3], user=employee, status="assigned" if i in (1, 2) else "completed")
    with django_assert_num_queries(2):
        response = employee_api.get(f"{BASE}/assignments/?page_size=100")
    assert response.json()["count"] == 50


def test_waive_and_move_due_date_need_hr_and_a_reason(api_client, hr_user, employee, module):
    assignment = assignments_create(module=module, actor=hr_user, due_on=timezone.localdate(), user=employee).created[0]
    api_client.force_authenticate(employee)
    _error_shape(api_client.post(f"{BASE}/assignments/{assignment.pk}/waive/", {"reason": "x"}, format="json"), 403)
    api_client.force_authenticate(hr_user)
    body = _error_shape(api_client.post(f"{BASE}/assignments/{assignment.pk}/waive/", {}, format="json"), 400)
    assert body["errors"][0]["field"] == "reason"
    later = (timezone.localdate() + datetime.timedelta(days=40)).isoformat()
    moved = api_client.post(
        f"{BASE}/assignments/{assignment.pk}/due-date/", {"due_on": later, "reason": "Long leave"}, format="json"
    )
    assert moved.json()["due_on"] == later
    waived = api_client.post(f"{BASE}/assignments/{assignment.pk}/waive/", {"reason": "Left the team"}, format="json")
    assert waived.json()["status"] == "waived"
    body = _error_shape(
        api_client.post(f"{BASE}/assignments/{assignment.pk}/waive/", {"reason": "again"}, format="json"), 409
    )
    assert body["code"] == "transition_not_allowed"
    assert body["allowed"] == []
    history = api_client.get(f"{BASE}/assignments/{assignment.pk}/history/").json()
    assert [(e["kind"], e["reason"]) for e in history] == [
        ("assigned", ""),
        ("due_moved", "Long leave"),
        ("waived", "Left the team"),
    ]


# --- Learning through the API ----------------------------------------------


def test_learner_completes_lessons_fails_then_passes_and_every_attempt_is_kept(employee_api, employee, module):
    assignment = AssignmentFactory(module=module, user=employee)
    second = module.lessons.order_by("position").last()
    body = _error_shape(employee_api.post(f"{BASE}/assignments/{assignment.pk}/lessons/{second.pk}/complete/"), 409)
    assert body["code"] == "out_of_order"
    _error_shape(
        employee_api.post(f"{BASE}/assignments/{assignment.pk}/attempts/", _answers_payload(module), format="json"), 409
    )
    _finish_lessons_via_api(employee_api, assignment)

    failed = employee_api.post(
        f"{BASE}/assignments/{assignment.pk}/attempts/", _answers_payload(module, right=0), format="json"
    )
    assert failed.status_code == 201
    assert (failed.json()["score"], failed.json()["passed"]) == (0, False)
    # A failed attempt says which questions were wrong, not which answers were right.
    assert "correct" not in json.dumps(failed.json()["answers"])
    passed = employee_api.post(f"{BASE}/assignments/{assignment.pk}/attempts/", _answers_payload(module), format="json")
    assert passed.json()["passed"] is True
    assert passed.json()["answers"][0]["choices"][0]["correct"] is True

    attempts = employee_api.get(f"{BASE}/assignments/{assignment.pk}/attempts/").json()
    assert [(a["number"], a["score"]) for a in attempts] == [(1, 0), (2, 100)]
    detail = employee_api.get(f"{BASE}/assignments/{assignment.pk}/").json()
    assert (detail["status"], detail["progress_percent"], detail["best_score"]) == ("completed", 100, 100)


@pytest.mark.parametrize(
    "payload",
    [
        {"answers": "all of them"},
        {"answers": [{"question": "one", "choices": [1]}]},
        {"answers": [{"question": 1, "choices": [1]}, {"question": 1, "choices": [2]}]},
        {},
    ],
)
def test_malformed_attempts_are_400(employee_api, employee, module, payload):
    assignment = AssignmentFactory(module=module, user=employee, status=AssignmentStatus.IN_PROGRESS)
    _error_shape(employee_api.post(f"{BASE}/assignments/{assignment.pk}/attempts/", payload, format="json"), 400)
    assert not QuizAttempt.objects.exists()


def test_nobody_can_submit_or_progress_for_someone_else(employee_api, other_employee, module):
    theirs = AssignmentFactory(module=module, user=other_employee)
    lesson = module.lessons.first()
    _error_shape(employee_api.post(f"{BASE}/assignments/{theirs.pk}/lessons/{lesson.pk}/complete/"), 404)
    _error_shape(
        employee_api.post(f"{BASE}/assignments/{theirs.pk}/attempts/", _answers_payload(module), format="json"), 404
    )
    assert not theirs.completions.exists()


def test_the_api_schema_is_valid_and_lists_the_onboarding_endpoints(client, admin_user):
    from openapi_spec_validator import validate

    client.force_login(admin_user)
    response = client.get("/api/schema/?format=json")
    schema = response.json()
    validate(schema)
    paths = schema["paths"]
    for path in (
        "/api/v1/onboarding/modules/",
        "/api/v1/onboarding/assignments/",
        "/api/v1/onboarding/assignments/{id}/attempts/",
        "/api/v1/onboarding/assignments/{id}/lessons/{lesson_pk}/complete/",
        "/api/v1/onboarding/reports/modules/",
        "/api/v1/onboarding/reports/overdue/",
    ):
        assert path in paths, path

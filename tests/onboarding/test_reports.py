from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.utils import timezone

from onboarding.lifecycle import AssignmentStatus
from onboarding.selectors import report_by_department, report_by_module
from onboarding.views.hr import csv_safe
from tests.accounts.factories import DepartmentFactory, UserFactory
from tests.onboarding.factories import AssignmentFactory, module_with_content

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PAST = TODAY - datetime.timedelta(days=5)


@pytest.fixture
def figures():
    """Two modules, two departments, assignments in every status."""
    lab = module_with_content(title="Accessibility lab")
    drill = module_with_content(title="Military-life immersion")
    claims = DepartmentFactory(name="Claims", slug="claims")
    banking = DepartmentFactory(name="Bank Operations", slug="bank-operations")
    c1, c2, c3 = UserFactory.create_batch(3, department=claims)
    b1, b2 = UserFactory.create_batch(2, department=banking)
    AssignmentFactory(module=lab, user=c1, status=AssignmentStatus.COMPLETED, best_score=90)
    AssignmentFactory(module=lab, user=c2, status=AssignmentStatus.COMPLETED, best_score=70)
    AssignmentFactory(module=lab, user=c3, status=AssignmentStatus.IN_PROGRESS, due_on=PAST, best_score=40)
    AssignmentFactory(module=lab, user=b1, status=AssignmentStatus.WAIVED)
    AssignmentFactory(module=lab, user=b2, status=AssignmentStatus.ASSIGNED)
    AssignmentFactory(module=drill, user=b1, status=AssignmentStatus.ASSIGNED, due_on=PAST)
    return {"lab": lab, "drill": drill, "claims": claims, "banking": banking, "late": [c3, b1]}


def test_module_report_counts_completion_overdue_and_average_score(figures):
    rows = {r.label: r for r in report_by_module(today=TODAY)}
    lab = rows["Accessibility lab"]
    # Waived work does not count against the completion rate.
    assert (lab.assigned, lab.completed, lab.overdue, lab.waived) == (4, 2, 1, 1)
    assert lab.completion_rate == 50
    assert lab.average_score == pytest.approx((90 + 70 + 40) / 3)
    drill = rows["Military-life immersion"]
    assert (drill.assigned, drill.completed, drill.overdue, drill.completion_rate) == (1, 0, 1, 0)
    assert drill.average_score is None


def test_department_report_and_its_module_filter(figures):
    rows = {r.label: r for r in report_by_department(today=TODAY)}
    assert (rows["Claims"].assigned, rows["Claims"].completed, rows["Claims"].overdue) == (3, 2, 1)
    assert rows["Claims"].completion_rate == 67
    assert (rows["Bank Operations"].assigned, rows["Bank Operations"].overdue) == (2, 1)
    only_drill = report_by_department(today=TODAY, module_id=figures["drill"].pk)
    assert [(r.label, r.assigned) for r in only_drill] == [("Bank Operations", 1)]


def test_reports_page_shows_figures_and_overdue_people(client, hr_user, figures):
    client.force_login(hr_user)
    page = client.get("/onboarding/hr/reports/").content.decode()
    assert "Accessibility lab" in page
    assert "50%" in page
    for person in figures["late"]:
        assert person.display_name in page


def test_reports_are_for_hr_only(client, employee):
    client.force_login(employee)
    assert client.get("/onboarding/hr/reports/").status_code == 403
    assert client.get("/onboarding/hr/reports/export.csv").status_code == 403
    assert client.get("/api/v1/onboarding/reports/overdue/").status_code == 403


def _many(n, modules, departments):
    for i in range(n):
        person = UserFactory(department=departments[i % len(departments)])
        AssignmentFactory(
            module=modules[i % len(modules)],
            user=person,
            status=[AssignmentStatus.ASSIGNED, AssignmentStatus.COMPLETED, AssignmentStatus.IN_PROGRESS][i % 3],
            due_on=PAST if i % 2 == 0 else TODAY,
            best_score=60 + i % 40,
        )


def test_report_page_query_count_is_the_same_for_1_and_50_people(client, hr_user, django_assert_num_queries):
    modules = [module_with_content(title=f"Module {i}") for i in range(3)]
    departments = [DepartmentFactory() for _ in range(3)]
    _many(1, modules, departments)
    client.force_login(hr_user)
    client.get("/onboarding/hr/reports/")
    # session, user, roles, unread count, by module, by department, overdue
    # count + page, module and department filter lists.
    expected = 10
    with django_assert_num_queries(expected):
        assert client.get("/onboarding/hr/reports/").status_code == 200
    _many(49, modules, departments)
    with django_assert_num_queries(expected):
        assert client.get("/onboarding/hr/reports/").status_code == 200


def test_report_api_query_counts_do_not_grow(hr_api, django_assert_num_queries):
    modules = [module_with_content(title=f"Module {i}") for i in range(3)]
    departments = [DepartmentFactory() for _ in range(3)]
    _many(1, modules, departments)
    for url, queries in [
        ("/api/v1/onboarding/reports/modules/", 1),
        ("/api/v1/onboarding/reports/departments/", 1),
        ("/api/v1/onboarding/reports/overdue/", 2),
    ]:
        hr_api.get(url)
        with django_assert_num_queries(queries):
            hr_api.get(url)
    _many(49, modules, departments)
    for url, queries in [
        ("/api/v1/onboarding/reports/modules/", 1),
        ("/api/v1/onboarding/reports/departments/", 1),
        ("/api/v1/onboarding/reports/overdue/", 2),
    ]:
        with django_assert_num_queries(queries):
            hr_api.get(url)


def test_report_api_rows(hr_api, figures):
    rows = hr_api.get("/api/v1/onboarding/reports/modules/").json()
    lab = next(r for r in rows if r["name"] == "Accessibility lab")
    assert (lab["completion_rate"], lab["overdue"], lab["waived"]) == (50, 1, 1)
    overdue = hr_api.get("/api/v1/onboarding/reports/overdue/").json()
    assert overdue["count"] == 2
    assert {r["days_overdue"] for r in overdue["results"]} == {5}
    assert hr_api.get("/api/v1/onboarding/reports/overdue/?department=x").status_code == 400


def test_csv_export_of_overdue_people_defuses_formulas(client, hr_user):
    module = module_with_content(title='=HYPERLINK("http://evil.example","Click")')
    person = UserFactory(display_name="+SUM(A1:A9)", department=DepartmentFactory(name="@Risk", slug="risk"))
    AssignmentFactory(module=module, user=person, due_on=PAST)
    client.force_login(hr_user)
    response = client.get("/onboarding/hr/reports/export.csv?report=overdue")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["Person", "E-mail", "Department", "Module"]
    assert rows[1][0] == "'+SUM(A1:A9)"
    assert rows[1][2] == "'@Risk"
    assert rows[1][3].startswith("'=HYPERLINK")
    assert rows[1][5] == "5"


def test_csv_export_by_module_and_unknown_report(client, hr_user, figures):
    client.force_login(hr_user)
    response = client.get("/onboarding/hr/reports/export.csv?report=modules")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert ["Accessibility lab", "4", "2", "50", "1", "1", "66.7"] in rows
    assert client.get("/onboarding/hr/reports/export.csv?report=salaries").status_code == 400


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("-2", "'-2"), ("\tx", "'\tx"), ("Plain", "Plain"), (5, 5)],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_a_renewed_completion_is_counted_once_not_twice():
    module = module_with_content()
    person = UserFactory()
    done = AssignmentFactory(module=module, user=person, status=AssignmentStatus.COMPLETED)
    AssignmentFactory(module=module, user=person, status=AssignmentStatus.ASSIGNED, previous=done)
    [row] = report_by_module()
    # One person, whose current assignment (the renewal) is still open.
    assert (row.assigned, row.completed) == (1, 0)


@pytest.mark.postgres
def test_department_report_reads_assignments_through_the_covering_index(figures):
    """The HR report of one department walks that department's people in
    ``onboarding_asg_user_report``, never the whole assignments table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        report_by_module(department_id=figures["claims"].pk)
    (sql,) = [q["sql"] for q in queries.captured_queries]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # tiny tables: ask what the planner *can* use
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on onboarding_assignment" not in plan, plan
    assert "onboarding_asg_user_report" in plan or "onboarding_assignment_user_id" in plan, plan

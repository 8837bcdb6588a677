from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from accounts.demo import DEMO_PASSWORD, PEOPLE
from accounts.models import Department, User
from accounts.selectors import user_roles

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        sorted(User.objects.values_list("email", "password", "display_name")),
        sorted(Department.objects.values_list("slug", "name")),
        sorted(User.groups.through.objects.values_list("user__email", "group__name")),
    )


def test_seed_demo_creates_people_in_every_role_and_a_second_run_changes_nothing(client):
    call_command("seed_demo")
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first
    roles = set()
    for user in User.objects.all():
        roles.update(user_roles(user=user))
    assert {"employee", "reviewer", "hr", "editor", "admin"} <= roles
    assert len(first[0]) == len(PEOPLE)


def test_demo_logins_work(client):
    call_command("seed_demo")
    for email, *_rest in PEOPLE:
        assert client.login(username=email, password=DEMO_PASSWORD), email
        client.logout()


def test_create_user_command_makes_an_employee_with_roles():
    call_command(
        "create_user",
        "--email=New.Person@Example.com",
        "--name=New Person",
        "--department=claims",
        "--create-department",
        "--role=reviewer",
        "--password=a-long-enough-passphrase",
    )
    user = User.objects.get(email="new.person@example.com")
    assert user_roles(user=user) == ["employee", "reviewer"]
    assert user.department.slug == "claims"
    assert user.check_password("a-long-enough-passphrase")


def test_create_user_refuses_a_weak_password_and_a_duplicate():
    with pytest.raises(CommandError, match="too short"):
        call_command("create_user", "--email=a@example.com", "--name=A", "--password=short")
    call_command("create_user", "--email=a@example.com", "--name=A", "--password=a-long-enough-passphrase")
    with pytest.raises(CommandError, match="exists already"):
        call_command("create_user", "--email=A@example.com", "--name=A", "--password=a-long-enough-passphrase")

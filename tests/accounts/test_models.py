from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError

from accounts.models import User
from accounts.roles import roles_sync
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_stored_lower_case_and_unique_regardless_of_case():
    user = User.objects.create_user(email="Mixed.Case@Example.COM", password="x" * 12, display_name="M")
    assert user.email == "mixed.case@example.com"
    with pytest.raises(IntegrityError):
        User.objects.create(email="MIXED.case@example.com", display_name="Dup")


def test_passwords_are_hashed_with_argon2():
    user = UserFactory()
    assert user.password.startswith("argon2")


def test_role_groups_exist_after_migrate_with_their_permissions():
    names = set(Group.objects.values_list("name", flat=True))
    assert {"employee", "reviewer", "hr", "editor"} <= names
    hr_perms = set(Group.objects.get(name="hr").permissions.values_list("codename", flat=True))
    assert {"view_user", "view_department"} <= hr_perms


def test_roles_sync_removes_a_grant_nobody_declares():
    from django.contrib.auth.models import Permission

    editor = Group.objects.get(name="editor")
    editor.permissions.add(Permission.objects.get(codename="delete_user"))
    roles_sync()
    assert not editor.permissions.filter(codename="delete_user").exists()


def test_roles_get_permissions_of_apps_that_migrate_after_accounts():
    # onboarding migrates after accounts; its grants must be there after one migrate.
    from django.apps import apps

    declared = apps.get_app_config("onboarding").role_permissions
    hr = set(Group.objects.get(name="hr").permissions.values_list("content_type__app_label", "codename"))
    for dotted in declared.get("hr", []):
        app_label, codename = dotted.split(".", 1)
        assert (app_label, codename) in hr, dotted

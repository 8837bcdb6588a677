"""Roles are Django groups with permissions.

The groups are created by a data migration (``0002_roles``) so a deployment
never starts without them. Each app declares which of its permissions each
role gets as ``role_permissions`` on its AppConfig; after every ``migrate``
the groups are brought in line with those declarations, because permissions
of new models exist only once their app's migrations have run.
"""

from __future__ import annotations

import logging
from typing import Any

from django.apps import apps as global_apps
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class Role(TextChoices):
    EMPLOYEE = "employee", _("Employee")
    REVIEWER = "reviewer", _("Reviewer")
    HR = "hr", _("HR")
    EDITOR = "editor", _("Editor")


ADMIN_ROLE = "admin"


def declared_role_permissions() -> dict[str, set[str]]:
    """Every app's ``role_permissions``, merged: role -> {"app.codename"}."""
    merged: dict[str, set[str]] = {role.value: set() for role in Role}
    for config in global_apps.get_app_configs():
        for role, perms in getattr(config, "role_permissions", {}).items():
            merged.setdefault(role, set()).update(perms)
    return merged


def roles_sync(*, apps: Any = global_apps) -> None:
    """Create the role groups and give each exactly its declared permissions.

    Permissions that do not exist yet (an app not migrated) are skipped and
    picked up by the next run; removing a declaration removes the grant.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, wanted in declared_role_permissions().items():
        group, _created = Group.objects.get_or_create(name=role)
        perms = []
        for dotted in sorted(wanted):
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is None:
                logger.info("Role %s: permission %s does not exist yet; skipped", role, dotted)
                continue
            perms.append(perm)
        group.permissions.set(perms)


def roles_sync_after_migrate(sender: Any, **kwargs: Any) -> None:
    # post_migrate fires once per app that has models, in INSTALLED_APPS
    # order, and each app's permissions are created by its own signal. So
    # sync after the *last* such app: by then every app's permissions exist
    # (syncing after "accounts" missed those of apps listed after it).
    with_models = [config for config in global_apps.get_app_configs() if config.models_module is not None]
    if not with_models or sender is not with_models[-1]:
        return
    roles_sync()

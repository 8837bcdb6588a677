from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")
    # Which of this app's permissions each role holds (see accounts/roles.py).
    role_permissions = {
        "hr": ["accounts.view_user", "accounts.view_department"],
        "reviewer": ["accounts.view_user"],
    }

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from accounts.roles import roles_sync_after_migrate

        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="accounts.roles_sync")

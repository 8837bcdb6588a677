from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """In-app notifications and their e-mail copies: the one facility every
    app uses (idea moves, training reminders, later recognition and customer
    feedback), with per-person preferences per kind."""

    name = "notifications"
    verbose_name = _("Notifications")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsletterConfig(AppConfig):
    name = "newsletter"
    verbose_name = _("Newsletter")
    # Which of this app's permissions each role holds (see accounts/roles.py).
    role_permissions = {
        "editor": [
            "newsletter.view_subscriber",
            "newsletter.view_digest",
            "newsletter.view_delivery",
            "newsletter.add_editornote",
            "newsletter.change_editornote",
            "newsletter.view_editornote",
        ],
    }

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    name = "ideas"
    verbose_name = _("Ideas")
    # Which of this app's permissions each role holds (see accounts/roles.py).
    # The workflow itself checks roles through the table in ideas/workflow.py;
    # these grants are for the Django admin.
    role_permissions = {
        "reviewer": [
            "ideas.view_idea",
            "ideas.view_ideaevent",
            "ideas.view_scorecard",
            "ideas.view_vote",
            "ideas.view_comment",
            "ideas.add_campaign",
            "ideas.change_campaign",
            "ideas.view_campaign",
            "ideas.add_tag",
            "ideas.change_tag",
            "ideas.view_tag",
        ],
    }

    def ready(self) -> None:
        # Registers the notification kinds, so the preferences page lists them.
        from ideas import services  # noqa: F401

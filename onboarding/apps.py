from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = _("Onboarding and training")
    # HR runs training, in the pages and the admin (see accounts/roles.py).
    role_permissions = {
        "hr": [
            f"onboarding.{action}_{model}"
            for model in ("module", "lesson", "question", "choice", "assignment", "onboardingplan")
            for action in ("add", "change", "view")
        ]
        + ["onboarding.view_quizattempt", "onboarding.view_assignmentevent"],
    }

    def ready(self) -> None:
        from django.db.models.signals import post_save, pre_save

        from accounts.models import User
        from onboarding import signals
        from onboarding.services import schedule  # noqa: F401 - registers the reminder kind

        pre_save.connect(signals.remember_department, sender=User, dispatch_uid="onboarding.remember_department")
        post_save.connect(signals.apply_plans_on_join, sender=User, dispatch_uid="onboarding.apply_plans_on_join")

"""Forms of the sign-in pages."""

from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.template import loader
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ideaportal.celery import enqueue_on_commit


def throttle_message(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute, or reset your password.",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes, or reset your password.",
        minutes,
    ) % {"minutes": minutes}


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "That e-mail address and password do not match an active account. Check both and try again."
        ),
    }

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            wait = getattr(self.request, "login_throttled_for", None)
            if wait:
                raise ValidationError(throttle_message(wait), code="throttled") from None
            raise

    @property
    def throttled(self) -> bool:
        return bool(getattr(self.request, "login_throttled_for", None))


class QueuedPasswordResetForm(PasswordResetForm):
    """Renders the reset mail here and hands it to a Celery worker, after
    commit, so a slow mail server never holds up the page."""

    email = forms.EmailField(
        label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from accounts.tasks import email_send_task

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        text = loader.render_to_string(email_template_name, context)
        html = loader.render_to_string(html_email_template_name, context) if html_email_template_name else None
        enqueue_on_commit(partial(email_send_task.delay, to=[to_email], subject=subject, text=text, html=html))

"""Authentication by e-mail and password, with sign-in throttling."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import User
from accounts.services import login_attempt_reserve, login_failures_clear


def client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR is the proxy's address behind a load balancer; deployments
    # there set gunicorn's --forwarded-allow-ips so it carries the client's.
    return request.META.get("REMOTE_ADDR") or None


class ThrottledEmailBackend(ModelBackend):
    """Every path that signs someone in (pages, admin, API token) comes here,
    so one throttle covers them all. Each attempt is counted before the
    password is checked; over the limit the password is not even looked at.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        email = username or kwargs.get("email")
        if not email or password is None:
            return None
        wait = login_attempt_reserve(email=email, address=client_address(request))
        if wait is not None:
            if request is not None:
                request.login_throttled_for = wait  # type: ignore[attr-defined]
            # PermissionDenied stops Django from trying any other backend.
            raise PermissionDenied("too many failed sign-in attempts")
        user = super().authenticate(request, username=email, password=password, **kwargs)
        if user is not None:
            login_failures_clear(email=email)
        return user

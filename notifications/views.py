from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthedHttpRequest
from notifications import selectors, services
from notifications.forms import PreferencesForm
from notifications.models import NotificationPreference


@login_required
def notification_list(request: AuthedHttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    paginator = Paginator(selectors.notification_list(user=request.user, unread_only=unread_only), 50)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page_obj": page, "unread_only": unread_only})


@login_required
@require_POST
def notification_mark_read(request: AuthedHttpRequest) -> HttpResponse:
    raw = request.POST.getlist("id")
    ids = [int(value) for value in raw if value.isdigit()] if raw else None
    count = services.notifications_mark_read(user=request.user, ids=ids)
    messages.success(request, _("Marked %(count)d as read.") % {"count": count})
    return redirect("notifications:list")


@login_required
def notification_preferences(request: AuthedHttpRequest) -> HttpResponse:
    current = dict(NotificationPreference.objects.filter(user=request.user).values_list("kind", "email"))
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        services.notification_preferences_set(user=request.user, email_by_kind=form.cleaned_data)
        messages.success(request, _("Your e-mail preferences are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})

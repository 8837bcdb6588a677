"""Newsletter pages: subscribe, confirm, preferences, one-click unsubscribe,
the archive, and the editor's note, preview and run progress."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.http import AuthedHttpRequest
from accounts.roles import Role
from accounts.selectors import user_has_role
from newsletter import mail, selectors, services, tokens
from newsletter.forms import EditorNoteForm, EmployeeSubscribeForm, PreferencesForm, PreviewForm, SubscribeForm
from newsletter.models import Digest, Frequency, Subscriber, SubscriberStatus

ARCHIVE_PAGE_SIZE = 20


def editor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapped(request: AuthedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not user_has_role(user=request.user, role=Role.EDITOR):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _language(request: HttpRequest) -> str:
    return getattr(request, "LANGUAGE_CODE", "en") or "en"


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    user = request.user
    current = Subscriber.objects.filter(user_id=user.pk).first() if user.is_authenticated else None
    if user.is_authenticated:
        initial = {"frequency": current.frequency} if current is not None else None
        form: Any = EmployeeSubscribeForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            services.subscriber_subscribe_employee(user=user, frequency=form.cleaned_data["frequency"])
            messages.success(
                request,
                _("You are subscribed. The next digest will reach you at %(email)s.") % {"email": user.email},
            )
            return redirect("newsletter:subscribe")
    else:
        form = SubscribeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if services.subscribe_rate_exceeded(client_address=request.META.get("REMOTE_ADDR")):
                form.add_error(None, _("Too many subscriptions from your network this hour. Please try again later."))
                response = render(request, "newsletter/subscribe.html", {"form": form, "current": None})
                response.status_code = 429
                return response
            services.subscriber_subscribe_address(
                email=form.cleaned_data["email"], frequency=form.cleaned_data["frequency"], language=_language(request)
            )
            return render(request, "newsletter/subscribe_sent.html", {"email": form.cleaned_data["email"]})
    manage_token = ""
    if current is not None:
        manage_token = tokens.token_make(subscriber=current, purpose=tokens.MANAGE)
    return render(
        request, "newsletter/subscribe.html", {"form": form, "current": current, "manage_token": manage_token}
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: mail scanners that open links must
    not confirm an address on their own."""
    subscriber = tokens.token_subscriber(token=token, purpose=tokens.CONFIRM)
    if subscriber is None:
        return render(request, "newsletter/bad_link.html", status=400)
    if request.method == "POST":
        services.subscriber_confirm(subscriber=subscriber)
    return render(
        request,
        "newsletter/confirm.html",
        {
            "subscriber": subscriber,
            "token": token,
            "manage_token": tokens.token_make(subscriber=subscriber, purpose=tokens.MANAGE),
        },
    )


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = tokens.token_subscriber(token=token, purpose=tokens.MANAGE)
    if subscriber is None:
        return render(request, "newsletter/bad_link.html", status=400)
    if request.method == "POST" and request.POST.get("action") == "unsubscribe":
        services.subscriber_unsubscribe(subscriber=subscriber)
        messages.success(
            request, _("You are unsubscribed. No more digests will be sent to %(email)s.") % {"email": subscriber.email}
        )
        return redirect("newsletter:preferences", token=token)
    form = PreferencesForm(request.POST or None, subscriber=subscriber)
    if request.method == "POST" and form.is_valid():
        services.subscriber_preferences_set(subscriber=subscriber, **form.cleaned_data)
        messages.success(request, _("Your newsletter preferences are saved."))
        return redirect("newsletter:preferences", token=token)
    return render(
        request,
        "newsletter/preferences.html",
        {
            "form": form,
            "subscriber": subscriber,
            "token": token,
            "active": subscriber.status == SubscriberStatus.ACTIVE,
        },
    )


@csrf_exempt  # RFC 8058 one-click: mail providers POST without our cookie or token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe (RFC 8058): a POST with the signed token is all
    it takes; no login, no confirmation page. A person who opens the link
    instead lands on the preference page."""
    subscriber = tokens.token_subscriber(token=token, purpose=tokens.MANAGE)
    if subscriber is None:
        return HttpResponse(_("This unsubscribe link is not valid."), status=400, content_type="text/plain")
    if request.method == "GET":
        return redirect("newsletter:preferences", token=token)
    services.subscriber_unsubscribe(subscriber=subscriber)
    return HttpResponse(_("You are unsubscribed."), content_type="text/plain; charset=utf-8")


def archive(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.archive_list(), ARCHIVE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = [{"digest": digest, "subject": mail.subject_for(digest)} for digest in page.object_list]
    return render(request, "newsletter/archive.html", {"page_obj": page, "rows": rows})


def archive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    digest = get_object_or_404(selectors.archive_list(), pk=pk)
    context = mail.digest_context(
        digest, subscriber=None, personal=mail.digest_personalise(digest), links=mail.manage_links(None)
    )
    return render(request, "newsletter/archive_detail.html", context)


@editor_required
@require_http_methods(["GET", "POST"])
def editor(request: AuthedHttpRequest) -> HttpResponse:
    frequency = request.POST.get("frequency") or request.GET.get("frequency") or Frequency.WEEKLY
    if frequency not in Frequency.values:
        frequency = Frequency.WEEKLY
    note = services.editor_note_open(frequency=frequency)
    form = EditorNoteForm(request.POST or None, initial={"frequency": frequency, "body": note.body if note else ""})
    if request.method == "POST" and form.is_valid():
        services.editor_note_save(
            frequency=form.cleaned_data["frequency"], body=form.cleaned_data["body"], author=request.user
        )
        messages.success(request, _("The note for the next digest is saved."))
        return redirect(f"{request.path}?frequency={form.cleaned_data['frequency']}")
    digests = list(selectors.digest_list_with_totals()[:20])
    return render(request, "newsletter/editor.html", {"form": form, "digests": digests, "frequency": frequency})


@editor_required
@require_http_methods(["GET", "POST"])
def editor_preview(request: AuthedHttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = PreviewForm(data, initial={"frequency": Frequency.WEEKLY})
    context: dict[str, Any] = {"form": form}
    if form.is_bound and form.is_valid():
        digest = services.digest_draft(frequency=form.cleaned_data["frequency"])
        subscriber = form.cleaned_data["email"] or Subscriber(
            email=request.user.email, frequency=digest.frequency, language=request.user.preferred_language
        )
        if request.method == "POST":
            services.digest_test_send(digest=digest, subscriber=subscriber, editor=request.user)
            messages.success(request, _("A test copy is on its way to %(email)s.") % {"email": request.user.email})
        personal = (
            services.digest_for_subscriber(digest, subscriber) if subscriber.pk else mail.digest_personalise(digest)
        )
        message = mail.digest_message(digest, subscriber=subscriber, personal=personal, test_copy=True)
        context.update(
            mail.digest_context(digest, subscriber=subscriber, personal=personal, links=mail.manage_links(None))
        )
        context.update({"preview": True, "text_version": message.body, "previewed": subscriber})
    return render(request, "newsletter/preview.html", context)


def _digest_for_editor(pk: int) -> Digest:
    digest = selectors.digest_list_with_totals().filter(pk=pk).first()
    if digest is None:
        raise Http404
    return digest


@editor_required
def editor_digest(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    digest = _digest_for_editor(pk)
    return render(
        request,
        "newsletter/run.html",
        {
            "digest": digest,
            "subject": mail.subject_for(digest),
            "progress": services.digest_progress(digest=digest),
            "failures": list(selectors.deliveries_failed(digest=digest)[:50]),
        },
    )


@editor_required
def editor_digest_progress(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The progress block alone, for htmx to poll while a run goes."""
    digest = _digest_for_editor(pk)
    return render(
        request,
        "newsletter/includes/progress.html",
        {"digest": digest, "progress": services.digest_progress(digest=digest)},
    )

"""Pages of ideas. Server-rendered; htmx swaps the vote and follow buttons
and the similar-ideas list, and every form also works as a plain POST.

Each view finds its idea through ``selectors.idea_detail`` (visibility
applied) and lets services decide; a refusal re-renders the page with the
message and the matching status code (400, 403 or 409).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthedHttpRequest
from accounts.roles import Role
from accounts.selectors import user_has_role
from ideaportal.paging import CappedPaginator
from ideas import selectors, services
from ideas.forms import (
    CampaignForm,
    CommentForm,
    IdeaFilterForm,
    IdeaForm,
    PatentForm,
    ScorecardForm,
    TransitionForm,
)
from ideas.models import Idea
from ideas.workflow import MoveForbidden, MoveNotAllowed, WorkflowError

PAGE_SIZE = 25


def _idea_or_404(request: AuthedHttpRequest, pk: int) -> Idea:
    try:
        return selectors.idea_detail(user=request.user, pk=pk)
    except Idea.DoesNotExist:
        raise Http404(_("No idea here that you can see.")) from None


def _is_htmx(request: AuthedHttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _refusal_status(exc: Exception) -> int:
    if isinstance(exc, MoveForbidden):
        return 403
    if isinstance(exc, MoveNotAllowed):
        return 409
    return 400


# What the decision forms call the inputs a service may refuse.
FIELD_LABELS = {
    "duplicate_of": _("Duplicate of"),
    "reason": _("Reason"),
    "comment": _("Comment"),
    "launched_on": _("Launch date"),
    "reviewer": _("Reviewer"),
    "application_number": _("Application number"),
    "filed_on": _("Filing date"),
    "patent_number": _("Patent number"),
    "granted_on": _("Grant date"),
}


def _refusal_messages(exc: Exception) -> list[str]:
    if isinstance(exc, WorkflowError):
        return [str(exc.message)]
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return [
                f"{FIELD_LABELS.get(field, field.replace('_', ' ').capitalize())}: {' '.join(errors)}"
                for field, errors in exc.message_dict.items()
            ]
        return list(exc.messages)
    return [str(exc)]


def _require_reviewer(request: AuthedHttpRequest) -> None:
    if not user_has_role(user=request.user, role=Role.REVIEWER):
        raise PermissionDenied(_("Only reviewers can see this page."))


def _page(request: AuthedHttpRequest, qs: Any) -> Any:
    return CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


# --- lists ------------------------------------------------------------------------


@login_required
@require_GET
def idea_list(request: AuthedHttpRequest) -> HttpResponse:
    form = IdeaFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    page = _page(request, selectors.idea_list(user=request.user, **filters))
    is_reviewer = user_has_role(user=request.user, role=Role.REVIEWER)
    return render(
        request,
        "ideas/list.html",
        {"form": form, "page_obj": page, "is_reviewer": is_reviewer, "query": request.GET.urlencode()},
    )


@login_required
@require_GET
def idea_mine(request: AuthedHttpRequest) -> HttpResponse:
    page = _page(request, selectors.idea_mine(user=request.user))
    return render(request, "ideas/mine.html", {"page_obj": page})


@login_required
@require_GET
def review_queue(request: AuthedHttpRequest) -> HttpResponse:
    _require_reviewer(request)
    page = _page(request, selectors.review_queue(user=request.user))
    return render(request, "ideas/review_queue.html", {"page_obj": page})


@login_required
@require_GET
def idea_similar(request: AuthedHttpRequest) -> HttpResponse:
    """The "similar ideas" list for the submit form (an htmx fragment)."""
    text = " ".join(request.GET.get(name, "") for name in ("title", "problem"))
    exclude = request.GET.get("exclude", "")
    similar = selectors.idea_similar(user=request.user, text=text, exclude=int(exclude) if exclude.isdigit() else None)
    return render(request, "ideas/_similar.html", {"similar": similar, "searched": bool(text.strip())})


@login_required
def campaign_list(request: AuthedHttpRequest) -> HttpResponse:
    is_reviewer = user_has_role(user=request.user, role=Role.REVIEWER)
    form = CampaignForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not is_reviewer:
            raise PermissionDenied(_("Only reviewers create campaigns."))
        if form.is_valid():
            try:
                campaign = services.campaign_create(actor=request.user, **form.cleaned_data)
            except DjangoValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Campaign “%(title)s” created.") % {"title": campaign.title})
                return redirect("ideas:campaigns")
        status = 400
    return render(
        request,
        "ideas/campaigns.html",
        {"campaigns": selectors.campaign_list(), "form": form, "is_reviewer": is_reviewer},
        status=status,
    )


# --- writing -------------------------------------------------------------------------------


def _idea_form_response(request: AuthedHttpRequest, form: IdeaForm, idea: Idea | None, status: int) -> HttpResponse:
    title = form.data.get("title") if form.is_bound else (idea.title if idea else "")
    similar = (
        selectors.idea_similar(user=request.user, text=str(title or ""), exclude=idea.pk if idea else None)
        if title
        else []
    )
    return render(request, "ideas/form.html", {"form": form, "idea": idea, "similar": similar}, status=status)


def _save_idea(request: AuthedHttpRequest, form: IdeaForm, idea: Idea | None) -> HttpResponse:
    data = dict(form.cleaned_data)
    submit = "submit" in request.POST
    try:
        if idea is None:
            idea = services.idea_create(author=request.user, **data)
        else:
            services.idea_update(idea=idea, actor=request.user, **data)
        if submit:
            services.idea_transition(idea=idea, actor=request.user, to="submitted")
    except (WorkflowError, DjangoValidationError) as exc:
        if isinstance(exc, DjangoValidationError) and hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, _refusal_messages(exc))
        if idea is not None and submit:
            messages.info(request, _("Your draft is saved, but it cannot be submitted yet."))
        return _idea_form_response(request, form, idea, _refusal_status(exc))
    if submit:
        messages.success(request, _("Your idea is submitted. A reviewer will pick it up within 24 hours."))
    else:
        messages.success(request, _("Your draft is saved. Only you and your co-authors can see it."))
    return redirect(idea)


@login_required
def idea_create(request: AuthedHttpRequest) -> HttpResponse:
    form = IdeaForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            return _save_idea(request, form, None)
        return _idea_form_response(request, form, None, 400)
    return _idea_form_response(request, form, None, 200)


@login_required
def idea_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    idea = _idea_or_404(request, pk)
    if not selectors.idea_is_author(idea=idea, user=request.user):
        raise PermissionDenied(_("Only the idea's authors can edit it."))
    initial = {
        "title": idea.title,
        "problem": idea.problem,
        "proposal": idea.proposal,
        "customers_affected": idea.customers_affected,
        "customer_delight": idea.customer_delight,
        "metric": idea.metric,
        "metric_other": idea.metric_other,
        "campaign": idea.campaign,
        "department": idea.department,
        "tags": ", ".join(tag.name for tag in idea.tags.all()),
        "co_authors": ", ".join(person.email for person in idea.co_authors.all()),
    }
    form = IdeaForm(request.POST or None, initial=initial, current_campaign=idea.campaign)
    if request.method == "POST":
        if form.is_valid():
            return _save_idea(request, form, idea)
        return _idea_form_response(request, form, idea, 400)
    return _idea_form_response(request, form, idea, 200)


# --- one idea -----------------------------------------------------------------------------------


def _detail_context(request: AuthedHttpRequest, idea: Idea) -> dict[str, Any]:
    user = request.user
    is_reviewer = user_has_role(user=user, role=Role.REVIEWER)
    is_author = selectors.idea_is_author(idea=idea, user=user)
    context: dict[str, Any] = {
        "idea": idea,
        "is_author": is_author,
        "is_reviewer": is_reviewer,
        "can_vote": idea.is_open_for_votes and not is_author,
        "moves": selectors.idea_moves_open(idea=idea, user=user),
        "patent_moves": selectors.idea_patent_moves_open(idea=idea, user=user),
        "history": selectors.idea_history(idea=idea),
        "comments": selectors.comment_list(idea=idea),
        "comment_form": CommentForm(),
        "can_edit": is_author and idea.status in ("draft", "needs_info"),
    }
    if is_reviewer:
        context["reviewers"] = selectors.reviewers()
        context["scorecard_summary"] = selectors.scorecard_summary(idea=idea)
        context["can_score"] = not is_author and idea.status in ("submitted", "in_review", "needs_info")
        if context["can_score"]:
            context["scorecard_form"] = ScorecardForm.for_scorecard(selectors.scorecard_mine(idea=idea, user=user))
    return context


def _detail(request: AuthedHttpRequest, idea: Idea, *, status: int = 200, **extra: Any) -> HttpResponse:
    context = _detail_context(request, idea)
    context.update(extra)
    return render(request, "ideas/detail.html", context, status=status)


@login_required
@require_GET
def idea_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _idea_or_404(request, pk))


def _refused(request: AuthedHttpRequest, idea: Idea, exc: Exception) -> HttpResponse:
    return _detail(request, idea, status=_refusal_status(exc), errors=_refusal_messages(exc))


@login_required
@require_POST
def idea_move(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    idea = _idea_or_404(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _detail(request, idea, status=400, errors=[_("Check the form: %(e)s") % {"e": form.errors.as_text()}])
    data = {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}
    if "duplicate_of" in data:
        target = selectors.idea_visible(user=request.user).filter(pk=data["duplicate_of"]).first()
        if target is None:
            return _detail(request, idea, status=400, errors=[_("There is no idea with that number that you can see.")])
        data["duplicate_of"] = target
    try:
        services.idea_transition(idea=idea, actor=request.user, **data)
    except (WorkflowError, DjangoValidationError) as exc:
        return _refused(request, idea, exc)
    messages.success(request, _("Done: the idea moved on."))
    return redirect(idea)


@login_required
@require_POST
def idea_patent(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    idea = _idea_or_404(request, pk)
    form = PatentForm(request.POST)
    if not form.is_valid():
        return _detail(request, idea, status=400, errors=[_("Check the form: %(e)s") % {"e": form.errors.as_text()}])
    data = {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}
    try:
        services.idea_patent_transition(idea=idea, actor=request.user, **data)
    except (WorkflowError, DjangoValidationError) as exc:
        return _refused(request, idea, exc)
    messages.success(request, _("The patent track is updated."))
    return redirect(idea)


@login_required
@require_POST
def idea_vote(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    idea = _idea_or_404(request, pk)
    error = ""
    try:
        if request.POST.get("action") == "remove":
            services.vote_remove(idea=idea, user=request.user)
        else:
            services.vote_add(idea=idea, user=request.user)
    except WorkflowError as exc:
        if not _is_htmx(request):
            return _refused(request, idea, exc)
        error = str(exc.message)
    if _is_htmx(request):
        idea = _idea_or_404(request, pk)
        return render(request, "ideas/_vote_response.html", {"idea": idea, "can_vote": True, "vote_error": error})
    return redirect(idea)


@login_required
@require_POST
def idea_follow(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    idea = _idea_or_404(request, pk)
    if request.POST.get("action") == "unfollow":
        services.follow_remove(idea=idea, user=request.user)
    else:
        services.follow_add(idea=idea, user=request.user)
    if _is_htmx(request):
        return render(request, "ideas/_follow.html", {"idea": _idea_or_404(request, pk)})
    return redirect(idea)


@login_required
@require_POST
def idea_comment(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    idea = _idea_or_404(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _detail(request, idea, status=400, comment_form=form)
    try:
        comment = services.comment_create(idea=idea, author=request.user, body=form.cleaned_data["body"])
    except (WorkflowError, DjangoValidationError) as exc:
        return _refused(request, idea, exc)
    return redirect(f"{idea.get_absolute_url()}#comment-{comment.pk}")


@login_required
@require_POST
def idea_scorecard(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    idea = _idea_or_404(request, pk)
    _require_reviewer(request)
    form = ScorecardForm(request.POST)
    if not form.is_valid():
        return _detail(request, idea, status=400, scorecard_form=form)
    try:
        services.scorecard_save(idea=idea, reviewer=request.user, **form.cleaned_data)
    except (WorkflowError, DjangoValidationError) as exc:
        return _refused(request, idea, exc)
    messages.success(request, _("Your scorecard is saved."))
    return redirect(idea)

"""Forms of the idea pages. They validate input only; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, User
from ideas import selectors
from ideas.models import Campaign, Metric, Scorecard
from ideas.workflow import PatentStatus, Status


class DateInput(forms.DateInput):
    input_type = "date"


class IdeaForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    problem = forms.CharField(
        label=_("The problem"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What goes wrong for customers today?"),
    )
    proposal = forms.CharField(
        label=_("Your proposal"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What should we do? Markdown is supported."),
    )
    customers_affected = forms.CharField(
        label=_("Which customers does it affect?"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    customer_delight = forms.CharField(
        label=_("Why would it delight them?"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    metric = forms.ChoiceField(
        label=_("Which customer metric should it move?"),
        required=False,
        choices=[("", _("Choose a metric")), *Metric.choices],
    )
    metric_other = forms.CharField(
        label=_("Other metric"), required=False, max_length=120, help_text=_("Only if you chose “Other”.")
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), required=False, queryset=Campaign.objects.none(), empty_label=_("No campaign")
    )
    department = forms.ModelChoiceField(
        label=_("Department"), required=False, queryset=Department.objects.all(), empty_label=_("My department")
    )
    tags = forms.CharField(label=_("Tags"), required=False, max_length=400, help_text=_("Separate tags with commas."))
    co_authors = forms.CharField(
        label=_("Co-authors"),
        required=False,
        max_length=2000,
        help_text=_("Their e-mail addresses, separated by commas."),
    )

    def __init__(self, *args: Any, current_campaign: Campaign | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only open campaigns can be joined; an idea keeps the one it is in.
        qs = selectors.campaign_open_list()
        if current_campaign is not None:
            qs = qs | Campaign.objects.filter(pk=current_campaign.pk)
        self.fields["campaign"].queryset = qs.distinct()  # type: ignore[attr-defined]
        # As the person types, htmx asks for similar ideas (no script of ours).
        similar = {
            "hx-get": reverse("ideas:similar"),
            "hx-trigger": "input changed delay:400ms",
            "hx-target": "#similar-ideas",
            "hx-include": "#id_title, #id_problem, #id_exclude",
        }
        self.fields["title"].widget.attrs.update(similar)
        self.fields["problem"].widget.attrs.update(similar)

    def clean_tags(self) -> list[str]:
        names = [name.strip() for name in self.cleaned_data["tags"].split(",")]
        return [name for name in names if name][:10]

    def clean_co_authors(self) -> list[User]:
        emails = {email.strip().lower() for email in self.cleaned_data["co_authors"].split(",") if email.strip()}
        people = list(User.objects.filter(email__in=emails, is_active=True))
        unknown = emails - {person.email for person in people}
        if unknown:
            raise forms.ValidationError(
                _("Nobody here has the address %(emails)s.") % {"emails": ", ".join(sorted(unknown))}
            )
        return people


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    comment = forms.CharField(required=False, max_length=5_000)
    reason = forms.CharField(required=False, max_length=5_000)
    duplicate_of = forms.IntegerField(required=False, min_value=1)
    reviewer = forms.ModelChoiceField(required=False, queryset=User.objects.filter(is_active=True))
    launched_on = forms.DateField(required=False)
    outcome = forms.CharField(required=False, max_length=5_000)


class PatentForm(forms.Form):
    to = forms.ChoiceField(choices=PatentStatus.choices, widget=forms.HiddenInput)
    comment = forms.CharField(required=False, max_length=5_000)
    application_number = forms.CharField(required=False, max_length=60)
    filed_on = forms.DateField(required=False)
    patent_number = forms.CharField(required=False, max_length=60)
    granted_on = forms.DateField(required=False)


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown is supported."),
    )


SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]


class ScorecardForm(forms.Form):
    customer_impact = forms.TypedChoiceField(label=_("Customer impact"), choices=SCORE_CHOICES, coerce=int)
    feasibility = forms.TypedChoiceField(label=_("Feasibility"), choices=SCORE_CHOICES, coerce=int)
    novelty = forms.TypedChoiceField(label=_("Novelty"), choices=SCORE_CHOICES, coerce=int)
    cost = forms.TypedChoiceField(
        label=_("Cost"), choices=SCORE_CHOICES, coerce=int, help_text=_("5 is the cheapest to do.")
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=5_000, widget=forms.Textarea(attrs={"rows": 3})
    )

    @classmethod
    def for_scorecard(cls, scorecard: Scorecard | None) -> ScorecardForm:
        if scorecard is None:
            return cls()
        return cls(initial={name: getattr(scorecard, name) for name in (*Scorecard.CRITERIA, "comment")})


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    brief = forms.CharField(label=_("Brief"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput)
    closes_on = forms.DateField(label=_("Closes on"), widget=DateInput)


class IdeaFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status")), *Status.choices])
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), required=False, queryset=Campaign.objects.all(), empty_label=_("Any campaign")
    )
    department = forms.ModelChoiceField(
        label=_("Department"), required=False, queryset=Department.objects.all(), empty_label=_("Any department")
    )
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    ordering = forms.ChoiceField(
        label=_("Order by"),
        required=False,
        choices=[
            ("", _("Best match or newest")),
            ("newest", _("Newest")),
            ("votes", _("Most votes")),
            ("trending", _("Trending")),
            ("oldest", _("Oldest")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [  # type: ignore[attr-defined]
            ("", _("Any tag")),
            *selectors.tag_list().values_list("slug", "name"),
        ]

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for selectors.idea_list. A field with an invalid
        value is left out (and shown with its error); the valid ones still apply."""
        self.is_valid()
        data = self.cleaned_data
        campaign, department = data.get("campaign"), data.get("department")
        filters = {
            "q": data.get("q", ""),
            "status": data.get("status", ""),
            "campaign": campaign.pk if campaign else None,
            "department": department.pk if department else None,
            "tag": data.get("tag"),
            "ordering": data.get("ordering", ""),
        }
        return {key: value for key, value in filters.items() if key in data}

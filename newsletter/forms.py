from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from newsletter import sections
from newsletter.models import Frequency, Subscriber


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    frequency = forms.ChoiceField(label=_("How often"), choices=Frequency.choices, initial=Frequency.WEEKLY)


class EmployeeSubscribeForm(forms.Form):
    frequency = forms.ChoiceField(label=_("How often"), choices=Frequency.choices, initial=Frequency.WEEKLY)


class PreferencesForm(forms.Form):
    frequency = forms.ChoiceField(label=_("How often"), choices=Frequency.choices)
    campaigns = forms.ModelMultipleChoiceField(
        label=_("Campaigns"), queryset=Department.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"),
        queryset=Department.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"), queryset=Department.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, subscriber: Subscriber, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "frequency": subscriber.frequency,
                "campaigns": list(subscriber.campaigns.values_list("pk", flat=True)),
                "departments": list(subscriber.departments.values_list("pk", flat=True)),
                "tags": list(subscriber.tags.values_list("pk", flat=True)),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["campaigns"].queryset = sections.topic_campaigns()  # type: ignore[attr-defined]
        self.fields["tags"].queryset = sections.topic_tags()  # type: ignore[attr-defined]


class EditorNoteForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Digest"), choices=Frequency.choices)
    body = forms.CharField(
        label=_("Editor's note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Shown at the top of the next digest. Leave empty for no note."),
    )


class PreviewForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Digest"), choices=Frequency.choices, initial=Frequency.WEEKLY)
    email = forms.EmailField(
        label=_("As received by"),
        required=False,
        help_text=_("A subscriber's e-mail address. Leave empty to see it as a subscriber with no topics would."),
    )

    def clean_email(self) -> Subscriber | None:
        email = self.cleaned_data.get("email")
        if not email:
            return None
        subscriber = Subscriber.objects.select_related("user").filter(email__iexact=email).first()
        if subscriber is None:
            raise forms.ValidationError(_("Nobody subscribes with this address."), code="unknown")
        return subscriber

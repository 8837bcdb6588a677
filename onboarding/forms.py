"""Forms of the training pages. Each works without JavaScript."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Department, User
from accounts.roles import Role
from onboarding.models import Lesson, Module, ModuleStatus, Question, QuestionKind

MAX_CHOICES = 6


class DateInput(forms.DateInput):
    input_type = "date"


class ModuleForm(forms.ModelForm):
    class Meta:
        model = Module
        fields = ["title", "kind", "summary", "estimated_minutes", "pass_mark", "recertify_months"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}


class LessonForm(forms.ModelForm):
    media_url = forms.URLField(
        label=_("Link or media address"),
        required=False,
        assume_scheme="https",
        help_text=_("Optional: a page, image, video or audio file to go with the lesson."),
    )

    class Meta:
        model = Lesson
        fields = ["title", "body", "media_url", "media_kind", "media_alternative"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 14}),
            "media_alternative": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "body": _("Markdown: **bold**, *italic*, lists, links, ## headings, tables."),
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("media_url") and not (data.get("media_alternative") or "").strip():
            self.add_error(
                "media_alternative", _("Media needs a text alternative: a description, transcript or captions.")
            )
        return data


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("Answers a learner picks"), choices=QuestionKind.choices)
    explanation = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown with the right answers once the learner has passed."),
    )

    def __init__(self, *args: Any, question: Question | None = None, **kwargs: Any) -> None:
        if question is not None and "initial" not in kwargs:
            initial: dict[str, Any] = {
                "text": question.text,
                "kind": question.kind,
                "explanation": question.explanation,
            }
            for n, choice in enumerate(question.choices.order_by("position", "id"), start=1):
                initial[f"choice_{n}"] = choice.text
                initial[f"correct_{n}"] = choice.is_correct
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for n in range(1, MAX_CHOICES + 1):
            self.fields[f"choice_{n}"] = forms.CharField(
                label=_("Answer %(n)d") % {"n": n}, required=False, max_length=500
            )
            self.fields[f"correct_{n}"] = forms.BooleanField(
                label=_("Answer %(n)d is right") % {"n": n}, required=False
            )

    def choice_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"choice_{n}"], self[f"correct_{n}"]) for n in range(1, MAX_CHOICES + 1)]

    def choices(self) -> list[tuple[str, bool]]:
        return [
            (self.cleaned_data.get(f"choice_{n}", ""), self.cleaned_data.get(f"correct_{n}", False))
            for n in range(1, MAX_CHOICES + 1)
        ]


class AssignForm(forms.Form):
    TARGETS = [
        ("person", _("A person")),
        ("department", _("Everyone in a department")),
        ("role", _("Everyone with a role")),
        ("plan", _("Every new member of a department (onboarding plan)")),
    ]
    module = forms.ModelChoiceField(
        label=_("Module"), queryset=Module.objects.filter(status=ModuleStatus.PUBLISHED).order_by("title")
    )
    target = forms.ChoiceField(label=_("Assign to"), choices=TARGETS, widget=forms.RadioSelect, initial="person")
    email = forms.EmailField(label=_("Person's e-mail address"), required=False, help_text=_("For “A person”."))
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("name"),
        required=False,
        help_text=_("For a department or an onboarding plan."),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", "—"), *Role.choices], required=False, help_text=_("For “Everyone with a role”.")
    )
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=DateInput, help_text=_("For a person, a department or a role.")
    )
    due_in_days = forms.IntegerField(
        label=_("Due after joining (days)"),
        min_value=1,
        max_value=365,
        required=False,
        initial=30,
        help_text=_("For an onboarding plan."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        target = data.get("target")
        if target == "person":
            email = (data.get("email") or "").strip().lower()
            if not email:
                self.add_error("email", _("Enter the person's e-mail address."))
            else:
                user = User.objects.filter(email__iexact=email, is_active=True).first()
                if user is None:
                    self.add_error("email", _("Nobody with this e-mail address has an active account."))
                data["user"] = user
        if target in ("department", "plan") and not data.get("department"):
            self.add_error("department", _("Choose a department."))
        if target == "role" and not data.get("role"):
            self.add_error("role", _("Choose a role."))
        if target == "plan":
            if not data.get("due_in_days"):
                self.add_error("due_in_days", _("Say how many days after joining it is due."))
        elif target:
            due_on = data.get("due_on")
            if not due_on:
                self.add_error("due_on", _("Choose a due date."))
            elif due_on < timezone.localdate():
                self.add_error("due_on", _("The due date is in the past."))
        return data


class WaiveForm(forms.Form):
    reason = forms.CharField(label=_("Reason for waiving"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DueMoveForm(forms.Form):
    due_on = forms.DateField(label=_("New due date"), widget=DateInput)
    reason = forms.CharField(
        label=_("Reason for the new date"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_due_on(self) -> Any:
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError(_("The due date is in the past."))
        return due_on


class QuizForm(forms.Form):
    """One field per question: radio buttons for one answer, checkboxes for
    several. Built from questions whose ``is_correct`` it never reads."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number, question in enumerate(questions, start=1):
            options = [(str(c.pk), c.text) for c in question.choices.all()]
            label = _("%(n)d. %(text)s") % {"n": number, "text": question.text}
            field: forms.Field
            if question.kind == QuestionKind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    label=label,
                    choices=options,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=_("Choose every right answer."),
                    error_messages={"required": _("Answer this question.")},
                )
            else:
                field = forms.ChoiceField(
                    label=label,
                    choices=options,
                    widget=forms.RadioSelect,
                    error_messages={"required": _("Answer this question.")},
                )
            self.fields[f"q{question.pk}"] = field

    def answers(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for name, value in self.cleaned_data.items():
            values = value if isinstance(value, list) else [value]
            out[int(name[1:])] = [int(v) for v in values]
        return out

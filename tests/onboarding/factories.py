from __future__ import annotations

import datetime
import uuid

import factory
from django.utils import timezone

from onboarding.markdown import render_markdown
from onboarding.models import (
    Assignment,
    AssignmentSource,
    Choice,
    Lesson,
    Module,
    ModuleKind,
    ModuleStatus,
    Question,
    QuestionKind,
)
from tests.accounts.factories import UserFactory


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    title = factory.Sequence(lambda n: f"Module {n}")
    slug = factory.Sequence(lambda n: f"module-{n}")
    kind = ModuleKind.EMPATHY
    summary = "Why our members' lives shape our service."
    estimated_minutes = 20
    pass_mark = 80
    status = ModuleStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    module = factory.SubFactory(ModuleFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Lesson {n}")
    body = "Members *first*."
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body))


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    module = factory.SubFactory(ModuleFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Question {n}?")
    kind = QuestionKind.SINGLE


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Answer {n}")
    is_correct = False


def module_with_content(*, lessons: int = 2, questions: int = 2, **kwargs) -> Module:
    """A published module with lessons and single-choice questions whose
    first answer is right and second wrong."""
    module: Module = ModuleFactory(**kwargs)  # type: ignore[assignment]
    for i in range(lessons):
        LessonFactory(module=module, position=i + 1, title=f"{module.title} lesson {i + 1}")
    for i in range(questions):
        question = QuestionFactory(module=module, position=i + 1, text=f"{module.title} question {i + 1}?")
        ChoiceFactory(question=question, position=1, text="Right answer", is_correct=True)
        ChoiceFactory(question=question, position=2, text="Wrong answer", is_correct=False)
    return module


def answers_for(module: Module, *, right: int | None = None) -> dict[int, list[int]]:
    """Answers to the module's quiz: the first ``right`` questions right,
    the rest wrong (all right when ``right`` is None)."""
    out = {}
    questions = list(module.questions.filter(is_active=True).order_by("position", "id"))
    for index, question in enumerate(questions):
        choices = list(question.choices.order_by("position", "id"))
        good = right is None or index < right
        out[question.pk] = (
            [c.pk for c in choices if c.is_correct == good][:1]
            if question.kind == "single"
            else [c.pk for c in choices if c.is_correct == good]
        )
    return out


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    module = factory.SubFactory(ModuleFactory)
    user = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))
    source = AssignmentSource.PERSON
    batch = factory.LazyFunction(uuid.uuid4)

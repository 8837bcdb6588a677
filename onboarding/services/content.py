"""Writing training content: modules, lessons, quiz questions, publishing.

Editing a published module never loses anyone's progress: lessons and
questions that learners have touched are retired (hidden from new work),
never deleted, and quiz attempts keep their own copy of what was asked.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from onboarding.lifecycle import TrainingError
from onboarding.markdown import render_markdown
from onboarding.models import Choice, Lesson, MediaKind, Module, ModuleStatus, Question, QuestionKind
from onboarding.services.learning import open_assignments_recheck

MODULE_FIELDS = {"title", "kind", "summary", "estimated_minutes", "pass_mark", "recertify_months"}
LESSON_FIELDS = {"title", "body", "media_url", "media_kind", "media_alternative"}


def _unique_slug(title: str) -> str:
    base = slugify(title)[:180] or "module"
    slug, n = base, 2
    while Module.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic(durable=True)
def module_create(*, actor: User | None, title: str, slug: str = "", **fields: Any) -> Module:
    """Create a draft module. Learners see it only once it is published."""
    unknown = set(fields) - MODULE_FIELDS
    if unknown:
        raise TypeError(f"Unknown module fields: {sorted(unknown)}")
    module = Module(title=title, slug=slug or _unique_slug(title), created_by=actor, **fields)
    module.full_clean()
    module.save()
    return module


@transaction.atomic(durable=True)
def module_update(*, module: Module, actor: User | None, **fields: Any) -> Module:
    """Change a module's own fields. A new pass mark applies to attempts
    from now on; earlier attempts keep the mark they were scored against."""
    unknown = set(fields) - MODULE_FIELDS
    if unknown:
        raise TypeError(f"Unknown module fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(module, name, value)
    module.full_clean()
    module.save()
    return module


def module_publish_problems(*, module: Module) -> list[str]:
    """What stops the module from being published, in words for HR."""
    problems = []
    if not module.lessons.filter(is_active=True).exists():
        problems.append(_("Add at least one lesson."))
    for question in module.questions.filter(is_active=True).prefetch_related("choices"):
        choices = list(question.choices.all())
        correct = sum(1 for c in choices if c.is_correct)
        if len(choices) < 2 or correct < 1 or (question.kind == QuestionKind.SINGLE and correct != 1):
            problems.append(_("Question “%(q)s” needs at least two answers and a right one.") % {"q": question})
    return problems


@transaction.atomic(durable=True)
def module_publish(*, module: Module, actor: User | None) -> Module:
    """Make a module visible and assignable."""
    problems = module_publish_problems(module=module)
    if problems:
        raise TrainingError(" ".join(problems), code="not_ready", status=400)
    Module.objects.filter(pk=module.pk).update(status=ModuleStatus.PUBLISHED, published_at=timezone.now())
    module.refresh_from_db()
    return module


@transaction.atomic(durable=True)
def module_unpublish(*, module: Module, actor: User | None) -> Module:
    """Back to draft: no new assignments; people already assigned can finish."""
    Module.objects.filter(pk=module.pk).update(status=ModuleStatus.DRAFT)
    module.refresh_from_db()
    return module


def _lesson_fill(lesson: Lesson, fields: dict[str, Any]) -> None:
    unknown = set(fields) - LESSON_FIELDS
    if unknown:
        raise TypeError(f"Unknown lesson fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(lesson, name, value if value is not None else "")
    if not lesson.media_kind:
        lesson.media_kind = MediaKind.LINK
    if lesson.media_url and not lesson.media_alternative.strip():
        raise TrainingError(
            _("Media needs a text alternative: a description, transcript or captions."),
            code="invalid",
            status=400,
            field="media_alternative",
        )
    lesson.body_html = render_markdown(lesson.body)
    lesson.full_clean()


@transaction.atomic(durable=True)
def lesson_add(*, module: Module, actor: User | None, **fields: Any) -> Lesson:
    """Add a lesson at the end of the module."""
    last = module.lessons.aggregate(last=Max("position"))["last"]
    lesson = Lesson(module=module, position=(last or 0) + 1)
    _lesson_fill(lesson, fields)
    lesson.save()
    return lesson


@transaction.atomic(durable=True)
def lesson_update(*, lesson: Lesson, actor: User | None, **fields: Any) -> Lesson:
    """Edit a lesson in place: whoever completed it keeps the completion."""
    _lesson_fill(lesson, fields)
    lesson.save()
    return lesson


@transaction.atomic(durable=True)
def lesson_move(*, lesson: Lesson, actor: User | None, direction: str) -> Lesson:
    """Swap a lesson with its active neighbour above or below."""
    if direction not in ("up", "down"):
        raise TrainingError(_("Move a lesson up or down."), code="invalid", status=400, field="direction")
    siblings = list(
        Lesson.objects.select_for_update().filter(module_id=lesson.module_id, is_active=True).order_by("position", "id")
    )
    index = next(i for i, item in enumerate(siblings) if item.pk == lesson.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, item in enumerate(siblings, start=1):
        if item.position != position:
            Lesson.objects.filter(pk=item.pk).update(position=position)
    lesson.refresh_from_db()
    return lesson


@transaction.atomic(durable=True)
def lesson_retire(*, lesson: Lesson, actor: User | None) -> None:
    """Remove a lesson from the module. One that anybody has completed is
    retired rather than deleted, so their record stays intact."""
    if lesson.completions.exists():
        Lesson.objects.filter(pk=lesson.pk).update(is_active=False)
    else:
        lesson.delete()
    open_assignments_recheck(module_id=lesson.module_id, actor=actor)


@transaction.atomic(durable=True)
def question_save(
    *,
    module: Module,
    actor: User | None,
    text: str,
    kind: str,
    choices: list[tuple[str, bool]],
    explanation: str = "",
    question: Question | None = None,
) -> Question:
    """Create or edit a quiz question with its answers (text, is it right).

    Answers are updated in place by position, so a learner's open quiz keeps
    pointing at the same answer rows; attempts already made keep their copy.
    """
    choices = [(t.strip(), bool(ok)) for t, ok in choices if t and t.strip()]
    if kind not in QuestionKind.values:
        raise TrainingError(_("Choose one answer or several answers."), code="invalid", status=400, field="kind")
    if not text.strip():
        raise TrainingError(_("Write the question."), code="invalid", status=400, field="text")
    correct = sum(1 for _t, ok in choices if ok)
    if len(choices) < 2:
        raise TrainingError(_("Give at least two answers."), code="invalid", status=400, field="choices")
    if correct < 1:
        raise TrainingError(_("Mark at least one answer as right."), code="invalid", status=400, field="choices")
    if kind == QuestionKind.SINGLE and correct != 1:
        raise TrainingError(
            _("A one-answer question has exactly one right answer."), code="invalid", status=400, field="choices"
        )
    if question is None:
        last = module.questions.aggregate(last=Max("position"))["last"]
        question = Question(module=module, position=(last or 0) + 1)
    question.text, question.kind, question.explanation = text.strip(), kind, explanation.strip()
    question.save()
    existing = list(question.choices.order_by("position", "id"))
    for position, (choice_text, ok) in enumerate(choices, start=1):
        if position <= len(existing):
            choice = existing[position - 1]
            choice.text, choice.is_correct, choice.position = choice_text, ok, position
            choice.save()
        else:
            Choice.objects.create(question=question, position=position, text=choice_text, is_correct=ok)
    Choice.objects.filter(pk__in=[c.pk for c in existing[len(choices) :]]).delete()
    return question


@transaction.atomic(durable=True)
def question_retire(*, question: Question, actor: User | None) -> None:
    """Take a question out of the quiz; past attempts keep their copy."""
    Question.objects.filter(pk=question.pk).update(is_active=False)
    open_assignments_recheck(module_id=question.module_id, actor=actor)

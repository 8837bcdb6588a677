"""Demo training for ``manage.py seed_demo``: four modules written for the
portal, each with lessons and a quiz, an onboarding plan, and assignments in
every status for the people accounts/demo.py creates.

Idempotent: modules are found by slug, assignments by person and module.
Progress is made through the same services a learner's clicks call.
"""

from __future__ import annotations

import datetime
import uuid

from django.utils import timezone

from accounts.models import Department, User
from onboarding.lifecycle import AssignmentStatus
from onboarding.markdown import render_markdown
from onboarding.models import (
    Assignment,
    AssignmentSource,
    Choice,
    Lesson,
    Module,
    ModuleStatus,
    OnboardingPlan,
    Question,
)
from onboarding.services import assignments as assignment_services
from onboarding.services import learning

# slug, title, kind, minutes, pass mark, re-certify months, summary,
# lessons [(title, markdown)], questions [(text, kind, [(answer, right)], explanation)]
MODULES = [
    (
        "accessibility-lab",
        "Accessibility lab: designing for every member",
        "accessibility_lab",
        45,
        80,
        12,
        "Work through our service as a member who cannot see a screen, hear a call or use a mouse.",
        [
            (
                "Members who cannot see the screen",
                "Around one in thirty of our members has low vision or none. They use **screen readers** that "
                "speak what is on the page, in order.\n\n"
                "- Every image needs a text alternative that says what it *means*, not what it looks like.\n"
                "- Headings and labels are how a screen-reader user finds their way.\n"
                "- Our check-scanning feature tells a member, out loud, when the check is in frame: an idea "
                "from this lab.\n\n"
                "**Try it:** turn on the screen reader of your phone and deposit a check in the test app.",
            ),
            (
                "Members who cannot hear a call",
                "Deaf and hard-of-hearing members contact us by relay service, chat and secure message.\n\n"
                "1. Never hang up on a relay call: the pause is the interpreter typing.\n"
                "2. Offer chat or a secure message for every follow-up.\n"
                "3. Every video we publish has captions and a transcript.",
            ),
            (
                "Members who cannot use a mouse",
                "Tremors, paralysis or a broken arm: many members use only a keyboard, a switch or their voice.\n\n"
                "| Check | Why |\n|---|---|\n| Tab reaches every control | Nothing is mouse-only |\n"
                "| Focus is always visible | They must see where they are |\n"
                "| No time limits without a way to extend | Switch users are slower |",
            ),
        ],
        [
            (
                "What should the text alternative of a chart in a statement say?",
                "single",
                [
                    ("What the chart shows, e.g. 'spending rose 8% in March'", True),
                    ("'Chart'", False),
                    ("The file name of the image", False),
                ],
                "A text alternative carries the meaning, so a screen-reader user gets the same news.",
            ),
            (
                "A relay-service call goes quiet for ten seconds. What do you do?",
                "single",
                [("Wait: the interpreter is typing", True), ("Hang up and call back", False)],
                "Silence on a relay call is normal.",
            ),
            (
                "Which of these help a member who uses only a keyboard?",
                "multiple",
                [
                    ("A visible focus outline", True),
                    ("Every control reachable with Tab", True),
                    ("Menus that open only on hover", False),
                ],
                "Hover-only menus cannot be reached without a mouse.",
            ),
        ],
    ),
    (
        "military-life-immersion",
        "Military-life immersion",
        "military_life",
        60,
        75,
        None,
        "Deployments, moves every few years, field rations and drill: the life many of our members lead.",
        [
            (
                "Deployments and the family at home",
                "A deployment can last six to twelve months. The member may be unreachable for weeks; the "
                "spouse at home runs the household alone.\n\n"
                "- Check the **power of attorney** on file before refusing to talk to a spouse.\n"
                "- Offer to pause non-urgent paperwork until the member is back.",
            ),
            (
                "Permanent change of station",
                "Military families move every two to three years, often abroad, often at short notice. A "
                "move means new insurance, a new address, sometimes a car shipped across an ocean. "
                "Make the move *one* conversation, not five.",
            ),
            (
                "MREs and drill",
                "In the immersion day you will eat a *Meal, Ready-to-Eat* and do light drill with a retired "
                "drill sergeant. The point is not the food: it is to feel, for one day, the routine our "
                "members live with.",
            ),
        ],
        [
            (
                "A deployed member's spouse calls about a bill. What do you check first?",
                "single",
                [("Whether a power of attorney is on file", True), ("The member's rank", False)],
                "",
            ),
            (
                "How often do military families typically move?",
                "single",
                [("Every two to three years", True), ("Every ten years", False), ("Never", False)],
                "",
            ),
        ],
    ),
    (
        "customer-empathy",
        "Customer empathy: hearing the member behind the request",
        "empathy",
        30,
        80,
        24,
        "Listen for what the member needs, act on it, and make sure they never have to repeat themselves.",
        [
            (
                "Never make a member repeat themselves",
                "Write a note after every contact: what the member asked, what you did, what is next. The "
                "next colleague reads it *before* saying hello.",
            ),
            (
                "Good and bad news travel freely",
                "Feedback is assigned to someone within 24 hours and shared with everyone. When something "
                "went wrong, look for the root cause, not for someone to blame.",
            ),
        ],
        [
            (
                "A member calls back about yesterday's claim. What should happen?",
                "single",
                [
                    ("You read yesterday's note and continue from there", True),
                    ("You ask them to explain the claim again", False),
                ],
                "",
            ),
            (
                "Within how long is new feedback assigned to someone?",
                "single",
                [("24 hours", True), ("A week", False), ("When someone has time", False)],
                "",
            ),
        ],
    ),
    (
        "product-knowledge-auto-claims",
        "Product knowledge: auto claims from first call to payment",
        "product_knowledge",
        25,
        70,
        None,
        "How an auto claim moves, so you can tell a member what happens next.",
        [
            (
                "The first call",
                "Take the facts once: where, when, who, photos if safe. Open the claim while the member is "
                "still on the line and give them its number.",
            ),
            (
                "Photos before the member can go back",
                "After a hurricane, aerial photos let members see their home before they can return. For "
                "cars, upload photos in the app and an estimate comes back within a day.",
            ),
        ],
        [
            (
                "When do you give the member their claim number?",
                "single",
                [("While they are still on the call", True), ("By letter, a week later", False)],
                "",
            ),
        ],
    ),
]

# (email, module slug, status, due in days from today)
ASSIGNMENTS = [
    ("maria.gonzalez@ideaportal.example", "accessibility-lab", "completed", 10),
    ("maria.gonzalez@ideaportal.example", "customer-empathy", "in_progress", 5),
    ("maria.gonzalez@ideaportal.example", "military-life-immersion", "overdue", -4),
    ("james.carter@ideaportal.example", "accessibility-lab", "in_progress", 2),
    ("james.carter@ideaportal.example", "military-life-immersion", "waived", 14),
    ("aoife.byrne@ideaportal.example", "accessibility-lab", "assigned", 21),
    ("aoife.byrne@ideaportal.example", "product-knowledge-auto-claims", "overdue", -9),
    ("nino.beridze@ideaportal.example", "accessibility-lab", "completed", 7),
    ("liga.ozola@ideaportal.example", "customer-empathy", "assigned", 0),
    ("batbayar.dorj@ideaportal.example", "product-knowledge-auto-claims", "completed", 12),
    ("somchai.wong@ideaportal.example", "accessibility-lab", "overdue", -1),
]

_lesson_complete = learning.lesson_complete
_quiz_submit = learning.quiz_submit
_waive = assignment_services.assignment_waive


def _module(spec: tuple, author: User | None) -> tuple[Module, bool]:
    slug, title, kind, minutes, pass_mark, months, summary, lessons, questions = spec
    existing = Module.objects.filter(slug=slug).first()
    if existing:
        return existing, False
    module = Module.objects.create(
        slug=slug,
        title=title,
        kind=kind,
        estimated_minutes=minutes,
        pass_mark=pass_mark,
        recertify_months=months,
        summary=summary,
        status=ModuleStatus.PUBLISHED,
        published_at=timezone.now(),
        created_by=author,
    )
    for position, (lesson_title, body) in enumerate(lessons, start=1):
        Lesson.objects.create(
            module=module, position=position, title=lesson_title, body=body, body_html=render_markdown(body)
        )
    for position, (text, qkind, answers, explanation) in enumerate(questions, start=1):
        question = Question.objects.create(
            module=module, position=position, text=text, kind=qkind, explanation=explanation
        )
        for n, (answer, right) in enumerate(answers, start=1):
            Choice.objects.create(question=question, position=n, text=answer, is_correct=right)
    return module, True


def _answers(module: Module, *, right: bool) -> dict[int, list[int]]:
    out = {}
    for question in module.questions.prefetch_related("choices"):
        choices = list(question.choices.all())
        picked = [c.pk for c in choices if c.is_correct == right]
        out[question.pk] = picked[:1] if question.kind == "single" else picked
    return out


def _progress(assignment: Assignment, user: User, status: str, hr: User | None) -> None:
    lessons = list(assignment.module.lessons.filter(is_active=True).order_by("position"))
    if status == "waived":
        _waive(assignment=assignment, actor=hr, reason="Served 20 years in the Army; already lives this module.")
        return
    if status == "in_progress":
        _lesson_complete(assignment_id=assignment.pk, lesson_id=lessons[0].pk, actor=user)
    elif status == "completed":
        for lesson in lessons:
            _lesson_complete(assignment_id=assignment.pk, lesson_id=lesson.pk, actor=user)
        _quiz_submit(assignment_id=assignment.pk, actor=user, answers=_answers(assignment.module, right=False))
        _quiz_submit(assignment_id=assignment.pk, actor=user, answers=_answers(assignment.module, right=True))


def seed() -> list[str]:
    """Create what is missing; leave what exists untouched. Returns a log."""
    log: list[str] = []
    hr = User.objects.filter(email="dana.whitfield@ideaportal.example").first()
    modules = {}
    for spec in MODULES:
        module, created = _module(spec, hr)
        modules[module.slug] = module
        if created:
            log.append(f"training module {module.title}")
    today = timezone.localdate()
    people = {u.email: u for u in User.objects.filter(email__in=[a[0] for a in ASSIGNMENTS])}
    for email, slug, status, days in ASSIGNMENTS:
        user, module = people.get(email), modules[slug]
        if user is None or Assignment.objects.filter(user=user, module=module).exists():
            continue
        assignment = Assignment.objects.create(
            module=module,
            user=user,
            due_on=today + datetime.timedelta(days=days),
            source=AssignmentSource.PERSON,
            batch=uuid.uuid4(),
            assigned_by=hr,
            status=AssignmentStatus.ASSIGNED,
        )
        assignment.events.create(kind="assigned", actor=hr, to_status="assigned", to_due_on=assignment.due_on)
        _progress(assignment, user, status, hr)
        log.append(f"training {slug} for {email} ({status})")
    member_experience = Department.objects.filter(slug="member-experience").first()
    if member_experience:
        _plan, created = OnboardingPlan.objects.get_or_create(
            department=member_experience,
            module=modules["customer-empathy"],
            defaults={"due_in_days": 30, "created_by": hr},
        )
        if created:
            log.append("onboarding plan for Member Experience")
    return log

"""The access matrix: every route, every method, every role.

Routes come from the URL conf (pages and API) and methods from each view
(API) or GET+POST (pages); the API schema's operations must all be in the
matrix too. Each request is made as anonymous, the owner of the objects
(``employee``), another employee, a reviewer, HR, an editor and an admin, on
objects that belong to the owner, and its answer is classed:

* ``deny``  - 401, 403, 404, 405, 409 or a redirect to the sign-in page:
  nothing was shown or changed;
* ``allow`` - anything else below 500 (200, 201, 204, 302 elsewhere, and 400,
  which means the caller got as far as validation).

A 5xx fails the test whatever the matrix says. The matrix below lists, per
route and method, the roles that are allowed; every other role must be
denied. A route that is not in the matrix fails ``test_every_route_is_in_the_matrix``.

Letters: A anonymous, E owner employee, O other employee, R reviewer,
H HR, D editor, S superuser (admin).

Every route that takes an idea id is run a second time on a *draft* of the
owner: only the owner may be allowed there (drafts are private, admins too
go through the Django admin for them).
"""

from __future__ import annotations

import itertools
import logging
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from ideas.workflow import Status
from newsletter import tokens
from newsletter.models import Digest, Frequency
from onboarding.models import QuizAttempt
from tests.ideas.factories import CommentFactory, IdeaFactory, ScorecardFactory
from tests.newsletter.factories import SubscriberFactory
from tests.onboarding.factories import AssignmentFactory, module_with_content

ROLES = "AEORHDS"
ALL = ROLES
SIGNED_IN = "EORHDS"
NONE = ""

# route name -> {method: roles allowed}. Methods not listed: everyone denied.
MATRIX: dict[str, dict[str, str]] = {
    # --- pages -----------------------------------------------------------
    "home": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "accounts:login": {"GET": ALL, "POST": ALL},
    "accounts:logout": {"POST": ALL},
    "accounts:password_reset": {"GET": ALL, "POST": ALL},
    "accounts:password_reset_done": {"GET": ALL},
    "accounts:password_reset_confirm": {"GET": ALL, "POST": ALL},
    "accounts:password_reset_complete": {"GET": ALL},
    "notifications:list": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "notifications:mark-read": {"POST": SIGNED_IN},
    "notifications:preferences": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "onboarding:my-training": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "onboarding:assignment": {"GET": "E", "POST": "E"},
    "onboarding:lesson": {"GET": "E", "POST": "E"},
    "onboarding:quiz": {"GET": "E", "POST": "E"},
    "onboarding:attempt": {"GET": "E", "POST": "E"},
    "onboarding:hr-modules": {"GET": "HS", "POST": "HS"},
    "onboarding:hr-module-create": {"GET": "HS", "POST": "HS"},
    "onboarding:hr-module": {"GET": "HS", "POST": "HS"},
    "onboarding:hr-module-publish": {"POST": "HS"},
    "onboarding:hr-lesson-create": {"GET": "HS", "POST": "HS"},
    "onboarding:hr-lesson": {"GET": "HS", "POST": "HS"},
    "onboarding:hr-lesson-action": {"POST": "HS"},
    "onboarding:hr-question-create": {"GET": "HS", "POST": "HS"},
    "onboarding:hr-question": {"GET": "HS", "POST": "HS"},
    "onboarding:hr-question-remove": {"POST": "HS"},
    "onboarding:hr-assign": {"GET": "HS", "POST": "HS"},
    "onboarding:hr-assignment": {"GET": "HS", "POST": "HS"},
    "onboarding:hr-reports": {"GET": "HS", "POST": "HS"},
    "onboarding:hr-reports-export": {"GET": "HS", "POST": "HS"},
    "ideas:list": {"GET": SIGNED_IN},
    "ideas:create": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "ideas:mine": {"GET": SIGNED_IN},
    "ideas:review-queue": {"GET": "RS"},
    "ideas:similar": {"GET": SIGNED_IN},
    "ideas:campaigns": {"GET": SIGNED_IN, "POST": "RS"},
    "ideas:detail": {"GET": SIGNED_IN},
    "ideas:edit": {"GET": "E", "POST": "E"},
    "ideas:vote": {"POST": "ORHDS"},
    "ideas:follow": {"POST": SIGNED_IN},
    "ideas:comment": {"POST": SIGNED_IN},
    "ideas:move": {"POST": "RS"},
    "ideas:patent": {"POST": "RS"},
    "ideas:scorecard": {"POST": "RS"},
    "newsletter:subscribe": {"GET": ALL, "POST": ALL},
    "newsletter:confirm": {"GET": ALL, "POST": ALL},
    "newsletter:preferences": {"GET": ALL, "POST": ALL},
    "newsletter:unsubscribe": {"GET": ALL, "POST": ALL},
    "newsletter:archive": {"GET": ALL, "POST": ALL},
    "newsletter:archive-detail": {"GET": ALL, "POST": ALL},
    "newsletter:editor": {"GET": "DS", "POST": "DS"},
    "newsletter:editor-preview": {"GET": "DS", "POST": "DS"},
    "newsletter:editor-digest": {"GET": "DS", "POST": "DS"},
    "newsletter:editor-digest-progress": {"GET": "DS", "POST": "DS"},
    "healthz": {"GET": ALL},
    "api-schema": {"GET": ALL},
    "api-docs": {"GET": ALL, "POST": ALL},
    # --- API -------------------------------------------------------------
    "api:auth-token": {"POST": ALL, "DELETE": SIGNED_IN},
    "api:me": {"GET": SIGNED_IN},
    "api:notification-list": {"GET": SIGNED_IN},
    "api:notification-read": {"POST": SIGNED_IN},
    "api:onboarding-module-list": {"GET": SIGNED_IN, "POST": "HS"},
    "api:onboarding-module-detail": {"GET": SIGNED_IN, "PATCH": "HS"},
    "api:onboarding-module-publish": {"POST": "HS"},
    "api:onboarding-module-unpublish": {"POST": "HS"},
    "api:onboarding-lesson-list": {"POST": "HS"},
    "api:onboarding-lesson-detail": {"PATCH": "HS", "DELETE": "HS"},
    "api:onboarding-question-list": {"GET": "HS", "POST": "HS"},
    "api:onboarding-question-detail": {"PUT": "HS", "DELETE": "HS"},
    "api:onboarding-assignment-list": {"GET": SIGNED_IN, "POST": "HS"},
    "api:onboarding-assignment-detail": {"GET": "EHS"},
    "api:onboarding-assignment-waive": {"POST": "HS"},
    "api:onboarding-assignment-due": {"POST": "HS"},
    "api:onboarding-assignment-history": {"GET": "EHS"},
    "api:onboarding-lesson-complete": {"POST": "E"},
    "api:onboarding-attempt-list": {"GET": "EHS", "POST": "E"},
    "api:onboarding-report-modules": {"GET": "HS"},
    "api:onboarding-report-departments": {"GET": "HS"},
    "api:onboarding-report-overdue": {"GET": "HS"},
    "api:idea-list": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "api:idea-similar": {"GET": SIGNED_IN},
    "api:idea-review-queue": {"GET": "RS"},
    "api:idea-export": {"GET": "RS"},
    "api:idea-detail": {"GET": SIGNED_IN},
    "api:idea-transitions": {"POST": "RS"},
    "api:idea-patent": {"POST": "RS"},
    "api:idea-history": {"GET": SIGNED_IN},
    "api:idea-vote": {"POST": "ORHDS", "DELETE": "ORHDS"},
    "api:idea-follow": {"POST": SIGNED_IN, "DELETE": SIGNED_IN},
    "api:idea-comments": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "api:idea-scorecard": {"GET": "RS", "PUT": "RS"},
    "api:campaign-list": {"GET": SIGNED_IN, "POST": "RS"},
    "api:newsletter-subscribe": {"POST": ALL},
    "api:newsletter-confirm": {"POST": ALL},
    "api:newsletter-preferences": {"GET": ALL, "PUT": ALL},
    "api:newsletter-unsubscribe": {"POST": ALL},
    "api:newsletter-archive": {"GET": ALL},
    "api:newsletter-archive-detail": {"GET": ALL},
    "api:newsletter-note": {"GET": "DS", "PUT": "DS"},
    "api:newsletter-preview": {"GET": "DS"},
}

# On a draft the owner may also edit and submit (their only moves there).
DRAFT_EXTRA: dict[tuple[str, str], str] = {
    ("api:idea-detail", "PATCH"): "E",
    ("api:idea-transitions", "POST"): "E",
    ("ideas:move", "POST"): "E",
}

# Bodies that make a write as real as possible for an allowed caller, so
# "allowed" means the action was done, not merely validated.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("api:idea-transitions", "POST"): {"to": "accepted"},
    ("ideas:move", "POST"): {"to": "accepted"},
    ("api:idea-patent", "POST"): {"to": "disclosed"},
    ("ideas:patent", "POST"): {"to": "disclosed"},
    ("api:idea-scorecard", "PUT"): {"customer_impact": 4, "feasibility": 3, "novelty": 2, "cost": 1},
    ("api:idea-comments", "POST"): {"body": "Seen it."},
    ("ideas:comment", "POST"): {"body": "Seen it."},
    ("api:idea-detail", "PATCH"): {"title": "A better title"},
}


@dataclass
class Route:
    name: str
    pattern: str
    callback: Any
    is_api: bool

    def methods(self) -> list[str]:
        if not self.is_api:
            return ["GET", "POST"]
        cls = getattr(self.callback, "cls", None)
        return [m.upper() for m in ("get", "post", "put", "patch", "delete") if cls and hasattr(cls, m)]


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> list[Route]:
    routes: list[Route] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            routes.extend(_walk(entry.url_patterns, prefix + str(entry.pattern), ns))
        elif isinstance(entry, URLPattern) and entry.name:
            full = prefix + str(entry.pattern)
            routes.append(Route(f"{namespace}{entry.name}", full, entry.callback, full.startswith("api/v1/")))
    return routes


def all_routes() -> list[Route]:
    return [r for r in _walk(get_resolver().url_patterns) if not r.name.startswith("admin:")]


ROUTES = {route.name: route for route in all_routes()}
CASES = [(name, method) for name, route in sorted(ROUTES.items()) for method in route.methods()]
DISCOVER = os.environ.get("ACCESS_MATRIX_DISCOVER") == "1"


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Hundreds of expected 403/404s would otherwise flood the log.
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture
def people(employee, other_employee, reviewer, hr_user, editor, admin_user):
    return {"A": None, "E": employee, "O": other_employee, "R": reviewer, "H": hr_user, "D": editor, "S": admin_user}


_period = itertools.count()


def build_world(owner, *, name: str, draft: bool = False) -> dict[str, Any]:
    """Objects that belong to ``owner`` (or to nobody in particular), only
    those the route ``name`` can reach."""
    world: dict[str, Any] = {}
    if "idea" in name:
        # The patent track opens once an idea is accepted.
        status = Status.ACCEPTED if "patent" in name else Status.IN_REVIEW
        idea = IdeaFactory(author=owner, status=Status.DRAFT if draft else status)
        CommentFactory(idea=idea, author=owner)
        ScorecardFactory(idea=idea)
        world["idea"] = idea
    if "onboarding" in name:
        module = module_with_content(lessons=2, questions=1)
        assignment: Any = AssignmentFactory(module=module, user=owner)
        QuizAttempt.objects.create(assignment=assignment, number=1, score=0, pass_mark=80, passed=False, answers=[])
        world.update(
            module=module,
            lesson=module.lessons.first(),
            question=module.questions.first(),
            assignment=assignment,
        )
    if "newsletter" in name:
        start = timezone.localdate() - timedelta(days=7 * (next(_period) + 1))
        world["subscriber"] = SubscriberFactory(frequency=Frequency.WEEKLY)
        world["digest"] = Digest.objects.create(
            frequency=Frequency.WEEKLY,
            period_start=start,
            period_end=start + timedelta(days=7),
            fanned_out_at=timezone.now(),
            completed_at=timezone.now(),
        )
    return world


def kwargs_for(route: Route, world: dict[str, Any]) -> dict[str, Any]:
    name = route.name
    kwargs: dict[str, Any] = {}
    if "<int:pk>" in route.pattern:
        if "idea" in name or name.startswith("ideas:"):
            kwargs["pk"] = world["idea"].pk
        elif "module" in name or "lesson" in name or "question" in name:
            kwargs["pk"] = world["module"].pk
        elif "assignment" in name or "attempt" in name or name.startswith("onboarding:"):
            kwargs["pk"] = world["assignment"].pk
        elif "digest" in name or "archive" in name:
            kwargs["pk"] = world["digest"].pk
        else:  # pragma: no cover - a new kind of object: say so
            raise AssertionError(f"{name}: which object does <pk> name? Teach kwargs_for.")
        if name == "onboarding:lesson" or name == "api:onboarding-lesson-complete":
            kwargs["pk"] = world["assignment"].pk
    if "<int:lesson_pk>" in route.pattern:
        kwargs["lesson_pk"] = world["lesson"].pk
    if "<int:question_pk>" in route.pattern:
        kwargs["question_pk"] = world["question"].pk
    if "<int:number>" in route.pattern:
        kwargs["number"] = 1
    if "<str:token>" in route.pattern:
        purpose = tokens.CONFIRM if name == "newsletter:confirm" else tokens.MANAGE
        kwargs["token"] = tokens.token_make(subscriber=world["subscriber"], purpose=purpose)
    if "<str:frequency>" in route.pattern:
        kwargs["frequency"] = Frequency.WEEKLY
    if "<uidb64>" in route.pattern:
        kwargs.update(uidb64="MQ", token="set-password")
    return kwargs


def query_for(route: Route, world: dict[str, Any]) -> str:
    if route.name in ("api:idea-similar", "ideas:similar"):
        return "?text=" + "+".join(world["idea"].title.split())
    if route.name in ("api:newsletter-preferences",):
        return "?token=" + tokens.token_make(subscriber=world["subscriber"], purpose=tokens.MANAGE)
    return ""


def outcome(response: Any) -> str:
    code = response.status_code
    assert code < 500, f"server error {code}"
    if code in (401, 403, 404, 405, 409):
        return "deny"
    if code in (301, 302, 303) and "/accounts/login/" in response.get("Location", ""):
        return "deny"
    return "allow"


def call(route: Route, method: str, user: Any, world: dict[str, Any], *, draft: bool = False) -> Any:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    url = reverse(route.name, kwargs=kwargs_for(route, world)) + query_for(route, world)
    body = BODIES.get((route.name, method), {})
    if draft and "to" in body and body["to"] == "accepted":
        body = {"to": "submitted"}
    fmt = "json" if route.is_api else None
    return getattr(client, method.lower())(url, body, format=fmt) if method != "GET" else client.get(url)


def run_case(name: str, method: str, people: dict[str, Any], *, draft: bool) -> dict[str, str]:
    route = ROUTES[name]
    seen: dict[str, str] = {}
    world = build_world(people["E"], name=name, draft=draft)
    for letter in ROLES:
        if method != "GET":
            # A write by one role must not change what the next one meets.
            world = build_world(people["E"], name=name, draft=draft)
        response = call(route, method, people[letter], world, draft=draft)
        try:
            seen[letter] = outcome(response)
        except AssertionError as exc:
            raise AssertionError(f"{method} {name} as {letter}: {exc}") from None
    return seen


def expected(name: str, method: str, *, draft: bool) -> dict[str, str]:
    allowed = MATRIX.get(name, {}).get(method, NONE)
    if draft:
        allowed = "".join(letter for letter in allowed if letter == "E") or DRAFT_EXTRA.get((name, method), "")
    return {letter: "allow" if letter in allowed else "deny" for letter in ROLES}


def _discovered(kind: str, line: str) -> None:
    with open(os.environ.get("ACCESS_MATRIX_OUT", "access-matrix.txt"), "a") as out:
        out.write(f"{kind} {line}\n")


def _report(name: str, method: str, seen: dict[str, str], want: dict[str, str]) -> str:
    got = "".join(letter for letter, value in seen.items() if value == "allow")
    exp = "".join(letter for letter, value in want.items() if value == "allow")
    return f"{method} {name}: allowed {got!r}, matrix says {exp!r}"


@pytest.mark.parametrize(("name", "method"), CASES, ids=[f"{m} {n}" for n, m in CASES])
def test_route_answers_each_role_as_the_matrix_says(name, method, people):
    seen = run_case(name, method, people, draft=False)
    want = expected(name, method, draft=False)
    if DISCOVER:
        _discovered("MATRIX", _report(name, method, seen, want))
        return
    assert seen == want, _report(name, method, seen, want)


IDEA_CASES = [(n, m) for n, m in CASES if ROUTES[n].pattern.startswith(("ideas/<int:pk>", "api/v1/ideas/<int:pk>"))]


@pytest.mark.parametrize(("name", "method"), IDEA_CASES, ids=[f"{m} {n}" for n, m in IDEA_CASES])
def test_someone_elses_draft_is_denied_on_every_idea_route(name, method, people):
    seen = run_case(name, method, people, draft=True)
    want = expected(name, method, draft=True)
    if DISCOVER:
        _discovered("MATRIX-DRAFT", _report(name, method, seen, want))
        return
    assert seen == want, _report(name, method, seen, want)


def test_every_route_is_in_the_matrix():
    missing = sorted(set(ROUTES) - set(MATRIX))
    assert not missing, f"routes without an entry in the access matrix: {missing}"
    stale = sorted(set(MATRIX) - set(ROUTES))
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"
    for name, methods in MATRIX.items():
        extra = set(methods) - set(ROUTES[name].methods())
        assert not extra, f"{name}: the matrix lists methods the view does not have: {extra}"


def test_every_schema_operation_is_in_the_matrix():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    api_cases = {(ROUTES[n].pattern, m) for n, m in CASES if ROUTES[n].is_api}
    for path, operations in schema["paths"].items():
        for method in operations:
            if method.upper() not in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                continue
            matched = [
                (pattern, m)
                for pattern, m in api_cases
                if m == method.upper() and _same_path(pattern, path.lstrip("/"))
            ]
            assert matched, f"{method.upper()} {path} is in the API schema but not in the access matrix"


def _same_path(pattern: str, path: str) -> bool:
    import re

    regex = re.sub(r"<[^>]+>", "[^/]+", pattern)
    concrete = re.sub(r"\{[^}]+\}", "x", path)
    return re.fullmatch(regex, concrete) is not None

"""Schemathesis against the OpenAPI schema, in process (WSGI).

Every operation gets ``FUZZ_EXAMPLES`` generated requests (100 by default,
in CI too), valid and invalid, sent with an admin's API token so every code
path behind the permission checks is reached; each answer must not be a
server error and must match the schema (status code, content type, body,
headers). A stateful run follows the schema's OpenAPI links
(``ideaportal.api.SCHEMA_LINKS``): create an idea, then read, change,
comment on, vote for, follow and move it; create a module, then add lessons
and questions, publish it and assign it; and so on, with the same checks.

Checks that are switched off are switched off per operation and each is a
documented false positive (docs/security.md, "Fuzzing").

This is the slow part of the suite, so it is marked ``fuzz``: ``bin/test``
leaves it out and ``.ci/run`` runs it as its own step
(``bin/test -m fuzz -p no:randomly``).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from ideaportal.wsgi import application
from tests.accounts.factories import UserFactory
from tests.ideas.factories import IdeaFactory
from tests.onboarding.factories import AssignmentFactory, module_with_content

pytestmark = [pytest.mark.fuzz]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
# Sequences of calls along the links, and the most calls in one sequence.
STATEFUL_EXAMPLES = int(os.environ.get("FUZZ_STATEFUL_EXAMPLES", "200"))
STATEFUL_STEPS = 12

# False positives, by check, with the reason (also in docs/security.md).
# positive_data_acceptance: the schema cannot say that an id must name an
# existing row the caller may see, or that a state move must be allowed from
# the current state, so schema-valid requests are rightly answered 400/404/409.
EXCLUDED = [positive_data_acceptance, negative_data_rejection]

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def negative_data_rejection_except_drf_coercions(ctx: Any, response: Any, case: Any) -> bool | None:
    """Schemathesis's negative_data_rejection, minus two documented
    behaviours of DRF that are not bugs (docs/security.md):

    * a form or query value is text: an empty value of an optional field
      counts as "not given", and "0" is as good as 0;
    * a JSON number or boolean sent for a text field (or as an item of a
      list of text) is accepted as its text (``CharField`` turns 0 into "0").
    """
    try:
        return negative_data_rejection(ctx, response, case)
    except AcceptedNegativeData as failure:
        if case.media_type in FORM_TYPES:
            return None
        message = str(failure.message)
        if "in query" in message and ("minLength" in message or "became object" in message):
            # An empty value is "not given"; an object has no query form.
            return None
        if "parameter `" in message and "in query" in message:
            name = message.split("parameter `", 1)[1].split("`", 1)[0]
            if (case.query or {}).get(name) in ("", [""]):
                return None
        if "in body" in message and "Incorrect type" in message and isinstance(case.body, dict):
            name = message.split("in body - ", 1)[1].split(":", 1)[0].split(" ->", 1)[0].strip()
            value = case.body.get(name)
            items = value if isinstance(value, list) else [value]
            if items and all(isinstance(item, (int, float, bool)) for item in items):
                return None
        raise


@pytest.fixture
def api_schema(db, settings):
    # Schemathesis's WSGI transport sends "Host: localhost".
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    # Called straight through WSGI, Django would close the test's database
    # connection (and its transaction) at the end of each request; Django's
    # own test client switches this off the same way.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def fuzz_headers(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    admin = UserFactory(is_staff=True, is_superuser=True, roles=["reviewer", "hr", "editor"])
    # Something for the generated ids to find.
    for status in ("submitted", "in_review", "accepted"):
        IdeaFactory(author=admin, status=status)
    module = module_with_content(lessons=2, questions=2)
    AssignmentFactory(module=module, user=admin)
    return admin


def _headers(admin) -> dict[str, str]:
    # DELETE /auth/token/ revokes the token: fetch (or recreate) it per call.
    token, _ = Token.objects.get_or_create(user=admin)
    return {"Authorization": f"Token {token.key}"}


# One pytest test runs every operation (as subtests): 100 examples of ~60
# operations take minutes on a shared two-core machine, past the suite's
# 300-second per-test timeout.
@pytest.mark.timeout(1800)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,
)
def test_api_never_answers_500_nor_breaks_its_schema(case, fuzz_headers):
    case.call_and_validate(
        headers=_headers(fuzz_headers),
        excluded_checks=EXCLUDED,
        additional_checks=[negative_data_rejection_except_drf_coercions],
    )


# About a minute on two cores with 200 sequences; .ci/run's fuzz step runs it
# beside the test above (-n 2).
@pytest.mark.timeout(900)
def test_api_call_sequences_along_the_schema_links_never_answer_500_nor_break_the_schema(api_schema, fuzz_headers):
    """Up to STATEFUL_STEPS calls in a row, each next one taken along a link
    of the answer before (``ideaportal.api.SCHEMA_LINKS``), so that ideas,
    comments, modules, lessons and assignments made in a sequence are read,
    changed, moved and deleted in it. Data stays in the database across
    sequences, as it would on a real server."""
    # Valid data, so that sequences get far (invalid input is the other test's job).
    api_schema.config.generation.update(modes=[GenerationMode.POSITIVE])

    class Workflow(api_schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": _headers(fuzz_headers)}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response,
                excluded_checks=EXCLUDED,
                additional_checks=[negative_data_rejection_except_drf_coercions],
                headers=kwargs.get("headers"),
                transport_kwargs=kwargs,
            )

    Workflow.run(
        settings=settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            derandomize=True,
        )
    )

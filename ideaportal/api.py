"""Shared API plumbing: one error shape, pagination, the base for every view.

Every 4xx answer of the API has the same JSON shape::

    {"status": 400, "code": "invalid", "message": "...",
     "errors": [{"field": "email", "code": "required", "message": "..."}]}

``field`` is a dotted path into the request body (``null`` for a problem with
the request as a whole), so a client can put the message next to the input.
"""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ideaportal.paging import COUNT_CAP, CappedPaginator


def _flatten(detail: Any, path: str | None = None) -> list[dict[str, Any]]:
    """Turn DRF's nested error detail into a flat list of field problems."""
    if isinstance(detail, dict):
        items: list[dict[str, Any]] = []
        for key, value in detail.items():
            child = path if key in ("non_field_errors", "__all__") else (f"{path}.{key}" if path else str(key))
            items.extend(_flatten(value, child))
        return items
    if isinstance(detail, list):
        items = []
        for index, value in enumerate(detail):
            if isinstance(value, (dict, list)):
                items.extend(_flatten(value, f"{path}.{index}" if path else str(index)))
            else:
                items.extend(_flatten(value, path))
        return items
    code = getattr(detail, "code", None) or "invalid"
    return [{"field": path, "code": str(code), "message": str(detail)}]


def error_body(status_code: int, code: str, message: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"status": status_code, "code": code, "message": message, "errors": errors or []}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler that renders every error in the one shape."""
    if isinstance(exc, OverflowError):
        # SQLite (the embedded default) cannot bind an integer beyond 64 bits;
        # such an id or number cannot match anything, so it is bad input.
        return Response(error_body(400, "invalid", _("A number in the request is too large.")), status=400)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        if len(errors) == 1 and errors[0]["field"] is None:
            message = errors[0]["message"]
        else:
            message = _("The request is not valid: see errors for what to fix.")
        response.data = error_body(response.status_code, "invalid", message, errors)
        return response
    if isinstance(exc, exceptions.APIException):
        detail = exc.detail
        if isinstance(detail, (dict, list)):
            errors = _flatten(detail)
            message = errors[0]["message"] if errors else str(exc.default_detail)
        else:
            errors = []
            message = str(detail)
        code = exc.get_codes() if not isinstance(exc.get_codes(), (dict, list)) else exc.default_code
        response.data = error_body(response.status_code, str(code), message, errors)
        # Extra machine-readable keys a view attaches (e.g. the moves that
        # are allowed, on a 409), next to the common ones.
        response.data.update(getattr(exc, "extra", None) or {})
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            response.data["retry_after"] = int(wait)
        return response
    if isinstance(exc, Http404):
        response.data = error_body(404, "not_found", _("Not found."))
    elif isinstance(exc, PermissionDenied):
        response.data = error_body(403, "permission_denied", _("You do not have permission to do this."))
    return response


def query_bool(request: Any, name: str) -> bool:
    """A boolean query parameter: absent, empty, 0/1 or false/true; anything
    else is a 400 rather than a silent "false"."""
    raw = request.query_params.get(name, "").strip().lower()
    if raw in ("", "0", "false"):
        return False
    if raw in ("1", "true"):
        return True
    raise exceptions.ValidationError({name: [_("Must be true or false.")]}, code="invalid")


class Conflict(exceptions.APIException):
    """409: the request is valid but the current state of the thing refuses it.
    ``extra`` keys are added to the error body."""

    status_code = 409
    default_code = "conflict"
    default_detail = gettext_lazy("The current state does not allow this.")

    def __init__(self, detail: Any = None, code: str | None = None, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail, code)
        self.extra = extra or {}


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request: Any) -> int | None:
        # DRF silently falls back to the default on a malformed page_size;
        # say so instead, as for every other bad parameter.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) > 0):
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("A whole number of at least 1.")]}, code="invalid"
            )
        return super().get_page_size(request)


class CappedPagination(Pagination):
    """Page numbers over a list that can hold a million rows: ``count`` stops
    at ``COUNT_CAP`` (see ``ideaportal.paging``) and ``count_is_exact`` says
    whether there are more."""

    django_paginator_class: Any = CappedPaginator

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        # A view's ``page_rows`` reads the page (see ``CappedPaginator``).
        self.django_paginator_class = functools.partial(CappedPaginator, rows=getattr(view, "page_rows", None))
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data: Any) -> Response:
        paginator: Any = getattr(self.page, "paginator", None)
        return Response(
            {
                "count": paginator.count,
                "count_is_exact": getattr(paginator, "count_is_exact", True),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"]["description"] = (
            f"Matching rows, counted up to {COUNT_CAP}; when there are more it is {COUNT_CAP} and "
            "`count_is_exact` is false (page numbers stop there: use `cursor` for deeper pages)."
        )
        answer["properties"]["count_is_exact"] = {"type": "boolean", "example": True}
        # Keyset pages (``?cursor=``) carry no count at all: counting is what
        # they exist to avoid. Only ``results`` is always there.
        answer["required"] = ["results"]
        return answer


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="Dotted path of the input at fault, or null.")
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    # DRF pops declared fields off the class, so this does not shadow .errors.
    errors = ErrorItemSerializer(many=True)  # type: ignore[assignment]


def error_response(description: str) -> OpenApiResponse:
    """An OpenAPI response entry for one of our 4xx answers."""
    return OpenApiResponse(response=ErrorSerializer, description=description)


ERROR_RESPONSES = {
    400: error_response("The input is not valid; `errors` names each field and problem."),
    401: error_response("Not signed in: send a session cookie or `Authorization: Token <key>`."),
    403: error_response("Signed in, but not allowed to do this."),
    404: error_response("Nothing at this address that you can see."),
    409: error_response("The current state of the object does not allow this."),
}


# Answers any operation can give: a bad parameter or body, no or bad
# credentials, no permission, nothing there (including a page past the end),
# a method or a body type the operation does not take.
ALWAYS_POSSIBLE = {
    "400": "The input is not valid; `errors` names each field and problem.",
    "401": "Not signed in: send a session cookie or `Authorization: Token <key>`.",
    "403": "Signed in, but not allowed to do this.",
    "404": "Nothing at this address that you can see.",
    "405": "This method is not allowed here.",
    "415": "The body is in a media type this operation does not read.",
}


def schema_add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: document the common error
    answers (in the one error shape) on every operation that lacks them."""
    result.setdefault("components", {}).setdefault("schemas", {})
    ref = {"$ref": "#/components/schemas/Error"}
    if "Error" not in result["components"]["schemas"]:
        return result
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in ALWAYS_POSSIBLE.items():
                if code == "415" and method not in ("post", "put", "patch"):
                    continue
                operation["responses"].setdefault(
                    code, {"content": {"application/json": {"schema": ref}}, "description": description}
                )
    return result


# Django's unicode slug validator (``SlugField(allow_unicode=True)``) comes
# out as this pattern: any letter in Python, but ASCII only in the regular
# expressions of OpenAPI (ECMA 262, no "u" flag), so "été" would break the
# schema. Found by the stateful fuzzer on a campaign slug inside an idea.
UNICODE_SLUG_PATTERN = r"^[-\w]+$"


def schema_drop_unicode_slug_patterns(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular post-processing hook: a unicode slug is a plain
    string in the schema, wherever it appears."""

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("pattern") == UNICODE_SLUG_PATTERN:
                del node["pattern"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result


# OpenAPI links: what a client (and the stateful fuzzer) can do next with
# what an answer gave it. One row per link: source operation, its status
# code, target operation, the target's parameters as runtime expressions,
# and fields merged into the target's request body.
_IDEA = {"id": "$response.body#/id"}
_EVERYTHING_ON_AN_IDEA = (
    "ideas_retrieve",
    "ideas_partial_update",
    "ideas_comments_list",
    "ideas_comments_create",
    "ideas_follow_create",
    "ideas_follow_destroy",
    "ideas_history_list",
    "ideas_vote_create",
    "ideas_vote_destroy",
    "ideas_transitions_create",
    "ideas_patent_create",
    "ideas_scorecard_retrieve",
    "ideas_scorecard_update",
)
_MODULE = {"id": "$response.body#/id"}
_ASSIGNMENT = {"id": "$response.body#/assignment_ids/0"}
_ON_AN_ASSIGNMENT = (
    "onboarding_assignments_retrieve",
    "onboarding_assignments_attempts_list",
    "onboarding_assignments_attempts_create",
    "onboarding_assignments_due_date_create",
    "onboarding_assignments_history_list",
    "onboarding_assignments_waive_create",
)
SCHEMA_LINKS: list[tuple[str, str, str, dict[str, str], dict[str, str] | None]] = [
    *(("ideas_create", "201", target, _IDEA, None) for target in _EVERYTHING_ON_AN_IDEA),
    *(
        ("ideas_transitions_create", "200", target, _IDEA, None)
        for target in (
            "ideas_retrieve",
            "ideas_history_list",
            "ideas_transitions_create",
            "ideas_patent_create",
            "ideas_scorecard_update",
        )
    ),
    ("ideas_patent_create", "200", "ideas_patent_create", _IDEA, None),
    ("ideas_partial_update", "200", "ideas_transitions_create", _IDEA, None),
    ("ideas_comments_create", "201", "ideas_comments_list", {"id": "$request.path.id"}, None),
    ("ideas_list", "200", "ideas_retrieve", {"id": "$response.body#/results/0/id"}, None),
    ("campaigns_create", "201", "ideas_create", {}, {"campaign": "$response.body#/id"}),
    ("campaigns_create", "201", "ideas_list", {"campaign": "$response.body#/id"}, None),
    *(
        ("onboarding_modules_create", "201", target, _MODULE, None)
        for target in (
            "onboarding_modules_retrieve",
            "onboarding_modules_partial_update",
            "onboarding_modules_lessons_create",
            "onboarding_modules_questions_list",
            "onboarding_modules_questions_create",
            "onboarding_modules_publish_create",
        )
    ),
    *(
        (
            "onboarding_modules_lessons_create",
            "201",
            target,
            {"id": "$request.path.id", "lesson_pk": "$response.body#/id"},
            None,
        )
        for target in ("onboarding_modules_lessons_partial_update", "onboarding_modules_lessons_destroy")
    ),
    ("onboarding_modules_lessons_create", "201", "onboarding_modules_publish_create", {"id": "$request.path.id"}, None),
    *(
        (
            "onboarding_modules_questions_create",
            "201",
            target,
            {"id": "$request.path.id", "question_pk": "$response.body#/id"},
            None,
        )
        for target in ("onboarding_modules_questions_update", "onboarding_modules_questions_destroy")
    ),
    ("onboarding_modules_publish_create", "200", "onboarding_assignments_create", {}, {"module": "$response.body#/id"}),
    ("onboarding_modules_publish_create", "200", "onboarding_modules_unpublish_create", _MODULE, None),
    *(
        ("onboarding_assignments_create", code, target, _ASSIGNMENT, None)
        for code in ("200", "201")
        for target in _ON_AN_ASSIGNMENT
    ),
    ("newsletter_archive_list", "200", "newsletter_archive_retrieve", {"id": "$response.body#/results/0/id"}, None),
    ("auth_token_create", "200", "me_retrieve", {}, None),
    ("auth_token_create", "200", "auth_token_destroy", {}, None),
]


def schema_add_links(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: add ``SCHEMA_LINKS`` to the
    responses they start from. A link whose operations are not in this
    schema (a filtered or public view of it) is left out."""
    operations = {
        operation["operationId"]: operation
        for methods in result.get("paths", {}).values()
        for operation in methods.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    for source, status, target, parameters, body in SCHEMA_LINKS:
        response = operations.get(source, {}).get("responses", {}).get(status)
        if response is None or target not in operations:
            continue
        link: dict[str, Any] = {"operationId": target}
        if parameters:
            link["parameters"] = dict(parameters)
        if body:
            link["requestBody"] = dict(body)
        response.setdefault("links", {})[target] = link
    return result


def json_404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body(404, "not_found", _("No API endpoint or object at this address.")), status=404)


def json_500(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        error_body(500, "server_error", _("Something went wrong on our side; it has been logged.")), status=500
    )

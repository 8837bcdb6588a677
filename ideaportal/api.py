"""Shared API plumbing: one error shape, pagination, the base for every view.

Every 4xx answer of the API has the same JSON shape::

    {"status": 400, "code": "invalid", "message": "...",
     "errors": [{"field": "email", "code": "required", "message": "..."}]}

``field`` is a dotted path into the request body (``null`` for a problem with
the request as a whole), so a client can put the message next to the input.
"""

from __future__ import annotations

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


class CappedPagination(Pagination):
    """Page numbers over a list that can hold a million rows: ``count`` stops
    at ``COUNT_CAP`` (see ``ideaportal.paging``) and ``count_is_exact`` says
    whether there are more."""

    django_paginator_class = CappedPaginator

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
        answer["required"] = [*answer.get("required", []), "count_is_exact"]
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


def json_404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body(404, "not_found", _("No API endpoint or object at this address.")), status=404)


def json_500(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        error_body(500, "server_error", _("Something went wrong on our side; it has been logged.")), status=500
    )

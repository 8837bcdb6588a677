"""API: tokens and the signed-in person."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.forms import throttle_message
from accounts.models import User
from accounts.selectors import user_roles
from accounts.serializers import DepartmentSerializer
from ideaportal.api import ERROR_RESPONSES, error_response


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class MeSerializer(serializers.ModelSerializer):
    department = DepartmentSerializer(read_only=True, allow_null=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "display_name", "department", "job_title", "preferred_language", "roles"]

    def get_roles(self, obj: User) -> list[str]:
        return user_roles(user=obj)


class TokenView(APIView):
    """POST exchanges an e-mail and password for an API token; DELETE revokes
    the caller's token, so a leaked one can be killed."""

    def initialize_request(self, request: Any, *args: Any, **kwargs: Any) -> Request:
        self._http_method = request.method
        return super().initialize_request(request, *args, **kwargs)

    def get_authenticators(self) -> list[Any]:
        # Asking for a token needs no prior authentication (and so no CSRF
        # token from a browser that happens to hold a session).
        if getattr(self, "_http_method", None) == "POST":
            return []
        return super().get_authenticators()

    def get_permissions(self) -> list[Any]:
        if getattr(self, "_http_method", None) == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: ERROR_RESPONSES[400],
            429: error_response("Too many failed attempts; `retry_after` says when to try again."),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            email=serializer.validated_data["email"],
            password=serializer.validated_data["password"],
        )
        wait = getattr(request._request, "login_throttled_for", None)
        if wait:
            raise exceptions.Throttled(wait=wait, detail=throttle_message(wait))
        if user is None:
            raise exceptions.ValidationError(
                {"password": [_("That e-mail address and password do not match an active account.")]},
                code="invalid_credentials",
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @extend_schema(request=None, responses={204: None, 401: ERROR_RESPONSES[401]})
    def delete(self, request: Request) -> Response:
        Token.objects.filter(user=cast(User, request.user)).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The signed-in person, with their department and roles."""

    @extend_schema(responses={200: MeSerializer, 401: ERROR_RESPONSES[401]})
    def get(self, request: Request) -> Response:
        user = User.objects.select_related("department").get(pk=cast(User, request.user).pk)
        return Response(MeSerializer(user).data)

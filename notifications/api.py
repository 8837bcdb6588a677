"""API: the caller's own notifications."""

from __future__ import annotations

from typing import cast

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from ideaportal.api import ERROR_RESPONSES, query_bool
from notifications import selectors, services
from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "is_read"]


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=False,
        max_length=500,
        help_text="Notifications to mark read; omit to mark every unread one.",
    )


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


@extend_schema(
    parameters=[OpenApiParameter("unread", bool, description="Only unread notifications")],
    responses={200: NotificationSerializer(many=True), 401: ERROR_RESPONSES[401]},
)
class NotificationListView(generics.ListAPIView):
    """The caller's notifications, newest first."""

    serializer_class = NotificationSerializer
    filter_backends: list[type] = []

    def get_queryset(self):
        unread = query_bool(self.request, "unread")
        return selectors.notification_list(user=cast(User, self.request.user), unread_only=unread)


class NotificationReadView(APIView):
    """Mark some or all of the caller's notifications read."""

    @extend_schema(
        request=MarkReadSerializer,
        responses={200: MarkedSerializer, 400: ERROR_RESPONSES[400], 401: ERROR_RESPONSES[401]},
    )
    def post(self, request: Request) -> Response:
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = services.notifications_mark_read(
            user=cast(User, request.user), ids=serializer.validated_data.get("ids")
        )
        return Response({"marked": marked})

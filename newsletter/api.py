"""Newsletter API under /api/v1/newsletter/.

Subscribing, confirming, preferences and unsubscribing need no sign-in: a
signed token (see ``newsletter.tokens``) stands for the address. The archive
is public. The editor endpoints need the editor role.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Department, User
from accounts.roles import Role
from accounts.selectors import user_has_role
from ideaportal.api import ERROR_RESPONSES, error_response
from newsletter import mail, sections, selectors, services, tokens
from newsletter.models import Digest, Frequency, Subscriber, SubscriberStatus

BAD_TOKEN = error_response("The token is not valid: incomplete, expired or made for another address.")


class IsEditor(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated) and user_has_role(
            user=request.user, role=Role.EDITOR
        )


class PublicAPIView(APIView):
    """Anyone may call it; a token in the body, not a session, says who."""

    permission_classes = [permissions.AllowAny]
    # No session authentication: a browser's cookie must not make these
    # CSRF-checked, nor decide whose subscription changes.
    authentication_classes: list[type] = []


def _subscriber_from(token: str, purpose: str) -> Subscriber:
    subscriber = tokens.token_subscriber(token=token, purpose=purpose)
    if subscriber is None:
        raise ValidationError({"token": ["This token is not valid."]}, code="invalid_token")
    return subscriber


class SubscriberSerializer(serializers.ModelSerializer):
    campaigns: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    departments: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    tags: Any = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Subscriber
        fields = ["email", "frequency", "status", "campaigns", "departments", "tags"]


class SubscribeSerializer(serializers.Serializer):
    email = serializers.EmailField(
        required=False, max_length=254, help_text="Required unless signed in (then your work address is used)."
    )
    frequency = serializers.ChoiceField(choices=Frequency.choices, default=Frequency.WEEKLY)


class SubscribeResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["active", "confirmation_sent"],
        help_text="`active` for a signed-in employee; `confirmation_sent` for any other address.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=300)


class PreferencesUpdateSerializer(TokenSerializer):
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    campaigns = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=sections.topic_campaigns())
    departments = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Department.objects.all())
    tags = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=sections.topic_tags())


class SubscribeView(APIView):
    """Subscribe. Signed in (session or token): your work address, active at
    once. Otherwise: the address gets a confirmation link and nothing else
    until it confirms. The answer is the same whether or not the address
    already subscribes."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        request=SubscribeSerializer,
        responses={
            200: SubscribeResultSerializer,
            202: SubscribeResultSerializer,
            400: ERROR_RESPONSES[400],
            429: error_response("Too many anonymous subscriptions from this client address this hour."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = SubscribeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user
        if user.is_authenticated and data.get("email", user.email).lower() == user.email:
            services.subscriber_subscribe_employee(user=cast(User, user), frequency=data["frequency"])
            return Response({"status": "active"})
        if "email" not in data:
            raise ValidationError({"email": ["An e-mail address is required."]}, code="required")
        if services.subscribe_rate_exceeded(client_address=request.META.get("REMOTE_ADDR")):
            raise Throttled(
                wait=3600, detail=_("Too many subscriptions from your network this hour. Please try again later.")
            )
        services.subscriber_subscribe_address(
            email=data["email"], frequency=data["frequency"], language=getattr(request, "LANGUAGE_CODE", "en")
        )
        return Response({"status": "confirmation_sent"}, status=status.HTTP_202_ACCEPTED)


class ConfirmView(PublicAPIView):
    """Confirm an address with the token from the confirmation mail."""

    @extend_schema(request=TokenSerializer, responses={200: SubscriberSerializer, 400: BAD_TOKEN})
    def post(self, request: Request) -> Response:
        serializer = TokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscriber = _subscriber_from(serializer.validated_data["token"], tokens.CONFIRM)
        services.subscriber_confirm(subscriber=subscriber)
        return Response(SubscriberSerializer(subscriber).data)


class PreferencesView(PublicAPIView):
    """Read or change a subscription's frequency and topics (campaign,
    department and tag ids; none means everything)."""

    @extend_schema(
        parameters=[OpenApiParameter("token", str, required=True, description="The token from a digest's links")],
        responses={200: SubscriberSerializer, 400: BAD_TOKEN},
    )
    def get(self, request: Request) -> Response:
        subscriber = _subscriber_from(request.query_params.get("token", ""), tokens.MANAGE)
        return Response(SubscriberSerializer(subscriber).data)

    @extend_schema(request=PreferencesUpdateSerializer, responses={200: SubscriberSerializer, 400: BAD_TOKEN})
    def put(self, request: Request) -> Response:
        serializer = PreferencesUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        subscriber = _subscriber_from(data.pop("token"), tokens.MANAGE)
        services.subscriber_preferences_set(subscriber=subscriber, **data)
        return Response(SubscriberSerializer(subscriber).data)


class UnsubscribeView(PublicAPIView):
    """Stop every digest to the token's address."""

    @extend_schema(request=TokenSerializer, responses={200: SubscriberSerializer, 400: BAD_TOKEN})
    def post(self, request: Request) -> Response:
        serializer = TokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscriber = _subscriber_from(serializer.validated_data["token"], tokens.MANAGE)
        services.subscriber_unsubscribe(subscriber=subscriber)
        return Response(SubscriberSerializer(subscriber).data)


class DigestSerializer(serializers.ModelSerializer):
    subject = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Digest
        fields = ["id", "frequency", "period_start", "period_end", "subject", "url", "editor_note"]

    def get_subject(self, digest: Digest) -> str:
        return mail.subject_for(digest)

    def get_url(self, digest: Digest) -> str:
        return digest.get_absolute_url()


class SectionItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    items = SectionItemSerializer(many=True)


class DigestDetailSerializer(DigestSerializer):
    sections = serializers.SerializerMethodField()

    class Meta(DigestSerializer.Meta):
        fields = [*DigestSerializer.Meta.fields, "sections"]

    @extend_schema_field(SectionSerializer(many=True))
    def get_sections(self, digest: Digest) -> list[dict[str, Any]]:
        return [
            {"key": key, "title": str(mail.SECTION_TITLES[key]), "items": items}
            for key, items in mail.digest_personalise(digest)
        ]


class ArchiveListView(generics.ListAPIView):
    """Past digests, newest first."""

    serializer_class = DigestSerializer
    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []
    filter_backends: list[type] = []
    queryset = selectors.archive_list()


class ArchiveDetailView(generics.RetrieveAPIView):
    """One past digest with its sections, as a subscriber with no topics got it."""

    serializer_class = DigestDetailSerializer
    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []
    queryset = selectors.archive_list()


class NoteSerializer(serializers.Serializer):
    frequency = serializers.ChoiceField(choices=Frequency.choices, read_only=True)
    body = serializers.CharField(allow_blank=True, max_length=5000)


def _frequency(value: str) -> str:
    if value not in Frequency.values:
        raise Http404
    return value


class EditorNoteView(APIView):
    """The editor's note waiting for the next digest of a frequency."""

    permission_classes = [IsEditor]

    @extend_schema(responses={200: NoteSerializer, **ERROR_RESPONSES})
    def get(self, request: Request, frequency: str) -> Response:
        note = services.editor_note_open(frequency=_frequency(frequency))
        return Response({"frequency": frequency, "body": note.body if note else ""})

    @extend_schema(request=NoteSerializer, responses={200: NoteSerializer, **ERROR_RESPONSES})
    def put(self, request: Request, frequency: str) -> Response:
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        body = serializer.validated_data["body"]
        services.editor_note_save(frequency=_frequency(frequency), body=body, author=cast(User, request.user))
        return Response({"frequency": frequency, "body": body})


class PreviewSerializer(serializers.Serializer):
    subject = serializers.CharField()
    to = serializers.EmailField()
    text = serializers.CharField()
    html = serializers.CharField()


class EditorPreviewView(APIView):
    """The next digest of a frequency exactly as one subscriber would get it
    (subject, plain text and HTML), with the note waiting for it."""

    permission_classes = [IsEditor]

    @extend_schema(
        parameters=[
            OpenApiParameter("frequency", str, enum=Frequency.values, required=True),
            OpenApiParameter("email", str, description="A subscriber's address; omit for one with no topics"),
        ],
        responses={200: PreviewSerializer, **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        frequency = request.query_params.get("frequency", "")
        if frequency not in Frequency.values:
            raise ValidationError({"frequency": [f"Choose one of: {', '.join(Frequency.values)}."]})
        email = request.query_params.get("email", "")
        user = cast(User, request.user)
        if email:
            subscriber = get_object_or_404(Subscriber, email__iexact=email)
        else:
            subscriber = Subscriber(email=user.email, frequency=frequency, status=SubscriberStatus.ACTIVE)
        digest = services.digest_draft(frequency=frequency)
        personal = (
            services.digest_for_subscriber(digest, subscriber) if subscriber.pk else mail.digest_personalise(digest)
        )
        message = mail.digest_message(digest, subscriber=subscriber, personal=personal, test_copy=True)
        html = next(content for content, mimetype in message.alternatives if mimetype == "text/html")
        return Response({"subject": message.subject, "to": subscriber.email, "text": message.body, "html": html})

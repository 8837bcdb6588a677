"""API of ideas and campaigns under /api/v1/.

Every view of an idea inherits ``IdeaAPIView``: it finds the idea through
``selectors.idea_visible`` (a draft of someone else is a 404, never a 403 that
would reveal it) and turns the workflow's refusals into the one error shape:
``MoveForbidden`` 403, ``MoveNotAllowed`` 409 with ``allowed_transitions``,
a Django ``ValidationError`` 400 naming the fields.
"""

from __future__ import annotations

import binascii
from base64 import urlsafe_b64decode, urlsafe_b64encode
from datetime import datetime
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from accounts.models import Department, User
from accounts.roles import Role
from accounts.selectors import user_has_role
from accounts.serializers import DepartmentSerializer
from ideaportal.api import ERROR_RESPONSES, CappedPagination, Conflict, ErrorSerializer
from ideas import exports, selectors, services
from ideas.models import Campaign, Comment, Idea, IdeaEvent, Metric, Scorecard
from ideas.workflow import MoveForbidden, MoveNotAllowed, PatentStatus, Status

# --- serializers ------------------------------------------------------------------


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "display_name"]


class CampaignRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "title", "slug"]


class MoveSerializer(serializers.Serializer):
    to = serializers.CharField()
    # DRF pops declared fields off the class, so this does not shadow .label.
    label = serializers.CharField()  # type: ignore[assignment]
    requires = serializers.ListField(child=serializers.CharField())


class IdeaRowsSerializer(serializers.ListSerializer):
    """A page of ideas as list rows, written out by hand from the plain rows
    of ``selectors.idea_rows``.

    The lists are the API's busiest answers: building model instances and
    walking DRF's nested serializers field by field costs several times the
    query behind a page. The declared fields of ``IdeaListSerializer`` stay
    the contract (and the schema); ``tests/ideas/test_api.py`` checks that
    these rows equal what DRF itself writes for the same ideas.
    """

    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        zone = timezone.get_current_timezone()

        def when(moment: datetime) -> str:  # as DRF's DateTimeField writes it
            text = moment.astimezone(zone).isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text

        url = reverse("ideas:detail", args=[0]).removesuffix("0/")
        return [
            {
                "id": row["id"],
                "title": row["title"],
                "status": row["status"],
                "patent_status": row["patent_status"],
                "vote_count": row["vote_count"],
                "comment_count": row["comment_count"],
                "has_voted": row["has_voted"],
                "author": {"id": row["author_id"], "display_name": row["author__display_name"]},
                "department": row["department_id"]
                and {"id": row["department_id"], "name": row["department__name"], "slug": row["department__slug"]},
                "campaign": row["campaign_id"]
                and {"id": row["campaign_id"], "title": row["campaign__title"], "slug": row["campaign__slug"]},
                "tags": sorted(row["tag_names"]),
                "created_at": when(row["created_at"]),
                "submitted_at": row["submitted_at"] and when(row["submitted_at"]),
                "url": f"{url}{row['id']}/",
            }
            for row in data
        ]


class IdeaListSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True)
    department = DepartmentSerializer(read_only=True, allow_null=True)
    campaign = CampaignRefSerializer(read_only=True, allow_null=True)
    tags: Any = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    has_voted = serializers.BooleanField(read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Idea
        list_serializer_class: type[serializers.ListSerializer] = IdeaRowsSerializer
        fields = [
            "id",
            "title",
            "status",
            "patent_status",
            "vote_count",
            "comment_count",
            "has_voted",
            "author",
            "department",
            "campaign",
            "tags",
            "created_at",
            "submitted_at",
            "url",
        ]


class ScorecardSummarySerializer(serializers.Serializer):
    count = serializers.IntegerField()
    average = serializers.FloatField(allow_null=True)
    criteria = serializers.DictField(child=serializers.FloatField(allow_null=True))


class IdeaDetailSerializer(IdeaListSerializer):
    co_authors = PersonSerializer(many=True, read_only=True)
    reviewer = PersonSerializer(read_only=True, allow_null=True)
    is_following = serializers.BooleanField(read_only=True)
    allowed_transitions = serializers.SerializerMethodField()
    allowed_patent_transitions = serializers.SerializerMethodField()
    scorecards = serializers.SerializerMethodField(help_text="Reviewers only; null for everyone else.")

    class Meta(IdeaListSerializer.Meta):
        list_serializer_class = serializers.ListSerializer  # the hand-written rows are list rows only
        fields = [
            *IdeaListSerializer.Meta.fields,
            "problem",
            "proposal",
            "proposal_html",
            "customers_affected",
            "customer_delight",
            "metric",
            "metric_other",
            "co_authors",
            "reviewer",
            "duplicate_of",
            "rejection_reason",
            "launched_on",
            "launch_outcome",
            "patent_application_number",
            "patent_filed_on",
            "patent_number",
            "patent_granted_on",
            "is_following",
            "queued_at",
            "first_reviewed_at",
            "decided_at",
            "piloted_at",
            "launched_at",
            "closed_at",
            "updated_at",
            "allowed_transitions",
            "allowed_patent_transitions",
            "scorecards",
        ]

    def _user(self) -> User:
        return cast(User, self.context["request"].user)

    @staticmethod
    def _moves(moves: list[Any], labels: Any) -> list[dict[str, Any]]:
        return [{"to": m.target, "label": str(m.label), "requires": list(m.requires)} for m in moves]

    @extend_schema_field(MoveSerializer(many=True))
    def get_allowed_transitions(self, obj: Idea) -> list[dict[str, Any]]:
        return self._moves(selectors.idea_moves_open(idea=obj, user=self._user()), Status)

    @extend_schema_field(MoveSerializer(many=True))
    def get_allowed_patent_transitions(self, obj: Idea) -> list[dict[str, Any]]:
        return self._moves(selectors.idea_patent_moves_open(idea=obj, user=self._user()), PatentStatus)

    @extend_schema_field(ScorecardSummarySerializer(allow_null=True))
    def get_scorecards(self, obj: Idea) -> dict[str, Any] | None:
        if not user_has_role(user=self._user(), role=Role.REVIEWER):
            return None
        return selectors.scorecard_summary(idea=obj)


class IdeaWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    problem = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    proposal = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    customers_affected = serializers.CharField(required=False, allow_blank=True, max_length=5_000)
    customer_delight = serializers.CharField(required=False, allow_blank=True, max_length=5_000)
    metric = serializers.ChoiceField(choices=Metric.choices, required=False, allow_blank=True)
    metric_other = serializers.CharField(required=False, allow_blank=True, max_length=120)
    campaign = serializers.PrimaryKeyRelatedField(queryset=Campaign.objects.all(), required=False, allow_null=True)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False, allow_null=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=10, help_text="Tag names."
    )
    co_authors = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False
    )

    def to_internal_value(self, data: Any) -> Any:
        # DRF takes any iterable for a list, so {"7": ...} would add user 7.
        if isinstance(data, dict) and not hasattr(data, "getlist"):  # JSON, not a form
            for name in ("co_authors", "tags"):
                if name in data and not isinstance(data[name], list):
                    raise exceptions.ValidationError({name: [_("Expected a list.")]}, code="not_a_list")
        return super().to_internal_value(data)


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Status.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5_000)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=5_000, help_text="Required to reject; shown to the author."
    )
    duplicate_of = serializers.IntegerField(required=False, min_value=1, help_text="Required to mark a duplicate.")
    reviewer = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="Who reviews, when taking into review; the caller by default.",
    )
    launched_on = serializers.DateField(required=False, help_text="Required to launch.")
    outcome = serializers.CharField(required=False, allow_blank=True, max_length=5_000)


class PatentTransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=PatentStatus.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5_000)
    application_number = serializers.CharField(required=False, allow_blank=True, max_length=60)
    filed_on = serializers.DateField(required=False)
    patent_number = serializers.CharField(required=False, allow_blank=True, max_length=60)
    granted_on = serializers.DateField(required=False)


class EventSerializer(serializers.ModelSerializer):
    actor = PersonSerializer(read_only=True, allow_null=True)
    from_label = serializers.CharField(read_only=True)
    to_label = serializers.CharField(read_only=True)

    class Meta:
        model = IdeaEvent
        fields = [
            "id",
            "track",
            "from_value",
            "to_value",
            "from_label",
            "to_label",
            "actor",
            "created_at",
            "comment",
            "related_idea",
            "details",
        ]


class VoteStateSerializer(serializers.Serializer):
    vote_count = serializers.IntegerField()
    has_voted = serializers.BooleanField()


class FollowStateSerializer(serializers.Serializer):
    is_following = serializers.BooleanField()


class CommentSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "body_html", "created_at"]
        read_only_fields = ["id", "author", "body_html", "created_at"]
        extra_kwargs = {"body": {"max_length": 10_000}}


class ScorecardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Scorecard
        fields = ["customer_impact", "feasibility", "novelty", "cost", "comment", "updated_at"]
        read_only_fields = ["updated_at"]
        extra_kwargs = {"comment": {"max_length": 5_000}}


class ScorecardStateSerializer(serializers.Serializer):
    mine = ScorecardSerializer(allow_null=True)
    summary = ScorecardSummarySerializer()


class SimilarIdeaSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Idea
        fields = ["id", "title", "status", "vote_count", "url"]


class CampaignSerializer(serializers.ModelSerializer):
    is_open = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = ["id", "title", "slug", "brief", "opens_on", "closes_on", "is_open"]
        read_only_fields = ["id", "slug", "is_open"]

    def get_is_open(self, obj: Campaign) -> bool:
        return obj.is_open()


class IdeaFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    campaign = serializers.IntegerField(required=False, min_value=1)
    department = serializers.IntegerField(required=False, min_value=1)
    tag = serializers.CharField(required=False, max_length=60, help_text="Tag slug.")
    author = serializers.IntegerField(required=False, min_value=1, help_text="Author or co-author id.")
    q = serializers.CharField(required=False, max_length=200, help_text="Full-text search, any language.")
    ordering = serializers.ChoiceField(choices=selectors.ORDERINGS, required=False)
    cursor = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text=(
            "Keyset paging for deep pages, newest first: send it empty for the first page, then the `next` "
            "link's value. The answer has `next` and `results` (no `count`); it costs the same on page 5,000 "
            "as on page 1, unlike `page`. Not with `q` or another `ordering`."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "cursor" in attrs:
            if attrs.get("q") or attrs.get("ordering", "newest") != "newest":
                raise serializers.ValidationError({"cursor": [_("A cursor pages the newest-first list only.")]})
            try:
                attrs["cursor"] = cursor_decode(attrs["cursor"]) if attrs["cursor"] else None
            except ValueError:
                raise serializers.ValidationError({"cursor": [_("This cursor is not valid.")]}) from None
        return attrs


def cursor_encode(created_at: datetime, pk: int) -> str:
    return urlsafe_b64encode(f"{created_at.isoformat()}|{pk}".encode()).decode().rstrip("=")


def cursor_decode(value: str) -> tuple[datetime, int]:
    """(created_at, id) of the last row seen; ValueError when malformed."""
    try:
        raw = urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(value) from exc
    created, _sep, pk = raw.partition("|")
    moment = datetime.fromisoformat(created)
    if moment.tzinfo is None:
        raise ValueError(value)
    return moment, int(pk)


class SimilarQuerySerializer(serializers.Serializer):
    text = serializers.CharField(max_length=1000, help_text="What is being written: title and problem.")
    exclude = serializers.IntegerField(required=False, min_value=1, help_text="An idea to leave out.")


class ConflictSerializer(ErrorSerializer):
    allowed_transitions = serializers.ListField(
        child=serializers.CharField(), help_text="The states the caller can move the idea to from here."
    )


CONFLICT = OpenApiResponse(ConflictSerializer, description="Not allowed from the idea's current state.")
NOT_FOUND = ERROR_RESPONSES[404]


# --- views -----------------------------------------------------------------------------


def _as_api_error(exc: Exception) -> Exception:
    if isinstance(exc, MoveForbidden):
        return exceptions.PermissionDenied(str(exc.message))
    if isinstance(exc, MoveNotAllowed):
        return Conflict(str(exc.message), extra={"allowed_transitions": exc.allowed})
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return exceptions.ValidationError(detail)
    return exc


class IdeasAPIView(generics.GenericAPIView):
    """Base of every view in this module: domain refusals become the one
    error shape; no filter backends (each view validates its own query)."""

    filter_backends: list[type] = []

    def handle_exception(self, exc: Exception) -> Response:
        return super().handle_exception(_as_api_error(exc))

    @property
    def user(self) -> User:
        return cast(User, self.request.user)

    def require_reviewer(self) -> None:
        if not user_has_role(user=self.user, role=Role.REVIEWER):
            raise exceptions.PermissionDenied(_("Only reviewers can do this."))

    def filters(self) -> dict[str, Any]:
        serializer = IdeaFilterSerializer(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


class IdeaAPIView(IdeasAPIView):
    """A view of one idea, found only among the ideas the caller may see."""

    def get_idea(self, *, whole: bool = True) -> Idea:
        """The idea of the URL if the caller may see it, else a 404. With
        ``whole=False`` only its id is read: enough for a service that
        locks and re-reads the row itself (votes, follows)."""
        try:
            if not whole:
                return selectors.idea_visible(user=self.user).only("pk").get(pk=int(self.kwargs["pk"]))
            return selectors.idea_detail(user=self.user, pk=int(self.kwargs["pk"]))
        except Idea.DoesNotExist:
            raise exceptions.NotFound(_("No idea here that you can see.")) from None

    def detail_response(self, idea: Idea, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.idea_detail(user=self.user, pk=idea.pk)
        return Response(IdeaDetailSerializer(fresh, context={"request": self.request}).data, status=status_code)


@extend_schema(tags=["ideas"])
class IdeaListView(IdeasAPIView):
    """Ideas the caller can see (drafts only their own), filtered, searched
    and ordered; POST creates a draft."""

    serializer_class = IdeaListSerializer
    pagination_class = CappedPagination
    page_rows = staticmethod(selectors.idea_rows)

    @extend_schema(
        parameters=[IdeaFilterSerializer],
        responses={200: IdeaListSerializer(many=True), 400: ERROR_RESPONSES[400], 401: ERROR_RESPONSES[401]},
    )
    def get(self, request: Request) -> Response:
        filters = self.filters()
        if "cursor" not in filters:
            page = self.paginate_queryset(selectors.idea_list(user=self.user, **filters))
            return self.get_paginated_response(IdeaListSerializer(page, many=True).data)
        # Keyset: rows after the last one seen, no COUNT, no OFFSET.
        after = filters.pop("cursor")
        paginator = self.paginator
        size = (paginator.get_page_size(request) if isinstance(paginator, PageNumberPagination) else None) or 25
        rows = list(
            selectors.idea_rows(selectors.idea_list_after(user=self.user, after=after, limit=size + 1, **filters))
        )
        more, rows = len(rows) > size, rows[:size]
        next_url = None
        if more:
            last = rows[-1]
            next_url = replace_query_param(
                request.build_absolute_uri(), "cursor", cursor_encode(last["created_at"], last["id"])
            )
        return Response({"next": next_url, "previous": None, "results": IdeaListSerializer(rows, many=True).data})

    @extend_schema(
        request=IdeaWriteSerializer,
        responses={201: IdeaDetailSerializer, 400: ERROR_RESPONSES[400], 401: ERROR_RESPONSES[401]},
    )
    def post(self, request: Request) -> Response:
        serializer = IdeaWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        idea = services.idea_create(author=self.user, **serializer.validated_data)
        fresh = selectors.idea_detail(user=self.user, pk=idea.pk)
        return Response(IdeaDetailSerializer(fresh, context={"request": request}).data, status=201)


@extend_schema(tags=["ideas"])
class IdeaDetailView(IdeaAPIView):
    """One idea with what the caller can do with it next."""

    serializer_class = IdeaDetailSerializer

    @extend_schema(responses={200: IdeaDetailSerializer, 401: ERROR_RESPONSES[401], 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        idea = self.get_idea()
        return Response(IdeaDetailSerializer(idea, context={"request": request}).data)

    @extend_schema(
        request=IdeaWriteSerializer,
        responses={
            200: IdeaDetailSerializer,
            400: ERROR_RESPONSES[400],
            403: ERROR_RESPONSES[403],
            404: NOT_FOUND,
            409: CONFLICT,
        },
        description="Authors and co-authors edit while the idea is a draft or needs more information.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        idea = self.get_idea()
        serializer = IdeaWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.idea_update(idea=idea, actor=self.user, **serializer.validated_data)
        return self.detail_response(idea)


# What either track's move answers: the idea as it is now, or why not.
MOVE_RESPONSES = {
    200: IdeaDetailSerializer,
    400: ERROR_RESPONSES[400],
    403: ERROR_RESPONSES[403],
    404: NOT_FOUND,
    409: CONFLICT,
}


@extend_schema(tags=["ideas"])
class IdeaTransitionView(IdeaAPIView):
    """Move the idea along its status track (see ideas/workflow.py)."""

    serializer_class = TransitionSerializer

    @extend_schema(
        request=TransitionSerializer,
        responses=MOVE_RESPONSES,
    )
    def post(self, request: Request, pk: int) -> Response:
        idea = self.get_idea()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        duplicate_id = data.pop("duplicate_of", None)
        if duplicate_id is not None:
            target = selectors.idea_visible(user=self.user).filter(pk=duplicate_id).first()
            if target is None:
                raise exceptions.ValidationError({"duplicate_of": [_("No idea with this id that you can see.")]})
            data["duplicate_of"] = target
        services.idea_transition(idea=idea, actor=self.user, **data)
        return self.detail_response(idea)


@extend_schema(tags=["ideas"])
class IdeaPatentView(IdeaAPIView):
    """Move an accepted, piloting or launched idea along the patent track."""

    serializer_class = PatentTransitionSerializer

    @extend_schema(
        request=PatentTransitionSerializer,
        responses=MOVE_RESPONSES,
    )
    def post(self, request: Request, pk: int) -> Response:
        idea = self.get_idea()
        serializer = PatentTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.idea_patent_transition(idea=idea, actor=self.user, **serializer.validated_data)
        return self.detail_response(idea)


@extend_schema(tags=["ideas"])
class IdeaHistoryView(IdeaAPIView):
    """Every move of both tracks, oldest first: who, when, from, to, why."""

    serializer_class = EventSerializer

    @extend_schema(responses={200: EventSerializer(many=True), 401: ERROR_RESPONSES[401], 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        idea = self.get_idea()
        page = self.paginate_queryset(selectors.idea_history(idea=idea))
        return self.get_paginated_response(EventSerializer(page, many=True).data)


@extend_schema(tags=["ideas"])
class IdeaVoteView(IdeaAPIView):
    """Back an idea (POST) or take the vote back (DELETE); both idempotent."""

    serializer_class = VoteStateSerializer

    def _answer(self, idea: Idea, has_voted: bool) -> Response:
        return Response({"vote_count": idea.vote_count, "has_voted": has_voted})

    @extend_schema(
        request=None,
        responses={200: VoteStateSerializer, 403: ERROR_RESPONSES[403], 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        return self._answer(services.vote_add(idea=self.get_idea(whole=False), user=self.user), True)

    @extend_schema(
        request=None,
        responses={200: VoteStateSerializer, 403: ERROR_RESPONSES[403], 404: NOT_FOUND, 409: CONFLICT},
    )
    def delete(self, request: Request, pk: int) -> Response:
        return self._answer(services.vote_remove(idea=self.get_idea(whole=False), user=self.user), False)


@extend_schema(tags=["ideas"])
class IdeaFollowView(IdeaAPIView):
    """Follow an idea to hear about each move (POST), or stop (DELETE)."""

    serializer_class = FollowStateSerializer

    @extend_schema(request=None, responses={200: FollowStateSerializer, 404: NOT_FOUND})
    def post(self, request: Request, pk: int) -> Response:
        services.follow_add(idea=self.get_idea(whole=False), user=self.user)
        return Response({"is_following": True})

    @extend_schema(request=None, responses={200: FollowStateSerializer, 404: NOT_FOUND})
    def delete(self, request: Request, pk: int) -> Response:
        services.follow_remove(idea=self.get_idea(whole=False), user=self.user)
        return Response({"is_following": False})


@extend_schema(tags=["ideas"])
class IdeaCommentsView(IdeaAPIView):
    """The discussion of an idea, oldest first; POST adds a comment (Markdown)."""

    serializer_class = CommentSerializer

    @extend_schema(responses={200: CommentSerializer(many=True), 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        page = self.paginate_queryset(selectors.comment_list(idea=self.get_idea()))
        return self.get_paginated_response(CommentSerializer(page, many=True).data)

    @extend_schema(
        request=CommentSerializer,
        responses={201: CommentSerializer, 400: ERROR_RESPONSES[400], 403: ERROR_RESPONSES[403], 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        idea = self.get_idea()
        serializer = CommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_create(idea=idea, author=self.user, body=serializer.validated_data["body"])
        return Response(CommentSerializer(comment).data, status=201)


@extend_schema(tags=["ideas"])
class IdeaScorecardView(IdeaAPIView):
    """Reviewers: the caller's scorecard for the idea and the summary of all."""

    serializer_class = ScorecardSerializer

    def _state(self, idea: Idea) -> Response:
        mine = selectors.scorecard_mine(idea=idea, user=self.user)
        return Response(
            {
                "mine": ScorecardSerializer(mine).data if mine else None,
                "summary": selectors.scorecard_summary(idea=idea),
            }
        )

    @extend_schema(responses={200: ScorecardStateSerializer, 403: ERROR_RESPONSES[403], 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        self.require_reviewer()
        return self._state(self.get_idea())

    @extend_schema(
        request=ScorecardSerializer,
        responses={
            200: ScorecardStateSerializer,
            400: ERROR_RESPONSES[400],
            403: ERROR_RESPONSES[403],
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def put(self, request: Request, pk: int) -> Response:
        self.require_reviewer()
        idea = self.get_idea()
        serializer = ScorecardSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.scorecard_save(idea=idea, reviewer=self.user, **serializer.validated_data)
        return self._state(idea)


@extend_schema(tags=["ideas"])
class IdeaSimilarView(IdeasAPIView):
    """Existing ideas that look like the text being written."""

    serializer_class = SimilarIdeaSerializer
    pagination_class = None  # a handful at most, as a plain list

    @extend_schema(
        parameters=[SimilarQuerySerializer],
        responses={200: SimilarIdeaSerializer(many=True), 400: ERROR_RESPONSES[400]},
    )
    def get(self, request: Request) -> Response:
        query = SimilarQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        ideas = selectors.idea_similar(user=self.user, **query.validated_data)
        return Response(SimilarIdeaSerializer(ideas, many=True).data)


@extend_schema(tags=["ideas"])
class ReviewQueueView(IdeasAPIView):
    """Reviewers: ideas waiting for triage or in review, overdue first."""

    serializer_class = IdeaListSerializer
    pagination_class = CappedPagination
    page_rows = staticmethod(selectors.idea_rows)

    @extend_schema(responses={200: IdeaListSerializer(many=True), 403: ERROR_RESPONSES[403]})
    def get(self, request: Request) -> Response:
        self.require_reviewer()
        page = self.paginate_queryset(selectors.review_queue(user=self.user))
        return self.get_paginated_response(IdeaListSerializer(page, many=True).data)


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        # Only errors pass through a renderer here (the export streams itself).
        return JSONRenderer().render(data)


@extend_schema(tags=["ideas"])
class IdeaExportView(IdeasAPIView):
    """Reviewers: the filtered list as CSV (cells that a spreadsheet would
    run as a formula are quoted)."""

    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        parameters=[IdeaFilterSerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One row per idea."),
            400: ERROR_RESPONSES[400],
            403: ERROR_RESPONSES[403],
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        self.require_reviewer()
        filters = self.filters()
        filters.pop("cursor", None)  # the export is the whole filtered list, never a page of it
        qs = selectors.idea_list(user=self.user, **filters)
        return exports.csv_response(qs, site=request.build_absolute_uri("/").rstrip("/"))


@extend_schema(tags=["campaigns"])
class CampaignListView(IdeasAPIView):
    """Campaigns, newest first; reviewers create them."""

    serializer_class = CampaignSerializer

    @extend_schema(responses={200: CampaignSerializer(many=True)})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.campaign_list())
        return self.get_paginated_response(CampaignSerializer(page, many=True).data)

    @extend_schema(
        request=CampaignSerializer,
        responses={201: CampaignSerializer, 400: ERROR_RESPONSES[400], 403: ERROR_RESPONSES[403]},
    )
    def post(self, request: Request) -> Response:
        self.require_reviewer()
        serializer = CampaignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        campaign = services.campaign_create(actor=self.user, **serializer.validated_data)
        return Response(CampaignSerializer(campaign).data, status=201)


urlpatterns = [
    path("ideas/", IdeaListView.as_view(), name="idea-list"),
    path("ideas/similar/", IdeaSimilarView.as_view(), name="idea-similar"),
    path("ideas/review-queue/", ReviewQueueView.as_view(), name="idea-review-queue"),
    path("ideas/export/", IdeaExportView.as_view(), name="idea-export"),
    path("ideas/<int:pk>/", IdeaDetailView.as_view(), name="idea-detail"),
    path("ideas/<int:pk>/transitions/", IdeaTransitionView.as_view(), name="idea-transitions"),
    path("ideas/<int:pk>/patent/", IdeaPatentView.as_view(), name="idea-patent"),
    path("ideas/<int:pk>/history/", IdeaHistoryView.as_view(), name="idea-history"),
    path("ideas/<int:pk>/vote/", IdeaVoteView.as_view(), name="idea-vote"),
    path("ideas/<int:pk>/follow/", IdeaFollowView.as_view(), name="idea-follow"),
    path("ideas/<int:pk>/comments/", IdeaCommentsView.as_view(), name="idea-comments"),
    path("ideas/<int:pk>/scorecard/", IdeaScorecardView.as_view(), name="idea-scorecard"),
    path("campaigns/", CampaignListView.as_view(), name="campaign-list"),
]

"""Root URLs: pages, the admin, the API under /api/v1/, its schema and docs."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path
from django.views import defaults
from drf_spectacular.views import SpectacularAPIView

from accounts import api as accounts_api
from accounts import views as accounts_views
from ideaportal import api
from ideaportal.api_docs import api_docs
from ideaportal.health import healthz
from ideas import api as ideas_api
from newsletter import api as newsletter_api
from notifications import api as notifications_api

api_v1: list[URLPattern | URLResolver] = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="auth-token"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("notifications/", notifications_api.NotificationListView.as_view(), name="notification-list"),
    path("notifications/read/", notifications_api.NotificationReadView.as_view(), name="notification-read"),
    path("onboarding/", include("onboarding.api.urls")),
    *ideas_api.urlpatterns,
    path("newsletter/subscribe/", newsletter_api.SubscribeView.as_view(), name="newsletter-subscribe"),
    path("newsletter/confirm/", newsletter_api.ConfirmView.as_view(), name="newsletter-confirm"),
    path("newsletter/preferences/", newsletter_api.PreferencesView.as_view(), name="newsletter-preferences"),
    path("newsletter/unsubscribe/", newsletter_api.UnsubscribeView.as_view(), name="newsletter-unsubscribe"),
    path("newsletter/archive/", newsletter_api.ArchiveListView.as_view(), name="newsletter-archive"),
    path("newsletter/archive/<int:pk>/", newsletter_api.ArchiveDetailView.as_view(), name="newsletter-archive-detail"),
    path("newsletter/editor/notes/<str:frequency>/", newsletter_api.EditorNoteView.as_view(), name="newsletter-note"),
    path("newsletter/editor/preview/", newsletter_api.EditorPreviewView.as_view(), name="newsletter-preview"),
]

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("notifications/", include("notifications.urls")),
    path("onboarding/", include("onboarding.urls")),
    path("ideas/", include("ideas.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
]

admin.site.site_header = "Ideaportal administration"
admin.site.site_title = "Ideaportal admin"


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api.json_404(request, exception)
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api.json_500(request)
    return defaults.server_error(request)

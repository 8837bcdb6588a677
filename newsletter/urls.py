from django.urls import path

from newsletter import views

app_name = "newsletter"

urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("archive/", views.archive, name="archive"),
    path("archive/<int:pk>/", views.archive_detail, name="archive-detail"),
    path("editor/", views.editor, name="editor"),
    path("editor/preview/", views.editor_preview, name="editor-preview"),
    path("editor/digests/<int:pk>/", views.editor_digest, name="editor-digest"),
    path("editor/digests/<int:pk>/progress/", views.editor_digest_progress, name="editor-digest-progress"),
]

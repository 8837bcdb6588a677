"""URLs of /api/v1/onboarding/ (included under the ``api`` namespace)."""

from django.urls import path

from onboarding.api import views

urlpatterns = [
    path("modules/", views.ModuleListView.as_view(), name="onboarding-module-list"),
    path("modules/<int:pk>/", views.ModuleDetailView.as_view(), name="onboarding-module-detail"),
    path("modules/<int:pk>/publish/", views.ModulePublishView.as_view(), name="onboarding-module-publish"),
    path(
        "modules/<int:pk>/unpublish/",
        views.ModulePublishView.as_view(publish_action="unpublish"),
        name="onboarding-module-unpublish",
    ),
    path("modules/<int:pk>/lessons/", views.LessonListView.as_view(), name="onboarding-lesson-list"),
    path(
        "modules/<int:pk>/lessons/<int:lesson_pk>/", views.LessonDetailView.as_view(), name="onboarding-lesson-detail"
    ),
    path("modules/<int:pk>/questions/", views.QuestionListView.as_view(), name="onboarding-question-list"),
    path(
        "modules/<int:pk>/questions/<int:question_pk>/",
        views.QuestionDetailView.as_view(),
        name="onboarding-question-detail",
    ),
    path("assignments/", views.AssignmentListView.as_view(), name="onboarding-assignment-list"),
    path("assignments/<int:pk>/", views.AssignmentDetailView.as_view(), name="onboarding-assignment-detail"),
    path("assignments/<int:pk>/waive/", views.AssignmentWaiveView.as_view(), name="onboarding-assignment-waive"),
    path("assignments/<int:pk>/due-date/", views.AssignmentDueMoveView.as_view(), name="onboarding-assignment-due"),
    path("assignments/<int:pk>/history/", views.AssignmentHistoryView.as_view(), name="onboarding-assignment-history"),
    path(
        "assignments/<int:pk>/lessons/<int:lesson_pk>/complete/",
        views.LessonCompleteView.as_view(),
        name="onboarding-lesson-complete",
    ),
    path("assignments/<int:pk>/attempts/", views.AttemptListView.as_view(), name="onboarding-attempt-list"),
    path("reports/modules/", views.ReportByModuleView.as_view(), name="onboarding-report-modules"),
    path("reports/departments/", views.ReportByDepartmentView.as_view(), name="onboarding-report-departments"),
    path("reports/overdue/", views.ReportOverdueView.as_view(), name="onboarding-report-overdue"),
]

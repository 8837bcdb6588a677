from django.urls import path

from onboarding.views import hr, learner

app_name = "onboarding"

urlpatterns = [
    path("", learner.my_training, name="my-training"),
    path("assignments/<int:pk>/", learner.assignment_reader, name="assignment"),
    path("assignments/<int:pk>/lessons/<int:lesson_pk>/", learner.lesson_page, name="lesson"),
    path("assignments/<int:pk>/quiz/", learner.quiz_page, name="quiz"),
    path("assignments/<int:pk>/attempts/<int:number>/", learner.attempt_page, name="attempt"),
    path("hr/modules/", hr.module_list, name="hr-modules"),
    path("hr/modules/new/", hr.module_create, name="hr-module-create"),
    path("hr/modules/<int:pk>/", hr.module_edit, name="hr-module"),
    path("hr/modules/<int:pk>/publish/", hr.module_publish, name="hr-module-publish"),
    path("hr/modules/<int:pk>/lessons/new/", hr.lesson_form, name="hr-lesson-create"),
    path("hr/modules/<int:pk>/lessons/<int:lesson_pk>/", hr.lesson_form, name="hr-lesson"),
    path("hr/modules/<int:pk>/lessons/<int:lesson_pk>/action/", hr.lesson_action, name="hr-lesson-action"),
    path("hr/modules/<int:pk>/questions/new/", hr.question_form, name="hr-question-create"),
    path("hr/modules/<int:pk>/questions/<int:question_pk>/", hr.question_form, name="hr-question"),
    path("hr/modules/<int:pk>/questions/<int:question_pk>/remove/", hr.question_remove, name="hr-question-remove"),
    path("hr/assign/", hr.assign, name="hr-assign"),
    path("hr/assignments/<int:pk>/", hr.assignment_manage, name="hr-assignment"),
    path("hr/reports/", hr.reports, name="hr-reports"),
    path("hr/reports/export.csv", hr.reports_export, name="hr-reports-export"),
]

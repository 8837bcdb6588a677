from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.notification_mark_read, name="mark-read"),
    path("preferences/", views.notification_preferences, name="preferences"),
]

from django.urls import path

from ideas import views

app_name = "ideas"

urlpatterns = [
    path("", views.idea_list, name="list"),
    path("new/", views.idea_create, name="create"),
    path("mine/", views.idea_mine, name="mine"),
    path("review/", views.review_queue, name="review-queue"),
    path("similar/", views.idea_similar, name="similar"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("<int:pk>/", views.idea_detail, name="detail"),
    path("<int:pk>/edit/", views.idea_edit, name="edit"),
    path("<int:pk>/vote/", views.idea_vote, name="vote"),
    path("<int:pk>/follow/", views.idea_follow, name="follow"),
    path("<int:pk>/comment/", views.idea_comment, name="comment"),
    path("<int:pk>/move/", views.idea_move, name="move"),
    path("<int:pk>/patent/", views.idea_patent, name="patent"),
    path("<int:pk>/scorecard/", views.idea_scorecard, name="scorecard"),
]

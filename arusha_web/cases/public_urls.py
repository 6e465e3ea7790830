from django.urls import path

from . import views_public

app_name = "report"
urlpatterns = [
    path("", views_public.index, name="index"),
    path("follow-up/", views_public.followup, name="followup"),
    path("mailbox/", views_public.mailbox, name="mailbox"),
    path("mailbox/leave/", views_public.leave, name="leave"),
    path("statistics/", views_public.statistics, name="statistics"),
]

from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("m/<slug:slug>/", views.section, name="section"),
    path("admin-overview/", views.admin, name="admin"),
]

from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("offices/", views.office_list, name="office_list"),
    path("offices/new/", views.office_edit, name="office_create"),
    path("offices/<str:code>/edit/", views.office_edit, name="office_edit"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_edit, name="staff_create"),
    path("staff/<str:officer_id>/", views.staff_detail, name="staff_detail"),
    path("staff/<str:officer_id>/edit/", views.staff_edit, name="staff_edit"),
]

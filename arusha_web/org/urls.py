from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("offices/", views.office_list, name="office_list"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<str:officer_id>/", views.staff_detail, name="staff_detail"),
]

from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("<int:seq>/", views.entry_detail, name="detail"),
    path("export.csv", views.entry_export, name="export"),
    path("verify/", views.chain_verify, name="verify"),
    path("need-to-know/", views.need_to_know_list, name="need_to_know"),
    path("need-to-know/<int:seq>/", views.need_to_know_detail, name="need_to_know_detail"),
    path("need-to-know/export.csv", views.need_to_know_export, name="need_to_know_export"),
]

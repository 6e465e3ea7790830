from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("<int:seq>/", views.entry_detail, name="detail"),
    path("export.csv", views.entry_export, name="export"),
    path("verify/", views.chain_verify, name="verify"),
]

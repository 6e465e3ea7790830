from django.urls import path  # noqa: F401

app_name = "diagnose"
urlpatterns: list = []  # type: ignore[type-arg]

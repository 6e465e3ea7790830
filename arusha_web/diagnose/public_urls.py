from django.urls import path  # noqa: F401

app_name = "survey"
urlpatterns: list = []  # type: ignore[type-arg]

from django.urls import path  # noqa: F401

app_name = "report"
urlpatterns: list = []  # type: ignore[type-arg]

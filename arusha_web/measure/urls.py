from django.urls import path  # noqa: F401

app_name = "measure"
urlpatterns: list = []  # type: ignore[type-arg]

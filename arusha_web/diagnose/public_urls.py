from django.urls import path

from .views import public

app_name = "survey"
urlpatterns = [
    path("<str:slug>/", public.survey_take, name="take"),
    path("<str:slug>/thanks/", public.survey_thanks, name="thanks"),
]

from django.urls import path

from .views import assessments, bank, plan, surveys

app_name = "diagnose"
urlpatterns = [
    path("", assessments.index, name="index"),
    path("reference/", assessments.reference, name="reference"),
    path("reference/<str:code>/", assessments.factor_edit, name="factor_edit"),
    # Question bank
    path("bank/", bank.bank, name="bank"),
    path("bank/export.xlsx", bank.bank_export, name="bank_export"),
    path("bank/import/", bank.bank_import, name="bank_import"),
    path("bank/questions/new/", bank.question_edit, name="question_create"),
    path("bank/questions/<str:code>/", bank.question_edit, name="question_edit"),
    # Self-assessment campaigns
    path("assessments/new/", assessments.assessment_create, name="assessment_create"),
    path("assessments/<int:pk>/", assessments.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/advance/", assessments.assessment_advance, name="assessment_advance"),
    path("assessments/<int:pk>/participants/", assessments.participant_add, name="participant_add"),
    path("assessments/<int:pk>/invite/", assessments.participants_invite, name="participants_invite"),
    path("assessments/<int:pk>/reminders/", assessments.assessment_reminders, name="assessment_reminders"),
    path("assessments/<int:pk>/workshop/", assessments.workshop, name="workshop"),
    path(
        "assessments/<int:pk>/workshop/<str:code>/", assessments.factor_result_edit, name="factor_result_edit"
    ),
    path("assessments/<int:pk>/results/", assessments.results, name="results"),
    path("assessments/<int:pk>/wording/", assessments.assessment_wording, name="assessment_wording"),
    path("assessments/<int:pk>/report.pdf", assessments.report_pdf, name="report_pdf"),
    path("assessments/<int:pk>/plan/", plan.plan_create, name="plan_create"),
    # Personal answer link (no login: the token is the key)
    path("r/<str:token>/", assessments.respond, name="respond"),
    # Action plan
    path("plan/", plan.plan, name="plan"),
    path("plan/actions.xlsx", plan.actions_export, name="actions_export"),
    path("plans/<int:pk>/approve/", plan.plan_approve, name="plan_approve"),
    path("actions/new/", plan.action_edit, name="action_create"),
    path("actions/<int:pk>/", plan.action_edit, name="action_edit"),
    # Perception surveys (management; the public questionnaire is in public_urls.py)
    path("surveys/", surveys.survey_list, name="survey_list"),
    path("surveys/new/", surveys.survey_create, name="survey_create"),
    path("surveys/sample-size/", surveys.sample_size, name="sample_size"),
    path("surveys/<int:pk>/", surveys.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/status/", surveys.survey_status, name="survey_status"),
    path("surveys/<int:pk>/items/", surveys.survey_item_create, name="survey_item_create"),
    path("surveys/<int:pk>/items/<int:item_pk>/", surveys.survey_item_edit_view, name="survey_item_edit"),
    path(
        "surveys/<int:pk>/items/<int:item_pk>/retire/",
        surveys.survey_item_retire_view,
        name="survey_item_retire",
    ),
]

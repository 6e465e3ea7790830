from django.urls import path

from . import views, views_config, views_io

app_name = "risks"
urlpatterns = [
    path("", views.index, name="index"),
    path("register/", views.risk_list, name="risk_list"),
    path("new/", views.risk_edit, name="risk_create"),
    path("<int:pk>/", views.risk_detail, name="risk_detail"),
    path("<int:pk>/edit/", views.risk_edit, name="risk_edit"),
    path("<int:pk>/review/", views.risk_review, name="risk_review"),
    path("<int:pk>/controls/new/", views.control_edit, name="control_create"),
    path("<int:pk>/controls/<int:control_pk>/", views.control_edit, name="control_edit"),
    path("<int:pk>/controls/<int:control_pk>/delete/", views.control_delete, name="control_delete"),
    path("<int:pk>/actions/new/", views.action_edit, name="action_create"),
    path("<int:pk>/actions/<int:action_pk>/", views.action_edit, name="action_edit"),
    path("<int:pk>/actions/<int:action_pk>/delete/", views.action_delete, name="action_delete"),
    path("map/", views.risk_map, name="risk_map"),
    path("typical/", views.typical_list, name="typical_list"),
    path("typical/adopt/", views.typical_adopt, name="typical_adopt"),
    path("processes/", views_config.process_list, name="process_list"),
    path("processes/new/", views_config.process_edit, name="process_create"),
    path("processes/<int:pk>/", views_config.process_edit, name="process_edit"),
    path("scales/", views_config.scales, name="scales"),
    path("export.xlsx", views_io.export_xlsx, name="export_xlsx"),
    path("import/", views_io.import_xlsx, name="import_xlsx"),
    path("report.pdf", views_io.report_pdf, name="report_pdf"),
]

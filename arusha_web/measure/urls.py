from django.urls import path

from . import views_compare, views_data, views_leads, views_publish

app_name = "measure"
urlpatterns = [
    path("", views_data.index, name="index"),
    path("datasets/", views_data.dataset_list, name="datasets"),
    path("datasets/<int:pk>/", views_data.dataset_detail, name="dataset"),
    path("datasets/<int:pk>/load/", views_data.import_start, name="import_start"),
    path("datasets/<int:pk>/analyse/", views_data.analysis_start, name="analysis_start"),
    path("datasets/<int:pk>/quarantine/", views_data.quarantine, name="quarantine"),
    path("datasets/<int:pk>/folders/", views_data.folder_register, name="folder_register"),
    path("folders/<int:pk>/", views_data.folder_detail, name="folder"),
    path("folders/<int:pk>/scan/", views_data.folder_scan, name="folder_scan"),
    path("folders/<int:pk>/load/", views_data.folder_load, name="folder_load"),
    path("analyses/compare/", views_compare.compare, name="compare"),
    path("imports/<int:pk>/", views_data.import_detail, name="import"),
    path("imports/<int:pk>/errors.csv", views_data.import_errors_csv, name="import_errors"),
    path("imports/<int:pk>/retry/", views_data.import_retry, name="import_retry"),
    path("analyses/<int:pk>/", views_data.analysis_detail, name="analysis"),
    path("analyses/<int:pk>/retry/", views_data.analysis_retry, name="analysis_retry"),
    path("analyses/<int:pk>/publish/", views_publish.analysis_publish, name="analysis_publish"),
    path("leads/", views_leads.lead_list, name="leads"),
    path("leads/<int:pk>/", views_leads.lead_detail, name="lead"),
    path("leads/<int:pk>/update/", views_leads.lead_update, name="lead_update"),
    path("leads/<int:pk>/comment/", views_leads.lead_comment, name="lead_comment"),
    path("leads/<int:pk>/refer/", views_leads.lead_refer, name="lead_refer"),
]

from . import views_contracts, views_dash, views_targeting, views_traders  # noqa: E402

urlpatterns += [
    path("administration/", views_dash.administration, name="administration"),
    path("offices/<str:code>/", views_dash.office, name="office"),
    path("officers/<str:officer_id>/", views_dash.officer, name="officer"),
    path("officers/<str:officer_id>/pdf/", views_dash.officer_pdf, name="officer_pdf"),
    path("officers/<str:officer_id>/chart/<str:code>/", views_dash.officer_chart, name="officer_chart"),
    path("declarations/", views_dash.declarations, name="declarations"),
    path("anti-gaming/", views_dash.antigaming, name="antigaming"),
    path("targeting/", views_targeting.targeting, name="targeting"),
    path("anti-gaming/thresholds/", views_dash.antigaming_thresholds, name="antigaming_thresholds"),
    path("traders/", views_traders.trader_risk_list, name="trader_risk"),
    path("traders/<str:entity_type>/<str:entity_id>/", views_dash.trader, name="trader"),
    path(
        "traders/<str:entity_type>/<str:entity_id>/chart/<str:code>/",
        views_dash.trader_chart,
        name="trader_chart",
    ),
    path("contracts/", views_contracts.contract_list, name="contracts"),
    path("contracts/new/", views_contracts.contract_create, name="contract_create"),
    path("contracts/<int:pk>/", views_contracts.contract_detail, name="contract"),
    path("contracts/<int:pk>/action/", views_contracts.contract_action, name="contract_action"),
    path("contracts/<int:pk>/pdf/", views_contracts.contract_pdf, name="contract_pdf"),
]

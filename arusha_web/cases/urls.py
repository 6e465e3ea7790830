from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.index, name="index"),
    path("intake/", views.intake, name="intake"),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/message/", views.report_message, name="report_message"),
    path("reports/<int:pk>/acknowledge/", views.report_acknowledge, name="report_acknowledge"),
    path("reports/<int:pk>/feedback/", views.report_feedback, name="report_feedback"),
    path("reports/<int:pk>/merge/", views.report_merge, name="report_merge"),
    path("reports/<int:pk>/close/", views.report_close, name="report_close"),
    path("reports/<int:pk>/open-case/", views.report_open_case, name="report_open_case"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("list/", views.case_list, name="case_list"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("<int:pk>/concerned/", views.case_concerned, name="case_concerned"),
    path("<int:pk>/entries/", views.case_entry_add, name="case_entry_add"),
    path("entries/<int:pk>/toggle/", views.entry_toggle, name="entry_toggle"),
    path("<int:pk>/close/", views.case_close, name="case_close"),
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/pdf/", views.statistics_pdf, name="statistics_pdf"),
    path("staff-report/", views.staff_report, name="staff_report"),
]

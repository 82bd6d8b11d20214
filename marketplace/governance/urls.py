"""Governance pages: the operators' console, the parties' pages and the public disclosure."""

from django.urls import path

from .views import console, disclosure, files, parties

app_name = "governance"

urlpatterns = [
    # Operators.
    path("console/overview/", console.overview, name="overview"),
    path("console/audit/", console.audit_list, name="audit"),
    path("console/audit/<int:seq>/", console.audit_entry, name="audit_entry"),
    path("console/disputes/", console.dispute_list, name="console_disputes"),
    path("console/disputes/<int:pk>/", console.dispute_detail, name="console_dispute"),
    path("console/disputes/<int:pk>/<str:action>/", console.dispute_action, name="console_dispute_action"),
    path("console/objection-cases/<int:pk>/", console.objection_detail, name="console_objection"),
    path("console/objection-cases/<int:pk>/<str:action>/", console.objection_action, name="console_objection_action"),
    path("console/credit/", console.credit_list, name="console_credit"),
    path("console/credit/<int:pk>/", console.organization_record, name="console_organization"),
    path("console/credit/<int:pk>/violations/", console.violation_create, name="violation_create"),
    path("console/violations/<int:pk>/rescind/", console.violation_rescind, name="violation_rescind"),
    # Parties.
    path("objections/mine/", parties.my_objections, name="my_objections"),
    path("objections/against-us/", parties.objections_against, name="objections_against"),
    path("disputes/", parties.disputes, name="disputes"),
    path("disputes/<int:pk>/", parties.dispute_detail, name="dispute_detail"),
    path("disputes/new/<str:number>/", parties.dispute_create, name="dispute_create"),
    path("statements/<int:pk>/answer/", parties.statement_answer, name="statement_answer"),
    path("credit/", parties.my_credit, name="my_credit"),
    # Their files (evidence, attachments), each to the operators and the party concerned.
    path("files/objections/<int:pk>/", files.objection_evidence, name="objection_evidence"),
    path("files/disputes/<int:pk>/", files.dispute_evidence, name="dispute_evidence"),
    path("files/statements/<int:pk>/", files.statement_attachment, name="statement_attachment"),
    # The public.
    path("disclosure/", disclosure.index, name="disclosure"),
    path("disclosure/operators/", disclosure.operators, name="disclosure_operators"),
    path("disclosure/recognitions/", disclosure.recognitions, name="disclosure_recognitions"),
    path("disclosure/report/", disclosure.report, name="disclosure_report"),
    path("disclosure/report/<int:year>.csv", disclosure.report_csv, name="disclosure_report_csv"),
    path("disclosure/report/<int:year>.pdf", disclosure.report_pdf, name="disclosure_report_pdf"),
]
